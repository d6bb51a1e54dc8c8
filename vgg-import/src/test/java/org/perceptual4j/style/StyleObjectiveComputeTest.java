package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.assertClose;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.losses.TotalVariationLoss;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.optim.Objective;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.VggCompute;
import org.perceptual4j.vgg.VggFeatureExtractor;

/**
 * The style-transfer objective on oneDNN ({@link VggCompute#AUTO}) and on SameDiff agree: every loss
 * term and the gradient, 1e-4 relative, on the tiny VGG19 (the oneDNN one also matches PyTorch, see
 * {@link StyleObjectiveParityTest}).
 */
class StyleObjectiveComputeTest {
    private static final double TOL = 1e-4;

    @ParameterizedTest(name = "{0} pooling, {1}x{2}, TV {3}")
    @CsvSource({"MAX, 40, 32, SQUARED", "AVG, 37, 45, L1"})
    void oneDnnAndSameDiffAgree(Pooling pooling, int h, int w, TotalVariationLoss.Norm tv) {
        INDArray content = Nd4j.rand(DataType.FLOAT, 1, 3, h, w);
        INDArray style = Nd4j.rand(DataType.FLOAT, 1, 3, 36, 34);
        Objective fast = objective(TinyVgg.vgg19(), pooling, tv, content, style);
        Objective reference = objective(TinyVgg.vgg19().withCompute(VggCompute.SAMEDIFF), pooling, tv, content, style);
        assertTrue(TinyVgg.vgg19().accelerated(), "the tests run with the dnnl natives");
        INDArray x = Nd4j.rand(DataType.FLOAT, 1, 3, h, w).subi(0.5).muli(200);
        for (int step = 0; step < 2; step++) {
            Evaluation f = fast.evaluate(x);
            Evaluation r = reference.evaluate(x);
            assertEquals(r.components().keySet(), f.components().keySet());
            for (Map.Entry<String, Double> e : r.components().entrySet()) {
                TinyVgg.assertClose(e.getValue(), f.components().get(e.getKey()), TOL, e.getKey());
            }
            TinyVgg.assertClose(r.value(), f.value(), TOL, "total");
            assertClose(r.gradient(), f.gradient(), TOL, "gradient, step " + step);
            x = x.sub(f.gradient().mul(10));
        }
    }

    private static Objective objective(VggFeatureExtractor vgg, Pooling pooling, TotalVariationLoss.Norm tv,
            INDArray content, INDArray style) {
        // relu4_1 is both a content and a style layer; conv3_1 is a pre-ReLU tap
        return StyleTransfer.builder().featureExtractor(vgg).pooling(pooling).content(content).style(style)
                .size((int) Math.max(content.size(2), content.size(3)))
                .contentLayers(Map.of("relu4_2", 1.0, "relu4_1", 0.5))
                .styleLayers(Map.of("relu1_1", 1.0, "relu2_1", 1.0, "conv3_1", 1.0, "relu4_1", 1.0, "relu5_1", 1.0))
                .tvNorm(tv).tvWeight(1e-2).build().objective();
    }
}
