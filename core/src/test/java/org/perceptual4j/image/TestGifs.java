package org.perceptual4j.image;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Animated GIFs built with the JDK's GIF writer and explicit metadata: logical screen size, frame
 * offsets, disposal methods, transparency, delays, interlacing, loop count.
 */
final class TestGifs {
    private TestGifs() {
    }

    /** A frame to write: an indexed image placed at (left, top). */
    record Frame(BufferedImage image, int left, int top, String disposal, int delayCs, boolean interlaced) {
        Frame(BufferedImage image, int left, int top, String disposal) {
            this(image, left, top, disposal, 10, false);
        }
    }

    /** An 8-bit palette image of the given size filled with index {@code fill}. */
    static BufferedImage indexed(int w, int h, IndexColorModel palette, int fill) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_INDEXED, palette);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.getRaster().setSample(x, y, 0, fill);
            }
        }
        return img;
    }

    /** A 256-entry palette whose first colours are {@code rgb} (the rest black); {@code transparent} or -1. */
    static IndexColorModel palette(int transparent, int... rgb) {
        byte[] r = new byte[256];
        byte[] g = new byte[256];
        byte[] b = new byte[256];
        for (int i = 0; i < rgb.length; i++) {
            r[i] = (byte) (rgb[i] >> 16);
            g[i] = (byte) (rgb[i] >> 8);
            b[i] = (byte) rgb[i];
        }
        return transparent < 0 ? new IndexColorModel(8, 256, r, g, b) : new IndexColorModel(8, 256, r, g, b, transparent);
    }

    /**
     * A GIF with the given logical screen, frames and loop count ({@link GifWriter#PLAY_ONCE} writes no
     * NETSCAPE2.0 extension).
     */
    static byte[] gif(int screenWidth, int screenHeight, int loopCount, List<Frame> frames) {
        ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            try (ImageOutputStream ios = ImageIO.createImageOutputStream(out)) {
                writer.setOutput(ios);
                ImageWriteParam param = writer.getDefaultWriteParam();
                IIOMetadata stream = writer.getDefaultStreamMetadata(param);
                String streamFormat = stream.getNativeMetadataFormatName();
                IIOMetadataNode streamRoot = (IIOMetadataNode) stream.getAsTree(streamFormat);
                IIOMetadataNode screen = new IIOMetadataNode("LogicalScreenDescriptor");
                screen.setAttribute("logicalScreenWidth", Integer.toString(screenWidth));
                screen.setAttribute("logicalScreenHeight", Integer.toString(screenHeight));
                screen.setAttribute("colorResolution", "8");
                screen.setAttribute("pixelAspectRatio", "0");
                streamRoot.appendChild(screen);
                stream.setFromTree(streamFormat, streamRoot);
                writer.prepareWriteSequence(stream);
                for (int i = 0; i < frames.size(); i++) {
                    Frame f = frames.get(i);
                    param.setProgressiveMode(f.interlaced() ? ImageWriteParam.MODE_DEFAULT : ImageWriteParam.MODE_DISABLED);
                    IIOMetadata md = writer.getDefaultImageMetadata(new ImageTypeSpecifier(f.image()), param);
                    String format = md.getNativeMetadataFormatName();
                    IIOMetadataNode root = (IIOMetadataNode) md.getAsTree(format);
                    IIOMetadataNode descriptor = GifWriter.childOrNew(root, "ImageDescriptor");
                    descriptor.setAttribute("imageLeftPosition", Integer.toString(f.left()));
                    descriptor.setAttribute("imageTopPosition", Integer.toString(f.top()));
                    IIOMetadataNode gce = GifWriter.childOrNew(root, "GraphicControlExtension");
                    gce.setAttribute("disposalMethod", f.disposal());
                    gce.setAttribute("delayTime", Integer.toString(f.delayCs()));
                    if (i == 0 && loopCount != GifWriter.PLAY_ONCE) {
                        IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
                        app.setAttribute("applicationID", "NETSCAPE");
                        app.setAttribute("authenticationCode", "2.0");
                        app.setUserObject(new byte[] {1, (byte) loopCount, (byte) (loopCount >> 8)});
                        GifWriter.childOrNew(root, "ApplicationExtensions").appendChild(app);
                    }
                    md.setFromTree(format, root);
                    writer.writeToSequence(new IIOImage(f.image(), null, md), param);
                }
                writer.endWriteSequence();
            }
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            writer.dispose();
        }
    }

    /** A GIF header and logical screen descriptor (no colour table) followed directly by the trailer. */
    static byte[] withoutFrames(int width, int height) {
        return new byte[] {'G', 'I', 'F', '8', '9', 'a', (byte) width, (byte) (width >> 8), (byte) height,
            (byte) (height >> 8), 0, 0, 0, 0x3b};
    }
}
