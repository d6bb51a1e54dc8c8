package org.perceptual4j.style;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.perceptual4j.losses.ContentLoss;
import org.perceptual4j.losses.StyleLoss;
import org.perceptual4j.losses.TotalVariationLoss;

/**
 * The style-transfer loss terms with their gradients in closed form, computed eagerly on ND4J arrays
 * into buffers that are reused between evaluations. They compute exactly the definitions of
 * {@link ContentLoss}, {@link StyleLoss} (both with {@code Reduction.MEAN}) and
 * {@link TotalVariationLoss} ({@code Reduction.SUM}); the tests check them against those losses'
 * SameDiff graphs. Writing the gradients out avoids building and running a graph per step and lets
 * the Gram matrices and their gradients run as two matrix products per layer.
 */
final class LossTerms {
    private LossTerms() {
    }

    /**
     * {@code w * mean((F - P)^2)}; gradient {@code 2 w (F - P) / n}.
     */
    static final class Content {
        private final INDArray target;
        private final double weight;

        Content(INDArray target, double weight) {
            this.target = target;
            this.weight = weight;
        }

        /**
         * The weighted term at {@code features}; writes its gradient into {@code gradient} (same shape),
         * replacing its content.
         */
        double evaluate(INDArray features, INDArray gradient) {
            gradient.assign(features).subi(target);
            double norm = gradient.norm2Number().doubleValue();
            long n = features.length();
            gradient.muli(2 * weight / n);
            return weight * norm * norm / n;
        }
    }

    /**
     * {@code w * mean((G - T)^2)} with {@code G = F F^T / (C H W)}, F the [C, H W] matrix of one sample;
     * gradient {@code 4 w (G - T) F / (C^2 C H W)} (G - T is symmetric).
     */
    static final class Style {
        private final INDArray targetGram;
        private final double weight;
        private INDArray gram;

        /** @param targetGram [C, C] or [1, C, C] */
        Style(INDArray targetGram, double weight) {
            long c = targetGram.size(-1);
            this.targetGram = targetGram.reshape(c, c);
            this.weight = weight;
        }

        /**
         * The weighted term at {@code features} [1, C, H, W]; adds its gradient into {@code gradient}
         * (same shape) if {@code accumulate}, else writes it there.
         */
        double evaluate(INDArray features, INDArray gradient, boolean accumulate) {
            long c = features.size(1);
            long hw = features.size(2) * features.size(3);
            INDArray f = features.reshape('c', c, hw);
            if (gram == null) {
                gram = Nd4j.createUninitializedDetached(DataType.FLOAT, c, c);
            }
            Nd4j.gemm(f, f, gram, false, true, 1.0 / (c * hw), 0.0);
            INDArray diff = gram.subi(targetGram);
            double norm = diff.norm2Number().doubleValue();
            double cc = (double) c * c;
            Nd4j.gemm(diff, f, gradient.reshape('c', c, hw), false, false, 4 * weight / (cc * c * hw), accumulate ? 1.0 : 0.0);
            return weight * norm * norm / cc;
        }
    }

    /** {@code w * TV(x)} with {@link TotalVariationLoss}'s SUM reduction, and its gradient. */
    static final class TotalVariation {
        private final TotalVariationLoss.Norm norm;
        private final double weight;
        private INDArray dx;
        private INDArray dy;

        TotalVariation(TotalVariationLoss.Norm norm, double weight) {
            this.norm = norm;
            this.weight = weight;
        }

        /** The weighted term at the image {@code x} [N, C, H, W]; adds its gradient into {@code gradient}. */
        double evaluate(INDArray x, INDArray gradient) {
            long h = x.size(2);
            long w = x.size(3);
            return norm == TotalVariationLoss.Norm.SQUARED ? squared(x, gradient, h, w) : l1(x, gradient, h, w);
        }

        /**
         * {@code 1/2 sum over i < H-1, j < W-1 of dx^2 + dy^2} with dx = x[i, j+1] - x[i, j], dy = x[i+1, j] - x[i, j]:
         * gradient +dx at [i, j+1], +dy at [i+1, j], -(dx + dy) at [i, j].
         */
        private double squared(INDArray x, INDArray gradient, long h, long w) {
            INDArray base = x.get(window(0, h - 1, 0, w - 1));
            if (dx == null) {
                dx = Nd4j.createUninitializedDetached(DataType.FLOAT, base.shape());
                dy = Nd4j.createUninitializedDetached(DataType.FLOAT, base.shape());
            }
            dx.assign(x.get(window(0, h - 1, 1, w))).subi(base);
            dy.assign(x.get(window(1, h, 0, w - 1))).subi(base);
            double nx = dx.norm2Number().doubleValue();
            double ny = dy.norm2Number().doubleValue();
            dx.muli(weight);
            dy.muli(weight);
            gradient.get(window(0, h - 1, 1, w)).addi(dx);
            gradient.get(window(1, h, 0, w - 1)).addi(dy);
            gradient.get(window(0, h - 1, 0, w - 1)).subi(dx).subi(dy);
            return weight * 0.5 * (nx * nx + ny * ny);
        }

        /**
         * {@code sum |x[:, :, :, 1:] - x[:, :, :, :-1]| + sum |x[:, :, 1:, :] - x[:, :, :-1, :]|}:
         * gradient sign(d) at the later pixel of each pair, -sign(d) at the earlier one (sign(0) = 0).
         */
        private double l1(INDArray x, INDArray gradient, long h, long w) {
            INDArray left = x.get(window(0, h, 0, w - 1));
            INDArray top = x.get(window(0, h - 1, 0, w));
            if (dx == null) {
                dx = Nd4j.createUninitializedDetached(DataType.FLOAT, left.shape());
                dy = Nd4j.createUninitializedDetached(DataType.FLOAT, top.shape());
            }
            dx.assign(x.get(window(0, h, 1, w))).subi(left);
            dy.assign(x.get(window(1, h, 0, w))).subi(top);
            double value = dx.norm1Number().doubleValue() + dy.norm1Number().doubleValue();
            Transforms.sign(dx, false).muli(weight);
            Transforms.sign(dy, false).muli(weight);
            gradient.get(window(0, h, 1, w)).addi(dx);
            gradient.get(window(0, h, 0, w - 1)).subi(dx);
            gradient.get(window(1, h, 0, w)).addi(dy);
            gradient.get(window(0, h - 1, 0, w)).subi(dy);
            return weight * value;
        }

        private static INDArrayIndex[] window(long rowFrom, long rowTo, long colFrom, long colTo) {
            return new INDArrayIndex[] {NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(rowFrom, rowTo),
                NDArrayIndex.interval(colFrom, colTo)};
        }
    }
}
