package org.perceptual4j.core;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.core.internal.Checks;

/**
 * How a set of pretrained weights expects its input image, as a mapping between the library's image
 * format (RGB, float, values in [0, 1], NCHW) and the network's input space.
 *
 * <ul>
 *   <li>{@link #CAFFE}: the convention of the original Caffe VGG models and of the Keras
 *       {@code vgg16/vgg19_weights_tf_dim_ordering_tf_kernels*.h5} files (converted from Caffe):
 *       channels reordered RGB to BGR, values scaled to [0, 255], then the ImageNet mean pixel
 *       (B 103.939, G 116.779, R 123.68) subtracted. No division by a standard deviation.</li>
 *   <li>{@link #IMAGENET}: the torchvision convention: RGB in [0, 1], minus mean
 *       (0.485, 0.456, 0.406), divided by standard deviation (0.229, 0.224, 0.225).</li>
 * </ul>
 *
 * Feeding weights images in the wrong convention silently degrades features; a
 * {@link FeatureExtractor} reports the convention its weights need.
 */
public enum ImageConvention {
    /** RGB to BGR, times 255, minus the Caffe mean pixel (B 103.939, G 116.779, R 123.68). */
    CAFFE(true, new double[] {103.939, 116.779, 123.68}, new double[] {1, 1, 1}, 255.0),
    /** RGB in [0, 1], minus mean (0.485, 0.456, 0.406), divided by std (0.229, 0.224, 0.225). */
    IMAGENET(false, new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225}, 1.0);

    private final boolean bgr;
    /** mean and std per network channel (in the network's channel order) */
    private final double[] mean;
    private final double[] std;
    private final double scale;

    ImageConvention(boolean bgr, double[] mean, double[] std, double scale) {
        this.bgr = bgr;
        this.mean = mean;
        this.std = std;
        this.scale = scale;
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
}
