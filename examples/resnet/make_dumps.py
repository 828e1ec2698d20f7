#!/usr/bin/env python3
"""Produce the demo's stage dumps: a torchvision ResNet-18 pipeline (the original), a
cv2-based port of it as sophon-demo's resnet_opencv.py writes it, and the fixed port.

    /usr/bin/python3 examples/resnet/make_dumps.py [OUT_DIR]

Needs Debian's python3-torch, python3-torchvision, python3-opencv, python3-pil. The weights are
random with a fixed seed (no download), so the class numbers mean nothing; what matters is that
both programs run the same model. The port's model output stands in for an FP32 BModel: the same
network evaluated in float64 and rounded to float32, so it differs from torch's float32 result
by a few ulps, as a compiled model does. The port dumps its model input and output the way
libsophon does with BMRT_SAVE_IO_TENSORS=1: raw bytes in input_ref_data.dat.bmrt and
output_ref_data.dat.bmrt.
"""
import json
import os
import struct
import subprocess
import sys

import cv2
import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "python"))
import xalign_dump as xd  # noqa: E402

MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def model():
    torch.manual_seed(0)
    m = torchvision.models.resnet18(weights=None)
    m.eval()
    return m


def original(photo, out, net):
    """The PyTorch program: PIL decode, Resize(256) + CenterCrop(224) (antialiased), Normalize."""
    xd.configure(out)
    img = Image.open(photo).convert("RGB")
    xd.dump("read", np.asarray(img))
    img = T.Resize(256)(img)
    xd.dump("resize", np.asarray(img))
    img = T.CenterCrop(224)(img)
    xd.dump("crop", np.asarray(img))
    x = T.Normalize(MEAN, STD)(T.ToTensor()(img))
    xd.dump("normalize", x)
    x = x.unsqueeze(0)
    xd.dump("input", x)
    with torch.no_grad():
        logits = net(x)
    xd.dump("logits", logits)
    return logits


def port(photo, out, net, fixed):
    """The port: cv2.imread, RGB, resize to the same size (cv2 INTER_LINEAR before the fix, Pillow
    bilinear as torchvision after it), centre crop, (x/255 - mean)/std in numpy, model."""
    xd.configure(out)
    img = cv2.imread(photo)[:, :, ::-1]  # BGR -> RGB
    xd.dump("read", np.ascontiguousarray(img))
    h, w = img.shape[:2]
    tw, th = (256, int(256 * h / w)) if w <= h else (int(256 * w / h), 256)
    if fixed:
        img = np.asarray(Image.fromarray(np.ascontiguousarray(img)).resize((tw, th), Image.BILINEAR))
    else:
        img = cv2.resize(np.ascontiguousarray(img), (tw, th))
    xd.dump("resize", img)
    top, left = int(round((th - 224) / 2.0)), int(round((tw - 224) / 2.0))
    img = img[top:top + 224, left:left + 224]
    xd.dump("crop", np.ascontiguousarray(img))
    x = ((img.astype(np.float32) / np.float32(255) - np.array(MEAN, np.float32)) / np.array(STD, np.float32))
    x = np.ascontiguousarray(x.transpose(2, 0, 1))
    xd.dump("normalize", x)
    x = x[None]
    with open(os.path.join(out, "input_ref_data.dat.bmrt"), "wb") as f:
        f.write(x.astype(np.float32).tobytes())
    with torch.no_grad():
        logits = net.double()(torch.from_numpy(x).double()).float()
        net.float()
    with open(os.path.join(out, "output_ref_data.dat.bmrt"), "wb") as f:
        f.write(logits.numpy().astype(np.float32).tobytes())
    return logits


def write_bmodel(path):
    """A metadata-only .bmodel for the port's FP32 model (input [1,3,224,224] "input", output
    [1,1000] "logits"), built with flatc from the schema subset in tests/data/bmodel so that
    `--bmodel` can split the BMRT dumps by tensor name, as with a real compiled model."""
    model = {"type": "B", "version": "2.2+xalign-demo", "time": "built by examples/resnet/make_dumps.py",
             "chip": "BM1684X",
             "net": [{"name": "resnet18", "parameter": [{
                 "input_tensor": [{"name": "input", "data_type": 0, "shape": [{"dim": [1, 3, 224, 224]}], "size": 602112}],
                 "output_tensor": [{"name": "logits", "data_type": 0, "shape": [{"dim": [1, 1000]}], "size": 4000}],
                 "ctx_size": 1204224}]}]}
    tmp = path + ".d"
    os.makedirs(tmp, exist_ok=True)
    with open(os.path.join(tmp, "m.json"), "w") as f:
        json.dump(model, f)
    schema = os.path.join(HERE, "..", "..", "tests", "data", "bmodel", "bmodel.fbs")
    subprocess.run(["flatc", "-b", "-o", tmp, schema, os.path.join(tmp, "m.json")], check=True)
    fb = open(os.path.join(tmp, "m.bin"), "rb").read()
    with open(path, "wb") as f:  # 64-byte header: magic, header size, flatbuffer size, binary size
        f.write(struct.pack("<4I", 0xFF55AAEE, 64, len(fb), 0) + bytes(48) + fb)
    for n in os.listdir(tmp):
        os.remove(os.path.join(tmp, n))
    os.rmdir(tmp)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else HERE
    photo = os.path.join(HERE, "butterfly.jpg")
    net = model()
    torch.set_num_threads(1)
    lo = original(photo, os.path.join(out, "ref"), net)
    lp = port(photo, os.path.join(out, "port"), net, fixed=False)
    lf = port(photo, os.path.join(out, "port_fixed"), net, fixed=True)
    write_bmodel(os.path.join(out, "resnet18_fp32.bmodel"))
    for name, l in (("original", lo), ("port", lp), ("fixed port", lf)):
        print(f"{name:10s}: res {int(l.argmax())}, score {float(l.max()):.6f}")


if __name__ == "__main__":
    main()
