package org.perceptual4j.losses;

import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Graphs;

/** Runs a {@link Loss#define} graph on concrete arrays, so eager values and graphs share one definition. */
final class LossGraphs {
    private static final String INPUT = "input";

    private LossGraphs() {
    }

    static double value(Loss loss, INDArray input, INDArray target) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant(INPUT, input.castTo(DataType.FLOAT));
        SDVariable out = loss.define(sd, in, target == null ? null : sd.constant("target", target.castTo(DataType.FLOAT)));
        return out.eval().getDouble(0);
    }

    static INDArray gradient(Loss loss, INDArray input, INDArray target) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.var(INPUT, input.castTo(DataType.FLOAT).dup());
        SDVariable out = loss.define(sd, in, target == null ? null : sd.constant("target", target.castTo(DataType.FLOAT)));
        sd.setLossVariables(out);
        Graphs.createGradFunction(sd, INPUT);
        Map<String, INDArray> grads = sd.calculateGradients(Map.of(), INPUT);
        return grads.get(INPUT).dup();
    }
}
