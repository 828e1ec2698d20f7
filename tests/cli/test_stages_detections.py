"""Post-processing stages in `xalign stages`: a COCO results .json stage, or a manifest stage of
"kind": "detections", is compared as detections (matched by IoU, the seed's rounding aligned), not
element by element; a stage of box coordinates before NMS ("kind": "boxes") is judged in pixels
(max_abs <= 0.01 px by default, stated in the output)."""
import json
import os

import numpy as np
from xa_testlib import Checker, run, run_json

ck = Checker("stages_detections")
rng = np.random.default_rng(9)


def dets(n):
    xy = rng.uniform(0, 500, (n, 2))
    wh = rng.uniform(5, 80, (n, 2))
    return np.concatenate([xy, xy + wh, rng.uniform(0.3, 1, (n, 1)), rng.integers(0, 5, (n, 1))], axis=1)


def coco(rows, image_id, digits=None):
    out = []
    for x1, y1, x2, y2, s, c in rows:
        box = [x1, y1, x2 - x1, y2 - y1]
        if digits:
            box, s = [round(float(v), 3) for v in box], round(float(s), 5)
        out.append({"image_id": image_id, "category_id": int(c), "bbox": [float(v) for v in box], "score": float(s)})
    return out


def folder(name, files):
    d = ck.path(name)
    os.makedirs(d, exist_ok=True)
    for k, v in files.items():
        p = os.path.join(d, k)
        if k.endswith(".json"):
            with open(p, "w") as f:
                json.dump(v, f)
        else:
            np.save(p, v)
    return d


img = rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)
a, b = dets(12), dets(9)
ref_json = coco(a, 1) + coco(b, 2)
# 1. the port wrote rounded JSON (the seed's rounding): aligned, with that reason
r = folder("r1", {"00_read.npy": img, "01_results.json": ref_json})
p = folder("p1", {"00_read.npy": img, "01_results.json": coco(a, 1, 3) + coco(b, 2, 3)})
rc, so, se = run("stages", r, p)
ck.check(rc == 0 and "01 results aligned. detections of 2 images" in so and "2 within the seed's rounding" in so,
         f"rounded results JSON is aligned: {rc} {so} {se}")
rc, j = run_json("stages", r, p)
d = j["stages"][1]["detections"] if rc == 0 else {}
ck.check(d.get("summary") is not None and all(im["status"] == "aligned" for im in d["images"]),
         f"JSON carries the detections comparison: {list(d)}")
# 2. the port lost a box and moved another: unaligned, the images that differ named
b2 = b.copy()
b2[0, :4] += 7
p = folder("p2", {"00_read.npy": img, "01_results.json": coco(a[1:], 1) + coco(b2, 2)})
rc, j = run_json("stages", r, p)
st = j["stages"][1]
ck.check(rc == 1 and j["first_unaligned"] == "results" and st["status"] == "unaligned"
         and {im["image_id"] for im in st["detections"]["images"] if im["status"] == "differs"} == {1, 2},
         f"a lost and a moved box: {rc} {st['status']}")
rc, so, se = run("stages", r, p)
ck.check(rc == 1 and "only in ref" in so and "first unaligned stage: results" in so, f"text: {so}")

# 3. detections dumped as [N, 6] .npy with a manifest kind: the rows in another order align
r = folder("r3", {"00_read.npy": img, "01_dets.npy": a.astype(np.float32)})
p = folder("p3", {"00_read.npy": img, "01_dets.npy": a[rng.permutation(len(a))].astype(np.float32)})
m = ck.path("m3.json")
rc, so, se = run("stages", r, p)
ck.check(rc == 1, f"element by element, the reordered rows differ: {rc}")
with open(m, "w") as f:
    json.dump({"stages": {"dets": {"kind": "detections"}}}, f)
rc, so, se = run("stages", r, p, "--manifest", m)
ck.check(rc == 0 and "aligned. detections of 1 images: 1 exact" in so, f"kind detections: {rc} {so} {se}")

# 4. box coordinates before NMS: pixels, not 1e-3
boxes = rng.uniform(0, 640, (100, 4)).astype(np.float32)
r = folder("r4", {"00_boxes.npy": boxes})
p = folder("p4", {"00_boxes.npy": boxes + np.float32(0.004)})
rc, so, se = run("stages", r, p)
ck.check(rc == 1 and "> 0.001" in so, f"as a tensor, 0.004 px fails 1e-3: {so}")
with open(m, "w") as f:
    json.dump({"stages": {"boxes": {"kind": "boxes"}}}, f)
rc, so, se = run("stages", r, p, "--manifest", m)
ck.check(rc == 0 and "<= 0.01" in so and "px" in so, f"kind boxes: 0.01 px stated: {rc} {so}")
p = folder("p5", {"00_boxes.npy": boxes + np.float32(0.05)})
rc, so, se = run("stages", r, p, "--manifest", m)
ck.check(rc == 1, f"kind boxes: 0.05 px fails: {rc} {so}")

# 6. the HTML report draws the boxes found on one side only on the image they refer to: the
# reference's image stage, red only in the reference, blue only in the port
import base64, io, re  # noqa: E401,E402
from PIL import Image  # noqa: E402
photo = np.asarray(Image.open(os.path.join(os.environ.get("XA_SOURCE_DIR", "."), "examples", "resnet",
                                           "butterfly.jpg")).convert("RGB"))
h, w = photo.shape[:2]
lost = [40.0, 50.0, 140.0, 130.0, 0.9, 1.0]   # only in REF
extra = [200.0, 60.0, 300.0, 200.0, 0.8, 2.0]  # only in PORT
keep = [10.0, 200.0, 90.0, 300.0, 0.7, 3.0]
r = folder("r7", {"00_read.npy": photo, "01_results.json": coco(np.array([lost, keep]), 1)})
p = folder("p7", {"00_read.npy": photo, "01_results.json": coco(np.array([extra, keep]), 1)})
page = ck.path("dets.html")
rc, so, se = run("stages", r, p, "--html", page)
html = open(page).read() if os.path.exists(page) else ""
mt = re.search(r'<img class="detections"[^>]*src="data:image/png;base64,([^"]+)"', html)
ck.check(rc == 1 and mt is not None and "1 in the reference (red), 1 in the port (blue)" in html,
         f"the page draws the one-sided boxes: {rc} {se}")
ck.check("; 1 stage drawn" in html, "the note at the top counts the detections picture")
if mt:
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(mt.group(1)))).convert("RGB"))
    block = -(-max(h, w) // 256)
    def at(x, y):
        return tuple(int(v) for v in img[int(y // block), int(x // block)])
    ck.check(at(lost[0], lost[1]) == (230, 30, 30) and at(extra[0], extra[1]) == (40, 90, 255)
             and img.shape[0] == -(-h // block), f"red and blue corners at the boxes: {at(lost[0], lost[1])} "
             f"{at(extra[0], extra[1])} {img.shape}")
    inside = img[int(100 // block), int(90 // block)]
    ck.check(tuple(int(v) for v in inside) == tuple(int(v) for v in photo[100 - 100 % block, 90 - 90 % block]),
             "inside a box the picture is the photo")

# boxes far larger than the picture (and one at 1e30) are clipped, not walked pixel by pixel: the
# page is written at once (300000 x 300000 px took minutes, 1e30 overflowed a conversion)
huge = [0.0, 0.0, 3e5, 3e5, 0.9, 1.0]
far = [1e30, 1e30, 2e30, 2e30, 0.8, 2.0]
r = folder("r8", {"00_read.npy": photo, "01_results.json": coco(np.array([huge]), 1)})
p = folder("p8", {"00_read.npy": photo, "01_results.json": coco(np.array([far]), 1)})
rc, so, se = run("stages", r, p, "--html", ck.path("huge.html"), timeout=300)  # a hang guard
ck.check(rc == 1 and os.path.exists(ck.path("huge.html")), f"huge boxes drawn: rc {rc} {se}")

# 5. bad input: a kind that does not exist, a results file that is not one
with open(m, "w") as f:
    json.dump({"stages": {"boxes": {"kind": "polygons"}}}, f)
rc, so, se = run("stages", r, p, "--manifest", m)
ck.check(rc == 2 and "'kind' is" in se, f"unknown kind: {rc} {se}")
r = folder("r6", {"00_res.json": ref_json})
p = folder("p6", {"00_res.json": {"not": "a list"}})
rc, so, se = run("stages", r, p)
ck.check(rc == 1 and "error" in so, f"a port results file that is not a list: the stage is an error: {rc} {so} {se}")
ck.done()
