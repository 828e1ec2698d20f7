"""Every resize kernel writes every byte of its output (docs/ops-resize-opencv.md: outputs are
allocated without zero-filling). Each method, on uint8 and float32 images of 2-D, 1, 3 and 4
channels, shrinking by odd and integer factors and enlarging, runs twice under glibc's
MALLOC_PERTURB_ with two different values: malloc then fills fresh blocks with ~value, so an
output byte no kernel wrote comes out different between the runs. The two outputs must be
identical, byte for byte."""
import os
import subprocess

import numpy as np
from xa_testlib import XALIGN, Checker

ck = Checker("resize_writes_all")
rng = np.random.default_rng(11)
METHODS = ["cv2-nearest", "cv2-nearest-exact", "cv2-linear", "cv2-linear-exact", "cv2-area", "cv2-cubic",
           "cv2-lanczos4", "pil-nearest", "pil-box", "pil-bilinear", "pil-hamming", "pil-bicubic", "pil-lanczos",
           "torch-bilinear", "torch-bilinear-nofma"]
SIZES = [((37, 23), (16, 11)), ((37, 23), (80, 50)), ((64, 48), (32, 24)), ((203, 61), (97, 29))]


def resize(inp, out, method, dw, dh, perturb):
    env = dict(os.environ, MALLOC_PERTURB_=str(perturb))
    p = subprocess.run([XALIGN, "resize", inp, out, "--method", method, "--size", f"{dw}x{dh}"],
                       capture_output=True, text=True, env=env)
    return p.returncode, p.stderr


inp, out1, out2 = ck.path("in.npy"), ck.path("a.npy"), ck.path("b.npy")
runs = 0
for (w, h), (dw, dh) in SIZES:
    for c in (0, 1, 3, 4):
        for dt in (np.uint8, np.float32):
            shape = (h, w) if c == 0 else (h, w, c)
            a = rng.integers(0, 256, shape).astype(dt)
            np.save(inp, a)
            for m in METHODS:
                r1, e1 = resize(inp, out1, m, dw, dh, 0x55)
                r2, e2 = resize(inp, out2, m, dw, dh, 0xAA)
                what = f"{m} {np.dtype(dt).name} {shape} -> {dw}x{dh}"
                if not ck.check(r1 == 0 and r2 == 0, f"{what}: exit {r1}/{r2} {e1.strip()} {e2.strip()}"):
                    continue
                with open(out1, "rb") as f1, open(out2, "rb") as f2:
                    b1, b2 = f1.read(), f2.read()
                runs += 1
                ck.check(b1 == b2, f"{what}: the output differs between MALLOC_PERTURB_ 0x55 and 0xAA "
                         f"({sum(x != y for x, y in zip(b1, b2))} bytes): some bytes are never written")
print(f"{runs} method/dtype/layout/size cases, each run under two malloc fill patterns")
ck.done()
