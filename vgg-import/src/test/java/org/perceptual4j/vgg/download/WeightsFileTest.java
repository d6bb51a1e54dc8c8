package org.perceptual4j.vgg.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WeightsFileTest {
    private static final URI URL = URI.create("http://127.0.0.1:1/w.h5");
    private static final String MD5 = "0123456789abcdef0123456789abcdef";

    @Test
    void constantsDescribeTheKerasFiles() {
        assertEquals("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5", WeightsFile.VGG19_NOTOP.fileName());
        assertEquals(URI.create("https://storage.googleapis.com/tensorflow/keras-applications/vgg19/"
                + "vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"), WeightsFile.VGG19_NOTOP.url());
        assertEquals("253f8cb515780f3b799900260a226db6", WeightsFile.VGG19_NOTOP.md5());
        assertEquals(80134624L, WeightsFile.VGG19_NOTOP.size());

        assertEquals("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5", WeightsFile.VGG16_NOTOP.fileName());
        assertEquals(URI.create("https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
                + "vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"), WeightsFile.VGG16_NOTOP.url());
        assertEquals("6d6bbae143d832006294945121d1f1fc", WeightsFile.VGG16_NOTOP.md5());
        assertEquals(58889256L, WeightsFile.VGG16_NOTOP.size());
    }

    @Test
    void md5IsStoredLowerCase() {
        WeightsFile f = new WeightsFile("w.h5", URL, MD5.toUpperCase(), 10);
        assertEquals(MD5, f.md5());
        assertEquals(new WeightsFile("w.h5", URL, MD5, 10), f);
    }

    @Test
    void unknownSizeIsAccepted() {
        WeightsFile f = new WeightsFile("w.h5", URL, MD5, -1);
        assertFalse(f.hasKnownSize());
        assertTrue(WeightsFile.VGG19_NOTOP.hasKnownSize());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "a/b.h5", "a\\b.h5", "..", ".", "c:w.h5", "w\n.h5"})
    void rejectsBadFileNames(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightsFile(name, URL, MD5, 10));
        assertTrue(e.getMessage().startsWith("fileName: expected"), e.getMessage());
        assertTrue(e.getMessage().contains("got"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "0123", "0123456789abcdef0123456789abcdeg", "0123456789abcdef0123456789abcdef0"})
    void rejectsBadMd5(String md5) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightsFile("w.h5", URL, md5, 10));
        assertTrue(e.getMessage().startsWith("md5: expected 32 hexadecimal digits, got"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(longs = {0, -2, Long.MIN_VALUE})
    void rejectsBadSize(long size) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightsFile("w.h5", URL, MD5, size));
        assertEquals("size: expected a size > 0 or -1 for unknown, got " + size, e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/w.h5", "file:///tmp/w.h5", "w.h5", "http:w.h5"})
    void rejectsNonHttpUrls(String url) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new WeightsFile("w.h5", URI.create(url), MD5, 10));
        assertTrue(e.getMessage().startsWith("url: expected an absolute http or https URL, got"), e.getMessage());
    }

    @Test
    void rejectsNulls() {
        assertThrows(IllegalArgumentException.class, () -> new WeightsFile(null, URL, MD5, 10));
        assertThrows(IllegalArgumentException.class, () -> new WeightsFile("w.h5", null, MD5, 10));
        assertThrows(IllegalArgumentException.class, () -> new WeightsFile("w.h5", URL, null, 10));
    }
}
