package org.perceptual4j.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.function.UnaryOperator;
import onnx.Onnx;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.FeatureGraphs;
import org.perceptual4j.vgg.TinyVgg;

/**
 * The ONNX files and goldens written by {@code vgg-import/src/test/python/generate_onnx_golden.py}
 * (resources of this package), and running a network on network-space input.
 */
public final class OnnxTesting {
    private OnnxTesting() {
    }

    /** A test resource of this package, e.g. "tiny_resnet.onnx"; copied to a file when inside a jar. */
    public static Path resource(String name) {
        return TinyVgg.resource(OnnxTesting.class, name, "generate_onnx_golden.py");
    }

    /** Writes {@code source} (an ONNX file) with its graph edited, for malformed-file tests. */
    public static Path rewrite(Path source, Path out, UnaryOperator<Onnx.GraphProto> edit) throws IOException {
        Onnx.ModelProto m = Onnx.ModelProto.parseFrom(Files.readAllBytes(source));
        Files.write(out, m.toBuilder().setGraph(edit.apply(m.getGraph())).build().toByteArray());
        return out;
    }

    /** The arrays of an .npz golden file of this package. */
    public static Map<String, INDArray> npz(String name) {
        try {
            return Nd4j.createFromNpzFile(resource(name).toFile());
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + name, e);
        }
    }

    /** Runs the network on an input already in network space (no image convention applied). */
    public static Map<String, INDArray> run(OnnxFeatureExtractor net, INDArray networkInput, Collection<String> layers) {
        return FeatureGraphs.evaluate(net, networkInput, layers);
    }
}
