/* The |port - ref| heatmap (include/xalign/report.h, docs/heatmap.md): one RGB pixel per spatial
 * element, exact agreement and non-finite differences in colours of their own, everything else
 * on a perceptual colour map under a linear or logarithmic scale. The colouring rule is exact
 * (double arithmetic in a fixed order, C's log) so that numpy reproduces every pixel. */
#include "heatmap_colormap.h"
#include "internal.h"
#include "xalign/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A heatmap is a picture: more channels than this is not an image (and bounds the buffers). */
#define XA_HEATMAP_MAX_CHANNELS 65536
/* Pixels converted to double at a time (per side: CHUNK_ELEMS doubles at most, or C). */
#define CHUNK_ELEMS 65536

void xa_heatmap_options_init(xa_heatmap_options *o) {
    o->scale = XA_HEATMAP_ABS;
    o->layout = XA_HEATMAP_GUESS_LAYOUT;
    o->channel = -1;
    o->block = 1;
}

void xa_heatmap_color(int k, uint8_t rgb[3]) {
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    memcpy(rgb, xa_heatmap_lut[k], 3);
}

typedef struct {
    const xa_tensor *r, *p;
    int hwc;
    int64_t h, w, c, channel;
    int64_t chunk;   /* pixels per conversion */
    double *rb, *pb; /* chunk x C values of each side */
} hm_src;

/* Where element (y, x, c) sits in storage (C order), for the resolved layout. */
static int64_t flat_index(const hm_src *s, int64_t y, int64_t x, int64_t c) {
    return s->hwc ? (y * s->w + x) * s->c + c : (c * s->h + y) * s->w + x;
}

static void convert(const xa_tensor *t, int64_t at, int64_t n, double *dst) {
    size_t es = xa_dtype_size(t->dtype);
    xa_convert_to_f64(t->dtype, t->swapped, (const unsigned char *)t->data + (size_t)at * es,
                      (size_t)n, dst);
}

/* v of pixels x0 .. x0+n-1 of row y: 0 where exact, NaN where not finite, else the largest
 * |port - ref| over the channels considered. */
static void pixel_values(hm_src *s, int64_t y, int64_t x0, int64_t n, double *v) {
    int64_t c = s->c;
    if (s->hwc) { /* the chunk's pixels are contiguous with their channels: index x*C + k */
        convert(s->r, flat_index(s, y, x0, 0), n * c, s->rb);
        convert(s->p, flat_index(s, y, x0, 0), n * c, s->pb);
    } else { /* one run per channel plane: index k*n + x */
        for (int64_t k = 0; k < c; k++) {
            if (s->channel >= 0 && k != s->channel) continue;
            convert(s->r, flat_index(s, y, x0, k), n, s->rb + k * n);
            convert(s->p, flat_index(s, y, x0, k), n, s->pb + k * n);
        }
    }
    int64_t k0 = s->channel >= 0 ? s->channel : 0, k1 = s->channel >= 0 ? s->channel + 1 : c;
    for (int64_t x = 0; x < n; x++) {
        double m = 0;
        int bad = 0;
        for (int64_t k = k0; k < k1; k++) {
            size_t i = (size_t)(s->hwc ? x * c + k : k * n + x);
            double a = s->rb[i], b = s->pb[i];
            if (a == b || (isnan(a) && isnan(b))) continue; /* exact: d = 0 */
            double d = fabs(b - a);
            if (!isfinite(d))
                bad = 1;
            else if (d > m)
                m = d;
        }
        v[x] = bad ? NAN : m;
    }
}

/* The colour index of a finite v > 0 (report.h: the order of operations is the contract). */
static int color_index(const xa_heatmap_info *in, double lo, double span, double v) {
    double t;
    if (in->max == in->min_nonzero) return 255;
    if (in->scale == XA_HEATMAP_LOG)
        t = floor((log(v) - lo) / span * 255.0);
    else
        t = floor(v / in->max * 255.0);
    return t < 0 ? 0 : t > 255 ? 255 : (int)t;
}

double xa_heatmap_value(const xa_heatmap_info *in, int k) {
    k = k < 0 ? 0 : k > 255 ? 255 : k;
    int log_scale = in->scale == XA_HEATMAP_LOG && in->min_nonzero > 0;
    if (k == 255) return in->max;
    if (k == 0) return log_scale ? in->min_nonzero : 0;
    double lo = log_scale ? log(in->min_nonzero) : 0, span = log_scale ? log(in->max) - lo : 0;
    double v = log_scale ? exp(lo + span * k / 255.0) : in->max * k / 255.0;
    /* the nominal boundary can land an ulp or so either side of it in double: step to the
     * smallest v that color_index (the drawing's own rule) puts at k or above */
    for (int i = 0; i < 64 && color_index(in, lo, span, v) < k; i++) v = nextafter(v, INFINITY);
    for (int i = 0; i < 64 && v > 0 && color_index(in, lo, span, nextafter(v, 0)) >= k; i++)
        v = nextafter(v, 0);
    return v;
}

/* Layout and sizes from the shape (report.h). */
static xa_status resolve(const xa_tensor *t, const xa_heatmap_options *o, xa_heatmap_info *in,
                         xa_error *err) {
    char s[160];
    const int64_t *d = t->shape;
    int rank = t->rank;
    xa_shape_format(rank, d, s, sizeof s);
    in->batch = rank == 4;
    if (rank == 4 && d[0] != 1)
        return xa_fail(err, XA_ESHAPE,
                       "a heatmap draws one image: %s has a batch of %lld (N must be 1)", s,
                       (long long)d[0]);
    if (rank < 2 || rank > 4)
        return xa_fail(err, XA_ESHAPE,
                       "a heatmap needs an image-like shape (HW, HWC, CHW, NCHW or NHWC with "
                       "N = 1), got %s",
                       s);
    const int64_t *e = d + (rank == 4); /* the last three (or two) axes */
    if (rank == 2) {
        in->layout = XA_LAYOUT_HWC;
        in->layout_guessed = 0;
        in->height = e[0];
        in->width = e[1];
        in->channels = 1;
    } else {
        if (o->layout == XA_HEATMAP_GUESS_LAYOUT) {
            in->layout = e[2] <= 4 ? XA_LAYOUT_HWC : XA_LAYOUT_CHW;
            in->layout_guessed = 1;
        } else if (o->layout == XA_LAYOUT_HWC || o->layout == XA_LAYOUT_CHW) {
            in->layout = (xa_layout)o->layout;
            in->layout_guessed = 0;
        } else {
            return xa_fail(err, XA_EINVAL, "heatmap: unknown layout %d", o->layout);
        }
        int hwc = in->layout == XA_LAYOUT_HWC;
        in->height = hwc ? e[0] : e[1];
        in->width = hwc ? e[1] : e[2];
        in->channels = hwc ? e[2] : e[0];
    }
    if (in->height < 1 || in->width < 1 || in->channels < 1)
        return xa_fail(err, XA_ESHAPE, "a heatmap of %s would be empty", s);
    if ((uint64_t)in->height * (uint64_t)in->width > XA_IMAGE_MAX_PIXELS)
        return xa_fail(err, XA_ELIMIT, "a heatmap of %s has more than %llu pixels", s,
                       (unsigned long long)XA_IMAGE_MAX_PIXELS);
    if (in->channels > XA_HEATMAP_MAX_CHANNELS)
        return xa_fail(err, XA_ELIMIT,
                       "%s as %s has %lld channels, more than a heatmap draws (%d): give the "
                       "layout",
                       s, in->layout == XA_LAYOUT_HWC ? "HWC" : "CHW", (long long)in->channels,
                       XA_HEATMAP_MAX_CHANNELS);
    in->channel = o->channel;
    if (o->channel < -1 || o->channel >= in->channels)
        return xa_fail(err, XA_EINVAL, "channel %lld is out of range: %s has %lld channel%s",
                       (long long)o->channel, s, (long long)in->channels,
                       in->channels == 1 ? "" : "s");
    return XA_OK;
}

static xa_status draw(hm_src *s, xa_heatmap_info *in, xa_tensor **out, xa_error *err) {
    int64_t h = s->h, w = s->w;
    double *v = malloc((size_t)s->chunk * sizeof *v);
    if (!v) return xa_fail(err, XA_ENOMEM, "heatmap: out of memory");
    /* pass 1: the scale */
    double max = 0, min = INFINITY;
    for (int64_t y = 0; y < h; y++)
        for (int64_t x0 = 0; x0 < w; x0 += s->chunk) {
            int64_t n = w - x0 < s->chunk ? w - x0 : s->chunk;
            pixel_values(s, y, x0, n, v);
            for (int64_t x = 0; x < n; x++) {
                double a = v[x];
                if (isnan(a)) {
                    in->nonfinite++;
                } else if (a == 0) {
                    in->exact++;
                } else {
                    if (a > max) max = a;
                    if (a < min) min = a;
                }
            }
        }
    in->max = max;
    in->min_nonzero = max > 0 ? min : 0;
    /* pass 2: the colours; with a block > 1, each output pixel takes the largest v of its
     * block x block input pixels (NaN, a one-sided non-finite value, wins) */
    int64_t b = in->block > 1 ? in->block : 1, oh = (h + b - 1) / b, ow = (w + b - 1) / b;
    int64_t shape[3] = {oh, ow, 3};
    double *acc = malloc((size_t)ow * sizeof *acc);
    xa_status st = acc ? xa_tensor_new(XA_U8, 3, shape, out, err)
                       : xa_fail(err, XA_ENOMEM, "heatmap: out of memory");
    if (st) {
        free(acc);
        free(v);
        return st;
    }
    static const uint8_t exact[3] = XA_HEATMAP_EXACT_RGB, nonfinite[3] = XA_HEATMAP_NONFINITE_RGB;
    double lo = max > 0 ? log(in->min_nonzero) : 0, span = max > 0 ? log(max) - lo : 0;
    uint8_t *px = (*out)->data;
    for (int64_t oy = 0; oy < oh; oy++) {
        for (int64_t ox = 0; ox < ow; ox++) acc[ox] = 0;
        for (int64_t y = oy * b; y < h && y < (oy + 1) * b; y++)
            for (int64_t x0 = 0; x0 < w; x0 += s->chunk) {
                int64_t n = w - x0 < s->chunk ? w - x0 : s->chunk;
                pixel_values(s, y, x0, n, v);
                for (int64_t x = 0; x < n; x++) {
                    double *a = &acc[(x0 + x) / b];
                    if (isnan(v[x]) || isnan(*a))
                        *a = NAN;
                    else if (v[x] > *a)
                        *a = v[x];
                }
            }
        for (int64_t ox = 0; ox < ow; ox++, px += 3) {
            double a = acc[ox];
            const uint8_t *c = isnan(a) ? nonfinite
                               : a == 0 ? exact
                                        : xa_heatmap_lut[color_index(in, lo, span, a)];
            memcpy(px, c, 3);
        }
    }
    free(acc);
    free(v);
    return XA_OK;
}

xa_status xa_heatmap_new(const xa_tensor *ref, const xa_tensor *port, const xa_heatmap_options *o,
                         xa_tensor **out, xa_heatmap_info *info, xa_error *err) {
    xa_heatmap_options defaults;
    xa_heatmap_info in;
    char a[160], b[160];
    if (!out) return xa_fail(err, XA_EINVAL, "xa_heatmap_new: NULL result pointer");
    *out = NULL;
    if (!ref || !port)
        return xa_fail(err, XA_EINVAL, "xa_heatmap_new: NULL %s tensor",
                       ref ? "port" : "reference");
    if (!o) {
        xa_heatmap_options_init(&defaults);
        o = &defaults;
    }
    memset(&in, 0, sizeof in);
    in.scale = o->scale;
    if (o->scale != XA_HEATMAP_ABS && o->scale != XA_HEATMAP_LOG)
        return xa_fail(err, XA_EINVAL, "heatmap: unknown scale %d", (int)o->scale);
    if (ref->rank != port->rank || memcmp(ref->shape, port->shape, sizeof(int64_t) * ref->rank))
        return xa_fail(err, XA_ESHAPE, "a heatmap needs equal shapes: ref %s, port %s",
                       xa_shape_format(ref->rank, ref->shape, a, sizeof a),
                       xa_shape_format(port->rank, port->shape, b, sizeof b));
    xa_status st = resolve(ref, o, &in, err);
    if (st) return st;
    if (o->block < 0 || o->block > 1 << 20)
        return xa_fail(err, XA_EINVAL, "heatmap: block %lld is outside 1..1048576",
                       (long long)o->block);
    in.block = o->block > 1 ? o->block : 1;
    in.pixels = in.height * in.width;
    /* Fortran-order inputs are read through a C-order copy */
    xa_tensor *rc = NULL, *pc = NULL;
    if (ref->fortran_order && (st = xa_tensor_dup_native(ref, &rc, err))) return st;
    if (port->fortran_order && (st = xa_tensor_dup_native(port, &pc, err))) {
        xa_tensor_free(rc);
        return st;
    }
    hm_src s = {rc ? rc : ref,
                pc ? pc : port,
                in.layout == XA_LAYOUT_HWC,
                in.height,
                in.width,
                in.channels,
                o->channel,
                0,
                NULL,
                NULL};
    s.chunk = CHUNK_ELEMS / in.channels > 0 ? CHUNK_ELEMS / in.channels : 1;
    if (s.chunk > in.width) s.chunk = in.width;
    size_t nb = (size_t)(s.chunk * in.channels) * sizeof(double);
    s.rb = malloc(nb);
    s.pb = malloc(nb);
    if (!s.rb || !s.pb)
        st = xa_fail(err, XA_ENOMEM, "heatmap: out of memory");
    else
        st = draw(&s, &in, out, err);
    free(s.rb);
    free(s.pb);
    xa_tensor_free(rc);
    xa_tensor_free(pc);
    if (!st && info) *info = in;
    return st;
}
