package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.Map;
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
import org.perceptual4j.core.FeatureExtractor;

/**
 * VGG19 features up to relu5_1 (forward only) through {@link FeatureExtractor#features}, image
 * convention included. Weights as in {@link StyleStepBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {BenchmarkInputs.FORK_HEAP_MIN, BenchmarkInputs.FORK_HEAP_MAX, BenchmarkInputs.FORK_PRETOUCH,
    BenchmarkInputs.FORK_NATIVE_LIMIT})
public class FeaturesBenchmark {
    static final List<String> LAYERS = List.of("relu5_1");

    @Param({"256", "512"})
    public int size;

    private FeatureExtractor vgg;
    private INDArray image;

    @Setup
    public void setUp() throws IOException {
        vgg = BenchmarkInputs.vgg19();
        image = BenchmarkInputs.rgbImage(size, BenchmarkInputs.CONTENT_SEED);
    }

    @Benchmark
    public Map<String, INDArray> features() {
        return vgg.features(image, LAYERS);
    }
}
