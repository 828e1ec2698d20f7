#!/bin/sh
# `make demo`: the seed's ResNet example on bundled dumps. A torchvision original and a cv2 port
# (sophon-demo's resnet_opencv.py style) of a ResNet-18 on a real photo; the port dumps its model
# input/output as BMRT files. See examples/resnet/make_dumps.py for how they were made.
set -u
X=${1:-build/xalign}
D=$(dirname "$0")/resnet
run() {
    echo "\$ xalign $*"
    "$X" "$@"
    echo "(exit $?)"
    echo
}
cat <<'TXT'
The original: a PyTorch program (PIL decode, torchvision Resize(256) + CenterCrop(224),
ToTensor, Normalize, ResNet-18). The port: the same model compiled for a SOPHON TPU, with
preprocessing rewritten in OpenCV (cv2.imread, cv2.resize, numpy normalise) -- and its score
differs. Both programs dumped every stage (examples/resnet/make_dumps.py); the port's model
input and output are libsophon's BMRT_SAVE_IO_TENSORS dumps. Where do they stop matching?

TXT
echo "== 0. The port's FP32 BModel (metadata: the tensors its BMRT dumps hold):"
run info "$D/resnet18_fp32.bmodel"
echo "== 1. The port's model input against the original's (the seed's step 4):"
run compare "$D/ref/04_input.npy" "$D/port/input_ref_data.dat.bmrt#input" --bmodel "$D/resnet18_fp32.bmodel"
echo "== 2. Every stage, with the original's resize replayed on the port's input (steps 4-7):"
run stages "$D/ref" "$D/port" --manifest "$D/manifest.json" --bmodel "$D/resnet18_fp32.bmodel"
echo "== 3. The fixed port (Pillow's antialiased bilinear resize, as torchvision does):"
run stages "$D/ref" "$D/port_fixed" --manifest "$D/manifest.json" --bmodel "$D/resnet18_fp32.bmodel"
cat <<'TXT'
Reading: the first unaligned stage is resize, and replaying the original's resize (Pillow's
antialiased bilinear, what torchvision's Resize does on PIL images) on the port's own input
reproduces the original, so the port's cv2.resize is the cause; every later stage only
inherits the error. With Pillow's resize in the port (xa_resize(..., XA_RESIZE_PIL_BILINEAR, ...)
in C), every stage is aligned and the remaining logits difference is the model's (3e-06).
TXT
