package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.resource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.core.FeatureExtractor;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Provenance;

/**
 * MatConvNet MAT-files written by {@code vgg-import/src/test/python/generate_matconvnet.py} (see
 * matconvnet/README.md): the same random weights as the Keras fixtures, converted the way MatConvNet's
 * import-caffe.py converts Caffe's VGG (first convolution's input channels reversed to RGB).
 */
class MatConvNetVggWeightsTest {
    private static final String VGG19 = "matconvnet/tiny_vgg19.mat";
    private static final String VGG16_OLD = "matconvnet/tiny_vgg16_old.mat";

    @TempDir
    Path tmp;

    /** Features of an input already in the network's space (no image convention involved). */
    private static INDArray networkFeatures(FeatureExtractor fx, INDArray x, String layer) {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, x.shape());
        SDVariable out = fx.define(sd, in, List.of(layer)).get(layer);
        return sd.output(Map.of("in", x), out.name()).get(out.name());
    }

    private static INDArray reverseChannels(INDArray x) {
        return Nd4j.concat(1, x.get(NDArrayIndex.all(), NDArrayIndex.interval(2, 3)),
                x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2)), x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 1)));
    }

    @Test
    void newerLayoutMatchesPyTorch() throws IOException {
        VggFeatureExtractor vgg = Vgg19.fromMatConvNet(resource(VGG19));
        assertEquals(VggArchitecture.VGG19, vgg.architecture());
        assertArrayEquals(new long[] {4, 4, 8, 8, 12, 12, 12, 12, 16, 16, 16, 16, 16, 16, 16, 16}, vgg.channelWidths());
        Map<String, INDArray> f = vgg.features(TinyVgg.golden("x_rgb"), List.of("conv1_1", "relu3_1", "relu5_1"));
        for (String layer : f.keySet()) {
            TinyVgg.assertClose(TinyVgg.matConvNetGolden("vgg19_" + layer), f.get(layer), 1e-4, layer);
        }
    }

    @Test
    void olderLayoutWithItsOwnMeanMatchesPyTorch() throws IOException {
        VggFeatureExtractor vgg = Vgg16.fromMatConvNet(resource(VGG16_OLD));
        assertEquals(ImageConvention.matConvNet(120.5, 115, 101.25), vgg.imageConvention());
        Map<String, INDArray> f = vgg.features(TinyVgg.golden("x_rgb"), List.of("relu2_2", "relu5_3"));
        for (String layer : f.keySet()) {
            TinyVgg.assertClose(TinyVgg.matConvNetGolden("vgg16_" + layer), f.get(layer), 1e-4, layer);
        }
    }

    @Test
    void sameFeaturesAsTheKerasImportOfTheSameWeights() throws IOException {
        // MatConvNet's network expects RGB where Keras's expects BGR: the same network-space input,
        // channels reversed, must give the same features at every layer
        VggFeatureExtractor mat = Vgg19.fromMatConvNet(resource(VGG19));
        VggFeatureExtractor keras = Vgg19.fromKeras(resource("tiny_vgg19_notop.h5"));
        INDArray xNet = TinyVgg.golden("x_net");
        for (String layer : List.of("conv1_1", "relu1_2", "relu2_1", "relu3_4", "relu4_2", "relu5_4", "pool5")) {
            TinyVgg.assertClose(networkFeatures(keras, xNet, layer), networkFeatures(mat, reverseChannels(xNet), layer),
                    1e-4, layer);
        }
        VggFeatureExtractor mat16 = Vgg16.fromMatConvNet(resource(VGG16_OLD));
        VggFeatureExtractor keras16 = Vgg16.fromKeras(resource("tiny_vgg16_notop.h5"));
        for (String layer : List.of("conv1_1", "relu3_3", "pool5")) {
            TinyVgg.assertClose(networkFeatures(keras16, xNet, layer), networkFeatures(mat16, reverseChannels(xNet), layer),
                    1e-4, "VGG16 " + layer);
        }
    }

    @Test
    void samePhotoGivesTheSameFeaturesAsTheKerasFileOfTheSameCaffeWeights() throws IOException {
        // each extractor applies its own convention: Caffe BGR minus (103.939, 116.779, 123.68) and
        // MatConvNet RGB minus (123.68, 116.779, 103.939) are the same input for the converted weights
        VggFeatureExtractor mat = Vgg19.fromMatConvNet(resource(VGG19));
        VggFeatureExtractor keras = Vgg19.fromKeras(resource("tiny_vgg19_notop.h5"));
        INDArray rgb = TinyVgg.golden("content_rgb");
        List<String> layers = List.of("relu1_1", "relu3_1", "relu5_1");
        Map<String, INDArray> a = keras.features(rgb, layers);
        Map<String, INDArray> b = mat.features(rgb, layers);
        for (String layer : layers) {
            TinyVgg.assertClose(a.get(layer), b.get(layer), 1e-4, layer);
        }
    }

    @Test
    void reportsItsConventionAndProvenance() throws IOException {
        Path file = resource(VGG19);
        VggFeatureExtractor vgg = Vgg19.fromMatConvNet(file);
        // the file stores the usual mean pixel in single precision
        assertSame(ImageConvention.MATCONVNET, vgg.imageConvention());
        Provenance p = vgg.provenance();
        assertEquals(new Provenance(file.toAbsolutePath().toString(), "MatConvNet MAT", Provenance.md5(file)), p);
        assertEquals("VGG19[pooling=MAX, compute=AUTO, convention=MATCONVNET, weights=" + p + "]", vgg.toString());
        assertTrue(Vgg16.fromMatConvNet(resource(VGG16_OLD)).toString()
                .contains("convention=MATCONVNET(mean 120.5, 115.0, 101.25)"));
    }

    @Test
    void missingFileIsNamed() {
        Path missing = tmp.resolve("imagenet-vgg-verydeep-19.mat");
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> Vgg19.fromMatConvNet(missing));
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void aKerasFileIsNotAMatFile() {
        Path h5 = resource("tiny_vgg19_notop.h5");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(h5));
        assertEquals(h5 + ": not a MATLAB v5 MAT-file but Keras HDF5; load it with Vgg19.fromFile / Vgg16.fromFile, "
                + "which recognise the format", e.getMessage());
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        byte[] all = Files.readAllBytes(resource(VGG19));
        for (int length : new int[] {all.length / 2, all.length - 1, 100}) {
            Path cut = Files.write(tmp.resolve("cut" + length + ".mat"), Arrays.copyOf(all, length));
            VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(cut));
            assertTrue(e.getMessage().startsWith(cut + ": cannot read the MAT-file (truncated or corrupt?): "), e.getMessage());
        }
    }

    @Test
    void fileWithoutLayersIsRejected() {
        Path f = resource("matconvnet/bad_no_layers.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": not a MatConvNet network: expected a variable 'layers' (a cell array of layer structs), "
                + "found variables [net]", e.getMessage());
    }

    @Test
    void convolutionWithoutWeightsIsRejected() {
        Path f = resource("matconvnet/bad_no_weights.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": layer conv1_1 (layers{1}) has no weights: expected a field 'weights' = {filters, biases} "
                + "or fields 'filters' and 'biases'; its fields are [name, type, size, pad, stride, precious, dilate, opts]",
                e.getMessage());
    }

    @Test
    void fileWithoutMeanPixelIsRejected() {
        Path f = resource("matconvnet/bad_no_normalization.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": no mean pixel: expected meta.normalization.averageImage (newer MatConvNet files) or "
                + "normalization.averageImage (older ones), found variables [layers, classes]", e.getMessage());
    }

    @Test
    void wrongFilterShapeIsRejected() {
        Path f = resource("matconvnet/bad_wrong_shape.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": layer conv1_2 (layers{3}): expected filters of size [3 3 1 out] (H W in out), got single [3 3 5 1]",
                e.getMessage());
    }

    @Test
    void paddingOtherThanVggsIsRejected() {
        Path f = resource("matconvnet/bad_pad.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": layer conv2_1 (layers{6}): expected pad 1 (VGG's 3x3 convolutions), got double [1 4]",
                e.getMessage());
    }

    @Test
    void wrongStructureIsRejected() {
        Path f = resource("matconvnet/bad_too_few_convs.mat");
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f));
        assertEquals(f + ": not a VGG19 network: expected blocks of [2, 2, 4, 4, 4] convolutions, each closed by a "
                + "pool layer, found [2] and 1 more convolutions without pooling, then layer prob (layers{8}) of type "
                + "'softmax'", e.getMessage());
    }

    @Test
    void theOtherArchitectureIsNamed() {
        Path f16 = resource(VGG16_OLD);
        VggImportException e = assertThrows(VggImportException.class, () -> Vgg19.fromMatConvNet(f16));
        assertEquals(f16 + ": this is a VGG16 network (convolutions per block [2, 2, 3, 3, 3]); load it with "
                + "Vgg16.fromMatConvNet", e.getMessage());
        Path f19 = resource(VGG19);
        VggImportException e19 = assertThrows(VggImportException.class, () -> Vgg16.fromMatConvNet(f19));
        assertTrue(e19.getMessage().endsWith("this is a VGG19 network (convolutions per block [2, 2, 4, 4, 4]); "
                + "load it with Vgg19.fromMatConvNet"), e19.getMessage());
    }
}
