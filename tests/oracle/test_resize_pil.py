"""xalign resize --method pil-* against Debian's Pillow 9.4 Image.resize, 0 differing bytes.

For each method: 300+ cases with numpy-generated inputs (fixed seeds) over the modes xalign
handles (L as H x W and H x W x 1, RGB, RGBA with alpha 0/255/partial, F, and float32 with 3
channels = mode F per channel) and the paths Pillow takes: same size (copy), one axis unchanged
(pass skipped), shrinking and enlarging on either axis, 1-pixel sides, extreme ratios, sides up
to 4096. Prints cases and mismatches per method and per mode.
"""
import os
import subprocess
import sys

import numpy as np
from PIL import Image

from xa_testlib import XALIGN, Checker

METHODS = {
    "pil-nearest": Image.NEAREST,
    "pil-box": Image.BOX,
    "pil-bilinear": Image.BILINEAR,
    "pil-hamming": Image.HAMMING,
    "pil-bicubic": Image.BICUBIC,
    "pil-lanczos": Image.LANCZOS,
}
MODES = ["L", "L1", "RGB", "RGBA", "F", "F3"]
CASES = 312  # per method; a multiple of len(MODES) * 4 size kinds


def sizes(rng, kind):
    """(w, h, dw, dh) of one size kind."""
    small = lambda: int(rng.integers(1, 48))
    if kind == 0:  # a random shrink or enlargement on both axes
        return small(), small(), small(), small()
    if kind == 1:  # one axis unchanged: that pass is skipped; sometimes both (a copy)
        w, h, d = small(), small(), small()
        r = rng.integers(0, 5)
        return (w, h, w, d) if r < 2 else (w, h, d, h) if r < 4 else (w, h, w, h)
    if kind == 2:  # extreme ratios and long sides (up to 4096) on a thin image
        big = int(rng.integers(600, 4097))
        tiny = int(rng.integers(1, 6))
        thin = int(rng.integers(1, 4))
        choice = rng.integers(0, 4)
        if choice == 0:
            return big, thin, tiny, thin + int(rng.integers(0, 2))
        if choice == 1:
            return thin, big, thin, tiny
        if choice == 2:
            return tiny, thin, big, thin + 1
        return thin, tiny, thin + int(rng.integers(0, 2)), big
    # kind 3: mid-size, non-integer ratios close to 1 and to 2 (many window edge cases)
    w, h = int(rng.integers(20, 160)), int(rng.integers(20, 160))
    f = rng.choice([0.5, 0.49, 0.51, 0.99, 1.01, 2.0, 1.97, 1 / 3])
    return w, h, max(1, int(w * f)), max(1, int(h * f + rng.integers(-1, 2)))


def make_input(rng, mode, w, h):
    if mode in ("L", "L1", "RGB", "RGBA"):
        c = {"L": None, "L1": 1, "RGB": 3, "RGBA": 4}[mode]
        shape = (h, w) if c is None else (h, w, c)
        if rng.integers(0, 4) == 0:  # flat regions and extremes (clamping in the negative lobes)
            a = rng.choice(np.array([0, 255, 1, 254, 128], np.uint8), size=shape)
        else:
            a = rng.integers(0, 256, size=shape, dtype=np.uint8)
        if mode == "RGBA":  # alpha 0 and 255 take their own branch when unpremultiplying
            a[..., 3] = rng.choice(np.array([0, 255, 1, 17, 128, 200, 254], np.uint8), size=(h, w))
            if rng.integers(0, 3) == 0:
                a[..., 3] = rng.integers(0, 256, size=(h, w), dtype=np.uint8)
        return a
    shape = (h, w) if mode == "F" else (h, w, 3)
    a = ((rng.random(shape) - 0.3) * 10.0 ** rng.integers(-3, 7)).astype(np.float32)
    if rng.integers(0, 10) == 0:  # infinities reach NaN through zero weights: same in both
        a.flat[rng.integers(0, a.size)] = np.float32(np.inf)
    return a


def pillow(a, mode, dw, dh, rs):
    if mode in ("F", "F3"):
        planes = [a] if mode == "F" else [a[:, :, i] for i in range(3)]
        out = [np.asarray(Image.fromarray(p, "F").resize((dw, dh), rs)) for p in planes]
        return out[0] if mode == "F" else np.stack(out, axis=2)
    img = Image.fromarray(a[:, :, 0] if mode == "L1" else a)
    r = np.asarray(img.resize((dw, dh), rs))
    return r[:, :, None] if mode == "L1" else r


def main():
    ck = Checker("test_resize_pil")
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    totals = []
    for mi, (method, rs) in enumerate(METHODS.items()):
        rng = np.random.default_rng(1000 + mi)
        per_mode = {m: [0, 0] for m in MODES}
        for i in range(CASES):
            mode = MODES[i % len(MODES)]
            w, h, dw, dh = sizes(rng, (i // len(MODES)) % 4)
            a = make_input(rng, mode, w, h)
            ref = pillow(a, mode, dw, dh, rs)
            np.save(inp, a)
            p = subprocess.run([XALIGN, "resize", inp, outp, "--method", method, "--size", f"{dw}x{dh}"],
                               capture_output=True, text=True)
            ok = p.returncode == 0
            if ok:
                got = np.load(outp)
                ok = got.dtype == ref.dtype and got.shape == ref.shape and got.tobytes() == ref.tobytes()
            per_mode[mode][0] += 1
            if not ok:
                per_mode[mode][1] += 1
                detail = p.stderr.strip() if p.returncode else \
                    f"{int(np.sum(got.view(np.uint8) != ref.view(np.uint8))) if got.shape == ref.shape else 'shape'} bytes differ"
                ck.check(False, f"{method} {mode} {w}x{h} -> {dw}x{dh}: {detail}")
            else:
                ck.check(True, "")
        n = sum(v[0] for v in per_mode.values())
        bad = sum(v[1] for v in per_mode.values())
        totals.append((method, n, bad))
        modes = ", ".join(f"{m} {v[0]}/{v[1]}" for m, v in per_mode.items())
        print(f"{method}: cases {n}, mismatches {bad}   (per mode cases/mismatches: {modes})", flush=True)
    ck.done()


if __name__ == "__main__":
    main()
