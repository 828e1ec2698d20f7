"""xalign resize --method torch-area[-cl] (F.interpolate mode="area": adaptive_avg_pool2d, and
torch's mean for a 1 x 1 output) against Debian's torch 1.13; the cases and the comparison are
those of test_resize_torch_modes.py (tests/pylib/xa_torch_oracle.py), plus 1 x 1 outputs of
1920 x 1080 images of 1, 3 and 4 channels. torchvision has no area mode: uint8 images are
compared with its float round trip written out.
"""
from xa_torch_oracle import main

if __name__ == "__main__":
    ck = main("test_resize_torch_area", ["torch-area", "torch-area-cl"], 300, 51)
    if ck:
        ck.done()
