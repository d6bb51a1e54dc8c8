package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.file.Path;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.vgg.download.WeightsCache;
import org.perceptual4j.vgg.download.WeightsFile;

/**
 * VGG19 feature extractors from Keras weights files and ONNX files.
 *
 * <pre>{@code
 * FeatureExtractor vgg = Vgg19.fromKeras(Path.of("vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"));
 * FeatureExtractor vgg = Vgg19.pretrained();   // downloads once into the cache
 * FeatureExtractor vgg = Vgg19.fromOnnx(Path.of("vgg19-7.onnx"));   // torchvision convention
 * }</pre>
 */
public final class Vgg19 {
    private Vgg19() {
    }

    /**
     * Loads VGG19 from a Keras HDF5 weights file (notop or full; old or tf.keras dataset naming).
     * The weights follow the Caffe image convention.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the file is not HDF5, is truncated, or has wrong layer names or shapes
     */
    public static VggFeatureExtractor fromKeras(Path file) throws IOException {
        return VggLoader.load(file, VggArchitecture.VGG19);
    }

    /**
     * Loads VGG19 from an ONNX file: torchvision's {@code vgg19().features} or the whole torchvision
     * model exported with {@code torch.onnx.export} (the classifier is ignored), or the ONNX model zoo's
     * {@code vgg19-7.onnx}. Same layer names as {@link #fromKeras}; the weights follow the torchvision
     * convention {@link ImageConvention#IMAGENET}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the file is not ONNX, is truncated, or is not a VGG19 (the message
     *     names the node that differs)
     */
    public static VggFeatureExtractor fromOnnx(Path file) throws IOException {
        return VggLoader.loadOnnx(file, VggArchitecture.VGG19, ImageConvention.IMAGENET);
    }

    /**
     * Like {@link #fromOnnx(Path)} for weights trained with another image convention, e.g.
     * {@link ImageConvention#CAFFE} for a VGG19 converted from Caffe.
     */
    public static VggFeatureExtractor fromOnnx(Path file, ImageConvention convention) throws IOException {
        return VggLoader.loadOnnx(file, VggArchitecture.VGG19, convention);
    }

    /** The official keras-applications VGG19 notop weights, from the default cache (downloaded if absent). */
    public static VggFeatureExtractor pretrained() throws IOException {
        return pretrained(WeightsCache.builder().build());
    }

    /** The official VGG19 notop weights through the given cache (directory, offline mode, timeouts). */
    public static VggFeatureExtractor pretrained(WeightsCache cache) throws IOException {
        return fromKeras(cache.resolve(WeightsFile.VGG19_NOTOP));
    }
}
