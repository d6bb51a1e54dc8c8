package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.Locale;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.AtomicFile;

/**
 * Encodes images in the library's format ({@code [1, 3, H, W]}, RGB, values in [0, 1]) as 8-bit PNG or
 * JPEG, chosen by the file extension ({@code .png}, {@code .jpg}, {@code .jpeg}, any case). Values are
 * clamped to [0, 1] and rounded to the nearest 8-bit level; NaN is rejected. Immutable and thread-safe.
 *
 * <p>The output file is never left half-written: the image is encoded into a hidden temporary file in
 * the same directory, flushed to disk, then moved over the target with an atomic rename (plain replace
 * where the file system has no atomic move). On failure the temporary file is deleted and an existing
 * target is untouched. The parent directory must exist.
 */
public final class ImageWriter {
    /** Default JPEG quality. */
    public static final float DEFAULT_JPEG_QUALITY = 0.95f;

    private final float jpegQuality;

    private ImageWriter(Builder b) {
        this.jpegQuality = b.jpegQuality;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** JPEG quality in [0, 1]. */
    public float jpegQuality() {
        return jpegQuality;
    }

    @Override
    public String toString() {
        return "ImageWriter[jpegQuality=" + jpegQuality + "]";
    }

    /**
     * Writes {@code image} to {@code file} as PNG or JPEG according to the file's extension, replacing an
     * existing file as a whole.
     *
     * @throws IllegalArgumentException if the extension is not .png, .jpg or .jpeg, or the image is not
     *     {@code [1, 3, H, W]} floating point without NaN
     * @throws IOException if the file cannot be written; the message starts with the file name
     */
    public void write(INDArray image, Path file) throws IOException {
        if (file == null) {
            throw new IllegalArgumentException("file: expected a value, got null");
        }
        String format = formatOf(file);
        BufferedImage rgb = Pixels.toBufferedImage(image);
        AtomicFile out = AtomicFile.create(file);
        try {
            encode(rgb, format, out.temp());
            out.commit();
        } catch (IOException | RuntimeException | Error e) {
            out.discard(e);
            if (e instanceof IOException io) {
                throw AtomicFile.cannotWrite(file, io);
            }
            throw e;
        }
    }

    private void encode(BufferedImage rgb, String format, Path temp) throws IOException {
        Iterator<javax.imageio.ImageWriter> writers = ImageIO.getImageWritersByFormatName(format);
        if (!writers.hasNext()) {
            throw new IOException("no " + format + " encoder in this Java runtime");
        }
        javax.imageio.ImageWriter encoder = writers.next();
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
            ImageOutputStream out = new MemoryCacheImageOutputStream(Channels.newOutputStream(channel));
            try {
                encoder.setOutput(out);
                ImageWriteParam param = encoder.getDefaultWriteParam();
                if (format.equals("jpeg")) {
                    param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                    param.setCompressionQuality(jpegQuality);
                }
                encoder.write(null, new IIOImage(rgb, null, null), param);
            } finally {
                out.close(); // flushes to the channel; does not close it
            }
            channel.force(true);
        } finally {
            encoder.dispose();
        }
    }

    /** "png" or "jpeg" by the file's extension. */
    static String formatOf(Path file) {
        Path fileName = file.getFileName();
        String n = fileName == null ? "" : fileName.toString().toLowerCase(Locale.ROOT);
        if (n.endsWith(".png")) {
            return "png";
        }
        if (n.endsWith(".jpg") || n.endsWith(".jpeg")) {
            return "jpeg";
        }
        throw new IllegalArgumentException("file: expected a name ending in .png, .jpg or .jpeg, got " + file);
    }

    /** Builder for {@link ImageWriter}; each setter validates its argument immediately. */
    public static final class Builder {
        private float jpegQuality = DEFAULT_JPEG_QUALITY;

        private Builder() {
        }

        /** JPEG quality in [0, 1] (default 0.95); ignored for PNG. */
        public Builder jpegQuality(float quality) {
            if (!(quality >= 0f && quality <= 1f)) {
                throw new IllegalArgumentException("jpegQuality: expected a value in [0, 1], got " + quality);
            }
            this.jpegQuality = quality;
            return this;
        }

        public ImageWriter build() {
            return new ImageWriter(this);
        }
    }
}
