package org.perceptual4j.style;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.Provenance;
import org.perceptual4j.core.internal.Checks;

/**
 * A small VGG-like network with random (seeded, He-normal) weights, for testing style transfer
 * without weight files: conv1 (3 to 4 channels) relu1 pool1, conv2 (4 to 6) relu2 pool2, conv3 (6 to 8)
 * relu3; 3x3 convolutions with padding 1, 2x2 pooling with stride 2.
 */
public final class TinyConvExtractor implements FeatureExtractor {
    private static final List<String> LAYERS = List.of("conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "conv3", "relu3");
    private static final int[] WIDTHS = {3, 4, 6, 8};

    private final ImageConvention convention;
    private final Pooling pooling;
    private final long seed;
    private final List<INDArray> kernels = new ArrayList<>();
    private final List<INDArray> biases = new ArrayList<>();

    /** Caffe convention (BGR, 0-255, mean subtracted) like the VGG weights; max pooling. */
    public TinyConvExtractor(long seed) {
        this(ImageConvention.CAFFE, Pooling.MAX, seed);
    }

    public TinyConvExtractor(ImageConvention convention, Pooling pooling, long seed) {
        this.convention = convention;
        this.pooling = pooling;
        this.seed = seed;
        Random r = new Random(seed);
        // inputs in Caffe's space are ~100x larger; scale the first layer so features stay O(1) either way
        double inputScale = convention.scale() / convention.std()[0];
        for (int i = 0; i + 1 < WIDTHS.length; i++) {
            int in = WIDTHS[i];
            int out = WIDTHS[i + 1];
            double std = Math.sqrt(2.0 / (9 * in)) / (i == 0 ? inputScale / 4 : 1);
            float[] w = new float[9 * in * out];
            for (int k = 0; k < w.length; k++) {
                w[k] = (float) (r.nextGaussian() * std);
            }
            float[] b = new float[out];
            for (int k = 0; k < out; k++) {
                b[k] = (float) (0.1 * r.nextGaussian());
            }
            kernels.add(Nd4j.create(w, new long[] {3, 3, in, out}, 'c')); // YXIO, ND4J's default
            biases.add(Nd4j.create(b, new long[] {out}, 'c'));
        }
    }

    @Override
    public List<String> layerNames() {
        return LAYERS;
    }

    @Override
    public String resolveLayer(String name) {
        if (name == null) {
            throw new IllegalArgumentException("layer: expected a layer name, got null");
        }
        String n = name.trim();
        if (LAYERS.contains(n)) {
            return n;
        }
        throw new IllegalArgumentException("unknown layer '" + name + "'; valid layers: " + String.join(", ", LAYERS));
    }

    @Override
    public ImageConvention imageConvention() {
        return convention;
    }

    @Override
    public Provenance provenance() {
        return Provenance.inMemory("TinyConvExtractor[seed=" + seed + ", " + convention + ", " + pooling + "]");
    }

    @Override
    public Pooling pooling() {
        return pooling;
    }

    @Override
    public FeatureExtractor withPooling(Pooling p) {
        return new TinyConvExtractor(convention, Checks.requireNonNull(p, "pooling"), seed);
    }

    @Override
    public Map<String, INDArray> features(INDArray rgbImages, Collection<String> layers) {
        Checks.requireImage(rgbImages, "image");
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("input", DataType.FLOAT, -1, 3, -1, -1);
        Map<String, SDVariable> outs = define(sd, in, layers);
        Map<String, INDArray> values = sd.output(Map.of("input", convention.toNetwork(rgbImages)),
                outs.values().stream().map(SDVariable::name).distinct().toArray(String[]::new));
        Map<String, INDArray> result = new LinkedHashMap<>();
        outs.forEach((layer, v) -> result.put(layer, values.get(v.name())));
        return result;
    }

    @Override
    public Map<String, SDVariable> define(SameDiff sd, SDVariable networkInput, Collection<String> layers) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("layers: expected at least one layer name, got " + layers);
        }
        int deepest = -1;
        for (String l : layers) {
            deepest = Math.max(deepest, LAYERS.indexOf(resolveLayer(l)));
        }
        Conv2DConfig conv = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1).pH(1).pW(1)
                .paddingMode(PaddingMode.VALID).dataFormat(Conv2DConfig.NCHW).build();
        Pooling2DConfig pool = Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).paddingMode(PaddingMode.VALID)
                .type(pooling == Pooling.MAX ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                .isNHWC(false).build();
        Map<String, SDVariable> byName = new LinkedHashMap<>();
        SDVariable x = networkInput;
        int convIndex = 0;
        for (int i = 0; i <= deepest; i++) {
            String name = LAYERS.get(i);
            if (name.startsWith("conv")) {
                x = sd.cnn().conv2d(x, sd.constant(kernels.get(convIndex)), sd.constant(biases.get(convIndex)), conv);
                convIndex++;
            } else if (name.startsWith("relu")) {
                x = sd.nn().relu(x, 0);
            } else if (pooling == Pooling.MAX) {
                x = sd.cnn().maxPooling2d(x, pool);
            } else {
                x = sd.cnn().avgPooling2d(x, pool);
            }
            byName.put(name, x);
        }
        Map<String, SDVariable> result = new LinkedHashMap<>();
        for (String l : layers) {
            result.put(l, byName.get(resolveLayer(l)));
        }
        return result;
    }

    @Override
    public String toString() {
        return provenance().source();
    }
}
