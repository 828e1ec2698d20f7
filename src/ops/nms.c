/* torchvision 0.14 ops.nms and ops.batched_nms on CPU, bit for bit.
 *
 * nms: torchvision/csrc/ops/cpu/nms_kernel.cpp nms_kernel_impl. areas = (x2 - x1) * (y2 - y1)
 * in the boxes' dtype; order = scores.sort(stable=true, descending=true); for each box i in
 * order that is not suppressed: keep it, then for every later j not suppressed
 *   xx1 = std::max(ix1, x1[j]) ... w = std::max(0, xx2 - xx1), h likewise, inter = w * h,
 *   ovr = inter / (iarea + areas[j] - inter)            (left to right, in the dtype)
 *   suppress j if ovr > iou_threshold                     (ovr promoted to double)
 * std::max(a, b) is (a < b) ? b : a and std::min(a, b) is (b < a) ? b : a: with NaN they return
 * their first argument, so a NaN coordinate gives w = 0 here and there, never a NaN width.
 * A NaN IoU (two zero-area boxes: 0 / 0) compares false and never suppresses.
 *
 * batched_nms: torchvision/ops/boxes.py. boxes.numel() > 4000 on CPU (more than 1000 boxes)
 * takes _batched_nms_vanilla: nms per class (torch.unique order), a keep mask, then the kept
 * indices (ascending) re-sorted by scores[keep].sort(descending=True), torch's NON-stable sort;
 * otherwise _batched_nms_coordinate_trick: boxes + idxs.to(dtype) * (boxes.max() + 1), then nms.
 */
#include "cpu.h"
#include "nms_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared input handling --------------------------------------------------------------------
 */
xa_status xa_nms_native(const xa_tensor *t, const xa_tensor **view, xa_tensor **tmp,
                        xa_error *err) {
    *tmp = NULL;
    *view = t;
    if (!t->fortran_order && !t->swapped) return XA_OK;
    xa_status st = xa_tensor_dup_native(t, tmp, err);
    if (!st) *view = *tmp;
    return st;
}

xa_status xa_nms_index_tensor(const int64_t *v, int64_t n, xa_tensor **out, xa_error *err) {
    int64_t shape[1] = {n};
    xa_status st = xa_tensor_new(XA_I64, 1, shape, out, err);
    if (!st && n) memcpy((*out)->data, v, (size_t)n * sizeof *v);
    return st;
}

xa_status xa_nms_check(const char *op, const xa_tensor *boxes, const xa_tensor *scores,
                       const xa_tensor *idxs, unsigned box_dtypes, int64_t *n, xa_error *err) {
    char s[96];
    if (!boxes || !scores) return xa_fail(err, XA_EINVAL, "%s: missing boxes or scores", op);
    if (boxes->rank != 2 || boxes->shape[1] != 4)
        return xa_fail(err, XA_ESHAPE, "%s: boxes must be N x 4, got %s", op,
                       xa_shape_format(boxes->rank, boxes->shape, s, sizeof s));
    if (!(box_dtypes & (1u << boxes->dtype)))
        return xa_fail(err, XA_EINVAL, "%s: boxes of dtype %s are not supported", op,
                       xa_dtype_name(boxes->dtype));
    *n = boxes->shape[0];
    if (*n > XA_NMS_MAX_BOXES)
        return xa_fail(err, XA_ELIMIT, "%s: %lld boxes exceed the limit of %lld", op, (long long)*n,
                       (long long)XA_NMS_MAX_BOXES);
    if (scores->rank != 1 || scores->shape[0] != *n)
        return xa_fail(err, XA_ESHAPE, "%s: scores must be [%lld] (one per box), got %s", op,
                       (long long)*n, xa_shape_format(scores->rank, scores->shape, s, sizeof s));
    if (idxs) {
        if (idxs->rank != 1 || idxs->shape[0] != *n)
            return xa_fail(err, XA_ESHAPE, "%s: idxs must be [%lld] (one per box), got %s", op,
                           (long long)*n, xa_shape_format(idxs->rank, idxs->shape, s, sizeof s));
        if (!xa_dtype_is_integer(idxs->dtype) || idxs->dtype == XA_BOOL)
            return xa_fail(err, XA_EINVAL, "%s: idxs must be integers (class per box), not %s", op,
                           xa_dtype_name(idxs->dtype));
    }
    return XA_OK;
}

/* idxs as int64 (uint64 above INT64_MAX refused). */
static xa_status read_idxs(const char *op, const xa_tensor *idxs, int64_t n, int64_t **out,
                           xa_error *err) {
    int64_t *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    if (!v) return xa_fail(err, XA_ENOMEM, "%s: out of memory", op);
    for (int64_t i = 0; i < n; i++) {
        if (idxs->dtype == XA_I64 || idxs->dtype == XA_U64) {
            uint64_t u;
            memcpy(&u, (const char *)idxs->data + i * 8, 8);
            if (idxs->swapped) u = __builtin_bswap64(u);
            if (idxs->dtype == XA_U64 && u > (uint64_t)INT64_MAX) {
                free(v);
                return xa_fail(err, XA_EINVAL, "%s: idxs[%lld] = %llu does not fit int64", op,
                               (long long)i, (unsigned long long)u);
            }
            v[i] = (int64_t)u;
        } else {
            v[i] = (int64_t)xa_tensor_get(idxs, i); /* exact: integers of at most 32 bits */
        }
    }
    *out = v;
    return XA_OK;
}

/* ---- box formats ---------------------------------------------------------------------------- */
/* xywh -> xyxy: (x, y, x + w, y + h); xyxy -> xywh: (x1, y1, x2 - x1, y2 - y1), in type T */
#define CONVERT_BOXES(T, data, n, from, to)                                                        \
    do {                                                                                           \
        T *b_ = (data);                                                                            \
        for (int64_t i_ = 0; i_ < (n) && (from) != (to); i_++, b_ += 4) {                          \
            if ((to) == XA_BOX_XYXY)                                                               \
                b_[2] = b_[0] + b_[2], b_[3] = b_[1] + b_[3];                                      \
            else                                                                                   \
                b_[2] = b_[2] - b_[0], b_[3] = b_[3] - b_[1];                                      \
        }                                                                                          \
    } while (0)

xa_status xa_boxes_convert(const xa_tensor *boxes, xa_box_format from, xa_box_format to,
                           xa_tensor **out, xa_error *err) {
    *out = NULL;
    const char *op = "box-convert";
    if (!boxes) return xa_fail(err, XA_EINVAL, "%s: no boxes", op);
    if ((from != XA_BOX_XYXY && from != XA_BOX_XYWH) || (to != XA_BOX_XYXY && to != XA_BOX_XYWH))
        return xa_fail(err, XA_EINVAL, "%s: unknown box format", op);
    char s[96];
    if (boxes->rank != 2 || boxes->shape[1] != 4)
        return xa_fail(err, XA_ESHAPE, "%s: boxes must be N x 4, got %s", op,
                       xa_shape_format(boxes->rank, boxes->shape, s, sizeof s));
    if (boxes->dtype == XA_BOOL || boxes->dtype == XA_F16 || boxes->dtype == XA_BF16)
        return xa_fail(err, XA_EINVAL, "%s: boxes of dtype %s are not supported", op,
                       xa_dtype_name(boxes->dtype));
    int64_t n = boxes->shape[0];
    if (n > XA_NMS_MAX_BOXES)
        return xa_fail(err, XA_ELIMIT, "%s: %lld boxes exceed the limit of %lld", op, (long long)n,
                       (long long)XA_NMS_MAX_BOXES);
    xa_status st;
    if (boxes->dtype == XA_F32) {
        if ((st = xa_tensor_dup_native(boxes, out, err))) return st;
        CONVERT_BOXES(float, (*out)->data, n, from, to);
        return XA_OK;
    }
    int64_t shape[2] = {n, 4};
    if ((st = xa_tensor_new(XA_F64, 2, shape, out, err))) return st;
    const xa_tensor *v;
    xa_tensor *tmp;
    if ((st = xa_nms_native(boxes, &v, &tmp, err))) {
        xa_tensor_free(*out), *out = NULL;
        return st;
    }
    xa_convert_to_f64(v->dtype, 0, v->data, (size_t)n * 4, (*out)->data);
    xa_tensor_free(tmp);
    CONVERT_BOXES(double, (*out)->data, n, from, to);
    return XA_OK;
}

/* ---- the kernel ------------------------------------------------------------------------------ */
/* Scratch of one NMS run: the boxes gathered in processing order (contiguous inner loop). */
typedef struct {
    void *x1, *y1, *x2, *y2, *area;
    uint8_t *sup;
    int64_t *live;
} tv_scratch;

/* nms_kernel_impl over `order` (m box indices in processing order) of the N x 4 boxes `b`.
 * Appends kept box indices to keep[*nkeep]. why (optional, indexed by box) gets fate, by and
 * overlap. */
#define TV_KERNEL(NAME, T)                                                                         \
    static void NAME(const T *b, const int64_t *order, int64_t m, double thr, tv_scratch *s,       \
                     int64_t *keep, int64_t *nkeep, xa_nms_decision *why) {                        \
        T *x1 = s->x1, *y1 = s->y1, *x2 = s->x2, *y2 = s->y2, *area = s->area;                     \
        uint8_t *sup = s->sup;                                                                     \
        for (int64_t k = 0; k < m; k++) {                                                          \
            const T *r = b + order[k] * 4;                                                         \
            x1[k] = r[0], y1[k] = r[1], x2[k] = r[2], y2[k] = r[3];                                \
            area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]); /* areas_t, no +1 */                      \
            sup[k] = 0;                                                                            \
        }                                                                                          \
        for (int64_t a = 0; a < m; a++) {                                                          \
            if (sup[a]) continue;                                                                  \
            keep[(*nkeep)++] = order[a];                                                           \
            T ix1 = x1[a], iy1 = y1[a], ix2 = x2[a], iy2 = y2[a], iarea = area[a];                 \
            for (int64_t c = a + 1; c < m; c++) {                                                  \
                if (sup[c]) continue;                                                              \
                T xx1 = ix1 < x1[c] ? x1[c] : ix1; /* std::max(ix1, x1[j]) */                      \
                T yy1 = iy1 < y1[c] ? y1[c] : iy1;                                                 \
                T xx2 = x2[c] < ix2 ? x2[c] : ix2; /* std::min(ix2, x2[j]) */                      \
                T yy2 = y2[c] < iy2 ? y2[c] : iy2;                                                 \
                T dw = xx2 - xx1, dh = yy2 - yy1;                                                  \
                T w = (T)0 < dw ? dw : (T)0; /* std::max(0, xx2 - xx1) */                          \
                T h = (T)0 < dh ? dh : (T)0;                                                       \
                T inter = w * h;                                                                   \
                T ovr = inter / (iarea + area[c] - inter);                                         \
                if ((double)ovr > thr) sup[c] = 1;                                                 \
                if (why) {                                                                         \
                    xa_nms_decision *d = &why[order[c]];                                           \
                    if (sup[c]) {                                                                  \
                        d->fate = XA_NMS_SUPPRESSED, d->by = order[a], d->overlap = ovr;           \
                    } else if (d->by < 0 || (double)ovr > d->overlap ||                            \
                               (isnan(ovr) && !isnan(d->overlap))) {                               \
                        /* closest kept box so far; a NaN IoU (never suppresses) is recorded */    \
                        d->by = order[a], d->overlap = ovr;                                        \
                    }                                                                              \
                }                                                                                  \
            }                                                                                      \
        }                                                                                          \
    }
TV_KERNEL(tv_kernel_f32_ref, float)
TV_KERNEL(tv_kernel_f64_ref, double)

/* The threshold as a float t with `x > t` <=> `(double)x > thr` for every float x (NaN
 * included): thr itself when it is a float, else the largest float below it (no float lies
 * between the two, so exceeding one is exceeding the other). */
static float float_threshold(double thr) {
    float t = (float)thr;
    if ((double)t > thr) t = nextafterf(t, -INFINITY);
    return t;
}

/* The same kernel in float32, arranged so the compiler vectorises it: the IoU of the kept box
 * with every later live box is evaluated without branches (ternaries with std::max/std::min's
 * operand order, the float threshold above), and suppressed boxes are compacted out of the
 * gathered arrays instead of being skipped one by one. Same operations in the same order on the
 * same operands as the reference, so the same result (tests/unit/test_nms.c compares them). */
XA_NMS_INLINE void tv_kernel_f32_fast(const float *b, const int64_t *order, int64_t m, double thr,
                                      tv_scratch *s, int64_t *keep, int64_t *nkeep) {
    float *restrict x1 = s->x1, *restrict y1 = s->y1, *restrict x2 = s->x2, *restrict y2 = s->y2;
    float *restrict area = s->area;
    uint8_t *restrict sup = s->sup;
    int64_t *restrict live = s->live;
    const float tf = float_threshold(thr);
    for (int64_t k = 0; k < m; k++) {
        const float *r = b + order[k] * 4;
        x1[k] = r[0], y1[k] = r[1], x2[k] = r[2], y2[k] = r[3];
        area[k] = (x2[k] - x1[k]) * (y2[k] - y1[k]);
        live[k] = order[k];
    }
    for (int64_t a = 0; a < m; a++) { /* [a + 1, m) holds the live boxes after a, in order */
        keep[(*nkeep)++] = live[a];
        const float ix1 = x1[a], iy1 = y1[a], ix2 = x2[a], iy2 = y2[a], iarea = area[a];
        int64_t nsup = 0;
        for (int64_t c = a + 1; c < m; c++) {
            float xx1 = ix1 < x1[c] ? x1[c] : ix1;
            float yy1 = iy1 < y1[c] ? y1[c] : iy1;
            float xx2 = x2[c] < ix2 ? x2[c] : ix2;
            float yy2 = y2[c] < iy2 ? y2[c] : iy2;
            float dw = xx2 - xx1, dh = yy2 - yy1;
            float w = 0.0f < dw ? dw : 0.0f;
            float h = 0.0f < dh ? dh : 0.0f;
            float inter = w * h;
            float ovr = inter / (iarea + area[c] - inter);
            sup[c] = ovr > tf;
            nsup += sup[c];
        }
        if (!nsup) continue;
        int64_t d = a + 1;
        for (int64_t c = a + 1; c < m; c++) {
            if (sup[c]) continue;
            x1[d] = x1[c], y1[d] = y1[c], x2[d] = x2[c], y2[d] = y2[c];
            area[d] = area[c], live[d] = live[c];
            d++;
        }
        m = d;
    }
}

static void tv_kernel_f32_generic(const float *b, const int64_t *order, int64_t m, double thr,
                                  tv_scratch *s, int64_t *keep, int64_t *nkeep) {
    tv_kernel_f32_fast(b, order, m, thr, s, keep, nkeep);
}
#if XA_NMS_HAVE_AVX2_BUILD
XA_NMS_AVX2 static void tv_kernel_f32_avx2(const float *b, const int64_t *order, int64_t m,
                                           double thr, tv_scratch *s, int64_t *keep,
                                           int64_t *nkeep) {
    tv_kernel_f32_fast(b, order, m, thr, s, keep, nkeep);
}
#endif

xa_nms_path xa_nms_force_path = XA_NMS_PATH_AUTO;

/* Through the one CPU probe (src/core/cpu.h): XALIGN_CPU=scalar runs the reference loops, the
 * baseline-ISA vectorisable code counts as the sse2 path, the AVX2 build as avx2. A path forced
 * by a test is still capped by what the CPU runs. */
xa_nms_path xa_nms_pick_path(int explain) {
    if (explain) return XA_NMS_PATH_REF;
    xa_nms_path p = xa_nms_force_path;
    xa_cpu_path cap = xa_cpu_path_get();
    if (p == XA_NMS_PATH_AUTO)
        p = xa_cpu_allows(cap, XA_CPU_AVX2)   ? XA_NMS_PATH_AVX2
            : xa_cpu_allows(cap, XA_CPU_SSE2) ? XA_NMS_PATH_GENERIC
                                              : XA_NMS_PATH_REF;
#if XA_NMS_HAVE_AVX2_BUILD
    if (p == XA_NMS_PATH_AVX2 && !xa_cpu_allows(xa_cpu_path_detected(), XA_CPU_AVX2))
        p = XA_NMS_PATH_GENERIC;
#else
    if (p == XA_NMS_PATH_AVX2) p = XA_NMS_PATH_GENERIC;
#endif
    return p;
}

/* ---- entry points ---------------------------------------------------------------------------- */
void xa_tv_nms_defaults(xa_tv_nms_opts *o) {
    memset(o, 0, sizeof *o);
    o->iou_threshold = 0.5;
    o->path = XA_TV_BATCHED_AUTO;
}

xa_tv_batched_path xa_tv_batched_path_for(int64_t n, const xa_tv_nms_opts *o) {
    if (o && o->path == XA_TV_BATCHED_OFFSET) return XA_TV_BATCHED_OFFSET;
    if (o && o->path == XA_TV_BATCHED_PER_CLASS) return XA_TV_BATCHED_PER_CLASS;
    /* boxes.numel() > (4000 if boxes.device.type == "cpu" else 20000) */
    return n * 4 > 4000 ? XA_TV_BATCHED_PER_CLASS : XA_TV_BATCHED_OFFSET;
}

/* Coordinate trick in place on a native copy: max_coordinate = boxes.max() (NaN if any is NaN,
 * as torch's max reduction propagates it); offsets = idxs.to(dtype) * (max + 1) in the dtype. */
#define TV_OFFSET(NAME, T)                                                                         \
    static void NAME(T *b, const int64_t *idx, int64_t n) {                                        \
        T mx = b[0];                                                                               \
        for (int64_t i = 1; i < n * 4 && !isnan(mx); i++)                                          \
            if (isnan(b[i]) || b[i] > mx) mx = b[i];                                               \
        T span = mx + (T)1; /* max_coordinate + torch.tensor(1).to(boxes) */                       \
        for (int64_t i = 0; i < n; i++) {                                                          \
            T off = (T)idx[i] * span; /* idxs.to(boxes): nearest T, then one multiply */           \
            for (int k = 0; k < 4; k++) b[i * 4 + k] += off;                                       \
        }                                                                                          \
    }
TV_OFFSET(tv_offset_f32, float)
TV_OFFSET(tv_offset_f64, double)

static void run_kernel(const xa_tensor *bx, const int64_t *order, int64_t m, double thr,
                       tv_scratch *s, int64_t *keep, int64_t *nkeep, xa_nms_decision *why) {
    xa_nms_path p = xa_nms_pick_path(why != NULL);
    if (bx->dtype == XA_F64)
        tv_kernel_f64_ref(bx->data, order, m, thr, s, keep, nkeep, why);
    else if (p == XA_NMS_PATH_REF)
        tv_kernel_f32_ref(bx->data, order, m, thr, s, keep, nkeep, why);
#if XA_NMS_HAVE_AVX2_BUILD
    else if (p == XA_NMS_PATH_AVX2)
        tv_kernel_f32_avx2(bx->data, order, m, thr, s, keep, nkeep);
#endif
    else
        tv_kernel_f32_generic(bx->data, order, m, thr, s, keep, nkeep);
}

/* _batched_nms_vanilla: per class nms (each class's order is the global stable order restricted
 * to it), keep mask, kept indices ascending, re-sorted by torch's non-stable sort. */
static xa_status per_class(const xa_tensor *bx, const double *sc, const int64_t *order,
                           const int64_t *idx, int64_t n, double thr, tv_scratch *s, int64_t *keep,
                           int64_t *nkeep, xa_nms_decision *why, xa_error *err) {
    int64_t *cls = malloc((size_t)n * sizeof *cls), *grp = malloc((size_t)n * sizeof *grp);
    int64_t *kept = malloc((size_t)n * sizeof *kept);
    uint8_t *mask = calloc((size_t)n, 1);
    xa_score_idx *v = malloc((size_t)n * sizeof *v);
    xa_status st = XA_OK;
    if (!cls || !grp || !kept || !mask || !v) {
        st = xa_fail(err, XA_ENOMEM, "nms: out of memory");
        goto done;
    }
    for (int64_t k = 0; k < n; k++) cls[k] = idx[order[k]], grp[k] = order[k];
    if ((st = xa_sort_by_key_stable(cls, grp, n, err))) goto done;
    for (int64_t a = 0; a < n;) {
        int64_t e = a + 1;
        while (e < n && cls[e] == cls[a]) e++;
        int64_t nk = 0;
        run_kernel(bx, grp + a, e - a, thr, s, kept, &nk, why);
        for (int64_t k = 0; k < nk; k++) mask[kept[k]] = 1;
        a = e;
    }
    int64_t m = 0; /* keep_indices = torch.where(keep_mask)[0] */
    for (int64_t i = 0; i < n; i++)
        if (mask[i]) v[m].v = sc[i], v[m].i = m, kept[m++] = i;
    xa_torch_sort_desc(v, m); /* scores[keep_indices].sort(descending=True) */
    for (int64_t k = 0; k < m; k++) keep[k] = kept[v[k].i];
    *nkeep = m;
done:
    free(cls), free(grp), free(kept), free(mask), free(v);
    return st;
}

xa_status xa_tv_nms_explain(const xa_tensor *boxes, const xa_tensor *scores, const xa_tensor *idxs,
                            const xa_tv_nms_opts *o, xa_tensor **keep, xa_nms_decision *why,
                            xa_error *err) {
    const char *op = idxs ? "batched_nms" : "nms";
    *keep = NULL;
    if (!o) return xa_fail(err, XA_EINVAL, "%s: missing options", op);
    int64_t n;
    xa_status st = xa_nms_check(op, boxes, scores, idxs, (1u << XA_F32) | (1u << XA_F64), &n, err);
    if (st) return st;
    if (scores->dtype != boxes->dtype) /* torchvision: "dets should have the same type as scores" */
        return xa_fail(err, XA_EINVAL,
                       "%s: scores are %s but boxes %s (torchvision wants one dtype)", op,
                       xa_dtype_name(scores->dtype), xa_dtype_name(boxes->dtype));
    xa_tv_batched_path path = idxs ? xa_tv_batched_path_for(n, o) : XA_TV_BATCHED_OFFSET;
    size_t es = xa_dtype_size(boxes->dtype);
    xa_tensor *bcopy = NULL, *stmp = NULL;
    const xa_tensor *sv;
    int64_t *idx = NULL, *order = NULL, *kept = NULL, nkeep = 0;
    double *sc = NULL;
    tv_scratch s = {0};
    if (idxs && path == XA_TV_BATCHED_OFFSET) {
        st = xa_tensor_dup_native(boxes, &bcopy, err); /* boxes_for_nms = boxes + offsets */
    } else {
        const xa_tensor *bv;
        st = xa_nms_native(boxes, &bv, &bcopy, err);
    }
    if (st || (st = xa_nms_native(scores, &sv, &stmp, err))) goto done;
    const xa_tensor *bx = bcopy ? bcopy : boxes;
    if (idxs && (st = read_idxs(op, idxs, n, &idx, err))) goto done;
    order = malloc((size_t)(n ? n : 1) * sizeof *order);
    kept = malloc((size_t)(n ? n : 1) * sizeof *kept);
    sc = malloc((size_t)(n ? n : 1) * sizeof *sc);
    s.x1 = malloc((size_t)(n ? n : 1) * es), s.y1 = malloc((size_t)(n ? n : 1) * es);
    s.x2 = malloc((size_t)(n ? n : 1) * es), s.y2 = malloc((size_t)(n ? n : 1) * es);
    s.area = malloc((size_t)(n ? n : 1) * es), s.sup = malloc((size_t)(n ? n : 1));
    s.live = malloc((size_t)(n ? n : 1) * sizeof *s.live);
    if (!order || !kept || !sc || !s.x1 || !s.y1 || !s.x2 || !s.y2 || !s.area || !s.sup ||
        !s.live) {
        st = xa_fail(err, XA_ENOMEM, "%s: out of memory for %lld boxes", op, (long long)n);
        goto done;
    }
    xa_convert_to_f64(sv->dtype, 0, sv->data, (size_t)n, sc);
    if (why)
        for (int64_t i = 0; i < n; i++)
            why[i] = (xa_nms_decision){XA_NMS_KEPT, -1, -1, NAN, o->iou_threshold};
    if ((st = xa_order_desc_stable(sc, n, order, err))) goto done;
    if (why)
        for (int64_t k = 0; k < n; k++) why[order[k]].rank = k;
    if (n == 0) {
        /* dets.numel() == 0: empty result (both batched paths agree) */
    } else if (path == XA_TV_BATCHED_PER_CLASS) {
        st = per_class(bx, sc, order, idx, n, o->iou_threshold, &s, kept, &nkeep, why, err);
    } else {
        if (idx && bx->dtype == XA_F32) tv_offset_f32(bx->data, idx, n);
        if (idx && bx->dtype == XA_F64) tv_offset_f64(bx->data, idx, n);
        run_kernel(bx, order, n, o->iou_threshold, &s, kept, &nkeep, why);
    }
    if (!st) st = xa_nms_index_tensor(kept, nkeep, keep, err);
done:
    xa_tensor_free(bcopy), xa_tensor_free(stmp);
    free(idx), free(order), free(kept), free(sc);
    free(s.x1), free(s.y1), free(s.x2), free(s.y2), free(s.area), free(s.sup), free(s.live);
    return st;
}

xa_status xa_tv_nms(const xa_tensor *boxes, const xa_tensor *scores, const xa_tensor *idxs,
                    const xa_tv_nms_opts *o, xa_tensor **keep, xa_error *err) {
    return xa_tv_nms_explain(boxes, scores, idxs, o, keep, NULL, err);
}
