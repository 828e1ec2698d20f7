"""`xalign resize` with the torch-* methods as a user meets them: listed in --help, accepted by
name, output shape and dtype of the input's kind, and the limits on scratch images refused with
exit 2 and a message (bit-exactness against torch: tests/oracle/test_resize_torch*.py)."""
import os

import numpy as np
from xa_testlib import Checker, run

ck = Checker("cli_resize_torch")
rng = np.random.default_rng(1)
METHODS = ["torch-bilinear", "torch-bilinear-nofma", "torch-bilinear-cl", "torch-nearest",
           "torch-nearest-exact", "torch-bicubic", "torch-bicubic-nofma", "torch-area", "torch-area-cl",
           "torch-bilinear-aa", "torch-bilinear-aa-nofma", "torch-bicubic-aa", "torch-bicubic-aa-nofma"]

rc, out, err = run("resize", "--help")
ck.check(rc == 0 and all(m in out for m in ("torch-bilinear-cl", "torch-nearest-exact", "torch-bicubic-aa",
                                              "torch-area-cl", "-nofma")), f"--help lists the torch methods: {out!r}")

src, dst = ck.path("in.npy"), ck.path("out.npy")
for shape, dt in [((7, 9, 3), np.uint8), ((7, 9), np.float32), ((5, 1, 4), np.float32)]:
    np.save(src, (rng.random(shape) * 255).astype(dt))
    for m in METHODS:
        rc, out, err = run("resize", src, dst, "--method", m, "--size", "4x11")
        got = np.load(dst) if rc == 0 else None
        ck.check(rc == 0 and got.dtype == dt and got.shape == (11, 4) + shape[2:],
                 f"{m} {shape} {dt.__name__}: rc {rc} {err!r} {None if got is None else (got.dtype, got.shape)}")
        if rc == 0:
            os.remove(dst)

# a method name that looks right but does not exist
rc, out, err = run("resize", src, dst, "--method", "torch-bicubic-cl", "--size", "4x4")
ck.check(rc == 2 and "method 'torch-bicubic-cl' is not one of" in err, f"unknown method: rc {rc} {err!r}")

# scratch images larger than the output: the antialiased width pass of a tall image made wide,
# and the float32 copy of a uint8 output near the output limit
np.save(ck.path("tall.npy"), np.zeros((40000, 2), np.uint8))
for args, needle in [(["resize", ck.path("tall.npy"), dst, "--method", "torch-bilinear-aa", "--size", "40000x1"],
                      "the intermediate 40000x40000 image"),
                     (["resize", src, dst, "--method", "torch-bicubic", "--size", "65536x16385"],
                      "of the uint8 round trip exceeds the limit")]:
    np.save(src, np.zeros((3, 3), np.uint8))
    rc, out, err = run(*args)
    ck.check(rc == 2 and needle in err and not os.path.exists(dst), f"{args[:5]}: rc {rc} {err!r}")
ck.done()
