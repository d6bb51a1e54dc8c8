package org.perceptual4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The JMH settings every workload benchmark inherits: average time per call in milliseconds, 2
 * warm-up and 5 measurement iterations of at least 5 s, one fork with the heap of
 * {@link BenchmarkInputs#FORK_HEAP_MAX}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {BenchmarkInputs.FORK_HEAP_MIN, BenchmarkInputs.FORK_HEAP_MAX, BenchmarkInputs.FORK_PRETOUCH,
    BenchmarkInputs.FORK_NATIVE_LIMIT})
abstract class WorkloadSettings {
}
