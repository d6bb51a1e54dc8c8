package org.perceptual4j.vgg;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.FeatureSession;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.vgg.internal.OneDnn;
import org.perceptual4j.vgg.internal.OneDnnSession;
import org.perceptual4j.vgg.internal.OneDnnWeights;

/**
 * VGG16 or VGG19 features ({@code conv1_1}, {@code relu1_1}, ..., {@code pool5}) with frozen weights.
 * Create one with {@link Vgg19} or {@link Vgg16}.
 *
 * <p>Convolutions are 3x3, stride 1, padding 1, with bias; pooling is 2x2 stride 2 (floor), max or
 * average. Layer names accept three spellings: {@code relu4_2}, {@code conv4_2} (before the ReLU) and
 * the Keras layer name {@code block4_conv2}, which in Keras includes the ReLU and so means
 * {@code relu4_2}; {@code block4_pool} means {@code pool4}.
 *
 * <p>Immutable and thread-safe: each call builds its own graph or session over the shared,
 * never-modified weights. Only the part of the network up to the deepest requested layer is built and
 * evaluated. Features and gradients run on oneDNN when its natives are on the class path (see
 * {@link VggCompute} and {@link #accelerated()}), on SameDiff otherwise; {@link #define} always adds
 * SameDiff ops.
 */
public final class VggFeatureExtractor implements FeatureExtractor {
    private final VggArchitecture architecture;
    private final List<KerasVggWeights.Conv> convs;
    private final Pooling pooling;
    private final ImageConvention convention;
    private final Provenance provenance;
    private final List<String> layerNames;
    private final VggCompute compute;
    /** oneDNN copies of the weights, made on first use and shared by all variants of this network. */
    private final OneDnnWeights oneDnnWeights;

    VggFeatureExtractor(VggArchitecture architecture, List<KerasVggWeights.Conv> convs, Pooling pooling,
            ImageConvention convention, Provenance provenance) {
        this(architecture, List.copyOf(convs), pooling, convention, provenance, VggCompute.AUTO,
                new OneDnnWeights(convs.stream().map(KerasVggWeights.Conv::kernel).toList(),
                        convs.stream().map(KerasVggWeights.Conv::bias).toList()));
    }

    private VggFeatureExtractor(VggArchitecture architecture, List<KerasVggWeights.Conv> convs, Pooling pooling,
            ImageConvention convention, Provenance provenance, VggCompute compute, OneDnnWeights oneDnnWeights) {
        this.architecture = architecture;
        this.convs = convs;
        this.pooling = pooling;
        this.convention = convention;
        this.provenance = provenance;
        this.layerNames = architecture.layerNames();
        this.compute = compute;
        this.oneDnnWeights = oneDnnWeights;
    }

    public VggArchitecture architecture() {
        return architecture;
    }

    /** Output channels of each convolution, in order (64, 64, 128, ... for the pretrained networks). */
    public long[] channelWidths() {
        return convs.stream().mapToLong(c -> c.kernel().size(3)).toArray();
    }

    @Override
    public List<String> layerNames() {
        return layerNames;
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
    public Pooling pooling() {
        return pooling;
    }

    @Override
    public VggFeatureExtractor withPooling(Pooling newPooling) {
        Checks.requireNonNull(newPooling, "pooling");
        return newPooling == pooling ? this
                : new VggFeatureExtractor(architecture, convs, newPooling, convention, provenance, compute, oneDnnWeights);
    }

    /** How features and gradients are computed (default {@link VggCompute#AUTO}). */
    public VggCompute compute() {
        return compute;
    }

    /** This network computing with {@code newCompute}; the weights are shared, not copied. */
    public VggFeatureExtractor withCompute(VggCompute newCompute) {
        Checks.requireNonNull(newCompute, "compute");
        return newCompute == compute ? this
                : new VggFeatureExtractor(architecture, convs, pooling, convention, provenance, newCompute, oneDnnWeights);
    }

    /**
     * True if {@link #features} and {@link #openSession} run on oneDNN, false if they run on SameDiff
     * (mode {@link VggCompute#SAMEDIFF}, or oneDNN's natives missing, or ND4J not on the CPU backend).
     * The first call loads the natives.
     */
    public boolean accelerated() {
        return compute != VggCompute.SAMEDIFF && OneDnn.available();
    }

    @Override
    public String resolveLayer(String name) {
        if (name == null) {
            throw new IllegalArgumentException("layer: expected a layer name, got null");
        }
        String n = name.trim();
        if (layerNames.contains(n)) {
            return n;
        }
        java.util.regex.Matcher conv = java.util.regex.Pattern.compile("block(\\d)_conv(\\d)").matcher(n);
        if (conv.matches() && layerNames.contains("relu" + conv.group(1) + "_" + conv.group(2))) {
            return "relu" + conv.group(1) + "_" + conv.group(2);
        }
        java.util.regex.Matcher pool = java.util.regex.Pattern.compile("block(\\d)_pool").matcher(n);
        if (pool.matches() && layerNames.contains("pool" + pool.group(1))) {
            return "pool" + pool.group(1);
        }
        throw new IllegalArgumentException("unknown layer '" + name + "' for " + architecture + "; valid layers: "
                + String.join(", ", layerNames) + " (Keras names like block4_conv2 and block4_pool are accepted too)");
    }

    @Override
    public Map<String, INDArray> features(INDArray rgbImages, Collection<String> layers) {
        Checks.requireImage(rgbImages, "image");
        List<String> requested = requested(layers);
        checkSize(rgbImages.size(2), rgbImages.size(3), requested);
        INDArray net = convention.toNetwork(rgbImages);
        if (accelerated()) {
            // a features-only session: its outputs are ND4J arrays that outlive it
            try (OneDnnSession session = oneDnnSession(requested, net.shape(), false)) {
                return new LinkedHashMap<>(session.forward(net));
            }
        }
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 3, -1, -1);
        Map<String, SDVariable> outs = define(sd, in, requested);
        Map<String, INDArray> values = sd.output(Map.of("input", net), outs.values().stream().map(SDVariable::name).distinct().toArray(String[]::new));
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String layer : layers) {
            result.put(layer, values.get(outs.get(layer).name()));
        }
        return result;
    }

    @Override
    public Map<String, SDVariable> define(SameDiff sd, SDVariable networkInput, Collection<String> layers) {
        List<String> requested = requested(layers);
        Map<String, String> canonical = new LinkedHashMap<>();
        int deepest = -1;
        for (String l : requested) {
            String c = resolveLayer(l);
            canonical.put(l, c);
            deepest = Math.max(deepest, layerNames.indexOf(c));
        }
        String prefix = uniquePrefix(sd);
        Map<String, SDVariable> byCanonical = new LinkedHashMap<>();
        SDVariable x = networkInput;
        int convIndex = 0;
        Conv2DConfig convConfig = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        Pooling2DConfig poolConfig = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).paddingMode(PaddingMode.VALID)
                .type(pooling == Pooling.MAX ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                .isNHWC(false).build();
        for (int i = 0; i <= deepest; i++) {
            String name = layerNames.get(i);
            if (name.startsWith("conv")) {
                KerasVggWeights.Conv c = convs.get(convIndex++);
                SDVariable w = sd.constant(prefix + name + "_W", c.kernel());
                SDVariable b = sd.constant(prefix + name + "_b", c.bias());
                x = sd.cnn().conv2d(prefix + name, x, w, b, convConfig);
            } else if (name.startsWith("relu")) {
                x = sd.nn().relu(prefix + name, x, 0);
            } else if (pooling == Pooling.MAX) {
                x = sd.cnn().maxPooling2d(prefix + name, x, poolConfig);
            } else {
                x = sd.cnn().avgPooling2d(prefix + name, x, poolConfig);
            }
            byCanonical.put(name, x);
        }
        Map<String, SDVariable> result = new LinkedHashMap<>();
        canonical.forEach((asked, c) -> result.put(asked, byCanonical.get(c)));
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>With {@link #accelerated()} the session runs on oneDNN: activations stay in oneDNN's blocked
     * layouts, the backward pass computes data gradients only, buffers are reused between calls.
     */
    @Override
    public FeatureSession openSession(Collection<String> layers, long... networkInputShape) {
        List<String> requested = requested(layers);
        if (networkInputShape == null || networkInputShape.length != 4 || networkInputShape[1] != 3) {
            throw new IllegalArgumentException("input shape: expected [N, 3, H, W], got " + java.util.Arrays.toString(networkInputShape));
        }
        checkSize(networkInputShape[2], networkInputShape[3], requested);
        return accelerated() ? oneDnnSession(requested, networkInputShape, true)
                : FeatureExtractor.super.openSession(requested, networkInputShape);
    }

    private OneDnnSession oneDnnSession(List<String> requested, long[] shape, boolean training) {
        Map<String, Integer> tapLayer = new LinkedHashMap<>();
        int deepest = 0;
        for (String l : requested) {
            int index = layerNames.indexOf(resolveLayer(l));
            tapLayer.put(l, index);
            deepest = Math.max(deepest, index);
        }
        List<OneDnnSession.Layer> layers = new ArrayList<>();
        int conv = 0;
        for (int i = 0; i <= deepest; i++) {
            String name = layerNames.get(i);
            if (name.startsWith("conv")) {
                layers.add(new OneDnnSession.Layer(name, OneDnnSession.Kind.CONV, conv++));
            } else if (name.startsWith("relu")) {
                layers.add(new OneDnnSession.Layer(name, OneDnnSession.Kind.RELU, -1));
            } else {
                layers.add(new OneDnnSession.Layer(name, pooling == Pooling.MAX ? OneDnnSession.Kind.MAX_POOL : OneDnnSession.Kind.AVG_POOL, -1));
            }
        }
        OneDnnSession.Convolutions convolutions = switch (compute) {
            case WINOGRAD -> OneDnnSession.Convolutions.WINOGRAD;
            case BF16 -> OneDnn.nativeBf16() ? OneDnnSession.Convolutions.BF16 : OneDnnSession.Convolutions.DIRECT;
            default -> OneDnnSession.Convolutions.DIRECT;
        };
        return new OneDnnSession(oneDnnWeights, layers, tapLayer, shape, convolutions, training);
    }

    private static List<String> requested(Collection<String> layers) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer name, got " + layers);
        }
        return new ArrayList<>(layers);
    }

    /** Each pooling halves the size (floor); the deepest requested layer must keep at least 1 pixel. */
    private void checkSize(long h, long w, List<String> layers) {
        int pools = 0;
        for (String l : layers) {
            String c = resolveLayer(l);
            int idx = layerNames.indexOf(c);
            int p = 0;
            for (int i = 0; i <= idx; i++) {
                if (layerNames.get(i).startsWith("pool")) {
                    p++;
                }
            }
            pools = Math.max(pools, p);
        }
        long min = 1L << pools;
        if (h < min || w < min) {
            throw new IllegalArgumentException("image: expected height and width >= " + min + " for layers " + layers
                    + " (" + pools + " poolings), got " + h + " x " + w);
        }
    }

    private static String uniquePrefix(SameDiff sd) {
        String prefix = "vgg/";
        for (int i = 1; sd.hasVariable(prefix + "conv1_1_W"); i++) {
            prefix = "vgg" + i + "/";
        }
        return prefix;
    }

    @Override
    public String toString() {
        return architecture + "[pooling=" + pooling + ", compute=" + compute + ", convention=" + convention + ", weights=" + provenance + "]";
    }
}
