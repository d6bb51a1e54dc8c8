package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.fast.FastStyleModel;
import org.perceptual4j.fast.ModelFormatException;
import org.perceptual4j.image.GifReader;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.video.VideoStylizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code perceptual4j apply-fast}: stylizes an image, an animated GIF, a folder of images or a directory
 * of numbered video frames with a trained fast-style model.
 */
@Command(name = "apply-fast",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Stylize images, animated GIFs and video frames with a model trained by 'train-fast' (one forward pass each).",
        description = {
            "What --input is decides what is written to --out:",
            "  an image file: one stylized image (--out .png, .jpg or .jpeg);",
            "  a GIF file (recognised by its content, whatever its name): an animated GIF, stylized frame by frame with "
                    + "the same frame delays and loop count (--out .gif);",
            "  a directory: every image under it (recursively) is stylized on its own into the directory --out, "
                    + "mirroring the relative paths and names (BMP and GIF files give PNG files of their first frame); "
                    + "images that cannot be read are reported and skipped;",
            "  a directory with --frames: the numbered frames of one video (frame_0001.png, ... as written by "
                    + "'ffmpeg -i clip.mp4 frames/frame_%%04d.png'; PNG or JPEG, one name pattern, same size), stylized in "
                    + "order into the directory --out under the same names.",
            "--stabilize (GIFs and --frames only) reduces the flicker of a static scene between frames.",
        },
        footer = {
            "",
            "Examples:",
            "  perceptual4j apply-fast --model starry.p4jstyle --input photo.jpg --out photo_starry.png",
            "  perceptual4j apply-fast --model starry.p4jstyle --input holiday/ --out holiday_starry/",
            "  perceptual4j apply-fast --model starry.p4jstyle --input cat.gif --out cat_starry.gif --stabilize",
            "  perceptual4j apply-fast --model starry.p4jstyle --input frames/ --frames --out stylized/ --stabilize",
            "  ffmpeg -framerate 25 -i stylized/frame_%%04d.png -pix_fmt yuv420p clip_starry.mp4",
        })
final class ApplyFastCommand implements Callable<Integer> {
    /** What the input is, which decides what is written. */
    private enum Kind {
        IMAGE, GIF, FOLDER, FRAMES
    }

    @Spec
    CommandSpec spec;

    @ParentCommand
    Perceptual4jCli parent;

    @Option(names = "--model", required = true, paramLabel = "FILE", description = "Model file written by train-fast.")
    Path model;

    @Option(names = "--input", required = true, paramLabel = "IMAGE|GIF|DIR",
            description = "An image file, an animated GIF, a directory of images, or (with --frames) a directory of "
                    + "numbered video frames.")
    Path input;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE|DIR",
            description = "Output image (for an image --input), GIF (for a GIF) or directory (for a directory; created if needed).")
    Path out;

    @Option(names = "--frames",
            description = "The directory --input holds the numbered frames of one video: stylize them in order (needed "
                    + "for --stabilize).")
    boolean frames;

    @Option(names = "--stabilize",
            description = "Reduce frame-to-frame flicker (GIF or --frames input): static parts of the scene are denoised "
                    + "and blended with the previous frame, moving parts follow the new frame.")
    boolean stabilize;

    @Option(names = "--max-pixels", paramLabel = "N",
            description = "Refuse input images (GIF: the screen and each frame) with more pixels than this. Default: ${DEFAULT-VALUE}.")
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
        Kind kind = kind();
        checkOptions(kind);
        FastStyleModel m = loadModel();
        ImageReader reader = ImageReader.builder().maxPixels(maxPixels).build();
        long start = System.nanoTime();
        switch (kind) {
            case IMAGE -> {
                INDArray image = CommandSupport.readImage(reader, input, "--input image");
                INDArray styled = m.stylize(image);
                CommandSupport.writeImage(styled, out);
                if (!quiet) {
                    printResult(String.format(Locale.ROOT, "Wrote %s (%d x %d) in %.2f s", out, styled.size(3),
                            styled.size(2), seconds(start)));
                }
                return Perceptual4jCli.EXIT_OK;
            }
            case GIF, FRAMES -> {
                return applyToVideo(m, reader, kind, start);
            }
            default -> {
                return applyToFolder(m, reader, start);
            }
        }
    }

    /** The kind of input; fails if it does not exist or --frames does not fit it. */
    private Kind kind() {
        if (Files.isDirectory(input)) {
            return frames ? Kind.FRAMES : Kind.FOLDER;
        }
        if (!Files.exists(input)) {
            throw new CliFailure("--input not found: " + input);
        }
        if (frames) {
            throw CommandSupport.usageError(spec, "--frames needs a directory of numbered frames as --input, got the file " + input);
        }
        try {
            return GifReader.isGif(input) ? Kind.GIF : Kind.IMAGE;
        } catch (IOException e) {
            throw new CliFailure("cannot read --input " + Messages.describe(e), e);
        }
    }

    /** Usage errors (exit 2) before any work: options that do not fit the input, unusable outputs. */
    private void checkOptions(Kind kind) {
        if (stabilize && (kind == Kind.IMAGE || kind == Kind.FOLDER)) {
            throw CommandSupport.usageError(spec, "--stabilize needs consecutive frames: an animated GIF or a directory "
                    + "with --frames as --input, got " + (kind == Kind.IMAGE ? "the image " + input
                    : "the directory " + input + " without --frames (add --frames if it holds numbered video frames)"));
        }
        switch (kind) {
            case IMAGE -> {
                if (CommandSupport.imageFormat(out) == null) {
                    throw CommandSupport.usageError(spec, "--out must end in .png, .jpg or .jpeg for an image --input, got " + out);
                }
                CommandSupport.checkOutputWritable(out, "--out");
            }
            case GIF -> {
                if (!out.toString().toLowerCase(Locale.ROOT).endsWith(".gif")) {
                    throw CommandSupport.usageError(spec, "--out must end in .gif for a GIF --input (" + input
                            + " is a GIF by its content; it is stylized frame by frame into an animated GIF), got " + out);
                }
                CommandSupport.checkOutputWritable(out, "--out");
            }
            default -> {
                if (Files.exists(out) && !Files.isDirectory(out)) {
                    throw CommandSupport.usageError(spec, "--out must be a directory for a directory --input, got the file " + out);
                }
                if (kind == Kind.FRAMES && sameDirectory(input, out)) {
                    throw CommandSupport.usageError(spec, "--out must differ from --input " + input
                            + " (the stylized frames keep the input names and would replace them)");
                }
            }
        }
    }

    private static boolean sameDirectory(Path a, Path b) {
        try {
            return Files.exists(b) ? Files.isSameFile(a, b) : a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize());
        } catch (IOException e) {
            return false;
        }
    }

    /** An animated GIF or numbered frames, through VideoStylizer, with a progress bar over the frames. */
    private int applyToVideo(FastStyleModel m, ImageReader reader, Kind kind, long start) {
        ProgressDisplay.Mode mode = CommandSupport.progressMode(quiet, parent);
        ProgressDisplay[] progress = {null};
        int[] done = {0, 0}; // frames finished, frame count
        long[] size = {0, 0};
        UnaryOperator<INDArray> stylizer = m.stylizer(); // one computation for the sequence's frame size
        UnaryOperator<INDArray> measured = frame -> {
            size[0] = frame.size(3);
            size[1] = frame.size(2);
            return stylizer.apply(frame);
        };
        VideoStylizer video = VideoStylizer.builder()
                .stabilize(stabilize)
                .reader(reader)
                .listener((framesDone, frameCount) -> {
                    done[0] = framesDone;
                    done[1] = frameCount;
                    if (progress[0] == null) {
                        progress[0] = ProgressDisplay.create(mode, err, "apply", frameCount, "", 1);
                    }
                    progress[0].update(framesDone, "");
                })
                .build();
        boolean gif = kind == Kind.GIF;
        try (Cancellation cancel = new Cancellation(err, gif ? "stopping after the current frame (the GIF is not written)"
                : "stopping after the current frame")) {
            try {
                if (gif) {
                    video.stylizeGif(input, out, measured);
                } else {
                    video.stylizeFrames(input, out, measured);
                }
            } catch (InterruptedIOException e) {
                closeProgress(progress[0]);
                err.println(Perceptual4jCli.NAME + ": stopped after " + done[0] + " of " + done[1] + " frames; "
                        + (gif ? "nothing written (a GIF is written whole)" : "wrote " + done[0] + " frames to " + out));
                err.flush();
                cancel.finished();
                return 130;
            } catch (IOException e) {
                closeProgress(progress[0]);
                String written = gif || done[0] == 0 ? "; nothing written"
                        : "; the first " + done[0] + " of " + done[1] + " frames were written to " + out;
                // the library's messages start with the file concerned
                throw new CliFailure("cannot stylize " + (gif ? "the GIF: " : "the frames: ") + Messages.describe(e) + written, e);
            } finally {
                closeProgress(progress[0]);
            }
        }
        if (!quiet) {
            printResult(String.format(Locale.ROOT, "Wrote %s (%d frames of %d x %d%s) in %.1f s", out, done[1], size[0],
                    size[1], stabilize ? ", stabilized" : "", seconds(start)));
        }
        return Perceptual4jCli.EXIT_OK;
    }

    private static void closeProgress(ProgressDisplay p) {
        if (p != null) {
            p.close();
        }
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
                closeProgress(progress[0]);
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
            printResult(String.format(Locale.ROOT, "Wrote %d of %d images to %s in %.1f s", r.written().size(), r.total(), out,
                    seconds(start)));
        }
        if (!r.failures().isEmpty()) {
            throw new CliFailure(r.failures().size() + " of " + r.total() + " images could not be stylized (listed above); "
                    + "the other " + r.written().size() + " were written to " + out);
        }
        return Perceptual4jCli.EXIT_OK;
    }

    private void printResult(String line) {
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.println(line);
        stdout.flush();
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
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
