package org.perceptual4j.losses;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.perceptual4j.losses.LossTesting.GOLDEN_TOL;
import static org.perceptual4j.losses.LossTesting.assertRelClose;
import static org.perceptual4j.losses.LossTesting.golden;
import static org.perceptual4j.losses.LossTesting.goldenScalar;
import static org.perceptual4j.losses.LossTesting.randn;
import static org.perceptual4j.losses.LossTesting.reluLike;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.testing.GradientCheck;

class StyleLossTest {

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void identicalInputsGiveExactlyZero(Reduction reduction) {
        StyleLoss loss = new StyleLoss(reduction);
        INDArray x = reluLike(1, 2, 4, 5, 6);
        assertEquals(0.0, loss.compute(x, x.dup()));
        assertEquals(0.0, loss.gradient(x, x.dup()).amaxNumber().doubleValue());
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void gradientMatchesFiniteDifferences(Reduction reduction) {
        StyleLoss loss = new StyleLoss(reduction);
        INDArray x = randn(2, 1, 3, 4, 5);
        INDArray t = randn(3, 1, 3, 6, 4); // the target may have another spatial size
        INDArray g = loss.gradient(x, t);
        GradientCheck.of(y -> loss.compute(y, t)).floor(1e-2 * g.amaxNumber().doubleValue()).maxCoordinates(24)
                .check(x, g).assertMatches(1e-2);
    }

    @Test
    void batchOfTwoGradientMatchesFiniteDifferences() {
        StyleLoss loss = new StyleLoss();
        INDArray x = randn(4, 2, 3, 3, 4);
        INDArray t = randn(5, 2, 3, 3, 4);
        INDArray g = loss.gradient(x, t);
        GradientCheck.of(y -> loss.compute(y, t)).floor(1e-2 * g.amaxNumber().doubleValue()).maxCoordinates(24)
                .check(x, g).assertMatches(1e-2);
    }

    @Test
    void meanMatchesPyTorch() {
        StyleLoss loss = new StyleLoss();
        INDArray x = golden("style_input");
        INDArray t = golden("style_target");
        assertRelClose(goldenScalar("style_value"), loss.compute(x, t), GOLDEN_TOL, "value");
        assertRelClose(golden("style_grad"), loss.gradient(x, t), GOLDEN_TOL, "gradient");
    }

    @Test
    void batchOfTwoMatchesPyTorch() {
        StyleLoss loss = new StyleLoss();
        INDArray x = golden("style_b2_input");
        INDArray t = golden("style_b2_target");
        assertRelClose(goldenScalar("style_b2_value"), loss.compute(x, t), GOLDEN_TOL, "value");
        assertRelClose(golden("style_b2_grad"), loss.gradient(x, t), GOLDEN_TOL, "gradient");
    }

    @Test
    void sumMatchesPyTorchTimesTheGramElementCount() {
        StyleLoss loss = new StyleLoss(Reduction.SUM);
        INDArray x = golden("style_b2_input");
        INDArray t = golden("style_b2_target");
        long count = x.size(0) * x.size(1) * x.size(1); // N * C * C
        assertRelClose(goldenScalar("style_b2_value") * count, loss.compute(x, t), GOLDEN_TOL, "value");
        assertRelClose(golden("style_b2_grad").mul(count), loss.gradient(x, t), GOLDEN_TOL, "gradient");
    }

    @Test
    void eagerGramMatchesPyTorch() {
        assertRelClose(golden("style_gram"), StyleLoss.gram(golden("style_input")), GOLDEN_TOL, "gram");
    }

    @Test
    void graphGramMatchesEagerGramAndPyTorch() {
        for (String name : new String[] {"style_input", "style_b2_input"}) {
            INDArray f = golden(name);
            SameDiff sd = SameDiff.create();
            SDVariable in = sd.placeHolder("f", DataType.FLOAT, -1, f.size(1), -1, -1);
            SDVariable g = StyleLoss.gram(sd, in);
            INDArray graphGram = sd.output(Map.of("f", f), g.name()).get(g.name());
            assertRelClose(StyleLoss.gram(f), graphGram, 1e-6, name + " graph vs eager");
            if (name.equals("style_input")) {
                assertRelClose(golden("style_gram"), graphGram, GOLDEN_TOL, "graph gram vs PyTorch");
            }
        }
    }

    @Test
    void gramOfABatchIsTheGramOfEachSample() {
        INDArray f = golden("style_b2_input");
        INDArray g = StyleLoss.gram(f);
        assertArrayEquals(new long[] {2, 5, 5}, g.shape());
        for (int n = 0; n < 2; n++) {
            INDArray sample = f.get(NDArrayIndex.interval(n, n + 1), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
            assertRelClose(StyleLoss.gram(sample).reshape(5, 5), g.slice(n), 1e-6, "sample " + n);
        }
    }

    @ParameterizedTest
    @EnumSource(Reduction.class)
    void graphPathAgreesWithCompute(Reduction reduction) {
        StyleLoss loss = new StyleLoss(reduction);
        INDArray x = golden("style_b2_input");
        INDArray t = golden("style_b2_target");
        assertRelClose(loss.compute(x, t), LossTesting.valueViaGraph(loss, x, t), 1e-6, "value");
        assertRelClose(loss.gradient(x, t), LossTesting.gradientViaGraph(loss, x, t), 1e-6, "gradient");
    }

    @Test
    void defineAgainstGramEqualsDefineAgainstTheTarget() {
        StyleLoss loss = new StyleLoss();
        INDArray x = golden("style_input");
        INDArray t = golden("style_target");
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.constant("x", x);
        double viaGram = loss.defineAgainstGram(sd, in, sd.constant("g", StyleLoss.gram(t))).eval().getDouble(0);
        assertRelClose(loss.compute(x, t), viaGram, 1e-6, "value against a precomputed Gram");
    }

    @Test
    void channelMismatchIsRejectedWithBothShapes() {
        StyleLoss loss = new StyleLoss();
        INDArray x = randn(6, 1, 3, 4, 5);
        INDArray t = randn(7, 1, 4, 4, 5);
        String expected = "expected input and target with the same batch size and channel count, got input [1, 3, 4, 5] and target [1, 4, 4, 5]";
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> loss.compute(x, t)).getMessage());
        assertEquals(expected, assertThrows(IllegalArgumentException.class, () -> loss.gradient(x, t)).getMessage());
    }

    @Test
    void batchMismatchIsRejectedWithBothShapes() {
        INDArray x = randn(8, 2, 3, 4, 5);
        INDArray t = randn(9, 1, 3, 4, 5);
        assertEquals("expected input and target with the same batch size and channel count, got input [2, 3, 4, 5] and target [1, 3, 4, 5]",
                assertThrows(IllegalArgumentException.class, () -> new StyleLoss().compute(x, t)).getMessage());
    }

    @Test
    void nonNchwAndNullArraysAreRejected() {
        StyleLoss loss = new StyleLoss();
        INDArray x = randn(10, 1, 3, 4, 5);
        assertEquals("input: expected NCHW (rank 4), got [3, 4, 5]",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(x.reshape(3, 4, 5), x)).getMessage());
        assertEquals("target: expected an NCHW array, got null",
                assertThrows(IllegalArgumentException.class, () -> loss.compute(x, null)).getMessage());
        assertEquals("features: expected NCHW (rank 4), got [3, 20]",
                assertThrows(IllegalArgumentException.class, () -> StyleLoss.gram(x.reshape(3, 20))).getMessage());
        SameDiff sd = SameDiff.create();
        assertEquals("target: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> loss.define(sd, sd.var("x", x), null)).getMessage());
        assertEquals("reduction: expected a value, got null",
                assertThrows(IllegalArgumentException.class, () -> new StyleLoss(null)).getMessage());
    }

    @Test
    void defaultsAndToString() {
        assertEquals(Reduction.MEAN, new StyleLoss().reduction());
        assertEquals("StyleLoss[SUM]", new StyleLoss(Reduction.SUM).toString());
    }
}
