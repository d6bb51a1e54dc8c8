package org.perceptual4j.core.internal;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import org.nd4j.autodiff.samediff.SameDiff;

/** SameDiff helpers shared by the modules. */
public final class Graphs {
    private static final Object STDOUT_LOCK = new Object();

    private Graphs() {
    }

    /**
     * Creates the gradient function of {@code sd} for the given variables.
     *
     * <p>ND4J 1.0.0-M2.1's {@code createGradFunction} prints one "Added differentiated op" line per op
     * to {@code System.out}, which would end up in our users' output. While it runs, {@code System.out}
     * is wrapped in a stream that drops exactly those lines of the calling thread and passes everything
     * else through; the original stream is put back afterwards.
     */
    public static void createGradFunction(SameDiff sd, String... variables) {
        synchronized (STDOUT_LOCK) {
            PrintStream original = System.out;
            PrintStream filtered = new LineFilter(original, Thread.currentThread());
            System.setOut(filtered);
            try {
                sd.createGradFunction(variables);
            } finally {
                filtered.flush();
                if (System.out == filtered) {
                    System.setOut(original);
                }
            }
        }
    }

    /** Passes all output through except "Added differentiated op" lines printed by one thread. */
    private static final class LineFilter extends PrintStream {
        private static final String NOISE = "Added differentiated op";
        private final PrintStream target;
        private final Thread quietThread;

        LineFilter(PrintStream target, Thread quietThread) {
            super(OutputStream.nullOutputStream(), true, Charset.defaultCharset());
            this.target = target;
            this.quietThread = quietThread;
        }

        private boolean drop(String s) {
            return Thread.currentThread() == quietThread && s != null && s.startsWith(NOISE);
        }

        @Override
        public void println(String x) {
            if (!drop(x)) {
                target.println(x);
            }
        }

        @Override
        public void println(Object x) {
            target.println(x);
        }

        @Override
        public void print(String s) {
            if (!drop(s)) {
                target.print(s);
            }
        }

        @Override
        public void println() {
            target.println();
        }

        @Override
        public void write(int b) {
            target.write(b);
        }

        @Override
        public void write(byte[] buf, int off, int len) {
            target.write(buf, off, len);
        }

        @Override
        public void flush() {
            target.flush();
        }
    }
}
