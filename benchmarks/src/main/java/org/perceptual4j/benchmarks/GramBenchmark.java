package org.perceptual4j.benchmarks;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.losses.StyleLoss;

/**
 * The Gram matrix of relu1_1 features of a 512x512 image ([1, 64, 512, 512]) through
 * {@link StyleLoss#gram(INDArray)}. The values do not matter, so the features are uniform noise.
 */
@State(Scope.Benchmark)
public class GramBenchmark extends WorkloadSettings {
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
