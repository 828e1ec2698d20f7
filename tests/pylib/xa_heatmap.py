"""The numpy model of the heatmap's colouring (docs/heatmap.md), shared by the tests that check
xalign's heatmaps pixel for pixel: tests/oracle/test_heatmap.py (the PNG of `xalign heatmap`) and
tests/oracle/test_report_html.py (the heatmaps embedded in the HTML report, drawn downsampled).

The log scale uses Python's math.log, which is the C library's log that xalign calls (numpy's own
SIMD log may differ in the last bit and move a value across a colour boundary)."""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "scripts"))
import heatmap_colormap  # noqa: E402

LUT = heatmap_colormap.lut()
EXACT, NONFINITE = (0, 0, 0), (255, 0, 255)


def pixel_values(ref, port, layout=None, channel=None):
    """(v, bad): H x W arrays of the pixel value v (max of |d| over the channels, or channel's)
    and whether the pixel is not finite; the layout is guessed as xalign does (last axis <= 4:
    channels last)."""
    r, p = ref.astype(np.float64), port.astype(np.float64)
    if r.ndim == 2:
        r, p = r[:, :, None], p[:, :, None]
    else:
        if r.ndim == 4:
            r, p = r[0], p[0]
        layout = layout or ("hwc" if ref.shape[-1] <= 4 else "chw")
        if layout == "chw":
            r, p = r.transpose(1, 2, 0), p.transpose(1, 2, 0)
    with np.errstate(invalid="ignore", over="ignore"):
        d = np.abs(p - r)
    d[(r == p) | (np.isnan(r) & np.isnan(p))] = 0
    if channel is not None:
        d = d[:, :, channel:channel + 1]
    bad = ~np.isfinite(d)
    return np.where(bad, 0, d).max(axis=2), bad.any(axis=2)


def colour_index(vals, vmax, vmin, scale):
    """Colour k of nonzero finite values under the scale of (vmax, vmin), in xalign's order of
    operations."""
    if vmax == vmin:
        k = np.full(vals.shape, 255.0)
    elif scale == "abs":
        k = np.floor(vals / vmax * 255.0)
    else:
        lo = math.log(vmin)
        span = math.log(vmax) - lo
        k = np.floor((np.array([math.log(x) for x in vals.tolist()]) - lo) / span * 255.0)
    return np.clip(k, 0, 255).astype(np.int64)


def reference(ref, port, layout=None, channel=None, scale="abs", block=1):
    """(H' x W' x 3 uint8, info) by the documented rule. With block > 1, each output pixel is
    the largest v of its block x block pixels (a non-finite one wins), coloured on the scale of
    the full-resolution image; info counts full-resolution pixels."""
    v, badpix = pixel_values(ref, port, layout, channel)
    nz = ~badpix & (v > 0)
    info = {"max": 0.0, "min_nonzero": 0.0, "exact_pixels": int((~badpix & (v == 0)).sum()),
            "nonfinite_pixels": int(badpix.sum()), "height": v.shape[0], "width": v.shape[1]}
    vmax = vmin = 0.0
    if nz.any():
        vmax, vmin = float(v[nz].max()), float(v[nz].min())
        info.update(max=vmax, min_nonzero=vmin)
    if block > 1:
        h, w = v.shape
        oh, ow = -(-h // block), -(-w // block)
        padded = np.zeros((oh * block, ow * block))
        padded[:h, :w] = np.where(badpix, np.nan, v)
        bv = padded.reshape(oh, block, ow, block).max(axis=(1, 3))  # NaN propagates: it wins
        badpix = np.isnan(bv)
        v = np.where(badpix, 0, bv)
        nz = ~badpix & (v > 0)
    out = np.zeros(v.shape + (3,), np.uint8)
    if nz.any():
        out[nz] = LUT[colour_index(v[nz], vmax, vmin, scale)]
    out[badpix] = NONFINITE
    return out, info
