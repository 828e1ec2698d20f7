"""Benchmark (not a test): xalign's NMS against torchvision 0.14 and OpenCV 4.6 on 10k boxes.

    /usr/bin/python3 bench/bench_nms.py [--build build] [--boxes 10000] [--runs 7] [--rounds 5]

Cases (boxes are reproducible, seed 0):
  clustered  boxes around 50 objects, as a detector's output before NMS (most are suppressed)
  spread     boxes over a 4000 x 4000 canvas (few overlaps: most are kept, the O(N * kept) case)
Calls, each against the library a user would call instead, on the same arrays:
  nms          xa_tv_nms vs torchvision.ops.nms (torch.set_num_threads(1))
  batched      xa_tv_nms with 80 classes vs torchvision.ops.batched_nms (per-class path above
               1000 boxes, as torchvision chooses)
  NMSBoxes     xa_cv_nms_boxes vs cv2.dnn.NMSBoxes(ndarray xywh, ndarray scores, 0.0, iou)
Both sides are timed in this process (xalign through ctypes on build/libxalign.so; the call
overhead is microseconds). ROUNDS rounds alternate the two: the median of RUNS calls of each per
round; printed are the medians over rounds and the median of the per-round ratios xalign / other
(below 1: xalign is faster). The kept indices are compared too: a fast but wrong result shows.
"""
import argparse
import ctypes
import os
import sys

import numpy as np
import torch
import torchvision
import cv2

from xa_bench_resize import median_time  # the same timing loop: warm-up, median of runs


class XaTensor(ctypes.Structure):
    _fields_ = [("dtype", ctypes.c_int), ("rank", ctypes.c_int), ("shape", ctypes.c_int64 * 8),
                ("fortran_order", ctypes.c_int), ("swapped", ctypes.c_int), ("readonly", ctypes.c_int),
                ("data", ctypes.c_void_p), ("nbytes", ctypes.c_size_t), ("backing", ctypes.c_void_p)]


class TvOpts(ctypes.Structure):
    _fields_ = [("iou_threshold", ctypes.c_double), ("path", ctypes.c_int)]


class CvOpts(ctypes.Structure):
    _fields_ = [("score_threshold", ctypes.c_double), ("nms_threshold", ctypes.c_double),
                ("eta", ctypes.c_double), ("top_k", ctypes.c_int64)]


def tensor(a):
    t = XaTensor()
    t.dtype, t.rank = {np.dtype(np.float32): 12, np.dtype(np.float64): 13, np.dtype(np.int64): 8}[a.dtype], a.ndim
    for k, s in enumerate(a.shape):
        t.shape[k] = s
    t.data, t.nbytes = a.ctypes.data, a.nbytes
    return t


def boxes(kind, n, rng):
    if kind == "clustered":
        centers = rng.uniform(100, 3900, (50, 2))
        c = centers[rng.integers(0, 50, n)] + rng.normal(0, 6, (n, 2))
        wh = rng.uniform(40, 60, (n, 2))
    else:
        c = rng.uniform(0, 4000, (n, 2))
        wh = rng.uniform(5, 40, (n, 2))
    return np.concatenate([c - wh / 2, c + wh / 2], 1).astype(np.float32), rng.random(n).astype(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--boxes", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--iou", type=float, default=0.5)
    a = ap.parse_args()
    lib = ctypes.CDLL(os.path.join(a.build, "libxalign.so"))
    PT = ctypes.POINTER(XaTensor)
    lib.xa_tv_nms.argtypes = [PT, PT, PT, ctypes.POINTER(TvOpts), ctypes.POINTER(PT), ctypes.c_void_p]
    lib.xa_cv_nms_boxes.argtypes = [PT, PT, ctypes.POINTER(CvOpts), ctypes.POINTER(PT), ctypes.c_void_p]
    lib.xa_tensor_free.argtypes = [PT]
    torch.set_num_threads(1)
    cv2.setNumThreads(1)

    def xa_call(fn, *args):
        out = PT()
        if fn(*args, ctypes.byref(out), None):
            sys.exit("xalign call failed")
        c = out.contents
        r = np.frombuffer(ctypes.string_at(c.data, c.nbytes), np.int64).copy() if c.nbytes else np.zeros(0, np.int64)
        lib.xa_tensor_free(out)
        return r

    print(f"torch {torch.__version__}, torchvision {torchvision.__version__}, OpenCV {cv2.__version__}, one "
          f"thread; {a.boxes} boxes, iou {a.iou}; {a.rounds} alternating rounds of {a.runs} runs")
    print(f"{'case':10s} {'call':9s} {'kept':>6s} {'xalign ms':>10s} {'other ms':>9s} {'ratio':>6s}  same")
    rng = np.random.default_rng(0)
    for kind in ["clustered", "spread"]:
        b, s = boxes(kind, a.boxes, rng)
        idx = rng.integers(0, 80, a.boxes).astype(np.int64)
        xywh = b.astype(np.float64)
        xywh[:, 2:] -= xywh[:, :2]
        tb, ts, ti, tw = tensor(b), tensor(s), tensor(idx), tensor(xywh)
        bt, st, it = torch.from_numpy(b), torch.from_numpy(s), torch.from_numpy(idx)
        tvo, cvo = TvOpts(a.iou, 0), CvOpts(0.0, a.iou, 1.0, 0)
        calls = {
            "nms": (lambda: xa_call(lib.xa_tv_nms, ctypes.byref(tb), ctypes.byref(ts), None, ctypes.byref(tvo)),
                    lambda: torchvision.ops.nms(bt, st, a.iou).numpy()),
            "batched": (lambda: xa_call(lib.xa_tv_nms, ctypes.byref(tb), ctypes.byref(ts), ctypes.byref(ti),
                                        ctypes.byref(tvo)),
                        lambda: torchvision.ops.batched_nms(bt, st, it, a.iou).numpy()),
            "NMSBoxes": (lambda: xa_call(lib.xa_cv_nms_boxes, ctypes.byref(tw), ctypes.byref(ts), ctypes.byref(cvo)),
                         lambda: np.array(cv2.dnn.NMSBoxes(xywh, s, 0.0, a.iou)).reshape(-1)),
        }
        for name, (ours, theirs) in calls.items():
            t_xa, t_ot = [], []
            for _ in range(a.rounds):
                t_xa.append(median_time(ours, a.runs))
                t_ot.append(median_time(theirs, a.runs))
            k_xa, k_ot = ours(), theirs()
            same = k_xa.shape == k_ot.shape and bool((k_xa == k_ot).all())
            ratio = float(np.median(np.array(t_xa) / np.array(t_ot)))
            print(f"{kind:10s} {name:9s} {len(k_xa):6d} {np.median(t_xa) * 1e3:10.3f} {np.median(t_ot) * 1e3:9.3f} "
                  f"{ratio:6.2f}  {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
