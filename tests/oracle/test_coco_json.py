"""COCO results JSON as Python writes it, against Python itself.

- xa_py_round / xa_py_repr (through tests/unit/test_json's driver modes) against CPython's round()
  and repr() on ~300k doubles: exact ties (k/2^n), values a hair around x.xxx5, random magnitudes,
  every ndigits from -5 to 12;
- the JSON number reader against Python's float() on the same strings;
- `xalign coco-json` against json.dumps(list_of_dicts) byte for byte: rounded (the seed's
  round(x, 3) / round(s, 5)) and unrounded, the seed's xyxy -> xywh in Python floats, YOLOv5's
  save_one_json float32 xyxy2xywh done with the real torch, the 80 -> 91 category map, string
  image ids for non-numeric file names; and `--check` on both kinds of file.
"""
import json
import os
import struct
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
from xa_testlib import XALIGN, Checker, run  # noqa: E402

CK = Checker("coco_json")
HELPER = os.path.join(os.path.dirname(os.path.abspath(XALIGN)), "tests", "test_json")
rng = np.random.default_rng(20240917)


def hexbits(x):
    return struct.pack(">d", x).hex()


def helper(mode, lines):
    p = subprocess.run([HELPER, mode], input="\n".join(lines) + "\n", capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    return p.stdout.split("\n")[:-1]


def sample_doubles(n):
    xs = []
    xs += list(rng.integers(-2 ** 20, 2 ** 20, n // 6) / 2.0 ** rng.integers(0, 12, n // 6))  # exact ties
    base = rng.integers(-10 ** 7, 10 ** 7, n // 6) / 1000.0
    xs += list(base + 0.0005)                                                   # x.xxx5 in decimal
    xs += list(np.nextafter(base + 0.0005, np.inf)) + list(np.nextafter(base + 0.0005, -np.inf))
    xs += list(rng.random(n // 6))                                              # scores
    xs += list(rng.standard_normal(n // 12) * 10.0 ** rng.integers(-12, 20, n // 12))
    raw = rng.integers(0, 2 ** 63, n // 12, dtype=np.int64).view(np.float64)    # any bits
    xs += [float(v) for v in raw if np.isfinite(v)]
    xs += [2.0 ** k for k in range(-1074, 1024)]                                # powers of two
    xs += [float(np.float32(v)) for v in rng.uniform(0, 2000, n // 12)]        # float32 boxes
    xs += [0.0, -0.0, 2.675, 1.0005, 0.0625, 1e16, 9999999999999998.0, 1e-4, 1e-5, 5e-324,
           1.7976931348623157e308, 123456.789, 0.1 + 0.2]
    return [float(x) for x in xs]


# ---- round() and repr() ---------------------------------------------------------------------------
xs = sample_doubles(120000)
nds = [int(v) for v in rng.integers(-5, 13, len(xs))]
nds[: len(xs) // 2] = [3 if i % 2 else 5 for i in range(len(xs) // 2)]  # the seed's digits most
got = helper("pyround", [f"{hexbits(x)} {nd}" for x, nd in zip(xs, nds)])
want = [repr(round(x, nd)) for x, nd in zip(xs, nds)]
bad = [(x, nd, g, w) for x, nd, g, w in zip(xs, nds, got, want) if g != w]
CK.check(not bad, f"repr(round(x, n)): {len(bad)} of {len(xs)} differ from Python, e.g. {bad[:3]}")
got = helper("repr", [hexbits(x) for x in xs])
want = [repr(x) for x in xs]
bad = [(x, g, w) for x, g, w in zip(xs, got, want) if g != w]
CK.check(not bad, f"repr(x): {len(bad)} of {len(xs)} differ from Python, e.g. {bad[:3]}")

# ---- reading numbers: the JSON reader against Python's float() --------------------------------------
strs = [repr(x) for x in xs[:40000]] + [f"{x:.3f}" for x in xs[:20000] if abs(x) < 1e15] + \
    [f"{x:.25e}" for x in xs[:20000]] + [json.dumps(round(x, 5)) for x in xs[:20000]]
got = helper("parse", strs)
bad = [(s, g) for s, g in zip(strs, got) if g != hexbits(float(s))]
CK.check(not bad, f"JSON numbers: {len(bad)} of {len(strs)} read differently from float(), e.g. {bad[:3]}")

# ---- coco-json against json.dumps -----------------------------------------------------------------------
COCO91 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
          27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51,
          52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77,
          78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]


def dets_xyxy(n, dtype):
    x1 = rng.uniform(-5, 1500, n)
    y1 = rng.uniform(-5, 900, n)
    w = np.abs(rng.standard_normal(n)) * 10.0 ** rng.integers(-3, 3, n)
    h = np.abs(rng.standard_normal(n)) * 10.0 ** rng.integers(-3, 3, n)
    s = rng.random(n)
    s[::7] = np.round(s[::7], 2)
    c = rng.integers(0, 80, n)
    a = np.stack([x1, y1, x1 + w, y1 + h, s, c], 1).astype(dtype)
    a[:, 2] = np.maximum(a[:, 2], a[:, 0])
    a[:, 3] = np.maximum(a[:, 3], a[:, 1])
    return a


def seed_json(rows_by_image, rounded, catmap=True):
    out = []
    for iid, rows in rows_by_image:
        for r in rows.tolist():   # Python floats, as the seed's program has them
            x1, y1, x2, y2, s, c = r
            b = [x1, y1, x2 - x1, y2 - y1]
            out.append({"image_id": iid, "category_id": COCO91[int(c)] if catmap else int(c),
                        "bbox": [round(v, 3) for v in b] if rounded else b,
                        "score": round(s, 5) if rounded else s})
    return json.dumps(out)


def yolov5_json(rows_by_image, rounded):
    out = []
    for iid, rows in rows_by_image:
        predn = torch.from_numpy(rows.astype(np.float32))
        # YOLOv5 v7.0 utils/general.py xyxy2xywh and val.py save_one_json, on a float32 tensor
        box = predn[:, :4].clone()
        y = box.clone()
        y[:, 0] = (box[:, 0] + box[:, 2]) / 2
        y[:, 1] = (box[:, 1] + box[:, 3]) / 2
        y[:, 2] = box[:, 2] - box[:, 0]
        y[:, 3] = box[:, 3] - box[:, 1]
        y[:, :2] -= y[:, 2:] / 2
        for p, b in zip(predn.tolist(), y.tolist()):
            out.append({"image_id": iid, "category_id": COCO91[int(p[5])],
                        "bbox": [round(x, 3) for x in b] if rounded else b,
                        "score": round(p[4], 5) if rounded else p[4]})
    return json.dumps(out)


d = os.path.join(CK.dir, "dets")
os.mkdir(d)
images = []
for k, name in enumerate(["000000000139", "000000000285", "42", "cat 1", "Ä_ü\"x"]):
    rows = dets_xyxy(int(rng.integers(0, 400)) if k != 2 else 0, np.float32)
    np.save(os.path.join(d, name + ".npy"), rows)
    images.append((int(name) if name.isnumeric() else name, rows))
# (created in the order xalign reads a folder: file names sorted bytewise)
for rounded in (True, False):
    args = ["coco-json", d] + ([] if rounded else ["--no-round"])
    rc, out, err = run(*args)
    CK.check(rc == 0 and out == seed_json(images, rounded),
             f"coco-json folder, seed boxes, rounded={rounded}: rc {rc} {err[:300]}")
    rc, out, err = run(*args, "--box", "yolov5")
    CK.check(rc == 0 and out == yolov5_json(images, rounded),
             f"coco-json folder, YOLOv5 float32 boxes, rounded={rounded}: rc {rc} {err[:300]}")

# float64 rows, xywh layout, explicit ids, no category map, output to a file
rows = dets_xyxy(3000, np.float64)
rows[:, 2:4] -= rows[:, 0:2]
p = CK.path("one.npy")
np.save(p, rows)
outp = CK.path("one.json")
rc, out, err = run("coco-json", p, "--format", "xywh", "--image-ids", "7", "--category-map", "none",
                   "-o", outp)
want = json.dumps([{"image_id": 7, "category_id": int(r[5]), "bbox": [round(v, 3) for v in r[:4]],
                    "score": round(r[4], 5)} for r in rows.tolist()])
CK.check(rc == 0 and open(outp).read() == want and "wrote 3000 detections" in err,
         f"coco-json xywh float64 to a file: rc {rc} {err}")

# files without detections write nothing: the message counts the images the output holds
ed = CK.path("with_empty")
os.mkdir(ed)
np.save(os.path.join(ed, "1.npy"), rows[:2].astype(np.float32))
np.save(os.path.join(ed, "2.npy"), np.zeros((0, 6), np.float32))
np.save(os.path.join(ed, "3.npy"), rows[2:3].astype(np.float32))
oute = CK.path("with_empty.json")
rc, out, err = run("coco-json", ed, "--format", "xywh", "--category-map", "none", "-o", oute)
held = {e["image_id"] for e in json.load(open(oute))} if rc == 0 else set()
CK.check(rc == 0 and held == {1, 3} and
         "wrote 3 detections of 2 images (3 files, 1 without detections) to" in err,
         f"coco-json counts the images written: rc {rc} {err}")

# --check: the rounded file is rounded, the unrounded one is not (and says where)
rc, out, err = run("coco-json", "--check", outp)
CK.check(rc == 0 and "rounded (bbox 3 decimals, score 5 decimals): all 3000" in out, f"check rounded: {rc} {out} {err}")
unr = CK.path("unrounded.json")
with open(unr, "w") as f:
    f.write(seed_json(images, False))
rc, out, err = run("coco-json", "--check", unr)
CK.check(rc == 1 and "not rounded" in out and "first: entry 0" in out, f"check unrounded: {rc} {out} {err}")
rc, out, err = run("coco-json", "--check", unr, "--json")
j = json.loads(out) if rc == 1 else {}
CK.check(list(j)[:1] == ["schema"] and j.get("schema") == "xalign.coco-json/1" and j.get("rounded") is False,
         f"check --json: {out[:200]}")

# the reader reads Python's file back to the very values Python wrote
back = CK.path("back")
os.mkdir(back)
np.save(os.path.join(back, "7.npy"), np.array([[*r[:4], r[4], r[5]] for r in rows.tolist()]))
rc, out, err = run("results", outp, back, "--format", "xywh", "--json")
res = json.loads(out) if rc in (0, 1) else {}
CK.check(rc == 0 and res["summary"]["rounding"] + res["summary"]["exact"] == 1,
         f"results: rounded JSON vs the unrounded rows is aligned by rounding: {rc} {err} {out[:300]}")

CK.done()
