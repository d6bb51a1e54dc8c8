package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.optim.StopReason;
import org.perceptual4j.vgg.TinyVgg;

/**
 * End to end on a VGG19-shaped Keras file (all 16 convolutions with their real names, reduced channel
 * widths, random weights): the loss must fall under both optimizers. Random weights: this checks the
 * machinery, not the look of the image.
 */
class StyleTransferEndToEndTest {

    private static StyleTransfer.Builder builder() {
        return StyleTransfer.builder()
                .featureExtractor(TinyVgg.vgg19())
                .content(TinyVgg.golden("content_rgb"))
                .style(TinyVgg.golden("style_rgb"))
                .size(48)
                .iterations(30);
    }

    private static void assertFalls(StyleTransferResult r, double factor) {
        List<LossRecord> h = r.history();
        assertEquals(31, h.size());
        assertEquals(0, h.get(0).iteration());
        double first = h.get(0).total();
        double last = r.last().total();
        assertTrue(Double.isFinite(last) && last < factor * first, "loss should fall below " + factor + " x " + first + ", got " + last);
        INDArray img = r.image();
        assertArrayEquals(new long[] {1, 3, 38, 48}, img.shape());
        assertTrue(img.minNumber().doubleValue() >= 0 && img.maxNumber().doubleValue() <= 1);
        assertEquals(StopReason.MAX_ITERATIONS, r.stopReason());
    }

    @Test
    void lossFallsUnderLbfgs() {
        assertFalls(builder().build().run(), 0.2);
    }

    @Test
    void lossFallsUnderAdam() {
        assertFalls(builder().adam().init(Initialization.content()).build().run(), 0.7);
    }
}
