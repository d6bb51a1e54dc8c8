package org.perceptual4j.video;

import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.perceptual4j.core.internal.Checks;

/**
 * Reduces the frame-to-frame flicker of a per-frame stylizer (a feed-forward style transfer network)
 * on video, without optical flow and without ghosting moving content.
 *
 * <p>Why it flickers: the network amplifies small input changes (sensor noise, compression artefacts)
 * into large output changes, so a static scene "boils". Ruder et al. (<i>Artistic style transfer for
 * videos</i>, 2016) warp the previous output along optical flow and penalise deviations; Gupta et al.
 * (<i>Characterizing and Improving Stability in Neural Style Transfer</i>, 2017) and Huang et al.
 * (<i>Real-Time Neural Style Transfer for Videos</i>, 2017) train the network with a temporal (or
 * noise-stability) loss. Flow estimation and retraining are outside this class, which treats the
 * stylizer as a black box and applies motion-adaptive recursive filtering, the classic flow-free
 * video denoiser, around it:
 *
 * <ol>
 *   <li><b>Change detection.</b> For every pixel, {@code d} is the mean over RGB and a 3 x 3
 *       neighbourhood of {@code |x_t - x̃_{t-1}|}, the difference between the new input frame and the
 *       previous (denoised) input. A pixel is static (weight {@code s = 1}) if {@code d <= τ}, the
 *       {@linkplain Builder#noiseThreshold(double) noise threshold}; moving ({@code s = 0}) if
 *       {@code d >= 2τ}; linear in between. The moving region is then grown by the
 *       {@linkplain Builder#motionRadius(int) motion radius} (the static weight is replaced by its
 *       minimum over a square of side {@code 2r + 1}), because the network's output near a change
 *       depends on the changed pixels too.</li>
 *   <li><b>Input denoising.</b> {@code x̃_t = x_t + s·a·(x̃_{t-1} - x_t)}, with {@code a} the
 *       {@linkplain Builder#inputSmoothing(double) input smoothing}: an exponential moving average of the
 *       input where the scene is static (noise standard deviation times {@code sqrt((1-a)/(1+a))}), the
 *       new frame itself where it moved.</li>
 *   <li><b>Stylization</b> of {@code x̃_t}: {@code y_t = stylizer(x̃_t)}.</li>
 *   <li><b>Output blending.</b> {@code ỹ_t = y_t + s·b·(ỹ_{t-1} - y_t)}, with {@code b} the
 *       {@linkplain Builder#outputSmoothing(double) output smoothing}, for the flicker left after
 *       denoising.</li>
 * </ol>
 *
 * Where the input moved ({@code s = 0}, including the margin), the output is exactly the stylization of
 * the new frame: a moved object leaves no trail. A slow change (fading light) stays below the threshold
 * from one frame to the next and is followed with a lag of about {@code a/(1-a)} frames; a scene cut
 * resets everything. Changes smaller than the threshold (low-contrast textures moving slowly) are
 * smoothed too: raise the threshold for noisier input, lower it if such motion smears.
 *
 * <p>Measure the effect with {@link #flicker(Iterable)} on a static scene. Immutable and thread-safe;
 * {@link #wrap(UnaryOperator)} returns the stateful per-sequence operator.
 */
public final class FrameStabilizer {
    /** Default {@linkplain Builder#noiseThreshold(double) noise threshold}: 0.02, about 5 levels of 255. */
    public static final double DEFAULT_NOISE_THRESHOLD = 0.02;
    /** Default {@linkplain Builder#inputSmoothing(double) input smoothing}. */
    public static final double DEFAULT_INPUT_SMOOTHING = 0.8;
    /** Default {@linkplain Builder#outputSmoothing(double) output smoothing}. */
    public static final double DEFAULT_OUTPUT_SMOOTHING = 0.5;
    /** Default {@linkplain Builder#motionRadius(int) motion radius} in pixels. */
    public static final int DEFAULT_MOTION_RADIUS = 4;
    /** Largest motion radius. */
    public static final int MAX_MOTION_RADIUS = 64;

    private final float noiseThreshold;
    private final float inputSmoothing;
    private final float outputSmoothing;
    private final int motionRadius;

    private FrameStabilizer(Builder b) {
        this.noiseThreshold = (float) b.noiseThreshold;
        this.inputSmoothing = (float) b.inputSmoothing;
        this.outputSmoothing = (float) b.outputSmoothing;
        this.motionRadius = b.motionRadius;
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A stabilizer with the default settings. */
    public static FrameStabilizer defaults() {
        return builder().build();
    }

    /** τ, see {@link Builder#noiseThreshold(double)}. */
    public double noiseThreshold() {
        return noiseThreshold;
    }

    /** a, see {@link Builder#inputSmoothing(double)}. */
    public double inputSmoothing() {
        return inputSmoothing;
    }

    /** b, see {@link Builder#outputSmoothing(double)}. */
    public double outputSmoothing() {
        return outputSmoothing;
    }

    /** r, see {@link Builder#motionRadius(int)}. */
    public int motionRadius() {
        return motionRadius;
    }

    @Override
    public String toString() {
        return "FrameStabilizer[noiseThreshold=" + noiseThreshold + ", inputSmoothing=" + inputSmoothing
                + ", outputSmoothing=" + outputSmoothing + ", motionRadius=" + motionRadius + "]";
    }

    /**
     * A stabilized version of {@code stylizer} for one frame sequence: call it on the frames in display
     * order. It keeps the previous (denoised) input and output, so it is stateful and not thread-safe;
     * use a new one for every sequence. The first frame is stylized as it is.
     *
     * <p>Frames are RGB {@code [1, 3, H, W]}, all of the same size; the stylizer must return
     * {@code [1, 3, H, W]} of the same size. The result is a new {@code FLOAT} array.
     *
     * @throws IllegalArgumentException (from the returned operator) on a frame or stylizer output of the
     *     wrong shape
     */
    public UnaryOperator<INDArray> wrap(UnaryOperator<INDArray> stylizer) {
        Checks.requireNonNull(stylizer, "stylizer");
        return new Session(stylizer);
    }

    /**
     * Flicker: the mean absolute difference between consecutive frames, averaged over all consecutive
     * pairs (values in the frames' units; for RGB [0, 1], 1/255 is one 8-bit level). On a static scene it
     * measures only the frame-to-frame instability.
     *
     * @throws IllegalArgumentException with fewer than 2 frames or frames of different shapes
     */
    public static double flicker(Iterable<INDArray> frames) {
        Checks.requireNonNull(frames, "frames");
        INDArray previous = null;
        double sum = 0;
        int pairs = 0;
        for (INDArray f : frames) {
            Checks.requireNonNull(f, "frame");
            if (previous != null) {
                if (!Arrays.equals(previous.shape(), f.shape())) {
                    throw new IllegalArgumentException("frames: expected equal shapes, got " + Arrays.toString(previous.shape())
                            + " and " + Arrays.toString(f.shape()) + " at frame " + (pairs + 1));
                }
                sum += Transforms.abs(f.castTo(DataType.DOUBLE).sub(previous.castTo(DataType.DOUBLE)), false)
                        .meanNumber().doubleValue();
                pairs++;
            }
            previous = f;
        }
        if (pairs == 0) {
            throw new IllegalArgumentException("frames: expected at least 2 frames, got " + (previous == null ? 0 : 1));
        }
        return sum / pairs;
    }

    /** The state of one stabilized sequence. */
    private final class Session implements UnaryOperator<INDArray> {
        private final UnaryOperator<INDArray> stylizer;
        private long[] shape;
        private float[] input;
        private float[] output;
        private int frame;

        Session(UnaryOperator<INDArray> stylizer) {
            this.stylizer = stylizer;
        }

        @Override
        public INDArray apply(INDArray x) {
            Checks.requireImage(x, "frame " + frame);
            if (x.size(0) != 1) {
                throw new IllegalArgumentException("frame " + frame + ": expected a single image (N = 1), got "
                        + Arrays.toString(x.shape()));
            }
            if (shape != null && !Arrays.equals(shape, x.shape())) {
                throw new IllegalArgumentException("frame " + frame + ": expected the shape of the previous frames "
                        + Arrays.toString(shape) + ", got " + Arrays.toString(x.shape()));
            }
            float[] current = floats(x);
            float[] denoised = current;
            float[] weights = null;
            if (input != null) {
                int h = (int) shape[2];
                int w = (int) shape[3];
                weights = staticWeights(current, input, h, w);
                denoised = blend(current, input, weights, inputSmoothing);
            }
            shape = x.shape();
            input = denoised;
            INDArray stylized = stylizer.apply(weights == null ? x : Nd4j.create(denoised, shape, DataType.FLOAT));
            if (stylized == null || !Arrays.equals(stylized.shape(), shape)) {
                throw new IllegalArgumentException("stylizer: expected an output of the frame's shape " + Arrays.toString(shape)
                        + ", got " + (stylized == null ? "null" : Arrays.toString(stylized.shape())) + " for frame " + frame);
            }
            float[] y = floats(stylized);
            if (weights != null) {
                y = blend(y, output, weights, outputSmoothing);
            }
            output = y;
            frame++;
            return Nd4j.create(y.clone(), shape, DataType.FLOAT);
        }

        /**
         * Per-pixel static weight in [0, 1]: 1 where the mean absolute change over RGB and a 3 x 3
         * neighbourhood is at most τ, 0 from 2τ, then eroded by the motion radius.
         */
        private float[] staticWeights(float[] current, float[] previous, int h, int w) {
            int plane = h * w;
            float[] d = new float[plane];
            for (int c = 0; c < 3; c++) {
                int o = c * plane;
                for (int p = 0; p < plane; p++) {
                    d[p] += Math.abs(current[o + p] - previous[o + p]) / 3f;
                }
            }
            d = boxMean3(d, h, w);
            float[] s = new float[plane];
            float t = noiseThreshold;
            for (int p = 0; p < plane; p++) {
                s[p] = Math.max(0f, Math.min(1f, (2 * t - d[p]) / t));
            }
            return motionRadius == 0 ? s : minFilter(s, h, w, motionRadius);
        }
    }

    /** {@code base + weight·strength·(history - base)}, the weights per pixel of every channel. */
    private static float[] blend(float[] base, float[] history, float[] weights, float strength) {
        int plane = weights.length;
        float[] out = new float[base.length];
        for (int i = 0; i < base.length; i++) {
            float k = weights[i % plane] * strength;
            out[i] = base[i] + k * (history[i] - base[i]);
        }
        return out;
    }

    /** Mean over the 3 x 3 neighbourhood (the part inside the image at the borders). */
    static float[] boxMean3(float[] v, int h, int w) {
        return separable(separable(v, h, w, 1, false, false), h, w, 1, false, true);
    }

    /** Minimum over the square of side {@code 2r + 1} around each pixel (the part inside the image). */
    static float[] minFilter(float[] v, int h, int w, int r) {
        return separable(separable(v, h, w, r, true, false), h, w, r, true, true);
    }

    /** One pass of a mean or minimum filter over {@code [i - r, i + r]} along rows or columns, clipped. */
    private static float[] separable(float[] v, int h, int w, int r, boolean min, boolean columns) {
        float[] out = new float[v.length];
        int n = columns ? h : w;
        int step = columns ? w : 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int i = columns ? y : x;
                int base = y * w + x - i * step;
                int from = Math.max(0, i - r);
                int to = Math.min(n - 1, i + r);
                float acc = min ? Float.MAX_VALUE : 0f;
                for (int j = from; j <= to; j++) {
                    float value = v[base + j * step];
                    acc = min ? Math.min(acc, value) : acc + value;
                }
                out[y * w + x] = min ? acc : acc / (to - from + 1);
            }
        }
        return out;
    }

    private static float[] floats(INDArray a) {
        INDArray c = a.castTo(DataType.FLOAT).dup('c');
        return Arrays.copyOf(c.data().asFloat(), (int) c.length());
    }

    /** Builder for {@link FrameStabilizer}; each setter validates its argument immediately. */
    public static final class Builder {
        private double noiseThreshold = DEFAULT_NOISE_THRESHOLD;
        private double inputSmoothing = DEFAULT_INPUT_SMOOTHING;
        private double outputSmoothing = DEFAULT_OUTPUT_SMOOTHING;
        private int motionRadius = DEFAULT_MOTION_RADIUS;

        private Builder() {
        }

        /**
         * τ, the largest per-pixel input change (mean absolute difference over RGB and a 3 x 3
         * neighbourhood, image values in [0, 1]) still taken for noise; changes of 2τ and more count as
         * motion (default 0.02). Set it to about twice the input's noise level: Gaussian noise of standard
         * deviation σ per frame gives a mean absolute change of about 0.85σ.
         */
        public Builder noiseThreshold(double threshold) {
            if (!(threshold > 0 && threshold <= 1)) {
                throw new IllegalArgumentException("noiseThreshold: expected a value in (0, 1], got " + threshold);
            }
            this.noiseThreshold = threshold;
            return this;
        }

        /**
         * a in [0, 1): how much of the previous denoised input is kept where the scene is static (default
         * 0.8; 0 turns input denoising off). Larger values remove more noise and follow slow changes later.
         */
        public Builder inputSmoothing(double a) {
            this.inputSmoothing = requireFraction(a, "inputSmoothing");
            return this;
        }

        /**
         * b in [0, 1): how much of the previous output is kept where the scene is static (default 0.5; 0
         * turns output blending off). Larger values remove more flicker but average the texture the
         * network draws over several frames.
         */
        public Builder outputSmoothing(double b) {
            this.outputSmoothing = requireFraction(b, "outputSmoothing");
            return this;
        }

        /**
         * r: how many pixels around a detected change also count as moving (default 4, at most
         * {@value #MAX_MOTION_RADIUS}). Outputs within r pixels of a change follow the new frame exactly;
         * a network with a larger spatial reach may leave a faint halo beyond r.
         */
        public Builder motionRadius(int r) {
            if (r < 0 || r > MAX_MOTION_RADIUS) {
                throw new IllegalArgumentException("motionRadius: expected a value in [0, " + MAX_MOTION_RADIUS
                        + "], got " + r);
            }
            this.motionRadius = r;
            return this;
        }

        private static double requireFraction(double v, String what) {
            if (!(v >= 0 && v < 1)) {
                throw new IllegalArgumentException(what + ": expected a value in [0, 1), got " + v);
            }
            return v;
        }

        public FrameStabilizer build() {
            return new FrameStabilizer(this);
        }
    }
}
