package org.perceptual4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.assertClose;
import static org.perceptual4j.vgg.TinyVgg.golden;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.Pooling;

class VggFeatureExtractorTest {
    private static final double TOL = 1e-4;
    private final VggFeatureExtractor vgg = TinyVgg.vgg19();

    private static INDArray xRgb() {
        return ImageConvention.CAFFE.fromNetwork(golden("x_net"));
    }

    @Test
    void featuresMatchPyTorch() {
        List<String> layers = List.of("conv1_1", "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1", "pool5");
        Map<String, INDArray> f = vgg.features(xRgb(), layers);
        for (String l : layers) {
            assertClose(golden("feat_" + l), f.get(l), TOL, l);
        }
    }

    @Test
    void vgg16FeaturesMatchPyTorch() throws Exception {
        VggFeatureExtractor vgg16 = Vgg16.fromKeras(TinyVgg.resource("tiny_vgg16_notop.h5"));
        assertEquals(VggArchitecture.VGG16, vgg16.architecture());
        Map<String, INDArray> f = vgg16.features(xRgb(), List.of("relu2_2", "relu4_3"));
        assertClose(golden("vgg16_feat_relu2_2"), f.get("relu2_2"), TOL, "relu2_2");
        assertClose(golden("vgg16_feat_relu4_3"), f.get("relu4_3"), TOL, "relu4_3");
    }

    @Test
    void kerasAndConvSpellingsResolve() {
        assertEquals("relu4_2", vgg.resolveLayer("block4_conv2"));
        assertEquals("relu4_2", vgg.resolveLayer("relu4_2"));
        assertEquals("conv4_2", vgg.resolveLayer("conv4_2"));
        assertEquals("pool3", vgg.resolveLayer("block3_pool"));
        Map<String, INDArray> f = vgg.features(xRgb(), List.of("block4_conv2", "relu4_2"));
        assertEquals(f.get("block4_conv2"), f.get("relu4_2"));
    }

    @Test
    void unknownLayerListsValidOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> vgg.resolveLayer("relu6_1"));
        assertTrue(e.getMessage().contains("unknown layer 'relu6_1'"), e.getMessage());
        assertTrue(e.getMessage().contains("relu5_4") && e.getMessage().contains("conv1_1"), e.getMessage());
    }

    @Test
    void layerNamesAndMetadata() {
        assertEquals(16 * 2 + 5, vgg.layerNames().size());
        assertEquals("conv1_1", vgg.layerNames().get(0));
        assertEquals("pool5", vgg.layerNames().get(vgg.layerNames().size() - 1));
        assertEquals(ImageConvention.CAFFE, vgg.imageConvention());
        assertEquals(Pooling.MAX, vgg.pooling());
        assertTrue(vgg.provenance().source().endsWith("tiny_vgg19_notop.h5"), vgg.provenance().source());
        assertEquals("Keras HDF5", vgg.provenance().format());
        assertTrue(vgg.provenance().md5().matches("[0-9a-f]{32}"), vgg.provenance().md5());
        assertTrue(vgg.toString().contains("CAFFE") && vgg.toString().contains(vgg.provenance().md5()), vgg.toString());
        assertEquals(List.of(4L, 4L, 8L, 8L, 12L, 12L, 12L, 12L, 16L, 16L, 16L, 16L, 16L, 16L, 16L, 16L),
                java.util.Arrays.stream(vgg.channelWidths()).boxed().toList());
    }

    @Test
    void wrongImageShapeIsRejectedWithShape() {
        INDArray fourChannels = Nd4j.rand(DataType.FLOAT, 1, 4, 30, 20);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> vgg.features(fourChannels, List.of("relu1_1")));
        assertEquals("image: expected NCHW with 3 channels, got [1, 4, 30, 20]", e.getMessage());
        IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                () -> vgg.features(Nd4j.rand(DataType.FLOAT, 1, 3, 8, 40), List.of("relu5_1")));
        assertTrue(small.getMessage().contains("expected height and width >= 16"), small.getMessage());
    }

    @Test
    void definesOnlyUpToTheDeepestRequestedLayer() {
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, 1, 3, 32, 40);
        vgg.define(sd, in, List.of("relu2_1"));
        assertTrue(sd.hasVariable("vgg/relu2_1"));
        assertTrue(!sd.hasVariable("vgg/conv2_2"), "conv2_2 must not be built for relu2_1");
    }

    @Test
    void avgPoolingIsANewExtractor() {
        VggFeatureExtractor avg = vgg.withPooling(Pooling.AVG);
        assertEquals(Pooling.AVG, avg.pooling());
        assertEquals(Pooling.MAX, vgg.pooling());
        assertSame(vgg, vgg.withPooling(Pooling.MAX));
        INDArray maxPool = vgg.features(xRgb(), List.of("pool1")).get("pool1");
        INDArray avgPool = avg.features(xRgb(), List.of("pool1")).get("pool1");
        assertTrue(maxPool.sub(avgPool).minNumber().doubleValue() >= -1e-3, "max pooling >= average pooling");
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        INDArray x = xRgb();
        INDArray expected = golden("feat_relu3_1");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<INDArray>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 6; i++) {
                futures.add(pool.submit(() -> vgg.features(x, List.of("relu3_1")).get("relu3_1")));
            }
            for (Future<INDArray> f : futures) {
                assertClose(expected, f.get(), TOL, "relu3_1 from a worker thread");
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
