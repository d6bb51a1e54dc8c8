package org.perceptual4j.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.FeatureSession;

/**
 * The argument and state checks every {@link FeatureSession} implementation makes, so all of them
 * reject the same mistakes with the same messages.
 */
public abstract class AbstractFeatureSession implements FeatureSession {
    private final List<String> layers;
    private final long[] inputShape;
    private Map<String, long[]> featureShapes;
    private boolean forwardPending;
    private boolean closed;

    protected AbstractFeatureSession(Collection<String> layers, long[] inputShape) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer name, got " + layers);
        }
        if (inputShape == null || inputShape.length != 4 || Arrays.stream(inputShape).anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("input shape: expected [N, C, H, W] with positive sizes, got "
                    + Arrays.toString(inputShape));
        }
        this.layers = List.copyOf(new ArrayList<>(layers));
        this.inputShape = inputShape.clone();
    }

    @Override
    public final List<String> layers() {
        return layers;
    }

    @Override
    public final long[] inputShape() {
        return inputShape.clone();
    }

    @Override
    public final Map<String, INDArray> forward(INDArray networkInput) {
        requireOpen();
        if (networkInput == null || !Arrays.equals(networkInput.shape(), inputShape)) {
            throw new IllegalArgumentException("input: expected shape " + Arrays.toString(inputShape) + ", got "
                    + (networkInput == null ? "null" : Arrays.toString(networkInput.shape())));
        }
        if (!networkInput.dataType().isFPType()) {
            throw new IllegalArgumentException("input: expected a floating-point array, got " + networkInput.dataType());
        }
        Map<String, INDArray> features = doForward(networkInput);
        forwardPending = true;
        if (featureShapes == null) {
            Map<String, long[]> shapes = new java.util.LinkedHashMap<>();
            features.forEach((k, v) -> shapes.put(k, v.shape()));
            featureShapes = shapes;
        }
        return features;
    }

    @Override
    public final INDArray backward(Map<String, INDArray> featureGradients) {
        requireOpen();
        if (!forwardPending) {
            throw new IllegalStateException(featureShapes == null ? "backward: expected a forward call first"
                    : "backward: expected a forward call since the last backward (one backward per forward)");
        }
        if (featureGradients == null) {
            throw new IllegalArgumentException("feature gradients: expected a map (may be empty), got null");
        }
        featureGradients.forEach((name, g) -> {
            long[] expected = featureShapes.get(name);
            if (expected == null) {
                throw new IllegalArgumentException("feature gradients: unknown layer '" + name + "'; this session's layers: " + layers);
            }
            if (g == null || !Arrays.equals(g.shape(), expected)) {
                throw new IllegalArgumentException("feature gradient of " + name + ": expected shape " + Arrays.toString(expected)
                        + ", got " + (g == null ? "null" : Arrays.toString(g.shape())));
            }
        });
        forwardPending = false;
        return doBackward(featureGradients);
    }

    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            release();
        }
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("the feature session is closed");
        }
    }

    /** Features of an input whose shape and type have been checked, keyed by the requested names. */
    protected abstract Map<String, INDArray> doForward(INDArray networkInput);

    /** The input gradient; the names and shapes have been checked and a forward has run. */
    protected abstract INDArray doBackward(Map<String, INDArray> featureGradients);

    /** Releases resources; called once. */
    protected abstract void release();
}
