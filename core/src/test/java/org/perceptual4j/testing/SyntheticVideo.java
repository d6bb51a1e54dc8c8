package org.perceptual4j.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Generated video for the flicker tests: a static scene (colour gradients, a soft blob, a hard-edged
 * rectangle and disc) with independent Gaussian noise per frame, like sensor noise, and optionally a
 * white square moving to the right. Deterministic for a seed.
 */
public final class SyntheticVideo {
    /** The moving square's side, and its top row. */
    public static final int SQUARE = 10;
    public static final int SQUARE_TOP = 12;

    private SyntheticVideo() {
    }

    /** The static scene, RGB [0, 1] in NCHW order ({@code 3 * h * w} values); the shapes scale with the size. */
    public static float[] scene(int h, int w) {
        float[] d = new float[3 * h * w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double u = x / (double) w;
                double v = y / (double) h;
                double blob = Math.exp(-((u - 0.6) * (u - 0.6) + (v - 0.4) * (v - 0.4)) / 0.02);
                double[] rgb = {0.2 + 0.5 * u + 0.2 * blob, 0.3 + 0.4 * v, 0.6 - 0.3 * u * v + 0.1 * blob};
                // on 64 x 64: the rectangle 9..19 x 41..57, the disc of radius 6 around (45, 48)
                if (64 * x > 8 * w && 64 * x < 20 * w && 64 * y > 40 * h && 64 * y < 58 * h) {
                    rgb = new double[] {0.9, 0.8, 0.2};
                }
                double dx = 64.0 * x / w - 45;
                double dy = 64.0 * y / h - 48;
                if (dx * dx + dy * dy < 36) {
                    rgb = new double[] {0.1, 0.2, 0.5};
                }
                for (int c = 0; c < 3; c++) {
                    d[(c * h + y) * w + x] = (float) rgb[c];
                }
            }
        }
        return d;
    }

    /** The noise-free scene as a {@code [1, 3, h, w]} FLOAT image. */
    public static INDArray clean(int h, int w) {
        return Nd4j.create(scene(h, w), new long[] {1, 3, h, w}, DataType.FLOAT);
    }

    /** The left edge of the moving square in frame {@code t} at {@code speed} pixels per frame. */
    public static int squareLeft(int speed, int t) {
        return 4 + speed * t;
    }

    /**
     * {@code count} frames {@code [1, 3, h, w]} of the scene with independent Gaussian noise of standard
     * deviation {@code noise} (not clipped), and a white square moving right at {@code speed} pixels per
     * frame if {@code speed > 0} (left edge {@link #squareLeft}, top {@link #SQUARE_TOP}).
     */
    public static List<INDArray> frames(int h, int w, int count, double noise, int speed, long seed) {
        Random r = new Random(seed);
        float[] clean = scene(h, w);
        List<INDArray> out = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            float[] d = clean.clone();
            if (speed > 0) {
                paintSquare(d, h, w, squareLeft(speed, t), SQUARE_TOP);
            }
            for (int i = 0; i < d.length; i++) {
                d[i] += (float) (r.nextGaussian() * noise);
            }
            out.add(Nd4j.create(d, new long[] {1, 3, h, w}, DataType.FLOAT));
        }
        return out;
    }

    /** A white square of side {@link #SQUARE} with its left edge at x0 and top at y0 (clipped at the right). */
    private static void paintSquare(float[] d, int h, int w, int x0, int y0) {
        for (int c = 0; c < 3; c++) {
            for (int y = y0; y < y0 + SQUARE; y++) {
                for (int x = x0; x < Math.min(w, x0 + SQUARE); x++) {
                    d[(c * h + y) * w + x] = 1f;
                }
            }
        }
    }
}
