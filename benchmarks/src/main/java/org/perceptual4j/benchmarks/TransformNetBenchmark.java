package org.perceptual4j.benchmarks;

import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.TransformNet;

/**
 * Fast style transfer's inference: one forward pass of Johnson et al.'s transform network
 * ({@link TransformNet.Architecture#JOHNSON}, random weights: the timing does not depend on the values)
 * on one {@code [1, 3, size, size]} image, through {@link FastStyleModel#stylizer(long, long)}, whose
 * computation is built once in the set-up, as for a user stylizing many frames of one size. The output
 * is clamped to [0, 1] like {@link FastStyleModel#stylize}. Needs no weights file.
 */
@State(Scope.Benchmark)
public class TransformNetBenchmark extends WorkloadSettings {
    /** Seed of the random transform-network weights. */
    static final long NETWORK_SEED = 0;

    @Param({"512", "1024"})
    public int size;

    private UnaryOperator<INDArray> stylizer;
    private INDArray image;

    @Setup
    public void setUp() {
        NativeBinaries.selectForThisCpu();
        FastStyleModel model = FastStyleModel.of(TransformNet.random(TransformNet.Architecture.JOHNSON, NETWORK_SEED),
                FastStyleModel.Metadata.of("random", 0, Map.of()));
        stylizer = model.stylizer(size, size);
        image = BenchmarkInputs.rgbImage(size, BenchmarkInputs.CONTENT_SEED);
        long[] shape = stylizer.apply(image).shape(); // torch_bench.py checks its output the same way
        if (!Arrays.equals(shape, image.shape())) {
            throw new IllegalStateException("transform net: expected an output of the input's shape " + Arrays.toString(image.shape())
                    + ", got " + Arrays.toString(shape));
        }
    }

    @Benchmark
    public INDArray stylize() {
        return stylizer.apply(image);
    }
}
