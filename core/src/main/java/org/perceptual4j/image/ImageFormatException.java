package org.perceptual4j.image;

import java.io.IOException;

/**
 * An input that cannot be used as an image: empty, of an unsupported format, or corrupt or truncated.
 * The message starts with the file name (or the name given for a stream) and says what is wrong.
 */
public class ImageFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public ImageFormatException(String message) {
        super(message);
    }

    public ImageFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
