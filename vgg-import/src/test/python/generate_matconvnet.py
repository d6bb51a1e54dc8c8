#!/usr/bin/python3
"""MatConvNet test fixtures for the Java importer: small random-weight VGG .mat files and PyTorch goldens.

Run with Debian's python (numpy, scipy >= 1.10 [apt-get install python3-scipy], torch 1.13, h5py):
    /usr/bin/python3 vgg-import/src/test/python/generate_matconvnet.py
        writes the committed fixtures into
        vgg-import/src/test/resources/org/perceptual4j/vgg/matconvnet/ (see README.md there)
    /usr/bin/python3 vgg-import/src/test/python/generate_matconvnet.py --full-size /tmp/vgg19_full.mat
        writes a VGG19 file with EXACTLY the shapes of imagenet-vgg-verydeep-19.mat (convolutions
        64..512 wide, fc6 7x7x512x4096, fc7 1x1x4096x4096, fc8 1x1x4096x1000: 574.7 MB of float32
        random weights, compressed like MATLAB's -v7 files) for measuring load time and memory.
        NOT committed. Takes about a minute and ~3 GB of memory.
Deterministic: re-running rewrites byte-identical files (the header's date is replaced).

WHAT A MATCONVNET VGG FILE IS (from vlfeat/matconvnet utils/import-caffe.py and
matlab/simplenn/vl_simplenn_tidy.m; the files of the TensorFlow neural-style seeds):
  A MATLAB v5 MAT-file ("MATLAB 5.0 MAT-file" header; MATLAB's default -v7 compresses each variable).
  'layers': 1xN cell array, one struct per layer, in network order, with at least
      name  char, e.g. 'conv1_1', 'relu1_1', 'pool1', 'fc6', 'prob'
      type  char: 'conv' | 'relu' | 'pool' | 'dropout' | 'softmax' (fc6..fc8 are 'conv' layers)
      conv weights, either (newer, vl_simplenn_tidy) weights = 1x2 cell {filters, biases}
                    or (older, 2014 import) separate fields filters, biases
      filters: single [H W in out] (MATLAB dims). import-caffe.py reverses Caffe's (K, C, H, W) blob to
               (W, H, C, K) and then transposes the two spatial axes, so dimension 1 is the HEIGHT (Y):
               the array is HWIO, the order of Keras kernels and ND4J's YXIO, with no transpose.
               (anishathalye/neural-style's vgg.py transposes (1,0,2,3), which mirrors each 3x3
               kernel across its diagonal; this library follows MatConvNet's own definition.)
               conv1_1's input channels are RGB: import-caffe.py reverses Caffe's BGR channels.
      biases:  single, 1xK or Kx1.      pad: 1 or [1 1 1 1]; stride: 1 or [1 1] for VGG's 3x3 convs.
  Normalization, newer layout: meta.normalization.averageImage;  older layout: normalization.averageImage
  (top-level variable). averageImage is 1x1x3 (the mean pixel, --average-value) or an HxWx3 mean image;
  the mean pixel is its average over H and W, in RGB order: 123.68, 116.779, 103.939 for VGG.
  Image convention: RGB, values 0..255, minus that mean pixel (ImageConvention.MATCONVNET).

COMMITTED FIXTURES (same weights as the Keras fixtures of generate_vgg_golden.py, so that
MatConvNet-import features can be compared with Keras-import features):
  tiny_vgg19.mat      VGG19, block widths [4, 8, 12, 16, 16], the weights of ../tiny_vgg19_notop.h5
                      (make_weights(19, WIDTHS, 1919)) with conv1_1's input channels reversed (RGB),
                      exactly as import-caffe.py converts Caffe's model. NEWER layout: weights cells,
                      biases Kx1, meta.normalization.averageImage 1x1x3 single [123.68 116.779 103.939],
                      meta.classes, fc6 (1x1x16x10), relu6, fc7 (1x1x10x10), relu7, fc8 (1x1x10x5), prob
                      (softmax). Compressed.
  tiny_vgg16_old.mat  VGG16 with the weights of ../tiny_vgg16_notop.h5 (conv1_1 reversed to RGB). OLDER
                      layout: separate filters/biases fields (biases 1xK DOUBLE), top-level 'normalization'
                      with a 4x4x3 averageImage whose mean pixel is [120.5 115 101.25] (not the usual one:
                      the importer must read it), top-level 'classes', fc6..fc8, prob. Uncompressed.
  bad_*.mat: a VGG19 with every width 1 (newer layout, fc6 1x1x1x3, prob) and one defect each:
  bad_no_layers.mat          only a variable 'net' (a struct with a 'name' field): no 'layers'
  bad_no_weights.mat         conv1_1 has neither 'weights' nor 'filters'/'biases'
  bad_no_normalization.mat   no meta and no normalization variable (only layers and classes)
  bad_wrong_shape.mat        conv1_2 filters are 3x3x5x1 (conv1_1 has 1 output)
  bad_pad.mat                conv2_1 has pad [0 0 0 0]
  bad_too_few_convs.mat      block 1 only (conv1_1 relu1_1 conv1_2 relu1_2 pool1), then fc6, relu6 and prob
  (truncated and non-MAT files are made by the Java tests from these)
../formats/torch_conv.onnx, ../formats/zoo_style.onnx: small ONNX models (torch.onnx.export of a
  3->2 3x3 conv + relu, opset 13; onnx.helper model with ir_version 3, opset 7) for format detection.
golden/*.npy (float32, C order), PyTorch float64 on x_rgb = ../golden/x_rgb.npy (1x3x32x40, RGB [0,1]),
computed from the .mat files as READ BACK by scipy.io.loadmat (filters used as HWIO, mean pixel from
averageImage): net = x_rgb * 255 - mean_rgb;  conv 3x3 stride 1 pad 1 + bias, relu, 2x2/2 max pool (floor).
  vgg19_conv1_1 (1,4,32,40)  vgg19_relu3_1 (1,12,8,10)  vgg19_relu5_1 (1,16,2,2)
  vgg16_relu2_2 (1,8,16,20)  vgg16_relu5_3 (1,16,2,2)

Self-checks (exceptions abort): the .mat files read back give bit-identical weights; the MatConvNet
network on x_rgb*255-mean_rgb equals the Keras network of ../tiny_vgg*_notop.h5 on the same image in
BGR order (relative 1e-12); and reading the filters as [W H in out] (the seeds' transpose) changes the
goldens by more than 10 %, so a Java importer with the wrong axis order fails the tests.
"""
import argparse
import os
import sys

import numpy as np
import scipy.io
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_vgg19_shaped as shaped  # noqa: E402
import generate_vgg_golden as vg  # noqa: E402  (torch.set_default_dtype(float64) on import)

VGG_DIR = vg.OUT
OUT = os.path.join(VGG_DIR, "matconvnet")
GOLD = os.path.join(OUT, "golden")
FORMATS = os.path.join(VGG_DIR, "formats")
MEAN_VGG = np.array([123.68, 116.779, 103.939], dtype=np.float32)
MEAN_OLD = np.array([120.5, 115.0, 101.25])  # exact in binary: the Java side must print these exactly
FC_TINY = ((1, 1, 16, 10), (1, 1, 10, 10), (1, 1, 10, 5))
FC_FULL = ((7, 7, 512, 4096), (1, 1, 4096, 4096), (1, 1, 4096, 1000))
HEADER = b"MATLAB 5.0 MAT-file, written by Perceptual4J generate_matconvnet.py (random-weight test fixture)"


# ----------------------------------------------------------------------------- MATLAB values

def cell(items, shape=None):
    """A MATLAB cell array (numpy object array), 1xN by default."""
    c = np.empty((1, len(items)) if shape is None else shape, dtype=object)
    for i, v in enumerate(items):
        c.flat[i] = v
    return c


def row(values):
    return np.array([values], dtype=np.float64)


def mat_weights(weights, depth):
    """Keras (kernel HWIO, bias) -> MatConvNet (filters [H W in out], biases) with conv1_1 reversed to RGB."""
    out = {}
    for b, i in shaped.conv_names(depth):
        name = "conv%d_%d" % (b, i)
        kernel, bias = weights[name]
        if name == "conv1_1":
            kernel = kernel[:, :, ::-1, :]  # Caffe/Keras BGR input channels -> RGB
        out[name] = (np.ascontiguousarray(kernel, dtype=np.float32), bias)
    return out


def layer_list(mat_w, depth, layout, fc_shapes, rng):
    """MatConvNet simplenn layers (list of dicts = structs) in network order, including fc6..fc8 and prob."""
    layers = []

    def conv(name, filters, biases, pad):
        if layout == "new":
            d = {"name": name, "type": "conv", "weights": cell([filters, biases.reshape(-1, 1)]),
                 "size": row(list(filters.shape)), "pad": row([pad] * 4), "stride": row([1, 1]),
                 "precious": False, "dilate": 1.0, "opts": cell([], (1, 0))}
        else:
            d = {"type": "conv", "name": name, "filters": filters,
                 "biases": biases.reshape(1, -1).astype(np.float64), "stride": 1.0, "pad": float(pad)}
        layers.append(d)

    def simple(name, kind, **extra):
        d = {"name": name, "type": kind}
        if layout == "new":
            d.update({"precious": False, "weights": cell([], (1, 0))})
        d.update(extra)
        layers.append(d)

    for b, n in enumerate(shaped.CONVS_PER_BLOCK[depth], start=1):
        for i in range(1, n + 1):
            filters, biases = mat_w["conv%d_%d" % (b, i)]
            conv("conv%d_%d" % (b, i), filters, biases, 1)
            simple("relu%d_%d" % (b, i), "relu", leak=0.0)
        simple("pool%d" % b, "pool", method="max", pool=row([2, 2]), stride=row([2, 2]), pad=row([0, 0, 0, 0]))
    for k, shape in enumerate(fc_shapes, start=6):
        # random classifier weights: ignored by the importer, present like in the real file
        filters = rng.standard_normal(shape, dtype=np.float32) * np.float32(0.01)
        biases = rng.standard_normal(shape[3], dtype=np.float32) * np.float32(0.01)
        conv("fc%d" % k, filters, biases, 0)
        if k < 8:
            simple("relu%d" % k, "relu", leak=0.0)
    simple("prob", "softmax")
    return layers


def classes(n):
    return {"name": cell(["n%08d" % i for i in range(n)]), "description": cell(["class %d" % i for i in range(n)])}


def normalization(average_image):
    return {"imageSize": row([224, 224, 3]), "averageImage": average_image, "keepAspect": True,
            "border": row([32, 32]), "cropSize": 0.875, "interpolation": "bilinear"}


def old_average_image():
    """4x4x3 float32 mean image whose per-channel average is exactly MEAN_OLD (offsets k/8 summing to 0)."""
    offsets = (np.arange(16, dtype=np.float64) - 7.5) / 8.0  # sums to 0, multiples of 1/16
    img = np.empty((4, 4, 3), dtype=np.float32)
    for c in range(3):
        img[:, :, c] = (MEAN_OLD[c] + np.roll(offsets, 5 * c)).reshape(4, 4)
    assert np.array_equal(img.astype(np.float64).mean(axis=(0, 1)), MEAN_OLD)
    return img


def save_mat(path, variables, compress):
    """scipy.io.savemat, then a fixed header text instead of scipy's date so the file is reproducible."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    scipy.io.savemat(path, variables, do_compression=compress, oned_as="column")
    with open(path, "r+b") as f:
        head = f.read(116)
        assert head.startswith(b"MATLAB 5.0 MAT-file"), head
        f.seek(0)
        f.write(HEADER.ljust(116, b" "))


def network_file(path, mat_w, depth, layout, fc_shapes, seed, compress, mean_image):
    rng = np.random.default_rng(seed)
    variables = {"layers": cell(layer_list(mat_w, depth, layout, fc_shapes, rng))}
    n_classes = fc_shapes[-1][3]
    if layout == "new":
        variables["meta"] = {"inputs": {"name": "data", "size": row([224, 224, 3, 10])},
                             "classes": classes(n_classes), "normalization": normalization(mean_image)}
    else:
        variables["classes"] = classes(n_classes)
        variables["normalization"] = normalization(mean_image)
    save_mat(path, variables, compress)


# ----------------------------------------------------------------------------- reading back (independent path)

def read_mat(path):
    """(conv filters [(HWIO float32, bias)], mean pixel float64) of the first conv layers before 'fc6', via loadmat."""
    m = scipy.io.loadmat(path, struct_as_record=False, squeeze_me=False)
    layers = m["layers"]
    convs = []
    for k in range(layers.shape[1]):
        layer = layers[0, k][0, 0]
        if str(layer.type[0]) != "conv" or str(layer.name[0]).startswith("fc"):
            continue
        fields = layer._fieldnames
        if "weights" in fields:
            filters, biases = layer.weights[0, 0], layer.weights[0, 1]
        else:
            filters, biases = layer.filters, layer.biases
        convs.append((filters, biases.reshape(-1)))
    norm = m["meta"][0, 0].normalization[0, 0] if "meta" in m else m["normalization"][0, 0]
    avg = norm.averageImage.astype(np.float64)
    mean = avg.reshape(-1, 3).mean(axis=0)
    return convs, mean


def torch_net(convs, depth, transpose_hw=False):
    """{convB_I: (OIHW float64, bias)} from MatConvNet filters; transpose_hw reads them as [W H in out]."""
    tw = {}
    for (b, i), (filters, biases) in zip(shaped.conv_names(depth), convs):
        f = filters.transpose(1, 0, 2, 3) if transpose_hw else filters
        tw["conv%d_%d" % (b, i)] = (torch.from_numpy(f.transpose(3, 2, 0, 1).astype(np.float64)),
                                    torch.from_numpy(biases.astype(np.float64)))
    return tw


def rgb_net_input(x_rgb, mean):
    return torch.from_numpy(x_rgb.astype(np.float64) * 255.0 - mean.reshape(1, 3, 1, 1))


GOLDEN_LAYERS = {19: ("conv1_1", "relu3_1", "relu5_1"), 16: ("relu2_2", "relu5_3")}
FIXTURES = {19: ("tiny_vgg19.mat", "new", True, "tiny_vgg19_notop.h5", vg.SEED_VGG19),
            16: ("tiny_vgg16_old.mat", "old", False, "tiny_vgg16_notop.h5", vg.SEED_VGG16)}


def rel(a, b):
    return float(np.abs(a - b).max() / np.abs(b).max())


def goldens_and_checks(x_rgb):
    golden = {}
    for depth, (name, _, _, keras_name, _) in FIXTURES.items():
        convs, mean = read_mat(os.path.join(OUT, name))
        with torch.no_grad():
            feats = vg.vgg_forward(rgb_net_input(x_rgb, mean), torch_net(convs, depth), depth)
            # the Keras network of the same Caffe weights, on the same image in BGR order
            keras = vg.torch_weights(shaped.read_keras_conv_weights(os.path.join(VGG_DIR, keras_name)))
            bgr = rgb_net_input(x_rgb, mean)[:, [2, 1, 0]]
            kfeats = vg.vgg_forward(bgr, keras, depth)
            wrong = vg.vgg_forward(rgb_net_input(x_rgb, mean), torch_net(convs, depth, transpose_hw=True), depth)
        for layer in GOLDEN_LAYERS[depth]:
            ours = feats[layer].numpy()
            assert rel(kfeats[layer].numpy(), ours) < 1e-12, (name, layer, "differs from the Keras network")
            assert rel(wrong[layer].numpy(), ours) > 0.1, (name, layer, "H/W transpose not detectable")
            golden["vgg%d_%s" % (depth, layer)] = ours.astype(np.float32)
    return golden


def check_written(w19, w16):
    for depth, w in ((19, w19), (16, w16)):
        name = FIXTURES[depth][0]
        convs, mean = read_mat(os.path.join(OUT, name))
        expected = mat_w = mat_weights(w, depth)
        assert len(convs) == len(mat_w), (name, len(convs))
        for (filters, biases), key in zip(convs, expected):
            assert filters.dtype == np.float32 and np.array_equal(filters, mat_w[key][0]), (name, key)
            assert np.array_equal(biases.astype(np.float32), mat_w[key][1]), (name, key)
        expect_mean = MEAN_VGG.astype(np.float64) if depth == 19 else MEAN_OLD
        assert np.array_equal(mean, expect_mean), (name, mean)
    with open(os.path.join(OUT, "tiny_vgg19.mat"), "rb") as f:
        head = f.read(128)
        assert head.startswith(HEADER) and head[126:128] in (b"IM", b"MI")


# ----------------------------------------------------------------------------- bad files

def bad_files():
    """Small broken networks: VGG19 with every width 1 (a few hundred weights) plus one defect each."""
    mat_w = mat_weights(shaped.make_weights(19, (1, 1, 1, 1, 1), 5), 19)
    rng = np.random.default_rng(3)
    norm = {"meta": {"normalization": normalization(MEAN_VGG.reshape(1, 1, 3))}}
    whole = layer_list(mat_w, 19, "new", ((1, 1, 1, 3),), rng)
    files = {}
    files["bad_no_layers.mat"] = {"net": {"name": "not a network"}}
    no_weights = [dict(l) for l in whole]
    del no_weights[0]["weights"]
    files["bad_no_weights.mat"] = dict(norm, layers=cell(no_weights))
    files["bad_no_normalization.mat"] = {"layers": cell(whole), "classes": classes(3)}
    wrong = [dict(l) for l in whole]
    assert wrong[2]["name"] == "conv1_2"
    wrong[2]["weights"] = cell([rng.standard_normal((3, 3, 5, 1), dtype=np.float32), np.zeros((1, 1), np.float32)])
    files["bad_wrong_shape.mat"] = dict(norm, layers=cell(wrong))
    pad0 = [dict(l) for l in whole]
    assert pad0[5]["name"] == "conv2_1"
    pad0[5]["pad"] = row([0, 0, 0, 0])
    files["bad_pad.mat"] = dict(norm, layers=cell(pad0))
    files["bad_too_few_convs.mat"] = dict(norm, layers=cell(whole[:5] + whole[-3:]))  # block 1, fc6, relu6, prob
    for name, variables in files.items():
        save_mat(os.path.join(OUT, name), variables, compress=True)
    return list(files)


def onnx_samples():
    """Two small ONNX files for format detection: torch.onnx.export output and an onnx.helper model
    (ir_version 3, like the ONNX model zoo's vgg19-7.onnx)."""
    import onnx
    from onnx import TensorProto, helper
    os.makedirs(FORMATS, exist_ok=True)
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 2, 3, padding=1), torch.nn.ReLU()).float()
    torch.onnx.export(net, torch.zeros(1, 3, 8, 8, dtype=torch.float32), os.path.join(FORMATS, "torch_conv.onnx"),
                      input_names=["input"], output_names=["output"], opset_version=13)
    w = helper.make_tensor("w", TensorProto.FLOAT, (2, 3, 3, 3), np.linspace(-1, 1, 54).tolist())
    graph = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"], pads=[1, 1, 1, 1]),
                               helper.make_node("Relu", ["y"], ["z"])], "zoo_style",
                              [helper.make_tensor_value_info("x", TensorProto.FLOAT, (1, 3, 8, 8)),
                               helper.make_tensor_value_info("w", TensorProto.FLOAT, (2, 3, 3, 3))],
                              [helper.make_tensor_value_info("z", TensorProto.FLOAT, (1, 2, 8, 8))], [w])
    model = helper.make_model(graph, producer_name="perceptual4j-test", opset_imports=[helper.make_opsetid("", 7)])
    model.ir_version = 3
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(FORMATS, "zoo_style.onnx"))
    for name in ("torch_conv.onnx", "zoo_style.onnx"):
        m = onnx.load(os.path.join(FORMATS, name))
        onnx.checker.check_model(m)
        with open(os.path.join(FORMATS, name), "rb") as f:
            assert f.read(1) == b"\x08", name  # ir_version first
    return ["torch_conv.onnx", "zoo_style.onnx"]


# ----------------------------------------------------------------------------- main

def readme(golden, bad):
    doc = __doc__
    start = doc.index("WHAT A MATCONVNET")
    lines = ["# MatConvNet test fixtures", "",
             "Generated by `vgg-import/src/test/python/generate_matconvnet.py`; do not edit, re-run it.", "",
             "```", doc[start:].strip(), "```", "", "| golden file | shape |", "|---|---|"]
    lines += ["| golden/%s.npy | %s |" % (k, tuple(v.shape)) for k, v in sorted(golden.items())]
    lines += ["", "Bad files: " + ", ".join(bad) + ".", ""]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--full-size", metavar="PATH", help="write a full-size random VGG19 .mat to PATH and stop")
    p.add_argument("--uncompressed", action="store_true", help="with --full-size: do not compress")
    a = p.parse_args(argv)
    if a.full_size:
        w = shaped.make_weights(19, shaped.FULL_WIDTHS, 0)
        network_file(a.full_size, mat_weights(w, 19), 19, "new", FC_FULL, 0, not a.uncompressed,
                     MEAN_VGG.reshape(1, 1, 3))
        print("wrote %s (%d bytes)" % (a.full_size, os.path.getsize(a.full_size)))
        return 0

    w19 = shaped.make_weights(19, vg.WIDTHS, vg.SEED_VGG19)
    w16 = shaped.make_weights(16, vg.WIDTHS, vg.SEED_VGG16)
    # the committed Keras fixtures must hold these very weights (same generator, same seeds)
    for depth, w in ((19, w19), (16, w16)):
        r = shaped.read_keras_conv_weights(os.path.join(VGG_DIR, FIXTURES[depth][3]))
        assert all(np.array_equal(r[k][0], w[k][0]) and np.array_equal(r[k][1], w[k][1]) for k in w), depth
    network_file(os.path.join(OUT, "tiny_vgg19.mat"), mat_weights(w19, 19), 19, "new", FC_TINY, 19, True,
                 MEAN_VGG.reshape(1, 1, 3))
    network_file(os.path.join(OUT, "tiny_vgg16_old.mat"), mat_weights(w16, 16), 16, "old", FC_TINY, 16, False,
                 old_average_image())
    bad = bad_files()
    onnx_files = onnx_samples()
    check_written(w19, w16)

    x_rgb = np.load(os.path.join(vg.GOLD, "x_rgb.npy"))
    golden = goldens_and_checks(x_rgb)
    os.makedirs(GOLD, exist_ok=True)
    for k, v in golden.items():
        np.save(os.path.join(GOLD, k + ".npy"), np.ascontiguousarray(v))
    with open(os.path.join(OUT, "README.md"), "w") as f:
        f.write(readme(golden, bad))
    size = sum(os.path.getsize(os.path.join(d, f)) for d in (OUT, GOLD) for f in os.listdir(d)
               if os.path.isfile(os.path.join(d, f)))
    print("matconvnet fixtures: %d .mat, %d goldens in %s, %.1f KB, %d ONNX samples; checks passed (read back "
          "bit-identical, = Keras network on BGR input, H/W transpose detectable)" % (
              2 + len(bad), len(golden), os.path.relpath(OUT), size / 1024.0, len(onnx_files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
