"""Bad input to `results`, `cocoeval` and `coco-json`: every case exits 2 with nothing on stdout
and one line on stderr that names the file, the entry (index and id) and where (line, byte) --
never a crash. Also the help texts and the JSON schema lines. Run it against the ASan/UBSan CLI
too: XALIGN=build-asan/xalign.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
from xa_testlib import Checker, run  # noqa: E402

CK = Checker("results_input")


def put(name, text):
    p = CK.path(name)
    with open(p, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    return p


GT = {"images": [{"id": 1, "width": 640, "height": 480}, {"id": 2, "width": 640, "height": 480}],
      "annotations": [{"id": 1, "image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40], "area": 1200,
                       "iscrowd": 0}],
      "categories": [{"id": 1, "name": "a"}]}
gt = put("gt.json", json.dumps(GT))
good = put("good.json", json.dumps([{"image_id": 1, "category_id": 1, "bbox": [1, 2, 30, 40], "score": 0.9}]))


def gt_with(**kw):
    g = json.loads(json.dumps(GT))
    for k, v in kw.items():
        if v is None:
            g.pop(k)
        else:
            g[k] = v
    return json.dumps(g)


def ann(**kw):
    a = dict(GT["annotations"][0])
    for k, v in kw.items():
        if v is None:
            a.pop(k)
        else:
            a[k] = v
    return gt_with(annotations=[GT["annotations"][0], a])


cases = []


def case(what, argv, *must):
    cases.append((what, argv, must))


# ---- COCO results files ---------------------------------------------------------------------------
def res(*entries):
    return json.dumps(list(entries))


E = {"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5}
text = '[{"image_id": 1, "category_id": 1,\n  "bbox": [1, 2, 3, 4] "score": 0.5}]'
bad = put("malformed.json", text)
where = text.index('"score"')
case("malformed JSON", ["results", bad, good], "malformed.json", "entry 0 (image_id 1)",
     "expected ',' or '}'", f"line 2, byte {where}")
case("truncated JSON", ["results", put("trunc.json", res(E)[:-10]), good], "trunc.json", "ends inside")
case("NaN score", ["results", put("nan.json", res(E, dict(E, image_id=7, score=float("nan")))), good],
     "nan.json", "entry 1 (image_id 7): score is NaN", "byte")
# the byte offset points at the offending value, not at the space before it
for what, entry, value in [("NaN", '"score": NaN', "NaN"), ("Infinity", '"score": Infinity', "Infinity"),
                           ("1.5 as an id", '"category_id": 1.5', "1.5"),
                           ("bbox of 3", '"bbox": [1, 2, 3]', "[1, 2, 3]"),
                           ("NaN in a bbox", '"bbox": [1, 2,  NaN, 4]', "NaN"),
                           ("a string score", '"score": "0.5"', '"0.5"')]:
    keys = {"image_id": "1", "category_id": "1", "bbox": "[1, 2, 3, 4]", "score": "0.5"}
    keys[entry.split(":")[0].strip('"')] = entry.split(": ", 1)[1]
    text = '[{"image_id": 1, "category_id": 1, "bbox": [1, 2, 3, 4], "score": 0.5},\n {' + \
        ", ".join(f'"{k}": {v}' for k, v in keys.items()) + "}]"
    fn = "off_" + "".join(c for c in what if c.isalnum()) + ".json"
    case(f"byte offset of {what}", ["results", put(fn, text), good], fn, "entry 1",
         f"line 2, byte {text.index(entry) + entry.index(value)})")
case("infinite box", ["results", put("inf.json", res(dict(E, bbox=[1, 2, float("inf"), 4]))), good],
     "inf.json", "entry 0 (image_id 1): bbox[2] is infinite")
case("negative width", ["results", put("negw.json", res(E, E, dict(E, image_id=3, bbox=[1, 2, -3, 4]))), good],
     "negw.json", "entry 2 (image_id 3): bbox width -3 is negative")
case("negative height", ["results", put("negh.json", res(dict(E, bbox=[1, 2, 3, -0.5]))), good],
     "negh.json", "bbox height -0.5 is negative")
case("bbox of 3", ["results", put("b3.json", res(dict(E, bbox=[1, 2, 3]))), good], "b3.json",
     "entry 0 (image_id 1): bbox has 3 values, not 4")
case("bbox of 5", ["results", put("b5.json", res(dict(E, bbox=[1, 2, 3, 4, 5]))), good], "b5.json",
     "bbox has more than 4 values")
case("bbox not a list", ["results", put("bs.json", res(dict(E, bbox="1 2 3 4"))), good], "bs.json",
     "bbox must be a list")
case("missing score", ["results", put("nos.json", res({k: v for k, v in E.items() if k != "score"})), good],
     "nos.json", "entry 0 (image_id 1): no \"score\"")
case("score a string", ["results", put("ss.json", res(dict(E, score="0.5"))), good], "ss.json",
     "score must be a number, found a string")
case("fractional category", ["results", put("fc.json", res(dict(E, category_id=1.5))), good], "fc.json",
     "category_id must be a whole number")
case("not a list", ["results", put("obj.json", '{"annotations": []}'), good], "obj.json", "ground-truth")
case("not a list (coco-json --check)", ["coco-json", "--check", CK.path("obj.json")], "obj.json",
     "not a COCO results file", "ground-truth")
case("entry not an object", ["results", put("num.json", "[1]"), good], "num.json", "entry 0", "not an object")
case("empty file", ["results", put("empty.json", ""), good], "empty.json", "empty file")
case("trailing data", ["results", put("trail.json", res(E) + " x"), good], "trail.json", "extra data")
case("byte order mark", ["results", put("bom.json", b"\xef\xbb\xbf" + res(E).encode()), good], "bom.json",
     "byte order mark")
case("invalid UTF-8", ["results", put("utf.json", b'[{"image_id": "\xff"}]'), good], "utf.json", "invalid UTF-8")
case("deep nesting", ["results", put("deep.json", '[{"x": ' + "[" * 100 + "]" * 100 + "}]"), good],
     "deep.json", "entry 0: nesting deeper than the limit of 64")
case("missing file", ["results", CK.path("nope.json"), good], "nope.json", "No such file")
case("ground truth given to results", ["results", gt, good], "gt.json", "ground-truth", "cocoeval --gt")
case("classification vs detections", ["results", put("c.csv", "a.jpg,1,0.5\n"), good], "c.csv",
     "both sides must be of one kind")

# ---- ground truth -------------------------------------------------------------------------------------
def ev(gtpath, dt=good):
    return ["cocoeval", "--gt", gtpath, "--dt", dt]


case("GT without images", ev(put("noimg.json", gt_with(images=None))), "noimg.json", "no \"images\" list")
case("GT is a list", ev(put("gtlist.json", "[]")), "gtlist.json", "not a COCO ground-truth file")
case("GT annotation of an unknown image", ev(put("unkimg.json", ann(id=9, image_id=5))), "unkimg.json",
     "annotations[1] (id 9): image_id 5 is not in \"images\"")
case("GT negative width", ev(put("gtneg.json", ann(id=4, bbox=[0, 0, -1, 5]))), "gtneg.json",
     "annotations[1] (id 4): bbox width -1 is negative")
case("GT negative area", ev(put("gtarea.json", ann(id=4, area=-2))), "gtarea.json",
     "annotations[1] (id 4): area -2 is negative")
case("GT without area", ev(put("gtnoarea.json", ann(id=4, area=None))), "gtnoarea.json",
     "annotations[1] (id 4): no \"area\"")
case("GT without iscrowd", ev(put("gtnocrowd.json", ann(id=4, iscrowd=None))), "gtnocrowd.json",
     "no \"iscrowd\"")
case("GT iscrowd 2", ev(put("gtcrowd2.json", ann(id=4, iscrowd=2))), "gtcrowd2.json",
     "iscrowd must be 0 or 1")
case("GT duplicate image id", ev(put("gtdup.json", gt_with(images=[{"id": 1}, {"id": 1}]))), "gtdup.json",
     "duplicate id 1")
case("GT negative image size", ev(put("gtsize.json", gt_with(images=[{"id": 1, "width": -640}]))),
     "gtsize.json", "images[0] (id 1): width is negative")
case("GT image without id", ev(put("gtnoid.json", gt_with(images=[{"width": 3}]))), "gtnoid.json",
     "images[0]: no \"id\"")
case("GT duplicate annotation id (ids restarted per image)",
     ev(put("gtdupann.json", gt_with(images=GT["images"], annotations=[
         GT["annotations"][0], dict(GT["annotations"][0], id=2, image_id=2),
         dict(GT["annotations"][0], id=1, image_id=2, bbox=[5, 5, 10, 10], area=100)]))),
     "gtdupann.json", "annotations[2] (id 1): annotations[0] has the same id",
     "would evaluate annotations[2] in place of annotations[0]")
case("GT without categories", ev(put("gtnocats.json", gt_with(categories=None))), "gtnocats.json",
     "no \"categories\" list", "KeyError: 'categories'")
case("results of an unknown image", ev(gt, put("unk.json", res(E, dict(E, image_id=99)))), "unk.json",
     "detection 1 (image_id 99): no such image in the ground truth")
case("three --dt", ["cocoeval", "--gt", gt, "--dt", good, "--dt", good, "--dt", good], "at most two --dt")
case("no --gt", ["cocoeval", "--dt", good], "--gt instances.json is missing")
case("no --dt", ["cocoeval", "--gt", gt], "--dt results.json is missing")

# ---- npy detections -----------------------------------------------------------------------------------
d = CK.path("npy")
os.mkdir(d)
np.save(os.path.join(d, "1.npy"), np.zeros((2, 5), np.float32))
case("npy of 5 columns", ["results", d, d], "1.npy", "6 columns")
np.save(CK.path("nan.npy"), np.array([[0, 0, 1, 1, np.nan, 0]], np.float32))
case("npy NaN score", ["results", CK.path("nan.npy"), CK.path("nan.npy")], "nan.npy", "row 0: the score is NaN")
np.save(CK.path("neg.npy"), np.array([[0, 0, 1, 1, .5, 0], [5, 0, 1, 1, .5, 0]], np.float32))
case("npy x2 < x1", ["results", CK.path("neg.npy"), CK.path("neg.npy")], "neg.npy", "row 1: x2 < x1",
     "--format xywh")
np.save(CK.path("cls.npy"), np.array([[0, 0, 1, 1, .5, 1.5]], np.float32))
case("npy fractional class", ["results", CK.path("cls.npy"), CK.path("cls.npy")], "cls.npy",
     "class 1.5 is not a class index")
os.mkdir(CK.path("dupkey"))
np.save(os.path.join(CK.path("dupkey"), "139.npy"), np.array([[0, 0, 1, 1, .5, 0]], np.float32))
np.save(os.path.join(CK.path("dupkey"), "000000000139.npy"), np.array([[0, 0, 1, 1, .5, 0]], np.float32))
case("two files of one image", ["results", CK.path("dupkey"), CK.path("dupkey")], "dupkey/139.npy",
     "dupkey/000000000139.npy is image 139 too", "two files for one image")
case("two files of one image (coco-json)", ["coco-json", CK.path("dupkey")], "dupkey/139.npy",
     "dupkey/000000000139.npy is image 139 too")
os.mkdir(CK.path("emptydir"))
case("folder without .npy", ["results", CK.path("emptydir"), good], "emptydir", "no .npy files")
os.mkdir(CK.path("c80"))
np.save(os.path.join(CK.path("c80"), "3.npy"), np.array([[0, 0, 1, 1, .5, 80]], np.float32))
case("coco80 class 80", ["coco-json", CK.path("c80")], "class 80 has no COCO id")
case("--image-ids count", ["coco-json", CK.path("nan.npy"), "--image-ids", "1,2"], "--image-ids gives 2 ids for 1 files")
case("--image-ids garbage", ["coco-json", CK.path("nan.npy"), "--image-ids", "x"], "not a comma-separated list")
case("coco-json --json without --check", ["coco-json", CK.path("nan.npy"), "--json"], "--json goes with --check")

# ---- classification -------------------------------------------------------------------------------------
cls_good = put("cg.csv", "a.jpg,1,0.5\n")
case("CSV top1 not a number", ["results", put("c1.csv", "a.jpg,1,0.5\nb.jpg,cat,0.5\n"), cls_good], "c1.csv",
     "line 2: top1 'cat' is not a class index")
case("CSV NaN score", ["results", put("c2.csv", "a.jpg,1,nan\n"), cls_good], "c2.csv", "line 1: score 'nan'")
case("CSV file twice", ["results", put("c3.csv", "a.jpg,1,0.5\na.jpg,2,0.5\n"), cls_good], "c3.csv",
     "line 2: file 'a.jpg' is listed twice")
case("CSV top-5 not starting with top1", ["results", put("c4.csv", "a.jpg,1,0.5,2,3,4,5,6\n"), cls_good],
     "c4.csv", "must start with top1")
case("JSON lines NaN", ["results", put("j1.jsonl", '{"file": "a", "top1": 1, "score": NaN}\n'), cls_good],
     "j1.jsonl", "record 0 (file \"a\"): score is NaN")
case("JSON lines without top1", ["results", put("j2.jsonl", '{"file": "a", "score": 1}\n'), cls_good],
     "j2.jsonl", "record 0 (file \"a\"): no \"top1\"")

# ---- options --------------------------------------------------------------------------------------------
case("bad --iou", ["results", good, good, "--iou", "1.5"], "--iou must be in (0, 1]")
case("bad --format", ["results", good, good, "--format", "cxcywh"], "--format must be xyxy or xywh")
case("one positional", ["results", good], "expected REF and PORT")
case("unknown option", ["cocoeval", "--gt", gt, "--dt", good, "--bogus"], "unknown option '--bogus'")

for what, argv, must in cases:
    rc, out, err = run(*argv)
    lines = err.strip().splitlines()
    ok = rc == 2 and out == "" and len(lines) == 1 and all(m in err for m in must) and \
        "AddressSanitizer" not in err and "runtime error" not in err
    CK.check(ok, f"{what}: exit {rc}, stdout {out[:120]!r}, stderr {err.strip()[:400]!r}, want {must}")

# ---- help texts and schemas --------------------------------------------------------------------------------
for cmd in ("results", "cocoeval", "coco-json"):
    rc, out, err = run(cmd, "--help")
    CK.check(rc == 0 and out.startswith(f"usage: xalign {cmd}") and "exit:" in out, f"{cmd} --help")
rc, out, err = run("cocoeval", "--gt", gt, "--dt", good, "--json")
o = json.loads(out) if rc == 0 else {}
CK.check(list(o)[:2] == ["schema", "stats"] and o["schema"] == "xalign.cocoeval/1" and len(o["stats"]) == 12,
         f"cocoeval --json: {out[:200]} {err}")
rc, out, err = run("results", good, good, "--json")
o = json.loads(out) if rc == 0 else {}
CK.check(list(o)[:1] == ["schema"] and o["schema"] == "xalign.results/1" and
         set(o["images"][0]) >= {"image_id", "status", "matched", "only_ref", "only_port", "max_box_diff",
                                 "max_score_diff"}, f"results --json: {out[:300]} {err}")
CK.done()
