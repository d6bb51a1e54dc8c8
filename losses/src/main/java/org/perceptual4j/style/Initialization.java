package org.perceptual4j.style;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.internal.Checks;

/** Where the optimized image starts. */
public final class Initialization {
    /** The kinds of starting image. */
    public enum Kind {
        /** The content image (converges fastest). */
        CONTENT,
        /** The (first) style image, resized to the output size. */
        STYLE,
        /** Gaussian noise with standard deviation 0.001 in the network's input space, seeded (neural-style's "random"). */
        NOISE,
        /** A given RGB image, resized to the output size. */
        IMAGE
    }

    private static final Initialization CONTENT = new Initialization(Kind.CONTENT, null);
    private static final Initialization STYLE = new Initialization(Kind.STYLE, null);
    private static final Initialization NOISE = new Initialization(Kind.NOISE, null);

    private final Kind kind;
    private final INDArray image;

    private Initialization(Kind kind, INDArray image) {
        this.kind = kind;
        this.image = image;
    }

    public static Initialization content() {
        return CONTENT;
    }

    public static Initialization style() {
        return STYLE;
    }

    /** Seeded noise; the seed is {@link StyleTransfer.Builder#seed(long)}. */
    public static Initialization noise() {
        return NOISE;
    }

    /** Start from an RGB [0, 1] NCHW image (any size; it is resized to the output size). */
    public static Initialization image(INDArray rgb) {
        Checks.requireImage(rgb, "initial image");
        if (rgb.size(0) != 1) {
            throw new IllegalArgumentException("initial image: expected a batch of 1, got " + java.util.Arrays.toString(rgb.shape()));
        }
        return new Initialization(Kind.IMAGE, rgb.dup());
    }

    public Kind kind() {
        return kind;
    }

    /** The given image for {@link Kind#IMAGE}, otherwise {@code null}. */
    public INDArray image() {
        return image == null ? null : image.dup();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(java.util.Locale.ROOT);
    }
}
