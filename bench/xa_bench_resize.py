"""What bench_resize_cv.py and bench_resize_torch.py share: the photo-like test image, in-process
timing, and the loop that alternates the other library with xalign's bench_resize program and
prints medians, ratios and whether the outputs are the same bytes."""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np

CASES = [((1920, 1080), (224, 224)), ((1920, 1080), (640, 360)), ((640, 480), (1280, 960))]


def photo_like(w, h, seed=0):
    """A smooth colour gradient with noise: photo-like statistics, reproducible."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x / w * 200, y / h * 200, (x + y) / (w + h) * 255], axis=2)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def median_time(fn, runs):
    fn()  # warm-up
    t = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return float(np.median(t))


def parse_args(methods, runs, rounds):
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--rounds", type=int, default=rounds)
    ap.add_argument("--methods", default=",".join(methods))
    ap.add_argument("--dtype", default="uint8", choices=["uint8", "float32"])
    return ap.parse_args()


def compare(a, lib, call):
    """For every case and method: ROUNDS rounds of (the median of RUNS calls of the other library,
    then the median of RUNS xa_resize calls in build/bench/bench_resize); prints the medians over
    rounds, the median of the per-round ratios xalign / lib, and whether the outputs are the
    same bytes. call(img, method, dw, dh) returns (fn timed, fn giving its output array)."""
    exe = os.path.join(a.build, "bench", "bench_resize")
    ver = subprocess.run([os.path.join(a.build, "xalign"), "--version"], capture_output=True,
                         text=True).stdout.splitlines()
    cpu = next((line for line in ver if line.startswith("cpu: ")), "cpu: unknown")
    print(f"{a.dtype} RGB; {a.rounds} alternating rounds of {a.runs} runs; ratio = median of "
          f"xalign / {lib} per round; load average {os.getloadavg()[0]:.1f}; xalign {cpu}")
    print(f"{'case':24s} {'method':20s} {'xalign ms':>10s} {lib + ' ms':>10s} {'ratio':>6s}  same")
    with tempfile.TemporaryDirectory() as tmp:
        for (sw, sh), (dw, dh) in CASES:
            img = photo_like(sw, sh).astype(a.dtype)
            src, dst = os.path.join(tmp, "in.npy"), os.path.join(tmp, "out.npy")
            np.save(src, img)
            for method in a.methods.split(","):
                fn, result = call(img, method, dw, dh)
                t_lib, t_xa = [], []
                for _ in range(a.rounds):
                    t_lib.append(median_time(fn, a.runs))
                    out = subprocess.run([exe, src, dst, method, f"{dw}x{dh}", str(a.runs)],
                                         capture_output=True, text=True, check=True)
                    t_xa.append(float(out.stdout))
                ratio = float(np.median(np.array(t_xa) / np.array(t_lib)))
                t_lib, t_xa = float(np.median(t_lib)), float(np.median(t_xa))
                same = np.array_equal(np.load(dst).view(np.uint8), result().view(np.uint8))
                print(f"{sw}x{sh} -> {dw}x{dh}".ljust(24) + f" {method:20s} {t_xa * 1e3:10.3f} "
                      f"{t_lib * 1e3:10.3f} {ratio:6.2f}  {'yes' if same else 'NO'}", flush=True)
