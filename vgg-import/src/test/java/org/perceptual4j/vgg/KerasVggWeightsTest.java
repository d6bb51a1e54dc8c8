package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.core.ImageConvention;

class KerasVggWeightsTest {
    @TempDir
    Path tmp;

    private static INDArray relu5(VggFeatureExtractor vgg) {
        INDArray x = ImageConvention.CAFFE.fromNetwork(TinyVgg.golden("x_net"));
        return vgg.features(x, List.of("relu5_1")).get("relu5_1");
    }

    @Test
    void newNamingAndFullFileGiveTheSameNetwork() throws IOException {
        INDArray expected = TinyVgg.golden("feat_relu5_1");
        for (String f : List.of("tiny_vgg19_notop.h5", "tiny_vgg19_newnaming.h5", "tiny_vgg19_full.h5")) {
            TinyVgg.assertClose(expected, relu5(Vgg19.fromKeras(resource(f))), 1e-4, f);
        }
    }

    @Test
    void detectsTheArchitecture() throws IOException {
        assertEquals(VggArchitecture.VGG19, KerasVggWeights.detect(resource("tiny_vgg19_notop.h5")));
        assertEquals(VggArchitecture.VGG16, KerasVggWeights.detect(resource("tiny_vgg16_notop.h5")));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = tmp.resolve("nope.h5");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Vgg19.fromKeras(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void emptyFileIsRejected() throws IOException {
        Path empty = Files.createFile(tmp.resolve("empty.h5"));
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(empty));
        assertEquals(empty + ": empty file, expected a Keras HDF5 weights file", e.getMessage());
    }

    @Test
    void nonHdf5FileIsRejected() throws IOException {
        Path text = Files.writeString(tmp.resolve("weights.h5"), "this is not HDF5 at all");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(text));
        assertEquals(text + ": not an HDF5 file (expected a Keras .h5 weights file)", e.getMessage());
    }

    @Test
    void truncatedFileIsRejected() throws IOException {
        byte[] all = Files.readAllBytes(resource("tiny_vgg19_notop.h5"));
        Path cut = Files.write(tmp.resolve("cut.h5"), java.util.Arrays.copyOf(all, all.length / 3));
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()), e.getMessage());
    }

    @Test
    void wrongShapeIsRejected() {
        Path f = resource("tiny_vgg19_wrong_shape.h5");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(f));
        assertEquals(f + ": layer block3_conv1: expected a kernel of shape [3, 3, 8, out] (HWIO), got [3, 3, 7, 12]",
                e.getMessage());
    }

    @Test
    void missingAndRenamedLayersAreRejected() {
        Path missing = resource("tiny_vgg19_missing_block5.h5");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(missing));
        assertTrue(e.getMessage().startsWith(missing + ": not a VGG19 Keras weights file: expected layer group 'block5_conv1'"),
                e.getMessage());
        Path renamed = resource("tiny_vgg19_renamed.h5");
        VggImportException r = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(renamed));
        assertTrue(r.getMessage().contains("expected layer group 'block1_conv1', found groups [") && r.getMessage().contains("conv2d_1"),
                r.getMessage());
    }

    @Test
    void vgg19FileIsNotAVgg16() {
        Path f = resource("tiny_vgg19_notop.h5");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg16.fromKeras(f));
        assertEquals(f + ": this is a VGG19 weights file (it has layer group 'block3_conv4'); load it with Vgg19.fromKeras",
                e.getMessage());
    }

    @Test
    void vgg16FileIsNotAVgg19() {
        Path f = resource("tiny_vgg16_notop.h5");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromKeras(f));
        assertTrue(e.getMessage().contains("expected layer group 'block3_conv4'"), e.getMessage());
    }
}
