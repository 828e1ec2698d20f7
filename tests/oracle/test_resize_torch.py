"""xalign resize --method torch-bilinear[-nofma] against Debian's torch 1.13 / torchvision 0.14.

torch-bilinear is compared with torch as it runs here (its AVX2 kernels, which fuse a*b + c*d
into fmaf); torch-bilinear-nofma with torch started with ATEN_CPU_CAPABILITY=default (the kernels
built for CPUs without AVX2), in a child process because the variable is read at import.
float32 input: F.interpolate(mode="bilinear", align_corners=False) on a contiguous 1 x C x H x W
tensor. uint8 input: torchvision.transforms.functional.resize on a C x H x W uint8 tensor
(antialias None and False alternate; both mean no antialiasing in 0.14).
300+ cases per method (numpy, fixed seeds): C = 1 (H x W and H x W x 1), 3, 4; shrinking,
enlarging, same size, one axis unchanged, 1 x 1 sources (they take torch's channels-last
kernel whatever C is), extreme ratios, sides up to 4096. 0 differing bytes required.
"""
import json
import os
import subprocess
import sys

import numpy as np

CASES = 304  # per method
LAYOUTS = ["HW", "HW1", "HW3", "HW4"]


def has_avx2():
    try:
        with open("/proc/cpuinfo") as f:
            return any(line.startswith("flags") and " avx2" in line for line in f)
    except OSError:
        return False


def sizes(rng, kind):
    small = lambda: int(rng.integers(1, 48))
    if kind == 0:
        return small(), small(), small(), small()
    if kind == 1:  # same size on one or both axes: weights (1, 0) there
        w, h, d = small(), small(), small()
        r = rng.integers(0, 5)
        return (w, h, w, d) if r < 2 else (w, h, d, h) if r < 4 else (w, h, w, h)
    if kind == 2:  # 1 x 1 sources, extreme ratios, long sides
        choice = rng.integers(0, 3)
        if choice == 0:
            return 1, 1, small(), small()
        big = int(rng.integers(600, 4097))
        if choice == 1:
            return big, int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
        return int(rng.integers(1, 4)), int(rng.integers(1, 6)), int(rng.integers(1, 4)), big
    w, h = int(rng.integers(20, 200)), int(rng.integers(20, 200))
    f = rng.choice([0.5, 0.49, 0.51, 0.99, 1.01, 2.0, 1.97, 1 / 3, 7 / 3])
    return w, h, max(1, int(w * f)), max(1, int(h * f + rng.integers(-1, 2)))


def cases(seed):
    """[(input array, dw, dh, antialias)], the same list in parent and child."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(CASES):
        layout = LAYOUTS[i % 4]
        w, h, dw, dh = sizes(rng, (i // 4) % 4)
        shape = {"HW": (h, w), "HW1": (h, w, 1), "HW3": (h, w, 3), "HW4": (h, w, 4)}[layout]
        if (i // 16) % 2 == 0:
            a = rng.integers(0, 256, size=shape, dtype=np.uint8)
        else:
            a = ((rng.random(shape) - 0.2) * 10.0 ** rng.integers(-2, 6)).astype(np.float32)
        out.append((a, dw, dh, None if (i // 32) % 2 else False))
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
    from xa_testlib import XALIGN, Checker
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
            np.save(inp, a)
            p = subprocess.run([XALIGN, "resize", inp, outp, "--method", method, "--size", f"{dw}x{dh}"],
                               capture_output=True, text=True)
            ok = p.returncode == 0
            if ok:
                got = np.load(outp)
                ok = got.dtype == ref.dtype and got.shape == ref.shape and got.tobytes() == ref.tobytes()
            key = f"{a.dtype}/{'HW' if a.ndim == 2 else 'HWx%d' % a.shape[2]}"
            s = stats.setdefault(key, [0, 0])
            s[0] += 1
            s[1] += not ok
            what = p.stderr.strip() if p.returncode else "values differ"
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
