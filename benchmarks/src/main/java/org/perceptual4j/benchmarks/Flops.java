package org.perceptual4j.benchmarks;

import org.perceptual4j.fast.TransformNet;

/**
 * Floating-point operation counts of the benchmarked workloads, counting a multiply-add as 2 and
 * only the arithmetic the result needs (what an ideal implementation must do; element-wise work such
 * as ReLU, pooling and the loss reductions is O(C·H·W) and left out):
 *
 * <pre>
 *   3x3 convolution, stride 1, same padding, H x W output:  2 · H · W · Cin · Cout · 9
 *   k x k convolution (any stride), H x W output:            2 · H · W · Cin · Cout · k²
 *   its backward w.r.t. the input (a convolution too):       the same count
 *   Gram matrix of C x (H·W) features:                       2 · C² · H·W
 *   its backward w.r.t. the features (dG · F):               2 · C² · H·W
 * </pre>
 *
 * Features to relu5_1 = forward of conv1_1 .. conv5_1 (13 convolutions). A style step = that forward,
 * the backward w.r.t. the input through the same 13 convolutions (no weight gradients: the network is
 * frozen), and forward and backward of the five Gram matrices (relu1_1 .. relu5_1).
 *
 * <p>Transform-network inference ({@link TransformNetBenchmark}, Johnson et al.'s network of width 32 with
 * 5 residual blocks) on an H x W image = its 16 convolutions (instance norm, ReLU, reflection padding and
 * the nearest-neighbour upsamplings are element-wise):
 *
 * <pre>
 *   conv1    9x9, 3 -&gt; 32 at H x W                      2 · H·W · 3 · 32 · 81
 *   conv2    3x3 stride 2, 32 -&gt; 64, output H/2 x W/2   2 · H·W/4 · 32 · 64 · 9
 *   conv3    3x3 stride 2, 64 -&gt; 128, output H/4 x W/4  2 · H·W/16 · 64 · 128 · 9
 *   res1..5  10 3x3, 128 -&gt; 128 at H/4 x W/4           10 · 2 · H·W/16 · 128 · 128 · 9
 *   deconv1  x2 upsampling, 3x3, 128 -&gt; 64 at H/2      2 · H·W/4 · 128 · 64 · 9
 *   deconv2  x2 upsampling, 3x3, 64 -&gt; 32 at H x W      2 · H·W · 64 · 32 · 9
 *   deconv3  9x9, 32 -&gt; 3 at H x W                      2 · H·W · 32 · 3 · 81
 * </pre>
 *
 * which is 307,584 · H·W FLOP (80.6 GFLOP at 512², 322.5 at 1024²); H and W are first rounded up to the
 * multiple of 4 (at least 8) the network pads its input to.
 */
final class Flops {
    /** Independent FMA chains per benchmark call in {@link PeakFlopsBenchmark}. */
    static final int FMA_CHAINS = 12;
    /** Loop iterations per benchmark call in {@link PeakFlopsBenchmark}. */
    static final int FMA_ITERATIONS = 1 << 22;

    /** VGG19 up to conv5_1: {input channels, output channels, spatial reduction}, in network order. */
    private static final int[][] VGG19_TO_CONV5_1 = {
        {3, 64, 1}, {64, 64, 1},
        {64, 128, 2}, {128, 128, 2},
        {128, 256, 4}, {256, 256, 4}, {256, 256, 4}, {256, 256, 4},
        {256, 512, 8}, {512, 512, 8}, {512, 512, 8}, {512, 512, 8},
        {512, 512, 16},
    };
    /** relu1_1 .. relu5_1: {channels, spatial reduction}. */
    private static final int[][] STYLE_TAPS = {{64, 1}, {128, 2}, {256, 4}, {512, 8}, {512, 16}};

    private Flops() {
    }

    /** FLOPs of one call of {@link PeakFlopsBenchmark} with vectors of the given width. */
    static double fmaPerCall(int vectorBits) {
        return 2.0 * (vectorBits / 32) * FMA_CHAINS * FMA_ITERATIONS;
    }

    /** One 3x3 same-padded convolution producing an h x w map. */
    static double conv3x3(long h, long w, long cin, long cout) {
        return conv(h, w, cin, cout, 3);
    }

    /** One k x k convolution producing an h x w map (any stride: the output size counts). */
    static double conv(long h, long w, long cin, long cout, int k) {
        return 2.0 * h * w * cin * cout * k * k;
    }

    /** The Gram matrix of c channels of hw positions. */
    static double gram(long c, long hw) {
        return 2.0 * c * c * hw;
    }

    /** VGG19 forward to relu5_1 on a size x size image (pooling floors, as in VGG). */
    static double vgg19Features(int size) {
        double sum = 0;
        for (int[] conv : VGG19_TO_CONV5_1) {
            long side = size / conv[2];
            sum += conv3x3(side, side, conv[0], conv[1]);
        }
        return sum;
    }

    /** One style-transfer step on a size x size image: forward, input gradient, five Grams forward and backward. */
    static double styleStep(int size) {
        double grams = 0;
        for (int[] tap : STYLE_TAPS) {
            long side = size / tap[1];
            grams += 2 * gram(tap[0], side * side);
        }
        return 2 * vgg19Features(size) + grams;
    }

    /**
     * Inference of the transform network ({@code TransformNet.Architecture.JOHNSON}: width 32, 5
     * residual blocks) on a size x size image: its 16 convolutions, on the side padded to a multiple of 4.
     */
    static double transformNet(int size) {
        long s = Math.max(8, (size + 3) / 4 * 4L);
        TransformNet.Architecture johnson = TransformNet.Architecture.JOHNSON;
        int w = johnson.width();
        int residualConvs = 2 * johnson.residualBlocks();
        return conv(s, s, 3, w, 9)
                + conv(s / 2, s / 2, w, 2 * w, 3)
                + conv(s / 4, s / 4, 2 * w, 4 * w, 3)
                + residualConvs * conv(s / 4, s / 4, 4 * w, 4 * w, 3)
                + conv(s / 2, s / 2, 4 * w, 2 * w, 3)
                + conv(s, s, 2 * w, w, 3)
                + conv(s, s, w, 3, 9);
    }
}
