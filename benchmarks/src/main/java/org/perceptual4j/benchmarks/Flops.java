package org.perceptual4j.benchmarks;

/**
 * Floating-point operation counts of the benchmarked workloads, counting a multiply-add as 2 and
 * only the arithmetic the result needs (what an ideal implementation must do; element-wise work such
 * as ReLU, pooling and the loss reductions is O(C·H·W) and left out):
 *
 * <pre>
 *   3x3 convolution, stride 1, same padding, H x W output:  2 · H · W · Cin · Cout · 9
 *   its backward w.r.t. the input (a convolution too):       the same count
 *   Gram matrix of C x (H·W) features:                       2 · C² · H·W
 *   its backward w.r.t. the features (dG · F):               2 · C² · H·W
 * </pre>
 *
 * Features to relu5_1 = forward of conv1_1 .. conv5_1 (13 convolutions). A style step = that forward,
 * the backward w.r.t. the input through the same 13 convolutions (no weight gradients: the network is
 * frozen), and forward and backward of the five Gram matrices (relu1_1 .. relu5_1).
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
        return 2.0 * h * w * cin * cout * 9;
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
}
