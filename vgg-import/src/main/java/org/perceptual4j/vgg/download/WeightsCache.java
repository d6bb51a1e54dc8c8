package org.perceptual4j.vgg.download;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.perceptual4j.core.internal.Checks;

/**
 * A local cache of pretrained weights files that downloads missing files, modelled on DJL's model
 * repository.
 *
 * <p>{@link #resolve} returns the path of a verified copy of a {@link WeightsFile} in the cache
 * directory, downloading it first if it is absent or damaged:
 * <ul>
 *   <li>A cached file is accepted if its size is right and its MD5 checksum matches. The MD5 is
 *       computed (about 0.2 s for the 80 MB VGG19 file) the first time a file is resolved in this JVM
 *       and whenever its size, modification time or file key has changed since; otherwise the result is
 *       remembered in memory. No marker files are written, so a file copied into the cache by hand is
 *       accepted as it is.</li>
 *   <li>A download goes over HTTP(S) with {@link HttpClient}, following redirects (but not from https
 *       to http), into a temporary {@code <fileName>.<random>.part} file in the cache directory. The
 *       MD5 is computed while streaming; size and MD5 are checked, then the file is moved into place
 *       atomically, so the cache never holds a partial file under the final name. On any failure the
 *       temporary file is deleted.</li>
 *   <li>Concurrent resolves of the same file are serialised: in this JVM by a lock per cache path, and
 *       between processes by an exclusive {@link FileLock} on {@code <fileName>.lock} in the cache
 *       directory (left in place; deleting lock files is racy). The second caller finds the file
 *       downloaded by the first. On file systems without file locking the download goes ahead unlocked
 *       (still safe, at worst done twice).</li>
 *   <li>In offline mode nothing is downloaded and the cache directory is not written to.</li>
 *   <li>Every failure is a {@link WeightsUnavailableException} that gives the reason and says how to
 *       supply the file by hand. There are no retries.</li>
 * </ul>
 *
 * <p>Instances are immutable and thread-safe. Nothing is printed or logged and no system-wide setting
 * is changed; the only shared state is the in-memory per-path locks and MD5 results described above.
 */
public final class WeightsCache {
    /** System property naming the cache directory; overrides {@link #DIRECTORY_ENV}. */
    public static final String DIRECTORY_PROPERTY = "perceptual4j.cache.dir";
    /** Environment variable naming the cache directory. */
    public static final String DIRECTORY_ENV = "PERCEPTUAL4J_CACHE_DIR";
    /** System property switching offline mode on ("true" or "1") or off ("false" or "0"); overrides {@link #OFFLINE_ENV}. */
    public static final String OFFLINE_PROPERTY = "perceptual4j.offline";
    /** Environment variable switching offline mode on ("true" or "1") or off ("false" or "0"). */
    public static final String OFFLINE_ENV = "PERCEPTUAL4J_OFFLINE";
    /** Default time allowed to establish a connection. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** Default time allowed to wait for the response headers and then for each chunk of the body. */
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(60);

    static final String PART_SUFFIX = ".part";
    static final String LOCK_SUFFIX = ".lock";
    private static final String USER_AGENT = "Perceptual4J (+https://github.com/perceptual4j)";
    private static final DownloadProgress NO_PROGRESS = (done, total) -> { };

    /** One lock per cache path, shared by all instances: {@link FileChannel#lock} is per JVM, not per thread. */
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();
    /** Cache paths whose MD5 was checked in this JVM, with the attributes the file had then. */
    private static final ConcurrentHashMap<Path, Verified> VERIFIED = new ConcurrentHashMap<>();

    private record Verified(String md5, long size, FileTime modified, Object fileKey) {
        static Verified of(String md5, BasicFileAttributes attrs) {
            return new Verified(md5, attrs.size(), attrs.lastModifiedTime(), attrs.fileKey());
        }
    }

    private final Path directory;
    private final boolean offline;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final DownloadProgress progress;

    private WeightsCache(Builder b, Path directory, boolean offline) {
        this.directory = directory;
        this.offline = offline;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.progress = b.progress;
    }

    /** A builder with the defaults described on its setters. */
    public static Builder builder() {
        return new Builder();
    }

    /** The cache directory (absolute); it is created on the first download. */
    public Path directory() {
        return directory;
    }

    /** Whether downloads are disabled. */
    public boolean offline() {
        return offline;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    /**
     * The path where {@code file} is, or would be put, in the cache, whether or not it exists. A file
     * downloaded by hand can be copied there.
     */
    public Path locate(WeightsFile file) {
        Checks.requireNonNull(file, "file");
        return directory.resolve(file.fileName());
    }

    /**
     * Returns the path of a verified copy of {@code file} in the cache, downloading it first if it is
     * absent or damaged (see the class description). Blocks while another thread or process downloads
     * the same file.
     *
     * @throws WeightsUnavailableException if the file is not in the cache and cannot be downloaded (offline
     *     mode, HTTP error, network failure or timeout, size or checksum mismatch, unwritable cache
     *     directory); the message says how to supply the file by hand
     * @throws InterruptedIOException if the thread is interrupted while waiting (the interrupt flag is kept)
     * @throws IllegalArgumentException if {@code file} is null
     */
    public Path resolve(WeightsFile file) throws IOException {
        Path target = locate(file);
        if (isKnownGood(file, target)) {
            return target;
        }
        if (offline) {
            String problem = check(file, target);
            if (problem == null) {
                return target;
            }
            throw new WeightsUnavailableException(file, target, "offline mode is on (" + OFFLINE_PROPERTY
                    + " / " + OFFLINE_ENV + " / WeightsCache.Builder.offline) and " + problem, null);
        }
        ReentrantLock lock = LOCKS.computeIfAbsent(target, k -> new ReentrantLock());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another download of " + target);
        }
        try {
            try {
                Files.createDirectories(directory);
            } catch (IOException e) {
                throw unavailable(file, target, "cannot create the cache directory " + directory
                        + " (" + describe(e) + ")", e);
            }
            Path lockFile = directory.resolve(file.fileName() + LOCK_SUFFIX);
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock fileLock = lockOrNull(channel)) {
                String problem = check(file, target);
                if (problem == null) {
                    return target;
                }
                if (fileLock != null) {
                    deleteStaleParts(file);
                }
                download(file, target);
                return target;
            } catch (WeightsUnavailableException e) {
                throw e;
            } catch (IOException e) {
                if (Thread.currentThread().isInterrupted() && e instanceof InterruptedIOException) {
                    throw e;
                }
                throw unavailable(file, target, "cannot lock " + lockFile + " (" + describe(e) + ")", e);
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    public String toString() {
        return "WeightsCache[directory=" + directory + ", offline=" + offline + ", connectTimeout="
                + connectTimeout + ", readTimeout=" + readTimeout + "]";
    }

    /** Locks the whole file, or returns null if the file system does not support locking. */
    private static FileLock lockOrNull(FileChannel channel) throws IOException {
        try {
            return channel.lock();
        } catch (ClosedChannelException | FileLockInterruptionException e) {
            throw e; // interrupted: not a missing feature
        } catch (IOException e) {
            return null;
        }
    }

    /** True if the file has the attributes it had when its MD5 was last checked in this JVM. */
    private static boolean isKnownGood(WeightsFile file, Path target) {
        Verified known = VERIFIED.get(target);
        if (known == null || !known.md5().equals(file.md5())) {
            return false;
        }
        try {
            BasicFileAttributes attrs = Files.readAttributes(target, BasicFileAttributes.class);
            return attrs.isRegularFile() && (!file.hasKnownSize() || attrs.size() == file.size())
                    && known.equals(Verified.of(file.md5(), attrs));
        } catch (IOException e) {
            return false;
        }
    }

    /** Checks the cached copy: null if it is good, otherwise what is wrong with it. */
    private static String check(WeightsFile file, Path target) {
        if (isKnownGood(file, target)) {
            return null;
        }
        BasicFileAttributes attrs;
        String actual;
        try {
            attrs = Files.readAttributes(target, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return "the cache path " + target + " is not a regular file";
            }
            if (file.hasKnownSize() && attrs.size() != file.size()) {
                return "the cached file " + target + " has " + attrs.size() + " bytes, expected " + file.size();
            }
            actual = md5Of(target);
        } catch (NoSuchFileException e) {
            return "the file is not in the cache";
        } catch (IOException e) {
            return "the cached file " + target + " cannot be read (" + describe(e) + ")";
        }
        if (!actual.equals(file.md5())) {
            return "the cached file " + target + " is damaged: expected MD5 " + file.md5() + ", got " + actual;
        }
        VERIFIED.put(target, Verified.of(file.md5(), attrs));
        return null;
    }

    /** Deletes temporary files left by an interrupted download; called only under the file lock. */
    private void deleteStaleParts(WeightsFile file) {
        String prefix = file.fileName() + ".";
        try (DirectoryStream<Path> parts = Files.newDirectoryStream(directory, entry -> {
            String name = entry.getFileName().toString();
            return name.startsWith(prefix) && name.endsWith(PART_SUFFIX);
        })) {
            for (Path part : parts) {
                Files.deleteIfExists(part);
            }
        } catch (IOException e) {
            // only housekeeping; a real problem with the directory shows up in the download
        }
    }

    /** Downloads into a temporary file, verifies it and moves it to {@code target}. */
    private void download(WeightsFile file, Path target) throws IOException {
        Path part;
        try {
            part = Files.createTempFile(directory, file.fileName() + ".", PART_SUFFIX);
        } catch (IOException e) {
            throw unavailable(file, target, "cannot create a temporary file in " + directory
                    + " (" + describe(e) + ")", e);
        }
        try {
            String md5 = fetch(file, target, part);
            try {
                try {
                    Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException | FileAlreadyExistsException e) {
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw unavailable(file, target, "cannot move the downloaded file " + part + " to " + target
                        + " (" + describe(e) + ")", e);
            }
            try {
                VERIFIED.put(target, Verified.of(md5, Files.readAttributes(target, BasicFileAttributes.class)));
            } catch (IOException e) {
                // not remembered: it is checked again next time
            }
        } catch (Throwable t) {
            try {
                Files.deleteIfExists(part);
            } catch (IOException e) {
                t.addSuppressed(e);
            }
            throw t;
        }
    }

    /** Streams the file into {@code part}, checking size and MD5; returns the MD5. */
    private String fetch(WeightsFile file, Path target, Path part) throws IOException {
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(file.url())
                .timeout(readTimeout)
                .header("User-Agent", USER_AGENT)
                .GET()
                .build();
        String url = file.url().toString();
        HttpResponse<TimedBody> response;
        try {
            response = client.send(request, info -> new TimedBody());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while downloading " + url);
        } catch (ConnectException e) {
            // JDK 17's HttpClient reports a refused connection without any message
            String authority = file.url().getPort() < 0 ? file.url().getHost()
                    : file.url().getHost() + ":" + file.url().getPort();
            throw unavailable(file, target, "cannot download " + url + ": cannot connect to " + authority
                    + " (connection refused, host unreachable or unknown; " + describe(e) + ")", e);
        } catch (IOException e) {
            throw unavailable(file, target, "cannot download " + url + " (" + describe(e) + ")", e);
        }
        TimedBody body = response.body();
        try {
            int status = response.statusCode();
            if (status != 200) {
                String redirected = response.uri().equals(file.url()) ? "" : " (redirected to " + response.uri() + ")";
                throw unavailable(file, target, "the server answered HTTP " + status + " for " + url + redirected, null);
            }
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1L);
            if (file.hasKnownSize() && announced >= 0 && announced != file.size()) {
                throw unavailable(file, target, "size mismatch: the server announced " + announced + " bytes for "
                        + url + ", expected " + file.size(), null);
            }
            long total = file.hasKnownSize() ? file.size() : announced;
            MessageDigest md5 = newMd5();
            long received = 0;
            try (FileChannel out = FileChannel.open(part, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                progress.onProgress(0, total);
                while (true) {
                    List<ByteBuffer> chunk;
                    try {
                        chunk = body.next(readTimeout);
                    } catch (IOException e) {
                        if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
                            throw e;
                        }
                        throw unavailable(file, target, "the download of " + url + " broke off after " + received
                                + (total >= 0 ? " of " + total : "") + " bytes (" + describe(e) + ")", e);
                    }
                    if (chunk == null) {
                        break;
                    }
                    for (ByteBuffer buffer : chunk) {
                        received += buffer.remaining();
                        if (file.hasKnownSize() && received > file.size()) {
                            throw unavailable(file, target, "size mismatch: the server sent more than the expected "
                                    + file.size() + " bytes for " + url, null);
                        }
                        md5.update(buffer.duplicate());
                        while (buffer.hasRemaining()) {
                            out.write(buffer);
                        }
                    }
                    progress.onProgress(received, total);
                }
                out.force(true);
            } catch (WeightsUnavailableException e) {
                throw e;
            } catch (IOException e) {
                if (e instanceof InterruptedIOException && Thread.currentThread().isInterrupted()) {
                    throw e;
                }
                throw unavailable(file, target, "cannot write the temporary file " + part + " (" + describe(e) + ")", e);
            }
            if (file.hasKnownSize() && received != file.size()) {
                throw unavailable(file, target, "size mismatch: received " + received + " bytes from " + url
                        + ", expected " + file.size(), null);
            }
            String actual = HexFormat.of().formatHex(md5.digest());
            if (!actual.equals(file.md5())) {
                throw unavailable(file, target, "checksum mismatch for the file downloaded from " + url
                        + ": expected MD5 " + file.md5() + ", got " + actual, null);
            }
            return actual;
        } finally {
            body.cancel();
        }
    }

    private static WeightsUnavailableException unavailable(WeightsFile file, Path target, String reason, Throwable cause) {
        return new WeightsUnavailableException(file, target, reason, cause);
    }

    static String md5Of(Path path) throws IOException {
        MessageDigest md5 = newMd5();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try (FileChannel in = FileChannel.open(path, StandardOpenOption.READ)) {
            while (in.read(buffer) >= 0) {
                buffer.flip();
                md5.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(md5.digest());
    }

    private static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    /**
     * "SSLHandshakeException: PKIX path building failed", following causes until one has a message
     * ("ConnectException, caused by ClosedChannelException" when none has).
     */
    static String describe(Throwable error) {
        StringBuilder sb = new StringBuilder();
        Class<?> previous = null;
        Throwable t = error;
        for (int depth = 0; t != null && depth < 5; depth++, t = t.getCause() == t ? null : t.getCause()) {
            String message = t.getMessage();
            boolean hasMessage = message != null && !message.isBlank();
            if (t.getClass() == previous && !hasMessage) {
                continue; // HttpClient wraps exceptions in copies of themselves
            }
            if (previous != null) {
                sb.append(", caused by ");
            }
            sb.append(t.getClass().getSimpleName());
            if (hasMessage) {
                sb.append(": ").append(message);
                break;
            }
            previous = t.getClass();
        }
        return sb.toString();
    }

    /**
     * The default cache directory: system property {@value #DIRECTORY_PROPERTY}, else environment
     * variable {@value #DIRECTORY_ENV}, else {@code ~/.perceptual4j/models}. Blank values are ignored.
     *
     * @param properties looks up a system property (null if unset)
     * @param environment looks up an environment variable (null if unset)
     */
    static Path defaultDirectory(Function<String, String> properties, Function<String, String> environment) {
        String source = DIRECTORY_PROPERTY;
        String value = properties.apply(DIRECTORY_PROPERTY);
        if (value == null || value.isBlank()) {
            source = DIRECTORY_ENV;
            value = environment.apply(DIRECTORY_ENV);
        }
        try {
            if (value == null || value.isBlank()) {
                source = "user.home";
                String home = properties.apply("user.home");
                if (home == null || home.isBlank()) {
                    throw new IllegalArgumentException("user.home: expected a directory, got " + home);
                }
                return Path.of(home, ".perceptual4j", "models").toAbsolutePath().normalize();
            }
            return Path.of(value.trim()).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException(source + ": expected a directory path, got \"" + value + "\"", e);
        }
    }

    /**
     * The default offline mode: system property {@value #OFFLINE_PROPERTY}, else environment variable
     * {@value #OFFLINE_ENV}, else false. "true" and "1" mean on, "false" and "0" off (case-insensitive);
     * blank values are ignored, so {@code -Dperceptual4j.offline=false} overrides the variable.
     *
     * @throws IllegalArgumentException for any other value
     */
    static boolean defaultOffline(Function<String, String> properties, Function<String, String> environment) {
        String source = OFFLINE_PROPERTY;
        String value = properties.apply(OFFLINE_PROPERTY);
        if (value == null || value.isBlank()) {
            source = OFFLINE_ENV;
            value = environment.apply(OFFLINE_ENV);
        }
        if (value == null || value.isBlank()) {
            return false;
        }
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1":
                return true;
            case "false", "0":
                return false;
            default:
                throw new IllegalArgumentException(source + ": expected true, false, 1 or 0, got \"" + value + "\"");
        }
    }

    /** Builds a {@link WeightsCache}; every setter checks its argument at once. */
    public static final class Builder {
        private Path directory;
        private Boolean offline;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private DownloadProgress progress = NO_PROGRESS;

        private Builder() {
        }

        /**
         * The cache directory. Default: system property {@value WeightsCache#DIRECTORY_PROPERTY}, else
         * environment variable {@value WeightsCache#DIRECTORY_ENV}, else {@code ~/.perceptual4j/models}
         * (read when {@link #build()} is called). Relative paths are made absolute.
         */
        public Builder directory(Path directory) {
            this.directory = Checks.requireNonNull(directory, "directory");
            return this;
        }

        /**
         * Disables downloads: {@link WeightsCache#resolve} only returns files already in the cache.
         * Default: system property {@value WeightsCache#OFFLINE_PROPERTY}, else environment variable
         * {@value WeightsCache#OFFLINE_ENV} ("true"/"1" or "false"/"0"), else false.
         */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** Time allowed to establish a connection; default 30 s. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = requirePositive(timeout, "connectTimeout");
            return this;
        }

        /** Time allowed to wait for the response headers, then for each chunk of the body; default 60 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = requirePositive(timeout, "readTimeout");
            return this;
        }

        /** Receives download progress; default none. */
        public Builder progress(DownloadProgress listener) {
            this.progress = Checks.requireNonNull(listener, "progress");
            return this;
        }

        /**
         * The cache. Defaults not set explicitly are read from system properties and the environment now.
         *
         * @throws IllegalArgumentException if such a default has an invalid value
         */
        public WeightsCache build() {
            Path dir = directory != null
                    ? directory.toAbsolutePath().normalize()
                    : defaultDirectory(System::getProperty, System::getenv);
            boolean off = offline != null ? offline : defaultOffline(System::getProperty, System::getenv);
            return new WeightsCache(this, dir, off);
        }

        private static Duration requirePositive(Duration d, String what) {
            Checks.requireNonNull(d, what);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + ": expected a positive duration, got " + d);
            }
            return d;
        }
    }
}
