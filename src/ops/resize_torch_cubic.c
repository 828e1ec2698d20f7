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
#include "resize_torch_kernels.h"

#include <math.h>
#include <stdlib.h>

/* A = -0.75, the constant torch takes from OpenCV's INTER_CUBIC. */
#define TORCH_CUBIC_A (-0.75f)

/* cubic_convolution1(x, A) = ((A + 2) * x - (A + 3)) * x * x + 1, |x| <= 1, in float.
 * torch's AVX2 build fuses only the inner product, (A + 2) * x - (A + 3) (measured: fusing the
 * last product into "+ 1" as well mismatches). */
static float cubic_conv1(float x, int fma) {
    const float a2 = TORCH_CUBIC_A + 2, a3 = TORCH_CUBIC_A + 3; /* 1.25, 2.25: exact */
    if (fma) return fmaf(a2, x, -a3) * x * x + 1.0f;
    return (a2 * x - a3) * x * x + 1.0f;
}

/* cubic_convolution2(x, A) = ((A * x - 5 * A) * x + 8 * A) * x - 4 * A, 1 <= x <= 2, in float
 * (5A, 8A, 4A are exact constants). torch's AVX2 build fuses the two inner products and rounds
 * the last one (measured among the possible contractions). */
static float cubic_conv2(float x, int fma) {
    const float a = TORCH_CUBIC_A, a5 = 5 * TORCH_CUBIC_A, a8 = 8 * TORCH_CUBIC_A,
                a4 = 4 * TORCH_CUBIC_A;
    if (fma) return fmaf(fmaf(a, x, -a5), x, a8) * x - a4;
    return ((a * x - a5) * x + a8) * x - a4;
}

/* HelperInterpCubic::compute_indices_weights for align_corners=False, size= given. */
static void xa_torch_cubic_taps(int64_t in, int64_t out, int fma, xa_torch_cubic_tap *t) {
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

void xa_torch_cubic_apply_ref(const xa_torch_img *im, const xa_torch_cubic_tap *th,
                              const xa_torch_cubic_tap *tw, int fma) {
    if (im->u8)
        cubic_apply(im, th, tw, 1, fma);
    else
        cubic_apply(im, th, tw, 0, fma);
}

xa_status xa_torch_bicubic(const xa_torch_img *im, int fma, xa_error *err) {
    xa_torch_cubic_tap *th = malloc(sizeof(xa_torch_cubic_tap) * (size_t)(im->dh + im->dw));
    if (!th)
        return xa_fail(err, XA_ENOMEM, "out of memory for %lld taps", (long long)(im->dh + im->dw));
    xa_torch_cubic_tap *tw = th + im->dh;
    xa_torch_cubic_taps(im->h, im->dh, fma, th);
    xa_torch_cubic_taps(im->w, im->dw, fma, tw);
#ifdef XA_TORCH_HAVE_AVX2
    if (fma && xa_cpu_allows(im->path, XA_CPU_AVX2))
        xa_torch_cubic_apply_avx2(im, th, tw);
    else
#endif
        xa_torch_cubic_apply_ref(im, th, tw, fma);
    free(th);
    return XA_OK;
}
