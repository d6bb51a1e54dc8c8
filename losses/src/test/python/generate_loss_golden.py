#!/usr/bin/python3
"""Reference values and gradients of the perceptual loss functions (PyTorch autograd).

Run with Debian's python (torch 1.13, numpy):
    /usr/bin/python3 losses/src/test/python/generate_loss_golden.py
Writes losses/src/test/resources/golden/*.npy (numpy.save, float32, C order). Inputs are drawn with
numpy.random.RandomState(SEED) and rounded to float32 FIRST; every value and gradient is then computed
in float64 from those float32 inputs and cast to float32. Deterministic: re-running rewrites
byte-identical files. Prints a one-line summary. No layer weights or loss weights are applied here
(the weighted, network-level terms are in vgg-import/src/test/python/generate_vgg_golden.py).

FILES (scalars have shape (1,); "grad" = d value / d input, same shape as the input)

content loss, MSE-mean:
  content_input.npy  [2,5,6,7]  feature map x (relu-like: 10 * max(N(0.3,1), 0))
  content_target.npy [2,5,6,7]  feature map t
  content_value.npy  (1,)       mean((x - t)^2)      -- mean over ALL N*C*H*W elements
  content_grad.npy   [2,5,6,7]  2 (x - t) / (N*C*H*W)

style loss, batch 1:
  style_input.npy    [1,5,6,7]  feature map x
  style_target.npy   [1,5,6,7]  feature map t (the target gram is computed from it)
  style_gram.npy     [1,5,5]    gram(x)
  style_value.npy    (1,)       mean((gram(x) - gram(t))^2)   -- mean over C*C
  style_grad.npy     [1,5,6,7]
  where gram(F) for F [N,C,H,W]: per sample n, M = F[n] reshaped [C, H*W], G[n] = M @ M^T / (C*H*W)

style loss, batch 2 (gram per sample, sample n of x is compared with sample n of t):
  style_b2_input.npy  [2,5,6,7]
  style_b2_target.npy [2,5,6,7]
  style_b2_value.npy  (1,)      mean over n and C*C of (gram(x)[n] - gram(t)[n])^2
                                = (1/N) sum_n mean_{C*C}((gram(x)[n] - gram(t)[n])^2)
  style_b2_grad.npy   [2,5,6,7]

total variation, on tv_input.npy [1,3,9,11] (x[n,c,i,j], H=9, W=11):
  tv_sq_value.npy (1,)  squared TV WITH the 0.5 factor, weight 1:
                        0.5 * sum_{n, c, 0<=i<=H-2, 0<=j<=W-2} (x[n,c,i,j+1]-x[n,c,i,j])^2 + (x[n,c,i+1,j]-x[n,c,i,j])^2
                        (note both differences use only i<=H-2 AND j<=W-2: the last row and column
                        never start a difference; this is jcjohnson/neural-style's TVLoss, whose
                        hand-written backward equals this function's gradient -- checked below)
  tv_sq_grad.npy  [1,3,9,11]
  tv_l1_value.npy (1,)  sum |x[:,:,:,1:]-x[:,:,:,:-1]| + sum |x[:,:,1:,:]-x[:,:,:-1,:]|  (full ranges,
                        like tf.image.total_variation)
  tv_l1_grad.npy  [1,3,9,11]

Checks (exceptions abort): torch.autograd.gradcheck of every function on the stored inputs (float64);
the values against an independent numpy implementation; the squared-TV gradient against a port of
neural-style's TVLoss:updateGradInput; the files read back equal the computed arrays.
"""
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.normpath(os.path.join(HERE, "..", "resources", "golden"))
SEED = 4242


# ----------------------------------------------------------------------------- losses (torch)

def content_loss(x, t):
    return torch.mean((x - t) ** 2)


def gram(f):
    n, c, h, w = f.shape
    m = f.reshape(n, c, h * w)
    return m @ m.transpose(1, 2) / (c * h * w)


def style_loss(x, t):
    return torch.mean((gram(x) - gram(t)) ** 2)


def tv_sq(x):
    dx = x[:, :, :-1, 1:] - x[:, :, :-1, :-1]
    dy = x[:, :, 1:, :-1] - x[:, :, :-1, :-1]
    return 0.5 * ((dx ** 2).sum() + (dy ** 2).sum())


def tv_l1(x):
    return (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().sum() + (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().sum()


# ----------------------------------------------------------------------------- independent checks

def numpy_values(a):
    """The same values in plain numpy loops/expressions (no torch)."""
    v = {}
    v["content_value"] = np.mean((a["content_input"].astype(np.float64) - a["content_target"]) ** 2)

    def np_gram(f):
        f = f.astype(np.float64)
        n, c, h, w = f.shape
        return np.stack([f[i].reshape(c, h * w) @ f[i].reshape(c, h * w).T / (c * h * w) for i in range(n)])
    v["style_gram"] = np_gram(a["style_input"])
    v["style_value"] = np.mean((np_gram(a["style_input"]) - np_gram(a["style_target"])) ** 2)
    v["style_b2_value"] = np.mean([np.mean((np_gram(a["style_b2_input"])[i] - np_gram(a["style_b2_target"])[i]) ** 2)
                                   for i in range(2)])
    x = a["tv_input"].astype(np.float64)
    _, C, Hh, Ww = x.shape
    s = 0.0
    for c in range(C):
        for i in range(Hh - 1):
            for j in range(Ww - 1):
                s += (x[0, c, i, j + 1] - x[0, c, i, j]) ** 2 + (x[0, c, i + 1, j] - x[0, c, i, j]) ** 2
    v["tv_sq_value"] = 0.5 * s
    v["tv_l1_value"] = np.abs(np.diff(x, axis=3)).sum() + np.abs(np.diff(x, axis=2)).sum()
    return v


def neural_style_tv_grad(x):
    """Port of jcjohnson/neural-style TVLoss:updateGradInput (strength 1) for one CHW image."""
    x = x.astype(np.float64)
    grad = np.zeros_like(x)
    x_diff = x[:, :-1, :-1] - x[:, :-1, 1:]
    y_diff = x[:, :-1, :-1] - x[:, 1:, :-1]
    grad[:, :-1, :-1] += x_diff + y_diff
    grad[:, :-1, 1:] -= x_diff
    grad[:, 1:, :-1] -= y_diff
    return grad


# ----------------------------------------------------------------------------- main

def make_inputs():
    rng = np.random.RandomState(SEED)
    # feature maps like relu activations of magnitude ~1..30 (so that the style gradients are not ~1e-4)
    relu_like = lambda shape: (10.0 * np.maximum(rng.standard_normal(shape) + 0.3, 0.0)).astype(np.float32)  # noqa: E731
    a = {}
    a["content_input"] = relu_like((2, 5, 6, 7))
    a["content_target"] = relu_like((2, 5, 6, 7))
    a["style_input"] = relu_like((1, 5, 6, 7))
    a["style_target"] = relu_like((1, 5, 6, 7))
    a["style_b2_input"] = relu_like((2, 5, 6, 7))
    a["style_b2_target"] = relu_like((2, 5, 6, 7))
    a["tv_input"] = rng.standard_normal((1, 3, 9, 11)).astype(np.float32)
    return a


def value_and_grad(fn, x_np, *rest):
    x = torch.from_numpy(x_np.astype(np.float64)).requires_grad_(True)
    args = [torch.from_numpy(r.astype(np.float64)) for r in rest]
    v = fn(x, *args)
    (g,) = torch.autograd.grad(v, x)
    assert torch.autograd.gradcheck(lambda y: fn(y, *args), (x.detach().clone().requires_grad_(True),),
                                    eps=1e-6, atol=1e-7, rtol=1e-5), fn.__name__
    return np.array([v.item()], dtype=np.float32), g.numpy().astype(np.float32), v.item(), g.numpy()


def main():
    a = make_inputs()
    out = dict(a)
    exact = {}
    for prefix, fn, x, t in (("content", content_loss, "content_input", "content_target"),
                             ("style", style_loss, "style_input", "style_target"),
                             ("style_b2", style_loss, "style_b2_input", "style_b2_target")):
        out[prefix + "_value"], out[prefix + "_grad"], exact[prefix + "_value"], exact[prefix + "_grad"] = \
            value_and_grad(fn, a[x], a[t])
    exact["style_gram"] = gram(torch.from_numpy(a["style_input"].astype(np.float64))).numpy()
    out["style_gram"] = exact["style_gram"].astype(np.float32)
    out["tv_sq_value"], out["tv_sq_grad"], exact["tv_sq_value"], exact["tv_sq_grad"] = value_and_grad(tv_sq, a["tv_input"])
    out["tv_l1_value"], out["tv_l1_grad"], exact["tv_l1_value"], exact["tv_l1_grad"] = value_and_grad(tv_l1, a["tv_input"])

    # independent checks
    nv = numpy_values(a)
    for k, v in nv.items():
        ref = exact[k]
        assert np.allclose(ref, v, rtol=1e-12, atol=1e-12), k
    assert np.allclose(exact["tv_sq_grad"][0], neural_style_tv_grad(a["tv_input"][0]), rtol=1e-12, atol=1e-12)
    d = a["content_input"].astype(np.float64) - a["content_target"]
    assert np.allclose(exact["content_grad"], 2 * d / d.size, rtol=1e-12, atol=1e-15)
    x = a["tv_input"].astype(np.float64)
    sx, sy = np.sign(np.diff(x, axis=3)), np.sign(np.diff(x, axis=2))
    l1g = np.zeros_like(x)
    l1g[:, :, :, 1:] += sx
    l1g[:, :, :, :-1] -= sx
    l1g[:, :, 1:, :] += sy
    l1g[:, :, :-1, :] -= sy
    assert np.array_equal(exact["tv_l1_grad"], l1g)

    os.makedirs(OUT, exist_ok=True)
    names = sorted(out)
    for k in names:
        np.save(os.path.join(OUT, k + ".npy"), np.ascontiguousarray(out[k], dtype=np.float32))
    for k in names:
        r = np.load(os.path.join(OUT, k + ".npy"))
        assert r.dtype == np.float32 and np.array_equal(r, out[k]), k
    size = sum(os.path.getsize(os.path.join(OUT, k + ".npy")) for k in names)
    print("loss golden: %d npy files in %s, %.1f KB; content=%.6g style=%.6g style_b2=%.6g tv_sq=%.6g tv_l1=%.6g; "
          "checks passed (gradcheck, numpy re-implementation, neural-style TV backward, reload)" % (
              len(names), os.path.relpath(OUT), size / 1024.0, out["content_value"][0], out["style_value"][0],
              out["style_b2_value"][0], out["tv_sq_value"][0], out["tv_l1_value"][0]))


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    main()
