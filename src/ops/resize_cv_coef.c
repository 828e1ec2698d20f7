/* OpenCV 4.6 cv::resize: every coefficient and offset table (imgproc/src/resize.cpp).
 * Nothing here touches a pixel; the kernels in resize_cv_sep.c / resize_cv_area.c /
 * resize_cv_sse2.c apply these tables. Reimplemented from the arithmetic described in
 * shared/spec/preprocessing.md and docs/ops-resize-opencv.md.
 *
 * Floating point: each C expression below is written in the precision and order OpenCV's
 * expression has (float where OpenCV has float, double where it has double), and the project
 * builds with -ffp-contract=off so that no a*b+c is fused into one rounding.
 */
#include "resize_cv_internal.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* cvFloor(float) / cvFloor(double): largest integer <= v (v is always in int range here). */
static int floor_f(float v) {
    return (int)floorf(v);
}
static int floor_d(double v) {
    return (int)floor(v);
}

/* interpolateCubic (resize.cpp): Keys' cubic with A = -0.75, evaluated in float in OpenCV's
 * operation order; the 4th weight is 1 - the others so the float weights sum to 1. */
static void cubic_weights(float x, float *c) {
    const float A = -0.75f;
    c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
    c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
    c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
    c[3] = 1.f - c[0] - c[1] - c[2];
}

/* interpolateLanczos4 (resize.cpp, the 4.6 form): 8 taps of sinc(t)*sinc(t/4) for t = x+3-i.
 * The common factor sin(pi x) of all eight numerators cancels in the normalisation, so OpenCV
 * computes only sin/cos of y0 = -(x+3)*pi/4 once and rotates it by the 8 multiples of 45 degrees
 * (table below, s45 = sqrt(2)/2). A tap whose |t| < 1e-6 (x ~ 0 or x ~ 1) would divide by ~0:
 * it gets the weight 1e30 instead, which dominates the sum, so after normalisation that tap is
 * ~1 and the others ~1e-31 (not exactly 0: visible on float images, see the docs). */
static void lanczos4_weights(float x, float *c) {
    static const double s45 = 0.70710678118654752440084436210485;
    static const double cs[8][2] = {{1, 0},  {-s45, -s45}, {0, 1},  {s45, -s45},
                                    {-1, 0}, {s45, s45},   {0, -1}, {-s45, s45}};
    const double pi = 3.1415926535897932384626433832795; /* CV_PI */
    float sum = 0;
    double y0 = -(double)(x + 3) * pi * 0.25, s0 = sin(y0), c0 = cos(y0);
    for (int i = 0; i < 8; i++) {
        float t = x + 3 - i;
        if (fabsf(t) >= 1e-6f) {
            double y = -(double)t * pi * 0.25;
            c[i] = (float)((cs[i][0] * s0 + cs[i][1] * c0) / (y * y));
        } else {
            c[i] = 1e30f;
        }
        sum += c[i];
    }
    sum = 1.f / sum;
    for (int i = 0; i < 8; i++) c[i] *= sum;
}

/* The kernel weights for the fractional position f (cbuf in cv::hal::resize). */
static void kernel_weights(xa_cv_kernel k, float f, float *c) {
    if (k == XA_CV_K_CUBIC)
        cubic_weights(f, c);
    else if (k == XA_CV_K_LANCZOS4)
        lanczos4_weights(f, c);
    else {
        c[0] = 1.f - f;
        c[1] = f;
    }
}

/* Source position of output index d on one axis (cv::hal::resize, the table loops).
 * Pixel-centre mapping: f = (float)((d + 0.5) * scale - 0.5), s = floor(f), f -= s.
 * INTER_AREA emulated for a scale < 1 ("area_mode"): s = floor(d * scale) and the weight of the
 * second tap is the part of output cell d that lies past source pixel s, measured in output
 * units: (d + 1) - (s + 1) * inv_scale, kept only when positive, reduced to its fraction. */
static void source_pos(int d, double scale, double inv_scale, int area_mode, int *s, float *f) {
    if (!area_mode) {
        float fx = (float)((d + 0.5) * scale - 0.5);
        *s = floor_f(fx);
        *f = fx - (float)*s;
    } else {
        *s = floor_d(d * scale);
        float fx = (float)((d + 1) - (*s + 1) * inv_scale);
        *f = fx <= 0 ? 0.f : fx - (float)floor_f(fx);
    }
}

void xa_cv_sep_free(xa_cv_sep *p) {
    free(p->xofs);
    free(p->yofs);
    free(p->ialpha);
    free(p->ibeta);
    free(p->falpha);
    free(p->fbeta);
    memset(p, 0, sizeof *p);
}

xa_status xa_cv_nomem(xa_error *err, int sw, int sh, int dw, int dh) {
    return xa_fail(err, XA_ENOMEM, "resize_cv: out of memory for %dx%d -> %dx%d tables", sw, sh, dw,
                   dh);
}

xa_status xa_cv_sep_init(xa_cv_sep *p, int sw, int sh, int dw, int dh, int cn, int u8,
                         xa_cv_kernel k, int area_mode, double inv_scale_x, double inv_scale_y,
                         xa_error *err) {
    memset(p, 0, sizeof *p);
    int ksize = (int)k, ksize2 = ksize / 2, width = dw * cn;
    int linear = k == XA_CV_K_LINEAR; /* only the 2-tap kernel clamps its positions */
    double scale_x = 1. / inv_scale_x, scale_y = 1. / inv_scale_y;
    *p = (xa_cv_sep){sw, sh, dw, dh, cn, ksize, 0, dw, u8, NULL, NULL, NULL, NULL, NULL, NULL};
    p->xofs = malloc(sizeof(int32_t) * (size_t)width);
    p->yofs = malloc(sizeof(int32_t) * (size_t)dh);
    if (u8) {
        p->ialpha = malloc(sizeof(int16_t) * (size_t)width * ksize);
        p->ibeta = malloc(sizeof(int16_t) * (size_t)dh * ksize);
    } else {
        p->falpha = malloc(sizeof(float) * (size_t)width * ksize);
        p->fbeta = malloc(sizeof(float) * (size_t)dh * ksize);
    }
    if (!p->xofs || !p->yofs || (u8 ? !p->ialpha || !p->ibeta : !p->falpha || !p->fbeta)) {
        xa_cv_sep_free(p);
        return xa_cv_nomem(err, sw, sh, dw, dh);
    }
    float cbuf[8];
    for (int dx = 0; dx < dw; dx++) {
        int sx;
        float fx;
        source_pos(dx, scale_x, inv_scale_x, area_mode, &sx, &fx);
        /* [xmin, xmax): every tap sx-ksize2+1 .. sx+ksize2 is inside the row. Outside it the
         * linear kernel clamps the position (weights 1, 0 on the edge pixel); cubic and Lanczos
         * keep their weights and clamp each tap's index when applied. */
        if (sx < ksize2 - 1) {
            p->xmin = dx + 1;
            if (sx < 0 && linear) fx = 0, sx = 0;
        }
        if (sx + ksize2 >= sw) {
            if (dx < p->xmax) p->xmax = dx;
            if (sx >= sw - 1 && linear) fx = 0, sx = sw - 1;
        }
        for (int c = 0; c < cn; c++) p->xofs[dx * cn + c] = sx * cn + c;
        kernel_weights(k, fx, cbuf);
        for (int c = 0; c < cn; c++)
            for (int j = 0; j < ksize; j++) {
                size_t at = ((size_t)dx * cn + c) * ksize + j;
                /* 8-bit: saturate_cast<short>(w * 2048), i.e. round half to even */
                if (u8)
                    p->ialpha[at] = (int16_t)xa_cv_round_f32(cbuf[j] * XA_CV_COEF_SCALE);
                else
                    p->falpha[at] = cbuf[j];
            }
    }
    for (int dy = 0; dy < dh; dy++) {
        int sy;
        float fy;
        /* Rows are not clamped here: sy may be -1 or sh-1 with a fractional weight; the kernels
         * clamp the row index instead (resizeGeneric_Invoker). */
        source_pos(dy, scale_y, inv_scale_y, area_mode, &sy, &fy);
        p->yofs[dy] = sy;
        kernel_weights(k, fy, cbuf);
        for (int j = 0; j < ksize; j++) {
            if (u8)
                p->ibeta[dy * ksize + j] = (int16_t)xa_cv_round_f32(cbuf[j] * XA_CV_COEF_SCALE);
            else
                p->fbeta[dy * ksize + j] = cbuf[j];
        }
    }
    p->xmin *= cn;
    p->xmax *= cn;
    return XA_OK;
}

/* interpolationLinear<uint8_t>::getCoeffs (INTER_LINEAR_EXACT). The position is computed in
 * softdouble, i.e. IEEE double with every operation rounded once: fval = scale*(d+0.5) - 0.5.
 * The second weight is ufixedpoint16(fval - floor(fval)): 8 fraction bits, round half to even
 * (cvRound of a softdouble); the first is 256 - it, so the pair always sums to exactly 1.0.
 * Positions left of the first pixel (fval < 0) or past the last one become the edge pixel; for
 * a source of size 1 every position does. Returns [min, max) of the interpolated range. */
static void exact_axis(int ssize, int dsize, double inv_scale, int32_t *ofs, uint16_t *c, int *min,
                       int *max) {
    double scale = 1.0 / inv_scale;
    *min = 0;
    *max = dsize;
    for (int d = 0; d < dsize; d++) {
        double fval = scale * ((double)d + 0.5) - 0.5;
        int ival = floor_d(fval);
        ofs[d] = 0;
        c[2 * d] = 256;
        c[2 * d + 1] = 0;
        if (ival >= 0 && ssize > 1) {
            if (ival < ssize - 1) {
                ofs[d] = ival;
                c[2 * d + 1] = (uint16_t)rint((fval - ival) * 256.0);
                c[2 * d] = (uint16_t)(256 - c[2 * d + 1]);
            } else {
                ofs[d] = ssize - 1;
                if (d < *max) *max = d;
            }
        } else if (d + 1 > *min) {
            *min = d + 1;
        }
    }
}

void xa_cv_exact_free(xa_cv_exact *p) {
    free(p->xofs); /* one block holds all four tables */
    memset(p, 0, sizeof *p);
}

xa_status xa_cv_exact_init(xa_cv_exact *p, int sw, int sh, int dw, int dh, int cn,
                           double inv_scale_x, double inv_scale_y, xa_error *err) {
    *p = (xa_cv_exact){.sw = sw, .sh = sh, .dw = dw, .dh = dh, .cn = cn};
    size_t n = (size_t)dw + dh;
    if (!(p->xofs = malloc((sizeof(int32_t) + 2 * sizeof(uint16_t)) * n)))
        return xa_cv_nomem(err, sw, sh, dw, dh);
    p->yofs = p->xofs + dw;
    p->xc = (uint16_t *)(p->xofs + n);
    p->yc = p->xc + 2 * (size_t)dw;
    exact_axis(sw, dw, inv_scale_x, p->xofs, p->xc, &p->xmin, &p->xmax);
    exact_axis(sh, dh, inv_scale_y, p->yofs, p->yc, &p->ymin, &p->ymax);
    return XA_OK;
}

/* computeResizeAreaTab (resize.cpp): output cell d covers source [d*scale, d*scale + scale).
 * Taps, in this order: the partial pixel before the first whole one (weight = covered part /
 * cell width), each whole pixel (1 / cell width), the partial pixel after (covered part / cell
 * width). cellWidth is min(scale, ssize - start): the last cell may be cut by the border. The
 * 1e-3 thresholds drop slivers. Weights are computed in double and stored as float. */
#define AREA_TAP(d, s, a)                                                                          \
    do {                                                                                           \
        if (k >= cap) return -1; /* OpenCV: CV_Assert(k < ssize*2) */                              \
        tab[k++] = (xa_cv_area_tap){d, s, a};                                                      \
    } while (0)

static int area_tab(int ssize, int dsize, int cn, double scale, xa_cv_area_tap *tab, int cap) {
    int k = 0;
    for (int dx = 0; dx < dsize; dx++) {
        double fsx1 = dx * scale, fsx2 = fsx1 + scale;
        double cell = fmin(scale, ssize - fsx1);
        int sx1 = (int)ceil(fsx1), sx2 = floor_d(fsx2);
        if (sx2 > ssize - 1) sx2 = ssize - 1;
        if (sx1 > sx2) sx1 = sx2;
        if (sx1 - fsx1 > 1e-3) AREA_TAP(dx * cn, (sx1 - 1) * cn, (float)((sx1 - fsx1) / cell));
        for (int sx = sx1; sx < sx2; sx++) AREA_TAP(dx * cn, sx * cn, (float)(1.0 / cell));
        if (fsx2 - sx2 > 1e-3)
            AREA_TAP(dx * cn, sx2 * cn, (float)(fmin(fmin(fsx2 - sx2, 1.), cell) / cell));
    }
    return k;
}
#undef AREA_TAP

void xa_cv_area_free(xa_cv_area *p) {
    free(p->xtab); /* one block holds the three tables */
    memset(p, 0, sizeof *p);
}

xa_status xa_cv_area_init(xa_cv_area *p, int sw, int sh, int dw, int dh, int cn, double scale_x,
                          double scale_y, xa_error *err) {
    *p = (xa_cv_area){.sw = sw, .sh = sh, .dw = dw, .dh = dh, .cn = cn};
    /* OpenCV sizes each table 2 * source size: with scale >= 1 a source pixel is shared by at
     * most two output cells. */
    size_t ntap = 2 * ((size_t)sw + sh);
    if (!(p->xtab = malloc(sizeof(xa_cv_area_tap) * ntap + sizeof(int32_t) * ((size_t)dh + 1))))
        return xa_cv_nomem(err, sw, sh, dw, dh);
    p->ytab = p->xtab + 2 * (size_t)sw;
    p->yfirst = (int32_t *)(p->xtab + ntap);
    p->xn = area_tab(sw, dw, cn, scale_x, p->xtab, 2 * sw);
    p->yn = area_tab(sh, dh, 1, scale_y, p->ytab, 2 * sh);
    int dy = 0;
    for (int k = 0; k < p->yn && p->xn >= 0; k++)
        if (k == 0 || p->ytab[k].di != p->ytab[k - 1].di) {
            if (p->ytab[k].di != dy) break; /* OpenCV: CV_Assert(ytab[k].di == dy) */
            p->yfirst[dy++] = k;
        }
    if (p->xn < 0 || p->yn < 0 || dy != dh) { /* tables OpenCV itself refuses */
        xa_cv_area_free(p);
        return xa_fail(err, XA_EUNSUPPORTED,
                       "resize_cv: %dx%d -> %dx%d: OpenCV's INTER_AREA tables fail its own "
                       "assertion for these sizes",
                       sw, sh, dw, dh);
    }
    p->yfirst[dh] = p->yn;
    return XA_OK;
}
