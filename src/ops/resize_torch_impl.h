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

#include "cpu.h"
#include "resize_internal.h"

/* One resize: the source samples (float32, or uint8 read as float32 exactly as torchvision's
 * .to(torch.float32) converts them), the float32 destination. */
typedef struct {
    const void *src;
    int u8;          /* src holds uint8 */
    int64_t h, w, c; /* source height, width, channels */
    float *dst;
    int64_t dh, dw;   /* output height, width (same channels) */
    xa_cpu_path path; /* the best kernel version allowed (cpu.h); XA_CPU_SCALAR: the references */
} xa_torch_img;

/* Source sample i (index into the H x W x C array) as float. */
static inline float xa_torch_at(const xa_torch_img *im, int64_t i) {
    return im->u8 ? (float)((const uint8_t *)im->src)[i] : ((const float *)im->src)[i];
}

/* The kernels that fuse (fma = 1) call fmaf (and fma): plain x86-64 code makes that a libm call
 * per operation. Their inner loops (resize_torch_kernels.h) are therefore compiled twice: the
 * references `*_ref` (plain C) and `*_avx2` for the avx2 path (AVX2 and FMA, cpu.h), where
 * each fmaf is one instruction. Both compute the same correctly rounded operations, so both give
 * the same bits: tests/unit/test_resize_torch.c runs every path the CPU has against the
 * reference on random cases. */
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define XA_TORCH_HAVE_AVX2 1
#endif
/* a kernel body specialised (u8, fma constant) wherever it is called */
#define XA_TORCH_INLINE static inline __attribute__((always_inline))

/* bicubic: the four taps of one output along one axis */
typedef struct {
    int64_t i[4]; /* source indices of the taps, clamped to [0, in - 1] */
    float w[4];   /* their weights */
} xa_torch_cubic_tap;
/* Interpolate<2, float, int64_t, 4> over the whole output with the taps of each axis. */
void xa_torch_cubic_apply_ref(const xa_torch_img *im, const xa_torch_cubic_tap *th,
                              const xa_torch_cubic_tap *tw, int fma);
void xa_torch_cubic_apply_avx2(const xa_torch_img *im, const xa_torch_cubic_tap *th,
                               const xa_torch_cubic_tap *tw); /* fma = 1 */

/* antialias: the taps of every output along one axis (Pillow's bounds and weights) */
typedef struct {
    int64_t ksize;  /* weights stored per output (Pillow's ksize) */
    int64_t *xmin;  /* first source index of each output */
    int64_t *xsize; /* number of taps of each output */
    float *w;       /* out x ksize weights, normalised */
} xa_torch_aa_coefs;
/* The width pass into tmp (H x dw x C), then the height pass into im->dst. */
void xa_torch_aa_passes_ref(const xa_torch_img *im, const xa_torch_aa_coefs *kx,
                            const xa_torch_aa_coefs *ky, float *tmp, int fma);
void xa_torch_aa_passes_avx2(const xa_torch_img *im, const xa_torch_aa_coefs *kx,
                             const xa_torch_aa_coefs *ky, float *tmp); /* fma = 1 */

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
