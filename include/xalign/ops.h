/* xalign ops: bit-exact reference operations of the libraries ports must match.
 * Semantics: docs/ops.md (from shared/spec/preprocessing.md), each function cites the upstream
 * function it reproduces. Images are C-order tensors H x W x C (C = 1, 3 or 4) or H x W, of
 * uint8 or float32, native byte order.
 */
#ifndef XALIGN_OPS_H
#define XALIGN_OPS_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define XA_RESIZE_MAX_DIM 65536 /* output width/height limit */

typedef enum xa_resize_method {
    XA_RESIZE_CV_NEAREST = 0,       /* cv2.INTER_NEAREST */
    XA_RESIZE_CV_NEAREST_EXACT = 1, /* cv2.INTER_NEAREST_EXACT */
    XA_RESIZE_CV_LINEAR = 2,        /* cv2.INTER_LINEAR (default of cv2.resize) */
    XA_RESIZE_CV_LINEAR_EXACT = 3,  /* cv2.INTER_LINEAR_EXACT */
    XA_RESIZE_CV_AREA = 4,          /* cv2.INTER_AREA */
    XA_RESIZE_CV_CUBIC = 5,         /* cv2.INTER_CUBIC */
    XA_RESIZE_CV_LANCZOS4 = 6,      /* cv2.INTER_LANCZOS4 */
    XA_RESIZE_PIL_NEAREST = 7,      /* PIL Image.resize(NEAREST) */
    XA_RESIZE_PIL_BOX = 8,
    XA_RESIZE_PIL_BILINEAR = 9,     /* also torchvision Resize on PIL images */
    XA_RESIZE_PIL_HAMMING = 10,
    XA_RESIZE_PIL_BICUBIC = 11,     /* Pillow's default */
    XA_RESIZE_PIL_LANCZOS = 12,
    XA_RESIZE_TORCH_BILINEAR = 13,  /* F.interpolate bilinear, align_corners=False, antialias=False,
                                       as torch 1.13's AVX2 kernel computes it (fused multiply-add);
                                       uint8 input takes torchvision's float round trip */
    XA_RESIZE_TORCH_BILINEAR_NOFMA = 14, /* the same on a CPU without AVX2 (no fusion) */
} xa_resize_method;
#define XA_RESIZE_METHOD_COUNT 15

/* "cv2-linear", "pil-bilinear", "torch-bilinear", ... */
XA_API const char *xa_resize_method_name(xa_resize_method m);
XA_API xa_status xa_resize_method_from_name(const char *name, xa_resize_method *m);

/* Resize an image to dw x dh (width x height, as cv2 takes it).
 * Pillow methods: uint8 with C = 1 (mode L), 3 (RGB), 4 (RGBA: premultiplied alpha, as Pillow);
 * float32 2-D is mode F; float32 with channels applies mode F to each channel. */
XA_API xa_status xa_resize(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                           xa_tensor **out, xa_error *err);

#ifdef __cplusplus
}
#endif
#endif
