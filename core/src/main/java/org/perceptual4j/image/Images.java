package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Static shortcuts for image I/O with default settings and conversions. The image format
 * is a {@code FLOAT} array of shape {@code [1, 3, H, W]} (NCHW), RGB, values in [0, 1].
 */
public final class Images {
    private static final ImageReader DEFAULT_READER = ImageReader.builder().build();

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
     * Converts any {@link BufferedImage} to a {@code [1, 3, H, W]} {@code FLOAT} image, with the same
     * handling as {@link ImageReader} (grey replicated, palette mapped, 16-bit precision kept, alpha
     * composited over white). Use {@link ImageReader#fromBufferedImage(BufferedImage)} for another
     * background.
     */
    public static INDArray fromBufferedImage(BufferedImage image) {
        return DEFAULT_READER.fromBufferedImage(image);
    }
}
