/* Pillow 9.4 Image.resize, bit for bit (docs/ops-resize-pillow-torch.md).
 *
 * Reproduces, for the modes xalign handles (L, RGB, RGBA, F):
 *   PIL/Image.py Image.resize            same size -> copy; RGBA -> RGBa, resize, -> RGBA
 *   _imaging.c _resize                   NEAREST -> affine scale transform, others -> resample
 *   libImaging/Geometry.c ImagingScaleAffine   NEAREST: running double sum of source positions
 *   libImaging/Resample.c precompute_coeffs, normalize_coeffs_8bpc, ImagingResampleInner,
 *       ImagingResample{Horizontal,Vertical}_{8bpc,32bpc}
 *   libImaging/Convert.c rgbA2rgba / rgba2rgbA   alpha premultiplication and its inverse
 * The passes here are the plain scalar reference; resize_pil_avx2.c holds the fast 8-bit passes,
 * tested against these (tests/unit/test_resize_pil.c) and against Pillow itself
 * (tests/oracle/test_resize_pil.py).
 */
#include "resize_pil_impl.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Our own cap on one axis' coefficient table (entries), far above any real image: a table this
 * large means a source side of millions of pixels. Pillow's own limit (MemoryError) is checked
 * too, below. */
#define XA_PIL_MAX_COEFFS (1 << 25)

/* ---- filters: Resample.c box_filter ... lanczos_filter, evaluated in double ---------------- */

static double filter_box(double x) {
    return x > -0.5 && x <= 0.5 ? 1.0 : 0.0;
}

static double filter_bilinear(double x) {
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

static double filter_hamming(double x) {
    if (x < 0.0) x = -x;
    if (x == 0.0) return 1.0;
    if (x >= 1.0) return 0.0;
    x = x * M_PI;
    /* Pillow writes the window constants as float literals (0.54f, 0.46f): their float values,
     * widened to double, are what it computes with. */
    return sin(x) / x * ((double)0.54f + (double)0.46f * cos(x));
}

static double filter_bicubic(double x) {
    /* Keys' cubic convolution with a = -0.5; (a + 2) = 1.5 and (a + 3) = 2.5 are exact. */
    const double a = -0.5;
    if (x < 0.0) x = -x;
    if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1;
    if (x < 2.0) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
}

static double sinc(double x) {
    if (x == 0.0) return 1.0;
    x = x * M_PI;
    return sin(x) / x;
}

static double filter_lanczos(double x) {
    /* three-lobed Lanczos: sinc windowed by a sinc three times wider, on [-3, 3) */
    if (-3.0 <= x && x < 3.0) return sinc(x) * sinc(x / 3);
    return 0.0;
}

typedef struct {
    double (*fn)(double);
    double support;
} pil_filter;

static const pil_filter *filter_of(xa_resize_method m) {
    static const pil_filter box = {filter_box, 0.5}, bilinear = {filter_bilinear, 1.0},
                            hamming = {filter_hamming, 1.0}, bicubic = {filter_bicubic, 2.0},
                            lanczos = {filter_lanczos, 3.0};
    switch (m) {
    case XA_RESIZE_PIL_BOX:
        return &box;
    case XA_RESIZE_PIL_BILINEAR:
        return &bilinear;
    case XA_RESIZE_PIL_HAMMING:
        return &hamming;
    case XA_RESIZE_PIL_BICUBIC:
        return &bicubic;
    case XA_RESIZE_PIL_LANCZOS:
        return &lanczos;
    default:
        return NULL;
    }
}

/* ---- coefficients: Resample.c precompute_coeffs + normalize_coeffs_8bpc ------------------- */

void xa_pil_coeffs_free(xa_pil_coeffs *c) {
    if (!c) return;
    free(c->bounds);
    free(c->kd);
    free(c->ki);
    memset(c, 0, sizeof *c);
}

xa_status xa_pil_coeffs_init(xa_pil_coeffs *c, int in_size, int out_size, xa_resize_method m,
                             int fixed, xa_error *err) {
    memset(c, 0, sizeof *c);
    const pil_filter *f = filter_of(m);
    if (!f) return xa_fail(err, XA_EINVAL, "%s is not a Pillow filter", xa_resize_method_name(m));
    if (in_size < 1 || out_size < 1 || in_size > XA_PIL_MAX_SIDE)
        return xa_fail(err, XA_EINVAL, "sizes %d -> %d outside 1..%d", in_size, out_size,
                       XA_PIL_MAX_SIDE);
    /* The source box is float32 (0, in_size), exact below 2^24; the scale is double. */
    const float in0 = 0.0f, in1 = (float)in_size;
    const double scale = (double)(in1 - in0) / out_size;
    /* Shrinking widens the filter by the scale (antialiasing); enlarging keeps it. */
    const double filterscale = scale < 1.0 ? 1.0 : scale;
    const double support = f->support * filterscale;
    const int ksize = (int)ceil(support) * 2 + 1;
    /* Pillow refuses (MemoryError) when out_size * ksize doubles would not fit an int. */
    if (out_size > INT_MAX / (ksize * (int)sizeof(double)))
        return xa_fail(err, XA_ELIMIT,
                       "%d -> %d needs %d taps per pixel; Pillow 9.4 "
                       "refuses this too (MemoryError)",
                       in_size, out_size, ksize);
    if ((int64_t)out_size * ksize > XA_PIL_MAX_COEFFS)
        return xa_fail(err, XA_ELIMIT,
                       "%d -> %d needs a coefficient table of %lld entries "
                       "(limit %d)",
                       in_size, out_size, (long long)out_size * ksize, XA_PIL_MAX_COEFFS);
    c->in_size = in_size;
    c->out_size = out_size;
    c->ksize = ksize;
    /* The fixed-point rows are padded with zeros to a multiple of 8 taps so that vector code may
     * read whole groups past the last tap. */
    c->kstride = (ksize + 7) & ~7;
    c->bounds = malloc(sizeof(int) * 2 * (size_t)out_size);
    c->kd = calloc((size_t)out_size * ksize, sizeof(double));
    c->ki = fixed ? calloc((size_t)out_size * c->kstride, sizeof(int32_t)) : NULL;
    if (!c->bounds || !c->kd || (fixed && !c->ki)) {
        xa_pil_coeffs_free(c);
        return xa_fail(err, XA_ENOMEM, "out of memory for %d x %d coefficients", out_size, ksize);
    }
    const double ss = 1.0 / filterscale;
    for (int xx = 0; xx < out_size; xx++) {
        const double center = in0 + (xx + 0.5) * scale;
        /* (int) truncates toward zero: "+ 0.5" rounds the window ends, clamped to the image */
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        double *k = c->kd + (size_t)xx * ksize, ww = 0.0;
        for (int x = 0; x < xmax; x++) {
            /* distance from the centre of source pixel x + xmin, in filter units */
            const double w = f->fn((x + xmin - center + 0.5) * ss);
            k[x] = w;
            ww += w;
        }
        if (ww != 0.0)
            for (int x = 0; x < xmax; x++) k[x] /= ww;
        c->bounds[2 * xx] = xmin;
        c->bounds[2 * xx + 1] = xmax;
        if (fixed) {
            /* normalize_coeffs_8bpc: scale by 2^22 and round half away from zero via the
             * truncating (int) conversion. Entries past xmax stay 0, as Pillow's do. */
            int32_t *ki = c->ki + (size_t)xx * c->kstride;
            for (int x = 0; x < ksize; x++)
                ki[x] = k[x] < 0 ? (int32_t)(-0.5 + k[x] * (1 << XA_PIL_PRECISION_BITS))
                                 : (int32_t)(0.5 + k[x] * (1 << XA_PIL_PRECISION_BITS));
        }
    }
    return XA_OK;
}

/* ---- 8-bit scalar reference passes: ImagingResample{Horizontal,Vertical}_8bpc -------------- */

void xa_pil_hpass_u8_ref(const uint8_t *src, size_t sstride, int rows, int c,
                         const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    for (int y = 0; y < rows; y++) {
        const uint8_t *s = src + (size_t)y * sstride;
        uint8_t *d = dst + (size_t)y * dstride;
        for (int xx = 0; xx < k->out_size; xx++) {
            const int xmin = k->bounds[2 * xx], n = k->bounds[2 * xx + 1];
            const int32_t *kk = k->ki + (size_t)xx * k->kstride;
            for (int ch = 0; ch < c; ch++) {
                int32_t acc = XA_PIL_ROUND_HALF;
                for (int t = 0; t < n; t++) acc += s[(size_t)(xmin + t) * c + ch] * kk[t];
                d[(size_t)xx * c + ch] = xa_pil_clip8(acc);
            }
        }
    }
}

void xa_pil_vpass_u8_ref(const uint8_t *src, size_t sstride, int width, int row_shift,
                         const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    for (int yy = 0; yy < k->out_size; yy++) {
        const int ymin = k->bounds[2 * yy] - row_shift, n = k->bounds[2 * yy + 1];
        const int32_t *kk = k->ki + (size_t)yy * k->kstride;
        const uint8_t *s = src + (size_t)ymin * sstride;
        uint8_t *d = dst + (size_t)yy * dstride;
        for (int x = 0; x < width; x++) {
            int32_t acc = XA_PIL_ROUND_HALF;
            for (int t = 0; t < n; t++) acc += s[(size_t)t * sstride + x] * kk[t];
            d[x] = xa_pil_clip8(acc);
        }
    }
}

/* ---- float32 passes (mode F): ImagingResample{Horizontal,Vertical}_32bpc -------------------
 * Each output is a double sum, from 0.0, of (double)pixel * weight in tap order, stored as
 * float. A float image with channels is Pillow's mode F applied to each channel. */

static void hpass_f32(const uint8_t *src, size_t sstride, int rows, int c, const xa_pil_coeffs *k,
                      uint8_t *dst, size_t dstride) {
    for (int y = 0; y < rows; y++) {
        const float *s = (const float *)(src + (size_t)y * sstride);
        float *d = (float *)(dst + (size_t)y * dstride);
        for (int xx = 0; xx < k->out_size; xx++) {
            const int xmin = k->bounds[2 * xx], n = k->bounds[2 * xx + 1];
            const double *kk = k->kd + (size_t)xx * k->ksize;
            for (int ch = 0; ch < c; ch++) {
                double ss = 0.0;
                for (int t = 0; t < n; t++) ss += s[(size_t)(xmin + t) * c + ch] * kk[t];
                d[(size_t)xx * c + ch] = (float)ss;
            }
        }
    }
}

static void vpass_f32(const uint8_t *src, size_t sstride, int width, int row_shift,
                      const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    for (int yy = 0; yy < k->out_size; yy++) {
        const int ymin = k->bounds[2 * yy] - row_shift, n = k->bounds[2 * yy + 1];
        const double *kk = k->kd + (size_t)yy * k->ksize;
        const uint8_t *s = src + (size_t)ymin * sstride;
        float *d = (float *)(dst + (size_t)yy * dstride);
        for (int x = 0; x < width; x++) {
            double ss = 0.0;
            for (int t = 0; t < n; t++) ss += ((const float *)(s + (size_t)t * sstride))[x] * kk[t];
            d[x] = (float)ss;
        }
    }
}

/* ---- RGBA: Convert.c rgbA2rgba / rgba2rgbA ------------------------------------------------- */

/* MULDIV255: v * a / 255 rounded to nearest, as (t + (t >> 8)) >> 8 with t = v * a + 128. */
static void premultiply(const uint8_t *src, uint8_t *dst, size_t npix) {
    for (size_t i = 0; i < npix; i++, src += 4, dst += 4) {
        const unsigned a = src[3];
        for (int ch = 0; ch < 3; ch++) {
            const unsigned t = src[ch] * a + 128;
            dst[ch] = (uint8_t)(((t >> 8) + t) >> 8);
        }
        dst[3] = (uint8_t)a;
    }
}

/* Alpha 0 and 255 keep the colour; otherwise 255 * v / a truncated, clamped to 255. */
static void unpremultiply(uint8_t *p, size_t npix) {
    for (size_t i = 0; i < npix; i++, p += 4) {
        const unsigned a = p[3];
        if (a == 0 || a == 255) continue;
        for (int ch = 0; ch < 3; ch++) {
            const unsigned v = 255u * p[ch] / a;
            p[ch] = (uint8_t)(v > 255 ? 255 : v);
        }
    }
}

/* ---- ImagingResampleInner ----------------------------------------------------------------- */

typedef struct {
    size_t esize; /* bytes per sample: 1 (8-bit) or 4 (float32) */
    int c;        /* samples per pixel */
    int premul;   /* RGBA 8-bit: premultiply before, unpremultiply after */
    xa_cpu_path path;
} pil_job;

static void hpass(const pil_job *j, const uint8_t *src, size_t sstride, int rows, int w,
                  const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    if (j->esize == 4) {
        hpass_f32(src, sstride, rows, j->c, k, dst, dstride);
        return;
    }
#ifdef XA_PIL_HAVE_X86
    if (xa_cpu_allows(j->path, XA_CPU_AVX2)) {
        xa_pil_hpass_u8_avx2(src, sstride, rows, w, j->c, k, dst, dstride);
        return;
    }
#endif
    (void)w;
    xa_pil_hpass_u8_ref(src, sstride, rows, j->c, k, dst, dstride);
}

static void vpass(const pil_job *j, const uint8_t *src, size_t sstride, int width, int row_shift,
                  const xa_pil_coeffs *k, uint8_t *dst, size_t dstride) {
    if (j->esize == 4) {
        vpass_f32(src, sstride, width, row_shift, k, dst, dstride);
        return;
    }
#ifdef XA_PIL_HAVE_X86
    if (xa_cpu_allows(j->path, XA_CPU_AVX2)) {
        xa_pil_vpass_u8_avx2(src, sstride, width, row_shift, k, dst, dstride);
        return;
    }
#endif
    xa_pil_vpass_u8_ref(src, sstride, width, row_shift, k, dst, dstride);
}

/* Horizontal pass first, over only the source rows the vertical pass reads; a pass whose size
 * does not change is skipped (the box is always the whole image here). */
static xa_status resample(const pil_job *j, const uint8_t *src, int w, int h, uint8_t *dst, int dw,
                          int dh, xa_resize_method m, xa_error *err) {
    const int need_h = dw != w, need_v = dh != h, fixed = j->esize == 1;
    const size_t pix = j->esize * (size_t)j->c, srow = pix * (size_t)w, drow = pix * (size_t)dw;
    if (!need_h && !need_v) {
        memcpy(dst, src, srow * (size_t)h);
        return XA_OK;
    }
    xa_pil_coeffs kv, kh;
    memset(&kh, 0, sizeof kh);
    xa_status st = xa_pil_coeffs_init(&kv, h, dh, m, fixed, err);
    if (st) return st;
    if (need_h && (st = xa_pil_coeffs_init(&kh, w, dw, m, fixed, err))) {
        xa_pil_coeffs_free(&kv);
        return st;
    }
    /* First and one-past-last source rows the vertical pass reads (all rows when it is skipped:
     * at scale 1 every filter's first window starts at 0 and the last ends at h). */
    const int yfirst = kv.bounds[0], ylast = kv.bounds[2 * dh - 2] + kv.bounds[2 * dh - 1];
    const int rows = ylast - yfirst;
    uint8_t *pre = NULL, *tmp = NULL;
    if (j->premul) {
        /* Image.resize converts the whole image to RGBa; only these rows are ever read. */
        if (!(pre = malloc(srow * (size_t)rows))) goto nomem;
        premultiply(src + srow * (size_t)yfirst, pre, (size_t)w * rows);
    }
    /* source row yfirst; the vertical bounds are shifted by yfirst wherever they are read */
    const uint8_t *first = pre ? pre : src + srow * (size_t)yfirst;
    if (need_h) {
        /* without a vertical pass the horizontal result is the output (rows == h then) */
        if (need_v && !(tmp = malloc(drow * (size_t)rows))) goto nomem;
        hpass(j, first, srow, rows, w, &kh, need_v ? tmp : dst, drow);
        if (need_v) vpass(j, tmp, drow, dw * j->c, yfirst, &kv, dst, drow);
    } else {
        vpass(j, first, srow, w * j->c, yfirst, &kv, dst, drow);
    }
    if (j->premul) unpremultiply(dst, (size_t)dw * dh);
    free(pre);
    free(tmp);
    xa_pil_coeffs_free(&kv);
    xa_pil_coeffs_free(&kh);
    return XA_OK;
nomem:
    free(pre);
    free(tmp);
    xa_pil_coeffs_free(&kv);
    xa_pil_coeffs_free(&kh);
    return xa_fail(err, XA_ENOMEM, "out of memory for a %dx%d -> %dx%d resample", w, h, dw, dh);
}

xa_status xa_pil_resample_u8(const uint8_t *src, int w, int h, int c, uint8_t *dst, int dw, int dh,
                             xa_resize_method m, xa_cpu_path path, xa_error *err) {
    const pil_job j = {1, c, c == 4, path};
    return resample(&j, src, w, h, dst, dw, dh, m, err);
}

/* ---- NEAREST: _imaging.c _resize -> Geometry.c ImagingScaleAffine ------------------------- */

/* Source index of each output index: a running double sum started at half a step, truncated
 * (Pillow's COORD), exactly as Pillow accumulates it (not (x + 0.5) * step). An index outside
 * the source (never reached in practice) is -1: Pillow leaves such pixels at 0. */
static void nearest_index(int in_size, int out_size, int *idx) {
    const double a = (double)((float)in_size - 0.0f) / out_size;
    double pos = 0.0 + a * 0.5;
    for (int i = 0; i < out_size; i++) {
        const int v = pos < 0.0 ? -1 : (int)pos;
        idx[i] = v < in_size ? v : -1;
        pos += a;
    }
}

/* Pixels [0, n) of one output row from byte offsets `offs` into source row `s`. */
#if defined(__GNUC__)
#define XA_FORCE_INLINE inline __attribute__((always_inline))
#else
#define XA_FORCE_INLINE inline
#endif
static XA_FORCE_INLINE void gather_row(uint8_t *d, const uint8_t *s, const int32_t *offs, int n,
                                       size_t pix) {
    for (int x = 0; x < n; x++) memcpy(d + pix * x, s + offs[x], pix);
}

xa_status xa_pil_nearest(const uint8_t *src, int w, int h, size_t pix, uint8_t *dst, int dw, int dh,
                         xa_cpu_path path, xa_error *err) {
    int *yi = malloc(sizeof(int) * ((size_t)dw + dh));
    int32_t *offs = malloc(sizeof(int32_t) * (size_t)dw);
    if (!yi || !offs) {
        free(yi);
        free(offs);
        return xa_fail(err, XA_ENOMEM, "out of memory for %d + %d indices", dw, dh);
    }
    int *xi = yi + dh;
    nearest_index(w, dw, xi);
    nearest_index(h, dh, yi);
    /* positions only grow, so the columns outside the source can only sit at the two ends */
    int x0 = 0, x1 = dw;
    while (x0 < dw && xi[x0] < 0) x0++;
    while (x1 > x0 && xi[x1 - 1] < 0) x1--;
    for (int x = x0; x < x1; x++) offs[x] = (int32_t)(xi[x] * pix); /* < 2^24 * 16 */
    const size_t drow = pix * (size_t)dw, srow = pix * (size_t)w;
    for (int y = 0; y < dh; y++) {
        uint8_t *d = dst + drow * (size_t)y;
        if (yi[y] < 0) {
            memset(d, 0, drow);
            continue;
        }
        if (y > 0 && yi[y] == yi[y - 1]) {
            memcpy(d, d - drow, drow); /* the same source row as the previous output row */
            continue;
        }
        memset(d, 0, pix * x0);
        memset(d + pix * x1, 0, pix * (size_t)(dw - x1));
        const uint8_t *s = src + srow * (size_t)yi[y];
        int done = 0;
#ifdef XA_PIL_HAVE_X86
        if (xa_cpu_allows(path, XA_CPU_AVX2)) /* may read up to the image's end */
        {
            /* the next output row's source row (if another one) is fetched meanwhile */
            int ny = y + 1;
            while (ny < dh && yi[ny] == yi[y]) ny++;
            const uint8_t *next = ny < dh && yi[ny] >= 0 ? src + srow * (size_t)yi[ny] : NULL;
            done = xa_pil_gather_avx2(d + pix * x0, s, srow * (size_t)(h - yi[y]), offs + x0,
                                      x1 - x0, pix, next ? next + offs[x0] : NULL,
                                      next ? (size_t)(offs[x1 - 1] - offs[x0]) + pix : 0);
        }
#endif
        d += pix * (size_t)(x0 + done);
        const int32_t *o = offs + x0 + done;
        const int n = x1 - x0 - done;
        /* constant pixel sizes turn each memcpy into plain loads and stores */
        switch (pix) {
        case 1:
            gather_row(d, s, o, n, 1);
            break;
        case 3:
            gather_row(d, s, o, n, 3);
            break;
        case 4:
            gather_row(d, s, o, n, 4);
            break;
        case 12:
            gather_row(d, s, o, n, 12);
            break;
        case 16:
            gather_row(d, s, o, n, 16);
            break;
        default:
            gather_row(d, s, o, n, pix);
            break;
        }
    }
    (void)path;
    free(yi);
    free(offs);
    return XA_OK;
}

/* ---- entry -------------------------------------------------------------------------------- */

xa_status xa_resize_pil(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                        xa_tensor **out, xa_error *err) {
    *out = NULL;
    xa_img_view g;
    xa_status st = xa_resize_view_of(src, &g, err);
    if (st) return st;
    if (g.w > XA_PIL_MAX_SIDE || g.h > XA_PIL_MAX_SIDE)
        return xa_fail(err, XA_ELIMIT,
                       "a %lld x %lld source is beyond Pillow's exact "
                       "float32 box (sides up to %d)",
                       (long long)g.w, (long long)g.h, XA_PIL_MAX_SIDE);
    /* every output byte is written below */
    if ((st = xa_img_new(&g, g.dtype, dh, dw, 0, out, err))) return st;
    const int w = (int)g.w, h = (int)g.h, c = (int)g.c;
    const uint8_t *s = src->data;
    uint8_t *d = (*out)->data;
    const xa_cpu_path path = xa_cpu_path_get();
    const pil_job j = {xa_dtype_size(g.dtype), c, g.dtype == XA_U8 && c == 4, path};
    if (dw == w && dh == h)
        memcpy(d, s, src->nbytes); /* Image.resize returns a copy before looking at the filter */
    else if (m == XA_RESIZE_PIL_NEAREST)
        st = xa_pil_nearest(s, w, h, j.esize * c, d, (int)dw, (int)dh, path, err);
    else
        st = resample(&j, s, w, h, d, (int)dw, (int)dh, m, err);
    if (st) {
        xa_tensor_free(*out);
        *out = NULL;
    }
    return st;
}
