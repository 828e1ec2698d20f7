"""Benchmark (not a test): xalign's torch-* resize methods against torch 1.13 itself, one thread.

    /usr/bin/python3 bench/bench_resize_torch.py [--build build] [--runs 9] [--rounds 3]
                                                 [--methods ...] [--dtype uint8|float32]

torch is called the way a user resizes an H x W x C image with it: uint8 through torchvision's
F.resize on the C x H x W tensor (its float round trip included; area, which torchvision lacks:
the same round trip by hand; nearest modes: F.interpolate on the uint8 tensor), float32 through F.interpolate on the 1 x C x H x W tensor. The tensor is made
contiguous, except for the "-cl" methods, which take the permuted (channels-last) view. Only the
resize is timed, not the conversion from numpy. For each case and method, ROUNDS rounds alternate
the two: the median of RUNS torch calls (torch.set_num_threads(1), perf_counter), then the median
of RUNS xa_resize calls (build/bench/bench_resize, in-process). Printed: the medians over rounds
and the median of the per-round ratios xalign / torch (below 1: xalign is faster). The outputs are
compared too ("same").
"""
import numpy as np
import torch
import torch.nn.functional as Fn
import torchvision.transforms.functional as TF

from xa_bench_resize import compare, parse_args

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


def torch_call(img, method, dw, dh):
    """A function resizing img as a torch user would, and one giving its result as an HWC array."""
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
    return fn, lambda: np.ascontiguousarray(fn().numpy().transpose(1, 2, 0))


def main():
    a = parse_args(METHODS, 9, 3)
    torch.set_num_threads(1)
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}")
    compare(a, "torch", torch_call)


if __name__ == "__main__":
    main()
