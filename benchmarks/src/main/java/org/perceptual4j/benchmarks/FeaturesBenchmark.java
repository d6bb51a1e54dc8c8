package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.perceptual4j.core.FeatureExtractor;

/**
 * VGG19 features up to relu5_1 (forward only) through {@link FeatureExtractor#features}, image
 * convention included. Weights as in {@link StyleStepBenchmark}.
 */
@State(Scope.Benchmark)
public class FeaturesBenchmark extends WorkloadSettings {
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
