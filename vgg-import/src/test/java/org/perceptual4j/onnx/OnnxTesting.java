package org.perceptual4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The ONNX files and goldens written by {@code vgg-import/src/test/python/generate_onnx_golden.py}
 * (resources of this package), and running a network on network-space input.
 */
public final class OnnxTesting {
    private OnnxTesting() {
    }

    /** A test resource of this package, e.g. "tiny_resnet.onnx"; copied to a file when inside a jar. */
    public static Path resource(String name) {
        URL url = OnnxTesting.class.getResource(name);
        if (url == null) {
            throw new IllegalStateException("missing test resource org/perceptual4j/onnx/" + name
                    + " (run vgg-import/src/test/python/generate_onnx_golden.py)");
        }
        try {
            if ("file".equals(url.getProtocol())) {
                return Path.of(url.toURI());
            }
            try (InputStream in = url.openStream()) {
                Path dir = Files.createTempDirectory("onnx-test");
                Path file = dir.resolve(name);
                Files.copy(in, file);
                file.toFile().deleteOnExit();
                dir.toFile().deleteOnExit();
                return file;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
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
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("x", DataType.FLOAT, networkInput.shape());
        Map<String, SDVariable> outs = net.define(sd, in, layers);
        Map<String, INDArray> values = sd.output(Map.of("x", networkInput.castTo(DataType.FLOAT)),
                outs.values().stream().map(SDVariable::name).distinct().toArray(String[]::new));
        Map<String, INDArray> result = new LinkedHashMap<>();
        outs.forEach((k, v) -> result.put(k, values.get(v.name())));
        return result;
    }
}
