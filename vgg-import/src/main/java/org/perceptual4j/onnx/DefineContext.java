package org.perceptual4j.onnx;

import java.nio.file.Path;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.PadMode;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.onnx.internal.OnnxNode;

/** State while one graph is defined: the SameDiff instance, unique names, error messages. */
final class DefineContext {
    private final SameDiff sd;
    private final String prefix;
    private final Path file;
    private OnnxNode node;
    private int counter;

    DefineContext(SameDiff sd, String prefix, Path file) {
        this.sd = sd;
        this.prefix = prefix;
        this.file = file;
    }

    SameDiff sd() {
        return sd;
    }

    void at(OnnxNode current) {
        this.node = current;
    }

    /** A graph-unique variable name derived from an ONNX name (SameDiff names avoid ':' and spaces). */
    String name(String onnxName) {
        String base = prefix + onnxName.replaceAll("[^A-Za-z0-9_./-]", "_");
        String n = base;
        while (sd.hasVariable(n)) {
            n = base + "_" + (++counter);
        }
        return n;
    }

    /** A constant variable holding {@code array}, shape known. */
    Value constant(String hint, INDArray array) {
        return new Value(sd.constant(name(hint), array), array.shape());
    }

    /** Pads each axis by {pads[i][0], pads[i][1]} with a constant value. */
    SDVariable pad(SDVariable x, long[][] pads, double value) {
        int[][] p = new int[pads.length][2];
        for (int i = 0; i < pads.length; i++) {
            p[i][0] = Math.toIntExact(pads[i][0]);
            p[i][1] = Math.toIntExact(pads[i][1]);
        }
        INDArray paddings = Nd4j.createFromArray(p).castTo(DataType.INT32);
        return sd.nn().pad(name("pad"), x, sd.constant(name("paddings"), paddings), PadMode.CONSTANT, value);
    }

    /** An error at define time (a shape the network does not accept); names the file and the node. */
    IllegalArgumentException error(String message) {
        return new IllegalArgumentException(file + ": " + (node == null ? "" : node.describe() + ": ") + message);
    }
}
