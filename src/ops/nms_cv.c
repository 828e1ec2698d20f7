/* OpenCV 4.6 cv2.dnn.NMSBoxes, the Rect2d (double) overload Python reaches, bit for bit.
 *
 * modules/dnn/src/nms.cpp NMSBoxes: CV_Assert(score_threshold >= 0, nms_threshold >= 0, eta > 0),
 * then nms.inl.hpp NMSFast_ with rectOverlap(a, b) = 1.f - (float)jaccardDistance(a, b):
 *  - GetMaxScoreIndex: (score, index) for score > score_threshold (float compare), in index
 *    order; std::stable_sort by `pair1.first > pair2.first`; if 0 < top_k < size, cut to top_k;
 *  - adaptive = nms_threshold; each candidate idx (in that order) is kept iff
 *    rectOverlap(box[idx], box[kept]) <= adaptive for every kept box, stopping at the first that
 *    fails; after a keep, `if (eta < 1 && adaptive > 0.5) adaptive *= eta` (float).
 * modules/core/include/opencv2/core/types.hpp (4.6):
 *  - jaccardDistance(a, b): Aa = a.area(), Ab = b.area() (w * h); if Aa + Ab <=
 *    DBL_EPSILON return 0 (two empty boxes: overlap 1); else 1 - Aab / (Aa + Ab - Aab) with
 *    Aab = (a & b).area();
 *  - operator&= : empty if either is empty (w <= 0 or h <= 0); Rx_min/Rx_max = the boxes ordered
 *    by x (a when a.x < b.x), Ry_* by y; empty if Rx_min.x < 0 && Rx_min.x + Rx_min.width <
 *    Rx_max.x (or the same in y); width = std::min(Rx_min.width - (Rx_max.x - Rx_min.x),
 *    Rx_max.width), height likewise; empty if the result is empty. (OpenCV 3.x/early 4.x computed
 *    min(ax + aw, bx + bw) - max(ax, bx), which rounds differently in double; 4.6 has this one.)
 * The Python binding converts the float arguments (score_threshold, nms_threshold, eta, every
 * score) to C++ float: each is rounded to the nearest float first (0.45 -> 0.449999988).
 */
#include "nms_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double x, y, w, h;
} rect2d;

static int rect_empty(const rect2d *r) {
    return r->w <= 0 || r->h <= 0;
}

/* (a & b).area() of Rect_<double> operator&= */
static double inter_area(const rect2d *a, const rect2d *b) {
    if (rect_empty(a) || rect_empty(b)) return 0.0;
    const rect2d *xmin = a->x < b->x ? a : b, *xmax = a->x < b->x ? b : a;
    const rect2d *ymin = a->y < b->y ? a : b, *ymax = a->y < b->y ? b : a;
    if ((xmin->x < 0 && xmin->x + xmin->w < xmax->x) ||
        (ymin->y < 0 && ymin->y + ymin->h < ymax->y))
        return 0.0;
    double w = xmin->w - (xmax->x - xmin->x), h = ymin->h - (ymax->y - ymin->y);
    if (xmax->w < w) w = xmax->w; /* std::min(w, Rx_max.width) */
    if (ymax->h < h) h = ymax->h;
    rect2d r = {xmax->x, ymax->y, w, h};
    if (rect_empty(&r)) return 0.0;
    return w * h;
}

/* rectOverlap(a, b) = 1.f - static_cast<float>(jaccardDistance(a, b)) */
static float rect_overlap(const rect2d *a, const rect2d *b) {
    double aa = a->w * a->h, ab = b->w * b->h, d;
    if (aa + ab <= DBL_EPSILON) {
        d = 0.0; /* "jaccard_index = 1 -> distance = 0" */
    } else {
        double aab = inter_area(a, b);
        d = 1.0 - aab / (aa + ab - aab);
    }
    return 1.f - (float)d;
}

/* The kept boxes as columns, with their areas and emptiness, for the fast candidate test. */
typedef struct {
    double *x, *y, *w, *h, *area;
    int64_t *empty; /* int64 like the double lanes: one vector width for the whole loop */
} kept_cols;

/* 1 if rect_overlap(a, kept[q]) <= adaptive fails for some q < nk: the reference's test for
 * every kept box, written without branches (each std::min and Rx_min/Rx_max choice a ternary
 * on the same comparison, every rule a mask) so the compiler vectorises it, in blocks of 64 kept
 * boxes with an early exit between blocks. Same operations and operands as rect_overlap, so the
 * same overlap values; tests/unit/test_nms.c compares the two. */
XA_NMS_INLINE int candidate_fails(const rect2d *a, const kept_cols *k, int64_t nk, float adaptive) {
    const double ax = a->x, ay = a->y, aw = a->w, ah = a->h, aa = aw * ah;
    const int64_t a_empty = rect_empty(a);
    const double *restrict kx = k->x, *restrict ky = k->y, *restrict kw = k->w;
    const double *restrict kh = k->h, *restrict karea = k->area;
    const int64_t *restrict kempty = k->empty;
    for (int64_t q0 = 0; q0 < nk; q0 += 64) {
        int64_t q1 = nk - q0 < 64 ? nk : q0 + 64, any = 0;
        for (int64_t q = q0; q < q1; q++) {
            const double bx = kx[q], by = ky[q], bw = kw[q], bh = kh[q];
            const int64_t xlt = ax < bx, ylt = ay < by;
            const double xmin = xlt ? ax : bx, xminw = xlt ? aw : bw;
            const double xmax = xlt ? bx : ax, xmaxw = xlt ? bw : aw;
            const double ymin = ylt ? ay : by, yminh = ylt ? ah : bh;
            const double ymax = ylt ? by : ay, ymaxh = ylt ? bh : ah;
            const int64_t apart =
                ((xmin < 0) & (xmin + xminw < xmax)) | ((ymin < 0) & (ymin + yminh < ymax));
            double w = xminw - (xmax - xmin), h = yminh - (ymax - ymin);
            w = xmaxw < w ? xmaxw : w;
            h = ymaxh < h ? ymaxh : h;
            const int64_t none = a_empty | kempty[q] | apart | (w <= 0) | (h <= 0);
            const double wh = w * h; /* every operation runs; the ternaries only select */
            const double aab = none ? 0.0 : wh;
            const double sum = aa + karea[q];
            const double jd = 1.0 - aab / (sum - aab);
            const double d = sum <= DBL_EPSILON ? 0.0 : jd;
            const float ov = 1.f - (float)d;
            any |= !(ov <= adaptive);
        }
        if (any) return 1;
    }
    return 0;
}

static int candidate_fails_generic(const rect2d *a, const kept_cols *k, int64_t nk,
                                   float adaptive) {
    return candidate_fails(a, k, nk, adaptive);
}
#if XA_NMS_HAVE_AVX2_BUILD
/* SSE2 alone cannot vectorise the loop (GCC wants 64-bit integer compares, SSE4.2's) */
XA_NMS_AVX2 static int candidate_fails_avx2(const rect2d *a, const kept_cols *k, int64_t nk,
                                            float adaptive) {
    return candidate_fails(a, k, nk, adaptive);
}
#endif

void xa_cv_nms_defaults(xa_cv_nms_opts *o) {
    memset(o, 0, sizeof *o);
    o->score_threshold = 0.0;
    o->nms_threshold = 0.5;
    o->eta = 1.0;
    o->top_k = 0;
}

/* scores as the binding's std::vector<float> (each element rounded to float) */
static void scores_to_float(const xa_tensor *s, int64_t n, float *out, double *tmp) {
    xa_convert_to_f64(s->dtype, s->swapped, s->data, (size_t)n, tmp);
    for (int64_t i = 0; i < n; i++) out[i] = (float)tmp[i];
}

xa_status xa_cv_nms_boxes_explain(const xa_tensor *boxes, const xa_tensor *scores,
                                  const xa_cv_nms_opts *o, xa_tensor **keep, xa_nms_decision *why,
                                  xa_error *err) {
    const char *op = "NMSBoxes";
    *keep = NULL;
    if (!o) return xa_fail(err, XA_EINVAL, "%s: missing options", op);
    unsigned real = 0;
    for (int d = 1; d < XA_DTYPE_COUNT; d++)
        if (d != XA_BOOL) real |= 1u << d;
    int64_t n;
    xa_status st = xa_nms_check(op, boxes, scores, NULL, real, &n, err);
    if (st) return st;
    if (scores->dtype == XA_BOOL)
        return xa_fail(err, XA_EINVAL, "%s: scores must be numbers, not bool", op);
    float score_thr = (float)o->score_threshold, nms_thr = (float)o->nms_threshold;
    float eta = (float)o->eta;
    /* CV_Assert(score_threshold >= 0, nms_threshold >= 0, eta > 0) on the float values */
    if (!(score_thr >= 0))
        return xa_fail(err, XA_EINVAL, "%s: score_threshold %g must be >= 0 (OpenCV asserts it)",
                       op, o->score_threshold);
    if (!(nms_thr >= 0))
        return xa_fail(err, XA_EINVAL, "%s: nms_threshold %g must be >= 0 (OpenCV asserts it)", op,
                       o->nms_threshold);
    if (!(eta > 0))
        return xa_fail(err, XA_EINVAL, "%s: eta %g must be > 0 (OpenCV asserts it)", op, o->eta);

    const xa_tensor *bv;
    xa_tensor *btmp = NULL;
    rect2d *r = malloc((size_t)(n ? n : 1) * sizeof *r);
    float *sc = malloc((size_t)(n ? n : 1) * sizeof *sc);
    double *cand = malloc((size_t)(n ? n : 1) * sizeof *cand);
    int64_t *pos = malloc((size_t)(n ? n : 1) * sizeof *pos);
    int64_t *order = malloc((size_t)(n ? n : 1) * sizeof *order);
    int64_t *kept = malloc((size_t)(n ? n : 1) * sizeof *kept), nkeep = 0, m = 0;
    size_t nb = (size_t)(n ? n : 1) * sizeof(double);
    kept_cols kc = {malloc(nb), malloc(nb), malloc(nb), malloc(nb), malloc(nb), malloc(nb)};
    if (!r || !sc || !cand || !pos || !order || !kept || !kc.x || !kc.y || !kc.w || !kc.h ||
        !kc.area || !kc.empty) {
        st = xa_fail(err, XA_ENOMEM, "%s: out of memory for %lld boxes", op, (long long)n);
        goto done;
    }
    if ((st = xa_nms_native(boxes, &bv, &btmp, err))) goto done;
    xa_convert_to_f64(bv->dtype, 0, bv->data, (size_t)n * 4, (double *)r); /* Rect2d(x, y, w, h) */
    scores_to_float(scores, n, sc, cand);
    /* GetMaxScoreIndex: candidates in index order, then a stable descending sort */
    for (int64_t i = 0; i < n; i++) {
        if (why) why[i] = (xa_nms_decision){XA_NMS_BELOW_SCORE, -1, -1, NAN, score_thr};
        if (sc[i] > score_thr) cand[m] = sc[i], pos[m++] = i;
    }
    if ((st = xa_order_desc_stable(cand, m, order, err))) goto done;
    for (int64_t k = 0; k < m; k++) order[k] = pos[order[k]];
    if (o->top_k > 0 && o->top_k < m) {
        if (why)
            for (int64_t k = o->top_k; k < m; k++)
                why[order[k]] = (xa_nms_decision){XA_NMS_TOP_K, k, -1, NAN, nms_thr};
        m = o->top_k;
    }
    float adaptive = nms_thr;
    xa_nms_path path = xa_nms_pick_path(why != NULL);
    for (int64_t k = 0; k < m; k++) {
        const int64_t idx = order[k];
        int keepit = 1;
        if (path == XA_NMS_PATH_REF) { /* NMSFast_'s loop as written */
            xa_nms_decision d = {XA_NMS_KEPT, k, -1, NAN, adaptive};
            for (int64_t q = 0; q < nkeep && keepit; q++) {
                float ov = rect_overlap(&r[idx], &r[kept[q]]);
                keepit = ov <= adaptive;
                if (!keepit || d.by < 0 || ov > d.overlap) d.by = kept[q], d.overlap = ov;
            }
            if (!keepit) d.fate = XA_NMS_SUPPRESSED;
            if (why) why[idx] = d;
        } else {
#if XA_NMS_HAVE_AVX2_BUILD
            if (path == XA_NMS_PATH_AVX2)
                keepit = !candidate_fails_avx2(&r[idx], &kc, nkeep, adaptive);
            else
#endif
                keepit = !candidate_fails_generic(&r[idx], &kc, nkeep, adaptive);
        }
        if (keepit) {
            const rect2d *b = &r[idx];
            kc.x[nkeep] = b->x, kc.y[nkeep] = b->y, kc.w[nkeep] = b->w, kc.h[nkeep] = b->h;
            kc.area[nkeep] = b->w * b->h, kc.empty[nkeep] = rect_empty(b);
            kept[nkeep++] = idx;
        }
        if (keepit && eta < 1 && adaptive > 0.5) adaptive *= eta;
    }
    st = xa_nms_index_tensor(kept, nkeep, keep, err);
done:
    xa_tensor_free(btmp);
    free(r), free(sc), free(cand), free(pos), free(order), free(kept);
    free(kc.x), free(kc.y), free(kc.w), free(kc.h), free(kc.area), free(kc.empty);
    return st;
}

xa_status xa_cv_nms_boxes(const xa_tensor *boxes, const xa_tensor *scores, const xa_cv_nms_opts *o,
                          xa_tensor **keep, xa_error *err) {
    return xa_cv_nms_boxes_explain(boxes, scores, o, keep, NULL, err);
}
