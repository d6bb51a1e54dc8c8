#!/usr/bin/python3
"""Small random-weight ONNX files and PyTorch golden values for the Java ONNX importer.

Run with Debian's python (torch 1.13, torchvision, onnx 1.12, numpy, h5py):
    /usr/bin/python3 vgg-import/src/test/python/generate_onnx_golden.py
    /usr/bin/python3 vgg-import/src/test/python/generate_onnx_golden.py --full-size /tmp/vgg19-onnx
(the second form writes full-size random-weight VGG19 files for measuring import time and memory;
never commit them)
Deterministic weights and inputs (numpy RandomState); re-running rewrites the same numbers.
Prints a one-line summary. Nothing here needs the network.

VGG (vgg-import/src/test/resources/org/perceptual4j/vgg/), weights = the ones of the committed
tiny_vgg19_notop.h5 / tiny_vgg16_notop.h5 (generate_vgg19_shaped.make_weights with the widths and
seeds of generate_vgg_golden.py; checked bit-identical against the .h5 files below), so the Java test
compares ONNX import and Keras import of the SAME network, and both against the PyTorch goldens in
golden/feat_*.npy and golden/vgg16_feat_*.npy (computed by generate_vgg_golden.py on golden/x_net.npy):
  tiny_vgg19_features.onnx  torchvision layout: torchvision.models.vgg.make_layers (block widths
                            4,8,12,16,16) i.e. `vgg19().features` only, exported by torch.onnx.export,
                            opset 13, input "input" with dynamic batch/height/width, raw_data initializers
                            named features.<i>.weight / .bias, node names /0/Conv, /1/Relu, ...
  tiny_vgg19_full.onnx      the WHOLE torchvision VGG module (features, avgpool = AdaptiveAvgPool2d(7),
                            flatten, classifier) with a small classifier Linear(16*7*7, 8), ReLU, Dropout,
                            Linear(8, 8), ReLU, Dropout, Linear(8, 5) (torchvision's is 25088-4096-4096-1000),
                            exported at 224x224 (adaptive pooling needs a fixed size), opset 11, eval mode.
  tiny_vgg19_zoo.onnx       the layout of the ONNX model zoo's vgg19-7.onnx (MXNet Gluon model exported by
  tiny_vgg16_zoo.onnx       MXNet 1.2's mx2onnx, ONNX 1.2.1): ir_version 3, opset 7, graph name
                            "mxnet_converted_model", input "data" [1,3,224,224], EVERY initializer also listed
                            as a graph input, initializers in TYPED float_data (not raw_data), nodes and
                            outputs named vgg0_conv<k>_fwd (Conv: kernel_shape, strides, dilations, pads x4,
                            group), vgg0_relu<k>_fwd, vgg0_pool<p>_fwd (MaxPool: kernel_shape, pads, strides),
                            weights vgg0_conv<k>_weight / _bias, then flatten_72 (VGG16: flatten_60), Gemm
                            vgg0_dense0_fwd (alpha 1, beta 1, transA 0, transB 1, weight [out, in]),
                            vgg0_dense0_relu_fwd, Dropout vgg0_dropout0_fwd (ratio 0.5), flatten_77 (65),
                            vgg0_dense1_fwd, ..., flatten_82 (70), vgg0_dense2_fwd = graph output.
                            Same small classifier sizes as above (8, 8, 5).
  golden/onnx_vgg_logits_full.npy, golden/onnx_vgg_logits_zoo.npy, golden/onnx_vgg16_logits_zoo.npy:
                            the classifier outputs of those three files for the 224x224 input
                            x[0,c,i,j] = sin(0.05*i + 0.07*j + c) (float64, cast to float32; the Java test
                            computes the same formula), computed by PyTorch in float64.

General importer (vgg-import/src/test/resources/org/perceptual4j/onnx/):
  tiny_resnet.onnx / .npz   a small ResNet-shaped net exported by torch.onnx.export (opset 13, dynamic
                            batch/height/width, TrainingMode.PRESERVE so BatchNormalization stays a node,
                            which makes the exporter copy running mean/var through Identity nodes):
                            stem conv7x7/2 (no bias) BN ReLU MaxPool3x3/2 pad 1; basic block 8->8 (conv BN
                            ReLU conv BN, Add identity, ReLU); block 8->16 stride 2 with a 1x1/2 conv+BN
                            shortcut and a squeeze-excitation gate (GlobalAveragePool, 1x1 conv, ReLU6 = Clip,
                            1x1 conv, Sigmoid, Mul), Add, LeakyReLU(0.1); GlobalAveragePool, Flatten, Gemm
                            16->10. Graph outputs (= taps) "stem", "layer1", "layer2", "logits".
                            npz: x_a [1,3,32,40], x_b [2,3,24,28] and every tap for both (<tap>__a, <tap>__b);
                            grad = d/d grad_x of sum(logits * grad_wl) + sum(layer2 * grad_w2), where grad_x is
                            the top-left 16x20 crop of x_a and grad_wl [1,10], grad_w2 [1,16,2,3] are random.
  ops13.onnx / .npz         one graph (opset 13, built with onnx.helper) with one branch per op case,
                            each branch output a tap named after the case; see OPS13 below. Initializers mix
                            raw_data, typed float_data, float16 (raw), double (typed double_data) and int64
                            (typed int64_data); some initializers are also listed as graph inputs.
  ops_legacy.onnx / .npz    the same idea at opset 6 (attribute forms: Add broadcast/axis, Clip min/max,
                            Pad pads/mode/value, Dropout is_test/ratio, BatchNormalization spatial/is_test,
                            Gemm broadcast) plus opset-6 MaxPool/AveragePool without ceil_mode.
  ops*_a.npz / ops*_b.npz hold the input "x" ([1,3,9,11] and [2,3,7,8]) and every tap's golden.
  Goldens of ops*.onnx come from PyTorch functional ops in float64 on the float32 values stored in the
  files, written from the ONNX operator definitions (explicit padding for auto_pad, etc.).

Self-checks: the VGG weights equal those of the committed .h5 files; every ONNX file passes
onnx.checker; the torchvision exports are cross-checked against the functional VGG of
generate_vgg_golden.py; the zoo-style graphs are re-evaluated here by a tiny interpreter written from
the ONNX file (not from the PyTorch module) and must equal the PyTorch logits.
"""
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_vgg19_shaped as shaped  # noqa: E402
import generate_vgg_golden as vg  # noqa: E402

RES = os.path.normpath(os.path.join(HERE, "..", "resources", "org", "perceptual4j"))
OUT_VGG = os.path.join(RES, "vgg")
OUT_ONNX = os.path.join(RES, "onnx")
GOLD_VGG = os.path.join(OUT_VGG, "golden")

CLASSIFIER = (8, 8, 5)     # hidden, hidden, classes of the small VGG classifiers
SEED_CLASSIFIER = 303
SEED_RESNET = 404
SEED_OPS = 505
ZOO_FLATTEN = {19: (72, 77, 82), 16: (60, 65, 70)}   # mx2onnx's flatten node numbers in vgg19-7/vgg16-7

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- helpers

def t64(a):
    return torch.from_numpy(np.asarray(a, dtype=np.float64))


def save_model(model, path):
    onnx.checker.check_model(model)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    onnx.save(model, path)
    return path


def formula_input(h, w):
    """x[0,c,i,j] = sin(0.05 i + 0.07 j + c), float32 (the Java test computes the same)."""
    c, i, j = np.meshgrid(np.arange(3), np.arange(h), np.arange(w), indexing="ij")
    return np.sin(0.05 * i + 0.07 * j + c)[None].astype(np.float32)


# ----------------------------------------------------------------------------- VGG

def vgg_cfg(depth):
    cfg = []
    for b, n in enumerate(shaped.CONVS_PER_BLOCK[depth]):
        cfg += [vg.WIDTHS[b]] * n + ["M"]
    return cfg


def torchvision_features(depth, w):
    from torchvision.models.vgg import make_layers
    net = make_layers(vgg_cfg(depth)).float()
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    names = ["conv%d_%d" % k for k in shaped.conv_names(depth)]
    with torch.no_grad():
        for m, nm in zip(convs, names):
            kernel, bias = w[nm]
            m.weight.copy_(torch.from_numpy(kernel.transpose(3, 2, 0, 1).copy()))
            m.bias.copy_(torch.from_numpy(bias))
    return net.eval()


def classifier_weights(depth):
    rng = np.random.RandomState(SEED_CLASSIFIER + depth)
    dims = (vg.WIDTHS[-1] * 7 * 7,) + CLASSIFIER
    out = []
    for i in range(3):
        wt = (rng.standard_normal((dims[i + 1], dims[i])) * np.sqrt(2.0 / dims[i])).astype(np.float32)
        b = (rng.standard_normal((dims[i + 1],)) * 0.1).astype(np.float32)
        out.append((wt, b))
    return out


def torchvision_vgg(depth, w):
    from torchvision.models.vgg import VGG
    model = VGG(torchvision_features(depth, w), num_classes=CLASSIFIER[-1], init_weights=False)
    cls = classifier_weights(depth)
    model.classifier = nn.Sequential(
        nn.Linear(vg.WIDTHS[-1] * 49, CLASSIFIER[0]), nn.ReLU(True), nn.Dropout(),
        nn.Linear(CLASSIFIER[0], CLASSIFIER[1]), nn.ReLU(True), nn.Dropout(),
        nn.Linear(CLASSIFIER[1], CLASSIFIER[2]))
    with torch.no_grad():
        for lin, (wt, b) in zip([m for m in model.classifier if isinstance(m, nn.Linear)], cls):
            lin.weight.copy_(torch.from_numpy(wt))
            lin.bias.copy_(torch.from_numpy(b))
    return model.float().eval()


def logits64(depth, w, x):
    """Classifier output of the small VGG in float64 from the float32 weights (the golden)."""
    tw = vg.torch_weights(w)
    f = vg.vgg_forward(t64(x), tw, depth, "max")["pool5"]
    f = F.adaptive_avg_pool2d(f, 7).flatten(1)
    cls = classifier_weights(depth)
    for i, (wt, b) in enumerate(cls):
        f = f @ t64(wt).T + t64(b)
        if i < 2:
            f = F.relu(f)
    return f.numpy()


def export_features(depth, w, path):
    net = torchvision_features(depth, w)
    torch.onnx.export(net, torch.zeros(1, 3, 32, 40, dtype=torch.float32), path, opset_version=13,
                      input_names=["input"], output_names=["features"],
                      dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"},
                                    "features": {0: "batch", 2: "h", 3: "w"}})
    return net


def export_full(depth, w, path):
    model = torchvision_vgg(depth, w)
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224, dtype=torch.float32), path, opset_version=11,
                      input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})
    return model


def zoo_model(depth, w):
    """The vgg19-7.onnx / vgg16-7.onnx layout (see the module docstring), with our small weights."""
    nodes, inits, inputs = [], [], [helper.make_tensor_value_info("data", TensorProto.FLOAT, [1, 3, 224, 224])]

    def init(name, arr):
        # mx2onnx: helper.make_tensor(..., vals=arr.flatten().tolist(), raw=False) -> typed float_data
        inits.append(helper.make_tensor(name, TensorProto.FLOAT, arr.shape, arr.flatten().tolist(), raw=False))
        inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, arr.shape))

    x, k, pool = "data", 0, 0
    for b, n in enumerate(shaped.CONVS_PER_BLOCK[depth], start=1):
        for i in range(1, n + 1):
            kernel, bias = w["conv%d_%d" % (b, i)]
            init("vgg0_conv%d_weight" % k, kernel.transpose(3, 2, 0, 1).copy())
            init("vgg0_conv%d_bias" % k, bias)
            conv = "vgg0_conv%d_fwd" % k
            nodes.append(helper.make_node("Conv", [x, "vgg0_conv%d_weight" % k, "vgg0_conv%d_bias" % k], [conv],
                                          name=conv, kernel_shape=[3, 3], strides=[1, 1], dilations=[1, 1],
                                          pads=[1, 1, 1, 1], group=1))
            relu = "vgg0_relu%d_fwd" % k
            nodes.append(helper.make_node("Relu", [conv], [relu], name=relu))
            x, k = relu, k + 1
        p = "vgg0_pool%d_fwd" % pool
        nodes.append(helper.make_node("MaxPool", [x], [p], name=p, kernel_shape=[2, 2], pads=[0, 0, 0, 0],
                                      strides=[2, 2]))
        x, pool = p, pool + 1
    for d, ((wt, bias), fl) in enumerate(zip(classifier_weights(depth), ZOO_FLATTEN[depth])):
        flat = "flatten_%d" % fl
        nodes.append(helper.make_node("Flatten", [x], [flat], name=flat))
        init("vgg0_dense%d_weight" % d, wt)
        init("vgg0_dense%d_bias" % d, bias)
        dense = "vgg0_dense%d_fwd" % d
        nodes.append(helper.make_node("Gemm", [flat, "vgg0_dense%d_weight" % d, "vgg0_dense%d_bias" % d], [dense],
                                      name=dense, alpha=1.0, beta=1.0, transA=False, transB=True))
        x = dense
        if d < 2:
            relu = "vgg0_dense%d_relu_fwd" % d
            drop = "vgg0_dropout%d_fwd" % d
            nodes.append(helper.make_node("Relu", [dense], [relu], name=relu))
            nodes.append(helper.make_node("Dropout", [relu], [drop], name=drop, ratio=0.5))
            x = drop
    graph = helper.make_graph(nodes, "mxnet_converted_model", inputs,
                              [helper.make_tensor_value_info(x, TensorProto.FLOAT, [1, CLASSIFIER[-1]])])
    graph.initializer.extend(inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 7)])
    model.ir_version = 3
    return model


def interpret(model, x):
    """A tiny float64 interpreter of the zoo-style graphs, written from the ONNX file itself."""
    vals = {i.name: numpy_helper.to_array(i).astype(np.float64) for i in model.graph.initializer}
    vals[model.graph.input[0].name] = x.astype(np.float64)
    for n in model.graph.node:
        a = {at.name: helper.get_attribute_value(at) for at in n.attribute}
        i = [vals[v] for v in n.input]
        if n.op_type == "Conv":
            assert a["group"] == 1 and a["dilations"] == [1, 1]
            p = a["pads"]
            y = F.conv2d(F.pad(t64(i[0]), (p[1], p[3], p[0], p[2])), t64(i[1]), t64(i[2]), stride=a["strides"])
        elif n.op_type == "Relu":
            y = F.relu(t64(i[0]))
        elif n.op_type == "MaxPool":
            assert a["pads"] == [0, 0, 0, 0]
            y = F.max_pool2d(t64(i[0]), a["kernel_shape"], a["strides"])
        elif n.op_type == "Flatten":
            y = t64(i[0]).reshape(i[0].shape[0], -1)
        elif n.op_type == "Gemm":
            assert a["transB"] == 1 and a.get("transA", 0) == 0
            y = a["alpha"] * t64(i[0]) @ t64(i[1]).T + a["beta"] * t64(i[2])
        elif n.op_type == "Dropout":
            y = t64(i[0])
        else:
            raise ValueError(n.op_type)
        vals[n.output[0]] = y.numpy()
    return vals[model.graph.output[0].name]


def vgg_files():
    w19 = shaped.make_weights(19, vg.WIDTHS, vg.SEED_VGG19)
    w16 = shaped.make_weights(16, vg.WIDTHS, vg.SEED_VGG16)
    for depth, w in ((19, w19), (16, w16)):
        on_disk = shaped.read_keras_conv_weights(os.path.join(OUT_VGG, "tiny_vgg%d_notop.h5" % depth))
        for k, (kernel, bias) in w.items():
            assert np.array_equal(on_disk[k][0], kernel) and np.array_equal(on_disk[k][1], bias), (depth, k)
    x_net = np.load(os.path.join(GOLD_VGG, "x_net.npy"))
    written = []

    p = os.path.join(OUT_VGG, "tiny_vgg19_features.onnx")
    net = export_features(19, w19, p)
    written.append(save_model(onnx.load(p), p))
    with torch.no_grad():
        got = net.double()(t64(x_net)).numpy()
    ref = np.load(os.path.join(GOLD_VGG, "feat_pool5.npy"))
    assert np.allclose(got, ref, rtol=1e-5, atol=1e-5 * np.abs(ref).max()), "torchvision features vs golden"
    m = onnx.load(p)
    assert [n.op_type for n in m.graph.node].count("Conv") == 16 and m.opset_import[0].version == 13
    assert m.graph.initializer[0].raw_data and m.graph.input[0].name == "input" and len(m.graph.input) == 1

    x224 = formula_input(224, 224)
    p = os.path.join(OUT_VGG, "tiny_vgg19_full.onnx")
    model = export_full(19, w19, p)
    written.append(save_model(onnx.load(p), p))
    full_logits = logits64(19, w19, x224)
    with torch.no_grad():
        got = model.double()(t64(x224)).numpy()
    assert np.allclose(got, full_logits, rtol=1e-10, atol=1e-10), "torchvision VGG vs functional"
    m = onnx.load(p)
    ops = [n.op_type for n in m.graph.node]
    assert "Gemm" in ops and "Flatten" in ops and ops.count("Conv") == 16, ops
    np.save(os.path.join(GOLD_VGG, "onnx_vgg_logits_full.npy"), full_logits.astype(np.float32))
    written.append(os.path.join(GOLD_VGG, "onnx_vgg_logits_full.npy"))

    for depth, w, suffix in ((19, w19, ""), (16, w16, "16")):
        model = zoo_model(depth, w)
        p = save_model(model, os.path.join(OUT_VGG, "tiny_vgg%d_zoo.onnx" % depth))
        written.append(p)
        ref = logits64(depth, w, x224)
        got = interpret(onnx.load(p), x224)
        assert np.allclose(got, ref, rtol=1e-9, atol=1e-9), "zoo graph interpreter vs PyTorch"
        m = onnx.load(p)
        assert m.ir_version == 3 and m.opset_import[0].version == 7 and not m.graph.initializer[0].raw_data
        assert len(m.graph.input) == 1 + len(m.graph.initializer)
        g = os.path.join(GOLD_VGG, "onnx_vgg%s_logits_zoo.npy" % suffix)
        np.save(g, ref.astype(np.float32))
        written.append(g)
    return written


# ----------------------------------------------------------------------------- ResNet-shaped

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride, se):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
        self.se = None
        if se:
            self.se = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(cout, 4, 1), nn.ReLU6(),
                                    nn.Conv2d(4, cout, 1), nn.Sigmoid())
        self.leaky = se

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        if self.se is not None:
            y = y * self.se(y)
        s = x if self.down is None else self.down(x)
        y = y + s
        return F.leaky_relu(y, 0.1) if self.leaky else F.relu(y)


class TinyResNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = BasicBlock(8, 8, 1, se=False)
        self.layer2 = BasicBlock(8, 16, 2, se=True)
        self.fc = nn.Linear(16, 10)

    def forward(self, x):
        stem = self.pool(F.relu(self.bn1(self.conv1(x))))
        l1 = self.layer1(stem)
        l2 = self.layer2(l1)
        logits = self.fc(torch.flatten(F.adaptive_avg_pool2d(l2, 1), 1))
        return stem, l1, l2, logits


def tiny_resnet():
    torch.manual_seed(SEED_RESNET)
    rng = np.random.RandomState(SEED_RESNET)
    net = TinyResNet().float()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.from_numpy((rng.standard_normal(m.weight.shape) * np.sqrt(2.0 / fan_in))
                                                .astype(np.float32)))
                if m.bias is not None:
                    m.bias.copy_(torch.from_numpy((rng.standard_normal(m.bias.shape) * 0.1).astype(np.float32)))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(torch.from_numpy(rng.uniform(0.5, 1.5, c).astype(np.float32)))
                m.bias.copy_(torch.from_numpy((rng.standard_normal(c) * 0.2).astype(np.float32)))
                m.running_mean.copy_(torch.from_numpy((rng.standard_normal(c) * 0.3).astype(np.float32)))
                m.running_var.copy_(torch.from_numpy(rng.uniform(0.5, 2.0, c).astype(np.float32)))
            elif isinstance(m, nn.Linear):
                m.weight.copy_(torch.from_numpy((rng.standard_normal(m.weight.shape) * 0.25).astype(np.float32)))
                m.bias.copy_(torch.from_numpy((rng.standard_normal(m.bias.shape) * 0.1).astype(np.float32)))
    return net.eval()


RESNET_TAPS = ("stem", "layer1", "layer2", "logits")


def resnet_files():
    net = tiny_resnet()
    os.makedirs(OUT_ONNX, exist_ok=True)
    p = os.path.join(OUT_ONNX, "tiny_resnet.onnx")
    dyn = {"x": {0: "batch", 2: "height", 3: "width"}}
    dyn.update({t: {0: "batch"} for t in RESNET_TAPS})
    torch.onnx.export(net, torch.zeros(1, 3, 32, 40, dtype=torch.float32), p, opset_version=13,
                      training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=True,
                      input_names=["x"], output_names=list(RESNET_TAPS), dynamic_axes=dyn)
    save_model(onnx.load(p), p)
    m = onnx.load(p)
    ops = {n.op_type for n in m.graph.node}
    need = {"Conv", "BatchNormalization", "Relu", "MaxPool", "Add", "GlobalAveragePool", "Flatten", "Gemm",
            "Clip", "Sigmoid", "Mul", "LeakyRelu"}
    assert need <= ops, (need - ops, ops)
    rng = np.random.RandomState(SEED_RESNET + 1)
    data = {"x_a": rng.standard_normal((1, 3, 32, 40)).astype(np.float32),
            "x_b": rng.standard_normal((2, 3, 24, 28)).astype(np.float32)}
    ref = net.double()
    for suffix in ("a", "b"):
        with torch.no_grad():
            outs = ref(t64(data["x_" + suffix]))
        for t, o in zip(RESNET_TAPS, outs):
            data["%s__%s" % (t, suffix)] = o.numpy().astype(np.float32)
    # gradient golden: d/dx of sum(logits * grad_wl) + sum(layer2 * grad_w2) on a 16x20 crop of x_a
    data["grad_x"] = np.ascontiguousarray(data["x_a"][:, :, :16, :20])
    data["grad_wl"] = rng.standard_normal((1, 10)).astype(np.float32)
    data["grad_w2"] = rng.standard_normal((1, 16, 2, 3)).astype(np.float32)
    x = t64(data["grad_x"]).requires_grad_(True)
    _, _, l2, logits = ref(x)
    loss = (logits * t64(data["grad_wl"])).sum() + (l2 * t64(data["grad_w2"])).sum()
    (g,) = torch.autograd.grad(loss, x)
    data["grad"] = g.numpy().astype(np.float32)
    npz = os.path.join(OUT_ONNX, "tiny_resnet.npz")
    np.savez(npz, **data)
    return [p, npz]


# ----------------------------------------------------------------------------- op cases

class GraphBuilder:
    """Collects nodes, initializers and goldens for a multi-branch op-test graph."""

    def __init__(self, rng):
        self.rng = rng
        self.nodes, self.inits, self.extra_inputs = [], [], []
        self.refs = {}   # tap -> function(x64) -> torch tensor
        self.count = 0

    def weight(self, name, shape, scale=0.5, encoding="raw", dtype=np.float32, as_input=False):
        arr = (self.rng.standard_normal(shape) * scale).astype(dtype)
        self.constant(name, arr, encoding, as_input)
        return arr.astype(np.float32) if dtype == np.float16 else arr

    def constant(self, name, arr, encoding="raw", as_input=False):
        arr = np.asarray(arr)
        if encoding == "raw":
            t = numpy_helper.from_array(arr, name)
        else:  # typed fields: float_data / double_data / int64_data
            kind = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE,
                    np.dtype(np.int64): TensorProto.INT64}[arr.dtype]
            t = helper.make_tensor(name, kind, arr.shape, arr.flatten().tolist(), raw=False)
        self.inits.append(t)
        if as_input:
            self.extra_inputs.append(helper.make_tensor_value_info(name, t.data_type, arr.shape))
        return name

    def node(self, op, inputs, outputs=None, **attrs):
        self.count += 1
        outputs = outputs or ["%s_%d" % (op.lower(), self.count)]
        self.nodes.append(helper.make_node(op, inputs, outputs, name="%s_node%d" % (op, self.count), **attrs))
        return outputs[0]

    def tap(self, name, ref):
        self.refs[name] = ref

    def model(self, opset):
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["n", 3, "h", "w"])
        with torch.no_grad():
            ranks = {t: ref(torch.zeros(1, 3, 9, 11)).dim() for t, ref in self.refs.items()}
        outputs = [helper.make_tensor_value_info(t, TensorProto.FLOAT, ["%s_d%d" % (t, i) for i in range(r)])
                   for t, r in ranks.items()]
        inputs = [x] + self.extra_inputs
        if opset < 9:  # IR version 3: every initializer must also be a graph input
            listed = {i.name for i in inputs}
            inputs += [helper.make_tensor_value_info(t.name, t.data_type, t.dims) for t in self.inits
                       if t.name not in listed]
        graph = helper.make_graph(self.nodes, "ops", inputs, outputs)
        graph.initializer.extend(self.inits)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)], producer_name="perceptual4j-tests")
        model.ir_version = 7 if opset >= 13 else 3
        return model


def same_pads(size, k, s, d, lower):
    out = -(-size // s)
    total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
    small, big = total // 2, total - total // 2
    return (big, small) if lower else (small, big)


def conv_ref(x, w, b, stride=(1, 1), pads=(0, 0, 0, 0), dil=(1, 1), group=1):
    y = F.pad(x, (pads[1], pads[3], pads[0], pads[2]))
    return F.conv2d(y, t64(w), None if b is None else t64(b), stride=stride, dilation=dil, groups=group)


def ops13():
    g = GraphBuilder(np.random.RandomState(SEED_OPS))
    w1 = g.weight("w1", (6, 3, 3, 3))
    b1 = g.weight("b1", (6,), 0.1, encoding="typed")
    t1 = g.node("Conv", ["x", "w1", "b1"], ["t1"], pads=[1, 1, 1, 1])
    g.tap(t1, lambda x: conv_ref(x, w1, b1, pads=(1, 1, 1, 1)))
    base = lambda x: conv_ref(x, w1, b1, pads=(1, 1, 1, 1))  # noqa: E731

    wg = g.weight("wg", (6, 2, 3, 3), as_input=True)
    g.node("Conv", [t1, "wg"], ["conv_groups"], group=3, strides=[2, 1], pads=[1, 0, 1, 2])
    g.tap("conv_groups", lambda x: conv_ref(base(x), wg, None, (2, 1), (1, 0, 1, 2), group=3))

    wd = g.weight("wd", (12, 1, 3, 3))
    bd = g.weight("bd", (12,), 0.1)
    g.node("Conv", [t1, "wd", "bd"], ["conv_depthwise"], group=6, dilations=[2, 2], pads=[2, 2, 2, 2],
           kernel_shape=[3, 3])
    g.tap("conv_depthwise", lambda x: conv_ref(base(x), wd, bd, pads=(2, 2, 2, 2), dil=(2, 2), group=6))

    wsu = g.weight("wsu", (4, 3, 4, 4), encoding="typed")
    g.node("Conv", ["x", "wsu"], ["conv_same_upper"], auto_pad="SAME_UPPER", strides=[2, 2])

    def same_upper(x):
        ph, pw = same_pads(x.shape[2], 4, 2, 1, False), same_pads(x.shape[3], 4, 2, 1, False)
        return conv_ref(x, wsu, None, (2, 2), (ph[0], pw[0], ph[1], pw[1]))
    g.tap("conv_same_upper", same_upper)

    wsl = g.weight("wsl", (4, 3, 2, 3), dtype=np.float16)          # float16 initializer (raw_data)
    g.node("Conv", ["x", "wsl"], ["conv_same_lower"], auto_pad="SAME_LOWER")

    def same_lower(x):
        ph, pw = same_pads(x.shape[2], 2, 1, 1, True), same_pads(x.shape[3], 3, 1, 1, True)
        return conv_ref(x, wsl, None, (1, 1), (ph[0], pw[0], ph[1], pw[1]))
    g.tap("conv_same_lower", same_lower)

    wv = g.weight("wv", (4, 3, 3, 3))
    g.node("Conv", ["x", "wv"], ["conv_valid_s2"], auto_pad="VALID", strides=[2, 2])
    g.tap("conv_valid_s2", lambda x: conv_ref(x, wv, None, (2, 2)))

    g.node("MaxPool", [t1], ["maxpool_ceil"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
    g.tap("maxpool_ceil", lambda x: F.max_pool2d(base(x), 3, 2, 1, ceil_mode=True))
    g.node("MaxPool", [t1], ["maxpool_dilated"], kernel_shape=[2, 2], dilations=[2, 2])
    g.tap("maxpool_dilated", lambda x: F.max_pool2d(base(x), 2, 1, 0, dilation=2))
    g.node("MaxPool", [t1], ["maxpool_same_upper"], kernel_shape=[3, 3], strides=[2, 2], auto_pad="SAME_UPPER")

    def maxpool_same(x):
        y = base(x)
        ph, pw = same_pads(y.shape[2], 3, 2, 1, False), same_pads(y.shape[3], 3, 2, 1, False)
        return F.max_pool2d(F.pad(y, (pw[0], pw[1], ph[0], ph[1]), value=-np.inf), 3, 2)
    g.tap("maxpool_same_upper", maxpool_same)

    g.node("AveragePool", [t1], ["avgpool_exclude"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    g.tap("avgpool_exclude", lambda x: F.avg_pool2d(base(x), 3, 2, 1, count_include_pad=False))
    g.node("AveragePool", [t1], ["avgpool_include_ceil"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
           count_include_pad=1, ceil_mode=1)
    g.tap("avgpool_include_ceil", lambda x: F.avg_pool2d(base(x), 3, 2, 1, ceil_mode=True, count_include_pad=True))
    g.node("AveragePool", [t1], ["avgpool_ceil"], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    g.tap("avgpool_ceil", lambda x: F.avg_pool2d(base(x), 2, 2, 0, ceil_mode=True, count_include_pad=False))

    gap = g.node("GlobalAveragePool", [t1], ["gap"])
    g.tap(gap, lambda x: base(x).mean((2, 3), keepdim=True))

    scale = g.weight("bn_scale", (6,), 1.0)
    bias = g.weight("bn_bias", (6,), 0.5)
    mean = g.weight("bn_mean", (6,), 0.5, encoding="typed", dtype=np.float64)   # double_data
    var = np.abs(g.rng.standard_normal(6)).astype(np.float32) + 0.5
    g.constant("bn_var", var)
    g.node("BatchNormalization", [t1, "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn"], epsilon=1e-3)
    g.tap("bn", lambda x: F.batch_norm(base(x), t64(mean), t64(var), t64(scale), t64(bias), False, 0.0, 1e-3))

    g.node("LeakyRelu", [t1], ["leaky"], alpha=0.2)
    g.tap("leaky", lambda x: F.leaky_relu(base(x), 0.2))
    g.constant("clip_min", np.array(-0.5, dtype=np.float32))
    g.node("Constant", [], ["clip_max"], value=numpy_helper.from_array(np.array(0.75, dtype=np.float32)))
    g.node("Clip", [t1, "clip_min", "clip_max"], ["clip"])
    g.tap("clip", lambda x: base(x).clamp(-0.5, 0.75))
    g.node("Clip", [t1, "clip_min"], ["clip_min_only"])
    g.tap("clip_min_only", lambda x: base(x).clamp(min=-0.5))
    g.node("Clip", [t1, "", "clip_max"], ["clip_max_only"])
    g.tap("clip_max_only", lambda x: base(x).clamp(max=0.75))
    # constants in other forms: Identity of a constant, Constant value_floats / value_ints (opset 12+),
    # a Reshape and an Add computed on constants only (folded when the file is loaded)
    g.node("Identity", ["clip_max"], ["clip_max_copy"])
    g.node("Clip", [t1, "", "clip_max_copy"], ["clip_identity_bound"])
    g.tap("clip_identity_bound", lambda x: base(x).clamp(max=0.75))
    vals = [0.5, -1.0, 0.25, 2.0, -0.75, 1.5]
    g.node("Constant", [], ["vec6"], value_floats=vals)
    g.node("Constant", [], ["shape611"], value_ints=[6, 1, 1])
    g.node("Reshape", ["vec6", "shape611"], ["vec611"])
    g.node("Add", ["vec611", "vec611"], ["vec611x2"])
    g.node("Add", [t1, "vec611x2"], ["add_folded_constant"])
    g.tap("add_folded_constant", lambda x: base(x) + 2 * torch.tensor(vals).reshape(6, 1, 1))
    g.node("Sigmoid", [t1], ["sigmoid"])
    g.tap("sigmoid", lambda x: torch.sigmoid(base(x)))

    c = g.weight("add_c", (6, 1, 1))
    g.node("Add", [t1, "add_c"], ["add_bcast"])
    g.tap("add_bcast", lambda x: base(x) + t64(c))
    g.node("Mul", [t1, gap], ["mul_bcast"])
    g.tap("mul_bcast", lambda x: base(x) * base(x).mean((2, 3), keepdim=True))
    s = g.weight("mul_s", (1,), 1.0, encoding="typed")
    g.node("Mul", ["mul_s", t1], ["mul_scalar_first"])
    g.tap("mul_scalar_first", lambda x: t64(s) * base(x))
    g.node("Add", [t1, t1], ["add_same"])
    g.tap("add_same", lambda x: base(x) * 2)
    g.node("Concat", [t1, "x"], ["concat"], axis=1)
    g.tap("concat", lambda x: torch.cat([base(x), x], 1))
    g.node("Concat", ["x", t1], ["concat_neg_axis"], axis=-3)
    g.tap("concat_neg_axis", lambda x: torch.cat([x, base(x)], 1))

    g.constant("pads_c", np.array([0, 0, 1, 2, 0, 0, 3, 0], dtype=np.int64), encoding="typed")   # int64_data
    g.constant("pad_value", np.array(0.5, dtype=np.float32))
    g.node("Pad", ["x", "pads_c", "pad_value"], ["pad_constant"])
    g.tap("pad_constant", lambda x: F.pad(x, (2, 0, 1, 3), value=0.5))
    g.constant("pads_r", np.array([0, 0, 2, 1, 0, 0, 1, 2], dtype=np.int64))
    g.node("Pad", ["x", "pads_r"], ["pad_reflect"], mode="reflect")
    g.tap("pad_reflect", lambda x: F.pad(x, (1, 2, 2, 1), mode="reflect"))
    g.node("Pad", [t1, "pads_r"], ["pad_edge"], mode="edge")
    g.tap("pad_edge", lambda x: F.pad(base(x), (1, 2, 2, 1), mode="replicate"))

    g.node("Flatten", [t1], ["flatten_axis2"], axis=2)
    g.tap("flatten_axis2", lambda x: base(x).reshape(x.shape[0] * 6, -1))
    g.constant("shape_0m1", np.array([0, -1], dtype=np.int64), encoding="typed")
    r = g.node("Reshape", [gap, "shape_0m1"], ["reshape"])
    g.tap(r, lambda x: base(x).mean((2, 3)))
    bw = g.weight("gemm_b", (5, 6))
    bc = g.weight("gemm_c", (5,), 0.3)
    g.node("Gemm", [r, "gemm_b", "gemm_c"], ["gemm"], transB=1, alpha=0.5, beta=2.0)
    g.tap("gemm", lambda x: 0.5 * base(x).mean((2, 3)) @ t64(bw).T + 2.0 * t64(bc))
    aw = g.weight("gemm_a", (6, 5))
    g.node("Gemm", ["gemm_a", r], ["gemm_transA_dynamic_B"], transA=1, transB=1)
    g.tap("gemm_transA_dynamic_B", lambda x: t64(aw).T @ base(x).mean((2, 3)).T)
    mw = g.weight("matmul_w", (6, 3))
    g.node("MatMul", [r, "matmul_w"], ["matmul"])
    g.tap("matmul", lambda x: base(x).mean((2, 3)) @ t64(mw))
    g.constant("shape_023", np.array([0, 2, 3], dtype=np.int64))
    r3 = g.node("Reshape", [gap, "shape_023"], ["reshape3d"])
    mw3 = g.weight("matmul_w3", (3, 4))
    g.node("MatMul", [r3, "matmul_w3"], ["matmul3d"])
    g.tap("matmul3d", lambda x: base(x).mean((2, 3)).reshape(-1, 2, 3) @ t64(mw3))

    g.constant("ratio", np.array(0.3, dtype=np.float32))
    g.node("Dropout", [t1, "ratio"], ["dropout"])
    g.tap("dropout", base)
    g.node("Identity", [t1], ["identity"])
    g.tap("identity", base)
    return g, 13


def ops_legacy():
    g = GraphBuilder(np.random.RandomState(SEED_OPS + 1))
    w1 = g.weight("w1", (6, 3, 3, 3), as_input=True)
    b1 = g.weight("b1", (6,), 0.1, as_input=True)
    t1 = g.node("Conv", ["x", "w1", "b1"], ["t1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
    base = lambda x: conv_ref(x, w1, b1, pads=(1, 1, 1, 1))  # noqa: E731
    g.tap(t1, base)
    c = g.weight("add_c", (6,), 1.0, as_input=True)
    g.node("Add", [t1, "add_c"], ["add_legacy_axis"], broadcast=1, axis=1)
    g.tap("add_legacy_axis", lambda x: base(x) + t64(c).reshape(1, 6, 1, 1))
    m = g.weight("mul_m", (6, 1), 1.0)
    g.node("Mul", [t1, "mul_m"], ["mul_legacy_axis"], broadcast=1, axis=1)
    g.tap("mul_legacy_axis", lambda x: base(x) * t64(m).reshape(1, 6, 1, 1))
    g.node("Clip", [t1], ["clip_attr"], min=0.0, max=0.6)
    g.tap("clip_attr", lambda x: base(x).clamp(0.0, 0.6))
    g.node("Clip", [t1], ["clip_attr_max_only"], max=0.6)
    g.tap("clip_attr_max_only", lambda x: base(x).clamp(max=0.6))
    g.node("Pad", ["x"], ["pad_attr"], pads=[0, 0, 2, 1, 0, 0, 1, 3], mode="constant", value=-1.5)
    g.tap("pad_attr", lambda x: F.pad(x, (1, 3, 2, 1), value=-1.5))
    g.node("Pad", [t1], ["pad_attr_reflect"], pads=[0, 0, 1, 1, 0, 0, 1, 1], mode="reflect")
    g.tap("pad_attr_reflect", lambda x: F.pad(base(x), (1, 1, 1, 1), mode="reflect"))
    g.node("Dropout", [t1], ["dropout_attr"], ratio=0.25, is_test=1)
    g.tap("dropout_attr", base)
    scale = g.weight("bn_scale", (6,), 1.0)
    bias = g.weight("bn_bias", (6,), 0.5)
    mean = g.weight("bn_mean", (6,), 0.5)
    var = np.abs(g.rng.standard_normal(6)).astype(np.float32) + 0.5
    g.constant("bn_var", var)
    g.node("BatchNormalization", [t1, "bn_scale", "bn_bias", "bn_mean", "bn_var"], ["bn_legacy"],
           epsilon=1e-5, is_test=1, spatial=1, momentum=0.9)
    g.tap("bn_legacy", lambda x: F.batch_norm(base(x), t64(mean), t64(var), t64(scale), t64(bias), False, 0.0, 1e-5))
    g.node("MaxPool", [t1], ["maxpool_legacy"], kernel_shape=[2, 2], strides=[2, 2])
    g.tap("maxpool_legacy", lambda x: F.max_pool2d(base(x), 2, 2))
    g.node("AveragePool", [t1], ["avgpool_legacy"], kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1])
    g.tap("avgpool_legacy", lambda x: F.avg_pool2d(base(x), 3, 1, 1, count_include_pad=False))
    gap = g.node("GlobalAveragePool", [t1], ["gap"])
    flat = g.node("Flatten", [gap], ["flat"])
    bw = g.weight("gemm_b", (6, 4))
    bc = g.weight("gemm_c", (4,), 0.3)
    g.node("Gemm", [flat, "gemm_b", "gemm_c"], ["gemm_legacy"], broadcast=1, alpha=1.0, beta=1.0)
    g.tap("gemm_legacy", lambda x: base(x).mean((2, 3)) @ t64(bw) + t64(bc))
    g.node("LeakyRelu", [t1], ["leaky_default"])
    g.tap("leaky_default", lambda x: F.leaky_relu(base(x), 0.01))
    return g, 6


def ops_files():
    written = []
    for name, make in (("ops13", ops13), ("ops_legacy", ops_legacy)):
        g, opset = make()
        p = save_model(g.model(opset), os.path.join(OUT_ONNX, name + ".onnx"))
        written.append(p)
        rng = np.random.RandomState(SEED_OPS + 7)
        for suffix, shape in (("a", (1, 3, 9, 11)), ("b", (2, 3, 7, 8))):
            data = {"x": rng.standard_normal(shape).astype(np.float32)}
            for tap, ref in g.refs.items():
                with torch.no_grad():
                    data[tap] = ref(t64(data["x"])).numpy().astype(np.float32)
            npz = os.path.join(OUT_ONNX, "%s_%s.npz" % (name, suffix))
            np.savez(npz, **data)
            written.append(npz)
    return written


def full_size(out_dir):
    """Full-size VGG19 ONNX files with random weights, for measuring import time and memory (not committed).

    vgg19_features.onnx: torchvision vgg19().features (80 MB of convolution weights), dynamic H/W;
    vgg19_full.onnx: the whole torchvision vgg19() with its 1000-class classifier (548 MB), 224x224.
    """
    import torchvision
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    model = torchvision.models.vgg19().float().eval()   # random init, no download
    p1 = os.path.join(out_dir, "vgg19_features.onnx")
    torch.onnx.export(model.features, torch.zeros(1, 3, 64, 64, dtype=torch.float32), p1, opset_version=13,
                      input_names=["input"], dynamic_axes={"input": {0: "batch", 2: "height", 3: "width"}})
    p2 = os.path.join(out_dir, "vgg19_full.onnx")
    torch.onnx.export(model, torch.zeros(1, 3, 224, 224, dtype=torch.float32), p2, opset_version=13,
                      input_names=["input"])
    for p in (p1, p2):
        print("wrote %s (%d bytes)" % (p, os.path.getsize(p)))


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--full-size":
        full_size(sys.argv[2])
        return
    written = vgg_files() + resnet_files() + ops_files()
    sizes = {os.path.relpath(f, RES): os.path.getsize(f) for f in written}
    biggest = max(sizes, key=sizes.get)
    assert sizes[biggest] < 150_000, (biggest, sizes[biggest])
    print("onnx golden: %d files, %.1f KB in total, largest %s (%.1f KB); checks passed" % (
        len(written), sum(sizes.values()) / 1024.0, biggest, sizes[biggest] / 1024.0))


if __name__ == "__main__":
    main()
