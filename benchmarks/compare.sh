#!/usr/bin/env bash
# Times Perceptual4J (JMH) and PyTorch on the same workloads, weights and thread count, in one run,
# and prints one table (see docs/performance.md).
#
#   benchmarks/compare.sh [--no-build] [--quick] [Compare options...]
#
#   --no-build     reuse benchmarks/target/perceptual4j-benchmarks.jar instead of rebuilding it
#   --quick        1 warm-up and 3 measurement iterations of 2 s (a smoke run, not for the docs)
#   Compare options (java -cp JAR org.perceptual4j.benchmarks.Compare --help): --only REGEX,
#   --step-sizes 128,256,512,1024, --feature-sizes 256,512, --transform-sizes 512,1024, --threads N, --warmup N,
#   --iterations N, --time SECONDS, --update-doc docs/performance.md
#
# Needs Java 17, Maven, and Debian's PyTorch with OpenBLAS:
#   apt-get install python3-torch python3-torchvision python3-h5py libopenblas0-pthread
# Environment: PYTHON (default /usr/bin/python3); PERCEPTUAL4J_BENCH_CACHE (default
# ~/.cache/perceptual4j-benchmarks) holds the random-weight VGG19 file (generated once, 80 MB) and
# the run logs and reports.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-/usr/bin/python3}"
CACHE="${PERCEPTUAL4J_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/perceptual4j-benchmarks}"
JAR="$ROOT/benchmarks/target/perceptual4j-benchmarks.jar"
WEIGHTS="$CACHE/vgg19_random_w64-128-256-512-512_s0.h5"

build=1
args=()
for a in "$@"; do
  case "$a" in
    --no-build) build=0 ;;
    --quick) args+=(--warmup 1 --iterations 3 --time 2) ;;
    *) args+=("$a") ;;
  esac
done

mkdir -p "$CACHE"
if [[ ! -f "$WEIGHTS" ]]; then
  # full-width random VGG19: the timing does not depend on the weight values
  tmp="$(mktemp "$CACHE/weights.XXXXXX.h5")"
  "$PYTHON" "$ROOT/vgg-import/src/test/python/generate_vgg19_shaped.py" --widths 64,128,256,512,512 --seed 0 --out "$tmp" >&2
  mv -f "$tmp" "$WEIGHTS"
fi

if [[ $build == 1 || ! -f "$JAR" ]]; then
  (cd "$ROOT" && mvn -B -ntp -q -Pbenchmarks-jar -DskipTests package -pl benchmarks -am)
fi

revision="$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '?') ($(git -C "$ROOT" rev-parse --abbrev-ref HEAD 2>/dev/null || echo '?'))"

exec java -Xmx1g -cp "$JAR" org.perceptual4j.benchmarks.Compare \
  --weights "$WEIGHTS" --python "$PYTHON" --script "$ROOT/benchmarks/src/main/python/torch_bench.py" \
  --work "$CACHE/runs" --revision "$revision" "${args[@]}"
