"""xalign resize --method torch-{bilinear,bicubic}-aa[-nofma] (F.interpolate antialias=True, what
torchvision 0.14's Resize(antialias=True) runs on tensors) against Debian's torch 1.13 /
torchvision 0.14; the cases and the comparison are those of test_resize_torch_modes.py
(tests/pylib/xa_torch_oracle.py). The -nofma methods are compared with torch started with
ATEN_CPU_CAPABILITY=default (its kernels for CPUs without AVX2), in a child process.
"""
from xa_torch_oracle import main

if __name__ == "__main__":
    ck = main("test_resize_torch_aa", ["torch-bilinear-aa", "torch-bilinear-aa-nofma",
                                       "torch-bicubic-aa", "torch-bicubic-aa-nofma"], 300, 31)
    if ck:
        ck.done()
