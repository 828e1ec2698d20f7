/* The kernel bodies of torch-bicubic and the antialiased torch methods that run in two
 * compilations (private; included only by resize_torch_cubic.c and resize_torch_aa.c, which
 * instantiate the references, and resize_torch_avx2.c, which compiles the same bodies for the
 * avx2 path). Each body is always inlined, so it takes the instruction set of the function it is
 * inlined into; `u8` and `fma` are constants there. */
#ifndef XA_RESIZE_TORCH_KERNELS_H
#define XA_RESIZE_TORCH_KERNELS_H

#include "resize_torch_impl.h"

#include <math.h>

/* Interpolate<1, float, int64_t, 4>::eval: output = x0 * w0, then output += xj * wj for
 * j = 1..3. torch compiles its CPU kernels with -O3; this four-tap loop is unrolled, and in the
 * contracted form the first addition fuses its first product: fmaf(x0, w0, x1 * w1), then
 * fmaf(xj, wj, output). (Measured: rounding x0 * w0 and fusing the three others mismatches.) */
XA_TORCH_INLINE float cubic_sum(float x0, float x1, float x2, float x3, const float *w, int fma) {
    if (fma) return fmaf(x3, w[3], fmaf(x2, w[2], fmaf(x0, w[0], x1 * w[1])));
    return ((x0 * w[0] + x1 * w[1]) + x2 * w[2]) + x3 * w[3];
}

XA_TORCH_INLINE float cubic_at(const void *s, int u8, int64_t i) {
    return u8 ? (float)((const uint8_t *)s)[i] : ((const float *)s)[i];
}

/* Interpolate<2, float, int64_t, 4>: the four-tap sum along the width on each of the four
 * source rows, then the same sum of the four row results along the height. */
XA_TORCH_INLINE void cubic_apply(const xa_torch_img *im, const xa_torch_cubic_tap *th,
                                 const xa_torch_cubic_tap *tw, int u8, int fma) {
    const int64_t c = im->c, rowlen = im->w * c;
    const void *s = im->src;
    float *d = im->dst;
    for (int64_t oh = 0; oh < im->dh; oh++) {
        const xa_torch_cubic_tap *y = &th[oh];
        int64_t r[4];
        for (int k = 0; k < 4; k++) r[k] = y->i[k] * rowlen;
        for (int64_t ow = 0; ow < im->dw; ow++) {
            const xa_torch_cubic_tap *x = &tw[ow];
            const int64_t a = x->i[0] * c, b = x->i[1] * c, e = x->i[2] * c, f = x->i[3] * c;
            for (int64_t ch = 0; ch < c; ch++, d++) {
                float t[4];
                for (int k = 0; k < 4; k++) {
                    const int64_t o = r[k] + ch;
                    t[k] = cubic_sum(cubic_at(s, u8, o + a), cubic_at(s, u8, o + b),
                                     cubic_at(s, u8, o + e), cubic_at(s, u8, o + f), x->w, fma);
                }
                *d = cubic_sum(t[0], t[1], t[2], t[3], y->w, fma);
            }
        }
    }
}

/* interpolate_aa_single_dim: output = x0 * w0, then output += xj * wj for j = 1 .. n - 1, in
 * float. Without contraction every product and sum is rounded. torch builds its CPU kernels with
 * -O3, and GCC vectorized this loop in the AVX2 build as an in-order ("fold-left") reduction: it
 * multiplies 8 taps at a time (then 4 in the vectorized epilogue) in vector registers, rounding
 * each product, and adds the lanes to output one by one, in tap order; only the taps left over
 * after that (fewer than 4) run as scalar code, where each product is fused into the sum.
 * Measured on torch itself: for n - 1 = 3 taps after the first, all three are fused; for 4..7,
 * four are plain and the rest fused; 8 are plain, and so on. aa_plain_taps is where the fused
 * taps start. */
static inline int64_t aa_plain_taps(int64_t n, int fma_) {
    const int64_t m = n - 1;
    return fma_ ? 1 + m / 8 * 8 + (m % 8 >= 4 ? 4 : 0) : n;
}

/* One step of that sum: tap j of an output (plain before `fused`, fused from there). */
#define AA_STEP(o, x, w, j, fused) ((j) < (fused) ? (o) + (x) * (w) : fmaf((x), (w), (o)))

/* Sample k of a source that is uint8 or float. */
#define AA_AT(src, u8, k) ((u8) ? (float)((const uint8_t *)(src))[k] : ((const float *)(src))[k])

/* The lanes of the width pass: up to 8 independent outputs (the channels of 8 / C rows) computed
 * side by side, each with its own unchanged sequence of operations, so that the dependent chain
 * of one output does not wait for the previous one. */
#define AA_LANES 8

/* The two passes: the width pass reads the source (uint8 or float), the height pass the float
 * temporary. */
XA_TORCH_INLINE void aa_passes(const xa_torch_img *im, const xa_torch_aa_coefs *kx,
                               const xa_torch_aa_coefs *ky, float *tmp, int u8, int fma_) {
    const int64_t c = im->c, rows = AA_LANES / c; /* rows per block: 8, 2 or 2 */
    /* width pass: every source row -> H x dw (torch resizes the last dimension first) */
    for (int64_t y0 = 0; y0 < im->h; y0 += rows) {
        const int64_t nr = im->h - y0 < rows ? im->h - y0 : rows, lanes = nr * c;
        int64_t base[AA_LANES]; /* sample index of lane k at tap 0 of output 0 */
        for (int64_t k = 0; k < lanes; k++) base[k] = (y0 + k / c) * im->w * c + k % c;
        for (int64_t x = 0; x < im->dw; x++) {
            const float *w = kx->w + x * kx->ksize;
            const int64_t n = kx->xsize[x], fused = aa_plain_taps(n, fma_), off = kx->xmin[x] * c;
            float o[AA_LANES];
            for (int64_t k = 0; k < lanes; k++) o[k] = AA_AT(im->src, u8, base[k] + off) * w[0];
            for (int64_t j = 1; j < n; j++)
                for (int64_t k = 0; k < lanes; k++)
                    o[k] = AA_STEP(o[k], AA_AT(im->src, u8, base[k] + off + j * c), w[j], j, fused);
            for (int64_t k = 0; k < lanes; k++)
                tmp[(y0 + k / c) * im->dw * c + x * c + k % c] = o[k];
        }
    }
    /* height pass: H x dw -> dh x dw, tap by tap over a whole output row (every element of the
     * row is its own sum, in tap order) */
    const int64_t rowlen = im->dw * c;
    for (int64_t y = 0; y < im->dh; y++) {
        const float *w = ky->w + y * ky->ksize, *s = tmp + ky->xmin[y] * rowlen;
        const int64_t n = ky->xsize[y], fused = aa_plain_taps(n, fma_);
        float *d = im->dst + y * rowlen;
        for (int64_t i = 0; i < rowlen; i++) d[i] = s[i] * w[0];
        for (int64_t j = 1; j < n; j++) {
            const float *sj = s + j * rowlen;
            for (int64_t i = 0; i < rowlen; i++) d[i] = AA_STEP(d[i], sj[i], w[j], j, fused);
        }
    }
}

#endif
