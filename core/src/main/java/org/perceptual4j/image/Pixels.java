package org.perceptual4j.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/** Conversions between {@link BufferedImage} and planar float RGB (CHW, values in [0, 1]). */
final class Pixels {
    private Pixels() {
    }

    /**
     * Converts an image to planar RGB floats ({@code [R plane, G plane, B plane]}, each row-major),
     * compositing alpha over {@code background} (r, g, b in [0, 1]).
     *
     * <p>Palette images go through their colour map. Images with integer components in sRGB or a grey
     * colour space are read from the raster samples at their real bit depth (value / (2^bits - 1)), so
     * 16-bit PNGs keep their precision and grey values are taken as stored (Java's own conversion would
     * treat them as linear grey and brighten them). Everything else (e.g. CMYK or ICC-profiled JPEGs,
     * packed RGB) is converted to 8-bit sRGB by Java's colour management through
     * {@link BufferedImage#getRGB}.
     */
    static float[] toPlanarRgb(BufferedImage img, float[] background) {
        int w = img.getWidth();
        int h = img.getHeight();
        float[] out = new float[3 * w * h];
        ColorModel cm = img.getColorModel();
        Raster raster = img.getRaster();
        if (cm instanceof IndexColorModel icm && raster.getNumBands() == 1) {
            indexed(icm, raster, background, out, w, h);
        } else if (cm instanceof ComponentColorModel && isRawReadable(cm, raster)) {
            components(cm, raster, background, out, w, h);
        } else {
            argb(img, background, out, w, h);
        }
        return out;
    }

    private static boolean isRawReadable(ColorModel cm, Raster raster) {
        int type = raster.getTransferType();
        if (type != DataBuffer.TYPE_BYTE && type != DataBuffer.TYPE_USHORT) {
            return false;
        }
        ColorSpace cs = cm.getColorSpace();
        int colors = cm.getNumColorComponents();
        boolean gray = cs.getType() == ColorSpace.TYPE_GRAY && colors == 1;
        boolean srgb = cs.isCS_sRGB() && colors == 3;
        if (!gray && !srgb) {
            return false;
        }
        if (raster.getNumBands() != cm.getNumComponents()) {
            return false;
        }
        for (int b = 0; b < cm.getNumComponents(); b++) {
            int bits = cm.getComponentSize(b);
            if (bits < 1 || bits > 16) {
                return false;
            }
        }
        return true;
    }

    private static void components(ColorModel cm, Raster raster, float[] bg, float[] out, int w, int h) {
        int bands = raster.getNumBands();
        int colors = cm.getNumColorComponents();
        boolean alpha = cm.hasAlpha();
        boolean premultiplied = cm.isAlphaPremultiplied();
        float[] scale = new float[bands];
        for (int b = 0; b < bands; b++) {
            scale[b] = (float) (1.0 / ((1 << cm.getComponentSize(b)) - 1));
        }
        int plane = w * h;
        int[] row = new int[w * bands];
        for (int y = 0; y < h; y++) {
            raster.getPixels(0, y, w, 1, row);
            for (int x = 0; x < w; x++) {
                int base = x * bands;
                float a = alpha ? row[base + bands - 1] * scale[bands - 1] : 1f;
                int o = y * w + x;
                for (int c = 0; c < 3; c++) {
                    int band = colors == 1 ? 0 : c;
                    float v = row[base + band] * scale[band];
                    out[c * plane + o] = composite(v, a, bg[c], premultiplied);
                }
            }
        }
    }

    private static void indexed(IndexColorModel icm, Raster raster, float[] bg, float[] out, int w, int h) {
        int size = icm.getMapSize();
        float[] lut = new float[3 * size];
        for (int i = 0; i < size; i++) {
            float a = icm.getAlpha(i) / 255f;
            lut[3 * i] = composite(icm.getRed(i) / 255f, a, bg[0], false);
            lut[3 * i + 1] = composite(icm.getGreen(i) / 255f, a, bg[1], false);
            lut[3 * i + 2] = composite(icm.getBlue(i) / 255f, a, bg[2], false);
        }
        int plane = w * h;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            raster.getSamples(0, y, w, 1, 0, row);
            for (int x = 0; x < w; x++) {
                int i = row[x];
                int o = y * w + x;
                if (i >= 0 && i < size) {
                    out[o] = lut[3 * i];
                    out[plane + o] = lut[3 * i + 1];
                    out[2 * plane + o] = lut[3 * i + 2];
                }
                // an index outside the colour map (corrupt file) stays black, as in most viewers
            }
        }
    }

    private static void argb(BufferedImage img, float[] bg, float[] out, int w, int h) {
        int plane = w * h;
        int[] row = new int[w];
        for (int y = 0; y < h; y++) {
            img.getRGB(0, y, w, 1, row, 0, w);
            for (int x = 0; x < w; x++) {
                int p = row[x];
                float a = (p >>> 24) / 255f;
                int o = y * w + x;
                out[o] = composite(((p >> 16) & 0xff) / 255f, a, bg[0], false);
                out[plane + o] = composite(((p >> 8) & 0xff) / 255f, a, bg[1], false);
                out[2 * plane + o] = composite((p & 0xff) / 255f, a, bg[2], false);
            }
        }
    }

    private static float composite(float v, float a, float background, boolean premultiplied) {
        if (a >= 1f) {
            return v;
        }
        return (premultiplied ? v : v * a) + background * (1f - a);
    }

    /** Validates a single NCHW RGB image ({@code [1, 3, H, W]}, H and W > 0) and returns H and W. */
    static int[] requireSingleImage(INDArray image, String what) {
        Checks.requireImage(image, what);
        long[] s = image.shape();
        if (s[0] != 1) {
            throw new IllegalArgumentException(what + ": expected a single image (N = 1), got " + Arrays.toString(s));
        }
        if (s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException(what + ": expected height and width > 0, got " + Arrays.toString(s));
        }
        if (s[2] * s[3] > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException(what + ": expected at most " + Integer.MAX_VALUE / 3
                    + " pixels, got " + Arrays.toString(s));
        }
        return new int[] {(int) s[2], (int) s[3]};
    }

    /** Row-major float copy of an array, as FLOAT. */
    static float[] floats(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        float[] data = c.data().asFloat();
        if (data.length != c.length()) {
            // defensive: a buffer larger than the array (should not happen for a fresh dup)
            data = Arrays.copyOf(data, (int) c.length());
        }
        return data;
    }

    /**
     * Converts a [1, 3, H, W] image to an 8-bit {@link BufferedImage#TYPE_INT_RGB} image: values are
     * clamped to [0, 1] and rounded to the nearest of 0..255. NaN values are rejected.
     */
    static BufferedImage toBufferedImage(INDArray image) {
        int[] hw = requireSingleImage(image, "image");
        int h = hw[0];
        int w = hw[1];
        float[] d = floats(image);
        int plane = w * h;
        int[] rgb = new int[plane];
        for (int i = 0; i < plane; i++) {
            int r = to8Bit(d[i], i, 0, w);
            int g = to8Bit(d[plane + i], i, 1, w);
            int b = to8Bit(d[2 * plane + i], i, 2, w);
            rgb[i] = (r << 16) | (g << 8) | b;
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        out.setRGB(0, 0, w, h, rgb, 0, w);
        return out;
    }

    private static int to8Bit(float v, int i, int channel, int w) {
        if (Float.isNaN(v)) {
            throw new IllegalArgumentException("image: expected numbers, got NaN at [0, " + channel + ", "
                    + i / w + ", " + i % w + "]");
        }
        float c = v <= 0f ? 0f : Math.min(v, 1f);
        return (int) (c * 255f + 0.5f);
    }
}
