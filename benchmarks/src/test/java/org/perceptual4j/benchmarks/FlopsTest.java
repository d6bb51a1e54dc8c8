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

    /** The 16 convolutions of the Johnson transform net, written out by hand for 512². */
    @Test
    void transformNetCountsItsSixteenConvolutions() {
        long s = 512;
        double full = (double) s * s;
        double expected = 2.0 * (
                full * 3 * 32 * 81                   // conv1 9x9
                + full / 4 * 32 * 64 * 9             // conv2 stride 2
                + full / 16 * 64 * 128 * 9           // conv3 stride 2
                + 10 * full / 16 * 128 * 128 * 9     // 5 residual blocks of 2
                + full / 4 * 128 * 64 * 9            // deconv1 at H/2
                + full * 64 * 32 * 9                 // deconv2 at H
                + full * 32 * 3 * 81);               // deconv3 9x9
        assertEquals(expected, Flops.transformNet(512), 1e-9 * expected);
        assertEquals(307_584.0 * s * s, Flops.transformNet(512), 1e-9 * expected);
        assertEquals(4 * Flops.transformNet(512), Flops.transformNet(1024), 1e-9 * Flops.transformNet(1024));
    }

    @Test
    void transformNetCountsThePaddedSize() {
        // the network extends the image by reflection to the next multiple of 4, at least 8
        assertEquals(Flops.transformNet(512), Flops.transformNet(510));
        assertEquals(Flops.transformNet(8), Flops.transformNet(1));
    }
}
