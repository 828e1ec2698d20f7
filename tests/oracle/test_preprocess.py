"""`xalign preprocess --recipe R` against the programs the recipes model, run with Debian's
torchvision/Pillow/OpenCV/numpy on the same images: 0 differing values."""
import os

import cv2
import numpy as np
import torch
import torchvision.transforms as T
from PIL import Image
from xa_testlib import DATA, SOURCE_DIR, Checker, run
from xa_yolo import yolo_letterbox

ck = Checker("preprocess")
MEAN, STD = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]


def torchvision_resnet(path, size=224, resize=256, mean=MEAN, std=STD):
    img = Image.open(path).convert("RGB")
    x = T.Compose([T.Resize(resize), T.CenterCrop(size), T.ToTensor(), T.Normalize(mean, std)])(img)
    return x.unsqueeze(0).numpy()


def resnet_opencv(path, size=224, mean=MEAN, std=STD):
    # sophon-demo resnet_opencv.py preprocess
    img = cv2.imread(path)
    img = cv2.resize(img, (size, size))
    img = cv2.cvtColor(img, cv2.COLOR_BGR2RGB)
    img = img.astype("float32")
    img = (img / 255 - np.array(mean).reshape((1, 1, 3))) / np.array(std).reshape((1, 1, 3))
    img = np.transpose(img, (2, 0, 1))
    return np.expand_dims(img, 0).astype(np.float32)


def yolov5(path, size=640):
    im0 = cv2.imread(path)
    im, _ = yolo_letterbox(im0, (size, size), (114, 114, 114), False, False, True, 32)
    im = im.transpose((2, 0, 1))[::-1]
    im = np.ascontiguousarray(im)
    x = torch.from_numpy(im).float() / 255
    return x[None].numpy()


images = sorted(os.path.join(DATA, f) for f in os.listdir(DATA) if f.endswith(".jpg"))
images.append(os.path.join(SOURCE_DIR, "examples", "resnet", "butterfly.jpg"))
rng = np.random.default_rng(11)
for i in range(6):  # odd sizes, smaller and larger than the network input
    h, w = int(rng.integers(40, 900)), int(rng.integers(40, 900))
    p = ck.path(f"gen{i}.jpg")
    Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8)).save(p, quality=90)
    images.append(p)

cases = [("torchvision-resnet", torchvision_resnet, []), ("resnet-opencv", resnet_opencv, []),
         ("yolov5-letterbox", yolov5, []),
         ("torchvision-resnet", lambda p: torchvision_resnet(p, 160, 180, [0.5] * 3, [0.25] * 3),
          ["--size", "160", "--short", "180", "--mean", "0.5,0.5,0.5", "--std", "0.25,0.25,0.25"]),
         ("yolov5-letterbox", lambda p: yolov5(p, 320), ["--size", "320"])]
for recipe, fn, extra in cases:
    bad = 0
    for path in images:
        if recipe == "torchvision-resnet" and Image.open(path).mode not in ("RGB", "L"):
            continue
        out = ck.path("out.npy")
        rc, so, se = run("preprocess", path, out, "--recipe", recipe, *extra)
        if not ck.check(rc == 0, f"{recipe} {path}: rc {rc} {se}"):
            bad += 1
            continue
        want = fn(path)
        got = np.load(out)
        same = got.dtype == want.dtype and got.shape == want.shape and np.array_equal(got, want)
        if not same:
            bad += 1
            diff = np.abs(got.astype(np.float64) - want) if got.shape == want.shape else None
            print(f"  {recipe} {os.path.basename(path)}: shapes {got.shape} {want.shape}, "
                  f"max diff {None if diff is None else diff.max()}, differing {None if diff is None else int((diff > 0).sum())}")
        ck.check(same, f"{recipe} {extra} {os.path.basename(path)}: 0 differing values")
    print(f"{recipe} {' '.join(extra)}: cases {len(images)}, mismatches {bad}")

rc, so, se = run("preprocess", images[0], ck.path("o.npy"), "--recipe", "nope")
ck.check(rc == 2 and "unknown recipe" in se, f"unknown recipe: {se}")
rc, so, se = run("preprocess", images[0], ck.path("o.npy"), "--recipe", "torchvision-resnet", "--json")
ck.check(rc == 0 and '"steps"' in so and "T.CenterCrop(224)" in so, f"--json lists the steps: {so}")
ck.done()
