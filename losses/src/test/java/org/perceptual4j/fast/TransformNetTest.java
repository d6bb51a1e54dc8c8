package org.perceptual4j.fast;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.perceptual4j.core.internal.Graphs;
import org.perceptual4j.testing.GradientCheck;

class TransformNetTest {
    static final TransformNet.Architecture SMALL = new TransformNet.Architecture(4, 1);

    @Test
    void johnsonArchitectureHasThePyTorchParameterCount() {
        // sum of numel over pytorch/examples TransformerNet().state_dict() without the running_* buffers
        assertEquals(1_679_235, TransformNet.Architecture.JOHNSON.parameterCount());
        Map<String, long[]> shapes = TransformNet.Architecture.JOHNSON.parameterShapes();
        assertEquals(2 * 16 + 2 * 15, shapes.size(), "16 convolutions with weight and bias, 15 instance norms with scale and shift");
        assertArrayEquals(new long[] {9, 9, 3, 32}, shapes.get("conv1.conv2d.weight"));
        assertArrayEquals(new long[] {3, 3, 128, 128}, shapes.get("res5.conv2.conv2d.weight"));
        assertArrayEquals(new long[] {64}, shapes.get("in4.bias"));
        assertArrayEquals(new long[] {9, 9, 32, 3}, shapes.get("deconv3.conv2d.weight"));
    }

    @Test
    void anySizeGivesAnOutputOfThatSize() {
        TransformNet net = TransformNet.random(SMALL, 1);
        for (int[] hw : new int[][] {{31, 47}, {1, 1}, {2, 3}, {5, 9}, {8, 8}, {16, 12}, {33, 30}}) {
            INDArray in = Nd4j.rand(DataType.FLOAT, 2, 3, hw[0], hw[1]);
            INDArray out = net.output(in);
            assertArrayEquals(in.shape(), out.shape(), "size " + hw[0] + "x" + hw[1]);
            assertEquals(DataType.FLOAT, out.dataType());
            assertTrue(Double.isFinite(out.sumNumber().doubleValue()));
        }
    }

    @Test
    void theDefaultNetworkStylizes256Squared() {
        TransformNet net = TransformNet.random(TransformNet.Architecture.JOHNSON, 3);
        INDArray out = net.output(Nd4j.rand(DataType.FLOAT, 1, 3, 256, 256));
        assertArrayEquals(new long[] {1, 3, 256, 256}, out.shape());
    }

    @Test
    void imagesOfABatchAreIndependent() {
        // instance norm works per image: a batch gives each image's own output
        TransformNet net = TransformNet.random(SMALL, 2);
        INDArray a = Nd4j.rand(DataType.FLOAT, 1, 3, 12, 16);
        INDArray b = Nd4j.rand(DataType.FLOAT, 1, 3, 12, 16).muli(0.3);
        INDArray both = net.output(Nd4j.concat(0, a, b));
        assertTrue(both.get(NDArrayIndex.interval(0, 1)).equalsWithEps(net.output(a), 1e-5));
        assertTrue(both.get(NDArrayIndex.interval(1, 2)).equalsWithEps(net.output(b), 1e-5));
    }

    @Test
    void aPreparedInferenceGivesTheSameOutputAndChecksTheSize() {
        TransformNet net = TransformNet.random(SMALL, 4);
        TransformNet.Inference inference = net.inference(13, 10);
        INDArray a = Nd4j.rand(DataType.FLOAT, 1, 3, 13, 10);
        INDArray b = Nd4j.rand(DataType.FLOAT, 2, 3, 13, 10);
        assertTrue(inference.output(a).equalsWithEps(net.output(a), 0));
        assertTrue(inference.output(b).equalsWithEps(net.output(b), 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> inference.output(Nd4j.rand(DataType.FLOAT, 1, 3, 10, 13)));
        assertEquals("image: expected [N, 3, 13, 10] with N >= 1, got [1, 3, 10, 13]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> net.inference(0, 5));
    }

    @Test
    void reflectionPaddingMirrorsWithoutRepeatingTheEdge() {
        SameDiff sd = SameDiff.create();
        INDArray x = Nd4j.create(new float[] {1, 2, 3, 4, 5}, new long[] {1, 1, 1, 5}, 'c');
        SDVariable v = sd.constant("x", x);
        INDArray padded = TransformNet.reflect(sd, v, 3, 2, 3, 5).eval();
        // torch.nn.ReflectionPad2d((2, 3, 0, 0)) of [1 2 3 4 5]
        assertArrayEquals(new float[] {3, 2, 1, 2, 3, 4, 5, 4, 3, 2}, padded.data().asFloat());
    }

    @Test
    void paddedSizeIsTheNextMultipleOfFourAndAtLeastEight() {
        assertEquals(8, TransformNet.paddedSize(1));
        assertEquals(8, TransformNet.paddedSize(8));
        assertEquals(12, TransformNet.paddedSize(9));
        assertEquals(32, TransformNet.paddedSize(31));
        assertEquals(256, TransformNet.paddedSize(256));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        // loss = sum(output * R) at an odd size, so the pre-padding and the crop are differentiated too;
        // the graph runs in DOUBLE so that finite differences are accurate (FLOAT rounding noise would
        // swamp the small gradients of the layers followed by instance norm)
        TransformNet net = TransformNet.random(SMALL, 5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 1, 3, 9, 11);
        INDArray r = Nd4j.randn(DataType.DOUBLE, 1, 3, 9, 11);
        DoubleGraph g = new DoubleGraph(net, x, r);
        Map<String, INDArray> grads = g.gradients();
        // one parameter of each kind of layer: 9x9 conv, stride-2 conv, residual block, upsampling conv,
        // instance-norm scale and shift, the last conv's bias; and the input
        for (String name : List.of("input", "conv1.conv2d.weight", "in1.weight", "conv3.conv2d.weight",
                "res1.conv2.conv2d.weight", "deconv1.conv2d.weight", "in5.bias", "deconv3.conv2d.bias")) {
            GradientCheck.of(p -> g.value(name, p))
                    .epsilon(1e-5).maxCoordinates(5)
                    .check(g.variable(name), grads.get(name))
                    .assertMatches(1e-4);
        }
    }

    /** The network in a DOUBLE graph with every parameter and the input as variables; loss sum(output * r). */
    static final class DoubleGraph {
        final SameDiff sd = SameDiff.create();
        final SDVariable loss;
        final List<String> names = new java.util.ArrayList<>();

        DoubleGraph(TransformNet net, INDArray x, INDArray r) {
            SDVariable in = sd.var("input", x.dup());
            Map<String, SDVariable> w = new LinkedHashMap<>();
            net.parameters().forEach((k, v) -> w.put(k, sd.var(k, v.castTo(DataType.DOUBLE))));
            SDVariable out = TransformNet.define(sd, in, x.size(2), x.size(3), w);
            loss = out.mul(sd.constant(r)).sum();
            sd.setLossVariables(loss);
            Graphs.createGradFunction(sd);
            names.addAll(w.keySet());
            names.add("input");
        }

        INDArray variable(String name) {
            return sd.getVariable(name).getArr().dup();
        }

        double value(String name, INDArray v) {
            INDArray arr = sd.getVariable(name).getArr();
            INDArray saved = arr.dup();
            arr.assign(v);
            double value = sd.output(Map.of(), loss.name()).get(loss.name()).getDouble(0);
            arr.assign(saved);
            return value;
        }

        Map<String, INDArray> gradients() {
            return sd.calculateGradients(Map.of(), names);
        }
    }

    @Test
    void fromParametersNamesTheWrongParameter() {
        Map<String, INDArray> p = TransformNet.random(SMALL, 1).parameters();
        p.put("in1.weight", Nd4j.ones(DataType.FLOAT, 5));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TransformNet.fromParameters(SMALL, p));
        assertTrue(e.getMessage().contains("'in1.weight' expected shape [4], got [5]"), e.getMessage());
        p.remove("in1.weight");
        e = assertThrows(IllegalArgumentException.class, () -> TransformNet.fromParameters(SMALL, p));
        assertTrue(e.getMessage().contains("missing 'in1.weight'"), e.getMessage());
        Map<String, INDArray> extra = TransformNet.random(SMALL, 1).parameters();
        extra.put("in9.weight", Nd4j.ones(DataType.FLOAT, 4));
        e = assertThrows(IllegalArgumentException.class, () -> TransformNet.fromParameters(SMALL, extra));
        assertTrue(e.getMessage().contains("unexpected parameter 'in9.weight'"), e.getMessage());
    }

    @Test
    void architectureValidatesItsValues() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new TransformNet.Architecture(0, 5));
        assertEquals("width: expected a value in [1, 4096], got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new TransformNet.Architecture(32, -1));
        assertThrows(IllegalArgumentException.class, () -> TransformNet.random(SMALL, 0).output(Nd4j.rand(DataType.FLOAT, 1, 4, 8, 8)));
    }
}
