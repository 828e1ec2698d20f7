#!/usr/bin/env python3
"""Benchmark (not a test): the diagnosis of one 224x224x3 stage, every hypothesis family, against
the search a user runs by hand in Python to find the same cause.

    /usr/bin/python3 bench/bench_diagnose.py [--build build] [--rounds 5] [--runs 5]

Two stages, both 224x224x3 uint8 from examples/resnet/butterfly.jpg:
  resize  the original resizes with Pillow's bilinear (torchvision's Resize), the port with
          cv2.resize; the stage's inputs given, so every family runs, the resize family with every
          registered resize method (`xalign resize --help`) on the input;
  read    a 224x224 JPEG decoded by Pillow and by libjpeg without fancy upsampling (djpeg
          -nosmooth); the image given, so the decode family runs all its decoder variants.
build/bench/bench_diagnose times xa_diagnose per family through the library's internal timing
hook (median of RUNS calls). The alternative, in the same run and alternating with it for
ROUNDS rounds: numpy/OpenCV/Pillow/torch doing what issue 8 says users did by hand -- every
cv2.resize interpolation, every Pillow filter and torch's F.interpolate modes (both memory
formats) on the input, each compared
with both sides, plus the channel permutations and a per-channel affine fit (for the resize
stage); Pillow, OpenCV and djpeg with and without -nosmooth, -dct fast, -dct float for the read
stage. Printed: per family the median time, the
total, the Python search's, and the median of the per-round ratios. Single thread everywhere.
"""
import argparse
import itertools
import os
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from xa_bench_resize import median_time as median_seconds

HERE = os.path.dirname(os.path.abspath(__file__))
PHOTO = os.path.join(HERE, "..", "examples", "resnet", "butterfly.jpg")
CV2 = [cv2.INTER_NEAREST, cv2.INTER_NEAREST_EXACT, cv2.INTER_LINEAR, cv2.INTER_LINEAR_EXACT, cv2.INTER_AREA,
       cv2.INTER_CUBIC, cv2.INTER_LANCZOS4]
PIL = [Image.NEAREST, Image.BOX, Image.BILINEAR, Image.HAMMING, Image.BICUBIC, Image.LANCZOS]
TORCH = [("nearest", {}), ("nearest-exact", {}), ("bilinear", {"align_corners": False}),
         ("bicubic", {"align_corners": False}), ("area", {}),
         ("bilinear", {"align_corners": False, "antialias": True}),
         ("bicubic", {"align_corners": False, "antialias": True})]


def make(tmp):
    src = np.array(Image.open(PHOTO).convert("RGB"))
    ref = np.asarray(Image.fromarray(src).resize((224, 224), Image.BILINEAR))
    port = cv2.resize(src, (224, 224), interpolation=cv2.INTER_LINEAR)
    files = {}
    for name, a in (("in", src), ("ref", ref), ("port", port)):
        files[name] = os.path.join(tmp, f"{name}.npy")
        np.save(files[name], a)
    # a 224x224 4:2:0 JPEG, decoded by Pillow (fancy upsampling) and by djpeg -nosmooth
    jpg = os.path.join(tmp, "photo224.jpg")
    Image.fromarray(ref).save(jpg, quality=90)
    files["jpg"] = jpg
    np.save(os.path.join(tmp, "read_ref.npy"), np.asarray(Image.open(jpg).convert("RGB")))
    np.save(os.path.join(tmp, "read_port.npy"), djpeg(jpg, "-nosmooth"))
    files["read_ref"], files["read_port"] = os.path.join(tmp, "read_ref.npy"), os.path.join(tmp, "read_port.npy")
    return src, ref, port, files


def python_search(src, ref, port):
    """What a user runs by hand: every resize on the input against both sides, channel orders, a fit."""
    best = []
    r64, p64 = ref.astype(np.float64), port.astype(np.float64)
    outs = [cv2.resize(src, (224, 224), interpolation=i) for i in CV2]
    outs += [np.asarray(Image.fromarray(src).resize((224, 224), f)) for f in PIL]
    # torch's modes, on the contiguous tensor and on the channels-last one (permuted from HWC)
    cl = torch.from_numpy(src).permute(2, 0, 1)[None].float()
    for t in (cl.contiguous(), cl):
        for mode, kw in TORCH:
            y = F.interpolate(t, size=(224, 224), mode=mode, **kw)
            outs.append(y.round().clamp(0, 255).to(torch.uint8)[0].permute(1, 2, 0).numpy())
    for o in outs:
        o64 = o.astype(np.float64)
        best.append((np.abs(o64 - r64).max(), np.abs(o64 - p64).max()))
    for perm in itertools.permutations(range(3)):
        best.append(np.abs(p64[:, :, perm] - r64).max())
    for ch in range(3):
        np.polyfit(r64[:, :, ch].ravel(), p64[:, :, ch].ravel(), 1)
    return best


def djpeg(jpg, *args):
    out = subprocess.run(["djpeg", *args, "-pnm", jpg], capture_output=True, check=True).stdout
    parts = out.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], np.uint8).reshape(h, w, 3)


def python_decode(jpg, ref, port):
    """By hand: Pillow, OpenCV, and libjpeg's own decoder with each of its variants."""
    outs = [np.asarray(Image.open(jpg).convert("RGB")), cv2.imread(jpg)[:, :, ::-1]]
    outs += [djpeg(jpg, *v) for v in ([], ["-nosmooth"], ["-dct", "fast"], ["-dct", "float"])]
    return [(np.abs(o.astype(np.int16) - ref).max(), np.abs(o.astype(np.int16) - port).max()) for o in outs]


def c_bench(exe, args, runs):
    out = subprocess.run([exe, *args, "--rounds", str(runs)], capture_output=True, text=True, check=True).stdout
    fam = {}
    for line in out.splitlines():
        k, v = line.split()
        fam[k] = v if k == "top" else float(v)
    return fam


def median_time(fn, runs):
    """Milliseconds: the resize benchmarks' loop (warm-up, median of runs)."""
    return 1e3 * median_seconds(fn, runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()
    exe = os.path.join(a.build, "bench", "bench_diagnose")
    if not os.path.exists(exe):
        sys.exit(f"{exe}: build first (make)")
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        src, ref, port, f = make(tmp)
        rref, rport = np.load(f["read_ref"]), np.load(f["read_port"])
        cases = [("resize (cv2.resize vs Pillow bilinear, inputs given)",
                  [f["ref"], f["port"], f["in"], f["in"]], lambda: python_search(src, ref, port)),
                 ("read (Pillow vs libjpeg without fancy upsampling, image given)",
                  [f["read_ref"], f["read_port"], "--image", f["jpg"]], lambda: python_decode(f["jpg"], rref, rport))]
        for title, args, py in cases:
            fams, pys, ratios = [], [], []
            for _ in range(a.rounds):  # alternating: a shared machine's load hits both alike
                fam = c_bench(exe, args, a.runs)
                t_py = median_time(py, a.runs)
                fams.append(fam)
                pys.append(t_py)
                ratios.append(fam["total"] / t_py)
            print(f"\n{title}: top cause {fams[0]['top']}")
            print(f"{'family':12s} {'ms (median)':>12s}")
            for k in fams[0]:
                if k in ("total", "top"):
                    continue
                print(f"{k:12s} {np.median([x[k] for x in fams]):12.2f}")
            tot = float(np.median([x["total"] for x in fams]))
            print(f"{'total':12s} {tot:12.2f}   (goal: well under 1000 ms)")
            print(f"python search by hand {np.median(pys):.2f} ms; xalign / python {np.median(ratios):.2f} "
                  f"(xalign also verifies each fix and names the cause)")


if __name__ == "__main__":
    main()
