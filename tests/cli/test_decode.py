"""CLI test of `xalign decode`: usage errors and exit codes, the .npy it writes, the text and
JSON settings report (orientation, variants, truncation warnings). Pixel exactness is the job of
tests/oracle/test_decode.py; expected shapes here come from cv2/PIL, never typed in."""
import io
import os

import cv2
import numpy as np
from PIL import Image

from xa_testlib import DATA, Checker, run, run_json
import xa_imagegen as G

C = Checker("cli_decode")
FRUITS = os.path.join(DATA, "fruits.jpg")
OUT = C.path("out.npy")


def usage_error(args, needle):
    rc, out, err = run("decode", *args)
    C.check(rc == 2 and needle in err, f"decode {' '.join(args)}: exit {rc}, stderr {err!r}")


# usage
rc, out, err = run("decode")
C.check(rc == 2 and "usage: xalign decode" in err, "no arguments: usage on stderr, exit 2")
rc, out, err = run("decode", "--help")
C.check(rc == 0 and "usage: xalign decode" in out and "--variant" in out, "--help")
rc, out, err = run("help", "decode")
C.check(rc == 0 and "usage: xalign decode" in out, "xalign help decode")
rc, out, err = run("--help")
C.check(rc == 0 and "decode" in out, "decode is listed in xalign --help")
usage_error([FRUITS, OUT], "--like cv2|pil is required")
usage_error([FRUITS, OUT, "--like", "tf"], "expected cv2 or pil")
usage_error([FRUITS, OUT, "--like", "cv2", "--variant", "bilinear"], "unknown variant")
usage_error([FRUITS, OUT, "--like", "cv2", "--variant", "ifast,float"], "exclude each other")
usage_error([FRUITS, OUT, "--like", "cv2", "--variant", "ifast", "--variant", "float"], "exclude each other")
usage_error([FRUITS, OUT, "--like", "pil", "--ignore-orientation"], "cv2 flag")
usage_error([FRUITS, "--like", "cv2"], "expected IN and OUT.npy")
usage_error([FRUITS, OUT, "--like", "cv2", "--bogus"], "unknown option")
missing = os.path.join(C.dir, "missing.jpg")
usage_error([missing, OUT, "--like", "cv2"], missing)
text = C.path("text.jpg")
with open(text, "w") as f:
    f.write("not an image\n")
usage_error([text, OUT, "--like", "pil"], "not a JPEG or PNG")
C.check(not os.path.exists(OUT), "no output file after failures")

# text report and the .npy
rc, out, err = run("decode", FRUITS, OUT, "--like", "cv2")
ref = cv2.imread(FRUITS)
C.check(rc == 0 and "settings: cv2.imread(IMREAD_COLOR)" in out and "ISLOW" in out, f"text report: {out!r}")
C.check(os.path.exists(OUT) and np.load(OUT).shape == ref.shape and np.load(OUT).dtype == np.uint8,
        "cv2 colour .npy: H x W x 3 uint8")
rc, out, err = run("decode", FRUITS, OUT, "--like", "pil", "--gray")
h, w = cv2.imread(FRUITS, cv2.IMREAD_GRAYSCALE).shape
C.check(rc == 0 and np.load(OUT).shape == (h, w, 1) and "convert('L')" in out, "pil gray: H x W x 1")

# JSON report
rc, j = run_json("decode", FRUITS, OUT, "--like", "cv2", "--gray")
C.check(rc == 0 and j["like"] == "cv2" and j["gray"] is True and j["channel_order"] == "gray" and
        j["dct"] == "islow" and j["fancy_upsampling"] is True and j["format"] == "jpeg" and
        j["shape"] == list(np.load(OUT).shape) and j["dtype"] == "uint8" and j["warnings"] == 0 and
        j["output"] == OUT and j["input"] == FRUITS and "IMREAD_GRAYSCALE" in j["settings"],
        f"JSON fields: {j}")
rc, j = run_json("decode", FRUITS, OUT, "--like", "pil", "--variant", "no-fancy", "--variant", "float")
C.check(rc == 0 and j["fancy_upsampling"] is False and j["dct"] == "float" and
        "variant" in j["settings"] and j["channel_order"] == "RGB", f"variant JSON: {j}")

# EXIF orientation: cv2 applies it (unless told not to), PIL reports but never applies it
im = Image.open(FRUITS)
ex = im.getexif()
ex[0x0112] = 6
exif6 = C.path("exif6.jpg")
im.save(exif6, quality=90, exif=ex.tobytes())
rc, j = run_json("decode", exif6, OUT, "--like", "cv2")
C.check(rc == 0 and j["exif_orientation"] == 6 and j["orientation_applied"] is True and
        tuple(j["shape"]) == cv2.imread(exif6).shape and "orientation 6 applied" in j["settings"],
        f"cv2 applies orientation 6: {j}")
rc, j = run_json("decode", exif6, OUT, "--like", "cv2", "--ignore-orientation")
C.check(rc == 0 and j["orientation_applied"] is False and j["ignore_orientation"] is True and
        tuple(j["shape"]) == cv2.imread(exif6, cv2.IMREAD_COLOR | cv2.IMREAD_IGNORE_ORIENTATION).shape,
        f"--ignore-orientation: {j}")
rc, j = run_json("decode", exif6, OUT, "--like", "pil")
C.check(rc == 0 and j["exif_orientation"] == 6 and j["orientation_applied"] is False and
        j["shape"][:2] == [im.size[1], im.size[0]] and "PIL never applies" in j["settings"],
        f"PIL keeps the stored orientation: {j}")

# truncation: cv2 decodes and warns, PIL fails
with open(FRUITS, "rb") as f:
    data = f.read()
cut = C.path("cut.jpg")
with open(cut, "wb") as f:
    f.write(data[: len(data) // 2])
rc, j = run_json("decode", cut, OUT, "--like", "cv2")
C.check(rc == 0 and j["warnings"] >= 1 and "Premature end of JPEG file" in j["warning"] and
        "warning" in j["settings"], f"truncated, like cv2: {j}")
rc, out, err = run("decode", cut, OUT, "--like", "cv2")
C.check(rc == 0 and "codec warning" in out and "Premature end" in out, f"truncated text report: {out!r}")
rc, out, err = run("decode", cut, OUT, "--like", "pil")
C.check(rc == 2 and "truncated" in err and "PIL raises" in err, f"truncated, like pil: {err!r}")

# PNG: 16-bit through the CLI is 8-bit (cv2: high byte; PIL: clipped)
png16 = C.path("g16.png")
with open(png16, "wb") as f:
    f.write(G.png_bytes(np.random.default_rng(3).integers(0, 65536, (5, 6, 1)), 16, 0))
rc, j = run_json("decode", png16, OUT, "--like", "pil")
C.check(rc == 0 and j["format"] == "png" and j["dtype"] == "uint8" and j["shape"] == [5, 6, 3] and
        "libpng" in j["settings"], f"16-bit PNG: {j}")

# the plain decoder behind tensor specs: `xalign info` on an image
rc, j = run_json("info", FRUITS)
j = j["items"]
C.check(rc == 0 and j[0]["shape"] == [im.size[1], im.size[0], 3] and j[0]["dtype"] == "uint8",
        f"xalign info on a JPEG: {j}")
rc, j = run_json("info", png16)
j = j["items"]
C.check(rc == 0 and j[0]["dtype"] == "uint16" and j[0]["shape"] == [5, 6, 1], f"xalign info on a 16-bit PNG: {j}")
C.done()
