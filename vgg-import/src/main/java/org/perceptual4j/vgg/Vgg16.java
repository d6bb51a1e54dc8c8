package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.file.Path;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.vgg.download.WeightsCache;
import org.perceptual4j.vgg.download.WeightsFile;

/**
 * VGG16 feature extractors from weights files: Keras HDF5, MatConvNet MAT-files, ONNX, or any of them
 * recognised from the content ({@link #fromFile}). Each extractor applies the image convention of its
 * file and reports the file in {@link VggFeatureExtractor#provenance()}.
 *
 * <pre>{@code
 * FeatureExtractor vgg = Vgg16.fromFile(Path.of(args[0]));   // .h5, .mat or .onnx, recognised from the content
 * FeatureExtractor vgg = Vgg16.fromKeras(Path.of("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"));
 * FeatureExtractor vgg = Vgg16.pretrained();   // downloads once into the cache
 * FeatureExtractor vgg = Vgg16.fromOnnx(Path.of("vgg16-7.onnx"));   // torchvision convention
 * }</pre>
 */
public final class Vgg16 {
    private Vgg16() {
    }

    /**
     * Loads VGG16 from a Keras HDF5 weights file (notop or full; old or tf.keras dataset naming).
     * The weights follow the Caffe image convention.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the file is not HDF5, is truncated, or has wrong layer names or shapes
     */
    public static VggFeatureExtractor fromKeras(Path file) throws IOException {
        return VggLoader.load(file, VggArchitecture.VGG16);
    }

    /**
     * Loads VGG16 from an ONNX file: torchvision's {@code vgg16().features} or the whole torchvision
     * model exported with {@code torch.onnx.export} (the classifier is ignored), or the ONNX model zoo's
     * {@code vgg16-7.onnx}. Same layer names as {@link #fromKeras}; the weights follow the torchvision
     * convention {@link ImageConvention#IMAGENET}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the file is not ONNX, is truncated, or is not a VGG16 (the message
     *     names the node that differs)
     */
    public static VggFeatureExtractor fromOnnx(Path file) throws IOException {
        return VggLoader.loadOnnx(file, VggArchitecture.VGG16, ImageConvention.IMAGENET);
    }

    /**
     * Like {@link #fromOnnx(Path)} for weights trained with another image convention, e.g.
     * {@link ImageConvention#CAFFE} for a VGG16 converted from Caffe.
     */
    public static VggFeatureExtractor fromOnnx(Path file, ImageConvention convention) throws IOException {
        return VggLoader.loadOnnx(file, VggArchitecture.VGG16, convention);
    }

    /**
     * Loads VGG16 from a MatConvNet MAT-file ({@code imagenet-vgg-verydeep-16.mat}, MATLAB v5/v7, newer or older layout; the
     * classifier layers are ignored). The weights follow the MatConvNet image convention: RGB, 0-255, minus
     * the mean pixel stored in the file ({@link org.perceptual4j.core.ImageConvention#MATCONVNET} for the
     * published files).
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the file is not a MATLAB v5 MAT-file, is truncated, lacks the expected
     *     variables or fields, or has wrong layer types or shapes
     */
    public static VggFeatureExtractor fromMatConvNet(Path file) throws IOException {
        return VggLoader.loadMatConvNet(file, VggArchitecture.VGG16);
    }

    /**
     * Loads VGG16 from a weights file of any supported format, recognised from its content
     * ({@link WeightsFormat#detect}), with the image convention that goes with it: Keras HDF5 as
     * {@link #fromKeras}, MatConvNet MAT as {@link #fromMatConvNet}, ONNX as {@link #fromOnnx(Path)}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws VggImportException if the format is not recognised (the message lists the supported ones) or
     *     the file cannot be used
     */
    public static VggFeatureExtractor fromFile(Path file) throws IOException {
        return VggLoader.loadAny(file, VggArchitecture.VGG16);
    }

    /** The official keras-applications VGG16 notop weights, from the default cache (downloaded if absent). */
    public static VggFeatureExtractor pretrained() throws IOException {
        return pretrained(WeightsCache.builder().build());
    }

    /** The official VGG16 notop weights through the given cache (directory, offline mode, timeouts). */
    public static VggFeatureExtractor pretrained(WeightsCache cache) throws IOException {
        return fromKeras(cache.resolve(WeightsFile.VGG16_NOTOP));
    }
}
