"""`xalign stages` on real pipelines: the original runs Debian's torchvision/Pillow, each port
makes one of the seed's mistakes with OpenCV/numpy, both dump with python/xalign_dump.py, and
the first unaligned stage must be the stage where the mistake is."""
import json
import os
import sys

import cv2
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from xa_testlib import SOURCE_DIR, Checker, run, run_json

sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))
import xalign_dump as xd  # noqa: E402

ck = Checker("stages")
PHOTO = os.path.join(SOURCE_DIR, "examples", "resnet", "butterfly.jpg")
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
torch.manual_seed(0)
HEAD = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, stride=4), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                           torch.nn.Flatten(), torch.nn.Linear(4, 10)).eval()


def original(out):
    xd.configure(out)
    img = Image.open(PHOTO).convert("RGB")
    xd.dump("read", np.asarray(img))
    img = T.Resize((96, 128))(img)
    xd.dump("resize", np.asarray(img))
    x = T.Normalize(MEAN, STD)(T.ToTensor()(img))
    xd.dump("normalize", x)
    x = x.unsqueeze(0)
    xd.dump("input", x)
    with torch.no_grad():
        y = HEAD(x)
    xd.dump("logits", y)
    xd.dump_multi("outputs", boxes=y[:, :4], scores=y[:, 4:])


def port(out, mistake=None):
    xd.configure(out)
    img = cv2.imread(PHOTO)
    if mistake != "bgr":
        img = img[:, :, ::-1]
    img = np.ascontiguousarray(img)
    xd.dump("read", img)
    if mistake == "cv2_resize":
        img = cv2.resize(img, (128, 96))
    else:
        img = np.asarray(Image.fromarray(img).resize((128, 96), Image.BILINEAR))
    xd.dump("resize", img)
    mean = np.array(MEAN[::-1] if mistake == "mean_order" else MEAN, np.float32)
    x = (img.astype(np.float32) / np.float32(255) - mean) / np.array(STD, np.float32)
    x = np.ascontiguousarray(x.transpose(2, 0, 1))
    xd.dump("normalize", x)
    inp = x[None]
    xd.dump("input", np.ascontiguousarray(inp.transpose(0, 2, 3, 1)) if mistake == "nhwc" else inp)
    with torch.no_grad():
        y = HEAD(torch.from_numpy(inp)).numpy()
    xd.dump("logits", y)
    if mistake == "output_order":  # list(outputs.values()) in the wrong order, then named by position
        xd.dump_multi("outputs", boxes=y[:, 4:8], scores=np.concatenate([y[:, :4], y[:, 8:]], 1))
    else:  # dict order differs, names right: matched by name, so aligned
        xd.dump_multi("outputs", scores=y[:, 4:], boxes=y[:, :4])


ref = ck.path("ref")
original(ref)
manifest = ck.path("manifest.json")
with open(manifest, "w") as f:
    json.dump({"stages": {"read": {"op": "decode", "method": "pil", "input": PHOTO},
                          "resize": {"op": "resize", "method": "pil-bilinear", "size": [128, 96]},
                          "normalize": {"op": "to_tensor_normalize", "mean": MEAN, "std": STD},
                          "input": {"op": "add_batch"},
                          "logits": {"topk": 3}}}, f)

cases = {None: None, "cv2_resize": "resize", "bgr": "read", "mean_order": "normalize", "nhwc": "input",
         "output_order": "outputs"}
for mistake, first in cases.items():
    p = ck.path(f"port_{mistake}")
    port(p, mistake)
    rc, j = run_json("stages", ref, p, "--manifest", manifest)
    got = j["first_unaligned"]
    ck.check(got == first, f"{mistake}: first unaligned {got}, expected {first}")
    ck.check(rc == (0 if first is None else 1), f"{mistake}: exit {rc}")
    st = {s["name"]: s for s in j["stages"]}
    ck.check(list(st) == ["read", "resize", "normalize", "input", "logits", "outputs"], f"{mistake}: order {list(st)}")
    if first:
        after = [s["inherited"] for s in j["stages"]][list(st).index(first) + 1:]
        ck.check(all(after), f"{mistake}: stages after {first} are marked as possibly inherited")
    rc2, text = run("stages", ref, p, "--manifest", manifest)[:2]
    ck.check((f"first unaligned stage: {first}" in text) if first else "all 6 stages aligned." in text,
             f"{mistake}: text names it: {text}")
    res = st["resize"]
    if mistake in (None, "mean_order", "nhwc", "output_order"):
        ck.check(res["own_error"]["status"] == "aligned", f"{mistake}: resize own error {res['own_error']}")
    if mistake == "cv2_resize":
        # the replayed Pillow resize of the port's own input differs from the port's output: the
        # stage's own error, and it is as large as the whole stage error
        ck.check(res["own_error"]["status"] == "unaligned" and res["own_error"]["metrics"]["max_abs"] > 10,
                 f"cv2_resize: own error {res['own_error']}")
        ck.check("this operation differs" in text, "cv2_resize: text blames the operation")
    if mistake == "bgr":
        # resize replayed on the port's (BGR) input reproduces the port's output: inherited only
        ck.check(res["status"] == "unaligned" and res["own_error"]["status"] == "aligned",
                 f"bgr: resize inherited only {res['own_error']}")
        ck.check("inherited only" in text, "bgr: text says inherited only")
    rd = st["read"]["own_error"]
    ck.check(rd["status"] == ("unaligned" if mistake == "bgr" else "aligned") and "Pillow 9.4" in rd["op"],
             f"{mistake}: decode replayed like PIL, settings recorded: {rd}")
    nrm = st["normalize"]["own_error"]
    if mistake == "mean_order":
        ck.check(nrm["status"] == "unaligned", f"mean_order: normalize's own error {nrm}")
    elif mistake in ("bgr", "cv2_resize"):
        ck.check(nrm["status"] == "aligned", f"{mistake}: normalize inherits only {nrm}")
    else:
        ck.check(nrm["status"] == "aligned" and nrm["metrics"]["max_abs"] == 0, f"{mistake}: normalize replays exactly {nrm}")
    if mistake == "nhwc":
        t = st["input"]["tensors"][0]
        ck.check(st["input"]["status"] == "shape_mismatch" and
                 any(pm["perm"] == [0, 3, 1, 2] and pm["aligned"] for pm in t.get("permutations", [])),
                 f"nhwc: permutation reported {t}")
    if mistake == "output_order":
        ck.check(st["outputs"]["status"] in ("shape_mismatch", "unaligned"), f"output_order: {st['outputs']['status']}")
    if mistake is None:
        ck.check(st["outputs"]["status"] == "aligned" and len(st["outputs"]["tensors"]) == 2,
                 "members in another order but named right are aligned")
    lg = st["logits"]
    ck.check("topk" in lg and lg["topk"]["k"] == 3, f"{mistake}: logits top-k reported")
    if lg.get("topk"):
        r_l = np.load(os.path.join(ref, "04_logits.npy")).ravel()
        p_l = np.load(os.path.join(p, "04_logits.npy")).ravel()
        ck.check(lg["topk"]["ref_index"] == list(np.argsort(-r_l, kind="stable")[:3]) and
                 lg["topk"]["port_index"] == list(np.argsort(-p_l, kind="stable")[:3]), f"{mistake}: top-k indices")

# letterbox padding: YOLOv5's 114 in the original, 0 in the port (the seed's "padding" cause)
from xa_yolo import yolo_letterbox  # noqa: E402


def yolo_pipeline(out, color):
    xd.configure(out)
    im = cv2.imread(PHOTO)
    xd.dump("read", im)
    im, _ = yolo_letterbox(im, (320, 320), color, False, False, True, 32)
    xd.dump("letterbox", im)
    x = np.ascontiguousarray(im.transpose((2, 0, 1))[::-1]).astype(np.float32) / np.float32(255)
    xd.dump("input", x[None])


yref, yport = ck.path("yolo_ref"), ck.path("yolo_port")
yolo_pipeline(yref, (114, 114, 114))
yolo_pipeline(yport, (0, 0, 0))
ym = ck.path("yolo.json")
with open(ym, "w") as f:
    json.dump({"stages": {"letterbox": {"op": "letterbox_yolov5", "size": [320, 320]}}}, f)
rc, j = run_json("stages", yref, yport, "--manifest", ym)
st = {s["name"]: s for s in j["stages"]}
ck.check(rc == 1 and j["first_unaligned"] == "letterbox", f"letterbox padding: first unaligned {j['first_unaligned']}")
ck.check(st["letterbox"]["own_error"]["status"] == "unaligned", f"letterbox: own error {st['letterbox']['own_error']}")
ck.check(st["letterbox"]["metrics"]["max_abs"] == 114, f"letterbox: max_abs {st['letterbox']['metrics']['max_abs']}")
rc, j = run_json("stages", yref, yref, "--manifest", ym)
ck.check(rc == 0 and j["stages"][1]["own_error"]["metrics"]["max_abs"] == 0, "letterbox replayed exactly on the original's own input")

# missing stages on either side
p = ck.path("port_missing")
port(p)
os.remove(os.path.join(p, "02_normalize.npy"))
rc, j = run_json("stages", ref, p)
st = {s["name"]: s["status"] for s in j["stages"]}
# a missing stage is reported as missing, never as the first unaligned stage (the first *compared*
# stage that differs); the run still exits 1, since not every stage was compared and aligned
ck.check(st["normalize"] == "missing_port" and j["first_unaligned"] is None and j["missing"] == ["normalize"]
         and rc == 1, f"missing port stage: {st} first {j['first_unaligned']}")
os.rename(os.path.join(p, "05_outputs.npz"), os.path.join(p, "06_extra.npz"))
rc, j = run_json("stages", ref, p)
st = {s["name"]: s["status"] for s in j["stages"]}
ck.check(st.get("extra") == "missing_ref" and st.get("outputs") == "missing_port", f"renamed stage: {st}")

# dtype differences are shown, not hidden
p = ck.path("port_dtype")
port(p)
np.save(os.path.join(p, "01_resize.npy"), np.load(os.path.join(p, "01_resize.npy")).astype(np.float32))
rc, out, err = run("stages", ref, p)
ck.check("dtypes differ: ref uint8, port float32" in out and rc == 0, f"dtype difference shown: {out}")

# a BMRT raw dump as a stage, dtype/shape from the manifest, mis-sized dump is an error that says both sizes
p = ck.path("port_bmrt")
port(p)
inp = np.load(os.path.join(p, "03_input.npy"))
os.remove(os.path.join(p, "03_input.npy"))
with open(os.path.join(p, "input_ref_data.dat.bmrt"), "wb") as f:
    f.write(inp.tobytes())
m2 = ck.path("m2.json")
with open(m2, "w") as f:
    json.dump({"stages": {"input": {"port": "input_ref_data.dat.bmrt:f32:1x3x96x128"}}}, f)
rc, j = run_json("stages", ref, p, "--manifest", m2)
st = {s["name"]: s["status"] for s in j["stages"]}
ck.check(st["input"] == "aligned" and rc == 0, f"BMRT stage: {st}")
with open(m2, "w") as f:
    json.dump({"stages": {"input": {"port": "input_ref_data.dat.bmrt:f32:1x3x96x129"}}}, f)
rc, j = run_json("stages", ref, p, "--manifest", m2)
s = [x for x in j["stages"] if x["name"] == "input"][0]
need, have = 1 * 3 * 96 * 129 * 4, inp.nbytes
ck.check(s["status"] == "error" and f"need {need} bytes" in (s["error"] or "") and f"has {have}" in (s["error"] or ""),
         f"mis-sized BMRT dump: {s['error']}")

# bad manifests: exit 2 with the reason
for body, needle in [("{", "line"), ('{"stages": {"x": {"tolerance": {"max_abs": "a"}}}}', "must be a number"),
                     ('{"stagez": {}}', "unknown top-level key"), ('{"stages": {"x": {"topk": 99}}}', "topk"),
                     ('{"stages": {"x": {"bogus": 1}}}', "unknown key 'bogus'")]:
    with open(m2, "w") as f:
        f.write(body)
    rc, out, err = run("stages", ref, ref, "--manifest", m2)
    ck.check(rc == 2 and needle in err and out == "", f"bad manifest {body!r}: {rc} {err!r}")
rc, out, err = run("stages", ref, ck.path("nowhere"))
ck.check(rc == 2 and "nowhere" in err, f"missing folder: {err}")

# dataset run: one sub-folder per sample, two of them with mistakes
dref, dport = ck.path("dref"), ck.path("dport")
for i, mistake in enumerate([None, "cv2_resize", None, "mean_order", None]):
    original(os.path.join(dref, f"s{i}"))
    port(os.path.join(dport, f"s{i}"), mistake)
rc, j = run_json("stages", dref, dport)
per = {s["name"]: s for s in j["stages"]}
ck.check(j["samples_total"] == 5 and j["samples_unaligned"] == 2 and rc == 1, f"dataset totals {j['samples_total']} {j['samples_unaligned']}")
ck.check(per["resize"]["unaligned"] == 1 and per["resize"]["worst_sample"] == "s1", f"dataset resize {per['resize']}")
firsts = {s["sample"]: s["first_unaligned"] for s in j["samples"]}
ck.check(firsts == {"s0": None, "s1": "resize", "s2": None, "s3": "normalize", "s4": None}, f"dataset firsts {firsts}")
rc, out, err = run("stages", dref, dport)
ck.check("5 samples, 2 unaligned" in out and "s1: resize" in out, f"dataset text {out}")
ck.done()
