"""`xalign transform` as a user meets it: help, usage errors with exit 2 and one-line messages,
geometry as text and JSON, a letterbox that prints its geometry."""
import json
import numpy as np
from xa_testlib import Checker, run

ck = Checker("cli_transform")
img = ck.path("img.npy")
np.save(img, np.random.default_rng(3).integers(0, 256, (48, 64, 3), dtype=np.uint8))
out = ck.path("out.npy")

rc, o, e = run("transform", "--help")
ck.check(rc == 0 and "usage: xalign transform" in o and "quantize-int8" in o, "--help lists the operations")
rc, o, e = run("help", "transform")
ck.check(rc == 0 and "letterbox-sail" in o, "xalign help transform")
rc, o, e = run("transform")
ck.check(rc == 2 and "usage:" in e, f"no arguments: usage on stderr, exit 2 ({rc})")

for args, text in [
    ((img, out), "--op is required"),
    ((img, out, "--op", "nope"), "unknown operation 'nope'"),
    ((img, "--op", "to-tensor"), "expected IN and OUT.npy"),
    ((img, out, "--op", "center-crop"), "center-crop needs 'size'"),
    ((img, out, "--op", "pad", "--pad", "1,2"), "pad '1,2' must hold 4 values"),
    ((img, out, "--op", "pad", "--pad", "1,2,x,4"), "is not a comma-separated list"),
    ((img, out, "--op", "normalize", "--mean", "0.5"), "normalize needs 'std'"),
    ((img, out, "--op", "normalize", "--mean", "0.5", "--std", "0.2"), "uint8 input is not supported"),
    ((img, out, "--op", "quantize-int8"), "quantize-int8 needs 'scale'"),
    ((img, out, "--op", "quantize-int8", "--scale", "1", "--rounding", "up"), "rounding 'up' is not one of: half-away"),
    ((img, out, "--op", "letterbox-yolov5", "--method", "bogus"), "method 'bogus' is not one of: cv2-nearest"),
    ((img, out, "--op", "crop", "--size", "0x3", "--top", "0", "--left", "0"), "size '0x3' is outside 1..65536"),
    ((img, out, "--op", "to-tensor", "--layout", "nhwc"), "to-tensor has no option --layout"),
    (("--op", "letterbox-yolov5", "--geometry-only", "--input-size", "64x"), "'64x' is not WIDTHxHEIGHT"),
    (("--op", "to-tensor", "--geometry-only", "--input-size", "64x48"), "--geometry-only works with"),
    (("--op", "letterbox-sail", "--geometry-only", "--input-size", ""), "names no size"),
    ((ck.path("missing.npy"), out, "--op", "to-tensor"), "missing.npy"),
]:
    rc, o, e = run("transform", *args)
    ck.check(rc == 2 and text in e and e.count("\n") == 1 and e.startswith("xalign transform: "),
             f"{args[-2:]}: exit {rc}, want 2 and one line with {text!r}: {e!r}")

# geometry from an image file, as text and JSON
rc, o, e = run("transform", img, "--op", "letterbox-yolov5", "--geometry-only", "--size", "64x64")
ck.check(rc == 0 and o.startswith("64x48 -> unchanged 64x48 -> border top 8 bottom 8 left 0 right 0 -> 64x64 (ratio 1, 1; dw 0, dh 8)"), f"text: {o!r}")
rc, o, e = run("transform", "--op", "letterbox-sail", "--geometry-only", "--json", "--size", "64x64", "--input-size", "64x48,32x64")
j = json.loads(o)
ck.check(rc == 0 and [g["top"] for g in j["geometry"]] == [8, 0] and [g["left"] for g in j["geometry"]] == [0, 16] and j["geometry"][1]["resized"] is False,
         f"sail JSON: {o}")
rc, o, e = run("transform", "--op", "tv-resize", "--geometry-only", "--short", "256", "--input-size", "500x375")
ck.check(rc == 0 and o == "500x375 -> 341x256\n", f"tv-resize geometry text: {o!r}")
rc, o, e = run("transform", "--op", "tv-resize", "--geometry-only", "--size", "256", "--input-size", "500x375")
ck.check(rc == 2 and "takes --short N" in e, f"tv-resize refuses --size (a shorter side is --short): {e!r}")
rc, o, e = run("transform", img, out, "--op", "resize", "--method", "cv2-linear", "--size", "32")
ck.check(rc == 2 and "WIDTHxHEIGHT" in e and "Resize(N)" in e, f"resize refuses a bare number: {e!r}")
rc, o, e = run("transform", "--op", "resize-size", "--size", "256", "--input-size", "500x375")
ck.check(rc == 2 and "tv-resize --short N --geometry-only" in e, f"resize-size points to its new form: {e!r}")

# an application that needs no resize writes the image and prints the geometry with --json
rc, o, e = run("transform", img, out, "--op", "letterbox-yolov5", "--size", "64x64", "--json")
ck.check(rc == 0 and json.loads(o)["geometry"]["out_h"] == 64 and np.load(out).shape == (64, 64, 3), f"letterbox --json: {rc} {o} {e}")
ck.done()
