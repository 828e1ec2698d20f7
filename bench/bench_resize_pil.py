#!/usr/bin/python3
"""Benchmark (not a test): xalign's pil-* resize against Pillow 9.4, single thread, same input.

Pillow is timed in this process around Image.resize (the image already an Image); xalign is timed
in-process by bench_resize_pil (bench/bench_resize_pil_main.c) around xa_resize on the same
array. Both measure the thread's CPU time (time.thread_time_ns / CLOCK_THREAD_CPUTIME_ID), so
that time slices taken by other processes on a shared machine do not count; the two alternate in
--rounds rounds of --repeats runs each (after a warm-up), so that cache pressure from other
processes hits both alike. The medians (and minimums) of all runs are compared.
Prints the ratio Pillow time / xalign time (> 1: xalign is faster).

usage: /usr/bin/python3 bench/bench_resize_pil.py [--bench build/bench/bench_resize_pil]
                                                  [--rounds 5] [--repeats 5]
                                                  [--methods pil-box,pil-nearest]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import numpy as np
from PIL import Image

METHODS = [("pil-nearest", Image.NEAREST), ("pil-box", Image.BOX), ("pil-bilinear", Image.BILINEAR),
           ("pil-hamming", Image.HAMMING), ("pil-bicubic", Image.BICUBIC), ("pil-lanczos", Image.LANCZOS)]
CASES = [((1920, 1080), (224, 224)), ((1920, 1080), (640, 360)), ((640, 480), (1280, 960))]


def pillow_ms(img, size, rs, repeats):
    """Times of `repeats` runs in ms, after a warm-up."""
    img.resize(size, rs)
    times = []
    for _ in range(repeats):
        t0 = time.thread_time_ns()
        img.resize(size, rs)
        times.append((time.thread_time_ns() - t0) * 1e-6)
    return times


def xalign_ms(bench, path, method, size, repeats):
    """Times of `repeats` runs in ms, after a warm-up (in the timing program)."""
    out = subprocess.run([bench, path, method, f"{size[0]}x{size[1]}", str(repeats)],
                         capture_output=True, text=True, check=True).stdout.split()
    return [float(v) for v in out]


def cpu_path(xalign):
    """The `cpu:` line of `xalign --version`: the code path the timed kernels take."""
    try:
        out = subprocess.run([xalign, "--version"], capture_output=True, text=True).stdout
    except OSError:
        return "cpu: unknown"
    return next((l for l in out.splitlines() if l.startswith("cpu: ")), "cpu: unknown")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", default="build/bench/bench_resize_pil")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--methods", default=",".join(m for m, _ in METHODS), help="comma-separated subset")
    args = ap.parse_args()
    methods = [(m, rs) for m, rs in METHODS if m in args.methods.split(",")]
    rng = np.random.default_rng(0)
    print(f"Pillow {Image.__version__}, RGB uint8, single thread, thread CPU time, {args.rounds} x "
          f"{args.repeats} runs each, alternating; ratio = Pillow / xalign of the medians (of the "
          f"minimums in brackets); load average {os.getloadavg()[0]:.1f}; xalign "
          f"{cpu_path(os.path.join(os.path.dirname(os.path.dirname(args.bench)), 'xalign'))}")
    print(f"{'case':<24} {'method':<13} {'Pillow ms':>10} {'xalign ms':>10} {'ratio':>7} {'(min)':>8}")
    worst = {}
    with tempfile.TemporaryDirectory() as tmp:
        for (w, h), size in CASES:
            # a smooth image with noise, like a photo; content does not change the work done
            yy, xx = np.mgrid[0:h, 0:w]
            base = (np.sin(xx / 37.0)[..., None] * 60 + np.cos(yy / 23.0)[..., None] * 60 + 128)
            arr = np.clip(base + rng.normal(0, 20, (h, w, 3)), 0, 255).astype(np.uint8)
            path = os.path.join(tmp, f"in{w}x{h}.npy")
            np.save(path, arr)
            img = Image.fromarray(arr)
            for method, rs in methods:
                pt, xt = [], []
                for _ in range(args.rounds):
                    pt += pillow_ms(img, size, rs, args.repeats)
                    xt += xalign_ms(args.bench, path, method, size, args.repeats)
                p, x, pmin, xmin = statistics.median(pt), statistics.median(xt), min(pt), min(xt)
                ratio = p / x
                worst[method] = min(worst.get(method, ratio), ratio)
                case = f"{w}x{h}->{size[0]}x{size[1]}"
                print(f"{case:<24} {method:<13} {p:>10.3f} {x:>10.3f} {ratio:>6.2f}x ({pmin / xmin:.2f}x)",
                      flush=True)
    print("lowest median ratio per method: " + ", ".join(f"{m} {r:.2f}x" for m, r in worst.items()))


if __name__ == "__main__":
    main()
