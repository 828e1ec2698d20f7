"""Regenerates the seed corpus of fuzz/fuzz_image.c in fuzz/corpus/image/ (small, deterministic:
crops of tests/data/fruits.jpg and numpy noise with fixed seeds; Pillow, OpenCV, cjpeg and the
hand-written PNG writer of tests/pylib/xa_imagegen.py). Run with /usr/bin/python3 from the
source root. Each file is a few KiB at most."""
import io
import os
import subprocess
import sys

import cv2
import numpy as np
from PIL import Image

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "pylib"))
import xa_imagegen as G  # noqa: E402

OUT = os.path.join(ROOT, "fuzz", "corpus", "image")
rng = np.random.default_rng(7)
fruits = np.asarray(Image.open(os.path.join(ROOT, "tests", "data", "fruits.jpg")).convert("RGB"))
crop = np.ascontiguousarray(fruits[200:240, 300:348])  # 40 x 48


def pil_jpeg(arr, mode=None, **kw):
    b = io.BytesIO()
    Image.fromarray(arr, mode).save(b, "JPEG", **kw)
    return b.getvalue()


def cjpeg(arr, *args):
    b = io.BytesIO()
    Image.fromarray(arr).save(b, "PPM")
    return subprocess.run(["cjpeg", *args], input=b.getvalue(), capture_output=True, check=True).stdout


seeds = {
    "jpeg_420_baseline.jpg": pil_jpeg(crop, quality=75, subsampling=2),
    "jpeg_444_progressive.jpg": pil_jpeg(crop, quality=60, subsampling=0, progressive=True),
    "jpeg_422_rst.jpg": cv2.imencode(".jpg", crop[:, :, ::-1], [cv2.IMWRITE_JPEG_RST_INTERVAL, 1])[1].tobytes(),
    "jpeg_gray.jpg": pil_jpeg(np.ascontiguousarray(crop[:, :, 1]), quality=70),
    "jpeg_cmyk.jpg": pil_jpeg(np.concatenate([crop[:16, :16], crop[:16, :16, :1]], 2), "CMYK", quality=70),
    "jpeg_411_arith.jpg": cjpeg(crop, "-sample", "4x1,1x1,1x1", "-arithmetic", "-restart", "1B"),
}
seeds["jpeg_exif6_mm.jpg"] = G.jpeg_insert_after_soi(
    seeds["jpeg_420_baseline.jpg"], G.app1(b"Exif\0\0" + G.orientation_tiff("MM", 6)))
seeds["jpeg_exif8_ii_progressive.jpg"] = G.jpeg_insert_after_soi(
    seeds["jpeg_444_progressive.jpg"], G.app1(b"Exif\0\0" + G.orientation_tiff("II", 8)))
seeds["jpeg_truncated.jpg"] = seeds["jpeg_420_baseline.jpg"][: len(seeds["jpeg_420_baseline.jpg"]) * 2 // 3]
bad = bytearray(seeds["jpeg_422_rst.jpg"])
bad[G.entropy_start(bytes(bad)) + 40] ^= 0x5A
seeds["jpeg_corrupt.jpg"] = bytes(bad)

h, w = 9, 11
seeds["png_rgb8.png"] = G.png_bytes(rng.integers(0, 256, (h, w, 3)), 8, 2)
seeds["png_rgba16_adam7.png"] = G.png_bytes(rng.integers(0, 65536, (h, w, 4)), 16, 6, interlace=True)
seeds["png_gray1.png"] = G.png_bytes(rng.integers(0, 2, (h, w, 1)), 1, 0)
seeds["png_gray16_exif5.png"] = G.png_bytes(rng.integers(0, 600, (h, w, 1)), 16, 0,
                                            before_idat=[(b"eXIf", G.orientation_tiff("II", 5))])
seeds["png_la8_gama.png"] = G.png_bytes(rng.integers(0, 256, (h, w, 2)), 8, 4,
                                        before_idat=[(b"gAMA", (45455).to_bytes(4, "big"))])
seeds["png_pal4_short_trns.png"] = G.png_bytes(rng.integers(0, 16, (h, w, 1)), 4, 3,
                                               palette=rng.integers(0, 256, (6, 3)), trns=b"\x00\x80")
seeds["png_truncated.png"] = seeds["png_rgb8.png"][:60]
seeds["png_idat_bad_crc.png"] = G.png_bytes(rng.integers(0, 256, (h, w, 3)), 8, 2, idat_bad_crc=True)

os.makedirs(OUT, exist_ok=True)
for name, data in seeds.items():
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(f"{name}: {len(data)} bytes")
