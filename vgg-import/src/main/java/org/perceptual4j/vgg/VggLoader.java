package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.Provenance;

/** Builds {@link VggFeatureExtractor}s from weights files. */
final class VggLoader {
    private VggLoader() {
    }

    /** A Keras HDF5 weights file; Caffe convention. */
    static VggFeatureExtractor load(Path file, VggArchitecture arch) throws IOException {
        List<KerasVggWeights.Conv> convs = KerasVggWeights.read(file, arch);
        return new VggFeatureExtractor(arch, convs, Pooling.MAX, ImageConvention.CAFFE,
                Provenance.ofFile(file, WeightsFormat.KERAS_HDF5.displayName()));
    }

    /** A MatConvNet MAT-file; MatConvNet convention with the file's mean pixel. */
    static VggFeatureExtractor loadMatConvNet(Path file, VggArchitecture arch) throws IOException {
        MatConvNetVggWeights.Network net = MatConvNetVggWeights.read(file, arch);
        return new VggFeatureExtractor(arch, net.convs(), Pooling.MAX, net.convention(),
                Provenance.ofFile(file, WeightsFormat.MATCONVNET.displayName()));
    }

    /** Any supported file, by its content ({@link WeightsFormat#detect}). */
    static VggFeatureExtractor loadAny(Path file, VggArchitecture arch) throws IOException {
        return switch (WeightsFormat.detect(file)) {
            case KERAS_HDF5 -> load(file, arch);
            case MATCONVNET -> loadMatConvNet(file, arch);
            case ONNX -> loadOnnx(file, arch);
        };
    }

    /**
     * The one call that hands ONNX files to the ONNX importer ({@code Vgg19.fromOnnx} /
     * {@code Vgg16.fromOnnx}), which is developed on another branch and wired in here when merged.
     */
    private static VggFeatureExtractor loadOnnx(Path file, VggArchitecture arch) throws VggImportException {
        throw new VggImportException(file + ": ONNX file; ONNX import is not available in this build (load "
                + arch + " from a Keras HDF5 or MatConvNet MAT-file instead)");
    }
}
