package org.perceptual4j.vgg.download;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a local HTTP server on 127.0.0.1; no other host is contacted. */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class WeightsCacheTest {
    private static final byte[] CONTENT = TestServer.randomBytes(300_000, 42);
    private static final String MD5 = TestServer.md5(CONTENT);
    private static final String NAME = "test_weights.h5";

    @TempDir
    Path dir;
    private TestServer server;

    @BeforeEach
    void start() throws IOException {
        server = new TestServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WeightsFile file(String path) {
        return new WeightsFile(NAME, server.uri(path), MD5, CONTENT.length);
    }

    private WeightsCache cache() {
        return WeightsCache.builder().directory(dir).offline(false)
                .connectTimeout(Duration.ofSeconds(2)).readTimeout(Duration.ofSeconds(2)).build();
    }

    private WeightsCache offlineCache() {
        return WeightsCache.builder().directory(dir).offline(true).build();
    }

    /** Names in the cache directory other than lock files. */
    private List<String> cacheContents() throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString())
                    .filter(n -> !n.endsWith(WeightsCache.LOCK_SUFFIX))
                    .sorted().toList();
        }
    }

    private void assertNothingLeft() throws IOException {
        assertEquals(List.of(), cacheContents(), "the cache must hold neither the file nor temporary files");
    }

    private void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected \"" + part + "\" in:\n" + message);
        }
    }

    @Test
    void downloadsIntoTheCacheWithProgress() throws IOException {
        server.serve("/w.h5", CONTENT);
        List<long[]> progress = new ArrayList<>();
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(false)
                .progress((done, total) -> progress.add(new long[] {done, total})).build();

        Path p = cache.resolve(file("/w.h5"));

        assertEquals(dir.resolve(NAME), p);
        assertEquals(cache.locate(file("/w.h5")), p);
        assertArrayEquals(CONTENT, Files.readAllBytes(p));
        assertEquals(List.of(NAME), cacheContents(), "no temporary file may be left");
        assertEquals(1, server.requests());
        assertArrayEquals(new long[] {0, CONTENT.length}, progress.get(0));
        assertArrayEquals(new long[] {CONTENT.length, CONTENT.length}, progress.get(progress.size() - 1));
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress must not go back");
        }
    }

    @Test
    void createsMissingCacheDirectories() throws IOException {
        server.serve("/w.h5", CONTENT);
        Path nested = dir.resolve("a").resolve("b");
        WeightsCache cache = WeightsCache.builder().directory(nested).offline(false).build();
        assertArrayEquals(CONTENT, Files.readAllBytes(cache.resolve(file("/w.h5"))));
    }

    @Test
    void secondResolveDoesNotHitTheServer() throws IOException {
        server.serve("/w.h5", CONTENT);
        Path first = cache().resolve(file("/w.h5"));
        Path second = cache().resolve(file("/w.h5"));
        assertEquals(first, second);
        assertEquals(1, server.requests());
    }

    @Test
    void unknownSizeIsDownloadedAndCheckedByMd5() throws IOException {
        server.serve("/w.h5", CONTENT);
        WeightsFile f = new WeightsFile(NAME, server.uri("/w.h5"), MD5, WeightsFile.UNKNOWN_SIZE);
        assertArrayEquals(CONTENT, Files.readAllBytes(cache().resolve(f)));
    }

    @Test
    void md5MismatchLeavesNothing() throws IOException {
        byte[] other = CONTENT.clone();
        other[1234] ^= 1;
        server.serve("/w.h5", other);

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "checksum mismatch", "expected MD5 " + MD5, "got " + TestServer.md5(other),
                server.uri("/w.h5").toString(), dir.resolve(NAME).toString());
        assertNothingLeft();
    }

    @Test
    void truncatedResponseLeavesNothing() throws IOException {
        server.handle("/w.h5", exchange -> {
            exchange.sendResponseHeaders(200, CONTENT.length);
            OutputStream out = exchange.getResponseBody();
            out.write(CONTENT, 0, CONTENT.length / 2);
            out.flush();
            // closing the exchange with bytes missing makes the server drop the connection
        });

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "broke off", "of " + CONTENT.length + " bytes", server.uri("/w.h5").toString());
        assertNothingLeft();
    }

    @Test
    void announcedSizeMismatchLeavesNothing() throws IOException {
        server.serve("/w.h5", Arrays.copyOf(CONTENT, 1000));

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "size mismatch", "announced 1000 bytes", "expected " + CONTENT.length);
        assertNothingLeft();
    }

    @Test
    void shorterBodyWithoutContentLengthLeavesNothing() throws IOException {
        server.handle("/w.h5", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(CONTENT, 0, 5000);
            }
        });

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "size mismatch", "received 5000 bytes", "expected " + CONTENT.length);
        assertNothingLeft();
    }

    @Test
    void longerBodyWithoutContentLengthLeavesNothing() throws IOException {
        server.handle("/w.h5", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(CONTENT);
                out.write(CONTENT, 0, 100);
            }
        });

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "size mismatch", "more than the expected " + CONTENT.length);
        assertNothingLeft();
    }

    @Test
    void http404NamesTheUrlAndTheCachePath() throws IOException {
        server.handle("/missing.h5", exchange -> TestServer.send(exchange, 404, "no such file".getBytes()));
        WeightsFile f = file("/missing.h5");

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> cache().resolve(f));

        assertMentions(e.getMessage(), "HTTP 404", f.url().toString(), dir.resolve(NAME).toString(), MD5,
                "--weights", "Vgg19");
        assertEquals(dir.resolve(NAME), e.cachePath());
        assertNothingLeft();
    }

    @Test
    void offlineWithoutTheFileFailsAndNamesTheManualPath() throws IOException {
        server.serve("/w.h5", CONTENT);
        Path cacheDir = dir.resolve("not-created");
        WeightsCache cache = WeightsCache.builder().directory(cacheDir).offline(true).build();

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> cache.resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "offline", "not in the cache", cacheDir.resolve(NAME).toString(),
                server.uri("/w.h5").toString(), MD5, "--weights", "Vgg19");
        assertEquals(0, server.requests());
        assertFalse(Files.exists(cacheDir), "offline mode must not write to the cache");
    }

    @Test
    void offlineWithTheFilePresentReturnsIt() throws IOException {
        Files.write(dir.resolve(NAME), CONTENT);
        assertEquals(dir.resolve(NAME), offlineCache().resolve(file("/w.h5")));
        assertEquals(0, server.requests());
    }

    @Test
    void offlineWithADamagedFileFails() throws IOException {
        byte[] damaged = CONTENT.clone();
        damaged[0] ^= 1;
        Files.write(dir.resolve(NAME), damaged);

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                () -> offlineCache().resolve(file("/w.h5")));

        assertMentions(e.getMessage(), "offline", "damaged", "expected MD5 " + MD5, "got " + TestServer.md5(damaged));
        assertEquals(0, server.requests());
    }

    @Test
    void damagedCachedFileIsDownloadedAgain() throws IOException {
        server.serve("/w.h5", CONTENT);
        Files.write(dir.resolve(NAME), Arrays.copyOf(CONTENT, 10)); // wrong size
        assertArrayEquals(CONTENT, Files.readAllBytes(cache().resolve(file("/w.h5"))));

        Files.write(dir.resolve("other.h5"), new byte[CONTENT.length]); // right size, wrong MD5
        WeightsFile other = new WeightsFile("other.h5", server.uri("/w.h5"), MD5, CONTENT.length);
        assertArrayEquals(CONTENT, Files.readAllBytes(cache().resolve(other)));
        assertEquals(2, server.requests());
    }

    @Test
    void staleTemporaryFilesAreRemoved() throws IOException {
        server.serve("/w.h5", CONTENT);
        Files.write(dir.resolve(NAME + ".12345" + WeightsCache.PART_SUFFIX), new byte[10]);
        cache().resolve(file("/w.h5"));
        assertEquals(List.of(NAME), cacheContents());
    }

    @Test
    void redirectsAreFollowed() throws IOException {
        server.serve("/new/w.h5", CONTENT);
        server.handle("/old/w.h5", exchange -> {
            exchange.getResponseHeaders().add("Location", server.uri("/new/w.h5").toString());
            exchange.sendResponseHeaders(302, -1);
        });

        assertArrayEquals(CONTENT, Files.readAllBytes(cache().resolve(file("/old/w.h5"))));
        assertEquals(2, server.requests());
    }

    @Test
    void connectionRefusedFailsWithTheUrl() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        WeightsFile f = new WeightsFile(NAME, URI.create("http://127.0.0.1:" + port + "/w.h5"), MD5, CONTENT.length);

        WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class, () -> cache().resolve(f));

        assertMentions(e.getMessage(), "cannot download " + f.url(), "cannot connect to 127.0.0.1:" + port,
                "connection refused", "ConnectException", dir.resolve(NAME).toString());
        assertNothingLeft();
    }

    @Test
    void stalledBodyTimesOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.handle("/w.h5", exchange -> {
            exchange.sendResponseHeaders(200, CONTENT.length);
            OutputStream out = exchange.getResponseBody();
            out.write(CONTENT, 0, 1000);
            out.flush();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(false)
                .readTimeout(Duration.ofMillis(300)).build();
        try {
            long start = System.nanoTime();
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> cache.resolve(file("/w.h5")));
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5));
            assertMentions(e.getMessage(), "broke off after 1000 of " + CONTENT.length, "read timeout");
            assertNothingLeft();
        } finally {
            release.countDown();
        }
    }

    @Test
    void stalledHeadersTimeOut() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.handle("/w.h5", exchange -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(false)
                .readTimeout(Duration.ofMillis(300)).build();
        try {
            WeightsUnavailableException e = assertThrows(WeightsUnavailableException.class,
                    () -> cache.resolve(file("/w.h5")));
            assertMentions(e.getMessage(), "cannot download", "HttpTimeoutException");
            assertNothingLeft();
        } finally {
            release.countDown();
        }
    }

    @Test
    void failingProgressListenerAbortsAndCleansUp() throws IOException {
        server.serve("/w.h5", CONTENT);
        WeightsCache cache = WeightsCache.builder().directory(dir).offline(false).progress((done, total) -> {
            if (done > 0) {
                throw new IllegalStateException("cancelled by the user");
            }
        }).build();
        assertThrows(IllegalStateException.class, () -> cache.resolve(file("/w.h5")));
        assertNothingLeft();
    }

    @Test
    void concurrentResolvesProduceOneValidFile() throws Exception {
        server.handle("/w.h5", exchange -> {
            try {
                Thread.sleep(200); // keep the first download going while the second thread arrives
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            TestServer.send(exchange, 200, CONTENT);
        });
        int threads = 4;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                // separate instances, as separate parts of an application would have
                WeightsCache cache = cache();
                Callable<Path> task = () -> {
                    go.await();
                    return cache.resolve(file("/w.h5"));
                };
                results.add(pool.submit(task));
            }
            go.countDown();
            for (Future<Path> r : results) {
                assertEquals(dir.resolve(NAME), r.get(10, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(CONTENT, Files.readAllBytes(dir.resolve(NAME)));
        assertEquals(List.of(NAME), cacheContents());
        assertEquals(1, server.requests(), "the waiting threads must find the file downloaded by the first");
    }
}
