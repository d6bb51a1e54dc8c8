package org.perceptual4j.onnx.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.perceptual4j.onnx.OnnxImportException;

/** One node of an ONNX graph with typed attribute access; errors name the file and the node. */
public final class OnnxNode {
    private final Path file;
    private final String name;
    private final String opType;
    private final String domain;
    private final int index;
    private final int count;
    private final List<String> inputs;
    private final List<String> outputs;
    private final Map<String, Onnx.AttributeProto> attributes = new LinkedHashMap<>();

    OnnxNode(Path file, Onnx.NodeProto proto, int index, int count) {
        this.file = file;
        this.name = proto.getName();
        this.opType = proto.getOpType();
        this.domain = proto.getDomain();
        this.index = index;
        this.count = count;
        this.inputs = List.copyOf(proto.getInputList());
        this.outputs = List.copyOf(proto.getOutputList());
        for (Onnx.AttributeProto a : proto.getAttributeList()) {
            attributes.put(a.getName(), a);
        }
    }

    public String name() {
        return name;
    }

    public String opType() {
        return opType;
    }

    /** Operator domain; empty (or "ai.onnx") for standard operators. */
    public String domain() {
        return domain;
    }

    public boolean isStandardDomain() {
        return domain.isEmpty() || domain.equals("ai.onnx");
    }

    /** Position of the node in the graph, from 0. */
    public int index() {
        return index;
    }

    /** Input names; an empty name marks an omitted optional input. */
    public List<String> inputs() {
        return inputs;
    }

    /** The i-th input, or "" when the node has fewer inputs (omitted optional input). */
    public String input(int i) {
        return i < inputs.size() ? inputs.get(i) : "";
    }

    public List<String> outputs() {
        return outputs;
    }

    public Path file() {
        return file;
    }

    /** {@code node 'Conv_3' (Conv, node 4 of 57)}; unnamed nodes are described by their first output. */
    public String describe() {
        String label = !name.isEmpty() ? "node '" + name + "'"
                : outputs.isEmpty() ? "unnamed node" : "node with output '" + outputs.get(0) + "'";
        return label + " (" + (isStandardDomain() ? "" : domain + ".") + opType + ", node " + (index + 1) + " of " + count + ")";
    }

    /** An exception whose message names the file and this node. */
    public OnnxImportException error(String message) {
        return new OnnxImportException(file + ": " + describe() + ": " + message);
    }

    public boolean has(String attribute) {
        return attributes.containsKey(attribute);
    }

    public long longAttr(String attribute, long defaultValue) throws OnnxImportException {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return defaultValue;
        }
        expect(a, Onnx.AttributeProto.AttributeType.INT);
        return a.getI();
    }

    public float floatAttr(String attribute, float defaultValue) throws OnnxImportException {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return defaultValue;
        }
        if (a.getType() == Onnx.AttributeProto.AttributeType.INT) {
            return a.getI();   // a few exporters write integral floats as INT
        }
        expect(a, Onnx.AttributeProto.AttributeType.FLOAT);
        return a.getF();
    }

    public String stringAttr(String attribute, String defaultValue) throws OnnxImportException {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return defaultValue;
        }
        expect(a, Onnx.AttributeProto.AttributeType.STRING);
        return a.getS().toString(StandardCharsets.UTF_8);
    }

    /** An INTS attribute, or {@code defaultValue} (may be null) if absent. */
    public long[] longsAttr(String attribute, long[] defaultValue) throws OnnxImportException {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return defaultValue;
        }
        expect(a, Onnx.AttributeProto.AttributeType.INTS);
        return a.getIntsList().stream().mapToLong(Long::longValue).toArray();
    }

    /** A TENSOR attribute (e.g. Constant's value), or null if absent. */
    public OnnxTensor tensorAttr(String attribute) throws OnnxImportException {
        Onnx.AttributeProto a = attributes.get(attribute);
        if (a == null) {
            return null;
        }
        expect(a, Onnx.AttributeProto.AttributeType.TENSOR);
        return new OnnxTensor(file, a.getT());
    }

    /**
     * The value of a Constant node: attribute {@code value} (a tensor), or since opset 12
     * {@code value_float}, {@code value_floats}, {@code value_int}, {@code value_ints}.
     */
    public OnnxTensor constantValue() throws OnnxImportException {
        OnnxTensor t = tensorAttr("value");
        if (t != null) {
            return t;
        }
        Onnx.TensorProto.Builder b = Onnx.TensorProto.newBuilder().setName(outputs.isEmpty() ? name : outputs.get(0));
        Onnx.AttributeProto a;
        if ((a = attributes.get("value_float")) != null) {
            b.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addFloatData(a.getF());
        } else if ((a = attributes.get("value_floats")) != null) {
            b.setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE).addDims(a.getFloatsCount()).addAllFloatData(a.getFloatsList());
        } else if ((a = attributes.get("value_int")) != null) {
            b.setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addInt64Data(a.getI());
        } else if ((a = attributes.get("value_ints")) != null) {
            b.setDataType(Onnx.TensorProto.DataType.INT64_VALUE).addDims(a.getIntsCount()).addAllInt64Data(a.getIntsList());
        } else {
            throw error("expected a value, value_float(s) or value_int(s) attribute, found " + attributes.keySet());
        }
        return new OnnxTensor(file, b.build());
    }

    private void expect(Onnx.AttributeProto a, Onnx.AttributeProto.AttributeType type) throws OnnxImportException {
        // very old files leave the type UNDEFINED and only fill in the value field
        if (a.getType() != type && a.getType() != Onnx.AttributeProto.AttributeType.UNDEFINED) {
            throw error("attribute '" + a.getName() + "': expected " + type + ", got " + a.getType());
        }
    }

    @Override
    public String toString() {
        return describe() + " " + inputs + " -> " + outputs + " " + Arrays.toString(attributes.keySet().toArray());
    }
}
