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
 * The style-transfer loss terms with their gradients in closed form, computed eagerly on ND4J arrays,
 * in place or into buffers that are reused between evaluations. They compute exactly the definitions of
 * {@link ContentLoss}, {@link StyleLoss} (both with {@code Reduction.MEAN}) and
 * {@link TotalVariationLoss} ({@code Reduction.SUM}); the tests check them against those losses'
 * SameDiff graphs. Writing the gradients out avoids building and running a graph per step and lets
 * the Gram matrices and their gradients run as two matrix products per layer.
 */
final class LossTerms {
    private LossTerms() {
    }

    /**
     * The content and style terms of one layer, evaluated at its features F [1, C, H, W], with the
     * gradient with respect to F written over F itself (so no second array of F's size is needed):
     *
     * <pre>
     *   content: wc * mean((F - P)^2)                          gradient 2 wc (F - P) / n
     *   style:   ws * mean((G - T)^2), G = F F^T / (C H W)     gradient 4 ws (G - T) F / (C^2 C H W)
     * </pre>
     *
     * with F as the [C, H W] matrix and G - T symmetric. Column j of the style gradient depends only on
     * column j of F, so it is computed a block of columns at a time into a small scratch array.
     */
    static final class Layer {
        /** Columns per block: keeps the scratch array at about 16 MB. */
        private static final long BLOCK_ELEMENTS = 1L << 22;

        private final long blockElements;
        private final INDArray contentTarget;
        private final double contentWeight;
        private final INDArray targetGram;
        private final double styleWeight;
        private INDArray gram;
        private INDArray scratch;

        /**
         * @param contentTarget P, or null for no content term
         * @param targetGram T, [C, C] or [1, C, C], or null for no style term
         */
        Layer(INDArray contentTarget, double contentWeight, INDArray targetGram, double styleWeight) {
            this(contentTarget, contentWeight, targetGram, styleWeight, BLOCK_ELEMENTS);
        }

        /** As above, with the scratch block size in elements (tests use small blocks). */
        Layer(INDArray contentTarget, double contentWeight, INDArray targetGram, double styleWeight, long blockElements) {
            this.blockElements = blockElements;
            this.contentTarget = contentTarget;
            this.contentWeight = contentWeight;
            this.targetGram = targetGram == null ? null : targetGram.reshape(targetGram.size(-1), targetGram.size(-1));
            this.styleWeight = styleWeight;
        }

        /**
         * The weighted terms {content, style} (0 where absent) at {@code features}, which are then
         * replaced by the gradient of their sum. {@code features} must be a dense C-order array of one sample.
         */
        double[] evaluate(INDArray features) {
            long c = features.size(1);
            long hw = features.size(2) * features.size(3);
            long n = features.length();
            double content = 0;
            double style = 0;
            INDArray f = features.reshape('c', c, hw);
            INDArray p = contentTarget == null ? null : contentTarget.reshape('c', c, hw);
            if (p != null) {
                content = contentWeight * features.squaredDistance(contentTarget) / n;
            }
            if (targetGram == null) {
                f.subi(p).muli(2 * contentWeight / n);
                return new double[] {content, style};
            }
            if (gram == null) {
                gram = Nd4j.createUninitializedDetached(DataType.FLOAT, c, c);
            }
            Nd4j.gemm(f, f, gram, false, true, 1.0 / (c * hw), 0.0);
            INDArray diff = gram.subi(targetGram);
            double norm = diff.norm2Number().doubleValue();
            double cc = (double) c * c;
            style = styleWeight * norm * norm / cc;
            double alpha = 4 * styleWeight / (cc * c * hw);
            long block = Math.max(1, Math.min(hw, blockElements / c));
            for (long from = 0; from < hw; from += block) {
                long to = Math.min(hw, from + block);
                INDArray columns = f.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to));
                if (scratch == null || scratch.size(1) != to - from) {
                    scratch = Nd4j.createUninitializedDetached(DataType.FLOAT, c, to - from);
                }
                Nd4j.gemm(diff, columns, scratch, false, false, alpha, 0.0);
                if (p == null) {
                    columns.assign(scratch);
                } else {
                    columns.subi(p.get(NDArrayIndex.all(), NDArrayIndex.interval(from, to))).muli(2 * contentWeight / n).addi(scratch);
                }
            }
            return new double[] {content, style};
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
