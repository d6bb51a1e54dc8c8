package org.perceptual4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.autodiff.samediff.SDVariable;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * ONNX Pad: {@code constant}, {@code reflect} and {@code edge} modes; negative pads crop. Pads are
 * attributes before opset 11 ({@code paddings} in opset 1) and constant inputs from 11 on, with
 * {@code axes} from 18.
 *
 * <p>Reflect and edge padding are built from one-row slices and a concatenation rather than ND4J's
 * {@code pad} in REFLECT mode, whose gradient is wrong in 1.0.0-M2.1. Slices count from the end for
 * the trailing side, so the sizes need not be known when the graph is defined.
 */
final class PadOp implements Op {
    private final String input;
    private final long[] pads;
    private final long[] axes;      // null: all axes
    private final String mode;
    private final double value;

    PadOp(OnnxNode node, Constants constants, long opset) throws OnnxImportException {
        this.input = node.input(0);
        this.mode = node.stringAttr("mode", "constant");
        if (!List.of("constant", "reflect", "edge").contains(mode)) {
            throw node.error("mode '" + mode + "' is not supported (constant, reflect, edge are)");
        }
        if (opset < 11) {
            long[] p = node.longsAttr(opset < 2 ? "paddings" : "pads", null);
            if (p == null) {
                throw node.error("missing the attribute " + (opset < 2 ? "paddings" : "pads"));
            }
            this.pads = p;
            this.value = node.floatAttr("value", 0f);
            this.axes = null;
        } else {
            this.pads = constantLongs(node, constants, 1, "pads");
            String v = node.input(2);
            if (!v.isEmpty() && !constants.contains(v)) {
                throw node.error("the constant_value input '" + v + "' must be a constant");
            }
            this.value = v.isEmpty() ? 0 : constants.scalar(v, node);
            this.axes = node.input(3).isEmpty() ? null : constantLongs(node, constants, 3, "axes");
        }
        if (pads.length % 2 != 0 || (axes != null && pads.length != 2 * axes.length)) {
            throw node.error("pads " + Arrays.toString(pads) + " do not match " + (axes == null ? "the rank" : "axes " + Arrays.toString(axes)));
        }
    }

    private static long[] constantLongs(OnnxNode node, Constants constants, int index, String what) throws OnnxImportException {
        String n = node.input(index);
        if (n.isEmpty() || !constants.contains(n)) {
            throw node.error("the " + what + " input '" + n + "' must be an initializer or constant (computed " + what + " are not supported)");
        }
        return constants.longs(n, node);
    }

    @Override
    public List<String> dataInputs() {
        return List.of(input);
    }

    @Override
    public Value define(DefineContext ctx, Value[] in, String name) {
        Value x = in[0];
        int rank = x.rank();
        long[] begin = new long[rank];
        long[] end = new long[rank];
        if (axes == null) {
            if (pads.length != 2 * rank) {
                throw ctx.error("pads " + Arrays.toString(pads) + " need " + 2 * rank + " values for input " + x.describe());
            }
            System.arraycopy(pads, 0, begin, 0, rank);
            System.arraycopy(pads, rank, end, 0, rank);
        } else {
            for (int i = 0; i < axes.length; i++) {
                int a = (int) (axes[i] < 0 ? axes[i] + rank : axes[i]);
                if (a < 0 || a >= rank) {
                    throw ctx.error("axis " + axes[i] + " out of range for " + x.describe());
                }
                begin[a] = pads[i];
                end[a] = pads[i + axes.length];
            }
        }
        long[] shape = x.shape().clone();
        SDVariable v = x.var();
        for (int a = 0; a < rank; a++) {
            long n = shape[a];
            if (begin[a] < 0 || end[a] < 0) {   // negative pads crop
                if (n >= 0 && -Math.min(begin[a], 0) - Math.min(end[a], 0) >= n) {
                    throw ctx.error("pads " + Arrays.toString(pads) + " crop all of " + x.describe());
                }
                v = slice(ctx, v, rank, a, Math.max(0, -begin[a]), end[a] < 0 ? end[a] : null);
                n = n < 0 ? -1 : n + Math.min(begin[a], 0) + Math.min(end[a], 0);
            }
            long b = Math.max(begin[a], 0);
            long e = Math.max(end[a], 0);
            if (!mode.equals("constant") && (b > 0 || e > 0)) {
                if (mode.equals("reflect") && n >= 0 && (b >= n || e >= n)) {
                    throw ctx.error("reflect padding by " + Math.max(b, e) + " needs more than " + n + " values along axis " + a
                            + ", input " + x.describe());
                }
                v = replicate(ctx, v, rank, a, b, e);
            }
            shape[a] = n < 0 ? -1 : n + b + e;
            begin[a] = b;
            end[a] = e;
        }
        if (mode.equals("constant")) {
            long[][] p = new long[rank][];
            boolean any = false;
            for (int a = 0; a < rank; a++) {
                p[a] = new long[] {begin[a], end[a]};
                any |= begin[a] > 0 || end[a] > 0;
            }
            if (any) {
                v = ctx.pad(v, p, value);
            }
        }
        return new Value(ctx.sd().identity(ctx.name(name), v), shape);
    }

    /** Reflect or edge padding of one axis: one-row slices concatenated around the input. */
    private SDVariable replicate(DefineContext ctx, SDVariable v, int rank, int axis, long b, long e) {
        boolean reflect = mode.equals("reflect");
        List<SDVariable> parts = new ArrayList<>();
        for (long j = b; j >= 1; j--) {
            long i = reflect ? j : 0;
            parts.add(slice(ctx, v, rank, axis, i, i + 1));
        }
        parts.add(v);
        for (long j = 1; j <= e; j++) {
            long i = reflect ? -1 - j : -1;    // counted from the end: n-1-j, or n-1
            parts.add(slice(ctx, v, rank, axis, i, i + 1 == 0 ? null : i + 1));
        }
        return ctx.sd().concat(ctx.name("pad_" + mode), axis, parts.toArray(new SDVariable[0]));
    }

    /** v[..., from:to, ...] along one axis (negative indices count from the end; to == null means to the end). */
    private static SDVariable slice(DefineContext ctx, SDVariable v, int rank, int axis, long from, Long to) {
        long[] begin = new long[rank];
        long[] end = new long[rank];
        long[] strides = new long[rank];
        Arrays.fill(strides, 1);
        int all = (1 << rank) - 1;
        int beginMask = all & ~(1 << axis);
        int endMask = to == null ? all : all & ~(1 << axis);
        begin[axis] = from;
        end[axis] = to == null ? 0 : to;
        return ctx.sd().stridedSlice(ctx.name("slice"), v, begin, end, strides, beginMask, endMask, 0, 0, 0);
    }
}
