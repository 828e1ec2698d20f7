/* Letterboxes (YOLOv5 v7.0 and sophon-demo's sail version) and YOLOv5's scale_boxes.
 * Geometry is computed on its own (tested against the Python formulas); the application resizes
 * with xa_resize only when the size changes, then copies into a constant-filled canvas. */
#include "transform_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* source sizes: products with ratios stay exact enough */
#define XA_LB_MAX_SRC ((int64_t)1 << 26)

static xa_status check_sizes(const char *op, int64_t w, int64_t h, int64_t nw, int64_t nh,
                             xa_error *err) {
    if (w < 1 || h < 1 || w > XA_LB_MAX_SRC || h > XA_LB_MAX_SRC)
        return xa_fail(err, XA_EINVAL, "%s: image size %lldx%lld is outside 1..%lld", op,
                       (long long)w, (long long)h, (long long)XA_LB_MAX_SRC);
    if (nw < 1 || nh < 1 || nw > XA_TRANSFORM_MAX_DIM || nh > XA_TRANSFORM_MAX_DIM)
        return xa_fail(err, XA_EINVAL, "%s: target size %lldx%lld is outside 1..%d", op,
                       (long long)nw, (long long)nh, XA_TRANSFORM_MAX_DIM);
    return XA_OK;
}

/* Common start of a geometry: options and result present, sizes in range, g reset. */
static xa_status geometry_start(const char *op, const void *o, int64_t w, int64_t h, int64_t nw,
                                int64_t nh, xa_letterbox_geom *g, xa_error *err) {
    if (!o || !g) return xa_fail(err, XA_EINVAL, "%s: missing options or result", op);
    xa_status st = check_sizes(op, w, h, nw, nh, err);
    if (st) return st;
    memset(g, 0, sizeof *g);
    g->src_w = w, g->src_h = h;
    return XA_OK;
}

static xa_status check_new_size(const char *op, const xa_letterbox_geom *g, xa_error *err) {
    if (g->new_w < 1 || g->new_h < 1)
        return xa_fail(
            err, XA_EINVAL, "%s: a %lldx%lld image would be resized to %lldx%lld (empty)", op,
            (long long)g->src_w, (long long)g->src_h, (long long)g->new_w, (long long)g->new_h);
    return XA_OK;
}

/* ---- YOLOv5 ------------------------------------------------------------------------------------
 */
void xa_yolov5_letterbox_defaults(xa_yolov5_letterbox_opts *o) {
    memset(o, 0, sizeof *o);
    o->new_w = o->new_h = 640;
    o->auto_pad = 1;
    o->scaleup = 1;
    o->stride = 32;
    o->color[0] = o->color[1] = o->color[2] = 114;
    o->ncolor = 3;
    o->method = XA_RESIZE_CV_LINEAR;
}

/* ultralytics/yolov5 v7.0 utils/augmentations.py letterbox(). Python floats are doubles and
 * round() is half to even, which is rint() in the default rounding mode. */
xa_status xa_yolov5_letterbox_geometry(int64_t w, int64_t h, const xa_yolov5_letterbox_opts *o,
                                       xa_letterbox_geom *g, xa_error *err) {
    const char *op = "letterbox-yolov5";
    xa_status st = geometry_start(op, o, w, h, o ? o->new_w : 0, o ? o->new_h : 0, g, err);
    if (st) return st;
    if (o->auto_pad && (o->stride < 1 || o->stride > XA_TRANSFORM_MAX_DIM))
        return xa_fail(err, XA_EINVAL, "%s: stride %lld is outside 1..%d", op, (long long)o->stride,
                       XA_TRANSFORM_MAX_DIM);
    /* r = min(new_shape[0] / shape[0], new_shape[1] / shape[1]); capped at 1.0 without scaleup */
    double rh = (double)o->new_h / (double)h, rw = (double)o->new_w / (double)w;
    double r = rh < rw ? rh : rw;
    if (!o->scaleup && r > 1.0) r = 1.0;
    g->ratio_w = g->ratio_h = r;
    /* new_unpad = int(round(shape[1] * r)), int(round(shape[0] * r)) */
    g->new_w = (int64_t)rint((double)w * r);
    g->new_h = (int64_t)rint((double)h * r);
    int64_t dw = o->new_w - g->new_w, dh = o->new_h - g->new_h;
    if (o->auto_pad) { /* np.mod: the remainder takes the sign of the stride */
        dw = ((dw % o->stride) + o->stride) % o->stride;
        dh = ((dh % o->stride) + o->stride) % o->stride;
    } else if (o->scale_fill) {
        dw = dh = 0;
        g->new_w = o->new_w, g->new_h = o->new_h;
        g->ratio_w = (double)o->new_w / (double)w;
        g->ratio_h = (double)o->new_h / (double)h;
    }
    g->dw = (double)dw / 2; /* dw /= 2: exact */
    g->dh = (double)dh / 2;
    if ((st = check_new_size(op, g, err))) return st;
    g->resized = g->new_w != w || g->new_h != h;
    /* top, bottom = int(round(dh - 0.1)), int(round(dh + 0.1)): an x.5 pad puts the extra pixel
     * at the bottom/right */
    g->top = (int64_t)rint(g->dh - 0.1);
    g->bottom = (int64_t)rint(g->dh + 0.1);
    g->left = (int64_t)rint(g->dw - 0.1);
    g->right = (int64_t)rint(g->dw + 0.1);
    g->out_w = g->new_w + g->left + g->right;
    g->out_h = g->new_h + g->top + g->bottom;
    return XA_OK;
}

/* ---- sophon-demo sail letterbox
 * ------------------------------------------------------------------ */
void xa_sail_letterbox_defaults(xa_sail_letterbox_opts *o) {
    memset(o, 0, sizeof *o);
    o->net_w = o->net_h = 640;
    o->color[0] = o->color[1] = o->color[2] = 114;
    o->ncolor = 3;
    o->method = XA_RESIZE_CV_NEAREST;
}

/* sophon-demo sample/YOLOv5/python/yolov5_bmcv.py resize_bmcv (use_resize_padding): int() of a
 * positive double truncates; (net - t) / 2 is a true division, then truncated. */
xa_status xa_sail_letterbox_geometry(int64_t w, int64_t h, const xa_sail_letterbox_opts *o,
                                     xa_letterbox_geom *g, xa_error *err) {
    const char *op = "letterbox-sail";
    xa_status st = geometry_start(op, o, w, h, o ? o->net_w : 0, o ? o->net_h : 0, g, err);
    if (st) return st;
    double r_w = (double)o->net_w / (double)w, r_h = (double)o->net_h / (double)h;
    if (r_h > r_w) {
        g->new_w = o->net_w;
        g->new_h = (int64_t)(r_w * (double)h);
        g->left = g->right = 0;
        g->top = (int64_t)((double)(o->net_h - g->new_h) / 2);
        g->bottom = o->net_h - g->new_h - g->top;
    } else {
        g->new_w = (int64_t)(r_h * (double)w);
        g->new_h = o->net_h;
        g->left = (int64_t)((double)(o->net_w - g->new_w) / 2);
        g->right = o->net_w - g->new_w - g->left;
        g->top = g->bottom = 0;
    }
    g->ratio_w = g->ratio_h = r_w < r_h ? r_w : r_h; /* ratio = (min(r_w, r_h),) * 2 */
    g->dw = (double)g->left;                         /* txy = (tx1, ty1) */
    g->dh = (double)g->top;
    if ((st = check_new_size(op, g, err))) return st;
    g->resized = g->new_w != w || g->new_h != h;
    g->out_w = o->net_w;
    g->out_h = o->net_h;
    return XA_OK;
}

/* ---- application ---------------------------------------------------------------------------- */
/* Resize to (new_w, new_h) when the size changes, then place the result at (left, top) of an
 * out_w x out_h canvas filled with the colour (cv2.copyMakeBorder BORDER_CONSTANT). */
static xa_status letterbox_apply(const char *op, const xa_tensor *src, const xa_letterbox_geom *g,
                                 xa_resize_method m, const double *color, int ncolor,
                                 xa_tensor **out, xa_error *err) {
    xa_img_view v;
    xa_status st = xa_img_view_of(src, XA_LAYOUT_HWC, XA_DT(XA_U8) | XA_DT(XA_F32), op, &v, err);
    if (st) return st;
    if (v.rank == 4) return xa_fail(err, XA_EINVAL, "%s: one image (H x W x C), not a batch", op);
    const xa_tensor *img = src;
    xa_tensor *resized = NULL;
    if (g->resized) {
        if ((st = xa_resize(src, g->new_w, g->new_h, m, &resized, err))) {
            xa_error_prefix(err, op);
            return st;
        }
        img = resized;
        if ((st = xa_img_view_of(img, XA_LAYOUT_HWC, 0, op, &v, err))) goto done;
    }
    unsigned char *px;
    if ((st = xa_fill_pixel(v.dtype, v.c, color, ncolor, op, &px, err))) goto done;
    st = xa_window_copy(img, &v, -g->top, -g->left, g->out_h, g->out_w, px, out, err);
    free(px);
    if (st) xa_error_prefix(err, op);
done:
    xa_tensor_free(resized);
    return st;
}

/* Validate the image, compute the geometry for its size (yolo: YOLOv5 options, else sail's), apply.
 */
static xa_status letterbox(const char *op, const xa_tensor *src, const xa_yolov5_letterbox_opts *yo,
                           const xa_sail_letterbox_opts *so, xa_tensor **out, xa_letterbox_geom *g,
                           xa_error *err) {
    *out = NULL;
    if (!yo && !so) return xa_fail(err, XA_EINVAL, "%s: missing options", op);
    xa_img_view v;
    xa_letterbox_geom gg;
    xa_status st = xa_img_view_of(src, XA_LAYOUT_HWC, XA_DT(XA_U8) | XA_DT(XA_F32), op, &v, err);
    if (!st)
        st = yo ? xa_yolov5_letterbox_geometry(v.w, v.h, yo, &gg, err)
                : xa_sail_letterbox_geometry(v.w, v.h, so, &gg, err);
    if (!st)
        st = letterbox_apply(op, src, &gg, yo ? yo->method : so->method, yo ? yo->color : so->color,
                             yo ? yo->ncolor : so->ncolor, out, err);
    if (!st && g) *g = gg;
    return st;
}

xa_status xa_yolov5_letterbox(const xa_tensor *src, const xa_yolov5_letterbox_opts *o,
                              xa_tensor **out, xa_letterbox_geom *g, xa_error *err) {
    return letterbox("letterbox-yolov5", src, o, NULL, out, g, err);
}

xa_status xa_sail_letterbox(const xa_tensor *src, const xa_sail_letterbox_opts *o, xa_tensor **out,
                            xa_letterbox_geom *g, xa_error *err) {
    return letterbox("letterbox-sail", src, NULL, o, out, g, err);
}

/* ---- YOLOv5 scale_boxes ---------------------------------------------------------------------- */
/* torch 1.13 on a float32 tensor: `boxes -= pad` and `boxes /= gain` convert the Python double to
 * float first and compute in float32 (checked against torch: (x - (float)p) / (float)g, not a
 * double computation, not a reciprocal multiply). clamp_(0, bound) keeps NaN. */
static float clampf_torch(float x, float hi) {
    if (isnan(x)) return x;
    return x < 0.0f ? 0.0f : x > hi ? hi : x;
}

xa_status xa_yolov5_scale_boxes(const xa_tensor *boxes, int64_t img1_w, int64_t img1_h,
                                int64_t img0_w, int64_t img0_h, const double *ratio_pad, int round,
                                xa_tensor **out, xa_error *err) {
    *out = NULL;
    const char *op = "scale-boxes";
    if (!boxes) return xa_fail(err, XA_EINVAL, "%s: no boxes tensor", op);
    if (boxes->dtype != XA_F32 || boxes->rank != 2 || boxes->shape[1] < 4)
        return xa_fail(err, XA_EINVAL,
                       "%s: boxes must be a float32 N x K tensor with K >= 4 (xyxy first)", op);
    if (boxes->fortran_order || boxes->swapped)
        return xa_fail(err, XA_EINVAL, "%s: boxes must be C order, native byte order", op);
    xa_status st = check_sizes(op, img0_w, img0_h, img1_w, img1_h, err);
    if (st) return st;
    double gain, padx, pady;
    if (ratio_pad) {
        gain = ratio_pad[0], padx = ratio_pad[1], pady = ratio_pad[2];
    } else {
        double gh = (double)img1_h / (double)img0_h, gw = (double)img1_w / (double)img0_w;
        gain = gh < gw ? gh : gw;
        padx = ((double)img1_w - (double)img0_w * gain) / 2;
        pady = ((double)img1_h - (double)img0_h * gain) / 2;
    }
    if ((st = xa_tensor_dup_native(boxes, out, err))) return st;
    float fpx = (float)padx, fpy = (float)pady, fg = (float)gain;
    float bw = (float)img0_w, bh = (float)img0_h;
    int64_t n = boxes->shape[0], k = boxes->shape[1];
    float *b = (*out)->data;
    for (int64_t i = 0; i < n; i++) {
        float *r = b + i * k;
        r[0] -= fpx, r[2] -= fpx; /* boxes[:, [0, 2]] -= pad[0] */
        r[1] -= fpy, r[3] -= fpy;
        for (int j = 0; j < 4; j++) r[j] /= fg;                       /* boxes[:, :4] /= gain */
        r[0] = clampf_torch(r[0], bw), r[1] = clampf_torch(r[1], bh); /* clip_boxes */
        r[2] = clampf_torch(r[2], bw), r[3] = clampf_torch(r[3], bh);
        if (round)
            for (int j = 0; j < 4; j++) r[j] = rintf(r[j]); /* tensor.round(): half to even */
    }
    return XA_OK;
}
