package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.perceptual4j.losses.LossTesting.GOLDEN_TOL;
import static org.perceptual4j.losses.LossTesting.assertRelClose;
import static org.perceptual4j.losses.LossTesting.golden;
import static org.perceptual4j.losses.LossTesting.goldenScalar;
import static org.perceptual4j.losses.LossTesting.randn;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.testing.GradientCheck;

class ContentLossTest {

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void identicalInputsGiveExactlyZero(Reduction reduction) {
        ContentLoss loss = new ContentLoss(reduction);
        INDArray x = randn(1, 2, 3, 4, 5);
        assertEquals(0.0, loss.compute(x, x.dup()));
        assertEquals(0.0, loss.gradient(x, x.dup()).amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void gradientMatchesFiniteDifferences(Reduction reduction) {
        ContentLoss loss = new ContentLoss(reduction);
        INDArray x = randn(2, 2, 3, 2, 3);
        INDArray t = randn(3, 2, 3, 2, 3);
        INDArray g = loss.gradient(x, t);
        // components are 2 (x - t) / n: a floor of 1% of the largest keeps x ~ t coordinates from being judged on noise
        GradientCheck.of(y -> loss.compute(y, t)).floor(1e-2 * g.amaxNumber().doubleValue())
                .check(x, g).assertMatches(1e-2);
    }

    @Test
    void meanMatchesPyTorch() {
        ContentLoss loss = new ContentLoss();
        INDArray x = golden("content_input");
        INDArray t = golden("content_target");
        assertRelClose(goldenScalar("content_value"), loss.compute(x, t), GOLDEN_TOL, "value");
        assertRelClose(golden("content_grad"), loss.gradient(x, t), GOLDEN_TOL, "gradient");
    }

    @Test
    void sumMatchesPyTorchTimesTheElementCount() {
        ContentLoss loss = new ContentLoss(Reduction.SUM);
        INDArray x = golden("content_input");
        INDArray t = golden("content_target");
        long n = x.length();
        assertRelClose(goldenScalar("content_value") * n, loss.compute(x, t), GOLDEN_TOL, "value");
        assertRelClose(golden("content_grad").mul(n), loss.gradient(x, t), GOLDEN_TOL, "gradient");
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void graphPathAgreesWithCompute(Reduction reduction) {
        ContentLoss loss = new ContentLoss(reduction);
        INDArray x = golden("content_input");
        INDArray t = golden("content_target");
        assertRelClose(loss.compute(x, t), LossTesting.valueViaGraph(loss, x, t), 1e-6, "value");
        assertRelClose(loss.gradient(x, t), LossTesting.gradientViaGraph(loss, x, t), 1e-6, "gradient");
    }

    @Test
    void doubleInputsAreAcceptedAndNotModified() {
        ContentLoss loss = new ContentLoss();
        INDArray x = randn(4, 1, 2, 3, 3).castTo(DataType.DOUBLE);
        INDArray t = randn(5, 1, 2, 3, 3).castTo(DataType.DOUBLE);
        INDArray xBefore = x.dup();
        double expected = x.sub(t).norm2Number().doubleValue();
        expected = expected * expected / x.length();
        assertRelClose(expected, loss.compute(x, t), 1e-5, "value");
        INDArray g = loss.gradient(x, t);
        assertEquals(xBefore, x);
        assertRelClose(x.sub(t).mul(2.0 / x.length()), g, 1e-5, "gradient");
    }

    @Test
    void shapeMismatchIsRejectedWithBothShapes() {
        ContentLoss loss = new ContentLoss();
        INDArray x = randn(6, 1, 3, 4, 5);
        INDArray t = randn(7, 1, 3, 4, 6);
        String expected = "expected input and target of the same shape, got input [1, 3, 4, 5] and target [1, 3, 4, 6]";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> loss.compute(x, t)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> loss.gradient(x, t)).getMessage());
    }

    @Test
    void nullArraysAreRejected() {
        ContentLoss loss = new ContentLoss();
        INDArray x = randn(8, 1, 3, 4, 5);
        assertEquals("expected input and target arrays, got null target",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(x, null)).getMessage());
        assertEquals("expected input and target arrays, got null target",
                assertThrows(IllegalArgumentException.class, () -> loss.gradient(x, null)).getMessage());
        assertEquals("expected input and target arrays, got null input",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(null, x)).getMessage());
        SameDiff sd = SameDiff.create();
        assertEquals("target: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> loss.define(sd, sd.var("x", x), null)).getMessage());
        assertEquals("reduction: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> new ContentLoss(null)).getMessage());
    }

    @Test
    void defaultsAndToString() {
        assertEquals(Reduction.MEAN, new ContentLoss().reduction());
        assertEquals("ContentLoss[SUM]", new ContentLoss(Reduction.SUM).toString());
    }
}
