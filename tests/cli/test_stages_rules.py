"""`xalign stages`: how stage dumps are paired and named (a name used twice, names too long,
seed-style names mapped by a manifest), how manifests are read (absolute raw specs, unknown
operations, standard input), which tolerance wins, top-k on Fortran-stored logits, and what a
dataset sample without dumps or a dump that is not a regular file gives. Each case once gave a
wrong answer, a silent 'aligned' or a hang."""
import json
import os

import numpy as np
from xa_testlib import Checker, run, run_json

ck = Checker("stages_rules")
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
# --manifest - reads the manifest from standard input, as a file
r = folder("stdin_r", {"00_a.npy": a}); p = folder("stdin_p", {"00_a.npy": (a + 0.01).astype(np.float32)})
body = json.dumps({"defaults": {"max_abs": 0.1}})
rc, out, err = run("stages", r, p, "--manifest", "-", input=body)
ck.check(rc == 0 and "aligned" in out, f"manifest on stdin: rc {rc} {out!r} {err!r}")
rc, out, err = run("stages", r, p, "--manifest", "-", input=json.dumps({"defaults": {"max_abs": 1e-4}}))
ck.check(rc == 1, f"manifest on stdin applies its tolerance: rc {rc}")
# a stage dump that is a FIFO: that stage is an error naming it (no wait), the others compare
r = folder("fifo_r", {"00_a.npy": a}); p = folder("fifo_p", {"00_a.npy": a, "01_b.npy": a})
os.mkfifo(os.path.join(r, "01_b.npy"))
rc, j = run_json("stages", r, p)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 1 and st["a"]["status"] == "aligned" and st["b"]["status"] == "error"
         and "is a FIFO" in json.dumps(st["b"]), f"FIFO stage dump: rc {rc} {st.get('b')}")
# the stage line's counts: "not equal" is every element that is not bit-equal; when max_abs
# decided the verdict, the elements beyond the mismatch rule (|d| > 0.001) follow, counted as
# numpy counts them, so "1000 of 1000" is never read as the number of failures
ref = rng.standard_normal(1000).astype(np.float32)
port = ref + rng.uniform(-0.002, 0.002, 1000).astype(np.float32)
beyond = int(np.count_nonzero(np.abs(port.astype(np.float64) - ref) > 0.001))
neq = int(np.count_nonzero(port != ref))
r = folder("cnt_r", {"00_logits.npy": ref})
p = folder("cnt_p", {"00_logits.npy": port})
rc, out, err = run("stages", r, p)
ck.check(rc == 1 and f"; {neq} of 1000 not equal, {beyond} beyond |d| <= 0.001" in out
         and 0 < beyond < neq, f"not equal vs beyond: {out!r} (numpy: {neq}, {beyond})")
rc, j = run_json("stages", r, p)
ck.check(j["stages"][0]["metrics"]["mismatches"] == beyond, "JSON mismatches as numpy counts")
# a stage whose shapes differ (NHWC vs NCHW): the text line, the JSON status and the HTML page say
# the same, and the page says its metrics compare the values in storage order and which transpose
# aligns them; a multi-tensor stage with a shape mismatch is not printed as plain "unaligned!"
nchw = rng.standard_normal((1, 3, 8, 6)).astype(np.float32)
r = folder("sh_r", {"00_input.npy": nchw})
p = folder("sh_p", {"00_input.npy": np.ascontiguousarray(nchw.transpose(0, 2, 3, 1))})
np.savez(os.path.join(r, "01_heads.npz"), a=nchw, b=nchw[:, :2])
np.savez(os.path.join(p, "01_heads.npz"), a=nchw.transpose(0, 2, 3, 1), b=nchw[:, :2])
page = ck.path("shape.html")
rc, out, err = run("stages", r, p, "--html", page)
rcj, j = run_json("stages", r, p)
html = open(page).read() if os.path.exists(page) else ""
lines = {ln.split()[1]: ln for ln in out.splitlines() if ln[:2].isdigit()}
st = {s["name"]: s["status"] for s in j["stages"]}
ck.check(rc == 1 and st == {"input": "shape_mismatch", "heads": "shape_mismatch"}
         and "shape mismatch!" in lines.get("input", "") and "shape mismatch! (2 tensors" in lines.get("heads", ""),
         f"shape mismatch in text and JSON: {st} {out!r}")
ck.check("the metrics compare the values in storage order; aligned after transpose (0, 3, 1, 2): max_abs 0" in html
         and "a: shapes differ: ref [1, 3, 8, 6], port [1, 8, 6, 3]" in html,
         f"the page explains the shape mismatch: {html[:300]!r}")
# a manifest stage that names no dump ("logit" for 00_logits): refused with a suggestion, not a
# silent "aligned" under the default tolerance its own (tighter) one was meant to replace
r = folder("typo_r", {"00_logits.npy": a})
p = folder("typo_p", {"00_logits.npy": a + np.float32(1e-4)})
mf = ck.path("typo.json")
with open(mf, "w") as f:
    json.dump({"stages": {"logit": {"tolerance": {"max_abs": 1e-6}}}}, f)
rc, out, err = run("stages", r, p, "--manifest", mf)
ck.check(rc == 2 and "manifest stage 'logit' matches no dump" in err and "did you mean 'logits'?" in err,
         f"manifest typo: rc {rc} {err!r}")
ck.done()
