package org.perceptual4j.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class FlopsTest {
    /** The 13 convolutions up to conv5_1, written out by hand for 224². */
    @Test
    void featuresCountEveryConvolutionToConv51() {
        int s = 224;
        double expected = 2.0 * 9 * (
                s * s * (3 * 64 + 64 * 64)
                + (s / 2) * (s / 2) * (64 * 128 + 128 * 128)
                + (s / 4) * (s / 4) * (128 * 256 + 3 * 256 * 256)
                + (s / 8) * (s / 8) * (256 * 512 + 3 * 512 * 512)
                + (s / 16) * (s / 16) * (512 * 512));
        assertEquals(expected, Flops.vgg19Features(s), 1e-6 * expected);
    }

    @Test
    void aStyleStepIsForwardPlusInputGradientPlusFiveGramsBothWays() {
        int s = 256;
        double grams = 0;
        int[][] taps = {{64, 1}, {128, 2}, {256, 4}, {512, 8}, {512, 16}};
        for (int[] t : taps) {
            long hw = (long) (s / t[1]) * (s / t[1]);
            grams += 2 * (2.0 * t[0] * t[0] * hw);
        }
        assertEquals(2 * Flops.vgg19Features(s) + grams, Flops.styleStep(s), 1);
    }

    @Test
    void scalingIsLinearInThePixelCount() {
        assertEquals(16 * Flops.styleStep(256), Flops.styleStep(1024), 1e-9 * Flops.styleStep(1024));
    }

    @Test
    void gramAndFmaCounts() {
        assertEquals(2.0 * 64 * 64 * 512 * 512, Flops.gram(64, 512 * 512));
        assertEquals(2.0 * 16 * Flops.FMA_CHAINS * Flops.FMA_ITERATIONS, Flops.fmaPerCall(512));
        assertEquals(Flops.fmaPerCall(512) / 2, Flops.fmaPerCall(256));
    }
}
