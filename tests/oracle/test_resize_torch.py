"""xalign resize --method torch-bilinear[-nofma] against Debian's torch 1.13 / torchvision 0.14.

torch-bilinear is compared with torch as it runs here (its AVX2 kernels, which fuse a*b + c*d
into fmaf); torch-bilinear-nofma with torch started with ATEN_CPU_CAPABILITY=default (the kernels
built for CPUs without AVX2), in a child process because the variable is read at import.
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

from xa_resize_oracle import SIZE_KINDS, random_sizes, xalign_resize_matches

CASES = 304  # random cases per method
LAYOUTS = ["HW", "HW1", "HW3", "HW4"]
# plus photo-sized cases: (shape, dtype, dw, dh)
LARGE = [((1080, 1920, 3), np.uint8, 224, 224), ((480, 640, 3), np.float32, 1280, 960),
         ((375, 500), np.uint8, 341, 256), ((300, 400, 4), np.float32, 123, 456)]


def has_avx2():
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx2" in line for line in f)
    except OSError:
        return False


def cases(seed):
    """[(input array, dw, dh, antialias)], the same list in parent and child."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(CASES):
        layout = LAYOUTS[i % 4]
        w, h, dw, dh = random_sizes(rng, (i // 4) % SIZE_KINDS)
        shape = {"HW": (h, w), "HW1": (h, w, 1), "HW3": (h, w, 3), "HW4": (h, w, 4)}[layout]
        if (i // 16) % 2 == 0:
            a = rng.integers(0, 256, size=shape, dtype=np.uint8)
        else:
            a = ((rng.random(shape) - 0.2) * 10.0 ** rng.integers(-2, 6)).astype(np.float32)
        out.append((a, dw, dh, None if (i // 32) % 2 else False))
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
    from xa_testlib import Checker
    import torch
    torch.set_num_threads(1)
    ck = Checker("test_resize_torch")
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    runs = []
    if has_avx2():
        runs.append(("torch-bilinear", 11, None))
    else:
        print("torch-bilinear: not compared: this CPU has no AVX2, so torch here runs the non-FMA kernels")
    nofma_dir = ck.path("nofma")
    os.mkdir(nofma_dir)
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", "12", nofma_dir], env=env,
                       capture_output=True, text=True)
    ck.check(p.returncode == 0, f"torch child with ATEN_CPU_CAPABILITY=default failed: {p.stderr[-2000:]}")
    runs.append(("torch-bilinear-nofma", 12, nofma_dir))
    for method, seed, refdir in runs:
        stats = {}
        for i, (a, dw, dh, aa) in enumerate(cases(seed)):
            ref = torch_ref(a, dw, dh, aa) if refdir is None else np.load(os.path.join(refdir, f"ref{i}.npy"))
            ok, what = xalign_resize_matches(a, method, dw, dh, ref, inp, outp)
            key = f"{a.dtype}/{'HW' if a.ndim == 2 else 'HWx%d' % a.shape[2]}"
            s = stats.setdefault(key, [0, 0])
            s[0] += 1
            s[1] += not ok
            ck.check(ok, f"{method} {key} {a.shape[1]}x{a.shape[0]} -> {dw}x{dh}: {what}")
        n = sum(v[0] for v in stats.values())
        bad = sum(v[1] for v in stats.values())
        detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(stats.items()))
        print(f"{method}: cases {n}, mismatches {bad}   (cases/mismatches: {detail})", flush=True)
    ck.done()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(int(sys.argv[2]), sys.argv[3])
    else:
        main()
