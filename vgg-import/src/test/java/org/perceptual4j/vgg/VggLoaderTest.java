package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.perceptual4j.core.ImageConvention;

/** {@link Vgg19#fromFile} and {@link Vgg16#fromFile}: the reader and the convention follow the content. */
class VggLoaderTest {
    @TempDir
    Path tmp;

    @Test
    void kerasFileUnderAnyNameGetsTheCaffeConvention() throws IOException {
        Path f = Files.copy(resource("tiny_vgg19_notop.h5"), tmp.resolve("vgg19.mat"));
        VggFeatureExtractor vgg = Vgg19.fromFile(f);
        assertEquals(ImageConvention.CAFFE, vgg.imageConvention());
        assertEquals("Keras HDF5", vgg.provenance().format());
        TinyVgg.assertClose(TinyVgg.golden("feat_relu5_1"),
                vgg.features(TinyVgg.golden("x_rgb"), List.of("relu5_1")).get("relu5_1"), 1e-4, "relu5_1");
    }

    @Test
    void matConvNetFileUnderAnyNameGetsItsConvention() throws IOException {
        Path f = Files.copy(resource("matconvnet/tiny_vgg19.mat"), tmp.resolve("vgg19.h5"));
        VggFeatureExtractor vgg = Vgg19.fromFile(f);
        assertEquals(ImageConvention.MATCONVNET, vgg.imageConvention());
        assertEquals("MatConvNet MAT", vgg.provenance().format());
        assertEquals(f.toAbsolutePath().toString(), vgg.provenance().source());
        TinyVgg.assertClose(TinyVgg.matConvNetGolden("vgg19_relu5_1"),
                vgg.features(TinyVgg.golden("x_rgb"), List.of("relu5_1")).get("relu5_1"), 1e-4, "relu5_1");
        VggFeatureExtractor vgg16 = Vgg16.fromFile(resource("matconvnet/tiny_vgg16_old.mat"));
        assertEquals(ImageConvention.matConvNet(120.5, 115, 101.25), vgg16.imageConvention());
        assertEquals(VggArchitecture.VGG16, Vgg16.fromFile(resource("tiny_vgg16_notop.h5")).architecture());
    }

    @Test
    void onnxFileUnderAnyNameGetsTheTorchvisionConvention() throws IOException {
        Path f = Files.copy(resource("tiny_vgg19_features.onnx"), tmp.resolve("vgg19.mat"));
        VggFeatureExtractor vgg = Vgg19.fromFile(f);
        assertEquals(ImageConvention.IMAGENET, vgg.imageConvention());
        assertEquals("ONNX", vgg.provenance().format());
        TinyVgg.assertClose(TinyVgg.golden("feat_relu5_1"), vgg.features(ImageConvention.IMAGENET.fromNetwork(
                TinyVgg.golden("x_net")), List.of("relu5_1")).get("relu5_1"), 1e-4, "relu5_1");
        assertEquals(VggArchitecture.VGG16, Vgg16.fromFile(resource("tiny_vgg16_zoo.onnx")).architecture());
        Path conv = resource("formats/torch_conv.onnx");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromFile(conv));
        assertEquals(conv + ": not a VGG19: the network ends after relu1_1 (node '/1/Relu' (Relu, node 2 of 2)), expected"
                + " conv1_2 (the file has 1 convolution, VGG19 has 16)", e.getMessage());
    }

    @Test
    void unusableFilesAreNamed() throws IOException {
        Path text = Files.writeString(tmp.resolve("weights.h5"), "not weights");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromFile(text));
        assertTrue(e.getMessage().startsWith(text + ": unrecognised weights file format"), e.getMessage());
        Path wrong = resource("matconvnet/bad_wrong_shape.mat");
        VggImportException w = assertThrows(VggImportException.class, () -> Vgg19.fromFile(wrong));
        assertTrue(w.getMessage().startsWith(wrong + ": layer conv1_2 (layers{3}): expected filters"), w.getMessage());
        Path h5 = resource("tiny_vgg19_wrong_shape.h5");
        VggImportException k = assertThrows(VggImportException.class, () -> Vgg19.fromFile(h5));
        assertTrue(k.getMessage().startsWith(h5 + ": layer block3_conv1: expected a kernel"), k.getMessage());
    }
}
