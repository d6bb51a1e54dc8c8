package org.perceptual4j.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ImageConventionTest {
    private static final List<ImageConvention> ALL = List.of(ImageConvention.CAFFE, ImageConvention.IMAGENET,
            ImageConvention.MATCONVNET, ImageConvention.matConvNet(120.5, 115, 101.25));

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
        for (ImageConvention c : ALL) {
            INDArray back = c.fromNetwork(c.toNetwork(rgb));
            assertTrue(back.equalsWithEps(rgb, 1e-4), c + " round trip");
            assertEquals(copy, rgb, c + " must not modify its input");
        }
    }

    @Test
    void graphVersionMatchesEagerVersion() {
        INDArray rgb = Nd4j.rand(DataType.FLOAT, 1, 3, 4, 6);
        for (ImageConvention c : ALL) {
            SameDiff sd = SameDiff.create();
            INDArray viaGraph = c.toNetwork(sd, sd.constant(rgb)).eval();
            assertTrue(viaGraph.equalsWithEps(c.toNetwork(rgb), 1e-4), c.toString());
        }
    }

    @Test
    void matConvNetIsRgbTimes255MinusTheRgbMean() {
        INDArray net = ImageConvention.MATCONVNET.toNetwork(pixel(1f, 0.5f, 0f));
        assertArrayEquals(new float[] {(float) (255 - 123.68), (float) (127.5 - 116.779), (float) (0 - 103.939)},
                net.data().asFloat(), 1e-3f);
        // the same pixel gives the same network values as Caffe, in the opposite channel order
        INDArray caffe = ImageConvention.CAFFE.toNetwork(pixel(1f, 0.5f, 0f));
        assertArrayEquals(new float[] {caffe.getFloat(2), caffe.getFloat(1), caffe.getFloat(0)}, net.data().asFloat(), 1e-4f);
    }

    @Test
    void matConvNetWithAFileMean() {
        ImageConvention c = ImageConvention.matConvNet(120.5, 115, 101.25);
        assertArrayEquals(new float[] {(float) (255 - 120.5), (float) (127.5 - 115), (float) (0 - 101.25)},
                c.toNetwork(pixel(1f, 0.5f, 0f)).data().asFloat(), 1e-3f);
        assertEquals("MATCONVNET(mean 120.5, 115.0, 101.25)", c.toString());
        assertEquals(c, ImageConvention.matConvNet(120.5, 115, 101.25));
        assertEquals(c.hashCode(), ImageConvention.matConvNet(120.5, 115, 101.25).hashCode());
        assertNotEquals(ImageConvention.MATCONVNET, c);
        assertSame(ImageConvention.MATCONVNET, ImageConvention.matConvNet(123.68, 116.779, 103.939));
        assertEquals("MATCONVNET", ImageConvention.MATCONVNET.toString());
        assertEquals("CAFFE", ImageConvention.CAFFE.toString());
        assertNotEquals(ImageConvention.CAFFE, ImageConvention.MATCONVNET);
    }

    @Test
    void matConvNetRejectsAMeanOutside0To255() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageConvention.matConvNet(120, Double.NaN, 100));
        assertEquals("mean green: expected a value in [0, 255], got NaN", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ImageConvention.matConvNet(300, 110, 100));
    }

    @Test
    void rejectsWrongChannelCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageConvention.CAFFE.toNetwork(Nd4j.zeros(DataType.FLOAT, 1, 4, 300, 200)));
        assertEquals("image: expected NCHW with 3 channels, got [1, 4, 300, 200]", e.getMessage());
    }
}
