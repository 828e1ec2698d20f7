#!/usr/bin/env python3
"""Benchmark: `xalign compare` (full metric set) vs numpy computing the same metric set, on the
same two float32 .npy files, in the same run. Prints medians and ratios, xalign's throughput as a
share of this machine's single-core memory read bandwidth (measured here by bench/readbw), and
xalign's peak memory.

    /usr/bin/python3 bench/bench_compare.py --xalign build/xalign [--mib 512] [--runs 5] [--big]

--big also compares two 4 GiB files (8 GiB of disk in --dir) and reports xalign's peak RSS.
Goals (issue 2): >= 20x faster than numpy, >= 70% of the read bandwidth, < 200 MiB peak RSS on
two 4 GiB files."""
import argparse
import math
import os
import statistics
import subprocess
import sys
import time

import numpy as np


def make_pair(d, mib, tag):
    a, b = os.path.join(d, f"ref_{tag}.npy"), os.path.join(d, f"port_{tag}.npy")
    n = mib * (1 << 20) // 4
    if not (os.path.exists(a) and os.path.exists(b) and os.path.getsize(a) > n * 4):
        # written the way np.save writes (header, then sequential write() calls), in pieces so
        # 4 GiB files need no 4 GiB of RAM; the page cache then holds them as np.save leaves them
        rng = np.random.default_rng(0)
        for path, noise in ((a, 0.0), (b, 1e-4)):
            with open(path, "wb") as f:
                np.lib.format.write_array_header_1_0(f, {"descr": "<f4", "fortran_order": False, "shape": (n,)})
                step = 1 << 24
                for i in range(0, n, step):
                    m = min(step, n - i)
                    x = np.random.default_rng(i).standard_normal(m, dtype=np.float32)  # same base in both
                    if noise:
                        x += rng.standard_normal(m, dtype=np.float32) * np.float32(noise)
                    f.write(x.tobytes())
    return a, b


def run_xalign(xalign, a, b, threads=None):
    args = [xalign, "compare", a, b, "--json"] + (["--threads", str(threads)] if threads else [])
    t0 = time.perf_counter()
    p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    _, status, ru = os.wait4(p.pid, 0) if p.returncode is None else (0, 0, None)
    dt = time.perf_counter() - t0
    if p.returncode not in (0, 1):
        sys.exit(f"xalign failed: {err.decode()}")
    return dt, out


def run_xalign_rusage(xalign, a, b):
    """Wall time and peak RSS (KiB) of one run, measured with wait4."""
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.execv(xalign, [xalign, "compare", a, b])
    _, status, ru = os.wait4(pid, 0)
    return time.perf_counter() - t0, ru.ru_maxrss


def numpy_metrics(a, b, atol=1e-3):
    """The same metric set as `xalign compare`, the way a numpy user computes it: each metric
    its own pass over float64 temporaries."""
    r = np.load(a).astype(np.float64)
    p = np.load(b).astype(np.float64)
    fin = np.isfinite(r) & np.isfinite(p)
    d = p - r
    ad = np.abs(d)
    m = {}
    k = int(np.argmax(ad))
    m["max_abs"], m["index"] = float(ad[k]), k
    m["mean_abs"] = float(ad.mean())
    m["rmse"] = math.sqrt(float(np.mean(d * d)))
    nz = r != 0
    m["max_rel"] = float((ad[nz] / np.abs(r[nz])).max())
    m["zero_ref_diff"] = int(np.count_nonzero(~nz & (d != 0)))
    r2, p2, rp, d2 = float(np.sum(r * r)), float(np.sum(p * p)), float(np.sum(r * p)), float(np.sum(d * d))
    h = (r + p) / 2
    m["cosine"] = rp / math.sqrt(r2 * p2)
    m["euclid_sim"] = 1 - math.sqrt(d2) / (math.sqrt(float(np.sum(h * h))) + 1e-7)
    m["rel_l2"] = math.sqrt(d2 / r2)
    m["sqnr_db"] = 10 * math.log10(r2 / d2)
    m["mismatches"] = int(np.count_nonzero(ad > atol))
    m["equal"] = int(np.count_nonzero(r == p))
    m["nan"] = (int(np.isnan(r).sum()), int(np.isnan(p).sum()))
    m["inf"] = (int(np.isinf(r).sum()), int(np.isinf(p).sum()))
    m["nonfinite"] = int(np.count_nonzero(~fin))
    m["ref"] = (float(r.min()), float(r.max()), float(r.mean()))
    m["port"] = (float(p.min()), float(p.max()), float(p.mean()))
    return m


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xalign", default="build/xalign")
    ap.add_argument("--readbw", default=None, help="path of bench/readbw (default: next to xalign)")
    ap.add_argument("--dir", default="/tmp/xalign-bench")
    ap.add_argument("--mib", type=int, default=512)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--numpy-runs", type=int, default=2)
    ap.add_argument("--big", action="store_true", help="also two 4 GiB files: peak RSS")
    o = ap.parse_args()
    os.makedirs(o.dir, exist_ok=True)
    readbw = o.readbw or os.path.join(os.path.dirname(os.path.abspath(o.xalign)), "bench", "readbw")
    print(f"files: 2 x {o.mib} MiB float32 in {o.dir}; cores: {os.cpu_count()}")
    a, b = make_pair(o.dir, o.mib, str(o.mib))
    nbytes = os.path.getsize(a) + os.path.getsize(b)

    bws = [float(subprocess.check_output([readbw, "1024", "5"]).decode()) for _ in range(3)]
    bw = statistics.median(bws)
    print(f"single-core memory read bandwidth (readbw, median): {bw:.2f} GB/s")

    run_xalign(o.xalign, a, b)  # warm the page cache
    xs = [run_xalign(o.xalign, a, b)[0] for _ in range(o.runs)]
    x1 = [run_xalign(o.xalign, a, b, threads=1)[0] for _ in range(o.runs)]
    tx, tx1 = statistics.median(xs), statistics.median(x1)
    ns = []
    for _ in range(o.numpy_runs):
        t0 = time.perf_counter()
        numpy_metrics(a, b)
        ns.append(time.perf_counter() - t0)
    tn = statistics.median(ns)
    gbs, gbs1 = nbytes / tx / 1e9, nbytes / tx1 / 1e9
    print(f"xalign compare, all cores : {tx:.3f} s median of {o.runs}  ({gbs:.2f} GB/s, {100 * gbs / bw:.0f}% of read bandwidth)")
    print(f"xalign compare, 1 thread  : {tx1:.3f} s median of {o.runs}  ({gbs1:.2f} GB/s, {100 * gbs1 / bw:.0f}% of read bandwidth)")
    print(f"numpy, same metric set    : {tn:.3f} s median of {o.numpy_runs}")
    print(f"ratio numpy / xalign      : {tn / tx:.1f}x (goal >= 20x); 1 thread: {tn / tx1:.1f}x")
    print(f"share of read bandwidth   : {100 * gbs / bw:.0f}% (goal >= 70%)")
    t, rss = run_xalign_rusage(o.xalign, a, b)
    print(f"peak RSS of xalign compare ({o.mib} MiB files): {rss / 1024:.1f} MiB")
    if o.big:
        ba, bb = make_pair(o.dir, 4096, "4096")
        run_xalign_rusage(o.xalign, ba, bb)
        t, rss = run_xalign_rusage(o.xalign, ba, bb)
        print(f"4 GiB files: {t:.2f} s, peak RSS {rss / 1024:.1f} MiB (goal < 200 MiB), "
              f"{(os.path.getsize(ba) + os.path.getsize(bb)) / t / 1e9:.2f} GB/s")


if __name__ == "__main__":
    main()
