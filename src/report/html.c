/* The HTML report: one self-contained page (no network; images inline as PNG data URIs) rendered
 * from the JSON of a run (stages, dataset or compare), so one run, a merge of shards and a
 * re-render all give the same page. Pictures are drawn from the dumps the JSON names: for
 * image-like tensors the reference, the port and the |difference| heatmap side by side, the
 * heatmap per channel, its colour scale and a histogram of the differences (docs/report.md). */
#include "internal.h"
#include "report_internal.h"
#include "xalign/io.h"
#include "xalign/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    xa_sb sb;
    int64_t max_side;
    const xa_bmodel *bmodel;
    int64_t budget;                      /* bytes the page may take with its pictures */
    size_t note_at;                      /* where the note on the pictures goes (sb offset) */
    size_t drawn, downsampled, left_out; /* stages drawn, of them downsampled; parts left out */
    int64_t block_min, block_max;        /* the downsampling factors used */
    int dataset;
    json_t *stages; /* the stages of the run or sample being rendered (a detections stage draws
                       its boxes on the first image stage among them) */
} page;

static void esc(xa_sb *sb, const char *s) {
    while (s && *s) {
        size_t n = strcspn(s, "&<>\"'");
        xa_sb_append(sb, s, n);
        s += n;
        if (!*s) break;
        const char *e = *s == '&'   ? "&amp;"
                        : *s == '<' ? "&lt;"
                        : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;"
                                    : "&#39;";
        xa_sb_append(sb, e, strlen(e));
        s++;
    }
}

/* an id for an HTML anchor: letters, digits, '-' and '_' kept, the rest as '_XX' */
static void anchor(xa_sb *sb, const char *prefix, const char *s) {
    xa_sb_printf(sb, "%s", prefix);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-')
            xa_sb_printf(sb, "%c", c);
        else
            xa_sb_printf(sb, "_%02x", c);
    }
}

static void base64(xa_sb *sb, const unsigned char *p, size_t n) {
    static const char t[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char q[4 * 256];
    size_t k = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) |
                     (i + 2 < n ? p[i + 2] : 0);
        q[k++] = t[v >> 18 & 63], q[k++] = t[v >> 12 & 63];
        q[k++] = i + 1 < n ? t[v >> 6 & 63] : '=';
        q[k++] = i + 2 < n ? t[v & 63] : '=';
        if (k == sizeof q) xa_sb_append(sb, q, k), k = 0;
    }
    xa_sb_append(sb, q, k);
}

static void png(page *pg, const xa_tensor *rgb, const char *cls, const char *title) {
    void *buf = NULL;
    size_t n = 0;
    if (xa_png_encode(rgb, &buf, &n, NULL)) return;
    xa_sb_printf(&pg->sb, "<img class=\"%s\" title=\"", cls);
    esc(&pg->sb, title);
    xa_sb_printf(&pg->sb, "\" src=\"data:image/png;base64,");
    base64(&pg->sb, buf, n);
    xa_sb_printf(&pg->sb, "\">");
    xa_free(buf);
}

static const char *num(double v, char *b, size_t n) {
    return xa_fmt_num(v, 6, b, n);
}
static double jnum(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    if (json_is_number(v)) return json_number_value(v);
    if (json_is_string(v)) return strtod(json_string_value(v), NULL); /* "inf", "nan" */
    return NAN;
}
static const char *jstr(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}
/* strings of the JSON may be missing (NULL): equal only when both are there */
static int streq(const char *a, const char *b) {
    return a && b && !strcmp(a, b);
}

/* ---- loading a stage's tensors again, from the paths the JSON names
 * ------------------------------ */
static xa_status load_all(const char *spec, const xa_bmodel *bm, xa_tensor_list *l, xa_error *err) {
    return bm ? xa_bmrt_load_spec(spec, bm, NULL, -1, l, NULL, err) : xa_load_all(spec, l, err);
}

static xa_tensor *load_side(const char *spec, const char *dir, const char *member,
                            const xa_bmodel *bm, char *why, size_t wn) {
    if (!spec) {
        snprintf(why, wn, "no dump");
        return NULL;
    }
    xa_tensor_list l = {0};
    xa_error err = {0};
    xa_status st = load_all(spec, bm, &l, &err);
    if (st && dir && spec[0] != '/') { /* a manifest's spec is relative to its side's folder */
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, spec);
        st = load_all(full, bm, &l, &err);
    }
    if (st) {
        snprintf(why, wn, "cannot reload %s: %s", spec, err.message);
        return NULL;
    }
    xa_tensor *t = NULL;
    for (size_t i = 0; i < l.count; i++)
        if (l.count == 1 || (member && !strcmp(member, l.names[i]))) {
            t = l.tensors[i];
            l.tensors[i] = NULL;
            break;
        }
    xa_tensor_list_clear(&l);
    if (!t) snprintf(why, wn, "member '%s' not found again", member ? member : "");
    return t;
}

/* A tensor as the picture of an image: uint8 H' x W' x C' (C' 1 or 3), one pixel per block
 * (its top-left), values mapped from [lo, hi] to 0..255 unless both sides are uint8. */
static xa_tensor *display(const xa_tensor *t, const xa_heatmap_info *hi, int64_t block, double lo,
                          double top) {
    xa_tensor *c = NULL;
    if (xa_tensor_dup_native(t, &c, NULL)) return NULL;
    int64_t h = hi->height, w = hi->width, ch = hi->channels, oc = ch >= 3 ? 3 : 1;
    int64_t oh = (h + block - 1) / block, ow = (w + block - 1) / block;
    int64_t shape[3] = {oh, ow, oc};
    xa_tensor *o = NULL;
    if (xa_tensor_new(XA_U8, 3, shape, &o, NULL)) {
        xa_tensor_free(c);
        return NULL;
    }
    size_t es = xa_dtype_size(c->dtype);
    int hwc = hi->layout == XA_LAYOUT_HWC;
    uint8_t *px = o->data;
    double scale = top > lo ? 255 / (top - lo) : 0;
    for (int64_t y = 0; y < oh; y++)
        for (int64_t x = 0; x < ow; x++)
            for (int64_t k = 0; k < oc; k++) {
                int64_t sy = y * block, sx = x * block;
                int64_t idx = hwc ? (sy * w + sx) * ch + k : (k * h + sy) * w + sx;
                double v;
                xa_convert_to_f64(c->dtype, 0, (const unsigned char *)c->data + (size_t)idx * es, 1,
                                  &v);
                double u = c->dtype == XA_U8 && lo == 0 && top == 255 ? v : (v - lo) * scale;
                *px++ = (uint8_t)(!(u > 0) ? 0 : u >= 255 ? 255 : (int)(u + 0.5));
            }
    xa_tensor_free(c);
    return o;
}

static void finite_range(const xa_tensor *t, double *lo, double *hi) {
    xa_stats s;
    if (xa_tensor_stats(t, &s, NULL) || !s.finite) return;
    if (s.min < *lo) *lo = s.min;
    if (s.max > *hi) *hi = s.max;
}

/* |d| histogram: exact elements apart, the rest in log-spaced bins, as an inline SVG */
static void histogram(page *pg, const xa_tensor *r, const xa_tensor *p) {
    enum { NB = 24, CH = 16384 };
    int64_t n = xa_tensor_count(r), exact = 0, nonfinite = 0, bins[NB] = {0};
    double *a = malloc(CH * sizeof *a), *b = malloc(CH * sizeof *b), mn = INFINITY, mx = 0;
    xa_tensor *rc = NULL, *pcp = NULL;
    if (!a || !b || xa_tensor_dup_native(r, &rc, NULL) || xa_tensor_dup_native(p, &pcp, NULL)) {
        free(a), free(b), xa_tensor_free(rc), xa_tensor_free(pcp);
        return;
    }
    size_t er = xa_dtype_size(r->dtype), ep = xa_dtype_size(p->dtype);
    for (int pass = 0; pass < 2; pass++)
        for (int64_t i = 0; i < n; i += CH) {
            size_t m = (size_t)(n - i < CH ? n - i : CH);
            xa_convert_to_f64(rc->dtype, 0, (unsigned char *)rc->data + (size_t)i * er, m, a);
            xa_convert_to_f64(pcp->dtype, 0, (unsigned char *)pcp->data + (size_t)i * ep, m, b);
            for (size_t k = 0; k < m; k++) {
                double d = fabs(b[k] - a[k]);
                if (!pass) {
                    if (!isfinite(d))
                        nonfinite++;
                    else if (d == 0)
                        exact++;
                    else
                        mn = d < mn ? d : mn, mx = d > mx ? d : mx;
                } else if (isfinite(d) && d > 0) {
                    int bi = mx > mn ? (int)(NB * (log(d) - log(mn)) / (log(mx) - log(mn))) : 0;
                    bins[bi < 0 ? 0 : bi >= NB ? NB - 1 : bi]++;
                }
            }
        }
    free(a), free(b), xa_tensor_free(rc), xa_tensor_free(pcp);
    int64_t top = exact;
    for (int k = 0; k < NB; k++) top = bins[k] > top ? bins[k] : top;
    char x[40], y[40];
    xa_sb_printf(&pg->sb,
                 "<figure class=\"hist\"><svg width=\"300\" height=\"110\" "
                 "viewBox=\"0 0 300 110\" role=\"img\"><title>|port - ref|: %lld exact, "
                 "%lld non-finite, the rest from %s to %s in log-spaced bins</title>",
                 (long long)exact, (long long)nonfinite, num(mx > 0 ? mn : 0, x, sizeof x),
                 num(mx, y, sizeof y));
    double hmax = top ? log1p((double)top) : 1;
    for (int k = -1; k < NB; k++) {
        int64_t c = k < 0 ? exact : bins[k];
        double bh = c ? 90 * log1p((double)c) / hmax : 0;
        double lo = mx > mn ? exp(log(mn) + (log(mx) - log(mn)) * k / NB) : mn;
        xa_sb_printf(&pg->sb,
                     "<rect x=\"%d\" y=\"%.1f\" width=\"10\" height=\"%.1f\" fill=\"%s\">"
                     "<title>%s: %lld</title></rect>",
                     12 * (k + 1), 95 - bh, bh, k < 0 ? "#222" : "#3a7bd5",
                     k < 0 ? "exact" : num(lo, x, sizeof x), (long long)c);
    }
    xa_sb_printf(&pg->sb,
                 "<line x1=\"0\" y1=\"95\" x2=\"300\" y2=\"95\" stroke=\"#888\"/>"
                 "<text x=\"0\" y=\"108\" font-size=\"9\">0</text>"
                 "<text x=\"14\" y=\"108\" font-size=\"9\">%s</text>"
                 "<text x=\"240\" y=\"108\" font-size=\"9\">%s</text></svg>"
                 "<figcaption>histogram of |port - ref| (bar heights log(1+count)), first bar: "
                 "exact</figcaption></figure>",
                 num(mx > 0 ? mn : 0, x, sizeof x), num(mx, y, sizeof y));
}

static void scale_bar(page *pg, const xa_heatmap_info *in) {
    xa_sb_printf(&pg->sb,
                 "<div class=\"scale\"><span class=\"bar\" style=\"background:linear-gradient("
                 "to right");
    for (int k = 0; k <= 255; k += 15) {
        uint8_t c[3];
        xa_heatmap_color(k, c);
        xa_sb_printf(&pg->sb, ",rgb(%d,%d,%d)", c[0], c[1], c[2]);
    }
    xa_sb_printf(&pg->sb, ")\"></span><span class=\"ticks\">");
    char b[40];
    for (int k = 0; k <= 255; k += 51)
        xa_sb_printf(&pg->sb, "<span>%s</span>", num(xa_heatmap_value(in, k), b, sizeof b));
    xa_sb_printf(&pg->sb,
                 "</span><span class=\"note\">|d| (%s scale); black: exact (%lld of "
                 "%lld pixels); magenta: NaN/Inf on one side</span></div>",
                 in->scale == XA_HEATMAP_LOG ? "log" : "linear", (long long)in->exact,
                 (long long)in->pixels);
}

/* The picture's height and width of a shape as the heatmap reads it with a guessed layout
 * (report.h: HW, HWC, CHW, NCHW, NHWC; a last axis <= 4 is channels last); 0 unless it is
 * image-like with both sides longer than 1 (a 1 x 1000 row of logits is no picture). */
static int spatial(const int64_t *d, int rank, int64_t *h, int64_t *w) {
    if (rank < 2 || rank > 4 || (rank == 4 && d[0] != 1)) return 0;
    const int64_t *e = d + (rank == 4);
    int chw = rank > 2 && e[2] > 4;
    *h = e[chw], *w = e[chw + 1];
    return *h > 1 && *w > 1;
}

/* The worst tensor of a stage (largest max_abs, NaN as the largest): what its pictures show. */
static json_t *worst_tensor(json_t *stage) {
    json_t *tensors = json_object_get(stage, "tensors"), *w = NULL;
    double worst = -1;
    for (size_t i = 0; i < json_array_size(tensors); i++) {
        json_t *t = json_array_get(tensors, i);
        double m = jnum(json_object_get(t, "metrics"), "max_abs");
        if (isnan(m)) m = INFINITY;
        if (m > worst) worst = m, w = t;
    }
    return w;
}

/* One more stage drawn, for the note at the top. */
static void count_drawn(page *pg, int64_t block) {
    pg->drawn++;
    if (block > 1) {
        pg->downsampled++;
        if (!pg->block_min || block < pg->block_min) pg->block_min = block;
        if (block > pg->block_max) pg->block_max = block;
    }
}

/* The pictures of one stage: reference, port, heatmap (+ per channel), scale, histogram. */
static void pictures(page *pg, json_t *stage, const char *ref_dir, const char *port_dir,
                     int64_t max_side) {
    const char *member = jstr(worst_tensor(stage), "name");
    char why[600] = "";
    xa_tensor *r = load_side(jstr(stage, "ref"), ref_dir, member, pg->bmodel, why, sizeof why);
    xa_tensor *p =
        r ? load_side(jstr(stage, "port"), port_dir, member, pg->bmodel, why, sizeof why) : NULL;
    xa_heatmap_options ho;
    xa_heatmap_options_init(&ho);
    xa_heatmap_info in;
    xa_tensor *hm = NULL;
    xa_error err = {0};
    if (r && p) {
        /* tensors that are not image-like (vectors, 1 x N rows, rank 1 or 5) get no picture and
         * no note; other failures (equal element counts in other shapes, ...) say why */
        int64_t h = 0, w = 0;
        int same = r->rank == p->rank && !memcmp(r->shape, p->shape, sizeof(int64_t) * r->rank);
        if (!same || spatial(r->shape, r->rank, &h, &w)) {
            int64_t side = h > w ? h : w;
            ho.block = same && side > max_side ? (side + max_side - 1) / max_side : 1;
            if (xa_heatmap_new(r, p, &ho, &hm, &in, &err)) {
                hm = NULL;
                snprintf(why, sizeof why, "no picture: %s", err.message);
            }
        }
    }
    if (!hm) {
        if (why[0]) {
            xa_sb_printf(&pg->sb, "<p class=\"nopic\">");
            esc(&pg->sb, why);
            xa_sb_printf(&pg->sb, "</p>");
        }
        xa_tensor_free(r);
        xa_tensor_free(p);
        return;
    }
    double lo = INFINITY, hi = -INFINITY;
    if (r->dtype == XA_U8 && p->dtype == XA_U8) {
        lo = 0, hi = 255;
    } else {
        finite_range(r, &lo, &hi);
        finite_range(p, &lo, &hi);
    }
    xa_tensor *rd = display(r, &in, ho.block, lo, hi), *pd = display(p, &in, ho.block, lo, hi);
    count_drawn(pg, ho.block);
    char b1[40], b2[40], cap[256];
    xa_sb_printf(&pg->sb, "<div class=\"pics\">");
    if (rd) {
        xa_sb_printf(&pg->sb, "<figure>");
        png(pg, rd, "ref", "reference");
        xa_sb_printf(&pg->sb, "<figcaption>reference</figcaption></figure>");
    }
    if (pd) {
        xa_sb_printf(&pg->sb, "<figure>");
        png(pg, pd, "port", "port");
        xa_sb_printf(&pg->sb, "<figcaption>port</figcaption></figure>");
    }
    snprintf(cap, sizeof cap, "|port - ref|, max over %lld channel%s", (long long)in.channels,
             in.channels == 1 ? "" : "s");
    xa_sb_printf(&pg->sb, "<figure>");
    png(pg, hm, "heatmap", cap);
    xa_sb_printf(&pg->sb, "<figcaption>");
    esc(&pg->sb, cap);
    xa_sb_printf(&pg->sb, "</figcaption></figure></div>");
    scale_bar(pg, &in);
    xa_sb_printf(&pg->sb, "<p class=\"meta\">%lld x %lld (W x H), %s, %lld channel%s%s",
                 (long long)in.width, (long long)in.height,
                 in.layout == XA_LAYOUT_HWC ? "HWC" : "CHW", (long long)in.channels,
                 in.channels == 1 ? "" : "s", in.layout_guessed ? " (layout guessed)" : "");
    if (ho.block > 1)
        xa_sb_printf(&pg->sb,
                     "; drawn downsampled by %lld (each heatmap pixel the largest |d| of "
                     "%lldx%lld)",
                     (long long)ho.block, (long long)ho.block, (long long)ho.block);
    if (!(r->dtype == XA_U8 && p->dtype == XA_U8))
        xa_sb_printf(&pg->sb, "; images map [%s, %s] to black..white", num(lo, b1, sizeof b1),
                     num(hi, b2, sizeof b2));
    xa_sb_printf(&pg->sb, "</p>");
    if (in.channels > 1 && in.channels <= 4) {
        xa_sb_printf(&pg->sb, "<details><summary>per channel</summary><div class=\"pics\">");
        for (int64_t k = 0; k < in.channels; k++) {
            xa_heatmap_options hc = ho;
            hc.channel = k;
            xa_tensor *hk = NULL;
            xa_heatmap_info ik;
            if (xa_heatmap_new(r, p, &hc, &hk, &ik, NULL)) continue;
            snprintf(cap, sizeof cap, "channel %lld: max |d| %s", (long long)k,
                     num(ik.max, b1, sizeof b1));
            xa_sb_printf(&pg->sb, "<figure>");
            png(pg, hk, "heatmap-channel", cap);
            xa_sb_printf(&pg->sb, "<figcaption>");
            esc(&pg->sb, cap);
            xa_sb_printf(&pg->sb, "</figcaption></figure>");
            xa_tensor_free(hk);
        }
        xa_sb_printf(&pg->sb, "</div></details>");
    }
    histogram(pg, r, p);
    xa_tensor_free(rd);
    xa_tensor_free(pd);
    xa_tensor_free(hm);
    xa_tensor_free(r);
    xa_tensor_free(p);
}

/* A detections stage of one image: the boxes found on one side only, drawn on the reference's
 * first image stage (uint8 H x W x 3, the decoded image the detections' coordinates refer to):
 * red only in the reference, blue only in the port. */
static json_t *image_stage(page *pg) {
    for (size_t k = 0; k < json_array_size(pg->stages); k++) {
        json_t *st = json_array_get(pg->stages, k);
        json_t *t = json_array_get(json_object_get(st, "tensors"), 0);
        json_t *sh = json_object_get(t, "ref_shape");
        if (streq(jstr(t, "ref_dtype"), "uint8") && json_array_size(sh) == 3 &&
            json_integer_value(json_array_get(sh, 2)) == 3)
            return st;
    }
    return NULL;
}

/* The outline of a box, two pixels wide inside it, clipped to the picture: only its four edges
 * are walked, and coordinates (from an untrusted file) are clamped before any conversion. */
static int64_t clamp_px(double v, int64_t n) {
    if (!(v > -1)) return -1; /* NaN and far left/above: off the picture */
    if (v > (double)n) return n;
    return (int64_t)v;
}

static void box_line(uint8_t *px, int64_t h, int64_t w, double x1, double y1, double x2, double y2,
                     const uint8_t rgb[3]) {
    int64_t a = clamp_px(floor(x1), w), b = clamp_px(floor(y1), h);
    int64_t c = clamp_px(ceil(x2), w), d = clamp_px(ceil(y2), h);
    for (int t = 0; t < 2; t++) {
        int64_t l = a + t, r = c - t, tp = b + t, bt = d - t;
        if (l > r || tp > bt) break;
        for (int64_t x = l; x <= r; x++) /* top and bottom edges */
            for (int e = 0; e < 2; e++) {
                int64_t y = e ? bt : tp;
                if (y >= 0 && y < h && x >= 0 && x < w) memcpy(px + (y * w + x) * 3, rgb, 3);
            }
        for (int64_t y = tp; y <= bt; y++) /* left and right edges */
            for (int e = 0; e < 2; e++) {
                int64_t x = e ? r : l;
                if (y >= 0 && y < h && x >= 0 && x < w) memcpy(px + (y * w + x) * 3, rgb, 3);
            }
    }
}

static void detection_picture(page *pg, json_t *st, const char *ref_dir, int64_t max_side) {
    json_t *det = json_object_get(st, "detections"), *imgs = json_object_get(det, "images");
    json_t *src = image_stage(pg);
    if (json_array_size(imgs) != 1 || !src) {
        xa_sb_printf(&pg->sb, "<p class=\"nopic\">no picture: the boxes are drawn for a run of one "
                              "image with an image stage (uint8 H x W x 3) before them</p>");
        return;
    }
    char why[600] = "";
    xa_tensor *img = load_side(jstr(src, "ref"), ref_dir, NULL, pg->bmodel, why, sizeof why);
    if (!img || img->rank != 3 || img->dtype != XA_U8 || img->shape[2] != 3) {
        xa_sb_printf(&pg->sb, "<p class=\"nopic\">");
        esc(&pg->sb, why[0] ? why : "no picture: the image stage is not uint8 H x W x 3");
        xa_sb_printf(&pg->sb, "</p>");
        xa_tensor_free(img);
        return;
    }
    xa_heatmap_info in;
    memset(&in, 0, sizeof in);
    in.layout = XA_LAYOUT_HWC, in.height = img->shape[0], in.width = img->shape[1], in.channels = 3;
    int64_t side = in.height > in.width ? in.height : in.width;
    int64_t block = (side + max_side - 1) / max_side;
    if (block < 1) block = 1;
    xa_tensor *d = display(img, &in, block, 0, 255);
    xa_tensor_free(img);
    if (!d) return;
    count_drawn(pg, block);
    int xywh = streq(jstr(json_object_get(det, "matching"), "box_format"), "xywh");
    json_t *un = json_object_get(json_array_get(imgs, 0), "unmatched");
    static const uint8_t red[3] = {230, 30, 30}, blue[3] = {40, 90, 255};
    size_t nr = 0, np = 0;
    for (size_t k = 0; k < json_array_size(un); k++) {
        json_t *u = json_array_get(un, k), *b = json_object_get(u, "box");
        double v[4];
        for (int q = 0; q < 4; q++) v[q] = json_number_value(json_array_get(b, q));
        if (xywh) v[2] += v[0], v[3] += v[1];
        int port = streq(jstr(u, "side"), "port");
        np += port, nr += !port;
        box_line(d->data, d->shape[0], d->shape[1], v[0] / (double)block, v[1] / (double)block,
                 v[2] / (double)block, v[3] / (double)block, port ? blue : red);
    }
    char cap[300];
    snprintf(cap, sizeof cap,
             "detections on one side only: %zu in the reference (red), %zu in the port (blue), "
             "on the reference's stage '%.100s'",
             nr, np, jstr(src, "name"));
    xa_sb_printf(&pg->sb, "<div class=\"pics\"><figure>");
    png(pg, d, "detections", cap);
    xa_sb_printf(&pg->sb, "<figcaption>");
    esc(&pg->sb, cap);
    if (block > 1) xa_sb_printf(&pg->sb, "; drawn downsampled by %lld", (long long)block);
    xa_sb_printf(&pg->sb, "</figcaption></figure></div>");
    xa_tensor_free(d);
}

/* ---- text parts
 * ------------------------------------------------------------------------------------ */
static void metrics_table(page *pg, json_t *m, json_t *tol) {
    if (!json_is_object(m)) return;
    static const char *const keys[] = {"max_abs", "mean_abs",   "rmse",
                                       "cosine",  "euclid_sim", "sqnr_db"};
    char b[40];
    xa_sb_printf(&pg->sb, "<table class=\"metrics\"><tr>");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        xa_sb_printf(&pg->sb, "<th>%s</th>", keys[k]);
    xa_sb_printf(&pg->sb, "<th>not equal</th><th>beyond atol/rtol</th></tr><tr>");
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
        xa_sb_printf(&pg->sb, "<td>%s</td>", num(jnum(m, keys[k]), b, sizeof b));
    xa_sb_printf(&pg->sb, "<td>%.0f of %.0f</td><td>%.0f</td></tr></table>",
                 jnum(m, "count") - jnum(m, "equal"), jnum(m, "count"), jnum(m, "mismatches"));
    if (json_is_object(tol) && jstr(tol, "preset"))
        xa_sb_printf(&pg->sb, "<p class=\"meta\">tolerance preset %s</p>", jstr(tol, "preset"));
}

static void diagnosis(page *pg, json_t *stage) {
    json_t *d = json_object_get(stage, "diagnosis");
    char b[40];
    for (size_t i = 0; i < json_array_size(d); i++) {
        json_t *f = json_array_get(d, i), *fx = json_object_get(f, "fix");
        xa_sb_printf(&pg->sb, "<div class=\"cause\"><b>cause: ");
        esc(&pg->sb, jstr(f, "cause"));
        xa_sb_printf(&pg->sb, "</b> (confidence %.2f) &mdash; ", jnum(f, "confidence"));
        esc(&pg->sb, jstr(f, "evidence"));
        if (json_is_object(fx) && jstr(fx, "text") && jstr(fx, "text")[0]) {
            xa_sb_printf(&pg->sb, "<br><b>fix:</b> ");
            esc(&pg->sb, jstr(fx, "text"));
            if (jstr(fx, "op")) {
                xa_sb_printf(&pg->sb, " <code>");
                esc(&pg->sb, jstr(fx, "op"));
                const char *k;
                json_t *v;
                json_object_foreach(json_object_get(fx, "params"), k, v) {
                    xa_sb_printf(&pg->sb, " %s=", k);
                    esc(&pg->sb, json_string_value(v));
                }
                xa_sb_printf(&pg->sb, "</code>");
            }
            if (json_is_number(json_object_get(fx, "max_abs_after")) ||
                json_is_string(json_object_get(fx, "max_abs_after")))
                xa_sb_printf(&pg->sb, " &mdash; with this fix: max_abs %s%s",
                             num(jnum(fx, "max_abs_after"), b, sizeof b),
                             json_is_true(json_object_get(fx, "aligned_after")) ? " (aligned)"
                             : json_is_true(json_object_get(fx, "input_differs"))
                                 ? " (still unaligned: the rest comes from the stage's input, "
                                   "which already differs)"
                                 : " (still unaligned)");
        }
        xa_sb_printf(&pg->sb, "</div>");
    }
    const char *note = jstr(stage, "diagnosis_note");
    if (note && strcmp(jstr(stage, "status") ? jstr(stage, "status") : "", "aligned")) {
        xa_sb_printf(&pg->sb, "<p class=\"note\">diagnosis: ");
        esc(&pg->sb, note);
        xa_sb_printf(&pg->sb, "</p>");
    }
}

static void topk(page *pg, json_t *tk) {
    if (!json_is_object(tk)) return;
    json_t *ri = json_object_get(tk, "ref_index"), *pi = json_object_get(tk, "port_index");
    json_t *rs = json_object_get(tk, "ref_score"), *ps = json_object_get(tk, "port_score");
    char b[40], c[40];
    xa_sb_printf(&pg->sb, "<table class=\"topk\"><tr><th>rank</th><th>ref class</th><th>ref "
                          "score</th><th>port class</th><th>port score</th></tr>");
    for (size_t k = 0; k < json_array_size(ri); k++) {
        json_t *a = json_array_get(ri, k), *p = json_array_get(pi, k);
        int same = json_integer_value(a) == json_integer_value(p);
        double sr =
            json_is_number(json_array_get(rs, k)) ? json_number_value(json_array_get(rs, k)) : NAN;
        double sp =
            json_is_number(json_array_get(ps, k)) ? json_number_value(json_array_get(ps, k)) : NAN;
        xa_sb_printf(&pg->sb,
                     "<tr class=\"%s\"><td>%zu</td><td>%lld</td><td>%s</td><td>%lld</td><td>%s</"
                     "td></tr>",
                     same ? "ok" : "bad", k + 1, (long long)json_integer_value(a),
                     num(sr, b, sizeof b), (long long)json_integer_value(p), num(sp, c, sizeof c));
    }
    xa_sb_printf(&pg->sb, "</table><p class=\"meta\">top-%lld overlap %lld</p>",
                 (long long)json_integer_value(json_object_get(tk, "k")),
                 (long long)json_integer_value(json_object_get(tk, "overlap")));
}

static const char *status_class(const char *s) {
    if (!s) return "err";
    if (!strcmp(s, "aligned")) return "ok";
    if (!strncmp(s, "missing", 7)) return "miss";
    if (!strcmp(s, "error")) return "err";
    return "bad";
}

/* Whether a stage gets pictures: compared, and its worst tensor image-like as the heatmap guesses
 * the layout (report.h) with both sides longer than 1 (a 1 x 1000 row of logits is no picture). A
 * stage without tensors (compare's) is tried. */
static int drawable(json_t *stage) {
    json_t *det = json_object_get(stage, "detections");
    if (json_is_object(det)) /* boxes on one side only, on the image of a one-image run */
        return json_array_size(json_object_get(det, "images")) == 1 &&
               !streq(jstr(stage, "status"), "aligned");
    if (!json_is_object(json_object_get(stage, "metrics"))) return 0;
    json_t *t = worst_tensor(stage);
    if (!t) return 1;
    json_t *shape = json_object_get(t, "ref_shape");
    int64_t d[4], h, w;
    size_t r = json_array_size(shape);
    for (size_t k = 0; k < r && k < 4; k++) d[k] = json_integer_value(json_array_get(shape, k));
    return spatial(d, (int)r, &h, &w);
}

enum { NO_PICTURES, PICTURES, PICTURES_LEFT_OUT };

static void shape_json(xa_sb *sb, json_t *shape) {
    xa_sb_printf(sb, "[");
    for (size_t k = 0; k < json_array_size(shape); k++)
        xa_sb_printf(sb, "%s%lld", k ? ", " : "",
                     (long long)json_integer_value(json_array_get(shape, k)));
    xa_sb_printf(sb, "]");
}

/* What the text report says under a stage whose tensors' shapes differ, or whose members pair
 * better in another order: the metrics of such a stage compare the values in storage order. */
static void shape_notes(page *pg, json_t *st) {
    json_t *ts = json_object_get(st, "tensors");
    char b[40];
    for (size_t i = 0; i < json_array_size(ts); i++) {
        json_t *t = json_array_get(ts, i), *m = json_object_get(t, "metrics");
        if (!streq(jstr(t, "status"), "shape_mismatch")) continue;
        xa_sb_printf(&pg->sb, "<p class=\"note\">");
        if (jstr(t, "name") && jstr(t, "name")[0]) {
            esc(&pg->sb, jstr(t, "name"));
            xa_sb_printf(&pg->sb, ": ");
        }
        xa_sb_printf(&pg->sb, "shapes differ: ref ");
        shape_json(&pg->sb, json_object_get(t, "ref_shape"));
        xa_sb_printf(&pg->sb, ", port ");
        shape_json(&pg->sb, json_object_get(t, "port_shape"));
        xa_sb_printf(&pg->sb, json_is_object(m)
                                  ? "; the metrics compare the values in storage order"
                                  : "; the element counts differ");
        json_t *ps = json_object_get(t, "permutations");
        for (size_t k = 0; k < json_array_size(ps); k++) {
            json_t *p = json_array_get(ps, k), *perm = json_object_get(p, "perm");
            xa_sb_printf(&pg->sb, "; %s after %stranspose (",
                         json_is_true(json_object_get(p, "aligned")) ? "aligned" : "unaligned",
                         json_is_true(json_object_get(p, "squeezed")) ? "squeeze + " : "");
            for (size_t a = 0; a < json_array_size(perm); a++)
                xa_sb_printf(&pg->sb, "%s%lld", a ? ", " : "",
                             (long long)json_integer_value(json_array_get(perm, a)));
            xa_sb_printf(&pg->sb, "): max_abs %s", num(jnum(p, "max_abs"), b, sizeof b));
        }
        xa_sb_printf(&pg->sb, "</p>");
    }
    if (jstr(st, "pairing")) {
        xa_sb_printf(&pg->sb, "<p class=\"note\">the tensors pair better in another order: ");
        esc(&pg->sb, jstr(st, "pairing"));
        xa_sb_printf(&pg->sb, "</p>");
    }
}

static void stage_section(page *pg, json_t *st, const char *ref_dir, const char *port_dir, int mode,
                          int64_t max_side, const char *sample) {
    const char *name = jstr(st, "name"), *status = jstr(st, "status");
    xa_sb_printf(&pg->sb, "<section class=\"stage %s\" id=\"", status_class(status));
    anchor(&pg->sb, "st-", sample ? sample : "");
    anchor(&pg->sb, "-", name);
    xa_sb_printf(&pg->sb, "\"><h3>");
    json_t *ord = json_object_get(st, "ref_order");
    if (json_is_integer(ord)) xa_sb_printf(&pg->sb, "%02lld ", (long long)json_integer_value(ord));
    esc(&pg->sb, name);
    xa_sb_printf(&pg->sb, " <span class=\"badge %s\">", status_class(status));
    esc(&pg->sb, status);
    xa_sb_printf(&pg->sb, "</span>%s</h3>",
                 json_is_true(json_object_get(st, "inherited")) ? " <span class=\"meta\">after "
                                                                  "the first unaligned stage</span>"
                                                                : "");
    metrics_table(pg, json_object_get(st, "metrics"), json_object_get(st, "tolerance"));
    shape_notes(pg, st);
    json_t *own = json_object_get(st, "own_error");
    if (json_is_object(own)) {
        char b[40];
        xa_sb_printf(&pg->sb, "<p class=\"replay\">replay of the original's ");
        esc(&pg->sb, jstr(own, "op"));
        xa_sb_printf(&pg->sb, ": %s", jstr(own, "status") ? jstr(own, "status") : "");
        json_t *m = json_object_get(own, "metrics");
        if (json_is_object(m))
            xa_sb_printf(&pg->sb, ", max_abs %s", num(jnum(m, "max_abs"), b, sizeof b));
        xa_sb_printf(&pg->sb, "</p>");
    }
    diagnosis(pg, st);
    topk(pg, json_object_get(st, "topk"));
    const char *err = jstr(st, "error");
    if (err) {
        xa_sb_printf(&pg->sb, "<p class=\"err\">");
        esc(&pg->sb, err);
        xa_sb_printf(&pg->sb, "</p>");
    }
    if (mode == PICTURES && json_is_object(json_object_get(st, "detections")))
        detection_picture(pg, st, ref_dir, max_side);
    else if (mode == PICTURES)
        pictures(pg, st, ref_dir, port_dir, max_side);
    else if (mode == PICTURES_LEFT_OUT)
        xa_sb_printf(&pg->sb,
                     "<p class=\"nopic leftout\">pictures left out to keep the page under %.3g MB "
                     "(see the note at the top)</p>",
                     (double)pg->budget / 1e6);
    xa_sb_printf(&pg->sb, "</section>\n");
}

static const char *css =
    "body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;max-width:1200px}"
    "h1{font-size:1.4em}h3{margin:.2em 0}section.stage{border-left:4px solid #ccc;padding:.3em "
    ".8em;margin:.8em 0}section.ok{border-color:#2a2}section.bad{border-color:#d33}"
    "section.miss,section.err{border-color:#e90}.badge{font-size:.8em;padding:1px 6px;border-"
    "radius:8px;color:#fff;background:#888}.badge.ok{background:#2a2}.badge.bad{background:#d33}"
    ".badge.miss,.badge.err{background:#e90}table{border-collapse:collapse;margin:.3em 0}td,th{"
    "border:1px solid #ddd;padding:2px 6px;text-align:right}th{background:#f4f4f4}table.sortable "
    "th{cursor:pointer}"
    "th[aria-sort=ascending]:after{content:\" \\25b2\"}th[aria-sort=descending]:after{content:\" "
    "\\25bc\"}"
    "td.ok{color:#2a2}td.bad{color:#d33;font-weight:bold}td.miss{color:#e90}tr.bad td{color:#d33}"
    ".pics{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0}img{image-rendering:pixelated;"
    "min-width:128px;border:1px solid #ccc}figcaption,.meta{font-size:.85em;color:#666}"
    ".scale{display:flex;align-items:center;gap:8px;margin:.3em 0}.scale .bar{display:inline-"
    "block;width:256px;height:12px}.scale .ticks{display:flex;gap:14px;font-size:.8em}"
    ".cause{background:#fff4f4;border:1px solid #f0c0c0;padding:.3em .6em;margin:.3em 0}"
    ".note{color:#555}.err{color:#b60}code{background:#f4f4f4}.nopic{color:#999;font-size:.85em}"
    "#filter{margin:.3em 0}";

/* Sorting (a header click: ascending, then descending; numbers by their data-v value, the rest
 * as text) and the samples filter (text and "unaligned only"), without a server. */
static const char *js =
    "document.querySelectorAll('table.sortable th').forEach(function(th){th.addEventListener("
    "'click',function(){var i=th.cellIndex,tb=th.closest('table').tBodies[0],rows=Array.prototype."
    "slice.call(tb.rows),asc=th.getAttribute('aria-sort')!=='ascending';th.closest('tr')."
    "querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});th.setAttribute("
    "'aria-sort',asc?'ascending':'descending');function key(r){var c=r.cells[i];return c.dataset."
    "v!==undefined?c.dataset.v:c.textContent;}rows.sort(function(a,b){var x=key(a),y=key(b),nx="
    "parseFloat(x),ny=parseFloat(y),c=(!isNaN(nx)&&!isNaN(ny))?nx-ny:String(x).localeCompare("
    "String(y));return asc?c:-c;});rows.forEach(function(r){tb.appendChild(r);});});});"
    "var f=document.getElementById('filter'),u=document.getElementById('onlybad');function "
    "apply(){var q=f?f.value.toLowerCase():'',b=u&&u.checked;document.querySelectorAll('table."
    "samples tbody tr').forEach(function(r){var show=r.cells[0].textContent.toLowerCase()."
    "indexOf(q)>=0||r.cells[1].textContent.toLowerCase().indexOf(q)>=0;r.style.display=show&&(!b"
    "||r.dataset.bad==='1')?'':'none';});}if(f)f.addEventListener('input',apply);if(u)u."
    "addEventListener('change',apply);";

static void head(page *pg, const char *title) {
    xa_sb_printf(&pg->sb,
                 "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    esc(&pg->sb, title);
    xa_sb_printf(&pg->sb, "</title><style>%s</style></head><body><h1>", css);
    esc(&pg->sb, title);
    xa_sb_printf(&pg->sb, "</h1><p class=\"meta\">xalign %s</p>\n", xa_version_string());
}

static void conclusions(page *pg, json_t *root) {
    json_t *c = json_object_get(root, "conclusions");
    for (size_t i = 0; i < json_array_size(c); i++) {
        xa_sb_printf(&pg->sb, "<p class=\"cause\"><b>conclusion:</b> ");
        esc(&pg->sb, json_string_value(json_array_get(c, i)));
        xa_sb_printf(&pg->sb, "</p>");
    }
}

/* ---- parts of a page and the size budget -------------------------------------------------------
 * A page is written as parts (a stage's section, a sample's section), each rendered without
 * pictures first. Then, in order of priority, a part is rendered again with its pictures and
 * kept that way while the whole page stays within the budget; at the first part that would take
 * the page past it, that part and every later one in the order keep a note instead. */
typedef void (*part_fn)(page *pg, void *ctx, size_t i, int mode);

static xa_sb render_part(page *pg, part_fn f, void *ctx, size_t i, int mode) {
    xa_sb saved = pg->sb, out;
    memset(&pg->sb, 0, sizeof pg->sb);
    f(pg, ctx, i, mode);
    out = pg->sb;
    pg->sb = saved;
    return out;
}

enum { NOTE_RESERVE = 1024 }; /* bytes kept for the note on the pictures */
static const char tail_fmt[] = "<script>%s</script></body></html>\n";

/* Parts 0..n-1 in page order; `order` lists the m parts that want pictures, most wanted first. */
static void parts(page *pg, part_fn f, void *ctx, size_t n, const size_t *order, size_t m) {
    xa_sb *t = calloc(n ? n : 1, sizeof *t);
    int *wants = calloc(n ? n : 1, sizeof *wants);
    if (!t || !wants) {
        free(t), free(wants);
        pg->sb.oom = 1;
        return;
    }
    for (size_t k = 0; k < m; k++) wants[order[k]] = 1;
    size_t total = pg->sb.len + strlen(tail_fmt) + strlen(js) + NOTE_RESERVE;
    for (size_t i = 0; i < n; i++) {
        t[i] = render_part(pg, f, ctx, i, wants[i] ? PICTURES_LEFT_OUT : NO_PICTURES);
        total += t[i].len;
    }
    size_t k = 0;
    for (; k < m && total <= (size_t)pg->budget; k++) {
        size_t i = order[k];
        page before = *pg;
        xa_sb w = render_part(pg, f, ctx, i, PICTURES);
        if (w.oom || total - t[i].len + w.len > (size_t)pg->budget) {
            free(w.s);
            *pg = before; /* what the page says it drew */
            break;
        }
        total = total - t[i].len + w.len;
        free(t[i].s);
        t[i] = w;
    }
    pg->left_out += m - k;
    for (size_t i = 0; i < n; i++) {
        if (t[i].oom) pg->sb.oom = 1;
        xa_sb_append(&pg->sb, t[i].s ? t[i].s : "", t[i].len);
        free(t[i].s);
    }
    free(t);
    free(wants);
}

/* A dataset's sample sections draw at half the size (at least 32 pixels a side). */
static int64_t sample_side(const page *pg) {
    return pg->max_side / 2 > 32 ? pg->max_side / 2 : 32;
}

/* The note at the top: what was drawn, how it was downsampled, what the budget left out. */
static void pictures_note(page *pg, xa_sb *sb, size_t parts_total) {
    xa_sb_printf(sb, "<p class=\"meta\" id=\"pictures-note\">Pictures: ");
    if (pg->dataset)
        xa_sb_printf(sb, "each sample's first unaligned stage, at most %lld pixels a side; ",
                     (long long)sample_side(pg));
    else
        xa_sb_printf(sb,
                     "the unaligned stages (every stage when none is), at most %lld pixels a "
                     "side; ",
                     (long long)pg->max_side);
    xa_sb_printf(sb, "%zu stage%s drawn", pg->drawn, pg->drawn == 1 ? "" : "s");
    if (pg->downsampled) {
        xa_sb_printf(sb, ", %zu of them downsampled by ", pg->downsampled);
        if (pg->block_min == pg->block_max)
            xa_sb_printf(sb, "%lld", (long long)pg->block_min);
        else
            xa_sb_printf(sb, "%lld to %lld", (long long)pg->block_min, (long long)pg->block_max);
        xa_sb_printf(sb, " (stated under each: a heatmap pixel is the largest |d| of its block, "
                         "the reference and port pictures show the block's first element)");
    }
    if (pg->left_out)
        xa_sb_printf(sb,
                     "; the pictures of %zu of %zu %s are left out to keep the page under %.3g "
                     "MB (--html-budget MB to change)",
                     pg->left_out, parts_total,
                     pg->dataset        ? "samples"
                     : parts_total == 1 ? "stage"
                                        : "stages",
                     (double)pg->budget / 1e6);
    xa_sb_printf(sb, ".</p>\n");
}

static void pictures_here(page *pg) {
    pg->note_at = pg->sb.len;
}

typedef struct {
    json_t *root;
    int64_t max_side;
} stages_ctx;

static void stage_part(page *pg, void *ctx, size_t i, int mode) {
    stages_ctx *c = ctx;
    pg->stages = json_object_get(c->root, "stages");
    json_t *st = json_array_get(json_object_get(c->root, "stages"), i);
    stage_section(pg, st, jstr(c->root, "ref_dir"), jstr(c->root, "port_dir"), mode, c->max_side,
                  jstr(c->root, "sample"));
}

static void stages_page(page *pg, json_t *root, const xa_html_options *o, size_t *nparts) {
    head(pg, o && o->title ? o->title : "xalign stages");
    const char *first = jstr(root, "first_unaligned");
    xa_sb_printf(&pg->sb, "<p>ref <code>");
    esc(&pg->sb, jstr(root, "ref_dir"));
    xa_sb_printf(&pg->sb, "</code>, port <code>");
    esc(&pg->sb, jstr(root, "port_dir"));
    xa_sb_printf(&pg->sb, "</code>: %s", first ? "first unaligned stage <b>" : "");
    if (first) {
        esc(&pg->sb, first);
        xa_sb_printf(&pg->sb, "</b>");
    } else {
        xa_sb_printf(&pg->sb, json_is_true(json_object_get(root, "aligned"))
                                  ? "every stage aligned"
                                  : "no compared stage differs, but not every stage was compared");
    }
    xa_sb_printf(&pg->sb, "</p>");
    pictures_here(pg);
    conclusions(pg, root);
    json_t *stages = json_object_get(root, "stages");
    size_t n = json_array_size(stages), m = 0;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    if (!order) {
        pg->sb.oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++) { /* the unaligned stages, or every stage when none is */
        json_t *st = json_array_get(stages, i);
        const char *status = jstr(st, "status");
        if (((status && strcmp(status, "aligned")) || !first) && drawable(st)) order[m++] = i;
    }
    stages_ctx c = {root, pg->max_side};
    parts(pg, stage_part, &c, n, order, m);
    *nparts = m;
    free(order);
}

static json_t *first_unaligned_stage(json_t *sample) {
    const char *first = jstr(sample, "first_unaligned");
    json_t *stages = json_object_get(sample, "stages");
    for (size_t k = 0; first && k < json_array_size(stages); k++)
        if (streq(jstr(json_array_get(stages, k), "name"), first)) return json_array_get(stages, k);
    return NULL;
}

static void sample_part(page *pg, void *ctx, size_t i, int mode) {
    json_t *s = json_array_get(json_object_get(ctx, "samples"), i);
    const char *name = jstr(s, "sample");
    json_t *pic = first_unaligned_stage(s), *stages = json_object_get(s, "stages");
    pg->stages = stages;
    xa_sb_printf(&pg->sb, "<section class=\"sample\" id=\"");
    anchor(&pg->sb, "s-", name);
    xa_sb_printf(&pg->sb, "\"><h2>sample ");
    esc(&pg->sb, name);
    xa_sb_printf(&pg->sb, "</h2>");
    conclusions(pg, s);
    for (size_t k = 0; k < json_array_size(stages); k++) {
        json_t *st = json_array_get(stages, k);
        stage_section(pg, st, jstr(s, "ref_dir"), jstr(s, "port_dir"),
                      st == pic ? mode : NO_PICTURES, sample_side(pg), name);
    }
    xa_sb_printf(&pg->sb, "</section>\n");
}

static void dataset_page(page *pg, json_t *root, const xa_html_options *o, size_t *nparts) {
    head(pg, o && o->title ? o->title : "xalign dataset");
    json_t *stages = json_object_get(root, "stages"), *samples = json_object_get(root, "samples");
    char b[40];
    xa_sb_printf(&pg->sb, "<p>%lld samples, %lld unaligned</p>",
                 (long long)json_integer_value(json_object_get(root, "samples_total")),
                 (long long)json_integer_value(json_object_get(root, "samples_unaligned")));
    pictures_here(pg);
    xa_sb_printf(&pg->sb, "<h2>stages</h2><table class=\"sortable\"><thead><tr><th>stage</th>"
                          "<th>samples</th><th>unaligned</th><th>missing</th><th>errors</th>"
                          "<th>worst max_abs</th><th>worst sample</th></tr></thead><tbody>");
    for (size_t k = 0; k < json_array_size(stages); k++) {
        json_t *s = json_array_get(stages, k);
        const char *ws = jstr(s, "worst_sample");
        xa_sb_printf(&pg->sb, "<tr><td>");
        esc(&pg->sb, jstr(s, "name"));
        xa_sb_printf(
            &pg->sb,
            "</td><td>%lld</td><td class=\"%s\">%lld</td><td>%lld</td><td>%lld</td><td>%s</td><td>",
            (long long)json_integer_value(json_object_get(s, "samples")),
            json_integer_value(json_object_get(s, "unaligned")) ? "bad" : "ok",
            (long long)json_integer_value(json_object_get(s, "unaligned")),
            (long long)json_integer_value(json_object_get(s, "missing")),
            (long long)json_integer_value(json_object_get(s, "errors")),
            ws ? num(jnum(s, "worst_max_abs"), b, sizeof b) : "");
        if (ws) {
            xa_sb_printf(&pg->sb, "<a href=\"#");
            anchor(&pg->sb, "s-", ws);
            xa_sb_printf(&pg->sb, "\">");
            esc(&pg->sb, ws);
            xa_sb_printf(&pg->sb, "</a>");
        }
        xa_sb_printf(&pg->sb, "</td></tr>");
    }
    xa_sb_printf(&pg->sb, "</tbody></table>");
    xa_sb_printf(&pg->sb, "<h2>samples</h2><input id=\"filter\" placeholder=\"filter samples\"> "
                          "<label><input type=\"checkbox\" id=\"onlybad\"> unaligned only</label>"
                          "<table class=\"sortable samples\"><thead><tr><th>sample</th><th>first "
                          "unaligned</th>");
    for (size_t k = 0; k < json_array_size(stages); k++) {
        xa_sb_printf(&pg->sb, "<th>");
        esc(&pg->sb, jstr(json_array_get(stages, k), "name"));
        xa_sb_printf(&pg->sb, "</th>");
    }
    xa_sb_printf(&pg->sb, "</tr></thead><tbody>");
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *s = json_array_get(samples, i);
        const char *name = jstr(s, "sample"), *first = jstr(s, "first_unaligned");
        int bad = !json_is_true(json_object_get(s, "aligned"));
        xa_sb_printf(&pg->sb, "<tr data-bad=\"%d\"><td><a href=\"#", bad);
        anchor(&pg->sb, "s-", name);
        xa_sb_printf(&pg->sb, "\">");
        esc(&pg->sb, name);
        xa_sb_printf(&pg->sb, "</a></td><td>");
        esc(&pg->sb, first ? first : "");
        xa_sb_printf(&pg->sb, "</td>");
        json_t *sst = json_object_get(s, "stages");
        for (size_t k = 0; k < json_array_size(stages); k++) {
            const char *want = jstr(json_array_get(stages, k), "name");
            json_t *hit = NULL;
            for (size_t q = 0; q < json_array_size(sst); q++)
                if (streq(jstr(json_array_get(sst, q), "name"), want)) hit = json_array_get(sst, q);
            const char *status = hit ? jstr(hit, "status") : "missing";
            double m = hit ? jnum(json_object_get(hit, "metrics"), "max_abs") : NAN;
            xa_sb_printf(&pg->sb, "<td class=\"%s\" data-v=\"%.17g\">%s %s</td>",
                         status_class(status), isnan(m) ? -1.0 : m,
                         !strcmp(status_class(status), "ok") ? "&#10003;" : "&#10007;",
                         isnan(m) ? (status ? status : "?") : num(m, b, sizeof b));
        }
        xa_sb_printf(&pg->sb, "</tr>");
    }
    xa_sb_printf(&pg->sb, "</tbody></table>\n");
    /* pictures for the worst sample of each stage first (the stages table links them), then
     * for the other samples in page order */
    size_t n = json_array_size(samples), m = 0;
    size_t *order = malloc((n ? n : 1) * sizeof *order);
    char *taken = calloc(n ? n : 1, 1);
    if (!order || !taken) {
        free(order), free(taken);
        pg->sb.oom = 1;
        return;
    }
    for (size_t k = 0; k <= json_array_size(stages); k++)
        for (size_t i = 0; i < n; i++) {
            json_t *s = json_array_get(samples, i);
            const char *ws = k < json_array_size(stages)
                                 ? jstr(json_array_get(stages, k), "worst_sample")
                                 : jstr(s, "sample");
            json_t *pic = first_unaligned_stage(s);
            if (!taken[i] && streq(ws, jstr(s, "sample")) && pic && drawable(pic))
                taken[i] = 1, order[m++] = i;
        }
    parts(pg, sample_part, root, n, order, m);
    *nparts = m;
    free(order);
    free(taken);
}

static void compare_page(page *pg, json_t *root, const xa_html_options *o, size_t *nparts) {
    head(pg, o && o->title ? o->title : "xalign compare");
    json_t *ref = json_object_get(root, "ref"), *port = json_object_get(root, "port");
    xa_sb_printf(&pg->sb, "<p>ref <code>");
    esc(&pg->sb, jstr(ref, "spec"));
    xa_sb_printf(&pg->sb, "</code>, port <code>");
    esc(&pg->sb, jstr(port, "spec"));
    xa_sb_printf(&pg->sb, "</code></p>");
    pictures_here(pg);
    /* the comparison as a stage of one tensor */
    json_t *st = json_object(), *t = json_object(), *c = json_object(), *list = json_array();
    json_object_set_new(st, "name", json_string("compare"));
    json_object_set_new(
        st, "status",
        json_string(json_is_true(json_object_get(root, "aligned")) ? "aligned" : "unaligned"));
    json_object_set(st, "metrics", json_object_get(root, "metrics"));
    json_object_set(st, "tolerance", json_object_get(root, "tolerance"));
    json_object_set_new(st, "ref", json_string(jstr(ref, "spec") ? jstr(ref, "spec") : ""));
    json_object_set_new(st, "port", json_string(jstr(port, "spec") ? jstr(port, "spec") : ""));
    json_object_set_new(t, "name", json_string(""));
    json_object_set(t, "ref_shape", json_object_get(ref, "shape"));
    json_object_set(t, "port_shape", json_object_get(port, "shape"));
    json_object_set(t, "metrics", json_object_get(root, "metrics"));
    json_array_append_new(list, t);
    json_object_set_new(st, "tensors", list);
    list = json_array();
    json_array_append_new(list, st);
    json_object_set_new(c, "stages", list);
    size_t order[1] = {0};
    stages_ctx sc = {c, pg->max_side};
    *nparts = drawable(st);
    parts(pg, stage_part, &sc, 1, order, *nparts);
    json_decref(c);
}

xa_status xa_report_html(const char *json, const xa_html_options *o, char **out, xa_error *err) {
    *out = NULL;
    json_error_t je;
    json_t *root = json_loads(json, 0, &je);
    if (!root) return xa_fail(err, XA_EFORMAT, "report: not JSON: line %d: %s", je.line, je.text);
    page pg;
    memset(&pg, 0, sizeof pg);
    pg.max_side = o && o->max_side > 0 ? o->max_side : 256;
    pg.bmodel = o ? o->bmodel : NULL;
    pg.budget = o && o->max_bytes > 0 ? o->max_bytes : XA_HTML_DEFAULT_BUDGET;
    const char *schema = jstr(root, "schema");
    xa_status st = XA_OK;
    size_t nparts = 0;
    if (schema && !strcmp(schema, "xalign.stages/1")) {
        stages_page(&pg, root, o, &nparts);
    } else if (schema && !strcmp(schema, "xalign.dataset/1")) {
        pg.dataset = 1;
        dataset_page(&pg, root, o, &nparts);
    } else if (schema && !strcmp(schema, "xalign.compare/1")) {
        compare_page(&pg, root, o, &nparts);
    } else {
        st = xa_fail(err, XA_EFORMAT, "report: schema '%s' is not a stages, dataset or compare run",
                     schema ? schema : "(none)");
    }
    json_decref(root);
    if (st) {
        free(xa_sb_take(&pg.sb));
        return st;
    }
    /* the page: its beginning, the note on the pictures, the rest */
    xa_sb page_sb = {0};
    xa_sb_append(&page_sb, pg.sb.s ? pg.sb.s : "", pg.note_at);
    pictures_note(&pg, &page_sb, nparts);
    xa_sb_append(&page_sb, pg.sb.s ? pg.sb.s + pg.note_at : "", pg.sb.len - pg.note_at);
    if (pg.sb.oom) page_sb.oom = 1;
    free(xa_sb_take(&pg.sb));
    xa_sb_printf(&page_sb, tail_fmt, js);
    *out = xa_sb_take(&page_sb);
    return *out ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
}
