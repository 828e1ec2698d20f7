/* ultralytics/yolov5 v7.0 utils/general.py non_max_suppression, bit for bit, per image:
 *   xc = pred[..., 4] > conf_thres        float32 compare: torch casts the Python float to float32
 *   x[:, 5:] *= x[:, 4:5]                 class score * obj in float32
 *   box = xywh2xyxy(x[:, :4])             x - w / 2, y - h / 2, x + w / 2, y + h / 2 in float32
 *   multi_label (needs nc > 1): every (i, j) with x[i, 5 + j] > conf_thres, row-major
 *     (nonzero order); else conf, j = x[:, 5:].max(1) (first index on ties, NaN wins) and
 *     conf > conf_thres
 *   classes: keep rows whose float class equals one of (float)classes
 *   x = x[x[:, 4].argsort(descending=True)[:max_nms]]   torch's NON-stable sort (std::sort)
 *   c = x[:, 5:6] * (0 if agnostic else max_wh); i = torchvision.ops.nms(x[:, :4] + c, x[:, 4])
 *   i = i[:max_det]; output rows x[i] = x1, y1, x2, y2, conf, cls
 * The nms sorts with stable=true, so on rows already in argsort order it keeps that order: ties
 * are decided by the argsort, reproduced with libstdc++'s introsort (nms_sort.c).
 */
#include "nms_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xa_yolov5_nms_defaults(xa_yolov5_nms_opts *o) {
    memset(o, 0, sizeof *o);
    o->conf_thres = 0.25;
    o->iou_thres = 0.45;
    o->max_det = 300;
}

typedef struct {
    float box[4], conf, cls;
} det_row;

/* Working memory for one image of up to n candidate rows (n x nc with multi_label). */
typedef struct {
    det_row *rows;
    xa_score_idx *sorted;
} yolo_work;

static const char *OP = "yolov5-nms";

static int class_wanted(const xa_yolov5_nms_opts *o, float cls) {
    if (!o->classes) return 1;
    for (int k = 0; k < o->nclasses; k++)
        if (cls == (float)o->classes[k]) return 1; /* (x[:, 5:6] == tensor(classes)).any(1) */
    return 0;
}

/* Candidate rows of one image (n x w floats); returns their count. */
static int64_t candidates(const float *p, int64_t n, int64_t w, const xa_yolov5_nms_opts *o,
                          float conf, det_row *rows) {
    int64_t nc = w - 5, m = 0;
    int multi = o->multi_label && nc > 1; /* multi_label &= nc > 1 */
    for (int64_t i = 0; i < n; i++) {
        const float *r = p + i * w;
        float obj = r[4];
        if (!(obj > conf)) continue; /* xc */
        float hw = r[2] / 2, hh = r[3] / 2;
        float box[4] = {r[0] - hw, r[1] - hh, r[0] + hw, r[1] + hh};
        if (multi) {
            for (int64_t j = 0; j < nc; j++) {
                float s = r[5 + j] * obj;
                if (!(s > conf) || !class_wanted(o, (float)j)) continue;
                det_row *d = &rows[m++];
                memcpy(d->box, box, sizeof box);
                d->conf = s, d->cls = (float)j;
            }
        } else {
            float best = r[5] * obj;
            int64_t bj = 0;
            for (int64_t j = 1; j < nc; j++) { /* torch max(dim): replace when !(v <= best) */
                if (isnan(best)) break;
                float s = r[5 + j] * obj;
                if (!(s <= best)) best = s, bj = j;
            }
            if (!(best > conf) || !class_wanted(o, (float)bj)) continue;
            det_row *d = &rows[m++];
            memcpy(d->box, box, sizeof box);
            d->conf = best, d->cls = (float)bj;
        }
    }
    return m;
}

/* Sort the m candidates, cut to max_nms, run torchvision's nms on the class-offset boxes (its
 * stable sort keeps the argsort order) and append the first max_det rows (image b) to *dst. */
static xa_status image_nms(yolo_work *wk, int64_t m, int64_t b, const xa_yolov5_nms_opts *o,
                           float **dst, int64_t *ndst, int64_t *cap, xa_error *err) {
    for (int64_t k = 0; k < m; k++) wk->sorted[k].v = wk->rows[k].conf, wk->sorted[k].i = k;
    xa_torch_sort_desc(wk->sorted, m); /* x[:, 4].argsort(descending=True) */
    if (m > XA_YOLOV5_MAX_NMS) m = XA_YOLOV5_MAX_NMS;
    float mul = o->agnostic ? 0.0f : (float)XA_YOLOV5_MAX_WH;
    int64_t shape2[2] = {m, 4}, shape1[1] = {m};
    xa_tensor *bt = NULL, *stt = NULL, *keep = NULL;
    xa_status st = xa_tensor_new(XA_F32, 2, shape2, &bt, err);
    if (!st) st = xa_tensor_new(XA_F32, 1, shape1, &stt, err);
    if (st) goto done;
    float *bx = bt->data, *sc = stt->data;
    for (int64_t k = 0; k < m; k++) {
        const det_row *d = &wk->rows[wk->sorted[k].i];
        float c = d->cls * mul; /* x[:, 5:6] * (0 if agnostic else max_wh) */
        for (int q = 0; q < 4; q++) bx[k * 4 + q] = d->box[q] + c;
        sc[k] = d->conf;
    }
    xa_tv_nms_opts to;
    xa_tv_nms_defaults(&to);
    to.iou_threshold = o->iou_thres;
    if ((st = xa_tv_nms(bt, stt, NULL, &to, &keep, err))) goto done;
    int64_t nk = keep->shape[0] < o->max_det ? keep->shape[0] : o->max_det; /* i[:max_det] */
    if (*ndst + nk > *cap) {
        int64_t ncap = *cap * 2 > *ndst + nk ? *cap * 2 : *ndst + nk;
        float *g = realloc(*dst, (size_t)ncap * 7 * sizeof(float));
        if (!g) {
            st = xa_fail(err, XA_ENOMEM, "%s: out of memory", OP);
            goto done;
        }
        *dst = g, *cap = ncap;
    }
    const int64_t *ki = keep->data;
    for (int64_t k = 0; k < nk; k++) {
        const det_row *d = &wk->rows[wk->sorted[ki[k]].i];
        float *r = *dst + (*ndst)++ * 7;
        r[0] = (float)b;
        memcpy(r + 1, d->box, 4 * sizeof(float));
        r[5] = d->conf, r[6] = d->cls;
    }
done:
    xa_tensor_free(bt), xa_tensor_free(stt), xa_tensor_free(keep);
    return st;
}

int64_t xa_yolov5_batch(const xa_tensor *pred) {
    if (!pred || (pred->rank != 2 && pred->rank != 3)) return 0;
    return pred->rank == 3 ? pred->shape[0] : 1;
}

xa_status xa_yolov5_nms(const xa_tensor *pred, const xa_yolov5_nms_opts *o, xa_tensor **out,
                        xa_error *err) {
    char s[96];
    *out = NULL;
    if (!pred || !o) return xa_fail(err, XA_EINVAL, "%s: missing prediction or options", OP);
    if (pred->dtype != XA_F32)
        return xa_fail(err, XA_EINVAL, "%s: the prediction must be float32, not %s", OP,
                       xa_dtype_name(pred->dtype));
    if ((pred->rank != 2 && pred->rank != 3) || pred->shape[pred->rank - 1] < 6)
        return xa_fail(err, XA_ESHAPE,
                       "%s: the prediction must be B x N x (5 + classes) with at least one class "
                       "(rows cx, cy, w, h, obj, class scores), got %s",
                       OP, xa_shape_format(pred->rank, pred->shape, s, sizeof s));
    /* assert 0 <= conf_thres <= 1 and 0 <= iou_thres <= 1, as YOLOv5 checks */
    if (!(o->conf_thres >= 0 && o->conf_thres <= 1))
        return xa_fail(err, XA_EINVAL, "%s: conf_thres %g is outside 0..1", OP, o->conf_thres);
    if (!(o->iou_thres >= 0 && o->iou_thres <= 1))
        return xa_fail(err, XA_EINVAL, "%s: iou_thres %g is outside 0..1", OP, o->iou_thres);
    if (o->max_det < 0) return xa_fail(err, XA_EINVAL, "%s: max_det must be >= 0", OP);
    if (o->nclasses < 0 || o->nclasses > XA_YOLOV5_MAX_CLASSES || (o->nclasses && !o->classes))
        return xa_fail(err, XA_EINVAL, "%s: the classes filter holds 0..%d classes", OP,
                       XA_YOLOV5_MAX_CLASSES);
    int64_t bsz = xa_yolov5_batch(pred), n = pred->shape[pred->rank - 2];
    int64_t w = pred->shape[pred->rank - 1], nc = w - 5;
    int64_t per_row = o->multi_label ? nc : 1; /* candidates a row can give */
    if (bsz > XA_NMS_MAX_BOXES || (n && bsz > XA_NMS_MAX_BOXES / n) ||
        (n && per_row > XA_NMS_MAX_BOXES / n))
        return xa_fail(err, XA_ELIMIT, "%s: %s exceeds the limit of %lld candidate boxes", OP,
                       xa_shape_format(pred->rank, pred->shape, s, sizeof s),
                       (long long)XA_NMS_MAX_BOXES);
    float conf = (float)o->conf_thres;
    const xa_tensor *pv;
    xa_tensor *ptmp = NULL;
    int64_t cap = n > 0 ? n * per_row : 1, ndet = 0, dcap = 64;
    yolo_work wk = {0};
    float *det = malloc((size_t)dcap * 7 * sizeof *det);
    xa_status st = xa_nms_native(pred, &pv, &ptmp, err);
    if (st) goto done;
    wk.rows = malloc((size_t)cap * sizeof *wk.rows);
    wk.sorted = malloc((size_t)cap * sizeof *wk.sorted);
    if (!wk.rows || !wk.sorted || !det) {
        st = xa_fail(err, XA_ENOMEM, "%s: out of memory", OP);
        goto done;
    }
    for (int64_t b = 0; b < bsz && !st; b++) {
        int64_t m = candidates((const float *)pv->data + b * n * w, n, w, o, conf, wk.rows);
        st = image_nms(&wk, m, b, o, &det, &ndet, &dcap, err);
    }
    int64_t shape[2] = {ndet, 7};
    if (!st && !(st = xa_tensor_new(XA_F32, 2, shape, out, err)) && ndet)
        memcpy((*out)->data, det, (size_t)ndet * 7 * sizeof *det);
done:
    xa_tensor_free(ptmp);
    free(wk.rows), free(wk.sorted), free(det);
    return st;
}
