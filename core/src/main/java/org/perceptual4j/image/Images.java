package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/**
 * Static shortcuts for image I/O with default settings, conversions, and resizing. The image format
 * is a {@code FLOAT} array of shape {@code [1, 3, H, W]} (NCHW), RGB, values in [0, 1].
 */
public final class Images {
    private static final ImageReader DEFAULT_READER = ImageReader.builder().build();
    private static final ImageWriter DEFAULT_WRITER = ImageWriter.builder().build();

    private Images() {
    }

    /**
     * Reads an image with the {@linkplain ImageReader default reader settings} (100 megapixel limit,
     * alpha over white, EXIF orientation applied).
     *
     * @see ImageReader#read(Path)
     */
    public static INDArray read(Path file) throws IOException {
        return DEFAULT_READER.read(file);
    }

    /**
     * Writes a PNG ({@code .png}) or JPEG ({@code .jpg}, {@code .jpeg}, quality 0.95) file, atomically.
     *
     * @see ImageWriter#write(INDArray, Path)
     */
    public static void write(INDArray image, Path file) throws IOException {
        DEFAULT_WRITER.write(image, file);
    }

    /**
     * Writes a JPEG file with the given quality in [0, 1], atomically. The file name must end in
     * {@code .jpg} or {@code .jpeg}.
     */
    public static void writeJpeg(INDArray image, Path file, float quality) throws IOException {
        if (file != null && !ImageWriter.formatOf(file).equals("jpeg")) {
            throw new IllegalArgumentException("file: expected a name ending in .jpg or .jpeg, got " + file);
        }
        ImageWriter.builder().jpegQuality(quality).build().write(image, file);
    }

    /**
     * Converts a {@code [1, 3, H, W]} image to an 8-bit {@link BufferedImage#TYPE_INT_RGB} image: values
     * clamped to [0, 1] and rounded to the nearest 8-bit level.
     *
     * @throws IllegalArgumentException if the array is not {@code [1, 3, H, W]} floating point, or holds NaN
     */
    public static BufferedImage toBufferedImage(INDArray image) {
        return Pixels.toBufferedImage(image);
    }

    /**
     * Converts any {@link BufferedImage} to a {@code [1, 3, H, W]} {@code FLOAT} image, with the same
     * handling as {@link ImageReader} (grey replicated, palette mapped, 16-bit precision kept, alpha
     * composited over white). Use {@link ImageReader#fromBufferedImage(BufferedImage)} for another
     * background.
     */
    public static INDArray fromBufferedImage(BufferedImage image) {
        return DEFAULT_READER.fromBufferedImage(image);
    }

    /**
     * Resizes every channel of an NCHW array (any N and C, any floating or integer type) to
     * {@code height x width} with a separable Lanczos-3 filter, antialiased when downscaling, computed in
     * float. A dimension whose size does not change is copied exactly. Like every Lanczos filter it can
     * overshoot slightly at sharp edges (values a little outside [0, 1]); the values are not clamped.
     *
     * @return a new {@code FLOAT} array of shape {@code [N, C, height, width]}
     * @throws IllegalArgumentException if the array is not rank 4 or the sizes are not positive
     */
    public static INDArray resize(INDArray image, int height, int width) {
        return Resampler.resize(image, height, width);
    }

    /**
     * Resizes so that the longer side is {@code longestSide}, keeping the aspect ratio: the other side is
     * rounded to the nearest integer and is at least 1. See {@link #resize(INDArray, int, int)}.
     */
    public static INDArray resizeToLongestSide(INDArray image, int longestSide) {
        Checks.requireNchw(image, "image");
        Checks.requirePositive(longestSide, "longestSide");
        long[] s = image.shape();
        long h = s[2];
        long w = s[3];
        if (h < 1 || w < 1) {
            throw new IllegalArgumentException("image: expected height and width > 0, got " + Arrays.toString(s));
        }
        int outH;
        int outW;
        if (h >= w) {
            outH = longestSide;
            outW = (int) Math.max(1, Math.round((double) w * longestSide / h));
        } else {
            outW = longestSide;
            outH = (int) Math.max(1, Math.round((double) h * longestSide / w));
        }
        return Resampler.resize(image, outH, outW);
    }
}
