package org.perceptual4j.fast;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.internal.Checks;
import org.perceptual4j.image.ImageReader;

/**
 * Trains a {@link TransformNet} for one style with perceptual losses (Johnson, Alahi and Fei-Fei,
 * "Perceptual Losses for Real-Time Style Transfer and Super-Resolution", ECCV 2016), as
 * pytorch/examples' {@code fast_neural_style} does, on a frozen loss network such as VGG16:
 *
 * <pre>
 *   y = T(x)                                 x: a batch of training images, RGB [0, 1]; T: the transform net
 *   L = contentWeight * mean((F_c(y) - F_c(x))^2)                       content tap c, default relu2_2
 *     + styleWeight   * sum_l mean((G(F_l(y)) - G(F_l(s)))^2)           style taps relu1_2, relu2_2, relu3_3, relu4_3
 *     + tvWeight      * 1/2 sum (y255[i,j+1] - y255[i,j])^2 + (y255[i+1,j] - y255[i,j])^2
 *   G(F) = F F^T / (C H W) per image,  s: the style image,  y255 = 255 y
 * </pre>
 *
 * The features F are the loss network's ({@link FeatureExtractor#define}) on its own image convention
 * (for the Keras VGG16 weights: Caffe's BGR, 0-255, mean subtracted) applied inside the graph. The terms
 * are the library's {@link org.perceptual4j.losses.ContentLoss} and
 * {@link org.perceptual4j.losses.StyleLoss} with {@code MEAN} reduction (the means run over the whole
 * batch, so the loss does not grow with the batch size) and {@link org.perceptual4j.losses.TotalVariationLoss}
 * ({@code SQUARED}, {@code SUM}, on the output in 0-255); this is exactly the normalization of
 * Johnson's own training code (jcjohnson/fast-neural-style: {@code nn.MSECriterion}, Gram matrices divided
 * by C*H*W, TV with strength on 0-255 values) with the same Caffe VGG16, so its weights carry over: the
 * defaults are its {@code -content_weights 1}, {@code -style_weights 5}, {@code -tv_strength 1e-6}. See the
 * user guide for how they compare with pytorch/examples' (1e5 and 1e10 on torchvision-normalized features).
 *
 * <p>Adam (ND4J's updater, learning rate 1e-3) updates the transform net after each batch. Training images
 * come from a folder (recursively), are resized so the shorter side is {@link Builder#imageSize} and
 * centre-cropped to a square, visited in an order shuffled by the seed each epoch; files that cannot be read
 * are skipped and reported. The network's initialization and the data order depend only on the seed, and a
 * checkpoint ({@link Builder#checkpoint}) holds the weights, Adam's state, the iteration and the data
 * position, so {@link Builder#resumeFrom} continues exactly where the checkpoint was written.
 *
 * <pre>{@code
 * TrainingResult r = FastStyleTrainer.builder()
 *         .featureExtractor(Vgg16.fromKeras(Path.of("vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5")))
 *         .dataDirectory(Path.of("coco/train2014"))
 *         .style(Images.read(Path.of("starry_night.jpg")), "starry_night.jpg")
 *         .epochs(2)
 *         .checkpoint(Path.of("starry.checkpoint"), 1000)
 *         .listener(e -> System.out.println(e.iteration() + " " + e.total() + " eta " + e.eta()))
 *         .build()
 *         .train();
 * r.model().save(Path.of("starry.p4jstyle"));
 * }</pre>
 *
 * A trainer is an immutable configuration; {@link #train()} may be called more than once (each call
 * starts from the seed or the checkpoint again). No ND4J process-wide setting is changed.
 */
public final class FastStyleTrainer {
    public static final int DEFAULT_IMAGE_SIZE = 256;
    public static final int DEFAULT_BATCH_SIZE = 4;
    /** Images per forward/backward pass by default: one, so that training fits in about 6 GB. */
    public static final int DEFAULT_MICRO_BATCH = 1;
    /** pytorch/examples' default number of epochs. */
    public static final int DEFAULT_EPOCHS = 2;
    public static final double DEFAULT_LEARNING_RATE = 1e-3;
    /** jcjohnson/fast-neural-style's {@code -content_weights}, for the same normalization and network. */
    public static final double DEFAULT_CONTENT_WEIGHT = 1;
    /** jcjohnson/fast-neural-style's {@code -style_weights}. */
    public static final double DEFAULT_STYLE_WEIGHT = 5;
    /** jcjohnson/fast-neural-style's {@code -tv_strength}, on the output in 0-255. */
    public static final double DEFAULT_TV_WEIGHT = 1e-6;
    /** pytorch/examples' content tap; the paper (and jcjohnson/fast-neural-style) use relu3_3. */
    public static final String DEFAULT_CONTENT_LAYER = "relu2_2";
    public static final List<String> DEFAULT_STYLE_LAYERS = List.of("relu1_2", "relu2_2", "relu3_3", "relu4_3");

    final Path dataDirectory;
    final FeatureExtractor extractor;
    final INDArray style;
    final String styleName;
    final TransformNet.Architecture architecture;
    final int imageSize;
    final int styleSize;
    final int batchSize;
    /** Images per forward/backward pass; the batch's gradients are added up over its micro-batches. */
    final int microBatch;
    /** Planned iterations, or 0 when training for {@link #epochs}. */
    final long iterations;
    final int epochs;
    final double learningRate;
    final String contentLayer;
    final List<String> styleLayers;
    final double contentWeight;
    final double styleWeight;
    final double tvWeight;
    final long seed;
    final ImageReader reader;
    final Path checkpointFile;
    final int checkpointEvery;
    final INDArray sampleImage;
    final int sampleEvery;
    final Path sampleDirectory;
    final Path lossLog;
    final TrainingListener listener;
    final Path resumeFrom;

    private FastStyleTrainer(Builder b) {
        this.dataDirectory = b.dataDirectory;
        this.extractor = b.extractor;
        this.style = b.style;
        this.styleName = b.styleName;
        this.architecture = b.architecture;
        this.imageSize = b.imageSize;
        this.styleSize = b.styleSize > 0 ? b.styleSize : b.imageSize;
        this.batchSize = b.batchSize;
        this.microBatch = Math.min(b.microBatch > 0 ? b.microBatch : DEFAULT_MICRO_BATCH, b.batchSize);
        this.iterations = b.iterations;
        this.epochs = b.iterations > 0 ? 0 : b.epochs;
        this.learningRate = b.learningRate;
        this.contentLayer = b.extractor.resolveLayer(b.contentLayer);
        List<String> resolved = new ArrayList<>();
        for (String l : b.styleLayers) {
            resolved.add(b.extractor.resolveLayer(l));
        }
        this.styleLayers = List.copyOf(new LinkedHashSet<>(resolved));
        this.contentWeight = b.contentWeight;
        this.styleWeight = b.styleWeight;
        this.tvWeight = b.tvWeight;
        this.seed = b.seed;
        this.reader = ImageReader.builder().maxPixels(b.maxPixels).build();
        this.checkpointFile = b.checkpointFile;
        this.checkpointEvery = b.checkpointEvery;
        this.sampleImage = b.sampleImage;
        this.sampleEvery = b.sampleEvery;
        this.sampleDirectory = b.sampleDirectory;
        this.lossLog = b.lossLog;
        this.listener = b.listener;
        this.resumeFrom = b.resumeFrom;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Trains on the calling thread until the planned iterations or epochs are done, the thread is
     * interrupted or the listener asks to stop (then the model so far is returned and, if checkpoints are
     * configured, a last checkpoint written; the interrupt flag stays set).
     *
     * @throws java.nio.file.NoSuchFileException if the data directory or the checkpoint to resume from does
     *     not exist
     * @throws IOException if the data directory holds no readable image, the checkpoint is corrupt or of an
     *     unsupported version ({@link ModelFormatException}), or an output cannot be written; the message
     *     names the file
     * @throws IllegalArgumentException if the checkpoint was written with other settings, data or style
     * @throws TrainingException if the loss becomes NaN or infinite (it carries the model before that step)
     */
    public TrainingResult train() throws IOException {
        return new TrainingRun(this).run();
    }

    /**
     * The settings a model records and a resumed run must match, by name: everything that changes the
     * sequence of updates. The schedule (iterations or epochs) is recorded too but may change on resume.
     */
    Map<String, String> settings() {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("imageSize", Integer.toString(imageSize));
        s.put("styleSize", Integer.toString(styleSize));
        s.put("batchSize", Integer.toString(batchSize));
        s.put("learningRate", Double.toString(learningRate));
        s.put("contentLayer", contentLayer);
        s.put("styleLayers", String.join(",", styleLayers));
        s.put("contentWeight", Double.toString(contentWeight));
        s.put("styleWeight", Double.toString(styleWeight));
        s.put("tvWeight", Double.toString(tvWeight));
        s.put("seed", Long.toString(seed));
        s.put("lossNetwork", extractor.provenance().toString());
        return s;
    }

    /** "iterations=N" or "epochs=N". */
    String schedule() {
        return iterations > 0 ? "iterations=" + iterations : "epochs=" + epochs;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "FastStyleTrainer[data=%s, style=%s, %s, %s, imageSize=%d, batchSize=%d, "
                + "contentWeight=%s, styleWeight=%s, tvWeight=%s, contentLayer=%s, styleLayers=%s, seed=%d]", dataDirectory,
                styleName, architecture, schedule(), imageSize, batchSize, contentWeight, styleWeight, tvWeight, contentLayer,
                styleLayers, seed);
    }

    /** Builder; each setter validates its argument at once, {@link #build()} checks the combination. */
    public static final class Builder {
        private Path dataDirectory;
        private FeatureExtractor extractor;
        private INDArray style;
        private String styleName = "";
        private TransformNet.Architecture architecture = TransformNet.Architecture.JOHNSON;
        private int imageSize = DEFAULT_IMAGE_SIZE;
        private int styleSize;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int microBatch;
        private long iterations;
        private int epochs = DEFAULT_EPOCHS;
        private boolean epochsSet;
        private double learningRate = DEFAULT_LEARNING_RATE;
        private String contentLayer = DEFAULT_CONTENT_LAYER;
        private List<String> styleLayers = DEFAULT_STYLE_LAYERS;
        private double contentWeight = DEFAULT_CONTENT_WEIGHT;
        private double styleWeight = DEFAULT_STYLE_WEIGHT;
        private double tvWeight = DEFAULT_TV_WEIGHT;
        private long seed;
        private long maxPixels = ImageReader.DEFAULT_MAX_PIXELS;
        private Path checkpointFile;
        private int checkpointEvery;
        private INDArray sampleImage;
        private int sampleEvery;
        private Path sampleDirectory;
        private Path lossLog;
        private TrainingListener listener;
        private Path resumeFrom;

        private Builder() {
        }

        /** The folder of training images (searched recursively; png, jpg, jpeg, bmp, gif). Required. */
        public Builder dataDirectory(Path dir) {
            this.dataDirectory = Checks.requireNonNull(dir, "dataDirectory");
            return this;
        }

        /** The frozen loss network, e.g. {@code Vgg16.fromKeras(path)}. Required. */
        public Builder featureExtractor(FeatureExtractor extractor) {
            this.extractor = Checks.requireNonNull(extractor, "featureExtractor");
            return this;
        }

        /**
         * The style image, RGB [0, 1], {@code [1, 3, H, W]}, and its name for the model's metadata (e.g. its
         * file name). Required.
         */
        public Builder style(INDArray rgb, String name) {
            INDArray image = singleImage(rgb, "style image");
            this.styleName = Checks.requireNonNull(name, "style name");
            this.style = image;
            return this;
        }

        /** Width and residual blocks of the transform net (default {@link TransformNet.Architecture#JOHNSON}). */
        public Builder architecture(TransformNet.Architecture architecture) {
            this.architecture = Checks.requireNonNull(architecture, "architecture");
            return this;
        }

        /** Side of the square training crops (default 256). */
        public Builder imageSize(int size) {
            this.imageSize = Checks.requirePositive(size, "imageSize");
            return this;
        }

        /** Longest side the style image is resized to (default: the image size, as jcjohnson/fast-neural-style). */
        public Builder styleSize(int size) {
            this.styleSize = Checks.requirePositive(size, "styleSize");
            return this;
        }

        /** Images per batch (default 4). */
        public Builder batchSize(int size) {
            this.batchSize = Checks.requirePositive(size, "batchSize");
            return this;
        }

        /**
         * Images per forward and backward pass (default 1); the losses and gradients of a batch are added up
         * over its micro-batches, so the updates are those of the whole batch up to rounding (instance norm
         * and the losses treat each image on its own). Memory grows with it: the default network at 256 x 256
         * with the VGG16 loss network trained within a 6 GB limit with 1 and needed more than 8 GB with 4 (the
         * whole batch at once) in our measurement. A larger value may be faster where memory allows (GPUs).
         * At most the batch size.
         */
        public Builder microBatch(int images) {
            this.microBatch = Checks.requirePositive(images, "microBatch");
            return this;
        }

        /** Train for this many iterations (batches), cycling through the data as needed. Excludes {@link #epochs}. */
        public Builder iterations(long iterations) {
            if (iterations <= 0) {
                throw new IllegalArgumentException("iterations: expected a value > 0, got " + iterations);
            }
            this.iterations = iterations;
            return this;
        }

        /** Train for this many passes over the data (default 2). Excludes {@link #iterations}. */
        public Builder epochs(int epochs) {
            this.epochs = Checks.requirePositive(epochs, "epochs");
            this.epochsSet = true;
            return this;
        }

        /** Adam's learning rate (default 1e-3). */
        public Builder learningRate(double rate) {
            this.learningRate = Checks.requirePositive(rate, "learningRate");
            return this;
        }

        /** The content tap (default relu2_2 as pytorch/examples; relu3_3 as the paper). */
        public Builder contentLayer(String layer) {
            if (layer == null || layer.isBlank()) {
                throw new IllegalArgumentException("contentLayer: expected a layer name, got '" + layer + "'");
            }
            this.contentLayer = layer;
            return this;
        }

        /** The style taps (default relu1_2, relu2_2, relu3_3, relu4_3), each weighted 1. */
        public Builder styleLayers(List<String> layers) {
            Checks.requireNonNull(layers, "styleLayers");
            if (layers.isEmpty()) {
                throw new IllegalArgumentException("styleLayers: expected at least one layer, got none");
            }
            for (String l : layers) {
                if (l == null || l.isBlank()) {
                    throw new IllegalArgumentException("styleLayers: expected layer names, got " + layers);
                }
            }
            this.styleLayers = List.copyOf(layers);
            return this;
        }

        /** Weight of the content term (default 1). */
        public Builder contentWeight(double weight) {
            this.contentWeight = Checks.requireNonNegative(weight, "contentWeight");
            return this;
        }

        /** Weight of the style terms (default 5). */
        public Builder styleWeight(double weight) {
            this.styleWeight = Checks.requireNonNegative(weight, "styleWeight");
            return this;
        }

        /** Weight of the total-variation term on the 0-255 output (default 1e-6; 0 turns it off). */
        public Builder tvWeight(double weight) {
            this.tvWeight = Checks.requireNonNegative(weight, "tvWeight");
            return this;
        }

        /** Seed of the network's initialization and of the data order (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Training images with more pixels are skipped (default 100 million; see ImageReader). */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1 || maxPixels > ImageReader.MAX_MAX_PIXELS) {
                throw new IllegalArgumentException("maxPixels: expected a value in [1, " + ImageReader.MAX_MAX_PIXELS
                        + "], got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Writes a checkpoint to {@code file} (replaced atomically each time) every {@code every} iterations
         * and when the run ends or is stopped. Its directory must exist.
         */
        public Builder checkpoint(Path file, int every) {
            this.checkpointFile = Checks.requireNonNull(file, "checkpoint file");
            this.checkpointEvery = Checks.requirePositive(every, "checkpoint every");
            return this;
        }

        /**
         * Every {@code every} iterations, stylizes {@code rgb} ({@code [1, 3, H, W]}, any size) with the current
         * network and writes it to {@code directory/sample_ITERATION.png} (created if needed), to judge the
         * weights without waiting for the end.
         */
        public Builder sample(INDArray rgb, int every, Path directory) {
            INDArray image = singleImage(rgb, "sample image");
            this.sampleEvery = Checks.requirePositive(every, "sample every");
            this.sampleDirectory = Checks.requireNonNull(directory, "sample directory");
            this.sampleImage = image;
            return this;
        }

        /** A FLOAT copy of a {@code [1, 3, H, W]} image. */
        private static INDArray singleImage(INDArray rgb, String what) {
            Checks.requireImage(rgb, what);
            if (rgb.size(0) != 1) {
                throw new IllegalArgumentException(what + ": expected a single image [1, 3, H, W], got "
                        + java.util.Arrays.toString(rgb.shape()));
            }
            return rgb.castTo(DataType.FLOAT).dup();
        }

        /**
         * Writes the loss of every iteration to a CSV file ({@code iteration,<terms>,total,elapsed_ms}),
         * rewritten atomically every {@value TrainingRun#LOG_EVERY} iterations, at every checkpoint and sample,
         * and at the end. Its directory must exist.
         */
        public Builder lossLog(Path file) {
            this.lossLog = Checks.requireNonNull(file, "lossLog");
            return this;
        }

        /** Receives every iteration's losses, progress and ETA; can stop the run. */
        public Builder listener(TrainingListener listener) {
            this.listener = Checks.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Continues from a checkpoint written by {@link #checkpoint}: weights, Adam state, iteration and data
         * position are restored. The settings that shape the updates (architecture, image, style and batch
         * sizes, learning rate, layers, weights, seed, loss network, data set and style image) must be the
         * checkpoint's; the iterations or epochs may be changed.
         */
        public Builder resumeFrom(Path checkpoint) {
            this.resumeFrom = Checks.requireNonNull(checkpoint, "resumeFrom");
            return this;
        }

        /**
         * Checks the combination and returns the immutable configuration.
         *
         * @throws IllegalArgumentException if a required part is missing, a layer name is unknown, both
         *     iterations and epochs were set, or every loss weight is 0
         */
        public FastStyleTrainer build() {
            if (dataDirectory == null) {
                throw new IllegalArgumentException("dataDirectory: expected a folder of training images, got none");
            }
            if (extractor == null) {
                throw new IllegalArgumentException("featureExtractor: expected a loss network (e.g. Vgg16.fromKeras(path)), got none");
            }
            if (style == null) {
                throw new IllegalArgumentException("style: expected a style image, got none");
            }
            if (iterations > 0 && epochsSet) {
                throw new IllegalArgumentException("iterations and epochs: expected one of them, got iterations "
                        + iterations + " and epochs " + epochs);
            }
            if (microBatch > batchSize) {
                throw new IllegalArgumentException("microBatch: expected a value <= batchSize " + batchSize + ", got " + microBatch);
            }
            if (contentWeight == 0 && styleWeight == 0 && tvWeight == 0) {
                throw new IllegalArgumentException("weights: expected a content, style or TV weight > 0, got all 0");
            }
            return new FastStyleTrainer(this);
        }
    }
}
