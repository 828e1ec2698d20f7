#!/usr/bin/env python3
"""Benchmark: `xalign cocoeval` on a 5000-image synthetic COCO set (~36k ground truths, ~100
detections per image, the set tests/oracle/test_cocoeval.py uses at a smaller size) against the
independent numpy model of pycocotools' rules in tests/pylib/xa_cocoeval_model.py, in the same
run; the 12 numbers must agree. Also the JSON loading alone: xalign's pull parser against jansson
(json_load_file) and Python's json.load on the 48 MB results file, with peak memory.

    /usr/bin/python3 bench/bench_cocoeval.py --xalign build/xalign [--images 5000] [--runs 3]
        [--model-runs 1] [--threads 2]

pycocotools itself is not packaged for Debian 12; measured outside this project it takes about
80 s on a set of this size on this machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "pylib"))
import xa_cocoeval_model as model  # noqa: E402


TIME = "/usr/bin/time"  # a small parent: a child forked from this big Python process would start
                        # its peak-RSS mark at our size


def timed(cmd):
    """(wall s, CPU s, peak RSS MiB, stdout) of a child process, as /usr/bin/time reports them."""
    t = time.perf_counter()
    p = subprocess.run([TIME, "-f", "xa-time %e %U %S %M"] + cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise SystemExit(f"{cmd}: {p.stderr}")
    f = [ln for ln in p.stderr.splitlines() if ln.startswith("xa-time ")][-1].split()
    return wall, float(f[2]) + float(f[3]), int(f[4]) / 1024, p.stdout


PY_LOAD = "import json, sys; json.load(open(sys.argv[1]))"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xalign", default="build/xalign")
    ap.add_argument("--dir", default="/tmp/xalign-bench-cocoeval")
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--model-runs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=0, help="xalign --threads (default: all cores)")
    a = ap.parse_args()
    bench_json = os.path.join(os.path.dirname(os.path.abspath(a.xalign)), "bench", "bench_json")
    os.makedirs(a.dir, exist_ok=True)
    gt_p, dt_p = os.path.join(a.dir, f"gt{a.images}.json"), os.path.join(a.dir, f"dt{a.images}.json")
    if not (os.path.exists(gt_p) and os.path.exists(dt_p)):
        print(f"generating the synthetic set ({a.images} images) ...", flush=True)
        gt, res = model.synth(a.images, 11)
        model.write(gt_p, gt)
        model.write(dt_p, res)
    gt, res = json.load(open(gt_p)), json.load(open(dt_p))
    print(f"set: {len(gt['images'])} images, {len(gt['annotations'])} ground truths, {len(res)} detections; "
          f"files {os.path.getsize(gt_p) / 2**20:.1f} MiB + {os.path.getsize(dt_p) / 2**20:.1f} MiB", flush=True)
    cmd = [a.xalign, "cocoeval", "--gt", gt_p, "--dt", dt_p, "--json"]
    if a.threads:
        cmd += ["--threads", str(a.threads)]
    g, d = model.to_arrays(gt, res) if a.model_runs else (None, None)
    xs, cpu, ms, mcpu, rss = [], [], [], [], []
    stats_x = stats_m = None
    for r in range(max(a.runs, a.model_runs)):
        if r < a.runs:   # alternating: xalign, then the model
            t, c, m, out = timed(cmd)
            xs.append(t)
            cpu.append(c)
            rss.append(m)
            stats_x = np.array(json.loads(out)["stats"])
        if r < a.model_runs:
            t, c = time.perf_counter(), time.process_time()
            stats_m = model.evaluate(g, d)[0]
            ms.append(time.perf_counter() - t)
            mcpu.append(time.process_time() - c)
    tx = statistics.median(xs)
    load = os.getloadavg()[0]
    print(f"xalign cocoeval: median {tx:.3f} s wall, {statistics.median(cpu):.3f} s CPU (both cores "
          f"together) of {len(xs)} runs (wall: {', '.join(f'{v:.3f}' for v in xs)}), peak RSS {max(rss):.0f} MiB; "
          f"load average {load:.1f} on {os.cpu_count()} cores")
    if ms:
        tm = statistics.median(ms)
        diff = float(np.abs(stats_x - stats_m).max())
        print(f"numpy model:     median {tm:.1f} s wall, {statistics.median(mcpu):.1f} s CPU of {len(ms)}")
        print(f"ratio: xalign is {tm / tx:.0f}x faster (wall); 12 stats agree to {diff:.3g} (AP {stats_x[0]:.6f})")

    # loading the results file alone
    rows = []
    for r in range(a.runs):
        for name, c in (("xalign", [bench_json, "xalign", dt_p]), ("jansson", [bench_json, "jansson", dt_p]),
                        ("python json.load", [sys.executable, "-c", PY_LOAD, dt_p])):
            t, c, m, out = timed(c)
            rows.append((name, c, m))
    print(f"loading {os.path.basename(dt_p)} ({os.path.getsize(dt_p) / 2**20:.1f} MiB, {len(res)} detections), "
          f"CPU time of the whole process:")
    base = statistics.median(t for n, t, m in rows if n == "xalign")
    for name in ("xalign", "jansson", "python json.load"):
        ts = [t for n, t, m in rows if n == name]
        mm = max(m for n, t, m in rows if n == name)
        print(f"  {name:17s} median {statistics.median(ts):.3f} s ({statistics.median(ts) / base:.1f}x xalign), "
              f"peak RSS {mm:.0f} MiB")


if __name__ == "__main__":
    main()
