"""xalign resize --method pil-* against Debian's Pillow 9.4 Image.resize, 0 differing bytes.

For each method: 318 cases with numpy-generated inputs (fixed seeds) over the modes xalign
handles (L as H x W and H x W x 1, RGB, RGBA with alpha 0/255/partial, F, and float32 with 3
channels = mode F per channel) and the paths Pillow takes: same size (copy), one axis unchanged
(pass skipped), shrinking and enlarging on either axis, 1-pixel sides, extreme ratios, sides up
to 4096, and six photo-sized images (1920x1080 -> 224x224, ...). Prints cases and mismatches per
method and per mode.
"""
import numpy as np
from PIL import Image

from xa_resize_oracle import SIZE_KINDS, random_sizes, xalign_resize_matches
from xa_testlib import QUICK, Checker, report_cpu_path

METHODS = {
    "pil-nearest": Image.NEAREST,
    "pil-box": Image.BOX,
    "pil-bilinear": Image.BILINEAR,
    "pil-hamming": Image.HAMMING,
    "pil-bicubic": Image.BICUBIC,
    "pil-lanczos": Image.LANCZOS,
}
MODES = ["L", "L1", "RGB", "RGBA", "F", "F3"]
CASES = 312  # random cases per method; a multiple of len(MODES) * SIZE_KINDS
if QUICK:  # XA_QUICK=1 (the sanitizer build): every mode and size kind once per method
    CASES = len(MODES) * SIZE_KINDS
# plus photo-sized cases per method: (mode, w, h, dw, dh)
LARGE = [("RGB", 1920, 1080, 224, 224), ("RGB", 640, 480, 1280, 960), ("RGBA", 1000, 700, 333, 500),
         ("L", 4096, 64, 4000, 65), ("F", 800, 600, 256, 256), ("F3", 500, 375, 341, 256)]
LARGE = LARGE[:1] if QUICK else LARGE


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
    report_cpu_path(ck)
    inp, outp = ck.path("in.npy"), ck.path("out.npy")
    for mi, (method, rs) in enumerate(METHODS.items()):
        rng = np.random.default_rng(1000 + mi)
        per_mode = {m: [0, 0] for m in MODES}
        for i in range(CASES + len(LARGE)):
            if i < CASES:
                mode = MODES[i % len(MODES)]
                w, h, dw, dh = random_sizes(rng, (i // len(MODES)) % SIZE_KINDS)
            else:
                mode, w, h, dw, dh = LARGE[i - CASES]
            a = make_input(rng, mode, w, h)
            ok, what = xalign_resize_matches(a, method, dw, dh, pillow(a, mode, dw, dh, rs), inp, outp)
            per_mode[mode][0] += 1
            per_mode[mode][1] += not ok
            ck.check(ok, f"{method} {mode} {w}x{h} -> {dw}x{dh}: {what}")
        n = sum(v[0] for v in per_mode.values())
        bad = sum(v[1] for v in per_mode.values())
        modes = ", ".join(f"{m} {v[0]}/{v[1]}" for m, v in per_mode.items())
        print(f"{method}: cases {n}, mismatches {bad}   (per mode cases/mismatches: {modes})", flush=True)
    ck.done()


if __name__ == "__main__":
    main()
