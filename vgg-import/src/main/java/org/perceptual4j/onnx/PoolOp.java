package org.perceptual4j.onnx;

import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * ONNX MaxPool and AveragePool (2-D, NCHW).
 *
 * <p>Padding is always explicit: max pooling pads with -inf, average pooling with zeros; ND4J then
 * pools the padded tensor without padding of its own. Ceil mode becomes extra bottom/right padding.
 * Average pooling divides by the window size, so where a window covers padding that must not count
 * (count_include_pad = 0, or ceil mode's extra rows, which never count) the result is divided by the
 * same pooling of a mask that is 1 on the counted positions, giving exactly ONNX's (and PyTorch's)
 * divisor.
 */
final class PoolOp implements Op {
    private final String input;
    private final Window window;
    private final boolean max;
    private final boolean countIncludePad;

    PoolOp(OnnxNode node, long opset) throws OnnxImportException {
        this.input = node.input(0);
        this.max = node.opType().equals("MaxPool");
        long[] kernel = node.longsAttr("kernel_shape", null);
        if (kernel == null) {
            throw node.error("missing the required attribute kernel_shape");
        }
        this.window = Window.read(node, kernel, true);
        if (!max && (window.dh != 1 || window.dw != 1)) {
            throw node.error("dilated average pooling is not supported");
        }
        this.countIncludePad = node.longAttr("count_include_pad", 0) != 0;
    }

    @Override
    public List<String> dataInputs() {
        return List.of(input);
    }

    @Override
    public Value define(DefineContext ctx, Value[] in, String name) {
        Value x = in[0].requireNchw(ctx);
        long[] p = window.pads(x.dim(2), x.dim(3), ctx);
        long oh = Window.outputSize(x.dim(2), p[0] + p[2], window.effectiveKh(), window.sh);
        long ow = Window.outputSize(x.dim(3), p[1] + p[3], window.effectiveKw(), window.sw);
        if ((x.dim(2) >= 0 && oh < 1) || (x.dim(3) >= 0 && ow < 1)) {
            throw ctx.error("input " + x.describe() + " is too small for a " + window.kh + "x" + window.kw + " window"
                    + " (padding " + Arrays.toString(p) + ")");
        }
        Pooling2DConfig config = Pooling2DConfig.builder().kH(window.kh).kW(window.kw).sH(window.sh).sW(window.sw)
                .dH(window.dh).dW(window.dw).pH(0).pW(0).paddingMode(PaddingMode.VALID)
                .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG).isNHWC(false).build();
        long[][] pads = {{0, 0}, {0, 0}, {p[0], p[2]}, {p[1], p[3]}};
        long[] shape = {x.dim(0), x.dim(1), oh, ow};
        SDVariable v = x.var();
        if (max) {
            if (!Window.zero(p)) {
                v = ctx.pad(v, pads, Double.NEGATIVE_INFINITY);
            }
            if (window.dh != 1 || window.dw != 1) {
                return new Value(dilatedMax(ctx, v, oh, ow, name), shape);
            }
            return new Value(ctx.sd().cnn().maxPooling2d(ctx.name(name), v, config), shape);
        }
        long[] q = window.withoutCeil().pads(x.dim(2), x.dim(3), ctx);
        boolean ceilExtra = p[2] != q[2] || p[3] != q[3];
        if (Window.zero(p) || (countIncludePad && !ceilExtra)) {
            // every window lies inside the (zero-)padded input and all of it counts
            SDVariable padded = Window.zero(p) ? v : ctx.pad(v, pads, 0);
            return new Value(ctx.sd().cnn().avgPooling2d(ctx.name(name), padded, config), shape);
        }
        SDVariable sum = ctx.sd().cnn().avgPooling2d(ctx.pad(v, pads, 0), config);
        // divisor: the same pooling of a mask that is 1 where positions count
        SDVariable ones = ctx.sd().onesLike(ctx.name("ones"), v);
        SDVariable mask = countIncludePad
                ? ctx.pad(ctx.pad(ones, new long[][] {{0, 0}, {0, 0}, {q[0], q[2]}, {q[1], q[3]}}, 1),
                        new long[][] {{0, 0}, {0, 0}, {0, p[2] - q[2]}, {0, p[3] - q[3]}}, 0)
                : ctx.pad(ones, pads, 0);
        SDVariable divisor = ctx.sd().cnn().avgPooling2d(mask, config);
        return new Value(sum.div(ctx.name(name), divisor), shape);
    }

    /**
     * Dilated max pooling as the maximum of kH x kW strided slices (ND4J 1.0.0-M2.1's maxpool2d gives
     * wrong values with dilation): slice (i, j) holds x[.., i*dH + r*sH, j*dW + c*sW] for every output (r, c).
     */
    private SDVariable dilatedMax(DefineContext ctx, SDVariable padded, long oh, long ow, String name) {
        if (oh < 0 || ow < 0) {
            throw ctx.error("dilated max pooling needs the input's height and width; define the graph with an input of known shape");
        }
        SDVariable result = null;
        for (long i = 0; i < window.kh; i++) {
            for (long j = 0; j < window.kw; j++) {
                long[] begin = {0, 0, i * window.dh, j * window.dw};
                long[] end = {0, 0, i * window.dh + (oh - 1) * window.sh + 1, j * window.dw + (ow - 1) * window.sw + 1};
                long[] strides = {1, 1, window.sh, window.sw};
                SDVariable s = ctx.sd().stridedSlice(ctx.name("pool_slice"), padded, begin, end, strides, 3, 3, 0, 0, 0);
                boolean last = i == window.kh - 1 && j == window.kw - 1;
                result = result == null ? s : ctx.sd().math().max(last ? ctx.name(name) : ctx.name("pool_max"), result, s);
            }
        }
        return result;
    }
}
