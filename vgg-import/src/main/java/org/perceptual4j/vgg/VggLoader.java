package org.perceptual4j.vgg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;

/** Builds {@link VggFeatureExtractor}s from weights files. */
final class VggLoader {
    private VggLoader() {
    }

    static VggFeatureExtractor load(Path file, VggArchitecture arch) throws IOException {
        List<KerasVggWeights.Conv> convs = KerasVggWeights.read(file, arch);
        String provenance = file.toAbsolutePath() + " (Keras HDF5, md5 " + md5(file) + ")";
        return new VggFeatureExtractor(arch, convs, Pooling.MAX, ImageConvention.CAFFE, provenance);
    }

    static String md5(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("MD5"))) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is required by every Java platform", e);
        }
    }
}
