"""xalign resize --method torch-bicubic[-nofma] (F.interpolate bicubic, align_corners=False,
A = -0.75, indices clamped at the border) against Debian's torch 1.13 / torchvision 0.14; the
cases and the comparison are those of test_resize_torch_modes.py (tests/pylib/xa_torch_oracle.py).
torch-bicubic-nofma is compared with torch started with ATEN_CPU_CAPABILITY=default (its kernels
for CPUs without AVX2), in a child process.
"""
from xa_torch_oracle import main

if __name__ == "__main__":
    ck = main("test_resize_torch_cubic", ["torch-bicubic", "torch-bicubic-nofma"], 300, 41)
    if ck:
        ck.done()
