package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.assertClose;
import static org.perceptual4j.vgg.TinyVgg.golden;
import static org.perceptual4j.vgg.TinyVgg.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;
import org.perceptual4j.onnx.OnnxTesting;

/**
 * VGG from ONNX: torchvision features-only, whole torchvision model, model-zoo layout. Same random
 * weights as tiny_vgg19_notop.h5 / tiny_vgg16_notop.h5, so the ONNX import must agree with the Keras
 * import and with the PyTorch goldens (generate_onnx_golden.py, generate_vgg_golden.py).
 */
class OnnxVggWeightsTest {
    private static final double TOL = 1e-4;
    private static final List<String> LAYERS = List.of("conv1_1", "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2",
            "relu5_1", "pool5");
    private static final List<String> VGG19_FILES = List.of("tiny_vgg19_features.onnx", "tiny_vgg19_full.onnx", "tiny_vgg19_zoo.onnx");

    @TempDir
    Path tmp;

    /** The golden network-space input as RGB for a convention, so every import sees the same tensor. */
    private static INDArray rgb(ImageConvention convention) {
        return convention.fromNetwork(golden("x_net"));
    }

    @Test
    void everyVgg19LayoutMatchesPyTorchAndTheKerasImport() throws IOException {
        VggFeatureExtractor keras = Vgg19.fromKeras(resource("tiny_vgg19_notop.h5"));
        Map<String, INDArray> fromKeras = keras.features(rgb(ImageConvention.CAFFE), LAYERS);
        for (String file : VGG19_FILES) {
            VggFeatureExtractor onnx = Vgg19.fromOnnx(resource(file));
            assertEquals(ImageConvention.IMAGENET, onnx.imageConvention(), file);
            assertEquals(keras.layerNames(), onnx.layerNames(), file);
            Map<String, INDArray> f = onnx.features(rgb(ImageConvention.IMAGENET), LAYERS);
            for (String l : LAYERS) {
                assertClose(golden("feat_" + l), f.get(l), TOL, file + " " + l + " vs PyTorch");
                assertClose(fromKeras.get(l), f.get(l), TOL, file + " " + l + " vs Keras import");
            }
        }
    }

    @Test
    void vgg16ZooLayoutMatchesPyTorchAndTheKerasImport() throws IOException {
        VggFeatureExtractor onnx = Vgg16.fromOnnx(resource("tiny_vgg16_zoo.onnx"));
        VggFeatureExtractor keras = Vgg16.fromKeras(resource("tiny_vgg16_notop.h5"));
        assertEquals(VggArchitecture.VGG16, onnx.architecture());
        for (String l : List.of("relu2_2", "relu4_3")) {
            INDArray f = onnx.features(rgb(ImageConvention.IMAGENET), List.of(l)).get(l);
            assertClose(golden("vgg16_feat_" + l), f, TOL, l + " vs PyTorch");
            assertClose(keras.features(rgb(ImageConvention.CAFFE), List.of(l)).get(l), f, TOL, l + " vs Keras import");
        }
    }

    @Test
    void provenanceAndPoolingLikeTheKerasExtractor() throws IOException {
        VggFeatureExtractor onnx = Vgg19.fromOnnx(resource("tiny_vgg19_zoo.onnx"));
        assertEquals("ONNX", onnx.provenance().format());
        assertTrue(onnx.provenance().source().endsWith("tiny_vgg19_zoo.onnx"), onnx.provenance().source());
        assertTrue(onnx.provenance().md5().matches("[0-9a-f]{32}"));
        assertEquals(Pooling.MAX, onnx.pooling());
        VggFeatureExtractor avg = onnx.withPooling(Pooling.AVG);
        VggFeatureExtractor kerasAvg = Vgg19.fromKeras(resource("tiny_vgg19_notop.h5")).withPooling(Pooling.AVG);
        assertClose(kerasAvg.features(rgb(ImageConvention.CAFFE), List.of("relu5_1")).get("relu5_1"),
                avg.features(rgb(ImageConvention.IMAGENET), List.of("relu5_1")).get("relu5_1"), TOL, "avg pooling");
        assertEquals(ImageConvention.CAFFE, Vgg19.fromOnnx(resource("tiny_vgg19_zoo.onnx"), ImageConvention.CAFFE).imageConvention());
    }

    @Test
    void vgg16FileIsNotAVgg19() {
        Path f = resource("tiny_vgg16_zoo.onnx");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(f));
        assertTrue(e.getMessage().startsWith(f + ": not a VGG19: expected conv3_4 (Conv) after relu3_3"), e.getMessage());
        assertTrue(e.getMessage().contains("node 'vgg0_pool2_fwd' (MaxPool, node 17 of")
                && e.getMessage().contains("the file has 13 convolutions, VGG19 has 16"), e.getMessage());
    }

    @Test
    void vgg19FileIsNotAVgg16() {
        Path f = resource("tiny_vgg19_features.onnx");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg16.fromOnnx(f));
        assertTrue(e.getMessage().startsWith(f + ": not a VGG16: expected pool3 (MaxPool) after relu3_3"), e.getMessage());
        assertTrue(e.getMessage().contains("(Conv, node 17 of") && e.getMessage().contains("16 convolutions, VGG16 has 13"),
                e.getMessage());
    }

    @Test
    void wrongConvolutionIsNamed() throws IOException {
        Path f = rewrite("tiny_vgg19_zoo.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            Onnx.NodeProto.Builder conv = b.getNodeBuilder(2);   // vgg0_conv1_fwd
            for (int i = 0; i < conv.getAttributeCount(); i++) {
                if (conv.getAttribute(i).getName().equals("strides")) {
                    conv.setAttribute(i, conv.getAttribute(i).toBuilder().clearInts().addInts(2).addInts(2));
                }
            }
            return b.build();
        });
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(f));
        assertTrue(e.getMessage().startsWith(f + ": conv1_2 (node 'vgg0_conv1_fwd' (Conv, node 3 of"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a 3x3 convolution with stride 1") && e.getMessage().contains("strides [2, 2]"),
                e.getMessage());
    }

    @Test
    void weightShapeMismatchIsNamed() throws IOException {
        // swap the weights of conv2_1 (8 x 4 x 3 x 3) and conv2_2 (8 x 8 x 3 x 3)
        Path f = rewrite("tiny_vgg19_zoo.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            Onnx.NodeProto.Builder conv = b.getNodeBuilder(5);   // vgg0_conv2_fwd
            conv.setInput(1, "vgg0_conv3_weight");
            return b.build();
        });
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(f));
        assertEquals(f + ": conv2_1 (node 'vgg0_conv2_fwd' (Conv, node 6 of 47)): expected a weight of shape [out, 4, 3, 3]"
                + " (OIHW), got [8, 8, 3, 3]", e.getMessage());
    }

    @Test
    void batchNormalizedVggIsRejectedWithAHint() throws IOException {
        Path f = rewrite("tiny_vgg19_zoo.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            b.setNode(1, b.getNode(1).toBuilder().setOpType("BatchNormalization"));   // the first Relu
            return b.build();
        });
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(f));
        assertTrue(e.getMessage().contains("expected relu1_1 (Relu)") && e.getMessage().contains("OnnxFeatureExtractor"),
                e.getMessage());
    }

    @Test
    void fileErrorsAreVggImportExceptionsNamingTheFile() throws IOException {
        Path text = Files.writeString(tmp.resolve("vgg19.onnx"), "not a model");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(text));
        assertTrue(e.getMessage().startsWith(text + ": not an ONNX model"), e.getMessage());
        byte[] whole = Files.readAllBytes(resource("tiny_vgg19_features.onnx"));
        Path cut = Files.write(tmp.resolve("cut.onnx"), java.util.Arrays.copyOf(whole, whole.length / 2));
        e = assertThrows(VggImportException.class, () -> Vgg19.fromOnnx(cut));
        assertTrue(e.getMessage().startsWith(cut + ": truncated or corrupt ONNX file"), e.getMessage());
    }

    private Path rewrite(String name, UnaryOperator<Onnx.GraphProto> edit) throws IOException {
        return OnnxTesting.rewrite(resource(name), tmp.resolve("edited_" + name), edit);
    }
}
