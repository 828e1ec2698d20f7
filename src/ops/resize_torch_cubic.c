/* torch 1.13 F.interpolate(mode="bicubic", align_corners=False, antialias=False) on CPU.
 *
 * Reproduces aten/src/ATen/native/cpu/UpSampleKernel.cpp upsample_bicubic2d_kernel_impl ->
 * upsample_generic_Nd_kernel_impl<2, scale_t, HelperInterpCubic>, with the weights of
 * HelperInterpCubic::compute_indices_weights and get_cubic_upsample_coefficients /
 * cubic_convolution1 / cubic_convolution2 (aten/src/ATen/native/UpSample.h). torch has one kernel
 * for both memory formats (TensorIterator walks either layout; each output element is the same
 * expression), so there is no channels-last variant.
 *
 * torch compiles UpSampleKernel.cpp once per CPU capability. In the AVX2 build (the one torch
 * picks on this machine, and on any x86-64 CPU with AVX2 and FMA), GCC contracts every product
 * that feeds an addition into one fused multiply-add; the default build (CPUs without AVX2) does
 * not. fma = 1 writes the contracted form with explicit fmaf calls (xalign compiles with
 * -ffp-contract=off, so nothing else is fused), fma = 0 rounds every operation.
 */
#include "resize_torch_impl.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
    int64_t i[4]; /* source indices of the taps, clamped to [0, in - 1] */
    float w[4];   /* their weights */
} cubic_tap;

/* A = -0.75, the constant torch takes from OpenCV's INTER_CUBIC. */
#define TORCH_CUBIC_A (-0.75f)

/* cubic_convolution1(x, A) = ((A + 2) * x - (A + 3)) * x * x + 1, |x| <= 1, in float.
 * Contracted: (A + 2) * x feeds the subtraction, the last product feeds "+ 1"; the middle
 * product feeds a product and stays rounded. */
static float cubic_conv1(float x, int fma) {
    const float a2 = TORCH_CUBIC_A + 2, a3 = TORCH_CUBIC_A + 3; /* 1.25, 2.25: exact */
    if (fma) return fmaf(a2, x, -a3) * x * x + 1.0f;
    return (a2 * x - a3) * x * x + 1.0f;
}

/* cubic_convolution2(x, A) = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A, 1 <= x <= 2, in float
 * (5A, 8A, 4A are exact constants). Contracted: each of the three products feeds an addition. */
static float cubic_conv2(float x, int fma) {
    const float a = TORCH_CUBIC_A, a5 = 5 * TORCH_CUBIC_A, a8 = 8 * TORCH_CUBIC_A,
                a4 = 4 * TORCH_CUBIC_A;
    if (fma) return fmaf(fmaf(a, x, -a5), x, a8) * x - a4;
    return ((a * x - a5) * x + a8) * x - a4;
}

/* HelperInterpCubic::compute_indices_weights for align_corners=False, size= given. */
static void cubic_taps(int64_t in, int64_t out, int fma, cubic_tap *t) {
    const float scale = xa_torch_scale(in, out);
    for (int64_t o = 0; o < out; o++) {
        /* area_pixel_compute_source_index<double>(scale, o, false, cubic=true): the source
         * position scale * (o + 0.5) - 0.5 in double (acc_type<float>), not clamped at 0 for
         * cubic. Its integer part is floorf() of it, which converts the double to float first
         * (so 5.9999998 becomes 6), and the fraction is the double difference converted to the
         * float parameter t of get_cubic_upsample_coefficients: it can be slightly negative. */
        const double src = (double)scale * ((double)o + 0.5) - 0.5;
        const int64_t i0 = (int64_t)floorf((float)src);
        const float f = (float)(src - (double)i0);
        /* get_cubic_upsample_coefficients: x1 + 1.0 and 1.0 - t are double expressions
         * converted to the float parameters */
        const float x2 = (float)(1.0 - (double)f);
        t[o].w[0] = cubic_conv2((float)((double)f + 1.0), fma);
        t[o].w[1] = cubic_conv1(f, fma);
        t[o].w[2] = cubic_conv1(x2, fma);
        t[o].w[3] = cubic_conv2((float)((double)x2 + 1.0), fma);
        for (int k = 0; k < 4; k++) {
            const int64_t i = i0 + k - 1;
            t[o].i[k] = i < 0 ? 0 : i > in - 1 ? in - 1 : i;
        }
    }
}

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
XA_TORCH_INLINE void cubic_apply(const xa_torch_img *im, const cubic_tap *th, const cubic_tap *tw,
                                 int u8, int fma) {
    const int64_t c = im->c, rowlen = im->w * c;
    const void *s = im->src;
    float *d = im->dst;
    for (int64_t oh = 0; oh < im->dh; oh++) {
        const cubic_tap *y = &th[oh];
        int64_t r[4];
        for (int k = 0; k < 4; k++) r[k] = y->i[k] * rowlen;
        for (int64_t ow = 0; ow < im->dw; ow++) {
            const cubic_tap *x = &tw[ow];
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

static void cubic_apply_ref(const xa_torch_img *im, const cubic_tap *th, const cubic_tap *tw,
                            int fma) {
    if (im->u8)
        cubic_apply(im, th, tw, 1, fma);
    else
        cubic_apply(im, th, tw, 0, fma);
}

#ifdef XA_TORCH_FMA_TARGET
XA_TORCH_FMA_TARGET static void cubic_apply_fma(const xa_torch_img *im, const cubic_tap *th,
                                                const cubic_tap *tw) {
    if (im->u8)
        cubic_apply(im, th, tw, 1, 1);
    else
        cubic_apply(im, th, tw, 0, 1);
}
#endif

xa_status xa_torch_bicubic(const xa_torch_img *im, int fma, xa_error *err) {
    cubic_tap *th = malloc(sizeof(cubic_tap) * (size_t)(im->dh + im->dw));
    if (!th)
        return xa_fail(err, XA_ENOMEM, "out of memory for %lld taps", (long long)(im->dh + im->dw));
    cubic_tap *tw = th + im->dh;
    cubic_taps(im->h, im->dh, fma, th);
    cubic_taps(im->w, im->dw, fma, tw);
#ifdef XA_TORCH_FMA_TARGET
    if (fma && !im->ref && xa_torch_have_fma())
        cubic_apply_fma(im, th, tw);
    else
#endif
        cubic_apply_ref(im, th, tw, fma);
    free(th);
    return XA_OK;
}
