package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Test images generated in memory with javax.imageio, plus hand-built headers and EXIF segments. */
final class TestImages {
    private TestImages() {
    }

    static byte[] encode(BufferedImage image, String format) {
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no " + format + " writer for " + image);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] jpeg(BufferedImage image, float quality) {
        return encodeWithWriter(new IIOImage(image, null, null), quality);
    }

    /** A JPEG of a raw raster (e.g. 4 CMYK bands), which the JDK writes without colour conversion. */
    static byte[] jpeg(Raster raster, float quality) {
        return encodeWithWriter(new IIOImage(raster, null, null), quality);
    }

    private static byte[] encodeWithWriter(IIOImage image, float quality) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                ImageWriteParam p = writer.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality);
                writer.write(null, image, p);
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** An animated GIF with the given frames (all of the first frame's size), without loop extension. */
    static byte[] gif(List<BufferedImage> frames) {
        return TestGifs.gif(frames.get(0).getWidth(), frames.get(0).getHeight(), GifWriter.PLAY_ONCE,
                frames.stream().map(f -> new TestGifs.Frame(f, 0, 0, "none")).toList());
    }

    /** Writes {@code bytes} to {@code dir/name}. */
    static Path file(Path dir, String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    static BufferedImage solid(int w, int h, int type, int rgb) {
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        return img;
    }

    static BufferedImage noise(int w, int h, int type, long seed) {
        Random r = new Random(seed);
        BufferedImage img = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt() | 0xff000000);
            }
        }
        return img;
    }

    /** A big-endian TIFF block with one IFD0 entry: Orientation (0x0112), SHORT, the given value. */
    static byte[] tiffOrientation(int orientation) {
        ByteBuffer b = ByteBuffer.allocate(26);
        b.put((byte) 'M').put((byte) 'M').putShort((short) 42).putInt(8); // header, IFD0 at offset 8
        b.putShort((short) 1); // one entry
        b.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        b.putInt(0); // no next IFD
        return b.array();
    }

    /** Inserts an APP1 Exif segment with the given orientation after the JFIF APP0 segment of a JPEG. */
    static byte[] withExifOrientation(byte[] jpeg, int orientation) {
        if ((jpeg[0] & 0xff) != 0xff || (jpeg[1] & 0xff) != 0xd8) {
            throw new IllegalArgumentException("not a JPEG");
        }
        int pos = 2;
        if ((jpeg[2] & 0xff) == 0xff && (jpeg[3] & 0xff) == 0xe0) {
            pos = 4 + (((jpeg[4] & 0xff) << 8) | (jpeg[5] & 0xff));
        }
        byte[] tiff = tiffOrientation(orientation);
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.ISO_8859_1);
        int length = 2 + exif.length + tiff.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, pos);
        out.write(0xff);
        out.write(0xe1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(exif);
        out.writeBytes(tiff);
        out.write(jpeg, pos, jpeg.length - pos);
        return out.toByteArray();
    }

    /** Inserts an eXIf chunk with the given orientation after the IHDR chunk of a PNG. */
    static byte[] withPngExifOrientation(byte[] png, int orientation) {
        int afterIhdr = 8 + 4 + 4 + 13 + 4;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(png, 0, afterIhdr);
        out.writeBytes(chunk("eXIf", tiffOrientation(orientation)));
        out.write(png, afterIhdr, png.length - afterIhdr);
        return out.toByteArray();
    }

    /**
     * A PNG signature and IHDR chunk (8-bit RGB) declaring the given size, followed by the start of an
     * IDAT chunk that is cut off: a header with no decodable pixel data.
     */
    static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(13);
        ihdr.putInt(width).putInt(height).put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(chunk("IHDR", ihdr.array()));
        out.writeBytes(new byte[] {0, 0, 0x10, 0, 'I', 'D', 'A', 'T', 0x78, (byte) 0x9c, 1, 2});
        return out.toByteArray();
    }

    /**
     * A JPEG whose SOF0 marker is patched to declare the given size, cut off a few bytes into the scan
     * data (the JDK's reader needs to see the SOS marker before it reports the size).
     */
    static byte[] jpegHeaderOnly(int width, int height) {
        byte[] jpeg = jpeg(solid(16, 16, BufferedImage.TYPE_INT_RGB, 0x808080), 0.9f);
        boolean patched = false;
        int i = 2;
        while (i + 3 < jpeg.length) {
            int marker = jpeg[i + 1] & 0xff;
            int length = ((jpeg[i + 2] & 0xff) << 8) | (jpeg[i + 3] & 0xff);
            if (marker == 0xc0) {
                jpeg[i + 5] = (byte) (height >> 8);
                jpeg[i + 6] = (byte) height;
                jpeg[i + 7] = (byte) (width >> 8);
                jpeg[i + 8] = (byte) width;
                patched = true;
            } else if (marker == 0xda && patched) {
                return java.util.Arrays.copyOf(jpeg, i + 2 + length + 4);
            }
            i += 2 + length;
        }
        throw new IllegalStateException("no SOF0 and SOS markers");
    }

    static byte[] chunk(String type, byte[] data) {
        byte[] t = type.getBytes(StandardCharsets.ISO_8859_1);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        ByteBuffer b = ByteBuffer.allocate(12 + data.length);
        b.putInt(data.length).put(t).put(data).putInt((int) crc.getValue());
        return b.array();
    }

    /** Largest absolute difference between two arrays of equal shape. */
    static double maxAbsDiff(INDArray a, INDArray b) {
        return a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .sub(b.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)).amaxNumber().doubleValue();
    }

    /** Mean absolute difference between two arrays of equal shape. */
    static double meanAbsDiff(INDArray a, INDArray b) {
        return org.nd4j.linalg.ops.transforms.Transforms.abs(a.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)
                .sub(b.castTo(org.nd4j.linalg.api.buffer.DataType.DOUBLE)), false).meanNumber().doubleValue();
    }
}
