/* The one image view of the ops layer (private): how every operation validates an image tensor
 * and reads its height, width and channels. */
#ifndef XA_IMAGE_VIEW_H
#define XA_IMAGE_VIEW_H

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

/* A new tensor shaped like the view with height/width replaced (same rank and layout), zeroed,
 * or left uninitialised with zero = 0 for kernels that write every element (zeroing a large
 * float image costs as much as resizing it). */
xa_status xa_img_new(const xa_img_view *v, xa_dtype dtype, int64_t h, int64_t w, int zero,
                     xa_tensor **out, xa_error *err);

#endif
