package org.perceptual4j.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import picocli.CommandLine;

/** Runs the CLI in-process with captured standard output and error. */
final class CliRunner {
    private CliRunner() {
    }

    /** The outcome of one run. */
    record Result(int exitCode, String out, String err) {
        /** The lines of standard error that report an error. */
        List<String> errorLines() {
            return err.lines().filter(l -> l.startsWith(Messages.ERROR_PREFIX)).toList();
        }

        /** Asserts the exit code and exactly one error line, without a stack trace, containing each fragment. */
        String assertOneLineError(int expectedExit, String... fragments) {
            assertEquals(expectedExit, exitCode, () -> "exit code; stderr:\n" + err + "\nstdout:\n" + out);
            List<String> lines = errorLines();
            assertEquals(1, lines.size(), () -> "expected one error line in stderr:\n" + err);
            assertFalse(err.contains("\tat "), () -> "stack trace in stderr:\n" + err);
            assertFalse(out.contains(Messages.ERROR_PREFIX), () -> "error on stdout:\n" + out);
            String line = lines.get(0);
            for (String f : fragments) {
                assertTrue(line.contains(f), () -> "expected '" + f + "' in: " + line);
            }
            return line;
        }

        Result assertSuccess() {
            assertEquals(0, exitCode, () -> "exit code; stderr:\n" + err + "\nstdout:\n" + out);
            assertTrue(errorLines().isEmpty(), () -> "error in stderr:\n" + err);
            return this;
        }
    }

    /** {@code new CommandLine(new Perceptual4jCli()).execute(args)}, progress in log mode. */
    static Result run(String... args) {
        Perceptual4jCli app = new Perceptual4jCli();
        app.progressMode = ProgressDisplay.Mode.LOG;
        return execute(new CommandLine(app), args);
    }

    /** As {@link Perceptual4jCli#main} configures it (one-line usage errors). */
    static Result runConfigured(String... args) {
        return execute(Perceptual4jCli.commandLine(), args);
    }

    static Result execute(CommandLine cl, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }
}
