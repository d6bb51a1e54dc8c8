package org.perceptual4j.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.core.internal.FeatureGraphs;
import org.perceptual4j.onnx.internal.OnnxModel;

/**
 * Features of any convolutional network stored as ONNX: ResNet, MobileNet, VGG, your own.
 *
 * <pre>{@code
 * OnnxFeatureExtractor resnet = OnnxFeatureExtractor.load(Path.of("resnet18.onnx"));
 * resnet.layerNames();                                   // every node output, in graph order
 * Map<String, INDArray> f = resnet.features(image, List.of("/layer2/layer2.1/relu_1/Relu_output_0"));
 * }</pre>
 *
 * <p><b>Layers</b> are the outputs of the graph's nodes, named as in the file (a node's name is
 * accepted for its output too). An unknown name fails with the nearest existing names.
 *
 * <p><b>Operators</b>: {@value #OPERATORS}. The whole file is checked when it is loaded: an
 * unsupported operator is reported with the node's name, type and position before anything is
 * computed. Weights are read once, at load, and added to graphs as constants; {@link #define} adds
 * only the nodes the requested layers depend on, so a loss can be differentiated through them.
 *
 * <p><b>Input</b>: one FLOAT image input {@code [N, 3, H, W]}; any height and width the network
 * accepts (a classifier head fixes it; convolutional features do not). The image convention, which
 * the file does not record, defaults to {@link ImageConvention#IMAGENET} (torchvision and ONNX model
 * zoo networks) and is set with {@link Builder#imageConvention}.
 *
 * <p>Immutable and thread-safe.
 */
public final class OnnxFeatureExtractor implements FeatureExtractor {
    /** The supported ONNX operators. */
    public static final String OPERATORS = "Conv, Relu, LeakyRelu, Clip, MaxPool, AveragePool, GlobalAveragePool, "
            + "BatchNormalization, Add, Mul, Concat, Flatten, Gemm, MatMul, Dropout, Pad, Reshape, Sigmoid, Identity, Constant";

    private final OnnxNetwork network;
    private final ImageConvention convention;
    private final Provenance provenance;

    private OnnxFeatureExtractor(OnnxNetwork network, ImageConvention convention, Provenance provenance) {
        this.network = network;
        this.convention = convention;
        this.provenance = provenance;
    }

    /**
     * Loads a network with the defaults: the only graph input, {@link ImageConvention#IMAGENET}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws OnnxImportException if the file is not ONNX, is truncated, or uses an unsupported operator
     */
    public static OnnxFeatureExtractor load(Path file) throws IOException {
        return builder().load(file);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Options for loading an ONNX network. */
    public static final class Builder {
        private ImageConvention convention = ImageConvention.IMAGENET;
        private String input;

        private Builder() {
        }

        /** The convention the weights were trained with; default {@link ImageConvention#IMAGENET}. */
        public Builder imageConvention(ImageConvention imageConvention) {
            this.convention = Checks.requireNonNull(imageConvention, "imageConvention");
            return this;
        }

        /** The graph input to feed images to, when the graph has several (non-initializer) inputs. */
        public Builder input(String graphInput) {
            if (graphInput == null || graphInput.isBlank()) {
                throw new IllegalArgumentException("input: expected a graph input name, got " + (graphInput == null ? "null" : "'" + graphInput + "'"));
            }
            this.input = graphInput;
            return this;
        }

        /**
         * Reads and checks the file.
         *
         * @throws java.nio.file.NoSuchFileException if the file does not exist
         * @throws OnnxImportException if the file is not ONNX, is truncated, uses an unsupported operator or
         *     has weights or attributes that do not fit
         */
        public OnnxFeatureExtractor load(Path file) throws IOException {
            Checks.requireNonNull(file, "file");
            OnnxNetwork network = OnnxNetwork.convert(OnnxModel.read(file), input);
            return new OnnxFeatureExtractor(network, convention, Provenance.ofFile(file, "ONNX"));
        }
    }

    /** Node outputs in graph order (outputs of Constant nodes and of nodes folded at load excluded). */
    @Override
    public List<String> layerNames() {
        return network.outputs();
    }

    /** The name of the graph input images are fed to. */
    public String inputName() {
        return network.inputName();
    }

    @Override
    public String resolveLayer(String name) {
        if (name == null) {
            throw new IllegalArgumentException("layer: expected a layer name, got null");
        }
        if (network.outputs().contains(name)) {
            return name;
        }
        String byNode = network.nodeNames().get(name);
        if (byNode != null) {
            return byNode;
        }
        throw new IllegalArgumentException("unknown layer '" + name + "' in " + network.file() + "; nearest names: "
                + String.join(", ", nearest(name, 5)) + " (" + network.outputs().size()
                + " layers in all, see layerNames(); node names are accepted too)");
    }

    private List<String> nearest(String name, int count) {
        Set<String> candidates = new LinkedHashSet<>(network.outputs());
        candidates.addAll(network.nodeNames().keySet());
        List<String> sorted = new ArrayList<>(candidates);
        Map<String, Integer> distance = new LinkedHashMap<>();
        for (String c : sorted) {
            distance.put(c, editDistance(name, c));
        }
        sorted.sort(Comparator.comparingInt(distance::get));
        return sorted.subList(0, Math.min(count, sorted.size()));
    }

    /** Levenshtein distance. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    @Override
    public ImageConvention imageConvention() {
        return convention;
    }

    @Override
    public Provenance provenance() {
        return provenance;
    }

    @Override
    public Map<String, INDArray> features(INDArray rgbImages, Collection<String> layers) {
        Checks.requireImage(rgbImages, "image");
        FeatureGraphs.requireLayers(layers).forEach(this::resolveLayer);   // unknown names fail before any work
        return FeatureGraphs.evaluate(this, convention.toNetwork(rgbImages), layers);
    }

    @Override
    public Map<String, SDVariable> define(SameDiff sd, SDVariable networkInput, Collection<String> layers) {
        List<String> requested = FeatureGraphs.requireLayers(layers);
        Map<String, String> canonical = new LinkedHashMap<>();
        for (String l : requested) {
            canonical.put(l, resolveLayer(l));
        }
        Map<String, SDVariable> byName = network.define(sd, networkInput, new LinkedHashSet<>(canonical.values()));
        Map<String, SDVariable> result = new LinkedHashMap<>();
        canonical.forEach((asked, c) -> result.put(asked, byName.get(c)));
        return result;
    }

    @Override
    public String toString() {
        return "OnnxFeatureExtractor[" + network.outputs().size() + " layers, input '" + network.inputName()
                + "', convention=" + convention + ", weights=" + provenance + "]";
    }
}
