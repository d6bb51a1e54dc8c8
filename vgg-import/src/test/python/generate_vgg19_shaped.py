#!/usr/bin/python3
"""Writes a VGG-shaped Keras weights file (notop) filled with random weights.

NO torch dependency: numpy + h5py only. Intended for benchmarks and manual
end-to-end runs of the Java importer without downloading the real 80 MB file;
its output is NOT committed. generate_vgg_golden.py imports the writer and the
weight initialisation from this file, so the small committed test fixtures use
exactly the same layout.

Usage:
    /usr/bin/python3 generate_vgg19_shaped.py [--widths 64,128,256,512,512]
        [--seed 0] [--depth 19|16] [--naming old|new] [--out PATH]

Default widths are the reduced test widths 4,8,12,16,16; pass
--widths 64,128,256,512,512 for a file with exactly the shapes of
vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5. The output path is printed.
Default output: <module>/target/generated/vgg<depth>_shaped_w<widths>_s<seed>.h5
(target/ is ignored by git).

File layout (what keras-applications' vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5
contains, as written by Keras 2.x save_weights with h5py 2.x):
  root attrs: layer_names  = numpy array of FIXED-LENGTH byte strings (dtype |S<n>):
                 input_1, block1_conv1, block1_conv2, block1_pool, block2_conv1, ...,
                 block5_conv4, block5_pool
              backend       = b'tensorflow'  (fixed-length byte string scalar)
              keras_version = b'2.1.5'       (fixed-length byte string scalar)
  one group per layer name, each with attr weight_names:
    - input/pool layers: an EMPTY array. Keras writes `g.attrs['weight_names'] = []`,
      which h5py stores as a float64 array of shape (0,); this file does the same.
    - conv layers (naming "old"): [b'blockB_convI_W_1:0', b'blockB_convI_b_1:0'] (|S<n>),
      datasets  blockB_convI/blockB_convI_W_1:0  kernel (3,3,in,out) HWIO float32
                blockB_convI/blockB_convI_b_1:0  bias   (out,)          float32
    - conv layers (naming "new", tf.keras save_weights style):
      weight_names = [b'blockB_convI/kernel:0', b'blockB_convI/bias:0'],
      datasets  blockB_convI/blockB_convI/kernel:0 and blockB_convI/blockB_convI/bias:0
  Keras block B conv I <-> conv{B}_{I}; torch weight = kernel.transpose(3, 2, 0, 1) (OIHW).

Random initialisation (numpy.random.RandomState(seed), legacy generator, stable
across numpy versions), layers drawn in network order, kernel then bias:
  kernel ~ N(0, std^2), std = sqrt(2 / (9 * in)) (He normal), multiplied by
           FIRST_LAYER_SCALE = 1/8 for conv1_1 (its input is Caffe-convention 0..255 data);
  bias   ~ N(0, BIAS_STD^2), BIAS_STD = 0.25.
Both cast to float32.
"""
import argparse
import os
import sys

import h5py
import numpy as np

REDUCED_WIDTHS = (4, 8, 12, 16, 16)
FULL_WIDTHS = (64, 128, 256, 512, 512)
CONVS_PER_BLOCK = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
# conv1_1 sees inputs of magnitude ~100 (0..255 minus the mean); the factor 1/8 keeps
# the activations of the reduced-width random network O(1..60) (relu5_1 mean ~3, max ~18)
# instead of O(100..500), and makes the default style terms comparable to the TV term.
FIRST_LAYER_SCALE = 1.0 / 8.0
# Biases of std 0.25 change relu1_1..relu5_1 by 1.5..7 % (relative L2) and pool5 by 14 %,
# so a Java importer that drops or misassigns biases fails clearly (std 0.01 would
# change them by < 0.3 %).
BIAS_STD = 0.25


def conv_names(depth):
    """[(block, index)] for every conv layer of VGG<depth>, in network order."""
    return [(b + 1, i + 1) for b, n in enumerate(CONVS_PER_BLOCK[depth]) for i in range(n)]


def make_weights(depth=19, widths=REDUCED_WIDTHS, seed=0):
    """{ 'conv{B}_{I}': (kernel HWIO float32, bias float32) } in network order."""
    rng = np.random.RandomState(seed)
    weights = {}
    cin = 3
    for b, i in conv_names(depth):
        cout = widths[b - 1]
        std = np.sqrt(2.0 / (9.0 * cin))
        if (b, i) == (1, 1):
            std *= FIRST_LAYER_SCALE
        kernel = (rng.standard_normal((3, 3, cin, cout)) * std).astype(np.float32)
        bias = (rng.standard_normal((cout,)) * BIAS_STD).astype(np.float32)
        weights["conv%d_%d" % (b, i)] = (kernel, bias)
        cin = cout
    return weights


def _fixed(strings):
    """numpy array of fixed-length byte strings (h5py stores it as H5T_STRING fixed size)."""
    return np.array([s.encode("utf8") if isinstance(s, str) else s for s in strings])


def keras_layers(weights, depth, naming="old", layer_name=None):
    """Layer list for write_keras_h5: [(group_name, [(dataset_path, weight_name, array)])].

    layer_name maps (block, index) -> Keras layer name (default blockB_convI);
    pools are named by layer_name((block, 0)) -> default blockB_pool.
    """
    if layer_name is None:
        def layer_name(key):
            b, i = key
            return "block%d_pool" % b if i == 0 else "block%d_conv%d" % (b, i)
    layers = [("input_1", [])]
    for b, n in enumerate(CONVS_PER_BLOCK[depth], start=1):
        for i in range(1, n + 1):
            name = layer_name((b, i))
            kernel, bias = weights["conv%d_%d" % (b, i)]
            if naming == "old":
                ds = [(name + "_W_1:0", name + "_W_1:0", kernel),
                      (name + "_b_1:0", name + "_b_1:0", bias)]
            elif naming == "new":
                ds = [(name + "/kernel:0", name + "/kernel:0", kernel),
                      (name + "/bias:0", name + "/bias:0", bias)]
            else:
                raise ValueError("naming must be old or new: " + naming)
            layers.append((name, ds))
        layers.append((layer_name((b, 0)), []))
    return layers


def write_keras_h5(path, layers, keras_version=b"2.1.5", backend=b"tensorflow"):
    """Writes layers [(group, [(dataset_path_in_group, weight_name, array)])] Keras-style.

    Deterministic: h5py does not record object timestamps by default, so identical
    input gives a byte-identical file.
    """
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs["layer_names"] = _fixed([name for name, _ in layers])
        f.attrs["backend"] = np.bytes_(backend)
        f.attrs["keras_version"] = np.bytes_(keras_version)
        for name, datasets in layers:
            g = f.create_group(name)
            if datasets:
                g.attrs["weight_names"] = _fixed([wn for _, wn, _ in datasets])
            else:
                g.attrs["weight_names"] = []  # what Keras writes: float64 array of shape (0,)
            for dpath, _, arr in datasets:
                g.create_dataset(dpath, data=np.ascontiguousarray(arr, dtype=np.float32))


def read_keras_conv_weights(path):
    """Reads any file written here back: {'conv{B}_{I}' or raw layer name: (kernel, bias)}.

    Follows weight_names like Keras' load_weights does, so it works for both namings.
    """
    out = {}
    with h5py.File(path, "r") as f:
        for raw in f.attrs["layer_names"]:
            name = raw.decode("utf8")
            g = f[name]
            wn = [w.decode("utf8") for w in g.attrs["weight_names"]] if len(g.attrs["weight_names"]) else []
            if not wn:
                continue
            arrays = [np.asarray(g[w]) for w in wn]
            key = name
            if name.startswith("block") and "_conv" in name:
                b, i = name[len("block"):].split("_conv")
                key = "conv%s_%s" % (b, i)
            out[key] = tuple(arrays)
    return out


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--widths", default=",".join(map(str, REDUCED_WIDTHS)),
                   help="5 comma-separated block widths (full VGG: 64,128,256,512,512)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--depth", type=int, choices=(16, 19), default=19)
    p.add_argument("--naming", choices=("old", "new"), default="old")
    p.add_argument("--out", default=None)
    a = p.parse_args(argv)
    widths = tuple(int(w) for w in a.widths.split(","))
    if len(widths) != 5 or min(widths) < 1:
        p.error("--widths needs 5 positive integers")
    out = a.out
    if out is None:
        module = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", ".."))
        out = os.path.join(module, "target", "generated", "vgg%d_shaped_w%s_s%d%s.h5" % (
            a.depth, "-".join(map(str, widths)), a.seed, "" if a.naming == "old" else "_newnaming"))
    weights = make_weights(a.depth, widths, a.seed)
    write_keras_h5(out, keras_layers(weights, a.depth, a.naming))
    nparams = sum(k.size + bb.size for k, bb in weights.values())
    print("wrote %s (VGG%d, widths %s, seed %d, %s naming, %d parameters, %d bytes)" % (
        out, a.depth, ",".join(map(str, widths)), a.seed, a.naming, nparams, os.path.getsize(out)))


if __name__ == "__main__":
    sys.exit(main())
