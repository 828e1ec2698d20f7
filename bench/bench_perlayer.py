#!/usr/bin/env python3
"""Benchmark: whole-model comparison of two per-layer .npz files, `xalign compare ref.npz
port.npz` against numpy doing tpu-mlir npz_tool's work on the same files in the same run: load
each member, np.allclose, cosine and euclidean similarity (python/numpy_helper/npz_compare.py and
tensor_compare.py in tpu-mlir, vectorised; npz_tool itself also computes SQNR and samples only
every n/200-th member beyond 200, which this baseline does not). Both run as child processes,
alternating, so time and peak RSS are measured the same way (wait4); medians of --runs.

    /usr/bin/python3 bench/bench_perlayer.py --xalign build/xalign [--mib 1024] [--members 500]

The files are written the way np.savez writes them (a stored zip of np.save images, each opened
with zipfile's force_zip64=True), member by member so they need no 1 GiB of RAM to make: 500
layers of float32 (one in ten float16) of varying sizes, 1 GiB per file, the port with noise and
one real break at layer 350. Goals (issue 10): >= 20x numpy, peak RSS < 300 MiB."""
import argparse
import os
import statistics
import subprocess
import sys
import time
import zipfile

import numpy as np

NUMPY_WORK = r'''
import sys, numpy as np
r = np.load(sys.argv[1]); p = np.load(sys.argv[2])
passed = 0
for name in r.files:
    a = r[name]; b = p[name]
    if a.dtype == np.float16 or b.dtype == np.float16:
        a = a.astype(np.float32); b = b.astype(np.float32)
    close = np.allclose(a, b, rtol=1e-3, atol=1e-8, equal_nan=True)
    a = a.ravel(); b = b.ravel()
    cos = float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b)))
    euclid = 1 - float(np.linalg.norm(a - b) / np.linalg.norm((a + b) / 2))
    passed += close or (cos > 0.99 and euclid > 0.99)
print(passed, len(r.files))
'''


def layer_sizes(total_bytes, n, itemsize, rng):
    """n layer sizes in elements (multiples of 64) whose bytes sum to about total_bytes."""
    w = rng.uniform(0.3, 1.7, n)
    nbytes = w / w.sum() * total_bytes
    return [int(max(b // itemsize[i] // 64 * 64, 64)) for i, b in enumerate(nbytes)]


def write_npz(path, members):
    """np.savez's layout (numpy 1.24 _savez): a stored zip, one force_zip64 member per array."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        for name, make in members:
            with zf.open(name + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array(f, make(), allow_pickle=False)


def make_pair(d, mib, n):
    ref, port = os.path.join(d, f"layers_ref_{mib}_{n}.npz"), os.path.join(d, f"layers_port_{mib}_{n}.npz")
    if os.path.exists(ref) and os.path.exists(port):
        return ref, port
    rng = np.random.default_rng(10)
    half = [i % 10 == 7 for i in range(n)]
    sizes = layer_sizes(mib * (1 << 20), n, [2 if h else 4 for h in half], rng)
    brk = int(n * 0.7)

    def base(i):
        x = np.random.default_rng(i).standard_normal(sizes[i], dtype=np.float32)
        return x.reshape(1, -1, 64)

    def ref_arr(i):
        x = base(i)
        return x.astype(np.float16) if half[i] else x

    def port_arr(i):
        x = base(i)
        # relative noise of 1e-5 (float32 rounding of another evaluation order), then the
        # break: 30% noise from layer `brk` on, inherited by every later layer
        noise = np.float32(0.3 if i >= brk else 1e-5)
        x = x * (1 + np.random.default_rng(10_000 + i).standard_normal(x.shape, dtype=np.float32) * noise)
        return x.astype(np.float16) if half[i] else x

    names = [f"/layer{i}/conv/Conv_output_0" for i in range(n)]
    write_npz(ref, [(names[i], lambda i=i: ref_arr(i)) for i in range(n)])
    write_npz(port, [(names[i], lambda i=i: port_arr(i)) for i in range(n)])
    return ref, port


def run_rusage(args):
    t0 = time.perf_counter()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        os.dup2(w, 1)
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 2)
        os.execv(args[0], args)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 1 << 16)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    _, status, ru = os.wait4(pid, 0)
    run_rusage.cpu = ru.ru_utime + ru.ru_stime  # CPU seconds of the child, all threads
    return time.perf_counter() - t0, ru.ru_maxrss / 1024, b"".join(chunks), os.waitstatus_to_exitcode(status)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--xalign", default="build/xalign")
    ap.add_argument("--dir", default="/tmp/xalign-bench")
    ap.add_argument("--mib", type=int, default=1024, help="data per file")
    ap.add_argument("--members", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--numpy-runs", type=int, default=3)
    o = ap.parse_args()
    os.makedirs(o.dir, exist_ok=True)
    ref, port = make_pair(o.dir, o.mib, o.members)
    size = os.path.getsize(ref) + os.path.getsize(port)
    print(f"files: 2 x {o.members} members, {size / 2 / (1 << 20):.0f} MiB each (np.savez layout) in {o.dir}; "
          f"cores: {os.cpu_count()}")
    xa = [os.path.abspath(o.xalign), "compare", ref, port]
    npw = ["/usr/bin/python3", "-c", NUMPY_WORK, ref, port]
    t, rss, out, rc = run_rusage(xa)  # warm the page cache, check the result
    if rc not in (0, 1):
        sys.exit(f"xalign compare failed (exit {rc})")
    print("xalign: " + out.decode().strip().splitlines()[-1])
    xs, xr, ns, nr, xc, nc = [], [], [], [], [], []
    for k in range(max(o.runs, o.numpy_runs)):  # alternating
        if k < o.runs:
            t, rss, _, _ = run_rusage(xa)
            xs.append(t)
            xr.append(rss)
            xc.append(run_rusage.cpu)
        if k < o.numpy_runs:
            t, rss, out, rc = run_rusage(npw)
            if rc:
                sys.exit("numpy baseline failed")
            ns.append(t)
            nr.append(rss)
            nc.append(run_rusage.cpu)
    print(f"numpy: {out.decode().split()[0]} of {out.decode().split()[1]} members pass npz_tool's test")
    tx, tn = statistics.median(xs), statistics.median(ns)
    rx, rn = max(xr), max(nr)
    print(f"xalign compare        : {tx:.3f} s median of {len(xs)} ({size / tx / 1e9:.2f} GB/s of npz), "
          f"peak RSS {rx:.0f} MiB")
    print(f"numpy (npz_tool work) : {tn:.3f} s median of {len(ns)}, peak RSS {rn:.0f} MiB")
    print(f"ratio numpy / xalign  : {tn / tx:.1f}x faster (goal >= 20x); peak RSS {rx:.0f} MiB "
          f"(goal < 300 MiB), numpy's {rn / rx:.1f}x more")
    cx, cn = statistics.median(xc), statistics.median(nc)
    print(f"CPU time (user+sys)   : xalign {cx:.3f} s on {os.cpu_count()} cores, numpy {cn:.3f} s: {cn / cx:.1f}x less "
          f"(load average now {os.getloadavg()[0]:.1f}: on a busy machine wall times stretch, CPU times less)")


if __name__ == "__main__":
    main()
