package org.perceptual4j.fast;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.Vgg16;

/**
 * One training step of a small transform network (width 4, 2 residual blocks) with the tiny VGG16 loss
 * network against PyTorch: the network's output, every loss term and the gradient of every parameter,
 * within 1e-4 relative. Goldens written by {@code vgg-import/src/test/python/generate_fast_golden.py}
 * (its docstring gives the formulas and the parameter order).
 */
class FastStyleParityTest {
    static final TransformNet.Architecture ARCH = new TransformNet.Architecture(4, 2);
    static final List<String> TERMS = List.of("content:relu2_2", "style:relu1_2", "style:relu2_2", "style:relu3_3",
            "style:relu4_3", "tv");
    static final double TOLERANCE = 1e-4;

    @TempDir
    Path unusedData;

    static INDArray golden(String name) {
        URL url = FastStyleParityTest.class.getResource("golden/" + name + ".npy");
        if (url == null) {
            throw new IllegalStateException("missing golden " + name + " (run vgg-import/src/test/python/generate_fast_golden.py)");
        }
        try {
            return Nd4j.createFromNpyFile(Path.of(url.toURI()).toFile());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Splits a flat vector into the parameters of ARCH, in the order of parameterShapes(). */
    static Map<String, INDArray> split(INDArray flat) {
        Map<String, INDArray> m = new LinkedHashMap<>();
        long offset = 0;
        for (Map.Entry<String, long[]> e : ARCH.parameterShapes().entrySet()) {
            long n = java.util.Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b);
            m.put(e.getKey(), flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(offset, offset + n)).dup().reshape('c', e.getValue()));
            offset += n;
        }
        assertEquals(flat.length(), offset, "golden parameter count");
        return m;
    }

    FastStyleTrainer trainer(int imageSize) throws IOException {
        return builder(imageSize).build();
    }

    FastStyleTrainer.Builder builder(int imageSize) throws IOException {
        return FastStyleTrainer.builder()
                .dataDirectory(unusedData)
                .featureExtractor(Vgg16.fromKeras(TinyVgg.resource("tiny_vgg16_notop.h5")))
                .style(golden("style"), "style")
                .styleSize(28) // the style image's own longest side: not resized
                .architecture(ARCH)
                .imageSize(imageSize)
                .contentWeight(1e4)
                .styleWeight(5e3)
                .tvWeight(50);
    }

    @Test
    void oneTrainingStepMatchesPyTorch() throws IOException {
        TransformNet net = TransformNet.fromParameters(ARCH, split(golden("params")));
        INDArray content = golden("content");
        TinyVgg.assertClose(golden("output"), net.output(content), TOLERANCE, "transform net output");
        assertStep(TrainingRun.evaluate(builder(24).microBatch(2).build(), net, content)); // the whole batch at once
    }

    @Test
    void microBatchesAddUpToTheSameStep() throws IOException {
        // one image at a time: the content and style means are scaled by 1/2, the TV sums add up
        TransformNet net = TransformNet.fromParameters(ARCH, split(golden("params")));
        assertStep(TrainingRun.evaluate(builder(24).build(), net, golden("content"))); // the default micro-batch, 1
    }

    private static void assertStep(TrainingRun.Step step) {
        assertTerms(golden("terms"), step);
        Map<String, INDArray> expected = split(golden("grads"));
        Map<String, INDArray> actual = step.gradients();
        double worst = 0;
        for (String name : expected.keySet()) {
            INDArray e = expected.get(name);
            INDArray a = actual.get(name).reshape(e.shape());
            double companion = expected.get(name.replaceAll("bias$", "weight")).amaxNumber().doubleValue();
            if (name.endsWith(".bias") && e.amaxNumber().doubleValue() < 1e-6 * companion) {
                // a shift that an instance norm downstream cancels exactly (the conv biases before each
                // norm, the last norm's shift of each residual block): its gradient is 0 up to rounding
                assertTrue(a.amaxNumber().doubleValue() <= TOLERANCE * companion,
                        name + ": expected ~0, got max " + a.amaxNumber() + " (PyTorch " + e.amaxNumber() + ")");
            } else {
                TinyVgg.assertClose(e, a, TOLERANCE, "gradient of " + name);
                worst = Math.max(worst, e.castTo(a.dataType()).sub(a).amaxNumber().doubleValue() / e.amaxNumber().doubleValue());
            }
        }
        System.out.println("largest relative gradient error (max |error| / max |PyTorch| per parameter): " + worst);
    }

    @Test
    void anOddSizeIsPaddedByReflectionAndCroppedAsDocumented() throws IOException {
        TransformNet net = TransformNet.fromParameters(ARCH, split(golden("params")));
        INDArray content = golden("odd_content");
        TinyVgg.assertClose(golden("odd_output"), net.output(content), TOLERANCE, "transform net output at 22 x 22");
        assertTerms(golden("odd_terms"), TrainingRun.evaluate(trainer(22), net, content));
    }

    private static void assertTerms(INDArray expected, TrainingRun.Step step) {
        assertEquals(TERMS, List.copyOf(step.terms().keySet()));
        for (int i = 0; i < TERMS.size(); i++) {
            TinyVgg.assertClose(expected.getDouble(i), step.terms().get(TERMS.get(i)), TOLERANCE, TERMS.get(i));
        }
        TinyVgg.assertClose(expected.getDouble(TERMS.size()), step.total(), TOLERANCE, "total");
    }
}
