package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.Objective;
import org.perceptual4j.style.StyleTransfer;

/**
 * One style-transfer step: every loss term's value and the gradient of the total w.r.t. the image,
 * through the public {@link StyleTransfer#objective()} (so it measures whatever implementation is
 * underneath). VGG19 to relu5_1, content relu4_2, five Gram taps, squared TV; see
 * {@link BenchmarkInputs#styleTransfer}. The weights file is given with
 * {@code -Dperceptual4j.bench.weights=PATH} (a real Keras VGG19 file, or a random-weight one of the same
 * shape from {@code vgg-import/src/test/python/generate_vgg19_shaped.py --widths 64,128,256,512,512}:
 * the timing does not depend on the weight values).
 *
 * <p>Run: {@code benchmarks/compare.sh}, or {@code mvn -Pbenchmarks-jar -DskipTests package -pl benchmarks -am
 * && java -Dperceptual4j.bench.weights=vgg19.h5 -jar benchmarks/target/perceptual4j-benchmarks.jar StyleStep
 * -prof org.perceptual4j.benchmarks.MemoryProfiler}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {BenchmarkInputs.FORK_HEAP_MIN, BenchmarkInputs.FORK_HEAP_MAX, BenchmarkInputs.FORK_PRETOUCH,
    BenchmarkInputs.FORK_NATIVE_LIMIT})
public class StyleStepBenchmark {
    @Param({"128", "256", "512", "1024"})
    public int size;

    private Objective objective;
    private INDArray x;

    @Setup
    public void setUp() throws IOException {
        StyleTransfer config = BenchmarkInputs.styleTransfer(BenchmarkInputs.vgg19(), size);
        objective = config.objective();
        x = config.initialPoint();
    }

    @Benchmark
    public Evaluation styleStep() {
        return objective.evaluate(x);
    }
}
