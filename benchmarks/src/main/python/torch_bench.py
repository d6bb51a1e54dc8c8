#!/usr/bin/python3
"""PyTorch side of the Perceptual4J benchmarks: the workloads of the JMH suite, on the same weights,
with the same loss definitions and the same thread count.

Needs Debian's PyTorch and OpenBLAS (without OpenBLAS, torch's matrix products run on the reference
BLAS and the Gram matrices alone get several times slower):
    apt-get install python3-torch python3-torchvision python3-h5py libopenblas0-pthread

Normally started by benchmarks/compare.sh through the Java driver (one process per workload, so that
each process's peak RSS belongs to one workload). By hand:
    torch_bench.py env [--threads 2] [--allow-any-blas]
    torch_bench.py check --weights W.h5 --dir DIR [--threads 2]
    torch_bench.py run --weights W.h5 --workload WORKLOAD [--size N] [--threads 2]
                       [--warmup 2] [--iterations 5] [--time 5]
WORKLOAD: features (VGG19 to relu5_1, forward), style_step (every loss term and the gradient w.r.t.
the image), gram (relu1_1-shaped [1,64,512,512] features), lbfgs_step (one torch.optim.LBFGS step with
history 100 on 3x512x512, including one evaluation of a diagonal quadratic), lbfgs_objective (that
quadratic's value and gradient alone), transform_net (fast style transfer's inference: pytorch/examples'
TransformerNet, transformer_net.py, with random weights on one [1,3,size,size] image under no_grad,
in 0-255 inside and clamped to [0, 1] out like FastStyleModel.stylize; needs no --weights).

Output lines (parsed by the driver, org.perceptual4j.benchmarks.TorchResult):
    ENV key=value                     (env)
    CHECK key=value ...               (check; exit status 1 if the objectives differ)
    RESULT workload=W size=N mean_ms=M sd_ms=S min_ms=A n=I rss_peak_mb=R rss_fork_mb=F
Timing follows JMH's AverageTime mode: warm-up iterations, then measurement iterations of at least
--time seconds (at least one call each); an iteration's score is its mean time per call; mean and
standard deviation are over the measurement iterations. rss_peak_mb is the peak resident set during
the measurement (VmHWM after resetting it through /proc/self/clear_refs), rss_fork_mb the peak since
the process started.

Loss definitions (docs/guide.md, "Loss definitions"), on the image x in the network's (Caffe) space:
    content = 5   * mean((F_relu4_2(x) - F_relu4_2(content))^2)
    style   = 100 * sum_l mean((G(F_l(x)) - G(F_l(style)))^2),  l = relu1_1 .. relu5_1,
              G(F) = F F^T / (C*H*W)
    tv      = 1e-3 * 0.5 * sum_{i<H-1, j<W-1} (x[i,j+1]-x[i,j])^2 + (x[i+1,j]-x[i,j])^2
Network weights are constants (requires_grad False); only d total / d x is computed.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", "..", "..", ".."))
# the reader of the Keras weights layout lives with the generator of the random-weight file
sys.path.insert(0, os.path.join(ROOT, "vgg-import", "src", "test", "python"))
import generate_vgg19_shaped as shaped  # noqa: E402
import transformer_net  # noqa: E402  (next to this script)

CAFFE_MEAN_BGR = (103.939, 116.779, 123.68)
CONTENT_LAYERS = {"relu4_2": 1.0}
STYLE_LAYERS = {"relu1_1": 1.0, "relu2_1": 1.0, "relu3_1": 1.0, "relu4_1": 1.0, "relu5_1": 1.0}
CONTENT_WEIGHT, STYLE_WEIGHT, TV_WEIGHT = 5.0, 100.0, 1e-3
LBFGS_HISTORY = 100
LBFGS_SHAPE = (1, 3, 512, 512)
GRAM_SHAPE = (1, 64, 512, 512)
TRANSFORM_NET_SEED = 0
TOTAL_TOLERANCE = 1e-4      # relative, on the objective value
# relative, on each weighted term: float32 sums over up to 10^6 elements, and the style terms are
# small differences of Gram matrices (cancellation), measured up to ~8e-5 apart
TERM_TOLERANCE = 1e-3
GRADIENT_TOLERANCE = 1e-3    # relative L2 error of the gradient


class Vgg19:
    """VGG19 convolutions from a Keras weights file (HWIO kernels -> torch OIHW), frozen."""

    def __init__(self, path):
        weights = shaped.read_keras_conv_weights(path)
        self.blocks = []
        for block, count in enumerate(shaped.CONVS_PER_BLOCK[19], start=1):
            convs = []
            for i in range(1, count + 1):
                kernel, bias = weights["conv%d_%d" % (block, i)]
                convs.append((torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1))),
                              torch.from_numpy(np.ascontiguousarray(bias))))
            self.blocks.append(convs)

    def features(self, x, layers):
        """{name: relu output} for names reluB_I, evaluating only up to the deepest one."""
        wanted = set(layers)
        out = {}
        for b, convs in enumerate(self.blocks, start=1):
            if b > 1:
                x = F.max_pool2d(x, 2, 2)
            for i, (kernel, bias) in enumerate(convs, start=1):
                x = F.relu(F.conv2d(x, kernel, bias, padding=1))
                name = "relu%d_%d" % (b, i)
                if name in wanted:
                    out[name] = x
                    if len(out) == len(wanted):
                        return out
        raise ValueError("unknown layers: %s" % sorted(wanted - set(out)))


def caffe(rgb):
    """RGB [0,1] NCHW -> BGR, 0..255, mean subtracted (ImageConvention.CAFFE)."""
    mean = torch.tensor(CAFFE_MEAN_BGR, dtype=rgb.dtype).view(1, 3, 1, 1)
    return rgb[:, [2, 1, 0]] * 255.0 - mean


def gram(features):
    n, c, h, w = features.shape
    f = features.reshape(n * c, h * w)
    return f.mm(f.t()) / (c * h * w)


def tv_squared(x):
    dx = x[:, :, :-1, 1:] - x[:, :, :-1, :-1]
    dy = x[:, :, 1:, :-1] - x[:, :, :-1, :-1]
    return 0.5 * ((dx * dx).sum() + (dy * dy).sum())


class StyleObjective:
    """The neural-style objective of StyleTransfer.objective(), on network-space images."""

    def __init__(self, vgg, content_net, style_net):
        self.vgg = vgg
        self.layers = list(dict.fromkeys(list(CONTENT_LAYERS) + list(STYLE_LAYERS)))
        with torch.no_grad():
            self.content_targets = vgg.features(content_net, CONTENT_LAYERS)
            style = vgg.features(style_net, STYLE_LAYERS)
            self.gram_targets = {l: gram(style[l]) for l in STYLE_LAYERS}

    def terms(self, x):
        f = self.vgg.features(x, self.layers)
        terms = {}
        for l, w in CONTENT_LAYERS.items():
            terms["content:" + l] = CONTENT_WEIGHT * w * F.mse_loss(f[l], self.content_targets[l])
        for l, w in STYLE_LAYERS.items():
            terms["style:" + l] = STYLE_WEIGHT * w * F.mse_loss(gram(f[l]), self.gram_targets[l])
        terms["tv"] = TV_WEIGHT * tv_squared(x)
        return terms

    def evaluate(self, x_net):
        """(total, {term: value}, gradient w.r.t. x) at x_net."""
        x = x_net.detach().requires_grad_(True)
        terms = self.terms(x)
        total = sum(terms.values())
        (grad,) = torch.autograd.grad(total, x)
        return total.item(), {k: v.item() for k, v in terms.items()}, grad


def uniform(seed, shape):
    return torch.rand(shape, generator=torch.Generator().manual_seed(seed))


def quadratic(shape, seed):
    """a = 10^(4u), u uniform: the diagonal of the L-BFGS benchmark's f(x) = 1/2 sum a x^2."""
    return torch.exp(uniform(seed, shape) * (4 * math.log(10)))


# ---------------------------------------------------------------- memory and timing

def proc_status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def measure(fn, warmup, iterations, seconds):
    """JMH-like AverageTime: returns (iteration means in ms, peak RSS MB during measurement, fork peak MB)."""
    def iteration():
        calls, start = 0, time.perf_counter()
        while True:
            fn()
            calls += 1
            elapsed = time.perf_counter() - start
            if elapsed >= seconds:
                return 1000.0 * elapsed / calls
    for _ in range(warmup):
        iteration()
    fork_peak = proc_status_kb("VmHWM")
    reset_peak_rss()
    scores = [iteration() for _ in range(iterations)]
    peak = proc_status_kb("VmHWM")
    return scores, peak / 1024.0, max(fork_peak, peak) / 1024.0


# ---------------------------------------------------------------- workloads

def workload(args):
    """The callable to time for args.workload (set-up done here, outside the timing)."""
    name = args.workload
    if name == "gram":
        feats = uniform(1, GRAM_SHAPE)
        return lambda: gram(feats)
    if name in ("lbfgs_step", "lbfgs_objective"):
        a = quadratic(LBFGS_SHAPE, 2)
        x = uniform(1, LBFGS_SHAPE).requires_grad_(True)
        if name == "lbfgs_objective":
            def objective():
                value = 0.5 * (a * x * x).sum()
                (g,) = torch.autograd.grad(value, x)
                return value.item(), g
            return objective
        opt = torch.optim.LBFGS([x], lr=1, max_iter=1, history_size=LBFGS_HISTORY,
                                tolerance_grad=0, tolerance_change=0, line_search_fn=None)

        def closure():
            opt.zero_grad()
            value = 0.5 * (a * x * x).sum()
            value.backward()
            return value
        for _ in range(LBFGS_HISTORY):   # fill the history, as the JMH set-up does
            opt.step(closure)
        return lambda: opt.step(closure)
    if name == "transform_net":
        if args.size is None:
            sys.exit("--size is required for " + name)
        torch.manual_seed(TRANSFORM_NET_SEED)
        net = transformer_net.TransformNet().eval()
        rgb = uniform(1, (1, 3, args.size, args.size))

        def stylize():
            with torch.no_grad():
                return transformer_net.stylize(net, rgb)
        shape = tuple(stylize().shape)
        if shape != tuple(rgb.shape):   # the Java side's output has the input's shape
            sys.exit("transform_net: expected an output of the input's shape %s, got %s" % (tuple(rgb.shape), shape))
        return stylize
    if args.weights is None or args.size is None:
        sys.exit("--weights and --size are required for " + name)
    vgg = Vgg19(args.weights)
    if name == "features":
        rgb = uniform(1, (1, 3, args.size, args.size))

        def features():
            with torch.no_grad():
                return vgg.features(caffe(rgb), ["relu5_1"])
        return features
    if name == "style_step":
        objective = StyleObjective(vgg, caffe(uniform(1, (1, 3, args.size, args.size))),
                                   caffe(uniform(2, (1, 3, args.size, args.size))))
        x = caffe(uniform(3, (1, 3, args.size, args.size)))
        return lambda: objective.evaluate(x)
    sys.exit("unknown workload " + name)


def cmd_run(args):
    torch.set_num_threads(args.threads)
    fn = workload(args)
    scores, peak_mb, fork_mb = measure(fn, args.warmup, args.iterations, args.time)
    mean = sum(scores) / len(scores)
    sd = math.sqrt(sum((s - mean) ** 2 for s in scores) / (len(scores) - 1)) if len(scores) > 1 else float("nan")
    print("RESULT workload=%s size=%d mean_ms=%.6g sd_ms=%.6g min_ms=%.6g n=%d rss_peak_mb=%.1f rss_fork_mb=%.1f" % (
        args.workload, args.size or 0, mean, sd, min(scores), len(scores), peak_mb, fork_mb))


def cmd_check(args):
    """Recomputes the objective dumped by org.perceptual4j.benchmarks.ObjectiveCheck and compares."""
    torch.set_num_threads(args.threads)
    load = lambda name: torch.from_numpy(np.load(os.path.join(args.dir, name + ".npy")).astype(np.float32))
    java = {}
    with open(os.path.join(args.dir, "terms.txt")) as f:
        for line in f:
            key, value = line.rsplit("=", 1)
            java[key.strip()] = float(value)
    objective = StyleObjective(Vgg19(args.weights), load("content"), load("style"))
    total, terms, grad = objective.evaluate(load("x"))
    java_grad = load("gradient")
    failures = []
    extra = set(java) - set(terms) - {"total"}
    if extra:
        failures.append("terms only on the Java side: %s" % sorted(extra))
    for key, value in list(terms.items()) + [("total", total)]:
        if key not in java:
            failures.append("term %s missing on the Java side" % key)
            continue
        rel = abs(value - java[key]) / max(abs(value), 1e-30)
        tolerance = TOTAL_TOLERANCE if key == "total" else TERM_TOLERANCE
        print("CHECK term=%s java=%.9g torch=%.9g rel=%.3g" % (key, java[key], value, rel))
        if not rel <= tolerance:
            failures.append("%s: Java %.9g vs PyTorch %.9g (relative %.3g > %g)" % (key, java[key], value, rel, tolerance))
    grad_rel = ((grad - java_grad).norm() / grad.norm()).item()
    print("CHECK term=gradient rel_l2=%.3g" % grad_rel)
    if not grad_rel <= GRADIENT_TOLERANCE:
        failures.append("gradient: relative L2 error %.3g > %g" % (grad_rel, GRADIENT_TOLERANCE))
    if failures:
        print("CHECK FAILED: the Java and PyTorch objectives differ, so their timings are not comparable:\n  "
              + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)
    print("CHECK ok")


def cmd_env(args):
    torch.set_num_threads(args.threads)
    n = 2048
    a, b = uniform(1, (n, n)), uniform(2, (n, n))
    a.mm(b)
    reps, start = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - start < 2:
        a.mm(b)
        reps += 1
    gflops = 2.0 * n ** 3 * reps / (time.perf_counter() - start) / 1e9
    with open("/proc/self/maps") as f:
        blas = sorted({l.split()[-1] for l in f if "blas" in l.lower() and l.split()[-1].startswith("/")})
    config = torch.__config__.show()
    blas_info = next((p.split("=", 1)[1] for p in config.replace(",", "\n").split() if p.startswith("BLAS_INFO=")), "?")
    print("ENV torch=%s" % torch.__version__)
    print("ENV torch_threads=%d" % torch.get_num_threads())
    print("ENV torch_blas_info=%s" % blas_info)
    print("ENV torch_mkldnn=%s" % torch.backends.mkldnn.is_available())
    print("ENV blas_library=%s" % (";".join(blas) or "none mapped"))
    print("ENV sgemm_%d_gflops=%.1f" % (n, gflops))
    print("ENV openblas_coretype=%s" % os.environ.get("OPENBLAS_CORETYPE", "auto"))
    if not any("openblas" in path for path in blas) and not args.allow_any_blas:
        print("torch's matrix products do not use OpenBLAS (mapped: %s). Install it: apt-get install "
              "libopenblas0-pthread (or pass --allow-any-blas)" % (blas or "none"), file=sys.stderr)
        sys.exit(1)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    env = sub.add_parser("env")
    env.add_argument("--allow-any-blas", action="store_true")
    check = sub.add_parser("check")
    check.add_argument("--dir", required=True)
    run = sub.add_parser("run")
    run.add_argument("--workload", required=True,
                     choices=("features", "style_step", "gram", "lbfgs_step", "lbfgs_objective", "transform_net"))
    run.add_argument("--size", type=int)
    run.add_argument("--warmup", type=int, default=2)
    run.add_argument("--iterations", type=int, default=5)
    run.add_argument("--time", type=float, default=5.0, help="seconds per iteration (at least one call)")
    for s in (env, check, run):
        s.add_argument("--threads", type=int, default=2)
    for s in (check, run):
        s.add_argument("--weights")
    args = p.parse_args(argv)
    if args.command == "check" and args.weights is None:
        p.error("check needs --weights")
    {"env": cmd_env, "check": cmd_check, "run": cmd_run}[args.command](args)


if __name__ == "__main__":
    main()
