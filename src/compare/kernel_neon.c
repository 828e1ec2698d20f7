/* The NEON (AArch64 Advanced SIMD) float32 block of the metric kernel. Its results are those of
 * the scalar block_f32_ref (kernel.c), bit for bit, like the AVX2 block's (kernel_avx2.c): same
 * counts and extrema, sums in the same association (tests/unit/test_compare_kernel.c runs it
 * against the reference; under qemu-aarch64 on x86, in the `cross` tests).
 *
 * The reference's 8 sum lanes (lane l = 4h + j takes the elements 8m + l) are four float64x2
 * registers per sum here, lanes (0,1), (2,3), (4,5), (6,7); every lane goes through the same
 * operations in the same order as in the reference: vfmaq_f64 is the fused multiply-add that
 * fma() is, vaddq/vsubq/vabsq are the plain IEEE operations. At the end of the block
 * ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)) is (V0 + V2) + (V1 + V3) lane by lane, then
 * its two lanes added: the reference's association exactly.
 *
 * Counts and extrema, as in the AVX2 block:
 *  - equality, r == 0 and the extrema are exact on the stored floats (4 lanes);
 *  - the mismatch limit atol + rtol*|r| is a multiply then an add, two roundings as in the
 *    reference (the tree is built with -ffp-contract=off, so they are not fused);
 *  - max_abs keeps lane maxima; a block that raises the maximum is rescanned for the first index
 *    holding it;
 *  - max_rel divides only where ad > max_rel*(1 - 2^-50)*|r| (kernel_avx2.c says why that never
 *    drops an element whose quotient is above max_rel), lanes keep their first maximum and
 *    xa_acc_better picks the first index among equal lane maxima.
 * A block with a NaN or Inf is detected by its sums of squares (a finite float squared is below
 * 1.2e77, 4096 of them cannot overflow): the block returns 0 and the caller redoes it element by
 * element. */
#include "kernel.h"

#include <math.h>

#ifdef XA_KERNEL_NEON
#include <arm_neon.h>

/* (V0 + V2) + (V1 + V3), then lane 0 + lane 1: the reference's order of its 8 lanes */
static inline double fold8(const float64x2_t v[4]) {
    const float64x2_t s = vaddq_f64(vaddq_f64(v[0], v[2]), vaddq_f64(v[1], v[3]));
    return vgetq_lane_f64(s, 0) + vgetq_lane_f64(s, 1);
}

static inline __attribute__((always_inline)) int block_body(xa_acc *a, const float *r,
                                                            const float *p, size_t n, int64_t base,
                                                            double atol, double rtol,
                                                            const int use_rtol) {
    const float64x2_t vatol = vdupq_n_f64(atol), vrtol = vdupq_n_f64(rtol);
    const float64x2_t zero = vdupq_n_f64(0), shrink = vdupq_n_f64(1.0 - 0x1p-50);
    const int64x2_t lane01 = {0, 1};
    float64x2_t s_abs[4], s_d2[4], s_r2[4], s_p2[4], s_rp[4], s_r[4], s_p[4], s_h2[4];
    float64x2_t mx = zero, mrel[4], mrel_s[4];
    int64x2_t irel[4];
    for (int v = 0; v < 4; v++) {
        s_abs[v] = s_d2[v] = s_r2[v] = s_p2[v] = s_rp[v] = s_r[v] = s_p[v] = s_h2[v] = zero;
        /* lanes start from the running max_rel (index -1: not from this block) */
        mrel[v] = vdupq_n_f64(a->max_rel);
        mrel_s[v] = vmulq_f64(mrel[v], shrink);
        irel[v] = vdupq_n_s64(-1);
    }
    uint32x4_t c_eq = vdupq_n_u32(0), c_zd = c_eq;
    uint64x2_t c_mm = vdupq_n_u64(0);
    float32x4_t rmin = vdupq_n_f32(INFINITY), rmax = vdupq_n_f32(-INFINITY), pmin = rmin,
                pmax = rmax;
    for (size_t i = 0; i < n; i += 8) {
        for (int q = 0; q < 2; q++) { /* floats i + 4q .. i + 4q + 3: lanes 4q .. 4q + 3 */
            const float32x4_t r4 = vld1q_f32(r + i + 4 * q), p4 = vld1q_f32(p + i + 4 * q);
            rmin = vminq_f32(rmin, r4);
            rmax = vmaxq_f32(rmax, r4);
            pmin = vminq_f32(pmin, p4);
            pmax = vmaxq_f32(pmax, p4);
            c_eq = vsubq_u32(c_eq, vceqq_f32(r4, p4)); /* a true lane is all ones: -1 */
            c_zd = vsubq_u32(c_zd, vbicq_u32(vceqzq_f32(r4), vceqzq_f32(p4)));
            for (int hv = 0; hv < 2; hv++) { /* lanes 4q + 2hv, 4q + 2hv + 1 */
                const int v = 2 * q + hv;
                const float64x2_t rd = hv ? vcvt_high_f64_f32(r4) : vcvt_f64_f32(vget_low_f32(r4));
                const float64x2_t pd = hv ? vcvt_high_f64_f32(p4) : vcvt_f64_f32(vget_low_f32(p4));
                const float64x2_t d = vsubq_f64(pd, rd), ad = vabsq_f64(d), ar = vabsq_f64(rd);
                const float64x2_t h = vaddq_f64(rd, pd); /* 2h; the sum is scaled by 1/4 below */
                s_abs[v] = vaddq_f64(s_abs[v], ad);
                s_d2[v] = vfmaq_f64(s_d2[v], d, d);
                s_r2[v] = vfmaq_f64(s_r2[v], rd, rd);
                s_p2[v] = vfmaq_f64(s_p2[v], pd, pd);
                s_rp[v] = vfmaq_f64(s_rp[v], rd, pd);
                s_r[v] = vaddq_f64(s_r[v], rd);
                s_p[v] = vaddq_f64(s_p[v], pd);
                s_h2[v] = vfmaq_f64(s_h2[v], h, h);
                const float64x2_t lim = use_rtol ? vaddq_f64(vatol, vmulq_f64(vrtol, ar)) : vatol;
                c_mm = vsubq_u64(c_mm, vcgtq_f64(ad, lim));
                mx = vmaxq_f64(mx, ad);
                const uint64x2_t cand = vandq_u64(vcgtq_f64(ad, vmulq_f64(mrel_s[v], ar)),
                                                  vcgtq_f64(ar, zero)); /* r != 0 */
                if (XA_UNLIKELY(vmaxvq_u32(vreinterpretq_u32_u64(cand)))) {
                    const float64x2_t rel = vdivq_f64(ad, ar);
                    const uint64x2_t up = vandq_u64(cand, vcgtq_f64(rel, mrel[v]));
                    const int64x2_t idx = vaddq_s64(vdupq_n_s64(base + (int64_t)i + 2 * v), lane01);
                    mrel[v] = vbslq_f64(up, rel, mrel[v]);
                    irel[v] = vbslq_s64(up, idx, irel[v]);
                    mrel_s[v] = vmulq_f64(mrel[v], shrink);
                }
            }
        }
    }
    xa_block b = {.n = n, .base = base};
    b.sum[L_R2] = fold8(s_r2);
    b.sum[L_P2] = fold8(s_p2);
    if (!isfinite(b.sum[L_R2]) || !isfinite(b.sum[L_P2])) return 0;
    b.sum[L_ABS] = fold8(s_abs);
    b.sum[L_D2] = fold8(s_d2);
    b.sum[L_RP] = fold8(s_rp);
    b.sum[L_H2] = fold8(s_h2);
    b.sum[L_R] = fold8(s_r);
    b.sum[L_P] = fold8(s_p);
    b.equal = vaddvq_u32(c_eq);
    b.zero_ref_diff = vaddvq_u32(c_zd);
    b.mism = (int64_t)vaddvq_u64(c_mm);
    b.max_abs = vmaxvq_f64(mx);
    b.rmin = vminvq_f32(rmin);
    b.rmax = vmaxvq_f32(rmax);
    b.pmin = vminvq_f32(pmin);
    b.pmax = vmaxvq_f32(pmax);
    for (int v = 0; v < 4; v++) {
        xa_acc_offer_rel(a, vgetq_lane_f64(mrel[v], 0), vgetq_lane_s64(irel[v], 0));
        xa_acc_offer_rel(a, vgetq_lane_f64(mrel[v], 1), vgetq_lane_s64(irel[v], 1));
    }
    xa_kernel_block_commit(a, r, p, &b);
    return 1;
}

int xa_kernel_block_f32_neon(xa_acc *a, const float *r, const float *p, size_t n, int64_t base,
                             double atol, double rtol) {
    return rtol == 0 ? block_body(a, r, p, n, base, atol, rtol, 0)
                     : block_body(a, r, p, n, base, atol, rtol, 1);
}

#endif
