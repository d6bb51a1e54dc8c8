package org.perceptual4j.style;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.onnx.OnnxFeatureExtractor;
import org.perceptual4j.onnx.OnnxTesting;
import org.perceptual4j.optim.Evaluation;
import org.perceptual4j.vgg.TinyVgg;
import org.perceptual4j.vgg.Vgg19;

/**
 * The unchanged optimization API on networks imported from ONNX: a random-weight ResNet-shaped net
 * (BatchNormalization, residual Add, squeeze-excitation Mul, Clip, LeakyRelu) and the small VGG19 in
 * torchvision's layout. Random weights: this checks the machinery, not the look of the image.
 */
class StyleTransferOnnxTest {

    private static double[] firstAndLast(FeatureExtractor net, StyleTransfer.Builder b) {
        StyleTransferResult r = b.featureExtractor(net)
                .content(TinyVgg.golden("content_rgb"))
                .style(TinyVgg.golden("style_rgb"))
                .size(32)
                .iterations(10)
                .build()
                .run();
        List<LossRecord> h = r.history();
        assertEquals(11, h.size());
        return new double[] {h.get(0).total(), r.last().total()};
    }

    @Test
    void lossFallsOnAResNetShapedOnnxNetwork() throws IOException {
        OnnxFeatureExtractor resnet = OnnxFeatureExtractor.load(OnnxTesting.resource("tiny_resnet.onnx"));
        double[] loss = firstAndLast(resnet, StyleTransfer.builder()
                .contentLayers(Map.of("layer1", 1.0))
                .styleLayers(Map.of("stem", 1.0, "layer1", 1.0, "layer2", 1.0, "/layer2/se/se.4/Sigmoid", 1.0)));
        assertTrue(Double.isFinite(loss[1]) && loss[1] < 0.5 * loss[0], "loss should fall: " + loss[0] + " -> " + loss[1]);
    }

    /**
     * The VGG19 read from torchvision's ONNX layout, with the convention its random weights were scaled
     * for (Caffe's 0..255 range, like its Keras twin), gives PyTorch's objective and gradient.
     */
    @Test
    void vgg19FromOnnxGivesPyTorchsObjective() throws IOException {
        FeatureExtractor vgg = Vgg19.fromOnnx(TinyVgg.resource("tiny_vgg19_features.onnx"), ImageConvention.CAFFE);
        Evaluation e = StyleTransfer.builder().featureExtractor(vgg).content(TinyVgg.golden("content_rgb"))
                .style(TinyVgg.golden("style_rgb")).size(40).build().objective().evaluate(TinyVgg.golden("x_net"));
        TinyVgg.assertClose(TinyVgg.golden("total").getDouble(0), e.value(), 1e-4, "total");
        TinyVgg.assertClose(TinyVgg.golden("grad"), e.gradient(), 1e-4, "gradient");
    }
}
