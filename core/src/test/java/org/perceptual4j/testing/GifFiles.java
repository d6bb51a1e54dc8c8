package org.perceptual4j.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.perceptual4j.image.GifFrame;
import org.perceptual4j.image.GifReader;
import org.perceptual4j.image.ImageReader;

/** Reads every frame of a (small, test) GIF into memory. */
public final class GifFiles {
    private GifFiles() {
    }

    /** All frames, with the default reader settings. */
    public static List<GifFrame> readAll(Path file) throws IOException {
        return readAll(file, ImageReader.builder().build());
    }

    /** All frames, with the given reader settings. */
    public static List<GifFrame> readAll(Path file, ImageReader settings) throws IOException {
        List<GifFrame> frames = new ArrayList<>();
        try (GifReader gif = GifReader.open(file, settings)) {
            while (gif.hasNext()) {
                frames.add(gif.next());
            }
        }
        return frames;
    }
}
