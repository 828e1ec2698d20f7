/* The image view (image_view.h): validation of an image tensor and outputs shaped like it. */
#include "image_view.h"

#include <string.h>

xa_status xa_img_view_of(const xa_tensor *t, xa_layout layout, unsigned dtypes, const char *op,
                         xa_img_view *v, xa_error *err) {
    memset(v, 0, sizeof *v);
    if (!t) return xa_fail(err, XA_EINVAL, "%s: no input tensor", op);
    if (layout != XA_LAYOUT_HWC && layout != XA_LAYOUT_CHW)
        return xa_fail(err, XA_EINVAL, "%s: unknown layout %d", op, (int)layout);
    if (t->rank < 2 || t->rank > 4)
        return xa_fail(err, XA_EINVAL, "%s: an image is %s; got rank %d", op,
                       layout == XA_LAYOUT_HWC ? "H x W, H x W x C or N x H x W x C"
                                               : "H x W, C x H x W or N x C x H x W",
                       t->rank);
    if (dtypes && !(dtypes & XA_DT(t->dtype)))
        return xa_fail(err, XA_EINVAL, "%s: %s input is not supported", op,
                       xa_dtype_name(t->dtype));
    if (t->fortran_order) return xa_fail(err, XA_EINVAL, "%s: image data must be in C order", op);
    if (t->swapped)
        return xa_fail(err, XA_EINVAL, "%s: image data must be in native byte order", op);
    for (int k = 0; k < t->rank; k++)
        if (t->shape[k] < 1)
            return xa_fail(err, XA_EINVAL, "%s: axis %d of the image is empty", op, k);
    const int64_t *s = t->shape;
    v->layout = layout;
    v->rank = t->rank;
    v->dtype = t->dtype;
    v->es = xa_dtype_size(t->dtype);
    v->n = t->rank == 4 ? s[0] : 1;
    if (t->rank == 2) {
        v->h = s[0], v->w = s[1], v->c = 1;
    } else if (layout == XA_LAYOUT_HWC) {
        v->h = s[t->rank - 3], v->w = s[t->rank - 2], v->c = s[t->rank - 1];
    } else {
        v->c = s[t->rank - 3], v->h = s[t->rank - 2], v->w = s[t->rank - 1];
    }
    return XA_OK;
}

xa_status xa_img_new(const xa_img_view *v, xa_dtype dtype, int64_t h, int64_t w, int zero,
                     xa_tensor **out, xa_error *err) {
    int64_t shape[4];
    int r = v->rank, k = 0;
    if (r == 4) shape[k++] = v->n;
    if (r >= 3 && v->layout == XA_LAYOUT_CHW) shape[k++] = v->c;
    shape[k++] = h;
    shape[k++] = w;
    if (r >= 3 && v->layout == XA_LAYOUT_HWC) shape[k++] = v->c;
    if (zero) return xa_tensor_new(dtype, r, shape, out, err);
    xa_status st = xa_tensor_shell(dtype, r, shape, out, err);
    if (st) return st;
    if (!((*out)->backing = xa_backing_heap((*out)->nbytes, 0))) {
        xa_tensor_free(*out);
        *out = NULL;
        return xa_fail(err, XA_ENOMEM, "out of memory for a %lldx%lld output", (long long)w,
                       (long long)h);
    }
    (*out)->data = (*out)->backing->base;
    return XA_OK;
}
