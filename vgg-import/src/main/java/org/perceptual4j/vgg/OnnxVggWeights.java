package org.perceptual4j.vgg;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.perceptual4j.onnx.OnnxImportException;
import org.perceptual4j.onnx.internal.OnnxModel;
import org.perceptual4j.onnx.internal.OnnxNode;
import org.perceptual4j.onnx.internal.OnnxTensor;

/**
 * Reads VGG16/VGG19 convolution weights from an ONNX file by following the network from its input:
 * Conv, Relu, ..., MaxPool in exactly the order of {@link VggArchitecture#layerNames()}, whatever the
 * nodes and tensors are called. Accepted: torchvision's {@code features} exported alone, the whole
 * torchvision model (after pool5 the average pooling and classifier are ignored), and the ONNX model
 * zoo's {@code vgg16-7.onnx} / {@code vgg19-7.onnx} (MXNet names such as {@code vgg0_conv0_weight},
 * opset 7, typed {@code float_data}, initializers listed as graph inputs). Identity and Dropout nodes
 * on the path are skipped. Every convolution must be 3x3, stride 1, padding 1, no dilation or groups,
 * with a bias, and chain its channels; every pooling 2x2, stride 2, no padding. Kernels are converted
 * from ONNX's OIHW to the HWIO layout of {@link KerasVggWeights.Conv}.
 */
final class OnnxVggWeights {
    private OnnxVggWeights() {
    }

    static List<KerasVggWeights.Conv> read(Path file, VggArchitecture arch) throws IOException {
        try {
            return read(OnnxModel.read(file), arch);
        } catch (OnnxImportException e) {
            throw new VggImportException(e.getMessage(), e);
        }
    }

    private static List<KerasVggWeights.Conv> read(OnnxModel model, VggArchitecture arch) throws IOException {
        Path file = model.file();
        if (model.inputs().size() != 1) {
            throw new VggImportException(file + ": expected one image input, found " + model.inputs().size() + " graph inputs "
                    + model.inputs().stream().map(v -> v.getName()).toList());
        }
        // Identity / Constant nodes that only forward a weight (torch exports with TrainingMode.PRESERVE do that)
        Map<String, OnnxNode> constantNodes = new HashMap<>();
        Map<String, String> aliases = new HashMap<>();
        for (OnnxNode n : model.nodes()) {
            if (n.opType().equals("Constant") && !n.outputs().isEmpty()) {
                constantNodes.put(n.outputs().get(0), n);
            } else if (n.opType().equals("Identity") && (model.isInitializer(n.input(0)) || constantNodes.containsKey(n.input(0)))) {
                aliases.put(n.outputs().get(0), aliases.getOrDefault(n.input(0), n.input(0)));
            }
        }
        long totalConvs = model.nodes().stream().filter(n -> n.opType().equals("Conv")).count();
        List<String> expected = arch.layerNames();
        List<KerasVggWeights.Conv> convs = new ArrayList<>();
        String current = model.inputs().get(0).getName();
        String previous = "the input '" + current + "'";
        long channels = 3;
        int next = 0;
        for (OnnxNode n : model.nodes()) {
            if (next == expected.size()) {
                break;   // past pool5: average pooling, flatten and classifier are not used
            }
            if (n.inputs().isEmpty() || !n.input(0).equals(current)) {
                continue;
            }
            if (n.opType().equals("Identity") || n.opType().equals("Dropout")) {
                current = n.outputs().get(0);
                continue;
            }
            String layer = expected.get(next);
            String op = layer.startsWith("conv") ? "Conv" : layer.startsWith("relu") ? "Relu" : "MaxPool";
            if (!n.opType().equals(op)) {
                String hint = n.opType().equals("BatchNormalization")
                        ? " (VGG with batch normalization is not supported here; load it with OnnxFeatureExtractor)"
                        : totalConvs != arch.convolutions()
                        ? " (" + convolutions(totalConvs, arch) + ")" : "";
                throw new VggImportException(file + ": not a " + arch + ": expected " + layer + " (" + op + ") after "
                        + previous + ", found " + n.describe() + hint);
            }
            if (op.equals("Conv")) {
                KerasVggWeights.Conv c = conv(model, n, layer, channels, constantNodes, aliases);
                channels = c.kernel().size(3);
                convs.add(c);
            } else if (op.equals("MaxPool")) {
                checkPool(n);
            }
            current = n.outputs().get(0);
            previous = layer + " (" + n.describe() + ")";
            next++;
        }
        if (next < expected.size()) {
            throw new VggImportException(file + ": not a " + arch + ": the network ends after " + previous + ", expected "
                    + expected.get(next) + (totalConvs != arch.convolutions()
                    ? " (" + convolutions(totalConvs, arch) + ")" : ""));
        }
        return convs;
    }

    private static String convolutions(long count, VggArchitecture arch) {
        return "the file has " + count + " convolution" + (count == 1 ? "" : "s") + ", " + arch + " has " + arch.convolutions();
    }

    private static KerasVggWeights.Conv conv(OnnxModel model, OnnxNode n, String layer, long inChannels,
            Map<String, OnnxNode> constantNodes, Map<String, String> aliases) throws IOException {
        long[] kernel = n.longsAttr("kernel_shape", new long[] {3, 3});
        long[] strides = n.longsAttr("strides", new long[] {1, 1});
        long[] dilations = n.longsAttr("dilations", new long[] {1, 1});
        long group = n.longAttr("group", 1);
        String autoPad = n.stringAttr("auto_pad", "NOTSET");
        long[] pads = n.longsAttr("pads", new long[] {0, 0, 0, 0});
        boolean padOne = Arrays.equals(pads, new long[] {1, 1, 1, 1}) && (autoPad.isEmpty() || autoPad.equals("NOTSET"))
                || autoPad.startsWith("SAME") && !n.has("pads");
        if (!Arrays.equals(kernel, new long[] {3, 3}) || !Arrays.equals(strides, new long[] {1, 1})
                || !Arrays.equals(dilations, new long[] {1, 1}) || group != 1 || !padOne) {
            throw new VggImportException(n.file() + ": " + layer + " (" + n.describe() + "): expected a 3x3 convolution with stride 1, "
                    + "padding 1, no dilation or groups, got kernel_shape " + Arrays.toString(kernel) + ", strides "
                    + Arrays.toString(strides) + ", pads " + Arrays.toString(pads) + (autoPad.isEmpty() || autoPad.equals("NOTSET")
                    ? "" : ", auto_pad " + autoPad) + ", dilations " + Arrays.toString(dilations) + ", group " + group);
        }
        if (n.input(2).isEmpty()) {
            throw new VggImportException(n.file() + ": " + layer + " (" + n.describe() + "): expected a bias input");
        }
        INDArray w = tensor(model, n, n.input(1), constantNodes, aliases);
        INDArray b = tensor(model, n, n.input(2), constantNodes, aliases);
        long[] s = w.shape();
        if (s.length != 4 || s[1] != inChannels || s[2] != 3 || s[3] != 3) {
            throw new VggImportException(n.file() + ": " + layer + " (" + n.describe() + "): expected a weight of shape [out, "
                    + inChannels + ", 3, 3] (OIHW), got " + Arrays.toString(s));
        }
        if (b.length() != s[0]) {
            throw new VggImportException(n.file() + ": " + layer + " (" + n.describe() + "): expected a bias of " + s[0]
                    + " values, got shape " + Arrays.toString(b.shape()));
        }
        return new KerasVggWeights.Conv(layer, w.permute(2, 3, 1, 0).dup('c'), b.reshape(s[0]));
    }

    private static INDArray tensor(OnnxModel model, OnnxNode n, String name, Map<String, OnnxNode> constantNodes,
            Map<String, String> aliases) throws IOException {
        String source = aliases.getOrDefault(name, name);
        OnnxTensor t;
        if (model.isInitializer(source)) {
            t = model.initializer(source);
        } else if (constantNodes.containsKey(source)) {
            t = constantNodes.get(source).tensorAttr("value");
        } else {
            t = null;
        }
        if (t == null) {
            throw new VggImportException(n.file() + ": " + n.describe() + ": input '" + name
                    + "' is not an initializer or constant (weights must be stored in the file)");
        }
        return t.toFloatArray();
    }

    private static void checkPool(OnnxNode n) throws IOException {
        long[] kernel = n.longsAttr("kernel_shape", null);
        long[] strides = n.longsAttr("strides", new long[] {1, 1});
        long[] pads = n.longsAttr("pads", new long[] {0, 0, 0, 0});
        String autoPad = n.stringAttr("auto_pad", "NOTSET");
        if (!Arrays.equals(kernel, new long[] {2, 2}) || !Arrays.equals(strides, new long[] {2, 2})
                || !Arrays.equals(pads, new long[] {0, 0, 0, 0}) || n.longAttr("ceil_mode", 0) != 0
                || !(autoPad.isEmpty() || autoPad.equals("NOTSET") || autoPad.equals("VALID"))) {
            throw new VggImportException(n.file() + ": " + n.describe() + ": expected 2x2 max pooling with stride 2 and no "
                    + "padding, got kernel_shape " + Arrays.toString(kernel) + ", strides " + Arrays.toString(strides)
                    + ", pads " + Arrays.toString(pads) + ", ceil_mode " + n.longAttr("ceil_mode", 0));
        }
    }
}
