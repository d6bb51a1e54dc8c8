package org.perceptual4j.image;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One frame of an animated GIF as it is shown: the whole logical screen, composited, in the library's
 * image format ({@code [1, 3, H, W]}, RGB, values in [0, 1]), and how long it stays on screen.
 *
 * <p>GIF stores delays in hundredths of a second; {@link GifReader} reports the stored value times 10
 * and {@link GifWriter} rounds to the nearest hundredth, so a delay read from a GIF is written back
 * unchanged. A stored delay of 0 or 1 (0 or 10 ms) is kept as it is; browsers (Chrome, Firefox) show
 * such frames for 100 ms, so the written GIF plays like the original in every player.
 *
 * @param image the frame, {@code [1, 3, H, W]} floating point
 * @param delayMillis display time in milliseconds, 0 to {@link GifWriter#MAX_DELAY_MILLIS}
 */
public record GifFrame(INDArray image, int delayMillis) {
    /**
     * @throws IllegalArgumentException if the image is not a single {@code [1, 3, H, W]} floating-point
     *     image or the delay is out of range
     */
    public GifFrame {
        Pixels.requireSingleImage(image, "image");
        if (delayMillis < 0 || delayMillis > GifWriter.MAX_DELAY_MILLIS) {
            throw new IllegalArgumentException("delayMillis: expected a value in [0, " + GifWriter.MAX_DELAY_MILLIS
                    + "], got " + delayMillis);
        }
    }
}
