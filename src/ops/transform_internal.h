/* Transforms other than resampling (private): channel iteration, constants, windows. */
#ifndef XA_TRANSFORM_INTERNAL_H
#define XA_TRANSFORM_INTERNAL_H

#include "image_view.h"

/* Channel of consecutive flat elements: for (i = 0; i < count; i++, xa_chan_next(&it)) uses
 * it.c as the channel of element i (HWC: cycles every element; CHW: every H*W elements). */
typedef struct {
    int64_t inner, nc, k, c;
} xa_chan_iter;
static inline xa_chan_iter xa_chan_start(const xa_img_view *v) {
    xa_chan_iter it = {v->layout == XA_LAYOUT_HWC ? 1 : v->h * v->w, v->c, 0, 0};
    return it;
}
static inline void xa_chan_next(xa_chan_iter *it) {
    if (++it->k == it->inner) {
        it->k = 0;
        if (++it->c == it->nc) it->c = 0;
    }
}

/* Per-channel constants: n must be 1 (broadcast) or the channel count. */
xa_status xa_check_channel_consts(const xa_img_view *v, int n, const void *a, const void *b,
                                  const char *op, xa_error *err);

/* Copy a window of the image with constant fill outside it (the core of crop, pad, letterbox).
 * `fill_px` holds one fill element per channel, already in the image dtype. */
xa_status xa_window_copy(const xa_tensor *src, const xa_img_view *v, int64_t top, int64_t left,
                         int64_t oh, int64_t ow, const unsigned char *fill_px, xa_tensor **out,
                         xa_error *err);
/* cv::Scalar -> one element per channel of `dtype` (uint8: cvRound half to even + saturation;
 * float32: nearest float; other dtypes only for an all-zero fill). */
xa_status xa_fill_pixel(xa_dtype dtype, int64_t c, const double *fill, int nfill, const char *op,
                        unsigned char **px, xa_error *err);

#endif
