package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.core.internal.Checks;

/** Builds {@link VggFeatureExtractor}s from weights files. */
final class VggLoader {
    private VggLoader() {
    }

    static VggFeatureExtractor load(Path file, VggArchitecture arch) throws IOException {
        List<KerasVggWeights.Conv> convs = KerasVggWeights.read(file, arch);
        return new VggFeatureExtractor(arch, convs, Pooling.MAX, ImageConvention.CAFFE, Provenance.ofFile(file, "Keras HDF5"));
    }

    static VggFeatureExtractor loadOnnx(Path file, VggArchitecture arch, ImageConvention convention) throws IOException {
        Checks.requireNonNull(convention, "convention");
        List<KerasVggWeights.Conv> convs = OnnxVggWeights.read(file, arch);
        return new VggFeatureExtractor(arch, convs, Pooling.MAX, convention, Provenance.ofFile(file, "ONNX"));
    }
}
