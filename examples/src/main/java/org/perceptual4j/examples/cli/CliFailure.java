package org.perceptual4j.examples.cli;

/**
 * A failure the CLI reports as one line, "perceptual4j: error: MESSAGE", with exit code 1. The
 * message is complete (names the file or option concerned); the cause is shown only with --verbose.
 */
final class CliFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CliFailure(String message) {
        super(message);
    }

    CliFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
