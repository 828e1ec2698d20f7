"""xalign heatmap: the PNG, read back with Pillow and with cv2, equals pixel for pixel the heatmap
numpy computes from the same dumps by the rule of docs/heatmap.md (|d| per element, 0 where
equal, maximum over channels, black / magenta / colour k of scripts/heatmap_colormap.py's map;
the model is tests/pylib/xa_heatmap.py, shared with the HTML report's test).
Layouts, --channel, Fortran order, NaN/Inf, the scale's numbers, exit codes and bad input."""
import math
import os

import cv2
import numpy as np
from PIL import Image
from xa_heatmap import EXACT, LUT, NONFINITE, reference
from xa_testlib import SOURCE_DIR, Checker, run, run_json

ck = Checker("heatmap")
rng = np.random.default_rng(20261211)
E = os.path.join(SOURCE_DIR, "examples", "resnet")


def save(name, a):
    path = ck.path(name)
    np.save(path, a)
    return path


def check(what, ref, port, *opts, layout=None, channel=None, scale="abs", rc_want=None, ref_spec=None, port_spec=None):
    rs = ref_spec or save(f"{what}_ref.npy", ref)
    ps = port_spec or save(f"{what}_port.npy", port)
    out = ck.path(f"{what}.png")
    args = list(opts)
    if layout:
        args += ["--layout", layout]
    if channel is not None:
        args += ["--channel", channel]
    if scale != "abs":
        args += ["--scale", scale]
    rc, j = run_json("heatmap", rs, ps, out, *args)
    want, info = reference(ref, port, layout, channel, scale)
    ok = rc_want is None or rc == rc_want
    if not ck.check(os.path.exists(out) and ok, f"{what}: rc {rc} (want {rc_want}), written: {os.path.exists(out)}"):
        return None
    pil = np.asarray(Image.open(out))
    bgr = cv2.imread(out, cv2.IMREAD_UNCHANGED)
    ck.check(Image.open(out).mode == "RGB" and pil.shape == want.shape, f"{what}: PNG mode/shape {pil.shape} vs {want.shape}")
    if pil.shape == want.shape:
        ndiff = int((pil != want).any(axis=2).sum())
        ck.check(ndiff == 0, f"{what}: {ndiff} pixels differ from numpy's heatmap")
        ck.check(np.array_equal(bgr[:, :, ::-1], want), f"{what}: cv2 reads the same pixels")
    ck.check(list(j)[0] == "schema" and j["schema"] == "xalign.heatmap/1", f"{what}: schema first")
    for k, v in info.items():
        ck.check(j[k] == v, f"{what}: {k} {j[k]} vs numpy {v}")
    return j, want


# uint8 HWC: the bundled example's resize stage (cv2 port vs PIL original)
ref, port = np.load(os.path.join(E, "ref", "01_resize.npy")), np.load(os.path.join(E, "port", "01_resize.npy"))
r = check("resize_abs", ref, port, rc_want=1)
if r:
    j, want = r
    ck.check(j["layout"] == "HWC" and j["layout_guessed"] and j["channels"] == 3 and j["channel"] is None,
             f"layout guessed HWC: {j['layout']}")
    ck.check(j["metrics"]["max_abs"] == float(np.abs(port.astype(int) - ref.astype(int)).max()) and
             j["aligned"] is False and j["failed"] == ["equal"], "verdict as compare's")
    ticks = j["ticks"]
    ck.check([t["color_index"] for t in ticks] == [0, 51, 102, 153, 204, 255] and
             all(t["rgb"] == LUT[t["color_index"]].tolist() for t in ticks) and
             ticks[-1]["value"] == j["max"] and abs(ticks[1]["value"] - j["max"] * 51 / 255) < 1e-12 * j["max"],
             f"ticks: {ticks}")
    # a tick is the smallest |d| that gets its colour (docs/heatmap.md); |d| = 0 is black, so the
    # abs scale's colour 0 starts above 0: JSON says so (exclusive) as the text does (">0")
    ck.check(ticks[0]["value"] == 0 and ticks[0]["exclusive"] is True and
             all(t["exclusive"] is False for t in ticks[1:]), f"abs tick 0 is exclusive (|d| > 0): {ticks}")
    rc, text, _ = run("heatmap", save("t_ref.npy", ref), save("t_port.npy", port), ck.path("t.png"))
    row = [ln.split()[2:] for ln in text.splitlines() if ln.strip().startswith("|d| from")]
    ck.check(row and row[0][0] == ">0" and len(row[0]) == len(ticks), f"text: |d| from {row}")
    for t in ticks[1:-1]:  # the smallest |d| of its colour: it gets the colour, the double below does not
        v = t["value"]
        k, below = (min(255, math.floor(x / j["max"] * 255)) for x in (v, math.nextafter(v, 0)))
        ck.check(k == t["color_index"] and below < k, f"|d| = {v} gets colour {k} (below: {below}), tick {t}")
rl = check("resize_log", ref, port, scale="log", rc_want=1)
if rl:
    ck.check(rl[0]["ticks"][0]["exclusive"] is False and rl[0]["ticks"][0]["value"] == rl[0]["min_nonzero"],
             f"log tick 0 is min_nonzero, inclusive: {rl[0]['ticks'][0]}")
check("resize_ch2", ref, port, channel=2, rc_want=1)
check("resize_atol", ref, port, "--atol", "90", rc_want=0)  # compare's verdict options

# float32 NCHW against a raw BMRT dump (guessed CHW), abs and log, one channel
ref4 = np.load(os.path.join(E, "ref", "04_input.npy"))
port4 = np.fromfile(os.path.join(E, "port", "input_ref_data.dat.bmrt"), np.float32).reshape(1, 3, 224, 224)
bmrt = os.path.join(E, "port", "input_ref_data.dat.bmrt") + ":f32:1x3x224x224"
r = check("nchw", ref4, port4, rc_want=1, port_spec=bmrt)
if r:
    ck.check(r[0]["layout"] == "NCHW" and r[0]["width"] == 224, f"NCHW: {r[0]['layout']}")
check("nchw_log", ref4, port4, scale="log", port_spec=bmrt)
check("nchw_ch1_log", ref4, port4, channel=1, scale="log", port_spec=bmrt)
check("nchw_fixed", ref4, np.fromfile(os.path.join(E, "port_fixed", "input_ref_data.dat.bmrt"), np.float32).reshape(ref4.shape),
      rc_want=0, port_spec=os.path.join(E, "port_fixed", "input_ref_data.dat.bmrt") + ":f32:1x3x224x224")

# every colour of the map: 0 .. 1023 over 1024 pixels, HW (rank 2), int16 vs uint16
a = np.zeros((32, 32), np.int16)
b = np.arange(1024, dtype=np.uint16).reshape(32, 32)
r = check("ramp", a, b, rc_want=1)
if r:
    colours = {tuple(c) for c in r[1].reshape(-1, 3).tolist()}
    lut = {tuple(c) for c in LUT.tolist()}  # neighbours may round to the same 8-bit colour
    ck.check(colours == lut | {EXACT} and r[0]["layout"] == "HW", f"ramp: {len(colours)} colours, the map has {len(lut)}")

# values on the colour boundaries (max * k / 255 and their neighbours): another order of the
# operations (|d| * 255 / max, |d| * (255 / max)) colours dozens of them differently
m = 0.7
edges = m * np.arange(1, 255) / 255
edges = np.concatenate([edges, np.nextafter(edges, 0), np.nextafter(edges, 1), [m], np.zeros(5)])
check("edges", np.zeros((1, edges.size)), edges.reshape(1, -1), rc_want=1)
ck.check(int((np.floor(edges / m * 255) != np.floor(edges * 255 / m)).sum()) > 10, "the edges test can tell the orders apart")
lo, hi = math.log(1e-6), math.log(m)
ledges = np.array([math.exp(lo + (hi - lo) * k / 255) for k in range(1, 255)])
ledges = np.concatenate([ledges, np.nextafter(ledges, 0), np.nextafter(ledges, 1), [1e-6, m], np.zeros(5)])
check("edges_log", np.zeros((1, ledges.size)), ledges.reshape(1, -1), scale="log", rc_want=1)

# NaN / Inf: equal NaNs and equal infinities are exact; one-sided ones are magenta; -0 == 0
f = rng.normal(size=(4, 6, 5)).astype(np.float32)  # last axis 5 > 4: CHW
g = f.copy()
f[0, 0, 0] = g[0, 0, 0] = np.nan
f[1, 0, 1] = g[1, 0, 1] = np.inf
g[2, 1, 1] = np.nan
g[3, 2, 2] = -np.inf
f[0, 3, 3], g[0, 3, 3] = 0.0, -0.0
g[1, 4, 4] += 1e-3
g[2, 5, 0] *= 1.5
r = check("nonfinite", f, g, rc_want=1)
if r:
    j, want = r
    ck.check(j["nonfinite_pixels"] == 2 and j["layout"] == "CHW" and tuple(want[1, 1]) == NONFINITE and
             tuple(want[0, 0]) == EXACT and tuple(want[3, 3]) == EXACT, f"nonfinite: {j['nonfinite_pixels']}")
check("nonfinite_log", f, g, scale="log")
# the same tensor read as HWC (H 4, W 6, C 5), and in Fortran order
check("layout_hwc", f, g, layout="hwc")
check("fortran", np.asfortranarray(f), np.asfortranarray(g))
# NHWC float64 and a single nonzero value (min == max: colour 255)
h = np.zeros((1, 5, 7, 3))
h2 = h.copy()
h2[0, 2, 3, 1] = 0.25
h2[0, 4, 6, 0] = 0.25
r = check("nhwc_single", h, h2, rc_want=1)
if r:
    ck.check(r[0]["layout"] == "NHWC" and tuple(r[1][2, 3]) == tuple(LUT[255]), "min == max -> colour 255")
# all exact: black everywhere, exit 0, no scale
r = check("exact", ref, ref, rc_want=0)
if r:
    ck.check(r[0]["max"] == 0 and r[0]["ticks"] == [] and not r[1].any(), "all exact is all black")
rc, out, err = run("heatmap", save("x_ref.npy", ref), save("x_port.npy", ref), ck.path("x.png"))
ck.check(rc == 0 and "scale: none, every pixel is exact" in out and "black: exact (|d| = 0), 90624 of 90624 pixels" in out,
         f"text of an exact pair: {out}")

# the text output names the scale's numbers
rc, out, err = run("heatmap", save("t_ref.npy", ref), save("t_port.npy", port), ck.path("t.png"), "--scale", "log")
ck.check(rc == 1 and "layout: HWC, guessed from the last axis (3 <= 4; --layout to change)" in out and
         "scale log: colour k = floor(ln(|d| / 1) / ln(86 / 1) * 255)" in out and "|d| from   1 " in out and
         out.rstrip().endswith("") and "unaligned! " in out and "max_abs 86" in out, f"text:\n{out}")

# bad input: exit 2 and a one-line message naming the problem
a3 = save("a3.npy", np.zeros((3, 4, 5), np.float32))
bad = [
    (("heatmap", a3, save("b3.npy", np.zeros((3, 4, 6), np.float32)), ck.path("o.png")),
     "xalign heatmap: a heatmap needs equal shapes: ref [3, 4, 5], port [3, 4, 6]"),
    (("heatmap", save("n2.npy", np.zeros((2, 3, 4, 4))), save("n2b.npy", np.zeros((2, 3, 4, 4))), ck.path("o.png")),
     "xalign heatmap: a heatmap draws one image: [2, 3, 4, 4] has a batch of 2 (N must be 1)"),
    (("heatmap", save("r1.npy", np.zeros(5)), save("r1b.npy", np.zeros(5)), ck.path("o.png")),
     "xalign heatmap: a heatmap needs an image-like shape (HW, HWC, CHW, NCHW or NHWC with N = 1), got [5]"),
    (("heatmap", save("e.npy", np.zeros((0, 4, 3))), save("eb.npy", np.zeros((0, 4, 3))), ck.path("o.png")),
     "xalign heatmap: a heatmap of [0, 4, 3] would be empty"),
    (("heatmap", a3, a3, ck.path("o.png"), "--channel", "3"),
     "xalign heatmap: channel 3 is out of range: [3, 4, 5] has 3 channels"),
    (("heatmap", a3, a3, ck.path("o.png"), "--channel", "-1"), "xalign heatmap: --channel must be 0 or more"),
    (("heatmap", a3, a3, ck.path("o.png"), "--scale", "sqrt"), "xalign heatmap: --scale must be abs or log, not 'sqrt'"),
    (("heatmap", a3, a3, ck.path("o.png"), "--layout", "nchw"), "xalign heatmap: --layout must be hwc or chw, not 'nchw'"),
    (("heatmap", a3, a3), "xalign heatmap: expected REF, PORT and OUT.png, got 2 arguments"),
    (("heatmap", a3, a3, ck.path("o.png"), "--bogus"), "xalign heatmap: unknown option '--bogus' (see --help)"),
    (("heatmap", a3, ck.path("missing.npy"), ck.path("o.png")), "missing.npy"),
    (("heatmap", a3, a3, os.path.join(a3, "o.png")), "o.png: cannot create: Not a directory"),
]
for args, msg in bad:
    rc, out, err = run(*args)
    ck.check(rc == 2 and msg in err and err.count("\n") == 1 and err.startswith("xalign heatmap: "),
             f"{args[1:]}: rc {rc}, stderr {err!r}, want {msg!r}")
rc, out, err = run("heatmap", "--help")
ck.check(rc == 0 and "usage: xalign heatmap REF PORT OUT.png" in out and "--min-cosine" in out, "--help")
ck.done()
