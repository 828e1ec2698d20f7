"""Whole-model comparison (issue 10): `xalign compare` on per-layer files written by numpy.

Per-layer npz pairs the way tpu-mlir writes them (np.savez; hundreds of members, float32,
float16, bfloat16 kept as uint16, int8), with members missing or extra and one real break where
the test knows the first diverging member. Every member's verdict is checked against the oracle
for its dtype: torch.testing.assert_close for float16/bfloat16, numpy's max_abs for float32,
np.array_equal for integers; max_abs and cosine against numpy. Then folders of .npy, deflated
archives, tolerance files and their precedence, name maps, Polygraphy JSON written as Polygraphy
writes it, the split-BMRT cases of the issue, raw dumps without a shape, and `info` listings."""
import json
import os

import numpy as np
import torch
from xa_bmodel import build_bmodel
from xa_polygraphy import run_results, save_inputs
from xa_testlib import Checker, run, run_json

ck = Checker("perlayer")
rng = np.random.default_rng(20261202)


def bf16_bits(x):
    """float32 -> bfloat16 bit patterns (round to nearest even), as tpu-mlir stores them."""
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_value(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


# ---- a per-layer pair ---------------------------------------------------------------------------
N = 300
BREAK = 187  # the first member whose port values really diverge (a float32 layer)
kinds = []
for i in range(N):
    kinds.append("float16" if i % 7 == 3 else "bf16" if i % 11 == 5 else "int8" if i % 13 == 6 else "float32")
assert kinds[BREAK] == "float32"
ref, port = {}, {}
for i in range(N):
    name = f"/layer{i}/conv{i % 3}/Conv_output_0"
    shape = (1, int(rng.integers(1, 9)), int(rng.integers(2, 9)), int(rng.integers(2, 9)))
    x = rng.standard_normal(shape).astype(np.float32)
    noise = 0.05 if i >= BREAK else 2e-6  # from BREAK on, every layer inherits the break
    y = x * (1 + rng.standard_normal(shape).astype(np.float32) * np.float32(noise))
    k = kinds[i]
    if k == "float16":
        ref[name], port[name] = x.astype(np.float16), y.astype(np.float16)
    elif k == "bf16":
        ref[name], port[name] = bf16_bits(x), bf16_bits(y)
    elif k == "int8":
        q = rng.integers(-128, 128, shape).astype(np.int8)
        ref[name], port[name] = q, (q if i < BREAK else np.roll(q, 1))
    else:
        ref[name], port[name] = x, y
names = list(ref)
missing = [names[10], names[250]]  # the port lacks them
for m in missing:
    del port[m]
port["/extra/port_only"] = np.zeros(4, np.float32)
rp, pp = ck.path("ref_outputs.npz"), ck.path("model_outputs.npz")
np.savez(rp, **ref)
np.savez(pp, **port)


def oracle_aligned(name):
    """The member's verdict under its dtype default, from the oracle libraries."""
    r, p, k = ref[name], port[name], kinds[names.index(name)]
    if k in ("float16", "bf16"):
        rt = torch.from_numpy(r) if k == "float16" else torch.from_numpy(r.view(np.int16)).view(torch.bfloat16)
        pt = torch.from_numpy(p) if k == "float16" else torch.from_numpy(p.view(np.int16)).view(torch.bfloat16)
        try:
            torch.testing.assert_close(pt, rt, equal_nan=True)
            return True
        except AssertionError:
            return False
    if k == "int8":
        return bool(np.array_equal(r, p))
    return float(np.max(np.abs(p.astype(np.float64) - r.astype(np.float64)))) <= 1e-3


rc, j = run_json("compare", rp, pp, "--u16-as", "bf16")
ck.check(rc == 1 and j["schema"] == "xalign.compare-members/1" and list(j)[0] == "schema",
         f"members JSON: rc {rc}, keys {list(j)[:3]}")
got_names = [m["name"] for m in j["members"]]
ck.check(got_names == names + ["/extra/port_only"], "members in the reference's (file) order, then port-only")
status = {m["name"]: m for m in j["members"]}
ck.check(all(status[m]["status"] == "only_ref" for m in missing), "members missing in the port")
ck.check(status["/extra/port_only"]["status"] == "only_port", "extra member of the port")
bad_verdicts, bad_metrics = [], []
for name in names:
    if name in missing:
        continue
    m = status[name]
    want = oracle_aligned(name)
    if m["aligned"] != want:
        bad_verdicts.append((name, m["aligned"], want, m.get("verdict")))
    r = ref[name].astype(np.float64) if kinds[names.index(name)] != "bf16" else bf16_value(ref[name]).astype(np.float64)
    p = port[name].astype(np.float64) if kinds[names.index(name)] != "bf16" else bf16_value(port[name]).astype(np.float64)
    mx = float(np.max(np.abs(p - r)))
    cos = float(np.dot(r.ravel(), p.ravel()) / (np.linalg.norm(r) * np.linalg.norm(p)))
    if m["metrics"]["max_abs"] != mx or abs(m["metrics"]["cosine"] - cos) > 1e-12:
        bad_metrics.append((name, m["metrics"]["max_abs"], mx))
ck.check(not bad_verdicts, f"verdicts against the dtype oracles: {bad_verdicts[:5]}")
ck.check(not bad_metrics, f"max_abs/cosine against numpy: {bad_metrics[:5]}")
first = next(n for n in names if n not in missing and not oracle_aligned(n))
ck.check(first == names[BREAK] and j["first_unaligned"] == first, f"first unaligned {j['first_unaligned']}, want {first}")
s = j["summary"]
ck.check(s["compared"] == N - 2 and s["only_ref"] == 2 and s["only_port"] == 1 and
         s["aligned"] == sum(oracle_aligned(n) for n in names if n not in missing), f"summary {s}")
# the rule and the default tolerance each member got
f16 = status[names[3]]
ck.check(f16["rule"]["source"] == "dtype_default" and f16["tolerance"]["rtol"] == 1e-3 and
         f16["tolerance"]["atol"] == 1e-5, f"float16 default stated: {f16['tolerance']} {f16['rule']}")
bf = status[names[5]]
ck.check(bf["ref"]["dtype"] == "bfloat16" and bf["tolerance"]["rtol"] == 1.6e-2, f"bf16 default: {bf['tolerance']}")
i8 = status[names[6]]
ck.check(i8["tolerance"].get("equal") is True, f"int8 without a scale is exact: {i8['tolerance']}")
# the text: one line per member, the failing metric named with its value, the summary
rc, out, err = run("compare", rp, pp, "--u16-as", "bf16")
lines = out.splitlines()
brk = next(x for x in lines if names[BREAK] + " " in x)
ck.check(brk.startswith("UNALIGNED") and "max_abs " in brk and "> 0.001" in brk and "cosine" in brk and
         "euclid_sim" in brk and "float32 [1," in brk, f"the break's line: {brk}")
ck.check(f"{s['aligned']}/{s['compared']} aligned; first unaligned: {names[BREAK]}" in out, "summary line")
ck.check("2 members only in the reference, 1 only in the port" in out, "one-sided members in the summary")
# without --u16-as, bfloat16 kept as uint16 is compared as integers: exact, so a bf16 rounding
# difference is a divergence, and the first one comes earlier
rc, j2 = run_json("compare", rp, pp)
bf_first = next(n for n in names if n not in missing and kinds[names.index(n)] == "bf16" and
                not np.array_equal(ref[n], port[n]))
ck.check(status[bf_first]["aligned"] and j2["first_unaligned"] is not None and
         names.index(j2["first_unaligned"]) <= names.index(bf_first), f"uint16 compared exactly: {j2['first_unaligned']}")

# deflated archives give the same results
rz, pz = ck.path("ref_z.npz"), ck.path("port_z.npz")
np.savez_compressed(rz, **ref)
np.savez_compressed(pz, **port)
rc, jz = run_json("compare", rz, pz, "--u16-as", "bf16", "--threads", "1")
ck.check([(m["name"], m["status"]) for m in jz["members"]] == [(m["name"], m["status"]) for m in j["members"]]
         and jz["first_unaligned"] == names[BREAK], "np.savez_compressed pair")

# ---- tolerance files, and the precedence command line > file > dtype default -------------------
tf = ck.path("tol.json")
with open(tf, "w") as f:
    json.dump({f"/layer{BREAK}/*": {"min_cosine": 0.9}, "/layer1[0-9][0-9]/*": {"max_abs": 1e-9}}, f)
rc, jt = run_json("compare", rp, pp, "--u16-as", "bf16", "--tolerance-file", tf)
st = {m["name"]: m for m in jt["members"]}
ck.check(st[names[BREAK]]["aligned"] and st[names[BREAK]]["rule"]["source"] == "tolerance_file" and
         st[names[BREAK]]["verdict"].startswith("cosine 0.9") and ">= 0.9" in st[names[BREAK]]["verdict"],
         f"the file's first matching pattern decides: {st[names[BREAK]]['verdict']} {st[names[BREAK]]['rule']}")
ck.check(st[names[100]]["rule"]["what"] == "tolerance file '/layer1[0-9][0-9]/*'" and not st[names[100]]["aligned"],
         f"second pattern: {st[names[100]]['rule']}")
ck.check(st[names[20]]["rule"]["source"] == "dtype_default", "no pattern: the dtype default")
rc, jc = run_json("compare", rp, pp, "--u16-as", "bf16", "--tolerance-file", tf, "--max-abs", "100")
ck.check(all(m["rule"]["source"] == "command_line" for m in jc["members"] if m.get("rule")) and
         jc["members"][names.index(names[BREAK])]["aligned"], "the command line decides every member, over the file")
bad = ck.path("badtol.json")
with open(bad, "w") as f:
    f.write('{"/x*": {"max_abs": -1}}')
rc, out, err = run("compare", rp, pp, "--tolerance-file", bad)
ck.check(rc == 2 and not out and "badtol.json: pattern '/x*'" in err and "must not be negative" in err, f"bad tolerance file: {err}")
with open(bad, "w") as f:
    f.write('{"/x*": {"max_abs": 1, "colour": 3}}')
rc, out, err = run("compare", rp, pp, "--tolerance-file", bad)
ck.check(rc == 2 and "unknown key 'colour'" in err, f"unknown key: {err}")

# ---- names: a map file and sed-style renames -----------------------------------------------------
small_r = {f"layer{i}": rng.standard_normal(6).astype(np.float32) for i in range(5)}
small_p = {f"model/layer{i}_out": v.copy() for i, v in enumerate(small_r.values())}
sr, sp = ck.path("small_r.npz"), ck.path("small_p.npz")
np.savez(sr, **small_r)
np.savez(sp, **small_p)
rc, jn = run_json("compare", sr, sp)
ck.check(rc == 1 and jn["summary"]["compared"] == 0 and jn["summary"]["only_ref"] == 5, "no name in common")
rc, out, err = run("compare", sr, sp)
ck.check("--map FILE or --rename" in out, f"the summary says how to pair: {out}")
rc, jn = run_json("compare", sr, sp, "--rename", "s|^|model/|", "--rename", "s/$/_out/")
ck.check(rc == 0 and jn["summary"]["aligned"] == 5 and jn["members"][0]["port_name"] == "model/layer0_out",
         f"renames in order: {jn['summary']}")
mp = ck.path("map.json")
with open(mp, "w") as f:
    json.dump({"layer0": "model/layer0_out", "layer1": "model/layer1_out"}, f)
rc, jn = run_json("compare", sr, sp, "--map", mp)
ck.check(jn["summary"]["aligned"] == 2 and jn["summary"]["only_ref"] == 3, f"map: {jn['summary']}")
rc, jn = run_json("compare", sr, sp, "--by-position")
ck.check(rc == 0 and jn["paired_by"] == "position" and jn["summary"]["aligned"] == 5, "--by-position")
rc, out, err = run("compare", sr, sp, "--rename", "s/(/x/")
ck.check(rc == 2 and "rename 's/(/x/'" in err, f"bad regex: {err}")

# ---- a folder of .npy files against another, ordered by file name ----------------------------------
rd, pd = ck.path("ref_dir"), ck.path("port_dir")
os.mkdir(rd)
os.mkdir(pd)
for i, nm in enumerate(["10_fc", "02_conv", "05_relu", "01_input"]):
    x = rng.standard_normal(20).astype(np.float32)
    np.save(os.path.join(rd, nm + ".npy"), x)
    np.save(os.path.join(pd, nm + ".npy"), x + np.float32(0.1 if nm in ("05_relu", "10_fc") else 0))
rc, jd = run_json("compare", rd, pd)
ck.check([m["name"] for m in jd["members"]] == ["input", "conv", "relu", "fc"] and
         jd["first_unaligned"] == "relu" and rc == 1, f"folder order and first unaligned: {jd['first_unaligned']}")
# stage-dump names (NN_name.npy) pair without their NN_, as `stages` pairs them: a layer missing on
# one side does not shift every later name (08_pool vs 09_pool were "only in" each side)
pd2 = ck.path("port_dir_shifted")
os.mkdir(pd2)
for nm in ["01_input", "02_conv", "04_fc"]:
    np.save(os.path.join(pd2, nm + ".npy"), np.load(os.path.join(rd, {"04_fc": "10_fc"}.get(nm, nm) + ".npy")))
rc, jd = run_json("compare", rd, pd2)
st = {m["name"]: m["status"] for m in jd["members"]}
ck.check(rc == 1 and st.get("fc") == "aligned" and st.get("relu") == "only_ref" and len(st) == 4,
         f"NN_ prefixes dropped: {st}")
# ... only when both folders are numbered: a port folder with one more, unnumbered file keeps
# both sides' names as they are (stripping one side only paired nothing)
pd3 = ck.path("port_dir_extra")
os.mkdir(pd3)
for nm in ["10_fc", "02_conv", "05_relu", "01_input"]:
    np.save(os.path.join(pd3, nm + ".npy"), np.load(os.path.join(rd, nm + ".npy")))
np.save(os.path.join(pd3, "extra.npy"), np.zeros(3, np.float32))
rc, jd = run_json("compare", rd, pd3)
st = {m["name"]: m["status"] for m in jd["members"]}
ck.check(st.get("01_input") == "aligned" and st.get("10_fc") == "aligned" and st.get("extra") == "only_port",
         f"one side numbered: {st}")

# ---- the one-member case stays as it was: one member each, compared whatever their names ---------
a1, b1 = ck.path("one_a.npz"), ck.path("one_b.npz")
v = rng.standard_normal((2, 3)).astype(np.float32)
np.savez(a1, logits=v)
np.savez(b1, output=v + np.float32(1e-5))
rc, out, err = run("compare", a1, b1)
ck.check(rc == 0 and out.startswith("ref : " + a1) and "aligned. max_abs" in out, f"one member each: {out}")

# ---- raw dumps without a shape take the reference's shape (issue 10) -----------------------------
x = rng.standard_normal((1, 3, 4, 5)).astype(np.float32)
xr = ck.path("x.npy")
np.save(xr, x)
raw = ck.path("input_ref_data.dat.bmrt")
x.tofile(raw)
rc, out, err = run("compare", xr, raw + ":f32")
ck.check(rc == 0 and "port is raw f32 without a shape: read in the reference's shape [1, 3, 4, 5]" in out and
         "aligned. max_abs 0" in out, f"PATH:DTYPE takes the reference's shape: rc {rc} {out}")
rc, out, err = run("compare", raw + ":f32", xr)
ck.check(rc == 0 and "ref is raw f32 without a shape: read in the port's shape" in out, f"and the other way: {out}")

# ---- split BMRT dumps (the cases) ---------------------------------------------------------
p3 = rng.standard_normal((1, 3, 8, 8)).astype(np.float32)
p4 = rng.standard_normal((1, 3, 4, 4)).astype(np.float32)
p5 = rng.standard_normal((1, 3, 2, 2)).astype(np.float32)
outs = ck.path("03_outputs.npz")
np.savez(outs, p3=p3, p4=p4, p5=p5)
dump = ck.path("output_ref_data.dat.bmrt")
np.concatenate([t.ravel() for t in (p3, p4, p5)]).tofile(dump)
S = "1x3x8x8,1x3x4x4,1x3x2x2"
rc, j = run_json("compare", outs, f"{dump}:f32:{S}")
ck.check(rc == 0 and j["paired_by"] == "position" and [m["port_name"] for m in j["members"]] == ["#0", "#1", "#2"],
         f"split parts pair with p3/p4/p5 by position: rc {rc}")
rc, out, err = run("compare", outs + "#p3", f"{dump}:f32:{S}#0")
ck.check(rc == 0 and "aligned. max_abs 0" in out, f"one selected part against one member: {out}")
# the dump holds the outputs in another order than the reference (p5, p4, p3), split correctly
dump2 = ck.path("output_ref_data2.dat.bmrt")
np.concatenate([t.ravel() for t in (p5, p4, p3)]).tofile(dump2)
rc, j = run_json("compare", outs, f"{dump2}:f32:1x3x2x2,1x3x4x4,1x3x8x8")
ck.check(rc == 1 and j["pairing"] and [(q["ref"], q["port"]) for q in j["pairing"]["pairs"]] ==
         [("p3", "#2"), ("p4", "#1"), ("p5", "#0")] and j["pairing"]["aligned"] == 3,
         f"another order is found and said: {j.get('pairing')}")
rc, out, err = run("compare", outs, f"{dump2}:f32:1x3x2x2,1x3x4x4,1x3x8x8")
ck.check("the port's members align in another order (3/3 aligned): p3 <- #2, p4 <- #1, p5 <- #0" in out, f"text: {out}")
# equal sizes: the split is right, the assignment is not
a, b, c = (rng.standard_normal((1, 10)).astype(np.float32) for _ in range(3))
eq = ck.path("eq.npz")
np.savez(eq, a=a, b=b, c=c)
dump3 = ck.path("eq.bmrt")
np.concatenate([c.ravel(), a.ravel(), b.ravel()]).tofile(dump3)
rc, j = run_json("compare", eq, f"{dump3}:f32:1x10,1x10,1x10")
ck.check(rc == 1 and j["pairing"] and [q["port"] for q in j["pairing"]["pairs"]] == ["#1", "#2", "#0"],
         f"equal-size parts in another order: {j.get('pairing')}")

# ---- Polygraphy JSON, written as Polygraphy writes it ---------------------------------------------
outputs = {"output0": rng.standard_normal((1, 5)).astype(np.float32),
           "boxes": rng.standard_normal((2, 4)).astype(np.float16)}
onnx = ck.path("onnx_out.json")
trt = ck.path("trt_out.json")
with open(onnx, "w") as f:
    f.write(run_results([("onnxrt-runner-N0-12/02/25-10:00:00", [outputs])]))
trt_outs = {"output0": outputs["output0"] * np.float32(1.0001), "boxes": outputs["boxes"]}
with open(trt, "w") as f:
    f.write(run_results([("trt-runner-N0-12/02/25-10:00:01", [trt_outs])]))
rc, j = run_json("compare", onnx, trt)
ck.check(j["paired_by"] == "name" and [m["name"] for m in j["members"]] == ["output0", "boxes"] and
         j["members"][1]["ref"]["dtype"] == "float16", f"two runners' outputs pair by output name: {j['members']}")
want0 = float(np.max(np.abs(trt_outs["output0"].astype(np.float64) - outputs["output0"])))
ck.check(j["members"][0]["metrics"]["max_abs"] == want0 and rc == 0, "values decoded from base64 npy")
npz_ref = ck.path("onnx_ref.npz")
np.savez(npz_ref, **outputs)
rc, j = run_json("compare", npz_ref, trt)
ck.check(rc == 0 and j["summary"]["aligned"] == 2, "an npz against a Polygraphy file")
rc, out, err = run("compare", onnx + "#output0", trt + "#output0")
ck.check(rc == 0 and "aligned." in out, f"one array of each: {out}")
# several iterations, several runners, legacy markers, latin-1 and npz encodings
multi = ck.path("multi.json")
its = [{"out": rng.standard_normal(3).astype(np.float32)} for _ in range(3)]
with open(multi, "w") as f:
    f.write(run_results([("onnxrt-runner", its), ("trt-runner", its)], legacy=True, wrap_lazy=False))
rc, out, err = run("info", multi)
ck.check(rc == 0 and "Polygraphy JSON, 6 members" in out and "onnxrt-runner/iter2/out" in out and
         "trt-runner/iter0/out" in out, f"info on a RunResults of 2 runners x 3 iterations: {out}")
for mode in ("latin-1", "npz"):
    path = ck.path(f"old_{mode}.json")
    with open(path, "w") as f:
        f.write(run_results([("r", [outputs])], legacy=True, mode=mode))
    rc, j = run_json("compare", npz_ref, path)
    ck.check(rc == 0 and j["summary"]["aligned"] == 2, f"old encoding {mode}: {j['summary']}")
inputs = ck.path("inputs.json")
with open(inputs, "w") as f:
    f.write(save_inputs([{"images": rng.integers(0, 255, (1, 3, 4, 4)).astype(np.uint8)}]))
rc, js = run_json("info", inputs, "--stats")
js = js["items"]
ck.check(rc == 0 and js[0]["member"] == "images" and js[0]["dtype"] == "uint8", f"--save-inputs listing: {js}")
broken = ck.path("broken.json")
good = json.loads(run_results([("r", [{"y": np.ones(2, np.float32)}])]))["lst"][0][1][0]["outputs"]["y"]
with open(broken, "w") as f:
    json.dump({"lst": [["r", [{"outputs": {"x": {"array": "not base64 and not latin-1 \u0100"}, "y": good}}]]]}, f)
rc, out, err = run("compare", broken, broken)
ck.check(rc == 1 and "ERROR     x" in out and "broken.json#x: neither base64 nor latin-1 text" in out and
         "aligned   y" in out, f"an undecodable array is that member's error: {out} {err}")
rc, out, err = run("compare", broken + "#x", broken + "#x")
ck.check(rc == 2 and not out and "neither base64 nor latin-1 text" in err, f"alone, an input error: {err}")
with open(broken, "w") as f:
    f.write('{"lst": [["r", [{"outputs": {"x": {"tensor": "gASV", "polygraphy_class": "Tensor"}}}]]]}')
rc, out, err = run("info", broken)
ck.check(rc == 2 and "torch tensor" in err and not out, f"torch tensors are refused with a reason: {err}")

# ---- the README's example files (examples/perlayer/make_layers.py) say what the README shows --------
ex = os.path.join(os.environ.get("XA_SOURCE_DIR", "."), "examples", "perlayer")
rc, out, err = run("compare", os.path.join(ex, "ref_outputs.npz"), os.path.join(ex, "model_outputs.npz"), "--u16-as", "bf16")
ck.check(rc == 1 and "9/13 aligned; first unaligned: /layer9/conv1/Conv_output_0" in out and
         "1 member only in the reference, 1 only in the port" in out, f"README example: {out[-300:]}")

# ---- info on a per-layer file: one line per member and totals, from the headers -------------------
rc, out, err = run("info", rp)
lines = out.splitlines()
ck.check(rc == 0 and lines[0] == f"{rp}: npz, {N} members" and len(lines) == N + 2 and
         lines[-1].startswith(f"total: {N} members, {sum(a.size for a in ref.values())} elements"),
         f"info listing: {lines[:2]} ... {lines[-1:]}")
rc, js = run_json("info", rp, "--stats")
js = js["items"]
ck.check(rc == 0 and all(r["min"] == float(ref[r["member"]].min()) for r in js if kinds[names.index(r["member"])] != "bf16"),
         "--stats per member")

# ---- quantised int8 with a scale from the bmodel: compared dequantised, tpu-mlir's thresholds -----
bm, _, model = build_bmodel("int8_mixed", ck.dir)
outs = model["net"][0]["parameter"][0]["output_tensor"]  # feat_f16 feat_bf16 q16 u16 prob count
prob = next(t for t in outs if t["name"] == "prob")
scale, zp = prob["scale"], prob["zero_point"]
real = rng.uniform(-1, 1, (1, 10)).astype(np.float32)
q = np.clip(np.round(real / np.float32(scale)) + zp, -128, 127).astype(np.int8)
parts = {"feat_f16": rng.standard_normal((1, 8, 4, 4)).astype(np.float16),
         "feat_bf16": bf16_bits(rng.standard_normal((1, 8, 4, 4)).astype(np.float32)),
         "q16": rng.integers(-50, 50, (2, 5)).astype(np.int16), "u16": rng.integers(0, 9, 7).astype(np.uint16),
         "prob": q, "count": np.array(7, np.uint32)}
bmrt = ck.path("q_out/output_ref_data.dat.bmrt")
os.makedirs(os.path.dirname(bmrt))
with open(bmrt, "wb") as f:
    for t in outs:
        f.write(parts[t["name"]].tobytes())
refq = ck.path("q_ref.npz")
np.savez(refq, feat_f16=parts["feat_f16"], q16=parts["q16"], u16=parts["u16"], prob=real, count=parts["count"])
sel = ["--bmodel", bm, "--stage", "0"]
rc, j = run_json("compare", refq, bmrt, *sel)
pm = next(m for m in j["members"] if m["name"] == "prob")
deq = (q.astype(np.float64) - zp) * np.float64(np.float32(scale))
r64 = real.astype(np.float64).ravel()
cos = float(np.dot(r64, deq.ravel()) / (np.linalg.norm(r64) * np.linalg.norm(deq)))
ck.check(pm["aligned"] and pm["port"]["scale"] == np.float32(scale) and pm["rule"]["what"] == "int8 quantised default (tpu-mlir)"
         and pm["tolerance"] == {"min_cosine": 0.8, "min_euclid": 0.5, "mismatch_rule": pm["tolerance"]["mismatch_rule"]}
         and abs(pm["metrics"]["cosine"] - cos) < 1e-12, f"int8 with a scale, dequantised: {pm.get('verdict')} {pm['tolerance']}")
ck.check(next(m for m in j["members"] if m["name"] == "q16")["tolerance"].get("equal") is True,
         "int16 with a scale stays exact (only int8/uint8 are dequantised)")
ck.check([m["name"] for m in j["members"] if m["status"] == "only_port"] == ["feat_bf16"], "the bmodel names the parts")
with open(bmrt, "r+b") as f:  # a broken int8 output: another tensor's values
    f.seek(sum(parts[t["name"]].nbytes for t in outs[:4]))
    f.write(rng.integers(-128, 128, 10).astype(np.int8).tobytes())
rc, out, err = run("compare", refq, bmrt, *sel)
line = next(x for x in out.splitlines() if " prob " in x)
ck.check(rc == 1 and line.startswith("UNALIGNED") and "cosine " in line and "< 0.8" in line and
         "[dequantised: scale" in line, f"a broken int8 output names the failing cosine: {line}")

# a layer saved NHWC on one side, in an np.savez archive (members at offsets that are not a
# multiple of 4): the transpose that aligns it is named, as `compare` on the one member does
acts = rng.standard_normal((1, 8, 6, 5)).astype(np.float32)
pad = np.zeros(3, np.uint8)  # a 3-byte member first, so the next member's data sits at an odd offset
np.savez(ck.path("l_ref.npz"), a_pad=pad, relu0=acts)
np.savez(ck.path("l_port.npz"), a_pad=pad, relu0=np.ascontiguousarray(acts.transpose(0, 2, 3, 1)))
rc, j = run_json("compare", ck.path("l_ref.npz"), ck.path("l_port.npz"))
m = [x for x in j["members"] if x["name"] == "relu0"][0]
ck.check(rc == 1 and any(p["perm"] == [0, 3, 1, 2] and p["aligned"] for p in m.get("permutations") or []),
         f"NHWC member in an npz: {m.get('permutations')}")
rc, out, _ = run("compare", ck.path("l_ref.npz"), ck.path("l_port.npz"))
ck.check("aligned after transpose (0, 3, 1, 2) (max_abs 0)" in out, f"NHWC member, text: {out}")

# a raw dump of several outputs given as PATH:f32 without a shape, against the reference's npz:
# split in the reference's member shapes and order when the sizes add up (it was refused with
# "holds 3 tensors ... select one"); the note goes to stderr under --json
parts = {"p3": rng.standard_normal((1, 3, 8, 8)).astype(np.float32),
         "p4": rng.standard_normal((1, 3, 4, 4)).astype(np.float32),
         "p5": rng.standard_normal((1, 3, 2, 2)).astype(np.float32)}
np.savez(ck.path("heads.npz"), **parts)
with open(ck.path("out.bmrt"), "wb") as f:
    for v in parts.values():
        f.write(v.tobytes())
rc, out, err = run("compare", ck.path("heads.npz"), ck.path("out.bmrt") + ":f32")
ck.check(rc == 0 and "split in the other side's member shapes and order" in out and "3/3 aligned" in out,
         f"raw dump split by the npz: {rc} {out} {err}")
rc, j = run_json("compare", ck.path("heads.npz"), ck.path("out.bmrt") + ":f32")
ck.check(rc == 0 and j["summary"]["aligned"] == 3, f"... and as JSON: {rc}")
rc, out, err = run("compare", ck.path("heads.npz"), ck.path("out.bmrt") + ":f16")
ck.check(rc == 2 and "holds 3 tensors" in err, f"a dtype that does not fit is still refused: {rc} {err}")

ck.done()
