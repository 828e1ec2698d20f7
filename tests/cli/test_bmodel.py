"""xalign info/compare on SOPHON bmodels built at test time by flatc from tests/data/bmodel/*.json.

Every expectation comes from the JSON a model was built from (with the schema's defaults) and
from the tpu_model --info line format; BMRT dumps are written by numpy (tensors concatenated in
index order, as BMRT_SAVE_IO_TENSORS=1 writes them) and split back tensor by tensor.
"""
import glob
import json
import os
import struct

import numpy as np
from xa_bmodel import MAGIC, MAGIC_OLD, build_bmodel
from xa_testlib import DATA, Checker, run

C = Checker("bmodel")
# bm_data_type_t (spec/sophon.md): tpu_model's names, and the numpy dtype of the dumped bytes
# (bf16 is dumped as raw 16-bit patterns; int4/uint4 have no byte size xalign splits by).
BM_NAMES = ["float32", "float16", "int8", "uint8", "int16", "uint16", "int32", "uint32",
            "bfloat16", "int4", "uint4"]
BM_NUMPY = {0: "<f4", 1: "<f2", 2: "i1", 3: "u1", 4: "<i2", 5: "<u2", 6: "<i4", 7: "<u4", 8: "<u2"}
XA_NAMES = {0: "float32", 1: "float16", 2: "int8", 3: "uint8", 4: "int16", 5: "uint16",
            6: "int32", 7: "uint32", 8: "bfloat16"}


def build(name, magic=MAGIC, blob=b"", header_size=64):
    """flatc -b the JSON, then prepend the 64-byte header; returns (path, flatbuffer, model)."""
    return build_bmodel(name, C.dir, magic, blob, header_size)


# ---- expectations from the JSON (schema defaults applied) -------------------------------------
def t_dims(t):
    return t["shape"][0].get("dim", []) if t.get("shape") else None


def t_code(t):
    return t.get("data_type", 0)


def t_nbytes(t):
    dims = t_dims(t)
    if t_code(t) not in BM_NUMPY or dims is None:
        return None
    return int(np.prod(dims, dtype=np.int64)) * np.dtype(BM_NUMPY[t_code(t)]).itemsize


def side_nbytes(ts):
    sizes = [t_nbytes(t) for t in ts]
    return None if None in sizes else sum(sizes)


def stages(net):
    return net.get("parameter", [])


def expect_text(path, fb, blob, m):
    """tpu_model --info's lines (tpu-bmodel/tools/tpu_model.cpp show()), after xalign's first line."""
    nets = m["net"]
    lines = [f"{path}: bmodel, {len(nets)} net{'' if len(nets) == 1 else 's'}, "
             f"flatbuffer {len(fb)} bytes, binary {len(blob)} bytes",
             f"bmodel version: {m['type']}.{m['version']}", f"chip: {m['chip']}",
             f"create time: {m['time'].rstrip(chr(10))}"]
    for i, net in enumerate(nets):
        lines.append("=" * 42)
        if not stages(net):
            lines.append(f"net {i}: [{net['name']}]  no stages (no 'parameter': an old-style net)")
            continue
        dyn = stages(net)[0].get("is_dynamic", 0) != 0
        lines.append(f"net {i}: [{net['name']}]  {'dynamic' if dyn else 'static'}")
        for s, st in enumerate(stages(net)):
            lines += ["-" * 12, f"stage {s}"]
            maxp = bool(st.get("n_dynamic", 0) or st.get("h_w_dynamic", 0))
            for side, ts in (("input", st["input_tensor"]), ("output", st["output_tensor"])):
                for t in ts:
                    dims = t_dims(t)
                    pre = "max:" if maxp and side == "input" else ""
                    shape = ("no shape" if dims is None else "[ ]" if not dims else
                             "[" + ", ".join(pre + str(d) for d in dims) + "]")
                    code = t_code(t)
                    dn = BM_NAMES[code] if code < len(BM_NAMES) else f"unknown dtype {code}"
                    scale = "%g" % float(np.float32(t.get("scale", 1.0)))  # C++ ostream << float
                    lines.append(f"{side}: {t['name']}, {shape}, {dn}, scale: {scale}, "
                                 f"zero point: {t.get('zero_point', 0)}")
            ib, ob = side_nbytes(st["input_tensor"]), side_nbytes(st["output_tensor"])
            lines.append(f"BMRT dump bytes: inputs {'unknown' if ib is None else ib}, outputs "
                         f"{'unknown' if ob is None else ob}{' (at the maximum shapes)' if maxp else ''}")
    return "\n".join(lines) + "\n"


def check_json(tag, path, fb, blob, m, magic, got):
    C.check(got.get("spec") == path and got.get("format") == "bmodel", f"{tag}: spec/format {got.get('spec')}")
    C.check(got.get("magic") == magic, f"{tag}: magic {got.get('magic')}")
    C.check((got.get("header_size"), got.get("flatbuffers_size"), got.get("binary_size")) ==
            (64, len(fb), len(blob)), f"{tag}: header sizes")
    for k in ("type", "version", "time", "chip"):
        C.check(got.get(k) == m[k], f"{tag}: {k} {got.get(k)!r} != {m[k]!r}")
    C.check(len(got["nets"]) == len(m["net"]), f"{tag}: net count")
    for net, gn in zip(m["net"], got["nets"]):
        C.check(gn["name"] == net["name"], f"{tag}: net name {gn['name']}")
        C.check(len(gn["stages"]) == len(stages(net)), f"{tag} {net['name']}: stage count")
        if stages(net):
            C.check(gn["dynamic"] == (stages(net)[0].get("is_dynamic", 0) != 0), f"{tag} {net['name']}: dynamic")
        for s, (st, gs) in enumerate(zip(stages(net), gn["stages"])):
            w = f"{tag} {net['name']} stage {s}"
            for k in ("is_dynamic", "n_dynamic", "h_w_dynamic"):
                C.check(gs[k] == st.get(k, 0), f"{w}: {k}")
            C.check(gs["input_bytes"] == side_nbytes(st["input_tensor"]), f"{w}: input_bytes {gs['input_bytes']}")
            C.check(gs["output_bytes"] == side_nbytes(st["output_tensor"]), f"{w}: output_bytes {gs['output_bytes']}")
            for side, gside in (("input_tensor", "inputs"), ("output_tensor", "outputs")):
                C.check(len(gs[gside]) == len(st[side]), f"{w}: {gside} count")
                for t, gt in zip(st[side], gs[gside]):
                    code = t_code(t)
                    exp = {"name": t["name"], "bm_dtype": code,
                           "dtype": BM_NAMES[code] if code < len(BM_NAMES) else None,
                           "shape": t_dims(t), "nshapes": len(t.get("shape", [])),
                           "scale": float(np.float32(t.get("scale", 1.0))),
                           "zero_point": t.get("zero_point", 0), "device_size": t.get("size", 0),
                           "nbytes": t_nbytes(t)}
                    for k, v in exp.items():
                        C.check(gt.get(k) == v, f"{w} {t['name']}: {k} {gt.get(k)!r} != {v!r}")


# ---- info on every model ------------------------------------------------------------------------
models = {}
for src in sorted(glob.glob(os.path.join(DATA, "bmodel", "*.json"))):
    name = os.path.basename(src)[:-5]
    blob = bytes(range(256)) * 3  # a binary section after the flatbuffer, as real files have
    for magic in (MAGIC, MAGIC_OLD):
        path, fb, m = build(name, magic, blob)
        models.setdefault(name, (path, m))
        rc, out, err = run("info", path)
        C.check(rc == 0, f"info {name}: exit {rc} {err}")
        want = expect_text(path, fb, blob, m)
        if not C.check(out == want, f"info {name} magic {magic:#x}: text differs"):
            print("--- got\n" + out + "--- want\n" + want)
        rc, out, err = run("info", "--json", path)
        C.check(rc == 0, f"info --json {name}: exit {rc} {err}")
        got = json.loads(out)["items"]
        C.check(len(got) == 1, f"info --json {name}: one object")
        check_json(f"{name} {magic:#x}", path, fb, blob, m, magic, got[0])


# ---- BMRT dumps split by the bmodel -------------------------------------------------------------
rng = np.random.default_rng(20240611)


def make_tensor(t):
    code, dims = t_code(t), t_dims(t)
    if code == 0 or code == 1:
        return rng.standard_normal(dims).astype(BM_NUMPY[code])
    if code == 8:  # bf16 bit patterns of finite values: the top half of float32 normals
        return (rng.standard_normal(dims).astype("<f4").view("<u4") >> 16).astype("<u2")
    info = np.iinfo(np.dtype(BM_NUMPY[code]))
    return rng.integers(info.min, info.max, size=dims, endpoint=True, dtype=BM_NUMPY[code])


def as_values(code, a):
    """What xalign reads from the tensor, as float64 (bf16 bits widened to float32)."""
    if code == 8:
        return (a.astype("<u4") << 16).view("<f4").astype(np.float64)
    return a.astype(np.float64)


def write_dump(folder, filename, arrays):
    os.makedirs(folder, exist_ok=True)
    p = os.path.join(folder, filename)
    with open(p, "wb") as f:
        for a in arrays:
            f.write(a.tobytes())
    return p


case = 0
for name, (path, m) in models.items():
    for net in m["net"]:
        for s, st in enumerate(stages(net)):
            for side, fname in (("input_tensor", "input_ref_data.dat.bmrt"),
                                ("output_tensor", "output_ref_data.dat.bmrt")):
                ts = st[side]
                if side_nbytes(ts) is None:
                    continue
                case += 1
                folder = C.path(f"dump{case}")
                arrays = [make_tensor(t) for t in ts]
                dump = write_dump(folder, fname, arrays)
                w = f"{name} {net['name']} stage {s} {side}"
                sel = ["--bmodel", path, "--net", net["name"], "--stage", s]
                rc, out, err = run("info", "--json", dump, *sel)
                if not C.check(rc == 0, f"{w}: info exit {rc} {err}"):
                    continue
                got = json.loads(out)["items"]
                C.check([g["spec"] for g in got] == [f"{dump}#{t['name']}" for t in ts], f"{w}: tensor names")
                for t, a, g in zip(ts, arrays, got):
                    v = as_values(t_code(t), a)
                    C.check(g["dtype"] == XA_NAMES[t_code(t)], f"{w} {t['name']}: dtype {g['dtype']}")
                    C.check(g["shape"] == t_dims(t), f"{w} {t['name']}: shape {g['shape']}")
                    C.check(g["min"] == v.min() and g["max"] == v.max(), f"{w} {t['name']}: min/max")
                # tensor by tensor against numpy's own copy, exact equality
                for k, (t, a) in enumerate(zip(ts, arrays)):
                    ref = os.path.join(folder, f"ref{k}.npy")
                    np.save(ref, a)
                    rspec = ref + ":bf16" if t_code(t) == 8 else ref
                    rc, out, err = run("compare", rspec, f"{dump}#{t['name']}", *sel, "--equal", "--json")
                    ok = C.check(rc == 0, f"{w} {t['name']}: compare exit {rc} {err}")
                    if ok:
                        j = json.loads(out)
                        C.check(j["metrics"]["equal"] == a.size and j["port"]["shape"] == t_dims(t),
                                f"{w} {t['name']}: equal {j['metrics']['equal']} of {a.size}")
                        C.check(f"stage {s} {'input' if side == 'input_tensor' else 'output'} {k} '{t['name']}'"
                                in j["port"]["spec"], f"{w} {t['name']}: label {j['port']['spec']}")
C.check(case >= 10, f"split cases: {case}")

# ---- choosing the stage and side from the dump ----------------------------------------------
multi, mm = models["multi"]
yolo = mm["net"][0]
st1 = stages(yolo)[1]
arrays = [make_tensor(t) for t in st1["output_tensor"]]
dump = write_dump(C.path("auto"), "output_ref_data.dat.bmrt", arrays)
np.save(C.path("auto/scores.npy"), arrays[2])
rc, out, err = run("compare", C.path("auto/scores.npy"), dump + "#scores", "--bmodel", multi, "--equal", "--json")
if C.check(rc == 0, f"auto stage: exit {rc} {err}"):
    C.check("net 'yolov5s' stage 1 output 2 'scores'" in json.loads(out)["port"]["spec"], "auto stage: picked stage 1")
# any other file name: the side is the one whose size fits
other = write_dump(C.path("auto"), "port_dump.bin", arrays)
rc, out, err = run("info", "--json", other, "--bmodel", multi)
C.check(rc == 0 and [g["spec"] for g in json.loads(out or '{"items": []}')["items"]] ==
        [f"{other}#{t['name']}" for t in st1["output_tensor"]], f"side by size: {rc} {err}")
# input_ref_data* is the inputs side even when an outputs side has the file's size
named_in = write_dump(C.path("auto"), "input_ref_data.dat.bmrt", arrays)
rc, out, err = run("info", named_in, "--bmodel", multi)
C.check(rc == 2 and "inputs need" in err and "outputs need" not in err, f"side by file name: {rc} {err}")

# two stages of the same size but different shapes: ambiguous without --stage
ocr = mm["net"][1]
arr = [make_tensor(t) for t in stages(ocr)[1]["input_tensor"]]
dump = write_dump(C.path("ocr"), "input_ref_data.dat.bmrt", arr)
rc, out, err = run("info", dump, "--bmodel", multi)
C.check(rc == 2 and "stage 0 inputs" in err and "stage 1 inputs" in err, f"ambiguous stages: {rc} {err}")
rc, out, err = run("info", "--json", dump, "--bmodel", multi, "--stage", 1)
C.check(rc == 0 and json.loads(out)["items"][0]["shape"] == t_dims(stages(ocr)[1]["input_tensor"][0]), f"--stage 1: {rc} {err}")
# identical output layouts in both stages split alike: no ambiguity
arr = [make_tensor(t) for t in stages(ocr)[0]["output_tensor"]]
dump = write_dump(C.path("ocr"), "output_ref_data.dat.bmrt", arr)
rc, out, err = run("info", "--json", dump, "--bmodel", multi, "--net", "ocr_dynamic")
C.check(rc == 0 and json.loads(out)["items"][0]["dtype"] == "float16", f"same layout in two stages: {rc} {err}")

# a selected tensor keeps the spec as given
rc, out, err = run("info", "--json", other + "#classes", "--bmodel", multi)
C.check(rc == 0 and [g["spec"] for g in json.loads(out or '{"items": []}')["items"]] == [other + "#classes"], f"selected spec: {rc} {out}")
# the syntax is documented where users look
for cmd in ("compare", "info"):
    rc, out, err = run(cmd, "--help")
    C.check(rc == 0 and "--bmodel FILE" in out and "--stage K" in out and "--net NAME" in out, f"{cmd} --help")

# ---- errors ----------------------------------------------------------------------------------
resnet, rm = models["resnet_f32"]
rt = stages(rm["net"][0])[0]
need = side_nbytes(rt["input_tensor"])
bad = C.path("bad/input_ref_data.dat.bmrt")
os.makedirs(os.path.dirname(bad), exist_ok=True)
with open(bad, "wb") as f:
    f.write(bytes(need + 4))
rc, out, err = run("compare", bad + "#input.1", bad + "#input.1", "--bmodel", resnet)
C.check(rc == 2 and str(need + 4) in err and str(need) in err, f"mis-sized dump: {rc} {err}")
rc, out, err = run("info", bad, "--bmodel", resnet, "--stage", 0)
C.check(rc == 2 and str(need + 4) in err and str(need) in err, f"mis-sized dump, --stage: {rc} {err}")
with open(bad, "wb") as f:
    f.write(bytes(need))
rc, out, err = run("info", bad + "#nope", "--bmodel", resnet)
C.check(rc == 2 and "no tensor 'nope'" in err and "input.1" in err, f"unknown tensor: {rc} {err}")
rc, out, err = run("info", bad, "--bmodel", resnet, "--net", "nonet")
C.check(rc == 2 and "no net 'nonet'" in err and "resnet50" in err, f"unknown net: {rc} {err}")
rc, out, err = run("info", bad, "--bmodel", resnet, "--stage", 3)
C.check(rc == 2 and "stage 3" in err, f"stage out of range: {rc} {err}")
rc, out, err = run("info", bad, "--net", "resnet50")
C.check(rc == 2 and "--bmodel" in err, f"--net without --bmodel: {rc} {err}")
# a raw spec with a dtype is the user's own split, even with --bmodel
rc, out, err = run("info", "--json", bad + ":f32:1x3x224x224", "--bmodel", resnet)
C.check(rc == 0 and json.loads(out)["items"][0]["shape"] == [1, 3, 224, 224], f"explicit raw spec: {rc} {err}")

# int4/uint4 and unknown dtypes are listed but cannot be split
i8, im = models["int8_mixed"]
st = stages(im["net"][0])[1]
with open(C.path("bad/output_ref_data.dat.bmrt"), "wb") as f:
    f.write(bytes(64))
rc, out, err = run("info", C.path("bad/output_ref_data.dat.bmrt"), "--bmodel", i8, "--stage", 1)
C.check(rc == 2 and "'packed'" in err and "int4" in err, f"int4 side: {rc} {err}")

# a bmodel is not a tensor
rc, out, err = run("compare", resnet, resnet)
C.check(rc == 2 and "bmodel" in err, f"compare a bmodel: {rc} {err}")

# corrupt and truncated files: exit 2 with the numbers that disagree, never a crash
blob = bytes(100)
path, fb, m = build("resnet_f32", MAGIC, blob)
whole = open(path, "rb").read()
cut = C.path("cut.bmodel")
with open(cut, "wb") as f:
    f.write(whole[:64 + len(fb) // 2])
rc, out, err = run("info", cut)
C.check(rc == 2 and str(64 + len(fb) + len(blob)) in err and str(64 + len(fb) // 2) in err, f"truncated: {rc} {err}")
with open(cut, "wb") as f:
    f.write(struct.pack("<4I", MAGIC, 32, len(fb), 0) + bytes(48) + fb)
rc, out, err = run("info", cut)
C.check(rc == 2 and "header_size 32" in err, f"small header_size: {rc} {err}")
with open(cut, "wb") as f:
    f.write(whole[:64] + struct.pack("<I", len(fb) + 1000) + fb[4:] + blob)
rc, out, err = run("info", cut)
C.check(rc == 2 and "outside" in err, f"root offset outside: {rc} {err}")
with open(cut, "wb") as f:
    f.write(struct.pack("<4I", 0x12345678, 64, len(fb), 0) + bytes(48) + fb)
rc, out, err = run("info", cut)
C.check(rc == 2 and "not an .npy" in err, f"unknown magic is not a bmodel: {rc} {err}")
rc, out, err = run("info", "--json", cut, "--bmodel", path)
C.check(rc == 2 and "cut.bmodel" in err, f"unknown magic as a dump: {rc} {err}")
rc, out, err = run("info", bad, "--bmodel", cut)
C.check(rc == 2 and "not a bmodel" in err, f"--bmodel of a non-bmodel: {rc} {err}")

C.done()
