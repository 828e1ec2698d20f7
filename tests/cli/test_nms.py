"""`xalign nms`: the text a new user reads, the JSON object, exit codes (0 done / both variants
agree, 1 the variants disagree, 2 usage or input error) and one clear line for every bad input.
The kept indices themselves are checked against torchvision and OpenCV in tests/oracle/test_nms.py."""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
from xa_testlib import Checker, run  # noqa: E402

CK = Checker("cli_nms")


def save(name, a):
    p = CK.path(name)
    np.save(p, a)
    return p


# Six boxes (x1, y1, x2, y2): 0 and 3 overlap (IoU 200/210 = 0.95), 1 overlaps 0 by IoU 81/119,
# 2 is alone, 4 and 5 have zero area (torchvision: IoU 0/0 = NaN never suppresses; cv2: two
# empty boxes have overlap 1, so 5 is dropped after 4).
boxes = save("boxes.npy", np.array([[0, 0, 10, 10], [1, 1, 11, 11], [50, 50, 60, 60], [0, 0, 10, 10.5],
                                    [5, 5, 5, 5], [6, 6, 6, 6]], np.float32))
scores = save("scores.npy", np.array([0.9, 0.8, 0.7, 0.85, 0.6, 0.5], np.float32))
idxs = save("idxs.npy", np.array([0, 1, 0, 0, 2, 2], np.int64))

# ---- plain runs ------------------------------------------------------------------------------------
rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--iou", "0.5")
CK.check(rc == 0 and err == "", f"torchvision: exit {rc}, stderr {err!r}")
CK.check("torchvision.ops.nms(boxes, scores, iou_threshold=0.5)" in out, f"names the call: {out}")
CK.check("kept 4 of 6 boxes, in the order it returns them:\n   0 2 4 5\n" in out, f"kept list: {out}")
CK.check("boxes.npy: 6 boxes, float32 x1, y1, x2, y2" in out, f"describes the input: {out}")

rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--iou", "0.5", "--json")
j = json.loads(out)
CK.check(rc == 0 and list(j)[0] == "schema" and j["schema"] == "xalign.nms/1" and j["keep"] == [0, 2, 4, 5],
         f"JSON: {out}")

rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--iou", "0.5", "--idxs", idxs)
CK.check(rc == 0 and "batched_nms" in out and "coordinate-offset path (1000 boxes or fewer)" in out
         and "0 1 2 4 5\n" in out, f"batched: {out}")
rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--iou", "0.5", "--idxs", idxs, "--path",
                   "per-class")
CK.check(rc == 0 and "per-class path (forced by --path)" in out and "0 1 2 4 5\n" in out, f"per-class: {out}")

rc, out, err = run("nms", boxes, scores, "--like", "cv2", "--format", "xyxy", "--iou", "0.45")
CK.check(rc == 0 and "nms_threshold=0.449999988" in out and "0 2 4\n" in out
         and "cv2 gets them as xywh: x1, y1, x2 - x1, y2 - y1, computed in float32" in out, f"cv2: {out}")

# ---- two variants -----------------------------------------------------------------------------------
rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--compare-like", "cv2", "--iou", "0.5")
CK.check(rc == 1, f"disagreement exits 1: {rc} {err}")
CK.check("they disagree on 1 box: unaligned" in out and "box 5 (score 0.5):" in out, f"compare text: {out}")
CK.check("torchvision kept it: IoU nan with box 4" in out, f"torchvision's reason: {out}")
CK.check("cv2 suppressed it: overlap 1 > 0.5 with box 4 (score 0.600000024)" in out, f"cv2's reason: {out}")
rc, out, err = run("nms", boxes, scores, "--like", "torchvision", "--compare-like", "cv2", "--iou", "0.5", "--json")
j = json.loads(out)
d = j["compare"]["disagree"]
CK.check(rc == 1 and j["compare"]["same"] is False and len(d) == 1 and d[0]["box"] == 5
         and d[0]["cv2"]["fate"] == "suppressed" and d[0]["cv2"]["by"] == 4 and d[0]["cv2"]["overlap"] == 1
         and d[0]["torchvision"]["fate"] == "kept" and d[0]["torchvision"]["overlap"] == "nan", f"compare JSON: {out}")
# without the empty boxes both agree
b4 = save("b4.npy", np.load(boxes)[:4])
s4 = save("s4.npy", np.load(scores)[:4])
rc, out, err = run("nms", b4, s4, "--like", "cv2", "--format", "xyxy", "--compare-like", "torchvision", "--iou", "0.5")
CK.check(rc == 0 and "both keep the same boxes in the same order: aligned" in out, f"agreement exits 0: {rc} {out}")
# a score threshold only cv2 applies
rc, out, err = run("nms", b4, s4, "--like", "torchvision", "--compare-like", "cv2", "--iou", "0.5",
                   "--score-threshold", "0.75")
CK.check(rc == 1 and "box 2 (score 0.699999988)" in out and "cv2 dropped it before suppression" in out,
         f"score threshold: {out}")
# the below_score fate names the score threshold (0.75 as the float cv2 compares), not the NMS one
CK.check("score not above score_threshold 0.75" in out, f"below_score names its threshold: {out}")
rc, out, err = run("nms", b4, s4, "--like", "cv2", "--format", "xyxy", "--compare-like", "torchvision", "--iou",
                   "0.5", "--score-threshold", "0.75", "--json")
d = [x for x in json.loads(out)["compare"]["disagree"] if x["cv2"]["fate"] == "below_score"]
CK.check(rc == 1 and len(d) == 1 and d[0]["box"] == 2 and d[0]["cv2"]["threshold"] == 0.75,
         f"below_score JSON threshold: {out}")

# ---- YOLOv5 ----------------------------------------------------------------------------------------
pred = np.zeros((2, 3, 7), np.float32)
pred[0, 0] = [50, 50, 20, 20, 0.9, 0.5, 0.8]
pred[0, 1] = [52, 50, 20, 20, 0.8, 0.9, 0.1]
pred[0, 2] = [10, 10, 4, 4, 0.1, 1, 1]
pred_p = save("pred.npy", pred)
rc, out, err = run("nms", pred_p, "--like", "yolov5")
CK.check(rc == 0 and "conf_thres=0.25, iou_thres=0.45, classes=None, agnostic=False, multi_label=False, max_det=300"
         in out and "image 0: 2 detections" in out and "image 1: 0 detections" in out, f"yolov5 text: {out}")
rc, out, err = run("nms", pred_p, "--like", "yolov5", "--agnostic", "--json")
j = json.loads(out)
CK.check(rc == 0 and list(j)[0] == "schema" and len(j["detections"]) == 2 and len(j["detections"][0]) == 1
         and j["detections"][0][0][:4] == [40, 40, 60, 60] and j["detections"][1] == [], f"yolov5 JSON: {out}")
rc, out, err = run("nms", pred_p, "--like", "yolov5", "--classes", "0", "--conf", "0.3", "--max-det", "5")
CK.check(rc == 0 and "classes=[0]" in out and "image 0: 1 detection " in out, f"yolov5 classes: {out}")

rc, out, err = run("nms", "--help")
CK.check(rc == 0 and "--compare-like" in out and "--multi-label" in out and err == "", "help")

# ---- bad input: exit 2, nothing on stdout, one line naming the problem -------------------------------
bad = [
    ([], "usage: xalign nms"),
    ([boxes, scores, "--iou", "0.5"], "xalign nms: --like torchvision, cv2 or yolov5 is required"),
    ([boxes, scores, "--like", "tf", "--iou", "0.5"], "unknown library 'tf'"),
    ([boxes, scores, "--like", "torchvision"], "--iou T is required"),
    ([boxes, "--like", "torchvision", "--iou", "0.5"], "expected BOXES and SCORES, got 1 argument"),
    ([boxes, scores, "--like", "torchvision", "--iou", "abc"], "option --iou: 'abc' is not a number"),
    ([boxes, scores, "--like", "torchvision", "--iou", "nan"], "option --iou: 'nan' is not a number"),
    ([CK.path("none.npy"), scores, "--like", "torchvision", "--iou", "0.5"], "none.npy"),
    ([scores, scores, "--like", "torchvision", "--iou", "0.5"], "boxes must be N x 4, got float32 [6]"),
    ([boxes, s4, "--like", "torchvision", "--iou", "0.5"], "scores must be [6] (one per box), got [4]"),
    ([boxes, save("s64.npy", np.load(scores).astype(np.float64)), "--like", "torchvision", "--iou", "0.5"],
     "scores are float64 but boxes float32 (torchvision wants one dtype)"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--score-threshold", "0.2"],
     "torchvision.ops.nms has none"),
    ([boxes, scores, "--like", "cv2", "--iou", "0.5", "--idxs", idxs], "NMSBoxesBatched came in 4.7"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--path", "offset"], "--path chooses a batched_nms "
     "path: add --idxs"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--idxs", idxs, "--path", "fast"],
     "--path 'fast' is not auto, offset or per-class"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--idxs", scores], "idxs must be integers"),
    ([boxes, scores, "--like", "cv2", "--iou", "-0.5"], "nms_threshold -0.5 must be >= 0 (OpenCV asserts it)"),
    ([boxes, scores, "--like", "cv2", "--iou", "0.5", "--eta", "0"], "eta 0 must be > 0"),
    ([boxes, scores, "--like", "cv2", "--compare-like", "cv2", "--iou", "0.5"], "names the same library"),
    ([boxes, scores, "--like", "cv2", "--iou", "0.5", "--format", "cxcywh"], "--format 'cxcywh' is not xyxy or xywh"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--conf", "0.3"], "options of --like yolov5"),
    ([pred_p, scores, "--like", "yolov5"], "expected one PRED tensor"),
    ([pred_p, "--like", "yolov5", "--idxs", idxs], "not options of --like yolov5"),
    ([boxes, "--like", "yolov5"], "the prediction must be B x N x (5 + classes)"),
    ([save("p64.npy", pred.astype(np.float64)), "--like", "yolov5"], "the prediction must be float32, not float64"),
    ([pred_p, "--like", "yolov5", "--conf", "2"], "conf_thres 2 is outside 0..1"),
    ([pred_p, "--like", "yolov5", "--classes", "0,x"], "option --classes: classes '0,x' is not a comma-separated "
     "list of numbers"),
    ([pred_p, "--like", "yolov5", "--classes", "1,"], "option --classes: classes '1,' is not"),
    ([pred_p, "--like", "yolov5", "--classes", "-1"], "option --classes: classes"),
    ([pred_p, "--like", "yolov5", "--max-det", "-1"], "max-det '-1' is outside 0..16777216"),
    ([boxes, scores, "--like", "torchvision", "--iou", "0.5", "--bogus"], "unknown option '--bogus'"),
]
for argv, want in bad:
    rc, out, err = run("nms", *argv)
    lines = err.strip().splitlines()
    one_line = len(lines) == 1 or want.startswith("usage")
    CK.check(rc == 2 and out == "" and want in err and one_line and (want.startswith("usage") or
                                                                      err.startswith("xalign nms: ")),
             f"bad input {argv}: exit {rc}, stdout {out!r}, stderr {err!r}, want {want!r}")
CK.done()
