package org.perceptual4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageConventionTest {

    private static INDArray pixel(float r, float g, float b) {
        return Nd4j.create(new float[] {r, g, b}, new long[] {1, 3, 1, 1}, DataType.FLOAT);
    }

    @Test
    void caffeIsBgrTimes255MinusMean() {
        INDArray net = ImageConvention.CAFFE.toNetwork(pixel(1f, 0.5f, 0f));
        assertArrayEquals(new float[] {(float) (0 - 103.939), (float) (127.5 - 116.779), (float) (255 - 123.68)},
                net.data().asFloat(), 1e-3f);
    }

    @Test
    void imagenetIsMeanStd() {
        INDArray net = ImageConvention.IMAGENET.toNetwork(pixel(1f, 0.5f, 0f));
        assertArrayEquals(new float[] {(float) ((1 - 0.485) / 0.229), (float) ((0.5 - 0.456) / 0.224), (float) ((0 - 0.406) / 0.225)},
                net.data().asFloat(), 1e-5f);
    }

    @Test
    void roundTripsAndDoesNotModifyInput() {
        INDArray rgb = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 7);
        INDArray copy = rgb.dup();
        for (ImageConvention c : ImageConvention.values()) {
            INDArray back = c.fromNetwork(c.toNetwork(rgb));
            assertTrue(back.equalsWithEps(rgb, 1e-4), c + " round trip");
            assertEquals(copy, rgb, c + " must not modify its input");
        }
    }

    @Test
    void graphVersionMatchesEagerVersion() {
        INDArray rgb = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 6);
        for (ImageConvention c : ImageConvention.values()) {
            SameDiff sd = SameDiff.create();
            INDArray viaGraph = c.toNetwork(sd, sd.constant(rgb)).eval();
            assertTrue(viaGraph.equalsWithEps(c.toNetwork(rgb), 1e-4), c.name());
        }
    }

    @Test
    void rejectsWrongChannelCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageConvention.CAFFE.toNetwork(Nd4j.zeros(DataType.FLOAT, 1, 4, 300, 200)));
        assertEquals("image: expected NCHW with 3 channels, got [1, 4, 300, 200]", e.getMessage());
    }
}
