package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Images, the tiny network and a ready builder shared by the style-transfer tests. */
public final class StyleTesting {
    /** Caffe convention like the VGG weights, so neural-style's Adam learning rate 10 fits. */
    static final TinyConvExtractor NET = new TinyConvExtractor(7);
    /** Landscape 30 x 40: at size 24 the output is 18 x 24. */
    static final INDArray CONTENT = image(1, 30, 40);
    static final INDArray STYLE = image(2, 32, 32);
    static final INDArray STYLE2 = stripes(20, 28);
    static final String[] TERMS = {"content:relu2", "style:relu1", "style:relu2", "style:relu3", "tv"};

    private StyleTesting() {
    }

    /** The style layers relu1, relu2, relu3 (weight 1 each) in this order. */
    static Map<String, Double> styleLayers() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("relu1", 1.0);
        m.put("relu2", 1.0);
        m.put("relu3", 1.0);
        return m;
    }

    /**
     * Content relu2, style relu1..relu3, style weight 1000 (so that on this network the style terms
     * outweigh the content term, as with VGG and neural-style's weights), size 24, 20 iterations,
     * otherwise StyleTransfer's defaults (noise init, L-BFGS).
     */
    static StyleTransfer.Builder base() {
        return StyleTransfer.builder().featureExtractor(NET).content(CONTENT).style(STYLE)
                .contentLayers(Map.of("relu2", 1.0)).styleLayers(styleLayers()).styleWeight(1000).size(24).iterations(20);
    }

    /** A smooth random RGB image in [0, 1]: a few sinusoids per channel plus a little noise. */
    public static INDArray image(long seed, int h, int w) {
        Random r = new Random(seed);
        float[] v = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            double fy = 1 + 3 * r.nextDouble();
            double fx = 1 + 3 * r.nextDouble();
            double phase = 2 * Math.PI * r.nextDouble();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    double s = Math.sin(fy * Math.PI * y / h + phase) * Math.cos(fx * Math.PI * x / w);
                    double value = 0.5 + 0.35 * s + 0.02 * (r.nextDouble() - 0.5);
                    v[(c * h + y) * w + x] = (float) value;
                }
            }
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c');
    }

    /** Diagonal coloured stripes, a second, very different style. */
    public static INDArray stripes(int h, int w) {
        float[] v = new float[3 * h * w];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    v[(c * h + y) * w + x] = ((x + y + 2 * c) / 3) % 2 == 0 ? 0.9f : 0.1f;
                }
            }
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c');
    }

    /** Asserts an RGB [1, 3, h, w] image with finite values in [0, 1]. */
    static void assertRgbImage(INDArray image, long h, long w) {
        assertArrayEquals(new long[] {1, 3, h, w}, image.shape(), "shape");
        double[] v = image.dup().data().asDouble();
        for (double d : v) {
            assertTrue(Double.isFinite(d) && d >= 0 && d <= 1, "value " + d + " in " + Arrays.toString(image.shape()));
        }
    }
}
