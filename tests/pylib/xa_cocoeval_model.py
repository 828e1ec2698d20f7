"""An independent numpy model of COCOeval (bbox) as spec/postprocessing.md states pycocotools'
rules, and a reproducible synthetic COCO set. Used by tests/oracle/test_cocoeval.py (which checks
xalign against it to 1e-12) and bench/bench_cocoeval.py (which times both).

pycocotools cannot be installed here, so this model is written from the rules, not from its code:
- evaluate: per (image, category) cell, detections stable-sorted by -score and cut to 100; IoU
  in double, no +1, crowd union = detection area; per area range, ground truths ignored when crowd
  or area outside [lo, hi] (both ends inclusive) and stable-sorted non-ignored first; greedy
  matching per threshold in detection order. The greedy loop of the spec is evaluated here in
  closed form, vectorised over the 4 area ranges x 10 thresholds: a detection takes, among the
  ground truths still free (or crowd) with IoU >= min(t, 1-1e-10), the last one of maximal IoU in
  the sorted order, looking at non-ignored ones first and at ignored ones only when none matched
  (the loop's `break`). Unmatched detections (or matched to annotation id 0) outside the area range
  are ignored.
- accumulate: per category and setting, detections of all images (sorted ids) concatenated,
  mergesort by -score, cumulative tp/fp, rc = tp/npig, pr = tp/(tp+fp+eps), right-to-left max,
  searchsorted(rc, recThrs, 'left'), positions past the end stay 0.
- summarize: np.mean of the entries > -1, else -1.
"""
import json

import numpy as np

IOU_THRS = np.linspace(.5, 0.95, int(np.round((0.95 - .5) / .05)) + 1, endpoint=True)
REC_THRS = np.linspace(.0, 1.00, int(np.round((1.00 - .0) / .01)) + 1, endpoint=True)
AREAS = np.array([[0, 1e5 ** 2], [0, 32 ** 2], [32 ** 2, 96 ** 2], [96 ** 2, 1e5 ** 2]])
MAX_DETS = [1, 10, 100]
T, R, A, M = len(IOU_THRS), len(REC_THRS), len(AREAS), len(MAX_DETS)
COCO91 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
          27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51,
          52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77,
          78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]


def _iou(d, g, crowd):
    """bbIou: rows of d (D x 4) against rows of g (G x 4), both x, y, w, h."""
    da = d[:, 2] * d[:, 3]
    ga = g[:, 2] * g[:, 3]
    w = np.minimum(d[:, None, 2] + d[:, None, 0], g[None, :, 2] + g[None, :, 0]) - \
        np.maximum(d[:, None, 0], g[None, :, 0])
    h = np.minimum(d[:, None, 3] + d[:, None, 1], g[None, :, 3] + g[None, :, 1]) - \
        np.maximum(d[:, None, 1], g[None, :, 1])
    inter = w * h
    u = np.where(crowd[None, :], da[:, None], (da[:, None] + ga[None, :]) - inter)
    with np.errstate(invalid="ignore", divide="ignore"):
        o = inter / u
    return np.where((w > 0) & (h > 0), o, 0.0)


def _last_argmax(vals):
    """Index of the last maximum along the last axis."""
    n = vals.shape[-1]
    return n - 1 - np.argmax(vals[..., ::-1], axis=-1)


def _eval_cell(gb, garea, gcrowd, gid, db, dscore):
    """One cell: returns (order of the evaluated dets, flags [A, T, D'] with 1 tp / 2 fp / 0 ignored,
    npig [A])."""
    order = np.argsort(-dscore, kind="mergesort")[:100]
    D, G = len(order), len(gb)
    db = db[order]
    if G == 0:  # nothing to match: every detection is a false positive unless outside the range
        darea = db[:, 2] * db[:, 3]
        outside = (darea[None, :] < AREAS[:, :1]) | (darea[None, :] > AREAS[:, 1:])
        flags = np.broadcast_to(np.where(outside, 0, 2).astype(np.uint8)[:, None, :], (A, T, D))
        return order, flags, np.zeros(A, np.int64)
    flags = np.zeros((A, T, D), np.uint8)
    npig = np.zeros(A, np.int64)
    darea = db[:, 2] * db[:, 3]
    thr = np.minimum(IOU_THRS, 1 - 1e-10)
    # per area: ignore flags and the stable non-ignored-first order of the ground truths
    gig = np.zeros((A, G), bool)
    gorder = np.zeros((A, G), np.int64)
    for a, (lo, hi) in enumerate(AREAS):
        ig = gcrowd | (garea < lo) | (garea > hi)
        gig[a] = ig
        gorder[a] = np.argsort(ig.astype(np.int8), kind="mergesort")
        npig[a] = np.count_nonzero(~ig)
    dtm = np.zeros((A, T, D), np.int64)    # matched gt id, 0 = none
    dtig = np.zeros((A, T, D), bool)
    matched = np.zeros((A, T, D), bool)
    if D and G:
        ious = _iou(db, gb, gcrowd)
        ar = np.arange(A)[:, None]
        sig = gig[ar, gorder]                  # [A, G] ignore flags in sorted order
        scrowd = gcrowd[gorder]                # [A, G]
        sid = gid[gorder]
        gtm = np.zeros((A, T, G), bool)        # in sorted order
        reach = ious.max(axis=1) >= thr.min()  # a detection below every threshold never matches
        for d in np.nonzero(reach)[0]:
            r = ious[d][gorder]                # [A, G]
            free = ~gtm | scrowd[:, None, :]
            cand = free & (r[:, None, :] >= thr[None, :, None])
            res = []
            for block in (~sig, sig):          # non-ignored first, ignored only if none matched
                c = cand & block[:, None, :]
                vals = np.where(c, r[:, None, :], -np.inf)
                res.append((c.any(-1), _last_argmax(vals)))
            (f1, m1), (f2, m2) = res
            found = f1 | f2
            m = np.where(f1, m1, m2)
            aa, tt = np.nonzero(found)
            mm = m[aa, tt]
            gtm[aa, tt, mm] = True
            matched[aa, tt, d] = True
            dtm[aa, tt, d] = sid[aa, mm]
            dtig[aa, tt, d] = sig[aa, mm]
    outside = (darea[None, :] < AREAS[:, :1]) | (darea[None, :] > AREAS[:, 1:])   # [A, D]
    dtig = dtig | ((dtm == 0) & outside[:, None, :])
    flags[(dtm != 0) & ~dtig] = 1
    flags[(dtm == 0) & ~dtig] = 2
    return order, flags, npig


def evaluate(gt, dt):
    """gt: dict(images=[ids], anns=dict(id, image_id, category_id, bbox, area, iscrowd as arrays),
    cats=[ids]); dt: dict(image_id, category_id, bbox, score as arrays, file order).
    Returns (stats[12], precision [T,R,K,A,M], recall [T,K,A,M])."""
    img_ids = np.unique(np.asarray(gt["images"], np.int64))
    cat_ids = np.unique(np.asarray(gt["cats"], np.int64))
    ii = {int(v): i for i, v in enumerate(img_ids)}
    kk = {int(v): k for k, v in enumerate(cat_ids)}
    an = gt["anns"]
    cells = {}
    for j in range(len(an["id"])):
        i, k = ii.get(int(an["image_id"][j])), kk.get(int(an["category_id"][j]))
        if i is None or k is None:
            continue
        cells.setdefault((i, k), ([], []))[0].append(j)
    for j in range(len(dt["score"])):
        i, k = ii[int(dt["image_id"][j])], kk.get(int(dt["category_id"][j]))
        if k is None:
            continue
        cells.setdefault((i, k), ([], []))[1].append(j)
    gbox, garea = np.asarray(an["bbox"], float).reshape(-1, 4), np.asarray(an["area"], float)
    gcrowd, gid = np.asarray(an["iscrowd"]).astype(bool), np.asarray(an["id"], np.int64)
    dbox, dscore = np.asarray(dt["bbox"], float).reshape(-1, 4), np.asarray(dt["score"], float)
    K = len(cat_ids)
    per_cat = [[] for _ in range(K)]
    for (i, k) in sorted(cells):
        g, d = cells[(i, k)]
        g, d = np.array(g, np.int64), np.array(d, np.int64)
        order, flags, npig = _eval_cell(gbox[g], garea[g], gcrowd[g], gid[g], dbox[d], dscore[d])
        per_cat[k].append((dscore[d][order], flags, npig))
    precision = -np.ones((T, R, K, A, M))
    recall = -np.ones((T, K, A, M))
    for k in range(K):
        E = per_cat[k]
        if not E:
            continue
        for a in range(A):
            npig = sum(int(e[2][a]) for e in E)
            if npig == 0:
                continue
            for m, md in enumerate(MAX_DETS):
                sc = np.concatenate([e[0][:md] for e in E])
                inds = np.argsort(-sc, kind="mergesort")
                fl = np.concatenate([e[1][a][:, :md] for e in E], axis=1)[:, inds]
                tps = np.cumsum(fl == 1, axis=1).astype(float)
                fps = np.cumsum(fl == 2, axis=1).astype(float)
                nd = tps.shape[1]
                rc = tps / npig
                pr = tps / (fps + tps + np.spacing(1))
                recall[:, k, a, m] = rc[:, -1] if nd else 0
                if nd:
                    pr = np.maximum.accumulate(pr[:, ::-1], axis=1)[:, ::-1]
                for t in range(T):
                    pi = np.searchsorted(rc[t], REC_THRS, side="left")
                    ok = pi < nd    # positions past the end stay 0
                    q = np.zeros(R)
                    q[ok] = pr[t, pi[ok]]
                    precision[t, :, k, a, m] = q
    stats = summarize(precision, recall)
    return stats, precision, recall


def summarize(precision, recall):
    def one(ap, thr=None, a=0, m=2):
        s = precision if ap else recall
        if thr is not None:
            s = s[np.where(thr == IOU_THRS)[0]]
        s = s[:, :, :, a, m] if ap else s[:, :, a, m]
        return -1 if len(s[s > -1]) == 0 else np.mean(s[s > -1])
    return np.array([one(1), one(1, .5), one(1, .75), one(1, a=1), one(1, a=2), one(1, a=3),
                     one(0, m=0), one(0, m=1), one(0), one(0, a=1), one(0, a=2), one(0, a=3)])


# ---- a reproducible synthetic COCO set -------------------------------------------------------------
def synth(n_images, seed, dets_per_image=100, gt_per_image=7.2, round_scores=True):
    """A COCO-like ground truth and results: 80 categories with COCO's ids (3 without any ground
    truth), box sizes across small/medium/large, areas below box areas and some exactly on the range
    bounds, 1% crowd, images without ground truth or without detections, and detections that are
    jittered copies of ground truths (some of another category), duplicates, and random boxes.
    Ground-truth copies score higher than random boxes on average. Scores are rounded to 2 decimals for a fifth of the detections (ties), else to 5 (the seed)."""
    rng = np.random.default_rng(seed)
    img_ids = rng.choice(np.arange(1, 50 * n_images + 10), n_images, replace=False)
    cats = list(COCO91)
    gt_cats = cats[:77]
    images, anns = [], []
    aid = 1
    for iid in img_ids:
        W, H = int(rng.integers(320, 1280)), int(rng.integers(240, 960))
        images.append({"id": int(iid), "width": W, "height": H, "file_name": f"{iid:012d}.jpg"})
        n = 0 if rng.random() < 0.1 else int(rng.poisson(gt_per_image / 0.9))
        for _ in range(n):
            s = float(np.exp(rng.uniform(np.log(4), np.log(min(W, H) * 0.9))))
            ar = float(rng.uniform(0.5, 2.0))
            w, h = min(s * ar ** 0.5, W - 1.0), min(s / ar ** 0.5, H - 1.0)
            x, y = float(rng.uniform(0, W - w)), float(rng.uniform(0, H - h))
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            u = rng.random()
            area = 1024.0 if u < 0.01 else 9216.0 if u < 0.02 else float(box[2] * box[3] * rng.uniform(0.4, 1.0))
            anns.append({"id": aid, "image_id": int(iid), "category_id": int(rng.choice(gt_cats)),
                         "bbox": box, "area": area, "iscrowd": int(rng.random() < 0.01),
                         "segmentation": [[box[0], box[1], box[0] + box[2], box[1], box[0], box[1] + box[3]]]})
            aid += 1
    gt = {"info": {"description": "xalign synthetic"}, "images": images, "annotations": anns,
          "categories": [{"id": c, "name": f"cat{c}", "supercategory": "x"} for c in cats]}
    by_img = {}
    for a in anns:
        by_img.setdefault(a["image_id"], []).append(a)
    res = []
    for im in images:
        if rng.random() < 0.05:
            continue
        W, H = im["width"], im["height"]
        nd = int(rng.integers(dets_per_image // 2, dets_per_image * 3 // 2 + 1))
        out = []
        for a in by_img.get(im["id"], []):
            for _ in range(int(rng.integers(0, 4))):
                x, y, w, h = a["bbox"]
                j = rng.normal(0, 0.08, 4) * np.array([w, h, w, h])
                b = [x + j[0], y + j[1], max(w + j[2], 0.5), max(h + j[3], 0.5)]
                c = a["category_id"] if rng.random() < 0.85 else int(rng.choice(cats))
                out.append((c, b, float(rng.beta(4, 2))))
        while len(out) < nd:
            w, h = float(np.exp(rng.uniform(np.log(3), np.log(W * 0.8)))), float(np.exp(rng.uniform(np.log(3), np.log(H * 0.8))))
            out.append((int(rng.choice(cats)), [float(rng.uniform(0, W - w)), float(rng.uniform(0, H - h)), w, h],
                        float(rng.beta(1, 4))))
        if rng.random() < 0.3 and out:  # exact duplicates
            out.append(out[int(rng.integers(len(out)))])
        for c, b, s in out:
            s = round(s, 2) if rng.random() < 0.2 else (round(s, 5) if round_scores else s)
            res.append({"image_id": im["id"], "category_id": c, "bbox": [round(float(v), 3) for v in b], "score": s})
    perm = rng.permutation(len(res))   # results in no particular image order
    res = [res[i] for i in perm]
    return gt, res


def to_arrays(gt, res):
    an = gt["annotations"]
    g = {"images": [im["id"] for im in gt["images"]], "cats": [c["id"] for c in gt["categories"]],
         "anns": {"id": np.array([a["id"] for a in an], np.int64),
                  "image_id": np.array([a["image_id"] for a in an], np.int64),
                  "category_id": np.array([a["category_id"] for a in an], np.int64),
                  "bbox": np.array([a["bbox"] for a in an], float).reshape(-1, 4),
                  "area": np.array([a["area"] for a in an], float),
                  "iscrowd": np.array([a["iscrowd"] for a in an], np.int64)}}
    d = {"image_id": np.array([r["image_id"] for r in res], np.int64),
         "category_id": np.array([r["category_id"] for r in res], np.int64),
         "bbox": np.array([r["bbox"] for r in res], float).reshape(-1, 4),
         "score": np.array([r["score"] for r in res], float)}
    return g, d


def write(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f)
