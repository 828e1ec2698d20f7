"""Diagnosis over a dataset (issue 8, section 4): a few samples of a real pipeline (tests/pylib/
xa_scenarios.py), the port with cv2.resize in most of them, BGR left unconverted in one and aligned in
one. Per stage, the report counts the samples whose diagnosis names each cause, with the most
frequent summary ("resize: 3/5 unaligned; cause resize_method in 3 (port = cv2-linear, ...)"), the
samples that only inherit, top-1 agreement of the logits (counted here with numpy from the dumps),
and the manifest's replays: a decode whose input names each sample's image through {sample}, and
what the text says when that replay fails."""
import json
import os
import shutil

import numpy as np
import xa_scenarios as S
from xa_testlib import Checker, run, run_json

ck = Checker("diagnose_dataset")
ref, port, images = ck.path("ref"), ck.path("port"), ck.path("images")
os.makedirs(images)
# sample: (mistake, image); Blender_Suzanne1.jpg is grey, where BGR and RGB are the same
plan = {"s00": "cv2_resize", "s01": "cv2_resize", "s02": None, "s03": "cv2_resize", "s04": "bgr"}
source = {"s00": S.IMAGES[0], "s01": S.IMAGES[1], "s02": S.IMAGES[4], "s03": S.IMAGES[3], "s04": S.IMAGES[2]}
for sample, mistake in plan.items():
    shutil.copy(source[sample], os.path.join(images, f"{sample}.jpg"))
    S.classify_ref(ref, os.path.join(images, f"{sample}.jpg"), sample=sample)
    S.classify_port(port, os.path.join(images, f"{sample}.jpg"), mistake, sample=sample)
manifest = S.classify_manifest("unused")
manifest["stages"]["read"]["input"] = os.path.join(images, "{sample}.jpg")
mpath = ck.path("manifest.json")
with open(mpath, "w") as f:
    json.dump(manifest, f)

n_resize = sum(m == "cv2_resize" for m in plan.values())
n_bad = sum(m is not None for m in plan.values())
# top-1 agreement, from the dumps themselves
agree = sum(int(np.argmax(np.load(os.path.join(ref, s, "06_logits.npy")))) ==
            int(np.argmax(np.load(os.path.join(port, s, "06_logits.npy")))) for s in plan)

for extra, label in (([], "no manifest"), (["--manifest", mpath], "manifest")):
    rc, text, _ = run("stages", ref, port, *extra)
    rcj, j = run_json("stages", ref, port, *extra)
    ck.check(rc == 1 and rcj == 1 and j["schema"] == "xalign.dataset/1" and j["samples_unaligned"] == n_bad,
             f"{label}: exit {rc}/{rcj}, {j.get('samples_unaligned')} unaligned")
    st = {s["name"]: s for s in j["stages"]}
    res = st["resize"]
    # the BGR sample's resize differs too, inherited
    ck.check(res["unaligned"] == n_resize + 1, f"{label}: resize unaligned in {res['unaligned']}")
    ck.check(res["causes"][:1] == [{"cause": "resize_method", "samples": n_resize,
                                    "summary": "port = cv2-linear, original = pil-bilinear",
                                    "summary_samples": n_resize}],
             f"{label}: resize causes {res['causes']}")
    ck.check(res["inherits"] == 1, f"{label}: the BGR sample's resize only inherits: {res['inherits']}")
    line = [l for l in text.splitlines() if l.strip().startswith("resize")][0]
    ck.check(f"{n_resize + 1}/{len(plan)} unaligned; cause resize_method in {n_resize} "
             f"(port = cv2-linear, original = pil-bilinear); inherits in 1" in line, f"{label}: text {line}")
    rd = st["read"]
    ck.check(rd["causes"] == [{"cause": "channel_order", "samples": 1, "summary": "BGR vs RGB", "summary_samples": 1}],
             f"{label}: read causes {rd['causes']}")
    crop = st["crop"]
    ck.check(crop["causes"] == [] and crop["inherits"] == n_bad, f"{label}: crop {crop['causes']} inherits {crop['inherits']}")
    lg = st["logits"]
    if extra:
        ck.check(lg["top1"] == {"samples": len(plan), "agree": agree}, f"{label}: top-1 {lg['top1']}, numpy {agree}")
        ck.check(f"top-1 agrees in {agree}/{len(plan)} samples" in text, f"{label}: top-1 in the text\n{text}")
        # the decode replays ran on each sample's own image ({sample})
        ck.check(rd["replayed"] == len(plan) and rd["replay_failed"] == 0 and rd["own_differs"] == 1,
                 f"{label}: read replays {rd['replayed']} failed {rd['replay_failed']} own {rd['own_differs']}")
        ck.check(res["own_differs"] == n_resize and f"replay: own error in {n_resize}/{len(plan)}" in line, f"{label}: {line}")
    else:
        ck.check(lg["top1"] is None and lg["may_inherit"] == n_bad, f"{label}: logits {lg['top1']} {lg['may_inherit']}")
    # the per-sample reports carry each sample's diagnosis
    for smp in j["samples"]:
        first = smp["first_unaligned"]
        want = {"cv2_resize": "resize", "bgr": "read", None: None}[plan[smp["sample"]]]
        ck.check(first == want, f"{label}: {smp['sample']} first unaligned {first}")

# a replay that fails is said in the text, not only in the JSON
os.remove(os.path.join(images, "s01.jpg"))
rc, text, _ = run("stages", ref, port, "--manifest", mpath)
rcj, j = run_json("stages", ref, port, "--manifest", mpath)
rd = {s["name"]: s for s in j["stages"]}["read"]
ck.check(rd["replay_failed"] == 1 and "s01.jpg" in rd["replay_error"] and rc == 1, f"replay failure: {rd}")
ck.check("replay failed in 1 sample (s01: " in text and "s01.jpg: cannot open" in text, f"replay failure in the text:\n{text}")
# {sample} outside a dataset: the name of REF_DIR's folder
rc, j = run_json("stages", os.path.join(ref, "s00"), os.path.join(port, "s00"), "--manifest", mpath)
read = j["stages"][0]
ck.check(read["own_error"]["status"] == "aligned" and "s00.jpg" in read["own_error"]["op"], f"single run: {read['own_error']}")
# a sample unaligned without a differing stage (its one stage dump cut short) is listed with the
# stages not compared -- the list said "none: no compared stage differs in any sample" -- and a
# sample folder only on the port side is an error of the run, as one missing there is
ref2, port2 = ck.path("ref2"), ck.path("port2")
shutil.copytree(ref, ref2)
shutil.copytree(port, port2)
for s in list(plan):
    if s != "s02":
        shutil.rmtree(os.path.join(ref2, s))
        shutil.rmtree(os.path.join(port2, s))
crop = [f for f in os.listdir(os.path.join(port2, "s02")) if f.endswith("_crop.npy")][0]
with open(os.path.join(port2, "s02", crop), "r+b") as f:
    f.truncate(100)
rc, text, _ = run("stages", ref2, port2)
ck.check(rc == 1 and "s02: no compared stage differs, but not every stage was compared: crop (error)" in text,
         f"an unreadable dump listed per sample: {text[-400:]}")
os.makedirs(os.path.join(port2, "s99"))
rc, text, err = run("stages", ref2, port2)
ck.check(rc == 2 and "sample s99" in err and "missing on the reference side" in err, f"a port-only sample: {rc} {err}")
ck.done()
