"""A dataset run made of real photos, for the report, shard and bench scripts: REF_DIR and PORT_DIR
with one sub-folder per sample, each holding the six stage dumps of an image classifier's
pipeline (python/xalign_dump.py writes them):

  00_read       uint8 H x W x 3   a window of one of the bundled photos (both sides the same)
  01_resize     uint8             short side to 256: Pillow's antialiased bilinear (the original,
                                  torchvision's Resize) vs cv2.resize INTER_LINEAR (the port) in
                                  the samples where the port has the mistake, Pillow otherwise
  02_crop       uint8 224 x 224 x 3   the centre crop
  03_normalize  float32 3 x 224 x 224 (x / 255 - mean) / std
  04_input      float32 1 x 3 x 224 x 224
  05_logits     float32 1 x 1000  a fixed random linear map of the 7 x 7 average-pooled input
                                  (the port's in float64 rounded to float32: a few ulps, aligned)

The photos are the colour ones of tests/data and examples/resnet (OpenCV's samples, attributions
beside them); windows, flips and the sample order come from a seeded generator, so the same
arguments give the same bytes."""
import os

import cv2
import numpy as np
from PIL import Image

_HERE = os.path.dirname(os.path.abspath(__file__))
_ROOT = os.path.dirname(os.path.dirname(_HERE))
PHOTOS = [os.path.join(_ROOT, "tests", "data", n) for n in ("fruits.jpg", "Blender_Suzanne1.jpg", "text_motion.jpg",
                                                             "HappyFish.jpg")] + [
    os.path.join(_ROOT, "examples", "resnet", "butterfly.jpg")]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
STAGES = ["read", "resize", "crop", "normalize", "input", "logits"]


def _dump_dir(d, arrays):
    os.makedirs(d, exist_ok=True)
    for k, (name, a) in enumerate(arrays):
        np.save(os.path.join(d, f"{k:02d}_{name}.npy"), a)


def _pipeline(img, cv2_resize):
    h, w = img.shape[:2]
    tw, th = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
    if cv2_resize:
        r = cv2.resize(img, (tw, th), interpolation=cv2.INTER_LINEAR)
    else:
        r = np.asarray(Image.fromarray(img).resize((tw, th), Image.BILINEAR))
    top, left = int(round((th - 224) / 2.0)), int(round((tw - 224) / 2.0))
    c = np.ascontiguousarray(r[top:top + 224, left:left + 224])
    x = (c.astype(np.float32) / np.float32(255) - np.array(MEAN, np.float32)) / np.array(STD, np.float32)
    x = np.ascontiguousarray(x.transpose(2, 0, 1))
    pooled = x.reshape(3, 7, 32, 7, 32).mean(axis=(2, 4), dtype=np.float64).reshape(-1)
    return [("read", img), ("resize", r), ("crop", c), ("normalize", x), ("input", x[None]), ("pooled", pooled)]


def make(root, n, seed=11, bad_every=2, distinct=None):
    """Write root/ref/SAMPLE and root/port/SAMPLE for n samples named img_0000 ...; the port
    resizes with cv2 in every `bad_every`-th sample (0: never). `distinct` (default n) samples are
    computed; the others are hard links to them (a large run without the disk space of one).
    Returns (ref_dir, port_dir, names, unaligned names)."""
    rng = np.random.default_rng(seed)
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in PHOTOS]
    weights = rng.standard_normal((1000, 3 * 7 * 7)).astype(np.float32)
    ref_dir, port_dir = os.path.join(root, "ref"), os.path.join(root, "port")
    names = [f"img_{i:04d}" for i in range(n)]
    distinct = n if distinct is None else min(distinct, n)
    # a linked sample is unaligned when its source is
    bad = [nm for i, nm in enumerate(names) if bad_every and (i % distinct) % bad_every == bad_every - 1]
    for i, name in enumerate(names):
        if i >= distinct:  # the same pixels as sample i % distinct, under another name
            src = names[i % distinct]
            for side in (ref_dir, port_dir):
                os.makedirs(os.path.join(side, name), exist_ok=True)
                for f in sorted(os.listdir(os.path.join(side, src))):
                    os.link(os.path.join(side, src, f), os.path.join(side, name, f))
            continue
        p = photos[i % len(photos)]
        ph, pw = p.shape[:2]
        wh, ww = min(ph, int(rng.integers(180, 300))), min(pw, int(rng.integers(180, 340)))
        y, x = int(rng.integers(0, ph - wh + 1)), int(rng.integers(0, pw - ww + 1))
        img = p[y:y + wh, x:x + ww]
        if rng.integers(2):
            img = img[:, ::-1]
        img = np.ascontiguousarray(img)
        ref = _pipeline(img, False)
        port = _pipeline(img, name in bad)
        ref[-1] = ("logits", (weights @ ref[-1][1].astype(np.float32))[None])
        port[-1] = ("logits", (weights.astype(np.float64) @ port[-1][1]).astype(np.float32)[None])
        _dump_dir(os.path.join(ref_dir, name), ref)
        _dump_dir(os.path.join(port_dir, name), port)
    return ref_dir, port_dir, names, bad
