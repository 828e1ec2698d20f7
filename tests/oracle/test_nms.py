"""NMS against the real libraries of Debian 12: torchvision 0.14 ops.nms / ops.batched_nms (both
paths), OpenCV 4.6 cv2.dnn.NMSBoxes, and YOLOv5 v7.0 non_max_suppression (an oracle written here
in torch from the YOLOv5 source, around the real torchvision.ops.nms). Thousands of random box sets
with ties, duplicate boxes, zero-area and inverted boxes, NaN/inf, thresholds hit exactly, eta,
top_k. Every comparison is of the kept index lists, element for element (order included).

Ties: torchvision 0.14's CPU nms kernel sorts with stable=true (equal scores keep index order),
so its order is fully specified; the per-class batched path and YOLOv5 re-sort with torch's
non-stable sort (std::sort), whose tie order xalign reproduces move for move. So no comparison
here falls back to sets: an unspecified tie order would show up as a failure.

The library is called through ctypes (thousands of calls); the CLI is checked on a few sets at
the end, and by tests/cli/test_nms.py."""
import ctypes
import numpy as np
import torch
import torchvision
import cv2
from xa_ctypes import XaError, XaTensor, load_lib
from xa_testlib import Checker, run_json

ck = Checker("nms")
rng = np.random.default_rng(20240901)
torch.set_num_threads(1)
stats = {}  # family -> [cases, failures]


# ---- ctypes binding -------------------------------------------------------------------------------
class TvOpts(ctypes.Structure):
    _fields_ = [("iou_threshold", ctypes.c_double), ("path", ctypes.c_int)]


class CvOpts(ctypes.Structure):
    _fields_ = [("score_threshold", ctypes.c_double), ("nms_threshold", ctypes.c_double),
                ("eta", ctypes.c_double), ("top_k", ctypes.c_int64)]


class YoloOpts(ctypes.Structure):
    _fields_ = [("conf_thres", ctypes.c_double), ("iou_thres", ctypes.c_double), ("agnostic", ctypes.c_int),
                ("multi_label", ctypes.c_int), ("max_det", ctypes.c_int64),
                ("classes", ctypes.POINTER(ctypes.c_int64)), ("nclasses", ctypes.c_int)]


LIB = load_lib()
PT, PE = ctypes.POINTER(XaTensor), ctypes.POINTER(XaError)
LIB.xa_tv_nms.argtypes = [PT, PT, PT, ctypes.POINTER(TvOpts), ctypes.POINTER(PT), PE]
LIB.xa_cv_nms_boxes.argtypes = [PT, PT, ctypes.POINTER(CvOpts), ctypes.POINTER(PT), PE]
LIB.xa_yolov5_nms.argtypes = [PT, ctypes.POINTER(YoloOpts), ctypes.POINTER(PT), PE]
DTYPES = {np.dtype(np.float32): 12, np.dtype(np.float64): 13, np.dtype(np.int64): 8,
          np.dtype(np.int32): 6}
PATHS = {"auto": 0, "offset": 1, "per-class": 2}


def tensor(a):
    """An xa_tensor viewing a C-contiguous numpy array (the caller keeps `a` alive)."""
    t = XaTensor()
    t.dtype, t.rank = DTYPES[a.dtype], a.ndim
    for k, s in enumerate(a.shape):
        t.shape[k] = s
    t.data, t.nbytes = a.ctypes.data, a.nbytes
    return t


def take(t):
    c = t.contents
    shape = tuple(c.shape[:c.rank])
    dt = {8: np.int64, 12: np.float32}[c.dtype]
    n = int(np.prod(shape)) if shape else 1
    a = np.frombuffer(ctypes.string_at(c.data, c.nbytes), dtype=dt, count=n).reshape(shape).copy() \
        if c.nbytes else np.zeros(shape, dt)
    LIB.xa_tensor_free(t)
    return a


def xa_tv(boxes, scores, iou, idxs=None, path="auto"):
    boxes, scores = np.ascontiguousarray(boxes), np.ascontiguousarray(scores)
    tb, ts = tensor(boxes), tensor(scores)
    ti = None
    if idxs is not None:
        idxs = np.ascontiguousarray(idxs)
        ti = ctypes.pointer(tensor(idxs))
    out, e = PT(), XaError()
    if LIB.xa_tv_nms(ctypes.byref(tb), ctypes.byref(ts), ti, ctypes.byref(TvOpts(iou, PATHS[path])),
                     ctypes.byref(out), ctypes.byref(e)):
        return e.message.decode()
    return take(out)


def xa_cv(boxes, scores, st, nt, eta=1.0, top_k=0):
    boxes, scores = np.ascontiguousarray(boxes), np.ascontiguousarray(scores)
    tb, ts = tensor(boxes), tensor(scores)
    out, e = PT(), XaError()
    if LIB.xa_cv_nms_boxes(ctypes.byref(tb), ctypes.byref(ts), ctypes.byref(CvOpts(st, nt, eta, top_k)),
                           ctypes.byref(out), ctypes.byref(e)):
        return e.message.decode()
    return take(out)


def xa_yolo(pred, conf, iou, agnostic=False, multi=False, max_det=300, classes=None):
    """Per-image detections, split from xa_yolov5_nms's [M, 7] rows (image, x1, ..., cls)."""
    pred = np.ascontiguousarray(pred)
    tp = tensor(pred)
    cls = (ctypes.c_int64 * len(classes))(*classes) if classes else None
    o = YoloOpts(conf, iou, int(agnostic), int(multi), max_det, cls, len(classes) if classes else 0)
    out, e = PT(), XaError()
    if LIB.xa_yolov5_nms(ctypes.byref(tp), ctypes.byref(o), ctypes.byref(out), ctypes.byref(e)):
        return e.message.decode()
    c = out.contents
    rows = np.frombuffer(ctypes.string_at(c.data, c.nbytes), np.float32).reshape(-1, 7).copy() \
        if c.nbytes else np.zeros((0, 7), np.float32)
    LIB.xa_tensor_free(out)
    return [rows[rows[:, 0] == b, 1:] for b in range(pred.shape[0])]


def same(family, got, want, what):
    s = stats.setdefault(family, [0, 0])
    s[0] += 1
    want = np.asarray(want).reshape(-1).astype(np.int64)
    ok = not isinstance(got, str) and got.shape == want.shape and bool((got == want).all())
    if not ok:
        s[1] += 1
        if s[1] <= 5:
            if isinstance(got, str):
                detail = f"xalign: {got}"
            else:
                k = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]), min(len(got), len(want)))
                detail = (f"{len(got)} vs {len(want)} kept, first difference at position {k}: xalign "
                          f"{got[k:k + 8].tolist()} vs {want[k:k + 8].tolist()}")
            ck.check(False, f"{family}: {what}: {detail}")
            return
    ck.check(ok, f"{family}: {what}")


# ---- box sets -------------------------------------------------------------------------------------
def xyxy_set(n, kind):
    """n float32 x1, y1, x2, y2 boxes of a kind that stresses one rule."""
    if kind == "random":
        xy = rng.uniform(0, 100, (n, 2))
        wh = rng.uniform(0, 40, (n, 2))
    elif kind == "grid":  # small integers: exact IoU values such as 1/2, 1/3, 0/0
        xy = rng.integers(0, 6, (n, 2)).astype(np.float64)
        wh = rng.integers(0, 5, (n, 2)).astype(np.float64)
    elif kind == "dups":  # few distinct boxes, repeated exactly or nearly
        base = np.concatenate([rng.uniform(0, 50, (4, 2)), rng.uniform(1, 30, (4, 2))], 1)
        pick = base[rng.integers(0, 4, n)]
        jitter = rng.choice([0.0, 0.0, 1e-3, 0.5], (n, 1)) * rng.standard_normal((n, 4))
        b = pick + jitter
        xy, wh = b[:, :2], b[:, 2:]
    elif kind == "far":  # large coordinates: float32 rounding in every difference
        xy = rng.uniform(1e5, 1e5 + 50, (n, 2))
        wh = rng.uniform(0, 20, (n, 2))
    else:  # degenerate: zero-area, inverted, NaN and inf coordinates among normal boxes
        xy = rng.uniform(0, 30, (n, 2))
        wh = rng.uniform(-5, 15, (n, 2))
        wh[rng.random((n, 2)) < 0.3] = 0
        b = np.concatenate([xy, xy + wh], 1)
        bad = rng.random((n, 4))
        b[bad < 0.02] = np.nan
        b[(bad >= 0.02) & (bad < 0.03)] = np.inf
        b[(bad >= 0.03) & (bad < 0.04)] = -np.inf
        return b.astype(np.float32)
    return np.concatenate([xy, xy + wh], 1).astype(np.float32)


def score_set(n, kind):
    if kind == "random":
        return rng.random(n).astype(np.float32)
    if kind == "ties":
        return (rng.integers(0, 4, n) / 4).astype(np.float32)
    if kind == "equal":
        return np.full(n, 0.5, np.float32)
    s = rng.random(n).astype(np.float32)  # special values
    r = rng.random(n)
    s[r < 0.05] = np.nan
    s[(r >= 0.05) & (r < 0.08)] = np.inf
    s[(r >= 0.08) & (r < 0.1)] = -np.inf
    s[(r >= 0.1) & (r < 0.15)] = -0.0
    s[(r >= 0.15) & (r < 0.2)] = 0.0
    return s


def tv_iou(b, i, j):
    """IoU of boxes i and j as the CPU kernel computes it (float32, left to right)."""
    f = np.float32
    a, c = b[i], b[j]
    with np.errstate(all="ignore"):
        w = max(f(0), min(a[2], c[2]) - max(a[0], c[0]))
        h = max(f(0), min(a[3], c[3]) - max(a[1], c[1]))
        inter = f(w * h)
        ai = f((a[2] - a[0]) * (a[3] - a[1]))
        aj = f((c[2] - c[0]) * (c[3] - c[1]))
        return f(inter / f(f(ai + aj) - inter))


def thresholds(b):
    """iou thresholds: random, common, and ones a pair's IoU hits exactly (equal: kept) or just
    misses (one float below, or a double a hair below the float value: suppressed)."""
    out = [float(rng.random()), float(rng.choice([0.3, 0.45, 0.5, 0.6, 0.7]))]
    n = len(b)
    if n >= 2:
        for _ in range(3):
            i, j = rng.choice(n, 2, replace=False)
            v = tv_iou(b, i, j)
            if np.isfinite(v) and 0 <= v <= 1:
                out += [float(v), float(np.nextafter(v, np.float32(-1))), float(v) - 1e-12]
    return out


# ---- torchvision.ops.nms --------------------------------------------------------------------------
kinds = ["random", "grid", "dups", "far", "degenerate"]
skinds = ["random", "ties", "equal", "special"]
for case in range(1000):
    n = int(rng.choice([0, 1, 2, 5, 16, 17, 40, 120, 300]))
    bk, sk = kinds[case % 5], skinds[(case // 5) % 4]
    b, s = xyxy_set(n, bk), score_set(n, sk)
    ts = thresholds(b)
    for thr in ts[:2] + ts[2:][(case % 3) * 3:(case % 3) * 3 + 3]:  # 2 plain, <= 3 on a boundary
        want = torchvision.ops.nms(torch.from_numpy(b), torch.from_numpy(s), thr)
        same("nms", xa_tv(b, s, thr), want.numpy(), f"{n} {bk} boxes, {sk} scores, iou {thr!r}")
# float64 boxes and scores: the kernel in double
for case in range(100):
    n = int(rng.choice([3, 30, 200]))
    b = xyxy_set(n, kinds[case % 5]).astype(np.float64) + rng.uniform(0, 1e-3, (n, 4))
    s = score_set(n, skinds[case % 4]).astype(np.float64)
    thr = float(rng.random())
    want = torchvision.ops.nms(torch.from_numpy(b), torch.from_numpy(s), thr)
    same("nms-f64", xa_tv(b, s, thr), want.numpy(), f"{n} float64 boxes, iou {thr!r}")

# ---- torchvision.ops.batched_nms: both paths --------------------------------------------------------
for case in range(500):
    n = int(rng.choice([1, 7, 60, 300, 1000]))  # numel <= 4000: the coordinate trick
    bk, sk = kinds[case % 5], skinds[(case // 5) % 4]
    b, s = xyxy_set(n, bk), score_set(n, sk)
    ncls = int(rng.choice([1, 3, 20]))
    idx = rng.integers(0, ncls, n).astype(np.int64)
    if case % 7 == 0:  # big class ids: the float32 offsets round the coordinates
        idx = idx * int(rng.choice([1000, 65537, 10 ** 7])) - 3
    ts = thresholds(b)
    thr = ts[int(rng.integers(0, len(ts)))]
    want = torchvision.ops.batched_nms(torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(idx), thr)
    same("batched-offset", xa_tv(b, s, thr, idx), want.numpy(), f"{n} {bk} boxes, {sk} scores, "
         f"{ncls} classes, iou {thr!r}")
for case in range(24):
    n = int(rng.choice([1001, 1500, 4500]))  # numel > 4000: the per-class loop and the re-sort
    bk, sk = kinds[case % 5], ["ties", "special", "random", "equal"][case % 4]
    b, s = xyxy_set(n, bk), score_set(n, sk)
    with np.errstate(all="ignore"):  # inf - inf in the degenerate sets: NaN, as intended
        b[:, :2] *= 20
        b[:, 2:] = b[:, :2] + (b[:, 2:] - b[:, :2] / 20) / 2  # spread out: many boxes kept
    idx = rng.integers(0, int(rng.choice([2, 10, 80])), n).astype(np.int64)
    thr = float(rng.choice([0.3, 0.5, 0.7]))
    want = torchvision.ops.batched_nms(torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(idx), thr)
    same("batched-per-class", xa_tv(b, s, thr, idx), want.numpy(), f"{n} {bk} boxes, {sk} scores, iou {thr}")


# the re-sort's heapsort fallback: scores that drive libstdc++'s introsort past its depth limit
# (McIlroy's adversary, run against a model of the introsort used only to generate the input)
def killer_scores(n):
    """Scores for which libstdc++'s introsort (median of first+1, mid, last-1) degrades, built by
    McIlroy's adversary ("A killer adversary for quicksort", 1999): items are "gas" (sorting last)
    until a comparison needs them solid; the pivot candidate is frozen first. Once the depth limit
    sends a range to heapsort, gas stays gas: two gas items compare equal from then on, so the
    heapsort and the final insertion sort run on many equal scores, whose final order only the
    moves decide. Returns (scores, whether the model fell back to heapsort)."""
    rank = [None] * n
    state = {"solid": 0, "cand": -1, "heap": False}

    def freeze(i):
        rank[i] = state["solid"]
        state["solid"] += 1

    def less(a, b):  # "a before b" in the descending sort: a ranks lower
        x, y = a[1], b[1]
        if rank[x] is None and rank[y] is None:
            if state["heap"]:
                return False  # equal
            freeze(x if x == state["cand"] else y)
        if rank[x] is None:
            state["cand"] = x
        elif rank[y] is None:
            state["cand"] = y
        rx = n if rank[x] is None else rank[x]
        ry = n if rank[y] is None else rank[y]
        return rx < ry

    used_heap = introsort_model([(0.0, i) for i in range(n)], less, state)
    return np.array([-(n if r is None else r) for r in rank], np.float32), used_heap


def introsort_model(a, less, state):
    """libstdc++ std::sort on a list, moves as in bits/stl_algo.h (used only by killer_scores to
    generate input; the answer is torch's). Returns whether the heapsort fallback ran."""
    def adjust(first, hole, ln, value):
        top, second = hole, hole
        while second < (ln - 1) // 2:
            second = 2 * (second + 1)
            if less(a[first + second], a[first + second - 1]):
                second -= 1
            a[first + hole] = a[first + second]
            hole = second
        if ln & 1 == 0 and second == (ln - 2) // 2:
            second = 2 * (second + 1)
            a[first + hole] = a[first + second - 1]
            hole = second - 1
        parent = (hole - 1) // 2
        while hole > top and less(a[first + parent], value):
            a[first + hole] = a[first + parent]
            hole = parent
            parent = (hole - 1) // 2
        a[first + hole] = value

    def heapsort(first, last):
        used[0] = state["heap"] = True
        ln = last - first
        if ln >= 2:
            parent = (ln - 2) // 2
            while True:
                adjust(first, parent, ln, a[first + parent])
                if parent == 0:
                    break
                parent -= 1
        while last - first > 1:
            last -= 1
            v = a[last]
            a[last] = a[first]
            adjust(first, 0, last - first, v)

    def swap(i, j):
        a[i], a[j] = a[j], a[i]

    def loop(first, last, depth):
        while last - first > 16:
            if depth == 0:
                heapsort(first, last)
                return
            depth -= 1
            x, y, z = first + 1, first + (last - first) // 2, last - 1
            if less(a[x], a[y]):
                swap(first, y if less(a[y], a[z]) else z if less(a[x], a[z]) else x)
            else:
                swap(first, x if less(a[x], a[z]) else z if less(a[y], a[z]) else y)
            lo, hi = first + 1, last
            while True:
                while less(a[lo], a[first]):
                    lo += 1
                hi -= 1
                while less(a[first], a[hi]):
                    hi -= 1
                if not lo < hi:
                    break
                swap(lo, hi)
                lo += 1
            loop(lo, last, depth)
            last = lo

    def linear_insert(i):
        v = a[i]
        while less(v, a[i - 1]):
            a[i] = a[i - 1]
            i -= 1
        a[i] = v

    def insertion(first, last):
        for i in range(first + 1, last):
            if less(a[i], a[first]):
                v = a[i]
                a[first + 1:i + 1] = a[first:i]
                a[first] = v
            else:
                linear_insert(i)

    used = [False]
    n = len(a)
    if n > 1:
        loop(0, n, 2 * (n.bit_length() - 1))
        if n > 16:
            insertion(0, 16)
            for i in range(16, n):
                linear_insert(i)
        else:
            insertion(0, n)
    return used[0]


for n in [1001, 1200, 2048]:
    s, used_heap = killer_scores(n)
    ties = int((s == s.min()).sum())  # the items still gas at the end
    ck.check(used_heap and ties > 1, f"adversarial scores for n={n} reach the heapsort ({used_heap}) with ties ({ties})")
    b = np.stack([np.arange(n) * 10.0, np.zeros(n), np.arange(n) * 10.0 + 5, np.full(n, 5.0)], 1).astype(np.float32)
    idx = (np.arange(n) % 3).astype(np.int64)  # disjoint boxes: all kept, the order is the re-sort
    want = torchvision.ops.batched_nms(torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(idx), 0.5)
    same("batched-per-class", xa_tv(b, s, 0.5, idx), want.numpy(),
         f"{n} disjoint boxes, adversarial scores with {ties} tied")

# forced paths agree with torchvision's private functions on any size
from torchvision.ops.boxes import _batched_nms_coordinate_trick, _batched_nms_vanilla  # noqa: E402
for case in range(60):
    n = int(rng.choice([5, 200, 1200]))
    b, s = xyxy_set(n, kinds[case % 5]), score_set(n, skinds[case % 4])
    idx = rng.integers(0, 4, n).astype(np.int64) * int(rng.choice([1, 100000]))
    thr = float(rng.random())
    tb, ts, ti = torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(idx)
    same("batched-forced", xa_tv(b, s, thr, idx, "offset"), _batched_nms_coordinate_trick(tb, ts, ti, thr).numpy(),
         f"offset path, {n} boxes")
    same("batched-forced", xa_tv(b, s, thr, idx, "per-class"), _batched_nms_vanilla(tb, ts, ti, thr).numpy(),
         f"per-class path, {n} boxes")


# ---- cv2.dnn.NMSBoxes --------------------------------------------------------------------------------
def xywh_set(n, kind):
    """n float64 x, y, w, h boxes (Python floats reach OpenCV as doubles)."""
    if kind == "random":
        b = np.concatenate([rng.uniform(0, 100, (n, 2)), rng.uniform(0, 40, (n, 2))], 1)
    elif kind == "grid":
        b = rng.integers(-2, 6, (n, 4)).astype(np.float64)
    elif kind == "dups":
        base = np.concatenate([rng.uniform(0, 50, (4, 2)), rng.uniform(1, 30, (4, 2))], 1)
        b = base[rng.integers(0, 4, n)] + rng.choice([0.0, 0.0, 1e-9, 0.3], (n, 1)) * rng.standard_normal((n, 4))
    elif kind == "far":  # 1e9 + small boxes: the intersection's rounding decides (4.6's formula)
        b = np.concatenate([1e9 + rng.uniform(0, 1, (n, 2)), rng.uniform(0, 1, (n, 2))], 1)
    else:  # zero-area (the empty-box rule), negative sizes, NaN, negative coordinates
        b = np.concatenate([rng.uniform(-20, 30, (n, 2)), rng.uniform(-5, 15, (n, 2))], 1)
        b[rng.random((n, 2)).any(1) & (rng.random(n) < 0.3), 2] = 0
        b[rng.random(n) < 0.1, 3] = 0
        b[rng.random((n, 4)) < 0.01] = np.nan
        b[rng.random((n, 4)) < 0.01] = 1e-170  # areas below DBL_EPSILON
    return b


def cv_overlap(b, i, j):
    """1.f - (float)jaccardDistance as OpenCV 4.6 computes it: only to find thresholds on a
    boundary (the answer is OpenCV's)."""
    a, c = b[i], b[j]
    aa, ab = a[2] * a[3], c[2] * c[3]
    if aa + ab <= np.finfo(np.float64).eps:
        d = 0.0
    else:
        if a[2] <= 0 or a[3] <= 0 or c[2] <= 0 or c[3] <= 0:
            inter = 0.0
        else:
            xmin, xmax = (a, c) if a[0] < c[0] else (c, a)
            ymin, ymax = (a, c) if a[1] < c[1] else (c, a)
            w = min(xmin[2] - (xmax[0] - xmin[0]), xmax[2])
            h = min(ymin[3] - (ymax[1] - ymin[1]), ymax[3])
            inter = w * h if w > 0 and h > 0 else 0.0
        with np.errstate(all="ignore"):
            d = 1.0 - inter / (aa + ab - inter)
    return np.float32(1.0) - np.float32(d)


for case in range(1100):
    n = int(rng.choice([0, 1, 2, 5, 17, 50, 200]))
    bk = kinds[case % 5]
    b = xywh_set(n, bk)
    s = score_set(n, skinds[(case // 5) % 4]).astype(np.float64) + (rng.random(n) * 1e-9 if case % 2 else 0)
    st = float(rng.choice([0.0, 0.0, 0.25, float(rng.random())]))
    if n and case % 4 == 0:
        st = float(s[rng.integers(0, n)]) if np.isfinite(s).all() and (s >= 0).all() else st  # score hits exactly
    nts = [float(rng.choice([0.3, 0.45, 0.5])), float(rng.random())]
    if n >= 2:
        i, j = rng.choice(n, 2, replace=False)
        v = cv_overlap(b, i, j)
        if np.isfinite(v) and v >= 0:
            nts += [float(v), float(np.nextafter(v, np.float32(-1)))]
    nts = [t for t in nts if t >= 0]  # NMSBoxes asserts nms_threshold >= 0 (tested below)
    eta, top_k = 1.0, 0
    if case % 3 == 1:
        eta = float(rng.choice([0.5, 0.9, 0.99, 1.5]))
        nts = [min(1.0, t + 0.4) for t in nts]  # above 0.5, where eta adapts
    if case % 5 == 2:
        top_k = int(rng.choice([1, 3, n, n + 5]))
    for nt in nts[:1] + nts[1 + case % 3:2 + case % 3]:
        with np.errstate(all="ignore"):
            want = cv2.dnn.NMSBoxes(b.tolist(), s.tolist(), st, nt, eta=eta, top_k=top_k)
        same("NMSBoxes", xa_cv(b, s, st, nt, eta, top_k), np.array(want).reshape(-1),
             f"{n} {bk} boxes, score > {st!r}, nms {nt!r}, eta {eta}, top_k {top_k}")
# float32 numpy boxes and scores, as ports pass them
for case in range(100):
    n = int(rng.choice([3, 40, 150]))
    b = xywh_set(n, kinds[case % 5]).astype(np.float32)
    s = score_set(n, skinds[case % 4])
    nt = float(rng.random())
    with np.errstate(all="ignore"):
        want = cv2.dnn.NMSBoxes(b.tolist(), s.tolist(), 0.1, nt)
    same("NMSBoxes-f32", xa_cv(b, s, 0.1, nt), np.array(want).reshape(-1), f"{n} float32 boxes, nms {nt!r}")

# OpenCV's assertions are errors here too
for st, nt, eta, what in [(-0.1, 0.5, 1.0, "score_threshold"), (0.1, -0.5, 1.0, "nms_threshold"),
                          (0.1, 0.5, 0.0, "eta"), (float("nan"), 0.5, 1.0, "score_threshold")]:
    b, s = xywh_set(3, "random"), np.array([0.5, 0.6, 0.7])
    try:
        cv2.dnn.NMSBoxes(b.tolist(), s.tolist(), st, nt, eta=eta)
        raised = False
    except cv2.error:
        raised = True
    got = xa_cv(b, s, st, nt, eta)
    ck.check(raised and isinstance(got, str) and what in got, f"NMSBoxes asserts {what}: cv2 raised {raised}, xalign {got}")


# ---- YOLOv5 v7.0 non_max_suppression ----------------------------------------------------------------
def xywh2xyxy(x):
    y = x.clone()
    y[:, 0] = x[:, 0] - x[:, 2] / 2
    y[:, 1] = x[:, 1] - x[:, 3] / 2
    y[:, 2] = x[:, 0] + x[:, 2] / 2
    y[:, 3] = x[:, 1] + x[:, 3] / 2
    return y


def yolov5_nms(prediction, conf_thres=0.25, iou_thres=0.45, classes=None, agnostic=False, multi_label=False,
               max_det=300):
    """The pre-steps of ultralytics/yolov5 v7.0 utils/general.py non_max_suppression as the spec
    states them (no masks, no apriori labels, no time limit), around the real torchvision nms."""
    bs = prediction.shape[0]
    nc = prediction.shape[2] - 5
    xc = prediction[..., 4] > conf_thres
    max_wh, max_nms = 7680, 30000
    multi_label &= nc > 1
    output = [torch.zeros((0, 6))] * bs
    for xi, x in enumerate(prediction):
        x = x[xc[xi]]
        if not x.shape[0]:
            continue
        x[:, 5:] *= x[:, 4:5]
        box = xywh2xyxy(x[:, :4])
        if multi_label:
            i, j = (x[:, 5:] > conf_thres).nonzero(as_tuple=False).T
            x = torch.cat((box[i], x[i, 5 + j, None], j[:, None].float()), 1)
        else:
            conf, j = x[:, 5:].max(1, keepdim=True)
            x = torch.cat((box, conf, j.float()), 1)[conf.view(-1) > conf_thres]
        if classes is not None:
            x = x[(x[:, 5:6] == torch.tensor(classes)).any(1)]
        n = x.shape[0]
        if not n:
            continue
        x = x[x[:, 4].argsort(descending=True)[:max_nms]]
        c = x[:, 5:6] * (0 if agnostic else max_wh)
        boxes, scores = x[:, :4] + c, x[:, 4]
        i = torchvision.ops.nms(boxes, scores, iou_thres)
        i = i[:max_det]
        output[xi] = x[i]
    return output


def yolo_pred(b, n, nc, kind):
    p = np.zeros((b, n, 5 + nc), np.float32)
    p[..., 0:2] = rng.uniform(0, 640, (b, n, 2))
    p[..., 2:4] = rng.uniform(2, 120, (b, n, 2))
    if kind == "clustered":  # many boxes around few objects, as a detector outputs
        centers = rng.uniform(50, 590, (4, 2))
        p[..., 0:2] = centers[rng.integers(0, 4, (b, n))] + rng.normal(0, 4, (b, n, 2))
    p[..., 4] = rng.random((b, n))
    p[..., 5:] = rng.random((b, n, nc))
    if kind == "ties":  # quantised scores: equal confidences everywhere (the argsort decides)
        p[..., 4] = np.round(p[..., 4] * 4) / 4
        p[..., 5:] = np.round(p[..., 5:] * 2) / 2
    if kind == "special":
        p[..., 4][rng.random((b, n)) < 0.02] = np.nan
        p[..., 5:][rng.random((b, n, nc)) < 0.02] = np.nan
        p[..., 0][rng.random((b, n)) < 0.01] = np.inf
    return p


def rows_equal(got, want):
    return all(g.shape == w.shape and np.array_equal(g.view(np.uint32), w.view(np.uint32)) for g, w in zip(got, want)) \
        and len(got) == len(want)


for case in range(200):
    b, n = int(rng.choice([1, 2])), int(rng.choice([0, 1, 30, 300, 1500]))
    nc = int(rng.choice([1, 2, 5, 80]))
    kind = ["clustered", "random", "ties", "special"][case % 4]
    p = yolo_pred(b, n, nc, kind)
    conf = float(rng.choice([0.25, 0.001, 0.5, 0.250000025]))  # the last: float32 vs double compare
    if case % 3 == 0 and nc > 2 and n > 300:  # multi-label with conf 0.001: 10^5 candidates, slow in
        conf = 0.5                            # torchvision; val.py's setting runs on smaller sets
    iou = float(rng.choice([0.45, 0.6, float(rng.random())]))
    agnostic, multi = bool(case % 5 == 0), bool(case % 3 == 0)
    max_det = int(rng.choice([300, 1000, 5]))
    classes = [0, 2] if case % 7 == 0 else None
    with np.errstate(all="ignore"):
        want = [t.numpy() for t in yolov5_nms(torch.from_numpy(p.copy()), conf, iou, classes, agnostic, multi, max_det)]
    got = xa_yolo(p, conf, iou, agnostic, multi, max_det, classes)
    s = stats.setdefault("yolov5", [0, 0])
    s[0] += 1
    ok = not isinstance(got, str) and rows_equal(got, want)
    s[1] += not ok
    ck.check(ok, f"yolov5: {b}x{n}x{5 + nc} {kind}, conf {conf}, iou {iou}, agnostic {agnostic}, multi {multi}, "
                 f"max_det {max_det}, classes {classes}: "
                 f"{got if isinstance(got, str) else [len(g) for g in got]} vs {[len(w) for w in want]}")

# ---- the CLI on a few sets: the same answers as the library ----------------------------------------
for case in range(6):
    n = 40
    b, s = xyxy_set(n, kinds[case % 5]), score_set(n, "ties")
    idx = rng.integers(0, 3, n).astype(np.int64)
    np.save(ck.path("b.npy"), b), np.save(ck.path("s.npy"), s), np.save(ck.path("i.npy"), idx)
    rc, j = run_json("nms", ck.path("b.npy"), ck.path("s.npy"), "--like", "torchvision", "--iou", "0.5")
    same("cli", np.array(j["keep"]), torchvision.ops.nms(torch.from_numpy(b), torch.from_numpy(s), 0.5).numpy(),
         "xalign nms --like torchvision")
    rc, j = run_json("nms", ck.path("b.npy"), ck.path("s.npy"), "--like", "torchvision", "--iou", "0.5", "--idxs",
                     ck.path("i.npy"))
    same("cli", np.array(j["keep"]), torchvision.ops.batched_nms(torch.from_numpy(b), torch.from_numpy(s),
                                                                 torch.from_numpy(idx), 0.5).numpy(),
         "xalign nms --like torchvision --idxs")
    bw = b.copy()
    bw[:, 2:] -= bw[:, :2]  # what --format xyxy gives cv2: w = x2 - x1 in float32
    rc, j = run_json("nms", ck.path("b.npy"), ck.path("s.npy"), "--like", "cv2", "--format", "xyxy", "--iou", "0.5",
                     "--score-threshold", "0.2")
    with np.errstate(all="ignore"):
        want = cv2.dnn.NMSBoxes(bw.tolist(), s.tolist(), 0.2, 0.5)
    same("cli", np.array(j["keep"]), np.array(want).reshape(-1), "xalign nms --like cv2 --format xyxy")
p = yolo_pred(2, 300, 3, "clustered")
np.save(ck.path("p.npy"), p)
rc, j = run_json("nms", ck.path("p.npy"), "--like", "yolov5", "--conf", "0.3", "--iou", "0.5", "--multi-label")
want = [t.numpy() for t in yolov5_nms(torch.from_numpy(p.copy()), 0.3, 0.5, None, False, True, 300)]
got = [np.array(d, np.float32).reshape(-1, 6) for d in j["detections"]]
ck.check(rc == 0 and rows_equal(got, want), "cli: xalign nms --like yolov5 --multi-label (JSON values exact)")

for fam, (n, bad) in sorted(stats.items()):
    print(f"  {fam:20s} {n:5d} cases, {bad} differ")
ck.done()
