package org.perceptual4j.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.SameDiffFeatureSession;

/**
 * A frozen pretrained network that maps images to named feature maps, for perceptual losses.
 *
 * <p>Implementations are immutable and safe to share between threads: weights never change and every
 * call builds its own computation.
 */
public interface FeatureExtractor {

    /** Canonical names of the layers whose outputs can be requested, in network order. */
    List<String> layerNames();

    /**
     * Resolves a layer name, accepting aliases (for VGG: {@code relu4_2}, {@code conv4_2} and the Keras
     * spelling {@code block4_conv2}) to the canonical name.
     *
     * @throws IllegalArgumentException naming the unknown layer and listing the valid ones
     */
    String resolveLayer(String name);

    /** The image convention the weights expect; see {@link ImageConvention}. */
    ImageConvention imageConvention();

    /** Where the weights came from (file, format, checksum), for diagnostics. */
    Provenance provenance();

    /**
     * Feature maps of RGB images for the requested layers.
     *
     * @param rgbImages NCHW float images, RGB, values in [0, 1]; {@link #imageConvention()} is applied here
     * @param layers layer names (aliases accepted); only the network up to the deepest one is evaluated
     * @return map from each requested name, as given, to its NCHW feature map
     */
    Map<String, INDArray> features(INDArray rgbImages, Collection<String> layers);

    /**
     * Adds the network, up to the deepest requested layer, to a SameDiff graph so losses can be
     * differentiated through it. Weights are added as constants.
     *
     * @param sd the graph
     * @param networkInput NCHW input already in the network's space (see {@link ImageConvention#toNetwork})
     * @param layers layer names (aliases accepted)
     * @return map from each requested name, as given, to its feature variable
     */
    Map<String, SDVariable> define(SameDiff sd, SDVariable networkInput, Collection<String> layers);

    /**
     * Opens a session that evaluates the requested layers on network-space inputs of one shape and
     * back-propagates feature gradients to the input; see {@link FeatureSession}. Style transfer by
     * optimization runs one forward and one backward per step through it.
     *
     * <p>The default runs {@link #define} in a SameDiff graph (its backward recomputes the forward
     * pass); extractors override it with a faster path where they have one.
     *
     * @param layers layer names (aliases accepted); only the network up to the deepest one is evaluated
     * @param networkInputShape {@code [N, C, H, W]} of the inputs, in the network's space
     * @throws IllegalArgumentException for an unknown layer, no layers, or a shape that is not NCHW
     */
    default FeatureSession openSession(Collection<String> layers, long... networkInputShape) {
        return new SameDiffFeatureSession(this, layers, networkInputShape);
    }

    /**
     * This network with another pooling between blocks.
     *
     * @throws UnsupportedOperationException if the architecture has no configurable pooling
     */
    default FeatureExtractor withPooling(Pooling pooling) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support changing pooling");
    }

    /** The pooling this network uses between blocks, or {@code null} if not applicable. */
    default Pooling pooling() {
        return null;
    }
}
