package org.perceptual4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * ONNX Conv (2-D, NCHW) with groups, strides, dilations, explicit or automatic padding. Weights are
 * constants; they are converted once, at load, from ONNX's OIHW to the HWIO layout ND4J's conv2d
 * differentiates correctly (its OIHW backprop is broken in 1.0.0-M2.1). Grouped convolutions become
 * a depthwise convolution when every group has one input channel, otherwise one convolution per group.
 */
final class ConvOp implements Op {
    private final OnnxNode node;
    private final String input;
    private final Window window;
    private final long inChannels;
    private final long outChannels;
    private final int groups;
    private final boolean depthwise;
    private final List<INDArray> kernels = new ArrayList<>();   // HWIO per group, or [kh, kw, C, mult]
    private final List<INDArray> biases = new ArrayList<>();    // per group, or one; null entries when absent

    ConvOp(OnnxNode node, Constants constants) throws OnnxImportException {
        this.node = node;
        this.input = node.input(0);
        String w = node.input(1);
        if (w.isEmpty() || !constants.contains(w)) {
            throw node.error("the weight input '" + w + "' must be an initializer or constant");
        }
        INDArray weight = constants.floatArray(w);
        long[] ws = weight.shape();
        if (ws.length != 4) {
            throw node.error("only 2-D convolutions are supported: expected a 4-D weight [out, in/groups, kH, kW], got "
                    + Arrays.toString(ws));
        }
        long[] kernel = node.longsAttr("kernel_shape", new long[] {ws[2], ws[3]});
        if (kernel.length != 2 || kernel[0] != ws[2] || kernel[1] != ws[3]) {
            throw node.error("kernel_shape " + Arrays.toString(kernel) + " does not match the weight " + Arrays.toString(ws));
        }
        this.window = Window.read(node, kernel, false);
        long g = node.longAttr("group", 1);
        if (g < 1 || ws[0] % g != 0) {
            throw node.error("group " + g + " does not divide the " + ws[0] + " output channels");
        }
        this.groups = Math.toIntExact(g);
        this.outChannels = ws[0];
        this.inChannels = ws[1] * g;
        INDArray bias = null;
        String b = node.input(2);
        if (!b.isEmpty()) {
            if (!constants.contains(b)) {
                throw node.error("the bias input '" + b + "' must be an initializer or constant");
            }
            bias = constants.floatArray(b);
            if (bias.length() != outChannels) {
                throw node.error("expected a bias of " + outChannels + " values, got " + Arrays.toString(bias.shape()));
            }
            bias = bias.reshape(outChannels);
        }
        this.depthwise = groups > 1 && ws[1] == 1;
        if (groups == 1) {
            kernels.add(weight.permute(2, 3, 1, 0).dup('c'));
            biases.add(bias);
        } else if (depthwise) {
            // [C*mult, 1, kh, kw], output channel c*mult+m -> [kh, kw, C, mult] (ND4J/TF depthwise order)
            long mult = outChannels / groups;
            kernels.add(weight.reshape('c', groups, mult, ws[2], ws[3]).permute(2, 3, 0, 1).dup('c'));
            biases.add(bias);
        } else {
            long per = outChannels / groups;
            for (int i = 0; i < groups; i++) {
                INDArray wi = weight.get(NDArrayIndex.interval(i * per, (i + 1) * per), NDArrayIndex.all(),
                        NDArrayIndex.all(), NDArrayIndex.all());
                kernels.add(wi.permute(2, 3, 1, 0).dup('c'));
                biases.add(bias == null ? null : bias.get(NDArrayIndex.interval(i * per, (i + 1) * per)).dup());
            }
        }
    }

    @Override
    public List<String> dataInputs() {
        return List.of(input);
    }

    @Override
    public Value define(DefineContext ctx, Value[] in, String name) {
        Value x = in[0].requireNchw(ctx);
        if (x.dim(1) >= 0 && x.dim(1) != inChannels) {
            throw ctx.error("expected an input with " + inChannels + " channels, got " + x.describe());
        }
        long[] p = window.pads(x.dim(2), x.dim(3), ctx);
        SDVariable v = x.var();
        long ph = p[0];
        long pw = p[1];
        if (!Window.symmetric(p)) {
            v = ctx.pad(v, new long[][] {{0, 0}, {0, 0}, {p[0], p[2]}, {p[1], p[3]}}, 0);
            ph = 0;
            pw = 0;
        }
        Conv2DConfig config = Conv2DConfig.builder().kH(window.kh).kW(window.kw).sH(window.sh).sW(window.sw)
                .dH(window.dh).dW(window.dw).pH(ph).pW(pw).paddingMode(PaddingMode.VALID)
                .dataFormat(Conv2DConfig.NCHW).build();
        long oh = Window.outputSize(x.dim(2), p[0] + p[2], window.effectiveKh(), window.sh);
        long ow = Window.outputSize(x.dim(3), p[1] + p[3], window.effectiveKw(), window.sw);
        if ((x.dim(2) >= 0 && oh < 1) || (x.dim(3) >= 0 && ow < 1)) {
            throw ctx.error("input " + x.describe() + " is too small for a " + window.kh + "x" + window.kw + " kernel"
                    + " (dilation " + window.dh + "x" + window.dw + ", padding " + Arrays.toString(p) + ")");
        }
        long[] shape = {x.dim(0), outChannels, oh, ow};
        SDVariable out;
        if (groups == 1 || depthwise) {
            SDVariable w = ctx.constant(name + "_W", kernels.get(0)).var();
            SDVariable b = biases.get(0) == null ? null : ctx.constant(name + "_b", biases.get(0)).var();
            if (depthwise) {
                out = b == null ? ctx.sd().cnn().depthWiseConv2d(ctx.name(name), v, w, config)
                        : ctx.sd().cnn().depthWiseConv2d(ctx.name(name), v, w, b, config);
            } else {
                out = b == null ? ctx.sd().cnn().conv2d(ctx.name(name), v, w, config)
                        : ctx.sd().cnn().conv2d(ctx.name(name), v, w, b, config);
            }
        } else {
            String[] names = new String[groups];
            for (int i = 0; i < groups; i++) {
                names[i] = ctx.name(name + "_group" + i);
            }
            SDVariable[] parts = ctx.sd().split(names, v, groups, 1);
            SDVariable[] outs = new SDVariable[groups];
            for (int i = 0; i < groups; i++) {
                SDVariable w = ctx.constant(name + "_W" + i, kernels.get(i)).var();
                outs[i] = biases.get(i) == null ? ctx.sd().cnn().conv2d(parts[i], w, config)
                        : ctx.sd().cnn().conv2d(parts[i], w, ctx.constant(name + "_b" + i, biases.get(i)).var(), config);
            }
            out = ctx.sd().concat(ctx.name(name), 1, outs);
        }
        return new Value(out, shape);
    }
}
