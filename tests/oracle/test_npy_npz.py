"""xalign's .npy/.npz reading and writing against Debian's numpy 1.24 (the files are numpy's own).

.npy: every dtype xalign reads (bool, int8..uint64, float16/32/64, and '|V2' as bfloat16) x C and
Fortran order x little and big endian x scalar, empty, 1-D and 3-D, written with header versions
1.0, 2.0 and 3.0 (np.lib.format.write_array(version=...)). For each:
  - `xalign info --json` reports numpy's dtype, shape, order, byte order, element count, and
    min/max/mean/NaN/Inf equal to numpy's;
  - `xalign compare` of the file against a copy in another layout (order / byte order /
    version) finds every element equal;
  - xa_npy_save (driven through tests/unit/test_npz's "resave" mode) writes the bytes np.save
    writes for the same array, byte for byte.
.npz: np.savez and np.savez_compressed archives (members by name with PATH#NAME), archives with
ZIP64 end records and central-directory ZIP64 extras as zipfile writes them for archives over
2 GiB (forced on small files by lowering zipfile.ZIP64_LIMIT, which zipfile reads at write time),
and xa_npz_save's archives read back by np.load with equal arrays and numpy's zip fields.

Means are compared exactly: the data are multiples of 1/8 below 2^10 in magnitude (or small
integers), so every partial sum is exact in float64 and numpy's pairwise order and xalign's
sequential order give the same double. Arrays holding the dtype's extremes are checked for
min/max only (their sums round differently in different orders; that is the statistics code's
business, not the file format's).
"""
import io
import math
import os
import struct
import subprocess
import sys
import zipfile

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "pylib"))
from xa_testlib import XALIGN, Checker, run, run_json  # noqa: E402

HELPER = os.path.join(os.path.dirname(os.path.abspath(XALIGN)), "tests", "test_npz")
CK = Checker("npy_npz")
rng = np.random.default_rng(1234)

DTYPES = ["?", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8", "f2", "f4", "f8"]
SHAPES = {"scalar": (), "empty": (0, 3), "1d": (7,), "3d": (2, 3, 4)}


def values(dt, shape, special=True):
    """Exactly-summable data of dtype dt (native order); NaN/Inf in float arrays when special."""
    n = int(np.prod(shape))
    if dt.kind == "b":
        v = rng.integers(0, 2, n).astype(bool)
    elif dt.kind in "iu":
        lo = 0 if dt.kind == "u" else -100
        v = rng.integers(lo, 100, n)
    else:
        v = rng.integers(-1000, 1000, n) / 8.0
        if special and n >= 7:
            v[1], v[4], v[5] = np.nan, np.inf, -np.inf
    return v.astype(dt.newbyteorder("=")).reshape(shape)


def layout(a, order, endian):
    if a.dtype.itemsize > 1:
        a = a.astype(a.dtype.newbyteorder(endian))
    return np.asfortranarray(a) if order == "F" else np.ascontiguousarray(a)


def write(path, a, version):
    with open(path, "wb") as f:
        np.lib.format.write_array(f, a, version=version)


def expect_stats(a):
    """numpy's view of the numbers xalign info reports (over finite values)."""
    x = a.astype(np.float64).ravel()
    fin = x[np.isfinite(x)]
    d = {"count": int(x.size), "finite": int(fin.size), "nan": int(np.isnan(x).sum()),
         "inf": int(np.isinf(x).sum())}
    if fin.size:
        d.update(min=float(fin.min()), max=float(fin.max()), mean=float(fin.sum() / fin.size))
    else:
        d.update(min="nan", max="nan", mean="nan")
    return d


def order_of(a):
    # numpy's writer: fortran_order = True only for F-contiguous arrays that are not C-contiguous
    return "F" if a.flags.f_contiguous and not a.flags.c_contiguous else "C"


def check_info(got, path, a, dtype_name=None, stats=None):
    want = {"dtype": dtype_name or a.dtype.name, "shape": list(a.shape), "order": order_of(a),
            "byte_order": "swapped" if a.dtype.byteorder == ">" else "native"}
    want.update(stats or expect_stats(a))
    bad = {k: (got.get(k), v) for k, v in want.items() if got.get(k) != v}
    return CK.check(not bad, f"info {path}: (got, want) {bad}")


def info_many(paths):
    """`xalign info --json` on many specs in one run; a dict spec -> record."""
    out = {}
    for i in range(0, len(paths), 200):
        rc, js = run_json("info", *paths[i:i + 200])
        CK.check(rc == 0, f"info exit {rc}")
        out.update({r["spec"]: r for r in js["items"]})
    return out


def helper(*args):
    p = subprocess.run([HELPER, *map(str, args)], capture_output=True, text=True)
    return p.returncode, p.stderr


def npy_save_bytes(a):
    f = io.BytesIO()
    np.save(f, a)
    return f.getvalue()


# ---- .npy: every dtype x order x endianness x shape x header version ---------------------------
cases = []  # (path, array, version)
for dts in DTYPES:
    base = np.dtype(dts)
    for sname, shape in SHAPES.items():
        v = values(base, shape)
        for order in "CF":
            for endian in ("<", ">") if base.itemsize > 1 else ("|",):
                a = layout(v, order, endian)
                for ver in [(1, 0), (2, 0), (3, 0)]:
                    tag = f"{base.name}_{sname}_{order}_{'be' if endian == '>' else 'le'}_v{ver[0]}"
                    path = CK.path(tag + ".npy")
                    write(path, a, ver)
                    cases.append((path, a, ver))
# bfloat16 as ml_dtypes saves it: a 2-byte void ('|V2'); the numbers are float32's upper halves
bf_src = values(np.dtype("f4"), (3, 5))
bf_bits = (bf_src.view(np.uint32) >> 16).astype("<u2")
bf = bf_bits.view("V2")
bf_path = CK.path("bf16.npy")
np.save(bf_path, bf)
bf_vals = (bf_bits.astype(np.uint32) << 16).view(np.float32)

recs = info_many([p for p, _, _ in cases] + [bf_path])
for path, a, ver in cases:
    r = recs.get(path)
    if CK.check(r is not None, f"info lists {path}"):
        check_info(r, path, a)
r = recs.get(bf_path, {})
check_info(r, bf_path, bf_vals, dtype_name="bfloat16", stats=expect_stats(bf_vals))

# extremes of each dtype: min and max exactly (float16 also its smallest subnormal)
ext = []
for dts in DTYPES:
    dt = np.dtype(dts)
    if dt.kind == "b":
        continue
    info = np.iinfo(dt) if dt.kind in "iu" else np.finfo(dt)
    v = np.array([info.min, info.max, 0, 1], dtype=dt)
    if dt.kind == "f":
        v[2] = info.smallest_subnormal
    for endian in ("<", ">") if dt.itemsize > 1 else ("|",):
        a = layout(v, "C", endian)
        path = CK.path(f"ext_{dt.name}_{endian.replace('<', 'le').replace('>', 'be').replace('|', 'na')}.npy")
        np.save(path, a)
        ext.append((path, a))
recs = info_many([p for p, _ in ext])
for path, a in ext:
    r = recs.get(path, {})
    x = a.astype(np.float64)
    CK.check(r.get("min") == float(x.min()) and r.get("max") == float(x.max()),
             f"extremes {path}: {r.get('min')}, {r.get('max')} want {x.min()}, {x.max()}")

# compare: the C-order little-endian v1 file against every other layout/version of the same data
by_key = {}
for path, a, ver in cases:
    key = os.path.basename(path).split("_")[:2]
    by_key.setdefault(tuple(key), []).append((path, a, ver))
compared = 0
for key, group in by_key.items():
    ref = next(p for p, a, v in group if "_C_" in p and ("_le_" in p) and v == (1, 0))
    for path, a, ver in group:
        if path == ref:
            continue
        rc, js = run_json("compare", ref, path)
        m = js.get("metrics", {}) if isinstance(js, dict) else {}
        n = a.size  # every element equal, NaN and Inf at the same places included
        ok = (rc == 0 and m.get("count") == n and m.get("equal") == n and m.get("mismatches") == 0
              and m.get("nonfinite_mismatch") == 0 and m.get("nan_ref") == m.get("nan_port"))
        CK.check(ok, f"compare {ref} {path}: rc {rc}, count {m.get('count')}, equal {m.get('equal')}")
        compared += 1
CK.check(compared == len(cases) - len(by_key), f"compared {compared} pairs")

# the writer: xa_npy_save's bytes equal np.save's for the same array (numpy writes version 1.0
# for all of these; xalign always writes 1.0)
same = differ = 0
for path, a, ver in cases + [(bf_path, bf, (1, 0))]:
    out = path + ".resaved.npy"
    rc, err = helper("resave", path, out)
    if not CK.check(rc == 0, f"resave {path}: {err}"):
        continue
    with open(out, "rb") as f:
        mine = f.read()
    if mine == npy_save_bytes(a):
        same += 1
    else:
        differ += 1
        CK.check(False, f"xa_npy_save bytes differ from np.save for {path}")
    os.remove(out)
print(f"npy writer: {same} files byte-identical to np.save, {differ} different")

# trailing bytes after the data are accepted, as np.load accepts them
a = values(np.dtype("f4"), (2, 3))
p = CK.path("trailing.npy")
with open(p, "wb") as f:
    f.write(npy_save_bytes(a) + b"trailing junk")
CK.check(np.array_equal(np.load(p), a), "numpy reads trailing bytes")
r = info_many([p])[p]
check_info(r, p, a)

# data at an odd offset (a header one byte longer than numpy pads it): numpy reads it; so does
# xalign (copying it to an aligned block)
h = b"{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }"
h += b" " * (-(10 + len(h) + 1) % 64 + 1) + b"\n"
p = CK.path("odd_offset.npy")
with open(p, "wb") as f:
    f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + struct.pack("<3f", 1.5, -2.0, 8.0))
a = np.load(p)
CK.check((10 + len(h)) % 4 != 0 and a.tolist() == [1.5, -2.0, 8.0], "odd offset file is numpy-readable")
check_info(info_many([p])[p], p, a)

# ---- .npz -------------------------------------------------------------------------------------
members = {
    "logits": layout(values(np.dtype("f4"), (2, 3, 4)), "C", "<"),
    "image": layout(values(np.dtype("u1"), (4, 5, 3)), "C", "|"),
    "fortran": layout(values(np.dtype("i2"), (3, 4)), "F", "<"),
    "be": layout(values(np.dtype("f8"), (5,)), "C", ">"),
    "half": layout(values(np.dtype("f2"), (7,)), "C", "<"),
    "scalar": layout(values(np.dtype("i8"), ()), "C", "<"),
    "empty": layout(values(np.dtype("u4"), (0, 2)), "C", "<"),
    "flag": layout(values(np.dtype("?"), (6,)), "C", "|"),
}
big = values(np.dtype("f4"), (600, 1000), special=False)  # 2.4 MB: the archive gets mapped


def check_npz(path, arrays):
    rc, js = run_json("info", "--stats", path)
    js = js["items"]
    CK.check(rc == 0 and [r["spec"] for r in js] == [f"{path}#{k}" for k in arrays],
             f"info {path} lists {[r.get('spec') for r in js]}")
    for r in js:
        name = r["spec"].split("#")[-1]
        check_info(r, r["spec"], arrays[name])
    # without --stats: the same dtype, shape and order from the headers alone
    rc, js = run_json("info", path)
    js = js["items"]
    CK.check(rc == 0 and [r["spec"] for r in js] == [f"{path}#{k}" for k in arrays] and
             all("min" not in r for r in js), f"info {path} header listing {js}")
    for r in js:
        a = arrays[r["member"]]
        CK.check(r["dtype"] == a.dtype.name and r["shape"] == list(a.shape) and r["order"] == order_of(a)
                 and r["nbytes"] == a.nbytes, f"header listing {r['spec']}: {r}")
    for name, a in arrays.items():  # one member by name
        rc, js = run_json("info", f"{path}#{name}")
        js = js["items"]
        if CK.check(rc == 0 and len(js) == 1, f"info {path}#{name}: rc {rc}"):
            check_info(js[0], f"{path}#{name}", a)


p = CK.path("savez.npz")
np.savez(p, **members)
check_npz(p, members)
p = CK.path("savez_compressed.npz")
np.savez_compressed(p, **members)
check_npz(p, members)
p = CK.path("savez_big.npz")
np.savez(p, big=big, logits=members["logits"])
check_npz(p, {"big": big, "logits": members["logits"]})
p = CK.path("savez_positional.npz")
np.savez(p, members["logits"], members["image"])
check_npz(p, {"arr_0": members["logits"], "arr_1": members["image"]})

# ZIP64: zipfile writes ZIP64 central-directory extras and end records only past 2 GiB; lowering
# its threshold makes it write them for a small file, exactly as it would for a big one
for compressed in (False, True):
    p = CK.path(f"zip64_{int(compressed)}.npz")
    saved = zipfile.ZIP64_LIMIT
    zipfile.ZIP64_LIMIT = 64
    try:
        (np.savez_compressed if compressed else np.savez)(p, **members)
    finally:
        zipfile.ZIP64_LIMIT = saved
    with open(p, "rb") as f:
        raw = f.read()
    CK.check(b"PK\x06\x06" in raw and b"PK\x06\x07" in raw, f"{p} has ZIP64 end records")
    with zipfile.ZipFile(p) as zf:
        CK.check(all(i.extra[:2] == b"\x01\x00" for i in zf.infolist() if i.header_offset > 64),
                 f"{p} has ZIP64 extras in the central directory")
    check_npz(p, members)

# missing member: exit 2 and the member list
rc, out, err = run("info", f"{CK.path('savez.npz')}#nope")
CK.check(rc == 2 and not out and "no member 'nope'" in err and "logits" in err, f"missing member: {err}")

# ---- xa_npz_save, read by np.load ------------------------------------------------------------
srcs = []
for name, a in list(members.items()) + [("big", big), ("\u00e9chelle", members["half"])]:
    src = CK.path(f"src_{len(srcs)}.npy")
    np.save(src, a)
    srcs.append((name, src, a))
mine = CK.path("mine.npz")
rc, err = helper("savez", mine, *[f"{n}={s}" for n, s, _ in srcs])
CK.check(rc == 0, f"xa_npz_save: {err}")
ref = CK.path("ref.npz")
np.savez(ref, **{n: a for n, _, a in srcs})
with np.load(mine) as z:
    CK.check(z.files == [n for n, _, _ in srcs], f"np.load lists {z.files}")
    for n, _, a in srcs:
        b = z[n]
        CK.check(b.dtype == a.dtype and b.shape == a.shape and order_of(b) == order_of(a)
                 and np.array_equal(a, b, equal_nan=True), f"np.load {n} differs")
with zipfile.ZipFile(mine) as zm, zipfile.ZipFile(ref) as zr:
    CK.check(zm.testzip() is None, "every CRC-32 checks")
    fields = ["filename", "date_time", "compress_type", "create_system", "create_version",
              "extract_version", "flag_bits", "external_attr", "CRC", "file_size", "compress_size"]
    for im, ir in zip(zm.infolist(), zr.infolist()):
        diff = [f for f in fields if getattr(im, f) != getattr(ir, f)]
        CK.check(not diff, f"{im.filename}: fields differ from np.savez's: {diff}")
        CK.check(zm.read(im) == zr.read(ir), f"{im.filename}: member bytes differ from np.savez's")
    with open(mine, "rb") as f:
        raw = f.read()
    for im in zm.infolist():  # each member's array data starts at a multiple of 64 in the file
        h = im.header_offset
        nlen, xlen = struct.unpack("<HH", raw[h + 26:h + 30])
        start = h + 30 + nlen + xlen
        CK.check(start % 64 == 0, f"{im.filename}: data at {start}, not 64-aligned")
# and xalign reads its own archive back
check_npz(mine, {n: a for n, _, a in srcs})

CK.done()
