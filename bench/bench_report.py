#!/usr/bin/env python3
"""Benchmark: reports of a dataset run and sharded runs, on a 500-sample x 6-stage run of real
photos (tests/pylib/xa_dataset.py: 224 x 224 x 3 crops, every other sample with the cv2 resize;
50 distinct samples, the others hard links to them, so the disk holds 50).

Measured, alternating the commands within each round, medians of --runs rounds:
  - `stages --json --jobs 2` (the run) against `stages --json --html` (the run and its page), the file
    sizes of both, and the page without a budget (`--html-budget 1000`: every picture);
  - rendering the page from JSON alone (`merge --html` of the run as one shard);
  - a 2-shard run (`--shard 0/2` and `--shard 1/2` at once, one core each, as GNU parallel runs
    them, then `merge`) against one run on the same cores (`--jobs 2`).
Diagnosis is off (--no-diagnose) in every command: it would dominate every figure.

    /usr/bin/python3 bench/bench_report.py --xalign build/xalign [--samples 500] [--runs 3]
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests", "pylib"))
import xa_dataset  # noqa: E402


def timed(cmd, out=subprocess.DEVNULL):
    t = time.perf_counter()
    r = subprocess.run(cmd, stdout=out, stderr=subprocess.DEVNULL)
    dt = time.perf_counter() - t
    if r.returncode not in (0, 1):
        sys.exit(f"failed ({r.returncode}): {' '.join(cmd)}")
    return dt


def shards(x, ref, port, d):
    """Two shards at once, one core each, then the merge: wall time of the whole."""
    t = time.perf_counter()
    procs = []
    for k in range(2):
        with open(os.path.join(d, f"part-{k}.json"), "w") as f:
            procs.append(subprocess.Popen([x, "stages", ref, port, "--shard", f"{k}/2", "--json", "--no-diagnose",
                                           "--jobs", "1"], stdout=f, stderr=subprocess.DEVNULL))
    for p in procs:
        if p.wait() not in (0, 1):
            sys.exit("a shard failed")
    with open(os.path.join(d, "merged.json"), "w") as f:
        if subprocess.run([x, "merge", os.path.join(d, "part-0.json"), os.path.join(d, "part-1.json"), "--json"],
                          stdout=f).returncode not in (0, 1):
            sys.exit("merge failed")
    return time.perf_counter() - t


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--xalign", default="build/xalign")
    ap.add_argument("--dir", default="/tmp/xalign-bench-report")
    ap.add_argument("--samples", type=int, default=500)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    x, d = os.path.abspath(a.xalign), a.dir
    data = os.path.join(d, f"ds{a.samples}")
    if not os.path.exists(os.path.join(data, "done")):
        os.makedirs(data, exist_ok=True)
        xa_dataset.make(data, a.samples, distinct=50)
        open(os.path.join(data, "done"), "w").close()
    ref, port = os.path.join(data, "ref"), os.path.join(data, "port")
    run = [x, "stages", ref, port, "--no-diagnose"]
    js, page, full = os.path.join(d, "run.json"), os.path.join(d, "run.html"), os.path.join(d, "full.html")
    one = os.path.join(d, "one-shard.json")
    with open(one, "w") as f:
        subprocess.run(run + ["--json", "--shard", "0/1"], stdout=f)
    t = {k: [] for k in ("json", "html", "full", "render", "two")}
    for _ in range(a.runs):
        with open(js, "w") as f:
            t["json"].append(timed(run + ["--json", "--jobs", "2"], f))
        t["html"].append(timed(run + ["--json", "--jobs", "2", "--html", page]))
        t["full"].append(timed(run + ["--json", "--jobs", "2", "--html", full, "--html-budget", "1000"]))
        t["render"].append(timed([x, "merge", one, "--json", "--html", os.path.join(d, "rendered.html")]))
        t["two"].append(shards(x, ref, port, d))
    m = {k: statistics.median(v) for k, v in t.items()}
    text = os.path.join(d, "text.html")  # the page without pictures: what the budget cannot cut
    subprocess.run([x, "merge", one, "--html", text, "--html-budget", "0.01"], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    left = re.search(r"the pictures of (\d+) of (\d+) samples are left out", open(page).read())
    drawn = f"{int(left.group(2)) - int(left.group(1))} of {left.group(2)} unaligned samples drawn" if left else "every picture"
    same = open(os.path.join(d, "merged.json")).read() == open(js).read()
    mb = lambda p: os.path.getsize(p) / 1e6  # noqa: E731
    print(f"dataset: {a.samples} samples x 6 stages ({ref}), medians of {a.runs} rounds, {os.cpu_count()} cores")
    print(f"  stages --json                   {m['json']:7.2f} s   JSON {mb(js):6.2f} MB")
    print(f"  stages --json --html            {m['html']:7.2f} s   HTML {mb(page):6.2f} MB (budget 5 MB: {drawn})"
          f"   {m['html'] / m['json']:.2f}x the run without the page")
    print(f"  ... --html-budget 1000          {m['full']:7.2f} s   HTML {mb(full):6.2f} MB (every picture)"
          f"   {m['full'] / m['json']:.2f}x")
    print(f"  merge --html (page from JSON)   {m['render']:7.2f} s   text alone (--html-budget 0.01) {mb(text):.2f} MB")
    print(f"  2 shards at once (--jobs 1 each) + merge {m['two']:7.2f} s   {m['two'] / m['json']:.2f}x one run"
          f" (--jobs 2);"
          f" merged JSON identical to one run's: {same}")


if __name__ == "__main__":
    main()
