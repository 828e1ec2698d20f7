#!/usr/bin/python3
"""Regenerate the seed corpus of fuzz/fuzz_merge.c: the parts of sharded runs, NUL-separated.

    /usr/bin/python3 fuzz/merge_corpus.py build/xalign

Runs xalign on a tiny generated dataset (3 samples of small arrays, relative folder names) in a
temporary folder and writes fuzz/corpus/merge/ (replacing what is there): whole sharded runs
(N = 1, 2, 3), a run with diagnosis and a manifest, the one-run JSON, a compare and a stages
object, and parts that merge refuses (a missing shard, a repeated one, mixed N, an edited
sample without its name or stages, not JSON)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "merge")


def main():
    x = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/xalign")
    rng = np.random.default_rng(3)
    tmp = tempfile.mkdtemp()
    os.chdir(tmp)
    for i, name in enumerate(["a", "b", "c"]):
        for side in ("ref", "port"):
            os.makedirs(os.path.join(side, name))
        img = rng.integers(0, 256, (6, 8, 3), dtype=np.uint8)
        x0 = rng.standard_normal((1, 10)).astype(np.float32)
        for side in ("ref", "port"):
            d = os.path.join(side, name)
            np.save(os.path.join(d, "00_read.npy"), img if side == "ref" or i != 1 else img ^ 1)
            np.save(os.path.join(d, "01_logits.npy"), x0)
    with open("m.json", "w") as f:
        json.dump({"stages": {"logits": {"topk": 3}}}, f)

    def run(*args):
        return subprocess.run([x, *args], capture_output=True, text=True).stdout

    def shards(n, *opts):
        return [run("stages", "ref", "port", "--shard", f"{k}/{n}", "--json", *opts) for k in range(n)]

    s1, s2, s3 = shards(1), shards(2), shards(3, "--no-diagnose")
    sm = shards(2, "--manifest", "m.json")
    p = json.loads(s2[0])
    if p["samples"]:
        del p["samples"][0]["sample"]
    q = json.loads(s2[1])
    for smp in q["samples"]:
        smp["stages"] = [{"name": 5}]
    files = {
        "n1": s1, "n2": s2, "n3": s3, "manifest": sm, "reversed": s2[::-1],
        "one_run": [run("stages", "ref", "port", "--json")],
        "compare": [run("compare", "ref/a/01_logits.npy", "port/a/01_logits.npy", "--json")],
        "stages": [run("stages", "ref/b", "port/b", "--json")],
        "missing": s2[:1], "repeated": [s2[0], s2[0], s2[1]], "mixed_n": [s2[0], s3[1]],
        "no_name": [json.dumps(p), s2[1]], "bad_stages": [s2[0], json.dumps(q)], "not_json": ["{", s2[0]],
    }
    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    for name, parts in files.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(b"\0".join(s.encode() for s in parts))
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
