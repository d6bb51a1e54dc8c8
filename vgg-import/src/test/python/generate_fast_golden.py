#!/usr/bin/python3
"""Reference values for one fast-style-transfer training step (PyTorch autograd, float64).

Run with Debian's python (torch 1.13, h5py, numpy):
    /usr/bin/python3 vgg-import/src/test/python/generate_fast_golden.py
Deterministic: re-running rewrites byte-identical files. Prints a one-line summary.
Writes vgg-import/src/test/resources/org/perceptual4j/fast/golden/*.npy (numpy.save, float32, C order)
and README.md there. The loss network is the committed tiny VGG16
(vgg-import/src/test/resources/org/perceptual4j/vgg/tiny_vgg16_notop.h5, block widths 4,8,12,16,16,
written by generate_vgg_golden.py); this script only reads it.

TRANSFORM NETWORK: Johnson et al.'s, as pytorch/examples fast_neural_style/neural_style/transformer_net.py
builds it, with width W_NET = 4 (conv1 4, conv2 8, conv3 and residual blocks 16 channels) and BLOCKS = 2
residual blocks instead of 32 and 5:
  ConvLayer(in, out, k, s)  = Conv2d(in, out, k, stride s)(ReflectionPad2d(k // 2)(x))
  y = relu(in1(conv1 9x9 s1 3->w)); relu(in2(conv2 3x3 s2 ->2w)); relu(in3(conv3 3x3 s2 ->4w))
  residual block: x + in2(conv2(relu(in1(conv1(x)))))          3x3 s1 convs at 4w
  relu(in4(deconv1(nearest x2 upsample, 3x3 ->2w))); relu(in5(deconv2(nearest x2, 3x3 ->w)))
  deconv3 9x9 s1 -> 3 (no norm, no relu)
  InstanceNorm2d(affine=True, eps=1e-5, biased variance); the net works on 0..255 images.
  The library's TransformNet takes RGB [0,1]: T(x) = net(255 x) / 255; it pads an input whose side is not a
  multiple of 4 (or is < 8) by reflection to the next multiple of 4 (at least 8), extra split floor/ceil
  between before/after, and crops the output back. Case "odd" below emulates that with F.pad(reflect).

PARAMETERS: params.npy is ONE flat float32 vector, the parameters concatenated in this order (the library's
TransformNet.Architecture.parameterShapes(), = the pytorch/examples state_dict order without running_*):
  conv1.conv2d.weight [9,9,3,w] conv1.conv2d.bias [w] in1.weight [w] in1.bias [w] conv2.conv2d.weight ...
  in3.bias, res1.conv1.conv2d.weight, res1.conv1.conv2d.bias, res1.in1.weight, res1.in1.bias,
  res1.conv2.conv2d.weight ... res1.in2.bias, res2...., deconv1.conv2d.weight/bias, in4.weight/bias,
  deconv2..., in5..., deconv3.conv2d.weight/bias.
  Kernels are stored [kH, kW, in, out] (HWIO, C order); torch weight = kernel.transpose(3, 2, 0, 1).
  Values: numpy.random.RandomState(SEED) in this order: kernels and conv biases uniform in
  [-1/sqrt(fan_in), 1/sqrt(fan_in)] (torch's Conv2d default), instance-norm scales 1 + 0.2 N(0,1) and
  shifts 0.2 N(0,1) (not 1 and 0, so their gradients are exercised with non-trivial values).
  grads.npy is d total / d params, flat in the same order.

LOSS of one training step (the library's FastStyleTrainer), for a batch x (RGB [0,1]) and style s:
  y = T(x); caffe(v) = v[:, [2,1,0]] * 255 - [103.939, 116.779, 123.68]
  F_l = tiny VGG16 activation l (3x3 convs pad 1 + bias, relu, 2x2 max pooling floor)
  content = W_CONTENT * mean((F_relu2_2(caffe(y)) - F_relu2_2(caffe(x)))^2)          mean over N*C*H*W
  style_l = W_STYLE * mean((gram(F_l(caffe(y))) - gram(F_l(caffe(s))))^2)            l in relu1_2, relu2_2,
            gram(F)[n] = F[n] F[n]^T / (C*H*W); the [1,C,C] style gram broadcast over   relu3_3, relu4_3;
            the batch, mean over N*C*C                                                 s not resized
  tv = W_TV * 0.5 * sum_{n,c,i<H-1,j<W-1} (Y[i,j+1]-Y[i,j])^2 + (Y[i+1,j]-Y[i,j])^2   Y = 255 y
  total = content + sum_l style_l + tv
  terms.npy = [content, style_relu1_2, style_relu2_2, style_relu3_3, style_relu4_3, tv, total]

FILES
  params.npy        (P,)            the transform net's parameters, flat (see above)
  style.npy         (1,3,20,28)     style image RGB [0,1] (smooth random)
  content.npy       (2,3,24,24)     training batch RGB [0,1] (smooth random), case "main"
  output.npy        (2,3,24,24)     T(content), unclamped
  terms.npy         (7,)            loss terms of case "main"
  grads.npy         (P,)            d total / d params, case "main"
  odd_content.npy   (2,3,22,22)     batch of side 22 (padded to 24 by reflection: 1 before, 1 after)
  odd_output.npy    (2,3,22,22)     T(odd_content)
  odd_terms.npy     (7,)            loss terms of case "odd"
Weights W_CONTENT, W_STYLE, W_TV are chosen so that the content, style and TV parts are of the same order
(about 1e4 each, see README.md), so that a wrong gradient of any part shows in grads.npy.

Checks (exceptions abort): the functional network equals an nn.Module built from ReflectionPad2d, Conv2d,
InstanceNorm2d(affine=True) and interpolate(nearest) with the same weights; torch.autograd.gradcheck of
the total w.r.t. the instance-norm parameters and the input on a smaller case; the files read back equal
the arrays.
"""
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate_vgg19_shaped as shaped  # noqa: E402
import generate_vgg_golden as vgg  # noqa: E402

VGG16_FILE = os.path.normpath(os.path.join(HERE, "..", "resources", "org", "perceptual4j", "vgg", "tiny_vgg16_notop.h5"))
GOLD = os.path.normpath(os.path.join(HERE, "..", "resources", "org", "perceptual4j", "fast", "golden"))
SEED = 4321
W_NET = 4
BLOCKS = 2
W_CONTENT = 1.0e4
W_STYLE = 5.0e3
W_TV = 50.0
CONTENT_LAYER = "relu2_2"
STYLE_LAYERS = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
EPS = 1e-5


def parameter_shapes(w=W_NET, blocks=BLOCKS):
    """[(name, shape)] in the library's order; kernels HWIO."""
    out = []

    def conv(name, k, cin, cout):
        out.append((name + ".conv2d.weight", (k, k, cin, cout)))
        out.append((name + ".conv2d.bias", (cout,)))

    def norm(name, c):
        out.append((name + ".weight", (c,)))
        out.append((name + ".bias", (c,)))

    conv("conv1", 9, 3, w)
    norm("in1", w)
    conv("conv2", 3, w, 2 * w)
    norm("in2", 2 * w)
    conv("conv3", 3, 2 * w, 4 * w)
    norm("in3", 4 * w)
    for i in range(1, blocks + 1):
        conv("res%d.conv1" % i, 3, 4 * w, 4 * w)
        norm("res%d.in1" % i, 4 * w)
        conv("res%d.conv2" % i, 3, 4 * w, 4 * w)
        norm("res%d.in2" % i, 4 * w)
    conv("deconv1", 3, 4 * w, 2 * w)
    norm("in4", 2 * w)
    conv("deconv2", 3, 2 * w, w)
    norm("in5", w)
    conv("deconv3", 9, w, 3)
    return out


def make_params(rng):
    params = {}
    fan_in = None
    for name, shape in parameter_shapes():
        if name.endswith(".conv2d.weight"):
            fan_in = shape[0] * shape[1] * shape[2]
        if ".conv2d." in name:
            bound = 1.0 / np.sqrt(fan_in)
            v = rng.uniform(-bound, bound, size=shape)
        elif name.endswith(".weight"):
            v = 1.0 + 0.2 * rng.standard_normal(shape)
        else:
            v = 0.2 * rng.standard_normal(shape)
        params[name] = v.astype(np.float32)
    return params


def flat(params):
    return np.concatenate([params[n].reshape(-1) for n, _ in parameter_shapes()]).astype(np.float32)


def torch_params(params):
    """float64 torch tensors requiring grad; conv kernels OIHW."""
    out = {}
    for name, _ in parameter_shapes():
        a = params[name].astype(np.float64)
        if name.endswith(".conv2d.weight"):
            a = a.transpose(3, 2, 0, 1).copy()
        out[name] = torch.tensor(a, requires_grad=True)
    return out


# ----------------------------------------------------------------------------- transform net (functional)

def conv_layer(x, tp, name, stride):
    w = tp[name + ".conv2d.weight"]
    p = w.shape[-1] // 2
    return F.conv2d(F.pad(x, (p, p, p, p), mode="reflect"), w, tp[name + ".conv2d.bias"], stride=stride)


def inorm(x, tp, name):
    return F.instance_norm(x, weight=tp[name + ".weight"], bias=tp[name + ".bias"], eps=EPS)


def transformer(x255, tp, blocks=BLOCKS):
    y = F.relu(inorm(conv_layer(x255, tp, "conv1", 1), tp, "in1"))
    y = F.relu(inorm(conv_layer(y, tp, "conv2", 2), tp, "in2"))
    y = F.relu(inorm(conv_layer(y, tp, "conv3", 2), tp, "in3"))
    for i in range(1, blocks + 1):
        r = "res%d." % i
        h = F.relu(inorm(conv_layer(y, tp, r + "conv1", 1), tp, r + "in1"))
        y = y + inorm(conv_layer(h, tp, r + "conv2", 1), tp, r + "in2")
    y = F.relu(inorm(conv_layer(F.interpolate(y, scale_factor=2, mode="nearest"), tp, "deconv1", 1), tp, "in4"))
    y = F.relu(inorm(conv_layer(F.interpolate(y, scale_factor=2, mode="nearest"), tp, "deconv2", 1), tp, "in5"))
    return conv_layer(y, tp, "deconv3", 1)


def padded_size(n):
    return max(8, (n + 3) // 4 * 4)


def library_T(x, tp):
    """The library's TransformNet: RGB [0,1] in and out, any size (reflect-pad to a multiple of 4, crop)."""
    n, c, h, w = x.shape
    th, tw = padded_size(h), padded_size(w)
    top, left = (th - h) // 2, (tw - w) // 2
    x255 = x * 255.0
    if (th, tw) != (h, w):
        x255 = F.pad(x255, (left, tw - w - left, top, th - h - top), mode="reflect")
    y255 = transformer(x255, tp)
    return y255[:, :, top:top + h, left:left + w]


def module_T(x255, params):
    """The same network as an nn.Module built from ReflectionPad2d / Conv2d / InstanceNorm2d, as a check."""
    nn = torch.nn

    class Conv(nn.Module):
        def __init__(self, cin, cout, k, s):
            super().__init__()
            self.pad = nn.ReflectionPad2d(k // 2)
            self.conv2d = nn.Conv2d(cin, cout, k, s)

        def forward(self, x):
            return self.conv2d(self.pad(x))

    w = W_NET
    m = nn.ModuleDict({
        "conv1": Conv(3, w, 9, 1), "in1": nn.InstanceNorm2d(w, affine=True),
        "conv2": Conv(w, 2 * w, 3, 2), "in2": nn.InstanceNorm2d(2 * w, affine=True),
        "conv3": Conv(2 * w, 4 * w, 3, 2), "in3": nn.InstanceNorm2d(4 * w, affine=True),
        "deconv1": Conv(4 * w, 2 * w, 3, 1), "in4": nn.InstanceNorm2d(2 * w, affine=True),
        "deconv2": Conv(2 * w, w, 3, 1), "in5": nn.InstanceNorm2d(w, affine=True),
        "deconv3": Conv(w, 3, 9, 1),
    })
    for i in range(1, BLOCKS + 1):
        m["res%d" % i] = nn.ModuleDict({
            "conv1": Conv(4 * w, 4 * w, 3, 1), "in1": nn.InstanceNorm2d(4 * w, affine=True),
            "conv2": Conv(4 * w, 4 * w, 3, 1), "in2": nn.InstanceNorm2d(4 * w, affine=True)})
    m = m.double()
    state = {}
    for name, _ in parameter_shapes():
        a = params[name].astype(np.float64)
        if name.endswith(".conv2d.weight"):
            a = a.transpose(3, 2, 0, 1)
        state[name] = torch.from_numpy(np.ascontiguousarray(a))
    m.load_state_dict(state, strict=True)
    relu = torch.relu
    with torch.no_grad():
        y = relu(m["in1"](m["conv1"](x255)))
        y = relu(m["in2"](m["conv2"](y)))
        y = relu(m["in3"](m["conv3"](y)))
        for i in range(1, BLOCKS + 1):
            r = m["res%d" % i]
            y = y + r["in2"](r["conv2"](relu(r["in1"](r["conv1"](y)))))
        y = relu(m["in4"](m["deconv1"](F.interpolate(y, scale_factor=2, mode="nearest"))))
        y = relu(m["in5"](m["deconv2"](F.interpolate(y, scale_factor=2, mode="nearest"))))
        return m["deconv3"](y)


# ----------------------------------------------------------------------------- loss

def vgg16_features(x, tw):
    """Activations of VGG16 blocks 1 to 4 (up to relu4_3; pools after blocks 1, 2, 3 only)."""
    feats = {}
    h = x
    for b, n in enumerate(shaped.CONVS_PER_BLOCK[16][:4], start=1):
        if b > 1:
            h = F.max_pool2d(h, kernel_size=2, stride=2, ceil_mode=False)
        for i in range(1, n + 1):
            k, bias = tw["conv%d_%d" % (b, i)]
            h = F.relu(F.conv2d(h, k, bias, stride=1, padding=1))
            feats["relu%d_%d" % (b, i)] = h
    return feats


def step_loss(x, style, tp, tw16):
    """Terms [content, style x4, tv] and total of one training step; y (RGB [0,1] scale)."""
    y255 = library_T(x, tp)
    y = y255 / 255.0
    fy = vgg16_features(vgg.caffe(y), tw16)
    fx = vgg16_features(vgg.caffe(x), tw16)
    fs = vgg16_features(vgg.caffe(style), tw16)
    terms = [W_CONTENT * torch.mean((fy[CONTENT_LAYER] - fx[CONTENT_LAYER].detach()) ** 2)]
    for l in STYLE_LAYERS:
        terms.append(W_STYLE * torch.mean((vgg.gram(fy[l]) - vgg.gram(fs[l]).detach()) ** 2))
    terms.append(W_TV * vgg.tv_sq(y255))
    total = sum(terms)
    return terms, total, y


def resize_smooth(rng, h, w, grid):
    coarse = rng.rand(1, 3, grid[0], grid[1])
    up = F.interpolate(torch.from_numpy(coarse), size=(h, w), mode="bilinear", align_corners=True).numpy()
    return np.clip(up + 0.05 * rng.standard_normal(up.shape), 0, 1)


def run_case(x_np, style_np, params, tw16, grads=True):
    tp = torch_params(params)
    x = torch.from_numpy(x_np.astype(np.float64))
    s = torch.from_numpy(style_np.astype(np.float64))
    terms, total, y = step_loss(x, s, tp, tw16)
    out = {"terms": np.array([t.item() for t in terms] + [total.item()]), "output": y.detach().numpy()}
    if grads:
        total.backward()
        g = {}
        for name, _ in parameter_shapes():
            a = tp[name].grad.numpy()
            if name.endswith(".conv2d.weight"):
                a = a.transpose(2, 3, 1, 0)
            g[name] = a
        out["grads"] = flat(g)
    return out


def checks(params, x_np, tw16):
    # the truncated VGG16 == generate_vgg_golden's full one on the shared layers
    xv = torch.from_numpy(np.random.RandomState(6).rand(1, 3, 32, 32))
    full = vgg.vgg_forward(vgg.caffe(xv), tw16, 16)
    part = vgg16_features(vgg.caffe(xv), tw16)
    for l in STYLE_LAYERS:
        assert torch.equal(full[l], part[l]), l
    # functional network == nn.Module network (multiple-of-4 size: no padding on the library side)
    tp = torch_params(params)
    x255 = torch.from_numpy(x_np.astype(np.float64)) * 255.0
    a = transformer(x255, tp).detach()
    b = module_T(x255, params)
    err = (a - b).abs().max().item() / b.abs().max().item()
    assert err < 1e-12, "functional vs module: %g" % err
    # gradcheck of the whole step on a small case (side 12: padded from 10), w.r.t. some parameters
    rng = np.random.RandomState(5)
    xs = torch.tensor(resize_smooth(rng, 10, 10, (3, 3))[:, :, :10, :10], dtype=torch.float64)
    st = torch.tensor(resize_smooth(rng, 12, 12, (3, 3)), dtype=torch.float64)
    names = ["in1.weight", "in5.bias", "deconv3.conv2d.bias", "res2.in2.weight"]

    def f(*vals):
        tq = dict(tp)
        for n, v in zip(names, vals):
            tq[n] = v
        return step_loss(xs, st, tq, tw16)[1]

    ok = torch.autograd.gradcheck(f, tuple(tp[n].detach().clone().requires_grad_(True) for n in names),
                                  eps=1e-6, atol=1e-6, rtol=1e-4)
    assert ok


def main():
    w16 = shaped.read_keras_conv_weights(VGG16_FILE)
    tw16 = vgg.torch_weights(w16)
    rng = np.random.RandomState(SEED)
    params = make_params(rng)
    style = resize_smooth(rng, 20, 28, (4, 5)).astype(np.float32)
    content = np.concatenate([resize_smooth(rng, 24, 24, (5, 5)) for _ in range(2)]).astype(np.float32)
    odd = np.concatenate([resize_smooth(rng, 22, 22, (4, 6)) for _ in range(2)]).astype(np.float32)

    checks(params, content, tw16)
    main_case = run_case(content, style, params, tw16)
    odd_case = run_case(odd, style, params, tw16, grads=False)

    files = {
        "params": flat(params),
        "style": style,
        "content": content,
        "output": main_case["output"],
        "terms": main_case["terms"],
        "grads": main_case["grads"],
        "odd_content": odd,
        "odd_output": odd_case["output"],
        "odd_terms": odd_case["terms"],
    }
    os.makedirs(GOLD, exist_ok=True)
    for name, arr in files.items():
        np.save(os.path.join(GOLD, name + ".npy"), np.ascontiguousarray(arr, dtype=np.float32))
    for name, arr in files.items():
        back = np.load(os.path.join(GOLD, name + ".npy"))
        assert np.array_equal(back, np.asarray(arr, dtype=np.float32)), name
    t = main_case["terms"]
    with open(os.path.join(GOLD, "README.md"), "w") as f:
        f.write("# Golden values of one fast-style-transfer training step\n\n"
                "Generated by `vgg-import/src/test/python/generate_fast_golden.py` (PyTorch %s, float64, saved as "
                "float32). Do not edit by hand; the script's docstring gives every formula and the parameter order.\n\n"
                "Transform net width %d, %d residual blocks (%d parameters); loss network `../../vgg/tiny_vgg16_notop.h5`; "
                "weights content %g, style %g, TV %g; content tap %s, style taps %s.\n\n"
                "Terms of the main case: content %.6g, style %s, tv %.6g, total %.6g.\n\n"
                "| file | shape |\n|---|---|\n" % (
                    torch.__version__, W_NET, BLOCKS, files["params"].size, W_CONTENT, W_STYLE, W_TV, CONTENT_LAYER,
                    ", ".join(STYLE_LAYERS), t[0], ", ".join("%.6g" % v for v in t[1:5]), t[5], t[6]))
        for name, arr in files.items():
            f.write("| %s.npy | %s |\n" % (name, tuple(np.asarray(arr).shape)))
    size = sum(os.path.getsize(os.path.join(GOLD, n + ".npy")) for n in files)
    print("fast golden: %d npy in %s, %.1f KB; terms %s; odd terms %s; checks passed (module cross-check, gradcheck)" % (
        len(files), os.path.relpath(GOLD), size / 1024.0, np.array2string(t, precision=4),
        np.array2string(odd_case["terms"], precision=4)))


if __name__ == "__main__":
    main()
