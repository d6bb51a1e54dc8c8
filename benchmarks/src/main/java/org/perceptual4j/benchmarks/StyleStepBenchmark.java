package org.perceptual4j.benchmarks;

import java.io.IOException;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
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
public class StyleStepBenchmark extends WorkloadSettings {
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
