#!/usr/bin/env python3
"""Benchmark: a dataset run of `xalign stages` (N samples x 6 stages) against a numpy loop that
loads the same dumps and computes the same comparisons (the metric set of `xalign compare` per
stage, and the first unaligned stage per sample), in the same run. Prints medians and the ratio.

    /usr/bin/python3 bench/bench_stages.py --xalign build/xalign [--samples 500] [--runs 3]
"""
import argparse
import math
import os
import statistics
import subprocess
import time

import numpy as np

STAGES = [("read", (224, 224, 3), np.uint8), ("resize", (224, 224, 3), np.uint8),
          ("normalize", (3, 224, 224), np.float32), ("input", (1, 3, 224, 224), np.float32),
          ("logits", (1, 1000), np.float32), ("scores", (1, 100), np.float32)]


def make(d, n):
    ref, port = os.path.join(d, "ref"), os.path.join(d, "port")
    marker = os.path.join(d, f"done_{n}")
    if os.path.exists(marker):
        return ref, port
    rng = np.random.default_rng(0)
    for i in range(n):
        for side in (ref, port):
            os.makedirs(os.path.join(side, f"s{i:04d}"), exist_ok=True)
        bad = i % 10 == 3  # every tenth sample has a resize difference
        for k, (name, shape, dt) in enumerate(STAGES):
            if dt == np.uint8:
                r = rng.integers(0, 256, shape, dtype=np.uint8)
                p = r.copy()
                if bad and name != "read":
                    p[0, 0, 0] ^= 4
            else:
                r = rng.standard_normal(shape).astype(dt)
                p = (r + rng.standard_normal(shape).astype(dt) * np.float32(1e-5)).astype(dt)
            np.save(os.path.join(ref, f"s{i:04d}", f"{k:02d}_{name}.npy"), r)
            np.save(os.path.join(port, f"s{i:04d}", f"{k:02d}_{name}.npy"), p)
    open(marker, "w").close()
    return ref, port


def numpy_loop(ref, port):
    """What a user writes instead: for every sample and stage, load both, compute the metrics."""
    firsts = {}
    for s in sorted(os.listdir(ref)):
        first = None
        for f in sorted(os.listdir(os.path.join(ref, s))):
            r = np.load(os.path.join(ref, s, f)).astype(np.float64)
            p = np.load(os.path.join(port, s, f)).astype(np.float64)
            d = p - r
            ad = np.abs(d).ravel()
            k = int(np.argmax(ad))
            m = {"max_abs": float(ad[k]), "index": k, "mean_abs": float(ad.mean()), "rmse": math.sqrt(float(np.mean(d * d)))}
            nz = r.ravel() != 0
            m["max_rel"] = float((ad[nz] / np.abs(r.ravel()[nz])).max()) if nz.any() else 0.0
            r2, p2, rp, d2 = float(np.sum(r * r)), float(np.sum(p * p)), float(np.sum(r * p)), float(np.sum(d * d))
            m["cosine"] = rp / math.sqrt(r2 * p2) if r2 and p2 else 1.0
            h = (r + p) / 2
            m["euclid"] = 1 - math.sqrt(d2) / (math.sqrt(float(np.sum(h * h))) + 1e-7)
            m["sqnr"] = 10 * math.log10(r2 / d2) if d2 else math.inf
            m["equal"] = int(np.count_nonzero(r == p))
            m["nan"] = int(np.isnan(r).sum() + np.isnan(p).sum())
            m["ranges"] = (r.min(), r.max(), r.mean(), p.min(), p.max(), p.mean())
            ints = f.endswith(("read.npy", "resize.npy"))
            ok = m["equal"] == r.size if ints else m["max_abs"] <= 1e-3
            if not ok and first is None:
                first = f
        firsts[s] = first
    return firsts


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xalign", default="build/xalign")
    ap.add_argument("--dir", default="/tmp/xalign-bench-stages")
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    o = ap.parse_args()
    d = os.path.join(o.dir, str(o.samples))
    ref, port = make(d, o.samples)
    print(f"dataset: {o.samples} samples x {len(STAGES)} stages in {d}; cores: {os.cpu_count()}")
    subprocess.run([o.xalign, "stages", ref, port, "--json"], capture_output=True)  # warm cache
    xs = []
    for _ in range(o.runs):
        t0 = time.perf_counter()
        p = subprocess.run([o.xalign, "stages", ref, port, "--json"], capture_output=True)
        xs.append(time.perf_counter() - t0)
        assert p.returncode in (0, 1), p.stderr
    ns = []
    for _ in range(o.runs):
        t0 = time.perf_counter()
        firsts = numpy_loop(ref, port)
        ns.append(time.perf_counter() - t0)
    tx, tn = statistics.median(xs), statistics.median(ns)
    bad = sum(1 for v in firsts.values() if v)
    print(f"xalign stages (all cores): {tx:.3f} s median of {o.runs}")
    print(f"numpy loop               : {tn:.3f} s median of {o.runs}  ({bad} unaligned samples found)")
    print(f"ratio numpy / xalign     : {tn / tx:.1f}x")


if __name__ == "__main__":
    main()
