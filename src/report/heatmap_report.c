/* `xalign heatmap` text and JSON: what was drawn, the colour scale's numbers, the verdict. */
#include "report_internal.h"

#include <math.h>
#include <string.h>

/* The scale's numbers are given at these colour indices. */
static const int ticks[] = {0, 51, 102, 153, 204, 255};
#define NTICKS (int)(sizeof ticks / sizeof ticks[0])

static const char *layout_name(const xa_heatmap_info *in, const xa_tensor *t) {
    if (t->rank == 2) return "HW";
    if (in->layout == XA_LAYOUT_HWC) return in->batch ? "NHWC" : "HWC";
    return in->batch ? "NCHW" : "CHW";
}

static void scale_text(xa_sb *sb, const xa_heatmap_info *in) {
    char a[40], b[40];
    if (in->max == 0) {
        xa_sb_printf(sb, "scale: none, every pixel is exact (|d| = 0)\n");
        return;
    }
    if (in->max == in->min_nonzero) {
        xa_sb_printf(sb, "scale %s: every nonzero |d| is %s: colour 255 (light yellow)\n",
                     in->scale == XA_HEATMAP_LOG ? "log" : "abs",
                     xa_fmt_num(in->max, 9, a, sizeof a));
        return;
    }
    if (in->scale == XA_HEATMAP_LOG)
        xa_sb_printf(sb, "scale log: colour k = floor(ln(|d| / %s) / ln(%s / %s) * 255)\n",
                     xa_fmt_num(in->min_nonzero, 9, a, sizeof a),
                     xa_fmt_num(in->max, 9, b, sizeof b), a);
    else
        xa_sb_printf(sb, "scale abs: colour k = floor(|d| / %s * 255)\n",
                     xa_fmt_num(in->max, 9, a, sizeof a));
    xa_sb_printf(sb, "  colour k  ");
    for (int i = 0; i < NTICKS; i++) xa_sb_printf(sb, i < NTICKS - 1 ? " %-11d" : " %d", ticks[i]);
    xa_sb_printf(sb, "\n  |d| from  ");
    for (int i = 0; i < NTICKS; i++) {
        double v = xa_heatmap_value(in, ticks[i]);
        xa_sb_printf(sb, i < NTICKS - 1 ? " %-11s" : " %s",
                     v == 0 ? ">0" : xa_fmt_num(v, 6, a, sizeof a));
    }
    xa_sb_printf(sb, "\n  (dark violet, blue, cyan, green, light yellow)\n");
}

char *xa_report_heatmap_text(const xa_heatmap_report *r) {
    const xa_heatmap_info *in = r->info;
    const xa_tensor *rt = r->ref.tensor, *pt = r->port.tensor;
    char s1[256], s2[256], ch[64];
    xa_sb sb = {0};
    xa_sb_printf(&sb, "ref : %s  %s %s\n", r->ref.spec, xa_dtype_name(rt->dtype),
                 xa_shape_format(rt->rank, rt->shape, s1, sizeof s1));
    xa_sb_printf(&sb, "port: %s  %s %s\n", r->port.spec, xa_dtype_name(pt->dtype),
                 xa_shape_format(pt->rank, pt->shape, s2, sizeof s2));
    if (in->channel >= 0)
        snprintf(ch, sizeof ch, "channel %lld of %lld", (long long)in->channel,
                 (long long)in->channels);
    else if (in->channels > 1)
        snprintf(ch, sizeof ch, "max over %lld channels", (long long)in->channels);
    else
        snprintf(ch, sizeof ch, "1 channel");
    xa_sb_printf(&sb, "heatmap: %s, %lld x %lld pixels (W x H) of |port - ref|, %s\n",
                 r->output ? r->output : "(not written)", (long long)in->width,
                 (long long)in->height, ch);
    if (in->layout_guessed)
        xa_sb_printf(&sb,
                     "layout: %s, guessed from the last axis (%lld %s 4; --layout to change)\n",
                     layout_name(in, rt), (long long)rt->shape[rt->rank - 1],
                     in->layout == XA_LAYOUT_HWC ? "<=" : ">");
    else
        xa_sb_printf(&sb, "layout: %s\n", layout_name(in, rt));
    scale_text(&sb, in);
    xa_sb_printf(&sb,
                 "black: exact (|d| = 0), %lld of %lld pixels; magenta: NaN/Inf on one side, "
                 "%lld pixels\n",
                 (long long)in->exact, (long long)in->pixels, (long long)in->nonfinite);
    if (r->result) {
        xa_verdict_text(&sb, r->result, rt);
    }
    return xa_sb_take(&sb);
}

static json_t *jrgb(const uint8_t *c) {
    json_t *a = json_array();
    for (int i = 0; i < 3; i++) json_array_append_new(a, json_integer(c[i]));
    return a;
}

char *xa_report_heatmap_json(const xa_heatmap_report *r) {
    const xa_heatmap_info *in = r->info;
    static const uint8_t exact[3] = XA_HEATMAP_EXACT_RGB, nonfinite[3] = XA_HEATMAP_NONFINITE_RGB;
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string("xalign.heatmap/1"));
    json_object_set_new(o, "ref", xa_jtensor(&r->ref));
    json_object_set_new(o, "port", xa_jtensor(&r->port));
    json_object_set_new(o, "output", r->output ? json_string(r->output) : json_null());
    json_object_set_new(o, "width", json_integer(in->width));
    json_object_set_new(o, "height", json_integer(in->height));
    json_object_set_new(o, "layout", json_string(layout_name(in, r->ref.tensor)));
    json_object_set_new(o, "layout_guessed", json_boolean(in->layout_guessed));
    json_object_set_new(o, "channels", json_integer(in->channels));
    json_object_set_new(o, "channel", in->channel >= 0 ? json_integer(in->channel) : json_null());
    json_object_set_new(o, "scale", json_string(in->scale == XA_HEATMAP_LOG ? "log" : "abs"));
    json_object_set_new(o, "max", xa_jnum(in->max));
    json_object_set_new(o, "min_nonzero", xa_jnum(in->min_nonzero));
    json_object_set_new(o, "pixels", json_integer(in->pixels));
    json_object_set_new(o, "exact_pixels", json_integer(in->exact));
    json_object_set_new(o, "nonfinite_pixels", json_integer(in->nonfinite));
    json_t *colors = json_object();
    json_object_set_new(colors, "exact", jrgb(exact));
    json_object_set_new(colors, "nonfinite", jrgb(nonfinite));
    json_object_set_new(o, "colors", colors);
    json_t *tk = json_array();
    if (in->max > 0)
        for (int i = 0; i < NTICKS; i++) {
            uint8_t c[3];
            xa_heatmap_color(ticks[i], c);
            json_t *t = json_object();
            json_object_set_new(t, "color_index", json_integer(ticks[i]));
            double v = xa_heatmap_value(in, ticks[i]);
            json_object_set_new(t, "value", xa_jnum(v));
            /* |d| = 0 is drawn black, not colour 0: the abs scale's colour 0 starts above 0
             * (the text prints ">0") */
            json_object_set_new(t, "exclusive", json_boolean(v == 0));
            json_object_set_new(t, "rgb", jrgb(c));
            json_array_append_new(tk, t);
        }
    json_object_set_new(o, "ticks", tk);
    if (r->result) {
        json_object_set_new(o, "metrics", xa_jmetrics(&r->result->total, r->ref.tensor));
        json_object_set_new(o, "tolerance", xa_jtolerance(&r->result->tol));
        json_object_set_new(o, "failed", xa_jfailed(r->result->failed));
        json_object_set_new(o, "aligned", json_boolean(r->result->aligned));
    }
    return xa_jdump(o);
}
