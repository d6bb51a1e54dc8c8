#!/usr/bin/python3
"""PyTorch side of the fast-style-transfer timing (see FastStyleTiming.java for the Java side).

Run with Debian's python (torch 1.13, h5py, numpy), 2 threads:
    /usr/bin/python3 benchmarks/src/main/python/fast_style_timing.py /tmp/vgg16_full.h5 [iterations=6] [repeats=3]

The same networks and loss as the Java side: Johnson et al.'s transform net as pytorch/examples builds it
(width 32, 5 residual blocks, reflection padding, instance norm, nearest x2 upsampling; 0-255 inside), the
VGG16 of the given Keras weights file (random weights are fine: the timing does not depend on the values)
with Caffe preprocessing, content relu2_2, style relu1_2/relu2_2/relu3_3/relu4_3 (Gram / CHW), squared TV;
Adam lr 1e-3; batch 4 of 256 x 256 random images (already in memory: no image decoding, unlike the Java
side, which reads 4 PNGs per batch). Training throughput counts the iterations after the first; inference
(no_grad) reports the median of the repeats after one warm-up run, at 512 x 512 and 1024 x 1024.
"""
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "vgg-import", "src", "test", "python"))
import generate_vgg19_shaped as shaped  # noqa: E402
from transformer_net import TransformNet, stylize  # noqa: E402

CAFFE_MEAN_BGR = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)


class Vgg16(torch.nn.Module):
    def __init__(self, path):
        super().__init__()
        w = shaped.read_keras_conv_weights(path)
        self.convs = torch.nn.ModuleList()
        self.names = []
        for b, n in enumerate(shaped.CONVS_PER_BLOCK[16][:4], start=1):
            for i in range(1, n + 1):
                k, bias = w["conv%d_%d" % (b, i)]
                c = torch.nn.Conv2d(k.shape[2], k.shape[3], 3, padding=1)
                c.weight.data = torch.from_numpy(np.ascontiguousarray(k.transpose(3, 2, 0, 1)))
                c.bias.data = torch.from_numpy(bias)
                self.convs.append(c)
                self.names.append((b, i))
        for p in self.parameters():
            p.requires_grad_(False)

    def forward(self, x):
        feats = {}
        h = x
        for conv, (b, i) in zip(self.convs, self.names):
            if i == 1 and b > 1:
                h = F.max_pool2d(h, 2, 2)
            h = torch.relu(conv(h))
            feats["relu%d_%d" % (b, i)] = h
        return feats


def caffe(rgb):
    return rgb[:, [2, 1, 0]] * 255.0 - CAFFE_MEAN_BGR


def gram(f):
    n, c, h, w = f.shape
    m = f.reshape(n, c, h * w)
    return m @ m.transpose(1, 2) / (c * h * w)


def main():
    torch.set_num_threads(2)
    path = sys.argv[1]
    iterations = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    repeats = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    torch.manual_seed(0)
    net = TransformNet()
    vgg = Vgg16(path)
    opt = torch.optim.Adam(net.parameters(), 1e-3)
    style_layers = ("relu1_2", "relu2_2", "relu3_3", "relu4_3")
    style = torch.rand(1, 3, 256, 256)
    with torch.no_grad():
        fs = vgg(caffe(style))
        gs = {l: gram(fs[l]) for l in style_layers}
    times = []
    for it in range(iterations):
        x = torch.rand(4, 3, 256, 256)
        t0 = time.perf_counter()
        opt.zero_grad()
        y255 = net(x * 255.0)
        y = y255 / 255.0
        fy = vgg(caffe(y))
        with torch.no_grad():
            fx = vgg(caffe(x))["relu2_2"]
        loss = 1.0 * torch.mean((fy["relu2_2"] - fx) ** 2)
        for l in style_layers:
            loss = loss + 5.0 * torch.mean((gram(fy[l]) - gs[l]) ** 2)
        dx = y255[:, :, :-1, 1:] - y255[:, :, :-1, :-1]
        dy = y255[:, :, 1:, :-1] - y255[:, :, :-1, :-1]
        loss = loss + 1e-6 * 0.5 * ((dx ** 2).sum() + (dy ** 2).sum())
        loss.backward()
        opt.step()
        times.append(time.perf_counter() - t0)
        print("train iteration %d: %.2f s" % (it + 1, times[-1]), flush=True)
    timed = times[1:]
    print("pytorch training: %.3f images/s (256x256, batch 4, %d timed iterations, %.2f s per iteration)" % (
        4 * len(timed) / sum(timed), len(timed), sum(timed) / len(timed)))
    net.eval()
    for size in (512, 1024):
        x = torch.rand(1, 3, size, size)
        with torch.no_grad():
            net(x * 255.0)
            t = []
            for _ in range(repeats):
                t0 = time.perf_counter()
                stylize(net, x)
                t.append(time.perf_counter() - t0)
        t.sort()
        print("pytorch inference %dx%d: %.3f s (median of %d; all %s)" % (size, size, t[len(t) // 2], repeats,
                                                                          ["%.3f" % v for v in t]))


if __name__ == "__main__":
    main()
