/* NMS: argument validation and messages; the vectorised kernels (baseline and AVX2) against the
 * scalar references on random sets with ties, NaN, inf and thresholds on float boundaries; the
 * sorts; decisions on hand-checkable cases. Agreement with the real libraries:
 * tests/oracle/test_nms.py. */
#include "test.h"
#include "xalign/xalign.h"
#include "ops/nms_internal.h"

#include <math.h>
#include <string.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static double urand(void) { /* xorshift64*, uniform in [0, 1) */
    rng_state ^= rng_state >> 12, rng_state ^= rng_state << 25, rng_state ^= rng_state >> 27;
    return (double)((rng_state * 2685821657736338717ull) >> 11) / 9007199254740992.0;
}

static xa_tensor *new_t(xa_dtype dt, int rank, int64_t a, int64_t b) {
    int64_t shape[2] = {a, b};
    xa_tensor *t = NULL;
    xa_tensor_new(dt, rank, shape, &t, NULL);
    return t;
}

static int fails_with(xa_status st, const xa_error *e, xa_status want, const char *text) {
    return st == want && e->status == want && strstr(e->message, text) != NULL;
}

static int same_keep(const xa_tensor *a, const xa_tensor *b) {
    return a && b && a->shape[0] == b->shape[0] &&
           !memcmp(a->data, b->data, (size_t)a->shape[0] * sizeof(int64_t));
}

/* Random float32 boxes (xyxy or xywh), with special values when `special`. */
static void fill_boxes(xa_tensor *b, int64_t n, int grid, int special) {
    float *v = b->data;
    for (int64_t i = 0; i < n; i++) {
        for (int k = 0; k < 2; k++)
            v[i * 4 + k] = grid ? (float)(int)(urand() * 6) : (float)(urand() * 100);
        for (int k = 2; k < 4; k++)
            v[i * 4 + k] =
                v[i * 4 + k - 2] + (grid ? (float)(int)(urand() * 5) : (float)(urand() * 40 - 2));
        if (special && urand() < 0.05) v[i * 4 + (int)(urand() * 4)] = NAN;
        if (special && urand() < 0.03) v[i * 4 + (int)(urand() * 4)] = INFINITY;
    }
}

static void fill_scores(xa_tensor *s, int64_t n, int ties) {
    float *v = s->data;
    for (int64_t i = 0; i < n; i++) {
        v[i] = ties ? (float)(int)(urand() * 4) / 4 : (float)urand();
        if (urand() < 0.03) v[i] = NAN;
    }
}

static void check_paths_agree(void) {
    static const double thr[] = {0.0, 0.3, 0.45, 0.5, 0.7, 1.0, -0.1, 0.33333334326744080};
    int bad_tv = 0, bad_cv = 0, runs = 0;
    for (int c = 0; c < 400; c++) {
        int64_t n = 1 + (int64_t)(urand() * 300);
        xa_tensor *b = new_t(XA_F32, 2, n, 4), *s = new_t(XA_F32, 1, n, 0);
        fill_boxes(b, n, c % 3 == 0, c % 4 == 0);
        fill_scores(s, n, c % 2);
        double t = c % 3 ? thr[c % 8] : urand();
        if (c % 5 == 0) t = nextafter((double)(float)t, -1.0); /* between two floats */
        xa_tv_nms_opts to;
        xa_tv_nms_defaults(&to);
        to.iou_threshold = t;
        xa_cv_nms_opts co;
        xa_cv_nms_defaults(&co);
        co.nms_threshold = t < 0 ? 0.5 : t;
        co.eta = c % 3 == 1 ? 0.7 : 1.0;
        xa_tensor *ref = NULL, *k = NULL, *cref = NULL, *ck = NULL;
        xa_nms_force_path = XA_NMS_PATH_REF;
        xa_tv_nms(b, s, NULL, &to, &ref, NULL);
        xa_cv_nms_boxes(b, s, &co, &cref, NULL);
        for (int p = XA_NMS_PATH_GENERIC; p <= XA_NMS_PATH_AVX2; p++) {
            xa_nms_force_path = (xa_nms_path)p;
            xa_tv_nms(b, s, NULL, &to, &k, NULL);
            xa_cv_nms_boxes(b, s, &co, &ck, NULL);
            bad_tv += !same_keep(ref, k);
            bad_cv += !same_keep(cref, ck);
            runs++;
            xa_tensor_free(k), xa_tensor_free(ck);
        }
        /* the explain variant (reference kernel, decisions recorded) keeps the same boxes */
        xa_nms_force_path = XA_NMS_PATH_AUTO;
        xa_nms_decision *why = malloc((size_t)n * sizeof *why);
        xa_tv_nms_explain(b, s, NULL, &to, &k, why, NULL);
        bad_tv += !same_keep(ref, k);
        xa_tensor_free(k);
        free(why);
        xa_tensor_free(ref), xa_tensor_free(cref), xa_tensor_free(b), xa_tensor_free(s);
    }
    xa_nms_force_path = XA_NMS_PATH_AUTO;
    CHECKF(bad_tv == 0, "torchvision kernels differ from the reference in %d of %d runs", bad_tv,
           runs);
    CHECKF(bad_cv == 0, "cv2 kernels differ from the reference in %d of %d runs", bad_cv, runs);
}

static void check_sorts(void) {
    /* xa_stl_sort_i64 sorts any input, including patterns that exhaust introsort's depth */
    enum { N = 3000 };
    static int64_t a[N];
    int bad = 0;
    for (int pattern = 0; pattern < 6; pattern++) {
        for (int64_t i = 0; i < N; i++) {
            switch (pattern) {
            case 0:
                a[i] = i;
                break;
            case 1:
                a[i] = N - i;
                break;
            case 2:
                a[i] = (int64_t)(urand() * 5);
                break;
            case 3:
                a[i] = i % 2 ? i : N - i;
                break; /* organ pipe-ish */
            case 4:
                a[i] = 7;
                break;
            default:
                a[i] = (int64_t)(urand() * 1e9);
                break;
            }
        }
        int64_t sum = 0, sum2 = 0;
        for (int64_t i = 0; i < N; i++) sum += a[i];
        xa_stl_sort_i64(a, N);
        for (int64_t i = 0; i < N; i++) sum2 += a[i];
        for (int64_t i = 1; i < N; i++) bad += a[i - 1] > a[i];
        bad += sum != sum2;
    }
    CHECKF(bad == 0, "std::sort model: %d misorders", bad);

    /* stable descending order: NaN first, equal values (and -0/+0) by index */
    double v[8] = {0.5, NAN, 0.5, -0.0, 1.0, 0.0, NAN, -INFINITY};
    int64_t order[8], want[8] = {1, 6, 4, 0, 2, 3, 5, 7};
    CHECK(xa_order_desc_stable(v, 8, order, NULL) == XA_OK);
    CHECK(!memcmp(order, want, sizeof want));

    /* torch's descending sort: NaN first; with at most 16 elements the insertion sort keeps
     * equal values in index order */
    xa_score_idx e[6] = {{0.2, 0}, {0.9, 1}, {NAN, 2}, {0.2, 3}, {0.9, 4}, {-1, 5}};
    xa_torch_sort_desc(e, 6);
    int64_t want_t[6] = {2, 1, 4, 0, 3, 5};
    int ok = 1;
    for (int i = 0; i < 6; i++) ok &= e[i].i == want_t[i];
    CHECK(ok);
}

static void check_decisions(void) {
    /* two zero-area boxes: torchvision keeps both (0 / 0 is NaN, never > threshold), cv2 drops
     * the second (areas sum to <= DBL_EPSILON: overlap 1) */
    xa_tensor *b = new_t(XA_F32, 2, 3, 4), *s = new_t(XA_F32, 1, 3, 0);
    float bv[12] = {5, 5, 5, 5, 0, 0, 10, 10, 7, 7, 7, 7}, sv[3] = {0.9f, 0.8f, 0.7f};
    memcpy(b->data, bv, sizeof bv), memcpy(s->data, sv, sizeof sv);
    xa_tv_nms_opts to;
    xa_tv_nms_defaults(&to);
    xa_nms_decision why[3];
    xa_tensor *k = NULL;
    CHECK(xa_tv_nms_explain(b, s, NULL, &to, &k, why, NULL) == XA_OK && k->shape[0] == 3);
    CHECK(why[2].fate == XA_NMS_KEPT && why[2].by == 0 && isnan(why[2].overlap));
    CHECK(why[0].rank == 0 && why[1].rank == 1 && why[1].by == 0 && why[1].overlap == 0);
    xa_tensor_free(k);
    /* the same boxes as x, y, w, h for cv2: box 0 and 2 are (5,5,0,0) and (7,7,0,0) */
    float cvb[12] = {5, 5, 0, 0, 0, 0, 10, 10, 7, 7, 0, 0};
    memcpy(b->data, cvb, sizeof cvb);
    xa_cv_nms_opts co;
    xa_cv_nms_defaults(&co);
    co.score_threshold = 0.75;
    CHECK(xa_cv_nms_boxes_explain(b, s, &co, &k, why, NULL) == XA_OK && k->shape[0] == 2);
    CHECK(((int64_t *)k->data)[0] == 0 && ((int64_t *)k->data)[1] == 1);
    CHECK(why[2].fate == XA_NMS_BELOW_SCORE && why[2].rank == -1);
    xa_tensor_free(k);
    co.score_threshold = 0;
    co.top_k = 2;
    CHECK(xa_cv_nms_boxes_explain(b, s, &co, &k, why, NULL) == XA_OK);
    CHECK(why[2].fate == XA_NMS_TOP_K && why[2].rank == 2);
    xa_tensor_free(k);
    co.top_k = 0;
    CHECK(xa_cv_nms_boxes_explain(b, s, &co, &k, why, NULL) == XA_OK && k->shape[0] == 2);
    CHECK(why[2].fate == XA_NMS_SUPPRESSED && why[2].by == 0 && why[2].overlap == 1);
    xa_tensor_free(k);
    xa_tensor_free(b), xa_tensor_free(s);
}

static void check_errors(void) {
    xa_error e;
    xa_tensor *k = (xa_tensor *)1;
    xa_tensor *b = new_t(XA_F32, 2, 3, 4), *s = new_t(XA_F32, 1, 3, 0),
              *b5 = new_t(XA_F32, 2, 3, 5);
    xa_tensor *s64 = new_t(XA_F64, 1, 3, 0), *s2 = new_t(XA_F32, 1, 2, 0),
              *fi = new_t(XA_F32, 1, 3, 0);
    xa_tv_nms_opts to;
    xa_tv_nms_defaults(&to);
    xa_cv_nms_opts co;
    xa_cv_nms_defaults(&co);
    memset(&e, 0, sizeof e);
    CHECK(fails_with(xa_tv_nms(NULL, s, NULL, &to, &k, &e), &e, XA_EINVAL, "missing") && !k);
    CHECK(fails_with(xa_tv_nms(b5, s, NULL, &to, &k, &e), &e, XA_ESHAPE, "N x 4, got [3, 5]"));
    CHECK(fails_with(xa_tv_nms(b, s2, NULL, &to, &k, &e), &e, XA_ESHAPE, "scores must be [3]"));
    CHECK(fails_with(xa_tv_nms(b, s64, NULL, &to, &k, &e), &e, XA_EINVAL, "one dtype"));
    CHECK(fails_with(xa_tv_nms(b, s, fi, &to, &k, &e), &e, XA_EINVAL, "idxs must be integers"));
    CHECK(fails_with(xa_tv_nms(b, s, s2, &to, &k, &e), &e, XA_ESHAPE, "idxs must be [3]"));
    CHECK(fails_with(xa_tv_nms(b, s, NULL, NULL, &k, &e), &e, XA_EINVAL, "missing options"));
    co.nms_threshold = -0.5;
    CHECK(fails_with(xa_cv_nms_boxes(b, s, &co, &k, &e), &e, XA_EINVAL, "nms_threshold"));
    co.nms_threshold = 0.5, co.eta = 0;
    CHECK(fails_with(xa_cv_nms_boxes(b, s, &co, &k, &e), &e, XA_EINVAL, "eta"));
    co.eta = 1, co.score_threshold = NAN;
    CHECK(fails_with(xa_cv_nms_boxes(b, s, &co, &k, &e), &e, XA_EINVAL, "score_threshold"));
    /* above the limit: the shape alone is refused, no allocation */
    xa_tensor big = *b;
    big.shape[0] = XA_NMS_MAX_BOXES + 1;
    CHECK(fails_with(xa_tv_nms(&big, s, NULL, &to, &k, &e), &e, XA_ELIMIT, "exceed the limit"));

    xa_yolov5_nms_opts yo;
    xa_yolov5_nms_defaults(&yo);
    xa_tensor *l = (xa_tensor *)1;
    CHECK(fails_with(xa_yolov5_nms(b, &yo, &l, &e), &e, XA_ESHAPE, "5 + classes"));
    CHECK(l == NULL);
    xa_tensor *p = new_t(XA_F32, 2, 4, 7);
    yo.conf_thres = 1.5;
    CHECK(fails_with(xa_yolov5_nms(p, &yo, &l, &e), &e, XA_EINVAL, "conf_thres 1.5 is outside"));
    yo.conf_thres = 0.25, yo.iou_thres = NAN;
    CHECK(fails_with(xa_yolov5_nms(p, &yo, &l, &e), &e, XA_EINVAL, "iou_thres"));
    /* 2^25 empty images: refused before anything is allocated per image */
    xa_tensor many = {0};
    many.dtype = XA_F32, many.rank = 3;
    many.shape[0] = (int64_t)1 << 25, many.shape[1] = 0, many.shape[2] = 7;
    yo.iou_thres = 0.45;
    CHECK(fails_with(xa_yolov5_nms(&many, &yo, &l, &e), &e, XA_ELIMIT, "exceeds the limit"));
    xa_tensor_free(p);
    xa_tensor_free(b), xa_tensor_free(s), xa_tensor_free(b5), xa_tensor_free(s64);
    xa_tensor_free(s2), xa_tensor_free(fi);
}

static void check_yolov5_hand(void) {
    /* one image, three rows, two classes:
     *  row 0: box (50, 50, 20, 20), obj 0.9, classes (0.5, 0.8) -> conf 0.72, cls 1
     *  row 1: the same box moved by 2 px, obj 0.8, classes (0.9, 0.1) -> conf 0.72, cls 0
     *  row 2: obj 0.1 <= 0.25: dropped
     * equal confidences: the argsort keeps row order (two elements: insertion sort). Class offsets
     * keep rows 0 and 1 apart; agnostic, row 1 is suppressed (IoU 360 / 440). */
    xa_tensor *p = new_t(XA_F32, 2, 3, 7);
    float v[21] = {50,   50,   20,   20, 0.9f, 0.5f, 0.8f, 52,   50, 20, 20,
                   0.8f, 0.9f, 0.1f, 10, 10,   4,    4,    0.1f, 1,  1};
    memcpy(p->data, v, sizeof v);
    xa_yolov5_nms_opts yo;
    xa_yolov5_nms_defaults(&yo);
    xa_tensor *l = NULL;
    CHECK(xa_yolov5_nms(p, &yo, &l, NULL) == XA_OK && l->rank == 2 && l->shape[1] == 7);
    const float *d = l->data; /* rows: image, x1, y1, x2, y2, conf, cls */
    CHECK(l->shape[0] == 2 && d[0] == 0 && d[7] == 0);
    CHECK(d[1] == 40 && d[2] == 40 && d[3] == 60 && d[4] == 60 && d[5] == 0.9f * 0.8f && d[6] == 1);
    CHECK(d[7 + 1] == 42 && d[7 + 5] == 0.8f * 0.9f && d[7 + 6] == 0);
    xa_tensor_free(l);
    yo.agnostic = 1;
    CHECK(xa_yolov5_nms(p, &yo, &l, NULL) == XA_OK && l->shape[0] == 1);
    xa_tensor_free(l);
    /* multi_label: row 0 also gives (0.45, cls 0), suppressed by row 1's class 0 */
    yo.agnostic = 0, yo.multi_label = 1;
    CHECK(xa_yolov5_nms(p, &yo, &l, NULL) == XA_OK && l->shape[0] == 2);
    xa_tensor_free(l);
    int64_t only1 = 1; /* single label, class 1 only: row 0 */
    yo.multi_label = 0, yo.classes = &only1, yo.nclasses = 1;
    CHECK(xa_yolov5_nms(p, &yo, &l, NULL) == XA_OK && l->shape[0] == 1);
    CHECK(((float *)l->data)[6] == 1 && ((float *)l->data)[1] == 40);
    xa_tensor_free(l);
    yo.classes = NULL, yo.nclasses = 0, yo.max_det = 1; /* i[:max_det] */
    CHECK(xa_yolov5_nms(p, &yo, &l, NULL) == XA_OK && l->shape[0] == 1);
    xa_tensor_free(l);
    /* a batch of two: the second image (a copy shifted by 100 px) follows with index 1 */
    xa_tensor *p2 = new_t(XA_F32, 2, 6, 7);
    p2->rank = 3, p2->shape[0] = 2, p2->shape[1] = 3, p2->shape[2] = 7;
    memcpy(p2->data, v, sizeof v), memcpy((float *)p2->data + 21, v, sizeof v);
    ((float *)p2->data)[21] += 100;
    yo.max_det = 300;
    CHECK(xa_yolov5_nms(p2, &yo, &l, NULL) == XA_OK && l->shape[0] == 4 &&
          xa_yolov5_batch(p2) == 2);
    d = l->data;
    CHECK(d[0] == 0 && d[7] == 0 && d[14] == 1 && d[21] == 1 && d[14 + 1] == 140);
    xa_tensor_free(l), xa_tensor_free(p2);
    xa_tensor_free(p);
}

static void check_convert(void) {
    xa_tensor *b = new_t(XA_F32, 2, 2, 4), *w = NULL, *back = NULL;
    float v[8] = {1, 2, 4, 6, 0.1f, 0.2f, 0.3f, 0.7f};
    memcpy(b->data, v, sizeof v);
    CHECK(xa_boxes_convert(b, XA_BOX_XYXY, XA_BOX_XYWH, &w, NULL) == XA_OK);
    const float *o = w->data;
    CHECK(o[2] == 3 && o[3] == 4 && o[6] == 0.3f - 0.1f && o[7] == 0.7f - 0.2f);
    CHECK(xa_boxes_convert(w, XA_BOX_XYWH, XA_BOX_XYXY, &back, NULL) == XA_OK);
    CHECK(((float *)back->data)[2] == 4 && ((float *)back->data)[6] == 0.1f + (0.3f - 0.1f));
    xa_tensor_free(w), xa_tensor_free(back);
    xa_tensor *i = new_t(XA_I32, 2, 1, 4);
    int32_t iv[4] = {1, 2, 10, 20};
    memcpy(i->data, iv, sizeof iv);
    CHECK(xa_boxes_convert(i, XA_BOX_XYXY, XA_BOX_XYWH, &w, NULL) == XA_OK && w->dtype == XA_F64);
    CHECK(((double *)w->data)[2] == 9 && ((double *)w->data)[3] == 18);
    xa_tensor_free(w), xa_tensor_free(i), xa_tensor_free(b);
}

int main(void) {
    check_errors();
    check_sorts();
    check_decisions();
    check_paths_agree();
    check_yolov5_hand();
    check_convert();
    TEST_DONE();
}
