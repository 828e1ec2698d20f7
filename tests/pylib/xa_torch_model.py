"""Executable model of torch 1.13 F.interpolate(mode="bilinear", align_corners=False) on CPU and
of torchvision 0.14's uint8 Resize around it: the rules of the project's spec model
(spec/models/torch_interpolate_bilinear.py, spec/preprocessing.md), in numpy, for the cases the
resize oracle test uses.

Used by tests/oracle/test_resize_torch.py where torch itself cannot produce what
`torch-bilinear` reproduces: on a CPU without AVX2 (and FMA), torch runs its default kernels,
which do not fuse. On CPUs with AVX2 the test checks this model against torch too.

- Source index and weights (UpSample.h area_pixel_compute_source_index, compute_source_index_
  and_lambda): scale = float(in) / float(out) in float; src = scale * (o + 0.5) - 0.5 in double,
  clamped at 0; i0 = min(int(src), in - 1); l1 = float(clamp(src - i0, 0, 1)); l0 = 1 - l1 in
  float; same size: weights (1, 0).
- Generic kernel (C != 1 and not a 1 x 1 source), AVX2 build: the compiler contracts
  a*b + c*d into fmaf(a, b, c*d): t0 = fmaf(x00, w0, x01*w1), t1 = fmaf(x10, w0, x11*w1),
  out = fmaf(t0, h0, t1*h1). `fma=False`: every product and sum rounded to float.
- cpu_upsample_linear_channels_last (C = 1, or a 1 x 1 source): weights h_i * w_j rounded to
  float, the four products summed left to right in double, stored as float (the same with and
  without FMA: float products are exact in double).
- uint8 (torchvision functional_tensor.resize): to float32, interpolate, round half to even,
  back to uint8.

fmaf is modelled exactly (one rounding): the double sum s = a*b + c (a*b is exact in double)
and its error e (TwoSum) give the exact value s + e; rounding s to float is correct unless s
is a tie between two floats and e is not 0, in which case e decides the direction.
"""
import numpy as np

F32 = np.float32


def fmaf(a, b, c):
    """Element-wise fmaf of float32 arrays, correctly rounded (see the module docstring)."""
    p = a.astype(np.float64) * b.astype(np.float64)  # exact: 24 + 24 bits
    c = c.astype(np.float64)
    s = p + c
    bb = s - p
    e = (p - (s - bb)) + (c - bb)  # s + e == p + c exactly (Knuth's TwoSum)
    r = s.astype(F32)
    r64 = r.astype(np.float64)
    toward = np.where(s > r64, np.inf, -np.inf).astype(F32)
    other = np.nextafter(r, toward).astype(np.float64)
    tie = (s != r64) & (2 * s == r64 + other)  # s halfway between two floats (both exact)
    # the exact value is beyond the tie on the side of e: round to that side's float
    up = tie & (e != 0) & ((e > 0) == (other > r64))
    return np.where(up, other.astype(F32), r).astype(F32)


def taps(insz, outsz):
    """(i0, i1, l0, l1) per output index: compute_source_index_and_lambda."""
    i0 = np.empty(outsz, np.int64)
    i1 = np.empty(outsz, np.int64)
    l0 = np.empty(outsz, F32)
    l1 = np.empty(outsz, F32)
    scale = float(F32(F32(insz) / F32(outsz)))
    for o in range(outsz):
        if insz == outsz:
            i0[o], i1[o], l0[o], l1[o] = o, o, 1, 0
            continue
        src = max(scale * (o + 0.5) - 0.5, 0.0)
        a = min(int(src), insz - 1)
        w1 = F32(min(max(src - a, 0.0), 1.0))
        i0[o], i1[o], l0[o], l1[o] = a, a + 1 if a < insz - 1 else a, F32(1) - w1, w1
    return i0, i1, l0, l1


def interpolate(x, oh, ow, fma=True):
    """x: float32 C x H x W -> float32 C x oh x ow, as torch computes it (see the docstring)."""
    c, h, w = x.shape
    hi0, hi1, hl0, hl1 = taps(h, oh)
    wi0, wi1, wl0, wl1 = taps(w, ow)
    x00 = x[:, hi0][:, :, wi0]
    x01 = x[:, hi0][:, :, wi1]
    x10 = x[:, hi1][:, :, wi0]
    x11 = x[:, hi1][:, :, wi1]
    h0, h1 = hl0[None, :, None], hl1[None, :, None]
    w0, w1 = wl0[None, None, :], wl1[None, None, :]
    if c == 1 or (h == 1 and w == 1):  # the channels-last kernel
        d = lambda v: v.astype(np.float64)
        w00, w01, w10, w11 = (d((a * b).astype(F32)) for a, b in ((h0, w0), (h0, w1), (h1, w0), (h1, w1)))
        return (((d(x00) * w00 + d(x01) * w01) + d(x10) * w10) + d(x11) * w11).astype(F32)
    if fma:
        t0 = fmaf(x00, np.broadcast_to(w0, x00.shape), (x01 * w1).astype(F32))
        t1 = fmaf(x10, np.broadcast_to(w0, x10.shape), (x11 * w1).astype(F32))
        return fmaf(t0, np.broadcast_to(h0, t0.shape), (t1 * h1).astype(F32))
    t0 = ((x00 * w0).astype(F32) + (x01 * w1).astype(F32)).astype(F32)
    t1 = ((x10 * w0).astype(F32) + (x11 * w1).astype(F32)).astype(F32)
    return ((t0 * h0).astype(F32) + (t1 * h1).astype(F32)).astype(F32)


def resize_hwc(a, dw, dh, fma=True):
    """An H x W or H x W x C image (uint8 or float32) as the torch oracle test resizes it."""
    x = a.astype(F32)
    x = x[None] if a.ndim == 2 else np.ascontiguousarray(x.transpose(2, 0, 1))
    r = interpolate(x, dh, dw, fma)
    if a.dtype == np.uint8:
        r = np.clip(np.rint(r), 0, 255).astype(np.uint8)  # rint: half to even, as torch.round

    return np.ascontiguousarray(r[0] if a.ndim == 2 else r.transpose(1, 2, 0))
