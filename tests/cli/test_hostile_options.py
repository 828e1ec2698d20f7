"""Hostile sizes and option values: a few bytes of input must not ask for gigabytes of output
(the operations' output limit), and option values that make no sense (a zero stride, a zero
size, a NaN mean, a batch where one image is needed) are refused with exit 2 and one line, no
output file written."""
import os

import numpy as np
from xa_testlib import Checker, run

ck = Checker("hostile_options")
# a few bytes of input must not ask for gigabytes of output; hostile options are refused
tiny = ck.path("tiny.npy")
np.save(tiny, np.ones((4, 5, 3), np.uint8))
np.save(ck.path("b4.npy"), np.ones((2, 4, 5, 3), np.uint8))
for args, needle in [(["transform", tiny, ck.path("o.npy"), "--op", "center-crop", "--size", "65536"], "exceeds the limit"),
                     (["resize", tiny, ck.path("o.npy"), "--method", "cv2-linear", "--size", "65536x65536"], "exceeds the limit"),
                     (["transform", "--op", "letterbox-yolov5", "--geometry-only", ck.path("b4.npy")], "not one H x W"),
                     (["transform", tiny, ck.path("o.npy"), "--op", "letterbox-yolov5", "--stride", "0"], "stride '0' is outside"),
                     (["preprocess", tiny, ck.path("o.npy"), "--recipe", "torchvision-resnet", "--size", "0"], "--size"),
                     (["preprocess", tiny, ck.path("o.npy"), "--recipe", "torchvision-resnet", "--mean", "nan,1,1",
                       "--std", "1,1,1"], "finite")]:
    rc, out, err = run(*args)
    ck.check(rc == 2 and needle in err and not os.path.exists(ck.path("o.npy")), f"{args[:3]}: rc {rc} {err!r}")
ck.done()
