package org.perceptual4j.video;

import java.util.Random;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A stand-in for a feed-forward style transfer network in tests: a fixed random two-layer convolutional
 * net with instance normalisation, as in Johnson et al.'s transform network:
 * {@code sigmoid(3 · conv3x3(tanh(gain · (IN(conv3x3(x - 0.5)) + b)), 16 -> 3))}, 16 hidden channels,
 * weights drawn from a seeded normal distribution scaled by 1/sqrt(fan-in), first-layer kernels made
 * zero-mean so they respond to edges, texture and noise rather than flat colour. Instance normalisation
 * divides those responses by their spread over the image, which is what makes real transform networks
 * amplify small input changes in flat regions: on {@code FrameStabilizerTest}'s scene with gain 8, the
 * output flicker is about 4.8 times the input's (a plain net without normalisation: about 2 times).
 * Its spatial reach is 2 pixels (two 3 x 3 convolutions), but the normalisation makes every output
 * pixel depend slightly on the whole frame.
 */
final class StandInStylizer implements UnaryOperator<INDArray> {
    private static final Conv2DConfig SAME_3X3 = Conv2DConfig.builder().kH(3).kW(3).sH(1).sW(1)
            .paddingMode(PaddingMode.SAME).dataFormat("NCHW").build();

    private final INDArray w1;
    private final INDArray b1;
    private final INDArray w2;
    private final INDArray b2;
    private final double gain;
    private final boolean instanceNorm;

    /** @param instanceNorm false for the plain variant (no normalisation, kernels not zero-mean) */
    StandInStylizer(long seed, double gain, boolean instanceNorm) {
        Random r = new Random(seed);
        this.w1 = normal(r, 1 / Math.sqrt(27), 3, 3, 3, 16); // YXIO
        if (instanceNorm) {
            // zero-mean kernels: they respond to edges, texture and noise, not to flat colour
            for (int o = 0; o < 16; o++) {
                INDArray k = w1.get(org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                        org.nd4j.linalg.indexing.NDArrayIndex.all(), org.nd4j.linalg.indexing.NDArrayIndex.point(o));
                k.subi(k.meanNumber());
            }
        }
        this.b1 = normal(r, 0.1, 16);
        this.w2 = normal(r, 1 / Math.sqrt(144), 3, 3, 16, 3);
        this.b2 = normal(r, 0.1, 3);
        this.gain = gain;
        this.instanceNorm = instanceNorm;
    }

    private static INDArray normal(Random r, double std, long... shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        float[] v = new float[(int) n];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        return Nd4j.create(v, shape, DataType.FLOAT);
    }

    @Override
    public INDArray apply(INDArray x) {
        INDArray h = Nd4j.cnn().conv2d(x.castTo(DataType.FLOAT).sub(0.5), w1, instanceNorm ? null : b1, SAME_3X3);
        if (instanceNorm) {
            INDArray mean = h.mean(true, 2, 3);
            INDArray std = h.std(false, true, 2, 3).addi(1e-5);
            h = h.subi(mean).divi(std).addi(b1.reshape(1, 16, 1, 1));
        }
        h = Transforms.tanh(h.muli(gain), false);
        INDArray y = Nd4j.cnn().conv2d(h, w2, b2, SAME_3X3);
        return Transforms.sigmoid(y.muli(3), false);
    }
}
