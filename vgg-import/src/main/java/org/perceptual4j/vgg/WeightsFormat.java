package org.perceptual4j.vgg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The weights-file formats the importers read, recognised from a file's content (never its name):
 * {@link #detect(Path)}. {@link Vgg19#fromFile(Path)} and {@link Vgg16#fromFile(Path)} use it to pick the
 * reader and, with it, the image convention of the weights.
 */
public enum WeightsFormat {
    /**
     * HDF5 (signature {@code \211HDF\r\n\032\n} at offset 0, 512, 1024 or 2048), read as a Keras weights
     * file; Caffe image convention.
     */
    KERAS_HDF5("Keras HDF5"),
    /**
     * MATLAB v5 MAT-file (128-byte header starting "MATLAB 5.0 MAT-file"; MATLAB's {@code -v6} and the
     * default {@code -v7}, compressed, both have it), read as a MatConvNet SimpleNN network; MatConvNet
     * image convention with the file's mean pixel.
     */
    MATCONVNET("MatConvNet MAT"),
    /** ONNX ModelProto (protobuf starting with the ir_version field); torchvision image convention. */
    ONNX("ONNX");

    /** What {@link #detect(Path)} accepts, for error messages. */
    static final String SUPPORTED = "supported: Keras HDF5 (.h5), MatConvNet MATLAB v5/v7 MAT-file (.mat), ONNX (.onnx)";

    private static final byte[] HDF5_SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
    private static final int[] HDF5_OFFSETS = {0, 512, 1024, 2048};
    private static final byte[] MAT5_TEXT = "MATLAB 5.0 MAT-file".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MAT73_TEXT = "MATLAB 7.3 MAT-file".getBytes(StandardCharsets.US_ASCII);
    private static final int HEAD_BYTES = 2048 + HDF5_SIGNATURE.length;

    private final String displayName;

    WeightsFormat(String displayName) {
        this.displayName = displayName;
    }

    /** "Keras HDF5", "MatConvNet MAT" or "ONNX", as in {@link org.perceptual4j.core.Provenance#format()}. */
    public String displayName() {
        return displayName;
    }

    /**
     * The format of {@code file}, from its first bytes.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws VggImportException naming the file if it is empty, a MATLAB v7.3 MAT-file (HDF5-based,
     *     not supported), or of no supported format (the message lists them)
     */
    public static WeightsFormat detect(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "weights file not found");
        }
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new VggImportException(file + ": not a readable file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEAD_BYTES);
        }
        if (head.length == 0) {
            throw new VggImportException(file + ": empty file; expected a weights file (" + SUPPORTED + ")");
        }
        if (startsWith(head, 0, MAT73_TEXT)) {
            throw new VggImportException(file + ": MATLAB v7.3 MAT-file (HDF5-based), which is not supported; "
                    + "save the network as a v7 MAT-file (MATLAB: save(FILE, '-struct', 'net', '-v7'), or "
                    + "scipy.io.savemat) or use another format (" + SUPPORTED + ")");
        }
        if (startsWith(head, 0, MAT5_TEXT)) {
            return MATCONVNET; // a header cut short is reported by the MAT reader as truncated
        }
        for (int offset : HDF5_OFFSETS) {
            if (startsWith(head, offset, HDF5_SIGNATURE)) {
                return KERAS_HDF5;
            }
        }
        if (looksLikeOnnx(head, Files.size(file))) {
            return ONNX;
        }
        throw new VggImportException(file + ": unrecognised weights file format (starts with "
                + HexFormat.ofDelimiter(" ").formatHex(Arrays.copyOf(head, Math.min(8, head.length))) + "); " + SUPPORTED);
    }

    private static boolean startsWith(byte[] data, int offset, byte[] prefix) {
        return data.length >= offset + prefix.length
                && Arrays.equals(data, offset, offset + prefix.length, prefix, 0, prefix.length);
    }

    /**
     * Hand-written protobuf sniffing (no protobuf library is needed to read one varint tag at a time):
     * an ONNX ModelProto starts with field 1, ir_version (varint, tag 0x08), because protobuf writers emit
     * fields in number order; the fields after it that lie within the first bytes must be ModelProto fields
     * with their wire types (2-4, 6-8, 14, 20, 25: length-delimited; 5: varint), and at least one must follow.
     */
    static boolean looksLikeOnnx(byte[] head, long fileSize) {
        int[] pos = {0};
        long tag = varint(head, pos);
        if (tag != 0x08) {
            return false;
        }
        long irVersion = varint(head, pos);
        if (irVersion < 1 || irVersion > 100) {
            return false;
        }
        int fields = 1;
        while (pos[0] < head.length) {
            tag = varint(head, pos);
            if (tag < 0) {
                break; // cut off by the end of the head
            }
            int field = (int) (tag >>> 3);
            int wire = (int) (tag & 7);
            boolean lengthDelimited = field >= 2 && field <= 4 || field >= 6 && field <= 8 || field == 14
                    || field == 20 || field == 25;
            if (field == 5 && wire == 0) {
                if (varint(head, pos) < 0) {
                    break;
                }
            } else if (lengthDelimited && wire == 2) {
                long length = varint(head, pos);
                if (length < 0) {
                    break;
                }
                if (pos[0] + length > fileSize) {
                    return field == 7; // a graph cut short: a truncated ONNX file, which the ONNX reader reports
                }
                pos[0] = (int) Math.min(head.length, pos[0] + length);
            } else {
                return false;
            }
            fields++;
        }
        return fields >= 2;
    }

    /** Reads a base-128 varint at pos[0] and advances; -1 if it runs past the data or is too long. */
    private static long varint(byte[] data, int[] pos) {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (pos[0] >= data.length) {
                return -1;
            }
            byte b = data[pos[0]++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        return -1;
    }
}
