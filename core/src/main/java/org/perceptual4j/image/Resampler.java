package org.perceptual4j.image;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Checks;

/**
 * Separable Lanczos-3 resampling of NCHW float arrays, antialiased like PIL's {@code Image.resize(...,
 * LANCZOS)}: when downscaling by a factor s the kernel is stretched by s (support 3 s input pixels),
 * which low-pass filters the image instead of aliasing; the weights of every output pixel are
 * normalised to sum to 1. Pixels outside the image are taken from the nearest edge (clamping), where
 * PIL instead drops those taps.
 *
 * <p>Written by hand because it must work on the float data directly: the maintained Java imaging
 * libraries (java.awt / Graphics2D, imgscalr, Thumbnailator, TwelveMonkeys' ResampleOp) resample
 * {@code BufferedImage}s, which would force an 8-bit round trip (losing 16-bit input precision and the
 * optimiser's float output between pyramid levels) and only handle image-like channel counts, while
 * this works for any N and C (e.g. feature maps or masks). ND4J's {@code image_resize} op (TensorFlow
 * semantics, NHWC) does run on floats, but it would need a permute to NHWC and back, and its filters,
 * edge handling and antialiasing live in the backend's native code (CPU and CUDA builds differ); this
 * small Java version is deterministic across backends and its behaviour is pinned down by tests.
 */
final class Resampler {
    private static final double LOBES = 3.0;

    private Resampler() {
    }

    static INDArray resize(INDArray image, int height, int width) {
        Checks.requireNchw(image, "image");
        Checks.requirePositive(height, "height");
        Checks.requirePositive(width, "width");
        long[] s = image.shape();
        if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1) {
            throw new IllegalArgumentException("image: expected all dimensions > 0, got " + Arrays.toString(s));
        }
        long planes = s[0] * s[1];
        int inH = (int) Math.min(s[2], Integer.MAX_VALUE);
        int inW = (int) Math.min(s[3], Integer.MAX_VALUE);
        long largest = Math.max(planes * s[2] * s[3], planes * s[2] * Math.max(inW, width));
        largest = Math.max(largest, planes * height * (long) width);
        if (largest > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("image: expected at most " + (Integer.MAX_VALUE - 8)
                    + " elements before, during and after resizing, got " + Arrays.toString(s) + " to "
                    + height + " x " + width);
        }
        float[] data = Pixels.floats(image);
        int p = (int) planes;
        if (width != inW) {
            data = horizontal(data, p, inH, inW, width);
        }
        if (height != inH) {
            data = vertical(data, p, inH, height, width);
        }
        return Nd4j.create(data, new long[] {s[0], s[1], height, width}, DataType.FLOAT);
    }

    /** Taps of one axis: output i reads {@code index[i * taps + k]} with weight {@code weight[i * taps + k]}. */
    record Taps(int taps, int[] index, float[] weight) {
    }

    static Taps taps(int in, int out) {
        double scale = (double) in / out;
        double filterScale = Math.max(scale, 1.0);
        double support = LOBES * filterScale;
        int taps = 2 * (int) Math.ceil(support) + 2;
        int[] index = new int[out * taps];
        float[] weight = new float[out * taps];
        double[] w = new double[taps];
        for (int i = 0; i < out; i++) {
            double center = (i + 0.5) * scale;
            int first = (int) Math.floor(center - support);
            double sum = 0;
            for (int k = 0; k < taps; k++) {
                w[k] = lanczos3((first + k + 0.5 - center) / filterScale);
                sum += w[k];
            }
            for (int k = 0; k < taps; k++) {
                int x = Math.min(Math.max(first + k, 0), in - 1);
                index[i * taps + k] = x;
                weight[i * taps + k] = (float) (w[k] / sum);
            }
        }
        return new Taps(taps, index, weight);
    }

    static double lanczos3(double x) {
        double a = Math.abs(x);
        if (a < 1e-9) {
            return 1.0;
        }
        if (a >= LOBES) {
            return 0.0;
        }
        double px = Math.PI * a;
        return LOBES * Math.sin(px) * Math.sin(px / LOBES) / (px * px);
    }

    private static float[] horizontal(float[] src, int planes, int h, int inW, int outW) {
        Taps t = taps(inW, outW);
        int taps = t.taps();
        int[] index = t.index();
        float[] weight = t.weight();
        float[] out = new float[planes * h * outW];
        for (int row = 0; row < planes * h; row++) {
            int in = row * inW;
            int o = row * outW;
            for (int x = 0; x < outW; x++) {
                float acc = 0f;
                int base = x * taps;
                for (int k = 0; k < taps; k++) {
                    acc += weight[base + k] * src[in + index[base + k]];
                }
                out[o + x] = acc;
            }
        }
        return out;
    }

    private static float[] vertical(float[] src, int planes, int inH, int outH, int w) {
        Taps t = taps(inH, outH);
        int taps = t.taps();
        int[] index = t.index();
        float[] weight = t.weight();
        float[] out = new float[planes * outH * w];
        for (int p = 0; p < planes; p++) {
            int in = p * inH * w;
            for (int y = 0; y < outH; y++) {
                int o = (p * outH + y) * w;
                int base = y * taps;
                for (int k = 0; k < taps; k++) {
                    float wk = weight[base + k];
                    if (wk == 0f) {
                        continue;
                    }
                    int r = in + index[base + k] * w;
                    for (int x = 0; x < w; x++) {
                        out[o + x] += wk * src[r + x];
                    }
                }
            }
        }
        return out;
    }
}
