package org.perceptual4j.fast;

import java.io.ByteArrayOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.AtomicFile;

/**
 * The container of model and checkpoint files: a ZIP archive of text ({@code .properties}, {@code .csv})
 * and array ({@code .npy}, NumPy format 1.0, little-endian float32, C order) entries, so that a file can
 * be inspected with {@code unzip} and {@code numpy.load}. ZIP's CRC-32 per entry detects corruption.
 *
 * <p>Writing is deterministic (fixed entry times, sorted properties without a date comment) and atomic:
 * into a hidden temporary file in the target's directory, flushed to disk, then renamed over the target.
 * The {@code .npy} files are written and parsed here rather than by ND4J, whose native parser is not
 * safe against corrupt input.
 */
final class ModelArchive {
    /** Largest accepted entry, to refuse absurd sizes in corrupt files before allocating. */
    private static final long MAX_ENTRY_BYTES = 1L << 31;
    /** DOS epoch (1980-01-01), so identical content gives identical files. */
    private static final long ENTRY_TIME = 315532800000L;
    private static final byte[] NPY_MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final Pattern NPY_HEADER = Pattern.compile(
            "\\{'descr': '<f4', 'fortran_order': False, 'shape': \\(([0-9, ]*)\\), \\}\\s*");

    private ModelArchive() {
    }

    /** Entries of an archive in the order they were written. */
    static final class Writer {
        private final Map<String, byte[]> entries = new LinkedHashMap<>();

        Writer properties(String name, Map<String, String> values) {
            entries.put(name, encodeProperties(values));
            return this;
        }

        Writer text(String name, String text) {
            entries.put(name, text.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        Writer raw(String name, byte[] bytes) {
            entries.put(name, bytes.clone());
            return this;
        }

        Writer array(String name, INDArray array) {
            entries.put(name, encodeNpy(array));
            return this;
        }

        /** Writes all entries to {@code file} atomically; an existing file is replaced as a whole. */
        void write(Path file) throws IOException {
            writeAtomically(file, out -> {
                ZipOutputStream zip = new ZipOutputStream(out);
                for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                    ZipEntry entry = new ZipEntry(e.getKey());
                    entry.setTime(ENTRY_TIME);
                    zip.putNextEntry(entry);
                    zip.write(e.getValue());
                    zip.closeEntry();
                }
                zip.finish();
                zip.flush();
            });
        }
    }

    /** The entries of an archive that was read completely (so every CRC was checked). */
    record Contents(Path file, Map<String, byte[]> entries) {
        boolean has(String name) {
            return entries.containsKey(name);
        }

        Map<String, String> properties(String name) throws ModelFormatException {
            byte[] b = require(name);
            Properties p = new Properties();
            try {
                p.load(new StringReader(new String(b, StandardCharsets.UTF_8)));
            } catch (IOException | IllegalArgumentException e) {
                throw new ModelFormatException(file + ": corrupt entry " + name + ": " + e.getMessage(), e);
            }
            Map<String, String> m = new TreeMap<>();
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
            return m;
        }

        String text(String name) throws ModelFormatException {
            return new String(require(name), StandardCharsets.UTF_8);
        }

        INDArray array(String name) throws ModelFormatException {
            return decodeNpy(require(name), file + ": entry " + name);
        }

        private byte[] require(String name) throws ModelFormatException {
            byte[] b = entries.get(name);
            if (b == null) {
                throw new ModelFormatException(file + ": corrupt or incomplete file: entry " + name + " is missing");
            }
            return b;
        }
    }

    /**
     * Reads every entry of the archive.
     *
     * @throws NoSuchFileException if the file does not exist
     * @throws ModelFormatException if it is not a ZIP archive or is corrupt or truncated (message names the file)
     */
    static Contents read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString(), null, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(file + ": is a directory, not a model file");
        }
        Map<String, byte[]> entries = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(file); ZipInputStream zip = new ZipInputStream(in)) {
            ZipEntry e;
            while ((e = zip.getNextEntry()) != null) {
                if (entries.containsKey(e.getName())) {
                    throw new ModelFormatException(file + ": corrupt file: entry " + e.getName() + " appears twice");
                }
                entries.put(e.getName(), readEntry(zip, file, e.getName()));
            }
        } catch (ZipException | java.io.EOFException e) {
            throw new ModelFormatException(file + ": corrupt or truncated file (" + describe(e) + ")", e);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(file + ": corrupt file (" + e.getMessage() + ")", e);
        }
        if (entries.isEmpty()) {
            throw new ModelFormatException(file + ": not a Perceptual4J model or checkpoint file (no ZIP entries; empty, "
                    + "truncated or another format)");
        }
        return new Contents(file, entries);
    }

    private static byte[] readEntry(ZipInputStream zip, Path file, String name) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[1 << 16];
        long total = 0;
        int n;
        while ((n = zip.read(buffer)) > 0) {
            total += n;
            if (total > MAX_ENTRY_BYTES) {
                throw new ModelFormatException(file + ": corrupt file: entry " + name + " is larger than 2 GiB");
            }
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------------------------ properties

    /** {@code key=value} lines in key order, escaped as {@link Properties} does (UTF-8), without the date comment. */
    static byte[] encodeProperties(Map<String, String> values) {
        Properties p = new Properties();
        values.forEach(p::setProperty);
        StringWriter w = new StringWriter();
        try {
            p.store(w, null);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        List<String> lines = new ArrayList<>();
        for (String line : w.toString().split("\n")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#")) {
                lines.add(l);
            }
        }
        lines.sort(null);
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------------------------ npy

    /** NumPy format 1.0: float32 little-endian, C order. */
    static byte[] encodeNpy(INDArray array) {
        INDArray a = array.castTo(DataType.FLOAT).dup('c');
        long[] shape = a.shape();
        StringBuilder dims = new StringBuilder();
        for (int i = 0; i < shape.length; i++) {
            dims.append(shape[i]).append(shape.length == 1 ? "," : i + 1 < shape.length ? ", " : "");
        }
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
        int unpadded = NPY_MAGIC.length + 2 + 2 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        float[] values = a.length() == 0 ? new float[0] : a.data().asFloat();
        ByteBuffer buf = ByteBuffer.allocate(NPY_MAGIC.length + 4 + header.length() + 4 * values.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        buf.put(NPY_MAGIC).put((byte) 1).put((byte) 0).putShort((short) header.length());
        buf.put(header.getBytes(StandardCharsets.US_ASCII));
        buf.asFloatBuffer().put(values);
        return buf.array();
    }

    /** Parses what {@link #encodeNpy} writes (and numpy's {@code save} of a C-order float32 array). */
    static INDArray decodeNpy(byte[] bytes, String what) throws ModelFormatException {
        ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), NPY_MAGIC) || bytes[6] != 1) {
            throw new ModelFormatException(what + ": not a NumPy 1.0 array");
        }
        int headerLength = Short.toUnsignedInt(buf.getShort(8));
        if (10 + headerLength > bytes.length) {
            throw new ModelFormatException(what + ": truncated array header");
        }
        String header = new String(bytes, 10, headerLength, StandardCharsets.US_ASCII);
        Matcher m = NPY_HEADER.matcher(header);
        if (!m.matches()) {
            throw new ModelFormatException(what + ": expected a C-order float32 array, got header " + header.strip());
        }
        List<Long> dims = new ArrayList<>();
        long count = 1;
        for (String d : m.group(1).split(",")) {
            if (!d.isBlank()) {
                long v = Long.parseLong(d.strip());
                dims.add(v);
                count *= v;
                if (count > Integer.MAX_VALUE) {
                    throw new ModelFormatException(what + ": array too large: shape " + dims);
                }
            }
        }
        long expected = 10L + headerLength + 4 * count;
        if (bytes.length != expected) {
            throw new ModelFormatException(what + ": expected " + expected + " bytes for shape " + dims + ", got " + bytes.length);
        }
        float[] values = new float[(int) count];
        buf.position(10 + headerLength);
        buf.asFloatBuffer().get(values);
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        return shape.length == 0 ? Nd4j.scalar(values[0]) : Nd4j.create(values, shape, 'c');
    }

    // ------------------------------------------------------------------------------------ helpers

    static String describe(Throwable e) {
        String m = e.getMessage();
        return e.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    /** Writes {@code text} (UTF-8) to {@code file} atomically. */
    static void writeTextAtomically(Path file, String text) throws IOException {
        writeAtomically(file, out -> out.write(text.getBytes(StandardCharsets.UTF_8)));
    }

    /** Something that writes a whole file's content to a stream. */
    interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /**
     * Writes a file atomically ({@link AtomicFile}), synced to disk. Uses a {@link FileOutputStream}, which,
     * unlike a {@code FileChannel}, is not closed when the writing thread is interrupted, so a checkpoint can be
     * written after an interrupt asked training to stop.
     *
     * @throws NoSuchFileException naming the file if its directory does not exist
     */
    static void writeAtomically(Path file, Content content) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new NoSuchFileException(file.toString(), null, "cannot write: directory " + dir + " does not exist");
        }
        AtomicFile atomic = AtomicFile.create(file);
        try {
            try (FileOutputStream out = new FileOutputStream(atomic.temp().toFile())) {
                content.writeTo(out);
                out.flush();
                out.getFD().sync();
            }
            atomic.commit();
        } catch (IOException | RuntimeException | Error e) {
            atomic.discard(e);
            if (e instanceof IOException io) {
                throw AtomicFile.cannotWrite(file, io);
            }
            throw e;
        }
    }
}
