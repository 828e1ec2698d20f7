/* OpenCV 4.6 cv::resize, bit for bit (imgproc/src/resize.cpp: cv::resize, cv::hal::resize,
 * resizeNN, resizeNN_bitexact), as Debian's python3-opencv 4.6 computes it (no IPP, no OpenCL,
 * SSE2 baseline; the AVX2/SSE4.1 dispatched parts of resize only copy pixels for INTER_NEAREST).
 * This file decides which kernel OpenCV runs; the kernels live in resize_cv_*.c.
 * Semantics, dispatch rules and known differences: docs/ops-resize-opencv.md.
 */
#include "resize_cv_internal.h"
#include "resize_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* resizeNN: sx = floor(x * (1 / (dw/sw))) in double, clamped to the last pixel (not
 * pixel-centred: a 2x reduction picks 0, 2, 4, ...). */
static void nn_offsets(int ssize, int dsize, int32_t *ofs) {
    double inv = (double)dsize / ssize, ifx = 1. / inv;
    for (int x = 0; x < dsize; x++) {
        int s = (int)floor(x * ifx);
        ofs[x] = s < ssize - 1 ? s : ssize - 1;
    }
}

/* resizeNN_bitexact (OpenCV 4.6): 16.16 fixed point, ifx = round(sw / dw * 2^16) as
 * ((sw << 16) + dw/2) / dw, and sx = (ifx*x + ifx/2 - 1) >> 16: the pixel-centre position
 * x + 0.5 scaled, minus one unit of 2^-16 so that exact centres fall to the left pixel (later
 * OpenCV versions changed the "- 1"). Only valid while the int arithmetic does not overflow,
 * i.e. sizes below 32768 (checked by the caller). */
static void nn_exact_offsets(int ssize, int dsize, int32_t *ofs) {
    int32_t ifx = ((ssize << 16) + dsize / 2) / dsize, ifx0 = ifx / 2 - 1;
    for (int x = 0; x < dsize; x++) {
        int32_t s = (ifx * x + ifx0) >> 16;
        ofs[x] = s < ssize - 1 ? s : ssize - 1;
    }
}

/* Copy whole pixels: row yofs[dy], column xofs[dx] (pixel-sized memcpy, as resizeNNInvoker). */
static xa_status nn_apply(const xa_tensor *src, xa_tensor *dst, int sw, int sh, int dw, int dh,
                          size_t pix, int exact, xa_error *err) {
    int32_t *xofs = malloc(sizeof(int32_t) * ((size_t)dw + dh));
    if (!xofs) return xa_cv_nomem(err, sw, sh, dw, dh);
    int32_t *yofs = xofs + dw;
    if (exact) {
        nn_exact_offsets(sw, dw, xofs);
        nn_exact_offsets(sh, dh, yofs);
    } else {
        nn_offsets(sw, dw, xofs);
        nn_offsets(sh, dh, yofs);
    }
    const unsigned char *S = src->data;
    unsigned char *D = dst->data;
    size_t sstride = (size_t)sw * pix, dstride = (size_t)dw * pix;
    for (int dy = 0; dy < dh; dy++) {
        const unsigned char *srow = S + (size_t)yofs[dy] * sstride;
        unsigned char *drow = D + (size_t)dy * dstride;
        if (dy > 0 && yofs[dy] == yofs[dy - 1]) { /* same source row: same output row */
            memcpy(drow, drow - dstride, dstride);
            continue;
        }
        /* fixed-size copies (the pixel sizes of uint8/float32 with 1, 3, 4 channels) */
#define NN_ROW(n)                                                                                  \
    for (int dx = 0; dx < dw; dx++)                                                                \
    memcpy(drow + (size_t)dx * (n), srow + (size_t)xofs[dx] * (n), (n))
        switch (pix) {
        case 1:
            NN_ROW(1);
            break;
        case 3:
            NN_ROW(3);
            break;
        case 4:
            NN_ROW(4);
            break;
        case 12:
            NN_ROW(12);
            break;
        default:
            NN_ROW(16);
            break;
        }
#undef NN_ROW
    }
    free(xofs);
    return XA_OK;
}

/* ---- kernel choice: the best version the CPU path allows (cpu.h) ------------------------- */

xa_status xa_cv_sep_u8(const xa_cv_sep *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                       xa_error *err) {
    if (!xa_cpu_allows(path, XA_CPU_SSE2)) return xa_cv_sep_u8_ref(p, src, dst, err);
#ifdef XA_CV_HAVE_AVX2
    if (p->ksize == XA_CV_K_LINEAR && xa_cpu_allows(path, XA_CPU_AVX2))
        return xa_cv_linear_u8_avx2(p, src, dst, err);
#endif
    if (p->ksize == XA_CV_K_LINEAR) return xa_cv_linear_u8_sse2(p, src, dst, err);
    return xa_cv_sep_u8_sse2(p, src, dst, err);
}

xa_status xa_cv_exact_u8(const xa_cv_exact *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                         xa_error *err) {
    return xa_cpu_allows(path, XA_CPU_SSE2) ? xa_cv_exact_u8_sse2(p, src, dst, err)
                                            : xa_cv_exact_u8_ref(p, src, dst, err);
}

void xa_cv_area_fast_u8(const uint8_t *src, int sw, int sh, int cn, uint8_t *dst, int dw, int dh,
                        int kx, int ky, xa_cpu_path path) {
    if (xa_cpu_allows(path, XA_CPU_SSE2))
        xa_cv_area_fast_u8_sse2(src, sw, sh, cn, dst, dw, dh, kx, ky);
    else
        xa_cv_area_fast_u8_ref(src, sw, sh, cn, dst, dw, dh, kx, ky);
}

xa_status xa_cv_area_u8(const xa_cv_area *p, const uint8_t *src, uint8_t *dst, xa_cpu_path path,
                        xa_error *err) {
    return xa_cpu_allows(path, XA_CPU_SSE2) ? xa_cv_area_u8_sse2(p, src, dst, err)
                                            : xa_cv_area_u8_ref(p, src, dst, err);
}

xa_status xa_cv_area_f32(const xa_cv_area *p, const float *src, float *dst, xa_cpu_path path,
                         xa_error *err) {
    return xa_cpu_allows(path, XA_CPU_SSE2) ? xa_cv_area_f32_sse2(p, src, dst, err)
                                            : xa_cv_area_f32_ref(p, src, dst, err);
}

/* The generic separable path (resizeGeneric_): INTER_LINEAR, INTER_CUBIC, INTER_LANCZOS4, and
 * INTER_AREA when a scale is < 1 (area_mode, linear kernel). */
static xa_status sep_apply(const xa_tensor *src, xa_tensor *dst, int sw, int sh, int dw, int dh,
                           int cn, xa_cv_kernel k, int area_mode, double inv_x, double inv_y,
                           xa_cpu_path path, xa_error *err) {
    int u8 = src->dtype == XA_U8;
    xa_cv_sep p;
    xa_status st = xa_cv_sep_init(&p, sw, sh, dw, dh, cn, u8, k, area_mode, inv_x, inv_y, err);
    if (st) return st;
    st = u8 ? xa_cv_sep_u8(&p, src->data, dst->data, path, err)
            : xa_cv_sep_f32(&p, src->data, dst->data, err);
    xa_cv_sep_free(&p);
    return st;
}

static xa_status area_apply(const xa_tensor *src, xa_tensor *dst, int sw, int sh, int dw, int dh,
                            int cn, double scale_x, double scale_y, xa_cpu_path path,
                            xa_error *err) {
    xa_cv_area p;
    xa_status st = xa_cv_area_init(&p, sw, sh, dw, dh, cn, scale_x, scale_y, err);
    if (st) return st;
    st = src->dtype == XA_U8 ? xa_cv_area_u8(&p, src->data, dst->data, path, err)
                             : xa_cv_area_f32(&p, src->data, dst->data, path, err);
    xa_cv_area_free(&p);
    return st;
}

static xa_status exact_apply(const xa_tensor *src, xa_tensor *dst, int sw, int sh, int dw, int dh,
                             int cn, double inv_x, double inv_y, xa_cpu_path path, xa_error *err) {
    xa_cv_exact p;
    xa_status st = xa_cv_exact_init(&p, sw, sh, dw, dh, cn, inv_x, inv_y, err);
    if (st) return st;
    st = xa_cv_exact_u8(&p, src->data, dst->data, path, err);
    xa_cv_exact_free(&p);
    return st;
}

xa_status xa_resize_cv(const xa_tensor *src, int64_t dw64, int64_t dh64, xa_resize_method m,
                       xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view g;
    xa_status st = xa_resize_view_of(src, &g, err);
    if (st) return st;
    if (m < XA_RESIZE_CV_NEAREST || m > XA_RESIZE_CV_LANCZOS4)
        return xa_fail(err, XA_EINVAL, "resize_cv: %s is not an OpenCV method",
                       xa_resize_method_name(m));
    if (g.w > XA_CV_MAX_SRC_DIM || g.h > XA_CV_MAX_SRC_DIM)
        return xa_fail(err, XA_ELIMIT, "resize_cv: input %lldx%lld exceeds the %d limit per side",
                       (long long)g.w, (long long)g.h, XA_CV_MAX_SRC_DIM);
    if (dw64 < 1 || dh64 < 1 || dw64 > XA_RESIZE_MAX_DIM || dh64 > XA_RESIZE_MAX_DIM)
        return xa_fail(err, XA_EINVAL, "resize_cv: output size %lldx%lld is outside 1..%d",
                       (long long)dw64, (long long)dh64, XA_RESIZE_MAX_DIM);
    int sw = (int)g.w, sh = (int)g.h, cn = (int)g.c, dw = (int)dw64, dh = (int)dh64;
    int u8 = g.dtype == XA_U8;
    xa_tensor *dst;
    if ((st = xa_img_new(&g, g.dtype, dh, dw, 0, &dst, err))) return st;

    /* cv::resize: same size is a plain copy, whatever the method */
    if (dw == sw && dh == sh) {
        memcpy(dst->data, src->data, dst->nbytes);
        *out = dst;
        return XA_OK;
    }
    if (m == XA_RESIZE_CV_NEAREST_EXACT && (sw >= 32768 || sh >= 32768)) {
        xa_tensor_free(dst);
        return xa_fail(err, XA_EUNSUPPORTED,
                       "resize_cv: cv2-nearest-exact overflows OpenCV's 16.16 fixed point for an "
                       "input side >= 32768 (got %dx%d)",
                       sw, sh);
    }
    /* INTER_LINEAR_EXACT exists for integer depths only; float falls back to INTER_LINEAR */
    if (m == XA_RESIZE_CV_LINEAR_EXACT && !u8) m = XA_RESIZE_CV_LINEAR;

    /* cv::hal::resize. Scales as OpenCV holds them: inv = dst/src, scale = 1/inv (so a 1/49
     * reduction gives 48.999999999999993, not 49). "Area fast" means both scales are integers
     * to within DBL_EPSILON; iscale = saturate_cast<int>(scale) rounds to nearest. */
    double inv_x = (double)dw / sw, inv_y = (double)dh / sh;
    double scale_x = 1. / inv_x, scale_y = 1. / inv_y;
    int iscale_x = (int)rint(scale_x), iscale_y = (int)rint(scale_y);
    int area_fast =
        fabs(scale_x - iscale_x) < DBL_EPSILON && fabs(scale_y - iscale_y) < DBL_EPSILON;
    int half = area_fast && iscale_x == 2 && iscale_y == 2; /* exact 2x reduction */
    size_t pix = (size_t)cn * (u8 ? 1 : 4);
    const xa_cpu_path path = xa_cpu_path_get();

    if (m == XA_RESIZE_CV_LINEAR_EXACT) {
        /* the rounded 2x2 mean equals the bit-exact bilinear result at exactly half size */
        if (half)
            m = XA_RESIZE_CV_AREA;
        else {
            st = exact_apply(src, dst, sw, sh, dw, dh, cn, inv_x, inv_y, path, err);
            goto done;
        }
    }
    if (m == XA_RESIZE_CV_NEAREST || m == XA_RESIZE_CV_NEAREST_EXACT) {
        st = nn_apply(src, dst, sw, sh, dw, dh, pix, m == XA_RESIZE_CV_NEAREST_EXACT, err);
        goto done;
    }
    /* INTER_LINEAR at exactly half size is the 2x2 area mean */
    if (m == XA_RESIZE_CV_LINEAR && half) m = XA_RESIZE_CV_AREA;
    if (m == XA_RESIZE_CV_AREA && scale_x >= 1 && scale_y >= 1) {
        if (area_fast) {
            if (u8)
                xa_cv_area_fast_u8(src->data, sw, sh, cn, dst->data, dw, dh, iscale_x, iscale_y,
                                   path);
            else
                xa_cv_area_fast_f32(src->data, sw, sh, cn, dst->data, dw, dh, iscale_x, iscale_y);
        } else {
            st = area_apply(src, dst, sw, sh, dw, dh, cn, scale_x, scale_y, path, err);
        }
        goto done;
    }
    xa_cv_kernel k = m == XA_RESIZE_CV_CUBIC      ? XA_CV_K_CUBIC
                     : m == XA_RESIZE_CV_LANCZOS4 ? XA_CV_K_LANCZOS4
                                                  : XA_CV_K_LINEAR;
    st =
        sep_apply(src, dst, sw, sh, dw, dh, cn, k, m == XA_RESIZE_CV_AREA, inv_x, inv_y, path, err);
done:
    if (st) {
        xa_tensor_free(dst);
        return st;
    }
    *out = dst;
    return XA_OK;
}
