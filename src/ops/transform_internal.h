/* Transforms other than resampling (private): the image view every transform validates with. */
#ifndef XA_TRANSFORM_INTERNAL_H
#define XA_TRANSFORM_INTERNAL_H

#include "internal.h"
#include "xalign/ops.h"

/* An image tensor seen through a layout. Element (b, y, x, c) is at
 *   HWC: ((b*h + y)*w + x)*c_count + c        CHW: ((b*c_count + c)*h + y)*w + x
 * Rank 2 is H x W (one channel), rank 3 adds the channel axis, rank 4 a leading batch axis. */
typedef struct {
    xa_layout layout;
    int rank;
    int64_t n, h, w, c;
    xa_dtype dtype;
    size_t es;
} xa_img_view;

/* Validates `t` (rank 2..4, C order, native byte order, no empty axis, dtype in the bit set
 * `dtypes` of XA_DT(dtype) values, 0 for any) and fills `v`. `op` names the operation in
 * messages. */
xa_status xa_img_view_of(const xa_tensor *t, xa_layout layout, unsigned dtypes, const char *op,
                         xa_img_view *v, xa_error *err);
#define XA_DT(d) (1u << (d))

/* A new tensor shaped like the view with height/width replaced (same rank, layout, dtype). */
xa_status xa_img_new(const xa_img_view *v, xa_dtype dtype, int64_t h, int64_t w, xa_tensor **out,
                     xa_error *err);

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
