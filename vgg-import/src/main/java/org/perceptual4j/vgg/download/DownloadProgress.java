package org.perceptual4j.vgg.download;

/**
 * Receives the progress of a download made by {@link WeightsCache#resolve}.
 *
 * <p>Called on the thread that called {@code resolve}: once with {@code bytesDone == 0} when the
 * transfer starts, then after each chunk received. Not called when the file is already in the cache.
 * An exception thrown by the listener aborts the download (the partial file is deleted) and propagates.
 */
@FunctionalInterface
public interface DownloadProgress {

    /**
     * @param bytesDone bytes received so far
     * @param bytesTotal expected total size in bytes, or -1 if unknown
     */
    void onProgress(long bytesDone, long bytesTotal);
}
