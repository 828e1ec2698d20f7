#!/usr/bin/python3
"""Write the per-layer example files of README.md's "Whole models, layer by layer":
ref_outputs.npz (the original's layer outputs) and model_outputs.npz (the port's), the way
tpu-mlir's model_deploy.py leaves them: np.savez, float32 layers with float16 ones and bfloat16
kept as uint16, an int8 one; the port's values carry float32 rounding noise, one layer of the
original has no counterpart in the port, the port has one extra, and from layer 9 on the port
diverges (a real break, inherited by every later layer).

    /usr/bin/python3 examples/perlayer/make_layers.py     # deterministic"""
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(2026)


def bf16_bits(x):
    u = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((u + 0x7FFF + ((u >> 16) & 1)) >> 16).astype(np.uint16)


ref, port = {}, {}
for i in range(14):
    name = f"/layer{i}/conv{i % 2}/Conv_output_0"
    x = rng.standard_normal((1, 8, 4, 4)).astype(np.float32)
    y = x * (1 + rng.standard_normal(x.shape).astype(np.float32) * np.float32(0.05 if i >= 9 else 1e-6))
    if i in (3, 10):
        ref[name], port[name] = x.astype(np.float16), y.astype(np.float16)
    elif i == 5:
        ref[name], port[name] = bf16_bits(x), bf16_bits(y)
    elif i == 7:
        q = rng.integers(-128, 128, x.shape).astype(np.int8)
        ref[name], port[name] = q, q.copy()
    else:
        ref[name], port[name] = x, y
del port["/layer12/conv0/Conv_output_0"]
port["/layer13/extra_Cast"] = np.zeros(4, np.float32)
np.savez(os.path.join(HERE, "ref_outputs.npz"), **ref)
np.savez(os.path.join(HERE, "model_outputs.npz"), **port)
