/* One-pass metric kernels: the scalar references (doubles, float32) and the float32 dispatch to
 * the AVX2 / AVX-512VL blocks of kernel_avx2.c. Definitions: docs/metrics.md. Every per-element
 * operation is done in double. */
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

/* The reference definition, one element at a time. */
/* `s` holds plain block-local sums (folded into the accumulator with compensation per block). */
static inline void one(xa_acc *a, double *s, double r, double p, int64_t idx, double atol,
                       double rtol) {
    int fr = isfinite(r), fp = isfinite(p);
    if (XA_LIKELY(fr && fp)) {
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
        s[S_ABS] += ad;
        s[S_D2] += d * d;
        s[S_R2] += r * r;
        s[S_P2] += p * p;
        s[S_RP] += r * p;
        s[S_R] += r;
        s[S_P] += p;
        double h = (r + p) * 0.5;
        s[S_H2] += h * h;
    } else {
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
    }
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

/* The reference loop, for double and float inputs alike. */
#define XA_REFERENCE_KERNEL(NAME, T)                                                               \
    void NAME(xa_acc *a, const T *r, const T *p, size_t n, int64_t base, double atol,              \
              double rtol) {                                                                       \
        a->count += (int64_t)n;                                                                    \
        for (size_t i = 0; i < n; i += XA_KERNEL_BLOCK) {                                          \
            double s[S_COUNT] = {0};                                                               \
            size_t e = n - i < XA_KERNEL_BLOCK ? n : i + XA_KERNEL_BLOCK;                          \
            for (size_t k = i; k < e; k++) one(a, s, r[k], p[k], base + (int64_t)k, atol, rtol);   \
            fold_block_sums(a, s);                                                                 \
        }                                                                                          \
    }
XA_REFERENCE_KERNEL(xa_kernel_f64, double)
XA_REFERENCE_KERNEL(xa_kernel_f32_ref, float)
#undef XA_REFERENCE_KERNEL

void xa_kernel_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
                   double rtol, xa_cpu_path path) {
#ifdef XA_KERNEL_X86
    if (xa_cpu_allows(path, XA_CPU_AVX2)) {
        const int wide = xa_cpu_allows(path, XA_CPU_AVX512);
        size_t i = 0;
        while (i < n) {
            size_t m = n - i < XA_KERNEL_BLOCK ? n - i : XA_KERNEL_BLOCK;
            size_t v = m & ~(size_t)7;
            if (v) {
                xa_acc save = *a; /* restored if the block met a NaN/Inf */
                int clean = wide ? xa_kernel_block_f32_avx512(a, r + i, p + i, v, base + (int64_t)i,
                                                              atol, rtol)
                                 : xa_kernel_block_f32_avx2(a, r + i, p + i, v, base + (int64_t)i,
                                                            atol, rtol);
                if (!clean) {
                    *a = save;
                    xa_kernel_f32_ref(a, r + i, p + i, v, base + (int64_t)i, atol, rtol);
                }
            }
            if (v < m)
                xa_kernel_f32_ref(a, r + i + v, p + i + v, m - v, base + (int64_t)(i + v), atol,
                                  rtol);
            i += m;
        }
        return;
    }
#endif
    (void)path;
    xa_kernel_f32_ref(a, r, p, n, base, atol, rtol);
}
