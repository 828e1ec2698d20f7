/* The AVX2 float32 block of the metric kernel, and the same code compiled for AVX-512VL. Its
 * results are those of the scalar block_f32_ref (kernel.c), bit for bit: same counts and
 * extrema, sums in the same association (tests/unit/test_compare_kernel.c compares the two). */
#include "kernel.h"

#include <math.h>

#ifdef XA_KERNEL_X86
#include <immintrin.h>

#define XA_AVX2 __attribute__((target("avx2,fma")))

/* Offer lane-wise (max_rel, index) pairs to the accumulator: the first index of the maximum. */
XA_AVX2 static void lane_best(__m256d v, __m256i ix, xa_acc *a) {
    double vv[4];
    int64_t ii[4];
    _mm256_storeu_pd(vv, v);
    _mm256_storeu_si256((__m256i *)ii, ix);
    for (int k = 0; k < 4; k++) xa_acc_offer_rel(a, vv[k], ii[k]);
}

/* The smallest / largest of 8 float lanes (the block's values are finite). */
XA_AVX2 static float hmin_ps(__m256 v) {
    float f[8];
    _mm256_storeu_ps(f, v);
    float m = f[0];
    for (int k = 1; k < 8; k++) m = f[k] < m ? f[k] : m;
    return m;
}
XA_AVX2 static float hmax_ps(__m256 v) {
    float f[8];
    _mm256_storeu_ps(f, v);
    float m = f[0];
    for (int k = 1; k < 8; k++) m = f[k] > m ? f[k] : m;
    return m;
}

XA_AVX2 static double hsum(__m256d v) {
    __m128d lo = _mm256_castpd256_pd128(v), hi = _mm256_extractf128_pd(v, 1);
    lo = _mm_add_pd(lo, hi);
    return _mm_cvtsd_f64(_mm_add_sd(lo, _mm_unpackhi_pd(lo, lo)));
}
XA_AVX2 static int64_t hsum_epi32(__m256i v) {
    int32_t t[8];
    _mm256_storeu_si256((__m256i *)t, v);
    int64_t s = 0;
    for (int k = 0; k < 8; k++) s += t[k];
    return s;
}

/* AVX2 block: n is a multiple of 8 (at most XA_KERNEL_BLOCK). The block assumes every value is
 * finite and returns 0 if that was wrong: then s_r2 or s_p2 is Inf/NaN (a finite float squared is
 * below 1.2e77, so 4096 of them cannot overflow a double), and the caller discards the block's
 * update and folds it with the reference kernel instead. Work that is exact in float (equality, r
 * == 0, extrema) is done 8 lanes wide on the stored floats; everything else 4 lanes wide in double.
 * Sums use fused multiply-add: that is one rounding instead of two per product, so the sums stay
 * within the reference's error bound (they differ from the scalar kernel only in rounding, like any
 * other summation order). Counts and extrema are exact and identical to the scalar kernel:
 *  - the mismatch limit atol + rtol*|r| is computed with the same two roundings as the
 *    reference (no fusion), so the count cannot differ at a boundary;
 *  - max_abs keeps lane maxima only; a block that raises the maximum is rescanned for the first
 *    index holding it (rare after the first blocks);
 *  - max_rel tests ad > max_rel*|r|*(1 - 2^-50) before dividing: that can only let through
 *    elements whose quotient is not above max_rel (decided by ad/|r| exactly as the reference
 *    does) and never drops one whose quotient is. */
XA_AVX2 static inline __attribute__((always_inline)) int
block_body(xa_acc *a, const float *r, const float *p, size_t n, int64_t base, double atol,
           double rtol, const int use_rtol) {
    const __m256d vatol = _mm256_set1_pd(atol), vrtol = _mm256_set1_pd(rtol);
    const __m256d zero = _mm256_setzero_pd();
    const __m256d signbit = _mm256_set1_pd(-0.0), shrink = _mm256_set1_pd(1.0 - 0x1p-50);
    const __m256 zero8 = _mm256_setzero_ps();
    /* two accumulators per sum (one per half of each 8-float step): halves the dependency
     * chains of the adds and FMAs, which otherwise bound the loop */
    __m256d s_abs[2] = {zero, zero}, s_d2[2] = {zero, zero}, s_r2[2] = {zero, zero};
    __m256d s_p2[2] = {zero, zero}, s_rp[2] = {zero, zero}, s_r[2] = {zero, zero};
    __m256d s_p[2] = {zero, zero}, s_h2[2] = {zero, zero}, mx = zero;
    __m256i c_eq = _mm256_setzero_si256(), c_zd = c_eq, c_mm = c_eq;
    /* lanes start from the running max_rel (index -1 = "not from this block"), so later blocks
     * only branch when they beat it */
    __m256d mrel = _mm256_set1_pd(a->max_rel), mrel_s = _mm256_mul_pd(mrel, shrink);
    __m256i irel = _mm256_set1_epi64x(-1);
    __m256 rmin = _mm256_set1_ps(INFINITY), rmax = _mm256_set1_ps(-INFINITY), pmin = rmin,
           pmax = rmax;
    for (size_t i = 0; i < n; i += 8) {
        __m256 r8 = _mm256_loadu_ps(r + i), p8 = _mm256_loadu_ps(p + i);
        rmin = _mm256_min_ps(rmin, r8);
        rmax = _mm256_max_ps(rmax, r8);
        pmin = _mm256_min_ps(pmin, p8);
        pmax = _mm256_max_ps(pmax, p8);
        c_eq = _mm256_sub_epi32(c_eq, _mm256_castps_si256(_mm256_cmp_ps(r8, p8, _CMP_EQ_OQ)));
        __m256 rz8 = _mm256_cmp_ps(r8, zero8, _CMP_EQ_OQ);
        c_zd = _mm256_sub_epi32(
            c_zd, _mm256_castps_si256(_mm256_andnot_ps(_mm256_cmp_ps(p8, zero8, _CMP_EQ_OQ), rz8)));
        for (int hf = 0; hf < 2; hf++) {
            __m256d rd =
                _mm256_cvtps_pd(hf ? _mm256_extractf128_ps(r8, 1) : _mm256_castps256_ps128(r8));
            __m256d pd =
                _mm256_cvtps_pd(hf ? _mm256_extractf128_ps(p8, 1) : _mm256_castps256_ps128(p8));
            __m256d d = _mm256_sub_pd(pd, rd);
            __m256d ad = _mm256_andnot_pd(signbit, d), ar = _mm256_andnot_pd(signbit, rd);
            s_abs[hf] = _mm256_add_pd(s_abs[hf], ad);
            s_d2[hf] = _mm256_fmadd_pd(d, d, s_d2[hf]);
            s_r2[hf] = _mm256_fmadd_pd(rd, rd, s_r2[hf]);
            s_p2[hf] = _mm256_fmadd_pd(pd, pd, s_p2[hf]);
            s_rp[hf] = _mm256_fmadd_pd(rd, pd, s_rp[hf]);
            s_r[hf] = _mm256_add_pd(s_r[hf], rd);
            s_p[hf] = _mm256_add_pd(s_p[hf], pd);
            __m256d h = _mm256_add_pd(rd, pd); /* 2h; the sum is scaled by 1/4 below */
            s_h2[hf] = _mm256_fmadd_pd(h, h, s_h2[hf]);
            __m256d lim = use_rtol ? _mm256_add_pd(vatol, _mm256_mul_pd(vrtol, ar)) : vatol;
            __m256d over = _mm256_cmp_pd(ad, lim, _CMP_GT_OQ);
            /* 64-bit lane masks narrowed to 32-bit counts: add -1 per hit to lanes 0..3 */
            c_mm = _mm256_sub_epi32(c_mm, _mm256_castpd_si256(over));
            mx = _mm256_max_pd(mx, ad);
            __m256d cand = _mm256_and_pd(_mm256_cmp_pd(ad, _mm256_mul_pd(mrel_s, ar), _CMP_GT_OQ),
                                         _mm256_cmp_pd(ar, zero, _CMP_NEQ_OQ));
            if (XA_UNLIKELY(_mm256_movemask_pd(cand))) {
                __m256d rel = _mm256_div_pd(ad, ar);
                __m256d up = _mm256_and_pd(cand, _mm256_cmp_pd(rel, mrel, _CMP_GT_OQ));
                __m256i idx = _mm256_add_epi64(_mm256_set1_epi64x(base + (int64_t)i + 4 * hf),
                                               _mm256_setr_epi64x(0, 1, 2, 3));
                mrel = _mm256_blendv_pd(mrel, rel, up);
                irel = _mm256_castpd_si256(
                    _mm256_blendv_pd(_mm256_castsi256_pd(irel), _mm256_castsi256_pd(idx), up));
                mrel_s = _mm256_mul_pd(mrel, shrink);
            }
        }
    }
#define FOLD2(v) hsum(_mm256_add_pd(v[0], v[1]))
    xa_block b = {.n = n, .base = base};
    b.sum[L_R2] = FOLD2(s_r2);
    b.sum[L_P2] = FOLD2(s_p2);
    if (!isfinite(b.sum[L_R2]) || !isfinite(b.sum[L_P2])) return 0;
    b.sum[L_ABS] = FOLD2(s_abs);
    b.sum[L_D2] = FOLD2(s_d2);
    b.sum[L_RP] = FOLD2(s_rp);
    b.sum[L_H2] = FOLD2(s_h2);
    b.sum[L_R] = FOLD2(s_r);
    b.sum[L_P] = FOLD2(s_p);
#undef FOLD2
    b.equal = hsum_epi32(c_eq);
    b.zero_ref_diff = hsum_epi32(c_zd);
    /* each over-limit lane of a 64-bit mask added 1 to two 32-bit counters */
    b.mism = hsum_epi32(c_mm) / 2;
    double t[4];
    _mm256_storeu_pd(t, mx);
    b.max_abs = t[0];
    for (int k = 1; k < 4; k++) b.max_abs = t[k] > b.max_abs ? t[k] : b.max_abs;
    b.rmin = hmin_ps(rmin);
    b.rmax = hmax_ps(rmax);
    b.pmin = hmin_ps(pmin);
    b.pmax = hmax_ps(pmax);
    lane_best(mrel, irel, a);
    xa_kernel_block_commit(a, r, p, &b);
    return 1;
}

XA_AVX2 int xa_kernel_block_f32_avx2(xa_acc *a, const float *r, const float *p, size_t n,
                                     int64_t base, double atol, double rtol) {
    return rtol == 0 ? block_body(a, r, p, n, base, atol, rtol, 0)
                     : block_body(a, r, p, n, base, atol, rtol, 1);
}

/* The same 256-bit code compiled for AVX-512VL: the instructions are the same width, but the
 * compiler gets 32 vector registers, which removes the spills of the 25 live vectors. */
__attribute__((target("avx2,fma,avx512f,avx512vl"))) int
xa_kernel_block_f32_avx512(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                           double atol, double rtol) {
    return rtol == 0 ? block_body(a, r, p, n, base, atol, rtol, 0)
                     : block_body(a, r, p, n, base, atol, rtol, 1);
}

#endif
