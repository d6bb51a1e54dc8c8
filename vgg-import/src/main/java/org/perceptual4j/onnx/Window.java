package org.perceptual4j.onnx;

import java.util.Arrays;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * The sliding window of a 2-D Conv or pooling node: kernel, strides, dilations, padding (explicit
 * {@code pads} or {@code auto_pad}) and ceil mode, with ONNX's output-size rules.
 */
final class Window {
    final long kh;
    final long kw;
    final long sh;
    final long sw;
    final long dh;
    final long dw;
    private final long[] pads;      // top, left, bottom, right (NOTSET / VALID)
    private final String autoPad;   // NOTSET, VALID, SAME_UPPER, SAME_LOWER
    final boolean ceil;

    private Window(long[] k, long[] s, long[] d, long[] pads, String autoPad, boolean ceil) {
        this.kh = k[0];
        this.kw = k[1];
        this.sh = s[0];
        this.sw = s[1];
        this.dh = d[0];
        this.dw = d[1];
        this.pads = pads;
        this.autoPad = autoPad;
        this.ceil = ceil;
    }

    /** Reads strides, dilations, pads, auto_pad and (if {@code ceilAllowed}) ceil_mode for a 2-D kernel. */
    static Window read(OnnxNode node, long[] kernel, boolean ceilAllowed) throws OnnxImportException {
        if (kernel.length != 2) {
            throw node.error("only 2-D windows are supported, got kernel_shape " + Arrays.toString(kernel));
        }
        long[] strides = node.longsAttr("strides", new long[] {1, 1});
        long[] dilations = node.longsAttr("dilations", new long[] {1, 1});
        long[] pads = node.longsAttr("pads", new long[] {0, 0, 0, 0});
        check(node, "strides", strides, 2, 1);
        check(node, "dilations", dilations, 2, 1);
        check(node, "pads", pads, 4, 0);
        for (long k : kernel) {
            if (k < 1) {
                throw node.error("kernel_shape: expected positive sizes, got " + Arrays.toString(kernel));
            }
        }
        String autoPad = node.stringAttr("auto_pad", "NOTSET");
        if (autoPad.isEmpty()) {
            autoPad = "NOTSET";
        }
        switch (autoPad) {
            case "NOTSET":
                break;
            case "VALID":
                pads = new long[4];
                break;
            case "SAME_UPPER":
            case "SAME_LOWER":
                if (node.has("pads") && Arrays.stream(pads).anyMatch(p -> p != 0)) {
                    throw node.error("auto_pad " + autoPad + " and explicit pads " + Arrays.toString(pads) + " together");
                }
                break;
            default:
                throw node.error("auto_pad: expected NOTSET, VALID, SAME_UPPER or SAME_LOWER, got '" + autoPad + "'");
        }
        long ceilMode = node.longAttr("ceil_mode", 0);
        if (ceilMode != 0 && !ceilAllowed) {
            throw node.error("ceil_mode is not defined for this operator");
        }
        return new Window(kernel, strides, dilations, pads, autoPad, ceilMode != 0);
    }

    private static void check(OnnxNode node, String what, long[] v, int length, long min) throws OnnxImportException {
        if (v.length != length) {
            throw node.error(what + ": expected " + length + " values for a 2-D window, got " + Arrays.toString(v));
        }
        for (long x : v) {
            if (x < min) {
                throw node.error(what + ": expected values >= " + min + ", got " + Arrays.toString(v));
            }
        }
    }

    /** The same window without ceil mode. */
    Window withoutCeil() {
        return new Window(new long[] {kh, kw}, new long[] {sh, sw}, new long[] {dh, dw}, pads, autoPad, false);
    }

    long effectiveKh() {
        return (kh - 1) * dh + 1;
    }

    long effectiveKw() {
        return (kw - 1) * dw + 1;
    }

    /** True when the padding does not depend on the input size. */
    boolean staticPads() {
        return autoPad.equals("NOTSET") || autoPad.equals("VALID") || (sh == 1 && sw == 1);
    }

    /**
     * Pads {top, left, bottom, right} for an input of h x w (-1 if unknown), including the extra
     * bottom/right rows that ceil mode adds.
     */
    long[] pads(long h, long w, DefineContext ctx) {
        long[] p;
        if (autoPad.startsWith("SAME")) {
            if ((sh != 1 && h < 0) || (sw != 1 && w < 0)) {
                throw ctx.error("auto_pad " + autoPad + " with strides " + sh + "x" + sw
                        + " needs the input's height and width; define the graph with an input of known shape");
            }
            boolean lower = autoPad.equals("SAME_LOWER");
            long[] ph = same(h, sh, effectiveKh(), lower);
            long[] pw = same(w, sw, effectiveKw(), lower);
            p = new long[] {ph[0], pw[0], ph[1], pw[1]};
        } else {
            p = pads.clone();
        }
        if (ceil) {
            if (h < 0 || w < 0) {
                throw ctx.error("ceil_mode needs the input's height and width; define the graph with an input of known shape");
            }
            p[2] += ceilExtra(h, sh, effectiveKh(), p[0], p[2]);
            p[3] += ceilExtra(w, sw, effectiveKw(), p[1], p[3]);
        }
        return p;
    }

    /** Output size along one axis for already padded input (floor), or -1 if unknown. */
    static long outputSize(long in, long padsTotal, long effectiveKernel, long stride) {
        if (in < 0) {
            return -1;
        }
        return Math.floorDiv(in + padsTotal - effectiveKernel, stride) + 1;
    }

    private static long[] same(long in, long stride, long effectiveKernel, boolean lower) {
        long total = stride == 1 ? effectiveKernel - 1
                : Math.max((Math.floorDiv(in + stride - 1, stride) - 1) * stride + effectiveKernel - in, 0);
        long small = total / 2;
        long big = total - small;
        return lower ? new long[] {big, small} : new long[] {small, big};
    }

    /** Extra end padding so that floor-mode pooling gives ceil mode's size (PyTorch's and ONNX's rule). */
    private static long ceilExtra(long in, long stride, long effectiveKernel, long begin, long end) {
        long span = in + begin + end - effectiveKernel;
        if (span < 0) {
            return 0;
        }
        long out = Math.floorDiv(span + stride - 1, stride) + 1;
        if ((out - 1) * stride >= in + begin) {
            out--;   // the last window would start in the end padding
        }
        return Math.max(0, (out - 1) * stride + effectiveKernel - (in + begin + end));
    }

    static boolean symmetric(long[] p) {
        return p[0] == p[2] && p[1] == p[3];
    }

    static boolean zero(long[] p) {
        return p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0;
    }
}
