/* torch 1.13 F.interpolate modes other than the bilinear of resize_torch.c (private).
 * docs/ops-resize-pillow-torch.md describes each method and the upstream function it reproduces.
 *
 * The kernels work on float32 images stored H x W x C (C interleaved). torch holds the same
 * numbers as C planes of an N x C x H x W tensor; every output element below is computed with
 * the same operations in the same order as torch computes it, so the storage order does not
 * matter except where a kernel's order of operations depends on it (said where it does).
 */
#ifndef XA_RESIZE_TORCH_IMPL_H
#define XA_RESIZE_TORCH_IMPL_H

#include "resize_internal.h"

/* One resize: the source samples (float32, or uint8 read as float32 exactly as torchvision's
 * .to(torch.float32) converts them), the float32 destination. */
typedef struct {
    const void *src;
    int u8;          /* src holds uint8 */
    int64_t h, w, c; /* source height, width, channels */
    float *dst;
    int64_t dh, dw; /* output height, width (same channels) */
    int ref;        /* 1: run the plain C reference even where a faster compilation exists */
} xa_torch_img;

/* Source sample i (index into the H x W x C array) as float. */
static inline float xa_torch_at(const xa_torch_img *im, int64_t i) {
    return im->u8 ? (float)((const uint8_t *)im->src)[i] : ((const float *)im->src)[i];
}

/* The kernels that fuse (fma = 1) call fmaf (and fma). Compiled for plain x86-64 that is a libm
 * call per operation; each such kernel is therefore compiled a second time for CPUs with FMA
 * (XA_TORCH_FMA_TARGET), where GCC emits one instruction for it. Both compute the same
 * correctly rounded fused operations, so both give the same bits: tests/unit/test_resize_torch.c
 * runs both on random cases. */
#if defined(__x86_64__) && defined(__GNUC__)
#define XA_TORCH_FMA_TARGET __attribute__((target("fma")))
int xa_torch_have_fma(void);
#endif
#define XA_TORCH_INLINE static inline __attribute__((always_inline))

/* compute_scales_value<float> (UpSample.h) for size= and no scale_factor: (float)in / out, a
 * float division (the int64 output size converts to float first). */
static inline float xa_torch_scale(int64_t in, int64_t out) {
    return (float)in / (float)out;
}

/* Source index of output o of a side resized from in to out by nearest (exact = 0) or
 * nearest-exact (exact = 1); both of torch's kernels compute the same. */
int64_t xa_torch_nearest_index(int64_t in, int64_t out, int64_t o, int exact);
/* upsample_bicubic2d (HelperInterpCubic, upsample_generic_Nd_kernel_impl). fma: the AVX2 build's
 * contraction of the weight polynomials and of the tap sums. */
xa_status xa_torch_bicubic(const xa_torch_img *im, int fma, xa_error *err);
/* _upsample_bilinear2d_aa / _upsample_bicubic2d_aa (separable_upsample_generic_Nd_kernel_impl). */
xa_status xa_torch_aa(const xa_torch_img *im, int cubic, int fma, xa_error *err);
/* adaptive_avg_pool2d (AdaptiveAvgPoolKernel.cpp), or the mean torch takes for a 1 x 1 output,
 * whose summation order depends on the memory format (channels_last). */
xa_status xa_torch_area(const xa_torch_img *im, int channels_last, xa_error *err);

#endif
