package org.perceptual4j.core;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Repeated evaluation of a {@link FeatureExtractor} on inputs of one shape, with back-propagation:
 * {@link #forward} gives the feature maps of the requested layers, and {@link #backward}, given the
 * gradient of a scalar function L with respect to each of those feature maps, gives the gradient of L
 * with respect to the input (a vector-Jacobian product through the frozen network):
 *
 * <pre>  backward({l: dL/dF_l}) = sum_l J_l(x)^T dL/dF_l,   J_l = dF_l/dx at the last forward input x</pre>
 *
 * This is what optimization-based style transfer needs at every step: the losses are computed on
 * the features outside the network, their gradients are pushed back through it. A session keeps its
 * buffers (activations, gradients, native primitives) between calls, so a step allocates little.
 *
 * <p>Open one with {@link FeatureExtractor#openSession}. A session is used by one thread at a time;
 * several sessions of the same extractor may run concurrently. Close it to release native memory
 * at once (otherwise it is released when the session is garbage collected).
 */
public interface FeatureSession extends AutoCloseable {

    /** The layer names as requested when the session was opened, in that order. */
    List<String> layers();

    /** The input shape this session accepts, {@code [N, C, H, W]}. */
    long[] inputShape();

    /**
     * Feature maps of {@code networkInput} for {@link #layers()}.
     *
     * @param networkInput NCHW float input of {@link #inputShape()}, already in the network's space
     *     ({@link ImageConvention#toNetwork}); not kept and not modified
     * @return map from each requested name to its NCHW feature map (aliases of one layer may share an
     *     array). The arrays may be the session's own buffers, overwritten by the next {@code forward};
     *     the caller may overwrite them too, for instance with the gradients it then passes to
     *     {@link #backward}, which saves a second array per layer
     * @throws IllegalArgumentException if the shape differs from {@link #inputShape()}
     */
    Map<String, INDArray> forward(INDArray networkInput);

    /**
     * The gradient with respect to the input of the last {@link #forward}, given the gradient with
     * respect to each feature map. Layers missing from the map contribute nothing. Once per forward:
     * an implementation may reuse the activations' memory for the gradients.
     *
     * @param featureGradients map from requested layer name to dL/dF, each of its feature map's shape
     *     (possibly the arrays {@link #forward} returned, overwritten); not kept and not modified
     * @return a new array of {@link #inputShape()}
     * @throws IllegalStateException if {@link #forward} has not been called since the last backward
     * @throws IllegalArgumentException for an unknown layer name or a wrongly shaped gradient
     */
    INDArray backward(Map<String, INDArray> featureGradients);

    /**
     * Releases the session's buffers, including arrays {@link #forward} returned that are the
     * session's own (copy what must outlive the session); later calls fail. Closing twice is harmless.
     */
    @Override
    void close();
}
