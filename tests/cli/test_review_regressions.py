"""Regressions for defects a code review found: each case once gave a wrong answer or a silent
'aligned'."""
import json
import os

import numpy as np
from xa_testlib import Checker, run, run_json

ck = Checker("review_regressions")
rng = np.random.default_rng(3)


def folder(name, files):
    d = ck.path(name)
    os.makedirs(d, exist_ok=True)
    for fn, arr in files.items():
        np.save(os.path.join(d, fn), arr)
    return d


a = rng.standard_normal(8).astype(np.float32)
b = a + 1

# a stage name twice, not adjacent after sorting (00_a, 01_b, 02_a): refused, not half compared
r = folder("dup_r", {"00_a.npy": a, "01_b.npy": a, "02_a.npy": a})
p = folder("dup_p", {"00_a.npy": a, "01_b.npy": a, "02_a.npy": b})
rc, out, err = run("stages", r, p)
ck.check(rc == 2 and "appears twice" in err, f"duplicate stage names: rc {rc} {err!r}")

# a stage file with a name too long to hold: refused, not skipped
long = "x" * 130
r = folder("long_r", {f"00_{long}.npy": a})
p = folder("long_p", {f"00_{long}.npy": b})
rc, out, err = run("stages", r, p)
ck.check(rc == 2 and "longer than" in err, f"long stage name: rc {rc} {err!r}")

# an absolute raw spec in a manifest, with folders whose names are longer than the spec
r = folder("reference_dir_with_a_long_name", {"00_x.npy": a})
p = folder("port_dir_with_an_even_longer_name", {})
raw = ck.path("o.bin")
a.tofile(raw)
m = ck.path("m.json")
with open(m, "w") as f:
    json.dump({"stages": {"x": {"port": raw + ":f32:8"}}}, f)
rc, j = run_json("stages", r, p, "--manifest", m)
ck.check(rc == 0 and j["stages"][0]["status"] == "aligned", f"absolute manifest spec: {j['stages'][0]['status']}")

# Fortran-order reference vs C-order port: coordinates are numpy's
x = np.arange(12, dtype=np.float32).reshape(3, 4)
y = x.copy(); y[1, 2] += 5
np.save(ck.path("rF.npy"), np.asfortranarray(x)); np.save(ck.path("pC.npy"), y)
rc, j = run_json("compare", ck.path("rF.npy"), ck.path("pC.npy"))
ck.check(j["metrics"]["max_abs_coords"] == [1, 2] and j["metrics"]["max_abs_index"] == 6,
         f"Fortran/C coordinates: {j['metrics']['max_abs_coords']} {j['metrics']['max_abs_index']}")
np.save(ck.path("pF.npy"), np.asfortranarray(y))
rc, j = run_json("compare", ck.path("rF.npy"), ck.path("pF.npy"))
ck.check(j["metrics"]["max_abs_index"] == int(np.argmax(np.abs(y - x))), f"both Fortran: numpy's argmax index {j['metrics']['max_abs_index']}")

# 64-bit integers beyond 2^53 differ even where their doubles agree, across dtypes too
np.save(ck.path("i64.npy"), np.array([2**53 + 1, 5], np.int64))
np.save(ck.path("u64.npy"), np.array([2**53, 5], np.uint64))
np.save(ck.path("f64.npy"), np.array([2**53, 5], np.float64))
rc, j = run_json("compare", ck.path("i64.npy"), ck.path("u64.npy"))
ck.check(rc == 1 and j["metrics"]["equal"] == 1, f"int64 vs uint64 beyond 2^53: rc {rc} equal {j['metrics']['equal']}")
rc, j = run_json("compare", ck.path("i64.npy"), ck.path("f64.npy"), "--equal")
ck.check(rc == 1 and j["metrics"]["equal"] == 1, f"int64 vs float64 --equal: rc {rc} equal {j['metrics']['equal']}")

# top-k of Fortran-stored logits uses numpy's class indices
lg = np.array([[0.1, 3.0, 0.2], [0.0, 0.5, 9.0]], np.float32)
r = folder("tk_r", {"00_logits.npy": np.asfortranarray(lg)})
p = folder("tk_p", {"00_logits.npy": lg})
with open(m, "w") as f:
    json.dump({"stages": {"logits": {"topk": 2}}}, f)
rc, j = run_json("stages", r, p, "--manifest", m)
tk = j["stages"][0]["topk"]
ck.check(rc == 0 and tk["top1_equal"] and tk["ref_index"] == [5, 1], f"Fortran logits top-k: {tk}")

# a sample folder without dumps is an error naming it, not an aligned sample
r = folder("ds_r/s0", {"00_a.npy": a}); folder("ds_r/s1", {})
p = folder("ds_p/s0", {"00_a.npy": a}); folder("ds_p/s1", {})
rc, out, err = run("stages", ck.path("ds_r"), ck.path("ds_p"))
ck.check(rc == 2 and "s1" in err and "no stage dumps" in err, f"empty sample: rc {rc} {err!r}")

# manifests: unknown operations and operation parameters without an operation are refused
for body, needle in [({"x": {"op": "blur"}}, "unknown operation 'blur'"), ({"x": {"size": [3, 3]}}, "need an \"op\"")]:
    with open(m, "w") as f:
        json.dump({"stages": body}, f)
    rc, out, err = run("stages", ck.path("dup_r"), ck.path("dup_r"), "--manifest", m)
    ck.check(rc == 2 and needle in err, f"manifest {body}: rc {rc} {err!r}")

# the command line's tolerance beats the manifest's defaults; a stage's own tolerance beats both
r = folder("tol_r", {"00_a.npy": a}); p = folder("tol_p", {"00_a.npy": (a + 0.01).astype(np.float32)})
with open(m, "w") as f:
    json.dump({"defaults": {"max_abs": 1e-3}}, f)
ck.check(run("stages", r, p, "--manifest", m, "--max-abs", "0.1")[0] == 0, "--max-abs overrides manifest defaults")
ck.check(run("stages", r, p, "--manifest", m)[0] == 1, "manifest defaults apply without options")
with open(m, "w") as f:
    json.dump({"stages": {"a": {"tolerance": {"max_abs": 1e-4}}}}, f)
# command line > tolerance file > manifest > dtype default (issue 10's precedence, one resolution
# for compare and stages): the command line's --max-abs beats the stage's own tolerance
ck.check(run("stages", r, p, "--manifest", m, "--max-abs", "0.1")[0] == 0, "--max-abs beats the stage's tolerance")
ck.check(run("stages", r, p, "--manifest", m)[0] == 1, "the stage's tolerance beats the dtype default")
# dumps named as the seed names them (img_read_cv.npy ...): a manifest maps each stage to its
# files, and the stages run in the manifest's order
r = folder("seed_r", {"img_read.npy": a, "img_resize.npy": a, "img_normalize.npy": a})
p = folder("seed_p", {"img_read_cv.npy": a, "img_resize_cv.npy": b, "img_normalize_cv.npy": b})
with open(m, "w") as f:
    json.dump({"stages": {k: {"ref": f"img_{k}.npy", "port": f"img_{k}_cv.npy"} for k in ("read", "resize", "normalize")}}, f)
rc, j = run_json("stages", r, p, "--manifest", m)
ck.check(rc == 1 and [s["name"] for s in j["stages"]] == ["read", "resize", "normalize"] and j["first_unaligned"] == "resize",
         f"seed-style names: {[(s['name'], s['status']) for s in j['stages']]}")
# a few bytes of input must not ask for gigabytes of output; hostile options are refused
tiny = ck.path("tiny.npy")
np.save(tiny, np.ones((4, 5, 3), np.uint8))
np.save(ck.path("b4.npy"), np.ones((2, 4, 5, 3), np.uint8))
for args, needle in [(["transform", tiny, ck.path("o.npy"), "--op", "center-crop", "--size", "65536"], "exceeds the limit"),
                     (["resize", tiny, ck.path("o.npy"), "--method", "cv2-linear", "--size", "65536x65536"], "exceeds the limit"),
                     (["transform", "--op", "letterbox-yolov5", "--geometry-only", ck.path("b4.npy")], "not one H x W"),
                     (["transform", tiny, ck.path("o.npy"), "--op", "letterbox-yolov5", "--stride", "0"], "stride '0' is outside"),
                     (["preprocess", tiny, ck.path("o.npy"), "--recipe", "torchvision-resnet", "--size", "0"], "--size"),
                     (["preprocess", tiny, ck.path("o.npy"), "--recipe", "torchvision-resnet", "--mean", "nan,1,1",
                       "--std", "1,1,1"], "finite")]:
    rc, out, err = run(*args)
    ck.check(rc == 2 and needle in err and not os.path.exists(ck.path("o.npy")), f"{args[:3]}: rc {rc} {err!r}")
ck.done()
