package org.perceptual4j.vgg.download;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A response body handed chunk by chunk to the reading thread, with a timeout on each chunk.
 *
 * <p>{@link java.net.http.HttpClient} has no read timeout for the body: a request timeout only covers
 * the wait for the response headers, and a read from {@code BodySubscribers.ofInputStream()} can block
 * forever on a stalled connection. Here the reader waits at most the given time for each chunk, then
 * cancels the transfer. One chunk is requested at a time, so at most one chunk is buffered.
 */
final class TimedBody implements HttpResponse.BodySubscriber<TimedBody> {
    private static final Object END = new Object();

    private record Chunk(List<ByteBuffer> buffers) {
    }

    private record Failure(Throwable error) {
    }

    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final CompletableFuture<TimedBody> body = CompletableFuture.completedFuture(this);
    private Flow.Subscription subscription;
    private boolean cancelled;
    private boolean ended;

    @Override
    public CompletionStage<TimedBody> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean cancel;
        synchronized (this) {
            cancel = cancelled || subscription != null;
            if (!cancel) {
                subscription = s;
            }
        }
        if (cancel) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(new Chunk(item));
    }

    @Override
    public void onError(Throwable throwable) {
        queue.add(new Failure(throwable));
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * Waits for the next chunk of the body.
     *
     * @return the buffers of the chunk, or null at the end of the body
     * @throws HttpTimeoutException if nothing arrived within {@code timeout} (the transfer is cancelled)
     * @throws InterruptedIOException if the thread was interrupted (the flag is kept; the transfer is cancelled)
     * @throws IOException if the transfer failed
     */
    List<ByteBuffer> next(Duration timeout) throws IOException {
        if (ended) {
            return null;
        }
        Object item;
        try {
            item = queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            cancel();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for data");
        }
        if (item == null) {
            cancel();
            throw new HttpTimeoutException("no data received for " + timeout.toMillis() + " ms (read timeout)");
        }
        if (item == END) {
            ended = true;
            return null;
        }
        if (item instanceof Failure f) {
            ended = true;
            throw f.error() instanceof IOException io ? io : new IOException(f.error());
        }
        Flow.Subscription s;
        synchronized (this) {
            s = subscription;
        }
        s.request(1);
        return ((Chunk) item).buffers();
    }

    /** Stops the transfer; harmless after the end of the body. */
    void cancel() {
        Flow.Subscription s;
        synchronized (this) {
            cancelled = true;
            s = subscription;
        }
        if (s != null) {
            s.cancel();
        }
    }
}
