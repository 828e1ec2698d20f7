"""xalign resize --method cv2-* against Debian's OpenCV 4.6 cv2.resize, bit for bit.

For every OpenCV method: random cases (fixed seeds) over sizes 1..4096, 2-D and 1/3/4 channels,
uint8 and float32, plus the special paths of cv::hal::resize (same-size copy, exact 2x and other
integer reductions, the 1/49 reduction that is not "area fast", 1-pixel rows/columns/images,
upscales, an int overflow of the area sum). Requires 0 differing bytes: float32 outputs are
compared as raw bits (NaN-safe, sign of zero included).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "pylib"))
import xa_testlib as T  # noqa: E402

import cv2  # noqa: E402

cv2.setNumThreads(1)  # one row range: see docs/ops-resize-opencv.md (sign of zero in INTER_AREA)

METHODS = {
    "cv2-nearest": cv2.INTER_NEAREST,
    "cv2-nearest-exact": cv2.INTER_NEAREST_EXACT,
    "cv2-linear": cv2.INTER_LINEAR,
    "cv2-linear-exact": cv2.INTER_LINEAR_EXACT,
    "cv2-area": cv2.INTER_AREA,
    "cv2-cubic": cv2.INTER_CUBIC,
    "cv2-lanczos4": cv2.INTER_LANCZOS4,
}
RANDOM_CASES = 300  # per method, on top of the special cases
if T.QUICK:  # XA_QUICK=1 (the sanitizer build): each special size once, a few random ones
    RANDOM_CASES = 10

chk = T.Checker("resize_cv")
T.report_cpu_path(chk)


def make_image(rng, sw, sh, cn, dtype):
    shape = (sh, sw) if cn == 0 else (sh, sw, cn)
    if dtype == np.uint8:
        return rng.integers(0, 256, size=shape, dtype=np.uint8)
    kind = rng.integers(0, 4)
    if kind == 3:  # small integers: exact zeros and ties, where weights ~1e-31 or rounding show
        return rng.integers(0, 4, size=shape).astype(np.float32)
    if kind == 0:
        return (rng.random(shape, dtype=np.float32) * 255).astype(np.float32)
    if kind == 1:
        return (rng.standard_normal(shape) * 100).astype(np.float32)
    return rng.random(shape, dtype=np.float32)  # 0..1, as normalised images


def random_size(rng):
    """Mostly small sides, some medium, a few up to 4096 (the other side kept small)."""
    r = rng.random()
    if r < 0.70:
        return int(rng.integers(1, 65)), int(rng.integers(1, 65))
    if r < 0.95:
        return int(rng.integers(1, 600)), int(rng.integers(1, 600))
    big = int(rng.integers(1000, 4097))
    small = int(rng.integers(1, 24))
    return (big, small) if rng.random() < 0.5 else (small, big)


def random_dst(rng, sw, sh):
    r = rng.random()
    if r < 0.15:  # integer reduction (area fast, the 2x shortcut)
        k = int(rng.integers(2, 6))
        return max(1, sw // k), max(1, sh // k)
    if r < 0.25:  # integer enlargement
        k = int(rng.integers(2, 5))
        return min(sw * k, 4096), min(sh * k, 4096)
    if r < 0.65:
        return int(rng.integers(1, max(2, min(2 * sw, 600)))), int(rng.integers(1, max(2, min(2 * sh, 600))))
    return max(1, int(sw * rng.uniform(0.2, 3.0))), max(1, int(sh * rng.uniform(0.2, 3.0)))


def special_cases():
    """(sw, sh, dw, dh) that reach every dispatch branch and edge of cv::hal::resize."""
    return [
        (64, 48, 64, 48),      # same size: copy
        (64, 48, 32, 24),      # exact 2x: area fast / the INTER_LINEAR shortcut
        (63, 47, 31, 23),      # not exactly 2x
        (90, 60, 30, 20),      # 3x
        (80, 80, 20, 20),      # 4x
        (100, 40, 20, 8),      # 5x
        (64, 48, 64, 24),      # 1 x 2 integer factors
        (64, 48, 16, 48),      # 4 x 1
        (98, 49, 2, 1),        # 1/49: 1/(1/49) != 49, not area fast
        (490, 49, 10, 1),
        (1, 1, 1, 1),
        (1, 1, 7, 5),          # 1x1 input
        (1, 1, 1, 9),
        (40, 30, 1, 1),        # 1x1 output
        (40, 1, 13, 1),        # one row in, one row out
        (1, 40, 1, 13),        # one column
        (1, 40, 9, 77),
        (40, 1, 77, 9),
        (2, 2, 1, 1),
        (2, 2, 3, 3),
        (3, 1, 1, 1),
        (257, 5, 256, 5),      # half-integer weights (rounding ties)
        (5, 257, 5, 256),
        (17, 9, 64, 5),
        (640, 480, 1280, 960),  # 2x up
        (1920, 8, 224, 8),
        (4096, 3, 17, 2),
        (3, 4096, 2, 1000),
        (4096, 2, 4096, 5),
        (300, 200, 299, 201),
        (7, 7, 7 * 49, 3),
        (600, 600, 2, 2),      # 300x300 blocks: float area fast walks blocks this large directly
    ]


def run_case(method, interp, img, dw, dh, tag, stats):
    src = chk.path("in.npy")
    dst = chk.path("out.npy")
    np.save(src, img)
    rc, out, err = T.run("resize", src, dst, "--method", method, "--size", f"{dw}x{dh}")
    want = cv2.resize(img, (dw, dh), interpolation=interp)
    key = img.dtype.name
    stats[key][0] += 1
    if rc != 0:
        stats[key][1] += 1
        chk.check(False, f"{method} {tag}: exit {rc}: {err.strip()}")
        return
    got = np.load(dst)
    if img.ndim == 3 and img.shape[2] == 1 and want.ndim == 2:
        want = want[:, :, None]  # cv2's binding drops a 1-channel axis; xalign keeps the layout
    if got.shape != want.shape or got.dtype != want.dtype:
        stats[key][1] += 1
        chk.check(False, f"{method} {tag}: shape/dtype {got.shape} {got.dtype} != {want.shape} {want.dtype}")
        return
    if img.dtype == np.float32:
        bad = int(np.count_nonzero(got.view(np.uint32) != want.view(np.uint32)))
        diff = float(np.nanmax(np.abs(got.astype(np.float64) - want))) if bad else 0.0
    else:
        bad = int(np.count_nonzero(got != want))
        diff = int(np.max(np.abs(got.astype(int) - want))) if bad else 0
    if bad:
        stats[key][1] += 1
    chk.check(bad == 0, f"{method} {tag}: {bad} differing values (max |diff| {diff})")


def main():
    summary = []
    only = sys.argv[1:]  # optional method names, for debugging
    for mi, (method, interp) in enumerate(METHODS.items()):
        if only and method not in only:
            continue
        rng = np.random.default_rng(1000 + mi)
        stats = {"uint8": [0, 0], "float32": [0, 0]}
        cases = []
        for k, (sw, sh, dw, dh) in enumerate(special_cases()):
            for cn in (0, 1, 3, 4):
                for dt in (np.uint8, np.float32):
                    # quick: one channel count and dtype per size, in turn
                    if not T.QUICK or (cn, dt) == ((0, 1, 3, 4)[k % 4], (np.uint8, np.float32)[k // 4 % 2]):
                        cases.append((sw, sh, cn, dt, dw, dh))
        for i in range(RANDOM_CASES):
            sw, sh = random_size(rng)
            dw, dh = random_dst(rng, sw, sh)
            cn = int(rng.choice([0, 1, 3, 4]))
            dt = np.uint8 if i % 2 == 0 else np.float32
            cases.append((sw, sh, cn, dt, dw, dh))
        for (sw, sh, cn, dt, dw, dh) in cases:
            img = make_image(rng, sw, sh, cn, dt)
            tag = f"{sw}x{sh}x{cn or '2D'} {np.dtype(dt).name} -> {dw}x{dh}"
            run_case(method, interp, img, dw, dh, tag, stats)
        summary.append((method, stats))

    if only:
        report(summary)
        return
    # INTER_AREA sums a block in int: a 4096x4096 white image to 1x1 wraps in OpenCV too.
    stats = {"uint8": [0, 0], "float32": [0, 0]}
    run_case("cv2-area", cv2.INTER_AREA, np.full((4096, 4096), 255, np.uint8), 1, 1,
             "4096x4096 white -> 1x1 (int overflow)", stats)
    summary.append(("cv2-area overflow", stats))

    # Real photographs, when tests/data has any.
    photos = sorted(f for f in os.listdir(T.DATA) if f.lower().endswith((".jpg", ".jpeg"))) \
        if os.path.isdir(T.DATA) else []
    photos = photos[:1] if T.QUICK else photos
    if photos:
        stats = {"uint8": [0, 0], "float32": [0, 0]}
        for f in photos:
            img = cv2.imread(os.path.join(T.DATA, f))
            if img is None:
                continue
            h, w = img.shape[:2]
            for method, interp in METHODS.items():
                for (dw, dh) in ((224, 224), (max(1, w // 3), max(1, h // 3)), (w * 2 // 3 + 1, h + 7)):
                    run_case(method, interp, img, dw, dh, f"{f} -> {dw}x{dh}", stats)
        summary.append(("photos (all methods)", stats))

    report(summary)


def report(summary):
    print(f"{'method':24s} {'cases':>6s} {'mismatches':>10s}   (uint8 cases/mism, float32 cases/mism)")
    for method, st in summary:
        n = st["uint8"][0] + st["float32"][0]
        bad = st["uint8"][1] + st["float32"][1]
        print(f"{method:24s} {n:6d} {bad:10d}   ({st['uint8'][0]}/{st['uint8'][1]}, "
              f"{st['float32'][0]}/{st['float32'][1]})")
    chk.done()


if __name__ == "__main__":
    main()
