package org.perceptual4j.examples.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C during a run: a shutdown hook interrupts the thread doing the run (StyleTransfer then stops
 * after the current iteration and returns the image so far) and waits until that thread has written
 * the image and called {@link #finished()}, at most {@value #WAIT_SECONDS} s. Removed again by
 * {@link #close()} when the run ends normally.
 */
final class Cancellation implements AutoCloseable {
    static final int WAIT_SECONDS = 120;

    private final Thread worker = Thread.currentThread();
    private final CountDownLatch done = new CountDownLatch(1);
    private final Thread hook;
    private volatile boolean requested;

    /** Installs the hook for the calling thread. */
    Cancellation(PrintWriter err, String whatHappensNext) {
        hook = new Thread(() -> {
            requested = true;
            err.println();
            err.println(Perceptual4jCli.NAME + ": interrupted; " + whatHappensNext);
            err.flush();
            worker.interrupt();
            try {
                done.await(WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Perceptual4jCli.NAME + "-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Whether the hook has run (the JVM is shutting down). */
    boolean requested() {
        return requested;
    }

    /** Lets the hook return, so the JVM can exit. */
    void finished() {
        done.countDown();
    }

    @Override
    public void close() {
        done.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down
        }
    }
}
