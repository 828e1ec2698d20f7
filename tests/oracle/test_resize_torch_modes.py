"""xalign resize --method torch-{bilinear-cl, nearest, nearest-exact} against Debian's torch 1.13 /
torchvision 0.14 (tests/pylib/xa_torch_oracle.py has the details; test_resize_torch_cubic.py,
test_resize_torch_area.py and test_resize_torch_aa.py run the other modes the same way).

Per method 300 random cases (numpy, fixed seeds: C = 1 as H x W and H x W x 1, 3, 4; uint8 and
float32; shrinking, enlarging, one axis or both unchanged, 1 x 1 sources, 1 x N and N x 1 images
up to 4096 long, ratios near 1/3, 1/2, 1, 2) plus fixed ones: a 1920 x 1080 photo-sized image,
NaN/infinity/signed-zero/subnormal inputs, the nearest-exact sizes where rounding the source
position to float would pick another pixel (and for area, 1 x 1 outputs of 1920 x 1080 images:
torch's mean and its cascade sum). Each case is compared with every torch path that must agree:
both memory formats where torch gives the same bytes for both, and for uint8 torchvision's
F.resize (or the same float round trip written out) and, for the nearest modes, F.interpolate on
the uint8 tensor. 0 differing bytes required.

torch runs with torch.set_num_threads(1): its mean over a whole image (area to 1 x 1) splits the
sum between threads when it has more than two; the end of this test prints what that changes, and
how many outputs torch's AVX512 kernels (ATEN_CPU_CAPABILITY=avx512, opt-in in torch 1.13) change.
"""
import numpy as np

import os
import sys

from xa_torch_oracle import avx512_effect, main

METHODS = ["torch-bilinear-cl", "torch-nearest", "torch-nearest-exact"]


def threads_effect():
    """Outputs of area to 1 x 1 (torch's mean) and of every other mode on a 1920 x 1080 image that
    differ between torch.set_num_threads(1) and (8)."""
    import torch
    import torch.nn.functional as Fn
    rng = np.random.default_rng(5)
    differ = []
    for c in (1, 3):
        x = torch.from_numpy(rng.random((1, c, 1080, 1920), dtype=np.float32) * 255)
        for mode, size in [("area", (1, 1)), ("area", (224, 224)), ("bicubic", (224, 224)),
                           ("nearest", (224, 224)), ("bilinear", (224, 224))]:
            r = []
            for t in (1, 8):
                torch.set_num_threads(t)
                r.append(Fn.interpolate(x, size=size, mode=mode).numpy())
            if not np.array_equal(r[0].view(np.uint32), r[1].view(np.uint32)):
                differ.append(f"{mode} C={c} -> {size[1]}x{size[0]}")
    torch.set_num_threads(1)
    print("torch threads 1 vs 8, 1920x1080 float32: outputs differ for: " + (", ".join(differ) or "none"))


if __name__ == "__main__":
    ck = main("test_resize_torch_modes", METHODS, 300, 21)
    if ck:
        threads_effect()
        avx512_effect(ck, ["torch-bilinear", "torch-bilinear-cl", "torch-nearest", "torch-nearest-exact",
                           "torch-bicubic", "torch-area", "torch-area-cl", "torch-bilinear-aa",
                           "torch-bicubic-aa"], 20, 61, os.path.abspath(sys.argv[0]))
        ck.done()
