"""How two metric sets are compared (tests/oracle/test_metrics.py against numpy,
tests/cross/test_differential.py between the x86 and aarch64 builds).

Counts, indices, max_abs and extrema must be exactly equal. Sums go through different but
equally valid summation orders (numpy: pairwise; xalign: lane sums with compensation, whose lanes
differ between the SIMD paths), so derived values are compared within 1e-12 relative; for signed
means (which can cancel to ~0) the error is measured against the mean of |values| instead (the
scale the sum works at)."""
import math

EXACT = ["count", "equal", "finite", "max_abs", "max_abs_index", "max_abs_ref", "max_abs_port", "max_rel",
         "max_rel_index", "zero_ref_diff", "mismatches", "nan_ref", "nan_port", "inf_ref", "inf_port",
         "nonfinite_mismatch", "ref_min", "ref_max", "port_min", "port_max"]
RELATIVE = ["mean_abs", "rmse", "cosine", "rel_l2"]
# the keys of a metrics object that come from sums (everything else must be exactly equal)
SUMS = RELATIVE + ["euclid_sim", "sqnr_db", "ref_mean", "port_mean"]


def num(v):
    """JSON value -> float ("inf", "-inf" and "nan" are written as strings)."""
    return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}.get(v, v) if isinstance(v, str) else v


def close(a, b, rel, scale=None):
    if a is None or b is None:
        return a is None and b is None
    if math.isinf(a) or math.isinf(b):
        return a == b
    s = scale if scale is not None else max(abs(a), abs(b))
    return abs(a - b) <= rel * s or a == b


def sum_mismatches(got, want, absmean):
    """Names of the sum-derived metrics of `got` that are not within the rules of `want`.
    absmean: {"ref": mean |finite ref|, "port": ...} (None when a side has no finite value)."""
    bad = [k for k in RELATIVE if not close(num(got[k]), num(want[k]), 1e-12)]
    # 1 - euclid and sqnr: relative on the quantities the sums produce
    if not close(1 - num(got["euclid_sim"]), 1 - num(want["euclid_sim"]), 1e-12):
        bad.append("euclid_sim")
    g, w = num(got["sqnr_db"]), num(want["sqnr_db"])
    if not (g == w or (math.isfinite(g) and math.isfinite(w) and abs(g - w) <= 1e-10)):
        bad.append("sqnr_db")
    for side in ("ref", "port"):
        k = side + "_mean"
        if not close(num(got[k]), num(want[k]), 1e-12, scale=absmean.get(side)):
            bad.append(k)
    return bad
