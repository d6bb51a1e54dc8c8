package org.perceptual4j.style;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.FeatureSession;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.image.Images;
import org.perceptual4j.losses.StyleLoss;
import org.perceptual4j.losses.TotalVariationLoss;
import org.perceptual4j.optim.AdamOptimizer;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.Lbfgs;
import org.perceptual4j.optim.OptimizationResult;
import org.perceptual4j.optim.Optimizer;
import org.perceptual4j.optim.StopReason;

/**
 * Neural style transfer by optimization (Gatys, Ecker and Bethge, "Image Style Transfer Using
 * Convolutional Neural Networks", CVPR 2016), with the loss definitions and defaults of
 * jcjohnson/neural-style:
 *
 * <pre>
 *   L(x) = contentWeight * sum_l w_l * mean((F_l(x) - F_l(c))^2)                 content layers, default relu4_2
 *        + styleWeight   * sum_l w_l * mean((G(F_l(x)) - sum_i b_i G(F_l(s_i)))^2) style layers, default relu1_1..relu5_1
 *        + tvWeight      * TV(x)                                                   squared TV, see TotalVariationLoss
 *   G(F) = F F^T / (C H W),   b_i = style blend weights normalised to sum 1
 * </pre>
 *
 * The image x is optimized in the feature extractor's input space (for Caffe weights: BGR, 0-255,
 * mean subtracted), like neural-style; defaults: content weight 5, style weight 100, TV weight 1e-3,
 * L-BFGS (history 100, no line search), 1000 iterations, longest side 512, max pooling, noise init.
 *
 * <pre>{@code
 * StyleTransferResult r = StyleTransfer.builder()
 *     .featureExtractor(Vgg19.fromKeras(weights))
 *     .content(Images.read(contentPath))
 *     .style(Images.read(stylePath))
 *     .iterations(500)
 *     .build()
 *     .run();
 * Images.write(r.image(), Path.of("out.png"));
 * }</pre>
 *
 * A {@code StyleTransfer} is an immutable configuration; {@link #run()} may be called several times
 * and from several threads. ND4J's process-wide settings are never changed.
 */
public final class StyleTransfer {
    /** neural-style's default content layer. */
    public static final Map<String, Double> DEFAULT_CONTENT_LAYERS = Map.of("relu4_2", 1.0);
    /** neural-style's default style layers. */
    public static final Map<String, Double> DEFAULT_STYLE_LAYERS = orderedOnes("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1");
    public static final double DEFAULT_CONTENT_WEIGHT = 5;
    public static final double DEFAULT_STYLE_WEIGHT = 100;
    public static final double DEFAULT_TV_WEIGHT = 1e-3;
    public static final int DEFAULT_ITERATIONS = 1000;
    public static final int DEFAULT_SIZE = 512;
    /** neural-style's Adam learning rate for images in Caffe's 0-255 space. */
    public static final double DEFAULT_ADAM_LEARNING_RATE = 10;

    private final FeatureExtractor extractor;
    private final INDArray content;
    private final List<INDArray> styles;
    private final double[] blendWeights;
    private final Map<String, Double> contentLayers;
    private final Map<String, Double> styleLayers;
    private final double contentWeight;
    private final double styleWeight;
    private final double tvWeight;
    private final TotalVariationLoss tvLoss;
    private final Initialization init;
    private final long seed;
    private final Optimizer optimizer;
    private final int iterations;
    private final int size;
    private final double styleScale;
    private final StyleTransferListener listener;

    private StyleTransfer(Builder b) {
        this.extractor = b.pooling == null || b.pooling == b.extractor.pooling() ? b.extractor : b.extractor.withPooling(b.pooling);
        this.content = b.content;
        this.styles = List.copyOf(b.styles);
        this.blendWeights = b.blend.stream().mapToDouble(Double::doubleValue).toArray();
        this.contentLayers = resolve(extractor, b.contentLayers);
        this.styleLayers = resolve(extractor, b.styleLayers);
        this.contentWeight = b.contentWeight;
        this.styleWeight = b.styleWeight;
        this.tvWeight = b.tvWeight;
        this.tvLoss = new TotalVariationLoss(b.tvNorm);
        this.init = b.init;
        this.seed = b.seed;
        this.optimizer = b.optimizer != null ? b.optimizer : Lbfgs.create();
        this.iterations = b.iterations;
        this.size = b.size;
        this.styleScale = b.styleScale;
        this.listener = b.listener;
    }

    public static Builder builder() {
        return new Builder();
    }

    public FeatureExtractor featureExtractor() {
        return extractor;
    }

    public Map<String, Double> contentLayers() {
        return contentLayers;
    }

    public Map<String, Double> styleLayers() {
        return styleLayers;
    }

    public Optimizer optimizer() {
        return optimizer;
    }

    public int iterations() {
        return iterations;
    }

    public int size() {
        return size;
    }

    /**
     * Runs the optimization on the calling thread. Interrupting the thread, or calling
     * {@link IterationEvent#requestStop()}, ends the run after the current iteration and returns the
     * image so far (the interrupt flag stays set).
     *
     * @throws StyleTransferException if the loss becomes NaN or infinite (it carries the last finite image)
     */
    public StyleTransferResult run() {
        long start = System.nanoTime();
        ImageConvention convention = extractor.imageConvention();
        Prepared p = prepare();
        try (Objective objective = p.objective()) {
            return run(objective, p.start(), start, convention);
        }
    }

    private StyleTransferResult run(Objective objective, INDArray x0, long start, ImageConvention convention) {
        List<LossRecord> history = new ArrayList<>();
        // the optimizer's result holds the last finite evaluation; keep the non-finite value for the message
        double[] nonFinite = {Double.NaN};
        org.perceptual4j.optim.Objective f = x -> {
            Evaluation e = objective.evaluate(x);
            if (!e.isFinite()) {
                nonFinite[0] = e.value();
            }
            return e;
        };
        OptimizationResult result = optimizer.minimize(f, x0, iterations, (iteration, x, e) -> {
            long elapsedNanos = System.nanoTime() - start;
            history.add(new LossRecord(iteration, e.components(), e.value(), elapsedNanos / 1_000_000));
            boolean stop = false;
            if (listener != null) {
                IterationEvent event = new IterationEvent(iteration, iterations, e.components(), e.value(),
                        java.time.Duration.ofNanos(elapsedNanos), () -> toRgb(convention, x));
                listener.onIteration(event);
                stop = event.stopRequested();
            }
            // checked after the listener, so an interrupt during this iteration (or its listener call) ends the run now
            return !(stop || Thread.currentThread().isInterrupted());
        });
        INDArray image = toRgb(convention, result.x());
        if (result.stopReason() == StopReason.NON_FINITE) {
            throw new StyleTransferException("the loss became " + nonFinite[0] + " after iteration "
                    + result.iterations() + "; lower the learning rate or the weights (the last finite image is kept)",
                    image, history);
        }
        return new StyleTransferResult(image, history, result.iterations(), result.stopReason());
    }

    /**
     * The differentiable objective this configuration minimizes, for use with any {@link Optimizer}:
     * x is an image in the feature extractor's input space ({@link ImageConvention#toNetwork}) at the
     * output size; each evaluation's components are the weighted loss terms ("content:relu4_2", ...).
     * Builds the targets and opens a {@link FeatureSession} of the extractor; the returned objective is
     * not thread-safe. Its native buffers (oneDNN path) are released when it is garbage collected;
     * {@link #run()} releases them as soon as it ends.
     */
    public org.perceptual4j.optim.Objective objective() {
        return prepare().objective()::evaluate;
    }

    /** The starting point of {@link #run()} in the feature extractor's input space. */
    public INDArray initialPoint() {
        INDArray contentRgb = Images.resizeToLongestSide(content, size);
        return extractor.imageConvention().toNetwork(initialImage(contentRgb, contentRgb.size(2), contentRgb.size(3)));
    }

    private record Prepared(Objective objective, INDArray start) {
    }

    private Prepared prepare() {
        ImageConvention convention = extractor.imageConvention();
        INDArray contentRgb = Images.resizeToLongestSide(content, size);
        long h = contentRgb.size(2);
        long w = contentRgb.size(3);
        int styleSize = Math.max(1, (int) Math.round(size * styleScale));
        Map<String, INDArray> contentTargets = contentLayers.isEmpty() ? Map.of()
                : extractor.features(contentRgb, contentLayers.keySet());
        Map<String, INDArray> targetGrams = blendedGrams(styleSize);
        INDArray x0 = convention.toNetwork(initialImage(contentRgb, h, w));
        return new Prepared(new Objective(contentTargets, targetGrams, x0.shape()), x0);
    }

    private Map<String, INDArray> blendedGrams(int styleSize) {
        if (styleLayers.isEmpty()) {
            return Map.of();
        }
        double blendSum = Arrays.stream(blendWeights).sum();
        Map<String, INDArray> grams = new LinkedHashMap<>();
        for (int i = 0; i < styles.size(); i++) {
            INDArray style = Images.resizeToLongestSide(styles.get(i), styleSize);
            Map<String, INDArray> f = extractor.features(style, styleLayers.keySet());
            for (String layer : styleLayers.keySet()) {
                INDArray g = StyleLoss.gram(f.get(layer)).muli(blendWeights[i] / blendSum);
                grams.merge(layer, g, INDArray::addi);
            }
            // release the feature maps now rather than at the next garbage collection (they can be GBs)
            f.values().stream().distinct().filter(INDArray::closeable).forEach(INDArray::close);
        }
        return grams;
    }

    private INDArray initialImage(INDArray contentRgb, long h, long w) {
        switch (init.kind()) {
            case CONTENT:
                return contentRgb;
            case STYLE:
                return Images.resize(styles.get(0), (int) h, (int) w);
            case IMAGE:
                return Images.resize(init.image(), (int) h, (int) w);
            case NOISE:
            default:
                // neural-style's "random" init: randn * 0.001 in the network's input space
                Random rng = new Random(seed);
                float[] noise = new float[(int) (3 * h * w)];
                for (int i = 0; i < noise.length; i++) {
                    noise[i] = (float) (rng.nextGaussian() * 0.001);
                }
                INDArray net = Nd4j.create(noise, new long[] {1, 3, h, w}, 'c');
                return extractor.imageConvention().fromNetwork(net);
        }
    }

    private static INDArray toRgb(ImageConvention convention, INDArray x) {
        INDArray rgb = convention.fromNetwork(x);
        return org.nd4j.linalg.ops.transforms.Transforms.min(org.nd4j.linalg.ops.transforms.Transforms.max(rgb, 0.0, false), 1.0, false);
    }

    /**
     * The differentiable objective. Each evaluation runs the network once forward and once backward
     * through a {@link FeatureSession} (oneDNN for VGG when available, SameDiff otherwise); the loss
     * terms and their gradients with respect to the features are computed in between, in closed form
     * ({@link LossTerms}), and the total-variation gradient is added at the end.
     */
    private final class Objective implements AutoCloseable {
        private final FeatureSession session;
        /** Per layer (content layers first, in order, then the other style layers): its terms. */
        private final Map<String, LossTerms.Layer> layerTerms = new LinkedHashMap<>();
        private final LossTerms.TotalVariation tv;

        Objective(Map<String, INDArray> contentTargets, Map<String, INDArray> targetGrams, long[] shape) {
            Set<String> layers = new LinkedHashSet<>(contentLayers.keySet());
            layers.addAll(styleLayers.keySet());
            for (String l : layers) {
                layerTerms.put(l, new LossTerms.Layer(contentTargets.get(l), contentWeight * contentLayers.getOrDefault(l, 0.0),
                        targetGrams.get(l), styleWeight * styleLayers.getOrDefault(l, 0.0)));
            }
            tv = tvWeight > 0 ? new LossTerms.TotalVariation(tvLoss.norm(), tvWeight) : null;
            session = layers.isEmpty() ? null : extractor.openSession(layers, shape);
        }

        Evaluation evaluate(INDArray x) {
            Map<String, Double> contentTerms = new LinkedHashMap<>();
            Map<String, Double> styleTerms = new LinkedHashMap<>();
            INDArray gradient;
            if (session != null) {
                Map<String, INDArray> features = session.forward(x);
                // each layer's features are replaced by the gradient of its terms, which goes back through the network
                layerTerms.forEach((layer, terms) -> {
                    double[] values = terms.evaluate(features.get(layer));
                    if (contentLayers.containsKey(layer)) {
                        contentTerms.put("content:" + layer, values[0]);
                    }
                    if (styleLayers.containsKey(layer)) {
                        styleTerms.put("style:" + layer, values[1]);
                    }
                });
                gradient = session.backward(features);
            } else {
                gradient = Nd4j.zeros(DataType.FLOAT, x.shape());
            }
            // terms in the configured order: content layers, then style layers (a layer can be both)
            Map<String, Double> components = new LinkedHashMap<>(contentTerms);
            for (String layer : styleLayers.keySet()) {
                Double v = styleTerms.get("style:" + layer);
                if (v != null) {
                    components.put("style:" + layer, v);
                }
            }
            if (tv != null) {
                components.put("tv", tv.evaluate(x, gradient));
            }
            double total = 0;
            for (double v : components.values()) {
                total += v;
            }
            return new Evaluation(total, gradient, components);
        }

        @Override
        public void close() {
            if (session != null) {
                session.close();
            }
        }
    }

    private static Map<String, Double> resolve(FeatureExtractor extractor, Map<String, Double> layers) {
        Map<String, Double> resolved = new LinkedHashMap<>();
        layers.forEach((name, weight) -> resolved.merge(extractor.resolveLayer(name), weight, Double::sum));
        return Collections.unmodifiableMap(resolved);
    }

    private static Map<String, Double> orderedOnes(String... names) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, 1.0);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Builder; each setter validates its argument at once, {@link #build()} checks the combination. */
    public static final class Builder {
        private FeatureExtractor extractor;
        private INDArray content;
        private final List<INDArray> styles = new ArrayList<>();
        private final List<Double> blend = new ArrayList<>();
        private Map<String, Double> contentLayers = DEFAULT_CONTENT_LAYERS;
        private Map<String, Double> styleLayers = DEFAULT_STYLE_LAYERS;
        private double contentWeight = DEFAULT_CONTENT_WEIGHT;
        private double styleWeight = DEFAULT_STYLE_WEIGHT;
        private double tvWeight = DEFAULT_TV_WEIGHT;
        private TotalVariationLoss.Norm tvNorm = TotalVariationLoss.Norm.SQUARED;
        private Initialization init = Initialization.noise();
        private long seed = 0;
        private Optimizer optimizer;
        private int iterations = DEFAULT_ITERATIONS;
        private int size = DEFAULT_SIZE;
        private double styleScale = 1.0;
        private Pooling pooling;
        private StyleTransferListener listener;

        private Builder() {
        }

        /** The network whose features define the losses, e.g. {@code Vgg19.fromKeras(path)}. Required. */
        public Builder featureExtractor(FeatureExtractor extractor) {
            this.extractor = Checks.requireNonNull(extractor, "featureExtractor");
            return this;
        }

        /** The content image, RGB [0, 1], [1, 3, H, W]. Required. */
        public Builder content(INDArray rgb) {
            this.content = singleImage(rgb, "content image");
            return this;
        }

        /** Adds a style image with blend weight 1. At least one style is required. */
        public Builder style(INDArray rgb) {
            return style(rgb, 1.0);
        }

        /** Adds a style image; the target Gram matrices are the blend-weighted average over all styles. */
        public Builder style(INDArray rgb, double blendWeight) {
            INDArray s = singleImage(rgb, "style image");
            blend.add(Checks.requireNonNegative(blendWeight, "style blend weight"));
            styles.add(s);
            return this;
        }

        /** Content layers with per-layer weights (default relu4_2: 1). Names as in {@link FeatureExtractor#resolveLayer}. */
        public Builder contentLayers(Map<String, Double> layers) {
            this.contentLayers = layerMap(layers, "contentLayers");
            return this;
        }

        /** Style layers with per-layer weights (default relu1_1, relu2_1, relu3_1, relu4_1, relu5_1: 1 each). */
        public Builder styleLayers(Map<String, Double> layers) {
            this.styleLayers = layerMap(layers, "styleLayers");
            return this;
        }

        /** Weight of the content terms (default 5). */
        public Builder contentWeight(double weight) {
            this.contentWeight = Checks.requireNonNegative(weight, "contentWeight");
            return this;
        }

        /** Weight of the style terms (default 100). */
        public Builder styleWeight(double weight) {
            this.styleWeight = Checks.requireNonNegative(weight, "styleWeight");
            return this;
        }

        /** Weight of the total-variation term (default 1e-3; 0 disables it). */
        public Builder tvWeight(double weight) {
            this.tvWeight = Checks.requireNonNegative(weight, "tvWeight");
            return this;
        }

        /** Total-variation penalty (default SQUARED as neural-style; L1 as the TensorFlow tutorial). */
        public Builder tvNorm(TotalVariationLoss.Norm norm) {
            this.tvNorm = Checks.requireNonNull(norm, "tvNorm");
            return this;
        }

        /** Starting image (default noise, as neural-style). */
        public Builder init(Initialization init) {
            this.init = Checks.requireNonNull(init, "init");
            return this;
        }

        /** Seed for the noise initialization (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** The optimizer (default L-BFGS with history 100 and no line search, as neural-style). */
        public Builder optimizer(Optimizer optimizer) {
            this.optimizer = Checks.requireNonNull(optimizer, "optimizer");
            return this;
        }

        /** Adam with neural-style's learning rate 10 (for Caffe-convention networks). */
        public Builder adam() {
            return optimizer(AdamOptimizer.builder().learningRate(DEFAULT_ADAM_LEARNING_RATE).build());
        }

        /** Number of optimizer iterations (default 1000). */
        public Builder iterations(int iterations) {
            this.iterations = Checks.requirePositive(iterations, "iterations");
            return this;
        }

        /** Longest side of the output in pixels; aspect ratio kept (default 512). */
        public Builder size(int longestSide) {
            this.size = Checks.requirePositive(longestSide, "size");
            return this;
        }

        /** Style images are resized to longest side {@code size * scale} (default 1). */
        public Builder styleScale(double scale) {
            this.styleScale = Checks.requirePositive(scale, "styleScale");
            return this;
        }

        /** Pooling between blocks (default: the extractor's, MAX for VGG). */
        public Builder pooling(Pooling pooling) {
            this.pooling = Checks.requireNonNull(pooling, "pooling");
            return this;
        }

        /** Receives every iteration's losses and, on request, the image. */
        public Builder listener(StyleTransferListener listener) {
            this.listener = Checks.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Checks the combination and returns the immutable configuration.
         *
         * @throws IllegalArgumentException if a required part is missing, a layer name is unknown, or
         *     all loss weights are 0
         * @throws IllegalStateException never; all problems are reported as IllegalArgumentException
         */
        public StyleTransfer build() {
            if (extractor == null) {
                throw new IllegalArgumentException("featureExtractor: expected a feature extractor (e.g. Vgg19.fromKeras(path)), got none");
            }
            if (content == null) {
                throw new IllegalArgumentException("content: expected a content image, got none");
            }
            if (styles.isEmpty()) {
                throw new IllegalArgumentException("style: expected at least one style image, got none");
            }
            if (blend.stream().mapToDouble(Double::doubleValue).sum() <= 0) {
                throw new IllegalArgumentException("style blend weights: expected a positive sum, got " + blend);
            }
            if (contentLayers.isEmpty() && styleLayers.isEmpty()) {
                throw new IllegalArgumentException("layers: expected at least one content or style layer, got none");
            }
            boolean content = contentWeight > 0 && contentLayers.values().stream().anyMatch(w -> w > 0);
            boolean style = styleWeight > 0 && styleLayers.values().stream().anyMatch(w -> w > 0);
            if (!content && !style && tvWeight == 0) {
                throw new IllegalArgumentException("weights: expected a content or style term with a positive weight (overall and"
                        + " per layer) or a TV weight > 0, got contentWeight " + contentWeight + " " + contentLayers
                        + ", styleWeight " + styleWeight + " " + styleLayers + ", tvWeight " + tvWeight);
            }
            if (init.kind() == Initialization.Kind.IMAGE && init.image() == null) {
                throw new IllegalArgumentException("init: expected an image, got none");
            }
            // resolves layer names now, so an unknown name fails here with the list of valid ones
            return new StyleTransfer(this);
        }

        private static INDArray singleImage(INDArray rgb, String what) {
            Checks.requireImage(rgb, what);
            if (rgb.size(0) != 1) {
                throw new IllegalArgumentException(what + ": expected a batch of 1 image [1, 3, H, W], got " + Arrays.toString(rgb.shape()));
            }
            return rgb.castTo(DataType.FLOAT).dup();
        }

        private static Map<String, Double> layerMap(Map<String, Double> layers, String what) {
            Checks.requireNonNull(layers, what);
            Map<String, Double> copy = new LinkedHashMap<>();
            layers.forEach((k, v) -> {
                if (k == null || k.isBlank()) {
                    throw new IllegalArgumentException(what + ": expected layer names, got '" + k + "'");
                }
                copy.put(k, Checks.requireNonNegative(v == null ? Double.NaN : v, what + " weight of " + k));
            });
            return Collections.unmodifiableMap(copy);
        }
    }
}
