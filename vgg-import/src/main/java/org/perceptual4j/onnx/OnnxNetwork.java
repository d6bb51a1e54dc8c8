package org.perceptual4j.onnx;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import onnx.Onnx;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.autodiff.samediff.VariableType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.onnx.internal.OnnxModel;
import org.perceptual4j.onnx.internal.OnnxNode;

/**
 * An ONNX graph converted at load time: one {@link Op} per computing node, constants folded, every
 * node checked. {@link #define} adds the part of the network that the requested outputs need to a
 * SameDiff graph. Immutable after construction.
 */
final class OnnxNetwork {
    private final Path file;
    private final String inputName;
    private final long[] inputShape;
    private final List<Step> steps;
    private final Map<String, Integer> producers;
    private final Map<String, String> nodeNames;   // node name -> its output
    private final List<String> outputs;             // tap names in graph order
    private final Map<String, INDArray> constants;   // constant inputs of the steps, immutable

    private record Step(OnnxNode node, Op op) {
    }

    private OnnxNetwork(Path file, String inputName, long[] inputShape, List<Step> steps, Map<String, INDArray> constants) {
        this.file = file;
        this.inputName = inputName;
        this.inputShape = inputShape;
        this.steps = List.copyOf(steps);
        this.constants = constants;
        Map<String, Integer> p = new HashMap<>();
        Map<String, String> names = new LinkedHashMap<>();
        List<String> outs = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            OnnxNode n = steps.get(i).node();
            String out = n.outputs().get(0);
            p.put(out, i);
            outs.add(out);
            if (!n.name().isEmpty() && !n.name().equals(out)) {
                names.putIfAbsent(n.name(), out);
            }
        }
        this.producers = Map.copyOf(p);
        this.nodeNames = java.util.Collections.unmodifiableMap(names);
        this.outputs = List.copyOf(outs);
    }

    /**
     * Converts a model: checks every node before anything is computed.
     *
     * @param requestedInput the graph input to feed, or null for the only one
     */
    static OnnxNetwork convert(OnnxModel model, String requestedInput) throws OnnxImportException {
        Path file = model.file();
        Onnx.ValueInfoProto input = chooseInput(model, requestedInput);
        long[] inputShape = inputShape(file, input);
        List<OnnxNode> unsupported = new ArrayList<>();
        for (OnnxNode n : model.nodes()) {
            if (!OnnxOps.isSupported(n)) {
                unsupported.add(n);
            }
        }
        if (!unsupported.isEmpty()) {
            StringBuilder sb = new StringBuilder(file + ": unsupported ONNX operator" + (unsupported.size() > 1 ? "s" : "") + ": ");
            for (int i = 0; i < Math.min(unsupported.size(), 10); i++) {
                sb.append(i == 0 ? "" : "; ").append(unsupported.get(i).describe());
            }
            if (unsupported.size() > 10) {
                sb.append("; and ").append(unsupported.size() - 10).append(" more");
            }
            sb.append(". Supported: ").append(String.join(", ", OnnxOps.SUPPORTED));
            throw new OnnxImportException(sb.toString());
        }
        Set<String> consumed = new HashSet<>(model.outputs());
        for (OnnxNode n : model.nodes()) {
            consumed.addAll(n.inputs());
        }
        Constants constants = new Constants(model);
        Set<String> dynamic = new HashSet<>();
        dynamic.add(input.getName());
        List<Step> steps = new ArrayList<>();
        for (OnnxNode n : model.nodes()) {
            for (String in : n.inputs()) {
                if (!in.isEmpty() && !dynamic.contains(in) && !constants.contains(in)) {
                    boolean otherInput = model.inputs().stream().anyMatch(v -> v.getName().equals(in));
                    throw n.error(otherInput ? "uses the graph input '" + in + "', but only '" + input.getName() + "' is fed"
                            : "input '" + in + "' is neither a graph input, an initializer nor the output of an earlier node");
                }
            }
            if (n.outputs().isEmpty() || n.outputs().get(0).isEmpty()) {
                throw n.error("no output");
            }
            for (int k = 1; k < n.outputs().size(); k++) {
                String extra = n.outputs().get(k);
                if (!extra.isEmpty() && consumed.contains(extra)) {
                    throw n.error("output " + (k + 1) + " '" + extra + "' is used, but only the first output of "
                            + n.opType() + " is supported");
                }
            }
            String out = n.outputs().get(0);
            if (n.opType().equals("Constant")) {
                constants.putTensor(out, n.constantValue());
                continue;
            }
            Op op = OnnxOps.lower(n, constants, model.opset());
            boolean allConstant = op.dataInputs().stream().allMatch(constants::contains);
            if (allConstant && op instanceof OnnxOps.PassThrough pass) {
                constants.alias(out, pass.input());
            } else if (allConstant) {
                constants.putArray(out, fold(file, n, op, constants));
            } else {
                steps.add(new Step(n, op));
                dynamic.add(out);
            }
        }
        Set<String> used = new HashSet<>();
        for (Step s : steps) {
            s.op().dataInputs().stream().filter(constants::contains).forEach(used::add);
        }
        return new OnnxNetwork(file, input.getName(), inputShape, steps, constants.freeze(used));
    }

    private static Onnx.ValueInfoProto chooseInput(OnnxModel model, String requested) throws OnnxImportException {
        List<String> names = model.inputs().stream().map(Onnx.ValueInfoProto::getName).toList();
        if (requested != null) {
            return model.inputs().stream().filter(v -> v.getName().equals(requested)).findFirst()
                    .orElseThrow(() -> new OnnxImportException(model.file() + ": no graph input named '" + requested
                            + "'; the inputs are " + names));
        }
        if (names.size() != 1) {
            throw new OnnxImportException(model.file() + ": expected one image input, found " + names.size() + " graph inputs "
                    + names + (names.isEmpty() ? "" : "; choose one with OnnxFeatureExtractor.builder().input(name)"));
        }
        return model.inputs().get(0);
    }

    private static long[] inputShape(Path file, Onnx.ValueInfoProto input) throws OnnxImportException {
        long[] shape = {-1, 3, -1, -1};
        if (!input.hasType() || !input.getType().hasTensorType()) {
            return shape;
        }
        Onnx.TypeProto.Tensor t = input.getType().getTensorType();
        if (t.getElemType() != 0 && t.getElemType() != Onnx.TensorProto.DataType.FLOAT_VALUE) {
            throw new OnnxImportException(file + ": input '" + input.getName() + "' has element type "
                    + Onnx.TensorProto.DataType.forNumber(t.getElemType()) + "; only FLOAT image inputs are supported");
        }
        if (t.hasShape()) {
            List<Onnx.TensorShapeProto.Dimension> dims = t.getShape().getDimList();
            if (dims.size() != 4 || (dims.get(1).hasDimValue() && dims.get(1).getDimValue() != 3)) {
                throw new OnnxImportException(file + ": input '" + input.getName() + "' has shape "
                        + dims.stream().map(d -> d.hasDimValue() ? String.valueOf(d.getDimValue()) : d.getDimParam()).toList()
                        + "; expected an image batch [N, 3, H, W]");
            }
            for (int i = 0; i < 4; i++) {
                if (dims.get(i).hasDimValue() && i < 2) {
                    shape[i] = dims.get(i).getDimValue();
                }
            }
        }
        return shape;
    }

    /** Evaluates a node whose inputs are all constants, once, at load. */
    private static INDArray fold(Path file, OnnxNode n, Op op, Constants constants) throws OnnxImportException {
        SameDiff sd = SameDiff.create();
        DefineContext ctx = new DefineContext(sd, "fold/", file);
        ctx.at(n);
        List<String> in = op.dataInputs();
        Value[] values = new Value[in.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = ctx.constant(in.get(i), constants.floatArray(in.get(i)));
        }
        try {
            Value out = op.define(ctx, values, n.outputs().get(0));
            return sd.output(Map.of(), out.var().name()).get(out.var().name()).dup();
        } catch (RuntimeException e) {
            throw n.error("cannot evaluate on constant inputs: " + e.getMessage());
        }
    }

    Path file() {
        return file;
    }

    String inputName() {
        return inputName;
    }

    /** Outputs of the computing nodes in graph order: the names features can be requested by. */
    List<String> outputs() {
        return outputs;
    }

    /** Node name to output name, for nodes whose name differs from their output. */
    Map<String, String> nodeNames() {
        return nodeNames;
    }

    /**
     * Adds the nodes the requested outputs depend on to {@code sd}.
     *
     * @param outputNames canonical output names (from {@link #outputs()})
     * @return variable of each requested output
     */
    Map<String, SDVariable> define(SameDiff sd, SDVariable input, Collection<String> outputNames) {
        boolean[] needed = new boolean[steps.size()];
        Deque<String> todo = new ArrayDeque<>(outputNames);
        while (!todo.isEmpty()) {
            Integer i = producers.get(todo.pop());
            if (i != null && !needed[i]) {
                needed[i] = true;
                todo.addAll(steps.get(i).op().dataInputs());
            }
        }
        DefineContext ctx = new DefineContext(sd, uniquePrefix(sd), file);
        Map<String, Value> values = new HashMap<>();
        values.put(inputName, new Value(input, shapeOf(input)));
        for (int i = 0; i < steps.size(); i++) {
            if (!needed[i]) {
                continue;
            }
            Step s = steps.get(i);
            ctx.at(s.node());
            List<String> names = s.op().dataInputs();
            Value[] in = new Value[names.size()];
            for (int k = 0; k < in.length; k++) {
                String n = names.get(k);
                Value v = values.get(n);
                if (v == null) {
                    v = ctx.constant(n, constants.get(n));
                    values.put(n, v);
                }
                in[k] = v;
            }
            values.put(s.node().outputs().get(0), s.op().define(ctx, in, s.node().outputs().get(0)));
        }
        Map<String, SDVariable> result = new LinkedHashMap<>();
        for (String o : outputNames) {
            result.put(o, values.get(o).var());
        }
        return result;
    }

    /** The input's shape if SameDiff knows it, else the file's input shape with unknown sizes. */
    private long[] shapeOf(SDVariable input) {
        long[] s = null;
        VariableType type = input.getVariableType();
        if (type == VariableType.VARIABLE || type == VariableType.CONSTANT) {
            s = input.getArr() == null ? null : input.getArr().shape();
        } else {
            s = input.getShape();   // declared for placeholders; often unknown for computed values
        }
        if (s == null || s.length != 4) {
            return inputShape.clone();
        }
        return s.clone();
    }

    private static String uniquePrefix(SameDiff sd) {
        String prefix = "onnx/";
        for (int i = 1; hasPrefix(sd, prefix); i++) {
            prefix = "onnx" + i + "/";
        }
        return prefix;
    }

    private static boolean hasPrefix(SameDiff sd, String prefix) {
        for (SDVariable v : sd.variables()) {
            if (v.name().startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return file + " (" + steps.size() + " nodes, input '" + inputName + "' " + Arrays.toString(inputShape) + ")";
    }
}
