package org.perceptual4j.vgg;

import java.io.IOException;

/** A weights file that cannot be used: wrong format, truncated, wrong layer names or shapes. The message names the file. */
public class VggImportException extends IOException {
    private static final long serialVersionUID = 1L;

    public VggImportException(String message) {
        super(message);
    }

    public VggImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
