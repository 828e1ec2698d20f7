/* One-pass metric kernels: the scalar reference on doubles and an AVX2 float32 fast path.
 * Definitions: docs/metrics.md. Every per-element operation is done in double. */
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

static int better(double v, int64_t i, double bv, int64_t bi) {
    return v > bv || (v == bv && i >= 0 && (bi < 0 || i < bi));
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
    if (b->first_nonfinite >= 0 && (a->first_nonfinite < 0 || b->first_nonfinite < a->first_nonfinite))
        a->first_nonfinite = b->first_nonfinite;
    a->rfin += b->rfin;
    a->pfin += b->pfin;
    if (b->max_abs_index >= 0 && better(b->max_abs, b->max_abs_index, a->max_abs, a->max_abs_index)) {
        a->max_abs = b->max_abs;
        a->max_abs_index = b->max_abs_index;
        a->max_abs_ref = b->max_abs_ref;
        a->max_abs_port = b->max_abs_port;
    }
    if (b->max_rel_index >= 0 && better(b->max_rel, b->max_rel_index, a->max_rel, a->max_rel_index)) {
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
static inline void one(xa_acc *a, double r, double p, int64_t idx, double atol, double rtol) {
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
        xa_acc_add(a, S_ABS, ad);
        xa_acc_add(a, S_D2, d * d);
        xa_acc_add(a, S_R2, r * r);
        xa_acc_add(a, S_P2, p * p);
        xa_acc_add(a, S_RP, r * p);
        xa_acc_add(a, S_R, r);
        xa_acc_add(a, S_P, p);
        double h = (r + p) * 0.5;
        xa_acc_add(a, S_H2, h * h);
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
        xa_acc_add(a, S_RALL, r);
        if (r < a->rmin) a->rmin = r;
        if (r > a->rmax) a->rmax = r;
    }
    if (fp) {
        a->pfin++;
        xa_acc_add(a, S_PALL, p);
        if (p < a->pmin) a->pmin = p;
        if (p > a->pmax) a->pmax = p;
    }
}

void xa_kernel_f64(xa_acc *a, const double *r, const double *p, size_t n, int64_t base,
                   double atol, double rtol) {
    a->count += (int64_t)n;
    for (size_t i = 0; i < n; i++) one(a, r[i], p[i], base + (int64_t)i, atol, rtol);
}

void xa_kernel_f32_scalar(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                          double atol, double rtol) {
    a->count += (int64_t)n;
    for (size_t i = 0; i < n; i++) one(a, r[i], p[i], base + (int64_t)i, atol, rtol);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

int xa_kernel_have_avx2(void) {
    static int have = -1;
    if (have < 0) {
        __builtin_cpu_init();
        have = __builtin_cpu_supports("avx2") ? 1 : 0;
    }
    return have;
}

__attribute__((target("avx2"))) static inline __m256d absd(__m256d v) {
    return _mm256_andnot_pd(_mm256_set1_pd(-0.0), v);
}

/* Reduce a lane-wise (max value, index) pair to the first index of the maximum. */
__attribute__((target("avx2"))) static void lane_best(__m256d v, __m256i ix, double *bv,
                                                      int64_t *bi) {
    double vv[4];
    int64_t ii[4];
    _mm256_storeu_pd(vv, v);
    _mm256_storeu_si256((__m256i *)ii, ix);
    for (int k = 0; k < 4; k++)
        if (ii[k] >= 0 && better(vv[k], ii[k], *bv, *bi)) {
            *bv = vv[k];
            *bi = ii[k];
        }
}

__attribute__((target("avx2"))) static double hsum(__m256d v) {
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}

/* AVX2 block: n is a multiple of 8 and every value is finite (checked by the caller). Lanes
 * accumulate the sums; the lane sums are folded into `a` with compensation at the end. */
__attribute__((target("avx2"))) static void block_avx2(xa_acc *a, const float *r, const float *p,
                                                       size_t n, int64_t base, double atol,
                                                       double rtol) {
    const __m256d vatol = _mm256_set1_pd(atol), vrtol = _mm256_set1_pd(rtol);
    const __m256d zero = _mm256_setzero_pd();
    /* candidate test for max_rel: ad > max_rel*ar*(1 - 2^-50) can only miss an element whose
     * exact quotient is not above max_rel; every candidate is then decided by ad/ar as in the
     * reference kernel. */
    const __m256d shrink = _mm256_set1_pd(1.0 - 0x1p-50);
    __m256d s_abs = zero, s_d2 = zero, s_r2 = zero, s_p2 = zero, s_rp = zero, s_r = zero, s_p = zero;
    __m256d s_h2 = zero;
    const __m256d half = _mm256_set1_pd(0.5);
    __m256i c_eq = _mm256_setzero_si256(), c_mm = c_eq, c_zd = c_eq;
    __m256d mabs = _mm256_set1_pd(-1.0), mrel = _mm256_set1_pd(-1.0);
    __m256i iabs = _mm256_set1_epi64x(-1), irel = iabs;
    __m256d rmin = _mm256_set1_pd(INFINITY), rmax = _mm256_set1_pd(-INFINITY), pmin = rmin, pmax = rmax;
    __m256i idx = _mm256_add_epi64(_mm256_set1_epi64x(base), _mm256_setr_epi64x(0, 1, 2, 3));
    const __m256i four = _mm256_set1_epi64x(4);
    for (size_t i = 0; i < n; i += 4) {
        __m256d rd = _mm256_cvtps_pd(_mm_loadu_ps(r + i));
        __m256d pd = _mm256_cvtps_pd(_mm_loadu_ps(p + i));
        __m256d d = _mm256_sub_pd(pd, rd), ad = absd(d), ar = absd(rd);
        s_abs = _mm256_add_pd(s_abs, ad);
        s_d2 = _mm256_add_pd(s_d2, _mm256_mul_pd(d, d));
        s_r2 = _mm256_add_pd(s_r2, _mm256_mul_pd(rd, rd));
        s_p2 = _mm256_add_pd(s_p2, _mm256_mul_pd(pd, pd));
        s_rp = _mm256_add_pd(s_rp, _mm256_mul_pd(rd, pd));
        s_r = _mm256_add_pd(s_r, rd);
        s_p = _mm256_add_pd(s_p, pd);
        __m256d h = _mm256_mul_pd(_mm256_add_pd(rd, pd), half);
        s_h2 = _mm256_add_pd(s_h2, _mm256_mul_pd(h, h));
        c_eq = _mm256_sub_epi64(c_eq, _mm256_castpd_si256(_mm256_cmp_pd(rd, pd, _CMP_EQ_OQ)));
        __m256d lim = _mm256_add_pd(vatol, _mm256_mul_pd(vrtol, ar));
        c_mm = _mm256_sub_epi64(c_mm, _mm256_castpd_si256(_mm256_cmp_pd(ad, lim, _CMP_GT_OQ)));
        __m256d rz = _mm256_cmp_pd(rd, zero, _CMP_EQ_OQ);
        __m256d dnz = _mm256_cmp_pd(ad, zero, _CMP_NEQ_OQ);
        c_zd = _mm256_sub_epi64(c_zd, _mm256_castpd_si256(_mm256_and_pd(rz, dnz)));
        __m256d gt = _mm256_cmp_pd(ad, mabs, _CMP_GT_OQ);
        mabs = _mm256_blendv_pd(mabs, ad, gt);
        iabs = _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(iabs), _mm256_castsi256_pd(idx), gt));
        __m256d cand = _mm256_andnot_pd(rz, _mm256_cmp_pd(ad, _mm256_mul_pd(_mm256_mul_pd(mrel, ar), shrink), _CMP_GT_OQ));
        if (XA_UNLIKELY(_mm256_movemask_pd(cand))) {
            __m256d rel = _mm256_div_pd(ad, ar);
            __m256d up = _mm256_and_pd(cand, _mm256_cmp_pd(rel, mrel, _CMP_GT_OQ));
            mrel = _mm256_blendv_pd(mrel, rel, up);
            irel = _mm256_castpd_si256(_mm256_blendv_pd(_mm256_castsi256_pd(irel), _mm256_castsi256_pd(idx), up));
        }
        rmin = _mm256_min_pd(rmin, rd);
        rmax = _mm256_max_pd(rmax, rd);
        pmin = _mm256_min_pd(pmin, pd);
        pmax = _mm256_max_pd(pmax, pd);
        idx = _mm256_add_epi64(idx, four);
    }
    int64_t cnt[4];
    a->count += (int64_t)n;
    a->finite += (int64_t)n;
    a->rfin += (int64_t)n;
    a->pfin += (int64_t)n;
    _mm256_storeu_si256((__m256i *)cnt, c_eq);
    a->equal += cnt[0] + cnt[1] + cnt[2] + cnt[3];
    _mm256_storeu_si256((__m256i *)cnt, c_mm);
    a->mism += cnt[0] + cnt[1] + cnt[2] + cnt[3];
    _mm256_storeu_si256((__m256i *)cnt, c_zd);
    a->zero_ref_diff += cnt[0] + cnt[1] + cnt[2] + cnt[3];
    double bv = a->max_abs;
    int64_t bi = a->max_abs_index;
    lane_best(mabs, iabs, &bv, &bi);
    if (bi != a->max_abs_index) {
        a->max_abs = bv;
        a->max_abs_index = bi;
        a->max_abs_ref = r[bi - base];
        a->max_abs_port = p[bi - base];
    }
    lane_best(mrel, irel, &a->max_rel, &a->max_rel_index);
    double t[4];
    _mm256_storeu_pd(t, rmin);
    for (int k = 0; k < 4; k++) a->rmin = t[k] < a->rmin ? t[k] : a->rmin;
    _mm256_storeu_pd(t, rmax);
    for (int k = 0; k < 4; k++) a->rmax = t[k] > a->rmax ? t[k] : a->rmax;
    _mm256_storeu_pd(t, pmin);
    for (int k = 0; k < 4; k++) a->pmin = t[k] < a->pmin ? t[k] : a->pmin;
    _mm256_storeu_pd(t, pmax);
    for (int k = 0; k < 4; k++) a->pmax = t[k] > a->pmax ? t[k] : a->pmax;
    xa_acc_add(a, S_ABS, hsum(s_abs));
    xa_acc_add(a, S_D2, hsum(s_d2));
    xa_acc_add(a, S_R2, hsum(s_r2));
    xa_acc_add(a, S_P2, hsum(s_p2));
    xa_acc_add(a, S_RP, hsum(s_rp));
    xa_acc_add(a, S_H2, hsum(s_h2));
    double sr = hsum(s_r), sp = hsum(s_p);
    xa_acc_add(a, S_R, sr);
    xa_acc_add(a, S_P, sp);
    xa_acc_add(a, S_RALL, sr);
    xa_acc_add(a, S_PALL, sp);
}

/* Length of the all-finite prefix of both arrays, checked 8 floats at a time (a float is
 * finite unless its exponent bits are all ones). */
__attribute__((target("avx2"))) static size_t finite_run(const float *r, const float *p, size_t n) {
    const __m256i em = _mm256_set1_epi32(0x7f800000);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256i a = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(r + i)), em);
        __m256i b = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(p + i)), em);
        __m256i bad = _mm256_or_si256(_mm256_cmpeq_epi32(a, em), _mm256_cmpeq_epi32(b, em));
        if (!_mm256_testz_si256(bad, bad)) break;
    }
    return i;
}

/* Sums are folded every BLOCK elements so lane sums stay short (accuracy) */
enum { BLOCK = 4096 };

void xa_kernel_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
                   double rtol) {
    if (!xa_kernel_have_avx2()) {
        xa_kernel_f32_scalar(a, r, p, n, base, atol, rtol);
        return;
    }
    size_t i = 0;
    while (i < n) {
        size_t want = n - i < BLOCK ? n - i : BLOCK;
        size_t ok = finite_run(r + i, p + i, want) & ~(size_t)7;
        if (ok) {
            block_avx2(a, r + i, p + i, ok, base + (int64_t)i, atol, rtol);
            i += ok;
        }
        if (ok < want) { /* a group of 8 with a NaN/Inf, or the tail */
            size_t m = want - ok < 8 ? want - ok : 8;
            xa_kernel_f32_scalar(a, r + i, p + i, m, base + (int64_t)i, atol, rtol);
            i += m;
        }
    }
}
#else
int xa_kernel_have_avx2(void) { return 0; }
void xa_kernel_f32(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
                   double rtol) {
    xa_kernel_f32_scalar(a, r, p, n, base, atol, rtol);
}
#endif
