"""Split BMRT dumps and per-tensor tolerances in `xalign stages` (issue 10's regression cases):
- a port stage that is a split raw dump (#0, #1, #2) against a reference npz named p3/p4/p5:
  the manifest's "names" name the parts, so they pair by name without a .bmodel;
- one selected tensor on each side ("ref": "03_outputs.npz#p3", "port": "...#2") pairs whatever
  the names;
- parts dumped in another order than the reference's: the stage says which pairing aligns;
- tolerances: command line > tolerance file > manifest > dtype default, each tensor saying which.
"""
import json
import os

import numpy as np
from xa_testlib import Checker, run, run_json

ck = Checker("stages_split")
rng = np.random.default_rng(21)
shapes = {"p3": (1, 3, 8, 8), "p4": (1, 3, 4, 4), "p5": (1, 3, 2, 2)}
outs = {k: rng.standard_normal(s).astype(np.float32) for k, s in shapes.items()}


def folder(name):
    d = ck.path(name)
    os.makedirs(d, exist_ok=True)
    return d


def manifest(body):
    m = ck.path("m.json")
    with open(m, "w") as f:
        json.dump({"stages": body}, f)
    return m


r = folder("r")
np.savez(os.path.join(r, "03_outputs.npz"), **outs)
spec = ",".join("x".join(map(str, s)) for s in shapes.values())
p = folder("p")
with open(os.path.join(p, "output_ref_data.dat.bmrt"), "wb") as f:  # the parts in the reference's order
    for k in shapes:
        f.write((outs[k] + np.float32(1e-5)).tobytes())
m = manifest({"outputs": {"port": f"output_ref_data.dat.bmrt:f32:{spec}"}})
rc, so, se = run("stages", r, p, "--manifest", m)
ck.check(rc == 1 and "only in the reference dump: 'p3'" in so, f"without names the parts do not pair: {rc} {so}")
m = manifest({"outputs": {"port": f"output_ref_data.dat.bmrt:f32:{spec}", "names": ["p3", "p4", "p5"]}})
rc, j = run_json("stages", r, p, "--manifest", m)
st = j["stages"][0]
ck.check(rc == 0 and [t["name"] for t in st["tensors"]] == ["p3", "p4", "p5"] and st["status"] == "aligned",
         f"names pair the parts: {rc} {[t['name'] for t in st['tensors']]}")

# one selected tensor a side: paired whatever the names
m = manifest({"outputs": {"ref": "03_outputs.npz#p3", "port": f"output_ref_data.dat.bmrt:f32:{spec}#0"}})
rc, j = run_json("stages", r, p, "--manifest", m)
ck.check(rc == 0 and j["stages"][0]["status"] == "aligned", f"#p3 vs #0: {rc} {j['stages'][0]['status']}")

# parts in another order: which pairing aligns
p2 = folder("p2")
with open(os.path.join(p2, "output_ref_data.dat.bmrt"), "wb") as f:
    for k in reversed(list(shapes)):
        f.write(outs[k].tobytes())
rspec = ",".join("x".join(map(str, shapes[k])) for k in reversed(list(shapes)))
m = manifest({"outputs": {"port": f"output_ref_data.dat.bmrt:f32:{rspec}", "names": ["p3", "p4", "p5"]}})
rc, so, se = run("stages", r, p2, "--manifest", m)
ck.check(rc == 1 and "pair better in another order: 3/3 aligned when paired p3 <- p5, p4 <- p4, p5 <- p3" in so,
         f"the pairing that aligns is named: {so}")

# without a manifest: the folder's BMRT dump is paired by its size with the reference stage it
# matches, read in that stage's dtype and shapes, its parts named after the reference's members
rc, j = run_json("stages", r, p)
st = j["stages"][0]
ck.check(rc == 0 and st["status"] == "aligned" and "paired by its size" in (st["note"] or "")
         and [t["name"] for t in st["tensors"]] == ["p3", "p4", "p5"], f"BMRT dump found by itself: {rc} {st}")
rc, so, se = run("stages", r, p2)
ck.check(rc == 1 and "the dump holds the parts in the order p5, p4, p3; read so, all 3 align" in so,
         f"... and in another order, the order that aligns: {so}")
# ... and the diagnosis names that order as the cause (it said "unknown" under the order found)
ck.check("cause: output_order (confidence 1.00) -- the dump holds the parts in the order p5, p4, p3" in so
         and "cause: unknown" not in so, f"the dump's order is the cause: {so}")
# the manifest's "names" with the parts' shapes in the dump's order align the stage, as the fix says
m = manifest({"outputs": {"port": f"output_ref_data.dat.bmrt:f32:{rspec}", "names": ["p5", "p4", "p3"]}})
rc, so, se = run("stages", r, p2, "--manifest", m)
ck.check(rc == 0, f"the fix of the dump's order aligns the stage: {rc} {so} {se}")
open(os.path.join(p2, "output_ref_data.dat.bmrt"), "ab").write(b"\0\0\0\0")
rc, so, se = run("stages", r, p2)
ck.check(rc == 1 and "missing in the port dumps" in so, f"a dump of another size is not paired: {so}")

# tolerances: command line > tolerance file > manifest > dtype default
a = rng.standard_normal((4, 5)).astype(np.float32)
r3, p3 = folder("r3"), folder("p3")
np.savez(os.path.join(r3, "00_layers.npz"), conv=a, fc=a)
np.savez(os.path.join(p3, "00_layers.npz"), conv=a + np.float32(0.01), fc=a + np.float32(0.01))
tf = ck.path("tol.json")
with open(tf, "w") as f:
    json.dump({"conv*": {"max-abs": 0.1}}, f)
m = manifest({"layers": {"tolerance": {"max_abs": 0.001}}})
rc, j = run_json("stages", r3, p3, "--manifest", m, "--tolerance-file", tf)
rules = {t["name"]: (t["status"], t["rule"]["source"]) for t in j["stages"][0]["tensors"]}
ck.check(rules == {"conv": ("aligned", "tolerance_file"), "fc": ("unaligned", "manifest")},
         f"the file beats the manifest for conv, the manifest decides fc: {rules}")
rc, j = run_json("stages", r3, p3, "--manifest", m, "--tolerance-file", tf, "--max-abs", "0.05")
rules = {t["name"]: (t["status"], t["rule"]["source"]) for t in j["stages"][0]["tensors"]}
ck.check(rc == 0 and rules == {"conv": ("aligned", "command_line"), "fc": ("aligned", "command_line")},
         f"the command line beats both: {rules}")
rc, so, se = run("stages", r3, p3, "--manifest", m, "--tolerance-file", tf)
ck.check("[tolerance file 'conv*']" in so, f"the line says which rule decided: {so}")
rc, so, se = run("stages", r3, p3, "--tolerance-file", ck.path("missing.json"))
ck.check(rc == 2 and "missing.json" in se, f"a missing tolerance file: {rc} {se}")
# BMRT dumps without manifest or bmodel, when the model's input and output have the same size (a
# denoiser): the runtime's file names decide -- the input dump is the earliest stage of its size,
# the output dump the latest -- and the note says several fit. Paired the other way round, the
# identical dumps were reported as the first unaligned stage.
x_in = rng.standard_normal((1, 48)).astype(np.float32)
x_out = rng.standard_normal((1, 3, 4, 4)).astype(np.float32)
r4, p4 = folder("same_r"), folder("same_p")
np.save(os.path.join(r4, "00_input.npy"), x_in)
np.savez(os.path.join(r4, "01_out.npz"), x=x_out)
x_in.tofile(os.path.join(p4, "input_ref_data.dat.bmrt"))
x_out.tofile(os.path.join(p4, "output_ref_data.dat.bmrt"))
rc, j = run_json("stages", r4, p4)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 0 and all(s["status"] == "aligned" for s in st.values())
         and "input_ref_data" in (st["input"]["port"] or "") and "output_ref_data" in (st["out"]["port"] or "")
         and "2 stages have its size" in (st["input"]["note"] or ""), f"same-size input and output: {rc} {st}")
# a stage of mixed dtypes (boxes float32 + classes int32) of exactly the dump's size: not guessed,
# and the stage reported missing says why (it said only "missing in the port dumps")
r5, p5 = folder("mixed_r"), folder("mixed_p")
np.save(os.path.join(r5, "00_input.npy"), x_in)
np.savez(os.path.join(r5, "01_det.npz"), boxes=np.ones((1, 10, 4), np.float32), cls=np.ones((1, 10), np.int32))
x_in.tofile(os.path.join(p5, "input_ref_data.dat.bmrt"))
(np.ones(200, np.uint8)).tofile(os.path.join(p5, "output_ref_data.dat.bmrt"))
rc, out, err = run("stages", r5, p5)
ck.check(rc == 1 and "01 det" in out and "missing in the port dumps" in out and "several dtypes" in out
         and "--bmodel" in out, f"mixed dtypes: {rc} {out}")
# the input dump's size fits a mixed-dtype stage first and a float32 stage later: the earliest
# decides, so nothing is guessed -- the input dump was paired with the later stage before
r6, p6 = folder("mixed_first_r"), folder("mixed_first_p")
np.savez(os.path.join(r6, "01_a.npz"), f=np.ones(5, np.float32), i=np.ones(5, np.int32))
np.save(os.path.join(r6, "02_b.npy"), np.ones(10, np.float32))
np.ones(10, np.float32).tofile(os.path.join(p6, "input_ref_data.dat.bmrt"))
rc, j = run_json("stages", r6, p6)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 1 and st["b"]["status"] == "missing_port" and "several dtypes" in (st["a"]["note"] or ""),
         f"mixed-dtype earliest stage: {rc} {st}")
ck.done()
