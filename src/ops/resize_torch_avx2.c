/* The avx2-path compilation (AVX2 and FMA, cpu.h) of the torch kernels that fuse: the bodies of
 * resize_torch_kernels.h, the same code as the references xa_torch_cubic_apply_ref and
 * xa_torch_aa_passes_ref, where GCC turns each fmaf into one instruction instead of a libm call.
 * Same operations, same roundings, same bits (tests/unit/test_resize_torch.c). */
#include "resize_torch_kernels.h"

#ifdef XA_TORCH_HAVE_AVX2
#define XA_AVX2 __attribute__((target("avx2,fma")))

XA_AVX2 void xa_torch_cubic_apply_avx2(const xa_torch_img *im, const xa_torch_cubic_tap *th,
                                       const xa_torch_cubic_tap *tw) {
    if (im->u8)
        cubic_apply(im, th, tw, 1, 1);
    else
        cubic_apply(im, th, tw, 0, 1);
}

XA_AVX2 void xa_torch_aa_passes_avx2(const xa_torch_img *im, const xa_torch_aa_coefs *kx,
                                     const xa_torch_aa_coefs *ky, float *tmp) {
    if (im->u8)
        aa_passes(im, kx, ky, tmp, 1, 1);
    else
        aa_passes(im, kx, ky, tmp, 0, 1);
}
#endif
