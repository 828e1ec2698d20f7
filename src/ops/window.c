/* Windows of an image: crop, constant padding, torchvision's CenterCrop and Resize size rule.
 * One copy routine (xa_window_copy) serves them all: a crop whose window leaves the image is a
 * pad, and a pad is a crop with a negative origin. */
#include "ops_internal.h"
#include "transform_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

xa_status xa_check_channel_consts(const xa_img_view *v, int n, const void *a, const void *b,
                                  const char *op, xa_error *err) {
    if (!a || !b) return xa_fail(err, XA_EINVAL, "%s: missing per-channel constants", op);
    if (n != 1 && (int64_t)n != v->c)
        return xa_fail(err, XA_EINVAL, "%s: %d constants for %lld channels (give 1 or %lld)%s", op,
                       n, (long long)v->c, (long long)v->c,
                       v->c > 4 && n <= 4 ? "; is the image H x W x C? this operation reads "
                                            "channels first: give it C x H x W, or use "
                                            "numpy-normalize / convert-to with layout=hwc"
                                          : "");
    if (n > XA_TRANSFORM_MAX_CHANNELS)
        return xa_fail(err, XA_ELIMIT, "%s: more than %d channels", op, XA_TRANSFORM_MAX_CHANNELS);
    return XA_OK;
}

/* ---- fill values --------------------------------------------------------------------------- */
/* OpenCV 4.6 core/saturate.hpp saturate_cast<uchar>(double): cvRound (SSE2 cvtsd2si: round half
 * to even; NaN and values outside int32 give INT_MIN), then clamped to 0..255. */
static unsigned char cv_saturate_u8(double d) {
    int iv = (d > -2147483648.5 && d < 2147483647.5) ? (int)rint(d) : INT32_MIN;
    return (unsigned char)(iv < 0 ? 0 : iv > 255 ? 255 : iv);
}

xa_status xa_fill_pixel(xa_dtype dtype, int64_t c, const double *fill, int nfill, const char *op,
                        unsigned char **px, xa_error *err) {
    size_t es = xa_dtype_size(dtype);
    *px = calloc((size_t)c, es);
    if (!*px) return xa_fail(err, XA_ENOMEM, "%s: out of memory", op);
    if (!fill || nfill < 0) nfill = 0;
    for (int64_t k = 0; k < c && k < nfill; k++) {
        double d = fill[k];
        if (dtype == XA_U8) {
            (*px)[k] = cv_saturate_u8(d);
        } else if (dtype == XA_F32) {
            float f = (float)d;
            memcpy(*px + (size_t)k * es, &f, es);
        } else if (d != 0) {
            free(*px);
            *px = NULL;
            return xa_fail(err, XA_EINVAL,
                           "%s: a non-zero fill value needs a uint8 or float32 image, not %s", op,
                           xa_dtype_name(dtype));
        }
    }
    return XA_OK;
}

/* ---- the window copy ---------------------------------------------------------------------- */
static void fill_run(unsigned char *d, int64_t count, const unsigned char *px, size_t pxsize) {
    for (int64_t i = 0; i < count; i++) memcpy(d + (size_t)i * pxsize, px, pxsize);
}

/* One row: output columns x with 0 <= left + x < w come from the source row, the rest is fill. */
static void window_row(unsigned char *d, const unsigned char *srow, int64_t left, int64_t w,
                       int64_t ow, const unsigned char *px, size_t pxsize) {
    if (!srow) {
        fill_run(d, ow, px, pxsize);
        return;
    }
    int64_t x0 = -left < 0 ? 0 : -left > ow ? ow : -left;
    int64_t x1 = w - left < x0 ? x0 : w - left > ow ? ow : w - left;
    fill_run(d, x0, px, pxsize);
    if (x1 > x0)
        memcpy(d + (size_t)x0 * pxsize, srow + (size_t)(left + x0) * pxsize,
               (size_t)(x1 - x0) * pxsize);
    fill_run(d + (size_t)x1 * pxsize, ow - x1, px, pxsize);
}

#define XA_WINDOW_MAX_OFFSET ((int64_t)1 << 40) /* keeps top + y and left + x far from overflow */

xa_status xa_window_copy(const xa_tensor *src, const xa_img_view *v, int64_t top, int64_t left,
                         int64_t oh, int64_t ow, const unsigned char *fill_px, xa_tensor **out,
                         xa_error *err) {
    *out = NULL;
    if (oh < 1 || ow < 1 || oh > XA_TRANSFORM_MAX_DIM || ow > XA_TRANSFORM_MAX_DIM)
        return xa_fail(err, XA_EINVAL, "output size %lldx%lld is outside 1..%d", (long long)ow,
                       (long long)oh, XA_TRANSFORM_MAX_DIM);
    if (top < -XA_WINDOW_MAX_OFFSET || top > XA_WINDOW_MAX_OFFSET || left < -XA_WINDOW_MAX_OFFSET ||
        left > XA_WINDOW_MAX_OFFSET)
        return xa_fail(err, XA_EINVAL, "window origin (%lld, %lld) is out of range", (long long)top,
                       (long long)left);
    uint64_t bytes = (uint64_t)oh * (uint64_t)ow * (uint64_t)v->c * (uint64_t)v->n * v->es;
    xa_status st = xa_ops_check_output(bytes, ow, oh, err);
    if (st) return st;
    xa_tensor *o;
    st = xa_img_new(v, v->dtype, oh, ow, 1, &o, err);
    if (st) return st;
    const unsigned char *s = src->data;
    unsigned char *d = o->data;
    size_t es = v->es;
    if (v->layout == XA_LAYOUT_HWC) {
        size_t px = (size_t)v->c * es; /* one pixel: all its channels */
        for (int64_t b = 0; b < v->n; b++)
            for (int64_t y = 0; y < oh; y++) {
                int64_t sy = top + y;
                const unsigned char *srow =
                    sy < 0 || sy >= v->h ? NULL : s + (size_t)((b * v->h + sy) * v->w) * px;
                window_row(d + (size_t)((b * oh + y) * ow) * px, srow, left, v->w, ow, fill_px, px);
            }
    } else {
        for (int64_t p = 0; p < v->n * v->c; p++) { /* one plane per (batch, channel) */
            const unsigned char *fpx = fill_px + (size_t)(p % v->c) * es;
            for (int64_t y = 0; y < oh; y++) {
                int64_t sy = top + y;
                const unsigned char *srow =
                    sy < 0 || sy >= v->h ? NULL : s + (size_t)((p * v->h + sy) * v->w) * es;
                window_row(d + (size_t)((p * oh + y) * ow) * es, srow, left, v->w, ow, fpx, es);
            }
        }
    }
    *out = o;
    return XA_OK;
}

/* ---- crop and pad ------------------------------------------------------------------------- */
static xa_status crop_fill(const xa_tensor *src, xa_layout layout, int64_t top, int64_t left,
                           int64_t h, int64_t w, const double *fill, int nfill, const char *op,
                           xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st = xa_img_view_of(src, layout, 0, op, &v, err);
    if (st) return st;
    unsigned char *px;
    if ((st = xa_fill_pixel(v.dtype, v.c, fill, nfill, op, &px, err))) return st;
    st = xa_window_copy(src, &v, top, left, h, w, px, out, err);
    free(px);
    if (st) xa_error_prefix(err, op);
    return st;
}

xa_status xa_crop(const xa_tensor *src, xa_layout layout, int64_t top, int64_t left, int64_t h,
                  int64_t w, const double *fill, int nfill, xa_tensor **out, xa_error *err) {
    return crop_fill(src, layout, top, left, h, w, fill, nfill, "crop", out, err);
}

xa_status xa_pad_constant(const xa_tensor *src, xa_layout layout, int64_t top, int64_t bottom,
                          int64_t left, int64_t right, const double *value, int nvalue,
                          xa_tensor **out, xa_error *err) {
    *out = NULL;
    int64_t p[4] = {top, bottom, left, right};
    for (int k = 0; k < 4; k++)
        if (p[k] < 0 || p[k] > XA_TRANSFORM_MAX_DIM)
            return xa_fail(err, XA_EINVAL,
                           "pad: border sizes must be in 0..%d (got %lld, %lld, %lld, %lld)",
                           XA_TRANSFORM_MAX_DIM, (long long)top, (long long)bottom, (long long)left,
                           (long long)right);
    xa_img_view v;
    xa_status st = xa_img_view_of(src, layout, 0, "pad", &v, err);
    if (st) return st;
    return crop_fill(src, layout, -top, -left, v.h + top + bottom, v.w + left + right, value,
                     nvalue, "pad", out, err);
}

/* ---- torchvision CenterCrop ---------------------------------------------------------------- */
/* torchvision 0.14 transforms/functional.py center_crop: pad with zeros when the crop is larger,
 * then crop at int(round((H - th) / 2.0)) — Python's round, half to even (rint). */
xa_status xa_tv_center_crop_geometry(int64_t h, int64_t w, int64_t th, int64_t tw,
                                     xa_center_crop_geom *g, xa_error *err) {
    if (th < 1 || tw < 1 || th > XA_TRANSFORM_MAX_DIM || tw > XA_TRANSFORM_MAX_DIM)
        return xa_fail(err, XA_EINVAL, "center-crop: crop size %lldx%lld is outside 1..%d",
                       (long long)tw, (long long)th, XA_TRANSFORM_MAX_DIM);
    if (h < 1 || w < 1 || h > XA_WINDOW_MAX_OFFSET || w > XA_WINDOW_MAX_OFFSET)
        return xa_fail(err, XA_EINVAL, "center-crop: image size %lldx%lld is out of range",
                       (long long)w, (long long)h);
    g->pad_left = tw > w ? (tw - w) / 2 : 0;
    g->pad_top = th > h ? (th - h) / 2 : 0;
    g->pad_right = tw > w ? (tw - w + 1) / 2 : 0;
    g->pad_bottom = th > h ? (th - h + 1) / 2 : 0;
    int64_t ph = h + g->pad_top + g->pad_bottom, pw = w + g->pad_left + g->pad_right;
    g->top = (int64_t)rint((double)(ph - th) / 2.0);
    g->left = (int64_t)rint((double)(pw - tw) / 2.0);
    g->height = th;
    g->width = tw;
    return XA_OK;
}

xa_status xa_tv_center_crop(const xa_tensor *src, xa_layout layout, int64_t th, int64_t tw,
                            xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_center_crop_geom g;
    xa_status st = xa_img_view_of(src, layout, 0, "center-crop", &v, err);
    if (!st) st = xa_tv_center_crop_geometry(v.h, v.w, th, tw, &g, err);
    if (st) return st;
    /* cropping the zero-padded image at (top, left) is cropping the original at
     * (top - pad_top, left - pad_left) with zeros outside it */
    return crop_fill(src, layout, g.top - g.pad_top, g.left - g.pad_left, th, tw, NULL, 0,
                     "center-crop", out, err);
}

/* ---- torchvision Resize(int) size rule --------------------------------------------------------
 */
#define XA_TV_SIZE_LIMIT ((int64_t)1 << 26) /* products stay below 2^53: exact in double */

xa_status xa_tv_resize_size(int64_t w, int64_t h, int64_t size, int64_t max_size, int64_t *ow,
                            int64_t *oh, xa_error *err) {
    if (w < 1 || h < 1 || w > XA_TV_SIZE_LIMIT || h > XA_TV_SIZE_LIMIT)
        return xa_fail(err, XA_EINVAL, "resize-size: image size %lldx%lld is outside 1..%lld",
                       (long long)w, (long long)h, (long long)XA_TV_SIZE_LIMIT);
    if (size < 1 || size > XA_TV_SIZE_LIMIT || max_size < 0 || max_size > XA_TV_SIZE_LIMIT)
        return xa_fail(err, XA_EINVAL, "resize-size: size %lld / max_size %lld out of range",
                       (long long)size, (long long)max_size);
    /* torchvision 0.14 _compute_resized_output_size: short, long = (w, h) if w <= h else (h, w);
     * new_long = int(size * long / short): an exact integer product, one correctly rounded
     * division (Python's int / int), truncation */
    int64_t shortside = w <= h ? w : h, longside = w <= h ? h : w;
    int64_t new_short = size, new_long = (int64_t)((double)(size * longside) / (double)shortside);
    if (max_size > 0) {
        if (max_size <= size)
            return xa_fail(
                err, XA_EINVAL,
                "resize-size: max_size = %lld must be strictly greater than the requested "
                "size for the smaller edge size = %lld",
                (long long)max_size, (long long)size);
        if (new_long > max_size) {
            new_short = (int64_t)((double)(max_size * new_short) / (double)new_long);
            new_long = max_size;
        }
    }
    *ow = w <= h ? new_short : new_long;
    *oh = w <= h ? new_long : new_short;
    return XA_OK;
}

xa_status xa_tv_resize(const xa_tensor *src, int64_t size, int64_t max_size, xa_resize_method m,
                       xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view v;
    xa_status st =
        xa_img_view_of(src, XA_LAYOUT_HWC, XA_DT(XA_U8) | XA_DT(XA_F32), "tv-resize", &v, err);
    if (st) return st;
    if (v.rank == 4)
        return xa_fail(err, XA_EINVAL, "tv-resize: one image (H x W x C), not a batch");
    int64_t ow, oh;
    if ((st = xa_tv_resize_size(v.w, v.h, size, max_size, &ow, &oh, err))) return st;
    if (ow == v.w && oh == v.h)
        return xa_tensor_dup_native(src, out, err); /* F.resize returns img */
    return xa_resize(src, ow, oh, m, out, err);
}
