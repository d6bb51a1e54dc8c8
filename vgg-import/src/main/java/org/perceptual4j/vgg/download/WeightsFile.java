package org.perceptual4j.vgg.download;

import java.net.URI;
import java.util.Locale;
import java.util.regex.Pattern;
import org.perceptual4j.core.internal.Checks;

/**
 * A downloadable weights file: the name it gets in the cache, where to download it from, its MD5
 * checksum and its size.
 *
 * @param fileName name of the file in the cache directory; no path separators
 * @param url absolute http or https URL to download it from
 * @param md5 expected MD5 checksum, 32 hexadecimal digits (stored lower-case)
 * @param size expected size in bytes, or -1 if unknown
 */
public record WeightsFile(String fileName, URI url, String md5, long size) {

    /** Size value meaning "not known in advance". */
    public static final long UNKNOWN_SIZE = -1L;

    // declared before the constants below, which use it while the class is initialised
    private static final Pattern MD5 = Pattern.compile("[0-9a-fA-F]{32}");

    /** Keras VGG19 ImageNet weights without the classifier (TensorFlow dimension ordering), 80 MB. */
    public static final WeightsFile VGG19_NOTOP = new WeightsFile(
            "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5",
            URI.create("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                    + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"),
            "253f8cb515780f3b799900260a226db6",
            80134624L);

    /** Keras VGG16 ImageNet weights without the classifier (TensorFlow dimension ordering), 59 MB. */
    public static final WeightsFile VGG16_NOTOP = new WeightsFile(
            "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5",
            URI.create("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
                    + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"),
            "6d6bbae143d832006294945121d1f1fc",
            58889256L);

    public WeightsFile {
        Checks.requireNonNull(fileName, "fileName");
        if (fileName.isBlank() || fileName.equals(".") || fileName.equals("..")
                || fileName.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || c < 0x20)) {
            throw new IllegalArgumentException(
                    "fileName: expected a non-blank file name without path separators, got \"" + fileName + "\"");
        }
        Checks.requireNonNull(url, "url");
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!url.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException("url: expected an absolute http or https URL, got " + url);
        }
        Checks.requireNonNull(md5, "md5");
        if (!MD5.matcher(md5).matches()) {
            throw new IllegalArgumentException("md5: expected 32 hexadecimal digits, got \"" + md5 + "\"");
        }
        md5 = md5.toLowerCase(Locale.ROOT);
        if (size <= 0 && size != UNKNOWN_SIZE) {
            throw new IllegalArgumentException("size: expected a size > 0 or -1 for unknown, got " + size);
        }
    }

    /** Whether the size is known in advance. */
    public boolean hasKnownSize() {
        return size != UNKNOWN_SIZE;
    }
}
