package org.perceptual4j.examples.cli;

import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/** One-line error messages. */
final class Messages {
    /** Prefix of every error line. */
    static final String ERROR_PREFIX = Perceptual4jCli.NAME + ": error: ";

    private Messages() {
    }

    /** The message of {@code e} on one line, or its class name if it has none. */
    static String describe(Throwable e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        return oneLine(m);
    }

    /** Joins the lines of {@code text} with single spaces. */
    static String oneLine(String text) {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /** "MESSAGE[; did you mean X?] (see 'perceptual4j CMD --help')" for a usage error. */
    static String usageMessage(ParameterException ex) {
        String message = describe(ex);
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> suggestions = u.getSuggestions();
            if (!suggestions.isEmpty()) {
                message += "; did you mean " + String.join(" or ", suggestions) + "?";
            }
        }
        return message + " (see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')";
    }

    /** Prints "perceptual4j: error: MESSAGE" and, if verbose, the stack trace. */
    static void printError(PrintWriter err, String message, Throwable e, boolean verbose) {
        err.println(ERROR_PREFIX + oneLine(message));
        if (verbose && e != null) {
            e.printStackTrace(err);
        }
        err.flush();
    }
}
