"""Benchmark (not a test): xalign's torch-* resize methods against torch 1.13 itself, one thread.

    /usr/bin/python3 bench/bench_resize_torch.py [--build build] [--runs 9] [--rounds 3]
                                                 [--methods ...] [--dtype uint8|float32]

torch is called the way a user resizes an H x W x C image with it: uint8 through torchvision's
F.resize on the C x H x W tensor (its float round trip included; nearest modes: F.interpolate on
the uint8 tensor), float32 through F.interpolate on the 1 x C x H x W tensor. The tensor is made
contiguous, except for the "-cl" methods, which take the permuted (channels-last) view. Only the
resize is timed, not the conversion from numpy. For each case and method, ROUNDS rounds alternate
the two: the median of RUNS torch calls (torch.set_num_threads(1), perf_counter), then the median
of RUNS xa_resize calls (build/bench/bench_resize, in-process). Printed: the medians over rounds
and the median of the per-round ratios xalign / torch (below 1: xalign is faster). The outputs are
compared too ("same").
"""
import argparse
import os
import subprocess
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as Fn
import torchvision.transforms.functional as TF

CASES = [((1920, 1080), (224, 224)), ((1920, 1080), (640, 360)), ((640, 480), (1280, 960))]
# method -> (F.interpolate mode, antialias, channels-last); the "-nofma" methods need torch started
# with ATEN_CPU_CAPABILITY=default and are left out
METHODS = {
    "torch-bilinear": ("bilinear", False, False),
    "torch-bilinear-cl": ("bilinear", False, True),
    "torch-nearest": ("nearest", False, False),
    "torch-nearest-exact": ("nearest-exact", False, False),
    "torch-bicubic": ("bicubic", False, False),
    "torch-area": ("area", False, False),
    "torch-area-cl": ("area", False, True),
    "torch-bilinear-aa": ("bilinear", True, False),
    "torch-bicubic-aa": ("bicubic", True, False),
}


def photo_like(w, h, seed=0):
    """A smooth colour gradient with noise: photo-like statistics, reproducible."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([x / w * 200, y / h * 200, (x + y) / (w + h) * 255], axis=2)
    return np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)


def torch_call(img, method, dw, dh):
    """A function resizing img as a torch user would, and the function giving its HWC array."""
    mode, aa, cl = METHODS[method]
    x = torch.from_numpy(img).permute(2, 0, 1)
    if not cl:
        x = x.contiguous()
    kw = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    if img.dtype == np.uint8 and mode == "area":  # torchvision has no area: its round trip by hand
        fn = lambda: torch.round(Fn.interpolate(x[None].float(), size=(dh, dw), mode=mode))[0].to(torch.uint8)
    elif img.dtype == np.uint8 and not mode.startswith("nearest"):
        fn = lambda: TF.resize(x, [dh, dw], interpolation=TF.InterpolationMode(mode), antialias=aa)
    else:
        fn = lambda: Fn.interpolate(x[None], size=(dh, dw), mode=mode, antialias=aa, **kw)[0]
    return fn, lambda r: np.ascontiguousarray(r.numpy().transpose(1, 2, 0))


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
    ap.add_argument("--runs", type=int, default=9)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--methods", default=",".join(METHODS))
    ap.add_argument("--dtype", default="uint8", choices=["uint8", "float32"])
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "bench_resize")
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}; {a.dtype} RGB; {a.rounds} "
          f"alternating rounds of {a.runs} runs; ratio = median of xalign / torch per round")
    print(f"{'case':24s} {'method':20s} {'xalign ms':>10s} {'torch ms':>10s} {'ratio':>6s}  same")
    with tempfile.TemporaryDirectory() as tmp:
        for (sw, sh), (dw, dh) in CASES:
            img = photo_like(sw, sh).astype(a.dtype)
            src, dst = os.path.join(tmp, "in.npy"), os.path.join(tmp, "out.npy")
            np.save(src, img)
            for method in a.methods.split(","):
                fn, to_hwc = torch_call(img, method, dw, dh)
                t_to, t_xa = [], []
                for _ in range(a.rounds):
                    t_to.append(median_time(fn, a.runs))
                    out = subprocess.run([exe, src, dst, method, f"{dw}x{dh}", str(a.runs)],
                                         capture_output=True, text=True, check=True)
                    t_xa.append(float(out.stdout))
                ratio = float(np.median(np.array(t_xa) / np.array(t_to)))
                t_to, t_xa = float(np.median(t_to)), float(np.median(t_xa))
                same = np.array_equal(np.load(dst).view(np.uint8), to_hwc(fn()).view(np.uint8))
                print(f"{sw}x{sh} -> {dw}x{dh}".ljust(24) + f" {method:20s} {t_xa * 1e3:10.3f} "
                      f"{t_to * 1e3:10.3f} {ratio:6.2f}  {'yes' if same else 'NO'}", flush=True)


if __name__ == "__main__":
    main()
