"""The operation registry as the command line and manifests use it.

- `xalign ops --json` lists every operation with a versioned schema; names and keys are kebab-case.
- Every registered operation is replayable in a manifest: for each one, the port's stage is written
  by `xalign transform` (the command line's path through the registry) and `xalign stages` replays
  the same operation from the manifest (the manifest's path): the replay must reproduce the port's
  stage exactly (own error max_abs 0). An operation added to the registry without an example here
  fails the test, so the claim stays true as the registry grows.
- The manifest spellings of older manifests (snake_case names, resize with [N]) still replay.
"""
import json
import os
import re

import numpy as np
from PIL import Image
from xa_examples import op_examples
from xa_testlib import Checker, run, run_json

ck = Checker("registry")


rc, ops = run_json("ops")
ck.check(rc == 0 and ops["schema"] == "xalign.ops/1" and list(ops)[0] == "schema", f"ops --json schema: {list(ops)[:2]}")
names = [o["name"] for o in ops["ops"]]
ck.check(len(names) == len(set(names)) and len(names) >= 20, f"{len(names)} distinct operations")
for o in ops["ops"]:
    ck.check(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", o["name"]) is not None, f"kebab-case name {o['name']}")
    for p in o["params"]:
        ck.check(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", p["name"]) is not None, f"{o['name']}: kebab-case key {p['name']}")
        ck.check(not (p["required"] and p["default"] is not None), f"{o['name']}.{p['name']}: a required key has no default")
rc, text, _ = run("ops")
ck.check(rc == 0 and all(n in text for n in names), "`xalign ops` lists every operation")
rc, text, _ = run("ops", "center_crp")
ck.check(rc == 2 and "did you mean 'center-crop'" in _, f"did you mean: {_!r}")

# ---- every operation, through the command line and through a manifest --------------------------
img, chw, photo, examples = op_examples(ck.path)
missing = [n for n in names if n not in examples]
ck.check(not missing, f"every registered operation has a replay example here: missing {missing}")


def manifest_value(v):
    """The manifest's JSON form of a CLI value: numbers and lists of numbers as JSON numbers."""
    if v in ("true", "false"):
        return v == "true"
    try:
        parts = [float(x) for x in v.split(",")]
        return parts if "," in v else parts[0]
    except ValueError:
        return v


for name, (inp, params) in examples.items():
    if name not in names:
        continue
    r, p = ck.path(f"r_{name}"), ck.path(f"p_{name}")
    os.makedirs(r)
    os.makedirs(p)
    if isinstance(inp, str):
        srcs = [photo]
    elif isinstance(inp, dict):  # several inputs: files for the CLI, members of an npz stage
        srcs = []
        for k, v in inp.items():
            srcs.append(ck.path(f"in_{name}_{k}.npy"))
            np.save(srcs[-1], v)
        for d in (r, p):
            np.savez(os.path.join(d, "00_in.npz"), **inp)
    else:
        srcs = [ck.path(f"in_{name}.npy")]
        np.save(srcs[0], inp)
        np.save(os.path.join(r, "00_in.npy"), inp)
        np.save(os.path.join(p, "00_in.npy"), inp)
    args = [x for k, v in params.items() for x in (f"--{k}", v)]
    out = os.path.join(p, "01_out.npy")
    rc, so, se = run("transform", *srcs, out, "--op", name, *args)
    if not ck.check(rc == 0, f"transform --op {name}: {rc} {se}"):
        continue
    np.save(os.path.join(r, "01_out.npy"), np.load(out))
    stage = {"op": name, **{k: manifest_value(v) for k, v in params.items()}}
    if isinstance(inp, str):
        stage["input"] = photo
    m = ck.path(f"m_{name}.json")
    with open(m, "w") as f:
        json.dump({"stages": {"out": stage}}, f)
    rc, j = run_json("stages", r, p, "--manifest", m)
    st = [s for s in j["stages"] if s["name"] == "out"] if isinstance(j, dict) else []
    own = st[0].get("own_error") if st else None
    ck.check(rc == 0 and own and own["status"] == "aligned" and own["metrics"]["max_abs"] == 0,
             f"{name}: the manifest's replay reproduces the command line's result: rc {rc} own {own}")

# ---- older manifests' spellings -----------------------------------------------------------------
r, p = ck.path("legacy_r"), ck.path("legacy_p")
os.makedirs(r)
os.makedirs(p)
np.save(os.path.join(r, "00_in.npy"), img)
np.save(os.path.join(p, "00_in.npy"), img)
run("transform", os.path.join(r, "00_in.npy"), os.path.join(p, "01_resize.npy"), "--op", "tv-resize", "--short", "12",
    check_rc=0)
run("transform", os.path.join(p, "01_resize.npy"), os.path.join(p, "02_crop.npy"), "--op", "center-crop", "--size", "12",
    check_rc=0)
run("transform", os.path.join(p, "02_crop.npy"), os.path.join(p, "03_box.npy"), "--op", "letterbox-yolov5", "--size",
    "20", "--auto", "false", check_rc=0)
for k in ("01_resize", "02_crop", "03_box"):
    np.save(os.path.join(r, k + ".npy"), np.load(os.path.join(p, k + ".npy")))
m = ck.path("legacy.json")
with open(m, "w") as f:
    json.dump({"stages": {"resize": {"op": "resize", "size": [12]}, "crop": {"op": "center_crop", "size": [12]},
                          "box": {"op": "letterbox_yolov5", "size": [20]}}}, f)
rc, j = run_json("stages", r, p, "--manifest", m)
owns = {s["name"]: s.get("own_error") for s in j["stages"]}
ck.check(rc == 0 and all(owns[k] and owns[k]["metrics"]["max_abs"] == 0 for k in ("resize", "crop", "box")),
         f"legacy manifest spellings replay as they were meant: {owns}")
ck.check("tv-resize short=12" in json.dumps(j), "resize [N] is read as tv-resize short=N")

# ---- manifest errors name the stage, the operation and the key ---------------------------------
for body, needle in [({"x": {"op": "resize", "size": "12"}}, "WIDTHxHEIGHT"),
                     ({"x": {"op": "center-crop", "size": [1, 2, 3]}}, "[width, height]"),
                     ({"x": {"op": "letterbox-yolov5", "scale_fill": True}}, "'scale-fill', not 'scale_fill'"),
                     ({"x": {"op": "pad", "pad": [1, 2]}}, "must hold 4 values"),
                     ({"x": {"op": "resize", "method": "cv2-bilinear", "size": "4x4"}}, "is not one of"),
                     ({"x": {"op": "center-crop"}}, "center-crop needs 'size'"),
                     ({"x": {"op": "normalize", "mean": [0.5], "std": [0.2, 0.3]}}, "mean has 1 values and std 2"),
                     ({"x": {"op": "center-crp", "size": 3}}, "did you mean 'center-crop'")]:
    with open(m, "w") as f:
        json.dump({"stages": body}, f)
    rc, so, se = run("stages", r, p, "--manifest", m)
    ck.check(rc == 2 and needle in se and "stage 'x'" in se and se.count("\n") == 1, f"manifest {body}: {rc} {se!r}")
ck.done()
