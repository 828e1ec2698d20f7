/* Resize families (private). Each family validates its own inputs and allocates *out. */
#ifndef XA_RESIZE_INTERNAL_H
#define XA_RESIZE_INTERNAL_H

#include "internal.h"
#include "xalign/ops.h"

/* Image geometry of a tensor: H x W x C or H x W. Returns XA_EINVAL with a message otherwise. */
typedef struct {
    int64_t h, w, c;
    xa_dtype dtype;
} xa_image_geom;
xa_status xa_image_geom_of(const xa_tensor *t, xa_image_geom *g, xa_error *err);
/* A new output image with the input's rank/layout and the given size. zero = 0 leaves it
 * uninitialised, for kernels that write every element (zeroing a large float image costs as much
 * as resizing it). */
xa_status xa_image_new_like(const xa_tensor *src, int64_t w, int64_t h, int zero, xa_tensor **out,
                            xa_error *err);

/* OpenCV 4.6 cv::resize (resize.cpp): XA_RESIZE_CV_* */
xa_status xa_resize_cv(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                       xa_tensor **out, xa_error *err);
/* Pillow 9.4 Image.resize (Resample.c, Geometry.c): XA_RESIZE_PIL_* */
xa_status xa_resize_pil(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                        xa_tensor **out, xa_error *err);
/* torch 1.13 F.interpolate bilinear (UpSampleKernel.cpp) + torchvision's uint8 round trip */
xa_status xa_resize_torch(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                          xa_tensor **out, xa_error *err);

#endif
