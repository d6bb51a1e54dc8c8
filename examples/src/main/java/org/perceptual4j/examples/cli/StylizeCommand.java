package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.Images;
import org.perceptual4j.losses.TotalVariationLoss;
import org.perceptual4j.optim.AdamOptimizer;
import org.perceptual4j.optim.Lbfgs;
import org.perceptual4j.optim.Optimizer;
import org.perceptual4j.optim.StopReason;
import org.perceptual4j.style.Initialization;
import org.perceptual4j.style.IterationEvent;
import org.perceptual4j.style.LossRecord;
import org.perceptual4j.style.StyleTransfer;
import org.perceptual4j.style.StyleTransferException;
import org.perceptual4j.style.StyleTransferListener;
import org.perceptual4j.style.StyleTransferResult;
import org.perceptual4j.vgg.Vgg16;
import org.perceptual4j.vgg.Vgg19;
import org.perceptual4j.vgg.VggCompute;
import org.perceptual4j.vgg.VggFeatureExtractor;
import org.perceptual4j.vgg.VggImportException;
import org.perceptual4j.vgg.download.WeightsCache;
import org.perceptual4j.vgg.download.WeightsFile;
import org.perceptual4j.vgg.download.WeightsUnavailableException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code perceptual4j stylize}: neural style transfer of one image (Gatys et al., neural-style defaults). */
@Command(name = "stylize",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Neural style transfer: paint a content image in the style of others.",
        description = {
            "Renders the content image in the style of one or more style images by optimizing the pixels "
                    + "against VGG perceptual losses (Gatys et al.; defaults as jcjohnson/neural-style).",
        },
        footer = {
            "",
            "Example:",
            "  perceptual4j stylize --content photo.jpg --out result.png \\",
            "      --style starry.jpg:0.7 --style scream.jpg:0.3 --iterations 500",
        })
final class StylizeCommand implements Callable<Integer> {
    /** Optimizer names (lower case, as typed on the command line). */
    enum OptimizerName { lbfgs, adam }

    /** Pooling names. */
    enum PoolingName { max, avg }

    /** TV norm names. */
    enum TvNormName { squared, l1 }

    /** {@link VggCompute} names. */
    enum ComputeName { auto, winograd, bf16, samediff }

    @Spec
    CommandSpec spec;

    @ParentCommand
    Perceptual4jCli parent;

    @Option(names = "--content", required = true, paramLabel = "FILE",
            description = "Content image (PNG, JPEG, BMP or GIF).")
    Path content;

    @Option(names = "--style", required = true, paramLabel = "FILE[:WEIGHT]", converter = StyleSpec.Converter.class,
            description = {"Style image, optionally with a blend weight (default 1). Repeat to blend several styles; "
                    + "the weights are normalised to sum 1. The weight is taken from after the last ':' only if "
                    + "that is a number, so C:\\img\\s.jpg is a file name."})
    List<StyleSpec> styles = new ArrayList<>();

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE",
            description = "Output image, .png, .jpg or .jpeg. Written atomically (never half-written).")
    Path out;

    @Option(names = "--size", paramLabel = "PIXELS",
            description = "Longest side of the output; the aspect ratio of the content image is kept. Default: ${DEFAULT-VALUE}.")
    int size = StyleTransfer.DEFAULT_SIZE;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Optimizer iterations. Default: ${DEFAULT-VALUE}.")
    int iterations = StyleTransfer.DEFAULT_ITERATIONS;

    @Option(names = "--optimizer", paramLabel = "NAME",
            description = "lbfgs (history 100, no line search) or adam. Default: ${DEFAULT-VALUE}.")
    OptimizerName optimizer = OptimizerName.lbfgs;

    @Option(names = "--learning-rate", paramLabel = "RATE",
            description = "Step size. Default: 1 for lbfgs, 10 for adam (neural-style's values).")
    Double learningRate;

    @Option(names = "--content-weight", paramLabel = "W",
            description = "Weight of the content loss. Default: ${DEFAULT-VALUE}.")
    double contentWeight = StyleTransfer.DEFAULT_CONTENT_WEIGHT;

    @Option(names = "--style-weight", paramLabel = "W",
            description = "Weight of the style loss. Default: ${DEFAULT-VALUE}.")
    double styleWeight = StyleTransfer.DEFAULT_STYLE_WEIGHT;

    @Option(names = "--tv-weight", paramLabel = "W",
            description = "Weight of the total-variation loss; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    double tvWeight = StyleTransfer.DEFAULT_TV_WEIGHT;

    @Option(names = "--tv-norm", paramLabel = "NORM",
            description = "squared (neural-style) or l1 (as TensorFlow's total_variation). Default: ${DEFAULT-VALUE}.")
    TvNormName tvNorm = TvNormName.squared;

    @Option(names = "--content-layers", paramLabel = "LAYER[:W],...", converter = LayerWeights.Converter.class,
            defaultValue = "relu4_2",
            description = "Content layers, each with an optional weight (default 1). Names: relu4_2, conv4_2, "
                    + "or Keras block4_conv2. Default: ${DEFAULT-VALUE}.")
    LayerWeights contentLayers;

    @Option(names = "--style-layers", paramLabel = "LAYER[:W],...", converter = LayerWeights.Converter.class,
            defaultValue = "relu1_1,relu2_1,relu3_1,relu4_1,relu5_1",
            description = "Style layers, each with an optional weight. Default: ${DEFAULT-VALUE}.")
    LayerWeights styleLayers;

    @Option(names = "--style-scale", paramLabel = "SCALE",
            description = "Style images are resized to longest side SIZE * SCALE. Default: ${DEFAULT-VALUE}.")
    double styleScale = 1.0;

    @Option(names = "--init", paramLabel = "content|style|noise|FILE",
            description = "Starting image: the content image, the first style image, seeded noise, or an image file. "
                    + "Default: ${DEFAULT-VALUE}.")
    String init = "noise";

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the noise initialization. Default: ${DEFAULT-VALUE}.")
    long seed = 0;

    @Option(names = "--pooling", paramLabel = "TYPE",
            description = "max or avg pooling in the network. Default: ${DEFAULT-VALUE}.")
    PoolingName pooling = PoolingName.max;

    @Option(names = "--weights", paramLabel = "FILE",
            description = {"VGG19 weights file (VGG16 with --vgg16), recognised from its content, not its name: "
                    + "Keras HDF5 (.h5, notop or full; Caffe image convention), MatConvNet MAT-file "
                    + "(imagenet-vgg-verydeep-19.mat; RGB 0-255 minus the file's mean pixel) or ONNX (torchvision "
                    + "convention). The image convention follows the file. Default: the official Keras ImageNet "
                    + "weights (80 MB), downloaded once to the cache, $PERCEPTUAL4J_CACHE_DIR or "
                    + "~/.perceptual4j/models."})
    Path weights;

    @Option(names = "--vgg16",
            description = "Use VGG16 instead of VGG19 (the --weights file must then be a VGG16 file).")
    boolean vgg16;

    @Option(names = "--compute", paramLabel = "MODE",
            description = {"How VGG's convolutions compute: auto (oneDNN fp32 direct, else SameDiff), winograd "
                    + "(oneDNN fp32 Winograd, faster, slightly larger rounding errors), bf16 (bfloat16 with fp32 "
                    + "accumulation on AVX512_BF16 CPUs, fastest, ~1% differences) or samediff. "
                    + "Default: ${DEFAULT-VALUE}."})
    ComputeName compute = ComputeName.auto;

    @Option(names = "--save-every", paramLabel = "N",
            description = "Also write the image every N iterations as OUT-STEM_ITERATION.EXT next to --out.")
    Integer saveEvery;

    @Option(names = "--loss-log", paramLabel = "FILE",
            description = "Write every iteration's loss terms to a CSV file (iteration 0 is the starting image).")
    Path lossLog;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Refuse input images with more pixels than this. Default: ${DEFAULT-VALUE}.")
    long maxPixels = ImageReader.DEFAULT_MAX_PIXELS;

    @Option(names = {"-q", "--quiet"},
            description = "No progress bar and no messages except errors.")
    boolean quiet;

    private PrintWriter err;

    @Override
    public Integer call() {
        err = spec.commandLine().getErr();
        return CommandSupport.run(spec, parent, "try a smaller --size or a larger -Xmx", this::stylize);
    }

    private int stylize() throws IOException {
        validateOptions();
        checkOutputWritable(out, "--out");
        ImageReader reader = ImageReader.builder().maxPixels(maxPixels).build();
        INDArray contentImage = readImage(reader, content, "content image");
        List<INDArray> styleImages = new ArrayList<>();
        for (StyleSpec s : styles) {
            styleImages.add(readImage(reader, s.file(), "style image"));
        }
        Initialization initialization = initialization(reader);
        VggFeatureExtractor network = loadNetwork().withCompute(VggCompute.valueOf(compute.name().toUpperCase(Locale.ROOT)));
        // which file, format and checksum, and how images are prepared for it: a mismatch shows here
        info("Weights: " + network.provenance() + ", image convention " + network.imageConvention()
                + ", compute " + network.compute() + (network.accelerated() ? " (oneDNN)" : " (SameDiff)"));

        ProgressDisplay.Mode mode = CommandSupport.progressMode(quiet, parent);
        RunListener listener = new RunListener();
        StyleTransfer transfer;
        try {
            StyleTransfer.Builder b = StyleTransfer.builder()
                    .featureExtractor(network)
                    .content(contentImage)
                    .contentLayers(contentLayers.weights())
                    .styleLayers(styleLayers.weights())
                    .contentWeight(contentWeight)
                    .styleWeight(styleWeight)
                    .tvWeight(tvWeight)
                    .tvNorm(tvNorm == TvNormName.l1 ? TotalVariationLoss.Norm.L1 : TotalVariationLoss.Norm.SQUARED)
                    .init(initialization)
                    .seed(seed)
                    .optimizer(buildOptimizer())
                    .iterations(iterations)
                    .size(size)
                    .styleScale(styleScale)
                    .pooling(pooling == PoolingName.avg ? Pooling.AVG : Pooling.MAX)
                    .listener(listener);
            for (int i = 0; i < styleImages.size(); i++) {
                b.style(styleImages.get(i), styles.get(i).weight());
            }
            transfer = b.build();
        } catch (IllegalArgumentException e) {
            // e.g. an unknown layer name: the library's message lists the valid ones
            throw usageError(Messages.describe(e));
        }
        checkSizeForLayers(network, transfer, contentImage, styleImages);

        if (lossLog != null) {
            try {
                listener.log = LossLog.create(lossLog);
            } catch (IOException e) {
                throw new CliFailure("--loss-log: cannot create " + lossLog + " (" + Messages.describe(e) + ")", e);
            }
        }
        StyleTransferResult result;
        try (Cancellation cancel = new Cancellation(err, "stopping after the current iteration to write " + out)) {
            ProgressDisplay progress = ProgressDisplay.create(mode, err, "stylize", iterations, "", 1);
            listener.progress = progress;
            try {
                result = transfer.run();
            } catch (StyleTransferException e) {
                progress.close();
                Thread.interrupted(); // Images.write uses a FileChannel, which an interrupt would close
                writeImage(e.lastFiniteImage(), out);
                throw new CliFailure(nonFiniteMessage(e.history()), e);
            } finally {
                progress.close();
                listener.closeLog();
            }
            if (cancel.requested()) {
                Thread.interrupted();
                writeImage(result.image(), out);
                err.println(Perceptual4jCli.NAME + ": stopped after " + result.iterations() + " iterations; wrote " + out);
                err.flush();
                cancel.finished();
                return 130; // the JVM exits with 130 for SIGINT anyway
            }
        }
        writeImage(result.image(), out);
        if (listener.failure != null) {
            throw new CliFailure(Messages.describe(listener.failure) + "; stopped after " + result.iterations()
                    + " iterations and wrote the image so far to " + out, listener.failure);
        }
        if (!quiet) {
            PrintWriter stdout = spec.commandLine().getOut();
            LossRecord first = result.history().get(0);
            LossRecord last = result.last();
            String converged = result.stopReason() == StopReason.MAX_ITERATIONS ? ""
                    : " (stopped early: " + result.stopReason().name().toLowerCase(Locale.ROOT).replace('_', ' ') + ")";
            stdout.printf(Locale.ROOT, "Wrote %s (%d x %d) after %d iterations%s in %.1f s; loss %.4g -> %.4g%n", out,
                    result.image().size(3), result.image().size(2), result.iterations(), converged,
                    last.elapsedMillis() / 1000.0, first.total(), last.total());
            stdout.flush();
        }
        return Perceptual4jCli.EXIT_OK;
    }

    private String nonFiniteMessage(List<LossRecord> history) {
        if (history.isEmpty()) {
            return "the loss of the starting image is NaN or infinite; lower the weights (wrote the starting image to "
                    + out + ")";
        }
        LossRecord last = history.get(history.size() - 1);
        return String.format(Locale.ROOT, "the loss became NaN or infinite at iteration %d; lower --learning-rate or "
                + "the weights (wrote the image of iteration %d, loss %.4g, to %s)", last.iteration() + 1,
                last.iteration(), last.total(), out);
    }

    /**
     * Each pooling halves the image; the deepest layer used needs at least 1 pixel, so the content (output)
     * and style images must be at least 2^poolings pixels on each side after resizing.
     */
    private void checkSizeForLayers(VggFeatureExtractor network, StyleTransfer transfer, INDArray contentImage,
            List<INDArray> styleImages) {
        List<String> names = network.layerNames();
        String deepest = null;
        int pools = 0;
        List<String> used = new ArrayList<>(transfer.contentLayers().keySet());
        used.addAll(transfer.styleLayers().keySet());
        for (String layer : used) {
            int p = (int) names.subList(0, names.indexOf(layer) + 1).stream().filter(n -> n.startsWith("pool")).count();
            if (deepest == null || p > pools) {
                deepest = layer;
                pools = p;
            }
        }
        long min = 1L << pools;
        long[] c = resizedShape(contentImage, size);
        if (Math.min(c[0], c[1]) < min) {
            throw usageError(String.format(Locale.ROOT, "--size %d is too small: the output would be %d x %d pixels, "
                    + "but layer %s needs at least %d x %d (%d poolings)", size, c[1], c[0], deepest, min, min, pools));
        }
        int styleSize = Math.max(1, (int) Math.round(size * styleScale));
        for (int i = 0; i < styleImages.size(); i++) {
            long[] s = resizedShape(styleImages.get(i), styleSize);
            if (Math.min(s[0], s[1]) < min && !transfer.styleLayers().isEmpty()) {
                throw usageError(String.format(Locale.ROOT, "style image %s would be %d x %d pixels at --size %d "
                        + "--style-scale %s, but layer %s needs at least %d x %d", styles.get(i).file(), s[1], s[0], size,
                        styleScale, deepest, min, min));
            }
        }
    }

    /** {height, width} after {@code Images.resizeToLongestSide(image, longestSide)}. */
    private static long[] resizedShape(INDArray image, int longestSide) {
        long h = image.size(2);
        long w = image.size(3);
        return h >= w ? new long[] {longestSide, Math.max(1, Math.round((double) w * longestSide / h))}
                : new long[] {Math.max(1, Math.round((double) h * longestSide / w)), longestSide};
    }

    private void validateOptions() {
        requirePositive(size, "--size");
        requirePositive(iterations, "--iterations");
        requireNonNegative(contentWeight, "--content-weight");
        requireNonNegative(styleWeight, "--style-weight");
        requireNonNegative(tvWeight, "--tv-weight");
        if (!(styleScale > 0) || Double.isInfinite(styleScale)) {
            throw usageError("--style-scale must be a number > 0, got " + styleScale);
        }
        if (learningRate != null && (!(learningRate > 0) || learningRate.isInfinite())) {
            throw usageError("--learning-rate must be a number > 0, got " + learningRate);
        }
        if (saveEvery != null) {
            requirePositive(saveEvery, "--save-every");
        }
        CommandSupport.requireMaxPixels(spec, maxPixels);
        if (imageFormat(out) == null) {
            throw usageError("--out must end in .png, .jpg or .jpeg, got " + out);
        }
    }

    private void requirePositive(int value, String option) {
        CommandSupport.requirePositive(spec, value, option);
    }

    private void requireNonNegative(double value, String option) {
        CommandSupport.requireNonNegative(spec, value, option);
    }

    private ParameterException usageError(String message) {
        return CommandSupport.usageError(spec, message);
    }

    private static String imageFormat(Path file) {
        return CommandSupport.imageFormat(file);
    }

    private static void checkOutputWritable(Path file, String option) {
        CommandSupport.checkOutputWritable(file, option);
    }

    private static INDArray readImage(ImageReader reader, Path file, String what) {
        return CommandSupport.readImage(reader, file, what);
    }

    private Initialization initialization(ImageReader reader) {
        return switch (init) {
            case "content" -> Initialization.content();
            case "style" -> Initialization.style();
            case "noise", "random" -> Initialization.noise();
            default -> Initialization.image(readImage(reader, Path.of(init), "--init image"));
        };
    }

    private Optimizer buildOptimizer() {
        if (optimizer == OptimizerName.adam) {
            return AdamOptimizer.builder()
                    .learningRate(learningRate != null ? learningRate : StyleTransfer.DEFAULT_ADAM_LEARNING_RATE).build();
        }
        return learningRate == null ? Lbfgs.create() : Lbfgs.builder().learningRate(learningRate).build();
    }

    private VggFeatureExtractor loadNetwork() {
        String arch = vgg16 ? "VGG16" : "VGG19";
        if (weights != null) {
            try {
                return vgg16 ? Vgg16.fromFile(weights) : Vgg19.fromFile(weights);
            } catch (NoSuchFileException e) {
                throw new CliFailure("--weights: file not found: " + weights, e);
            } catch (VggImportException e) {
                // names the file and what is wrong with it
                throw new CliFailure("--weights: not a usable " + arch + " weights file: " + Messages.describe(e), e);
            } catch (IOException e) {
                throw new CliFailure("--weights: cannot read " + weights + " (" + Messages.describe(e) + ")", e);
            }
        }
        WeightsFile file = vgg16 ? WeightsFile.VGG16_NOTOP : WeightsFile.VGG19_NOTOP;
        ProgressDisplay.Mode mode = quiet ? ProgressDisplay.Mode.NONE
                : parent != null ? parent.progressMode : ProgressDisplay.Mode.AUTO;
        ProgressDisplay[] download = {null};
        WeightsCache cache;
        try {
            cache = WeightsCache.builder().progress((done, total) -> {
                if (download[0] == null) {
                    download[0] = ProgressDisplay.create(mode, err, "download", total, "MB", 1 << 20);
                }
                download[0].update(done, "");
            }).build();
        } catch (IllegalArgumentException e) {
            throw new CliFailure("weights cache: " + Messages.describe(e), e);
        }
        Path cached = cache.locate(file);
        info("Pretrained " + arch + " weights: " + cached
                + (Files.isRegularFile(cached) ? ""
                        : cache.offline() ? " (not cached; offline mode)"
                        : " (not cached yet: downloading " + file.url() + ")"));
        try {
            return vgg16 ? Vgg16.pretrained(cache) : Vgg19.pretrained(cache);
        } catch (WeightsUnavailableException e) {
            throw new CliFailure("pretrained " + arch + " weights are not available: " + e.reason() + "; download "
                    + file.url() + " to " + e.cachePath() + " (MD5 " + file.md5() + ") or pass --weights FILE", e);
        } catch (IOException e) {
            throw new CliFailure("pretrained " + arch + " weights " + cached + ": " + Messages.describe(e), e);
        } finally {
            if (download[0] != null) {
                download[0].close();
            }
        }
    }

    private void info(String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }

    private static void writeImage(INDArray image, Path file) {
        CommandSupport.writeImage(image, file);
    }

    /** {@code out.png} and 50 give {@code out_50.png} in the same directory. */
    static Path intermediatePath(Path out, int iteration) {
        String name = out.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name;
        String ext = dot > 0 ? name.substring(dot) : "";
        return out.resolveSibling(stem + "_" + iteration + ext);
    }

    /** Progress bar, loss log and intermediate images; a write failure stops the run (reported after it). */
    private final class RunListener implements StyleTransferListener {
        LossLog log;
        ProgressDisplay progress = ProgressDisplay.none();
        IOException failure;

        void closeLog() {
            if (log != null) {
                try {
                    log.close();
                } catch (IOException e) {
                    if (failure == null) {
                        failure = new IOException("cannot write " + log.file() + " (" + Messages.describe(e) + ")", e);
                    }
                }
            }
        }

        @Override
        public void onIteration(IterationEvent e) {
            progress.update(e.iteration(), String.format(Locale.ROOT, "loss %.4g", e.total()));
            if (failure != null) {
                return;
            }
            Path current = null;
            try {
                if (log != null) {
                    current = log.file();
                    log.write(e.iteration(), e.terms(), e.total(), e.elapsed().toMillis());
                }
                if (saveEvery != null && e.iteration() > 0 && e.iteration() % saveEvery == 0
                        && !Thread.currentThread().isInterrupted()) {
                    current = intermediatePath(out, e.iteration());
                    Images.write(e.image(), current);
                }
            } catch (IOException ex) {
                if (Thread.currentThread().isInterrupted()) {
                    return; // Ctrl-C closed the channel; the run stops after this iteration anyway
                }
                failure = new IOException("cannot write " + current + " (" + Messages.describe(ex) + ")", ex);
                e.requestStop();
            }
        }
    }
}
