"""`xalign compare` / `xalign info` as a user sees them: text in the seed's style, JSON shape,
exit codes, tolerance options, shape mismatches with permutations, raw BMRT splits."""
import json
import os

import numpy as np
from xa_testlib import Checker, run, run_json

ck = Checker("cli_compare")
rng = np.random.default_rng(5)


def save(name, a):
    p = ck.path(name)
    np.save(p, a)
    return p


ref = rng.standard_normal((1, 3, 8, 10)).astype(np.float32)
near = (ref + np.float32(1e-5)).astype(np.float32)
far = ref.copy(); far[0, 2, 5, 7] += np.float32(0.5)
r, n, f = save("ref.npy", ref), save("near.npy", near), save("far.npy", far)

# the seed's verdict lines and exit codes
# (the verdict names the metric that decided it, its value and the limit, and the rule)
rc, out, err = run("compare", r, n)
ck.check(rc == 0 and "\naligned. max_abs 1" in "\n" + out.split("\n", 2)[2] and "e-05 <= 0.001 [float default" in out,
         f"aligned text/rc: {rc} {out}")
rc, out, err = run("compare", r, f)
ck.check(rc == 1 and "unaligned! max_abs 0.5 > 0.001 [float default" in out, f"unaligned text/rc: {rc} {out}")
rc, out, err = run("compare", r, f, "--min-cosine", "0.99999")
ck.check(rc == 1 and "unaligned! cosine 0.9" in out and " < 0.99999; max_abs 0.5" in out and "[command line]" in out,
         f"a failing cosine is named with its value: {out}")
ck.check("worst at [0, 2, 5, 7] (flat 217)" in out, f"worst position named: {out}")
ck.check(err == "", f"nothing on stderr when comparing: {err!r}")

# JSON object as the issue specifies
rc, j = run_json("compare", r, f)
ck.check(set(["ref", "port", "metrics", "tolerance", "aligned"]) <= set(j), f"JSON keys {list(j)}")
ck.check(j["ref"]["spec"] == r and j["ref"]["dtype"] == "float32" and j["ref"]["shape"] == [1, 3, 8, 10], f"ref block {j['ref']}")
ck.check(j["aligned"] is False and j["failed"] == ["max_abs"] and j["tolerance"]["max_abs"] == 1e-3, f"verdict {j['failed']} {j['tolerance']}")
ck.check(j["metrics"]["max_abs_coords"] == [0, 2, 5, 7], f"coords {j['metrics']['max_abs_coords']}")
for key in ("count", "equal", "max_abs", "mean_abs", "rmse", "max_rel", "cosine", "euclid_sim", "rel_l2", "sqnr_db",
            "mismatches", "nan_ref", "nan_port", "inf_ref", "inf_port", "ref_min", "ref_max", "ref_mean",
            "port_min", "port_max", "port_mean"):
    ck.check(key in j["metrics"], f"metric {key} in JSON")
rc, j = run_json("compare", r, save("same.npy", ref.copy()))
ck.check(j["metrics"]["sqnr_db"] == "inf" and j["metrics"]["rel_l2"] == 0 and rc == 0, f"identical: sqnr {j['metrics']['sqnr_db']}")

# tolerance options change the verdict, not the metrics
ck.check(run("compare", r, f, "--max-abs", "0.6")[0] == 0, "--max-abs 0.6 passes a 0.5 difference")
ck.check(run("compare", r, n, "--max-abs", "1e-6")[0] == 1, "--max-abs 1e-6 fails a 1e-5 difference")
ck.check(run("compare", r, n, "--atol", "0", "--rtol", "0")[0] == 1, "--atol 0 --rtol 0 is exact")
ck.check(run("compare", r, n, "--preset", "f32")[0] == 0, "cosine/euclid preset passes a 1e-5 shift")
ck.check(run("compare", r, save("neg.npy", -ref), "--preset", "int8")[0] == 1, "a sign flip fails even the int8 preset")
rc, j = run_json("compare", r, f, "--preset", "f16")
ck.check(j["tolerance"].get("preset") == "f16" and j["tolerance"]["min_cosine"] == 0.95, f"preset recorded {j['tolerance']}")
ck.check(run("compare", r, f, "--min-cosine", "0.9999999")[0] == 1, "--min-cosine fails")
ck.check(run("compare", r, f, "--min-sqnr", "200")[0] == 1, "--min-sqnr fails")
rc, out, err = run("compare", r, f, "--preset", "fp8")
ck.check(rc == 2 and "unknown preset" in err, f"bad preset: {rc} {err}")

# integers must be equal by default; an explicit tolerance relaxes them
u = rng.integers(0, 256, (4, 5, 3), dtype=np.uint8)
u2 = u.copy(); u2[1, 1, 1] ^= 1
ru, ru2 = save("u.npy", u), save("u2.npy", u2)
ck.check(run("compare", ru, ru2)[0] == 1, "uint8 off by one is unaligned by default")
ck.check(run("compare", ru, ru2, "--atol", "1")[0] == 0, "uint8 off by one passes --atol 1")
rc, j = run_json("compare", ru, save("uf.npy", u.astype(np.float32)))
ck.check(rc == 0 and j["port"]["dtype"] == "float32", "uint8 vs float32 with equal values is aligned")

# per-channel breakdown
rc, out, err = run("compare", r, f, "--axis", "1")
ck.check("per index of axis 1:" in out and "[2] unaligned" in out and "[0] aligned" in out, f"axis text: {out}")
ck.check(run("compare", r, f, "--axis", "4")[0] == 2, "--axis out of range is a usage error")

# NHWC vs NCHW: shape mismatch, aligned after transpose (0, 3, 1, 2)
nhwc = save("nhwc.npy", np.ascontiguousarray(ref.transpose(0, 2, 3, 1)))
rc, out, err = run("compare", r, nhwc)
ck.check(rc == 1 and "shape mismatch" in out and "aligned after transpose (0, 3, 1, 2)" in out, f"permutation: {rc} {out}")
rc, j = run_json("compare", r, nhwc)
perms = {tuple(p["perm"]): p["aligned"] for p in j["permutations"]}
ck.check(j["shape_mismatch"] and perms.get((0, 3, 1, 2)) is True and j["aligned"] is False, f"JSON permutations {perms}")
# size-1 axes alone are not a mismatch
rc, out, err = run("compare", r, save("squeezed.npy", ref[0]))
ck.check(rc == 0 and "shape mismatch" not in out, f"(1,3,8,10) vs (3,8,10): {rc} {out}")

# raw BMRT dump: concatenated tensors split by shapes, #K selects
a8 = rng.standard_normal((1, 8)).astype(np.float32); a4 = rng.standard_normal((1, 4)).astype(np.float32)
bm = ck.path("output_ref_data.dat.bmrt")
with open(bm, "wb") as fh:
    fh.write(a8.tobytes() + a4.tobytes())
ck.check(run("compare", save("a8.npy", a8), bm + ":f32:1x8,1x4#0")[0] == 0, "BMRT #0")
ck.check(run("compare", save("a4.npy", a4), bm + ":f32:1x8,1x4#1")[0] == 0, "BMRT #1")
rc, out, err = run("compare", ck.path("a4.npy"), bm + ":f32:1x8,1x5#1")
ck.check(rc == 2 and "52 bytes" in err and "48" in err, f"mis-sized split names both numbers: {err}")
rc, out, err = run("info", bm + ":f32:1x8,1x4")
ck.check(rc == 0 and "#0" in out and "#1" in out and "[1, 4]" in out, f"info lists the split: {out}")

# info
rc, out, err = run("info", r, ru)
ck.check(rc == 0 and "float32 [1, 3, 8, 10]" in out and "uint8 [4, 5, 3]" in out, f"info text {out}")
rc, j = run_json("info", r)
j = j["items"]
ck.check(rc == 0 and j[0]["min"] == float(ref.min()) and j[0]["max"] == float(ref.max()), f"info json {j}")

# usage errors: exit 2, message on stderr, nothing on stdout
for args, needle in [(["compare", r], "expected REF and PORT"), (["compare", r, n, "--bogus"], "unknown option"),
                     (["compare", r, n, "--atol"], "needs a value"), (["compare", r, n, "--atol", "x"], "not a number"),
                     (["compare", r, ck.path("missing.npy")], "missing.npy"), (["nosuch"], "unknown command"),
                     (["compare", r, save("other.npy", np.zeros(7, np.float32))], "element counts differ")]:
    rc, out, err = run(*args)
    ck.check(rc == 2 and needle in err and out == "", f"{args}: rc {rc}, stderr {err!r}, stdout {out!r}")

# --help on every subcommand, listed by `xalign --help`
rc, out, err = run("--help")
cmds = [l.split()[0] for l in out.split("commands:")[1].split("\n\n")[0].strip().split("\n")]
ck.check(rc == 0 and {"info", "compare"} <= set(cmds), f"commands listed: {cmds}")
for c in cmds:
    rc, out, err = run(c, "--help")
    ck.check(rc == 0 and out.startswith("usage: xalign " + c), f"{c} --help: {rc} {out[:60]!r}")
# a limit is printed as given (shortest repr that reads back), never rounded onto the value's side:
# --min-cosine 0.99999999 is not "1", and the value has the digits to show it is below
v = np.linspace(-1, 1, 1000).astype(np.float32)
w = (v + np.where(np.arange(1000) % 2, np.float32(0.01), np.float32(0))).astype(np.float32)
r2, p2 = save("r2.npy", v), save("p2.npy", w)
rc, j = run_json("compare", r2, p2, "--atol", "0.001", "--rtol", "0", "--min-cosine", "0.99999999")
cos = j["metrics"]["cosine"]
for lim in ("0.99999999", "0.9999252"):  # below and just above the cosine: limits 6 %g digits round
    rc, out, err = run("compare", r2, p2, "--atol", "0.0012345678", "--rtol", "0", "--min-cosine", lim)
    line = out.splitlines()[2]
    ck.check("beyond |d| <= 0.0012345678 + 0*|ref|" in line, f"atol printed as given: {line}")
    words = line.split("cosine ", 1)[1].split(";")[0].split() if "cosine " in line else []
    ck.check(len(words) == 3 and words[2] == lim and words[1] == "<" and float(words[0]) < float(lim),
             f"cosine {cos} < limit {lim}: printed as given, the value with the digits to show it: {line}")

# --html: one tensor pair only, said on the --html line of --help; a multi-member pair is exit 2
rc, out, err = run("compare", "--help")
line = [ln for ln in out.splitlines() if ln.lstrip().startswith("--html FILE")]
ck.check(rc == 0 and line and "one tensor pair only" in line[0], f"--help's --html line: {line}")
za, zb = ck.path("za.npz"), ck.path("zb.npz")
np.savez(za, a=ref, b=ref)
np.savez(zb, a=near, b=near)
rc, out, err = run("compare", za, zb, "--html", ck.path("z.html"))
ck.check(rc == 2 and "--html works on one tensor pair" in err, f"--html on npz: {rc} {err}")

# --map entries that cannot apply are reported (text "map note:", JSON map_notes), not dropped; with a
# map given, the summary does not suggest --map
mr, mp = ck.path("mr.npz"), ck.path("mp.npz")
np.savez(mr, conv1=ref, out=near)
np.savez(mp, conv1=ref, out=near)
for what, m, want in [
        ("missing port member", {"conv1": "nope"}, "'conv1' -> 'nope': the port has no member 'nope'"),
        ("missing reference member", {"ghost": "out"}, "'ghost' -> 'out': the reference has no member 'ghost'"),
        ("port member taken", {"out": "conv1"},
         "'out' -> 'conv1': the port's 'conv1' is already paired with the reference's 'conv1'")]:
    mf = ck.path("map.json")
    with open(mf, "w") as fh:
        json.dump(m, fh)
    rc, out, err = run("compare", mr, mp, "--map", mf)
    ck.check("map note: " + want in out and "--map FILE" not in out, f"--map {what}: text note, no --map hint: {out}")
    rc, j = run_json("compare", mr, mp, "--map", mf)
    ck.check(any(want in n for n in j["map_notes"]), f"--map {what}: JSON map_notes {j['map_notes']}")
rc, j = run_json("compare", mr, mp)
ck.check(j["map_notes"] == [] and rc == 0, f"no map: no notes {j['map_notes']}")

# a member that cannot be read: the message the file alone gets, and the summary says it is an error
e1, e2 = ck.path("e1"), ck.path("e2")
os.mkdir(e1)
os.mkdir(e2)
open(os.path.join(e1, "x.npy"), "wb").close()
np.save(os.path.join(e2, "x.npy"), ref)
rc1, out1, err1 = run("compare", os.path.join(e1, "x.npy"), os.path.join(e2, "x.npy"))
rc, out, err = run("compare", e1, e2)
ck.check(rc1 == 2 and "x.npy: empty file (0 bytes)" in err1, f"alone: {rc1} {err1}")
ck.check(rc == 1 and "error: " + os.path.join(e1, "x.npy") + ": empty file (0 bytes)" in out and "bad magic" not in out,
         f"in a folder: the same message: {out}")
ck.check("first unaligned: x (error: " in out and "1 member could not be read" in out, f"summary says error: {out}")
rc, j = run_json("compare", e1, e2)
ck.check(j["first_unaligned"] == "x" and "empty file (0 bytes)" in (j["first_unaligned_error"] or ""),
         f"JSON first_unaligned_error: {j.get('first_unaligned_error')}")

rc, out, err = run("--version")
ck.check(rc == 0 and out.startswith("xalign "), "--version")
ck.done()
