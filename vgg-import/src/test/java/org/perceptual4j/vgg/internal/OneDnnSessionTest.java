package org.perceptual4j.vgg.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.assertClose;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureSession;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.internal.SameDiffFeatureSession;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.VggCompute;
import org.perceptual4j.vgg.VggFeatureExtractor;

/**
 * The oneDNN session against the SameDiff one (the reference, itself tested against PyTorch) on the
 * tiny random-weight VGG19 (block widths 4, 8, 12, 16, 16: padded channel blocks included).
 */
class OneDnnSessionTest {
    private static final double TOL = 1e-4;
    /** Every kind of tap: a pre-ReLU convolution, ReLUs, poolings, an alias of another tap, the deepest layer. */
    private static final List<String> LAYERS = List.of("conv1_1", "relu1_1", "pool1", "relu2_2", "block3_conv1", "relu3_1",
            "relu4_2", "conv5_1", "relu5_1");

    @BeforeAll
    static void oneDnnIsAvailable() {
        assertTrue(OneDnn.available(), "the tests run with the dnnl natives: " + OneDnn.unavailableReason());
    }

    private static VggFeatureExtractor vgg(Pooling pooling, VggCompute compute) {
        return TinyVgg.vgg19().withPooling(pooling).withCompute(compute);
    }

    private static INDArray random(long seed, double scale, long... shape) {
        Random r = new Random(seed);
        float[] v = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * scale);
        }
        return Nd4j.create(v, shape, 'c');
    }

    /** Random upstream gradients for every tap of a forward result. */
    private static Map<String, INDArray> upstream(Map<String, INDArray> features, long seed) {
        Map<String, INDArray> g = new LinkedHashMap<>();
        long s = seed;
        for (Map.Entry<String, INDArray> e : features.entrySet()) {
            g.put(e.getKey(), random(s++, 1.0, e.getValue().shape()));
        }
        return g;
    }

    @ParameterizedTest(name = "{0} pooling, {1}x{2}")
    @CsvSource({"MAX, 40, 32", "AVG, 40, 32", "MAX, 37, 45", "AVG, 35, 33"})
    void featuresAndInputGradientMatchSameDiff(Pooling pooling, int h, int w) {
        VggFeatureExtractor fast = vgg(pooling, VggCompute.AUTO);
        VggFeatureExtractor reference = vgg(pooling, VggCompute.SAMEDIFF);
        long[] shape = {1, 3, h, w};
        INDArray x = random(1, 60, shape);
        try (FeatureSession f = fast.openSession(LAYERS, shape);
                FeatureSession r = new SameDiffFeatureSession(reference, LAYERS, shape)) {
            assertTrue(f instanceof OneDnnSession, f.getClass().getName());
            Map<String, INDArray> ff = f.forward(x);
            Map<String, INDArray> rf = r.forward(x);
            assertEquals(LAYERS, List.copyOf(ff.keySet()));
            for (String l : LAYERS) {
                assertClose(rf.get(l), ff.get(l), TOL, "feature " + l);
            }
            Map<String, INDArray> g = upstream(rf, 7);
            assertClose(r.backward(g), f.backward(g), TOL, "input gradient");
            // a subset of the taps, the deepest one left out
            Map<String, INDArray> some = Map.of("relu1_1", g.get("relu1_1"), "relu4_2", g.get("relu4_2"));
            r.forward(x);
            f.forward(x);
            assertClose(r.backward(some), f.backward(some), TOL, "input gradient of two taps");
        }
    }

    @Test
    void repeatedCallsGiveTheSameResultsAsFreshSessions() {
        VggFeatureExtractor fast = vgg(Pooling.MAX, VggCompute.AUTO);
        long[] shape = {1, 3, 32, 40};
        INDArray x1 = random(1, 60, shape);
        INDArray x2 = random(2, 60, shape);
        try (FeatureSession s = fast.openSession(LAYERS, shape)) {
            Map<String, INDArray> g = upstream(s.forward(x1), 3);
            INDArray first = s.backward(g);
            s.forward(x2);
            s.backward(upstream(s.forward(x2), 4));
            s.forward(x1);
            INDArray again = s.backward(g);
            assertEquals(first, again, "same input and gradients, same result");
            assertTrue(first != again, "each backward returns a new array");
        }
    }

    @Test
    void batchOfTwoMatchesSameDiff() {
        long[] shape = {2, 3, 24, 20};
        INDArray x = random(5, 60, shape);
        List<String> layers = List.of("relu2_1", "relu4_1");
        try (FeatureSession f = vgg(Pooling.MAX, VggCompute.AUTO).openSession(layers, shape);
                FeatureSession r = new SameDiffFeatureSession(vgg(Pooling.MAX, VggCompute.SAMEDIFF), layers, shape)) {
            Map<String, INDArray> rf = r.forward(x);
            Map<String, INDArray> ff = f.forward(x);
            assertClose(rf.get("relu4_1"), ff.get("relu4_1"), TOL, "relu4_1");
            Map<String, INDArray> g = upstream(rf, 9);
            assertClose(r.backward(g), f.backward(g), TOL, "input gradient");
        }
    }

    @Test
    void winogradMatchesSameDiff() {
        // Winograd runs where the channel count is a multiple of 16 (here blocks 4 and 5), direct elsewhere
        long[] shape = {1, 3, 40, 32};
        INDArray x = random(1, 60, shape);
        try (FeatureSession f = vgg(Pooling.MAX, VggCompute.WINOGRAD).openSession(LAYERS, shape);
                FeatureSession r = new SameDiffFeatureSession(vgg(Pooling.MAX, VggCompute.SAMEDIFF), LAYERS, shape)) {
            assertTrue(((OneDnnSession) f).implementations().stream().anyMatch(i -> i.contains("wino")),
                    "some layers use Winograd: " + ((OneDnnSession) f).implementations());
            Map<String, INDArray> rf = r.forward(x);
            Map<String, INDArray> ff = f.forward(x);
            for (String l : LAYERS) {
                assertClose(rf.get(l), ff.get(l), TOL, "feature " + l);
            }
            Map<String, INDArray> g = upstream(rf, 7);
            assertClose(r.backward(g), f.backward(g), TOL, "input gradient");
        }
    }

    @Test
    void bf16IsCloseToFp32() {
        org.junit.jupiter.api.Assumptions.assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        long[] shape = {1, 3, 40, 32};
        INDArray x = random(1, 60, shape);
        try (FeatureSession f = vgg(Pooling.MAX, VggCompute.BF16).openSession(LAYERS, shape);
                FeatureSession r = vgg(Pooling.MAX, VggCompute.AUTO).openSession(LAYERS, shape)) {
            assertTrue(((OneDnnSession) f).implementations().stream().anyMatch(i -> i.contains("bf16")),
                    "bf16 kernels: " + ((OneDnnSession) f).implementations());
            Map<String, INDArray> rf = r.forward(x);
            Map<String, INDArray> ff = f.forward(x);
            // bf16 keeps 8 significant bits: errors of a few parts in 1000 per layer accumulate over 13 layers
            for (String l : LAYERS) {
                assertClose(rf.get(l), ff.get(l), 3e-2, "feature " + l);
            }
            // The gradient differs more: wherever bf16 rounding flips the sign of a pre-activation near 0, a
            // ReLU passes or blocks a whole upstream value; with random upstream gradients (uncorrelated with
            // the features) these flips dominate and grow with depth. Checked: same direction.
            Map<String, INDArray> g = upstream(rf, 7);
            INDArray a = r.backward(g);
            INDArray b = f.backward(g);
            double cosine = a.mul(b).sumNumber().doubleValue() / (a.norm2Number().doubleValue() * b.norm2Number().doubleValue());
            assertTrue(cosine > 0.9, "cosine of bf16 and fp32 input gradients " + cosine);
        }
    }

    @Test
    void sharedExtractorOnTwoThreads() throws Exception {
        VggFeatureExtractor fast = vgg(Pooling.MAX, VggCompute.AUTO);
        long[] shape = {1, 3, 32, 40};
        INDArray[] inputs = {random(1, 60, shape), random(2, 60, shape)};
        INDArray[] expected = new INDArray[2];
        for (int t = 0; t < 2; t++) {
            try (FeatureSession s = fast.openSession(LAYERS, shape)) {
                expected[t] = s.backward(upstream(s.forward(inputs[t]), 11));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    try (FeatureSession s = fast.openSession(LAYERS, shape)) {
                        for (int i = 0; i < 10; i++) {
                            if (!expected[thread].equals(s.backward(upstream(s.forward(inputs[thread]), 11)))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> r : results) {
                assertTrue(r.get(), "same results on a shared extractor from two threads");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void featuresOnlySessionsLeaveTheirOutputsUsable() {
        VggFeatureExtractor fast = vgg(Pooling.AVG, VggCompute.AUTO);
        INDArray rgb = Nd4j.rand(DataType.FLOAT, 1, 3, 33, 35);
        Map<String, INDArray> f = fast.features(rgb, List.of("relu3_1", "block3_conv1", "pool5"));
        Map<String, INDArray> r = fast.withCompute(VggCompute.SAMEDIFF).features(rgb, List.of("relu3_1", "block3_conv1", "pool5"));
        assertSame(f.get("relu3_1"), f.get("block3_conv1"), "aliases share one array");
        System.gc();
        assertClose(r.get("relu3_1"), f.get("relu3_1"), TOL, "relu3_1");
        assertClose(r.get("pool5"), f.get("pool5"), TOL, "pool5");
        assertArrayEquals(new long[] {1, 16, 1, 1}, f.get("pool5").shape());
    }

    @Test
    void misuseIsReported() {
        long[] shape = {1, 3, 32, 32};
        FeatureSession s = vgg(Pooling.MAX, VggCompute.AUTO).openSession(List.of("relu2_1"), shape);
        assertThrows(IllegalStateException.class, () -> s.backward(Map.of()));
        IllegalArgumentException wrongShape = assertThrows(IllegalArgumentException.class, () -> s.forward(Nd4j.zeros(DataType.FLOAT, 1, 3, 32, 31)));
        assertTrue(wrongShape.getMessage().contains("[1, 3, 32, 32]"), wrongShape.getMessage());
        s.forward(Nd4j.zeros(DataType.FLOAT, shape));
        assertThrows(IllegalArgumentException.class, () -> s.backward(Map.of("relu3_1", Nd4j.zeros(DataType.FLOAT, 1, 12, 8, 8))));
        assertThrows(IllegalArgumentException.class, () -> s.backward(Map.of("relu2_1", Nd4j.zeros(DataType.FLOAT, 1, 8, 16, 15))));
        assertEquals(0.0, s.backward(Map.of()).amaxNumber().doubleValue(), "no gradients, zero gradient");
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> s.backward(Map.of()));
        assertTrue(twice.getMessage().contains("one backward per forward"), twice.getMessage());
        s.close();
        s.close();
        assertThrows(IllegalStateException.class, () -> s.forward(Nd4j.zeros(DataType.FLOAT, shape)));
        assertThrows(IllegalArgumentException.class, () -> vgg(Pooling.MAX, VggCompute.AUTO).openSession(List.of("relu5_1"), 1, 3, 8, 8));
    }
}
