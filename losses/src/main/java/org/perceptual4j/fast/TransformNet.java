package org.perceptual4j.fast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Checks;

/**
 * The image transformation network of Johnson, Alahi and Fei-Fei, "Perceptual Losses for Real-Time
 * Style Transfer and Super-Resolution" (ECCV 2016), with Ulyanov et al.'s instance normalization, exactly
 * as pytorch/examples' {@code fast_neural_style/neural_style/transformer_net.py} builds it:
 *
 * <pre>
 *   conv1   9x9 stride 1, 3 -&gt; w        instance norm, ReLU
 *   conv2   3x3 stride 2, w -&gt; 2w       instance norm, ReLU
 *   conv3   3x3 stride 2, 2w -&gt; 4w      instance norm, ReLU
 *   res1..resB  x + IN(conv(ReLU(IN(conv(x)))))   3x3 convs at 4w
 *   deconv1 nearest-neighbour x2, 3x3 conv 4w -&gt; 2w   instance norm, ReLU
 *   deconv2 nearest-neighbour x2, 3x3 conv 2w -&gt; w    instance norm, ReLU
 *   deconv3 9x9 conv w -&gt; 3 (no normalization, no activation)
 * </pre>
 *
 * Every convolution has a bias and is preceded by reflection padding of {@code kernel / 2}; instance norm
 * is affine (learned scale and shift per channel) with epsilon 1e-5 and the biased variance
 * ({@code mean((x - mean)^2)}, as {@code torch.nn.InstanceNorm2d}). The defaults are w = 32 and B = 5
 * residual blocks ({@link Architecture#JOHNSON}); both are configurable.
 *
 * <h2>Values</h2>
 * Input and output follow the library's image format: RGB, NCHW, values in [0, 1]; the output is not
 * clamped (use {@link FastStyleModel#stylize(INDArray)} for displayable images). Internally the network
 * works in pytorch/examples' 0-255 range: the input is multiplied by 255 before conv1 and the output of
 * deconv3 divided by 255. So the parameters mean exactly what they mean in a pytorch/examples
 * {@code TransformerNet} state dict (with kernels transposed, see {@link #parameters()}).
 *
 * <h2>Any input size</h2>
 * The two stride-2 convolutions and the two x2 upsamplings return the input size only when it is a
 * multiple of 4 (pytorch/examples gives a 32 x 48 output for a 31 x 47 input). This network therefore
 * first extends the image by reflection to the next multiple of 4 (at least 8, which the 9 x 9
 * reflection padding needs; the extra rows and columns are split between both sides, the larger half
 * after), runs the network and crops the output back to the input's size. For sizes that are multiples
 * of 4 and at least 8 nothing is added and the result is exactly pytorch/examples'. Sides of 1 pixel
 * are extended by repetition, as reflection needs 2.
 *
 * <p>Immutable and thread-safe. Parameters are FLOAT.
 */
public final class TransformNet {
    /** Instance-norm epsilon, as {@code torch.nn.InstanceNorm2d}. */
    public static final double EPSILON = 1e-5;
    /** Network input and output are multiplied / divided by this internally (pytorch/examples' 0-255 range). */
    static final double SCALE = 255.0;

    private final Architecture architecture;
    private final Map<String, INDArray> parameters;

    /**
     * The shape of the network.
     *
     * @param width channels after conv1 (pytorch/examples: 32); conv2 has 2x, conv3 and the residual
     *     blocks 4x as many
     * @param residualBlocks number of residual blocks (pytorch/examples: 5)
     */
    public record Architecture(int width, int residualBlocks) {
        /** Johnson et al.'s network as pytorch/examples builds it: width 32, 5 residual blocks. */
        public static final Architecture JOHNSON = new Architecture(32, 5);

        public Architecture {
            if (width < 1 || width > 4096) {
                throw new IllegalArgumentException("width: expected a value in [1, 4096], got " + width);
            }
            if (residualBlocks < 0 || residualBlocks > 256) {
                throw new IllegalArgumentException("residualBlocks: expected a value in [0, 256], got " + residualBlocks);
            }
        }

        /**
         * The parameter names and shapes in network order. Names are pytorch/examples' state-dict keys
         * ({@code conv1.conv2d.weight}, {@code in1.weight}, {@code res1.conv1.conv2d.weight}, ...);
         * kernels have the shape {@code [kH, kW, in, out]}, biases and instance-norm scales and shifts
         * {@code [channels]}.
         */
        public Map<String, long[]> parameterShapes() {
            Map<String, long[]> m = new LinkedHashMap<>();
            int w = width;
            conv(m, "conv1", 9, 3, w);
            norm(m, "in1", w);
            conv(m, "conv2", 3, w, 2 * w);
            norm(m, "in2", 2 * w);
            conv(m, "conv3", 3, 2 * w, 4 * w);
            norm(m, "in3", 4 * w);
            for (int i = 1; i <= residualBlocks; i++) {
                String r = "res" + i + ".";
                conv(m, r + "conv1", 3, 4 * w, 4 * w);
                norm(m, r + "in1", 4 * w);
                conv(m, r + "conv2", 3, 4 * w, 4 * w);
                norm(m, r + "in2", 4 * w);
            }
            conv(m, "deconv1", 3, 4 * w, 2 * w);
            norm(m, "in4", 2 * w);
            conv(m, "deconv2", 3, 2 * w, w);
            norm(m, "in5", w);
            conv(m, "deconv3", 9, w, 3);
            return Collections.unmodifiableMap(m);
        }

        /** Total number of parameters (1,679,235 for {@link #JOHNSON}). */
        public long parameterCount() {
            return parameterShapes().values().stream().mapToLong(s -> Arrays.stream(s).reduce(1, (a, b) -> a * b)).sum();
        }

        private static void conv(Map<String, long[]> m, String name, int k, int in, int out) {
            m.put(name + ".conv2d.weight", new long[] {k, k, in, out});
            m.put(name + ".conv2d.bias", new long[] {out});
        }

        private static void norm(Map<String, long[]> m, String name, int channels) {
            m.put(name + ".weight", new long[] {channels});
            m.put(name + ".bias", new long[] {channels});
        }
    }

    private TransformNet(Architecture architecture, Map<String, INDArray> parameters) {
        this.architecture = architecture;
        this.parameters = Collections.unmodifiableMap(parameters);
    }

    /**
     * A network initialised like a freshly constructed PyTorch module: every convolution's kernel and
     * bias uniform in {@code [-1/sqrt(fanIn), 1/sqrt(fanIn)]} with {@code fanIn = in * k * k}
     * ({@code torch.nn.Conv2d}'s default), instance-norm scales 1 and shifts 0. Deterministic in
     * {@code seed}.
     */
    public static TransformNet random(Architecture architecture, long seed) {
        Checks.requireNonNull(architecture, "architecture");
        SplittableRandom random = new SplittableRandom(seed);
        Map<String, INDArray> params = new LinkedHashMap<>();
        Map<String, long[]> shapes = architecture.parameterShapes();
        long fanIn = 0;
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            int n = (int) Arrays.stream(shape).reduce(1, (a, b) -> a * b);
            float[] values = new float[n];
            if (name.endsWith(".conv2d.weight")) {
                fanIn = shape[0] * shape[1] * shape[2];
            }
            if (name.contains(".conv2d.")) {
                double bound = 1.0 / Math.sqrt(fanIn);
                for (int i = 0; i < n; i++) {
                    values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
                }
            } else if (name.endsWith(".weight")) {
                Arrays.fill(values, 1f);
            }
            params.put(name, Nd4j.create(values, shape, 'c'));
        }
        return new TransformNet(architecture, params);
    }

    /**
     * A network with the given parameters (copied), named and shaped as
     * {@link Architecture#parameterShapes()} says. To use a pytorch/examples state dict, transpose every
     * {@code *.conv2d.weight} from PyTorch's {@code [out, in, kH, kW]} with {@code permute(2, 3, 1, 0)}
     * and drop the deprecated {@code running_mean}/{@code running_var} entries.
     *
     * @throws IllegalArgumentException naming the first missing, unexpected or wrongly shaped parameter
     */
    public static TransformNet fromParameters(Architecture architecture, Map<String, INDArray> parameters) {
        Checks.requireNonNull(architecture, "architecture");
        Checks.requireNonNull(parameters, "parameters");
        Map<String, long[]> shapes = architecture.parameterShapes();
        for (String name : parameters.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new IllegalArgumentException("parameters: unexpected parameter '" + name + "' for " + architecture
                        + "; expected " + String.join(", ", shapes.keySet()));
            }
        }
        Map<String, INDArray> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            INDArray a = parameters.get(e.getKey());
            if (a == null) {
                throw new IllegalArgumentException("parameters: missing '" + e.getKey() + "' for " + architecture);
            }
            if (!Arrays.equals(a.shape(), e.getValue())) {
                throw new IllegalArgumentException("parameters: '" + e.getKey() + "' expected shape "
                        + Arrays.toString(e.getValue()) + ", got " + Arrays.toString(a.shape()));
            }
            if (!a.dataType().isFPType()) {
                throw new IllegalArgumentException("parameters: '" + e.getKey() + "' expected a floating-point array, got "
                        + a.dataType());
            }
            params.put(e.getKey(), a.castTo(DataType.FLOAT).dup('c'));
        }
        return new TransformNet(architecture, params);
    }

    public Architecture architecture() {
        return architecture;
    }

    /**
     * Copies of the parameters in network order, named and shaped as {@link Architecture#parameterShapes()}.
     * Kernels are {@code [kH, kW, in, out]}; PyTorch's {@code [out, in, kH, kW]} is
     * {@code kernel.permute(3, 2, 0, 1)}.
     */
    public Map<String, INDArray> parameters() {
        Map<String, INDArray> copy = new LinkedHashMap<>();
        parameters.forEach((k, v) -> copy.put(k, v.dup()));
        return copy;
    }

    /** One parameter, not copied: package-internal callers must not modify it. */
    INDArray parameter(String name) {
        return parameters.get(name);
    }

    /**
     * Runs the network on a batch of images of any size. Builds the computation for this size each call;
     * for many images of one size (video frames, benchmarks) use {@link #inference(long, long)}.
     *
     * @param rgb {@code [N, 3, H, W]}, RGB, values in [0, 1] (any floating-point type; computed in FLOAT)
     * @return a new FLOAT array of the same shape, RGB in [0, 1] up to what the network produces (not clamped)
     * @throws IllegalArgumentException if the array is not NCHW with 3 channels and N, H, W &gt;= 1
     */
    public INDArray output(INDArray rgb) {
        Checks.requireImage(rgb, "image");
        return inference(rgb.size(2), rgb.size(3)).output(rgb);
    }

    /**
     * The network prepared for images of one size: the computation is built once, so repeated calls skip
     * the set-up that {@link #output(INDArray)} repeats (about a second per call on a busy 2-core machine,
     * more on the first call of a size). Holds the computation and the buffers of its last run until it is
     * garbage-collected.
     *
     * @throws IllegalArgumentException if a size is &lt; 1
     */
    public Inference inference(long height, long width) {
        if (height < 1 || width < 1) {
            throw new IllegalArgumentException("size: expected height and width >= 1, got " + height + " x " + width);
        }
        return new Inference(this, height, width);
    }

    /**
     * A {@link TransformNet} prepared for one image size, from {@link TransformNet#inference(long, long)}.
     * Thread-safe (ND4J keeps one execution session per thread).
     */
    public static final class Inference {
        private static final String INPUT = "input";
        private final SameDiff sd = SameDiff.create();
        private final String outputName;
        private final long height;
        private final long width;

        private Inference(TransformNet net, long height, long width) {
            this.height = height;
            this.width = width;
            SDVariable in = sd.placeHolder(INPUT, DataType.FLOAT, -1, 3, height, width);
            Map<String, SDVariable> weights = new LinkedHashMap<>();
            net.parameters.forEach((name, value) -> weights.put(name, sd.constant(name, value)));
            outputName = define(sd, in, height, width, weights).name();
        }

        public long height() {
            return height;
        }

        public long width() {
            return width;
        }

        /**
         * Runs the network.
         *
         * @param rgb {@code [N, 3, height, width]}, RGB, values in [0, 1]
         * @return a new FLOAT array of the same shape (not clamped)
         * @throws IllegalArgumentException if the array is not {@code [N, 3, height, width]} floating point
         */
        public INDArray output(INDArray rgb) {
            Checks.requireImage(rgb, "image");
            long[] s = rgb.shape();
            if (s[0] < 1 || s[2] != height || s[3] != width) {
                throw new IllegalArgumentException("image: expected [N, 3, " + height + ", " + width + "] with N >= 1, got "
                        + Arrays.toString(s));
            }
            return sd.output(Map.of(INPUT, rgb.castTo(DataType.FLOAT)), outputName).get(outputName);
        }
    }

    @Override
    public String toString() {
        return "TransformNet[width=" + architecture.width() + ", residualBlocks=" + architecture.residualBlocks()
                + ", parameters=" + architecture.parameterCount() + "]";
    }

    // ------------------------------------------------------------------------------------ graph

    /**
     * Adds the network to a graph: RGB [0, 1] in, RGB [0, 1] (unclamped) out, same size.
     *
     * @param h static height of {@code rgb}
     * @param w static width of {@code rgb}
     * @param weights a variable or constant per parameter name
     */
    static SDVariable define(SameDiff sd, SDVariable rgb, long h, long w, Map<String, SDVariable> weights) {
        return defineScaled(sd, rgb, h, w, weights).div(SCALE);
    }

    /** As {@link #define} but the output in 0-255 (deconv3's output itself, cropped). */
    static SDVariable defineScaled(SameDiff sd, SDVariable rgb, long h, long w, Map<String, SDVariable> weights) {
        long targetH = paddedSize(h);
        long targetW = paddedSize(w);
        long top = (targetH - h) / 2;
        long left = (targetW - w) / 2;
        SDVariable x = rgb.mul(SCALE);
        x = extend(sd, x, 2, top, targetH - h - top, h);
        x = extend(sd, x, 3, left, targetW - w - left, w);
        long[] size = {targetH, targetW};
        Builder b = new Builder(sd, weights);
        x = b.relu(b.norm("in1", b.conv("conv1", x, 9, 1, size)));
        x = b.relu(b.norm("in2", b.conv("conv2", x, 3, 2, size)));
        x = b.relu(b.norm("in3", b.conv("conv3", x, 3, 2, size)));
        int blocks = 0;
        while (weights.containsKey("res" + (blocks + 1) + ".conv1.conv2d.weight")) {
            blocks++;
        }
        for (int i = 1; i <= blocks; i++) {
            String r = "res" + i + ".";
            SDVariable y = b.relu(b.norm(r + "in1", b.conv(r + "conv1", x, 3, 1, size)));
            y = b.norm(r + "in2", b.conv(r + "conv2", y, 3, 1, size));
            x = y.add(x);
        }
        x = b.relu(b.norm("in4", b.conv("deconv1", b.upsample(x, size), 3, 1, size)));
        x = b.relu(b.norm("in5", b.conv("deconv2", b.upsample(x, size), 3, 1, size)));
        x = b.conv("deconv3", x, 9, 1, size);
        if (targetH != h) {
            x = slice(sd, x, 2, top, h);
        }
        if (targetW != w) {
            x = slice(sd, x, 3, left, w);
        }
        return x;
    }

    /** The size the network runs at for an input side of {@code n}: the next multiple of 4, at least 8. */
    static long paddedSize(long n) {
        return Math.max(8, (n + 3) / 4 * 4);
    }

    /**
     * Extends {@code x} along {@code dim} by {@code before} and {@code after} rows by reflection
     * (repeatedly when more rows are needed than the reflection of the current size gives; by
     * repetition when the size is 1).
     */
    private static SDVariable extend(SameDiff sd, SDVariable x, int dim, long before, long after, long size) {
        while (before > 0 || after > 0) {
            if (size == 1) {
                List<SDVariable> parts = new ArrayList<>();
                for (long i = 0; i < before + after + 1; i++) {
                    parts.add(x);
                }
                return sd.concat(dim, parts.toArray(new SDVariable[0]));
            }
            long b = Math.min(before, size - 1);
            long a = Math.min(after, size - 1);
            x = reflect(sd, x, dim, b, a, size);
            size += b + a;
            before -= b;
            after -= a;
        }
        return x;
    }

    /**
     * Reflection padding along one spatial dimension (without repeating the edge), as
     * {@code torch.nn.ReflectionPad2d}: built from slices, {@code reverse} and a concatenation, so that its
     * gradient is right (ND4J 1.0.0-M2.1's {@code pad} in REFLECT mode back-propagates only the centre, and
     * {@code gather}'s gradient cannot be built twice in one graph). Requires {@code before, after < size}.
     */
    static SDVariable reflect(SameDiff sd, SDVariable x, int dim, long before, long after, long size) {
        if (before == 0 && after == 0) {
            return x;
        }
        List<SDVariable> parts = new ArrayList<>();
        if (before > 0) {
            parts.add(mirrored(sd, slice(sd, x, dim, 1, before), dim, before));
        }
        parts.add(x);
        if (after > 0) {
            parts.add(mirrored(sd, slice(sd, x, dim, size - 1 - after, after), dim, after));
        }
        return sd.concat(dim, parts.toArray(new SDVariable[0]));
    }

    private static SDVariable mirrored(SameDiff sd, SDVariable strip, int dim, long length) {
        return length == 1 ? strip : sd.reverse(strip, dim);
    }

    /**
     * {@code length} rows of dimension {@code dim} from {@code begin}, everything of the other dimensions.
     * Uses the {@code slice} op: {@code strided_slice} is about 50 times slower in ND4J 1.0.0-M2.1.
     */
    private static SDVariable slice(SameDiff sd, SDVariable x, int dim, long begin, long length) {
        int[] b = {0, 0, 0, 0};
        int[] size = {-1, -1, -1, -1};
        b[dim] = (int) begin;
        size[dim] = (int) length;
        return sd.slice(x, b, size);
    }

    /** Layer helpers that keep track of the static spatial size. */
    private static final class Builder {
        private final SameDiff sd;
        private final Map<String, SDVariable> weights;

        Builder(SameDiff sd, Map<String, SDVariable> weights) {
            this.sd = sd;
            this.weights = weights;
        }

        /** Reflection padding of k / 2, then a k x k convolution with the given stride (no zero padding). */
        SDVariable conv(String name, SDVariable x, int k, int stride, long[] size) {
            int p = k / 2;
            x = reflect(sd, x, 2, p, p, size[0]);
            x = reflect(sd, x, 3, p, p, size[1]);
            Conv2DConfig config = Conv2DConfig.builder().kH(k).kW(k).sH(stride).sW(stride).pH(0).pW(0)
                    .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
            size[0] = (size[0] + 2 * p - k) / stride + 1;
            size[1] = (size[1] + 2 * p - k) / stride + 1;
            return sd.cnn().conv2d(x, weight(name + ".conv2d.weight"), weight(name + ".conv2d.bias"), config);
        }

        /**
         * Affine instance normalization: per sample and channel, {@code (x - mean) / sqrt(var + eps) * scale
         * + shift} with the biased variance computed as the mean of squared deviations (ND4J's
         * {@code variance(biasCorrected=false)} has a wrong gradient in 1.0.0-M2.1).
         */
        SDVariable norm(String name, SDVariable x) {
            SDVariable mean = x.mean(true, 2, 3);
            SDVariable centred = x.sub(mean);
            SDVariable variance = sd.math().square(centred).mean(true, 2, 3);
            SDVariable scale = sd.reshape(weight(name + ".weight"), 1, -1, 1, 1);
            SDVariable shift = sd.reshape(weight(name + ".bias"), 1, -1, 1, 1);
            // the scale is applied to the [N, C, 1, 1] factor, saving a pass over the feature map
            return centred.mul(sd.math().rsqrt(variance.add(EPSILON)).mul(scale)).add(shift);
        }

        SDVariable relu(SDVariable x) {
            return sd.nn().relu(x, 0);
        }

        /** Nearest-neighbour x2 upsampling (the 4-argument form: the 2-argument one fails in M2.1). */
        SDVariable upsample(SDVariable x, long[] size) {
            size[0] *= 2;
            size[1] *= 2;
            return sd.cnn().upsampling2d(x, 2, 2, true);
        }

        private SDVariable weight(String name) {
            SDVariable v = weights.get(name);
            if (v == null) {
                throw new IllegalStateException("no weight " + name);
            }
            return v;
        }
    }
}
