package org.perceptual4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * Converts ONNX nodes to {@link Op}s. Opset differences handled here: Clip bounds (attributes before
 * opset 11, inputs after), Pad (attributes before 11, inputs after, {@code axes} from 18), Reshape
 * (attribute {@code shape} before 5), Add/Mul legacy broadcasting with {@code axis} (before 7),
 * Dropout's extra inputs (12+, ignored), BatchNormalization's {@code is_test} (before 7) and
 * {@code training_mode} (14+) (ignored: always inference), Gemm's optional C (11+), negative axes (11+).
 */
final class OnnxOps {
    /** Operators the importer maps, in the order the guide lists them. */
    static final List<String> SUPPORTED = List.of("Conv", "Relu", "LeakyRelu", "Clip", "MaxPool", "AveragePool",
            "GlobalAveragePool", "BatchNormalization", "Add", "Mul", "Concat", "Flatten", "Gemm", "MatMul", "Dropout",
            "Pad", "Reshape", "Sigmoid", "Identity", "Constant");
    private static final Set<String> SUPPORTED_SET = Set.copyOf(SUPPORTED);

    private OnnxOps() {
    }

    static boolean isSupported(OnnxNode node) {
        return node.isStandardDomain() && SUPPORTED_SET.contains(node.opType());
    }

    /** Converts a supported node (not Constant). */
    static Op lower(OnnxNode node, Constants constants, long opset) throws OnnxImportException {
        switch (node.opType()) {
            case "Conv":
                return new ConvOp(node, constants);
            case "MaxPool":
            case "AveragePool":
                return new PoolOp(node, opset);
            case "Relu":
                return unary(node, (ctx, x, name) -> ctx.sd().nn().relu(name, x, 0));
            case "Sigmoid":
                return unary(node, (ctx, x, name) -> ctx.sd().nn().sigmoid(name, x));
            case "LeakyRelu": {
                double alpha = node.floatAttr("alpha", 0.01f);
                return unary(node, (ctx, x, name) -> ctx.sd().nn().leakyRelu(name, x, alpha));
            }
            case "Identity":
            case "Dropout":
                return new PassThrough(node.input(0));
            case "Clip":
                return clip(node, constants, opset);
            case "GlobalAveragePool":
                return new GlobalAveragePool(node.input(0));
            case "BatchNormalization":
                return new BatchNorm(node, constants);
            case "Add":
            case "Mul":
                return new Binary(node, opset);
            case "Concat":
                return new Concat(node, opset);
            case "Flatten":
                return new Flatten(node.input(0), node.longAttr("axis", 1));
            case "Reshape":
                return new Reshape(node, constants, opset);
            case "Gemm":
                return new Gemm(node, constants);
            case "MatMul":
                return new MatMul(node);
            case "Pad":
                return new PadOp(node, constants, opset);
            default:
                throw node.error("unsupported operator");
        }
    }

    // ------------------------------------------------------------------ elementwise

    @FunctionalInterface
    interface UnaryFn {
        SDVariable apply(DefineContext ctx, SDVariable x, String name);
    }

    private static Op unary(OnnxNode node, UnaryFn fn) {
        String input = node.input(0);
        return new Op() {
            @Override
            public List<String> dataInputs() {
                return List.of(input);
            }

            @Override
            public Value define(DefineContext ctx, Value[] in, String name) {
                return new Value(fn.apply(ctx, in[0].var(), ctx.name(name)), in[0].shape());
            }
        };
    }

    /** Identity, and Dropout at inference (its ratio / training_mode inputs are ignored). */
    record PassThrough(String input) implements Op {
        @Override
        public List<String> dataInputs() {
            return List.of(input);
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            return in[0];
        }
    }

    private static Op clip(OnnxNode node, Constants constants, long opset) throws OnnxImportException {
        double lo;
        double hi;
        if (opset < 11) {
            lo = node.floatAttr("min", -Float.MAX_VALUE);
            hi = node.floatAttr("max", Float.MAX_VALUE);
        } else {
            lo = bound(node, constants, 1, -Float.MAX_VALUE);
            hi = bound(node, constants, 2, Float.MAX_VALUE);
        }
        if (lo > hi) {
            throw node.error("min " + lo + " > max " + hi);
        }
        boolean hasLo = lo > -Float.MAX_VALUE;
        boolean hasHi = hi < Float.MAX_VALUE;
        return unary(node, (ctx, x, name) -> {
            if (lo == 0 && !hasHi) {
                return ctx.sd().nn().relu(name, x, 0);
            }
            if (hasLo && hasHi) {
                return ctx.sd().math().clipByValue(name, x, lo, hi);
            }
            if (hasLo) {   // max(x, lo) = relu(x - lo) + lo
                return ctx.sd().nn().relu(x.sub(lo), 0).add(name, lo);
            }
            if (hasHi) {   // min(x, hi) = hi - relu(hi - x)
                return ctx.sd().nn().relu(x.rsub(hi), 0).rsub(name, hi);
            }
            return ctx.sd().identity(name, x);
        });
    }

    private static double bound(OnnxNode node, Constants constants, int index, double absent) throws OnnxImportException {
        String name = node.input(index);
        if (name.isEmpty()) {
            return absent;
        }
        if (!constants.contains(name)) {
            throw node.error("the " + (index == 1 ? "min" : "max") + " input '" + name + "' must be a constant");
        }
        return constants.scalar(name, node);
    }

    record GlobalAveragePool(String input) implements Op {
        @Override
        public List<String> dataInputs() {
            return List.of(input);
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value x = in[0];
            if (x.rank() < 3) {
                throw ctx.error("expected an N x C x spatial input, got " + x.describe());
            }
            int[] dims = new int[x.rank() - 2];
            long[] shape = x.shape().clone();
            for (int i = 0; i < dims.length; i++) {
                dims[i] = i + 2;
                shape[i + 2] = 1;
            }
            return new Value(ctx.sd().mean(ctx.name(name), x.var(), true, dims), shape);
        }
    }

    /**
     * BatchNormalization folded into a per-channel scale and shift, x * a + b: always the inference form
     * with the running statistics (a frozen network), whatever is_test (opset < 7) or training_mode
     * (opset >= 14) say; {@code spatial} (opset < 7) only matters for per-position parameters, which are
     * rejected.
     */
    static final class BatchNorm implements Op {
        private final String input;
        private final INDArray scale;
        private final INDArray shift;

        BatchNorm(OnnxNode node, Constants constants) throws OnnxImportException {
            this.input = node.input(0);
            INDArray[] p = new INDArray[4];
            for (int i = 0; i < 4; i++) {
                String n = node.input(i + 1);
                if (n.isEmpty() || !constants.contains(n)) {
                    throw node.error("scale, B, mean and var must be initializers or constants, input " + (i + 1) + " is '" + n + "'");
                }
                p[i] = constants.floatArray(n).castTo(DataType.DOUBLE);
            }
            long c = p[0].length();
            for (INDArray a : p) {
                if (a.length() != c) {
                    throw node.error("expected scale, B, mean and var of " + c + " values each (per channel), got "
                            + Arrays.toString(Arrays.stream(p).map(q -> Arrays.toString(q.shape())).toArray()));
                }
            }
            double eps = node.floatAttr("epsilon", 1e-5f);
            INDArray a = p[0].reshape(c).div(Transforms.sqrt(p[3].reshape(c).add(eps), false));
            this.scale = a.castTo(DataType.FLOAT);
            this.shift = p[1].reshape(c).sub(p[2].reshape(c).mul(a)).castTo(DataType.FLOAT);
        }

        @Override
        public List<String> dataInputs() {
            return List.of(input);
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value x = in[0];
            long c = scale.length();
            if (x.rank() < 2 || (x.dim(1) >= 0 && x.dim(1) != c)) {
                throw ctx.error("expected an input with " + c + " channels in dimension 1, got " + x.describe());
            }
            long[] s = new long[x.rank()];
            Arrays.fill(s, 1);
            s[1] = c;
            SDVariable a = ctx.constant(name + "_scale", scale.reshape(s)).var();
            SDVariable b = ctx.constant(name + "_shift", shift.reshape(s)).var();
            return new Value(x.var().mul(a).add(ctx.name(name), b), x.shape());
        }
    }

    // ------------------------------------------------------------------ binary and shape ops

    /** Add and Mul with NumPy broadcasting, or (before opset 7) ONNX's legacy broadcast/axis attributes. */
    static final class Binary implements Op {
        private final boolean add;
        private final List<String> inputs;
        private final boolean legacyBroadcast;
        private final long axis;

        Binary(OnnxNode node, long opset) throws OnnxImportException {
            this.add = node.opType().equals("Add");
            this.inputs = List.of(node.input(0), node.input(1));
            this.legacyBroadcast = opset < 7 && node.longAttr("broadcast", 0) != 0;
            this.axis = node.longAttr("axis", Long.MIN_VALUE);
        }

        @Override
        public List<String> dataInputs() {
            return inputs;
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value a = in[0];
            Value b = in[1];
            if (legacyBroadcast && axis != Long.MIN_VALUE) {
                // B's dimensions line up with A's starting at axis
                long start = axis < 0 ? axis + a.rank() : axis;
                long[] s = new long[a.rank()];
                Arrays.fill(s, 1);
                if (start < 0 || start + b.rank() > a.rank()) {
                    throw ctx.error("legacy broadcast axis " + axis + " does not fit " + a.describe() + " and " + b.describe());
                }
                System.arraycopy(b.shape(), 0, s, (int) start, b.rank());
                b = reshape(ctx, b, s);
            }
            int rank = Math.max(a.rank(), b.rank());
            a = expandRank(ctx, a, rank);
            b = expandRank(ctx, b, rank);
            long[] shape = new long[rank];
            for (int i = 0; i < rank; i++) {
                long x = a.dim(i);
                long y = b.dim(i);
                if (x == 1) {
                    shape[i] = y;
                } else if (y == 1) {
                    shape[i] = x;
                } else if (x >= 0 && y >= 0 && x != y) {
                    throw ctx.error("cannot broadcast " + a.describe() + " and " + b.describe());
                } else {
                    shape[i] = Math.max(x, y);
                }
            }
            SDVariable out = add ? a.var().add(ctx.name(name), b.var()) : a.var().mul(ctx.name(name), b.var());
            return new Value(out, shape);
        }
    }

    /** Prepends 1s to a value's shape up to {@code rank} (NumPy broadcasting aligns trailing dimensions). */
    static Value expandRank(DefineContext ctx, Value v, int rank) {
        if (v.rank() == rank) {
            return v;
        }
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        System.arraycopy(v.shape(), 0, s, rank - v.rank(), v.rank());
        return reshape(ctx, v, s);
    }

    static Value reshape(DefineContext ctx, Value v, long[] shape) {
        if (Arrays.equals(v.shape(), shape)) {
            return v;
        }
        int unknown = 0;
        for (long d : shape) {
            unknown += d < 0 ? 1 : 0;
        }
        if (unknown > 1) {
            throw ctx.error("reshaping " + v.describe() + " to " + Arrays.toString(shape)
                    + " needs more of the input's shape; define the graph with an input of known shape");
        }
        return new Value(ctx.sd().reshape(v.var(), shape), shape);
    }

    record Concat(List<String> inputs, long axis) implements Op {
        Concat(OnnxNode node, long opset) throws OnnxImportException {
            this(node.inputs(), axisOf(node, opset));
        }

        private static long axisOf(OnnxNode node, long opset) throws OnnxImportException {
            if (!node.has("axis") && opset >= 4) {
                throw node.error("missing the required attribute axis");
            }
            return node.longAttr("axis", 1);
        }

        @Override
        public List<String> dataInputs() {
            return inputs;
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            int rank = in[0].rank();
            int ax = (int) (axis < 0 ? axis + rank : axis);
            if (ax < 0 || ax >= rank) {
                throw ctx.error("axis " + axis + " out of range for " + in[0].describe());
            }
            long[] shape = in[0].shape().clone();
            SDVariable[] vars = new SDVariable[in.length];
            for (int i = 0; i < in.length; i++) {
                if (in[i].rank() != rank) {
                    throw ctx.error("inputs of different ranks: " + in[0].describe() + " and " + in[i].describe());
                }
                vars[i] = in[i].var();
                if (i > 0) {
                    shape[ax] = shape[ax] < 0 || in[i].dim(ax) < 0 ? -1 : shape[ax] + in[i].dim(ax);
                }
            }
            return new Value(ctx.sd().concat(ctx.name(name), ax, vars), shape);
        }
    }

    record Flatten(String input, long axis) implements Op {
        @Override
        public List<String> dataInputs() {
            return List.of(input);
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value x = in[0];
            int ax = (int) (axis < 0 ? axis + x.rank() : axis);
            if (ax < 0 || ax > x.rank()) {
                throw ctx.error("axis " + axis + " out of range for " + x.describe());
            }
            long outer = x.product(0, ax);
            long inner = x.product(ax, x.rank());
            if (outer < 0 && inner < 0) {
                throw ctx.error("flattening " + x.describe() + " needs more of the input's shape; define the graph with an input of known shape");
            }
            long[] shape = {outer, inner};
            return new Value(ctx.sd().reshape(ctx.name(name), x.var(), shape), shape);
        }
    }

    /** Reshape with a constant target shape (input since opset 5, attribute before); 0 copies a dimension. */
    static final class Reshape implements Op {
        private final String input;
        private final long[] target;

        Reshape(OnnxNode node, Constants constants, long opset) throws OnnxImportException {
            this.input = node.input(0);
            if (opset < 5) {
                target = node.longsAttr("shape", null);
                if (target == null) {
                    throw node.error("missing the attribute shape");
                }
            } else {
                String s = node.input(1);
                if (s.isEmpty() || !constants.contains(s)) {
                    throw node.error("the shape input '" + s + "' must be an initializer or constant (computed shapes are not supported)");
                }
                target = constants.longs(s, node);
            }
            if (node.longAttr("allowzero", 0) != 0 && Arrays.stream(target).anyMatch(d -> d == 0)) {
                throw node.error("allowzero with a 0 in the shape (an empty tensor) is not supported");
            }
            if (Arrays.stream(target).filter(d -> d == -1).count() > 1 || Arrays.stream(target).anyMatch(d -> d < -1)) {
                throw node.error("invalid shape " + Arrays.toString(target));
            }
        }

        @Override
        public List<String> dataInputs() {
            return List.of(input);
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value x = in[0];
            long[] shape = target.clone();
            int infer = -1;
            for (int i = 0; i < shape.length; i++) {
                if (shape[i] == 0) {
                    if (i >= x.rank()) {
                        throw ctx.error("shape " + Arrays.toString(target) + " copies dimension " + i + " of " + x.describe());
                    }
                    shape[i] = x.dim(i);
                }
                if (shape[i] < 0) {
                    if (infer >= 0) {
                        throw ctx.error("reshaping " + x.describe() + " to " + Arrays.toString(target)
                                + " needs more of the input's shape; define the graph with an input of known shape");
                    }
                    infer = i;
                }
            }
            long total = x.product(0, x.rank());
            if (infer >= 0 && total >= 0) {
                long rest = 1;
                for (int i = 0; i < shape.length; i++) {
                    rest *= i == infer ? 1 : shape[i];
                }
                if (rest == 0 || total % rest != 0) {
                    throw ctx.error("cannot reshape " + x.describe() + " to " + Arrays.toString(target));
                }
                shape[infer] = total / rest;
            } else if (infer < 0 && total >= 0 && Arrays.stream(shape).reduce(1, (p, q) -> p * q) != total) {
                throw ctx.error("cannot reshape " + x.describe() + " (" + total + " values) to " + Arrays.toString(shape));
            }
            return new Value(ctx.sd().reshape(ctx.name(name), x.var(), shape), shape);
        }
    }

    // ------------------------------------------------------------------ dense

    /** Gemm: alpha * A' B' + beta * C; a constant B is scaled by alpha once, at load. */
    static final class Gemm implements Op {
        private final List<String> inputs;
        private final boolean transA;
        private final boolean transB;
        private final double alpha;
        private final double beta;
        private final INDArray constantB;   // as stored, alpha applied; null if B is computed
        private final INDArray constantC;   // beta applied; null if absent or computed
        private final boolean hasC;

        Gemm(OnnxNode node, Constants constants) throws OnnxImportException {
            this.transA = node.longAttr("transA", 0) != 0;
            this.transB = node.longAttr("transB", 0) != 0;
            this.alpha = node.floatAttr("alpha", 1f);
            this.beta = node.floatAttr("beta", 1f);
            String b = node.input(1);
            String c = node.input(2);
            this.hasC = !c.isEmpty() && beta != 0;
            if (constants.contains(b)) {
                INDArray bArr = constants.floatArray(b);
                if (bArr.rank() != 2) {
                    throw node.error("expected a 2-D B, got " + Arrays.toString(bArr.shape()));
                }
                // kept as stored (a VGG classifier's B is 411 MB): mmul transposes on the fly
                constantB = alpha == 1 ? bArr : bArr.mul(alpha);
            } else {
                constantB = null;
            }
            if (hasC && constants.contains(c)) {
                INDArray cArr = constants.floatArray(c);
                cArr = beta == 1 ? cArr : cArr.mul(beta);
                constantC = cArr.rank() == 1 ? cArr.reshape(1, cArr.length()) : cArr;
            } else {
                constantC = null;
            }
            List<String> in = new ArrayList<>();
            in.add(node.input(0));
            if (constantB == null) {
                in.add(b);
            }
            if (hasC && constantC == null) {
                in.add(c);
            }
            this.inputs = List.copyOf(in);
        }

        @Override
        public List<String> dataInputs() {
            return inputs;
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value a = in[0];
            int next = 1;
            Value b = constantB != null ? ctx.constant(name + "_B", constantB) : in[next++];
            boolean tb = transB;
            if (a.rank() != 2 || b.rank() != 2) {
                throw ctx.error("expected 2-D A and B, got A " + a.describe() + " and B " + b.describe()
                        + (a.rank() != 2 ? " (a Flatten before Gemm is missing?)" : ""));
            }
            long k = a.dim(transA ? 0 : 1);
            long kb = b.dim(tb ? 1 : 0);
            if (k >= 0 && kb >= 0 && k != kb) {
                throw ctx.error("A " + a.describe() + " has " + k + " features where B expects " + kb
                        + "; the input image size probably differs from the one the network was exported for");
            }
            long[] shape = {a.dim(transA ? 1 : 0), b.dim(tb ? 0 : 1)};
            boolean scaleLater = constantB == null && alpha != 1;
            boolean last = !hasC && !scaleLater;
            SDVariable y = ctx.sd().mmul(last ? ctx.name(name) : ctx.name(name + "_mm"), a.var(), b.var(), transA, tb, false);
            if (scaleLater) {
                y = hasC ? y.mul(alpha) : y.mul(ctx.name(name), alpha);
            }
            if (hasC) {
                SDVariable c = constantC != null ? ctx.constant(name + "_C", constantC).var()
                        : beta == 1 ? in[next].var() : in[next].var().mul(beta);
                y = y.add(ctx.name(name), c);
            }
            return new Value(y, shape);
        }
    }

    /** MatMul of a 2-D or higher-rank A by a 2-D B. */
    static final class MatMul implements Op {
        private final List<String> inputs;

        MatMul(OnnxNode node) {
            this.inputs = List.of(node.input(0), node.input(1));
        }

        @Override
        public List<String> dataInputs() {
            return inputs;
        }

        @Override
        public Value define(DefineContext ctx, Value[] in, String name) {
            Value a = in[0];
            Value b = in[1];
            if (a.rank() < 2 || b.rank() != 2) {
                throw ctx.error("supported: MatMul of a 2-D or higher-rank A by a 2-D B, got A " + a.describe() + " and B " + b.describe());
            }
            long k = a.dim(a.rank() - 1);
            if (k >= 0 && b.dim(0) >= 0 && k != b.dim(0)) {
                throw ctx.error("A " + a.describe() + " has " + k + " columns where B " + b.describe() + " has " + b.dim(0) + " rows");
            }
            if (a.rank() == 2) {
                return new Value(ctx.sd().mmul(ctx.name(name), a.var(), b.var()), new long[] {a.dim(0), b.dim(1)});
            }
            if (k < 0) {
                throw ctx.error("MatMul of " + a.describe() + " needs its last dimension; define the graph with an input of known shape");
            }
            long[] outShape = a.shape().clone();
            outShape[outShape.length - 1] = b.dim(1);
            if (Arrays.stream(outShape).filter(d -> d < 0).count() > 1) {
                throw ctx.error("MatMul of " + a.describe() + " needs more of the input's shape; define the graph with an input of known shape");
            }
            SDVariable flat = ctx.sd().reshape(a.var(), -1, k);
            SDVariable y = ctx.sd().mmul(flat, b.var());
            return new Value(ctx.sd().reshape(ctx.name(name), y, outShape), outShape);
        }
    }
}
