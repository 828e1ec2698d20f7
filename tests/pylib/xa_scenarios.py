"""Real pipelines with one injected mistake each, for the diagnosis tests (tests/oracle/test_diagnose.py,
the dataset test) and bench/bench_diagnose.py.

The original runs Debian's Pillow/torchvision/torch; the port runs OpenCV/numpy (or torch written the
other way). Both dump their stages with python/xalign_dump.py, exactly as a user's programs would.
Each mistake is one a port really makes (issue 8, the seed's pitfalls); MISTAKES maps it to the
pipeline it lives in, the stage where it shows first and the cause xalign must name.
"""
import copy
import os
import subprocess
import sys

import cv2
import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

from xa_testlib import SOURCE_DIR
from xa_yolo import yolo_geometry, yolo_letterbox

sys.path.insert(0, os.path.join(SOURCE_DIR, "python"))
import xalign_dump as xd  # noqa: E402

DATA = os.path.join(SOURCE_DIR, "tests", "data")
IMAGES = [os.path.join(SOURCE_DIR, "examples", "resnet", "butterfly.jpg"),
          os.path.join(DATA, "HappyFish.jpg"), os.path.join(DATA, "fruits.jpg"),
          os.path.join(DATA, "text_motion.jpg"), os.path.join(DATA, "Blender_Suzanne1.jpg")]
# JPEGs with 4:2:0 chroma: the only ones where fancy upsampling changes the decode
SUBSAMPLED = [IMAGES[0], IMAGES[1], IMAGES[3]]
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
# the classification pipeline: Resize((121, 160)) then CenterCrop(112): (121 - 112) / 2 = 4.5,
# which torchvision rounds half to even (4) and a port's (H - h + 1) // 2 puts at 5
RESIZE_HW, CROP = (121, 160), 112
LETTERBOX = 256

# mistake -> (pipeline, first unaligned stage, cause)
MISTAKES = {
    "cv2_resize": ("classify", "resize", "resize_method"),
    "cv2_area": ("classify", "resize", "resize_method"),
    "bgr": ("classify", "read", "channel_order"),
    "nhwc": ("classify", "input", "layout"),
    "mean_reversed": ("classify", "normalize", "normalization"),
    "no_std": ("classify", "normalize", "normalization"),
    "no_div255": ("classify", "tensor", "scale"),
    "crop_off_by_one": ("classify", "crop", "shift"),
    "f16_model": ("classify", "logits", "precision"),
    "bf16_model": ("classify", "logits", "precision"),
    "heads_swapped": ("classify", "heads", "output_order"),
    "no_fancy_upsampling": ("classify", "read", "decode_method"),
    "exif_orientation": ("classify", "read", "decode_method"),
    "truncation": ("torch", "resize", "rounding"),
    "channels_last": ("torch", "resize", "memory_format"),
    "wraparound": ("torch", "adjust", "saturation"),
    "pad_0_vs_114": ("detect", "letterbox", "padding"),
    "pad_top_left": ("detect", "letterbox", "padding"),
    "pad_split": ("detect", "letterbox", "padding"),
    "outputs_reordered": ("detect", "outputs", "output_order"),
    # mistakes no hypothesis covers: the cause must be `unknown`, never a guess
    "blur_after_resize": ("classify", "resize", "unknown"),
    "gamma": ("torch", "adjust", "unknown"),
    "retrained_head": ("classify", "logits", "unknown"),
}

torch.manual_seed(0)
HEAD = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 5, stride=4), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1),
                           torch.nn.Flatten(), torch.nn.Linear(8, 10)).eval()
with torch.no_grad():  # logits of a real classifier's size (|y| up to ~10), not ~0.1
    HEAD[4].weight.mul_(40)
HEAD_BF16 = copy.deepcopy(HEAD).to(torch.bfloat16)
DET = torch.nn.ModuleList([torch.nn.Conv2d(3, 6, 3, stride=s, padding=1) for s in (8, 16, 32)]).eval()


def head_f16(x):
    """HEAD as an f16 engine runs it: f16 weights and activations between layers (f32 accumulation),
    the logits stored as float32 (what a BModel compiled for F16 dumps after conversion)."""
    def r16(t):
        return t.half().float()
    conv, lin = HEAD[0], HEAD[4]
    y = F.conv2d(r16(x), r16(conv.weight), r16(conv.bias), stride=4)
    y = r16(torch.relu(r16(y)))
    y = r16(y.mean((2, 3)))
    return r16(F.linear(y, r16(lin.weight), r16(lin.bias)))


def logits_of(x, mistake=None):
    with torch.no_grad():
        t = torch.from_numpy(np.ascontiguousarray(x))
        if mistake == "retrained_head":  # the port ships other weights for the last layer
            lin = HEAD[4]
            y = HEAD[:4](t)
            return F.linear(y, lin.weight * 1.01 + 0.02, lin.bias).numpy()
        if mistake == "f16_model":
            return head_f16(t).numpy()
        if mistake == "bf16_model":  # the model converted to bfloat16, its output back to float32
            return HEAD_BF16(t.bfloat16()).float().numpy()
        return HEAD(t).numpy()


def softmax(y):
    e = np.exp(y - y.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def djpeg(path, *args):
    """libjpeg-turbo's own decoder (djpeg) as RGB: the C program a port might be."""
    p = subprocess.run(["djpeg", *args, "-pnm", path], capture_output=True, check=True)
    data = p.stdout
    # P6\nW H\n255\n
    parts = data.split(b"\n", 3)
    w, h = map(int, parts[1].split())
    return np.frombuffer(parts[3], np.uint8).reshape(h, w, 3).copy()


def exif_jpeg(src, dst, orientation=6):
    """A JPEG like a phone's: the pixels as stored, an EXIF orientation tag saying how to show them."""
    im = Image.open(src).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    im.save(dst, quality=92, exif=exif.tobytes())
    return dst


# ---- the classification pipeline: torchvision on PIL images vs OpenCV/numpy -------------------------
def classify_ref(out, image, sample=None):
    xd.configure(out, sample)
    img = Image.open(image).convert("RGB")
    xd.dump("read", np.asarray(img))
    img = T.Resize(RESIZE_HW)(img)
    xd.dump("resize", np.asarray(img))
    img = T.CenterCrop(CROP)(img)
    xd.dump("crop", np.asarray(img))
    x = T.ToTensor()(img)
    xd.dump("tensor", x)
    x = T.Normalize(MEAN, STD)(x)
    xd.dump("normalize", x)
    x = x.unsqueeze(0)
    xd.dump("input", x)
    y = logits_of(x.numpy())
    xd.dump("logits", y)
    xd.dump_multi("heads", logits=y, probs=softmax(y))
    xd.configure(None)


def classify_port(out, image, mistake=None, sample=None):
    xd.configure(out, sample)
    if mistake == "no_fancy_upsampling":  # a C port on libjpeg with do_fancy_upsampling = FALSE
        img = djpeg(image, "-nosmooth")
    else:
        img = cv2.imread(image, cv2.IMREAD_COLOR)  # applies the EXIF orientation
        if mistake != "bgr":
            img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    xd.dump("read", img)
    h, w = RESIZE_HW
    if mistake == "cv2_resize":
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_LINEAR)
    elif mistake == "cv2_area":
        img = cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA)
    else:
        img = np.asarray(Image.fromarray(img).resize((w, h), Image.BILINEAR))
    if mistake == "blur_after_resize":  # a smoothing filter the original does not have
        img = cv2.GaussianBlur(img, (3, 3), 0)
    xd.dump("resize", img)
    top, left = int(round((h - CROP) / 2.0)), int(round((w - CROP) / 2.0))
    if mistake == "crop_off_by_one":  # (H - h + 1) // 2: rounds 4.5 up
        top, left = (h - CROP + 1) // 2, (w - CROP + 1) // 2
    img = np.ascontiguousarray(img[top:top + CROP, left:left + CROP])
    xd.dump("crop", img)
    x = img.astype(np.float32).transpose(2, 0, 1)
    if mistake != "no_div255":
        x = x / np.float32(255)
    x = np.ascontiguousarray(x)
    xd.dump("tensor", x)
    mean = np.array(MEAN[::-1] if mistake == "mean_reversed" else MEAN, np.float32)[:, None, None]
    x = x - mean
    if mistake != "no_std":
        x = x / np.array(STD, np.float32)[:, None, None]
    xd.dump("normalize", x)
    inp = x[None]
    if mistake == "nhwc":  # the model gets NHWC bytes it reads as NCHW
        inp = np.ascontiguousarray(inp.transpose(0, 2, 3, 1))
    xd.dump("input", inp)
    y = logits_of(inp.reshape(1, 3, CROP, CROP),
                  mistake if mistake in ("f16_model", "bf16_model", "retrained_head") else None)
    xd.dump("logits", y)
    if mistake == "heads_swapped":  # list(outputs.values()) in the engine's order, named by position
        xd.dump_multi("heads", logits=softmax(y), probs=y)
    else:
        xd.dump_multi("heads", logits=y, probs=softmax(y))
    xd.configure(None)


def classify_manifest(image):
    return {"stages": {
        "read": {"op": "decode", "like": "pil", "input": os.path.abspath(image)},
        "resize": {"op": "resize", "method": "pil-bilinear", "size": f"{RESIZE_HW[1]}x{RESIZE_HW[0]}"},
        "crop": {"op": "center-crop", "size": f"{CROP}x{CROP}"},
        "tensor": {"op": "to-tensor"},
        "normalize": {"op": "normalize", "mean": MEAN, "std": STD},
        "input": {"op": "add-batch"},
        "logits": {"topk": 3}}}


# ---- a torch pipeline: F.interpolate on tensors -----------------------------------------------------
def torch_resize(img, contiguous=True, truncate=False, to_uint8=True):
    """F.interpolate on an HWC uint8 image as users write it, back to HWC uint8 the torchvision way
    (round half to even, clamp) -- or with .to(torch.uint8) alone, which truncates -- or kept float."""
    t = torch.from_numpy(img).permute(2, 0, 1)[None].float()
    if contiguous:
        t = t.contiguous()  # without it the tensor is channels-last and takes the other kernel
    y = F.interpolate(t, size=RESIZE_HW, mode="bilinear", align_corners=False)
    if not to_uint8:
        return np.ascontiguousarray(y[0].permute(1, 2, 0).numpy())
    y = y.clamp(0, 255) if truncate else y.round().clamp(0, 255)
    return np.ascontiguousarray(y.to(torch.uint8)[0].permute(1, 2, 0).numpy())


def torch_ref(out, image, sample=None, to_uint8=True):
    xd.configure(out, sample)
    img = np.asarray(Image.open(image).convert("RGB"))
    xd.dump("read", img)
    img = np.clip(img.astype(np.int16) + 60, 0, 255).astype(np.uint8)  # brighten, saturated
    xd.dump("adjust", img)
    img = torch_resize(img, to_uint8=to_uint8)
    xd.dump("resize", img)
    x = torch.from_numpy(img).permute(2, 0, 1).contiguous().float().div(255)
    xd.dump("tensor", x)
    x = T.Normalize(MEAN, STD)(x)
    xd.dump("normalize", x)
    xd.configure(None)


def torch_port(out, image, mistake=None, sample=None, to_uint8=True):
    xd.configure(out, sample)
    img = cv2.cvtColor(cv2.imread(image), cv2.COLOR_BGR2RGB)
    xd.dump("read", img)
    if mistake == "wraparound":  # uint8 arithmetic that wraps: (x + 60) mod 256
        img = (img.astype(np.int16) + 60).astype(np.uint8)
    elif mistake == "gamma":  # a brightening by a gamma curve instead of an offset
        img = np.round(255 * (img / 255.0) ** (1 / 1.4)).astype(np.uint8)
    else:
        img = np.clip(img.astype(np.int16) + 60, 0, 255).astype(np.uint8)
    xd.dump("adjust", img)
    img = torch_resize(img, contiguous=mistake != "channels_last", truncate=mistake == "truncation",
                       to_uint8=to_uint8)
    xd.dump("resize", img)
    x = torch.from_numpy(img).permute(2, 0, 1).contiguous().float().div(255)
    xd.dump("tensor", x)
    x = (x - torch.tensor(MEAN)[:, None, None]) / torch.tensor(STD)[:, None, None]
    xd.dump("normalize", x)
    xd.configure(None)


def torch_manifest(image):
    return {"stages": {
        "read": {"op": "decode", "like": "pil", "input": os.path.abspath(image)},
        "resize": {"op": "resize", "method": "torch-bilinear", "size": f"{RESIZE_HW[1]}x{RESIZE_HW[0]}"},
        "tensor": {"op": "to-tensor"},
        "normalize": {"op": "normalize", "mean": MEAN, "std": STD}}}


# ---- a detection pipeline: YOLOv5's letterbox, three heads -------------------------------------------
def detect_heads(x):
    with torch.no_grad():
        t = torch.from_numpy(x)
        return [m(t).numpy() for m in DET]


def detect_ref(out, image, sample=None):
    xd.configure(out, sample)
    im = cv2.imread(image)
    xd.dump("read", im)
    im, _ = yolo_letterbox(im, (LETTERBOX, LETTERBOX), (114, 114, 114), False, False, True, 32)
    xd.dump("letterbox", im)
    x = np.ascontiguousarray(im.transpose(2, 0, 1)[::-1]).astype(np.float32)[None] / np.float32(255)
    xd.dump("input", x)
    p3, p4, p5 = detect_heads(x)
    xd.dump_multi("outputs", p3=p3, p4=p4, p5=p5)
    xd.configure(None)


def detect_port(out, image, mistake=None, sample=None):
    xd.configure(out, sample)
    im = cv2.imread(image)
    xd.dump("read", im)
    color = (0, 0, 0) if mistake == "pad_0_vs_114" else (114, 114, 114)
    if mistake in ("pad_top_left", "pad_split"):  # resized like YOLOv5, the border placed otherwise
        g = yolo_geometry(im.shape[:2], (LETTERBOX, LETTERBOX), False, False, True, 32)
        im = cv2.resize(im, (g["new_w"], g["new_h"]), interpolation=cv2.INTER_LINEAR)
        tb, lr = g["top"] + g["bottom"], g["left"] + g["right"]
        if mistake == "pad_top_left":  # the whole border after the image
            top, left = 0, 0
        else:  # the larger half of an odd border on top (YOLOv5 puts it at the bottom)
            top, left = tb - tb // 2, lr - lr // 2
        im = cv2.copyMakeBorder(im, top, tb - top, left, lr - left, cv2.BORDER_CONSTANT, value=color)
    else:
        im, _ = yolo_letterbox(im, (LETTERBOX, LETTERBOX), color, False, False, True, 32)
    xd.dump("letterbox", im)
    x = np.ascontiguousarray(im.transpose(2, 0, 1)[::-1]).astype(np.float32)[None] / np.float32(255)
    xd.dump("input", x)
    heads = detect_heads(x)
    if mistake == "outputs_reordered":  # the engine returns p5, p4, p3; the port names them by position
        heads = heads[::-1]
    xd.dump_multi("outputs", p3=heads[0], p4=heads[1], p5=heads[2])
    xd.configure(None)


def detect_manifest(image):
    return {"stages": {
        "letterbox": {"op": "letterbox-yolov5", "size": f"{LETTERBOX}x{LETTERBOX}", "auto": False},
        "outputs": {"tolerance": {"max_abs": 1e-4}}}}


PIPELINES = {
    "classify": (classify_ref, classify_port, classify_manifest),
    "torch": (torch_ref, torch_port, torch_manifest),
    "detect": (detect_ref, detect_port, detect_manifest),
}


def build(pipeline, ref_dir, port_dir, image, mistake=None, sample=None):
    """Dump the original into ref_dir and the port (with `mistake`) into port_dir; returns the manifest
    (a dict) that describes the original."""
    ref, port, manifest = PIPELINES[pipeline]
    ref(ref_dir, image, sample)
    port(port_dir, image, mistake, sample)
    return manifest(image)
