package org.perceptual4j.image;

/**
 * An image whose header declares more pixels than the reader's limit
 * ({@link ImageReader.Builder#maxPixels(long)}). Thrown before any pixel data is decoded.
 */
public final class ImageTooLargeException extends ImageFormatException {
    private static final long serialVersionUID = 1L;

    private final long width;
    private final long height;
    private final long limit;

    ImageTooLargeException(String name, long width, long height, long limit) {
        super(name + ": " + width + " x " + height + " = " + width * height + " pixels exceeds the limit of "
                + limit + " (see ImageReader.Builder.maxPixels)");
        this.width = width;
        this.height = height;
        this.limit = limit;
    }

    /** Width declared by the image header. */
    public long width() {
        return width;
    }

    /** Height declared by the image header. */
    public long height() {
        return height;
    }

    /** The reader's pixel limit. */
    public long limit() {
        return limit;
    }
}
