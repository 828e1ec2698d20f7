/* torch 1.13 F.interpolate(mode="bilinear" | "bicubic", align_corners=False, antialias=True) on
 * CPU: what torchvision 0.14's Resize(antialias=True) runs on tensors.
 *
 * Reproduces aten/src/ATen/native/cpu/UpSampleKernel.cpp upsample_bilinear2d_aa_kernel_impl /
 * upsample_bicubic2d_aa_kernel_impl -> separable_upsample_generic_Nd_kernel_impl: one pass along
 * the width into a float32 temporary of H x dw, then one along the height, each by
 * _separable_upsample_generic_Nd_kernel_impl_single_dim with the weights of
 * HelperInterpBase::_compute_indices_weights_aa (Pillow's precompute_coeffs in float) and the
 * filters HelperInterpLinear::aa_filter / HelperInterpCubic::aa_filter (Pillow's bilinear and
 * bicubic with a = -0.5), applied by interpolate_aa_single_dim(_zero_strides). The same code runs
 * for both memory formats (the passes go through TensorIterator), so there is no channels-last
 * variant.
 *
 * fma: as torch's AVX2 build computes it (GCC contracts the products that feed additions, see
 * the comments); 0: the default build, every operation rounded.
 */
#include "resize_torch_kernels.h"

#include <math.h>
#include <stdlib.h>

/* HelperInterpLinear::aa_filter<float>: 1 - |x| on [-1, 1]; "1.0 - x" is a double expression
 * returned as float. Nothing to contract. */
static float aa_linear(float x) {
    if (x < 0) x = -x;
    return x < 1.0f ? (float)(1.0 - (double)x) : 0.0f;
}

/* HelperInterpCubic::aa_filter<float> with `#define a -0.5` (a double):
 *   |x| < 1: ((a + 2.0) * x - (a + 3.0)) * x * x + 1, in double (the constants are double);
 *            contracted: (1.5 x - 2.5) (exact either way: 1.5 x needs 25 bits) and the last
 *            product feeding "+ 1" (that one only moves the double result by a double
 *            rounding, which the conversion to float hides: the oracle cannot tell);
 *   |x| < 2: (((x - 5) * x + 8) * x - 4) * a, in float (x is float, the constants are int)
 *            until the product with a; contracted: both products that feed additions.
 * Returned as float. */
static float aa_cubic(float x, int fma_) {
    if (x < 0) x = -x;
    if (x < 1.0f) {
        const double d = x, u = 1.5 * d - 2.5;
        return (float)(fma_ ? fma(u * d, d, 1.0) : u * d * d + 1.0);
    }
    if (x < 2.0f) {
        const float r = fma_ ? fmaf(fmaf(x - 5, x, 8), x, -4) : ((x - 5) * x + 8) * x - 4;
        return (float)((double)r * -0.5);
    }
    return 0.0f;
}

/* _compute_indices_weights_aa + _compute_weights_aa, in float (scalar_t) as torch computes them
 * for a float tensor; interp = 2 (bilinear) or 4 (bicubic). Fills *k; 0 on success. */
static int aa_coefs_new(int64_t in, int64_t out, int cubic, int fma_, xa_torch_aa_coefs *k) {
    const float scale = xa_torch_scale(in, out);
    const int interp = cubic ? 4 : 2;
    /* support = (interp * 0.5) * scale when shrinking (the filter widens), else interp * 0.5 */
    const float support =
        scale >= 1.0f ? (float)(interp * 0.5 * (double)scale) : (float)(interp * 0.5);
    k->ksize = (int64_t)ceilf(support) * 2 + 1;
    k->xmin = malloc(sizeof(int64_t) * (size_t)out * 2);
    k->w = malloc(sizeof(float) * (size_t)(out * k->ksize));
    if (!k->xmin || !k->w) return -1;
    k->xsize = k->xmin + out;
    const float invscale = scale >= 1.0f ? (float)(1.0 / (double)scale) : 1.0f;
    for (int64_t i = 0; i < out; i++) {
        /* center = scale * (i + 0.5): a double product stored as float */
        const float center = (float)((double)scale * ((double)i + 0.5));
        /* (center - support) and (center + support) in float, "+ 0.5" in double, truncated */
        int64_t xmin = (int64_t)((double)(center - support) + 0.5);
        if (xmin < 0) xmin = 0;
        int64_t xmax = (int64_t)((double)(center + support) + 0.5);
        if (xmax > in) xmax = in;
        const int64_t xsize = xmax - xmin;
        float *w = k->w + i * k->ksize, total = 0.0f;
        for (int64_t j = 0; j < xsize; j++) {
            /* (j + xmin - center + 0.5) * invscale: the integer converted to float for the
             * float subtraction, then double, converted to the float parameter */
            const float arg =
                (float)(((double)((float)(j + xmin) - center) + 0.5) * (double)invscale);
            w[j] = cubic ? aa_cubic(arg, fma_) : aa_linear(arg);
            total += w[j];
        }
        for (int64_t j = 0; j < xsize; j++)
            if (total != 0.0f) w[j] /= total;
        k->xmin[i] = xmin;
        k->xsize[i] = xsize;
    }
    return 0;
}

static void aa_coefs_free(xa_torch_aa_coefs *k) {
    free(k->xmin);
    free(k->w);
}

void xa_torch_aa_passes_ref(const xa_torch_img *im, const xa_torch_aa_coefs *kx,
                            const xa_torch_aa_coefs *ky, float *tmp, int fma) {
    if (im->u8)
        aa_passes(im, kx, ky, tmp, 1, fma);
    else
        aa_passes(im, kx, ky, tmp, 0, fma);
}

xa_status xa_torch_aa(const xa_torch_img *im, int cubic, int fma_, xa_error *err) {
    xa_torch_aa_coefs kx = {0}, ky = {0};
    /* the H x dw temporary can outgrow the output (a tall image made wide and flat) */
    const uint64_t tmp_bytes = sizeof(float) * (uint64_t)(im->h * im->dw * im->c);
    if (tmp_bytes > XA_OPS_MAX_OUTPUT_BYTES)
        return xa_fail(err, XA_ELIMIT,
                       "the intermediate %lldx%lld image (%llu bytes) exceeds the limit of %llu",
                       (long long)im->dw, (long long)im->h, (unsigned long long)tmp_bytes,
                       (unsigned long long)XA_OPS_MAX_OUTPUT_BYTES);
    float *tmp = malloc((size_t)tmp_bytes);
    xa_status st = XA_OK;
    if (!tmp || aa_coefs_new(im->w, im->dw, cubic, fma_, &kx) ||
        aa_coefs_new(im->h, im->dh, cubic, fma_, &ky)) {
        st = xa_fail(err, XA_ENOMEM, "out of memory for an antialiased resize to %lldx%lld",
                     (long long)im->dw, (long long)im->dh);
    } else {
#ifdef XA_TORCH_HAVE_AVX2
        if (fma_ && xa_cpu_allows(im->path, XA_CPU_AVX2))
            xa_torch_aa_passes_avx2(im, &kx, &ky, tmp);
        else
#endif
            xa_torch_aa_passes_ref(im, &kx, &ky, tmp, fma_);
    }
    aa_coefs_free(&kx);
    aa_coefs_free(&ky);
    free(tmp);
    return st;
}
