/* OpenCV 4.6 cv::resize family (private): coefficient tables, scalar reference kernels (`_ref`)
 * and the kernels of the SSE2 path (`_sse2`: intrinsics where they pay, restructured loops the
 * compiler vectorises elsewhere). xa_resize_cv picks `_sse2` when the CPU path allows it
 * (cpu.h), the references otherwise (XALIGN_CPU=scalar). Not installed;
 * tests/unit/test_resize_cv.c includes it to compare every kernel with its reference.
 *
 * Layout of the work:
 * - resize_cv.c: dispatch (cv::resize + cv::hal::resize), same-size copy, INTER_NEAREST(_EXACT);
 * - resize_cv_coef.c: every coefficient / offset table (no pixel is touched there);
 * - resize_cv_sep.c: separable application, INTER_LINEAR/CUBIC/LANCZOS4 (and INTER_AREA when a
 *   scale is < 1) and INTER_LINEAR_EXACT; scalar references;
 * - resize_cv_area.c: INTER_AREA, integer factors ("area fast") and general; scalar references;
 * - resize_cv_sse2.c: fast kernels for INTER_LINEAR, INTER_LINEAR_EXACT (uint8), INTER_AREA.
 * Semantics and the meaning of every constant: docs/ops-resize-opencv.md.
 *
 * Sizes are int: OpenCV works in int, and xa_resize_cv limits images so that width * channels and
 * every table index fit (XA_CV_MAX_SRC_DIM). Images are dense C-order rows of w * cn elements.
 */
#ifndef XA_RESIZE_CV_INTERNAL_H
#define XA_RESIZE_CV_INTERNAL_H

#include "cpu.h"
#include "internal.h"

#include <math.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Largest source width or height accepted (OpenCV itself is limited to int sizes; this keeps
 * w * cn * 8-tap tables and the 16.16 fixed point of INTER_NEAREST_EXACT far from overflow). */
#define XA_CV_MAX_SRC_DIM (1 << 20)

/* INTER_RESIZE_COEF_BITS = 11 (resize.cpp): 8-bit kernels quantise each weight to an integer out
 * of 2048 = 1 << 11, so a horizontal pass yields value * 2048 and the vertical pass value * 2^22.
 */
#define XA_CV_COEF_BITS 11
#define XA_CV_COEF_SCALE (1 << XA_CV_COEF_BITS)

/* The kernel families of the generic separable path (resizeGeneric_). */
typedef enum { XA_CV_K_LINEAR = 2, XA_CV_K_CUBIC = 4, XA_CV_K_LANCZOS4 = 8 } xa_cv_kernel;

/* Tables of the generic separable path, as cv::hal::resize builds them for resizeGeneric_.
 * Horizontal tables are per output ELEMENT (dw * cn), vertical ones per output row. */
typedef struct xa_cv_sep {
    int sw, sh, dw, dh, cn;
    int ksize;       /* taps: 2, 4 or 8 (= xa_cv_kernel) */
    int xmin, xmax;  /* in elements: [xmin, xmax) may read all taps without clamping */
    int u8;          /* 1: 8-bit (int16 weights out of 2048), 0: float32 weights */
    int32_t *xofs;   /* dw*cn: element offset of the tap at position ksize/2 - 1 */
    int32_t *yofs;   /* dh: source row of that tap (not clamped) */
    int16_t *ialpha; /* u8: dw*cn*ksize weights */
    int16_t *ibeta;  /* u8: dh*ksize */
    float *falpha;   /* f32: dw*cn*ksize */
    float *fbeta;    /* f32: dh*ksize */
} xa_cv_sep;

/* Every kernel and table builder below that can fail returns XA_OK, XA_ENOMEM, or (area tables)
 * XA_EUNSUPPORTED, with the message in `err`. */
/* "out of memory for SWxSH -> DWxDH tables" */
xa_status xa_cv_nomem(xa_error *err, int sw, int sh, int dw, int dh);

/* Fill a xa_cv_sep (allocates; free with xa_cv_sep_free). area_mode: INTER_AREA emulated with
 * the linear kernel (a scale < 1). */
xa_status xa_cv_sep_init(xa_cv_sep *p, int sw, int sh, int dw, int dh, int cn, int u8,
                         xa_cv_kernel k, int area_mode, double inv_scale_x, double inv_scale_y,
                         xa_error *err);
void xa_cv_sep_free(xa_cv_sep *p);

/* resizeGeneric_ (HResize* + VResize* with OpenCV's SIMD/scalar split reproduced): the scalar
 * reference, and the same loops with the SSE2 rounding store (the only vector part of cubic and
 * Lanczos4). */
xa_status xa_cv_sep_u8_ref(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err);
xa_status xa_cv_sep_u8_sse2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err);
/* float32: one version (no SIMD of its own) */
xa_status xa_cv_sep_f32(const xa_cv_sep *p, const float *src, float *dst, xa_error *err);
/* INTER_LINEAR (ksize 2) on uint8: same results as xa_cv_sep_u8_ref. */
xa_status xa_cv_linear_u8_sse2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err);
#if (defined(__x86_64__) || defined(__i386__)) && defined(__GNUC__)
#define XA_CV_HAVE_AVX2 1
/* resize_cv_avx2.c: 3 and 4 channels (others go to the SSE2 kernel). */
xa_status xa_cv_linear_u8_avx2(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_error *err);
#endif

/* INTER_LINEAR_EXACT on uint8 (resize_bitExact with interpolationLinear<uint8_t>). */
typedef struct xa_cv_exact {
    int sw, sh, dw, dh, cn;
    int xmin, xmax, ymin, ymax; /* in pixels / rows */
    int32_t *xofs, *yofs;       /* source pixel / row of the first tap */
    uint16_t *xc, *yc;          /* pairs of weights out of 256 (8 fraction bits) */
} xa_cv_exact;
xa_status xa_cv_exact_init(xa_cv_exact *p, int sw, int sh, int dw, int dh, int cn,
                           double inv_scale_x, double inv_scale_y, xa_error *err);
void xa_cv_exact_free(xa_cv_exact *p);
xa_status xa_cv_exact_u8_ref(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst, xa_error *err);
xa_status xa_cv_exact_u8_sse2(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst,
                              xa_error *err);

/* INTER_AREA, integer factors kx, ky (resizeAreaFast_). Cannot fail (the SSE2 version falls
 * back to the reference, which needs no memory, when its scratch cannot be allocated). */
void xa_cv_area_fast_u8_ref(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
                            int dh, int kx, int ky);
void xa_cv_area_fast_u8_sse2(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw,
                             int dh, int kx, int ky);
void xa_cv_area_fast_f32(const float *src, int sw, int sh, int cn, float *dst, int dw, int dh,
                         int kx, int ky);

/* INTER_AREA, general (computeResizeAreaTab + ResizeArea_Invoker). */
typedef struct xa_cv_area_tap {
    int32_t di, si; /* destination and source ELEMENT index (pixel * cn) or row */
    float alpha;
} xa_cv_area_tap;
typedef struct xa_cv_area {
    int sw, sh, dw, dh, cn;
    xa_cv_area_tap *xtab, *ytab;
    int xn, yn;      /* entries used */
    int32_t *yfirst; /* dh + 1: first ytab entry of each output row */
} xa_cv_area;
/* XA_EUNSUPPORTED when the tables break an assertion of OpenCV's (more than 2 taps per source
 * pixel, an output row without taps: OpenCV throws). */
xa_status xa_cv_area_init(xa_cv_area *p, int sw, int sh, int dw, int dh, int cn, double scale_x,
                          double scale_y, xa_error *err);
void xa_cv_area_free(xa_cv_area *p);
xa_status xa_cv_area_u8_ref(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_error *err);
xa_status xa_cv_area_u8_sse2(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_error *err);
xa_status xa_cv_area_f32_ref(const xa_cv_area *p, const float *src, float *dst, xa_error *err);
xa_status xa_cv_area_f32_sse2(const xa_cv_area *p, const float *src, float *dst, xa_error *err);

/* The best version of each kernel that `path` allows (resize_cv.c): `_avx2`, then `_sse2`, then
 * the reference. */
xa_status xa_cv_sep_u8(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                       xa_error *err);
xa_status xa_cv_exact_u8(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                         xa_error *err);
void xa_cv_area_fast_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                        int kx, int ky, xa_cpu_path path);
xa_status xa_cv_area_u8(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                        xa_error *err);
xa_status xa_cv_area_f32(const xa_cv_area *p, const float *src, float *dst, xa_cpu_path path,
                         xa_error *err);

/* Shared scalar helpers. */
/* cvRound(float) on x86 (cvtss2si): nearest, ties to even; NaN or out of int range gives the
 * "integer indefinite" 0x80000000. */
static inline int32_t xa_cv_round_f32(float v) {
#if defined(__SSE2__)
    return _mm_cvtss_si32(_mm_set_ss(v)); /* the instruction cvRound compiles to */
#else
    if (!(v >= -2147483648.0f && v < 2147483648.0f)) return INT32_MIN;
    return (int32_t)rintf(v);
#endif
}
static inline uint8_t xa_cv_sat_u8(int32_t v) {
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}
/* D[i] = saturate_cast<uchar>(v[i]) (cvRound then clamp): the reference, and 16 at a time with
 * cvtps2dq + saturating packs. */
static inline void xa_cv_store_round_u8_ref(const float *v, int n, uint8_t *D) {
    for (int x = 0; x < n; x++) D[x] = xa_cv_sat_u8(xa_cv_round_f32(v[x]));
}
void xa_cv_store_round_u8_sse2(const float *v, int n, uint8_t *D);

#endif
