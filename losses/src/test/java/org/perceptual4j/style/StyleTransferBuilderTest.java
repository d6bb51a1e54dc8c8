package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.perceptual4j.style.StyleTesting.CONTENT;
import static org.perceptual4j.style.StyleTesting.NET;
import static org.perceptual4j.style.StyleTesting.STYLE;
import static org.perceptual4j.style.StyleTesting.base;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.optim.AdamOptimizer;
import org.perceptual4j.optim.Lbfgs;

/** Validation and configuration of {@link StyleTransfer.Builder}; nothing here runs an optimization. */
class StyleTransferBuilderTest {

    private static void assertMessage(String expected, Executable call) {
        assertEquals(expected, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void settersRejectBadValuesAtOnce() {
        StyleTransfer.Builder b = StyleTransfer.builder();
        assertMessage("featureExtractor: expected a value, got null", () -> b.featureExtractor(null));
        assertMessage("contentWeight: expected a finite value >= 0, got -1.0", () -> b.contentWeight(-1));
        assertMessage("styleWeight: expected a finite value >= 0, got NaN", () -> b.styleWeight(Double.NaN));
        assertMessage("tvWeight: expected a finite value >= 0, got Infinity", () -> b.tvWeight(Double.POSITIVE_INFINITY));
        assertMessage("tvNorm: expected a value, got null", () -> b.tvNorm(null));
        assertMessage("init: expected a value, got null", () -> b.init(null));
        assertMessage("optimizer: expected a value, got null", () -> b.optimizer(null));
        assertMessage("iterations: expected a value > 0, got 0", () -> b.iterations(0));
        assertMessage("size: expected a value > 0, got -5", () -> b.size(-5));
        assertMessage("styleScale: expected a finite value > 0, got 0.0", () -> b.styleScale(0));
        assertMessage("pooling: expected a value, got null", () -> b.pooling(null));
        assertMessage("listener: expected a value, got null", () -> b.listener(null));
    }

    @Test
    void imagesMustBeSingleFloatingPointRgbImages() {
        StyleTransfer.Builder b = StyleTransfer.builder();
        assertMessage("content image: expected NCHW with 3 channels, got null", () -> b.content(null));
        assertMessage("content image: expected NCHW with 3 channels, got [1, 1, 8, 8]", () -> b.content(Nd4j.zeros(1, 1, 8, 8)));
        assertMessage("content image: expected NCHW with 3 channels, got [3, 8, 8]", () -> b.content(Nd4j.zeros(3, 8, 8)));
        assertMessage("content image: expected a batch of 1 image [1, 3, H, W], got [2, 3, 8, 8]", () -> b.content(Nd4j.zeros(2, 3, 8, 8)));
        assertMessage("content image: expected a floating-point array, got INT", () -> b.content(Nd4j.zeros(DataType.INT32, 1, 3, 8, 8)));
        assertMessage("style image: expected NCHW with 3 channels, got null", () -> b.style(null));
        assertMessage("style image: expected a batch of 1 image [1, 3, H, W], got [2, 3, 8, 8]", () -> b.style(Nd4j.zeros(2, 3, 8, 8), 1));
        assertMessage("style blend weight: expected a finite value >= 0, got -1.0", () -> b.style(STYLE, -1));
    }

    @Test
    void layerMapsAreValidated() {
        StyleTransfer.Builder b = StyleTransfer.builder();
        assertMessage("contentLayers: expected a value, got null", () -> b.contentLayers(null));
        assertMessage("contentLayers: expected layer names, got ' '", () -> b.contentLayers(Map.of(" ", 1.0)));
        assertMessage("styleLayers weight of relu1: expected a finite value >= 0, got -1.0", () -> b.styleLayers(Map.of("relu1", -1.0)));
        assertMessage("styleLayers weight of relu1: expected a finite value >= 0, got NaN", () -> b.styleLayers(Map.of("relu1", Double.NaN)));
    }

    @Test
    void initialImageIsValidated() {
        assertMessage("initial image: expected NCHW with 3 channels, got null", () -> Initialization.image(null));
        assertMessage("initial image: expected a batch of 1, got [2, 3, 4, 4]", () -> Initialization.image(Nd4j.zeros(2, 3, 4, 4)));
        assertMessage("initial image: expected NCHW with 3 channels, got [1, 4, 4, 4]", () -> Initialization.image(Nd4j.zeros(1, 4, 4, 4)));
    }

    @Test
    void buildRequiresExtractorContentAndStyle() {
        assertMessage("featureExtractor: expected a feature extractor (e.g. Vgg19.fromKeras(path)), got none",
                () -> StyleTransfer.builder().content(CONTENT).style(STYLE).build());
        assertMessage("content: expected a content image, got none",
                () -> StyleTransfer.builder().featureExtractor(NET).style(STYLE).build());
        assertMessage("style: expected at least one style image, got none",
                () -> StyleTransfer.builder().featureExtractor(NET).content(CONTENT).build());
    }

    @Test
    void zeroSumBlendWeightsAreRejected() {
        assertMessage("style blend weights: expected a positive sum, got [0.0, 0.0]",
                () -> StyleTransfer.builder().featureExtractor(NET).content(CONTENT).style(STYLE, 0)
                        .style(StyleTesting.STYLE2, 0).contentLayers(Map.of("relu2", 1.0)).build());
        // one zero weight among positive ones is fine
        StyleTransfer.builder().featureExtractor(NET).content(CONTENT).style(STYLE, 0).style(StyleTesting.STYLE2, 0.5)
                .contentLayers(Map.of("relu2", 1.0)).styleLayers(Map.of("relu1", 1.0)).build();
    }

    @Test
    void unknownLayerNamesListTheValidOnes() {
        String valid = "valid layers: conv1, relu1, pool1, conv2, relu2, pool2, conv3, relu3";
        assertMessage("unknown layer 'relu9'; " + valid, () -> base().contentLayers(Map.of("relu9", 1.0)).build());
        assertMessage("unknown layer 'relu1_1'; " + valid, () -> base().styleLayers(Map.of("relu1_1", 1.0)).build());
        // neural-style's default layers are VGG names: a network without them must say so at build()
        assertMessage("unknown layer 'relu4_2'; " + valid,
                () -> StyleTransfer.builder().featureExtractor(NET).content(CONTENT).style(STYLE).build());
    }

    @Test
    void combinationsWithoutAnyLossAreRejected() {
        assertMessage("layers: expected at least one content or style layer, got none",
                () -> base().contentLayers(Map.of()).styleLayers(Map.of()).build());
        String prefix = "weights: expected a content or style term with a positive weight (overall and per layer) or a TV weight > 0";
        String all0 = assertThrows(IllegalArgumentException.class,
                () -> base().contentWeight(0).styleWeight(0).tvWeight(0).build()).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(all0.startsWith(prefix) && all0.contains("tvWeight 0.0"), all0);
        // only zero per-layer weights and no TV: the objective would be 0 everywhere
        String zeroLayers = assertThrows(IllegalArgumentException.class, () -> base().contentLayers(Map.of())
                .styleLayers(Map.of("relu1", 0.0)).tvWeight(0).build()).getMessage();
        org.junit.jupiter.api.Assertions.assertTrue(zeroLayers.startsWith(prefix), zeroLayers);
    }

    @Test
    void configurationIsExposedAndLayerNamesAreResolved() {
        Map<String, Double> content = new LinkedHashMap<>();
        content.put("relu2", 1.0);
        content.put(" relu2 ", 2.0); // the same layer, spelled differently: the weights add up
        StyleTransfer st = base().contentLayers(content).iterations(7).size(33).build();
        assertEquals(Map.of("relu2", 3.0), st.contentLayers());
        assertEquals(List.of("relu1", "relu2", "relu3"), List.copyOf(st.styleLayers().keySet()));
        assertEquals(7, st.iterations());
        assertEquals(33, st.size());
        assertEquals(NET, st.featureExtractor());
        Lbfgs lbfgs = assertInstanceOf(Lbfgs.class, st.optimizer());
        assertEquals(100, lbfgs.historySize());
        assertEquals(false, lbfgs.lineSearch());
        AdamOptimizer adam = assertInstanceOf(AdamOptimizer.class, base().adam().build().optimizer());
        assertEquals(StyleTransfer.DEFAULT_ADAM_LEARNING_RATE, adam.learningRate());
    }

    @Test
    void poolingReplacesTheExtractorsPooling() {
        assertEquals(Pooling.AVG, base().pooling(Pooling.AVG).build().featureExtractor().pooling());
        assertEquals(NET, base().pooling(Pooling.MAX).build().featureExtractor(), "same pooling: the extractor is kept");
    }

    @Test
    void imagesAreCopied() {
        INDArray content = StyleTesting.image(5, 12, 12);
        INDArray initial = StyleTesting.image(6, 12, 12);
        StyleTransfer.Builder b = base().content(content).init(Initialization.image(initial));
        StyleTransfer before = b.build();
        INDArray x0 = before.initialPoint();
        content.assign(0);
        initial.assign(0);
        assertEquals(x0, b.build().initialPoint(), "changing the caller's arrays changes nothing");
        assertNotSame(before.initialPoint(), before.initialPoint());
    }
}
