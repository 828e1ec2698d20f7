/* Colour order and layout changes: pure element moves (any dtype), plus the plain float32 cast. */
#include "transform_internal.h"

#include <stdlib.h>
#include <string.h>

/* cv2.cvtColor(COLOR_BGR2RGB / BGRA2RGBA) and img[..., ::-1] on 3 channels, or the same on the
 * channel axis of a tensor: channels 0 and 2 exchanged, everything else copied. */
xa_status xa_swap_rb(const xa_tensor *src, xa_layout layout, xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st = xa_img_view_of(src, layout, 0, "bgr2rgb", &v, err);
    if (st) return st;
    if (v.rank < 3 || (v.c != 3 && v.c != 4))
        return xa_fail(err, XA_EINVAL,
                       "bgr2rgb: needs 3 or 4 channels on the %s channel axis, got %lld",
                       layout == XA_LAYOUT_HWC ? "last" : "C", (long long)(v.rank < 3 ? 1 : v.c));
    if ((st = xa_tensor_dup_native(src, out, err))) return st;
    unsigned char *d = (*out)->data;
    const unsigned char *s = src->data;
    size_t es = v.es;
    if (layout == XA_LAYOUT_HWC) {
        int64_t npx = v.n * v.h * v.w;
        for (int64_t p = 0; p < npx; p++) {
            size_t base = (size_t)(p * v.c) * es;
            memcpy(d + base, s + base + 2 * es, es);
            memcpy(d + base + 2 * es, s + base, es);
        }
    } else {
        size_t plane = (size_t)(v.h * v.w) * es;
        for (int64_t b = 0; b < v.n; b++) {
            size_t base = (size_t)(b * v.c) * plane;
            memcpy(d + base, s + base + 2 * plane, plane);
            memcpy(d + base + 2 * plane, s + base, plane);
        }
    }
    return XA_OK;
}

/* HWC <-> CHW for one image or a batch: element (b, y, x, c) moves between
 * ((b*H + y)*W + x)*C + c and ((b*C + c)*H + y)*W + x. */
static xa_status transpose_hwc(const xa_tensor *src, int to_chw, xa_tensor **out, xa_error *err) {
    const char *op = to_chw ? "hwc2chw" : "chw2hwc";
    *out = NULL;
    xa_img_view v;
    xa_status st = xa_img_view_of(src, to_chw ? XA_LAYOUT_HWC : XA_LAYOUT_CHW, 0, op, &v, err);
    if (st) return st;
    if (v.rank < 3)
        return xa_fail(err, XA_EINVAL, "%s: needs a channel axis (rank 3 or 4), got rank %d", op,
                       v.rank);
    xa_img_view ov = v;
    ov.layout = to_chw ? XA_LAYOUT_CHW : XA_LAYOUT_HWC;
    if ((st = xa_img_new(&ov, v.dtype, v.h, v.w, 1, out, err))) return st;
    const unsigned char *s = src->data;
    unsigned char *d = (*out)->data;
    size_t es = v.es;
    int64_t hw = v.h * v.w;
    for (int64_t b = 0; b < v.n; b++)
        for (int64_t i = 0; i < hw; i++)
            for (int64_t c = 0; c < v.c; c++) {
                size_t hwc = (size_t)((b * hw + i) * v.c + c) * es,
                       chw = (size_t)((b * v.c + c) * hw + i) * es;
                if (to_chw)
                    memcpy(d + chw, s + hwc, es);
                else
                    memcpy(d + hwc, s + chw, es);
            }
    return XA_OK;
}

xa_status xa_hwc_to_chw(const xa_tensor *src, xa_tensor **out, xa_error *err) {
    return transpose_hwc(src, 1, out, err);
}

xa_status xa_chw_to_hwc(const xa_tensor *src, xa_tensor **out, xa_error *err) {
    return transpose_hwc(src, 0, out, err);
}

xa_status xa_add_batch(const xa_tensor *src, xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (!src) return xa_fail(err, XA_EINVAL, "add-batch: no input tensor");
    if (src->rank >= XA_MAX_RANK)
        return xa_fail(err, XA_ELIMIT, "add-batch: rank %d is the maximum", src->rank);
    xa_status st = xa_tensor_dup_native(src, out, err); /* C order, native bytes */
    if (st) return st;
    xa_tensor *t = *out;
    memmove(t->shape + 1, t->shape, (size_t)t->rank * sizeof t->shape[0]);
    t->shape[0] = 1;
    t->rank++;
    return XA_OK;
}

/* numpy astype(np.float32): every value through double (exact for all accepted dtypes: integers of
 * up to 32 bits, the 16-bit floats, float32/64), then one rounding to float. */
xa_status xa_to_f32(const xa_tensor *src, xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (!src) return xa_fail(err, XA_EINVAL, "to-f32: no input tensor");
    if (src->dtype == XA_I64 || src->dtype == XA_U64 || xa_dtype_size(src->dtype) == 0)
        return xa_fail(err, XA_EINVAL,
                       "to-f32: %s is not supported (64-bit integers would round twice)",
                       xa_dtype_name(src->dtype));
    xa_tensor *c = NULL;
    xa_status st = XA_OK;
    if (src->fortran_order && src->rank > 1) { /* element order of the C layout */
        if ((st = xa_tensor_dup_native(src, &c, err))) return st;
        src = c;
    }
    if (!(st = xa_tensor_new(XA_F32, src->rank, src->shape, out, err))) {
        enum { CH = 4096 };
        double buf[CH];
        int64_t n = xa_tensor_count(src);
        size_t es = xa_dtype_size(src->dtype);
        float *d = (*out)->data;
        for (int64_t i = 0; i < n; i += CH) {
            size_t m = (size_t)(n - i < CH ? n - i : CH);
            xa_convert_to_f64(src->dtype, src->swapped,
                              (const unsigned char *)src->data + (size_t)i * es, m, buf);
            for (size_t k = 0; k < m; k++) d[i + (int64_t)k] = (float)buf[k];
        }
    }
    xa_tensor_free(c);
    return st;
}
