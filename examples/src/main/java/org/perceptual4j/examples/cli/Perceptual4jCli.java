package org.perceptual4j.examples.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Properties;
import org.perceptual4j.backend.NativeBinaries;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code perceptual4j} command-line tool.
 *
 * <p>Exit codes: 0 success, 1 failure while working (unreadable file, bad weights, NaN loss...), 2
 * usage error (unknown option, invalid value). Errors are reported as one line on standard error,
 * {@code perceptual4j: error: MESSAGE}; {@code --verbose} adds the stack trace. Standard output only
 * carries results (and help and version text).
 *
 * <p>Run in-process with {@code new CommandLine(new Perceptual4jCli()).execute(args)}: failures and
 * invalid values found by a command are reported by the command itself, so that gives the same
 * messages and exit codes. Only errors found by picocli while parsing (unknown option, malformed
 * number...) then get picocli's default report, the message followed by the usage;
 * {@link #commandLine()}, which {@link #main} uses, reports those in one line too.
 */
@Command(name = Perceptual4jCli.NAME,
        mixinStandardHelpOptions = true,
        versionProvider = Perceptual4jCli.Version.class,
        synopsisSubcommandLabel = "COMMAND",
        description = "Neural style transfer with VGG perceptual losses on ND4J: by optimization (stylize) or with a trained feed-forward network (train-fast, apply-fast).",
        footer = {"", "Run '" + Perceptual4jCli.NAME + " COMMAND --help' for the options of a command."},
        subcommands = {
            // one line per subcommand
            StylizeCommand.class,
            TrainFastCommand.class,
            ApplyFastCommand.class,
            CommandLine.HelpCommand.class,
        })
public final class Perceptual4jCli implements Runnable {
    static final String NAME = "perceptual4j";
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILURE = 1;
    public static final int EXIT_USAGE = 2;

    @Spec
    CommandSpec spec;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Print the stack trace of an error.")
    boolean verbose;

    /** How subcommands show progress when not --quiet; AUTO looks at standard error. For tests. */
    ProgressDisplay.Mode progressMode = ProgressDisplay.Mode.AUTO;

    public static void main(String[] args) {
        // before any ND4J class is initialised: picks the native binaries this CPU can run
        NativeBinaries.selectForThisCpu();
        System.exit(commandLine().execute(args));
    }

    /** A CommandLine for this tool with one-line usage errors and a last-resort error handler. */
    public static CommandLine commandLine() {
        return configure(new CommandLine(new Perceptual4jCli()));
    }

    static CommandLine configure(CommandLine cl) {
        cl.setParameterExceptionHandler(Perceptual4jCli::handleUsageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            Object root = commandLine.getCommandSpec().root().userObject();
            boolean verbose = root instanceof Perceptual4jCli p && p.verbose;
            Messages.printError(commandLine.getErr(), Messages.describe(e), e, verbose);
            return EXIT_FAILURE;
        });
        return cl;
    }

    /** Without a command: a usage error. */
    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing command; expected one of: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    /** Prints "perceptual4j: error: MESSAGE (see 'perceptual4j CMD --help')" and returns 2. */
    static int handleUsageError(ParameterException ex, String[] args) {
        boolean verbose = Arrays.asList(args).contains("-v") || Arrays.asList(args).contains("--verbose");
        Messages.printError(ex.getCommandLine().getErr(), Messages.usageMessage(ex), ex, verbose);
        return ex.getCommandLine().getCommandSpec().exitCodeOnInvalidInput();
    }

    /** The project and ND4J versions, from a resource filtered by Maven. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            Properties p = new Properties();
            try (InputStream in = Perceptual4jCli.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    p.load(in);
                }
            } catch (IOException e) {
                // fall through to "unknown"
            }
            return new String[] {
                NAME + " " + p.getProperty("version", "unknown"),
                "ND4J " + p.getProperty("nd4j.version", "unknown") + ", Java " + System.getProperty("java.version")
                        + " (" + System.getProperty("java.vendor") + "), " + System.getProperty("os.name") + " "
                        + System.getProperty("os.arch"),
            };
        }
    }
}
