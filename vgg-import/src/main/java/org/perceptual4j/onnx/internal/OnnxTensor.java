package org.perceptual4j.onnx.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import onnx.Onnx;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.shade.protobuf.Internal;
import org.perceptual4j.onnx.OnnxImportException;

/**
 * An ONNX tensor (initializer or Constant value) and its conversion to ND4J arrays.
 *
 * <p>Floating-point tensors (FLOAT, FLOAT16, BFLOAT16, DOUBLE) become FLOAT arrays; integer tensors
 * (INT64, INT32) become long values. Data may be in {@code raw_data} (little-endian, copied straight
 * from the mapped file into the array's native memory) or in the typed fields ({@code float_data},
 * {@code double_data}, {@code int32_data} (also FLOAT16 bits), {@code int64_data}).
 */
public final class OnnxTensor {
    private final Path file;
    private final Onnx.TensorProto proto;
    private final long[] dims;

    OnnxTensor(Path file, Onnx.TensorProto proto) throws OnnxImportException {
        this.file = file;
        this.proto = proto;
        this.dims = proto.getDimsList().stream().mapToLong(Long::longValue).toArray();
        for (long d : dims) {
            if (d < 0) {
                throw error("negative dimension in " + Arrays.toString(dims));
            }
        }
        if (proto.getDataLocation() == Onnx.TensorProto.DataLocation.EXTERNAL) {
            String location = proto.getExternalDataList().stream().filter(e -> e.getKey().equals("location"))
                    .map(Onnx.StringStringEntryProto::getValue).findFirst().orElse("?");
            throw error("its data is stored in the external file '" + location + "' (ONNX external data), which is "
                    + "not supported; save the model as a single file, e.g. onnx.save_model(model, path, "
                    + "save_as_external_data=False) for models under 2 GiB");
        }
    }

    public String name() {
        return proto.getName();
    }

    public long[] dims() {
        return dims.clone();
    }

    public long length() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The ONNX element type name, e.g. FLOAT, INT64. */
    public String dataTypeName() {
        Onnx.TensorProto.DataType t = Onnx.TensorProto.DataType.forNumber(proto.getDataType());
        return t == null ? "type " + proto.getDataType() : t.name();
    }

    public boolean isInteger() {
        int t = proto.getDataType();
        return t == Onnx.TensorProto.DataType.INT64_VALUE || t == Onnx.TensorProto.DataType.INT32_VALUE;
    }

    /** The values as a FLOAT array of shape {@link #dims()} (FLOAT16, BFLOAT16, DOUBLE and integers converted). */
    public INDArray toFloatArray() throws OnnxImportException {
        long n = length();
        if (n == 0 || n > Integer.MAX_VALUE) {
            throw error("unsupported size " + Arrays.toString(dims));
        }
        ByteBuffer raw = proto.getRawData().isEmpty() ? null : proto.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        int type = proto.getDataType();
        switch (type) {
            case Onnx.TensorProto.DataType.FLOAT_VALUE: {
                INDArray out = Nd4j.createUninitialized(DataType.FLOAT, dims, 'c');
                java.nio.FloatBuffer dst = nio(out).asFloatBuffer();
                if (raw != null) {
                    checkRawSize(raw, n, 4);
                    copyRaw(raw, out, () -> dst.put(raw.asFloatBuffer()));
                } else {
                    List<Float> values = proto.getFloatDataList();
                    checkCount(values.size(), n, "float_data");
                    if (values instanceof Internal.FloatList f) {
                        for (int i = 0; i < n; i++) {
                            dst.put(i, f.getFloat(i));
                        }
                    } else {
                        for (int i = 0; i < n; i++) {
                            dst.put(i, values.get(i));
                        }
                    }
                }
                return out;
            }
            case Onnx.TensorProto.DataType.DOUBLE_VALUE: {
                INDArray out = Nd4j.createUninitialized(DataType.DOUBLE, dims, 'c');
                java.nio.DoubleBuffer dst = nio(out).asDoubleBuffer();
                if (raw != null) {
                    checkRawSize(raw, n, 8);
                    copyRaw(raw, out, () -> dst.put(raw.asDoubleBuffer()));
                } else {
                    checkCount(proto.getDoubleDataCount(), n, "double_data");
                    for (int i = 0; i < n; i++) {
                        dst.put(i, proto.getDoubleData(i));
                    }
                }
                return out.castTo(DataType.FLOAT);
            }
            case Onnx.TensorProto.DataType.FLOAT16_VALUE:
            case Onnx.TensorProto.DataType.BFLOAT16_VALUE: {
                // 16-bit floats: raw_data holds them little-endian, int32_data one per element (low 16 bits)
                INDArray out = Nd4j.createUninitialized(type == Onnx.TensorProto.DataType.FLOAT16_VALUE
                        ? DataType.HALF : DataType.BFLOAT16, dims, 'c');
                java.nio.ShortBuffer dst = nio(out).asShortBuffer();
                if (raw != null) {
                    checkRawSize(raw, n, 2);
                    copyRaw(raw, out, () -> dst.put(raw.asShortBuffer()));
                } else {
                    checkCount(proto.getInt32DataCount(), n, "int32_data");
                    for (int i = 0; i < n; i++) {
                        dst.put(i, (short) proto.getInt32Data(i));
                    }
                }
                return out.castTo(DataType.FLOAT);
            }
            case Onnx.TensorProto.DataType.INT64_VALUE:
            case Onnx.TensorProto.DataType.INT32_VALUE: {
                long[] v = toLongs();
                float[] f = new float[v.length];
                for (int i = 0; i < v.length; i++) {
                    f[i] = v[i];
                }
                return Nd4j.create(f, dims, 'c');
            }
            default:
                throw error("unsupported element type " + dataTypeName() + " (expected FLOAT, FLOAT16, BFLOAT16, DOUBLE, INT32 or INT64)");
        }
    }

    /** The values of an INT64 or INT32 tensor (shapes, pads, axes). */
    public long[] toLongs() throws OnnxImportException {
        long n = length();
        if (n > 1 << 20) {
            throw error("expected a small integer tensor, got " + Arrays.toString(dims));
        }
        ByteBuffer raw = proto.getRawData().isEmpty() ? null : proto.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        long[] out = new long[(int) n];
        switch (proto.getDataType()) {
            case Onnx.TensorProto.DataType.INT64_VALUE:
                if (raw != null) {
                    checkRawSize(raw, n, 8);
                    raw.asLongBuffer().get(out);
                } else {
                    checkCount(proto.getInt64DataCount(), n, "int64_data");
                    for (int i = 0; i < n; i++) {
                        out[i] = proto.getInt64Data(i);
                    }
                }
                return out;
            case Onnx.TensorProto.DataType.INT32_VALUE:
                if (raw != null) {
                    checkRawSize(raw, n, 4);
                    for (int i = 0; i < n; i++) {
                        out[i] = raw.getInt(4 * i);
                    }
                } else {
                    checkCount(proto.getInt32DataCount(), n, "int32_data");
                    for (int i = 0; i < n; i++) {
                        out[i] = proto.getInt32Data(i);
                    }
                }
                return out;
            default:
                throw error("expected an INT64 or INT32 tensor, got " + dataTypeName());
        }
    }

    /** The values of a small floating-point (or integer) tensor as doubles, e.g. a Clip bound. */
    public double[] toDoubles() throws OnnxImportException {
        if (isInteger()) {
            return Arrays.stream(toLongs()).asDoubleStream().toArray();
        }
        if (length() > 1 << 20) {
            throw error("expected a small tensor, got " + Arrays.toString(dims));
        }
        return toFloatArray().castTo(DataType.DOUBLE).reshape(length()).toDoubleVector();
    }

    /**
     * Copies little-endian raw_data into a fresh array's native memory: one bulk byte copy on
     * little-endian machines (views of a read-only buffer would be copied element by element),
     * else the typed view, which swaps the bytes.
     */
    private static void copyRaw(ByteBuffer raw, INDArray out, Runnable typedCopy) {
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN) {
            nio(out).put(raw.duplicate());
        } else {
            typedCopy.run();
        }
    }

    private static ByteBuffer nio(INDArray array) {
        return array.data().asNio().order(ByteOrder.nativeOrder());
    }

    private void checkRawSize(ByteBuffer raw, long n, int bytes) throws OnnxImportException {
        if (raw.remaining() != n * bytes) {
            throw error("raw_data has " + raw.remaining() + " bytes, expected " + n * bytes + " for " + dataTypeName()
                    + " " + Arrays.toString(dims));
        }
    }

    private void checkCount(int count, long n, String field) throws OnnxImportException {
        if (count != n) {
            throw error(field + " has " + count + " values, expected " + n + " for dims " + Arrays.toString(dims));
        }
    }

    private OnnxImportException error(String message) {
        return new OnnxImportException(file + ": tensor '" + proto.getName() + "': " + message);
    }

    @Override
    public String toString() {
        return "tensor '" + name() + "' " + dataTypeName() + " " + Arrays.toString(dims);
    }
}
