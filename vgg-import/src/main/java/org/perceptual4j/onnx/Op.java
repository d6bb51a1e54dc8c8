package org.perceptual4j.onnx;

import java.util.List;

/**
 * One ONNX node converted at load time (attributes validated, weights read and laid out for ND4J),
 * ready to add its SameDiff operations to a graph.
 */
interface Op {

    /** Names of the inputs {@link #define} receives, in order (dynamic values or constants). */
    List<String> dataInputs();

    /**
     * Adds the node's operations.
     *
     * @param inputs values of {@link #dataInputs()}
     * @param name name for the output variable
     * @return the node's (first) output
     */
    Value define(DefineContext ctx, Value[] inputs, String name);
}
