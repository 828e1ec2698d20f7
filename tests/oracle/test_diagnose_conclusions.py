"""Conclusions of `xalign stages` that cannot contradict each other (issue 8, section 3), as regression
tests on a real pipeline (tests/pylib/xa_scenarios.py: torchvision on PIL vs OpenCV): REF and PORT
given the other way round with a manifest, a wrong operation in the manifest, a missing stage, the
replay of a stage that is not the first with a raw port dump, and stage names that differ by a
typo."""
import json
import os
import re
import shutil

import numpy as np
import xa_scenarios as S
from xa_testlib import Checker, run, run_json

ck = Checker("diagnose_conclusions")
IMAGE = S.IMAGES[0]


def blocks(text):
    """The text report's lines per stage name."""
    out, cur = {}, None
    for line in text.splitlines():
        m = re.match(r"^(?:\d\d|--) (\S+)", line)
        if m:
            cur = m.group(1)
            out[cur] = []
        if cur and not line.startswith(("first unaligned", "conclusion:", "all ", "no compared")):
            out[cur].append(line)
    return {k: "\n".join(v) for k, v in out.items()}


def no_contradiction(text, what):
    """No stage reads 'aligned' and 'this operation differs' at once; no exactly aligned stage is
    followed by one that 'only inherits' through the manifest's replay."""
    b = blocks(text)
    names = list(b)
    for k, name in enumerate(names):
        head = b[name].splitlines()[0]
        ck.check(not (" aligned." in head and "this operation differs" in b[name]),
                 f"{what}: '{name}' is aligned and its operation differs:\n{b[name]}")
        if k + 1 < len(names) and re.search(r" aligned\. max_abs 0 ", head):
            ck.check("inherited only" not in b[names[k + 1]],
                     f"{what}: '{names[k + 1]}' only inherits after the exactly aligned '{name}':\n{text}")


ref, cv2port, good = ck.path("ref"), ck.path("cv2port"), ck.path("good")
manifest = S.build("classify", ref, cv2port, IMAGE, "cv2_resize")
S.classify_port(good, IMAGE)
mpath = ck.path("manifest.json")
with open(mpath, "w") as f:
    json.dump(manifest, f)

# 1. REF and PORT swapped with a manifest: the manifest's resize reproduces the "port" (the real
# original) from its own input but not the "reference" (the real port): say swapped, never print
# an aligned stage followed by "inherited only"
rc, text, _ = run("stages", cv2port, ref, "--manifest", mpath)
rcj, j = run_json("stages", cv2port, ref, "--manifest", mpath)
ck.check(rc == 1 and rcj == 1, f"swapped: exit {rc}/{rcj}")
no_contradiction(text, "swapped")
st = {s["name"]: s for s in j["stages"]}
causes = [d["cause"] for d in st["resize"]["diagnosis"]]
ck.check(causes[:1] == ["swapped"], f"swapped: resize's diagnosis {causes}")
ck.check(st["resize"]["replay_on_reference"]["status"] == "unaligned", f"swapped: {st['resize'].get('replay_on_reference')}")
ck.check(any("REF and PORT swapped?" in c for c in j["conclusions"]), f"swapped: conclusions {j['conclusions']}")
ck.check("REF and PORT swapped?" in text and "cause: swapped" in text, f"swapped: the text says so:\n{text}")
# the same folders the right way round: no swap, the resize method named
rc, j = run_json("stages", ref, cv2port, "--manifest", mpath)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 1 and [d["cause"] for d in st["resize"]["diagnosis"]][:1] == ["resize_method"] and not j["conclusions"],
         f"the right way round: {st['resize']['diagnosis']} {j['conclusions']}")

# 2. a wrong operation in the manifest (bicubic where the original resizes bilinear)
wrong = json.loads(json.dumps(manifest))
wrong["stages"]["resize"]["method"] = "pil-bicubic"
wpath = ck.path("wrong.json")
with open(wpath, "w") as f:
    json.dump(wrong, f)
size = manifest["stages"]["resize"]["size"]
for port, label in ((good, "aligned port"), (cv2port, "cv2 port")):
    rc, text, _ = run("stages", ref, port, "--manifest", wpath)
    rcj, j = run_json("stages", ref, port, "--manifest", wpath)
    no_contradiction(text, f"wrong op, {label}")
    res = {s["name"]: s for s in j["stages"]}["resize"]
    man = [d for d in res["diagnosis"] if d["cause"] == "manifest"]
    ck.check(len(man) == 1 and res["diagnosis"][0]["cause"] == "manifest",
             f"wrong op, {label}: the manifest is named first: {[d['cause'] for d in res['diagnosis']]}")
    if man:
        m = man[0]
        ck.check("describes the original wrongly" in m["evidence"] and "method=pil-bilinear" in m["evidence"],
                 f"wrong op, {label}: evidence {m['evidence']}")
        # the right operation, found by changing one parameter, replayed on the port's input
        ck.check(m["fix"]["op"] == "resize" and m["fix"]["params"] == {"method": "pil-bilinear", "size": size}
                 and m["fix"]["aligned_after"] is True and m["fix"]["max_abs_after"] == 0,
                 f"wrong op, {label}: fix {m['fix']}")
    ck.check("this operation differs" not in blocks(text)["resize"], f"wrong op, {label}: {blocks(text)['resize']}")
    if port == good:
        ck.check(res["status"] == "aligned" and rc == 0 and rcj == 0, f"wrong op, {label}: exit {rc}, {res['status']}")
    else:
        ck.check([d["cause"] for d in res["diagnosis"]] == ["manifest", "resize_method"] and rc == 1,
                 f"wrong op, {label}: {[d['cause'] for d in res['diagnosis']]} exit {rc}")

# 3. a stage missing on one side is reported as missing, never as the first unaligned stage; exit 1
for port, first in ((good, None), (cv2port, "resize")):
    p = ck.path(f"missing_{os.path.basename(port)}")
    shutil.copytree(port, p)
    os.remove(os.path.join(p, "02_crop.npy"))
    rc, text, _ = run("stages", ref, p)
    rcj, j = run_json("stages", ref, p)
    st = {s["name"]: s["status"] for s in j["stages"]}
    ck.check(st["crop"] == "missing_port" and j["first_unaligned"] == first and j["missing"] == ["crop"]
             and rc == 1 and rcj == 1 and j["aligned"] is False,
             f"missing crop ({first}): {st}, first {j['first_unaligned']}, exit {rc}/{rcj}")
    ck.check("02 crop      missing in the port dumps" in text and "missing_port" not in
             "".join(l for l in text.splitlines() if l.startswith("first unaligned")),
             f"missing crop: text\n{text}")
    if first is None:
        ck.check(text.rstrip().endswith("not every stage was compared: crop (missing_port)"), f"missing: last line\n{text}")

# 4. the replay of a stage that is not the first, its port dump a raw file: the previous stage is
# its input ("no port input (the stage is the first one)" was printed)
for port, want in ((good, "aligned"), (cv2port, "unaligned")):
    p = ck.path(f"raw_{os.path.basename(port)}")
    shutil.copytree(port, p)
    np.load(os.path.join(p, "05_input.npy")).tofile(os.path.join(p, "input.bin"))
    os.remove(os.path.join(p, "05_input.npy"))
    rm = ck.path("raw.json")
    with open(rm, "w") as f:
        json.dump({"stages": {"input": {"port": f"input.bin:f32:1x3x{S.CROP}x{S.CROP}", "op": "add-batch"}}}, f)
    rc, text, _ = run("stages", ref, p, "--manifest", rm)
    rcj, j = run_json("stages", ref, p, "--manifest", rm)
    inp = {s["name"]: s for s in j["stages"]}["input"]
    ck.check("first one" not in text and "no port input" not in text, f"raw port spec ({want}): text\n{text}")
    ck.check(inp["status"] == want and inp["own_error"]["status"] == "aligned" and "on port normalize" in inp["own_error"]["op"],
             f"raw port spec ({want}): {inp['status']} {inp['own_error']}")
    ck.check(rc == (0 if want == "aligned" else 1), f"raw port spec: exit {rc}")
    if want == "unaligned":
        ck.check(inp["diagnosis"] == [] and "inherits" in inp["diagnosis_note"], f"raw port spec: {inp['diagnosis_note']}")

# 5. stage names that differ by a typo: "did you mean"
p = ck.path("typo")
shutil.copytree(good, p)
os.rename(os.path.join(p, "04_normalize.npy"), os.path.join(p, "04_normalise.npy"))
rc, text, _ = run("stages", ref, p)
rcj, j = run_json("stages", ref, p)
st = {s["name"]: s["status"] for s in j["stages"]}
ck.check(st.get("normalize") == "missing_port" and st.get("normalise") == "missing_ref" and rc == 1 and rcj == 1,
         f"typo: {st} exit {rc}")
ck.check(any("did you mean 'normalize'" in c for c in j["conclusions"]) and "did you mean 'normalize'?" in text,
         f"typo: {j['conclusions']}")
# names far apart are not suggested
p2 = ck.path("renamed")
shutil.copytree(good, p2)
os.rename(os.path.join(p2, "04_normalize.npy"), os.path.join(p2, "04_standardize.npy"))
rc, j = run_json("stages", ref, p2)
ck.check(not any("did you mean" in c for c in j["conclusions"]) and rc == 1, f"no typo: {j['conclusions']}")
# 6. a numpy pipeline on HWC arrays (img / 255.0, then (img - mean) / std with float32 arrays),
# as ports in numpy write it: the cause sits on the stage that has it; a stage whose operation is
# the same on both sides inherits (the per-channel map is compared, not the mean/std it implies
# from the input's range); the normalisation fix replays exactly
from PIL import Image  # noqa: E402
MEAN32, STD32 = np.array(S.MEAN, np.float32), np.array(S.STD, np.float32)


def np_pipeline(out, mistake=None):
    mistakes = mistake if isinstance(mistake, tuple) else (mistake,)
    os.makedirs(out, exist_ok=True)
    img = np.asarray(Image.open(IMAGE).convert("RGB"))
    if "bgr" in mistakes:
        img = np.ascontiguousarray(img[..., ::-1])
    np.save(os.path.join(out, "00_read.npy"), img)
    if "cv2_resize" in mistakes:
        import cv2
        r = cv2.resize(img, (96, 80), interpolation=cv2.INTER_LINEAR)
    else:
        r = np.asarray(Image.fromarray(img).resize((96, 80), Image.BILINEAR))
    np.save(os.path.join(out, "01_resize.npy"), r)
    x = r.astype(np.float32)
    if "no_div255" not in mistakes:
        x = x / 255.0
    np.save(os.path.join(out, "02_tofloat.npy"), x.astype(np.float32))
    mean = MEAN32[::-1] if "mean_reversed" in mistakes else MEAN32
    y = ((x - mean) / STD32).astype(np.float32)
    np.save(os.path.join(out, "03_normalize.npy"), y)
    np.save(os.path.join(out, "04_input.npy"), np.ascontiguousarray(y.transpose(2, 0, 1)[None]))


np_ref = ck.path("np_ref")
np_pipeline(np_ref)
want = {"bgr": ("read", "channel_order"), "no_div255": ("tofloat", "scale"),
        "mean_reversed": ("normalize", "normalization")}
for mistake, (stage, cause) in want.items():
    d = ck.path("np_" + mistake)
    np_pipeline(d, mistake)
    rc, j = run_json("stages", np_ref, d)
    st = {s["name"]: s for s in j["stages"]}
    ck.check(rc == 1 and j["first_unaligned"] == stage, f"numpy {mistake}: first {j['first_unaligned']}")
    for name, s in st.items():
        causes = [f["cause"] for f in s["diagnosis"]]
        if name == stage:
            ck.check(causes[:1] == [cause] and s["diagnosis"][0]["fix"]["aligned_after"],
                     f"numpy {mistake}: {name} gives {causes}, fix {s['diagnosis'][:1]}")
        elif s["status"] != "aligned":
            ck.check(causes == [] and "inherit" in (s.get("diagnosis_note") or ""),
                     f"numpy {mistake}: '{name}' after the cause names {causes}: {s.get('diagnosis_note')}")
    if mistake == "mean_reversed":
        fx = st[stage]["diagnosis"][0]["fix"]
        ck.check(fx["max_abs_after"] == 0 and fx["params"].get("form") == "sub",
                 f"numpy mean reversed: the fix replays exactly: {fx}")
# 7. a letterbox padded with 0 instead of 114, diagnosed from the two dumps alone: padding, and no
# second cause (the border's one pair of values, 114 vs 0, is not a uint8 wrap-around)
yref, ypad = ck.path("y_ref"), ck.path("y_pad0")
S.build("detect", yref, ypad, IMAGE, "pad_0_vs_114")
lb = [f for f in sorted(os.listdir(yref)) if f.endswith("_letterbox.npy")][0]
rc, j = run_json("diagnose", os.path.join(yref, lb), os.path.join(ypad, lb))
causes = [f["cause"] for f in j["diagnosis"]]
ck.check(rc == 1 and causes == ["padding"], f"pad 0 vs 114 from the dumps alone: {causes}")
# 8. an output renamed (scores -> score) and one missing (labels): a renaming, not an order, and
# the fix says why the stage stays unaligned
rr, pp = ck.path("ren_r"), ck.path("ren_p")
os.makedirs(rr, exist_ok=True)
os.makedirs(pp, exist_ok=True)
g = np.random.default_rng(5)
boxes, scores = g.random((20, 4), np.float32) * 100, g.random(20, np.float32) * 10
labels = g.random(20, np.float32)
np.savez(os.path.join(rr, "00_outputs.npz"), boxes=boxes, scores=scores, labels=labels)
np.savez(os.path.join(pp, "00_outputs.npz"), boxes=boxes, score=scores)
rc, j = run_json("stages", rr, pp)
d = j["stages"][0]["diagnosis"]
ck.check(rc == 1 and d and d[0]["cause"] == "output_order" and "other names" in d[0]["evidence"]
         and "by position" not in d[0]["evidence"] and "'labels' has no partner" in d[0]["fix"]["text"],
         f"renamed output: {d}")
# when the renaming explains less than half of the difference (labels carries more of it): no
# cause, and the note names the members on one side only (it said "aligned member by member")
np.savez(os.path.join(rr, "00_outputs.npz"), boxes=boxes, scores=scores / 10, labels=labels * 100)
np.savez(os.path.join(pp, "00_outputs.npz"), boxes=boxes, score=scores / 10)
rc, j = run_json("stages", rr, pp)
st = j["stages"][0]
ck.check(rc == 1 and st["diagnosis"] == [] and "reference: 'scores', 'labels'; port: 'score'" in st["diagnosis_note"],
         f"one-sided members: {st['diagnosis']} {st.get('diagnosis_note')}")
# 9. the f16 engine's logits dumped as float16 (not converted back to float32): precision, as when
# they are stored as float32 -- not "unknown"
lr, lp = ck.path("f16_r"), ck.path("f16_p")
for d in (lr, lp):
    os.makedirs(d, exist_ok=True)
x = np.load(os.path.join(ref, sorted(f for f in os.listdir(ref) if f.endswith("_input.npy"))[0]))
np.save(os.path.join(lr, "00_logits.npy"), S.logits_of(x))
np.save(os.path.join(lp, "00_logits.npy"), S.logits_of(x, "f16_model").astype(np.float16))
rc, j = run_json("stages", lr, lp)
st = j["stages"][0]
if st["status"] != "aligned":
    ck.check([f["cause"] for f in st["diagnosis"]][:1] == ["precision"], f"f16-typed logits: {st['diagnosis']}")
else:
    ck.check(False, "the f16 logits should exceed the f16 default tolerance for this test to mean anything")
# 10. a resize to another size (256x256 where the original resizes to 224x224): the size is the
# cause, the method of each side named, and the fix replays exactly -- it was "unknown" because
# the element counts differ
sr, sp = ck.path("size_r"), ck.path("size_p")
img = np.asarray(Image.open(IMAGE).convert("RGB"))
for d, size in ((sr, (224, 224)), (sp, (256, 256))):
    os.makedirs(d, exist_ok=True)
    np.save(os.path.join(d, "00_read.npy"), img)
    np.save(os.path.join(d, "01_resize.npy"), np.asarray(Image.fromarray(img).resize(size, Image.BILINEAR)))
rc, j = run_json("stages", sr, sp)
d = j["stages"][1]["diagnosis"]
ck.check(rc == 1 and d and d[0]["cause"] == "resize_size" and "port resizes to 256x256 (pil-bilinear, exact)" in d[0]["evidence"]
         and d[0]["fix"]["max_abs_after"] == 0 and d[0]["fix"]["params"].get("size") == "224x224",
         f"resize to another size: {d}")
# two mistakes in two stages: the second is the later stage's own error, found from each side's
# own input (it read "may only inherit"), and its fix says the rest comes from the input
for mistakes, causes in ((("cv2_resize", "mean_reversed"), {"resize": "resize_method", "normalize": "normalization"}),
                         (("bgr", "no_div255"), {"read": "channel_order", "tofloat": "scale"}),
                         (("cv2_resize", "no_div255"), {"resize": "resize_method", "tofloat": "scale"})):
    d = ck.path("np2_" + "_".join(mistakes))
    np_pipeline(d, mistakes)
    rc, j = run_json("stages", np_ref, d)
    st = {s["name"]: s for s in j["stages"]}
    got = {n: [f["cause"] for f in s["diagnosis"]][:1] for n, s in st.items()}
    for name, cause in causes.items():
        ck.check(got[name] == [cause], f"two mistakes {mistakes}: '{name}' gives {got[name]}, want {cause}")
    later = st[list(causes)[1]]["diagnosis"]
    ck.check(rc == 1 and later and later[0]["fix"]["input_differs"] and not later[0]["fix"]["aligned_after"],
             f"two mistakes {mistakes}: the later fix says its input differs: {later[:1]}")
# the same pair through `xalign diagnose` with the stages' inputs: the same cause (it exited 2,
# "the element counts differ", where `stages` named the size)
args = [os.path.join(sr, "01_resize.npy"), os.path.join(sp, "01_resize.npy"),
        "--input-ref", os.path.join(sr, "00_read.npy"), "--input-port", os.path.join(sp, "00_read.npy")]
rc, j = run_json("diagnose", *args)
ck.check(rc == 1 and j["compare"].get("element_counts_differ") is True
         and [f["cause"] for f in j["diagnosis"]][:1] == ["resize_size"], f"diagnose, other size: {rc} {j}")
rc, text, _ = run("diagnose", *args)
ck.check(rc == 1 and "element counts differ (150528, 196608)" in text and "cause: resize_size" in text,
         f"diagnose text, other size: {text}")
# 11. a port tensor in HWC where the reference is 1 x C x H x W: the fix names the transpose and
# the batch axis and replays to 0 (it said "transpose by (2, 0, 1)", leaving the batch axis out)
x = np.random.default_rng(8).standard_normal((1, 3, 8, 6)).astype(np.float32)
np.save(ck.path("l_r.npy"), x)
np.save(ck.path("l_p.npy"), np.ascontiguousarray(x[0].transpose(1, 2, 0)))
rc, j = run_json("diagnose", ck.path("l_r.npy"), ck.path("l_p.npy"))
d = j["diagnosis"]
ck.check(rc == 1 and d and d[0]["cause"] == "layout" and d[0]["fix"]["op"] == "hwc2chw"
         and "batch axis" in d[0]["fix"]["text"] and d[0]["fix"]["max_abs_after"] == 0, f"HWC vs NCHW fix: {d}")
# 12. two mistakes, the second a layout: the port resizes with cv2 and its "to tensor" step keeps
# HWC (x / 255 without the transpose ToTensor does). The layout is the later stage's own error,
# found from the inputs (the original's to-tensor on the port's input gives the port's values in
# another layout); it said "may only inherit"
import cv2  # noqa: E402
lr, lp = ck.path("tl_r"), ck.path("tl_p")
for d in (lr, lp):
    os.makedirs(d, exist_ok=True)
img = np.asarray(Image.open(IMAGE).convert("RGB"))
np.save(os.path.join(lr, "00_read.npy"), img)
np.save(os.path.join(lp, "00_read.npy"), img)
r_ref = np.asarray(Image.fromarray(img).resize((96, 80), Image.BILINEAR))
r_port = cv2.resize(img, (96, 80), interpolation=cv2.INTER_LINEAR)
np.save(os.path.join(lr, "01_resize.npy"), r_ref)
np.save(os.path.join(lp, "01_resize.npy"), r_port)
np.save(os.path.join(lr, "02_tensor.npy"), np.ascontiguousarray(r_ref.transpose(2, 0, 1)).astype(np.float32) / np.float32(255))
np.save(os.path.join(lp, "02_tensor.npy"), r_port.astype(np.float32) / np.float32(255))
rc, j = run_json("stages", lr, lp)
d = {s["name"]: s["diagnosis"] for s in j["stages"]}
ck.check(rc == 1 and [f["cause"] for f in d["resize"]][:1] == ["resize_method"]
         and [f["cause"] for f in d["tensor"]][:1] == ["layout"] and d["tensor"][0]["fix"]["op"] == "to-tensor"
         and d["tensor"][0]["fix"]["input_differs"], f"a skipped transpose after a cv2 resize: {d['tensor']}")
# 13. inputs that already differ and each side's own map known: the maps are compared, not the
# outputs' map (which mixes in the input's difference and read as "port = reference x 2")
g = np.random.default_rng(1)
x = g.random((16, 16, 3)).astype(np.float32)
pin = (2 * x).astype(np.float32)
files = {"ri": x, "ro": ((x - 0.5) / 0.5).astype(np.float32), "pi": pin, "po": (2 * pin - 2).astype(np.float32)}
for k, v in files.items():
    np.save(ck.path(k + ".npy"), v)
rc, j = run_json("diagnose", ck.path("ro.npy"), ck.path("po.npy"), "--input-ref", ck.path("ri.npy"),
                 "--input-port", ck.path("pi.npy"))
ck.check(rc == 1 and [f["cause"] for f in j["diagnosis"]][:1] == ["normalization"],
         f"own maps before the outputs' scale: {[f['cause'] for f in j['diagnosis']]}")
# 14. --image that cannot be read is an input error (exit 2, naming it), not a silent loss of the
# decode hypotheses ("cause: unknown", exit 1)
rc, out, err = run("diagnose", ck.path("l_r.npy"), ck.path("l_r.npy"), "--image", ck.path("nowhere.jpg"))
ck.check(rc == 2 and "nowhere.jpg" in err, f"missing --image: {rc} {err}")
rc, out, err = run("diagnose", ck.path("l_r.npy"), ck.path("l_r.npy"), "--image", ck.path("l_r.npy"))
ck.check(rc == 2 and "not a JPEG or PNG file" in err, f"--image not an image: {rc} {err}")
ck.done()
