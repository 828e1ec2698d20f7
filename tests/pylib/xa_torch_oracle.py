"""torch 1.13 / torchvision 0.14 references for xalign's torch-* resize methods, and the loop the
oracle tests test_resize_torch_modes.py and test_resize_torch_aa.py share.

A case is an H x W (x C) numpy image, uint8 or float32, and an output size. The reference tensor
is 1 x C x H x W, in one of two memory formats:
  "cf": contiguous (what .contiguous() or torchvision's own ToTensor-style code gives);
  "cl": channels-last, torch.from_numpy(img).permute(2, 0, 1)[None] without .contiguous().
Every format a method claims must give xalign's bytes. uint8 images are checked along every path
a user can take: torchvision's F.resize on the C x H x W tensor (modes it has), the same float
round trip written out (to float32, interpolate, clamp, torch.round, to uint8) for the modes
torchvision lacks, and F.interpolate on the uint8 tensor itself for the nearest modes.
"""
import os
import subprocess
import sys

import numpy as np

from xa_resize_oracle import random_image_case, same_bytes, torch_fuses, xalign_resize

# name -> (F.interpolate mode, antialias, formats(c, dw, dh) that must match, torchvision mode)
#   torchvision 0.14 has InterpolationMode NEAREST, BILINEAR, BICUBIC (no nearest-exact, no area)
BOTH = lambda c, dw, dh: ["cf", "cl"]
# torch-area: the mean torch takes for a 1 x 1 output sums in an order that depends on the
# format when C > 1; otherwise the two adaptive_avg_pool2d kernels agree
AREA_CF = lambda c, dw, dh: ["cf"] if (dw, dh) == (1, 1) and c > 1 else ["cf", "cl"]
AREA_CL = lambda c, dw, dh: ["cl"] if (dw, dh) == (1, 1) and c > 1 else ["cl", "cf"]
# bilinear: the channels-last kernel rounds differently when C > 1 (C = 1 tensors are both)
BILINEAR_CL = lambda c, dw, dh: ["cl"] if c > 1 else ["cl", "cf"]
BILINEAR_CF = lambda c, dw, dh: ["cf"] if c > 1 else ["cf", "cl"]
METHODS = {
    "torch-bilinear": ("bilinear", False, BILINEAR_CF, "bilinear"),
    "torch-bilinear-cl": ("bilinear", False, BILINEAR_CL, "bilinear"),
    "torch-nearest": ("nearest", False, BOTH, "nearest"),
    "torch-nearest-exact": ("nearest-exact", False, BOTH, None),
    "torch-bicubic": ("bicubic", False, BOTH, "bicubic"),
    "torch-bicubic-nofma": ("bicubic", False, BOTH, "bicubic"),
    "torch-area": ("area", False, AREA_CF, None),
    "torch-area-cl": ("area", False, AREA_CL, None),
    "torch-bilinear-aa": ("bilinear", True, BOTH, "bilinear"),
    "torch-bilinear-aa-nofma": ("bilinear", True, BOTH, "bilinear"),
    "torch-bicubic-aa": ("bicubic", True, BOTH, "bicubic"),
    "torch-bicubic-aa-nofma": ("bicubic", True, BOTH, "bicubic"),
}


def special_image(rng):
    """Float32 H x W x 3 with NaN, infinities, signed zeros, huge and subnormal values."""
    a = (rng.random((9, 11, 3)) * 10).astype(np.float32)
    a[2, 3, 0] = np.nan
    a[5, 5, 1] = np.inf
    a[7, 1, 2] = -np.inf
    a[0, 0, :] = -0.0
    a[4, 8, :] = 1e38
    a[6, :, 0] = -1e-40
    return a


def cases(method, seed, n):
    """[(image, dw, dh)]: n random cases, then fixed ones; the same list in parent and child."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        out.append(random_image_case(rng, i))
    photo = rng.integers(0, 256, size=(1080, 1920, 3), dtype=np.uint8)
    out += [(photo, 224, 224), (photo[:480, :640].astype(np.float32) + 0.25, 1280, 960),
            (special_image(rng), 5, 4), (special_image(rng), 20, 17), (special_image(rng), 1, 1),
            (special_image(rng), 11, 9),  # unchanged size: antialias still runs both passes
            # nearest-exact: where a float-rounded source position would pick another pixel
            (rng.random((1, 2, 3), dtype=np.float32), 41, 1), (rng.random((2, 1), dtype=np.float32), 1, 47)]
    if method.startswith("torch-area"):
        # 1 x 1: torch's mean, cascade sums over millions of values (all levels), both layouts
        out += [(rng.random((1080, 1920), dtype=np.float32) * 255, 1, 1),
                (photo, 1, 1),
                ((rng.random((1080, 1920, 4), dtype=np.float32) - 0.5) * 1e4, 1, 1),
                (photo[:7, :5], 1, 1)]
    return out


def to_tensor(a, fmt):
    import torch
    x = torch.from_numpy(a)
    x = x[None, None] if a.ndim == 2 else x.permute(2, 0, 1)[None]
    return x.contiguous() if fmt == "cf" else x


def to_image(r, a):
    """1 x C x H x W (or C x H x W) result -> the input's H x W (x C) layout, C order."""
    r = r.reshape(r.shape[-3:]).numpy()
    return r[0] if a.ndim == 2 else np.ascontiguousarray(r.transpose(1, 2, 0))


def references(method, a, dw, dh):
    """{what: HWC array} of every torch path that must give xalign's bytes for this case."""
    import torch
    import torch.nn.functional as Fn
    import torchvision.transforms.functional as TF

    mode, aa, formats, tv_mode = METHODS[method]
    kw = {"align_corners": False} if mode in ("bilinear", "bicubic") else {}
    refs = {}
    for fmt in formats(1 if a.ndim == 2 else a.shape[2], dw, dh):
        x = to_tensor(a, fmt)
        if a.dtype == np.float32:
            refs[f"{fmt} F.interpolate"] = to_image(Fn.interpolate(x, size=(dh, dw), mode=mode, antialias=aa, **kw), a)
            continue
        if tv_mode:
            r = TF.resize(x[0], [dh, dw], interpolation=TF.InterpolationMode(tv_mode), antialias=aa)
            refs[f"{fmt} torchvision F.resize"] = to_image(r, a)
        else:
            r = Fn.interpolate(x.float(), size=(dh, dw), mode=mode, antialias=aa, **kw)
            refs[f"{fmt} float round trip"] = to_image(torch.round(r.clamp(0, 255)).to(torch.uint8), a)
        if mode.startswith("nearest"):
            refs[f"{fmt} F.interpolate on uint8"] = to_image(Fn.interpolate(x, size=(dh, dw), mode=mode), a)
    return refs


def sample_cases(method, seed, n):
    """The first n random cases, and for area two 1 x 1 outputs of large images (torch's sum)."""
    c = cases(method, seed, n)
    return c[:n] + (c[-4:-2] if method.startswith("torch-area") else [])


def child(methods, seed, n, outdir, sample=False):
    """Runs under another ATEN_CPU_CAPABILITY: torch's references for every case, one .npz each."""
    import torch
    torch.set_num_threads(1)
    for method in methods:
        for i, (a, dw, dh) in enumerate(sample_cases(method, seed, n) if sample else cases(method, seed, n)):
            np.savez(os.path.join(outdir, f"{method}_{i}.npz"), **references(method, a, dw, dh))


def torch_child(script, capability, methods, seed, n, outdir, sample=False):
    """Run child() in a new torch under ATEN_CPU_CAPABILITY=capability (read at import):
    (ok, stderr)."""
    env = dict(os.environ, ATEN_CPU_CAPABILITY=capability)
    p = subprocess.run([sys.executable, script, "--child", ",".join(methods), str(seed), str(n), outdir,
                        "sample" if sample else "all"], env=env, capture_output=True, text=True)
    return p.returncode == 0, p.stderr[-2000:]


def run_oracle(ck, methods, n, seed, script):
    """Compare every method on its cases; the -nofma methods against a child torch that runs the
    kernels built for CPUs without AVX2 (ATEN_CPU_CAPABILITY is read when torch is imported)."""
    import torch
    torch.set_num_threads(1)
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    nofma = [m for m in methods if m.endswith("-nofma")]
    refdir = ck.path("nofma")
    os.mkdir(refdir)
    if nofma:
        ok, err = torch_child(script, "default", nofma, seed, n, refdir)
        ck.check(ok, f"torch child with ATEN_CPU_CAPABILITY=default failed: {err}")
    fuses = torch_fuses()
    for method in methods:
        fused = not method.endswith("-nofma") and method in (
            "torch-bicubic", "torch-bilinear-aa", "torch-bicubic-aa")
        if fused and not fuses:
            print(f"{method}: not compared: torch here runs its non-AVX2 kernels (no AVX2/FMA, or "
                  f"XA_TEST_AS_NO_AVX2=1), which cannot produce the fused results")
            continue
        stats = {}
        for i, (a, dw, dh) in enumerate(cases(method, seed, n)):
            if method in nofma:
                with np.load(os.path.join(refdir, f"{method}_{i}.npz")) as z:
                    refs = {k: z[k] for k in z.files}
            else:
                refs = references(method, a, dw, dh)
            key = f"{a.dtype}/{'HW' if a.ndim == 2 else 'HWx%d' % a.shape[2]}"
            s = stats.setdefault(key, [0, 0])
            s[0] += 1
            got, err = xalign_resize(a, method, dw, dh, inp, outp)
            ok = ck.check(got is not None, f"{method} {key} {a.shape[1]}x{a.shape[0]} -> {dw}x{dh}: {err}")
            for what, ref in refs.items() if ok else ():
                good, diff = same_bytes(got, ref)
                ok &= ck.check(good, f"{method} {key} {a.shape[1]}x{a.shape[0]} -> {dw}x{dh} vs {what}: {diff}")
            s[1] += not ok
        total = sum(v[0] for v in stats.values())
        bad = sum(v[1] for v in stats.values())
        detail = ", ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(stats.items()))
        print(f"{method}: cases {total}, mismatches {bad}   (cases/mismatches: {detail})", flush=True)


def avx512_effect(ck, methods, n, seed, script):
    """Print (no check: xalign reproduces the kernels torch picks by itself) how many of the
    sample_cases of each method differ under ATEN_CPU_CAPABILITY=avx512, the capability torch
    1.13 only uses when asked to, from what xalign's method computes."""
    with open("/proc/cpuinfo") as f:
        if not any(line.startswith("flags") and " avx512f" in line for line in f):
            print("ATEN_CPU_CAPABILITY=avx512: not compared (this CPU has no AVX512F)")
            return
    refdir = ck.path("avx512")
    os.mkdir(refdir)
    ok, err = torch_child(script, "avx512", methods, seed, n, refdir, sample=True)
    if not ok:
        print(f"ATEN_CPU_CAPABILITY=avx512: torch child failed: {err}")
        return
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    report = []
    for method in methods:
        differ, sample = 0, sample_cases(method, seed, n)
        for i, (a, dw, dh) in enumerate(sample):
            got, err = xalign_resize(a, method, dw, dh, inp, outp)
            with np.load(os.path.join(refdir, f"{method}_{i}.npz")) as z:
                differ += got is None or not all(same_bytes(got, z[k])[0] for k in z.files)
        report.append(f"{method} {differ}/{len(sample)}")
    print("ATEN_CPU_CAPABILITY=avx512, cases differing from xalign: " + ", ".join(report))


def main(name, methods, n, seed):
    """Entry point of a test script: `script.py` runs the oracle, `--child ...` a child torch."""
    if len(sys.argv) == 7 and sys.argv[1] == "--child":
        child(sys.argv[2].split(","), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6] == "sample")
        return None
    from xa_testlib import Checker, report_cpu_path
    ck = Checker(name)
    report_cpu_path(ck)
    run_oracle(ck, methods, n, seed, os.path.abspath(sys.argv[0]))
    return ck
