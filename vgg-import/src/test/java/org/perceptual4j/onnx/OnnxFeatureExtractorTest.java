package org.perceptual4j.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.perceptual4j.vgg.TinyVgg.assertClose;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import onnx.Onnx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.perceptual4j.core.ImageConvention;
import org.perceptual4j.core.internal.Graphs;
import org.perceptual4j.testing.GradientCheck;
import org.perceptual4j.vgg.TinyVgg;

/** The general importer on tiny_resnet.onnx and the small VGG files, and every kind of bad input. */
class OnnxFeatureExtractorTest {
    private static final double TOL = 1e-4;
    private static final List<String> TAPS = List.of("stem", "layer1", "layer2", "logits");

    @TempDir
    Path tmp;

    private static OnnxFeatureExtractor resnet() throws IOException {
        return OnnxFeatureExtractor.load(OnnxTesting.resource("tiny_resnet.onnx"));
    }

    @Test
    void resnetTapsMatchPyTorchAtTwoInputSizesAndBatches() throws IOException {
        OnnxFeatureExtractor net = resnet();
        Map<String, INDArray> golden = OnnxTesting.npz("tiny_resnet.npz");
        for (String size : List.of("a", "b")) {
            INDArray x = golden.get("x_" + size);
            Map<String, INDArray> f = OnnxTesting.run(net, x, TAPS);
            for (String tap : TAPS) {
                assertClose(golden.get(tap + "__" + size), f.get(tap), TOL, tap + " at " + Arrays.toString(x.shape()));
            }
        }
    }

    @Test
    void featuresApplyTheImageConvention() throws IOException {
        OnnxFeatureExtractor net = resnet();
        assertEquals(ImageConvention.IMAGENET, net.imageConvention());
        Map<String, INDArray> golden = OnnxTesting.npz("tiny_resnet.npz");
        INDArray rgb = ImageConvention.IMAGENET.fromNetwork(golden.get("x_a"));
        assertClose(golden.get("layer2__a"), net.features(rgb, List.of("layer2")).get("layer2"), TOL, "layer2");
        OnnxFeatureExtractor caffe = OnnxFeatureExtractor.builder().imageConvention(ImageConvention.CAFFE)
                .load(OnnxTesting.resource("tiny_resnet.onnx"));
        assertEquals(ImageConvention.CAFFE, caffe.imageConvention());
        INDArray caffeRgb = ImageConvention.CAFFE.fromNetwork(golden.get("x_a"));
        assertClose(golden.get("stem__a"), caffe.features(caffeRgb, List.of("stem")).get("stem"), TOL, "stem, Caffe convention");
    }

    @Test
    void layersAreNodeOutputsInGraphOrderAndNodeNamesAreAliases() throws IOException {
        OnnxFeatureExtractor net = resnet();
        List<String> names = net.layerNames();
        assertEquals("/conv1/Conv_output_0", names.get(0));
        assertEquals("logits", names.get(names.size() - 1));
        assertTrue(names.indexOf("stem") < names.indexOf("layer1") && names.indexOf("layer1") < names.indexOf("layer2"));
        assertFalse(names.stream().anyMatch(n -> n.contains("Constant")), "Constant outputs are not layers: " + names);
        assertEquals("layer1", net.resolveLayer("/layer1/Relu_1"));
        assertEquals("/layer1/Relu_output_0", net.resolveLayer("/layer1/Relu_output_0"));
        assertEquals("x", net.inputName());
        assertEquals("ONNX", net.provenance().format());
        assertTrue(net.toString().contains(net.provenance().md5()), net.toString());
    }

    @Test
    void unknownLayerListsTheNearestNames() throws IOException {
        OnnxFeatureExtractor net = resnet();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.features(
                Nd4j.rand(DataType.FLOAT, 1, 3, 16, 16), List.of("layer3")));
        assertTrue(e.getMessage().startsWith("unknown layer 'layer3' in " + OnnxTesting.resource("tiny_resnet.onnx")
                + "; nearest names: layer1, layer2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> net.resolveLayer("/layer2/Relu_outptu_0"));
        assertTrue(e.getMessage().contains("nearest names: /layer2/Relu_output_0"), e.getMessage());
    }

    @Test
    void definesOnlyWhatTheRequestedLayersNeed() throws IOException {
        OnnxFeatureExtractor net = resnet();
        SameDiff sd = SameDiff.create();
        SDVariable in = sd.placeHolder("in", DataType.FLOAT, 1, 3, 32, 40);
        net.define(sd, in, List.of("stem"));
        assertTrue(sd.hasVariable("onnx/stem"));
        assertFalse(sd.variables().stream().anyMatch(v -> v.name().contains("layer1")), "layer1 must not be built for stem");
        Map<String, SDVariable> second = net.define(sd, in, List.of("stem"));
        assertEquals("onnx1/stem", second.get("stem").name());   // a second copy in the same graph gets its own names
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        OnnxFeatureExtractor net = resnet();
        Map<String, INDArray> golden = OnnxTesting.npz("tiny_resnet.npz");
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            List<java.util.concurrent.Future<INDArray>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String size = i % 2 == 0 ? "a" : "b";
                futures.add(pool.submit(() -> OnnxTesting.run(net, golden.get("x_" + size), List.of("layer2")).get("layer2")));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertClose(golden.get("layer2__" + (i % 2 == 0 ? "a" : "b")), futures.get(i).get(), TOL, "layer2 from a worker thread");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void gradientThroughTheImportedNetworkMatchesPyTorchAndFiniteDifferences() throws IOException {
        OnnxFeatureExtractor net = resnet();
        Map<String, INDArray> golden = OnnxTesting.npz("tiny_resnet.npz");
        INDArray x0 = golden.get("grad_x");
        // loss = sum(logits * wl) + sum(layer2 * w2), differentiated through every operator of the file
        SameDiff sd = SameDiff.create();
        SDVariable x = sd.var("x", x0.dup());
        Map<String, SDVariable> f = net.define(sd, x, List.of("logits", "layer2"));
        SDVariable loss = f.get("logits").mul(sd.constant(golden.get("grad_wl"))).sum()
                .add("loss", f.get("layer2").mul(sd.constant(golden.get("grad_w2"))).sum());
        sd.setLossVariables(loss);
        Graphs.createGradFunction(sd, "x");
        INDArray analytic = sd.calculateGradients(Map.of(), "x").get("x").dup();
        assertClose(golden.get("grad"), analytic, 1e-3, "d loss / d x vs PyTorch autograd");

        SameDiff eval = SameDiff.create();
        SDVariable in = eval.placeHolder("x", DataType.FLOAT, x0.shape());
        Map<String, SDVariable> g = net.define(eval, in, List.of("logits", "layer2"));
        g.get("logits").mul(eval.constant(golden.get("grad_wl"))).sum()
                .add("loss", g.get("layer2").mul(eval.constant(golden.get("grad_w2"))).sum());
        // finite differences in float: noise of ~1e-4 absolute, and kinks (ReLU, max pooling) near some
        // coordinates; the exact comparison is the PyTorch one above
        double scale = analytic.amaxNumber().doubleValue();
        GradientCheck.of(v -> eval.output(Map.of("x", v), "loss").get("loss").getDouble(0))
                .epsilon(3e-3).floor(1e-2 * scale).maxCoordinates(24).check(x0, analytic).assertMatches(5e-2);
    }

    @Test
    void vggClassifiersRunThroughTheGeneralImporter() throws IOException {
        INDArray x = formulaInput(224, 224);
        record Case(String file, String output, String golden) {
        }
        for (Case c : List.of(new Case("tiny_vgg19_full.onnx", "logits", "onnx_vgg_logits_full"),
                new Case("tiny_vgg19_zoo.onnx", "vgg0_dense2_fwd", "onnx_vgg_logits_zoo"),
                new Case("tiny_vgg16_zoo.onnx", "vgg0_dense2_fwd", "onnx_vgg16_logits_zoo"))) {
            OnnxFeatureExtractor net = OnnxFeatureExtractor.load(TinyVgg.resource(c.file()));
            assertClose(TinyVgg.golden(c.golden()), OnnxTesting.run(net, x, List.of(c.output())).get(c.output()), TOL, c.file());
        }
    }

    @Test
    void classifierAtAnotherInputSizeFailsNamingTheNode() throws IOException {
        Path file = TinyVgg.resource("tiny_vgg19_full.onnx");
        OnnxFeatureExtractor net = OnnxFeatureExtractor.load(file);
        INDArray small = Nd4j.rand(DataType.FLOAT, 1, 3, 32, 40);
        // convolutional features accept any size ...
        assertEquals(4, net.features(small, List.of("/features/features.36/MaxPool_output_0")).get(
                "/features/features.36/MaxPool_output_0").rank());
        // ... the classifier does not
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> net.features(small, List.of("logits")));
        assertTrue(e.getMessage().startsWith(file + ": node '/classifier/classifier.0/Gemm' (Gemm, node "), e.getMessage());
        assertTrue(e.getMessage().contains("has 16 features where B expects 784"), e.getMessage());
    }

    @Test
    void wrongChannelCountIsReportedAtDefine() throws IOException {
        OnnxFeatureExtractor net = resnet();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxTesting.run(net, Nd4j.rand(DataType.FLOAT, 1, 4, 16, 16), List.of("stem")));
        assertTrue(e.getMessage().contains("node '/conv1/Conv' (Conv, node 1 of") && e.getMessage().contains("expected an input with 3 channels, got [1, 4, 16, 16]"),
                e.getMessage());
    }

    @Test
    void unsupportedOperatorsAreReportedAtLoadWithNameTypeAndPosition() throws IOException {
        Path f = rewrite("tiny_resnet.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            b.setNode(2, b.getNode(2).toBuilder().setOpType("HardSwish"));
            b.setNode(5, b.getNode(5).toBuilder().setOpType("Relu").setDomain("com.example"));
            return b.build();
        });
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(f));
        assertEquals(f + ": unsupported ONNX operators: node '/Relu' (HardSwish, node 3 of 31); node '/layer1/bn1/BatchNormalization'"
                + " (com.example.Relu, node 6 of 31). Supported: " + OnnxFeatureExtractor.OPERATORS, e.getMessage());
    }

    /** Opset 4: Reshape's shape as an attribute; a BFLOAT16 raw_data initializer with legacy broadcasting. */
    @Test
    void oldOpsetAttributesAndBfloat16Initializers() throws IOException {
        Onnx.TensorProto two = Onnx.TensorProto.newBuilder().setName("two").setDataType(Onnx.TensorProto.DataType.BFLOAT16_VALUE)
                .addDims(1).setRawData(org.nd4j.shade.protobuf.ByteString.copyFrom(new byte[] {0x00, 0x40})).build();   // 2.0
        Onnx.GraphProto graph = Onnx.GraphProto.newBuilder().setName("old")
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("x"))
                .addInput(Onnx.ValueInfoProto.newBuilder().setName("two"))
                .addInitializer(two)
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Reshape").addInput("x").addOutput("flat")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("shape").setType(Onnx.AttributeProto.AttributeType.INTS)
                                .addInts(0).addInts(-1)))
                .addNode(Onnx.NodeProto.newBuilder().setOpType("Mul").addInput("flat").addInput("two").addOutput("scaled")
                        .addAttribute(Onnx.AttributeProto.newBuilder().setName("broadcast").setType(Onnx.AttributeProto.AttributeType.INT).setI(1)))
                .addOutput(Onnx.ValueInfoProto.newBuilder().setName("scaled")).build();
        Path f = tmp.resolve("opset4.onnx");
        Files.write(f, Onnx.ModelProto.newBuilder().setIrVersion(3).setGraph(graph)
                .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(4)).build().toByteArray());
        OnnxFeatureExtractor net = OnnxFeatureExtractor.load(f);
        INDArray x = Nd4j.rand(DataType.FLOAT, 2, 3, 5, 4);
        Map<String, INDArray> out = OnnxTesting.run(net, x, List.of("flat", "scaled"));
        assertEquals(x.reshape(2, 60), out.get("flat"));
        assertEquals(x.reshape(2, 60).mul(2), out.get("scaled"));
    }

    @Test
    void malformedFilesNameTheFile() throws IOException {
        Path missing = tmp.resolve("missing.onnx");
        assertThrows(NoSuchFileException.class, () -> OnnxFeatureExtractor.load(missing));
        Path empty = Files.createFile(tmp.resolve("empty.onnx"));
        assertEquals(empty + ": empty file, expected an ONNX model",
                assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(empty)).getMessage());
        Path text = Files.writeString(tmp.resolve("text.onnx"), "This is a text file, not a network.\n");
        assertTrue(assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(text)).getMessage()
                .startsWith(text + ": not an ONNX model ("));
        Path h5 = TinyVgg.resource("tiny_vgg19_notop.h5");
        assertTrue(assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(h5)).getMessage()
                .startsWith(h5 + ": not an ONNX model ("));
        byte[] whole = Files.readAllBytes(OnnxTesting.resource("tiny_resnet.onnx"));
        for (int cut : new int[] {whole.length - 1, whole.length - 40, whole.length / 2, 100, 3}) {
            Path truncated = Files.write(tmp.resolve("cut" + cut + ".onnx"), Arrays.copyOf(whole, cut));
            OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(truncated),
                    "cut at " + cut);
            assertTrue(e.getMessage().startsWith(truncated + ": truncated or corrupt ONNX file"), e.getMessage());
        }
    }

    @Test
    void externalDataIsRejectedNamingTheDataFile() throws IOException {
        Path f = rewrite("tiny_resnet.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            Onnx.TensorProto.Builder t = b.getInitializerBuilder(0);
            t.clearRawData().setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"));
            return b.build();
        });
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(f));
        assertTrue(e.getMessage().startsWith(f + ": tensor 'conv1.weight': its data is stored in the external file 'weights.bin'"),
                e.getMessage());
    }

    @Test
    void inputsAreChosenAndChecked() throws IOException {
        Path twoInputs = rewrite("tiny_resnet.onnx", g -> g.toBuilder().addInput(g.getInput(0).toBuilder().setName("mask")).build());
        OnnxImportException e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(twoInputs));
        assertEquals(twoInputs + ": expected one image input, found 2 graph inputs [x, mask]; choose one with "
                + "OnnxFeatureExtractor.builder().input(name)", e.getMessage());
        assertEquals("x", OnnxFeatureExtractor.builder().input("x").load(twoInputs).inputName());
        e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.builder().input("y").load(twoInputs));
        assertEquals(twoInputs + ": no graph input named 'y'; the inputs are [x, mask]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> OnnxFeatureExtractor.builder().input(" "));
        assertThrows(IllegalArgumentException.class, () -> OnnxFeatureExtractor.builder().imageConvention(null));
        Path gray = rewrite("tiny_resnet.onnx", g -> {
            Onnx.GraphProto.Builder b = g.toBuilder();
            b.getInputBuilder(0).getTypeBuilder().getTensorTypeBuilder().getShapeBuilder().getDimBuilder(1).setDimValue(1);
            return b.build();
        });
        e = assertThrows(OnnxImportException.class, () -> OnnxFeatureExtractor.load(gray));
        assertEquals(gray + ": input 'x' has shape [batch, 1, height, width]; expected an image batch [N, 3, H, W]", e.getMessage());
    }

    /** x[0,c,i,j] = sin(0.05 i + 0.07 j + c), as generate_onnx_golden.formula_input. */
    static INDArray formulaInput(int h, int w) {
        float[] v = new float[3 * h * w];
        for (int c = 0, k = 0; c < 3; c++) {
            for (int i = 0; i < h; i++) {
                for (int j = 0; j < w; j++) {
                    v[k++] = (float) Math.sin(0.05 * i + 0.07 * j + c);
                }
            }
        }
        return Nd4j.create(v, new long[] {1, 3, h, w}, 'c');
    }

    private Path rewrite(String name, UnaryOperator<Onnx.GraphProto> edit) throws IOException {
        return OnnxTesting.rewrite(OnnxTesting.resource(name), tmp.resolve("edited_" + name), edit);
    }
}
