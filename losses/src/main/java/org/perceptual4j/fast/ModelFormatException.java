package org.perceptual4j.fast;

import java.io.IOException;

/**
 * A file that cannot be used as a fast-style model or checkpoint: not one at all, corrupt or truncated,
 * or written in a format version this library does not read. The message starts with the file name and
 * says what is wrong.
 */
public class ModelFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
