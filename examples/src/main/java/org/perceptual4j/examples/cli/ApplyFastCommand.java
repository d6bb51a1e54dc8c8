package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.ModelFormatException;
import org.perceptual4j.image.ImageReader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code perceptual4j apply-fast}: stylizes an image or a folder of images with a trained fast-style model. */
@Command(name = "apply-fast",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Stylize images with a model trained by 'train-fast' (one forward pass each).",
        description = {
            "With an image file as --input, writes one stylized image to --out (.png, .jpg or .jpeg). With a directory, "
                    + "stylizes every image under it (recursively) into the directory --out, mirroring the relative paths "
                    + "and names (BMP and GIF inputs give PNG files); images that cannot be read are reported and skipped.",
        },
        footer = {
            "",
            "Examples:",
            "  perceptual4j apply-fast --model starry.p4jstyle --input photo.jpg --out photo_starry.png",
            "  perceptual4j apply-fast --model starry.p4jstyle --input holiday/ --out holiday_starry/",
        })
final class ApplyFastCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Perceptual4jCli parent;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file written by train-fast.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "IMAGE|DIR", description = "An image file or a directory of images.")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE|DIR",
            description = "Output image (for an image input) or directory (for a directory input; created if needed).")
    Path out;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Refuse input images with more pixels than this. Default: ${DEFAULT-VALUE}.")
    long maxPixels = ImageReader.DEFAULT_MAX_PIXELS;

    @Option(names = {"-q", "--quiet"}, description = "No progress bar and no messages except errors.")
    boolean quiet;

    private PrintWriter err;

    @Override
    public Integer call() {
        err = spec.commandLine().getErr();
        return CommandSupport.run(spec, parent, "try a smaller image (--max-pixels) or a larger -Xmx", this::apply);
    }

    private int apply() throws IOException {
        CommandSupport.requireMaxPixels(spec, maxPixels);
        boolean folder = Files.isDirectory(input);
        if (!folder && !Files.exists(input)) {
            throw new CliFailure("--input not found: " + input);
        }
        if (!folder) {
            if (CommandSupport.imageFormat(out) == null) {
                throw CommandSupport.usageError(spec, "--out must end in .png, .jpg or .jpeg for an image --input, got " + out);
            }
            CommandSupport.checkOutputWritable(out, "--out");
        } else if (Files.exists(out) && !Files.isDirectory(out)) {
            throw CommandSupport.usageError(spec, "--out must be a directory for a directory --input, got the file " + out);
        }
        FastStyleModel m = loadModel();
        ImageReader reader = ImageReader.builder().maxPixels(maxPixels).build();
        long start = System.nanoTime();
        if (!folder) {
            INDArray image = CommandSupport.readImage(reader, input, "--input image");
            INDArray styled = m.stylize(image);
            CommandSupport.writeImage(styled, out);
            if (!quiet) {
                PrintWriter stdout = spec.commandLine().getOut();
                stdout.printf(Locale.ROOT, "Wrote %s (%d x %d) in %.2f s%n", out, styled.size(3), styled.size(2),
                        (System.nanoTime() - start) / 1e9);
                stdout.flush();
            }
            return Perceptual4jCli.EXIT_OK;
        }
        return applyToFolder(m, reader, start);
    }

    private int applyToFolder(FastStyleModel m, ImageReader reader, long start) {
        ProgressDisplay.Mode mode = CommandSupport.progressMode(quiet, parent);
        ProgressDisplay[] progress = {null};
        FastStyleModel.FolderResult r;
        try (Cancellation cancel = new Cancellation(err, "stopping after the current image")) {
            try {
                r = m.stylizeFolder(input, out, reader, (done, total, file, failure) -> {
                    if (progress[0] == null) {
                        progress[0] = ProgressDisplay.create(mode, err, "apply", total, "", 1);
                    }
                    progress[0].update(done, file.getFileName().toString());
                });
            } catch (IOException e) {
                throw new CliFailure("--input: " + Messages.describe(e), e);
            } finally {
                if (progress[0] != null) {
                    progress[0].close();
                }
            }
            if (cancel.requested()) {
                err.println(Perceptual4jCli.NAME + ": stopped after " + (r.written().size() + r.failures().size()) + " of "
                        + r.total() + " images; wrote " + r.written().size() + " to " + out);
                err.flush();
                cancel.finished();
                return 130;
            }
        }
        for (Map.Entry<Path, String> f : r.failures().entrySet()) {
            err.println(Perceptual4jCli.NAME + ": skipped " + Messages.oneLine(f.getValue()));
        }
        err.flush();
        if (!quiet) {
            PrintWriter stdout = spec.commandLine().getOut();
            stdout.printf(Locale.ROOT, "Wrote %d of %d images to %s in %.1f s%n", r.written().size(), r.total(), out,
                    (System.nanoTime() - start) / 1e9);
            stdout.flush();
        }
        if (!r.failures().isEmpty()) {
            throw new CliFailure(r.failures().size() + " of " + r.total() + " images could not be stylized (listed above); "
                    + "the other " + r.written().size() + " were written to " + out);
        }
        return Perceptual4jCli.EXIT_OK;
    }

    private FastStyleModel loadModel() {
        try {
            return FastStyleModel.load(model);
        } catch (NoSuchFileException e) {
            throw new CliFailure("--model: file not found: " + model, e);
        } catch (ModelFormatException e) {
            throw new CliFailure("--model: " + Messages.describe(e), e);
        } catch (IOException e) {
            throw new CliFailure("--model: cannot read " + model + " (" + Messages.describe(e) + ")", e);
        }
    }
}
