package org.perceptual4j.fast;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.image.Images;
import org.perceptual4j.style.StyleTesting;
import org.perceptual4j.style.TinyConvExtractor;

/** Generated images, data sets and a ready trainer for the fast-style tests (no external files). */
final class FastTesting {
    /** Caffe convention like VGG; layers conv1 relu1 pool1 conv2 relu2 pool2 conv3 relu3. */
    static final TinyConvExtractor NET = new TinyConvExtractor(11);
    static final TransformNet.Architecture TINY = new TransformNet.Architecture(4, 1);
    static final INDArray STYLE = stripes(24, 24);

    private FastTesting() {
    }

    /** A smooth random RGB image in [0, 1] (StyleTesting's). */
    static INDArray image(long seed, int h, int w) {
        return StyleTesting.image(seed, h, w);
    }

    /** Diagonal coloured stripes: the style. */
    static INDArray stripes(int h, int w) {
        return StyleTesting.stripes(h, w);
    }

    /** Writes {@code n} PNG images of varied sizes (some in a subfolder) into {@code dir}. */
    static Path dataset(Path dir, int n) throws IOException {
        Files.createDirectories(dir.resolve("sub"));
        for (int i = 0; i < n; i++) {
            Path f = (i % 3 == 2 ? dir.resolve("sub") : dir).resolve(String.format("img%02d.png", i));
            Images.write(image(100 + i, 18 + 3 * i, 30 - 2 * i), f);
        }
        return dir;
    }

    /** Tiny network and data: image size 16, batch 2, layers of TinyConvExtractor, learning rate 1e-2. */
    static FastStyleTrainer.Builder trainer(Path data) {
        return FastStyleTrainer.builder()
                .dataDirectory(data)
                .featureExtractor(NET)
                .style(STYLE, "stripes")
                .architecture(TINY)
                .imageSize(16)
                .batchSize(2)
                .contentLayer("relu2")
                .styleLayers(java.util.List.of("relu1", "relu2", "relu3"))
                .styleWeight(1e3)
                .tvWeight(1e-5)
                .learningRate(1e-2)
                .seed(3);
    }
}
