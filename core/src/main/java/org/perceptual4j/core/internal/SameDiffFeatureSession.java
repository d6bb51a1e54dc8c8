package org.perceptual4j.core.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.FeatureSession;

/**
 * The generic {@link FeatureSession}: the extractor's {@link FeatureExtractor#define} graph with the
 * input as a variable, plus one placeholder U_l per distinct feature variable and the scalar
 * {@code sum_l sum(F_l * U_l)}; its gradient with respect to the input, with U_l = dL/dF_l fed in,
 * is the vector-Jacobian product the session returns. Works on every ND4J backend; the backward call
 * recomputes the forward pass (SameDiff keeps no activations between calls).
 */
public final class SameDiffFeatureSession extends AbstractFeatureSession {
    private static final String INPUT = "session_input";

    private final SameDiff sd = SameDiff.create();
    private final SDVariable input;
    /** requested name -> feature variable name (aliases of one layer share a variable). */
    private final Map<String, String> featureOf = new LinkedHashMap<>();
    /** feature variable name -> its upstream-gradient placeholder name. */
    private final Map<String, String> upstreamOf = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    public SameDiffFeatureSession(FeatureExtractor extractor, Collection<String> layers, long[] networkInputShape) {
        super(layers, networkInputShape);
        input = sd.var(INPUT, Nd4j.zeros(DataType.FLOAT, networkInputShape));
        Map<String, SDVariable> features = extractor.define(sd, input, layers());
        List<SDVariable> terms = new ArrayList<>();
        features.forEach((name, f) -> {
            featureOf.put(name, f.name());
            if (!upstreamOf.containsKey(f.name())) {
                SDVariable u = sd.placeHolder("upstream_" + upstreamOf.size(), DataType.FLOAT, -1, -1, -1, -1);
                upstreamOf.put(f.name(), u.name());
                terms.add(f.mul(u).sum());
            }
        });
        SDVariable total = terms.get(0);
        for (int i = 1; i < terms.size(); i++) {
            total = total.add(terms.get(i));
        }
        sd.setLossVariables(total);
        Graphs.createGradFunction(sd, INPUT);
    }

    @Override
    protected Map<String, INDArray> doForward(INDArray networkInput) {
        input.getArr().assign(networkInput);
        Map<String, INDArray> values = sd.output(Map.of(), featureOf.values().stream().distinct().toArray(String[]::new));
        Map<String, INDArray> result = new LinkedHashMap<>();
        featureOf.forEach((name, var) -> {
            INDArray v = values.get(var);
            shapes.putIfAbsent(var, v.shape());
            result.put(name, v);
        });
        return result;
    }

    @Override
    protected INDArray doBackward(Map<String, INDArray> featureGradients) {
        Map<String, INDArray> upstream = new LinkedHashMap<>();
        featureGradients.forEach((name, g) -> {
            String placeholder = upstreamOf.get(featureOf.get(name));
            upstream.merge(placeholder, g.castTo(DataType.FLOAT), INDArray::add);
        });
        upstreamOf.forEach((var, placeholder) -> upstream.computeIfAbsent(placeholder, p -> Nd4j.zeros(DataType.FLOAT, shapes.get(var))));
        return sd.calculateGradients(upstream, INPUT).get(INPUT).dup();
    }

    @Override
    protected void release() {
        // the graph holds only heap-managed ND4J arrays; nothing native to release early
    }
}
