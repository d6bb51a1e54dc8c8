package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.FastStyleTrainer;
import org.perceptual4j.fast.ModelFormatException;
import org.perceptual4j.fast.TrainingEvent;
import org.perceptual4j.fast.TrainingException;
import org.perceptual4j.fast.TrainingResult;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.vgg.Vgg16;
import org.perceptual4j.vgg.VggFeatureExtractor;
import org.perceptual4j.vgg.VggImportException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code perceptual4j train-fast}: trains a fast style-transfer network for one style. */
@Command(name = "train-fast",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Train a fast style-transfer network for one style (Johnson et al.).",
        description = {
            "Trains a feed-forward transform network on a folder of content images so that it paints them in the "
                    + "style of one image, with VGG16 perceptual losses. The model file it writes is applied with "
                    + "'apply-fast'. A checkpoint (--checkpoint, default MODEL.checkpoint) is written every "
                    + "--checkpoint-every iterations and when training ends or is interrupted (Ctrl-C); "
                    + "--resume continues from it exactly.",
        },
        footer = {
            "",
            "Example:",
            "  perceptual4j train-fast --data coco/train2014 --style starry.jpg --weights vgg16_notop.h5 \\",
            "      --model starry.p4jstyle --epochs 2 --checkpoint-every 1000 --sample-every 500 --sample photo.jpg",
        })
final class TrainFastCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Perceptual4jCli parent;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Folder of training images, searched recursively (png, jpg, jpeg, bmp, gif); unreadable files "
                    + "are skipped and counted.")
    Path data;

    @Option(names = "--style", required = true, paramLabel = "FILE", description = "The style image.")
    Path style;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "Keras VGG16 weights file (vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5, or with top): the "
                    + "loss network.")
    Path weights;

    @Option(names = "--model", required = true, paramLabel = "FILE",
            description = "The model file to write (atomically), e.g. starry.p4jstyle.")
    Path model;

    @Option(names = "--image-size", paramLabel = "PIXELS",
            description = "Training images are resized (shorter side) and centre-cropped to this square. Default: ${DEFAULT-VALUE}.")
    int imageSize = FastStyleTrainer.DEFAULT_IMAGE_SIZE;

    @Option(names = "--batch-size", paramLabel = "N", description = "Images per iteration. Default: ${DEFAULT-VALUE}.")
    int batchSize = FastStyleTrainer.DEFAULT_BATCH_SIZE;

    @Option(names = "--micro-batch", paramLabel = "N",
            description = "Images per forward/backward pass, at most the batch size; the batch's gradients are added up, "
                    + "so the updates are the same up to rounding. Larger needs more memory (1: about 6 GB at 256 "
                    + "pixels; 4: more than 8 GB). Default: " + FastStyleTrainer.DEFAULT_MICRO_BATCH + ".")
    Integer microBatch;

    @Option(names = "--iterations", paramLabel = "N",
            description = "Train for N iterations (batches). Excludes --epochs.")
    Long iterations;

    @Option(names = "--epochs", paramLabel = "N",
            description = "Train for N passes over the data. Default: " + FastStyleTrainer.DEFAULT_EPOCHS + ".")
    Integer epochs;

    @Option(names = "--content-weight", paramLabel = "W", description = "Weight of the content loss. Default: ${DEFAULT-VALUE}.")
    double contentWeight = FastStyleTrainer.DEFAULT_CONTENT_WEIGHT;

    @Option(names = "--style-weight", paramLabel = "W", description = "Weight of the style loss. Default: ${DEFAULT-VALUE}.")
    double styleWeight = FastStyleTrainer.DEFAULT_STYLE_WEIGHT;

    @Option(names = "--tv-weight", paramLabel = "W",
            description = "Weight of the total-variation loss (on 0-255 values); 0 turns it off. Default: ${DEFAULT-VALUE}.")
    double tvWeight = FastStyleTrainer.DEFAULT_TV_WEIGHT;

    @Option(names = "--content-layer", paramLabel = "LAYER",
            description = "VGG16 content layer (relu3_3 as in the paper). Default: ${DEFAULT-VALUE}.")
    String contentLayer = FastStyleTrainer.DEFAULT_CONTENT_LAYER;

    @Option(names = "--learning-rate", paramLabel = "RATE", description = "Adam's learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate = FastStyleTrainer.DEFAULT_LEARNING_RATE;

    @Option(names = "--style-size", paramLabel = "PIXELS",
            description = "Longest side the style image is resized to. Default: the image size.")
    Integer styleSize;

    @Option(names = "--seed", paramLabel = "N",
            description = "Seed of the network's initialization and of the data order. Default: ${DEFAULT-VALUE}.")
    long seed = 0;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Write the checkpoint every N iterations (it is always written at the end).")
    Integer checkpointEvery;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "The checkpoint file. Default: MODEL.checkpoint.")
    Path checkpoint;

    @Option(names = "--resume", paramLabel = "CHECKPOINT",
            description = "Continue from a checkpoint; the other options must be those it was written with "
                    + "(the iterations or epochs may be raised).")
    Path resume;

    @Option(names = "--sample-every", paramLabel = "N", description = "Stylize --sample every N iterations.")
    Integer sampleEvery;

    @Option(names = "--sample", paramLabel = "FILE", description = "Image stylized every --sample-every iterations.")
    Path sample;

    @Option(names = "--sample-dir", paramLabel = "DIR",
            description = "Where the samples go, as sample_ITERATION.png. Default: the directory of --model.")
    Path sampleDir;

    @Option(names = "--loss-log", paramLabel = "FILE",
            description = "Write every iteration's loss terms to a CSV file (rewritten atomically as training goes).")
    Path lossLog;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Skip training images (and refuse a style or sample image) with more pixels. Default: ${DEFAULT-VALUE}.")
    long maxPixels = ImageReader.DEFAULT_MAX_PIXELS;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no messages except errors.")
    boolean quiet;

    private PrintWriter err;

    @Override
    public Integer call() {
        err = spec.commandLine().getErr();
        return CommandSupport.run(spec, parent, "try a smaller --image-size or --batch-size, or a larger -Xmx", this::train);
    }

    private int train() throws IOException {
        validateOptions();
        CommandSupport.checkOutputWritable(model, "--model");
        Path checkpointFile = checkpoint != null ? checkpoint : model.resolveSibling(model.getFileName() + ".checkpoint");
        CommandSupport.checkOutputWritable(checkpointFile, "--checkpoint");
        ImageReader reader = ImageReader.builder().maxPixels(maxPixels).build();
        INDArray styleImage = CommandSupport.readImage(reader, style, "style image");
        INDArray sampleImage = sample == null ? null : CommandSupport.readImage(reader, sample, "sample image");
        VggFeatureExtractor network = loadVgg16();

        ProgressDisplay.Mode mode = CommandSupport.progressMode(quiet, parent);
        ProgressDisplay[] progress = {ProgressDisplay.none()};
        FastStyleTrainer trainer;
        try {
            FastStyleTrainer.Builder b = FastStyleTrainer.builder()
                    .dataDirectory(data)
                    .featureExtractor(network)
                    .style(styleImage, style.getFileName().toString())
                    .imageSize(imageSize)
                    .batchSize(batchSize)
                    .contentWeight(contentWeight)
                    .styleWeight(styleWeight)
                    .tvWeight(tvWeight)
                    .contentLayer(contentLayer)
                    .learningRate(learningRate)
                    .seed(seed)
                    .maxPixels(maxPixels)
                    .checkpoint(checkpointFile, checkpointEvery != null ? checkpointEvery : Integer.MAX_VALUE)
                    .listener(e -> onIteration(e, progress[0]));
            if (iterations != null) {
                b.iterations(iterations);
            } else if (epochs != null) {
                b.epochs(epochs);
            }
            if (styleSize != null) {
                b.styleSize(styleSize);
            }
            if (microBatch != null) {
                b.microBatch(microBatch);
            }
            if (sampleImage != null) {
                Path dir = sampleDir != null ? sampleDir : model.toAbsolutePath().getParent();
                b.sample(sampleImage, sampleEvery, dir);
            }
            if (lossLog != null) {
                b.lossLog(lossLog);
            }
            if (resume != null) {
                b.resumeFrom(resume);
            }
            trainer = b.build();
        } catch (IllegalArgumentException e) {
            // e.g. an unknown layer name: the library's message lists the valid ones
            throw CommandSupport.usageError(spec, Messages.describe(e));
        }

        TrainingResult result;
        try (Cancellation cancel = new Cancellation(err, "stopping after the current iteration to write " + model + " and "
                + checkpointFile)) {
            long planned = iterations != null ? iterations : 1;
            progress[0] = ProgressDisplay.create(mode, err, "train", planned, "", 1);
            try {
                result = trainer.train();
            } catch (TrainingException e) {
                progress[0].close();
                Thread.interrupted();
                save(e.lastFiniteModel());
                throw new CliFailure(Messages.describe(e) + " (wrote the model before that step, iteration "
                        + e.lastFiniteModel().metadata().iterations() + ", to " + model + ")", e);
            } catch (NoSuchFileException e) {
                throw new CliFailure((e.getFile() != null && e.getFile().equals(String.valueOf(resume)) ? "--resume: " : "")
                        + "not found: " + Messages.describe(e), e);
            } catch (ModelFormatException e) {
                throw new CliFailure("--resume: " + Messages.describe(e), e);
            } catch (IllegalArgumentException e) {
                // the checkpoint was written with other settings: the message names them
                throw CommandSupport.usageError(spec, "--resume: " + Messages.describe(e));
            } catch (IOException e) {
                throw new CliFailure(Messages.describe(e), e);
            } finally {
                progress[0].close();
            }
            if (cancel.requested()) {
                Thread.interrupted();
                save(result.model());
                err.println(Perceptual4jCli.NAME + ": stopped after " + result.iterations() + " iterations; wrote " + model
                        + " and " + checkpointFile + " (continue with --resume " + checkpointFile + ")");
                err.flush();
                cancel.finished();
                return 130;
            }
        }
        save(result.model());
        for (Map.Entry<Path, String> skipped : result.skippedFiles().entrySet()) {
            info("skipped " + Messages.oneLine(skipped.getValue()));
        }
        if (!quiet) {
            PrintWriter stdout = spec.commandLine().getOut();
            double first = result.history().isEmpty() ? Double.NaN : result.history().get(0).total();
            double last = result.history().isEmpty() ? Double.NaN : result.history().get(result.history().size() - 1).total();
            long millis = result.history().isEmpty() ? 0 : result.history().get(result.history().size() - 1).elapsedMillis();
            stdout.printf(Locale.ROOT, "Wrote %s after %d iterations in %.1f s (%d unreadable files skipped); loss %.4g -> %.4g; "
                    + "checkpoint %s%n", model, result.iterations(), millis / 1000.0, result.skippedFiles().size(), first, last,
                    checkpointFile);
            stdout.flush();
        }
        return Perceptual4jCli.EXIT_OK;
    }

    private void onIteration(TrainingEvent e, ProgressDisplay progress) {
        progress.max(e.plannedIterations());
        Duration eta = e.eta();
        progress.update(e.iteration(), String.format(Locale.ROOT, "loss %.4g, %.2f img/s, eta %dh%02dm%s", e.total(),
                e.imagesPerSecond(), eta.toHours(), eta.toMinutesPart(),
                e.skippedFiles() > 0 ? ", " + e.skippedFiles() + " skipped" : ""));
    }

    private void save(FastStyleModel m) {
        try {
            m.save(model);
        } catch (IOException e) {
            throw new CliFailure("cannot write the model " + Messages.describe(e), e);
        }
    }

    private VggFeatureExtractor loadVgg16() {
        try {
            return Vgg16.fromKeras(weights);
        } catch (NoSuchFileException e) {
            throw new CliFailure("--weights: file not found: " + weights, e);
        } catch (VggImportException e) {
            throw new CliFailure("--weights: not a usable VGG16 weights file: " + Messages.describe(e), e);
        } catch (IOException e) {
            throw new CliFailure("--weights: cannot read " + weights + " (" + Messages.describe(e) + ")", e);
        }
    }

    private void validateOptions() {
        CommandSupport.requirePositive(spec, imageSize, "--image-size");
        CommandSupport.requirePositive(spec, batchSize, "--batch-size");
        if (microBatch != null) {
            CommandSupport.requirePositive(spec, microBatch, "--micro-batch");
        }
        if (iterations != null && epochs != null) {
            throw CommandSupport.usageError(spec, "--iterations and --epochs exclude each other; give one of them");
        }
        if (iterations != null) {
            CommandSupport.requirePositive(spec, iterations, "--iterations");
        }
        if (epochs != null) {
            CommandSupport.requirePositive(spec, epochs, "--epochs");
        }
        CommandSupport.requireNonNegative(spec, contentWeight, "--content-weight");
        CommandSupport.requireNonNegative(spec, styleWeight, "--style-weight");
        CommandSupport.requireNonNegative(spec, tvWeight, "--tv-weight");
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw CommandSupport.usageError(spec, "--learning-rate must be a number > 0, got " + learningRate);
        }
        if (styleSize != null) {
            CommandSupport.requirePositive(spec, styleSize, "--style-size");
        }
        if (checkpointEvery != null) {
            CommandSupport.requirePositive(spec, checkpointEvery, "--checkpoint-every");
        }
        if ((sampleEvery == null) != (sample == null)) {
            throw CommandSupport.usageError(spec, "--sample-every and --sample go together; got only "
                    + (sample == null ? "--sample-every" : "--sample"));
        }
        if (sampleEvery != null) {
            CommandSupport.requirePositive(spec, sampleEvery, "--sample-every");
        }
        CommandSupport.requireMaxPixels(spec, maxPixels);
    }

    private void info(String message) {
        if (!quiet) {
            err.println(message);
            err.flush();
        }
    }
}
