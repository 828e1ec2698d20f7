/* Colour conversions that cv2.imread and Pillow apply after libjpeg/libpng (docs/decode.md).
 * Coefficients are named and derived here; the readers only call these per pixel. */
#include "image_internal.h"

/* ---- Pillow 9.4, libImaging/Convert.c -------------------------------------------------- */

/* MULDIV255(a, b) = round(a * b / 255) without a division: t = a*b + 128, then
 * ((t >> 8) + t) >> 8 (exact for a, b in 0..255). */
static inline int muldiv255(int a, int b) {
    int t = a * b + 128;
    return ((t >> 8) + t) >> 8;
}
static inline unsigned char clip8(int v) {
    return (unsigned char)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* cmyk2rgb: with nk = 255 - K, each of R, G, B = nk - C*nk/255 (C, M, Y un-inverted: Pillow
 * reads JPEG CMYK with rawmode "CMYK;I", i.e. 255 - the stored Adobe-inverted value). */
void xa_pil_cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb) {
    int nk = 255 - cmyk[3];
    for (int i = 0; i < 3; i++) rgb[i] = clip8(nk - muldiv255(cmyk[i], nk));
}

/* ---- OpenCV 4.6, imgcodecs/src/utils.cpp ------------------------------------------------ */

/* Luma weights in 14-bit fixed point: cR = (int)(0.299 * 2^14 + 0.5) = 4899,
 * cG = (int)(0.587 * 2^14 + 0.5) = 9617, cB = 2^14 - cR - cG = 1868 (so the weights sum to
 * exactly 2^14). descale(x, 14) adds 2^13 before the shift: round half up. */
enum {
    CV_GRAY_SHIFT = 14,
    CV_CR = 4899,
    CV_CG = 9617,
    CV_CB = (1 << CV_GRAY_SHIFT) - CV_CR - CV_CG
};

/* icvCvt_CMYK2BGR_8u_C4C3R: each of c, m, y becomes k - (255 - v) * k >> 8 (libjpeg returns
 * Adobe CMYK, where the stored values are already inverted ink amounts). */
static inline void cv_cmyk_channels(const unsigned char *cmyk, int *c, int *m, int *y) {
    int k = cmyk[3];
    *c = k - ((255 - cmyk[0]) * k >> 8);
    *m = k - ((255 - cmyk[1]) * k >> 8);
    *y = k - ((255 - cmyk[2]) * k >> 8);
}
void xa_cv_cmyk_to_bgr(const unsigned char *cmyk, unsigned char *bgr) {
    int c, m, y;
    cv_cmyk_channels(cmyk, &c, &m, &y);
    bgr[0] = (unsigned char)y;
    bgr[1] = (unsigned char)m;
    bgr[2] = (unsigned char)c;
}
/* icvCvt_CMYK2Gray_8u_C4C1R: the same c, m, y (as R, G, B), then descale(y*cB + m*cG + c*cR). */
unsigned char xa_cv_cmyk_to_gray(const unsigned char *cmyk) {
    int c, m, y;
    cv_cmyk_channels(cmyk, &c, &m, &y);
    return (unsigned char)((y * CV_CB + m * CV_CG + c * CV_CR + (1 << (CV_GRAY_SHIFT - 1))) >>
                           CV_GRAY_SHIFT);
}
