"""One example input and parameter set per registered operation, shared by the tests that must
cover every operation of the registry (tests/cli/test_registry.py, tests/oracle/test_python.py).
An operation added to the registry without an example here fails those tests."""
import numpy as np
from PIL import Image


def op_examples(path):
    """(img, chw, photo, examples): examples maps an operation to (input array, "photo", or a
    dict {input name: array} for operations of several inputs, {key: value text}); `path(name)`
    gives a scratch file name."""
    rng = np.random.default_rng(5)
    img = rng.integers(0, 256, (24, 32, 3), dtype=np.uint8)
    chw = (img.transpose(2, 0, 1) / np.float32(255)).astype(np.float32)
    boxes = np.concatenate([rng.uniform(0, 60, (7, 4)), rng.uniform(0, 1, (7, 2))], axis=1).astype(np.float32)
    boxes[:, 2:4] += boxes[:, 0:2]
    xywh = boxes[:, :4].copy()
    xywh[:, 2:4] -= xywh[:, 0:2]
    pred = np.concatenate([rng.uniform(10, 50, (1, 40, 2)), rng.uniform(2, 20, (1, 40, 2)),
                           rng.uniform(0, 1, (1, 40, 4))], axis=2).astype(np.float32)
    photo = path("photo.jpg")
    Image.fromarray(img).save(photo, quality=90)
    examples = {
        "decode": ("photo", {"like": "cv2"}),
        "resize": (img, {"method": "pil-bicubic", "size": "20x10"}),
        "tv-resize": (img, {"short": "12"}),
        "center-crop": (img, {"size": "16"}),
        "crop": (img, {"top": "-2", "left": "3", "size": "10x30", "value": "7,8,9"}),
        "pad": (img, {"pad": "1,2,3,4", "value": "114"}),
        "to-tensor": (img, {}),
        "normalize": (chw, {"mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225"}),
        "to-tensor-normalize": (img, {"mean": "0.5", "std": "0.25"}),
        "numpy-normalize": (img, {"mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225", "form": "div",
                                  "out-dtype": "f32"}),
        "convert-to": (img, {"mean": "0.485,0.456,0.406", "std": "0.229,0.224,0.225", "input-scale": "0.5"}),
        "bgr2rgb": (img, {}),
        "rgb2bgr": (chw, {"layout": "chw"}),
        "hwc2chw": (img, {}),
        "chw2hwc": (chw, {}),
        "add-batch": (img, {}),
        "to-f32": (img, {}),
        "letterbox-yolov5": (img, {"size": "64x48", "auto": "false", "color": "1,2,3"}),
        "letterbox-sail": (img, {"size": "40"}),
        "scale-boxes": (boxes, {"from": "64x64", "to": "100x80", "round": "true"}),
        "quantize-int8": (chw, {"scale": "60.5", "rounding": "half-even"}),
        "torchvision-nms": ({"boxes": boxes[:, :4].copy(), "scores": boxes[:, 4].copy(),
                             "idxs": (boxes[:, 5] * 3).astype(np.int64)}, {"iou": "0.3"}),
        "cv2-nms": ({"boxes": xywh, "scores": boxes[:, 4].copy()}, {"iou": "0.3", "score-threshold": "0.2"}),
        "yolov5-nms": (pred, {"conf": "0.2", "iou": "0.5", "multi-label": "true"}),
        "box-convert": (boxes[:, :4].copy(), {"from": "xyxy", "to": "xywh"}),
    }
    return img, chw, photo, examples
