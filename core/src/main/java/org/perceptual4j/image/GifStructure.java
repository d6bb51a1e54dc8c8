package org.perceptual4j.image;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.stream.ImageInputStream;

/**
 * The block structure of a GIF file (GIF89a specification, section 17 onwards), read without decoding
 * any pixel: the logical screen size and each frame's rectangle, interlace flag and the file offset of
 * its image descriptor's packed byte.
 *
 * <p>The JDK's GIF reader is used for everything else (LZW data, palettes, extensions), but it needs
 * this walk for three things it does not do: it silently drops a frame cut off by a truncated file
 * (measured on JDK 17) where we must report corruption; its frame sizes are only known frame by frame,
 * where the pixel limit must be checked before decoding anything; and it misplaces rows of interlaced
 * frames at most 4 rows high (an interlace pass that starts below the frame is not skipped), so
 * {@link GifReader} hides the interlace flag from it and reorders the rows itself.
 */
final class GifStructure {
    /** One image descriptor. {@code packedOffset} is the file offset of its packed-fields byte. */
    record Frame(int left, int top, int width, int height, boolean interlaced, long packedOffset) {
    }

    final int screenWidth;
    final int screenHeight;
    final List<Frame> frames;

    private GifStructure(int screenWidth, int screenHeight, List<Frame> frames) {
        this.screenWidth = screenWidth;
        this.screenHeight = screenHeight;
        this.frames = frames;
    }

    /** True if the stream starts with a GIF signature; the stream position is restored. */
    static boolean isGif(ImageInputStream in) throws IOException {
        byte[] sig = new byte[6];
        in.mark();
        try {
            int n = in.read(sig);
            String s = new String(sig, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
            return s.equals("GIF87a") || s.equals("GIF89a");
        } finally {
            in.reset();
        }
    }

    /**
     * Walks the blocks from the stream's start to the trailer.
     *
     * @throws ImageFormatException naming the input if it is not a GIF, is truncated or has an unknown block
     */
    static GifStructure scan(ImageInputStream in, String name) throws IOException {
        if (!isGif(in)) {
            throw new ImageFormatException(name + ": not a GIF file");
        }
        List<Frame> frames = new ArrayList<>();
        String where = "in the header";
        try {
            in.skipBytes(6);
            int width = u16(in);
            int height = u16(in);
            int packed = u8(in);
            skip(in, 2); // background colour index, pixel aspect ratio
            if ((packed & 0x80) != 0) {
                skip(in, 3L << ((packed & 7) + 1));
            }
            while (true) {
                where = "after frame " + frames.size();
                long offset = in.getStreamPosition();
                int introducer = in.read();
                if (introducer < 0) {
                    throw new ImageFormatException(name + ": truncated GIF: the file ends after " + frames.size()
                            + " frame(s) without the GIF trailer");
                }
                if (introducer == 0x3b) {
                    return new GifStructure(width, height, List.copyOf(frames));
                }
                if (introducer == 0x21) {
                    where = "in an extension block after frame " + frames.size();
                    u8(in); // label
                    skipSubBlocks(in);
                } else if (introducer == 0x2c) {
                    where = "in frame " + frames.size();
                    int left = u16(in);
                    int top = u16(in);
                    int w = u16(in);
                    int h = u16(in);
                    long packedOffset = in.getStreamPosition();
                    int flags = u8(in);
                    if ((flags & 0x80) != 0) {
                        skip(in, 3L << ((flags & 7) + 1));
                    }
                    u8(in); // LZW minimum code size
                    skipSubBlocks(in);
                    frames.add(new Frame(left, top, w, h, (flags & 0x40) != 0, packedOffset));
                } else {
                    throw new ImageFormatException(String.format("%s: corrupt GIF: unexpected byte 0x%02x at offset %d, "
                            + "after %d frame(s)", name, introducer, offset, frames.size()));
                }
            }
        } catch (EOFException e) {
            throw new ImageFormatException(name + ": truncated GIF: the file ends " + where, e);
        }
    }

    private static int u8(ImageInputStream in) throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException();
        }
        return b;
    }

    private static int u16(ImageInputStream in) throws IOException {
        return u8(in) | (u8(in) << 8);
    }

    private static void skip(ImageInputStream in, long n) throws IOException {
        long target = in.getStreamPosition() + n;
        long length = in.length();
        if (length >= 0 && target > length) {
            throw new EOFException();
        }
        if (length < 0) {
            // unknown length (a stream that is not a file): read through
            byte[] buf = new byte[(int) Math.min(n, 8192)];
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(left, buf.length));
                if (r < 0) {
                    throw new EOFException();
                }
                left -= r;
            }
        } else {
            in.seek(target);
        }
    }

    private static void skipSubBlocks(ImageInputStream in) throws IOException {
        while (true) {
            int size = u8(in);
            if (size == 0) {
                return;
            }
            skip(in, size);
        }
    }
}
