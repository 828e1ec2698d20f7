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
echo "== 0. The port's FP32 BModel (metadata: the tensors its BMRT dumps hold):"
run info "$D/resnet18_fp32.bmodel"
echo "== 1. The port's model input against the original's (the seed's step 4):"
run compare "$D/ref/04_input.npy" "$D/port/input_ref_data.dat.bmrt#input" --bmodel "$D/resnet18_fp32.bmodel"
echo "== 2. Every stage, with the original's resize replayed on the port's input (steps 4-7):"
run stages "$D/ref" "$D/port" --manifest "$D/manifest.json" --bmodel "$D/resnet18_fp32.bmodel"
echo "== 3. The fixed port (Pillow's antialiased bilinear resize, as torchvision does):"
run stages "$D/ref" "$D/port_fixed" --manifest "$D/manifest.json" --bmodel "$D/resnet18_fp32.bmodel"
