#!/usr/bin/python3
"""Reference outputs for the Java VGG importer and the style-transfer objective (PyTorch).

Run with Debian's python (torch 1.13, h5py, numpy):
    /usr/bin/python3 vgg-import/src/test/python/generate_vgg_golden.py
Deterministic: re-running rewrites byte-identical files. Prints a one-line summary.
Writes into vgg-import/src/test/resources/org/perceptual4j/vgg/ :

Keras weight files (layout documented in generate_vgg19_shaped.py, which writes them):
  tiny_vgg19_notop.h5          VGG19, block widths [4, 8, 12, 16, 16], old naming
                               (blockB_convI/blockB_convI_W_1:0 kernel HWIO, .../blockB_convI_b_1:0 bias)
  tiny_vgg19_newnaming.h5      same weights, tf.keras naming (blockB_convI/blockB_convI/kernel:0, bias:0)
  tiny_vgg19_full.h5           same weights plus groups flatten (no weights), fc1 (16,10)+(10,),
                               fc2 (10,10)+(10,), predictions (10,5)+(5,) [datasets fc1_W_1:0, fc1_b_1:0, ...]
  tiny_vgg16_notop.h5          VGG16 (2,2,3,3,3 convs), widths [4, 8, 12, 16, 16], its own weights
  tiny_vgg19_wrong_shape.h5    tiny_vgg19_notop with block3_conv1 kernel of shape (3,3,7,12) instead of (3,3,8,12)
  tiny_vgg19_missing_block5.h5 tiny_vgg19_notop without the block5_* groups (also removed from layer_names)
  tiny_vgg19_renamed.h5        tiny_vgg19_notop with Keras auto names: conv2d_1..conv2d_16 (datasets
                               conv2d_K_W_1:0 / conv2d_K_b_1:0) and max_pooling2d_1..max_pooling2d_5
Random weights: see generate_vgg19_shaped.make_weights (He normal, conv1_1 x 1/8, bias std 0.25).
Images: content/style/style2 are smooth-ish random images (bilinear upsampling of 5x6 / 8x10 / 3x4
uniform noise plus Gaussian grain of std 0.04 / 0.1 / 0.2, clipped to [0,1]); x_rgb is uniform noise.
With these, every default term matters: content ~5e2, style 1e2..3e4, tv ~4e4.

golden/*.npy (numpy.save, float32, C order) -- computed in float64 from the float32 values that
are stored in the files above (weights, images, x_net), then cast to float32. See golden/README.md
(generated here) for every file with its shape. Besides the requested files there are three extras:
x_rgb.npy (x_net = caffe(x_rgb)) and grad_content/grad_style/grad_tv.npy (grad split by kind of term;
the content part is ~50x smaller than the style part, so a content-gradient bug hides in grad.npy).

CONVENTIONS (what the Java library must reproduce)
  Images: float NCHW [1,3,H,W], RGB in [0,1]. H=32, W=40 here.
  Caffe convention: net = rgb[:, [2,1,0]] * 255 - mean, mean (BGR) = [103.939, 116.779, 123.68].
  VGG: every conv 3x3, stride 1, padding 1, with bias; reluB_I = relu(convB_I); poolB after the last
  conv of block B: 2x2 stride 2, floor mode (max; 'avg' variant = AvgPool2d(2,2)).
  With 32x40 inputs: block1 32x40, block2 16x20, block3 8x10, block4 4x5, block5 2x2 (floor!), pool5 1x1.
  torch conv weight = keras kernel.transpose(3, 2, 0, 1)  (HWIO -> OIHW).

LOSS (jcjohnson/neural-style), on the NETWORK-space image x (= x_net.npy) and its features F_l(x):
  content target  C_l = F_l(caffe(content_rgb))
  style target    G_l = gram(F_l(caffe(style_rgb)));  blend: G_l = sum_i b_i gram_i / sum_i b_i
  gram(F)         F [1,C,H,W] reshaped [C, H*W];  G = F @ F^T / (C*H*W)
  content term l  w_content * lw_l * mean((F_l(x) - C_l)^2)            (mean over all elements)
  style term l    w_style   * lw_l * mean((gram(F_l(x)) - G_l)^2)      (mean over C*C)
  tv term         w_tv * 0.5 * sum_{c, 0<=i<=H-2, 0<=j<=W-2} (x[c,i,j+1]-x[c,i,j])^2 + (x[c,i+1,j]-x[c,i,j])^2
                  (its gradient equals the gradient neural-style's TVLoss module back-propagates)
  defaults        content layer relu4_2 (lw 1), w_content = 5;
                  style layers relu1_1 relu2_1 relu3_1 relu4_1 relu5_1 (lw 1 each), w_style = 100;
                  w_tv = 1e-3;  total = sum of all terms;  grad = d total / d x (autograd).
  The avg variant uses average pooling for the targets AND for x; the blend variant uses
  b = 0.7 (style_rgb) and 0.3 (style2_rgb) with max pooling.

Self-checks run before files are written and after (exceptions abort): the h5 files are read back
(following weight_names, like Keras' load_weights) and all numbers recomputed from the written files
must be bit-identical; the functional network is cross-checked against torchvision's make_layers
VGG built with the same widths; torch.autograd.gradcheck passes on the total loss of a tiny case.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_vgg19_shaped as shaped  # noqa: E402

import h5py  # noqa: E402

OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "org", "perceptual4j", "vgg"))
GOLD = os.path.join(OUT, "golden")

WIDTHS = (4, 8, 12, 16, 16)
SEED_VGG19 = 1919
SEED_VGG16 = 1616
SEED_IMAGES = 2024
SEED_EXTRA = 77  # classifier weights and the wrong-shape kernel
H, W = 32, 40
CAFFE_MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float64)

W_CONTENT, W_STYLE, W_TV = 5.0, 100.0, 1e-3
CONTENT_LAYERS = {"relu4_2": 1.0}
STYLE_LAYERS = {"relu1_1": 1.0, "relu2_1": 1.0, "relu3_1": 1.0, "relu4_1": 1.0, "relu5_1": 1.0}
BLEND = (0.7, 0.3)
FEATURE_LAYERS = ("conv1_1", "relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu4_2", "relu5_1", "pool5")

torch.set_default_dtype(torch.float64)


# ----------------------------------------------------------------------------- network

def torch_weights(weights):
    """float32 Keras (kernel HWIO, bias) -> float64 torch (OIHW, bias)."""
    return {k: (torch.from_numpy(kern.transpose(3, 2, 0, 1).astype(np.float64)),
                torch.from_numpy(b.astype(np.float64))) for k, (kern, b) in weights.items()}


def vgg_forward(x, tw, depth, pooling="max"):
    """All activations {convB_I, reluB_I, poolB} of VGG<depth> for a float64 NCHW input."""
    feats = {}
    h = x
    for b, n in enumerate(shaped.CONVS_PER_BLOCK[depth], start=1):
        for i in range(1, n + 1):
            k, bias = tw["conv%d_%d" % (b, i)]
            h = F.conv2d(h, k, bias, stride=1, padding=1)
            feats["conv%d_%d" % (b, i)] = h
            h = F.relu(h)
            feats["relu%d_%d" % (b, i)] = h
        if pooling == "max":
            h = F.max_pool2d(h, kernel_size=2, stride=2, ceil_mode=False)
        elif pooling == "avg":
            h = F.avg_pool2d(h, kernel_size=2, stride=2, ceil_mode=False)
        else:
            raise ValueError(pooling)
        feats["pool%d" % b] = h
    return feats


def caffe(rgb):
    """float64 torch [N,3,H,W] RGB [0,1] -> Caffe network space."""
    return rgb[:, [2, 1, 0]] * 255.0 - torch.from_numpy(CAFFE_MEAN_BGR).view(1, 3, 1, 1)


def gram(f):
    n, c, h, w = f.shape
    m = f.reshape(n, c, h * w)
    return m @ m.transpose(1, 2) / (c * h * w)


def tv_sq(x):
    dx = x[:, :, :-1, 1:] - x[:, :, :-1, :-1]
    dy = x[:, :, 1:, :-1] - x[:, :, :-1, :-1]
    return 0.5 * ((dx ** 2).sum() + (dy ** 2).sum())


def targets(tw, content_rgb, style_rgbs, blend, pooling):
    fc = vgg_forward(caffe(content_rgb), tw, 19, pooling)
    content = {l: fc[l].detach() for l in CONTENT_LAYERS}
    style = {}
    for l in STYLE_LAYERS:
        acc = 0
        for rgb, b in zip(style_rgbs, blend):
            acc = acc + b * gram(vgg_forward(caffe(rgb), tw, 19, pooling)[l]).detach()
        style[l] = acc / sum(blend)
    return content, style


def objective(x, tw, content_t, style_t, pooling):
    """{term name: scalar tensor} and the total, all terms as in the module docstring."""
    f = vgg_forward(x, tw, 19, pooling)
    terms = {}
    for l, lw in CONTENT_LAYERS.items():
        terms["term_content_" + l] = W_CONTENT * lw * torch.mean((f[l] - content_t[l]) ** 2)
    for l, lw in STYLE_LAYERS.items():
        terms["term_style_" + l] = W_STYLE * lw * torch.mean((gram(f[l]) - style_t[l]) ** 2)
    terms["term_tv"] = W_TV * tv_sq(x)
    total = sum(terms.values())
    return terms, total


def value_and_grad(x_np, tw, content_t, style_t, pooling):
    x = torch.from_numpy(x_np.astype(np.float64)).requires_grad_(True)
    terms, total = objective(x, tw, content_t, style_t, pooling)
    (g,) = torch.autograd.grad(total, x)
    return {k: v.item() for k, v in terms.items()}, total.item(), g.numpy()


# ----------------------------------------------------------------------------- data

def upsample_linear(a, h, w):
    """Separable linear interpolation with align_corners=True semantics, numpy float64."""
    n, c, h0, w0 = a.shape
    ys = np.linspace(0, h0 - 1, h)
    xs = np.linspace(0, w0 - 1, w)
    y0 = np.minimum(np.floor(ys).astype(int), h0 - 2)
    x0 = np.minimum(np.floor(xs).astype(int), w0 - 2)
    fy = (ys - y0)[:, None]
    fx = (xs - x0)[None, :]
    a00 = a[:, :, y0][:, :, :, x0]
    a01 = a[:, :, y0][:, :, :, x0 + 1]
    a10 = a[:, :, y0 + 1][:, :, :, x0]
    a11 = a[:, :, y0 + 1][:, :, :, x0 + 1]
    return (a00 * (1 - fy) * (1 - fx) + a01 * (1 - fy) * fx + a10 * fy * (1 - fx) + a11 * fy * fx)


def smooth_image(rng, grid, grain):
    """Random smooth-ish RGB image [1,3,H,W] in [0,1]: upsampled grid noise + Gaussian grain."""
    low = rng.rand(1, 3, grid[0], grid[1])
    img = upsample_linear(low, H, W) + grain * rng.standard_normal((1, 3, H, W))
    return np.clip(img, 0.0, 1.0).astype(np.float32)


def classifier_weights():
    rng = np.random.RandomState(SEED_EXTRA)
    out = {}
    for name, shape in (("fc1", (16, 10)), ("fc2", (10, 10)), ("predictions", (10, 5))):
        out[name] = ((rng.standard_normal(shape) * np.sqrt(1.0 / shape[0])).astype(np.float32),
                     (rng.standard_normal((shape[1],)) * 0.1).astype(np.float32))
    wrong = (rng.standard_normal((3, 3, 7, 12)) * np.sqrt(2.0 / 63)).astype(np.float32)
    return out, wrong


# ----------------------------------------------------------------------------- h5 files

def h5_files(w19, w16):
    """({file name: layer list for shaped.write_keras_h5}, classifier weights of the full file)."""
    files = {}
    files["tiny_vgg19_notop.h5"] = shaped.keras_layers(w19, 19, "old")
    files["tiny_vgg19_newnaming.h5"] = shaped.keras_layers(w19, 19, "new")
    cls, wrong_kernel = classifier_weights()
    full = shaped.keras_layers(w19, 19, "old") + [("flatten", [])]
    for name in ("fc1", "fc2", "predictions"):
        wk, bk = cls[name]
        full.append((name, [(name + "_W_1:0", name + "_W_1:0", wk), (name + "_b_1:0", name + "_b_1:0", bk)]))
    files["tiny_vgg19_full.h5"] = full
    files["tiny_vgg16_notop.h5"] = shaped.keras_layers(w16, 16, "old")

    wrong = shaped.keras_layers(w19, 19, "old")
    for name, ds in wrong:
        if name == "block3_conv1":
            assert ds[0][0] == "block3_conv1_W_1:0"
            ds[0] = (ds[0][0], ds[0][1], wrong_kernel)
    files["tiny_vgg19_wrong_shape.h5"] = wrong
    files["tiny_vgg19_missing_block5.h5"] = [
        (n, ds) for n, ds in shaped.keras_layers(w19, 19, "old") if not n.startswith("block5_")]

    order = shaped.conv_names(19)
    conv_index = {k: j + 1 for j, k in enumerate(order)}

    def keras_auto_name(key):
        b, i = key
        return "max_pooling2d_%d" % b if i == 0 else "conv2d_%d" % conv_index[key]
    files["tiny_vgg19_renamed.h5"] = shaped.keras_layers(w19, 19, "old", layer_name=keras_auto_name)
    return files, cls


# ----------------------------------------------------------------------------- main computation

def compute(w19, w16, images):
    """All golden arrays (float32) from float32 weights and images."""
    content_rgb, style_rgb, style2_rgb, x_rgb = images
    t = lambda a: torch.from_numpy(a.astype(np.float64))  # noqa: E731
    tw19, tw16 = torch_weights(w19), torch_weights(w16)
    x_net = caffe(t(x_rgb)).numpy().astype(np.float32)
    g = {"content_rgb": content_rgb, "style_rgb": style_rgb, "style2_rgb": style2_rgb,
         "x_rgb": x_rgb, "x_net": x_net}
    with torch.no_grad():
        f = vgg_forward(t(x_net), tw19, 19, "max")
        for l in FEATURE_LAYERS:
            g["feat_" + l] = f[l].numpy().astype(np.float32)
        f16 = vgg_forward(t(x_net), tw16, 16, "max")
        g["vgg16_feat_relu2_2"] = f16["relu2_2"].numpy().astype(np.float32)
        g["vgg16_feat_relu4_3"] = f16["relu4_3"].numpy().astype(np.float32)
        ct, st = targets(tw19, t(content_rgb), [t(style_rgb)], (1.0,), "max")
        ct_avg, st_avg = targets(tw19, t(content_rgb), [t(style_rgb)], (1.0,), "avg")
        ct_bl, st_bl = targets(tw19, t(content_rgb), [t(style_rgb), t(style2_rgb)], BLEND, "max")
    scal = lambda v: np.array([v], dtype=np.float32)  # noqa: E731
    terms, total, grad = value_and_grad(x_net, tw19, ct, st, "max")
    for k, v in terms.items():
        g[k] = scal(v)
    g["total"] = scal(total)
    g["grad"] = grad.astype(np.float32)
    # the gradient split by kind of term (extra, to localise a mismatch of grad)
    for kind in ("content", "style", "tv"):
        x = torch.from_numpy(x_net.astype(np.float64)).requires_grad_(True)
        terms_x, _ = objective(x, tw19, ct, st, "max")
        part = sum(v for k, v in terms_x.items() if k.startswith("term_" + kind))
        g["grad_" + kind] = torch.autograd.grad(part, x)[0].numpy().astype(np.float32)
    _, total, grad = value_and_grad(x_net, tw19, ct_avg, st_avg, "avg")
    g["avg_total"], g["avg_grad"] = scal(total), grad.astype(np.float32)
    _, total, grad = value_and_grad(x_net, tw19, ct_bl, st_bl, "max")
    g["blend_total"], g["blend_grad"] = scal(total), grad.astype(np.float32)
    return g


DESCRIPTIONS = [
    ("content_rgb", "content image, RGB in [0,1] (smooth random: 5x6 grid, grain 0.04)"),
    ("style_rgb", "style image, RGB in [0,1] (smooth random: 8x10 grid, grain 0.1)"),
    ("style2_rgb", "second style image for the blend case, RGB in [0,1] (3x4 grid, grain 0.2)"),
    ("x_rgb", "uniform random RGB image in [0,1]; x_net = caffe(x_rgb) (extra, for pipeline tests)"),
    ("x_net", "current image x in NETWORK space: rgb[:, [2,1,0]]*255 - [103.939,116.779,123.68] of x_rgb"),
    ("feat_conv1_1", "VGG19 conv1_1 of x_net (before relu), tiny_vgg19_notop.h5, max pooling"),
    ("feat_relu1_1", "VGG19 relu1_1 of x_net"),
    ("feat_relu2_1", "VGG19 relu2_1 of x_net"),
    ("feat_relu3_1", "VGG19 relu3_1 of x_net"),
    ("feat_relu4_1", "VGG19 relu4_1 of x_net"),
    ("feat_relu4_2", "VGG19 relu4_2 of x_net"),
    ("feat_relu5_1", "VGG19 relu5_1 of x_net (4x5 pooled to 2x2: floor mode)"),
    ("feat_pool5", "VGG19 pool5 of x_net (max)"),
    ("term_content_relu4_2", "5 * mean((F_relu4_2(x_net) - F_relu4_2(caffe(content_rgb)))^2)"),
    ("term_style_relu1_1", "100 * mean((gram(F(x_net)) - gram(F(caffe(style_rgb))))^2) at relu1_1"),
    ("term_style_relu2_1", "same at relu2_1"),
    ("term_style_relu3_1", "same at relu3_1"),
    ("term_style_relu4_1", "same at relu4_1"),
    ("term_style_relu5_1", "same at relu5_1"),
    ("term_tv", "1e-3 * squared TV of x_net (with the 0.5 factor, ranges i<=H-2, j<=W-2)"),
    ("total", "sum of the 7 terms above (defaults, max pooling, single style image)"),
    ("grad", "d total / d x_net"),
    ("grad_content", "d term_content_relu4_2 / d x_net (extra)"),
    ("grad_style", "d (sum of the 5 style terms) / d x_net (extra)"),
    ("grad_tv", "d term_tv / d x_net (extra)"),
    ("avg_total", "total with average pooling (targets and x through the avg-pool network)"),
    ("avg_grad", "d avg_total / d x_net"),
    ("blend_total", "total with style target (0.7 gram(style_rgb) + 0.3 gram(style2_rgb)) / 1.0, max pooling"),
    ("blend_grad", "d blend_total / d x_net"),
    ("vgg16_feat_relu2_2", "VGG16 relu2_2 of x_net, tiny_vgg16_notop.h5, max pooling"),
    ("vgg16_feat_relu4_3", "VGG16 relu4_3 of x_net, tiny_vgg16_notop.h5, max pooling"),
]


def readme(g):
    lines = [
        "# Golden outputs for the VGG importer and the style-transfer objective",
        "",
        "Generated by `vgg-import/src/test/python/generate_vgg_golden.py` (PyTorch %s, float64," % torch.__version__.split("+")[0],
        "saved as float32 with `numpy.save`, C order). Do not edit by hand; re-run the script.",
        "The script's docstring gives every formula. Image size 32x40 (H x W), NCHW, batch 1.",
        "Weights: `../tiny_vgg19_notop.h5` (VGG19) and `../tiny_vgg16_notop.h5` (VGG16), block widths",
        "[4, 8, 12, 16, 16]. Loss defaults: content relu4_2 (w 5), style relu1_1..relu5_1 (w 100, layer",
        "weight 1 each), squared TV (w 1e-3, with the 0.5 factor), all on the network-space image x_net.",
        "Scalars have shape (1,).",
        "",
        "| file | shape | meaning |",
        "|---|---|---|",
    ]
    for name, desc in DESCRIPTIONS:
        lines.append("| %s.npy | %s | %s |" % (name, tuple(g[name].shape), desc))
    lines += [
        "",
        "## Weight files in the parent folder",
        "",
        "| file | content |",
        "|---|---|",
        "| tiny_vgg19_notop.h5 | VGG19 notop, Keras 2.1.5 layout, old naming `blockB_convI/blockB_convI_W_1:0` (HWIO) and `_b_1:0` |",
        "| tiny_vgg19_newnaming.h5 | same weights, tf.keras naming `blockB_convI/blockB_convI/kernel:0` and `bias:0` |",
        "| tiny_vgg19_full.h5 | same weights plus `flatten`, `fc1` (16,10), `fc2` (10,10), `predictions` (10,5) with biases |",
        "| tiny_vgg16_notop.h5 | VGG16 notop (2,2,3,3,3 convs), own random weights |",
        "| tiny_vgg19_wrong_shape.h5 | tiny_vgg19_notop with `block3_conv1` kernel (3,3,7,12) instead of (3,3,8,12) |",
        "| tiny_vgg19_missing_block5.h5 | tiny_vgg19_notop without the `block5_*` groups and layer_names |",
        "| tiny_vgg19_renamed.h5 | tiny_vgg19_notop with groups `conv2d_1`..`conv2d_16` and `max_pooling2d_1`..`max_pooling2d_5` |",
        "",
        "Empty `weight_names` (input and pool layers) are float64 arrays of shape (0,), as Keras writes them;",
        "`layer_names` and non-empty `weight_names` are fixed-length byte strings.",
        "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- checks

def check_torchvision(w19, w16, x_net):
    """Cross-check vgg_forward against torchvision's make_layers with the same widths."""
    from torchvision.models.vgg import make_layers
    for depth, w, layer_idx in ((19, w19, "relu5_1"), (16, w16, "relu4_3")):
        cfg = []
        for b, n in enumerate(shaped.CONVS_PER_BLOCK[depth]):
            cfg += [WIDTHS[b]] * n + ["M"]
        for pooling in ("max", "avg"):
            net = make_layers(cfg).double()
            convs = [m for m in net if isinstance(m, torch.nn.Conv2d)]
            names = ["conv%d_%d" % k for k in shaped.conv_names(depth)]
            tw = torch_weights(w)
            with torch.no_grad():
                for m, nm in zip(convs, names):
                    m.weight.copy_(tw[nm][0])
                    m.bias.copy_(tw[nm][1])
            if pooling == "avg":
                net = torch.nn.Sequential(*[torch.nn.AvgPool2d(2, 2) if isinstance(m, torch.nn.MaxPool2d) else m
                                            for m in net])
            x = torch.from_numpy(x_net.astype(np.float64))
            with torch.no_grad():
                ref = net(x)
                ours = vgg_forward(x, tw, depth, pooling)
            assert torch.allclose(ref, ours["pool5"], rtol=1e-12, atol=1e-12), (depth, pooling)
            # the relu before the last pooling of block 4 / 5
            i_relu = [j for j, m in enumerate(net) if isinstance(m, torch.nn.ReLU)]
            k = names.index(layer_idx.replace("relu", "conv"))
            with torch.no_grad():
                ref_l = net[: i_relu[k] + 1](x)
            assert torch.allclose(ref_l, ours[layer_idx], rtol=1e-12, atol=1e-12), (depth, pooling, layer_idx)


def check_gradcheck(w19, images):
    """torch.autograd.gradcheck of the full objective (max and avg pooling) on a tiny case."""
    content_rgb, style_rgb, _, _ = images
    tw = torch_weights(w19)
    t = lambda a: torch.from_numpy(a[:, :, :32, :32].astype(np.float64))  # noqa: E731
    rng = np.random.RandomState(5)
    for pooling in ("max", "avg"):
        ct, st = targets(tw, t(content_rgb), [t(style_rgb)], (1.0,), pooling)
        x = torch.from_numpy(rng.standard_normal((1, 3, 32, 32)) * 50.0).requires_grad_(True)
        fn = lambda x: objective(x, tw, ct, st, pooling)[1]  # noqa: E731
        scale = torch.autograd.grad(fn(x), x)[0].abs().max().item()
        # x has scale 50 and the loss is ~1.5e4: with eps=1e-6 the finite differences are
        # dominated by float64 round-off (~1e-6 abs); eps=1e-3 gives ~3e-9 abs error.
        assert torch.autograd.gradcheck(fn, (x,), eps=1e-3, atol=1e-6 * scale, rtol=1e-5), pooling


def check_files(w19, w16, cls, g):
    """Reads everything back from disk and recomputes: must be bit-identical."""
    p = lambda n: os.path.join(OUT, n)  # noqa: E731
    r19 = shaped.read_keras_conv_weights(p("tiny_vgg19_notop.h5"))
    r16 = shaped.read_keras_conv_weights(p("tiny_vgg16_notop.h5"))
    for name in ("tiny_vgg19_notop.h5", "tiny_vgg19_newnaming.h5", "tiny_vgg19_full.h5"):
        r = shaped.read_keras_conv_weights(p(name))
        for k, (kern, b) in w19.items():
            assert r[k][0].dtype == np.float32 and r[k][0].shape == kern.shape
            assert np.array_equal(r[k][0], kern) and np.array_equal(r[k][1], b), (name, k)
        extra = set(r) - set(w19)
        assert extra == ({"fc1", "fc2", "predictions"} if name.endswith("full.h5") else set()), (name, extra)
        for c in extra:
            assert np.array_equal(r[c][0], cls[c][0]) and np.array_equal(r[c][1], cls[c][1])
    for k, (kern, b) in w16.items():
        assert np.array_equal(r16[k][0], kern) and np.array_equal(r16[k][1], b)
    assert len(r16) == 13 and len(r19) == 16
    with h5py.File(p("tiny_vgg19_notop.h5"), "r") as f:
        ln = f.attrs["layer_names"]
        assert ln.dtype.kind == "S" and ln[0] == b"input_1" and ln[-1] == b"block5_pool" and len(ln) == 22
        assert f.attrs["backend"] == b"tensorflow" and f.attrs["keras_version"] == b"2.1.5"
        assert f["block1_pool"].attrs["weight_names"].shape == (0,)
        assert list(f["block2_conv1"].attrs["weight_names"]) == [b"block2_conv1_W_1:0", b"block2_conv1_b_1:0"]
        assert f["block1_conv1"]["block1_conv1_W_1:0"].shape == (3, 3, 3, 4)
    with h5py.File(p("tiny_vgg19_newnaming.h5"), "r") as f:
        assert f["block5_conv4"]["block5_conv4"]["kernel:0"].shape == (3, 3, 16, 16)
        assert list(f["block5_conv4"].attrs["weight_names"]) == [b"block5_conv4/kernel:0", b"block5_conv4/bias:0"]
    with h5py.File(p("tiny_vgg19_wrong_shape.h5"), "r") as f:
        assert f["block3_conv1"]["block3_conv1_W_1:0"].shape == (3, 3, 7, 12)
    with h5py.File(p("tiny_vgg19_missing_block5.h5"), "r") as f:
        assert not any(n.startswith("block5") for n in f.keys())
        assert not any(n.startswith(b"block5") for n in f.attrs["layer_names"])
        assert f.attrs["layer_names"][-1] == b"block4_pool"
    with h5py.File(p("tiny_vgg19_renamed.h5"), "r") as f:
        names = [n.decode() for n in f.attrs["layer_names"]]
        assert names[:4] == ["input_1", "conv2d_1", "conv2d_2", "max_pooling2d_1"], names
        assert names[-2:] == ["conv2d_16", "max_pooling2d_5"], names
        assert np.array_equal(f["conv2d_5"]["conv2d_5_W_1:0"][()], w19["conv3_1"][0])

    loaded = {n: np.load(os.path.join(GOLD, n + ".npy")) for n, _ in DESCRIPTIONS}
    for n, a in loaded.items():
        assert a.dtype == np.float32 and a.flags.c_contiguous and np.array_equal(a, g[n]), n
    images = tuple(loaded[n] for n in ("content_rgb", "style_rgb", "style2_rgb", "x_rgb"))
    g2 = compute(r19, r16, images)
    for n in loaded:
        assert np.array_equal(g2[n], loaded[n]), "recomputed from files differs: " + n
    # the loss golden is computed from x_net as stored (float32)
    assert np.array_equal(loaded["x_net"], g["x_net"])


def main():
    w19 = shaped.make_weights(19, WIDTHS, SEED_VGG19)
    w16 = shaped.make_weights(16, WIDTHS, SEED_VGG16)
    rng = np.random.RandomState(SEED_IMAGES)
    content_rgb = smooth_image(rng, (5, 6), 0.04)
    style_rgb = smooth_image(rng, (8, 10), 0.1)
    style2_rgb = smooth_image(rng, (3, 4), 0.2)
    x_rgb = rng.rand(1, 3, H, W).astype(np.float32)
    images = (content_rgb, style_rgb, style2_rgb, x_rgb)

    g = compute(w19, w16, images)
    check_torchvision(w19, w16, g["x_net"])
    check_gradcheck(w19, images)

    files, cls = h5_files(w19, w16)
    os.makedirs(GOLD, exist_ok=True)
    for name, layers in files.items():
        shaped.write_keras_h5(os.path.join(OUT, name), layers)
    for name, _ in DESCRIPTIONS:
        np.save(os.path.join(GOLD, name + ".npy"), np.ascontiguousarray(g[name], dtype=np.float32))
    with open(os.path.join(GOLD, "README.md"), "w") as f:
        f.write(readme(g))
    check_files(w19, w16, cls, g)

    written = [os.path.join(OUT, n) for n in files] + \
              [os.path.join(GOLD, n + ".npy") for n, _ in DESCRIPTIONS] + [os.path.join(GOLD, "README.md")]
    size = sum(os.path.getsize(f) for f in written)
    print("vgg golden: %d files (%d h5, %d npy) in %s, %.1f KB; total=%.6g avg_total=%.6g blend_total=%.6g; "
          "checks passed (reload bit-identical, torchvision cross-check, gradcheck)" % (
              len(written), len(files), len(DESCRIPTIONS), os.path.relpath(OUT), size / 1024.0,
              g["total"][0], g["avg_total"][0], g["blend_total"][0]))


if __name__ == "__main__":
    main()
