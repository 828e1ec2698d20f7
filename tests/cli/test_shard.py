"""Sharded dataset runs: `xalign stages REF PORT --shard K/N --json` for K = 0..N-1 and `xalign merge`
give what one run gives -- the same JSON byte for byte, the same text, the same exit code and the
same HTML page -- for N = 1..4 and for a shard with no sample; samples go to shard
FNV-1a-64(name) mod N. merge refuses (exit 2, a one-line message naming the part) a missing or
repeated shard, parts of another N, run with another manifest, tolerance, diagnosis setting or
xalign version, on other folders, the same sample in two parts, and files that are not shards.
The GNU parallel recipe (examples/shards/parallel.sh) runs the shards on this host, through
--sshlogin too (':' is this host), and gives the one-run JSON."""
import json
import os
import shutil
import subprocess

import xa_dataset
from xa_testlib import SOURCE_DIR, XALIGN, Checker, run

ck = Checker("shard")
root = ck.path("ds")
ref, port, names, bad = xa_dataset.make(root, 9, bad_every=3)
manifest = ck.path("manifest.json")
with open(manifest, "w") as f:
    json.dump({"stages": {"logits": {"topk": 5}, "normalize": {"tolerance": {"atol": 1e-4}}}}, f)
OPTS = ["--manifest", manifest, "--no-diagnose"]  # diagnosis: only in the N = 2 run below (its time)


def fnv1a64(s):
    h = 14695981039346656037
    for b in s.encode():
        h = ((h ^ b) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return h


def shards(n, *extra, name="p", opts=None):
    """Run the N shards; returns their paths."""
    paths = []
    for k in range(n):
        rc, out, err = run("stages", ref, port, "--shard", f"{k}/{n}", "--json", *(OPTS if opts is None else opts), *extra)
        ok = ck.check(rc in (0, 1) and out.startswith('{"schema":"xalign.dataset/1"'), f"shard {k}/{n}: rc {rc}, {err!r}")
        p = ck.path(f"{name}{n}-{k}.json")
        with open(p, "w") as f:
            f.write(out if ok else "")
        paths.append(p)
    return paths


# one run: JSON, text, exit code, HTML
one_html = ck.path("one.html")
rc1, one_json, err = run("stages", ref, port, "--json", *OPTS, "--html", one_html)
rct, one_text, _ = run("stages", ref, port, *OPTS)
j1 = json.loads(one_json)
ck.check(rc1 == rct == 1 and j1["samples_total"] == 9 and j1["samples_unaligned"] >= 2 and "run" in j1 and
         "shard" not in j1["run"], f"one run: rc {rc1}/{rct}, {j1['samples_unaligned']} unaligned")

parts_of = {}
for n in range(1, 5):
    parts = parts_of[n] = shards(n)
    held = [[s["sample"] for s in json.load(open(p))["samples"]] for p in parts]
    ck.check(all(names_k == sorted(nm for nm in names if fnv1a64(nm) % n == k) for k, names_k in enumerate(held)),
             f"N={n}: samples assigned by FNV-1a-64 mod N: {held}")
    for k, p in enumerate(parts):
        run_k = json.load(open(p))["run"]
        ck.check(run_k["shard"] == {"k": k, "n": n} and run_k["samples_all"] == 9, f"N={n}: part {k} says what it is: {run_k}")
    html = ck.path(f"merged{n}.html")
    rc, out, err = run("merge", *reversed(parts), "--json", "--html", html)  # the order of the parts is free
    ck.check(rc == rc1 and out == one_json, f"N={n}: merged JSON identical to one run's (rc {rc} vs {rc1}): {err!r}")
    ck.check(open(html, "rb").read() == open(one_html, "rb").read(), f"N={n}: merge --html is the same page as stages --html")
    rc, out, err = run("merge", *parts)
    ck.check(rc == rct and out == one_text, f"N={n}: merged text identical to one run's:\n{out}\nvs\n{one_text}")

# with diagnosis (causes, fixes and conclusions in the samples' JSON)
diag = OPTS[:2]
rc_d, diag_json, _ = run("stages", ref, port, "--json", *diag)
pd = shards(2, name="diag", opts=diag)
rc, out, err = run("merge", *pd, "--json")
ck.check(rc == rc_d == 1 and out == diag_json and '"diagnosis"' in out, f"with diagnosis: merged as one run (rc {rc}): {err!r}")

# a shard holding no sample (9 samples over 16 shards: some are empty) still merges
n = 16
empty = [k for k in range(n) if not any(fnv1a64(nm) % n == k for nm in names)]
parts = shards(n, name="e")
rc, out, err = run("merge", *parts, "--json")
ck.check(empty and rc == rc1 and out == one_json, f"16 shards, {len(empty)} empty: merged as one run (rc {rc}): {err!r}")

# an aligned dataset exits 0 both ways
loose = ["--no-diagnose", "--atol", "100"]  # no manifest: its stage tolerance would win
rc_a, ja, _ = run("stages", ref, port, "--json", *loose)
pa = shards(2, name="a", opts=loose)
rc, out, _ = run("merge", *pa, "--json")
ck.check(rc_a == 0 and rc == 0 and out == ja, f"aligned: one run rc {rc_a}, merge rc {rc}")

# ---- refusals: exit 2, one line naming the part
p2, p3 = parts_of[2], parts_of[3]
tol = shards(2, "--atol", "0.5", name="t")
manifest2 = ck.path("manifest2.json")
with open(manifest2, "w") as f:
    json.dump({"stages": {"logits": {"topk": 3}}}, f)
man = shards(2, name="m", opts=["--manifest", manifest2, "--no-diagnose"])


def edited(src, name, change):
    j = json.load(open(src))
    change(j)
    p = ck.path(name)
    with open(p, "w") as f:
        json.dump(j, f)
    return p


version = edited(p2[1], "version.json", lambda j: j["run"].update(xalign="0.0.1"))
other_dirs = edited(p2[1], "dirs.json", lambda j: j.update(ref_dir="elsewhere/ref"))
second = json.load(open(p2[0]))["samples"][0]
twice = edited(p2[1], "twice.json", lambda j: j["samples"].append(second))
no_stages = edited(p2[1], "nostages.json", lambda j: j["samples"][0].pop("stages"))
dup_in_one = edited(p2[0], "dup.json", lambda j: j["samples"].append(j["samples"][0]))
not_shard = ck.path("whole.json")
with open(not_shard, "w") as f:
    f.write(one_json)
garbage = ck.path("garbage.json")
with open(garbage, "w") as f:
    f.write("{not json")
cmp_json = ck.path("compare.json")
with open(cmp_json, "w") as f:
    f.write(run("compare", os.path.join(ref, names[0], "05_logits.npy"), os.path.join(port, names[0], "05_logits.npy"),
                "--json")[1])
a0, a1 = os.path.basename(p2[0]), os.path.basename(p2[1])
cases = [
    ((p2[0],), "xalign merge: shard 1 of 2 is missing"),
    ((p2[0], p2[1], p2[0]), f"xalign merge: {p2[0]}: shard 0/2 is given twice ({p2[0]} is the same shard)"),
    ((p2[0], p3[1]), f"xalign merge: {p3[1]}: shard 1 of 3, but {p2[0]} is a shard of 2"),
    ((p2[0], tol[1]), f"xalign merge: {tol[1]}: run with another tolerance than {p2[0]}: "),
    ((p2[0], pd[1]), f"xalign merge: {pd[1]}: run with another diagnosis setting (--no-diagnose) than {p2[0]}: true vs false"),
    ((p2[0], man[1]), f"xalign merge: {man[1]}: run with another manifest (its fingerprint) than {p2[0]}: "),
    ((p2[0], version), f'xalign merge: {version}: run with another xalign version than {p2[0]}: "0.0.1" vs "'),
    ((p2[0], other_dirs), f"xalign merge: {other_dirs}: other folders (elsewhere/ref, "),
    ((p2[0], twice), f"xalign merge: sample '{second['sample']}' is in {p2[0]} and in {twice}"),
    ((dup_in_one, p2[1]), f"xalign merge: {dup_in_one}: sample '{second['sample']}' is in it twice"),
    ((p2[0], no_stages), f'xalign merge: {no_stages}: sample 0: no "stages" list'),
    ((not_shard,), f"xalign merge: {not_shard}: not a shard (run with --shard K/N)"),
    ((p2[0], garbage), f"xalign merge: {garbage}: not JSON (line 1: "),
    ((cmp_json,), f"xalign merge: {cmp_json}: schema 'xalign.compare/1' is not a dataset run's (xalign.dataset/1"),
    ((p2[0], ck.path("nosuch.json")), f"xalign merge: {ck.path('nosuch.json')}: cannot read it"),
    ((p2[0], p2[1], "--bmodel", "x.bmodel"), "xalign merge: --bmodel is for the pictures of --html FILE, which is not given"),
    ((p2[0], p2[1], "--html", ck.path("x.html"), "--html-budget", "-1"), "xalign merge: --html-budget: MB from 0.01 to"),
    ((p2[0], "--bogus"), "xalign merge: unknown option '--bogus' (see --help)"),
]
for args, msg in cases:
    rc, out, err = run("merge", *args)
    ck.check(rc == 2 and err.startswith(msg) and err.count("\n") == 1 and not out,
             f"merge {[os.path.basename(a) for a in args]}: rc {rc}, {err!r}, want {msg!r}")
rc, out, err = run("merge")
ck.check(rc == 2 and err.startswith("usage: xalign merge PART.json..."), f"merge without parts: rc {rc}")
rc, out, err = run("merge", "--help")
ck.check(rc == 0 and "--html-budget MB" in out and "--bmodel FILE" in out, "merge --help")

# --shard's own errors
single = os.path.join(ref, names[0])
for val in ("2/2", "0/0", "-1/3", "1/2x", "a", "1/1000001"):
    rc, out, err = run("stages", ref, port, "--shard", val, "--json")
    ck.check(rc == 2 and err == f"xalign stages: --shard K/N: K from 0 to N-1 (e.g. 0/4), not '{val}'\n",
             f"--shard {val}: rc {rc}, {err!r}")
rc, out, err = run("stages", single, os.path.join(port, names[0]), "--shard", "0/2")
ck.check(rc == 2 and err == f"xalign stages: --shard splits the samples of a dataset run, and {single} holds no sample "
         "folders\n", f"--shard on one sample: {err!r}")

# ---- GNU parallel on this host, and through --sshlogin (':' is this host): the documented recipe
script = os.path.join(SOURCE_DIR, "examples", "shards", "parallel.sh")
env = dict(os.environ, XALIGN=XALIGN)
env.pop("SSHLOGIN", None)
for login in (None, ":"):
    out_dir = ck.path(f"parallel-{login is not None}")
    e = dict(env, JOBS="2", **({"SSHLOGIN": login} if login else {}))
    p = subprocess.run(["sh", script, ref, port, "3", out_dir, *OPTS], capture_output=True, text=True, env=e)
    merged = open(os.path.join(out_dir, "dataset.json")).read() if os.path.exists(os.path.join(out_dir, "dataset.json")) else ""
    ck.check(p.returncode == rc1 and p.stdout == one_text and merged == one_json and
             sorted(os.listdir(out_dir)) == ["dataset.json", "part-0.json", "part-1.json", "part-2.json", "report.html"] and
             open(os.path.join(out_dir, "report.html"), "rb").read() == open(one_html, "rb").read(),
             f"parallel.sh (SSHLOGIN={login}): rc {p.returncode}, stderr {p.stderr[-500:]!r}, files {os.listdir(out_dir)}")
# a failing shard stops the run with exit 2, not 1 (1 is "unaligned")
p = subprocess.run(["sh", script, ref, port, "2", ck.path("parallel-bad"), "--bogus"], capture_output=True, text=True, env=env)
ck.check(p.returncode == 2 and "xalign stages: unknown option '--bogus' (see --help)" in p.stderr,
         f"parallel.sh with a failing shard: rc {p.returncode}, {p.stderr[-300:]!r}")
p = subprocess.run(["sh", script], capture_output=True, text=True, env=env)
ck.check(p.returncode == 2 and "examples/shards/parallel.sh REF_DIR PORT_DIR N OUT_DIR" in p.stderr, "parallel.sh usage")
shutil.rmtree(root, ignore_errors=True)
ck.done()
