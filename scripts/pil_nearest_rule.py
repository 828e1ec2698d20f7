"""Why pil-nearest keeps Pillow's running sum (docs/ops-resize-pillow-torch.md, NEAREST).

Pillow 9.4 (Geometry.c ImagingScaleAffine) picks the source column of output x by adding the step
a = (double)(float)w / dw to a double that starts at a / 2, and truncating. The closed form
int((x + 0.5) * a) looks the same but rounds differently on some sizes. This script builds the
pil-nearest cases of tests/oracle/test_resize_pil.py (same seed, same order), resizes each with
Pillow, and counts the cases where each rule, applied in numpy, gives a different image:

    /usr/bin/python3 scripts/pil_nearest_rule.py

It prints both counts; the running sum must differ on none (the script exits 1 otherwise).
"""
import os
import sys

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(HERE, "..", "tests", "pylib"), os.path.join(HERE, "..", "tests", "oracle")]
import test_resize_pil as T  # noqa: E402
from xa_resize_oracle import SIZE_KINDS, random_sizes  # noqa: E402


def running_sum(n_in, n_out):
    a = float(np.float32(n_in)) / n_out
    pos, idx = a * 0.5, []
    for _ in range(n_out):
        idx.append(int(pos))
        pos += a
    return np.array(idx)


def closed_form(n_in, n_out):
    a = float(np.float32(n_in)) / n_out
    return np.array([int((x + 0.5) * a) for x in range(n_out)])


def main():
    rng = np.random.default_rng(1000)  # test_resize_pil: seed 1000 + index of "pil-nearest" (0)
    n, bad = 0, {"running sum": 0, "closed form": 0}
    for i in range(T.CASES + len(T.LARGE)):
        if i < T.CASES:
            mode = T.MODES[i % len(T.MODES)]
            w, h, dw, dh = random_sizes(rng, (i // len(T.MODES)) % SIZE_KINDS)
        else:
            mode, w, h, dw, dh = T.LARGE[i - T.CASES]
        a = T.make_input(rng, mode, w, h)
        if i >= T.CASES:
            continue  # the photo-sized cases are not part of the 312
        n += 1
        want = T.pillow(a, mode, dw, dh, Image.NEAREST)
        for rule, index in (("running sum", running_sum), ("closed form", closed_form)):
            got = np.ascontiguousarray(a[index(h, dh)][:, index(w, dw)])
            bad[rule] += not np.array_equal(got.view(np.uint8), np.ascontiguousarray(want).view(np.uint8))
    for rule, b in bad.items():
        print(f"{rule}: differs from Pillow on {b} of {n} cases")
    return 0 if bad["running sum"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
