package org.perceptual4j.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.perceptual4j.core.internal.Checks;

/**
 * Where a {@link FeatureExtractor}'s weights came from, so that a wrong file or a convention mismatch
 * (torchvision weights fed Caffe-prepared images) can be diagnosed.
 *
 * @param source the weights file's absolute path, or a description for weights not read from a file
 * @param format the file format, e.g. {@code "Keras HDF5"}, {@code "ONNX"}, {@code "MatConvNet MAT"}
 * @param md5 lower-case hex MD5 of the file (the checksum keras-applications publishes), or {@code null}
 *     when the weights did not come from a file
 */
public record Provenance(String source, String format, String md5) {

    public Provenance {
        Checks.requireNonNull(source, "source");
        Checks.requireNonNull(format, "format");
    }

    /** The provenance of weights read from {@code file} in {@code format}; reads the file once for its MD5. */
    public static Provenance ofFile(Path file, String format) throws IOException {
        return new Provenance(file.toAbsolutePath().toString(), format, md5(file));
    }

    /** The provenance of weights that were not read from a file (generated, built in memory...). */
    public static Provenance inMemory(String description) {
        return new Provenance(description, "in-memory", null);
    }

    /** Lower-case hex MD5 of a file, streamed. */
    public static String md5(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** {@code /path/to/file.h5 (Keras HDF5, md5 253f...)}, or {@code description (in-memory)}. */
    @Override
    public String toString() {
        return source + " (" + format + (md5 == null ? "" : ", md5 " + md5) + ")";
    }
}
