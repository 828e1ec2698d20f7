"""xalign resize --method torch-bilinear[-nofma] against Debian's torch 1.13 / torchvision 0.14.

torch-bilinear is compared with torch as it runs here (its AVX2 kernels, which fuse a*b + c*d
into fmaf); torch-bilinear-nofma with torch started with ATEN_CPU_CAPABILITY=default (the kernels
built for CPUs without AVX2), in a child process because the variable is read at import.
On a CPU without AVX2 and FMA (or with XA_TEST_AS_NO_AVX2=1, which make test sets once to run
this branch here), torch cannot produce torch-bilinear's results: that method is then compared
with its executable model (tests/pylib/xa_torch_model.py, the rules of the spec's
torch_interpolate_bilinear.py) and the output says so. Where torch can, the model is checked
against torch as well, so the model itself stays tested.
float32 input: F.interpolate(mode="bilinear", align_corners=False) on a contiguous 1 x C x H x W
tensor. uint8 input: torchvision.transforms.functional.resize on a C x H x W uint8 tensor
(antialias None and False alternate; both mean no antialiasing in 0.14).
308 cases per method (numpy, fixed seeds): C = 1 (H x W and H x W x 1), 3, 4; shrinking,
enlarging, same size, one axis unchanged, 1 x 1 sources (they take torch's channels-last
kernel whatever C is), extreme ratios, sides up to 4096, a few photo-sized images.
0 differing bytes required.
"""
import os
import subprocess
import sys

import numpy as np

import xa_torch_model
from xa_resize_oracle import random_image_case, torch_fuses, xalign_resize_matches
from xa_testlib import QUICK

CASES = 304  # random cases per method
# plus photo-sized cases: (shape, dtype, dw, dh)
LARGE = [((1080, 1920, 3), np.uint8, 224, 224), ((480, 640, 3), np.float32, 1280, 960),
         ((375, 500), np.uint8, 341, 256), ((300, 400, 4), np.float32, 123, 456)]
if QUICK:  # XA_QUICK=1 (the sanitizer build): both dtypes and antialias values, one photo size
    CASES, LARGE = 64, LARGE[:1]


def cases(seed):
    """[(input array, dw, dh, antialias)], the same list in parent and child."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(CASES):
        out.append(random_image_case(rng, i) + (None if (i // 32) % 2 else False,))
    for shape, dtype, dw, dh in LARGE:
        a = rng.integers(0, 256, size=shape, dtype=np.uint8).astype(dtype)
        if dtype == np.float32:
            a += rng.random(shape, dtype=np.float32)
        out.append((a, dw, dh, None))
    return out


def torch_ref(a, dw, dh, antialias):
    import torch
    import torch.nn.functional as Fn
    import torchvision.transforms.functional as TF

    x = torch.from_numpy(a)
    x = x[None] if a.ndim == 2 else x.permute(2, 0, 1).contiguous()  # C x H x W
    if a.dtype == np.uint8:
        r = TF.resize(x, [dh, dw], interpolation=TF.InterpolationMode.BILINEAR, antialias=antialias)
    else:
        r = Fn.interpolate(x[None], size=(dh, dw), mode="bilinear", align_corners=False)[0]
    r = r.numpy()
    return r[0] if a.ndim == 2 else np.ascontiguousarray(r.transpose(1, 2, 0))


def child(seed, outdir):
    """Runs under ATEN_CPU_CAPABILITY=default: write torch's results for every case."""
    import torch
    torch.set_num_threads(1)
    for i, (a, dw, dh, aa) in enumerate(cases(seed)):
        np.save(os.path.join(outdir, f"ref{i}.npy"), torch_ref(a, dw, dh, aa))


def main():
    from xa_testlib import Checker, report_cpu_path
    import torch
    torch.set_num_threads(1)
    ck = Checker("test_resize_torch")
    report_cpu_path(ck)
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    fuses = torch_fuses()
    runs = [("torch-bilinear", 11, None if fuses else "model")]
    if not fuses:
        why = ("XA_TEST_AS_NO_AVX2=1 (this run behaves as on a CPU without AVX2)"
               if os.environ.get("XA_TEST_AS_NO_AVX2") == "1" else "torch here runs its non-AVX2 kernels")
        print(f"torch-bilinear: compared with its executable model (tests/pylib/xa_torch_model.py), "
              f"not with torch: {why}, which cannot produce the fused AVX2 results", flush=True)
    nofma_dir = ck.path("nofma")
    os.mkdir(nofma_dir)
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", "12", nofma_dir], env=env,
                       capture_output=True, text=True)
    ck.check(p.returncode == 0, f"torch child with ATEN_CPU_CAPABILITY=default failed: {p.stderr[-2000:]}")
    runs.append(("torch-bilinear-nofma", 12, nofma_dir))
    model_checked = 0
    for method, seed, refdir in runs:
        stats = {}
        for i, (a, dw, dh, aa) in enumerate(cases(seed)):
            if refdir == "model":
                ref = xa_torch_model.resize_hwc(a, dw, dh, fma=True)
            elif refdir is None:
                ref = torch_ref(a, dw, dh, aa)
                # the model that stands in for torch on other CPUs must agree with torch here
                m = xa_torch_model.resize_hwc(a, dw, dh, fma=method == "torch-bilinear")
                ck.check(np.array_equal(m.view(np.uint8), ref.view(np.uint8)),
                         f"model vs torch: {method} {a.dtype}{a.shape} -> {dw}x{dh}")
                model_checked += 1
            else:
                ref = np.load(os.path.join(refdir, f"ref{i}.npy"))
            ok, what = xalign_resize_matches(a, method, dw, dh, ref, inp, outp)
            key = f"{a.dtype}/{'HW' if a.ndim == 2 else 'HWx%d' % a.shape[2]}"
            s = stats.setdefault(key, [0, 0])
            s[0] += 1
            s[1] += not ok
            ck.check(ok, f"{method} {key} {a.shape[1]}x{a.shape[0]} -> {dw}x{dh}: {what}")
        n = sum(v[0] for v in stats.values())
        bad = sum(v[1] for v in stats.values())
        detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(stats.items()))
        against = "the model" if refdir == "model" else "torch"
        print(f"{method} vs {against}: cases {n}, mismatches {bad}   (cases/mismatches: {detail})", flush=True)
    if model_checked:
        print(f"model vs torch (torch-bilinear): {model_checked} cases compared", flush=True)
    ck.done()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
