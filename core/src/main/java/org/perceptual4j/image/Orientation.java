package org.perceptual4j.image;

import com.drew.imaging.jpeg.JpegMetadataReader;
import com.drew.imaging.png.PngMetadataReader;
import com.drew.metadata.Metadata;
import com.drew.metadata.exif.ExifIFD0Directory;
import com.drew.metadata.exif.ExifReader;
import java.io.InputStream;
import java.util.List;

/**
 * EXIF orientation (tag 0x0112, values 1 to 8), read with metadata-extractor and applied to planar
 * float pixels.
 */
final class Orientation {
    private Orientation() {
    }

    /** A source of the encoded bytes that can be opened more than once. */
    interface ByteSource {
        InputStream open() throws java.io.IOException;
    }

    /**
     * The EXIF orientation of a JPEG (APP1 Exif segment) or PNG (eXIf chunk); 1 when there is none,
     * when it is out of range, or when the metadata cannot be parsed (the pixels decoded fine, so broken
     * metadata is treated like missing metadata, as image viewers do).
     */
    static int read(ByteSource source, String formatName) {
        try (InputStream in = source.open()) {
            Metadata metadata;
            if (formatName.equals("jpeg")) {
                metadata = JpegMetadataReader.readMetadata(in, List.of(new ExifReader()));
            } else if (formatName.equals("png")) {
                metadata = PngMetadataReader.readMetadata(in);
            } else {
                return 1;
            }
            for (ExifIFD0Directory dir : metadata.getDirectoriesOfType(ExifIFD0Directory.class)) {
                Integer value = dir.getInteger(ExifIFD0Directory.TAG_ORIENTATION);
                if (value != null && value >= 1 && value <= 8) {
                    return value;
                }
            }
            return 1;
        } catch (Exception e) {
            return 1;
        }
    }

    /** True if the orientation swaps width and height (5 to 8). */
    static boolean swapsAxes(int orientation) {
        return orientation >= 5;
    }

    /**
     * Applies an EXIF orientation to planar pixels ({@code channels} planes of {@code h x w}, row-major).
     * The result has {@code w x h} planes when {@link #swapsAxes(int)}.
     */
    static float[] apply(float[] src, int channels, int h, int w, int orientation) {
        if (orientation == 1) {
            return src;
        }
        boolean swap = swapsAxes(orientation);
        int outW = swap ? h : w;
        int outH = swap ? w : h;
        int plane = w * h;
        float[] out = new float[src.length];
        for (int c = 0; c < channels; c++) {
            int base = c * plane;
            for (int oy = 0; oy < outH; oy++) {
                for (int ox = 0; ox < outW; ox++) {
                    int x;
                    int y;
                    switch (orientation) {
                        case 2 -> { // mirrored horizontally
                            x = w - 1 - ox;
                            y = oy;
                        }
                        case 3 -> { // rotated 180
                            x = w - 1 - ox;
                            y = h - 1 - oy;
                        }
                        case 4 -> { // mirrored vertically
                            x = ox;
                            y = h - 1 - oy;
                        }
                        case 5 -> { // transposed
                            x = oy;
                            y = ox;
                        }
                        case 6 -> { // needs a 90 degree clockwise rotation
                            x = oy;
                            y = h - 1 - ox;
                        }
                        case 7 -> { // transverse
                            x = w - 1 - oy;
                            y = h - 1 - ox;
                        }
                        case 8 -> { // needs a 90 degree counter-clockwise rotation
                            x = w - 1 - oy;
                            y = ox;
                        }
                        default -> throw new IllegalArgumentException("orientation: expected 1 to 8, got " + orientation);
                    }
                    out[base + oy * outW + ox] = src[base + y * w + x];
                }
            }
        }
        return out;
    }
}
