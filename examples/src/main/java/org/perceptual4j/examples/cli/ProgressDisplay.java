package org.perceptual4j.examples.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.DelegatingProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on the error stream, drawn by me.tongfei:progressbar, or nothing.
 *
 * <ul>
 *   <li>{@link Mode#TERMINAL}: redrawn in place (carriage return) every second, as wide as the
 *       terminal (the library asks JLine for the width).</li>
 *   <li>{@link Mode#LOG}: for a redirected stream: one plain ASCII line when it starts, then at most one
 *       line every {@value #LOG_INTERVAL_MILLIS} ms while progress is made, and a last line at the end,
 *       so a log file is not flooded.</li>
 *   <li>{@link Mode#NONE}: nothing ({@code --quiet}).</li>
 * </ul>
 */
final class ProgressDisplay implements AutoCloseable {
    /** How progress is shown. */
    enum Mode {
        /** {@link #TERMINAL} if the error stream is a terminal, else {@link #LOG}. */
        AUTO,
        TERMINAL,
        LOG,
        NONE
    }

    static final int LOG_INTERVAL_MILLIS = 30_000;
    private static final int LOG_LINE_LENGTH = 100;
    private static final ProgressDisplay NONE = new ProgressDisplay(null);

    private final ProgressBar bar;
    private boolean closed;

    private ProgressDisplay(ProgressBar bar) {
        this.bar = bar;
    }

    /**
     * A bar counting to {@code max}.
     *
     * @param unitName shown after the counts ("" for plain counts)
     * @param unitSize units per shown unit (1 for plain counts)
     */
    static ProgressDisplay create(Mode mode, PrintWriter err, String task, long max, String unitName, long unitSize) {
        Mode m = mode == Mode.AUTO ? (stderrIsTerminal() ? Mode.TERMINAL : Mode.LOG) : mode;
        if (m == Mode.NONE) {
            return NONE;
        }
        ProgressBarBuilder b = new ProgressBarBuilder().setTaskName(task).setInitialMax(max).setUnit(unitName, unitSize);
        if (m == Mode.TERMINAL) {
            b.setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK).setUpdateIntervalMillis(1000)
                    .setConsumer(new TerminalConsumer(err));
        } else {
            LogConsumer consumer = new LogConsumer(err);
            b.setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(LOG_INTERVAL_MILLIS).setConsumer(consumer);
            ProgressBar bar = b.build();
            consumer.bar = bar;
            return new ProgressDisplay(bar);
        }
        return new ProgressDisplay(b.build());
    }

    static ProgressDisplay none() {
        return NONE;
    }

    /** Moves the bar to {@code current} with the given message after it. */
    void update(long current, String message) {
        if (bar != null) {
            bar.stepTo(current);
            bar.setExtraMessage(message);
        }
    }

    /** Changes the count the bar goes to (e.g. when an estimate improves). */
    void max(long max) {
        if (bar != null) {
            bar.maxHint(max);
        }
    }

    /** Draws the final state and ends the line; later calls do nothing. */
    @Override
    public void close() {
        if (bar != null && !closed) {
            closed = true;
            bar.close();
        }
    }

    /**
     * Whether standard error is a terminal: on Linux from {@code /proc/self/fd/2}, elsewhere from
     * {@link System#console()} (which looks at standard input and output). {@code TERM=dumb} counts as no.
     */
    static boolean stderrIsTerminal() {
        if ("dumb".equals(System.getenv("TERM"))) {
            return false;
        }
        try {
            Path fd2 = Path.of("/proc/self/fd/2");
            if (Files.isSymbolicLink(fd2)) {
                String target = Files.readSymbolicLink(fd2).toString();
                return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not Linux, or not allowed: fall back
        }
        return System.console() != null;
    }

    /**
     * One line per rendering, except that a rendering at the same count as the previous line is dropped
     * (closing a bar renders its final state twice).
     */
    private static final class LogConsumer extends DelegatingProgressBarConsumer {
        volatile ProgressBar bar;
        private long lastCount = -1;

        LogConsumer(PrintWriter err) {
            super(line -> {
                err.println(line.strip());
                err.flush();
            }, LOG_LINE_LENGTH);
        }

        @Override
        public synchronized void accept(String rendered) {
            long count = bar == null ? 0 : bar.getCurrent();
            if (count != lastCount) {
                lastCount = count;
                super.accept(rendered);
            }
        }
    }

    /**
     * progressbar's console consumer (terminal width from JLine, carriage-return redraws), writing to the
     * command's error writer instead of a PrintStream.
     */
    private static final class TerminalConsumer extends ConsoleProgressBarConsumer {
        private final PrintWriter err;

        TerminalConsumer(PrintWriter err) {
            super(new PrintStream(OutputStream.nullOutputStream()));
            this.err = err;
        }

        @Override
        public void accept(String rendered) {
            err.print("\r" + rendered);
            err.flush();
        }

        @Override
        public void close() {
            err.println();
            err.flush();
        }
    }
}
