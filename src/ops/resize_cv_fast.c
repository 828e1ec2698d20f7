/* Fast uint8 kernels (placeholder: forwards to the references until the SIMD versions land). */
#include "resize_cv_internal.h"

int xa_cv_linear_u8_fast(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst) {
    return xa_cv_sep_u8_ref(p, src, dst);
}
void xa_cv_area_fast_u8_fast(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
                             int dh, int kx, int ky) {
    xa_cv_area_fast_u8_ref(src, sw, sh, cn, dst, dw, dh, kx, ky);
}
int xa_cv_area_u8_fast(const xa_cv_area *p, const uint8_t *src, uint8_t *dst) {
    return xa_cv_area_u8_ref(p, src, dst);
}
