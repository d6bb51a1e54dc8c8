package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.internal.Checks;

/**
 * Decodes PNG, JPEG, BMP and GIF images into the library's image format: a {@code FLOAT} array of
 * shape {@code [1, 3, H, W]}, RGB, values in [0, 1]. Immutable and thread-safe; configure with
 * {@link #builder()}:
 *
 * <pre>{@code
 * ImageReader reader = ImageReader.builder().maxPixels(50_000_000).background(0, 0, 0).build();
 * INDArray image = reader.read(Path.of("content.jpg"));
 * }</pre>
 *
 * <ul>
 *   <li>Grey images are replicated to 3 channels; palette images go through their colour map.</li>
 *   <li>16-bit PNGs keep their full precision (sample / 65535).</li>
 *   <li>Alpha (including a palette's transparent entries) is composited over the
 *       {@linkplain Builder#background(float, float, float) background colour} (white by default),
 *       never silently dropped.</li>
 *   <li>GIF: the first frame only, as stored (use {@link GifReader} for every frame as displayed).</li>
 *   <li>The EXIF orientation of JPEGs (and PNG eXIf chunks) is applied by default, so the result is
 *       upright as image viewers show it.</li>
 *   <li>CMYK and YCCK JPEGs are decoded with the JDK's plain (not colour-managed) CMYK to RGB
 *       conversion, so their colours are approximate. JPEGs with an embedded ICC profile are converted
 *       to sRGB by Java's colour management.</li>
 *   <li>The width and height are read from the image header and checked against
 *       {@linkplain Builder#maxPixels(long) the pixel limit} before any pixel data is decoded.</li>
 * </ul>
 *
 * Errors are {@link IOException}s whose message starts with the file name: {@link NoSuchFileException}
 * for a missing file, {@link ImageFormatException} for an empty file, an unsupported format or corrupt
 * or truncated data (including JPEGs whose scan data ends early), {@link ImageTooLargeException} over
 * the pixel limit.
 */
public final class ImageReader {
    /** Default pixel limit: 100 megapixels. */
    public static final long DEFAULT_MAX_PIXELS = 100_000_000L;
    /**
     * Largest allowed pixel limit: 3 floats per pixel must fit in one Java array (and in a
     * {@link BufferedImage} raster).
     */
    public static final long MAX_MAX_PIXELS = (Integer.MAX_VALUE - 8) / 3;

    static final String SUPPORTED = "PNG, JPEG, BMP, GIF";

    private final long maxPixels;
    private final float[] background;
    private final boolean applyExifOrientation;

    private ImageReader(Builder b) {
        this.maxPixels = b.maxPixels;
        this.background = b.background.clone();
        this.applyExifOrientation = b.applyExifOrientation;
    }

    /** A builder with the defaults: 100 megapixels, white background, EXIF orientation applied. */
    public static Builder builder() {
        return new Builder();
    }

    /** The pixel limit (width times height). */
    public long maxPixels() {
        return maxPixels;
    }

    /** The background colour alpha is composited over, as {r, g, b} in [0, 1]. */
    public float[] background() {
        return background.clone();
    }

    /** Whether the EXIF orientation is applied. */
    public boolean applyExifOrientation() {
        return applyExifOrientation;
    }

    @Override
    public String toString() {
        return "ImageReader[maxPixels=" + maxPixels + ", background=(" + background[0] + ", " + background[1]
                + ", " + background[2] + "), applyExifOrientation=" + applyExifOrientation + "]";
    }

    /**
     * Reads an image file.
     *
     * @return a new {@code FLOAT} array of shape {@code [1, 3, H, W]}, RGB in [0, 1]
     * @throws NoSuchFileException if the file does not exist
     * @throws ImageTooLargeException if the header declares more pixels than the limit
     * @throws ImageFormatException if the file is empty, not a supported image, or corrupt or truncated
     * @throws IOException on other read errors; messages start with the file name
     */
    public INDArray read(Path file) throws IOException {
        requireNonEmptyFile(file);
        String name = file.toString();
        try (ImageInputStream in = openStream(file)) {
            return decode(in, name, () -> Files.newInputStream(file));
        }
    }

    /**
     * Requires an existing, non-empty regular file.
     *
     * @throws NoSuchFileException if it does not exist
     * @throws ImageFormatException if it is empty
     * @throws IOException naming the file if it is a directory
     */
    static void requireNonEmptyFile(Path file) throws IOException {
        Checks.requireNonNull(file, "file");
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new NoSuchFileException(name, null, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new IOException(name + ": is a directory, not an image file");
        }
        if (Files.size(file) == 0) {
            throw new ImageFormatException(name + ": empty file");
        }
    }

    /** A seekable stream over a file, on any file system (cached in memory where it is not the default). */
    static ImageInputStream openStream(Path file) throws IOException {
        return file.getFileSystem() == FileSystems.getDefault()
                ? new FileImageInputStream(file.toFile())
                : new MemoryCacheImageInputStream(Files.newInputStream(file));
    }

    /**
     * Reads an image from a stream, which is read to its end but not closed. The encoded bytes are
     * held in memory while decoding (the EXIF metadata is read in a second pass).
     *
     * @param nameForMessages how error messages name the input, e.g. a URL or resource name
     * @return a new {@code FLOAT} array of shape {@code [1, 3, H, W]}, RGB in [0, 1]
     * @throws ImageTooLargeException if the header declares more pixels than the limit
     * @throws ImageFormatException if the input is empty, not a supported image, or corrupt or truncated
     */
    public INDArray read(InputStream in, String nameForMessages) throws IOException {
        Checks.requireNonNull(in, "in");
        String name = nameForMessages == null ? "<stream>" : nameForMessages;
        byte[] bytes = in.readAllBytes();
        if (bytes.length == 0) {
            throw new ImageFormatException(name + ": empty input");
        }
        try (ImageInputStream iis = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return decode(iis, name, () -> new ByteArrayInputStream(bytes));
        }
    }

    /**
     * Converts a decoded image with this reader's background (and no EXIF handling), like
     * {@link Images#fromBufferedImage(BufferedImage)}.
     */
    public INDArray fromBufferedImage(BufferedImage image) {
        Checks.requireNonNull(image, "image");
        float[] chw = Pixels.toPlanarRgb(image, background);
        return Nd4j.create(chw, new long[] {1, 3, image.getHeight(), image.getWidth()}, DataType.FLOAT);
    }

    /** What to do with a decoder whose header passed the checks. */
    private interface Decoding<T> {
        T apply(javax.imageio.ImageReader decoder, String format) throws IOException;
    }

    private INDArray decode(ImageInputStream in, String name, Orientation.ByteSource bytes) throws IOException {
        return decode(in, name, (decoder, format) -> {
            List<String> warnings = new ArrayList<>();
            decoder.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
            BufferedImage image;
            try {
                image = decoder.read(0, decoder.getDefaultReadParam());
            } catch (IOException | RuntimeException e) {
                throw corrupt(name, e);
            }
            for (String warning : warnings) {
                // libjpeg decodes what is there and fills the rest with grey; an image missing part of its
                // data is not usable as a style or content image, so fail instead
                if (warning != null && warning.toLowerCase(Locale.ROOT).contains("premature end")) {
                    throw new ImageFormatException(name + ": corrupt or truncated image data: " + warning);
                }
            }
            int iw = image.getWidth();
            int ih = image.getHeight();
            float[] chw = Pixels.toPlanarRgb(image, background);
            int orientation = applyExifOrientation ? Orientation.read(bytes, format) : 1;
            chw = Orientation.apply(chw, 3, ih, iw, orientation);
            boolean swap = Orientation.swapsAxes(orientation);
            return Nd4j.create(chw, new long[] {1, 3, swap ? iw : ih, swap ? ih : iw}, DataType.FLOAT);
        });
    }

    /**
     * The height and width {@link #read(Path)} would return, from the image header (and EXIF orientation)
     * only, with the same checks before decoding: supported format, readable header, pixel limit.
     */
    int[] readSize(Path file) throws IOException {
        requireNonEmptyFile(file);
        String name = file.toString();
        try (ImageInputStream in = openStream(file)) {
            return decode(in, name, (decoder, format) -> {
                int w = decoder.getWidth(0);
                int h = decoder.getHeight(0);
                int orientation = applyExifOrientation ? Orientation.read(() -> Files.newInputStream(file), format) : 1;
                return Orientation.swapsAxes(orientation) ? new int[] {w, h} : new int[] {h, w};
            });
        }
    }

    private <T> T decode(ImageInputStream in, String name, Decoding<T> then) throws IOException {
        javax.imageio.ImageReader decoder = null;
        String format = null;
        Iterator<javax.imageio.ImageReader> candidates = ImageIO.getImageReaders(in);
        while (candidates.hasNext()) {
            javax.imageio.ImageReader r = candidates.next();
            String f = supportedFormat(r);
            if (f != null && decoder == null) {
                decoder = r;
                format = f;
            } else {
                r.dispose();
            }
        }
        if (decoder == null) {
            throw new ImageFormatException(name + ": not a supported image (" + SUPPORTED + ")");
        }
        try {
            decoder.setInput(in, true, true);
            long w;
            long h;
            try {
                w = decoder.getWidth(0);
                h = decoder.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw corrupt(name, e);
            }
            if (w < 1 || h < 1) {
                throw new ImageFormatException(name + ": corrupt image header: size " + w + " x " + h);
            }
            if (w * h > maxPixels) {
                throw new ImageTooLargeException(name, w, h, maxPixels);
            }
            return then.apply(decoder, format);
        } finally {
            decoder.dispose();
        }
    }

    private static ImageFormatException corrupt(String name, Throwable e) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e.getCause() != null && e.getCause().getMessage() != null) {
            detail += ": " + e.getCause().getMessage();
        }
        return new ImageFormatException(name + ": corrupt or truncated image data: " + detail, e);
    }

    /** "png", "jpeg", "bmp" or "gif" for a decoder of one of the supported formats, else null. */
    private static String supportedFormat(javax.imageio.ImageReader r) {
        String f;
        try {
            f = r.getFormatName().toLowerCase(Locale.ROOT);
        } catch (IOException e) {
            return null;
        }
        return switch (f) {
            case "png", "bmp", "gif" -> f;
            case "jpeg", "jpg" -> "jpeg";
            default -> null;
        };
    }

    /** Builder for {@link ImageReader}; each setter validates its argument immediately. */
    public static final class Builder {
        private long maxPixels = DEFAULT_MAX_PIXELS;
        private final float[] background = {1f, 1f, 1f};
        private boolean applyExifOrientation = true;

        private Builder() {
        }

        /**
         * Largest accepted width times height, checked from the image header before decoding
         * (default 100,000,000). At most {@link #MAX_MAX_PIXELS}.
         */
        public Builder maxPixels(long maxPixels) {
            if (maxPixels < 1 || maxPixels > MAX_MAX_PIXELS) {
                throw new IllegalArgumentException("maxPixels: expected a value in [1, " + MAX_MAX_PIXELS
                        + "], got " + maxPixels);
            }
            this.maxPixels = maxPixels;
            return this;
        }

        /**
         * Colour that transparent and translucent pixels are composited over (default white, 1, 1, 1):
         * {@code result = colour * alpha + background * (1 - alpha)}. Alpha is never silently dropped.
         */
        public Builder background(float r, float g, float b) {
            float[] v = {r, g, b};
            String[] names = {"red", "green", "blue"};
            for (int i = 0; i < 3; i++) {
                if (!(v[i] >= 0f && v[i] <= 1f)) {
                    throw new IllegalArgumentException("background " + names[i]
                            + ": expected a value in [0, 1], got " + v[i]);
                }
            }
            System.arraycopy(v, 0, background, 0, 3);
            return this;
        }

        /** Whether to rotate or mirror the image as its EXIF orientation says (default true). */
        public Builder applyExifOrientation(boolean apply) {
            this.applyExifOrientation = apply;
            return this;
        }

        public ImageReader build() {
            return new ImageReader(this);
        }
    }
}
