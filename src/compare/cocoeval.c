/* COCOeval for bounding boxes, following pycocotools (PythonAPI/pycocotools/cocoeval.py:
 * COCOeval._prepare, computeIoU, evaluateImg, accumulate, summarize; common/maskApi.c: bbIou)
 * with its default Params. The rules, and the quirks kept on purpose, are listed in
 * docs/results.md; every floating-point expression below is evaluated in the order the Python
 * evaluates it, in double.
 *
 * Work is organised by "cells": the (image, category) pairs that have ground truth or
 * detections (pycocotools' evalImgs entries that are not None). evaluate() runs per cell, in
 * parallel; accumulate() runs per category, in parallel.
 */
#include "internal.h"
#include "hashmap.h"
#include "xalign/results.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T = XA_COCO_T, R = XA_COCO_R, A = XA_COCO_A, M = XA_COCO_M, TA = T * A };
#define MAXDET 100 /* Params.maxDets[-1] */
static const int max_dets[M] = {1, 10, 100};
/* Params.areaRng: [0, 1e5**2], [0, 32**2], [32**2, 96**2], [96**2, 1e5**2], both ends inclusive */
static const double area_rng[A][2] = {{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}};

/* One cell: ground truth [g0, g1) and detections [d0, d1) in the key-sorted index arrays; its
 * evaluated detections (at most MAXDET, by descending score) at [off, off + nd) of the per-det
 * arrays, and their flags at flags[(off * TA) ...]. */
typedef struct cell {
    uint64_t key; /* image * K + category */
    uint32_t g0, g1, d0, d1;
    size_t off;
    uint32_t nd;
    uint32_t npig[A]; /* non-ignored ground truths per area range */
} cell;

struct xa_cocoeval_state {
    size_t K, I;
    size_t ncells;
    cell *cells;
    size_t *img_cell; /* I + 1: cells of image i are [img_cell[i], img_cell[i+1]) */
    size_t *cat_cell; /* K + 1 offsets into cat_list */
    size_t *cat_list; /* cell indices grouped by category, image order kept */
    size_t ndet;      /* evaluated detections (sum of nd) */
    double *score;    /* ndet: scores in evaluation order */
    uint32_t *det;    /* ndet: index into the results list (pycocotools id - 1) */
    uint8_t *flags;   /* ndet * TA, [a][t] per detection: bit 0 tp, bit 1 fp, 0 ignored */
};

/* ---- parameters (numpy.linspace as Params.setDetParams calls it) --------------------------- */
static void set_params(xa_cocoeval *e) {
    /* np.linspace(.5, 0.95, 10): step = (stop - start) / 9, y[i] = i * step + start, the last
     * set to stop exactly */
    double step = (0.95 - 0.5) / 9;
    for (int i = 0; i < T; i++) e->iou_thrs[i] = (double)i * step + 0.5;
    e->iou_thrs[T - 1] = 0.95;
    /* np.linspace(.0, 1.00, 101) */
    double rstep = (1.00 - 0.0) / 100;
    for (int i = 0; i < R; i++) e->rec_thrs[i] = (double)i * rstep + 0.0;
    e->rec_thrs[R - 1] = 1.00;
}

/* ---- sorting ------------------------------------------------------------------------------ */
/* Stable LSD radix sort of (key, value) pairs by key; keys < 2^bits. */
static int radix_sort(uint64_t *keys, uint32_t *vals, size_t n, int bits) {
    if (n < 2) return 0;
    uint64_t *k2 = malloc(n * sizeof *k2);
    uint32_t *v2 = malloc(n * sizeof *v2);
    size_t *cnt = malloc(65536 * sizeof *cnt);
    if (!k2 || !v2 || !cnt) {
        free(k2);
        free(v2);
        free(cnt);
        return -1;
    }
    for (int shift = 0; shift < bits; shift += 16) {
        memset(cnt, 0, 65536 * sizeof *cnt);
        for (size_t i = 0; i < n; i++) cnt[(keys[i] >> shift) & 0xFFFF]++;
        size_t s = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = cnt[b];
            cnt[b] = s;
            s += c;
        }
        for (size_t i = 0; i < n; i++) {
            size_t p = cnt[(keys[i] >> shift) & 0xFFFF]++;
            k2[p] = keys[i];
            v2[p] = vals[i];
        }
        memcpy(keys, k2, n * sizeof *keys);
        memcpy(vals, v2, n * sizeof *vals);
    }
    free(k2);
    free(v2);
    free(cnt);
    return 0;
}

/* Stable sort of idx[0..n) by key[idx] descending: numpy's argsort(-key, kind='mergesort') (a
 * stable sort; equal scores keep their order). tmp has room for n. */
static void sort_desc(uint32_t *idx, size_t n, const double *key, uint32_t *tmp) {
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            uint32_t v = idx[i];
            double kv = key[v];
            size_t j = i;
            while (j > 0 && key[idx[j - 1]] < kv) {
                idx[j] = idx[j - 1];
                j--;
            }
            idx[j] = v;
        }
        return;
    }
    size_t h = n / 2;
    sort_desc(idx, h, key, tmp);
    sort_desc(idx + h, n - h, key, tmp);
    if (!(key[idx[h - 1]] < key[idx[h]])) return; /* already in order */
    memcpy(tmp, idx, h * sizeof *idx);
    size_t i = 0, j = h, o = 0;
    while (i < h && j < n) idx[o++] = key[idx[j]] > key[tmp[i]] ? idx[j++] : tmp[i++];
    while (i < h) idx[o++] = tmp[i++];
}

/* ---- summation as numpy's mean does it ------------------------------------------------------ */
/* numpy's pairwise_sum (numpy/core/src/umath/loops_utils.h.src, DOUBLE_pairwise_sum): below 8
 * values a plain loop, up to 128 eight accumulators, above that halves (a multiple of 8 first). */
static double pairwise_sum(const double *a, size_t n) {
    if (n < 8) {
        double r = 0.;
        for (size_t i = 0; i < n; i++) r += a[i];
        return r;
    }
    if (n <= 128) {
        double r[8];
        for (int k = 0; k < 8; k++) r[k] = a[k];
        size_t i;
        for (i = 8; i < n - (n % 8); i += 8)
            for (int k = 0; k < 8; k++) r[k] += a[i + k];
        double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        for (; i < n; i++) res += a[i];
        return res;
    }
    size_t n2 = n / 2;
    n2 -= n2 % 8;
    return pairwise_sum(a, n2) + pairwise_sum(a + n2, n - n2);
}

/* np.mean of a 1-D float64 array: add.reduce runs the pairwise sum over blocks of the ufunc
 * buffer size (8192 elements), adding the block sums in order to 0, then divides by n. */
static double np_mean(const double *a, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i += 8192) s += pairwise_sum(a + i, n - i < 8192 ? n - i : 8192);
    return s / (double)n;
}

/* ---- evaluate -------------------------------------------------------------------------------- */
typedef struct eval_ctx {
    const xa_coco_gt *gt;
    const xa_dets *dt;
    xa_cocoeval_state *s;
    const uint32_t *gsort, *dsort; /* key-sorted indices of anns and dets */
    const double *iou_thrs;
    int nchunks;
    int failed;
} eval_ctx;

/* maskApi.c bbIou for one pair: D is the detection, G the ground truth, both [x, y, w, h]. */
static double bb_iou(const double *D, const double *G, int crowd) {
    double ga = G[2] * G[3], da = D[2] * D[3];
    double w = fmin(D[2] + D[0], G[2] + G[0]) - fmax(D[0], G[0]);
    if (w <= 0) return 0;
    double h = fmin(D[3] + D[1], G[3] + G[1]) - fmax(D[1], G[1]);
    if (h <= 0) return 0;
    double i = w * h, u = crowd ? da : da + ga - i;
    return i / u;
}

typedef struct scratch {
    double *iou; /* nd x G */
    uint32_t *idx, *tmp;
    double *dscore;
    uint32_t *order; /* gt order for one area range */
    uint8_t *gig, *crowd, *gtm;
    size_t gcap, dcap, icap;
} scratch;

static void scratch_free(scratch *w) {
    free(w->iou);
    free(w->idx);
    free(w->tmp);
    free(w->dscore);
    free(w->order);
    free(w->gig);
    free(w->crowd);
    free(w->gtm);
    memset(w, 0, sizeof *w);
}

/* Grow one scratch array to hold n elements of size es (capacity in *cap). */
static int grow_to(void **p, size_t *cap, size_t n, size_t es) {
    if (n <= *cap && *p) return 0;
    size_t c = *cap ? *cap : 64;
    while (c < n) c *= 2;
    void *q = realloc(*p, c * es);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int scratch_need(scratch *w, size_t G, size_t D) {
    size_t nd = D < MAXDET ? D : MAXDET, gc = w->gcap, dc = w->dcap, dc2 = w->dcap, dc3 = w->dcap;
    size_t gc2 = w->gcap, gc3 = w->gcap, gc4 = w->gcap;
    if (grow_to((void **)&w->iou, &w->icap, nd * G + 1, sizeof *w->iou)) return -1;
    if (grow_to((void **)&w->idx, &dc, D + 1, sizeof *w->idx) ||
        grow_to((void **)&w->tmp, &dc2, D + 1, sizeof *w->tmp) ||
        grow_to((void **)&w->dscore, &dc3, D + 1, sizeof *w->dscore))
        return -1;
    if (grow_to((void **)&w->order, &gc, G + 1, sizeof *w->order) ||
        grow_to((void **)&w->gig, &gc2, G + 1, 1) || grow_to((void **)&w->crowd, &gc3, G + 1, 1) ||
        grow_to((void **)&w->gtm, &gc4, G + 1, 1))
        return -1;
    w->dcap = dc;
    w->gcap = gc;
    return 0;
}

/* evaluateImg for every area range of one cell (maxDet = 100), after computeIoU. */
static int eval_cell(eval_ctx *c, cell *cl, scratch *w) {
    const xa_coco_ann *anns = c->gt->anns;
    const xa_det *dets = c->dt->items;
    size_t G = cl->g1 - cl->g0, D = cl->d1 - cl->d0;
    if (scratch_need(w, G, D)) return -1;
    xa_cocoeval_state *s = c->s;
    /* detections by descending score, stable over the results' order; the first 100 */
    for (size_t d = 0; d < D; d++) {
        w->idx[d] = (uint32_t)d;
        w->dscore[d] = dets[c->dsort[cl->d0 + d]].score;
    }
    sort_desc(w->idx, D, w->dscore, w->tmp);
    size_t nd = cl->nd;
    for (size_t d = 0; d < nd; d++) {
        uint32_t di = c->dsort[cl->d0 + w->idx[d]];
        s->det[cl->off + d] = di;
        s->score[cl->off + d] = dets[di].score;
    }
    const uint32_t *gidx = c->gsort + cl->g0;
    for (size_t g = 0; g < G; g++) w->crowd[g] = (uint8_t)anns[gidx[g]].iscrowd;
    /* computeIoU: maskUtils.iou(d, g, iscrowd) is [] when either side is empty */
    int have_iou = nd > 0 && G > 0;
    for (size_t d = 0; d < nd && have_iou; d++) {
        const double *D4 = dets[s->det[cl->off + d]].box;
        for (size_t g = 0; g < G; g++)
            w->iou[d * G + g] = bb_iou(D4, anns[gidx[g]].bbox, w->crowd[g]);
    }
    uint8_t *fl = s->flags + cl->off * TA;
    if (G == 0) {
        /* no ground truth: every detection is unmatched, a false positive unless its area is
         * outside the range (the general loop below gives the same flags) */
        for (size_t d = 0; d < nd; d++) {
            const double *bb = dets[s->det[cl->off + d]].box;
            double da = bb[2] * bb[3];
            for (int a = 0; a < A; a++)
                memset(fl + d * TA + (size_t)a * T,
                       da < area_rng[a][0] || da > area_rng[a][1] ? 0 : 2, T);
        }
        for (int a = 0; a < A; a++) cl->npig[a] = 0;
        return 0;
    }
    for (int a = 0; a < A; a++) {
        double lo = area_rng[a][0], hi = area_rng[a][1];
        /* _ignore = iscrowd or area outside the range; gt sorted ignore-last, stably */
        size_t no = 0;
        uint32_t npig = 0;
        for (size_t g = 0; g < G; g++) {
            double ar = anns[gidx[g]].area;
            w->gig[g] = w->crowd[g] || ar < lo || ar > hi;
            if (!w->gig[g]) {
                w->order[no++] = (uint32_t)g;
                npig++;
            }
        }
        for (size_t g = 0; g < G; g++)
            if (w->gig[g]) w->order[no++] = (uint32_t)g;
        cl->npig[a] = npig;
        for (int t = 0; t < T; t++) {
            memset(w->gtm, 0, G);
            for (size_t d = 0; d < nd; d++) {
                int64_t mid = 0; /* dtMatches: the matched gt's id, 0 = none */
                int ig = 0;      /* dtIgnore */
                if (have_iou) {
                    /* iou = min([t, 1-1e-10]) */
                    double best = c->iou_thrs[t] < 1 - 1e-10 ? c->iou_thrs[t] : 1 - 1e-10;
                    long m = -1;
                    const double *row = w->iou + d * G;
                    for (size_t j = 0; j < G; j++) {
                        uint32_t g = w->order[j];
                        if (w->gtm[g] && !w->crowd[g]) continue;
                        if (m > -1 && !w->gig[m] && w->gig[g]) break;
                        if (row[g] < best) continue;
                        best = row[g];
                        m = (long)g;
                    }
                    if (m >= 0) {
                        ig = w->gig[m];
                        mid = anns[gidx[m]].id;
                        w->gtm[m] = 1;
                    }
                }
                /* unmatched (dtm == 0: also a match to annotation id 0) detections outside the
                 * area range are ignored; the area is loadRes' bb[2]*bb[3] */
                if (mid == 0 && !ig) {
                    const double *bb = dets[s->det[cl->off + d]].box;
                    double da = bb[2] * bb[3];
                    if (da < lo || da > hi) ig = 1;
                }
                /* accumulate: tps = dtm & ~dtIg, fps = ~dtm & ~dtIg */
                fl[d * TA + (size_t)a * T + (size_t)t] = (uint8_t)(ig ? 0 : mid != 0 ? 1 : 2);
            }
        }
    }
    return 0;
}

static void eval_chunk(void *arg, int ci) {
    eval_ctx *c = arg;
    size_t n = c->s->ncells, per = (n + (size_t)c->nchunks - 1) / (size_t)c->nchunks;
    size_t a = (size_t)ci * per, b = a + per < n ? a + per : n;
    scratch w = {0};
    for (size_t i = a; i < b; i++)
        if (eval_cell(c, &c->s->cells[i], &w)) {
            __atomic_store_n(&c->failed, 1, __ATOMIC_RELAXED);
            break;
        }
    scratch_free(&w);
}

/* ---- accumulate ------------------------------------------------------------------------------ */
/* A cell of some run, for accumulating a category from cells of two runs (movers). */
typedef struct cellref {
    const xa_cocoeval_state *s;
    size_t c;
} cellref;

typedef struct acc_scratch {
    size_t cap;
    double *score, *tppr;
    uint32_t *idx, *tmp, *rank;
    const uint8_t **fl;
    uint8_t *rows; /* the selected detections' flags of one area range, [nd][T] */
} acc_scratch;

static void acc_free(acc_scratch *w) {
    free(w->score);
    free(w->tppr);
    free(w->idx);
    free(w->tmp);
    free(w->rank);
    free((void *)w->fl);
    free(w->rows);
    memset(w, 0, sizeof *w);
}

static int acc_need(acc_scratch *w, size_t n) {
    if (n <= w->cap && w->score) return 0;
    acc_free(w);
    size_t c = n + 1;
    w->score = malloc(c * sizeof *w->score);
    w->tppr = malloc(c * sizeof *w->tppr);
    w->idx = malloc(c * sizeof *w->idx);
    w->tmp = malloc(c * sizeof *w->tmp);
    w->rank = malloc(c * sizeof *w->rank);
    w->fl = malloc(c * sizeof *w->fl);
    w->rows = malloc(c * T);
    if (!w->score || !w->tppr || !w->idx || !w->tmp || !w->rank || !w->fl || !w->rows) return -1;
    w->cap = n;
    return 0;
}

/* accumulate() for one category from its cells in image order. prec is [T][R][A][M] and rec
 * [T][A][M] for this category (left at -1 where pycocotools leaves them). only_a0m2: compute
 * area 'all', maxDets 100 only (what stats[0] reads; used by the movers).
 *
 * pycocotools builds rc = tp/npig and pr = tp/(fp+tp+eps) at every detection, makes pr
 * non-increasing from the right, and reads q[r] = pr[searchsorted(rc, recThrs[r], 'left')].
 * The same numbers come from the true positives alone, with two divisions per true positive
 * instead of per detection:
 * - rc only grows at a true positive, and (double)x / npig grows with the integer x, so the
 *   first index with rc >= recThrs[r] is the x_r-th true positive, x_r the smallest integer with
 *   x_r / npig >= recThrs[r] (index 0 when x_r = 0; past the end when x_r exceeds the count);
 * - between true positives tp stays and fp only grows, so pr falls: the maximum of pr over any
 *   suffix that starts at a true positive (or at 0, where pr is 0 until the first one) is the
 *   maximum over the true positives in it, computed with the same expression. */
static int accumulate_cat(const cellref *cells, size_t ncells, const double *rec_thrs,
                          int only_a0m2, double *prec, double *rec, acc_scratch *w) {
    for (size_t i = 0; i < (size_t)T * R * A * M; i++) prec[i] = -1;
    for (size_t i = 0; i < (size_t)T * A * M; i++) rec[i] = -1;
    if (ncells == 0) return 0; /* len(E) == 0 */
    size_t N = 0;
    uint64_t npig[A] = {0};
    for (size_t c = 0; c < ncells; c++) {
        const cell *cl = &cells[c].s->cells[cells[c].c];
        N += cl->nd;
        for (int a = 0; a < A; a++) npig[a] += cl->npig[a];
    }
    if (acc_need(w, N)) return -1;
    /* dtScores concatenated over the images in order, each image's in its sorted order */
    size_t n = 0;
    for (size_t c = 0; c < ncells; c++) {
        const xa_cocoeval_state *s = cells[c].s;
        const cell *cl = &s->cells[cells[c].c];
        for (uint32_t d = 0; d < cl->nd; d++, n++) {
            w->score[n] = s->score[cl->off + d];
            w->rank[n] = d;
            w->fl[n] = s->flags + (cl->off + d) * TA;
            w->idx[n] = (uint32_t)n;
        }
    }
    /* np.argsort(-dtScores, kind='mergesort') */
    sort_desc(w->idx, N, w->score, w->tmp);
    for (int a = 0; a < A; a++) {
        if ((only_a0m2 && a != 0) || npig[a] == 0) continue;
        double np_ = (double)npig[a];
        /* x_r: the smallest integer with x / npig >= recThrs[r]; npig + 1 when none */
        uint64_t xr[R];
        uint64_t x = 0;
        for (int r = 0; r < R; r++) {
            while (x <= npig[a] && (double)x / np_ < rec_thrs[r]) x++;
            xr[r] = x;
        }
        for (int m = 0; m < M; m++) {
            if (only_a0m2 && m != M - 1) continue;
            /* the first maxDet of every image, in the merged order */
            size_t nd = 0;
            for (size_t i = 0; i < N; i++) {
                uint32_t id = w->idx[i];
                if (w->rank[id] < (uint32_t)max_dets[m])
                    memcpy(w->rows + nd++ * T, w->fl[id] + a * T, T);
            }
            for (int t = 0; t < T; t++) {
                double tp = 0, fp = 0;
                size_t ntp = 0;
                for (size_t i = 0; i < nd; i++) {
                    uint8_t f = w->rows[i * T + (size_t)t];
                    if (f & 1) {
                        tp += 1;
                        /* pr = tp / (fp + tp + np.spacing(1)) */
                        w->tppr[ntp++] = tp / (fp + tp + 2.220446049250313e-16);
                    } else if (f & 2) {
                        fp += 1;
                    }
                }
                /* recall = rc[-1] if nd else 0 */
                rec[((size_t)t * A + (size_t)a) * M + (size_t)m] = nd ? tp / np_ : 0;
                for (size_t i = ntp; i-- > 1;)
                    if (w->tppr[i] > w->tppr[i - 1]) w->tppr[i - 1] = w->tppr[i];
                for (int r = 0; r < R; r++) {
                    double q;
                    if (nd == 0)
                        q = 0; /* searchsorted gives 0 == nd: past the end */
                    else if (xr[r] == 0)
                        q = ntp ? w->tppr[0] : 0;
                    else
                        q = xr[r] <= ntp ? w->tppr[xr[r] - 1] : 0;
                    prec[(((size_t)t * R + (size_t)r) * A + (size_t)a) * M + (size_t)m] = q;
                }
            }
        }
    }
    return 0;
}

typedef struct acc_ctx {
    xa_cocoeval *e;
    int failed;
} acc_ctx;

/* Copy one category's [T][R][A][M] / [T][A][M] into the full [T][R][K][A][M] / [T][K][A][M]. */
static void scatter_cat(xa_cocoeval *e, size_t k, const double *prec, const double *rec) {
    size_t K = e->ncats;
    for (int t = 0; t < T; t++) {
        for (int r = 0; r < R; r++)
            memcpy(e->precision + (((size_t)t * R + (size_t)r) * K + k) * A * M,
                   prec + ((size_t)t * R + (size_t)r) * A * M, A * M * sizeof *prec);
        memcpy(e->recall + ((size_t)t * K + k) * A * M, rec + (size_t)t * A * M,
               A * M * sizeof *rec);
    }
}

static void acc_one(void *arg, int k) {
    acc_ctx *c = arg;
    xa_cocoeval *e = c->e;
    const xa_cocoeval_state *s = e->state;
    size_t n = s->cat_cell[k + 1] - s->cat_cell[k];
    cellref *refs = malloc((n + 1) * sizeof *refs);
    double *prec = malloc((size_t)T * R * A * M * sizeof *prec);
    double *rec = malloc((size_t)T * A * M * sizeof *rec);
    acc_scratch w = {0};
    if (!refs || !prec || !rec) {
        __atomic_store_n(&c->failed, 1, __ATOMIC_RELAXED);
    } else {
        for (size_t i = 0; i < n; i++) refs[i] = (cellref){s, s->cat_list[s->cat_cell[k] + i]};
        if (accumulate_cat(refs, n, e->rec_thrs, 0, prec, rec, &w))
            __atomic_store_n(&c->failed, 1, __ATOMIC_RELAXED);
        else
            scatter_cat(e, (size_t)k, prec, rec);
    }
    acc_free(&w);
    free(refs);
    free(prec);
    free(rec);
}

/* ---- summarize --------------------------------------------------------------------------------
 */
/* _summarize(ap, iouThr, areaRng, maxDets): the mean of the selected entries > -1, else -1.
 * t < 0: all thresholds; the selection is read in numpy's C order (t, r, k for precision; t, k
 * for recall). `buf` has room for T * R * K values. */
static double summarize_one(const xa_cocoeval *e, int ap, int t, int a, int m, double *buf) {
    size_t K = e->ncats, n = 0;
    int t0 = t < 0 ? 0 : t, t1 = t < 0 ? T : t + 1;
    for (int ti = t0; ti < t1; ti++) {
        if (ap) {
            for (int r = 0; r < R; r++)
                for (size_t k = 0; k < K; k++) {
                    double v = e->precision[(((size_t)ti * R + (size_t)r) * K + k) * A * M +
                                            (size_t)a * M + (size_t)m];
                    if (v > -1) buf[n++] = v;
                }
        } else {
            for (size_t k = 0; k < K; k++) {
                double v = e->recall[((size_t)ti * K + k) * A * M + (size_t)a * M + (size_t)m];
                if (v > -1) buf[n++] = v;
            }
        }
    }
    return n ? np_mean(buf, n) : -1;
}

/* _summarizeDets(): (ap, iouThr index or -1, area, maxDets index) of the 12 stats */
static const int stat_def[12][4] = {{1, -1, 0, 2}, {1, 0, 0, 2},  {1, 5, 0, 2},  {1, -1, 1, 2},
                                    {1, -1, 2, 2}, {1, -1, 3, 2}, {0, -1, 0, 0}, {0, -1, 0, 1},
                                    {0, -1, 0, 2}, {0, -1, 1, 2}, {0, -1, 2, 2}, {0, -1, 3, 2}};

/* np.where(iouThr == p.iouThrs): the index of .5 / .75 among the thresholds, -2 if absent. */
static int thr_index(const xa_cocoeval *e, double v) {
    for (int t = 0; t < T; t++)
        if (e->iou_thrs[t] == v) return t;
    return -2;
}

static int summarize(xa_cocoeval *e) {
    double *buf = malloc(((size_t)T * R * (e->ncats ? e->ncats : 1) + 1) * sizeof *buf);
    if (!buf) return -1;
    for (int i = 0; i < 12; i++) {
        int t = stat_def[i][1];
        if (t >= 0) t = thr_index(e, t == 0 ? .5 : .75);
        e->stats[i] =
            t == -2 ? -1 : summarize_one(e, stat_def[i][0], t, stat_def[i][2], stat_def[i][3], buf);
    }
    free(buf);
    return 0;
}

void xa_cocoeval_stat_line(const xa_cocoeval *e, int i, char *buf, size_t size) {
    static const char *areas[A] = {"all", "small", "medium", "large"};
    if (i < 0 || i > 11) {
        snprintf(buf, size, "?");
        return;
    }
    int ap = stat_def[i][0], t = stat_def[i][1];
    char iou[16];
    /* iStr = ' {:<18} {} @[ IoU={:<9} | area={:>6s} | maxDets={:>3d} ] = {:0.3f}' */
    if (t < 0)
        snprintf(iou, sizeof iou, "%.2f:%.2f", e->iou_thrs[0], e->iou_thrs[T - 1]);
    else
        snprintf(iou, sizeof iou, "%.2f", t == 0 ? .5 : .75);
    snprintf(buf, size, " %-18s %s @[ IoU=%-9s | area=%6s | maxDets=%3d ] = %0.3f",
             ap ? "Average Precision" : "Average Recall", ap ? "(AP)" : "(AR)", iou,
             areas[stat_def[i][2]], max_dets[stat_def[i][3]], e->stats[i]);
}

double xa_cocoeval_category_ap(const xa_cocoeval *e, size_t k, int iou_index) {
    if (!e || k >= e->ncats) return -1;
    double sum[T * R];
    size_t n = 0, K = e->ncats;
    int t0 = iou_index < 0 ? 0 : iou_index, t1 = iou_index < 0 ? T : iou_index + 1;
    for (int t = t0; t < t1 && t < T; t++)
        for (int r = 0; r < R; r++) {
            double v = e->precision[(((size_t)t * R + (size_t)r) * K + k) * A * M + (M - 1)];
            if (v > -1) sum[n++] = v;
        }
    return n ? np_mean(sum, n) : -1;
}

/* ---- run ------------------------------------------------------------------------------------ */
static void state_free(xa_cocoeval_state *s) {
    if (!s) return;
    free(s->cells);
    free(s->img_cell);
    free(s->cat_cell);
    free(s->cat_list);
    free(s->score);
    free(s->det);
    free(s->flags);
    free(s);
}

void xa_cocoeval_free(xa_cocoeval *e) {
    if (!e) return;
    state_free(e->state);
    free(e->precision);
    free(e->recall);
    free(e);
}

static int bits_for(uint64_t n) {
    int b = 1;
    while (b < 64 && (n >> b)) b++;
    return b;
}

xa_status xa_cocoeval_run(const xa_coco_gt *gt, const xa_dets *dt, int threads, xa_cocoeval **out,
                          xa_error *err) {
    *out = NULL;
    xa_status st = XA_ENOMEM;
    xa_cocoeval *e = calloc(1, sizeof *e);
    xa_cocoeval_state *s = e ? calloc(1, sizeof *s) : NULL;
    xa_imap img = {0}, cat = {0};
    uint64_t *gkey = NULL, *dkey = NULL;
    uint32_t *gsort = NULL, *dsort = NULL;
    if (!e || !s) goto oom;
    e->state = s;
    set_params(e);
    size_t K = gt->ncats, I = gt->nimages;
    e->ncats = K;
    e->cats = gt->cats;
    e->nimages = I;
    s->K = K;
    s->I = I;
    e->precision = malloc(((size_t)T * R * K * A * M + 1) * sizeof *e->precision);
    e->recall = malloc(((size_t)T * K * A * M + 1) * sizeof *e->recall);
    if (!e->precision || !e->recall) goto oom;
    for (size_t i = 0; i < (size_t)T * R * K * A * M; i++) e->precision[i] = -1;
    for (size_t i = 0; i < (size_t)T * K * A * M; i++) e->recall[i] = -1;
    if (gt->nanns > UINT32_MAX || dt->count > UINT32_MAX) {
        st = xa_fail(err, XA_ELIMIT, "more than 2^32 annotations or detections");
        goto fail;
    }
    /* image ids (sorted, as p.imgIds) and category ids (sorted, as p.catIds) -> indices */
    for (size_t i = 0; i < I; i++)
        if (xa_imap_put(&img, gt->images[i].id, i, NULL) < 0) goto oom;
    for (size_t k = 0; k < K; k++)
        if (xa_imap_put(&cat, gt->cats[k].id, k, NULL) < 0) goto oom;
    /* _prepare: gts and dts of the evaluated images and categories, grouped by (image,
     * category) with the file order kept inside a group */
    gkey = malloc((gt->nanns + 1) * sizeof *gkey);
    gsort = malloc((gt->nanns + 1) * sizeof *gsort);
    dkey = malloc((dt->count + 1) * sizeof *dkey);
    dsort = malloc((dt->count + 1) * sizeof *dsort);
    if (!gkey || !gsort || !dkey || !dsort) goto oom;
    size_t ng = 0, ndt = 0;
    for (size_t i = 0; i < gt->nanns; i++) {
        size_t ii = xa_imap_get(&img, gt->anns[i].image_id),
               kk = xa_imap_get(&cat, gt->anns[i].category_id);
        if (ii == SIZE_MAX || kk == SIZE_MAX) continue;
        gkey[ng] = (uint64_t)ii * K + kk;
        gsort[ng++] = (uint32_t)i;
    }
    for (size_t i = 0; i < dt->count; i++) {
        const xa_det *d = &dt->items[i];
        const xa_det_image *im = &dt->images[d->image];
        size_t ii = im->has_id ? xa_imap_get(&img, im->id) : SIZE_MAX;
        if (ii == SIZE_MAX) {
            if (im->has_id)
                st = xa_fail(err, XA_EFORMAT,
                             "detection %zu (image_id %lld): no such image in the ground truth "
                             "(pycocotools: \"Results do not correspond to current coco set\")",
                             i, (long long)im->id);
            else
                st = xa_fail(err, XA_EFORMAT,
                             "detection %zu (image_id \"%s\"): the ground truth's image ids are "
                             "numbers",
                             i, im->name ? im->name : "");
            goto fail;
        }
        size_t kk = xa_imap_get(&cat, d->category_id);
        if (kk == SIZE_MAX) {
            e->dets_unknown_category++;
            continue;
        }
        dkey[ndt] = (uint64_t)ii * K + kk;
        dsort[ndt++] = (uint32_t)i;
    }
    e->dets_used = ndt;
    int kb = bits_for((uint64_t)I * (K ? K : 1));
    if (radix_sort(gkey, gsort, ng, kb) || radix_sort(dkey, dsort, ndt, kb)) goto oom;
    /* cells: merge the two key-sorted lists */
    size_t cap = 0;
    for (size_t gi = 0, di = 0; gi < ng || di < ndt;) {
        uint64_t key = gi < ng && (di >= ndt || gkey[gi] <= dkey[di]) ? gkey[gi] : dkey[di];
        cell c;
        memset(&c, 0, sizeof c);
        c.key = key;
        c.g0 = (uint32_t)gi;
        while (gi < ng && gkey[gi] == key) gi++;
        c.g1 = (uint32_t)gi;
        c.d0 = (uint32_t)di;
        while (di < ndt && dkey[di] == key) di++;
        c.d1 = (uint32_t)di;
        c.nd = c.d1 - c.d0 < MAXDET ? c.d1 - c.d0 : MAXDET;
        c.off = s->ndet;
        s->ndet += c.nd;
        if (s->ncells >= cap) {
            size_t nc = cap ? cap * 2 : 1024;
            cell *p = realloc(s->cells, nc * sizeof *p);
            if (!p) goto oom;
            s->cells = p;
            cap = nc;
        }
        s->cells[s->ncells++] = c;
    }
    s->score = malloc((s->ndet + 1) * sizeof *s->score);
    s->det = malloc((s->ndet + 1) * sizeof *s->det);
    s->flags = malloc(s->ndet * TA + 1);
    s->img_cell = calloc(I + 1, sizeof *s->img_cell);
    s->cat_cell = calloc(K + 1, sizeof *s->cat_cell);
    s->cat_list = malloc((s->ncells + 1) * sizeof *s->cat_list);
    if (!s->score || !s->det || !s->flags || !s->img_cell || !s->cat_cell || !s->cat_list) goto oom;
    /* evaluate */
    eval_ctx ec = {gt, dt, s, gsort, dsort, e->iou_thrs, 1, 0};
    if (threads <= 0) threads = xa_threads_get();
    ec.nchunks = s->ncells < 256 ? 1 : (int)(s->ncells / 256 < 256 ? s->ncells / 256 : 256);
    xa_parallel(threads, ec.nchunks, eval_chunk, &ec);
    if (ec.failed) goto oom;
    /* indices by image and by category (image order kept within a category) */
    for (size_t c = 0; c < s->ncells; c++) {
        s->img_cell[s->cells[c].key / (K ? K : 1) + 1]++;
        s->cat_cell[s->cells[c].key % (K ? K : 1) + 1]++;
    }
    for (size_t i = 0; i < I; i++) s->img_cell[i + 1] += s->img_cell[i];
    for (size_t k = 0; k < K; k++) s->cat_cell[k + 1] += s->cat_cell[k];
    {
        size_t *fill = malloc((K + 1) * sizeof *fill);
        if (!fill) goto oom;
        memcpy(fill, s->cat_cell, (K + 1) * sizeof *fill);
        for (size_t c = 0; c < s->ncells; c++) s->cat_list[fill[s->cells[c].key % K]++] = c;
        free(fill);
    }
    acc_ctx ac = {e, 0};
    xa_parallel(threads, (int)K, acc_one, &ac);
    if (ac.failed || summarize(e)) goto oom;
    *out = e;
    e = NULL;
    st = XA_OK;
    goto done;
oom:
    st = xa_fail(err, XA_ENOMEM, "out of memory evaluating %zu detections", dt->count);
fail:
done:
    free(gkey);
    free(gsort);
    free(dkey);
    free(dsort);
    xa_imap_clear(&img);
    xa_imap_clear(&cat);
    xa_cocoeval_free(e);
    return st;
}

/* ---- movers --------------------------------------------------------------------------------- */
void xa_cocoeval_movers_free(xa_cocoeval_movers *m) {
    if (!m) return;
    free(m->cats);
    free(m->images);
    free(m);
}

static int cmp_mover(const void *x, const void *y) {
    const xa_cocoeval_mover *a = x, *b = y;
    double da = fabs(a->delta), db = fabs(b->delta);
    if (da != db) return da < db ? 1 : -1;
    return (a->id > b->id) - (a->id < b->id);
}

/* Cells of image i in a state: [lo, hi). */
static void image_cells(const xa_cocoeval_state *s, size_t i, size_t *lo, size_t *hi) {
    *lo = s->img_cell[i];
    *hi = s->img_cell[i + 1];
}

/* How differently image i was evaluated by the two runs: tp/fp count changes at area 'all' plus
 * score changes; 0 when identical. */
static double image_change(const xa_cocoeval_state *a, const xa_cocoeval_state *b, size_t i) {
    size_t alo, ahi, blo, bhi;
    image_cells(a, i, &alo, &ahi);
    image_cells(b, i, &blo, &bhi);
    double diff = 0;
    size_t p = alo, q = blo;
    while (p < ahi || q < bhi) {
        const cell *ca = p < ahi ? &a->cells[p] : NULL, *cb = q < bhi ? &b->cells[q] : NULL;
        uint64_t ka = ca ? ca->key : UINT64_MAX, kb = cb ? cb->key : UINT64_MAX;
        const cell *x = ka <= kb ? ca : NULL, *y = kb <= ka ? cb : NULL;
        uint32_t nx = x ? x->nd : 0, ny = y ? y->nd : 0;
        diff += fabs((double)nx - (double)ny);
        for (int t = 0; t < T; t++) {
            double tpx = 0, fpx = 0, tpy = 0, fpy = 0;
            for (uint32_t d = 0; d < nx; d++) {
                uint8_t f = a->flags[(x->off + d) * TA + t];
                tpx += f & 1;
                fpx += f >> 1;
            }
            for (uint32_t d = 0; d < ny; d++) {
                uint8_t f = b->flags[(y->off + d) * TA + t];
                tpy += f & 1;
                fpy += f >> 1;
            }
            diff += fabs(tpx - tpy) + fabs(fpx - fpy);
        }
        for (uint32_t d = 0; d < (nx < ny ? nx : ny); d++) {
            diff += fabs(a->score[x->off + d] - b->score[y->off + d]);
            if (memcmp(a->flags + (x->off + d) * TA, b->flags + (y->off + d) * TA, TA))
                diff += 1e-9;
        }
        if (x) p++;
        if (y) q++;
    }
    return diff;
}

typedef struct mover_ctx {
    const xa_cocoeval *a, *b;
    const size_t *cand;
    xa_cocoeval_mover *out;
    double base_ap;
    int failed;
} mover_ctx;

/* AP (stats[0]) of run b with image i's cells taken from run a. */
static void mover_one(void *arg, int ci) {
    mover_ctx *c = arg;
    const xa_cocoeval *ea = c->a, *eb = c->b;
    const xa_cocoeval_state *a = ea->state, *b = eb->state;
    size_t i = c->cand[ci], K = eb->ncats;
    size_t alo, ahi, blo, bhi;
    image_cells(a, i, &alo, &ahi);
    image_cells(b, i, &blo, &bhi);
    /* the affected categories, and a copy of b's precision at area all / maxDets 100 */
    double *col = malloc(((size_t)T * R * K + 1) * sizeof *col);
    double *buf = malloc(((size_t)T * R * K + 1) * sizeof *buf);
    double *prec = malloc((size_t)T * R * A * M * sizeof *prec);
    double *rec = malloc((size_t)T * A * M * sizeof *rec);
    size_t maxn = 0;
    for (size_t k = 0; k < K; k++) {
        size_t n = b->cat_cell[k + 1] - b->cat_cell[k];
        if (n > maxn) maxn = n;
    }
    cellref *refs = malloc((maxn + 2) * sizeof *refs);
    acc_scratch w = {0};
    if (!col || !buf || !prec || !rec || !refs) goto fail;
    for (int t = 0; t < T; t++)
        for (int r = 0; r < R; r++)
            for (size_t k = 0; k < K; k++)
                col[((size_t)t * R + (size_t)r) * K + k] =
                    eb->precision[(((size_t)t * R + (size_t)r) * K + k) * A * M + (M - 1)];
    size_t p = alo, q = blo;
    while (p < ahi || q < bhi) {
        uint64_t ka = p < ahi ? a->cells[p].key : UINT64_MAX,
                 kb = q < bhi ? b->cells[q].key : UINT64_MAX;
        size_t k = (size_t)((ka < kb ? ka : kb) % K);
        /* b's cells of category k, with image i's replaced by a's (if a has one) */
        size_t n = 0;
        int placed = 0;
        for (size_t j = b->cat_cell[k]; j < b->cat_cell[k + 1]; j++) {
            size_t cb = b->cat_list[j], img = (size_t)(b->cells[cb].key / K);
            if (!placed && img >= i) {
                if (ka <= kb) refs[n++] = (cellref){a, p};
                placed = 1;
            }
            if (img != i) refs[n++] = (cellref){b, cb};
        }
        if (!placed && ka <= kb) refs[n++] = (cellref){a, p};
        if (accumulate_cat(refs, n, eb->rec_thrs, 1, prec, rec, &w)) goto fail;
        for (int t = 0; t < T; t++)
            for (int r = 0; r < R; r++)
                col[((size_t)t * R + (size_t)r) * K + k] =
                    prec[(((size_t)t * R + (size_t)r) * A) * M + (M - 1)];
        if (ka <= kb) p++;
        if (kb <= ka) q++;
    }
    size_t n = 0;
    for (size_t x = 0; x < (size_t)T * R * K; x++)
        if (col[x] > -1) buf[n++] = col[x];
    double ap = n ? np_mean(buf, n) : -1;
    c->out[ci] = (xa_cocoeval_mover){1, 0, i, ap, eb->stats[0], ap - eb->stats[0]};
    goto done;
fail:
    __atomic_store_n(&c->failed, 1, __ATOMIC_RELAXED);
done:
    acc_free(&w);
    free(col);
    free(buf);
    free(prec);
    free(rec);
    free(refs);
}

typedef struct cand {
    double change;
    size_t i;
} cand;

static int cmp_cand(const void *x, const void *y) {
    const cand *a = x, *b = y;
    if (a->change != b->change) return a->change < b->change ? 1 : -1;
    return (a->i > b->i) - (a->i < b->i);
}

xa_status xa_cocoeval_movers_new(const xa_coco_gt *gt, const xa_cocoeval *a, const xa_cocoeval *b,
                                 size_t max_images, int threads, xa_cocoeval_movers **out,
                                 xa_error *err) {
    *out = NULL;
    if (a->ncats != b->ncats || a->nimages != b->nimages || a->nimages != gt->nimages)
        return xa_fail(err, XA_EINVAL, "the two evaluations are of different ground truths");
    xa_cocoeval_movers *m = calloc(1, sizeof *m);
    cand *cands = malloc((gt->nimages + 1) * sizeof *cands);
    size_t *ci = malloc((gt->nimages + 1) * sizeof *ci);
    if (!m || !cands || !ci) goto oom;
    m->cats = malloc((a->ncats + 1) * sizeof *m->cats);
    if (!m->cats) goto oom;
    for (size_t k = 0; k < a->ncats; k++) {
        double x = xa_cocoeval_category_ap(a, k, -1), y = xa_cocoeval_category_ap(b, k, -1);
        if (x == y) continue;
        m->cats[m->ncats++] = (xa_cocoeval_mover){0, a->cats[k].id, k, x, y, y - x};
    }
    qsort(m->cats, m->ncats, sizeof *m->cats, cmp_mover);
    size_t nc = 0;
    for (size_t i = 0; i < gt->nimages; i++) {
        double ch = image_change(a->state, b->state, i);
        if (ch > 0) cands[nc++] = (cand){ch, i};
    }
    m->images_changed = nc;
    qsort(cands, nc, sizeof *cands, cmp_cand);
    if (nc > max_images) nc = max_images;
    m->images_checked = nc;
    for (size_t i = 0; i < nc; i++) ci[i] = cands[i].i;
    m->images = malloc((nc + 1) * sizeof *m->images);
    if (!m->images) goto oom;
    mover_ctx mc = {a, b, ci, m->images, b->stats[0], 0};
    xa_parallel(threads, (int)nc, mover_one, &mc);
    if (mc.failed) goto oom;
    for (size_t x = 0; x < nc; x++) m->images[x].id = gt->images[m->images[x].index].id;
    m->nimages = nc;
    qsort(m->images, nc, sizeof *m->images, cmp_mover);
    free(cands);
    free(ci);
    *out = m;
    return XA_OK;
oom:
    free(cands);
    free(ci);
    xa_cocoeval_movers_free(m);
    return xa_fail(err, XA_ENOMEM, "out of memory");
}
