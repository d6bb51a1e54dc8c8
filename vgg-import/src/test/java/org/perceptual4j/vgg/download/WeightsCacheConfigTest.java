package org.perceptual4j.vgg.download;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Builder validation and defaults, with injected property and environment lookups (no global state touched). */
class WeightsCacheConfigTest {
    private static final Path HOME = Path.of("/home/someone").toAbsolutePath();

    private static Function<String, String> props(String... kv) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("user.home", HOME.toString()));
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m::get;
    }

    private static Function<String, String> env(String... kv) {
        Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m::get;
    }

    @Test
    void directoryFromPropertyWinsOverEnvironment() {
        Path dir = WeightsCache.defaultDirectory(props("perceptual4j.cache.dir", "/from/property"),
                env("PERCEPTUAL4J_CACHE_DIR", "/from/env"));
        assertEquals(Path.of("/from/property").toAbsolutePath(), dir);
    }

    @Test
    void directoryFromEnvironmentWhenNoProperty() {
        assertEquals(Path.of("/from/env").toAbsolutePath(),
                WeightsCache.defaultDirectory(props(), env("PERCEPTUAL4J_CACHE_DIR", "/from/env")));
        assertEquals(Path.of("/from/env").toAbsolutePath(), WeightsCache.defaultDirectory(
                props("perceptual4j.cache.dir", "  "), env("PERCEPTUAL4J_CACHE_DIR", "/from/env")));
    }

    @Test
    void directoryDefaultsToUserHome() {
        assertEquals(HOME.resolve(".perceptual4j").resolve("models"), WeightsCache.defaultDirectory(props(), env()));
        assertEquals(HOME.resolve(".perceptual4j").resolve("models"),
                WeightsCache.defaultDirectory(props(), env("PERCEPTUAL4J_CACHE_DIR", "")));
    }

    @Test
    void relativeDirectoryIsMadeAbsolute() {
        Path dir = WeightsCache.defaultDirectory(props("perceptual4j.cache.dir", "rel/models"), env());
        assertTrue(dir.isAbsolute());
        assertTrue(dir.endsWith(Path.of("rel", "models")));
    }

    @Test
    void offlineFromPropertyThenEnvironment() {
        assertFalse(WeightsCache.defaultOffline(props(), env()));
        assertTrue(WeightsCache.defaultOffline(props("perceptual4j.offline", "true"), env()));
        assertTrue(WeightsCache.defaultOffline(props("perceptual4j.offline", "1"), env()));
        assertTrue(WeightsCache.defaultOffline(props("perceptual4j.offline", "TRUE"), env()));
        assertTrue(WeightsCache.defaultOffline(props(), env("PERCEPTUAL4J_OFFLINE", "1")));
        assertTrue(WeightsCache.defaultOffline(props(), env("PERCEPTUAL4J_OFFLINE", "true")));
        assertFalse(WeightsCache.defaultOffline(props(), env("PERCEPTUAL4J_OFFLINE", "0")));
        // the property overrides the environment, both ways
        assertFalse(WeightsCache.defaultOffline(props("perceptual4j.offline", "false"),
                env("PERCEPTUAL4J_OFFLINE", "true")));
        assertTrue(WeightsCache.defaultOffline(props("perceptual4j.offline", "1"),
                env("PERCEPTUAL4J_OFFLINE", "0")));
    }

    @Test
    void invalidOfflineValueIsRejectedNamingTheSource() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WeightsCache.defaultOffline(props(), env("PERCEPTUAL4J_OFFLINE", "yes")));
        assertEquals("PERCEPTUAL4J_OFFLINE: expected true, false, 1 or 0, got \"yes\"", e.getMessage());
    }

    @Test
    void builderDefaultsAndExplicitValues(@TempDir Path dir) {
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(true).build();
        assertEquals(dir.toAbsolutePath().normalize(), cache.directory());
        assertTrue(cache.offline());
        assertEquals(Duration.ofSeconds(30), cache.connectTimeout());
        assertEquals(Duration.ofSeconds(60), cache.readTimeout());
        assertEquals(dir.resolve(WeightsFile.VGG19_NOTOP.fileName()), cache.locate(WeightsFile.VGG19_NOTOP));

        WeightsCache other = WeightsCache.builder().directory(dir).offline(false)
                .connectTimeout(Duration.ofMillis(5)).readTimeout(Duration.ofMillis(7)).build();
        assertFalse(other.offline());
        assertEquals(Duration.ofMillis(5), other.connectTimeout());
        assertEquals(Duration.ofMillis(7), other.readTimeout());
    }

    @Test
    void builderRejectsBadArgumentsAtOnce() {
        WeightsCache.Builder b = WeightsCache.builder();
        assertEquals("directory: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> b.directory(null)).getMessage());
        assertEquals("connectTimeout: expected a positive duration, got PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.connectTimeout(Duration.ZERO)).getMessage());
        assertEquals("readTimeout: expected a positive duration, got PT-1S",
                assertThrows(IllegalArgumentException.class, () -> b.readTimeout(Duration.ofSeconds(-1))).getMessage());
        assertEquals("readTimeout: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> b.readTimeout(null)).getMessage());
        assertEquals("progress: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> b.progress(null)).getMessage());
    }

    @Test
    void locateAndResolveRejectNull(@TempDir Path dir) {
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(true).build();
        assertThrows(IllegalArgumentException.class, () -> cache.locate(null));
        assertThrows(IllegalArgumentException.class, () -> cache.resolve(null));
    }

    @Test
    void exceptionMessageIsActionable() {
        Path target = Path.of("/cache/models").resolve(WeightsFile.VGG19_NOTOP.fileName());
        WeightsUnavailableException e = new WeightsUnavailableException(WeightsFile.VGG19_NOTOP, target,
                "the server answered HTTP 503", null);
        String m = e.getMessage();
        assertTrue(m.contains("the server answered HTTP 503"), m);
        assertTrue(m.contains(WeightsFile.VGG19_NOTOP.url().toString()), m);
        assertTrue(m.contains(target.toString()), m);
        assertTrue(m.contains("253f8cb515780f3b799900260a226db6"), m);
        assertTrue(m.contains("80134624 bytes"), m);
        assertTrue(m.contains("Vgg19"), m);
        assertTrue(m.contains("--weights"), m);
        assertEquals(target, e.cachePath());
        assertEquals(WeightsFile.VGG19_NOTOP, e.weightsFile());
        assertEquals("the server answered HTTP 503", e.reason());
    }

    @Test
    void describeFollowsCausesUntilAMessage() {
        java.net.ConnectException inner = new java.net.ConnectException();
        inner.initCause(new java.nio.channels.ClosedChannelException());
        java.net.ConnectException outer = new java.net.ConnectException();
        outer.initCause(inner);
        assertEquals("ConnectException, caused by ClosedChannelException", WeightsCache.describe(outer));
        java.io.IOException noMessage = new java.io.IOException();
        noMessage.initCause(new IllegalStateException("x"));
        assertEquals("IOException, caused by IllegalStateException: x", WeightsCache.describe(noMessage));
        assertEquals("IOException: disk full", WeightsCache.describe(
                new java.io.IOException("disk full", new IllegalStateException("x"))));
    }
}
