"""`xalign transform` (the ops layer's non-resize transforms) against the real libraries:
torchvision 0.14 F.* on PIL images and tensors, numpy 1.24 code as ports write it, torch 1.13 for
YOLOv5's scale_boxes, cv2 4.6 copyMakeBorder/cvtColor for padding and colour, libm roundf and the
SSE instructions for sail's INT8 quantisation. Every comparison is bit for bit (float values by
their bit patterns, so -0.0 vs 0.0 counts) and must show 0 differing values; a run of xalign that
fails counts as a mismatch. Operations whose application contains a resize (tv-resize,
letterbox-*) are compared in full, resize included."""
import ctypes
import json
import os
import subprocess
import numpy as np
import cv2
import torch
from PIL import Image
import torchvision.transforms as T
import torchvision.transforms.functional as F
from torchvision.transforms.functional import _compute_resized_output_size
from xa_quant_cases import quant_case
from xa_testlib import DATA, Checker, run

ck = Checker("transforms")
rng = np.random.default_rng(20240611)
stats = {}  # op -> [cases, differing values]


def xt(op, arr, *args):
    """Run `xalign transform IN OUT --op op args` on an array; (output or None, stderr)."""
    i, o = ck.path("in.npy"), ck.path("out.npy")
    if os.path.exists(o):
        os.remove(o)
    np.save(i, arr)
    rc, _, err = run("transform", i, o, "--op", op, *map(str, args))
    return (np.load(o) if rc == 0 else None), err


def differing(got, want):
    want = np.ascontiguousarray(want)
    if got is None or got.dtype != want.dtype or got.shape != want.shape:
        return -1
    bits = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[want.dtype.itemsize]
    return int(np.count_nonzero(got.view(bits) != want.view(bits)))


def same(op, got, want, what, err=""):
    s = stats.setdefault(op, [0, 0])
    s[0] += 1
    d = differing(got, want)
    if d:
        s[1] += max(d, 1) if d > 0 else want.size
    detail = err.strip() if got is None else (
        f"got {got.dtype}{list(got.shape)} want {want.dtype}{list(want.shape)}" if d < 0 else f"{d} differing values")
    ck.check(d == 0, f"{op}: {what}: {detail}")


def lst(v):
    return ",".join(repr(float(x)) for x in v)


def rand_img(h, w, c, dtype=np.uint8):
    shape = (h, w) if c == 0 else (h, w, c)
    if dtype == np.uint8:
        return rng.integers(0, 256, shape, dtype=np.uint8)
    return (rng.standard_normal(shape) * 50).astype(dtype)


# ---- center-crop: F.center_crop on PIL images and on tensors ------------------------------------
for k in range(150):
    h, w = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    th, tw = int(rng.integers(1, 50)), int(rng.integers(1, 50))
    c = [0, 3, 4][k % 3]
    a = rand_img(h, w, c)
    want = np.asarray(F.center_crop(Image.fromarray(a), [th, tw]))
    got, err = xt("center-crop", a, "--size", f"{tw}x{th}")
    same("center-crop", got, want, f"PIL {a.shape} -> {th}x{tw}", err)
for k in range(150):
    h, w = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    th, tw = int(rng.integers(1, 50)), int(rng.integers(1, 50))
    dt = [np.uint8, np.float32][k % 2]
    shape = [(3, h, w), (1, h, w), (2, 3, h, w), (h, w)][k % 4]
    if dt == np.float32:
        a = (rng.standard_normal(shape) * 9).astype(np.float32)
    else:
        a = rng.integers(0, 256, shape, dtype=np.uint8)
    want = F.center_crop(torch.from_numpy(a.copy()), [th, tw]).numpy()
    got, err = xt("center-crop", a, "--size", f"{tw}x{th}", "--layout", "chw")
    same("center-crop", got, want, f"tensor {a.shape} -> {th}x{tw}", err)

# ---- crop: PIL Image.crop (zeros outside) and F.crop on tensors ------------------------------------
# torchvision 0.14's tensor F.crop slices img[..., max(top, 0):top + h]: a window that ends above
# or left of the image (top + h <= 0) hits Python's negative indexing and returns the wrong size,
# so tensors are compared only for windows that end inside; PIL's crop covers every window.
for k in range(170):
    h, w = int(rng.integers(1, 30)), int(rng.integers(1, 30))
    top, left = int(rng.integers(-20, 35)), int(rng.integers(-20, 35))
    ch, cw = int(rng.integers(1, 40)), int(rng.integers(1, 40))
    if k % 2:
        a = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        pil = Image.fromarray(a)
    else:
        a = rng.standard_normal((h, w)).astype(np.float32)
        pil = Image.fromarray(a, "F")
    want = np.asarray(pil.crop((left, top, left + cw, top + ch)))
    got, err = xt("crop", a, "--top", top, "--left", left, "--size", f"{cw}x{ch}")
    same("crop", got, want, f"PIL {a.dtype}{a.shape} at ({top},{left}) {ch}x{cw}", err)
    if top + ch > 0 and left + cw > 0:
        t = np.ascontiguousarray(a.transpose(2, 0, 1)) if a.ndim == 3 else a[None]
        got, err = xt("crop", t, "--top", top, "--left", left, "--size", f"{cw}x{ch}", "--layout", "chw")
        same("crop", got, F.crop(torch.from_numpy(t.copy()), top, left, ch, cw).numpy(),
             f"tensor {t.dtype}{t.shape} at ({top},{left}) {ch}x{cw}", err)

# ---- pad: cv2.copyMakeBorder(BORDER_CONSTANT) -------------------------------------------------------
values_u8 = [(114, 114, 114), (114,), (114.5, 115.5, -5.0, 2.5), (300.0, 1e10, 0.5), (-1e10, 7.0, 255.5, 254.5)]
values_f32 = [(114, 114, 114), (0.1, 1e40, -2.5, 3.0), (-0.0, 1.0 / 3.0)]
for k in range(300):
    h, w = int(rng.integers(1, 25)), int(rng.integers(1, 25))
    c = [0, 1, 3, 4][k % 4]
    dt = np.uint8 if k % 3 else np.float32
    a = rand_img(h, w, c, dt)
    t, b, l, r = (int(x) for x in rng.integers(0, 20, 4))
    vals = (values_u8 if dt == np.uint8 else values_f32)[k % (5 if dt == np.uint8 else 3)]
    cvval = vals[0] if len(vals) == 1 else tuple(vals)
    want = cv2.copyMakeBorder(a, t, b, l, r, cv2.BORDER_CONSTANT, value=cvval)
    if a.ndim == 3 and want.ndim == 2:  # cv2's binding returns H x W for one channel; xalign keeps the rank
        want = want[..., None]
    got, err = xt("pad", a, "--pad", f"{t},{b},{l},{r}", "--value", lst(vals))
    same("pad", got, want, f"{a.dtype}{a.shape} borders {t},{b},{l},{r} value {vals}", err)

# ---- to-tensor: F.to_tensor on ndarrays and PIL images ------------------------------------------------
for k in range(110):
    h, w = int(rng.integers(1, 30)), int(rng.integers(1, 30))
    c = [0, 3, 4, 1][k % 4]
    a = rand_img(h, w, c)
    got, err = xt("to-tensor", a)
    same("to-tensor", got, F.to_tensor(a).numpy(), f"ndarray {a.shape}", err)
    if c != 1:
        same("to-tensor", got, F.to_tensor(Image.fromarray(a)).numpy(), f"PIL {a.shape}", err)
    f = rand_img(h, w, 3, np.float32)
    got, err = xt("to-tensor", f)
    same("to-tensor", got, F.to_tensor(f).numpy(), f"float32 ndarray {f.shape} (transposed only)", err)
allu8 = np.arange(256, dtype=np.uint8).reshape(16, 16)
got, err = xt("to-tensor", allu8)
same("to-tensor", got, F.to_tensor(allu8).numpy(), "all 256 values", err)

# ---- normalize: F.normalize on float32 tensors ------------------------------------------------------------
IMAGENET = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
for k in range(300):
    h, w = int(rng.integers(1, 30)), int(rng.integers(1, 30))
    c = [3, 1, 4][k % 3]
    shape = (c, h, w) if k % 4 else (2, c, h, w)
    if k % 2:
        x = F.to_tensor(rng.integers(0, 256, (h, w, c), dtype=np.uint8)).numpy()
        x = x if len(shape) == 3 else np.stack([x, x[:, ::-1, ::-1]])
    else:
        x = (rng.standard_normal(shape) * 3).astype(np.float32)
    n = c if k % 5 else 1
    if c == 3 and k % 7 == 0:
        mean, std = IMAGENET
    else:
        mean, std = rng.random(n).tolist(), (rng.random(n) * 1.4 + 0.05).tolist()
    want = F.normalize(torch.from_numpy(x.copy()), mean, std).numpy()
    got, err = xt("normalize", x, "--mean", lst(mean), "--std", lst(std))
    same("normalize", got, want, f"{x.shape} mean {mean} std {std}", err)


# ---- numpy-normalize: the port forms exactly as written -------------------------------------------------------
def seed_form(img, mean, std, cdt, chw):
    shape = (len(mean), 1, 1) if chw else (1, 1, len(mean))
    m = np.array(mean, dtype=cdt).reshape(shape) * 255.0                  # the seed, section 3
    s = np.array([1 / x for x in std], dtype=cdt).reshape(shape) * 1 / 255.0
    img = img - m
    img = img * s
    return img


def div_form(img, mean, std, cdt, chw):
    shape = (len(mean), 1, 1) if chw else (1, 1, len(mean))
    if cdt is None:  # sophon-demo resnet_opencv.py: Python lists
        return (img / 255 - (mean if not chw else np.array(mean).reshape(shape))) / (std if not chw else np.array(std).reshape(shape))
    return (img / 255 - np.array(mean, dtype=cdt).reshape(shape)) / np.array(std, dtype=cdt).reshape(shape)


def sub_form(img, mean, std, cdt, chw):
    shape = (len(mean), 1, 1) if chw else (1, 1, len(mean))
    return (img - np.array(mean, dtype=cdt).reshape(shape)) / np.array(std, dtype=cdt).reshape(shape)


for k in range(225):
    h, w = int(rng.integers(1, 24)), int(rng.integers(1, 24))
    c = 3 if k % 4 else 1
    chw = k % 5 == 0
    dt = np.uint8 if k % 2 else np.float32
    a = rng.integers(0, 256, (h, w, c), dtype=np.uint8)
    if dt == np.float32:
        a = a.astype(np.float32) if k % 3 else (rng.random((h, w, c)) * 255).astype(np.float32)
    if chw:
        a = np.ascontiguousarray(a.transpose(2, 0, 1))
    mean, std = (IMAGENET if c == 3 and k % 3 == 0 else (rng.random(c).tolist(), (rng.random(c) + 0.1).tolist()))
    form = ["seed", "div", "sub"][(k // 2) % 3]
    cdt = [np.float64, np.float32][(k // 6) % 2]
    if form == "sub" and dt == np.float32:  # (img / 255.0 earlier: the image is in 0..1)
        a = (a / np.float32(255)).astype(np.float32)
    if form == "seed":
        want = seed_form(a, mean, std, cdt, chw)
    elif form == "sub":
        want = sub_form(a, mean, std, cdt, chw)
    else:
        want = div_form(a, mean, std, None if cdt == np.float64 else cdt, chw)
    args = ["--mean", lst(mean), "--std", lst(std), "--form", form, "--const-dtype", "f64" if cdt == np.float64 else "f32"]
    if chw:
        args += ["--layout", "chw"]
    got, err = xt("numpy-normalize", a, *args)
    same("numpy-normalize", got, want, f"{form} {cdt.__name__} consts {a.dtype}{a.shape}", err)
    got, err = xt("numpy-normalize", a, *args, "--out-dtype", "f32")
    same("numpy-normalize", got, want.astype(np.float32), f"{form} {cdt.__name__} consts {a.dtype}{a.shape} .astype(f32)", err)

# ---- convert-to: sail Bmcv.convert_to, a*x + b per channel plane ----------------------------------------------------
libm = ctypes.CDLL("libm.so.6")
libm.fmaf.restype = ctypes.c_float
libm.fmaf.argtypes = [ctypes.c_float] * 3
libm.roundf.restype = ctypes.c_float
libm.roundf.argtypes = [ctypes.c_float]
for k in range(240):
    h, w = int(rng.integers(1, 20)), int(rng.integers(1, 20))
    a = rng.integers(0, 256, (3, h, w), dtype=np.uint8) if k % 3 else (rng.random((3, h, w)) * 300 - 20).astype(np.float32)
    al = (rng.standard_normal(3) * 0.05).astype(np.float32)
    be = (rng.standard_normal(3) * 3).astype(np.float32)
    x = a.astype(np.float32)
    want = x * al[:, None, None] + be[:, None, None]  # numpy float32: two roundings
    got, err = xt("convert-to", a, "--alpha", lst(al), "--beta", lst(be), "--layout", "chw")
    same("convert-to", got, want, f"{a.dtype}{a.shape}", err)
    if k % 4 == 0:  # fused: libm fmaf, one rounding
        fw = np.array([[[libm.fmaf(float(al[ci]), float(v), float(be[ci])) for v in row] for row in x[ci]] for ci in range(3)],
                      dtype=np.float32)
        got, err = xt("convert-to", a, "--alpha", lst(al), "--beta", lst(be), "--layout", "chw", "--fused")
        same("convert-to", got, fw, f"fused {a.dtype}{a.shape}", err)

# alpha/beta from mean/std as the ports compute them (Python doubles -> float). x = 0 gives beta
# exactly; x = 2^100 gives alpha * 2^100 exactly (beta is far below half an ulp there).
probe = np.array([[[0.0, 2.0 ** 100]]] * 3, dtype=np.float32)
for k in range(150):
    mean, std = (IMAGENET if k == 0 else (rng.random(3).tolist(), (rng.random(3) + 0.05).tolist()))
    scale = [1.0, float(np.float32(rng.random() * 100)), 0.5][k % 3]
    seed_ab = [x * scale for x in [1 / std[0] / 255.0, -mean[0] / std[0], 1 / std[1] / 255.0, -mean[1] / std[1],
                                   1 / std[2] / 255.0, -mean[2] / std[2]]]
    a_demo = [1 / (255. * x) for x in std]
    b_demo = [-x / y for x, y in zip(mean, std)]
    demo_ab = []
    for i in range(3):
        demo_ab += [a_demo[i] * scale, b_demo[i] * scale]
    for form, ab in (("seed", seed_ab), ("demo", demo_ab)):
        al, be = np.float32(ab[0::2]), np.float32(ab[1::2])
        got, err = xt("convert-to", probe, "--mean", lst(mean), "--std", lst(std), "--input-scale", repr(scale),
                      "--ab-form", form, "--layout", "chw")
        want = np.stack([[[be[i], np.float32(al[i] * np.float32(2.0 ** 100))]] for i in range(3)]).astype(np.float32)
        same("convert-to alpha/beta", got, want, f"{form} form, mean {mean} std {std} scale {scale}", err)

# ---- colour and layout ---------------------------------------------------------------------------------------------------
for k in range(150):
    h, w = int(rng.integers(1, 20)), int(rng.integers(1, 20))
    c = 3 if k % 2 else 4
    dt = [np.uint8, np.float32, np.int16][k % 3]
    a = (rng.standard_normal((h, w, c)) * 100).astype(dt) if dt != np.uint8 else rand_img(h, w, c)
    if dt != np.int16:
        want = cv2.cvtColor(a, cv2.COLOR_BGR2RGB if c == 3 else cv2.COLOR_BGRA2RGBA)
    else:
        want = a[..., [2, 1, 0] + ([3] if c == 4 else [])]
    got, err = xt("bgr2rgb", a)
    same("bgr2rgb", got, want, f"HWC {a.dtype}{a.shape}", err)
    t = np.ascontiguousarray(np.stack([a, a[::-1]]).transpose(0, 3, 1, 2))  # N x C x H x W
    got, err = xt("rgb2bgr", t, "--layout", "chw")
    same("bgr2rgb", got, torch.from_numpy(t)[:, [2, 1, 0] + ([3] if c == 4 else [])].numpy(), f"NCHW {t.dtype}{t.shape}", err)
for k in range(300):
    h, w, c = int(rng.integers(1, 20)), int(rng.integers(1, 20)), int(rng.integers(1, 6))
    dt = [np.uint8, np.float32, np.int16, np.float64][k % 4]
    a = (rng.standard_normal((h, w, c)) * 100).astype(dt)
    got, err = xt("hwc2chw", a)
    same("hwc2chw", got, np.transpose(a, (2, 0, 1)), f"{a.dtype}{a.shape}", err)
    got2, err = xt("chw2hwc", np.ascontiguousarray(np.transpose(a, (2, 0, 1))))
    same("chw2hwc", got2, a, f"{a.dtype}{a.shape}", err)
    b = np.stack([a, a * 2])
    got, err = xt("hwc2chw", b)
    same("hwc2chw", got, np.transpose(b, (0, 3, 1, 2)), f"NHWC {b.dtype}{b.shape}", err)
    got, err = xt("add-batch", a)
    same("add-batch", got, a[None], f"{a.dtype}{a.shape}", err)
    got, err = xt("add-batch", np.asfortranarray(a))
    same("add-batch", got, np.ascontiguousarray(a[None]), f"Fortran-order {a.dtype}{a.shape}", err)
for rep in range(30):
  shp = tuple(int(v) for v in rng.integers(1, 12, int(rng.integers(1, 4))))
  for dt in (np.uint8, np.int8, np.uint16, np.int16, np.int32, np.uint32, np.float16, np.float64, np.float32, np.bool_):
    if dt == np.bool_:
        a = rng.random(shp) < 0.5
    elif np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        a = rng.integers(info.min, info.max, shp, dtype=dt, endpoint=True)
    else:
        a = (rng.standard_normal(shp) * 1e4).astype(dt)
    got, err = xt("to-f32", a)
    same("to-f32", got, a.astype(np.float32), f"{np.dtype(dt).name}{shp}", err)
big = np.array([16777217, 16777219, 2**31 - 1, -2**31, 33554435], dtype=np.int32)
got, err = xt("to-f32", big)
same("to-f32", got, big.astype(np.float32), "int32 values that round", err)


# ---- YOLOv5 v7.0 letterbox: the geometry of utils/augmentations.py letterbox ---------------------------------------------
from xa_yolo import yolo_geometry, yolo_letterbox  # noqa: E402  (shared with test_preprocess)


def geometry_batch(op, sizes, *args):
    rc, out, err = run("transform", "--op", op, "--geometry-only", "--json",
                       "--input-size", ",".join(f"{w}x{h}" for w, h in sizes), *map(str, args))
    return json.loads(out)["geometry"] if rc == 0 else err


def check_geometries(op, got, wants, what):
    s = stats.setdefault(op + " geometry", [0, 0])
    if isinstance(got, str) or len(got) != len(wants) or not wants:
        s[0] += max(len(wants), 1)
        s[1] += max(len(wants), 1)
        ck.check(False, f"{op} geometry {what}: " + (got.strip() if isinstance(got, str) else
                 f"{len(got)} geometries for {len(wants)} input sizes"))
        return
    for g, want in zip(got, wants):
        s[0] += 1
        bad = [k for k in want if g.get(k) != want[k]]
        s[1] += len(bad)
        ck.check(not bad, f"{op} geometry {what} {g['src_w']}x{g['src_h']}: "
                 + ", ".join(f"{k} {g.get(k)} != {want[k]}" for k in bad))


for k in range(48):
    nw, nh = (int(x) for x in (rng.integers(1, 41, 2) * 32 if k % 3 else rng.integers(100, 1300, 2)))
    if k % 5 == 0:
        nh = nw
    auto, fill, up = k % 2 == 1, k % 4 == 2, k % 6 != 5
    stride = [32, 64, 7][k % 3]
    sizes = [(int(w), int(h)) for w, h in rng.integers(1, 2500, (120, 2))]
    sizes += [(nw, nh), (nw // 2 + 1, nh), (nw, nh * 3), (3 * nw, 2 * nh + 1), (1, 1)]
    sizes = [(w, h) for w, h in sizes
             if min(yolo_geometry((h, w), (nh, nw), auto, fill, up, stride)[x] for x in ("new_w", "new_h")) >= 1]
    wants = [yolo_geometry((h, w), (nh, nw), auto, fill, up, stride) for w, h in sizes]
    args = ["--size", f"{nw}x{nh}", "--auto", int(auto), "--stride", stride] + (["--scale-fill"] if fill else []) \
        + ([] if up else ["--no-scaleup"])
    check_geometries("letterbox-yolov5", geometry_batch("letterbox-yolov5", sizes, *args), wants,
                     f"new {nw}x{nh} auto {auto} scaleFill {fill} scaleup {up} stride {stride}")
rc, _, err = run("transform", "--op", "letterbox-yolov5", "--geometry-only", "--input-size", "5000x2", "--auto", "0")
ck.check(rc == 2 and "empty" in err, f"letterbox to an empty size is refused: rc {rc} {err!r}")

# application: the real letterbox (cv2.resize + cv2.copyMakeBorder) on images
for k in range(300):
    nw, nh = [(640, 640), (320, 256), (96, 160)][k % 3]
    auto, fill, up = k % 4 == 1, False, True
    kind = k % 3
    if kind == 0:  # needs a resize
        w, h = int(rng.integers(8, 900)), int(rng.integers(8, 900))
        fill, up = k % 8 == 6, k % 5 != 0
    elif kind == 1:  # fits and scaleup off: r is capped at 1, no resize
        w, h = int(rng.integers(8, nw + 1)), int(rng.integers(8, nh + 1))
        up = False
    else:  # the full target width: r = 1, no resize, padding only
        w, h = nw, int(rng.integers(8, nh + 1))
    c = [3, 0, 4][k % 3]
    dt = np.uint8 if k % 5 else np.float32
    im = rand_img(h, w, c, dt)
    color = (114, 114, 114) if k % 7 else (0, 255, 30.5)
    want, g = yolo_letterbox(im, (nh, nw), color, auto, fill, up, 32)
    ck.check(g["resized"] == (kind == 0) or kind == 0, f"letterbox case {k} has the intended kind")
    args = ["--size", f"{nw}x{nh}", "--auto", int(auto), "--color", lst(color)] + (["--scale-fill"] if fill else []) \
        + ([] if up else ["--no-scaleup"])
    got, err = xt("letterbox-yolov5", im, *args)
    same("letterbox-yolov5", got, want, f"{im.dtype}{im.shape} -> {nw}x{nh} resized {g['resized']}", err)


# ---- sophon-demo sail letterbox (yolov5_bmcv.py resize_bmcv) -----------------------------------------------------------
def sail_geometry(img_w, img_h, net_w, net_h):
    r_w = net_w / img_w
    r_h = net_h / img_h
    if r_h > r_w:
        tw = net_w
        th = int(r_w * img_h)
        tx1 = tx2 = 0
        ty1 = int((net_h - th) / 2)
        ty2 = net_h - th - ty1
    else:
        tw = int(r_h * img_w)
        th = net_h
        tx1 = int((net_w - tw) / 2)
        tx2 = net_w - tw - tx1
        ty1 = ty2 = 0
    ratio = (min(r_w, r_h), min(r_w, r_h))
    txy = (tx1, ty1)
    return dict(new_w=tw, new_h=th, top=ty1, bottom=ty2, left=tx1, right=tx2, out_w=net_w, out_h=net_h,
                ratio_w=ratio[0], ratio_h=ratio[1], dw=float(txy[0]), dh=float(txy[1]),
                resized=(tw, th) != (img_w, img_h))


for k in range(40):
    nw, nh = (int(x) for x in (rng.integers(4, 41, 2) * 32 if k % 2 else rng.integers(50, 1300, 2)))
    if k == 0:
        nw = nh = 640  # 77x77 and 303x303 hit the tie r_h == r_w where int(r_h * w) gives 639
    sizes = [(int(w), int(h)) for w, h in rng.integers(1, 3000, (120, 2))] + [(nw, nh), (nw, nh // 2 + 1), (2 * nw, nh),
                                                                               (77, 77), (303, 303)]
    sizes = [(w, h) for w, h in sizes if min(sail_geometry(w, h, nw, nh)[x] for x in ("new_w", "new_h")) >= 1]
    check_geometries("letterbox-sail", geometry_batch("letterbox-sail", sizes, "--size", f"{nw}x{nh}"),
                     [sail_geometry(w, h, nw, nh) for w, h in sizes], f"net {nw}x{nh}")
for k in range(300):
    nw, nh = [(640, 640), (320, 192)][k % 2]
    if k % 3 == 0:
        w, h = int(rng.integers(8, 900)), int(rng.integers(8, 900))
    else:  # no resize: the full width (or height) and a shorter other side
        w, h = (nw, int(rng.integers(8, nh + 1))) if k % 2 else (int(rng.integers(8, nw + 1)), nh)
    im = rand_img(h, w, 3)
    g = sail_geometry(w, h, nw, nh)
    src = im if not g["resized"] else cv2.resize(im, (g["new_w"], g["new_h"]), interpolation=cv2.INTER_NEAREST)
    want = cv2.copyMakeBorder(src, g["top"], g["bottom"], g["left"], g["right"], cv2.BORDER_CONSTANT, value=(114, 114, 114))
    got, err = xt("letterbox-sail", im, "--size", f"{nw}x{nh}")
    same("letterbox-sail", got, want, f"{im.shape} -> {nw}x{nh} resized {g['resized']}", err)


# ---- YOLOv5 scale_boxes with torch float32 tensors ----------------------------------------------------------------------
def clip_boxes(boxes, shape):
    boxes[:, 0].clamp_(0, shape[1])  # x1
    boxes[:, 1].clamp_(0, shape[0])  # y1
    boxes[:, 2].clamp_(0, shape[1])  # x2
    boxes[:, 3].clamp_(0, shape[0])  # y2


def scale_boxes(img1_shape, boxes, img0_shape, ratio_pad=None):
    if ratio_pad is None:  # calculate from img0_shape
        gain = min(img1_shape[0] / img0_shape[0], img1_shape[1] / img0_shape[1])  # gain  = old / new
        pad = (img1_shape[1] - img0_shape[1] * gain) / 2, (img1_shape[0] - img0_shape[0] * gain) / 2  # wh padding
    else:
        gain = ratio_pad[0][0]
        pad = ratio_pad[1]
    boxes[:, [0, 2]] -= pad[0]  # x padding
    boxes[:, [1, 3]] -= pad[1]  # y padding
    boxes[:, :4] /= gain
    clip_boxes(boxes, img0_shape)
    return boxes


for k in range(300):
    w0, h0 = int(rng.integers(16, 2000)), int(rng.integers(16, 2000))
    w1, h1 = [(640, 640), (640, 480), (512, 384)][k % 3]
    n = int(rng.integers(1, 60))
    det = np.zeros((n, 6), np.float32)
    xy = rng.random((n, 2)) * np.array([w1, h1]) * 1.2 - 20
    wh = rng.random((n, 2)) * 200
    det[:, :2], det[:, 2:4] = xy, xy + wh
    det[:, 4], det[:, 5] = rng.random(n), rng.integers(0, 80, n)
    det = det.astype(np.float32)
    if k % 3 == 0:  # val.py: ratio_pad from the letterbox
        g = yolo_geometry((h0, w0), (h1, w1), False, False, False, 32)
        ratio_pad = ((h1 / h0, w1 / w0), (g["dw"], g["dh"]))
        t = torch.from_numpy(det.copy())
        scale_boxes((h1, w1), t[:, :4], (h0, w0), ratio_pad)
        got, err = xt("scale-boxes", det, "--from", f"{w1}x{h1}", "--to", f"{w0}x{h0}",
                      "--ratio-pad", lst([ratio_pad[0][0], *ratio_pad[1]]))
        what = "val.py ratio_pad"
    else:  # detect.py: det[:, :4] = scale_boxes(...).round()
        t = torch.from_numpy(det.copy())
        t[:, :4] = scale_boxes((h1, w1), t[:, :4], (h0, w0)).round() if k % 2 else scale_boxes((h1, w1), t[:, :4], (h0, w0))
        got, err = xt("scale-boxes", det, "--from", f"{w1}x{h1}", "--to", f"{w0}x{h0}", *(["--round"] if k % 2 else []))
        what = "detect.py" + (" .round()" if k % 2 else "")
    same("scale-boxes", got, t.numpy(), f"{what} {w1}x{h1} -> {w0}x{h0}, {n} boxes", err)

# ---- INT8 input quantisation -------------------------------------------------------------------------------------------------
SSE_ORACLE = r"""
#include <immintrin.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
/* the instruction sequence of sophon-sail's scale_fp32_to_int8/uint8 (x86-64): SSE blocks of 4,
 * then the scalar tail (std::round, int conversion = cvttss2si, clamp) */
int main(int argc, char **argv) {
    float scale = strtof(argv[1], NULL);
    int u8 = atoi(argv[2]), n = atoi(argv[3]);
    float *src = malloc(n * sizeof *src);
    unsigned char *dst = malloc(n + 4);
    if (fread(src, sizeof *src, n, stdin) != (size_t)n) return 1;
    int i = 0;
    __m128 vs = _mm_set1_ps(scale);
    for (i = 0; i < n - 3; i += 4) {
        __m128i v = _mm_cvtps_epi32(_mm_mul_ps(_mm_loadu_ps(src + i), vs));
        v = u8 ? _mm_packus_epi16(_mm_packus_epi32(v, v), v) : _mm_packs_epi16(_mm_packs_epi32(v, v), v);
        int word = _mm_cvtsi128_si32(v);
        for (int b = 0; b < 4; b++) dst[i + b] = (unsigned char)(word >> (8 * b));
    }
    for (; i < n; i++) {
        int v = _mm_cvttss_si32(_mm_set_ss(roundf(src[i] * scale)));
        int lo = u8 ? 0 : -127, hi = u8 ? 255 : 127;
        dst[i] = (unsigned char)(v < lo ? lo : v > hi ? hi : v);
    }
    fwrite(dst, 1, n, stdout);
    return 0;
}
"""
sse_bin = ck.path("sse_oracle")
with open(sse_bin + ".c", "w") as f:
    f.write(SSE_ORACLE)
cc = subprocess.run(["cc", "-O1", "-msse4.1", "-o", sse_bin, sse_bin + ".c", "-lm"], capture_output=True, text=True)
have_sse = cc.returncode == 0
ck.check(have_sse, f"the SSE oracle compiles: {cc.stderr}")


def sse_oracle(x, scale, u8):
    p = subprocess.run([sse_bin, repr(float(scale)), str(int(u8)), str(x.size)], input=x.astype(np.float32).tobytes(),
                       capture_output=True)
    return np.frombuffer(p.stdout, np.uint8 if u8 else np.int8).reshape(x.shape)


def roundf(p):
    return np.array([libm.roundf(float(v)) for v in p.ravel()], np.float32).reshape(p.shape)


def to_i32_x86(r):  # cvttss2si/cvtps2dq of an integral float: NaN and out-of-range give INT_MIN
    ok = (r >= -2147483648.0) & (r < 2147483648.0)
    return np.where(ok, np.nan_to_num(r), -2147483648.0).astype(np.int64)


def to_i32_arm(r):  # fcvtzs/fcvtns: saturating, NaN -> 0
    return np.clip(np.nan_to_num(r, nan=0.0, posinf=2**31 - 1, neginf=-2**31), -2**31, 2**31 - 1).astype(np.int64)


def quant_oracle(x, scale, u8, mode):
    p = (x * np.float32(scale)).astype(np.float32)
    lo, hi = (0, 255) if u8 else (-127, 127)
    dt = np.uint8 if u8 else np.int8
    if mode == "half-away":  # sail AnyScale: v = std::round(p) (float), SAIL_MAX/SAIL_MIN, cast
        v = roundf(p)
        v = np.where(v >= lo, v, lo)  # NaN -> lo
        v = np.where(v <= hi, v, hi)
        return v.astype(dt)
    if mode == "half-even":
        return np.where(np.isnan(p), 0, np.clip(np.rint(p), lo, hi)).astype(dt)
    if mode == "sail-x86":
        return sse_oracle(x, scale, u8)
    # sail-arm: NEON blocks of 8 (vcvtnq: ties to even, saturating, NaN 0; unsigned: negatives 0), scalar tail
    n = p.size
    nb = n // 8 * 8
    flat = p.ravel()
    out = np.empty(n, np.int64)
    r = np.rint(flat[:nb])
    if u8:
        out[:nb] = np.clip(np.where(np.isnan(r) | (r <= 0), 0, np.minimum(np.nan_to_num(r), 255)), 0, 255)
    else:
        out[:nb] = np.clip(to_i32_arm(r), -128, 127)
    out[nb:] = np.clip(to_i32_arm(roundf(flat[nb:])), lo, hi)
    return out.astype(dt).reshape(p.shape)


distinct = set()
for k in range(150):
    x, scale = quant_case(rng, k, 4)
    n = x.size
    x = x.reshape((n,) if k % 2 else (1, n))
    for dtn in ("int8", "uint8"):
        wants = {}
        for mode in ("half-away", "half-even", "sail-x86", "sail-arm"):
            if mode == "sail-x86" and not have_sse:
                continue
            wants[mode] = want = quant_oracle(x, scale, dtn == "uint8", mode)
            got, err = xt("quantize-int8", x, "--scale", repr(scale), "--dtype", dtn, "--rounding", mode)
            same("quantize-int8 " + mode, got, want, f"{dtn} n={n} scale={scale}", err)
        for m1, m2 in (("half-away", "half-even"), ("half-away", "sail-x86"), ("sail-x86", "sail-arm")):
            if m1 in wants and m2 in wants and not np.array_equal(wants[m1], wants[m2]):
                distinct.add((m1, m2, dtn))
for m1, m2 in (("half-away", "half-even"), ("half-away", "sail-x86"), ("sail-x86", "sail-arm")):
    for dtn in ("int8", "uint8"):
        ck.check((m1, m2, dtn) in distinct or not have_sse, f"the cases tell {m1} from {m2} ({dtn})")

# ---- torchvision Resize(int): the size rule (the real _compute_resized_output_size) ------------------------------------
sizes = [(int(w), int(h)) for w, h in rng.integers(1, 5000, (400, 2))] + [(500, 375), (375, 500), (256, 256), (1, 9999)]
for size, max_size in [(256, None), (224, None), (1, None), (800, 1333), (256, 300), (333, 334), (17, 9000)]:
    wants = []
    for w, h in sizes:
        oh, ow = _compute_resized_output_size((h, w), [size], max_size)
        wants.append([ow, oh])
    rc, out, err = run("transform", "--op", "tv-resize", "--geometry-only", "--json", "--short", size,
                       "--input-size", ",".join(f"{w}x{h}" for w, h in sizes),
                       *(["--max-size", max_size] if max_size else []))
    got = [[g["out_w"], g["out_h"]] for g in json.loads(out)["geometry"]] if rc == 0 else None
    s = stats.setdefault("resize-size", [0, 0])
    s[0] += len(sizes)
    bad = [(wh, g, wnt) for wh, g, wnt in zip(sizes, got, wants) if g != wnt] \
        if got and len(got) == len(sizes) else sizes
    s[1] += len(bad)
    ck.check(not bad, f"resize-size {size} max {max_size}: {bad[:3]} {err.strip()}")
rc, _, err = run("transform", "--op", "tv-resize", "--geometry-only", "--short", 256, "--max-size", 256,
                 "--input-size", "500x375")
ck.check(rc == 2 and "strictly greater" in err, f"max_size <= size refused as torchvision does: {rc} {err!r}")
tv_cases = [(256, 341, 256), (341, 256, 256), (224, 224, 224), (300, 224, 224), (40, 30, 30), (500, 375, 256), (97, 131, 64)]
tv_cases += [(int(rng.integers(1, 400)), int(rng.integers(1, 400)), int(rng.integers(1, 300))) for _ in range(145)]
for w, h, size in tv_cases:
    a = rand_img(h, w, 3)
    want = np.asarray(T.Resize(size)(Image.fromarray(a)))  # the size rule decides whether a resize runs
    got, err = xt("tv-resize", a, "--short", size)
    same("tv-resize", got, want, f"PIL {w}x{h} Resize({size})", err)
    want = T.Resize(size)(torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))).numpy().transpose(1, 2, 0)
    got, err = xt("tv-resize", a, "--short", size, "--method", "torch-bilinear")
    same("tv-resize", got, want, f"tensor {w}x{h} Resize({size})", err)

# ---- the normalisation forms are different functions: measured on the same image -------------------------------------------
# This prints the table of docs/ops-transforms.md ("Normalisation forms ports use instead"), row for row.
img = cv2.imread(os.path.join(DATA, "fruits.jpg"))
img = np.ascontiguousarray(cv2.cvtColor(cv2.resize(img, (224, 224)), cv2.COLOR_BGR2RGB))
tv = F.normalize(F.to_tensor(img), *IMAGENET).numpy()
ms = ["--mean", lst(IMAGENET[0]), "--std", lst(IMAGENET[1])]
chw = np.ascontiguousarray(img.transpose(2, 0, 1))
f32 = img.astype(np.float32)
forms = [  # (row label, output, identical to torchvision?)
    ("numpy seed, float64 result", xt("numpy-normalize", img, *ms)[0], False),
    ("numpy seed, `.astype(float32)`", xt("numpy-normalize", img, *ms, "--out-dtype", "f32")[0], False),
    ("numpy seed, float32 arrays", xt("numpy-normalize", img, *ms, "--const-dtype", "f32", "--out-dtype", "f32")[0], False),
    ("`(img/255 - mean)/std`, float32 img, lists, `.astype(float32)`",
     xt("numpy-normalize", f32, *ms, "--form", "div", "--out-dtype", "f32")[0], False),
    ("`(img/255 - mean)/std`, uint8 img, `.astype(float32)`",
     xt("numpy-normalize", img, *ms, "--form", "div", "--out-dtype", "f32")[0], False),
    ("`(img/255 - mean)/std`, float32 img and float32 arrays",
     xt("numpy-normalize", f32, *ms, "--form", "div", "--const-dtype", "f32", "--out-dtype", "f32")[0], True),
    ("sail convert_to, seed alpha/beta", xt("convert-to", chw, "--layout", "chw", *ms)[0], False),
    ("sail convert_to, sophon-demo alpha/beta", xt("convert-to", chw, "--layout", "chw", *ms, "--ab-form", "demo")[0], False),
    ("sail convert_to, fused multiply-add", xt("convert-to", chw, "--layout", "chw", *ms, "--fused")[0], False),
]
print("normalisation forms vs torchvision ToTensor+Normalize on tests/data/fruits.jpg, cv2.resize to 224x224, RGB,")
print("ImageNet mean/std (the table of docs/ops-transforms.md):")
print("| form | max abs difference | float32 values that differ |\n|---|---|---|")
outs = {}
for name, arr, identical in forms:
    ck.check(arr is not None, f"normalisation form {name}: xalign ran")
    if arr is None:
        continue
    arr = arr if arr.shape == tv.shape else arr.transpose(2, 0, 1)
    outs[name] = arr.astype(np.float32)
    d = float(np.abs(arr.astype(np.float64) - tv).max())
    n = int(np.count_nonzero(outs[name] != tv))
    print(f"| {name} | {'0' if d == 0 else f'{d:.3e}'} | {n} / {tv.size} |")
    ck.check((n == 0) == identical, f"{name}: {n} float32 values differ from torchvision's; "
             f"{'identical' if identical else 'distinguishable'} expected")
# the pairs docs/ops-transforms.md names as giving the same floats on this image
for x, y in (("numpy seed, float64 result", "numpy seed, `.astype(float32)`"),
             ("sail convert_to, seed alpha/beta", "sail convert_to, sophon-demo alpha/beta")):
    ck.check(x in outs and y in outs and np.array_equal(outs[x], outs[y]), f"{x} and {y} give the same float32 tensor")

print("per operation: cases, differing values")
for op, (n, bad) in stats.items():
    print(f"  {op:34s} {n:6d} cases  {bad:6d} differing")
ck.done()
