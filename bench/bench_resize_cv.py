"""Benchmark (not a test): xalign's cv2-* resize against OpenCV 4.6 cv2.resize, single thread.

    /usr/bin/python3 bench/bench_resize_cv.py [--build build] [--runs 15] [--rounds 5] [--methods ...]
                                              [--dtype uint8|float32]

For each case and method, ROUNDS rounds alternate the two libraries: the median of RUNS calls
of cv2.resize (cv2.setNumThreads(1), timed in-process with perf_counter), then the median of RUNS
calls of xa_resize (timed in-process by build/bench/bench_resize). Printed: the median over rounds
of each, and the median of the per-round ratios xalign / OpenCV (below 1: xalign is faster);
alternating keeps a shared machine's changing load out of the ratio. The outputs are also
compared, so a fast but wrong kernel shows up here as well.
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import cv2

CASES = [((1920, 1080), (224, 224)), ((1920, 1080), (640, 360)), ((640, 480), (1280, 960))]
METHODS = {
    "cv2-linear": cv2.INTER_LINEAR,
    "cv2-area": cv2.INTER_AREA,
    "cv2-nearest": cv2.INTER_NEAREST,
    "cv2-nearest-exact": cv2.INTER_NEAREST_EXACT,
    "cv2-linear-exact": cv2.INTER_LINEAR_EXACT,
    "cv2-cubic": cv2.INTER_CUBIC,
    "cv2-lanczos4": cv2.INTER_LANCZOS4,
}


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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--dtype", default="uint8", choices=["uint8", "float32"])
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "bench_resize")
    cv2.setNumThreads(1)
    ver = subprocess.run([os.path.join(a.build, "xalign"), "--version"], capture_output=True,
                         text=True).stdout.splitlines()
    cpu = next((l for l in ver if l.startswith("cpu: ")), "cpu: unknown")
    print(f"OpenCV {cv2.__version__}, threads {cv2.getNumThreads()}; {a.dtype} RGB; {a.rounds} "
          f"alternating rounds of {a.runs} runs; ratio = median of xalign / OpenCV per round; "
          f"load average {os.getloadavg()[0]:.1f}; xalign {cpu}")
    print(f"{'case':24s} {'method':18s} {'xalign ms':>10s} {'OpenCV ms':>10s} {'ratio':>6s}  same")
    with tempfile.TemporaryDirectory() as tmp:
        for (sw, sh), (dw, dh) in CASES:
            img = photo_like(sw, sh).astype(a.dtype)
            src, dst = os.path.join(tmp, "in.npy"), os.path.join(tmp, "out.npy")
            np.save(src, img)
            for method in a.methods.split(","):
                interp = METHODS[method]
                t_cv, t_xa = [], []
                for _ in range(a.rounds):
                    t_cv.append(median_time(lambda: cv2.resize(img, (dw, dh), interpolation=interp),
                                            a.runs))
                    out = subprocess.run([exe, src, dst, method, f"{dw}x{dh}", str(a.runs)],
                                         capture_output=True, text=True, check=True)
                    t_xa.append(float(out.stdout))
                ratio = float(np.median(np.array(t_xa) / np.array(t_cv)))
                t_cv, t_xa = float(np.median(t_cv)), float(np.median(t_xa))
                want = cv2.resize(img, (dw, dh), interpolation=interp)
                same = np.array_equal(np.load(dst).view(np.uint8), want.view(np.uint8))
                print(f"{sw}x{sh} -> {dw}x{dh}".ljust(24) + f" {method:18s} {t_xa * 1e3:10.3f} "
                      f"{t_cv * 1e3:10.3f} {ratio:6.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
