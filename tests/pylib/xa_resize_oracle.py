"""Shared pieces of the resize oracle tests: random size cases and one `xalign resize` run."""
import os

import numpy as np

from xa_testlib import run

SIZE_KINDS = 4


def random_sizes(rng, kind):
    """(w, h, dw, dh) for size kind 0..3:
    0 a random shrink or enlargement of small images (1..47);
    1 one axis unchanged (that pass is skipped / weights (1, 0)), sometimes both (a copy);
    2 1 x 1 sources, extreme ratios and long sides up to 4096 on thin images;
    3 mid-size images at ratios near 1/3, 1/2, 1 and 2 (many window-edge cases)."""
    small = lambda: int(rng.integers(1, 48))
    if kind == 0:
        return small(), small(), small(), small()
    if kind == 1:
        w, h, d = small(), small(), small()
        r = rng.integers(0, 5)
        return (w, h, w, d) if r < 2 else (w, h, d, h) if r < 4 else (w, h, w, h)
    if kind == 2:
        choice = rng.integers(0, 5)
        if choice == 0:
            return 1, 1, small(), small()
        big, tiny, thin = int(rng.integers(600, 4097)), int(rng.integers(1, 6)), int(rng.integers(1, 4))
        return [(big, thin, tiny, thin + int(rng.integers(0, 2))),  # long side shrunk hard
                (thin, big, thin, tiny),
                (tiny, thin, big, thin + 1),                        # enlarged hard
                (thin, tiny, thin + int(rng.integers(0, 2)), big)][choice - 1]
    w, h = int(rng.integers(20, 160)), int(rng.integers(20, 160))
    f = rng.choice([0.5, 0.49, 0.51, 0.99, 1.01, 2.0, 1.97, 1 / 3, 7 / 3])
    return w, h, max(1, int(w * f)), max(1, int(h * f + rng.integers(-1, 2)))


IMAGE_LAYOUTS = ["HW", "HW1", "HW3", "HW4"]


def random_image_case(rng, i):
    """(image, dw, dh) for case i of a random series: the layout cycles through H x W,
    H x W x 1, x 3, x 4; the sizes through random_sizes' kinds; uint8 and float32 (scaled by
    10^-2 .. 10^5, some negative) alternate in runs of 16."""
    layout = IMAGE_LAYOUTS[i % 4]
    w, h, dw, dh = random_sizes(rng, (i // 4) % SIZE_KINDS)
    shape = {"HW": (h, w), "HW1": (h, w, 1), "HW3": (h, w, 3), "HW4": (h, w, 4)}[layout]
    if (i // 16) % 2 == 0:
        a = rng.integers(0, 256, size=shape, dtype=np.uint8)
    else:
        a = ((rng.random(shape) - 0.2) * 10.0 ** rng.integers(-2, 6)).astype(np.float32)
    return a, dw, dh


def torch_fuses():
    """Whether torch here runs its AVX2 kernels (AVX2 and FMA, as ATen's capability check wants,
    and no ATEN_CPU_CAPABILITY forcing a lower one); XA_TEST_AS_NO_AVX2=1 answers no."""
    if os.environ.get("XA_TEST_AS_NO_AVX2") == "1":
        return False
    if os.environ.get("ATEN_CPU_CAPABILITY", "avx2") not in ("avx2", "avx512"):
        return False
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((line.split() for line in f if line.startswith("flags")), [])
    except OSError:
        return False
    return "avx2" in flags and "fma" in flags


def xalign_resize(a, method, dw, dh, inp, outp):
    """Run `xalign resize` on `a`: (output array, None) or (None, what went wrong)."""
    np.save(inp, a)
    rc, _, err = run("resize", inp, outp, "--method", method, "--size", f"{dw}x{dh}")
    if rc:
        return None, f"exit {rc}: {err.strip()}"
    return np.load(outp), None


def same_bytes(got, ref):
    """(ok, what differs) for an xalign output against a reference, byte for byte."""
    if got.dtype != ref.dtype or got.shape != ref.shape:
        return False, f"got {got.dtype}{got.shape}, want {ref.dtype}{ref.shape}"
    diff = int(np.sum(got.view(np.uint8) != ref.view(np.uint8)))
    return diff == 0, f"{diff} bytes differ"


def xalign_resize_matches(a, method, dw, dh, ref, inp, outp):
    """Run `xalign resize` on `a` and compare with `ref` byte for byte: (ok, what differs)."""
    got, err = xalign_resize(a, method, dw, dh, inp, outp)
    return (False, err) if err else same_bytes(got, ref)
