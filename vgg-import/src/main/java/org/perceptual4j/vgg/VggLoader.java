package org.perceptual4j.vgg;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.core.internal.Checks;

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

    /**
     * A MatConvNet MAT-file; MatConvNet convention with the file's mean pixel. The MD5 pass over the file
     * (535 MB for VGG19) runs on a second thread beside the single-threaded inflation of the MAT-file,
     * which takes longer, instead of after it.
     */
    static VggFeatureExtractor loadMatConvNet(Path file, VggArchitecture arch) throws IOException {
        FutureTask<Provenance> provenance =
                new FutureTask<>(() -> Provenance.ofFile(file, WeightsFormat.MATCONVNET.displayName()));
        Thread md5 = new Thread(provenance, "perceptual4j-md5");
        md5.setDaemon(true);
        md5.start();
        try {
            MatConvNetVggWeights.Network net = MatConvNetVggWeights.read(file, arch);
            return new VggFeatureExtractor(arch, net.convs(), Pooling.MAX, net.convention(), await(provenance));
        } finally {
            provenance.cancel(true); // stops the pass if reading failed; no effect once it is done
        }
    }

    private static Provenance await(FutureTask<Provenance> provenance) throws IOException {
        try {
            return provenance.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while computing the MD5 of the weights file");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Any supported file, by its content ({@link WeightsFormat#detect}). */
    static VggFeatureExtractor loadAny(Path file, VggArchitecture arch) throws IOException {
        return switch (WeightsFormat.detect(file)) {
            case KERAS_HDF5 -> load(file, arch);
            case MATCONVNET -> loadMatConvNet(file, arch);
            case ONNX -> loadOnnx(file, arch, ImageConvention.IMAGENET);
        };
    }

    /** An ONNX file (torchvision or model-zoo layout); {@code convention} of the weights, IMAGENET for those. */
    static VggFeatureExtractor loadOnnx(Path file, VggArchitecture arch, ImageConvention convention) throws IOException {
        Checks.requireNonNull(convention, "convention");
        List<KerasVggWeights.Conv> convs = OnnxVggWeights.read(file, arch);
        return new VggFeatureExtractor(arch, convs, Pooling.MAX, convention,
                Provenance.ofFile(file, WeightsFormat.ONNX.displayName()));
    }
}
