package org.perceptual4j.onnx.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;
import org.nd4j.shade.protobuf.UnsafeByteOperations;
import org.perceptual4j.onnx.OnnxImportException;

/**
 * The graph of an ONNX model file: nodes in file order, initializers (parsed on demand), the graph
 * inputs that are not initializers, the graph outputs and the default-domain opset.
 *
 * <h2>How the file is read</h2>
 * The message classes are the ONNX ones that nd4j-api already ships (package {@code onnx}, generated
 * from onnx.proto and compiled against the protobuf-java 3.21 that ND4J shades as
 * {@code org.nd4j.shade.protobuf}), so reading ONNX adds no dependency and no copied .proto source.
 * The file is memory-mapped and parsed with aliasing, so {@code raw_data} is never copied to the heap.
 * Initializers are the only large part of a model; rather than parsing the whole {@code ModelProto}
 * at once, this class walks the top-level fields of the model and of its graph with protobuf's
 * {@link CodedInputStream} (field numbers from onnx.proto: ModelProto.graph = 7, GraphProto.initializer
 * = 5, TensorProto.name = 8), parses every other field with the generated parser, and keeps each
 * initializer as a slice of the mapped file that is parsed only when a caller asks for it. Importing a
 * VGG from a model-zoo file that also holds a 470 MB classifier therefore never touches the classifier.
 *
 * <p>Immutable; the mapping is released when the object is garbage collected.
 */
public final class OnnxModel {
    private static final int MODEL_GRAPH = 7;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int TENSOR_NAME = 8;
    private static final int WIRETYPE_LENGTH_DELIMITED = 2;

    private final Path file;
    private final long irVersion;
    private final long opset;
    private final String producer;
    private final List<OnnxNode> nodes;
    private final Map<String, ByteBuffer> initializers;
    private final List<Onnx.ValueInfoProto> inputs;
    private final List<String> outputs;

    private OnnxModel(Path file, Onnx.ModelProto model, Onnx.GraphProto graph, Map<String, ByteBuffer> initializers)
            throws OnnxImportException {
        this.file = file;
        this.irVersion = model.getIrVersion();
        this.producer = (model.getProducerName() + " " + model.getProducerVersion()).trim();
        long defaultOpset = -1;
        for (Onnx.OperatorSetIdProto id : model.getOpsetImportList()) {
            if (id.getDomain().isEmpty() || id.getDomain().equals("ai.onnx")) {
                defaultOpset = id.getVersion();
            }
        }
        // IR versions before 3 had no opset_import; their operators are opset 1
        this.opset = defaultOpset > 0 ? defaultOpset : 1;
        this.initializers = Collections.unmodifiableMap(initializers);
        List<OnnxNode> list = new ArrayList<>();
        for (int i = 0; i < graph.getNodeCount(); i++) {
            list.add(new OnnxNode(file, graph.getNode(i), i, graph.getNodeCount()));
        }
        this.nodes = List.copyOf(list);
        List<Onnx.ValueInfoProto> in = new ArrayList<>();
        for (Onnx.ValueInfoProto v : graph.getInputList()) {
            if (!initializers.containsKey(v.getName())) {
                in.add(v);   // older exporters list every initializer as a graph input too
            }
        }
        this.inputs = List.copyOf(in);
        this.outputs = graph.getOutputList().stream().map(Onnx.ValueInfoProto::getName).toList();
        if (graph.getSparseInitializerCount() > 0) {
            throw new OnnxImportException(file + ": sparse initializers are not supported (found "
                    + graph.getSparseInitializerCount() + ")");
        }
    }

    /**
     * Reads the graph of an ONNX model file.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws OnnxImportException if it is empty, truncated, not an ONNX model or has no graph
     */
    public static OnnxModel read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "ONNX file not found");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new OnnxImportException(file + ": not a readable file");
        }
        ByteBuffer bytes;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size == 0) {
                throw new OnnxImportException(file + ": empty file, expected an ONNX model");
            }
            if (size > Integer.MAX_VALUE) {
                throw new OnnxImportException(file + ": " + size + " bytes; an ONNX protobuf file is at most 2 GiB "
                        + "(bigger models keep their weights in external data files, which are not supported)");
            }
            bytes = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
        }
        try {
            return parse(file, bytes);
        } catch (InvalidProtocolBufferException e) {
            throw notOnnx(file, bytes, e.getMessage(), e);
        }
    }

    private static OnnxModel parse(Path file, ByteBuffer bytes) throws IOException {
        Onnx.ModelProto.Builder model = Onnx.ModelProto.newBuilder();
        ByteBuffer graphBytes = null;
        CodedInputStream in = stream(bytes);
        for (int start = 0, tag = in.readTag(); tag != 0; start = in.getTotalBytesRead(), tag = in.readTag()) {
            if (tag == (MODEL_GRAPH << 3 | WIRETYPE_LENGTH_DELIMITED)) {
                int length = in.readRawVarint32();
                int offset = in.getTotalBytesRead();
                in.skipRawBytes(length);   // throws if the file is cut short
                graphBytes = slice(bytes, offset, length);
            } else {
                in.skipField(tag);
                model.mergeFrom(stream(slice(bytes, start, in.getTotalBytesRead() - start)));
            }
        }
        if (graphBytes == null || model.getIrVersion() <= 0) {
            throw notOnnx(file, bytes, graphBytes == null ? "no graph" : "no ir_version", null);
        }
        if (model.getOpsetImportCount() == 0 && model.getIrVersion() >= 3) {
            // opset_import (field 8) is written after the graph: a file cut right after the graph lacks it
            throw new OnnxImportException(file + ": truncated or corrupt ONNX file (IR version "
                    + model.getIrVersion() + " but no opset_import)");
        }
        Onnx.GraphProto.Builder graph = Onnx.GraphProto.newBuilder();
        Map<String, ByteBuffer> initializers = new LinkedHashMap<>();
        in = stream(graphBytes);
        for (int start = 0, tag = in.readTag(); tag != 0; start = in.getTotalBytesRead(), tag = in.readTag()) {
            if (tag == (GRAPH_INITIALIZER << 3 | WIRETYPE_LENGTH_DELIMITED)) {
                int length = in.readRawVarint32();
                int offset = in.getTotalBytesRead();
                in.skipRawBytes(length);
                ByteBuffer tensor = slice(graphBytes, offset, length);
                initializers.put(tensorName(tensor), tensor);
            } else {
                in.skipField(tag);
                graph.mergeFrom(stream(slice(graphBytes, start, in.getTotalBytesRead() - start)));
            }
        }
        return new OnnxModel(file, model.build(), graph.build(), initializers);
    }

    /** TensorProto.name without parsing the (possibly large) data fields. */
    private static String tensorName(ByteBuffer tensor) throws IOException {
        CodedInputStream in = stream(tensor);
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (tag == (TENSOR_NAME << 3 | WIRETYPE_LENGTH_DELIMITED)) {
                return in.readStringRequireUtf8();
            }
            in.skipField(tag);
        }
        return "";
    }

    private static CodedInputStream stream(ByteBuffer buffer) {
        // a stream over an immutable buffer (what unsafeWrap declares the read-only mapping to be) lets
        // aliasing return bytes fields as views of the file instead of heap copies
        CodedInputStream in = UnsafeByteOperations.unsafeWrap(buffer.duplicate()).newCodedInput();
        in.enableAliasing(true);
        in.setSizeLimit(Integer.MAX_VALUE);
        return in;
    }

    private static ByteBuffer slice(ByteBuffer buffer, int offset, int length) {
        return buffer.duplicate().position(offset).limit(offset + length).slice();
    }

    private static OnnxImportException notOnnx(Path file, ByteBuffer bytes, String detail, Exception cause) {
        // every serializer writes ModelProto.ir_version (field 1, varint) first: tag byte 0x08
        boolean looksLikeOnnx = bytes.get(0) == 0x08;
        String what = looksLikeOnnx ? "truncated or corrupt ONNX file" : "not an ONNX model";
        return new OnnxImportException(file + ": " + what + " (" + detail + ")", cause);
    }

    public Path file() {
        return file;
    }

    public long irVersion() {
        return irVersion;
    }

    /** Version of the default ("ai.onnx") operator set. */
    public long opset() {
        return opset;
    }

    /** Producer name and version, e.g. "pytorch 1.13.0"; may be empty. */
    public String producer() {
        return producer;
    }

    /** Nodes in file order (ONNX requires a topological order). */
    public List<OnnxNode> nodes() {
        return nodes;
    }

    /** Graph inputs that are not initializers. */
    public List<Onnx.ValueInfoProto> inputs() {
        return inputs;
    }

    /** Names of the graph outputs. */
    public List<String> outputs() {
        return outputs;
    }

    public boolean isInitializer(String name) {
        return initializers.containsKey(name);
    }

    /**
     * Parses one initializer.
     *
     * @throws OnnxImportException naming the file and the tensor if it is missing or corrupt
     */
    public OnnxTensor initializer(String name) throws OnnxImportException {
        ByteBuffer bytes = initializers.get(name);
        if (bytes == null) {
            throw new OnnxImportException(file + ": no initializer named '" + name + "'");
        }
        Onnx.TensorProto proto;
        try {
            proto = Onnx.TensorProto.parseFrom(stream(bytes));
        } catch (IOException e) {
            throw new OnnxImportException(file + ": initializer '" + name + "': corrupt tensor (" + e.getMessage() + ")", e);
        }
        return new OnnxTensor(file, proto);
    }

    @Override
    public String toString() {
        return file + " (ONNX IR " + irVersion + ", opset " + opset + (producer.isEmpty() ? "" : ", " + producer) + ", "
                + nodes.size() + " nodes, " + initializers.size() + " initializers)";
    }
}
