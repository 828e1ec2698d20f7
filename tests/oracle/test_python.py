"""The Python package (python/xalign) against the command line and the real libraries.

- compare/stages/diagnose give the objects the CLI's --json prints on the same files (apart from
  the spec strings, which name the arrays instead of files), for C-, Fortran- and big-endian
  arrays passed without a copy;
- every registered operation through xalign.op gives the bytes `xalign transform` writes;
- resize/decode/letterbox/center_crop/normalize equal the real Pillow, OpenCV and torchvision;
- several Python threads calling the library at once get the results of serial calls;
- failures raise xalign.Error with the library's message.
"""
import json
import os
import sys
import threading

import cv2
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from xa_examples import op_examples
from xa_testlib import DATA, SOURCE_DIR, Checker, run, run_json

sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))
os.environ["XALIGN_LIB"] = os.path.join(os.path.dirname(os.environ["XALIGN"]), "libxalign.so")
import xalign  # noqa: E402
from xa_yolo import yolo_letterbox  # noqa: E402

ck = Checker("python")
rng = np.random.default_rng(17)


def strip_specs(o):
    """The CLI names files, the package names arrays: drop the spec strings before comparing."""
    if isinstance(o, dict):
        return {k: strip_specs(v) for k, v in o.items() if k != "spec"}
    if isinstance(o, list):
        return [strip_specs(v) for v in o]
    return o


# ---- compare: the CLI's JSON, from arrays in memory ------------------------------------------
a = rng.standard_normal((3, 40, 50)).astype(np.float32)
cases = [("float", a, a + rng.normal(0, 1e-3, a.shape).astype(np.float32), {}),
         ("uint8 vs float", (a * 40 + 128).clip(0, 255).astype(np.uint8), (a * 40 + 128).astype(np.float32), {}),
         ("NHWC vs NCHW", a[None], np.ascontiguousarray(a.transpose(1, 2, 0))[None], {}),
         ("fortran", a, np.asfortranarray(a + 1e-5), {"atol": 1e-4, "rtol": 0}),
         ("big-endian", a, (a + 2e-3).astype(">f4"), {"preset": "f32"}),
         ("axis", a, a * 1.001, {"axis": 0, "max_abs": 1e-2})]
for what, r, p, kw in cases:
    rp, pp = ck.path("r.npy"), ck.path("p.npy")
    np.save(rp, r)
    np.save(pp, p)
    args = [x for k, v in kw.items() for x in (f"--{k.replace('_', '-')}", v)]
    rc, cli = run_json("compare", rp, pp, *args)
    got = xalign.compare(r, p, **kw)
    ck.check(strip_specs(got) == strip_specs(cli), f"compare {what}: equal to the CLI's JSON\n{got}\n{cli}")
    ck.check(got["aligned"] == (rc == 0), f"compare {what}: verdict {got['aligned']} vs exit {rc}")
    ck.check(got["ref"]["order"] == ("F" if r.flags.f_contiguous and not r.flags.c_contiguous else "C")
             and got["port"]["byte_order"] == ("swapped" if p.dtype.byteorder == ">" else "native"),
             f"compare {what}: the view keeps order and byte order")

# ---- stages and diagnose -------------------------------------------------------------------------
ex = os.path.join(SOURCE_DIR, "examples", "resnet")
bm, man = os.path.join(ex, "resnet18_fp32.bmodel"), os.path.join(ex, "manifest.json")
rc, cli = run_json("stages", os.path.join(ex, "ref"), os.path.join(ex, "port"), "--manifest", man, "--bmodel", bm)
got = xalign.stages(os.path.join(ex, "ref"), os.path.join(ex, "port"), manifest=man, bmodel=bm)
ck.check(got == cli, "stages: equal to the CLI's JSON")
ck.check(got["first_unaligned"] == "resize" and got["stages"][1]["diagnosis"][0]["cause"] == "resize_method",
         f"stages: first unaligned resize, cause resize_method: {got['first_unaligned']}")
r8 = np.load(os.path.join(ex, "ref", "01_resize.npy"))
p8 = np.load(os.path.join(ex, "port", "01_resize.npy"))
i8 = np.load(os.path.join(ex, "ref", "00_read.npy"))
rc, cli = run_json("diagnose", os.path.join(ex, "ref", "01_resize.npy"), os.path.join(ex, "port", "01_resize.npy"),
                   "--input-ref", os.path.join(ex, "ref", "00_read.npy"), "--input-port",
                   os.path.join(ex, "port", "00_read.npy"))
got = xalign.diagnose(r8, p8, input_ref=i8, input_port=i8)
ck.check(strip_specs(got) == strip_specs(cli), "diagnose: equal to the CLI's JSON")

# ---- every registered operation: the bytes of `xalign transform` -----------------------------------
img, chw, photo, examples = op_examples(ck.path)
names = [o["name"] for o in xalign.ops()]
ck.check(sorted(names) == sorted(examples), f"an example for every operation: {set(names) ^ set(examples)}")
for name, (inp, params) in examples.items():
    if isinstance(inp, str):
        srcs, arrays = [photo], [photo]
    elif isinstance(inp, dict):
        srcs, arrays = [], list(inp.values())
        for k, v in inp.items():
            srcs.append(ck.path(f"in_{name}_{k}.npy"))
            np.save(srcs[-1], v)
    else:
        srcs, arrays = [ck.path(f"in_{name}.npy")], [inp]
        np.save(srcs[0], inp)
    out = ck.path(f"out_{name}.npy")
    rc, so, se = run("transform", *srcs, out, "--op", name, *[x for k, v in params.items() for x in (f"--{k}", v)])
    want = np.load(out) if rc == 0 else None
    got = getattr(xalign.op, name.replace("-", "_"))(*arrays, **{k.replace("-", "_"): v for k, v in params.items()})
    ck.check(want is not None and got.dtype == want.dtype and got.shape == want.shape and got.tobytes() == want.tobytes(),
             f"xalign.op.{name}: the bytes of xalign transform ({rc} {se})")

# ---- against the real libraries -------------------------------------------------------------------
photos = [os.path.join(DATA, f) for f in sorted(os.listdir(DATA)) if f.endswith(".jpg")][:4]
for path in photos:
    pil = np.asarray(Image.open(path).convert("RGB"))
    ck.check(np.array_equal(xalign.decode(path, like="pil"), pil), f"decode like pil: {path}")
    ck.check(np.array_equal(xalign.decode(path, like="cv2"), cv2.imread(path)), f"decode like cv2: {path}")
    w, h = int(rng.integers(20, 300)), int(rng.integers(20, 300))
    ck.check(np.array_equal(xalign.resize(pil, "pil-bilinear", (w, h)),
                            np.asarray(Image.fromarray(pil).resize((w, h), Image.BILINEAR))),
             f"resize pil-bilinear {w}x{h}")
    ck.check(np.array_equal(xalign.resize(pil, "cv2-linear", (w, h)), cv2.resize(pil, (w, h))),
             f"resize cv2-linear {w}x{h}")
    t = torch.from_numpy(np.ascontiguousarray(pil.transpose(2, 0, 1))).float()[None]
    want = torch.nn.functional.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)[0].numpy()
    got = xalign.resize(pil.astype(np.float32), "torch-bilinear", (w, h)).transpose(2, 0, 1)
    ck.check(np.array_equal(got, want), f"resize torch-bilinear {w}x{h}")
    bgr = cv2.imread(path)
    want, _ = yolo_letterbox(bgr, (320, 320), (114, 114, 114), False, False, True, 32)
    ck.check(np.array_equal(xalign.letterbox(bgr, size=(320, 320), auto=False), want), "letterbox yolov5")
    want = np.asarray(T.CenterCrop(100)(Image.fromarray(pil)))
    ck.check(np.array_equal(xalign.op.center_crop(pil, size=100), want), "center_crop")
    x = T.ToTensor()(Image.fromarray(pil))
    want = T.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])(x).numpy()
    got = xalign.normalize(x.numpy(), [0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    ck.check(got.dtype == want.dtype and got.tobytes() == want.tobytes(), "normalize")

# ---- operations on Fortran-order, strided and byte-swapped arrays: copied to C order, native bytes --
pil = np.asarray(Image.open(photos[0]).convert("RGB"))
flt = pil.astype(np.float32)
chw_f = np.ascontiguousarray(flt.transpose(2, 0, 1)) / 255
for what, fn, x, same in [
        ("resize", lambda a: xalign.resize(a, "pil-bilinear", (57, 41)), pil, np.asfortranarray(pil)),
        ("resize", lambda a: xalign.resize(a, "cv2-linear", (57, 41)), flt, flt.astype(">f4")),
        ("resize", lambda a: xalign.resize(a, "cv2-linear", (57, 41)), flt, np.asfortranarray(flt.astype(">f4"))),
        ("letterbox", lambda a: xalign.letterbox(a, size=(96, 96), auto=False), pil, np.asfortranarray(pil)),
        ("center_crop", lambda a: xalign.op.center_crop(a, size=50), pil, np.asfortranarray(pil)),
        ("center_crop", lambda a: xalign.op.center_crop(a, size=50), np.ascontiguousarray(pil[:, ::2]),
         pil[:, ::2]),
        ("normalize", lambda a: xalign.normalize(a, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), chw_f, chw_f.astype(">f4")),
        ("normalize", lambda a: xalign.normalize(a, [0.5, 0.4, 0.3], [0.2, 0.25, 0.3]), chw_f,
         np.asfortranarray(chw_f))]:
    kind = ("Fortran-order " if same.flags.f_contiguous and not same.flags.c_contiguous else
            "" if same.flags.c_contiguous else "strided ") + ("byte-swapped" if not same.dtype.isnative else "array")
    try:
        got, want = fn(same), fn(x)
        ck.check(got.dtype == want.dtype and got.dtype.isnative and got.tobytes() == want.tobytes(),
                 f"{what} of a {kind}: the result of the C-order native array")
    except xalign.Error as e:
        ck.check(False, f"{what} of a {kind}: refused: {e}")

# ---- threads: several at once give the serial results ------------------------------------------------
inputs = [rng.integers(0, 256, (int(rng.integers(50, 200)), int(rng.integers(50, 200)), 3), dtype=np.uint8)
          for _ in range(16)]
serial = [(xalign.resize(x, "pil-bicubic", (97, 61)), xalign.compare(x, x[::-1].copy())["metrics"]) for x in inputs]
results = [None] * len(inputs) * 4
errors = []


def worker(k):
    try:
        for i in range(k % 4, len(results), 4):
            x = inputs[i % len(inputs)]
            results[i] = (xalign.resize(x, "pil-bicubic", (97, 61)), xalign.compare(x, x[::-1].copy())["metrics"])
    except Exception as e:  # noqa: BLE001 -- reported below
        errors.append(e)


threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
ck.check(not errors, f"no thread failed: {errors}")
ck.check(all(r is not None and np.array_equal(r[0], serial[i % len(inputs)][0]) and r[1] == serial[i % len(inputs)][1]
             for i, r in enumerate(results)), "4 threads x 64 calls: the serial results")

not_image = ck.path("notes.txt")
with open(not_image, "w") as f:
    f.write("not an image\n")
# ---- errors ------------------------------------------------------------------------------------------
for what, fn, needle in [
        ("unknown method", lambda: xalign.resize(img, "bogus", (4, 4)), "method 'bogus' is not one of"),
        ("counts differ", lambda: xalign.compare(np.zeros(3), np.zeros(4)), "element counts differ"),
        ("bad tolerance", lambda: xalign.compare(a, a, atol=-1), "must not be negative"),
        ("unknown op", lambda: xalign.run_op("centre-crop", img), "did you mean 'center-crop'"),
        ("missing dir", lambda: xalign.stages(ck.path("nope"), ck.path("nope2")), "nope"),
        ("complex dtype", lambda: xalign.compare(np.zeros(2, np.complex64), np.zeros(2, np.complex64)), "not supported"),
        # sizes are refused, never truncated (the CLI refuses --size 10.7x10 too)
        ("fractional size", lambda: xalign.resize(img, "pil-bilinear", (10.7, 10)), "must be whole numbers"),
        ("float size", lambda: xalign.resize(img, "pil-bilinear", (10, 10.0)), "must be whole numbers"),
        ("bool size", lambda: xalign.letterbox(img, size=(True, 64)), "must be whole numbers"),
        ("zero size", lambda: xalign.resize(img, "pil-bilinear", (0, 10)), "at least 1"),
        ("negative size", lambda: xalign.resize(img, "pil-bilinear", (10, -3)), "at least 1"),
        ("decode a text file", lambda: xalign.decode(not_image), f"{not_image}: not a JPEG or PNG file")]:
    try:
        fn()
        ck.check(False, f"{what}: raised nothing")
    except xalign.Error as e:
        ck.check(needle in str(e), f"{what}: xalign.Error with {needle!r}: {e}")
ck.check(xalign.dump is not None and xalign.DumpError is not None, "the dump helper is re-exported")
print(f"python: xalign {xalign.version()} from {xalign._lib.lib._name}")
# diagnose on tensors of different element counts: described and diagnosed, as the CLI does (it
# raised "element counts differ")
img = np.zeros((40, 60, 3), np.uint8)
img[10:30, 20:40] = 200
img[:, :5] = 90
from PIL import Image  # noqa: E402
small = np.asarray(Image.fromarray(img).resize((30, 20), Image.BILINEAR))
large = np.asarray(Image.fromarray(img).resize((36, 24), Image.BILINEAR))
d = xalign.diagnose(small, large, input_ref=img, input_port=img)
ck.check(d["compare"].get("element_counts_differ") is True and [f["cause"] for f in d["diagnosis"]][:1] == ["resize_size"],
         f"diagnose, other sizes: {d['diagnosis']}")
# decode takes the file's bytes as well as its name (bytes were read as a file name)
jpg = os.path.join(os.environ.get("XA_SOURCE_DIR", "."), "examples", "resnet", "butterfly.jpg")
a = xalign.decode(jpg)
b = xalign.decode(open(jpg, "rb").read())
ck.check(a.shape == b.shape and (a == b).all(), "decode(bytes) == decode(path)")
# yolov5-nms with max_det=0 keeps none, as YOLOv5's x[i][:0] and `xalign nms --max-det 0` do
pred = np.zeros((1, 4, 7), np.float32)
pred[0, :, :4] = [[10, 10, 5, 5], [50, 50, 5, 5], [90, 90, 5, 5], [130, 130, 5, 5]]
pred[0, :, 4:] = 0.9
ck.check(xalign.op.yolov5_nms(pred, max_det=0).shape[0] == 0 and xalign.op.yolov5_nms(pred).shape[0] == 4,
         "yolov5_nms max_det=0")
ck.done()
