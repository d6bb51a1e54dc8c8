package org.perceptual4j.onnx;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.onnx.internal.OnnxModel;
import org.perceptual4j.onnx.internal.OnnxNode;
import org.perceptual4j.onnx.internal.OnnxTensor;

/**
 * Values known when the file is loaded: initializers (parsed on first use), outputs of Constant nodes
 * and outputs of nodes whose inputs are all constants (folded at load).
 */
final class Constants {
    private final OnnxModel model;
    private final Map<String, OnnxTensor> tensors = new HashMap<>();
    private final Map<String, INDArray> arrays = new HashMap<>();
    private final Map<String, String> aliases = new HashMap<>();

    Constants(OnnxModel model) {
        this.model = model;
    }

    boolean contains(String name) {
        String n = resolve(name);
        return model.isInitializer(n) || tensors.containsKey(n) || arrays.containsKey(n);
    }

    void putTensor(String name, OnnxTensor tensor) {
        tensors.put(name, tensor);
    }

    void putArray(String name, INDArray array) {
        arrays.put(name, array);
    }

    /** {@code name} has the value of {@code source} (Identity or Dropout of a constant). */
    void alias(String name, String source) {
        aliases.put(name, resolve(source));
    }

    private String resolve(String name) {
        return aliases.getOrDefault(name, name);
    }

    /**
     * The values graphs still need (constant inputs of computing nodes) as FLOAT arrays, in an immutable
     * map: weights that ops converted to their own layout are not kept twice, and the network no longer
     * refers to the file's mapping.
     */
    Map<String, INDArray> freeze(java.util.Set<String> names) throws OnnxImportException {
        Map<String, INDArray> out = new HashMap<>();
        for (String n : names) {
            out.put(n, floatArray(n));
        }
        return Map.copyOf(out);
    }

    /** The ONNX tensor behind a name, or null for values computed at load. */
    private OnnxTensor tensor(String name) throws OnnxImportException {
        String n = resolve(name);
        OnnxTensor t = tensors.get(n);
        if (t == null && model.isInitializer(n) && !arrays.containsKey(n)) {
            t = model.initializer(n);
            tensors.put(n, t);
        }
        return t;
    }

    /** The value as a FLOAT array (shared: callers must not modify it). */
    INDArray floatArray(String name) throws OnnxImportException {
        String n = resolve(name);
        INDArray a = arrays.get(n);
        if (a == null) {
            OnnxTensor t = tensor(n);
            if (t == null) {
                throw new IllegalStateException("not a constant: " + name);
            }
            a = t.toFloatArray();
            arrays.put(n, a);
            tensors.remove(n);  // the array replaces the parsed tensor
        }
        return a;
    }

    /** Integer values (shapes, pads, axes) of an INT64/INT32 constant. */
    long[] longs(String name, OnnxNode node) throws OnnxImportException {
        String n = resolve(name);
        OnnxTensor t = arrays.containsKey(n) ? null : tensor(n);
        if (t != null) {
            if (!t.isInteger()) {
                throw node.error("input '" + name + "': expected an INT64 tensor, got " + t);
            }
            return t.toLongs();
        }
        INDArray a = arrays.get(n);
        double[] d = a.castTo(DataType.DOUBLE).reshape(a.length()).toDoubleVector();
        long[] out = new long[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = Math.round(d[i]);
        }
        return out;
    }

    /** A scalar (or one-element) floating-point constant, e.g. a Clip bound or a pad value. */
    double scalar(String name, OnnxNode node) throws OnnxImportException {
        String n = resolve(name);
        OnnxTensor t = arrays.containsKey(n) ? null : tensor(n);
        double[] v = t != null ? t.toDoubles() : arrays.get(n).castTo(DataType.DOUBLE).reshape(arrays.get(n).length()).toDoubleVector();
        if (v.length != 1) {
            throw node.error("input '" + name + "': expected a scalar, got " + v.length + " values " + Arrays.toString(Arrays.copyOf(v, Math.min(v.length, 8))));
        }
        return v[0];
    }
}
