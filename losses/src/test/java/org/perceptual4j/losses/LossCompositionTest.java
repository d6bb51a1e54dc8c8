package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.perceptual4j.losses.LossTesting.assertRelClose;
import static org.perceptual4j.losses.LossTesting.randn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.losses.TotalVariationLoss.Norm;
import org.perceptual4j.testing.GradientCheck;

/** {@link Loss#weighted} and {@link Loss#plus}: values, gradients, graph path, flattening and validation. */
class LossCompositionTest {
    private final INDArray x = randn(1, 1, 3, 5, 6);
    private final INDArray t = randn(2, 1, 3, 5, 6);
    private final Loss content = new ContentLoss();
    private final Loss style = new StyleLoss();
    private final Loss tv = new TotalVariationLoss();

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.25, 1, 3.5, 1e4})
    void weightedComputeIsWeightTimesCompute(double w) {
        for (Loss l : new Loss[] {content, style, tv, new TotalVariationLoss(Norm.L1)}) {
            assertEquals(w * l.compute(x, t), l.weighted(w).compute(x, t), l.toString());
        }
    }

    @Test
    void weightedGradientAndGraphPathAreScaled() {
        Loss w = style.weighted(2.5);
        assertRelClose(style.gradient(x, t).mul(2.5), w.gradient(x, t), 1e-6, "gradient");
        assertRelClose(w.compute(x, t), LossTesting.valueViaGraph(w, x, t), 1e-6, "graph value");
    }

    @Test
    void plusSumsTheParts() {
        Loss sum = content.plus(style).plus(tv);
        assertEquals(content.compute(x, t) + style.compute(x, t) + tv.compute(x, t), sum.compute(x, t), 1e-9);
        assertRelClose(sum.compute(x, t), LossTesting.valueViaGraph(sum, x, t), 1e-6, "graph value");
    }

    @Test
    void nestedPlusFlattens() {
        String flat = "(ContentLoss[MEAN] + StyleLoss[MEAN] + TotalVariationLoss[SQUARED, SUM] + ContentLoss[SUM])";
        Loss other = new ContentLoss(Reduction.SUM);
        assertEquals(flat, content.plus(style).plus(tv.plus(other)).toString());
        assertEquals(flat, content.plus(style.plus(tv)).plus(other).toString());
        assertEquals(flat, content.plus(style).plus(tv).plus(other).toString());
        // a weighted sum stays one part of the outer sum
        assertEquals("(ContentLoss[MEAN] + 2.0 * (StyleLoss[MEAN] + TotalVariationLoss[SQUARED, SUM]))",
                content.plus(style.plus(tv).weighted(2)).toString());
    }

    @Test
    void weightedOfWeightedMultipliesTheWeights() {
        Loss ww = content.weighted(2).weighted(3);
        assertEquals("6.0 * ContentLoss[MEAN]", ww.toString());
        assertEquals(6 * content.compute(x, t), ww.compute(x, t), 1e-9 * content.compute(x, t));
        assertEquals("0.0 * ContentLoss[MEAN]", content.weighted(2).weighted(0).toString());
    }

    @Test
    void negativeAndNonFiniteWeightsAreRejected() {
        assertEquals("weight: expected a finite value >= 0, got -1.0",
                assertThrows(IllegalArgumentException.class, () -> content.weighted(-1)).getMessage());
        assertEquals("weight: expected a finite value >= 0, got -0.5",
                assertThrows(IllegalArgumentException.class, () -> content.weighted(2).weighted(-0.5)).getMessage());
        assertEquals("weight: expected a finite value >= 0, got NaN",
                assertThrows(IllegalArgumentException.class, () -> content.weighted(Double.NaN)).getMessage());
        assertEquals("weight: expected a finite value >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> content.weighted(Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("weight: expected a finite value >= 0, got Infinity",
                assertThrows(IllegalArgumentException.class, () -> content.weighted(1e200).weighted(1e200)).getMessage());
    }

    @Test
    void plusRejectsNull() {
        assertEquals("other loss: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> content.plus(null)).getMessage());
    }

    @Test
    void gradientOfAWeightedSumIsTheWeightedSumOfGradients() {
        Loss sum = content.weighted(2).plus(style.weighted(0.5)).plus(tv.weighted(0.1));
        INDArray expected = content.gradient(x, t).mul(2).addi(style.gradient(x, t).mul(0.5)).addi(tv.gradient(x, t).mul(0.1));
        INDArray g = sum.gradient(x, t);
        assertRelClose(expected, g, 1e-5, "gradient");
        GradientCheck.of(y -> sum.compute(y, t)).floor(1e-2 * g.amaxNumber().doubleValue()).maxCoordinates(16)
                .check(x, g).assertMatches(1e-2);
    }

    @Test
    void compositesValidateEveryPart() {
        INDArray otherShape = randn(3, 1, 3, 5, 7);
        // the style loss alone accepts another spatial size, the content loss in the sum does not
        style.compute(x, otherShape);
        assertEquals("expected input and target of the same shape, got input [1, 3, 5, 6] and target [1, 3, 5, 7]",
                assertThrows(IllegalArgumentException.class, () -> style.plus(content).compute(x, otherShape)).getMessage());
        assertEquals("expected input and target of the same shape, got input [1, 3, 5, 6] and target [1, 3, 5, 7]",
                assertThrows(IllegalArgumentException.class, () -> style.plus(content.weighted(2)).gradient(x, otherShape)).getMessage());
    }

    @Test
    void totalVariationInASumNeedsNoTargetOfItsOwn() {
        Loss sum = tv.weighted(2).plus(new TotalVariationLoss(Norm.L1));
        assertEquals(2 * tv.compute(x, null) + new TotalVariationLoss(Norm.L1).compute(x, null), sum.compute(x, null), 1e-3);
        assertRelClose(tv.gradient(x, null).mul(2).addi(new TotalVariationLoss(Norm.L1).gradient(x, null)),
                sum.gradient(x, null), 1e-5, "gradient");
    }
}
