package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.perceptual4j.vgg.TinyVgg.assertClose;
import static org.perceptual4j.vgg.TinyVgg.golden;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.vgg.TinyVgg;

/**
 * The style-transfer objective (loss terms and gradient w.r.t. the image) against PyTorch, on the
 * tiny random-weight VGG19; golden values from vgg-import/src/test/python/generate_vgg_golden.py.
 */
class StyleObjectiveParityTest {
    private static final double TOL = 1e-4;

    private static StyleTransfer.Builder defaults() {
        // size 40 = the longest side of the 32x40 golden images, so no resampling happens
        return StyleTransfer.builder().featureExtractor(TinyVgg.vgg19()).content(golden("content_rgb")).size(40);
    }

    @Test
    void defaultTermsAndGradientMatchPyTorch() {
        Evaluation e = defaults().style(golden("style_rgb")).build().objective().evaluate(golden("x_net"));
        assertEquals(List.of("content:relu4_2", "style:relu1_1", "style:relu2_1", "style:relu3_1", "style:relu4_1",
                "style:relu5_1", "tv"), List.copyOf(e.components().keySet()));
        assertClose(golden("term_content_relu4_2").getDouble(0), e.components().get("content:relu4_2"), TOL, "content");
        for (String l : List.of("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")) {
            assertClose(golden("term_style_" + l).getDouble(0), e.components().get("style:" + l), TOL, "style " + l);
        }
        assertClose(golden("term_tv").getDouble(0), e.components().get("tv"), TOL, "tv");
        assertClose(golden("total").getDouble(0), e.value(), TOL, "total");
        assertClose(golden("grad"), e.gradient(), TOL, "gradient");
    }

    @Test
    void averagePoolingMatchesPyTorch() {
        Evaluation e = defaults().style(golden("style_rgb")).pooling(Pooling.AVG).build().objective().evaluate(golden("x_net"));
        assertClose(golden("avg_total").getDouble(0), e.value(), TOL, "avg total");
        assertClose(golden("avg_grad"), e.gradient(), TOL, "avg gradient");
    }

    @Test
    void blendedStylesMatchPyTorch() {
        Evaluation e = defaults().style(golden("style_rgb"), 0.7).style(golden("style2_rgb"), 0.3).build()
                .objective().evaluate(golden("x_net"));
        assertClose(golden("blend_total").getDouble(0), e.value(), TOL, "blend total");
        assertClose(golden("blend_grad"), e.gradient(), TOL, "blend gradient");
    }

    /**
     * Directional finite differences: (f(x + h d) - f(x - h d)) / 2h against g . d for random directions d.
     * Per-coordinate differences drown in float32 rounding here (the total is about 9e4 while single
     * gradient components are about 0.03); a directional derivative sums all 3840 components.
     */
    @Test
    void gradientMatchesDirectionalFiniteDifferences() {
        org.perceptual4j.optim.Objective f = defaults().style(golden("style_rgb")).build().objective();
        INDArray x = golden("x_net");
        INDArray g = f.evaluate(x).gradient().dup();
        java.util.Random rng = new java.util.Random(7);
        double h = 0.03; // larger steps cross ReLU and max-pool switches, smaller ones drown in float noise
        for (int k = 0; k < 3; k++) {
            float[] dir = new float[(int) x.length()];
            for (int i = 0; i < dir.length; i++) {
                dir[i] = (float) rng.nextGaussian();
            }
            INDArray d = org.nd4j.linalg.factory.Nd4j.create(dir, x.shape(), 'c');
            double numeric = (f.evaluate(x.add(d.mul(h))).value() - f.evaluate(x.sub(d.mul(h))).value()) / (2 * h);
            double analytic = g.mul(d).sumNumber().doubleValue();
            // relative to the typical size of g . d for a random d, ||g|| ||d|| / sqrt(n): a direction
            // almost orthogonal to g has a tiny derivative that float rounding alone would swamp
            double typical = g.norm2Number().doubleValue() * d.norm2Number().doubleValue() / Math.sqrt(x.length());
            double rel = Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), typical);
            org.junit.jupiter.api.Assertions.assertTrue(rel <= 1e-2, "directional derivative " + k + ": analytic "
                    + analytic + ", numeric " + numeric + ", relative error " + rel);
        }
    }

    @Test
    void gradientDoesNotDependOnPreviousEvaluations() {
        org.perceptual4j.optim.Objective f = defaults().style(golden("style_rgb")).build().objective();
        INDArray x = golden("x_net");
        f.evaluate(x.mul(0.5));
        assertClose(golden("grad"), f.evaluate(x).gradient(), TOL, "gradient after another evaluation");
    }
}
