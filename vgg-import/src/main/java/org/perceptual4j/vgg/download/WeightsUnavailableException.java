package org.perceptual4j.vgg.download;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A weights file could not be obtained: not in the cache and not downloadable (offline mode, HTTP
 * error, network failure, checksum or size mismatch, unwritable cache...).
 *
 * <p>The message states the reason and the two ways out: download the file by hand to the exact cache
 * path ({@link #cachePath()}), checking its MD5, or point the program at a local copy
 * ({@code Vgg19.fromKeras(path)}, the CLI's {@code --weights PATH}).
 */
public class WeightsUnavailableException extends IOException {
    private final WeightsFile weightsFile;
    private final Path cachePath;
    private final String reason;

    /**
     * @param weightsFile the file that was requested
     * @param cachePath where the cache expects the file (see {@link WeightsCache#locate})
     * @param reason what went wrong, in a few words (e.g. "server answered HTTP 404")
     * @param cause the underlying exception, or null
     */
    public WeightsUnavailableException(WeightsFile weightsFile, Path cachePath, String reason, Throwable cause) {
        super(message(Objects.requireNonNull(weightsFile, "weightsFile"),
                Objects.requireNonNull(cachePath, "cachePath"), Objects.requireNonNull(reason, "reason")), cause);
        this.weightsFile = weightsFile;
        this.cachePath = cachePath;
        this.reason = reason;
    }

    /** The file that was requested. */
    public WeightsFile weightsFile() {
        return weightsFile;
    }

    /** Where a manually downloaded copy of the file can be put so that the cache finds it. */
    public Path cachePath() {
        return cachePath;
    }

    /** The reason alone, without the advice. */
    public String reason() {
        return reason;
    }

    private static String message(WeightsFile file, Path cachePath, String reason) {
        String size = file.hasKnownSize() ? ", " + file.size() + " bytes" : "";
        return "Pretrained weights " + file.fileName() + " are not available: " + reason + ".\n"
                + "To fix this, either:\n"
                + "  - download " + file.url() + " by hand and save it as\n"
                + "      " + cachePath + "\n"
                + "    (expected MD5 " + file.md5() + size + "), or\n"
                + "  - use a local copy of the file: pass it to Vgg19.fromKeras(path) (Vgg16.fromKeras(path)"
                + " for VGG16) or to the CLI's --weights PATH option.";
    }
}
