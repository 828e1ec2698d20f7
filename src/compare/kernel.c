/* One-pass metric kernels: the scalar references (doubles, float32) and the float32 dispatch to
 * the AVX2 / AVX-512VL blocks of kernel_avx2.c and the NEON block of kernel_neon.c. Definitions:
 * docs/metrics.md. Every per-element operation is done in double. */
#include "kernel.h"

#include <math.h>
#include <string.h>

void xa_acc_init(xa_acc *a) {
    memset(a, 0, sizeof *a);
    a->max_abs = -1;
    a->max_abs_index = -1;
    a->max_rel = -1;
    a->max_rel_index = -1;
    a->first_nonfinite = -1;
    a->rmin = a->pmin = INFINITY;
    a->rmax = a->pmax = -INFINITY;
}

void xa_acc_add(xa_acc *a, int k, double v) {
    /* Neumaier: t = s + v; c += (|s| >= |v|) ? (s - t) + v : (v - t) + s */
    double s = a->sum[k], t = s + v;
    if (fabs(s) >= fabs(v))
        a->comp[k] += (s - t) + v;
    else
        a->comp[k] += (v - t) + s;
    a->sum[k] = t;
}

void xa_acc_merge(xa_acc *a, const xa_acc *b) {
    a->count += b->count;
    a->equal += b->equal;
    a->finite += b->finite;
    a->mism += b->mism;
    a->zero_ref_diff += b->zero_ref_diff;
    a->nan_r += b->nan_r;
    a->nan_p += b->nan_p;
    a->inf_r += b->inf_r;
    a->inf_p += b->inf_p;
    a->nonfinite_mism += b->nonfinite_mism;
    if (b->first_nonfinite >= 0 &&
        (a->first_nonfinite < 0 || b->first_nonfinite < a->first_nonfinite))
        a->first_nonfinite = b->first_nonfinite;
    a->rfin += b->rfin;
    a->pfin += b->pfin;
    if (b->max_abs_index >= 0 &&
        xa_acc_better(b->max_abs, b->max_abs_index, a->max_abs, a->max_abs_index)) {
        a->max_abs = b->max_abs;
        a->max_abs_index = b->max_abs_index;
        a->max_abs_ref = b->max_abs_ref;
        a->max_abs_port = b->max_abs_port;
    }
    if (b->max_rel_index >= 0 &&
        xa_acc_better(b->max_rel, b->max_rel_index, a->max_rel, a->max_rel_index)) {
        a->max_rel = b->max_rel;
        a->max_rel_index = b->max_rel_index;
    }
    if (b->rmin < a->rmin) a->rmin = b->rmin;
    if (b->rmax > a->rmax) a->rmax = b->rmax;
    if (b->pmin < a->pmin) a->pmin = b->pmin;
    if (b->pmax > a->pmax) a->pmax = b->pmax;
    for (int k = 0; k < S_COUNT; k++) {
        xa_acc_add(a, k, b->sum[k]);
        a->comp[k] += b->comp[k];
    }
}

/* Counts and extrema of one pair of finite values: everything one() does for it but the sums. */
static inline void finite_pair(xa_acc *a, double r, double p, int64_t idx, double atol,
                               double rtol) {
    double d = p - r, ad = fabs(d), ar = fabs(r);
    a->finite++;
    a->equal += r == p;
    if (ad > a->max_abs) {
        a->max_abs = ad;
        a->max_abs_index = idx;
        a->max_abs_ref = r;
        a->max_abs_port = p;
    }
    a->mism += ad > atol + rtol * ar;
    if (r != 0) {
        double rel = ad / ar;
        if (rel > a->max_rel) {
            a->max_rel = rel;
            a->max_rel_index = idx;
        }
    } else {
        a->zero_ref_diff += ad != 0;
    }
    a->rfin++;
    a->pfin++;
    if (r < a->rmin) a->rmin = r;
    if (r > a->rmax) a->rmax = r;
    if (p < a->pmin) a->pmin = p;
    if (p > a->pmax) a->pmax = p;
}

/* The reference definition, one element at a time. `s` holds plain block-local sums (folded
 * into the accumulator with compensation per block). */
static inline void one(xa_acc *a, double *s, double r, double p, int64_t idx, double atol,
                       double rtol) {
    int fr = isfinite(r), fp = isfinite(p);
    if (XA_LIKELY(fr && fp)) {
        finite_pair(a, r, p, idx, atol, rtol);
        double d = p - r, h = (r + p) * 0.5;
        s[S_ABS] += fabs(d);
        s[S_D2] += d * d;
        s[S_R2] += r * r;
        s[S_P2] += p * p;
        s[S_RP] += r * p;
        s[S_R] += r;
        s[S_P] += p;
        s[S_H2] += h * h;
        s[S_RALL] += r;
        s[S_PALL] += p;
        return;
    }
    int same = (isnan(r) && isnan(p)) || r == p;
    if (same) {
        a->equal++;
    } else {
        a->nonfinite_mism++;
        a->mism++;
        if (a->first_nonfinite < 0) a->first_nonfinite = idx;
    }
    a->nan_r += isnan(r) != 0;
    a->nan_p += isnan(p) != 0;
    a->inf_r += isinf(r) != 0;
    a->inf_p += isinf(p) != 0;
    if (fr) {
        a->rfin++;
        s[S_RALL] += r;
        if (r < a->rmin) a->rmin = r;
        if (r > a->rmax) a->rmax = r;
    }
    if (fp) {
        a->pfin++;
        s[S_PALL] += p;
        if (p < a->pmin) a->pmin = p;
        if (p > a->pmax) a->pmax = p;
    }
}

static void fold_block_sums(xa_acc *a, const double *s) {
    for (int k = 0; k < S_COUNT; k++) xa_acc_add(a, k, s[k]);
}

/* The element-by-element loop, for double and float inputs alike: each pair through one(), the
 * sums folded every XA_KERNEL_BLOCK elements. */
#define XA_ELEMENT_LOOP(a, r, p, n, base, atol, rtol)                                              \
    do {                                                                                           \
        (a)->count += (int64_t)(n);                                                                \
        for (size_t i = 0; i < (n); i += XA_KERNEL_BLOCK) {                                        \
            double s[S_COUNT] = {0};                                                               \
            size_t e = (n)-i < XA_KERNEL_BLOCK ? (n) : i + XA_KERNEL_BLOCK;                        \
            for (size_t k = i; k < e; k++)                                                         \
                one((a), s, (r)[k], (p)[k], (base) + (int64_t)k, (atol), (rtol));                  \
            fold_block_sums((a), s);                                                               \
        }                                                                                          \
    } while (0)

void xa_kernel_f64(xa_acc *a, const double *r, const double *p, size_t n, int64_t base, double atol,
                   double rtol) {
    XA_ELEMENT_LOOP(a, r, p, n, base, atol, rtol);
}

static void elements_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                         double atol, double rtol) {
    XA_ELEMENT_LOOP(a, r, p, n, base, atol, rtol);
}

/* ---- float32: blocks of 8-lane sums -------------------------------------------------------
 * float32 data goes in blocks of XA_KERNEL_BLOCK pairs. The multiple-of-8 part of a block whose
 * values are all finite has its sums formed as the vector kernel forms them, on every path: two
 * accumulators of 4 lanes (lane j of accumulator h takes the elements 8m + 4h + j), products
 * added with fused multiply-adds, (r + p)^2 summed and scaled by 1/4 at the end, the two
 * accumulators added lane by lane, then the lanes as (l0 + l2) + (l1 + l3). So the sums, and
 * every metric derived from them, are the same bytes whichever path runs (XALIGN_CPU). Counts
 * and extrema are one()'s. A block with a NaN or Inf, and the rest of a block, go element by
 * element. (A CPU without FMA runs the C library's exact fma: slower, same result.) */

/* A block's folded sums into the accumulator's compensated ones. */
static void add_block_sums(xa_acc *a, const double *sum) {
    xa_acc_add(a, S_ABS, sum[L_ABS]);
    xa_acc_add(a, S_D2, sum[L_D2]);
    xa_acc_add(a, S_R2, sum[L_R2]);
    xa_acc_add(a, S_P2, sum[L_P2]);
    xa_acc_add(a, S_RP, sum[L_RP]);
    xa_acc_add(a, S_H2, sum[L_H2] * 0.25); /* exact: a power of two */
    xa_acc_add(a, S_R, sum[L_R]);
    xa_acc_add(a, S_P, sum[L_P]);
    xa_acc_add(a, S_RALL, sum[L_R]);
    xa_acc_add(a, S_PALL, sum[L_P]);
}

/* The scalar form of a clean block (n a multiple of 8): 0 without touching `a` if a value is
 * not finite. Lane l = 4h + j of the 8 below is lane j of accumulator h. */
static int block_f32_ref(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                         double atol, double rtol) {
    for (size_t k = 0; k < n; k++)
        if (!isfinite(r[k]) || !isfinite(p[k])) return 0;
    double ls[L_COUNT][8] = {{0}};
    a->count += (int64_t)n;
    for (size_t i = 0; i < n; i += 8)
        for (int l = 0; l < 8; l++) {
            const double rd = r[i + l], pd = p[i + l], d = pd - rd;
            const double r2 = rd + pd; /* twice the pair's mean */
            finite_pair(a, rd, pd, base + (int64_t)(i + l), atol, rtol);
            ls[L_ABS][l] += fabs(d);
            ls[L_D2][l] = fma(d, d, ls[L_D2][l]);
            ls[L_R2][l] = fma(rd, rd, ls[L_R2][l]);
            ls[L_P2][l] = fma(pd, pd, ls[L_P2][l]);
            ls[L_RP][l] = fma(rd, pd, ls[L_RP][l]);
            ls[L_R][l] += rd;
            ls[L_P][l] += pd;
            ls[L_H2][l] = fma(r2, r2, ls[L_H2][l]);
        }
    double sum[L_COUNT];
    for (int q = 0; q < L_COUNT; q++) {
        const double *v = ls[q];
        sum[q] = ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]));
    }
    add_block_sums(a, sum);
    return 1;
}

void xa_kernel_block_commit(xa_acc *a, const float *r, const float *p, const xa_block *b) {
    a->count += (int64_t)b->n;
    a->finite += (int64_t)b->n;
    a->rfin += (int64_t)b->n;
    a->pfin += (int64_t)b->n;
    a->equal += b->equal;
    a->zero_ref_diff += b->zero_ref_diff;
    a->mism += b->mism;
    if (b->max_abs > a->max_abs) {
        for (size_t k = 0; k < b->n; k++) {
            const double ad = fabs((double)p[k] - (double)r[k]);
            if (ad == b->max_abs) {
                a->max_abs = ad;
                a->max_abs_index = b->base + (int64_t)k;
                a->max_abs_ref = r[k];
                a->max_abs_port = p[k];
                break;
            }
        }
    }
    if (b->rmin < a->rmin) a->rmin = b->rmin;
    if (b->rmax > a->rmax) a->rmax = b->rmax;
    if (b->pmin < a->pmin) a->pmin = b->pmin;
    if (b->pmax > a->pmax) a->pmax = b->pmax;
    add_block_sums(a, b->sum);
}

typedef int (*block_fn)(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                        double atol, double rtol);

static void blocks_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                       double atol, double rtol, block_fn block) {
    for (size_t i = 0; i < n;) {
        const size_t m = n - i < XA_KERNEL_BLOCK ? n - i : XA_KERNEL_BLOCK;
        const size_t v = m & ~(size_t)7;
        if (v) {
            xa_acc save = *a; /* restored if the block met a NaN/Inf */
            if (!block(a, r + i, p + i, v, base + (int64_t)i, atol, rtol)) {
                *a = save;
                elements_f32(a, r + i, p + i, v, base + (int64_t)i, atol, rtol);
            }
        }
        if (v < m)
            elements_f32(a, r + i + v, p + i + v, m - v, base + (int64_t)(i + v), atol, rtol);
        i += m;
    }
}

void xa_kernel_f32_ref(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                       double atol, double rtol) {
    blocks_f32(a, r, p, n, base, atol, rtol, block_f32_ref);
}

void xa_kernel_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
                   double rtol, xa_cpu_path path) {
#ifdef XA_KERNEL_X86
    if (xa_cpu_allows(path, XA_CPU_AVX2)) {
        blocks_f32(a, r, p, n, base, atol, rtol,
                   xa_cpu_allows(path, XA_CPU_AVX512) ? xa_kernel_block_f32_avx512
                                                      : xa_kernel_block_f32_avx2);
        return;
    }
#endif
#ifdef XA_KERNEL_NEON
    if (xa_cpu_allows(path, XA_CPU_NEON)) {
        blocks_f32(a, r, p, n, base, atol, rtol, xa_kernel_block_f32_neon);
        return;
    }
#endif
    (void)path;
    xa_kernel_f32_ref(a, r, p, n, base, atol, rtol);
}
