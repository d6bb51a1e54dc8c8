package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.style.StyleTesting.CONTENT;
import static org.perceptual4j.style.StyleTesting.STYLE;
import static org.perceptual4j.style.StyleTesting.STYLE2;
import static org.perceptual4j.style.StyleTesting.TERMS;
import static org.perceptual4j.style.StyleTesting.assertRgbImage;
import static org.perceptual4j.style.StyleTesting.base;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.image.Images;
import org.perceptual4j.optim.AdamOptimizer;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.StopReason;

/** {@link StyleTransfer#run()} and {@link StyleTransfer#objective()} on {@link TinyConvExtractor} at size 24. */
class StyleTransferRunTest {

    private static List<Double> totals(StyleTransferResult r) {
        return r.history().stream().map(LossRecord::total).toList();
    }

    private static float[] pixels(StyleTransferResult r) {
        return r.image().dup('c').data().asFloat();
    }

    /** The first loss of a run, without optimizing: the listener stops at iteration 0. */
    private static LossRecord firstRecord(StyleTransfer.Builder b) {
        StyleTransferResult r = b.listener(e -> e.requestStop()).build().run();
        assertEquals(1, r.history().size());
        return r.history().get(0);
    }

    @Test
    void lbfgsLowersTheLossAndRecordsEveryIteration() {
        StyleTransferResult r = base().build().run();
        assertEquals(StopReason.MAX_ITERATIONS, r.stopReason());
        assertEquals(20, r.iterations());
        assertEquals(21, r.history().size(), "iteration 0 and 20 iterations");
        for (int i = 0; i < r.history().size(); i++) {
            LossRecord rec = r.history().get(i);
            assertEquals(i, rec.iteration());
            assertEquals(List.of(TERMS), List.copyOf(rec.terms().keySet()), "term names in order");
            double sum = rec.terms().values().stream().mapToDouble(Double::doubleValue).sum();
            assertEquals(sum, rec.total(), 1e-4 * rec.total(), "total is the sum of the terms");
            assertTrue(i == 0 || rec.elapsedMillis() >= r.history().get(i - 1).elapsedMillis());
        }
        double first = r.history().get(0).total();
        double last = r.last().total();
        assertTrue(last < 0.5 * first, "L-BFGS: total " + first + " -> " + last + " " + totals(r));
        assertTrue(styleSum(r.last()) < 0.5 * styleSum(r.history().get(0)), "the style terms fall too");
        assertRgbImage(r.image(), 18, 24);
    }

    private static double styleSum(LossRecord r) {
        return r.terms().entrySet().stream().filter(e -> e.getKey().startsWith("style:")).mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void adamLowersTheLoss() {
        // neural-style's Adam (learning rate 10 in Caffe's 0-255 space) on a Caffe-convention network, from the
        // content image (neural-style's -init image); from near-zero noise, steps of 10 first overshoot
        StyleTransferResult r = base().adam().init(Initialization.content()).build().run();
        assertEquals(21, r.history().size());
        double first = r.history().get(0).total();
        double last = r.last().total();
        assertTrue(last < 0.5 * first, "Adam: total " + first + " -> " + last + " " + totals(r));
    }

    @Test
    void adamWithASuitableRateLowersTheLossOnAnImagenetNetwork() {
        TinyConvExtractor imagenet = new TinyConvExtractor(ImageConvention.IMAGENET, org.perceptual4j.core.Pooling.MAX, 3);
        StyleTransferResult r = base().featureExtractor(imagenet)
                .optimizer(AdamOptimizer.builder().learningRate(0.05).build()).build().run();
        double first = r.history().get(0).total();
        double last = r.last().total();
        assertTrue(last < 0.5 * first, "Adam: total " + first + " -> " + last + " " + totals(r));
    }

    @Test
    void listenerSeesEveryIterationAndTheImage() {
        List<Integer> iterations = new ArrayList<>();
        List<Double> totals = new ArrayList<>();
        List<Duration> elapsed = new ArrayList<>();
        StyleTransferResult r = base().iterations(6).listener(e -> {
            iterations.add(e.iteration());
            totals.add(e.total());
            elapsed.add(e.elapsed());
            assertEquals(6, e.maxIterations());
            assertEquals(List.of(TERMS), List.copyOf(e.terms().keySet()));
            assertRgbImage(e.image(), 18, 24);
        }).build().run();
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6), iterations);
        assertEquals(totals(r), totals, "the events carry the history's totals");
        for (int i = 1; i < elapsed.size(); i++) {
            assertTrue(elapsed.get(i).compareTo(elapsed.get(i - 1)) >= 0, "elapsed time never decreases");
        }
    }

    @Test
    void requestStopEndsTheRunEarly() {
        StyleTransferResult r = base().listener(e -> {
            if (e.iteration() == 3) {
                e.requestStop();
            }
        }).build().run();
        assertEquals(StopReason.STOPPED_BY_LISTENER, r.stopReason());
        assertEquals(3, r.iterations());
        assertEquals(4, r.history().size());
        assertEquals(3, r.last().iteration());
        assertRgbImage(r.image(), 18, 24);
    }

    @Test
    void interruptingTheThreadEndsTheRunAfterTheCurrentIteration() {
        List<Integer> seen = new ArrayList<>();
        StyleTransferResult r;
        try {
            r = base().listener(e -> {
                seen.add(e.iteration());
                if (e.iteration() == 2) {
                    Thread.currentThread().interrupt(); // as if cancelled from another thread
                }
            }).build().run();
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag stays set");
        } finally {
            Thread.interrupted(); // clear the flag for the following tests
        }
        assertEquals(StopReason.STOPPED_BY_LISTENER, r.stopReason());
        assertEquals(List.of(0, 1, 2), seen);
        assertEquals(2, r.iterations());
        assertEquals(3, r.history().size());
        assertRgbImage(r.image(), 18, 24);
    }

    @Test
    void contentInitStartsWithZeroContentLoss() {
        LossRecord first = firstRecord(base().init(Initialization.content()));
        assertEquals(0.0, first.terms().get("content:relu2"));
        assertTrue(first.terms().get("style:relu1") > 0);
        // the starting image is the resized content image
        INDArray expected = Images.resizeToLongestSide(CONTENT, 24);
        INDArray x0 = base().init(Initialization.content()).build().initialPoint();
        assertEquals(ImageConvention.CAFFE.toNetwork(expected), x0);
    }

    @Test
    void noiseInitIsSeeded() {
        LossRecord a = firstRecord(base().init(Initialization.noise()).seed(11));
        LossRecord b = firstRecord(base().init(Initialization.noise()).seed(11));
        LossRecord c = firstRecord(base().init(Initialization.noise()).seed(12));
        assertEquals(a.total(), b.total(), "same seed, same start");
        assertEquals(a.terms(), b.terms());
        assertNotEquals(a.total(), c.total(), "another seed, another start");
        // noise: N(0, 0.001) around zero in the network's space, i.e. about the Caffe mean colour
        INDArray x0 = base().seed(11).build().initialPoint();
        assertTrue(x0.amaxNumber().doubleValue() < 0.01, "max |x0| " + x0.amaxNumber());
    }

    @Test
    void imageInitStartsFromTheGivenImage() {
        INDArray start = StyleTesting.image(9, 18, 24); // exactly the output size: no resampling
        List<INDArray> firstImage = new ArrayList<>();
        StyleTransferResult r = base().init(Initialization.image(start)).listener(e -> {
            firstImage.add(e.image());
            e.requestStop();
        }).build().run();
        assertEquals(1, r.history().size());
        assertTrue(firstImage.get(0).equalsWithEps(start, 1e-5), "the first image is the initial image");
        // another size is resized to the output size
        INDArray big = StyleTesting.image(10, 36, 48);
        assertArrayEquals(new long[] {1, 3, 18, 24}, base().init(Initialization.image(big)).build().initialPoint().shape());
    }

    @Test
    void styleInitStartsFromTheResizedStyleImage() {
        INDArray x0 = base().init(Initialization.style()).build().initialPoint();
        assertEquals(ImageConvention.CAFFE.toNetwork(Images.resize(STYLE, 18, 24)), x0);
    }

    @Test
    void outputHasTheRequestedLongestSideAndTheContentsAspectRatio() {
        assertRgbImage(base().iterations(1).build().run().image(), 18, 24);
        INDArray portrait = StyleTesting.image(4, 40, 30);
        assertRgbImage(base().content(portrait).size(20).iterations(1).build().run().image(), 20, 15);
        INDArray small = StyleTesting.image(4, 10, 15);
        assertRgbImage(base().content(small).size(30).iterations(1).build().run().image(), 20, 30); // upscaled
    }

    @Test
    void multipleStylesBlendTheirGramMatrices() {
        // weight 0 for the second style: the same objective as the first style alone
        StyleTransfer one = base().init(Initialization.content()).build();
        StyleTransfer blendZero = StyleTransfer.builder().featureExtractor(StyleTesting.NET).content(CONTENT)
                .style(STYLE, 2).style(STYLE2, 0).contentLayers(Map.of("relu2", 1.0)).styleLayers(StyleTesting.styleLayers())
                .styleWeight(1000).size(24).init(Initialization.content()).build();
        INDArray x0 = one.initialPoint();
        Evaluation a = one.objective().evaluate(x0);
        Evaluation b = blendZero.objective().evaluate(x0);
        assertEquals(a.value(), b.value(), 1e-6 * a.value());
        // a real blend differs from both styles, and a run with it lowers the loss
        StyleTransfer.Builder blend = base().style(STYLE2, 1).init(Initialization.content());
        Evaluation c = blend.build().objective().evaluate(x0);
        assertNotEquals(a.value(), c.value());
        StyleTransferResult r = blend.iterations(10).build().run();
        assertTrue(r.last().total() < r.history().get(0).total(), totals(r).toString());
    }

    @Test
    void aDivergingRunThrowsWithTheLastFiniteImage() {
        // Adam with a huge step sends the image to ~1e25 after one step: squares overflow float
        StyleTransfer st = base().optimizer(AdamOptimizer.builder().learningRate(1e25).build()).build();
        StyleTransferException e = assertThrows(StyleTransferException.class, st::run);
        assertRgbImage(e.lastFiniteImage(), 18, 24);
        assertEquals(1, e.history().size(), "only iteration 0 was finite");
        assertTrue(Double.isFinite(e.history().get(0).total()));
        assertTrue(e.getMessage().startsWith("the loss became NaN after iteration 0")
                || e.getMessage().startsWith("the loss became Infinity after iteration 0"), e.getMessage());
        assertTrue(e.getMessage().contains("lower the learning rate or the weights"), e.getMessage());
        INDArray expected = ImageConvention.CAFFE.fromNetwork(st.initialPoint());
        assertTrue(e.lastFiniteImage().equalsWithEps(org.nd4j.linalg.ops.transforms.Transforms.min(
                org.nd4j.linalg.ops.transforms.Transforms.max(expected, 0.0), 1.0), 1e-6), "the starting image");
    }

    @Test
    void aLossThatIsNaNFromTheStartThrows() {
        FeatureExtractor poisoned = new NaNFeatures(StyleTesting.NET);
        StyleTransfer st = base().featureExtractor(poisoned).build();
        StyleTransferException e = assertThrows(StyleTransferException.class, st::run);
        assertTrue(e.getMessage().startsWith("the loss became NaN after iteration 0"), e.getMessage());
        assertEquals(List.of(), e.history());
        assertRgbImage(e.lastFiniteImage(), 18, 24);
    }

    @Test
    void objectiveAtTheInitialPointMatchesTheFirstHistoryRecord() {
        StyleTransfer.Builder b = base().init(Initialization.noise()).seed(5);
        LossRecord first = firstRecord(b);
        StyleTransfer st = b.build();
        Evaluation e = st.objective().evaluate(st.initialPoint());
        assertEquals(first.total(), e.value(), 1e-6 * first.total());
        assertEquals(List.of(TERMS), List.copyOf(e.components().keySet()));
        first.terms().forEach((k, v) -> assertEquals(v, e.components().get(k), 1e-6 * first.total(), k));
        assertArrayEquals(new long[] {1, 3, 18, 24}, e.gradient().shape());
    }

    @Test
    void runsAreRepeatableAndLeaveNd4jsDefaultsAlone() throws Exception {
        DataType defaultType = Nd4j.dataType();
        DataType defaultFloat = Nd4j.defaultFloatingPointType();
        StyleTransfer st = base().iterations(6).build();
        StyleTransferResult a = st.run();
        StyleTransferResult b = st.run();
        assertEquals(totals(a), totals(b));
        assertArrayEquals(pixels(a), pixels(b), "bit-identical images");
        // and from another thread, concurrently with this one
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<StyleTransferResult> other = pool.submit(st::run);
            StyleTransferResult c = st.run();
            StyleTransferResult d = other.get();
            assertEquals(totals(a), totals(c));
            assertEquals(totals(a), totals(d));
            assertArrayEquals(pixels(a), pixels(d));
        } finally {
            pool.shutdownNow();
        }
        assertEquals(defaultType, Nd4j.dataType());
        assertEquals(defaultFloat, Nd4j.defaultFloatingPointType());
    }

    @Test
    void aSingleLossTermWorks() {
        // content only, no TV: the objective has exactly one term
        StyleTransferResult r = base().styleLayers(Map.of()).tvWeight(0).iterations(3).build().run();
        assertEquals(List.of("content:relu2"), List.copyOf(r.last().terms().keySet()));
        assertEquals(r.last().terms().get("content:relu2"), r.last().total(), 1e-9);
        assertTrue(r.last().total() < r.history().get(0).total());
    }

    @Test
    void styleOnlyAndAveragePooling() {
        Map<String, Double> layers = new LinkedHashMap<>(StyleTesting.styleLayers());
        StyleTransferResult r = base().contentLayers(Map.of()).styleLayers(layers).pooling(org.perceptual4j.core.Pooling.AVG)
                .iterations(5).build().run();
        assertEquals(List.of("style:relu1", "style:relu2", "style:relu3", "tv"), List.copyOf(r.last().terms().keySet()));
        assertTrue(r.last().total() < r.history().get(0).total());
        assertFalse(r.history().isEmpty());
    }

    /** Features multiplied by NaN: every loss is NaN from the first evaluation. */
    private static final class NaNFeatures implements FeatureExtractor {
        private final FeatureExtractor inner;

        NaNFeatures(FeatureExtractor inner) {
            this.inner = inner;
        }

        @Override
        public List<String> layerNames() {
            return inner.layerNames();
        }

        @Override
        public String resolveLayer(String name) {
            return inner.resolveLayer(name);
        }

        @Override
        public ImageConvention imageConvention() {
            return inner.imageConvention();
        }

        @Override
        public org.perceptual4j.core.Provenance provenance() {
            return org.perceptual4j.core.Provenance.inMemory("NaN " + inner.provenance());
        }

        @Override
        public Map<String, INDArray> features(INDArray rgbImages, Collection<String> layers) {
            return inner.features(rgbImages, layers);
        }

        @Override
        public Map<String, SDVariable> define(SameDiff sd, SDVariable networkInput, Collection<String> layers) {
            Map<String, SDVariable> out = new LinkedHashMap<>();
            inner.define(sd, networkInput, layers).forEach((k, v) -> out.put(k, v.mul(Double.NaN)));
            return out;
        }
    }
}
