"""`xalign cocoeval` against pycocotools' rules (spec/postprocessing.md "COCOeval").

pycocotools cannot be installed here, so:
1. hand-checkable cases: each expected number is derived in this file from the rules (crowd,
   ignore, area ranges with inclusive ends, the "area" field, maxDets, score ties in file order,
   empty images, categories without ground truth, annotation id 0, IoU exactly at a threshold);
2. an independent numpy model of the rules (tests/pylib/xa_cocoeval_model.py) on reproducible
   synthetic sets made here: the 12 stats and every category's AP must agree to 1e-12 (the
   tolerance covers summation order; in practice the numbers are identical), and the thresholds
   xalign uses must equal numpy.linspace's bit for bit;
3. two runs: the "movers" of an image equal the model's AP of B with that image taken from A,
   minus AP of B.
The full 5000-image set (~36k ground truths, ~100 detections per image) runs in
bench/bench_cocoeval.py; here the sets are smaller to keep the suite under a minute.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
import xa_cocoeval_model as model  # noqa: E402
from xa_testlib import Checker, run  # noqa: E402

CK = Checker("cocoeval")
EPS = np.spacing(1)
n_case = 0


def evaluate(gt, dt, *extra):
    global n_case
    n_case += 1
    g, d = CK.path(f"gt{n_case}.json"), CK.path(f"dt{n_case}.json")
    model.write(g, gt)
    model.write(d, dt)
    rc, out, err = run("cocoeval", "--gt", g, "--dt", d, "--json", "--per-class", *extra)
    if rc != 0:
        raise AssertionError(f"cocoeval exit {rc}: {err}")
    return json.loads(out)


def mean_of(value, n):
    """np.mean of n copies: what summarize() computes when every entry holds `value`."""
    return float(np.mean(np.full(n, value)))


def gt_of(anns, images=(1,), cats=(1,)):
    for i, a in enumerate(anns):
        a.setdefault("id", i + 1)
        a.setdefault("iscrowd", 0)
        a.setdefault("area", a["bbox"][2] * a["bbox"][3])
        a.setdefault("image_id", 1)
        a.setdefault("category_id", 1)
    return {"images": [{"id": i, "width": 640, "height": 480} for i in images],
            "annotations": anns, "categories": [{"id": c, "name": f"c{c}"} for c in cats]}


def det(bbox, score, image_id=1, category_id=1):
    return {"image_id": image_id, "category_id": category_id, "bbox": bbox, "score": score}


def check_stats(name, got, want):
    got = np.array(got["stats"] if isinstance(got, dict) else got)
    ok = got.shape == (12,) and np.all(np.abs(got - np.array(want, float)) <= 0)
    CK.check(ok, f"{name}: stats {got.tolist()}\n   want {list(map(float, want))}")


T, R = len(model.IOU_THRS), len(model.REC_THRS)
ONE = 1 / (1 + EPS)            # pr of a first detection that is a true positive: 1/(0+1+eps)
v_all = mean_of(ONE, T * R)    # every precision entry of a category is ONE (10 thresholds)
v_one = mean_of(ONE, R)        # ... at one threshold (AP50, AP75): np.mean of 101 copies

# A: one perfect detection of a medium object: precision ONE everywhere, recall 1; small and
# large have no non-ignored ground truth (npig = 0) and stay -1
o = evaluate(gt_of([{"bbox": [10, 10, 50, 50]}]), [det([10, 10, 50, 50], 0.9)])
check_stats("one perfect detection", o, [v_all, v_one, v_one, -1, v_all, -1, 1, 1, 1, -1, 1, -1])
CK.check(o["params"]["iou_thrs"] == list(model.IOU_THRS) and o["params"]["rec_thrs"] == list(model.REC_THRS),
         "thresholds are numpy.linspace's, bit for bit")

# B: IoU exactly 0.6 (inter 60 / union 100): matched at the thresholds t <= 0.6, a false
# positive above (precision 0: rc = [0] reaches recThr 0 at index 0 where pr = 0, the rest past
# the end); small object, so only 'small' and 'all' have ground truth
n_t = int(np.sum(model.IOU_THRS <= 0.6))
ap = float(np.mean(np.concatenate([np.full(n_t * R, ONE), np.zeros((T - n_t) * R)])))
ar = float(np.mean(np.concatenate([np.ones(n_t), np.zeros(T - n_t)])))
o = evaluate(gt_of([{"bbox": [0, 0, 10, 10]}]), [det([0, 0, 6, 10], 0.5)])
check_stats("IoU exactly 0.6", o, [ap, v_one, 0, ap, -1, -1, ar, ar, ar, ar, -1, -1])

# C: crowd. Two detections inside a crowd region (IoU with a crowd = inter / detection area = 1)
# match it, several times, and are ignored; without that they would be false positives ranked
# first and AP would drop. With maxDets 1 only the first (ignored) detection counts: AR1 = 0
o = evaluate(gt_of([{"bbox": [0, 0, 20, 20]}, {"bbox": [100, 100, 50, 50], "iscrowd": 1}]),
             [det([110, 110, 10, 10], 0.95), det([120, 120, 10, 10], 0.94), det([0, 0, 20, 20], 0.9)])
check_stats("crowd matches are ignored", o, [v_all, v_one, v_one, v_all, -1, -1, 0, 1, 1, 1, -1, -1])

# D: area ranges include both ends: area 1024 is small and medium; and the "area" field counts,
# not the box (a 100x100 box whose segment area is 500 is small; the detection's own area, 10000,
# puts it in 'large' where it matches an ignored ground truth and is ignored: large stays -1)
o = evaluate(gt_of([{"bbox": [0, 0, 32, 32], "area": 1024.0}]), [det([0, 0, 32, 32], 0.9)])
check_stats("area 1024 is small and medium", o, [v_all, v_one, v_one, v_all, v_all, -1, 1, 1, 1, 1, 1, -1])
o = evaluate(gt_of([{"bbox": [0, 0, 100, 100], "area": 500.0}]), [det([0, 0, 100, 100], 0.9)])
check_stats("the area field decides the range", o, [v_all, v_one, v_one, v_all, -1, -1, 1, 1, 1, 1, -1, -1])

# E: maxDets. A false positive first (score 0.9), then the two objects: with 1 detection per image
# nothing is found (AR1 = 0); with 10 both are. Precision: pr = [0, 1/(2+eps), 2/(3+eps)], made
# non-increasing from the right: every recall threshold reads 2/(3+eps)
two = [{"bbox": [0, 0, 40, 40]}, {"bbox": [100, 100, 40, 40]}]
dets = [det([300, 300, 40, 40], 0.9), det([0, 0, 40, 40], 0.8), det([100, 100, 40, 40], 0.7)]
o = evaluate(gt_of(two), dets)
p3 = 2 / (3 + EPS)
v3 = mean_of(p3, T * R)
check_stats("maxDets", o, [v3, mean_of(p3, R), mean_of(p3, R), -1, v3, -1, 0, 1, 1, -1, 1, -1])

# F: equal scores keep the results file's order (mergesort): a false positive listed first ranks
# first (precision 1/(2+eps) everywhere, and AR1 = 0); listed second, the true positive ranks first
gt1 = gt_of([{"bbox": [0, 0, 40, 40]}])
fp, tp = det([300, 300, 40, 40], 0.5), det([0, 0, 40, 40], 0.5)
half = 1 / (2 + EPS)
check_stats("tie, FP listed first", evaluate(gt1, [fp, tp]),
            [mean_of(half, T * R), mean_of(half, R), mean_of(half, R), -1, mean_of(half, T * R), -1,
             0, 1, 1, -1, 1, -1])
check_stats("tie, TP listed first", evaluate(gt1, [tp, fp]),
            [v_all, v_one, v_one, -1, v_all, -1, 1, 1, 1, -1, 1, -1])

# G: empty images and categories without ground truth change nothing: image 2 is empty, image 3
# holds detections of category 3 (no ground truth: npig = 0, its entries stay -1), category 2 has
# nothing at all (no evaluation entry)
g = gt_of([{"bbox": [10, 10, 50, 50]}], images=(1, 2, 3), cats=(1, 2, 3))
o = evaluate(g, [det([10, 10, 50, 50], 0.9), det([0, 0, 30, 30], 0.99, 3, 3), det([5, 5, 9, 9], 0.3, 3, 3)])
check_stats("empty image, categories without ground truth", o, [v_all, v_one, v_one, -1, v_all, -1, 1, 1, 1, -1, 1, -1])
pc = {c["category_id"]: c["ap"] for c in o["per_class"]}
CK.check(pc == {1: v_all, 2: -1.0, 3: -1.0}, f"per-class AP: {pc}")

# H: the annotation id 0 quirk: a detection matched to ground truth id 0 is stored as dtm = 0,
# which reads as unmatched: a false positive, and the object is not found
o = evaluate(gt_of([{"bbox": [10, 10, 50, 50], "id": 0}]), [det([10, 10, 50, 50], 0.9)])
check_stats("annotation id 0", o, [0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1])

# I: detections of a category the ground truth does not list are dropped and counted
o = evaluate(gt_of([{"bbox": [10, 10, 50, 50]}]), [det([10, 10, 50, 50], 0.9), det([1, 1, 5, 5], 0.99, 1, 77)])
check_stats("unknown category dropped", o, [v_all, v_one, v_one, -1, v_all, -1, 1, 1, 1, -1, 1, -1])
CK.check(o["dets_unknown_category"] == 1 and o["dets_used"] == 1, f"counts: {o['dets_unknown_category']}, {o['dets_used']}")

# J: no detections at all; and a ground truth without categories (nothing is evaluated)
check_stats("no detections", evaluate(gt_of([{"bbox": [10, 10, 50, 50]}]), []),
            [0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1])
g = gt_of([{"bbox": [10, 10, 50, 50]}])
g["categories"] = []
check_stats("no categories", evaluate(g, [det([10, 10, 50, 50], 0.9)]), [-1] * 12)

# ---- the numpy model on synthetic sets --------------------------------------------------------------
def against_model(name, n_images, seed, **kw):
    gt, res = model.synth(n_images, seed, **kw)
    g, d = model.to_arrays(gt, res)
    stats, prec, _ = model.evaluate(g, d)
    o = evaluate(gt, res)
    diff = np.abs(np.array(o["stats"]) - stats).max()
    CK.check(diff <= 1e-12, f"{name}: max |xalign - model| over the 12 stats = {diff}\n  {o['stats']}\n  {stats.tolist()}")
    # per category AP: mean of precision[:, :, k, area all, maxDets 100] > -1
    want = []
    for k in range(prec.shape[2]):
        s = prec[:, :, k, 0, 2]
        want.append(float(np.mean(s[s > -1])) if np.any(s > -1) else -1.0)
    got = [c["ap"] for c in o["per_class"]]
    d2 = np.abs(np.array(got) - np.array(want)).max()
    CK.check(d2 <= 1e-12, f"{name}: per-category AP differs from the model by {d2}")
    print(f"{name}: {len(gt['images'])} images, {len(gt['annotations'])} ground truths, {len(res)} "
          f"detections: AP {o['stats'][0]:.6f}, max |diff| {max(diff, d2):.3g}", flush=True)
    return gt, res


against_model("synthetic, rounded scores", 250, 1)
against_model("synthetic, unrounded scores", 120, 2, round_scores=False)
against_model("synthetic, few detections", 200, 3, dets_per_image=8)

# ---- two runs: the movers ------------------------------------------------------------------------------
# B = A with image X's detections shifted (its matches change) and image Y's dropped
gt, res = model.synth(100, 4)
n_gt = {}
for a in gt["annotations"]:
    n_gt[a["image_id"]] = n_gt.get(a["image_id"], 0) + 1
ids = sorted({r["image_id"] for r in res if n_gt.get(r["image_id"], 0) >= 3})  # images with objects
X, Y = ids[5], ids[17]
b = []
for r in res:
    if r["image_id"] == Y:
        continue
    if r["image_id"] == X:
        r = dict(r, bbox=[r["bbox"][0] + 3.0] + r["bbox"][1:])
    b.append(r)
ga, gb = CK.path("ga.json"), CK.path("movers_b.json")
model.write(CK.path("mgt.json"), gt)
model.write(ga, res)
model.write(gb, b)
rc, out, err = run("cocoeval", "--gt", CK.path("mgt.json"), "--dt", ga, "--dt", gb, "--json")
o = json.loads(out) if rc in (0, 1) else {}
CK.check(rc == 1 and list(o)[:1] == ["schema"] and len(o.get("runs", [])) == 2, f"two runs: exit {rc} {err}")
g, _ = model.to_arrays(gt, res)
sa = model.evaluate(g, model.to_arrays(gt, res)[1])[0]
sb = model.evaluate(g, model.to_arrays(gt, b)[1])[0]
CK.check(np.abs(np.array(o["diff"]) - (sb - sa)).max() <= 1e-12, f"diff = B - A: {o['diff']}")
movers = {m["image_id"]: m["delta"] for m in o["movers"] if m["kind"] == "image"}
CK.check(set(movers) == {X, Y}, f"image movers are exactly X and Y: {sorted(movers)}")
for img in (X, Y):
    swapped = [r for r in b if r["image_id"] != img] + [r for r in res if r["image_id"] == img]
    want = model.evaluate(g, model.to_arrays(gt, swapped)[1])[0][0] - sb[0]
    CK.check(abs(movers.get(img, 1e9) - want) <= 1e-12,
             f"mover {img}: xalign {movers.get(img)}, model {want}")
cat_movers = {m["category_id"] for m in o["movers"] if m["kind"] == "category"}
cats_xy = {r["category_id"] for r in res if r["image_id"] in (X, Y)} | \
    {a["category_id"] for a in gt["annotations"] if a["image_id"] in (X, Y)}
CK.check(cat_movers and cat_movers <= cats_xy, f"category movers {sorted(cat_movers)} within {sorted(cats_xy)}")
rc, out, err = run("cocoeval", "--gt", CK.path("mgt.json"), "--dt", ga, "--dt", gb)
CK.check(rc == 1 and "B - A" in out and f"image {X}:" in out and "categories whose AP moved" in out,
         f"two runs, text: {rc} {out[-600:]} {err}")
rc, out, err = run("cocoeval", "--gt", CK.path("mgt.json"), "--dt", ga, "--dt", ga)
CK.check(rc == 0 and "no image's detections were evaluated differently" in out, f"same file twice: {rc} {err}")

# the text layout is pycocotools' summarize()
rc, out, err = run("cocoeval", "--gt", CK.path("mgt.json"), "--dt", ga)
lines = out.splitlines()
CK.check(rc == 0 and lines[0].startswith(" Average Precision  (AP) @[ IoU=0.50:0.95 | area=   all | maxDets=100 ] = ")
         and lines[6].startswith(" Average Recall     (AR) @[ IoU=0.50:0.95 | area=   all | maxDets=  1 ] = ")
         and lines[1].startswith(" Average Precision  (AP) @[ IoU=0.50      | area=   all | maxDets=100 ] = "),
         f"summarize layout:\n{out}")
CK.done()
