"""Oracle test of `xalign decode` (docs/decode.md): 0 differing bytes against
  - cv2.imread of OpenCV 4.6: IMREAD_COLOR, IMREAD_GRAYSCALE, each with and without
    IMREAD_IGNORE_ORIENTATION;
  - Pillow 9.4: Image.open(p).convert('RGB') and .convert('L');
on the committed images (tests/data, from Debian's opencv-doc) and on JPEGs/PNGs generated here
with Pillow, OpenCV, libjpeg-turbo's cjpeg and a hand-written PNG writer (every bit depth and
colour type, palettes, tRNS, Adam7, gAMA, eXIf, EXIF orientations 1..8 in both byte orders,
restart markers, CMYK, truncated and corrupt files). When a library fails (cv2 returns None,
PIL raises), xalign must fail too, cleanly: the CLI exits 2 with one line "xalign decode: ..."
(no crash, no sanitizer report), xa_image_load returns an input-error status with a one-line
message.
XA_QUICK=1 runs every third generated file (all committed images, every kind of file once at
least) and two files for the variants: the subset the ASan/UBSan build runs (make asan).
Variants (no fancy upsampling, IFAST, FLOAT DCT) have no cv2/PIL oracle; they are checked
against libjpeg-turbo itself driven by djpeg (-nosmooth, -dct fast|float) and, for IFAST +
no-fancy, against Pillow's own draft flag (decoderconfig (scale 1, draft 1)).
xa_image_load (the plain decoder behind `xalign info` and tensor specs) is called through the
shared library with ctypes and checked against Pillow (JPEG) and cv2.IMREAD_UNCHANGED (PNG).
Prints per group: cases, mismatches."""
import contextlib
import ctypes
import io
import json
import os
import shutil
import subprocess
import sys
import warnings

import cv2
import numpy as np
from PIL import Image

from xa_ctypes import XaError, XaTensor, load_lib
import xa_testlib
from xa_testlib import DATA, QUICK, Checker, quick_subset, report_cpu_path, run
import xa_imagegen as G

xa_testlib.preload_sanitizer_runtime()  # before anything else: the ctypes part needs it under ASan
C = Checker("oracle_decode")
report_cpu_path(C)
warnings.filterwarnings("ignore")  # Pillow warns about the deliberately broken EXIF blocks
STATS = {}
MODES = [("cv2", False, False), ("cv2", True, False), ("cv2", False, True), ("cv2", True, True),
         ("pil", False, False), ("pil", True, False)]


@contextlib.contextmanager
def quiet_stderr():
    """libjpeg's warnings go to fd 2 from inside cv2; keep the test output readable."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def ours(path, like, gray=False, ignore=False, variants=()):
    out = C.path("out.npy")
    if os.path.exists(out):
        os.remove(out)
    args = ["decode", path, out, "--like", like, "--json"]
    if gray:
        args.append("--gray")
    if ignore:
        args.append("--ignore-orientation")
    if variants:
        args += ["--variant", ",".join(variants)]
    rc, so, se = run(*args)
    if rc != 0:
        return None, {"error": se.strip(), "stderr": se, "rc": rc}
    return np.load(out), json.loads(so)


def cv2_read(path, gray, ignore):
    flags = cv2.IMREAD_GRAYSCALE if gray else cv2.IMREAD_COLOR
    if ignore:
        flags |= cv2.IMREAD_IGNORE_ORIENTATION
    with quiet_stderr():
        return cv2.imread(path, flags)


def pil_read(path, gray, decoderconfig=None):
    try:
        with Image.open(path) as im:
            if decoderconfig is not None:
                im.decoderconfig = decoderconfig
            return np.asarray(im.convert("L" if gray else "RGB"))
    except Exception:
        return None


XA_EFORMAT, XA_ETRUNC, XA_EUNSUPPORTED, XA_ELIMIT = 3, 4, 5, 6  # include/xalign/core.h
REFUSED = [0, 0]  # cases both the library and xalign refuse: checked, not clean


def refused_cleanly(info):
    """xalign's side of a case the library refuses too: (ok, what happened). The CLI must exit 2
    with exactly one line "xalign decode: ..." on stderr -- a crash (negative exit), a sanitizer
    report or a second line is not a refusal; xa_image_load must return an input-error status
    with a one-line message."""
    if not info:
        return False, "xalign was not run"
    if "status" in info:  # xa_image_load through ctypes
        msg = info["error"]
        ok = info["status"] in (XA_EFORMAT, XA_ETRUNC, XA_EUNSUPPORTED, XA_ELIMIT) and msg and "\n" not in msg
        return ok, f"status {info['status']}: {msg!r}"
    err = info.get("stderr", "")
    ok = (info.get("rc") == 2 and err.startswith("xalign decode: ") and err.count("\n") == 1
          and err.endswith("\n"))
    return ok, f"exit {info.get('rc')}, stderr {err!r}"


def check(group, name, got, want, info=None):
    g = STATS.setdefault(group, [0, 0])
    g[0] += 1
    if want is None and got is None:
        ok, how = refused_cleanly(info)
        REFUSED[0] += 1
        REFUSED[1] += not ok
        why = f"library fails, xalign must refuse with exit 2 and one line: {how}"
    elif want is None or got is None:
        ok = False
        why = f"library {'fails' if want is None else 'decodes'}, xalign " \
              f"{'fails: ' + info.get('error', '') if got is None else 'decodes'}"
    else:
        if got.ndim == 3 and got.shape[2] == 1 and want.ndim == 2:
            got = got[:, :, 0]
        ok = got.shape == want.shape and got.dtype == want.dtype and np.array_equal(got, want)
        why = (f"shapes {got.shape} {want.shape}" if got.shape != want.shape else
               f"{int(np.count_nonzero(got != want))} differing bytes, max "
               f"{int(np.abs(got.astype(int) - want.astype(int)).max())}")
    if not ok:
        g[1] += 1
    C.check(ok, f"{group}: {name}: {why}")
    return ok


def mode_name(like, gray, ignore):
    return like + (" gray" if gray else "") + (" ignore-orientation" if ignore else "")


def all_modes(group, name, path):
    for like, gray, ignore in MODES:
        got, info = ours(path, like, gray, ignore)
        want = cv2_read(path, gray, ignore) if like == "cv2" else pil_read(path, gray)
        check(group, f"{name} [{mode_name(like, gray, ignore)}]", got, want, info)


def write(name, data):
    p = C.path(name)
    with open(p, "wb") as f:
        f.write(data)
    return p


def pil_jpeg(arr, **kw):
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "JPEG", **kw)
    return buf.getvalue()


def cv2_jpeg(arr_bgr, *params):
    ok, enc = cv2.imencode(".jpg", arr_bgr, list(params))
    assert ok
    return enc.tobytes()


def cjpeg(arr, *args):
    ppm = C.path("in.ppm" if arr.ndim == 3 else "in.pgm")
    Image.fromarray(arr).save(ppm)
    return subprocess.run(["cjpeg", *args, ppm], capture_output=True, check=True).stdout


def djpeg(path, *args):
    p = subprocess.run(["djpeg", *args, "-pnm", path], capture_output=True)
    if p.returncode != 0:
        return None
    return np.asarray(Image.open(io.BytesIO(p.stdout)))


def orient(img, o):
    """cv2's ApplyExifOrientation in numpy (validated against cv2 in the EXIF group)."""
    t = img.transpose(1, 0, *range(2, img.ndim)) if o >= 5 else img
    if o in (2, 6):
        return t[:, ::-1]
    if o in (3, 7):
        return t[::-1, ::-1]
    if o in (4, 8):
        return t[::-1]
    return t


rng = np.random.default_rng(20240611)
have_cjpeg = shutil.which("cjpeg") is not None
have_djpeg = shutil.which("djpeg") is not None
C.check(have_djpeg and have_cjpeg, "djpeg/cjpeg (Debian libjpeg-turbo-progs) are installed; "
        "scripts/setup-deps.sh installs them")

# ---- committed images ---------------------------------------------------------------------
committed = sorted(f for f in os.listdir(DATA) if f.lower().endswith((".jpg", ".jpeg", ".png")))
C.check(len(committed) >= 8, f"committed test images present ({len(committed)})")
for f in committed:
    all_modes("committed", f, os.path.join(DATA, f))

# ---- generated JPEGs --------------------------------------------------------------------
fruits = np.asarray(Image.open(os.path.join(DATA, "fruits.jpg")).convert("RGB"))
crop = np.ascontiguousarray(fruits[101:101 + 67, 203:203 + 93])   # odd size: edge MCUs
smooth = G.smooth_image(rng, 45, 67)
jpegs = {}
for sub, sname in ((0, "444"), (1, "422"), (2, "420")):
    for prog in (False, True):
        for q in (75, 95):
            jpegs[f"pil_{sname}_{'prog' if prog else 'base'}_q{q}.jpg"] = \
                pil_jpeg(crop, quality=q, subsampling=sub, progressive=prog)
for h, w in ((1, 1), (1, 9), (9, 1), (8, 8), (15, 17), (31, 33), (2, 130)):
    jpegs[f"pil_420_{h}x{w}.jpg"] = pil_jpeg(G.smooth_image(rng, h, w), quality=90, subsampling=2)
jpegs["pil_smooth_422.jpg"] = pil_jpeg(smooth, quality=85, subsampling=1)
jpegs["pil_gray.jpg"] = pil_jpeg(smooth[:, :, 1], quality=90)
jpegs["pil_gray_prog.jpg"] = pil_jpeg(crop[:, :, 0], quality=80, progressive=True)
bgr = np.ascontiguousarray(crop[:, :, ::-1])
jpegs["cv2_q90.jpg"] = cv2_jpeg(bgr, cv2.IMWRITE_JPEG_QUALITY, 90)
jpegs["cv2_prog.jpg"] = cv2_jpeg(bgr, cv2.IMWRITE_JPEG_PROGRESSIVE, 1)
jpegs["cv2_optimize.jpg"] = cv2_jpeg(bgr, cv2.IMWRITE_JPEG_OPTIMIZE, 1)
jpegs["cv2_rst1.jpg"] = cv2_jpeg(bgr, cv2.IMWRITE_JPEG_RST_INTERVAL, 1)
jpegs["cv2_rst7.jpg"] = cv2_jpeg(bgr, cv2.IMWRITE_JPEG_RST_INTERVAL, 7)
jpegs["cv2_gray.jpg"] = cv2_jpeg(np.ascontiguousarray(crop[:, :, 1]), cv2.IMWRITE_JPEG_QUALITY, 85)
if have_cjpeg:
    jpegs["cjpeg_411.jpg"] = cjpeg(crop, "-sample", "4x1,1x1,1x1")
    jpegs["cjpeg_440.jpg"] = cjpeg(crop, "-sample", "1x2,1x1,1x1")
    jpegs["cjpeg_2x2_1x2.jpg"] = cjpeg(crop, "-sample", "2x2,1x2,1x1")
    jpegs["cjpeg_rgb.jpg"] = cjpeg(crop, "-rgb")
    jpegs["cjpeg_arith.jpg"] = cjpeg(crop, "-arithmetic")
    jpegs["cjpeg_arith_prog.jpg"] = cjpeg(crop, "-arithmetic", "-progressive")
    jpegs["cjpeg_restart2B.jpg"] = cjpeg(crop, "-restart", "2B", "-quality", "60")
    jpegs["cjpeg_q100.jpg"] = cjpeg(crop, "-quality", "100")
cmyk = np.concatenate([G.smooth_image(rng, 29, 38), G.smooth_image(rng, 29, 38)[:, :, :1]], 2)
buf = io.BytesIO()
Image.fromarray(cmyk, "CMYK").save(buf, "JPEG", quality=90)
jpegs["pil_cmyk.jpg"] = buf.getvalue()
for name, data in jpegs.items():
    write(name, data)  # later groups read some of them
for name in quick_subset(jpegs, 3):
    all_modes("jpeg generated", name, C.path(name))

# ---- EXIF orientation (JPEG) ----------------------------------------------------------------
base = pil_jpeg(crop, quality=90, subsampling=2)
exif_cases = {}
for o in range(1, 9):
    im = Image.fromarray(crop)
    ex = im.getexif()
    ex[0x0112] = o
    b = io.BytesIO()
    im.save(b, "JPEG", quality=90, exif=ex.tobytes())            # Pillow writes "II"
    exif_cases[f"pil_exif_II_{o}.jpg"] = (b.getvalue(), o)
    exif_cases[f"exif_MM_{o}.jpg"] = (G.jpeg_insert_after_soi(
        base, G.app1(b"Exif\0\0" + G.orientation_tiff("MM", o))), o)
exif_cases["exif_gray_6.jpg"] = (G.jpeg_insert_after_soi(
    jpegs["pil_gray.jpg"], G.app1(b"Exif\0\0" + G.orientation_tiff("II", 6))), 6)
exif_cases["exif_prog_7.jpg"] = (G.jpeg_insert_after_soi(
    jpegs["pil_420_prog_q95.jpg"], G.app1(b"Exif\0\0" + G.orientation_tiff("MM", 7))), 7)
# OpenCV 4.6 reader quirks: first APP1 only, 6 bytes skipped unchecked, LONG read as 16 bits,
# a bad entry before the orientation hides it, values outside 1..8 do nothing.
xmp = G.app1(b"http://ns.adobe.com/xap/1.0/\0<x:xmpmeta/>")
exif_cases["quirk_xmp_first.jpg"] = (G.jpeg_insert_after_soi(
    base, xmp, G.app1(b"Exif\0\0" + G.orientation_tiff("II", 6))), 0)
exif_cases["quirk_not_exif_name.jpg"] = (G.jpeg_insert_after_soi(
    base, G.app1(b"XMPX\0\0" + G.orientation_tiff("II", 6))), 6)
exif_cases["quirk_long_MM.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("MM", [(0x0112, 4, 1, G.long_value("MM", 6))]))), 0)
exif_cases["quirk_long_II.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("II", [(0x0112, 4, 1, G.long_value("II", 6))]))), 6)
exif_cases["quirk_bad_xres_first.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("II", [(0x011A, 5, 1, G.long_value("II", 99999)),
                                 (0x0112, 3, 1, G.short_value("II", 6))]))), 0)
exif_cases["quirk_bad_xres_after.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("II", [(0x0112, 3, 1, G.short_value("II", 8)),
                                 (0x011A, 5, 1, G.long_value("II", 99999))]))), 8)
exif_cases["quirk_two_orientations.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("MM", [(0x0112, 3, 1, G.short_value("MM", 3)),
                                 (0x0112, 3, 1, G.short_value("MM", 5))]))), 3)
exif_cases["quirk_value_9.jpg"] = (G.jpeg_insert_after_soi(
    base, G.app1(b"Exif\0\0" + G.orientation_tiff("II", 9))), 0)
exif_cases["quirk_value_0.jpg"] = (G.jpeg_insert_after_soi(
    base, G.app1(b"Exif\0\0" + G.orientation_tiff("MM", 0))), 0)
exif_cases["quirk_IM_order.jpg"] = (G.jpeg_insert_after_soi(
    base, G.app1(b"Exif\0\0IM" + G.orientation_tiff("II", 6)[2:])), 0)
exif_cases["quirk_XX_order.jpg"] = (G.jpeg_insert_after_soi(
    base, G.app1(b"Exif\0\0XX" + G.orientation_tiff("MM", 5)[2:])), 5)
exif_cases["quirk_ifd_at_20.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(
    b"Exif\0\0" + G.tiff("II", [(0x0112, 3, 1, G.short_value("II", 2))], ifd_offset=20))), 2)
t6 = b"Exif\0\0" + G.orientation_tiff("II", 6)
exif_cases["quirk_cut_in_value.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(t6[:6 + 8 + 2 + 9])), 0)
exif_cases["quirk_cut_after_value.jpg"] = (G.jpeg_insert_after_soi(base, G.app1(t6[:6 + 8 + 2 + 11])), 6)
exif_cases["quirk_app1_before_sos.jpg"] = (
    base[:base.index(b"\xff\xda")] + G.app1(t6) + base[base.index(b"\xff\xda"):], 6)
for name, (data, o) in exif_cases.items():
    write(name, data)
for name, (data, o) in quick_subset(exif_cases.items(), 3):
    p = C.path(name)
    all_modes("exif orientation", name, p)
    got, info = ours(p, "cv2")
    g = STATS.setdefault("exif info", [0, 0])
    g[0] += 1
    ref_default, ref_ignore = cv2_read(p, False, False), cv2_read(p, False, True)
    ok = (info.get("exif_orientation") == o and
          info.get("orientation_applied") == (o >= 2) and
          np.array_equal(orient(ref_ignore, o), ref_default))
    g[1] += not ok
    C.check(ok, f"exif info: {name}: reported {info.get('exif_orientation')}/"
            f"{info.get('orientation_applied')}, written {o}; numpy orient() == cv2")

# ---- truncated and corrupt JPEGs ------------------------------------------------------------
broken = {}
for src in ("pil_420_base_q95.jpg", "pil_444_prog_q75.jpg", "cv2_rst7.jpg", "pil_gray.jpg"):
    d = jpegs[src]
    es = G.entropy_start(d)
    for label, cut in (("no_eoi", len(d) - 2), ("minus1", len(d) - 1), ("70pct", len(d) * 7 // 10),
                       ("30pct", max(es + 1, len(d) * 3 // 10)), ("at_sos", es), ("header", es // 2)):
        broken[f"trunc_{label}_{src}"] = d[:cut]
d = jpegs["pil_420_base_q95.jpg"]
es = G.entropy_start(d)
for k, pos in enumerate((es + 17, es + (len(d) - es) // 2, len(d) - 40)):
    b = bytearray(d)
    b[pos] ^= 0x5A
    broken[f"corrupt_flip{k}.jpg"] = bytes(b)
broken["corrupt_garbage_before_eoi.jpg"] = d[:-2] + b"\x12\x34\x56" + d[-2:]
broken["corrupt_trailing_junk.jpg"] = d + b"trailing bytes after EOI"
broken["corrupt_bad_marker.jpg"] = d[:es + 64] + b"\xff\xc8\x00\x04ab" + d[es + 64:]
for name, data in broken.items():
    write(name, data)
for name in quick_subset(broken, 3):
    all_modes("jpeg truncated/corrupt", name, C.path(name))

# ---- PNGs -----------------------------------------------------------------------------------
pngs = {}
H, W = 11, 13
for ct, depths in ((0, (1, 2, 4, 8, 16)), (2, (8, 16)), (3, (1, 2, 4, 8)), (4, (8, 16)), (6, (8, 16))):
    for bd in depths:
        for inter in (False, True):
            top = 1 << bd
            samples = rng.integers(0, top, (H, W, G.CHANNELS[ct]))
            pal = rng.integers(0, 256, (top, 3)) if ct == 3 else None
            pngs[f"ct{ct}_bd{bd}{'_adam7' if inter else ''}.png"] = G.png_bytes(
                samples, bd, ct, palette=pal, interlace=inter)
# values that show the 16-bit rules: small ones (PIL clips, cv2 takes the high byte)
small16 = rng.integers(0, 600, (H, W, 1))
pngs["gray16_small_values.png"] = G.png_bytes(small16, 16, 0)
pngs["rgb16_small_values.png"] = G.png_bytes(rng.integers(0, 600, (H, W, 3)), 16, 2)
# palettes: short PLTE (indices past its end), tRNS
idx = rng.integers(0, 256, (H, W, 1))
pngs["pal8_short_plte.png"] = G.png_bytes(idx, 8, 3, palette=rng.integers(0, 256, (40, 3)))
pngs["pal4_short_plte.png"] = G.png_bytes(rng.integers(0, 16, (H, W, 1)), 4, 3,
                                          palette=rng.integers(0, 256, (5, 3)))
pngs["pal8_trns.png"] = G.png_bytes(idx, 8, 3, palette=rng.integers(0, 256, (256, 3)),
                                    trns=bytes(rng.integers(0, 256, 100, dtype=np.uint8)))
pngs["gray8_trns.png"] = G.png_bytes(rng.integers(0, 256, (H, W, 1)), 8, 0, trns=b"\x00\x07")
pngs["rgb8_trns.png"] = G.png_bytes(rng.integers(0, 256, (H, W, 3)), 8, 2, trns=b"\0\1\0\2\0\3")
# gAMA changes libpng's rgb_to_gray (cv2 IMREAD_GRAYSCALE), never PIL
rgb8 = rng.integers(0, 256, (H, W, 3))
for gamma in (45455, 100000, 220000):
    pngs[f"rgb8_gama{gamma}.png"] = G.png_bytes(rgb8, 8, 2, before_idat=[(b"gAMA", gamma.to_bytes(4, "big"))])
pngs["rgb8_srgb.png"] = G.png_bytes(rgb8, 8, 2, before_idat=[(b"sRGB", b"\0")])
pngs["rgba16_gama.png"] = G.png_bytes(rng.integers(0, 65536, (H, W, 4)), 16, 6,
                                      before_idat=[(b"gAMA", (45455).to_bytes(4, "big"))])
# eXIf orientation (cv2 4.6 applies it to PNGs too)
for o in range(1, 9):
    pngs[f"exif{o}.png"] = G.png_bytes(rgb8, 8, 2, before_idat=[(b"eXIf", G.orientation_tiff("MM" if o % 2 else "II", o))])
pngs["exif6_after_idat.png"] = G.png_bytes(rgb8, 8, 2, after_idat=[(b"eXIf", G.orientation_tiff("II", 6))])
pngs["exif5_gray16.png"] = G.png_bytes(small16, 16, 0, before_idat=[(b"eXIf", G.orientation_tiff("II", 5))])
# encoders' own PNGs
for name, arr in (("cv2_gray16.png", rng.integers(0, 65536, (H, W)).astype(np.uint16)),
                  ("cv2_bgr16.png", rng.integers(0, 65536, (H, W, 3)).astype(np.uint16)),
                  ("cv2_bgra8.png", rng.integers(0, 256, (H, W, 4)).astype(np.uint8))):
    pngs[name] = cv2.imencode(".png", arr)[1].tobytes()
for mode in ("P", "LA", "1", "I;16", "RGBA"):
    b = io.BytesIO()
    Image.fromarray(crop).convert(mode if mode != "I;16" else "L").convert(mode).save(b, "PNG")
    pngs[f"pil_{mode.replace(';', '')}.png"] = b.getvalue()
# broken files
good = G.png_bytes(rgb8, 8, 2, idat_split=3)
pngs["broken_truncated_idat.png"] = good[:len(good) // 2]
pngs["broken_no_iend.png"] = good[:-12]
pngs["broken_idat_crc.png"] = G.png_bytes(rgb8, 8, 2, idat_bad_crc=True)
pngs["broken_text_crc_before_idat.png"] = G.png_bytes(rgb8, 8, 2, before_idat=[(b"tEXt", b"k\0v", True)])
pngs["broken_text_crc_after_idat.png"] = G.png_bytes(rgb8, 8, 2, after_idat=[(b"tEXt", b"k\0v", True)])
pngs["broken_signature_only.png"] = G.PNG_SIG
for name, data in pngs.items():
    write(name, data)
for name in quick_subset(pngs, 3):
    all_modes("png generated" if not name.startswith("broken") else "png broken", name,
              C.path(name))

# ---- not images ---------------------------------------------------------------------------------
for name, data in (("empty.jpg", b""), ("text.jpg", b"not an image at all\n"),
                   ("soi_only.jpg", b"\xff\xd8\xff"), ("junk_after_soi.jpg", b"\xff\xd8\xff" + bytes(rng.integers(0, 256, 300, dtype=np.uint8)))):
    all_modes("not an image", name, write(name, data))

# ---- limits: Pillow's decompression-bomb check, xalign's XA_IMAGE_MAX_PIXELS -------------------
# Headers that claim huge images over a few bytes of data. Pillow refuses more than
# 2 * Image.MAX_IMAGE_PIXELS pixels before decoding; like=pil must refuse the same. cv2 would
# allocate the whole image (its own limit is 2^30 pixels), so it is not run on these; xalign's
# own limit (2^28 pixels, stricter than cv2's) is checked by its error message.
def big_png(w, h):
    return G.PNG_SIG + G.chunk(b"IHDR", G.struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) + \
        G.chunk(b"IDAT", G.zlib.compress(b"\0" * 64))


def big_jpeg(w, h):
    d = bytearray(jpegs["pil_420_8x8.jpg"])
    i = d.index(b"\xff\xc0")
    d[i + 5:i + 9] = G.struct.pack(">HH", h, w)
    return bytes(d)


bomb = 2 * Image.MAX_IMAGE_PIXELS
for name, data in (("bomb.png", big_png(20000, bomb // 20000 + 1)),
                   ("bomb.jpg", big_jpeg(20000, bomb // 20000 + 1))):
    p = write(name, data)
    try:
        Image.open(p)
        bomb_error = False
    except Image.DecompressionBombError:
        bomb_error = True
    for gray in (False, True):
        got, info = ours(p, "pil", gray)
        g = STATS.setdefault("limits", [0, 0])
        g[0] += 1
        ok = (bomb_error and got is None and "DecompressionBombError" in info["error"]
              and refused_cleanly(info)[0])
        g[1] += not ok
        C.check(ok, f"limits: {name} [pil{' gray' if gray else ''}]: PIL raises "
                f"DecompressionBombError: {bomb_error}, xalign: {info}")
    g = STATS.setdefault("limits", [0, 0])
    g[0] += 1
    got, info = ours(write("huge_" + name, big_png(65500, 4200) if name.endswith(".png")
                           else big_jpeg(65500, 4200)), "cv2")
    ok = got is None and "exceed the limit of 268435456" in info["error"] and refused_cleanly(info)[0]
    g[1] += not ok
    C.check(ok, f"limits: {name} 65500 x 4200 like cv2 refused by XA_IMAGE_MAX_PIXELS: {info}")

# ---- xa_image_load: the plain decoder ------------------------------------------------------------
LIB = load_lib()
LIB.xa_image_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(XaTensor)),
                              ctypes.POINTER(XaError)]
XA_U8, XA_U16 = 3, 5


def image_load(path):
    t, e = ctypes.POINTER(XaTensor)(), XaError()
    st = LIB.xa_image_load(path.encode(), ctypes.byref(t), ctypes.byref(e))
    if st:
        return None, {"error": e.message.decode(), "status": st}
    c = t.contents
    dt = {XA_U8: np.uint8, XA_U16: np.uint16}[c.dtype]
    a = np.frombuffer(ctypes.string_at(c.data, c.nbytes), dtype=dt).reshape(tuple(c.shape[:c.rank])).copy()
    LIB.xa_tensor_free(t)
    return a, {}


def basic_jpeg_ref(path):
    """libjpeg's default output: what Pillow returns for L/RGB; Pillow un-inverts CMYK."""
    try:
        with Image.open(path) as im:
            a = np.asarray(im)
            return 255 - a if im.mode == "CMYK" else a
    except Exception:
        return None


def basic_png_ref(path):
    """cv2.IMREAD_UNCHANGED in RGB(A) order. OpenCV turns gray+alpha into RGBA (gray repeated)
    and the tRNS chunk of an RGB image into alpha; xa_image_load keeps LA and RGB."""
    c = cv2_read_flags(path, cv2.IMREAD_UNCHANGED)
    if c is None or c.ndim == 2:
        return c
    c = c[:, :, [2, 1, 0, 3][:c.shape[2]]]
    ct = G.png_color_type(path)
    if ct == 4:
        return c[:, :, [0, 3]]
    if ct == 2:
        return c[:, :, :3]
    return c


def cv2_read_flags(path, flags):
    with quiet_stderr():
        return cv2.imread(path, flags)


for name in committed + quick_subset(list(jpegs) + list(exif_cases) + list(pngs), 3):
    p = os.path.join(DATA, name) if name in committed else C.path(name)
    if name.startswith("broken") and name not in ("broken_truncated_idat.png", "broken_signature_only.png"):
        continue  # libpng's default CRC policy: no library to compare with
    got, info = image_load(p)
    want = basic_png_ref(p) if name.endswith(".png") else basic_jpeg_ref(p)
    check("xa_image_load (basic)", name, got, want, info)
for name in quick_subset(broken, 3):
    if not name.startswith("trunc_"):
        continue
    # Truncated data is an error for the plain decoder; only a file that lacks nothing but
    # (part of) its EOI marker may decode, and then it is the whole image cv2 returns.
    got, info = image_load(C.path(name))
    ref = cv2_read_flags(C.path(name), cv2.IMREAD_COLOR)
    if "no_eoi" in name or "minus1" in name:
        want = None if got is None else (ref[:, :, ::-1] if got.shape[2] == 3 else ref[:, :, :1])
    else:
        want = None
    check("xa_image_load (basic) truncated", name, got, want, info)

# ---- variants: libjpeg-turbo itself (djpeg) and Pillow's draft flag -------------------------------
VARIANTS = [("no-fancy",), ("ifast",), ("float",), ("no-fancy", "ifast"), ("no-fancy", "float")]


def djpeg_flags(v):
    f = ["-nosmooth"] if "no-fancy" in v else []
    if "ifast" in v:
        f += ["-dct", "fast"]
    if "float" in v:
        f += ["-dct", "float"]
    return f


var_files = {f: os.path.join(DATA, f) for f in committed if f.endswith(".jpg")}
for name in ("pil_444_base_q95.jpg", "pil_422_prog_q75.jpg", "pil_420_base_q75.jpg",
             "pil_420_15x17.jpg", "pil_420_1x9.jpg", "pil_gray.jpg", "cv2_rst7.jpg",
             "cjpeg_411.jpg", "cjpeg_440.jpg", "cjpeg_2x2_1x2.jpg", "cjpeg_rgb.jpg"):
    if name in jpegs:
        var_files[name] = C.path(name)
var_files["exif_MM_6.jpg"] = C.path("exif_MM_6.jpg")
for name, p in (list(var_files.items())[:2] if QUICK else var_files.items()):
    default = djpeg(p)
    check("djpeg sanity (djpeg default == PIL)", name,
          default if default is None or default.ndim == 3 else np.dstack([default] * 3),
          pil_read(p, False))
    exif_o = ours(p, "cv2")[1].get("exif_orientation", 0)
    for v in VARIANTS:
        rgb = djpeg(p, *djpeg_flags(v))
        y = djpeg(p, "-grayscale", *djpeg_flags(v))
        if rgb is not None and rgb.ndim == 2:
            rgb = np.dstack([rgb] * 3)
        label = f"{name} [{'+'.join(v)}]"
        got, info = ours(p, "pil", variants=v)
        check("variants vs djpeg", label + " pil RGB", got, rgb, info)
        got, info = ours(p, "pil", gray=True, variants=v)
        want = y if Image.open(p).mode == "L" else np.asarray(Image.fromarray(rgb).convert("L"))
        check("variants vs djpeg", label + " pil L (rgb2l of djpeg RGB)", got, want, info)
        got, info = ours(p, "cv2", variants=v, ignore=True)
        check("variants vs djpeg", label + " cv2 BGR ignore-orientation", got,
              np.ascontiguousarray(rgb[:, :, ::-1]), info)
        got, info = ours(p, "cv2", variants=v)
        check("variants vs djpeg", label + " cv2 BGR oriented", got,
              orient(rgb[:, :, ::-1], exif_o), info)
        got, info = ours(p, "cv2", gray=True, variants=v)
        check("variants vs djpeg", label + " cv2 gray", got, orient(y, exif_o), info)
    got, info = ours(p, "pil", variants=("no-fancy", "ifast"))
    check("variant no-fancy+ifast vs Pillow draft flag", name, got, pil_read(p, False, (1, 1)), info)

print("group: cases, mismatches (0 differing bytes required)")
for g, (n, m) in STATS.items():
    print(f"  {g}: {n} cases, {m} mismatches")
print(f"cases the library refuses: {REFUSED[0]}, of which xalign did not refuse cleanly "
      f"(exit 2, one line): {REFUSED[1]}")
C.check(QUICK or REFUSED[0] >= 100, f"the refused cases are reached ({REFUSED[0]})")
C.done()
