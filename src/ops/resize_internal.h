/* Resize families (private). Each family validates its own inputs and allocates *out. */
#ifndef XA_RESIZE_INTERNAL_H
#define XA_RESIZE_INTERNAL_H

#include "image_view.h"

/* The view of an image every resize family takes: H x W or H x W x C (C = 1, 3, 4), uint8 or
 * float32, one image (no batch). Returns XA_EINVAL with a message otherwise. */
xa_status xa_resize_view_of(const xa_tensor *t, xa_img_view *v, xa_error *err);

/* OpenCV 4.6 cv::resize (resize.cpp): XA_RESIZE_CV_* */
xa_status xa_resize_cv(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                       xa_tensor **out, xa_error *err);
/* Pillow 9.4 Image.resize (Resample.c, Geometry.c): XA_RESIZE_PIL_* */
xa_status xa_resize_pil(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                        xa_tensor **out, xa_error *err);
/* torch 1.13 F.interpolate bilinear (UpSampleKernel.cpp) + torchvision's uint8 round trip */
xa_status xa_resize_torch(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                          xa_tensor **out, xa_error *err);
/* the other torch 1.13 F.interpolate modes (resize_torch_modes.c) */
xa_status xa_resize_torch_modes(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                                xa_tensor **out, xa_error *err);

#endif
