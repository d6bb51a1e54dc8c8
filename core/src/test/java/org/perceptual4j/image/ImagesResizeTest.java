package org.perceptual4j.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.FloatRange;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class ImagesResizeTest {

    /** [1, 1, h, w] with value (x + 0.5) / w at column x: linear in the pixel-centre coordinate. */
    private static INDArray horizontalRamp(int h, int w) {
        float[] d = new float[h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                d[y * w + x] = (x + 0.5f) / w;
            }
        }
        return Nd4j.create(d, new long[] {1, 1, h, w}, DataType.FLOAT);
    }

    @Property(tries = 300)
    void constantImageStaysConstant(@ForAll @IntRange(min = 1, max = 40) int inH, @ForAll @IntRange(min = 1, max = 40) int inW,
            @ForAll @IntRange(min = 1, max = 40) int outH, @ForAll @IntRange(min = 1, max = 40) int outW,
            @ForAll @IntRange(min = 1, max = 4) int channels, @ForAll @FloatRange(min = 0, max = 1) float value) {
        INDArray img = Nd4j.valueArrayOf(new long[] {1, channels, inH, inW}, value, DataType.FLOAT);
        INDArray out = Images.resize(img, outH, outW);
        assertArrayEquals(new long[] {1, channels, outH, outW}, out.shape());
        assertTrue(out.sub(value).amaxNumber().doubleValue() <= 1e-5,
                "max deviation " + out.sub(value).amaxNumber());
    }

    @Test
    void downscaleByTwoKeepsALinearRamp() {
        INDArray out = Images.resize(horizontalRamp(4, 64), 4, 32);
        for (int x = 0; x < 32; x++) {
            double expected = (x + 0.5) / 32;
            double actual = out.getDouble(0, 0, 2, x);
            // inside the image the symmetric, normalised kernel reproduces a linear function exactly;
            // the 3 output pixels at each edge see clamped (flattened) input
            double tol = x >= 3 && x < 29 ? 1e-5 : 0.03;
            assertEquals(expected, actual, tol, "column " + x);
        }
        // rows are unchanged (height kept)
        assertEquals(out.getDouble(0, 0, 0, 10), out.getDouble(0, 0, 3, 10), 0);
    }

    @Test
    void upscaleByTwoKeepsALinearRamp() {
        INDArray out = Images.resize(horizontalRamp(2, 16), 2, 32);
        // at the quarter-pixel phases of a 2x upscale the taps are not symmetric, and a windowed sinc
        // reproduces a linear function only approximately (about 0.1% of the range here)
        for (int x = 6; x < 26; x++) {
            assertEquals((x + 0.5) / 32, out.getDouble(0, 0, 1, x), 2e-3, "column " + x);
        }
        for (int x = 0; x < 31; x++) {
            assertTrue(out.getDouble(0, 0, 0, x + 1) > out.getDouble(0, 0, 0, x), "monotonic at " + x);
        }
    }

    @Test
    void downscalingIsAntialiased() {
        // a one-pixel checkerboard has no content at the new resolution: it must average out, not alias
        float[] d = new float[64 * 64];
        for (int i = 0; i < d.length; i++) {
            d[i] = ((i / 64) + (i % 64)) % 2;
        }
        INDArray out = Images.resize(Nd4j.create(d, new long[] {1, 1, 64, 64}, DataType.FLOAT), 16, 16);
        INDArray interior = out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 14), NDArrayIndex.interval(2, 14));
        assertTrue(interior.sub(0.5).amaxNumber().doubleValue() < 1e-3, "max deviation " + interior.sub(0.5).amaxNumber());
        assertTrue(out.sub(0.5).amaxNumber().doubleValue() < 0.1, "max deviation " + out.sub(0.5).amaxNumber());
    }

    @Test
    void identitySizeReturnsEqualValuesInANewArray() {
        Nd4j.getRandom().setSeed(1);
        INDArray img = Nd4j.rand(DataType.FLOAT, 2, 3, 7, 9);
        INDArray out = Images.resize(img, 7, 9);
        assertNotSame(img, out);
        assertEquals(img, out);
        out.addi(1);
        assertTrue(img.maxNumber().doubleValue() < 1, "input untouched");
    }

    @Test
    void everyBatchItemAndChannelIsResizedIndependently() {
        Nd4j.getRandom().setSeed(2);
        INDArray img = Nd4j.rand(DataType.FLOAT, 2, 5, 10, 12);
        INDArray out = Images.resize(img, 7, 5);
        assertArrayEquals(new long[] {2, 5, 7, 5}, out.shape());
        INDArray plane = img.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(3, 4), NDArrayIndex.all(), NDArrayIndex.all());
        INDArray alone = Images.resize(plane, 7, 5);
        INDArray fromBatch = out.get(NDArrayIndex.interval(1, 2), NDArrayIndex.interval(3, 4), NDArrayIndex.all(), NDArrayIndex.all());
        assertEquals(alone, fromBatch.dup());
    }

    @Test
    void otherDataTypesGiveFloat() {
        INDArray img = Nd4j.valueArrayOf(new long[] {1, 3, 4, 4}, 0.25, DataType.DOUBLE);
        INDArray out = Images.resize(img, 2, 2);
        assertEquals(DataType.FLOAT, out.dataType());
        assertEquals(0.25, out.getDouble(0, 1, 1, 1), 1e-6);
    }

    @Test
    void resizeToLongestSideKeepsAspect() {
        assertArrayEquals(new long[] {1, 3, 150, 100}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 3, 300, 200), 150).shape());
        assertArrayEquals(new long[] {1, 3, 100, 150}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 3, 200, 300), 150).shape());
        assertArrayEquals(new long[] {1, 3, 64, 64}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 3, 10, 10), 64).shape());
        // 333 * 100 / 1000 = 33.3 -> 33; 335 -> 33.5 -> 34 (rounded)
        assertArrayEquals(new long[] {1, 3, 33, 100}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 3, 333, 1000), 100).shape());
        assertArrayEquals(new long[] {1, 3, 34, 100}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 3, 335, 1000), 100).shape());
        // the short side never drops to 0
        assertArrayEquals(new long[] {1, 1, 10, 1}, Images.resizeToLongestSide(Nd4j.zeros(DataType.FLOAT, 1, 1, 1000, 3), 10).shape());
    }

    @Test
    void badArguments() {
        INDArray img = Nd4j.zeros(DataType.FLOAT, 1, 3, 4, 4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Images.resize(img, 0, 4));
        assertEquals("height: expected a value > 0, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.resize(img, 4, -2));
        assertEquals("width: expected a value > 0, got -2", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.resize(Nd4j.zeros(DataType.FLOAT, 3, 4, 4), 2, 2));
        assertEquals("image: expected NCHW (rank 4), got [3, 4, 4]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.resize(null, 2, 2));
        assertEquals("image: expected an NCHW array, got null", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.resizeToLongestSide(img, 0));
        assertEquals("longestSide: expected a value > 0, got 0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Images.resize(Nd4j.zeros(DataType.FLOAT, 1, 3, 0, 4), 2, 2));
        assertEquals("image: expected all dimensions > 0, got [1, 3, 0, 4]", e.getMessage());
    }

    @Test
    void lanczosKernel() {
        assertEquals(1.0, Resampler.lanczos3(0), 0);
        assertEquals(0.0, Resampler.lanczos3(1), 1e-12);
        assertEquals(0.0, Resampler.lanczos3(-2), 1e-12);
        assertEquals(0.0, Resampler.lanczos3(3), 0);
        assertEquals(Resampler.lanczos3(0.7), Resampler.lanczos3(-0.7), 0);
        // weights of every output pixel sum to 1
        Resampler.Taps t = Resampler.taps(100, 7);
        for (int i = 0; i < 7; i++) {
            double sum = 0;
            for (int k = 0; k < t.taps(); k++) {
                sum += t.weight()[i * t.taps() + k];
                assertTrue(t.index()[i * t.taps() + k] >= 0 && t.index()[i * t.taps() + k] < 100);
            }
            assertEquals(1.0, sum, 1e-6);
        }
    }
}
