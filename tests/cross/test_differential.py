"""The aarch64 build gives the same bytes as the x86 build (issue 12).

Every resize method, decode mode, registered operation, preprocess recipe, NMS flavour, the COCO
results writer, results matching and COCOeval, heatmaps and the HTML report run on real images (tests/data, the image fuzz corpus) and generated arrays
of several sizes, once with the x86 CLI
($XALIGN) and once with the aarch64 CLI under qemu ($XALIGN_CROSS, the cross build's
xalign-emu). Both must exit alike, print the same text and write byte-identical files. `info`
runs on every fuzz-corpus file (the parsers' messages on broken input, where char signedness
would show). `compare --json` runs on tensor pairs of every dtype pair, and `stages` (with
replay and diagnosis) and `diagnose` on a few stage pairs: counts, positions, max_abs, extrema,
verdicts and diagnoses must be identical, sums within 1e-12 relative (xa_metric_rules), and in
fact the whole JSON the same bytes (the x86 build sums with AVX2, the aarch64 one with NEON, in
one association).
The cases run in parallel, one process per case and build."""
import concurrent.futures
import glob
import json
import os
import re
import subprocess
import sys

import numpy as np
from xa_metric_rules import SUMS, sum_mismatches
from xa_testlib import DATA, SOURCE_DIR, XALIGN, Checker

ck = Checker("differential")
CROSS = os.environ.get("XALIGN_CROSS")
if not CROSS:
    sys.exit("test_differential: set XALIGN_CROSS to the cross build's CLI (xalign-emu)")
BUILDS = {"x86": XALIGN, "cross": CROSS}
rng = np.random.default_rng(12)
INPUTS = ck.path("in")
os.makedirs(INPUTS)
for b in BUILDS:
    os.makedirs(ck.path(b))


def save(name, a):
    path = os.path.join(INPUTS, name)
    np.save(path, a)
    return path


def noisy_f32(a, scale):
    return (a + rng.standard_normal(a.shape) * scale).astype(np.float32)


# ---- inputs ---------------------------------------------------------------------------------
IMAGES = sorted(glob.glob(os.path.join(DATA, "*.jpg")) + glob.glob(os.path.join(DATA, "*.png")) +
                glob.glob(os.path.join(SOURCE_DIR, "fuzz", "corpus", "image", "*")))
JPEGS = [f for f in IMAGES if f.endswith(".jpg")]


def decoded(path, like="cv2"):
    """An image as the x86 CLI decodes it (the arrays the operations below start from)."""
    out = os.path.join(INPUTS, f"{os.path.basename(path)}.{like}.npy")
    subprocess.run([XALIGN, "decode", path, out, "--like", like], check=True, capture_output=True)
    return out


fruits, fish, left = decoded(os.path.join(DATA, "fruits.jpg")), decoded(os.path.join(DATA, "HappyFish.jpg")), \
    os.path.join(INPUTS, "left01.npy")
subprocess.run([XALIGN, "decode", os.path.join(DATA, "left01.jpg"), left, "--like", "cv2", "--gray"], check=True,
               capture_output=True)
templ = decoded(os.path.join(DATA, "templ.png"), "pil")
fish_rgba = np.concatenate([np.load(fish), np.load(fish)[:, :, :1]], axis=2)
# generated: uint8 of 1/3/4 channels, float32 with values past 0..255 (saturation paths) and odd sizes
# (a 240x180 window of the 640x480 chessboard photo: real content at a size qemu runs quickly)
left_part = save("left01_part.npy", np.ascontiguousarray(np.load(left)[150:330, 200:440]))
REAL_INPUTS = [fruits, fish, left_part, save("fish_rgba.npy", fish_rgba)]
GENERATED_INPUTS = []
for c in (1, 3, 4):
    GENERATED_INPUTS.append(save(f"u8_{c}.npy", rng.integers(0, 256, (23, 37, c), dtype=np.uint8)))
    GENERATED_INPUTS.append(save(f"f32_{c}.npy", (rng.standard_normal((29, 19, c)) * 120 + 100).astype(np.float32)))
GENERATED_INPUTS.append(save("u8_2d.npy", rng.integers(0, 256, (17, 64), dtype=np.uint8)))
# every method `xalign resize --help` lists
METHODS = sorted(set(re.findall(r"\b(?:cv2|pil|torch)-[a-z0-9]+(?:-[a-z0-9]+)*",
                                subprocess.run([XALIGN, "resize", "--help"], capture_output=True, text=True).stdout)))
ck.check(len(METHODS) >= 15, f"resize --help lists the methods: {METHODS}")


def sizes(shape, full):
    """Shrinks by a fraction and by exactly 2 (cv2-area's integer path) and an enlargement; with
    `full` also a mixed change and 1x1 (the small generated arrays: qemu time)."""
    h, w = shape[0], shape[1]
    out = [(max(1, w * 3 // 7), max(1, h * 5 // 11)), (max(1, w // 2), max(1, h // 2)), (w * 7 // 4 + 1, h * 3 // 2)]
    return out + [(w + 5, max(1, h * 2 // 3)), (1, 1)] if full else out


# ---- cases: (label, args with output names relative to the build's folder, outputs) ----------
cases = []


def case(label, *args, outputs=("out.npy",), float_idct=False):
    cases.append((label, [str(a) for a in args], list(outputs), float_idct))


for path in IMAGES:
    name = os.path.basename(path)
    for like in ("cv2", "pil"):
        for gray in ([], ["--gray"]):
            variants = ["", "no-fancy", "ifast", "float", "no-fancy,ifast"] if path in JPEGS else [""]
            for v in variants:
                extra = ["--variant", v] if v else []
                case(f"decode {name} {like} {gray} {v}", "decode", path, "out.npy", "--like", like, *gray, *extra, "--json",
                     float_idct="float" in v)
    case(f"decode {name} cv2 ignore-orientation", "decode", path, "out.npy", "--like", "cv2", "--ignore-orientation")

for path in REAL_INPUTS + GENERATED_INPUTS:
    shape = np.load(path, mmap_mode="r").shape
    for m in METHODS:
        for w, h in sizes(shape, path in GENERATED_INPUTS):
            case(f"resize {os.path.basename(path)} {m} {w}x{h}", "resize", path, "out.npy", "--method", m, "--size", f"{w}x{h}")

chw = save("chw.npy", (rng.standard_normal((3, 31, 45)) * 2).astype(np.float32))
f32hwc = save("hwc_f32.npy", rng.random((31, 45, 3), dtype=np.float32))
boxes = save("boxes.npy", (rng.random((40, 6)) * 700 - 30).astype(np.float32))
qin = rng.standard_normal(1003).astype(np.float32) * 90
qin[:8] = [np.nan, np.inf, -np.inf, 3e9, -3e9, 32767.5, 40000.0, 0.5]
qin = save("quant.npy", qin)
nms_xy = rng.uniform(0, 60, (50, 2))
nms_b = save("nms_boxes.npy", np.concatenate([nms_xy, nms_xy + rng.uniform(1, 30, (50, 2))], 1).astype(np.float32))
nms_s = save("nms_scores.npy", (rng.integers(0, 9, 50) / 8).astype(np.float32))
nms_i = save("nms_idxs.npy", rng.integers(0, 4, 50).astype(np.int64))
nms_pred = save("nms_pred.npy", np.concatenate([rng.uniform(0, 320, (1, 60, 2)), rng.uniform(4, 60, (1, 60, 2)),
                                                rng.random((1, 60, 4))], 2).astype(np.float32))
MS = ["--mean", "0.485,0.456,0.406", "--std", "0.229,0.224,0.225"]
# every registered operation (xalign ops) with its parameter sets: input, arguments
TRANSFORMS = {
    "decode": [(os.path.join(DATA, "fruits.jpg"), ["--like", "cv2", "--dct", "ifast"]),
               (os.path.join(DATA, "pic1.png"), ["--gray"])],
    "resize": [(fish, ["--method", "cv2-cubic", "--size", "100x61"])],
    "tv-resize": [(fish, ["--short", "97"]), (fruits, ["--short", "113", "--max-size", "120"])],
    "center-crop": [(fish, ["--size", "224x224"]), (fish, ["--size", "101"])],
    "crop": [(fish, ["--top", "-5", "--left", "200", "--size", "80x40", "--value", "1,2,3"])],
    "pad": [(fish, ["--pad", "3,0,7,2", "--value", "114,114,114"])],
    "to-tensor": [(fish, [])],
    "normalize": [(chw, MS)],
    "to-tensor-normalize": [(fish, MS)],
    "numpy-normalize": [(fish, MS), (fish, [*MS, "--form", "div", "--const-dtype", "f32"]),
                        (f32hwc, [*MS, "--out-dtype", "f64"])],
    "convert-to": [(fish, ["--alpha", "0.017,0.0175,0.0171", "--beta", "-2.1,-2.03,-1.8"]),
                   (fish, [*MS, "--ab-form", "demo", "--fused"]), (fish, [*MS, "--input-scale", "2.5"]),
                   (chw, [*MS, "--layout", "chw"])],
    "bgr2rgb": [(fish, [])], "rgb2bgr": [(chw, ["--layout", "chw"])], "hwc2chw": [(fish, [])],
    "chw2hwc": [(chw, [])], "add-batch": [(fish, [])], "to-f32": [(fish, [])],
    "letterbox-yolov5": [(fish, ["--size", "320x320"]), (fruits, ["--size", "256x192", "--auto", "false"]),
                         (fish, ["--size", "300x300", "--scale-fill"]),
                         (templ, ["--size", "640x640", "--no-scaleup", "--color", "0,0,0", "--method", "cv2-area"])],
    "letterbox-sail": [(fish, ["--size", "320x320"]), (fruits, ["--size", "77x300", "--method", "cv2-linear"])],
    "scale-boxes": [(boxes, ["--from", "259x194", "--to", "640x640"]),
                    (boxes, ["--from", "259x194", "--to", "640x640", "--ratio-pad", "0.4,3,7.5", "--round"])],
    "quantize-int8": [(qin, ["--scale", "1.37", "--dtype", dt, "--rounding", r])
                      for r in ("half-away", "half-even", "sail-x86", "sail-arm") for dt in ("int8", "uint8")],
    # several inputs: boxes, scores [, class ids] (more NMS below, through `xalign nms`)
    "torchvision-nms": [([nms_b, nms_s], ["--iou", "0.5"]), ([nms_b, nms_s, nms_i], ["--iou", "0.4", "--path", "per-class"])],
    "cv2-nms": [([nms_b, nms_s], ["--iou", "0.45", "--score-threshold", "0.3", "--eta", "0.95", "--top-k", "9"])],
    "yolov5-nms": [(nms_pred, ["--conf", "0.01", "--iou", "0.6", "--multi-label"]), (nms_pred, ["--agnostic"])],
    "box-convert": [(nms_b, ["--from", "xyxy", "--to", "xywh"]), (nms_b, ["--from", "xywh", "--to", "xyxy"])],
}
registered = [o["name"] for o in json.loads(subprocess.run([XALIGN, "ops", "--json"], capture_output=True,
                                                          check=True).stdout)["ops"]]
missing = [n for n in registered if n not in TRANSFORMS]
ck.check(not missing, f"every registered operation has cases here: missing {missing}")
for op, sets in TRANSFORMS.items():
    for inp, args in sets:
        ins = inp if isinstance(inp, list) else [inp]
        case(f"transform {os.path.basename(ins[0])} {op} {' '.join(args)}", "transform", *ins, "out.npy", "--op", op,
             *args, "--json")
for op, size in (("tv-resize", ["--short", "97"]), ("letterbox-yolov5", ["--size", "640"]),
                 ("letterbox-sail", ["--size", "77x300"])):
    case(f"geometry {op}", "transform", "--op", op, *size, "--geometry-only", "--input-size", "259x194,640x480,77x77",
         "--json", outputs=())
case("ops", "ops", "--json", outputs=())
for recipe in ("torchvision-resnet", "resnet-opencv", "yolov5-letterbox"):
    for img in ("fruits.jpg", "HappyFish.jpg", "pic1.png"):
        case(f"preprocess {img} {recipe}", "preprocess", os.path.join(DATA, img), "out.npy", "--recipe", recipe, "--json")

# NMS (torchvision, cv2.dnn, YOLOv5): random, integer-grid (exact IoU ties), repeated and
# degenerate boxes; kept indices and detections in the JSON on stdout
for k, n in enumerate((5, 40, 300)):
    xy = rng.uniform(0, 100, (n, 2))
    grid = rng.integers(0, 6, (n, 4)).astype(np.float64)
    sets = {"random": np.concatenate([xy, xy + rng.uniform(0, 40, (n, 2))], 1),
            "grid": np.concatenate([grid[:, :2], grid[:, :2] + grid[:, 2:]], 1),
            "repeated": np.repeat(np.concatenate([xy[:3], xy[:3] + 20], 1), n // 3 + 1, axis=0)[:n]}
    deg = sets["random"].copy()
    deg[rng.random((n, 4)) < 0.05] = np.nan
    m = rng.random(n) < 0.3
    deg[m, 2] = deg[m, 0] - rng.choice([0.0, 5.0], int(m.sum()))  # zero and inverted widths
    sets["degenerate"] = deg
    scores = save(f"scores_{n}.npy", (rng.integers(0, 5, n) / 4).astype(np.float32))  # ties
    idxs = save(f"idxs_{n}.npy", rng.integers(0, 3, n).astype(np.int64))
    for kind, b in sets.items():
        bf = save(f"boxes_{kind}_{n}.npy", b.astype(np.float32))
        for iou in ("0.3", "0.5"):
            case(f"nms torchvision {kind} {n} {iou}", "nms", bf, scores, "--like", "torchvision", "--iou", iou,
                 "--json", outputs=())
            case(f"nms cv2 {kind} {n} {iou}", "nms", bf, scores, "--like", "cv2", "--iou", iou, "--format", "xyxy",
                 "--json", outputs=())
        case(f"nms batched {kind} {n}", "nms", bf, scores, "--like", "torchvision", "--iou", "0.45", "--idxs", idxs,
             "--path", ["auto", "offset", "per-class"][k], "--json", outputs=())
        case(f"nms cv2 options {kind} {n}", "nms", bf, scores, "--like", "cv2", "--iou", "0.4", "--format", "xyxy",
             "--score-threshold", "0.2", "--eta", "0.9", "--top-k", "20", "--json", outputs=())
        case(f"nms compare-like {kind} {n}", "nms", bf, scores, "--like", "torchvision", "--iou", "0.5",
             "--compare-like", "cv2", outputs=())
    pred = np.concatenate([rng.uniform(0, 640, (2, n, 2)), rng.uniform(5, 120, (2, n, 2)), rng.random((2, n, 1)),
                           rng.random((2, n, 3))], 2).astype(np.float32)
    pf = save(f"pred_{n}.npy", pred)
    for extra in ([], ["--conf", "0.001", "--iou", "0.6", "--multi-label"], ["--agnostic", "--max-det", "7"],
                  ["--classes", "0,2"]):
        case(f"nms yolov5 {n} {extra}", "nms", pf, "--like", "yolov5", *extra, "--json", outputs=())

# detections over a small dataset: COCO results JSON (Python's repr and round), results matching,
# COCOeval against a generated ground truth
det_dirs = []
for side in ("ref", "port"):
    d = os.path.join(INPUTS, f"dets_{side}")
    os.makedirs(d)
    det_dirs.append(d)
gt = {"images": [], "annotations": [], "categories": [{"id": c, "name": f"c{c}"} for c in (1, 2, 3, 5)]}
for img_id in (139, 285, 632, 724):
    gt["images"].append({"id": img_id, "width": 640, "height": 480, "file_name": f"{img_id:012d}.jpg"})
    n = int(rng.integers(3, 12))
    xy = rng.uniform(0, 400, (n, 2))
    wh = rng.uniform(5, 200, (n, 2))
    for k in range(n):
        gt["annotations"].append({"id": len(gt["annotations"]) + 1, "image_id": img_id, "category_id": int(rng.choice([1, 2, 3, 5])),
                                  "bbox": [float(v) for v in (*xy[k], *wh[k])], "area": float(wh[k, 0] * wh[k, 1]), "iscrowd": 0})
    # detections: the ground truth moved a little, plus strays; the port one rounding away
    m = n + 3
    det = np.concatenate([np.concatenate([xy, xy + wh], 1)[rng.integers(0, n, m)] + rng.normal(0, 3, (m, 4)),
                          rng.random((m, 1)), rng.choice([0, 1, 2, 4], (m, 1))], 1)
    np.save(os.path.join(det_dirs[0], f"{img_id:012d}.npy"), det.astype(np.float32))
    port = det.copy()
    port[:, :4] += rng.choice([0.0, 0.0, 5e-4, 0.3], (m, 1))
    np.save(os.path.join(det_dirs[1], f"{img_id:012d}.npy"), port.astype(np.float32))
gt_path = os.path.join(INPUTS, "instances.json")
json.dump(gt, open(gt_path, "w"))
for side, d in zip(("ref", "port"), det_dirs):
    for extra in ([], ["--no-round"], ["--box", "yolov5"]):
        case(f"coco-json {side} {extra}", "coco-json", d, *extra, "-o", "out.json", outputs=("out.json",))
    # (COCO results files for cocoeval/results, written by the x86 CLI)
    subprocess.run([XALIGN, "coco-json", d, "-o", os.path.join(INPUTS, f"{side}.json")], check=True, capture_output=True)
ref_json, port_json = os.path.join(INPUTS, "ref.json"), os.path.join(INPUTS, "port.json")
case("coco-json --check", "coco-json", "--check", ref_json, "--json", outputs=())
case("results dirs", "results", *det_dirs, outputs=())
case("results json", "results", ref_json, port_json, "--json", outputs=())
case("cocoeval", "cocoeval", "--gt", gt_path, "--dt", ref_json, "--json", outputs=())
case("cocoeval two runs", "cocoeval", "--gt", gt_path, "--dt", ref_json, "--dt", port_json, "--per-class", outputs=())

# heatmaps (PNG bytes) of real differences
shifted = save("fish_shift.npy", np.roll(np.load(fish), 2, axis=1))
for extra in ([], ["--scale", "log"], ["--channel", "1"]):
    case(f"heatmap {extra}", "heatmap", fish, shifted, "out.png", *extra, "--json", outputs=("out.png",))
case("heatmap float", "heatmap", chw, save("chw_noisy.npy", noisy_f32(np.load(chw), 1e-3)), "out.png",
     "--layout", "chw", "--scale", "log", outputs=("out.png",))

# parsers on every fuzz-corpus file (errors included: same exit code, same message)
for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "fuzz", "corpus", "*", "*"))):
    kind = os.path.basename(os.path.dirname(path))
    if kind == "spec":  # a corpus file of the spec target holds a spec string (cut at a NUL)
        case(f"info spec {os.path.basename(path)}", "info", os.fsdecode(open(path, "rb").read().split(b"\0")[0]),
             outputs=())
    elif kind != "manifest":
        case(f"info {kind}/{os.path.basename(path)}", "info", path, outputs=())
for path in sorted(glob.glob(os.path.join(SOURCE_DIR, "fuzz", "corpus", "manifest", "*"))):
    case(f"stages manifest {os.path.basename(path)}", "stages", INPUTS, INPUTS, "--manifest", path, outputs=())

# ---- compare --json pairs ----------------------------------------------------------------------
pairs = []  # (label, ref spec, port spec, ref values, port values, extra args)


def pair(label, r, p, extra=(), r_view=None, p_view=None, suffix=""):
    rf, pf = save(f"r_{len(pairs)}.npy", r), save(f"p_{len(pairs)}.npy", p)
    pairs.append((label, rf + suffix, pf + suffix, r if r_view is None else r_view, p if p_view is None else p_view,
                  list(extra)))


def noisy(a, scale):
    return (a.astype(np.float64) + rng.standard_normal(a.shape) * scale).astype(a.dtype)


for n in (1, 7, 4103, 100003, 1 << 20):  # past the kernel's 4096-element blocks and its 8-lane groups
    r = rng.standard_normal(n).astype(np.float32)
    pair(f"f32 n={n}", r, noisy(r, 1e-4))
x = rng.standard_normal((2, 3, 17, 19)).astype(np.float32)
pair("f32 axis 1", x, noisy(x, 1e-3), ["--axis", "1"])
pair("f32 axis -1, threads 3", x, noisy(x, 1e-3), ["--axis", "-1", "--threads", "3"])
pair("f32 atol/rtol", x, noisy(x, 1e-6), ["--atol", "1e-7", "--rtol", "1e-6"])
pair("f32 NHWC vs NCHW", x, np.ascontiguousarray(noisy(x, 1e-5).transpose(0, 2, 3, 1)))
nf = rng.standard_normal(9001).astype(np.float32)
pn = noisy(nf, 1e-5)
nf[[3, 50, 4097, 9000]] = [np.nan, np.inf, -np.inf, np.nan]
pn[[3, 60, 4097, 8000]] = [np.nan, np.nan, np.inf, -np.inf]
pair("f32 NaN/Inf", nf, pn)
pair("f32 zeros vs noise", np.zeros(5000, np.float32), rng.standard_normal(5000).astype(np.float32))
u = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
pair("u8/u8", u, np.clip(u.astype(np.int16) + rng.integers(-1, 2, u.shape), 0, 255).astype(np.uint8))
pair("u8/f32", u, noisy(u.astype(np.float32), 0.3))
h = rng.standard_normal(30000).astype(np.float16)
pair("f16/f32", h, noisy(h.astype(np.float32), 1e-3))
i8 = rng.integers(-128, 128, 70000, dtype=np.int8)
pair("i8/i8", i8, np.clip(i8.astype(np.int16) + rng.integers(-1, 2, i8.shape), -128, 127).astype(np.int8))
d = rng.standard_normal((300, 301))
pair("f64/f64", d, noisy(d, 1e-9), ["--preset", "f32"])
bits = (rng.standard_normal(8192).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
bp = (bits.astype(np.int32) + rng.integers(-2, 3, bits.shape)).astype(np.uint16)
bf = lambda b: (b.astype(np.uint32) << 16).view(np.float32)
pair("bf16/bf16", bits, bp, r_view=bf(bits), p_view=bf(bp), suffix=":bf16")
big = rng.standard_normal((1, 3, 224, 224)).astype(np.float32)
pair("f32 1x3x224x224 big-endian", big, noisy(big, 1e-4).astype(">f4"))


RES = os.path.join(SOURCE_DIR, "examples", "resnet")
case("stages --html", "stages", os.path.join(RES, "ref"), os.path.join(RES, "port"), "--manifest",
     os.path.join(RES, "manifest.json"), "--bmodel", os.path.join(RES, "resnet18_fp32.bmodel"), "--html", "out.html",
     outputs=("out.html",))

# ---- whole reports: stages (with replay and diagnosis) and diagnose ------------------------------
# compared like the compare reports; their data are files, so a side's mean is measured against
# the largest |value| of that side (min/max in the same block), a looser scale than mean |value|
reports = []  # (label, args)
for port in ("port", "port_fixed"):
    reports.append((f"stages resnet {port}", ["stages", os.path.join(RES, "ref"), os.path.join(RES, port), "--manifest",
                                              os.path.join(RES, "manifest.json"), "--bmodel",
                                              os.path.join(RES, "resnet18_fp32.bmodel")]))
rs = lambda side, name: os.path.join(RES, side, name)
reports.append(("diagnose resnet resize", ["diagnose", rs("ref", "01_resize.npy"), rs("port", "01_resize.npy"),
                                           "--input-ref", rs("ref", "00_read.npy"), "--input-port", rs("port", "00_read.npy")]))
reports.append(("diagnose resnet normalize", ["diagnose", rs("ref", "03_normalize.npy"), rs("port_fixed", "03_normalize.npy"),
                                              "--input-ref", rs("ref", "02_crop.npy")]))
fish_a = np.load(fish)
reports.append(("diagnose channel order", ["diagnose", fish, save("fish_rgb.npy", np.ascontiguousarray(fish_a[:, :, ::-1]))]))
reports.append(("diagnose shift", ["diagnose", fish, shifted]))
reports.append(("diagnose scale", ["diagnose", chw, save("chw_scaled.npy", (np.load(chw) * np.float32(1.0 / 255)).astype(np.float32))]))

# ---- running ----------------------------------------------------------------------------------
def run_case(build, idx, args):
    d = os.path.join(ck.path(build), str(idx))
    os.makedirs(d)
    p = subprocess.run([BUILDS[build], *args], cwd=d, capture_output=True)
    return p.returncode, p.stdout, p.stderr, d


jobs = [(b, i, c[1]) for i, c in enumerate(cases) for b in BUILDS]
jobs += [(b, len(cases) + i, ["compare", pr[1], pr[2], "--json", *pr[5]]) for i, pr in enumerate(pairs) for b in BUILDS]
jobs += [(b, len(cases) + len(pairs) + i, [*args, "--json"]) for i, (_, args) in enumerate(reports) for b in BUILDS]
with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
    res = dict(zip([(b, i) for b, i, _ in jobs], pool.map(lambda j: run_case(*j), jobs)))

# JDCT_FLOAT is the one exception, and it is libjpeg-turbo's own: its float IDCT is SSE2 code on
# x86-64 and C code on arm64, which Debian's arm64 build compiles with fused multiply-adds (gcc's
# default there); djpeg(1) says "the float method may also give different results on different
# machines due to varying roundoff behavior". xalign calls the libjpeg-turbo of the machine it
# runs on, so these decodes must only agree up to that roundoff: an IDCT sample one level apart
# moves an RGB value by at most 1.772 (the Cb -> B coefficient) after colour conversion, so 2.
FLOAT_IDCT_MAX_DIFF = 2
float_idct_differ = 0
identical = 0
for i, (label, args, outputs, float_idct) in enumerate(cases):
    (rx, ox, ex, dx), (ra, oa, ea, da) = res["x86", i], res["cross", i]
    same = ck.check(rx == ra and ox == oa and ex == ea,
                    f"{label}: exit {rx} vs {ra}\nx86 stdout: {ox[:300]!r}\naarch64 stdout: {oa[:300]!r}\n"
                    f"x86 stderr: {ex[:300]!r}\naarch64 stderr: {ea[:300]!r}")
    for o in outputs:
        fx, fa = os.path.join(dx, o), os.path.join(da, o)
        if rx == 0 and ck.check(os.path.exists(fx) and os.path.exists(fa), f"{label}: {o} written by both"):
            bx, ba = open(fx, "rb").read(), open(fa, "rb").read()
            if float_idct:
                x, a = np.load(fx), np.load(fa)
                ck.check(x.shape == a.shape and x.dtype == a.dtype and len(bx) == len(ba) and
                         np.abs(x.astype(int) - a.astype(int)).max(initial=0) <= FLOAT_IDCT_MAX_DIFF,
                         f"{label}: {o} differs by more than the float IDCT's roundoff")
                float_idct_differ += bx != ba
                same = same and bx == ba
            elif not ck.check(bx == ba, f"{label}: {o} differs"):
                same = False
                if len(bx) == len(ba):
                    diff = np.flatnonzero(np.frombuffer(bx, np.uint8) != np.frombuffer(ba, np.uint8))
                    print(f"  {diff.size} of {len(bx)} bytes differ, first at byte {diff[0]}")
    identical += same


def metric_blocks(j, path=""):
    """Every metrics object in a compare report, with where it is."""
    if isinstance(j, dict):
        if "count" in j and "mean_abs" in j:
            yield path, j
        for k, v in j.items():
            yield from metric_blocks(v, f"{path}.{k}")
    elif isinstance(j, list):
        for k, v in enumerate(j):
            yield from metric_blocks(v, f"{path}[{k}]")


def without_sums(j):
    if isinstance(j, dict):
        return {k: without_sums(v) for k, v in j.items() if not ("count" in j and "mean_abs" in j and k in SUMS)}
    if isinstance(j, list):
        return [without_sums(v) for v in j]
    return j


def absmean(v):
    f = np.asarray(v, np.float64).ravel()
    f = f[np.isfinite(f)]
    return float(np.abs(f).mean()) if f.size else None


def check_report(label, idx, scale_of):
    """The two builds' JSON reports: everything but the sums identical (counts, positions,
    max_abs, extrema, verdicts, diagnoses) and the sums within the metric tests' rules -- the
    issue's requirement, checked first so that a failure says how far apart the sums are -- and
    then the whole JSON byte for byte: every path forms the sums in one association (AVX2 here,
    NEON there; docs/simd.md), so they agree exactly."""
    (rx, ox, ex, _), (ra, oa, ea, _) = res["x86", idx], res["cross", idx]
    if not ck.check(rx == ra and ex == ea and rx in (0, 1), f"{label}: exit {rx} vs {ra}: {ex!r} {ea!r}"):
        return 0
    jx, ja = json.loads(ox), json.loads(oa)
    ck.check(without_sums(jx) == without_sums(ja), f"{label}: reports differ beyond the sums")
    for (where, mx), (_, ma) in zip(metric_blocks(jx), metric_blocks(ja)):
        bad = sum_mismatches(ma, mx, scale_of(mx))
        ck.check(not bad, f"{label}{where}: " + ", ".join(f"{k} x86 {mx[k]!r} aarch64 {ma[k]!r}" for k in bad))
    return ck.check(ox == oa, f"{label}: the JSON reports are not the same bytes")


same_json = 0
for i, (label, _, _, r, p, extra) in enumerate(pairs):
    # a side's mean against the mean of its |values| (for the per-channel blocks, the whole
    # tensor's: these tensors have one scale throughout)
    scale = {"ref": absmean(r), "port": absmean(p)}
    same_json += check_report(f"compare {label}", len(cases) + i, lambda m: scale)


def extreme(m):
    return {s: max(abs(m[f"{s}_min"]), abs(m[f"{s}_max"])) if m[f"{s}_min"] is not None else None
            for s in ("ref", "port")}


same_reports = 0
for i, (label, _) in enumerate(reports):
    same_reports += check_report(label, len(cases) + len(pairs) + i, extreme)

print(f"{len(cases)} operation cases ({identical} identical in every byte of output and text; "
      f"{float_idct_differ} of {sum(c[3] for c in cases)} JDCT_FLOAT decodes differ within {FLOAT_IDCT_MAX_DIFF}), "
      f"{len(pairs)} compare pairs ({same_json} with byte-identical JSON), {len(reports)} stages/diagnose "
      f"reports ({same_reports} byte-identical); {len(jobs)} runs")
ck.done()
