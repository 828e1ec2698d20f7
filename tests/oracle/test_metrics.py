"""The comparison engine against numpy computing the same definitions (spec/metrics.md).

Counts, indices, max_abs and extrema must be exactly equal; sums within 1e-12 relative
(tests/pylib/xa_metric_rules.py says why and how)."""
import math
import numpy as np
import torch
from torch.testing._comparison import default_tolerances
from xa_metric_rules import EXACT, close, num, sum_mismatches
from xa_testlib import Checker, report_cpu_path, run_json

ck = Checker("metrics")
report_cpu_path(ck)
rng = np.random.default_rng(20261125)


def to_f64(a, kind):
    if kind == "bf16":  # a holds uint16 bit patterns
        return (a.astype(np.uint32) << 16).view(np.float32).astype(np.float64)
    return a.astype(np.float64)


def numpy_metrics(r, p, atol, rtol):
    r = r.ravel(order="K"); p = p.ravel(order="K")
    fin = np.isfinite(r) & np.isfinite(p)
    same_nf = (~fin) & ((np.isnan(r) & np.isnan(p)) | (r == p))
    rf, pf = r[fin], p[fin]
    d = pf - rf
    ad = np.abs(d)
    idx = np.flatnonzero(fin)
    m = {"count": r.size}
    m["equal"] = int(np.count_nonzero(rf == pf) + np.count_nonzero(same_nf))
    m["finite"] = int(fin.sum())
    if ad.size:
        k = int(np.argmax(ad))
        m["max_abs"], m["max_abs_index"] = float(ad[k]), int(idx[k])
        m["max_abs_ref"], m["max_abs_port"] = float(rf[k]), float(pf[k])
        m["mean_abs"] = math.fsum(ad.tolist()) / ad.size; m["rmse"] = math.sqrt(math.fsum((d * d).tolist()) / ad.size)
    else:
        m["max_abs"], m["max_abs_index"], m["mean_abs"], m["rmse"] = 0.0, None, 0.0, 0.0
        m["max_abs_ref"] = m["max_abs_port"] = None
    nz = rf != 0
    if nz.any():
        rel = ad[nz] / np.abs(rf[nz]); k = int(np.argmax(rel))
        m["max_rel"], m["max_rel_index"] = float(rel[k]), int(idx[nz][k])
    else:
        m["max_rel"], m["max_rel_index"] = 0.0, None
    m["zero_ref_diff"] = int(np.count_nonzero((rf == 0) & (d != 0)))
    # sums exactly rounded (math.fsum) so the reference is the most accurate one possible;
    # np.dot goes through BLAS and is itself ~1e-12 off on a million elements
    S = lambda v: math.fsum(v.tolist())
    r2, p2, rp, d2 = S(rf * rf), S(pf * pf), S(rf * pf), S(d * d)
    h = (rf + pf) * 0.5; h2 = S(h * h)
    m["cosine"] = 1.0 if r2 == 0 and p2 == 0 else 0.0 if r2 == 0 or p2 == 0 else rp / (math.sqrt(r2) * math.sqrt(p2))
    m["euclid_sim"] = 1 - math.sqrt(d2) / (math.sqrt(h2) + 1e-7)
    m["rel_l2"] = 0.0 if d2 == 0 else (math.inf if r2 == 0 else math.sqrt(d2) / math.sqrt(r2))
    m["sqnr_db"] = math.inf if d2 == 0 else (-math.inf if r2 == 0 else 10 * math.log10(r2 / d2))
    m["mismatches"] = int(np.count_nonzero(ad > atol + rtol * np.abs(rf)) + np.count_nonzero((~fin) & ~same_nf))
    m["nan_ref"], m["nan_port"] = int(np.isnan(r).sum()), int(np.isnan(p).sum())
    m["inf_ref"], m["inf_port"] = int(np.isinf(r).sum()), int(np.isinf(p).sum())
    m["nonfinite_mismatch"] = int(np.count_nonzero((~fin) & ~same_nf))
    for side, v in (("ref", r), ("port", p)):
        f = v[np.isfinite(v)]
        if f.size:
            m[side + "_min"], m[side + "_max"], m[side + "_mean"] = float(f.min()), float(f.max()), math.fsum(f.tolist()) / f.size
            m[side + "_absmean"] = float(np.abs(f).mean())
        else:
            m[side + "_min"] = m[side + "_max"] = m[side + "_mean"] = None
    return m


HALF = ("float16", "bfloat16")
TORCH_DTYPE = {"float16": torch.float16, "bfloat16": torch.bfloat16, "float32": torch.float32,
               "float64": torch.float64}


def default_tolerance(rdt, pdt):
    """(atol, rtol) of the default verdict when a side is float16/bfloat16: torch's own
    assert_close defaults for the pair (the oracle), else None (max_abs <= 1e-3)."""
    if rdt not in HALF and pdt not in HALF:
        return None
    rtol, atol = default_tolerances(torch.empty(0, dtype=TORCH_DTYPE[rdt]),
                                    torch.empty(0, dtype=TORCH_DTYPE.get(pdt, torch.float32)))
    return atol, rtol


def check_pair(name, rfile, pfile, r64, p64, extra=(), atol=1e-3, rtol=0.0, torch_pair=None):
    args = ["compare", rfile, pfile, *extra]
    rc, got = run_json(*args)
    half = None if extra else default_tolerance(got["ref"]["dtype"], got["port"]["dtype"])
    if half:  # the mismatch count is taken under the default's own rule
        atol, rtol = half
    want = numpy_metrics(r64, p64, atol, rtol)
    g = got["metrics"]
    for k in EXACT:
        ck.check(num(g[k]) == want[k] or (want[k] is None and g[k] is None),
                 f"{name}: {k} xalign {g[k]} numpy {want[k]}")
    bad = sum_mismatches(g, want, {"ref": want.get("ref_absmean"), "port": want.get("port_absmean")})
    ck.check(not bad, f"{name}: " + ", ".join(f"{k} xalign {g[k]} numpy {want[k]}" for k in bad))
    # verdict under the default rule
    if not extra:
        ints = all(t in ("int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "bool")
                   for t in (got["ref"]["dtype"], got["port"]["dtype"]))
        if half:
            exp = want["mismatches"] == 0
            ck.check(got["tolerance"].get("atol") == atol and got["tolerance"].get("rtol") == rtol,
                     f"{name}: default tolerance {got['tolerance']}, torch's is atol {atol} rtol {rtol}")
            if torch_pair is not None:  # torch's own verdict on the same tensors
                try:
                    torch.testing.assert_close(torch_pair[1], torch_pair[0], check_dtype=False, equal_nan=True)
                    agrees = True
                except AssertionError:
                    agrees = False
                ck.check(agrees == exp, f"{name}: torch.testing.assert_close says {agrees}, numpy's count {exp}")
        else:
            exp = (want["equal"] == want["count"]) if ints else (want["max_abs"] <= 1e-3 and want["nonfinite_mismatch"] == 0)
        ck.check(got["aligned"] == exp and rc == (0 if exp else 1), f"{name}: aligned {got['aligned']} rc {rc}, expected {exp}")
    # the same result on one thread (threads only split the work)
    rc1, got1 = run_json(*args, "--threads", "1")
    for k in EXACT:
        ck.check(got1["metrics"][k] == g[k], f"{name}: {k} differs between 1 and N threads: {got1['metrics'][k]} vs {g[k]}")
    return got


def save(name, a):
    path = ck.path(name)
    np.save(path, a)
    return path


def gen(kind, shape, scale=1.0):
    if kind in ("float32", "float64", "float16"):
        return (rng.standard_normal(shape) * scale).astype(kind)
    if kind == "uint8":
        return rng.integers(0, 256, shape, dtype=np.uint8)
    if kind == "int8":
        return rng.integers(-128, 128, shape, dtype=np.int8)
    raise ValueError(kind)


shapes = [(1, 3, 224, 224), (7,), (1,), (1300001,), (0,), (), (2, 0, 3)]
# the pairs that matter (issue 2): f32/f32, u8/f32, f16/f32, i8/i8, plus f64/f64
for (rk, pk) in [("float32", "float32"), ("uint8", "float32"), ("float16", "float32"), ("int8", "int8"), ("float64", "float64")]:
    for shape in shapes:
        r = gen(rk, shape, 1.0)
        if pk == rk:
            p = r.copy()
            if r.size:
                flat = p.reshape(-1)
                k = rng.choice(flat.size, size=max(1, flat.size // 3), replace=False)
                if pk.startswith("float"):
                    flat[k] = (flat[k].astype(np.float64) + rng.standard_normal(k.size) * 1e-4).astype(pk)
                else:
                    flat[k] = (flat[k].astype(np.int64) + rng.integers(-1, 2, k.size)).clip(np.iinfo(pk).min, np.iinfo(pk).max).astype(pk)
        else:
            p = (r.astype(np.float64) + rng.standard_normal(shape) * 0.01).astype(pk)
        name = f"{rk}/{pk} {shape}"
        tp = [torch.from_numpy(np.array(a)) for a in (r, p)] if "float16" in (rk, pk) else None
        check_pair(name, save("r.npy", r), save("p.npy", p), r.astype(np.float64), p.astype(np.float64),
                   torch_pair=tp)

# zeros, exact equality, all-zero sides (cosine conventions, max_rel with zero refs)
z = np.zeros(1000, np.float32)
o = rng.standard_normal(1000).astype(np.float32)
for name, r, p in [("zeros/zeros", z, z), ("zeros/noise", z, o), ("noise/zeros", o, z), ("equal", o, o.copy())]:
    check_pair(name, save("r.npy", r), save("p.npy", p), r.astype(np.float64), p.astype(np.float64))
half_zero = o.copy(); half_zero[::2] = 0
check_pair("zero refs", save("r.npy", half_zero), save("p.npy", o), half_zero.astype(np.float64), o.astype(np.float64))

# NaN/Inf in every combination, in the AVX2 blocks and the tail
for n in (5, 64, 100003):
    r = rng.standard_normal(n).astype(np.float32)
    p = (r + rng.standard_normal(n).astype(np.float32) * 1e-5).astype(np.float32)
    spots = rng.choice(n, size=min(n, 12), replace=False)
    vals = [np.nan, np.inf, -np.inf]
    for j, s in enumerate(spots):
        case = j % 6
        if case == 0: r[s] = p[s] = np.nan            # equal
        elif case == 1: r[s] = p[s] = np.inf          # equal
        elif case == 2: r[s] = np.nan                 # one-sided
        elif case == 3: p[s] = np.inf                 # one-sided
        elif case == 4: r[s], p[s] = np.inf, -np.inf  # both non-finite, different
        else: p[s] = vals[j % 3]
    check_pair(f"nonfinite n={n}", save("r.npy", r), save("p.npy", p), r.astype(np.float64), p.astype(np.float64))

# tolerance rules: numpy's allclose rule, max_abs, cosine preset
r = rng.standard_normal(50000).astype(np.float32)
p = (r * (1 + rng.standard_normal(50000) * 1e-6) + rng.standard_normal(50000) * 1e-7).astype(np.float32)
rf, pf = save("r.npy", r), save("p.npy", p)
for atol, rtol in [(0.0, 1e-6), (1e-7, 1e-6), (1e-6, 0.0), (0.0, 0.0)]:
    got = check_pair(f"atol={atol} rtol={rtol}", rf, pf, r.astype(np.float64), p.astype(np.float64),
                     extra=["--atol", repr(atol), "--rtol", repr(rtol)], atol=atol, rtol=rtol)
    allclose = bool(np.allclose(p.astype(np.float64), r.astype(np.float64), rtol=rtol, atol=atol, equal_nan=True))
    ck.check(got["aligned"] == allclose, f"atol={atol} rtol={rtol}: aligned {got['aligned']} vs np.allclose {allclose}")

# byte orders and memory orders give the same metrics as the native C-order file
base = rng.standard_normal((5, 6, 7)).astype(np.float32)
other = (base + 1e-3 * rng.standard_normal(base.shape)).astype(np.float32)
want = run_json("compare", save("b.npy", base), save("o.npy", other))[1]["metrics"]
for label, arr in [("big-endian", other.astype(">f4")), ("fortran", np.asfortranarray(other)), ("f64", other.astype(np.float64))]:
    got = run_json("compare", ck.path("b.npy"), save("x.npy", arr))[1]["metrics"]
    for k in ("max_abs", "max_abs_index", "equal", "mismatches", "max_rel_index"):
        ck.check(got[k] == want[k], f"{label}: {k} {got[k]} vs native {want[k]}")
got = run_json("compare", save("bf.npy", np.asfortranarray(base)), save("of.npy", np.asfortranarray(other)))[1]
ck.check(got["metrics"]["max_abs_index"] is not None and got["metrics"]["max_abs"] == want["max_abs"], "both Fortran: max_abs")
k = got["metrics"]["max_abs_coords"]
ck.check(abs(float(other[tuple(k)]) - float(base[tuple(k)])) == want["max_abs"], f"both Fortran: coords {k} point at the worst element")

# bfloat16 bit patterns (numpy has no bf16: compare through f32 computed from the bits)
bits_r = (rng.standard_normal(4096).astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
bits_p = (bits_r.astype(np.int32) + rng.integers(-2, 3, 4096)).astype(np.uint16)
check_pair("bf16/bf16", save("r.npy", bits_r) + ":bf16", save("p.npy", bits_p) + ":bf16",
           to_f64(bits_r, "bf16"), to_f64(bits_p, "bf16"),
           torch_pair=[torch.from_numpy(b.view(np.int16)).view(torch.bfloat16) for b in (bits_r, bits_p)])
# a bfloat16 pair within one bf16 step of every value: aligned under torch's bf16 default, as
# torch.testing.assert_close judges it (the old max_abs <= 1e-3 rule failed such pairs)
near = (bits_r.astype(np.int32) + rng.integers(0, 2, 4096)).astype(np.uint16)
check_pair("bf16/bf16 one step", save("r.npy", bits_r) + ":bf16", save("p.npy", near) + ":bf16",
           to_f64(bits_r, "bf16"), to_f64(near, "bf16"),
           torch_pair=[torch.from_numpy(b.view(np.int16)).view(torch.bfloat16) for b in (bits_r, near)])

# per-axis breakdown equals numpy per channel
x = rng.standard_normal((2, 3, 17, 19)).astype(np.float32)
y = (x + rng.standard_normal(x.shape).astype(np.float32) * np.array([1e-5, 1e-3, 1e-2], np.float32)[None, :, None, None]).astype(np.float32)
for axis in (1, 3, -1, 0):
    rc, got = run_json("compare", save("x.npy", x), save("y.npy", y), "--axis", str(axis))
    ax = axis % 4
    ck.check(len(got["channels"]) == x.shape[ax], f"axis {axis}: {len(got['channels'])} channels")
    for c, cm in enumerate(got["channels"]):
        xs, ys = np.take(x, c, axis=ax).astype(np.float64), np.take(y, c, axis=ax).astype(np.float64)
        w = numpy_metrics(xs, ys, 1e-3, 0)
        ck.check(cm["max_abs"] == w["max_abs"] and cm["count"] == w["count"] and cm["mismatches"] == w["mismatches"],
                 f"axis {axis} channel {c}: max_abs {cm['max_abs']} vs {w['max_abs']}")
        coords = cm["max_abs_coords"]
        ck.check(abs(float(y[tuple(coords)]) - float(x[tuple(coords)])) == w["max_abs"] and coords[ax] == c,
                 f"axis {axis} channel {c}: coordinates {coords}")
        ck.check(close(cm["mean_abs"], w["mean_abs"], 1e-12), f"axis {axis} channel {c}: mean_abs")
    ck.check(got["metrics"]["max_abs"] == numpy_metrics(x.astype(np.float64), y.astype(np.float64), 1e-3, 0)["max_abs"], f"axis {axis}: total")

ck.done()
