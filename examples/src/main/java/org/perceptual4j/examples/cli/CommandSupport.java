package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.image.ImageReader;
import org.perceptual4j.image.Images;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the subcommands share: error reporting with exit codes, option checks, file checks. */
final class CommandSupport {
    private CommandSupport() {
    }

    /** The body of a subcommand; may throw {@link ParameterException} (exit 2) or {@link CliFailure} (exit 1). */
    interface Body {
        int run() throws Exception;
    }

    /**
     * Runs a subcommand's body and turns failures into one error line and an exit code: invalid values
     * found by the command's own checks exit 2 like parse errors, every other failure exits 1.
     */
    static int run(CommandSpec spec, Perceptual4jCli parent, String outOfMemoryHint, Body body) {
        PrintWriter err = spec.commandLine().getErr();
        boolean verbose = parent != null && parent.verbose;
        try {
            return body.run();
        } catch (ParameterException e) {
            Messages.printError(err, Messages.usageMessage(e), e, verbose);
            return e.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
        } catch (CliFailure e) {
            Messages.printError(err, e.getMessage(), e.getCause() != null ? e.getCause() : e, verbose);
            return Perceptual4jCli.EXIT_FAILURE;
        } catch (Exception e) {
            Messages.printError(err, Messages.describe(e), e, verbose);
            return Perceptual4jCli.EXIT_FAILURE;
        } catch (OutOfMemoryError e) {
            Messages.printError(err, "out of memory (" + Messages.describe(e) + "); " + outOfMemoryHint, e, verbose);
            return Perceptual4jCli.EXIT_FAILURE;
        }
    }

    /** How progress is shown: nothing with --quiet, else as the root command says. */
    static ProgressDisplay.Mode progressMode(boolean quiet, Perceptual4jCli parent) {
        return quiet ? ProgressDisplay.Mode.NONE : parent != null ? parent.progressMode : ProgressDisplay.Mode.AUTO;
    }

    static ParameterException usageError(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    static void requirePositive(CommandSpec spec, long value, String option) {
        if (value <= 0) {
            throw usageError(spec, option + " must be > 0, got " + value);
        }
    }

    static void requireNonNegative(CommandSpec spec, double value, String option) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw usageError(spec, option + " must be a number >= 0, got " + value);
        }
    }

    static void requireMaxPixels(CommandSpec spec, long maxPixels) {
        if (maxPixels < 1 || maxPixels > ImageReader.MAX_MAX_PIXELS) {
            throw usageError(spec, "--max-pixels must be in [1, " + ImageReader.MAX_MAX_PIXELS + "], got " + maxPixels);
        }
    }

    /** "png" or "jpeg" by the extension, or null. */
    static String imageFormat(Path file) {
        Path name = file.getFileName();
        String n = name == null ? "" : name.toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".png") ? "png" : n.endsWith(".jpg") || n.endsWith(".jpeg") ? "jpeg" : null;
    }

    /** Fails now, not after the run, if the file cannot be created: probes with a temporary file beside it. */
    static void checkOutputWritable(Path file, String option) {
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (Files.isDirectory(abs)) {
            throw new CliFailure(option + ": cannot write " + file + ": it is a directory");
        }
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CliFailure(option + ": cannot write " + file + ": directory " + dir + " does not exist");
        }
        try {
            Path probe = Files.createTempFile(dir, "." + abs.getFileName(), ".probe");
            Files.delete(probe);
        } catch (IOException | UnsupportedOperationException e) {
            throw new CliFailure(option + ": cannot write " + file + " (" + Messages.describe(e) + ")", e);
        }
        if (Files.exists(abs) && !Files.isWritable(abs)) {
            throw new CliFailure(option + ": cannot write " + file + ": the existing file is not writable");
        }
    }

    static INDArray readImage(ImageReader reader, Path file, String what) {
        try {
            return reader.read(file);
        } catch (NoSuchFileException e) {
            throw new CliFailure(what + " not found: " + file, e);
        } catch (IOException e) {
            // the library's messages start with the file name
            throw new CliFailure("cannot read " + what + " " + Messages.describe(e), e);
        }
    }

    static void writeImage(INDArray image, Path file) {
        try {
            Images.write(image, file);
        } catch (IOException e) {
            throw new CliFailure("cannot write the output image " + Messages.describe(e), e);
        }
    }
}
