package org.perceptual4j.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.core.internal.Checks;

/**
 * How a set of pretrained weights expects its input image, as a mapping between the library's image
 * format (RGB, float, values in [0, 1], NCHW) and the network's input space:
 * {@code network = (reorder(rgb) * scale - mean) / std}, per channel.
 *
 * <ul>
 *   <li>{@link #CAFFE}: the convention of the original Caffe VGG models and of the Keras
 *       {@code vgg16/vgg19_weights_tf_dim_ordering_tf_kernels*.h5} files (converted from Caffe):
 *       channels reordered RGB to BGR, values scaled to [0, 255], then the ImageNet mean pixel
 *       (B 103.939, G 116.779, R 123.68) subtracted. No division by a standard deviation.</li>
 *   <li>{@link #IMAGENET}: the torchvision convention: RGB in [0, 1], minus mean
 *       (0.485, 0.456, 0.406), divided by standard deviation (0.229, 0.224, 0.225).</li>
 *   <li>{@link #MATCONVNET}: MatConvNet's {@code imagenet-vgg-verydeep-16/19.mat} (the same Caffe
 *       weights with the first convolution's input channels swapped to RGB): RGB, [0, 255], minus the
 *       mean pixel (R 123.68, G 116.779, B 103.939). A MatConvNet file stores its own mean pixel
 *       ({@code normalization.averageImage}); {@link #matConvNet(double, double, double)} makes the
 *       convention for a file whose mean differs.</li>
 * </ul>
 *
 * <p>Immutable value: {@link #equals} compares the mapping. Feeding weights images in the wrong
 * convention silently degrades features; a {@link FeatureExtractor} reports the convention its weights
 * need.
 */
public final class ImageConvention {
    private static final double[] NO_STD = {1, 1, 1};

    /** RGB to BGR, times 255, minus the Caffe mean pixel (B 103.939, G 116.779, R 123.68). */
    public static final ImageConvention CAFFE =
            new ImageConvention("CAFFE", true, 255.0, new double[] {103.939, 116.779, 123.68}, NO_STD);
    /** RGB in [0, 1], minus mean (0.485, 0.456, 0.406), divided by std (0.229, 0.224, 0.225). */
    public static final ImageConvention IMAGENET = new ImageConvention("IMAGENET", false, 1.0,
            new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    /** RGB, times 255, minus the mean pixel of MatConvNet's VGG files (R 123.68, G 116.779, B 103.939). */
    public static final ImageConvention MATCONVNET =
            new ImageConvention("MATCONVNET", false, 255.0, new double[] {123.68, 116.779, 103.939}, NO_STD);

    private final String name;
    private final boolean bgr;
    /** mean and std per network channel (in the network's channel order) */
    private final double[] mean;
    private final double[] std;
    private final double scale;

    private ImageConvention(String name, boolean bgr, double scale, double[] mean, double[] std) {
        this.name = name;
        this.bgr = bgr;
        this.scale = scale;
        this.mean = mean;
        this.std = std;
    }

    /**
     * The MatConvNet convention with a file's own mean pixel: RGB, times 255, minus (red, green, blue).
     * Returns {@link #MATCONVNET} when the mean is exactly its mean.
     *
     * @throws IllegalArgumentException if a value is not in [0, 255]
     */
    public static ImageConvention matConvNet(double red, double green, double blue) {
        double[] m = {checkMean(red, "red"), checkMean(green, "green"), checkMean(blue, "blue")};
        if (Arrays.equals(m, MATCONVNET.mean)) {
            return MATCONVNET;
        }
        String label = String.format(Locale.ROOT, "MATCONVNET(mean %s, %s, %s)", red, green, blue);
        return new ImageConvention(label, false, 255.0, m, NO_STD);
    }

    private static double checkMean(double value, String channel) {
        if (!(value >= 0 && value <= 255)) {
            throw new IllegalArgumentException("mean " + channel + ": expected a value in [0, 255], got " + value);
        }
        return value;
    }

    /** True if the network expects channels in BGR order. */
    public boolean bgr() {
        return bgr;
    }

    /** Per-channel mean subtracted, in the network's channel order and value scale. */
    public double[] mean() {
        return mean.clone();
    }

    /** Per-channel standard deviation divided by, in the network's channel order. */
    public double[] std() {
        return std.clone();
    }

    /** Factor applied to [0, 1] values before the mean is subtracted (255 for Caffe). */
    public double scale() {
        return scale;
    }

    /**
     * Converts RGB [0, 1] NCHW images into the network's input space. Returns a new FLOAT array.
     *
     * @throws IllegalArgumentException if {@code rgb} is not NCHW with 3 channels
     */
    public INDArray toNetwork(INDArray rgb) {
        Checks.requireImage(rgb, "image");
        INDArray x = bgr ? swapRedBlue(rgb) : rgb.castTo(DataType.FLOAT).dup();
        x.muli(scale);
        x.subi(channelVector(mean)).divi(channelVector(std));
        return x;
    }

    /** Inverse of {@link #toNetwork(INDArray)} (without clamping). Returns a new FLOAT array. */
    public INDArray fromNetwork(INDArray network) {
        Checks.requireImage(network, "network image");
        INDArray x = network.castTo(DataType.FLOAT).dup();
        x.muli(channelVector(std)).addi(channelVector(mean)).divi(scale);
        return bgr ? swapRedBlue(x) : x;
    }

    /**
     * The same mapping as {@link #toNetwork(INDArray)} as differentiable SameDiff operations, for
     * networks whose output image feeds a loss network (e.g. fast style transfer).
     */
    public SDVariable toNetwork(SameDiff sd, SDVariable rgb) {
        SDVariable x = rgb;
        if (bgr) {
            SDVariable[] c = sd.split(x, 3, 1);
            x = sd.concat(1, c[2], c[1], c[0]);
        }
        x = x.mul(scale);
        x = x.sub(sd.constant(channelVector(mean))).div(sd.constant(channelVector(std)));
        return x;
    }

    private static INDArray channelVector(double[] v) {
        return Nd4j.create(new float[] {(float) v[0], (float) v[1], (float) v[2]}, new long[] {1, 3, 1, 1}, DataType.FLOAT);
    }

    private static INDArray swapRedBlue(INDArray x) {
        INDArray f = x.castTo(DataType.FLOAT);
        return Nd4j.concat(1, channel(f, 2), channel(f, 1), channel(f, 0));
    }

    private static INDArray channel(INDArray x, int c) {
        return x.get(NDArrayIndex.all(), NDArrayIndex.interval(c, c + 1), NDArrayIndex.all(), NDArrayIndex.all()).dup();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImageConvention c && bgr == c.bgr && scale == c.scale && Arrays.equals(mean, c.mean)
                && Arrays.equals(std, c.std);
    }

    @Override
    public int hashCode() {
        return Objects.hash(bgr, scale, Arrays.hashCode(mean), Arrays.hashCode(std));
    }

    /** {@code CAFFE}, {@code IMAGENET}, {@code MATCONVNET} or {@code MATCONVNET(mean 120.5, 115.0, 101.25)}. */
    @Override
    public String toString() {
        return name;
    }
}
