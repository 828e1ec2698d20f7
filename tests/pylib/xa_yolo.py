"""YOLOv5 v7.0 letterbox as the real code computes it (utils/augmentations.py), for oracle tests."""
import cv2
import numpy as np


def yolo_geometry(shape, new_shape=(640, 640), auto=True, scaleFill=False, scaleup=True, stride=32):
    # the arithmetic of ultralytics/yolov5 v7.0 letterbox(), line for line
    if isinstance(new_shape, int):
        new_shape = (new_shape, new_shape)
    r = min(new_shape[0] / shape[0], new_shape[1] / shape[1])
    if not scaleup:
        r = min(r, 1.0)
    ratio = r, r
    new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r))
    dw, dh = new_shape[1] - new_unpad[0], new_shape[0] - new_unpad[1]
    if auto:
        dw, dh = np.mod(dw, stride), np.mod(dh, stride)
    elif scaleFill:
        dw, dh = 0.0, 0.0
        new_unpad = (new_shape[1], new_shape[0])
        ratio = new_shape[1] / shape[1], new_shape[0] / shape[0]
    dw /= 2
    dh /= 2
    resized = shape[::-1] != new_unpad
    top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1))
    left, right = int(round(dw - 0.1)), int(round(dw + 0.1))
    return dict(new_w=new_unpad[0], new_h=new_unpad[1], top=top, bottom=bottom, left=left, right=right,
                out_w=new_unpad[0] + left + right, out_h=new_unpad[1] + top + bottom, ratio_w=float(ratio[0]),
                ratio_h=float(ratio[1]), dw=float(dw), dh=float(dh), resized=bool(resized))


def yolo_letterbox(im, new_shape, color, auto, scaleFill, scaleup, stride):
    g = yolo_geometry(im.shape[:2], new_shape, auto, scaleFill, scaleup, stride)
    if g["resized"]:
        im = cv2.resize(im, (g["new_w"], g["new_h"]), interpolation=cv2.INTER_LINEAR)
    return cv2.copyMakeBorder(im, g["top"], g["bottom"], g["left"], g["right"], cv2.BORDER_CONSTANT, value=color), g
