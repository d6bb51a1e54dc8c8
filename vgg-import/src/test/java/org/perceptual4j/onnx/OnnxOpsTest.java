package org.perceptual4j.onnx;

import static org.perceptual4j.vgg.TinyVgg.assertClose;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every op case of ops13.onnx and ops_legacy.onnx against PyTorch goldens, at two input sizes. */
class OnnxOpsTest {
    private static final double TOL = 1e-4;

    @TestFactory
    Stream<DynamicTest> opset13() throws Exception {
        return cases("ops13");
    }

    @TestFactory
    Stream<DynamicTest> legacyOpset6() throws Exception {
        return cases("ops_legacy");
    }

    private Stream<DynamicTest> cases(String model) throws Exception {
        OnnxFeatureExtractor net = OnnxFeatureExtractor.load(OnnxTesting.resource(model + ".onnx"));
        List<DynamicTest> tests = new ArrayList<>();
        for (String size : List.of("a", "b")) {
            Map<String, INDArray> golden = OnnxTesting.npz(model + "_" + size + ".npz");
            INDArray x = golden.get("x");
            List<String> taps = golden.keySet().stream().filter(k -> !k.equals("x")).sorted().toList();
            for (String tap : taps) {
                tests.add(DynamicTest.dynamicTest(tap + " " + java.util.Arrays.toString(x.shape()), () -> {
                    INDArray got = OnnxTesting.run(net, x, List.of(tap)).get(tap);
                    assertClose(golden.get(tap), got, TOL, tap);
                }));
            }
        }
        return tests.stream();
    }
}
