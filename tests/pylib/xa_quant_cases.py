"""Inputs of the INT8 quantisation tests (tests/oracle/test_transforms.py against numpy and the
SSE instructions, tests/cross/test_sail_arm.py against the NEON instructions)."""
import numpy as np


def quant_case(rng, k, special_every):
    """Case k: (x, scale) with n in 1..299 float32 values, 40% of them giving products at (or
    next to) x.5; every `special_every`-th case also holds NaN, +-Inf and values whose products
    leave the int32, int16 and uint16 ranges."""
    n = int(rng.integers(1, 300))
    scale = [1.0, 0.5, 2.0, float(np.float32(rng.random() * 3)), 127 / 2.64][k % 5]
    x = (rng.standard_normal(n) * 80).astype(np.float32)
    halves = (rng.integers(-300, 300, n) + 0.5).astype(np.float32) / np.float32(scale)
    x = np.where(rng.random(n) < 0.4, halves, x).astype(np.float32)
    if k % special_every == 0:
        x[rng.integers(0, n, 4)] = np.array([np.nan, np.inf, -np.inf, 3e9], np.float32)
        x[rng.integers(0, n, 3)] = np.array([40000, -3e9, 65535.7], np.float32) / np.float32(scale)
    return x, scale
