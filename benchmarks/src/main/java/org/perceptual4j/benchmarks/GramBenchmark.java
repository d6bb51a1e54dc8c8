package org.perceptual4j.benchmarks;

import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.losses.StyleLoss;

/**
 * The Gram matrix of relu1_1 features of a 512x512 image ([1, 64, 512, 512]) through
 * {@link StyleLoss#gram(INDArray)}. The values do not matter, so the features are uniform noise.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {BenchmarkInputs.FORK_HEAP_MIN, BenchmarkInputs.FORK_HEAP_MAX, BenchmarkInputs.FORK_PRETOUCH,
    BenchmarkInputs.FORK_NATIVE_LIMIT})
public class GramBenchmark {
    static final long CHANNELS = 64;
    static final long SIZE = 512;

    private INDArray features;

    @Setup
    public void setUp() {
        NativeBinaries.selectForThisCpu();
        features = BenchmarkInputs.uniform(BenchmarkInputs.CONTENT_SEED, 1, CHANNELS, SIZE, SIZE);
    }

    @Benchmark
    public INDArray gram() {
        return StyleLoss.gram(features);
    }
}
