package org.perceptual4j.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.backend.NativeBinaries;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.style.Initialization;
import org.perceptual4j.style.StyleTransfer;
import org.perceptual4j.vgg.Vgg19;

/**
 * What every benchmark shares: the VGG19 weights file, deterministic random images and the
 * style-transfer configuration. {@link ObjectiveCheck} uses the same configuration, so the objective
 * PyTorch is checked against is exactly the one that is timed.
 */
final class BenchmarkInputs {
    /** System property naming the Keras VGG19 weights file. */
    static final String WEIGHTS_PROPERTY = "perceptual4j.bench.weights";
    /** Environment variable used when the property is not set. */
    static final String WEIGHTS_ENV = "PERCEPTUAL4J_BENCH_WEIGHTS";

    /**
     * Heap of every forked benchmark JVM: fixed and pre-touched, so that it is resident from the start
     * and {@link MemoryProfiler}'s off-heap figure (RSS minus the committed heap) is exact. ND4J frees a
     * native buffer only when the GC collects its Java wrapper, so the heap size also sets how much
     * native garbage piles up between collections; the benchmarks need tens of MB of heap.
     */
    static final String FORK_HEAP_MIN = "-Xms512m";
    static final String FORK_HEAP_MAX = "-Xmx512m";
    static final String FORK_PRETOUCH = "-XX:+AlwaysPreTouch";
    /**
     * Above this RSS JavaCPP forces a GC (which frees ND4J's native garbage) at its next allocation, and
     * fails with OutOfMemoryError if that does not help: bounds the garbage, and is a safety net on a
     * shared machine. The 1024² style step of 0.1.0 needs more than 8 GB at once (it fails with 8G); it
     * grew to 16.5 GB of RSS under a 16G limit.
     */
    static final String DEFAULT_NATIVE_LIMIT = "12G";
    static final String FORK_NATIVE_LIMIT = "-Dorg.bytedeco.javacpp.maxphysicalbytes=" + DEFAULT_NATIVE_LIMIT;

    static final long CONTENT_SEED = 1;
    static final long STYLE_SEED = 2;
    static final long INIT_SEED = 3;

    private BenchmarkInputs() {
    }

    /** The weights file from {@value #WEIGHTS_PROPERTY} or {@value #WEIGHTS_ENV}. */
    static Path weights() {
        String value = System.getProperty(WEIGHTS_PROPERTY);
        if (value == null || value.isBlank()) {
            value = System.getenv(WEIGHTS_ENV);
        }
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("expected -D" + WEIGHTS_PROPERTY + "=PATH (or $" + WEIGHTS_ENV
                    + ") naming a Keras VGG19 weights file, got none; benchmarks/compare.sh generates a random-weight one");
        }
        Path path = Path.of(value);
        if (!Files.isRegularFile(path)) {
            throw new IllegalStateException(WEIGHTS_PROPERTY + ": expected an existing file, got " + path.toAbsolutePath());
        }
        return path;
    }

    /** VGG19 from {@link #weights()}, after choosing the native binaries for this CPU. */
    static FeatureExtractor vgg19() throws IOException {
        NativeBinaries.selectForThisCpu();
        return Vgg19.fromKeras(weights());
    }

    /** A [1, 3, size, size] RGB image of uniform noise in [0, 1), the same for the same seed. */
    static INDArray rgbImage(int size, long seed) {
        return uniform(seed, 1, 3, size, size);
    }

    /** A FLOAT array of uniform noise in [0, 1) of the given shape, the same for the same seed. */
    static INDArray uniform(long seed, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextDouble();
        }
        return Nd4j.create(values, shape, 'c');
    }

    /**
     * The benchmarked style transfer: default layers and weights (content relu4_2; style relu1_1 to
     * relu5_1; 5 / 100 / 1e-3), square content and style images of the given size, and a random
     * starting image (so that no term is degenerate).
     */
    static StyleTransfer styleTransfer(FeatureExtractor vgg, int size) {
        return StyleTransfer.builder()
                .featureExtractor(vgg)
                .content(rgbImage(size, CONTENT_SEED))
                .style(rgbImage(size, STYLE_SEED))
                .init(Initialization.image(rgbImage(size, INIT_SEED)))
                .size(size)
                .build();
    }
}
