package org.perceptual4j.onnx;

import java.io.IOException;

/**
 * An ONNX file that cannot be imported: not ONNX, truncated, an unsupported operator or data layout,
 * weights whose shapes do not fit. The message names the file and, where it applies, the node
 * (name, operator type and position in the graph) or the tensor.
 */
public class OnnxImportException extends IOException {
    private static final long serialVersionUID = 1L;

    public OnnxImportException(String message) {
        super(message);
    }

    public OnnxImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
