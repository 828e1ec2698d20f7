/* xalign transform IN OUT.npy --op OP [options]: one non-resize preprocessing operation, exactly
 * as the named library computes it. A thin wrapper over the ops layer's transform section. */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *help =
    "usage: xalign transform IN OUT.npy --op OP [options]\n"
    "       xalign transform --op OP --input-size WxH[,WxH...] --geometry-only [--json] "
    "[options]\n\n"
    "Run one preprocessing operation exactly as the original library does and write the result as\n"
    ".npy. IN is a tensor spec (.npy, an image decoded as RGB, raw bytes; see 'xalign info "
    "--help').\n\n"
    "operations:\n"
    "  center-crop       torchvision F.center_crop (zero padding when larger)   --size WxH|N\n"
    "  crop              window with zero fill outside      --top Y --left X --size WxH [--value "
    "...]\n"
    "  pad               cv2.copyMakeBorder BORDER_CONSTANT  --pad T,B,L,R [--value V,...]\n"
    "  to-tensor         torchvision F.to_tensor: HWC uint8 -> CHW float32 x / 255.0f\n"
    "  normalize         torchvision F.normalize on CHW float32   --mean M,... --std S,...\n"
    "  numpy-normalize   numpy port forms                 --mean --std [--form seed|div]\n"
    "                    [--const-dtype f64|f32] [--out-dtype f32|f64]\n"
    "  convert-to        sail Bmcv.convert_to a*x+b       --alpha A,... --beta B,...  or\n"
    "                    --mean --std [--input-scale S] [--ab-form seed|demo]; [--fused]\n"
    "  bgr2rgb, rgb2bgr  swap channels 0 and 2\n"
    "  hwc2chw, chw2hwc  transpose (a leading batch axis is kept)\n"
    "  add-batch         leading axis of 1\n"
    "  to-f32            astype(np.float32)\n"
    "  tv-resize         torchvision Resize(int): size rule, then the resize  --size N\n"
    "                    [--max-size M] [--method pil-bilinear]\n"
    "  resize-size       the Resize(int) size rule only (geometry)    --size N [--max-size M]\n"
    "  letterbox-yolov5  YOLOv5 v7.0 letterbox   [--size WxH] [--auto 0|1] [--scale-fill]\n"
    "                    [--no-scaleup] [--stride N] [--color 114,114,114] [--method cv2-linear]\n"
    "  letterbox-sail    sophon-demo bmcv letterbox  [--size WxH] [--color ...] [--method "
    "cv2-nearest]\n"
    "  scale-boxes       YOLOv5 scale_boxes on float32 N x K boxes   --from WxH --to WxH\n"
    "                    [--ratio-pad GAIN,PADX,PADY] [--round]\n"
    "  quantize-int8     round(x * scale) saturated  --scale S [--dtype int8|uint8]\n"
    "                    [--rounding half-away|half-even|sail-x86|sail-arm]\n\n"
    "options:\n"
    "  --layout hwc|chw  axis order of IN for crop/pad/center-crop/bgr2rgb/numpy-normalize/\n"
    "                    convert-to (default hwc; sail's RGB_PLANAR is chw)\n"
    "  --geometry-only   letterbox-*/resize-size: print the geometry for --input-size (or IN's\n"
    "                    size) and write nothing\n"
    "  --json            geometry as JSON (also printed after a letterbox when given)\n"
    "  --help            this text\n\n"
    "Sizes are WIDTHxHEIGHT as cv2 takes them. Semantics: docs/ops-transforms.md.\n";

#define MAXV 64

typedef struct {
    const char *op;
    xa_layout layout;
    int have_size, have_top, have_left;
    long long w, h, top, left, max_size, stride;
    double pad[4];
    int npad;
    double value[MAXV], mean[MAXV], std[MAXV], alpha[MAXV], beta[MAXV], ratio_pad[3];
    int nvalue, nmean, nstd, nalpha, nbeta, nratio_pad;
    xa_np_norm_form form;
    xa_dtype const_dtype, out_dtype, qdtype;
    double input_scale, scale;
    int have_scale;
    xa_sail_ab_form ab_form;
    int fused, auto_pad, scale_fill, no_scaleup, round;
    const char *method, *rounding;
    long long from_w, from_h, to_w, to_h;
    int have_from, have_to;
} params;

static int parse_list(cli_args *a, double *v, int *n, int max) {
    const char *s = cli_value(a);
    if (!s) return 0;
    *n = 0;
    const char *p = s;
    for (;;) {
        char *e;
        errno = 0;
        double d = strtod(p, &e);
        if (e == p || errno || isnan(d) || (*e && *e != ',') || *n >= max) {
            cli_error(a->cmd, "option %s: '%s' is not a list of at most %d numbers", a->opt, s,
                      max);
            return 0;
        }
        v[(*n)++] = d;
        if (!*e) return 1;
        p = e + 1;
    }
}

/* "WxH" or a single N (a square). */
static int parse_wh(const char *cmd, const char *opt, const char *s, long long *w, long long *h) {
    char tail;
    if (s && sscanf(s, "%lldx%lld%c", w, h, &tail) == 2 && *w > 0 && *h > 0) return 1;
    if (s && sscanf(s, "%lld%c", w, &tail) == 1 && *w > 0) {
        *h = *w;
        return 1;
    }
    cli_error(cmd, "option %s: '%s' is not WIDTHxHEIGHT or N with positive numbers", opt,
              s ? s : "");
    return 0;
}

static int parse_ll(cli_args *a, long long *out) {
    long v;
    if (!cli_parse_int(a, &v)) return 0;
    *out = v;
    return 1;
}

static int parse_option(cli_args *a, params *p) {
    const char *o = a->opt, *v;
    if (!strcmp(o, "--op")) return (p->op = cli_value(a)) != NULL;
    if (!strcmp(o, "--layout")) {
        if (!(v = cli_value(a))) return 0;
        if (!strcmp(v, "hwc"))
            p->layout = XA_LAYOUT_HWC;
        else if (!strcmp(v, "chw"))
            p->layout = XA_LAYOUT_CHW;
        else
            return !cli_error(a->cmd, "--layout is hwc or chw, not '%s'", v);
        return 1;
    }
    if (!strcmp(o, "--size"))
        return (p->have_size = parse_wh(a->cmd, o, cli_value(a), &p->w, &p->h));
    if (!strcmp(o, "--from"))
        return (p->have_from = parse_wh(a->cmd, o, cli_value(a), &p->from_w, &p->from_h));
    if (!strcmp(o, "--to"))
        return (p->have_to = parse_wh(a->cmd, o, cli_value(a), &p->to_w, &p->to_h));
    if (!strcmp(o, "--top")) return (p->have_top = parse_ll(a, &p->top));
    if (!strcmp(o, "--left")) return (p->have_left = parse_ll(a, &p->left));
    if (!strcmp(o, "--max-size")) return parse_ll(a, &p->max_size);
    if (!strcmp(o, "--stride")) {
        int r = parse_ll(a, &p->stride);
        if (r && p->stride < 1) {
            cli_error("transform", "--stride must be a positive number of pixels");
            return 0;
        }
        return r;
    }
    if (!strcmp(o, "--pad")) return parse_list(a, p->pad, &p->npad, 4);
    if (!strcmp(o, "--value") || !strcmp(o, "--color"))
        return parse_list(a, p->value, &p->nvalue, MAXV);
    if (!strcmp(o, "--mean")) return parse_list(a, p->mean, &p->nmean, MAXV);
    if (!strcmp(o, "--std")) return parse_list(a, p->std, &p->nstd, MAXV);
    if (!strcmp(o, "--alpha")) return parse_list(a, p->alpha, &p->nalpha, MAXV);
    if (!strcmp(o, "--beta")) return parse_list(a, p->beta, &p->nbeta, MAXV);
    if (!strcmp(o, "--ratio-pad")) return parse_list(a, p->ratio_pad, &p->nratio_pad, 3);
    if (!strcmp(o, "--input-scale")) return cli_parse_double(a, &p->input_scale);
    if (!strcmp(o, "--scale")) return (p->have_scale = cli_parse_double(a, &p->scale));
    if (!strcmp(o, "--fused")) return (p->fused = 1);
    if (!strcmp(o, "--scale-fill")) return (p->scale_fill = 1);
    if (!strcmp(o, "--no-scaleup")) return (p->no_scaleup = 1);
    if (!strcmp(o, "--round")) return (p->round = 1);
    if (!strcmp(o, "--method")) return (p->method = cli_value(a)) != NULL;
    if (!strcmp(o, "--rounding")) return (p->rounding = cli_value(a)) != NULL;
    if (!strcmp(o, "--auto")) {
        long long x;
        if (!parse_ll(a, &x)) return 0;
        p->auto_pad = x != 0;
        return 1;
    }
    if (!strcmp(o, "--form")) {
        if (!(v = cli_value(a))) return 0;
        if (!strcmp(v, "seed"))
            p->form = XA_NP_NORM_SEED;
        else if (!strcmp(v, "div"))
            p->form = XA_NP_NORM_DIV;
        else
            return !cli_error(a->cmd, "--form is seed or div, not '%s'", v);
        return 1;
    }
    if (!strcmp(o, "--ab-form")) {
        if (!(v = cli_value(a))) return 0;
        if (!strcmp(v, "seed"))
            p->ab_form = XA_SAIL_AB_SEED;
        else if (!strcmp(v, "demo"))
            p->ab_form = XA_SAIL_AB_DEMO;
        else
            return !cli_error(a->cmd, "--ab-form is seed or demo, not '%s'", v);
        return 1;
    }
    if (!strcmp(o, "--const-dtype") || !strcmp(o, "--out-dtype") || !strcmp(o, "--dtype")) {
        if (!(v = cli_value(a))) return 0;
        xa_dtype d = xa_dtype_from_name(v);
        if (!strcmp(o, "--dtype")) {
            if (d != XA_I8 && d != XA_U8)
                return !cli_error(a->cmd, "--dtype is int8 or uint8, not '%s'", v);
            p->qdtype = d;
        } else {
            if (d != XA_F32 && d != XA_F64)
                return !cli_error(a->cmd, "%s is f32 or f64, not '%s'", o, v);
            *(!strcmp(o, "--out-dtype") ? &p->out_dtype : &p->const_dtype) = d;
        }
        return 1;
    }
    return !cli_error(a->cmd, "unknown option '%s' (see --help)", o);
}

/* ---- operations ------------------------------------------------------------------------------ */
typedef xa_status (*op_fn)(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err);

static xa_status need(xa_error *err, int ok, const char *what) {
    if (ok) return XA_OK;
    err->status = XA_EINVAL;
    snprintf(err->message, sizeof err->message, "%s", what);
    return XA_EINVAL;
}

static xa_status op_center_crop(const params *p, const xa_tensor *in, xa_tensor **out,
                                xa_error *err) {
    if (need(err, p->have_size, "center-crop needs --size WxH or N")) return XA_EINVAL;
    return xa_tv_center_crop(in, p->layout, p->h, p->w, out, err);
}
static xa_status op_crop(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    if (need(err, p->have_size && p->have_top && p->have_left,
             "crop needs --top, --left and --size"))
        return XA_EINVAL;
    return xa_crop(in, p->layout, p->top, p->left, p->h, p->w, p->value, p->nvalue, out, err);
}
static xa_status op_pad(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    if (need(err, p->npad == 4, "pad needs --pad TOP,BOTTOM,LEFT,RIGHT")) return XA_EINVAL;
    for (int k = 0; k < 4; k++)
        if (need(err, p->pad[k] == floor(p->pad[k]) && fabs(p->pad[k]) < 1e9,
                 "pad sizes must be integers"))
            return XA_EINVAL;
    return xa_pad_constant(in, p->layout, (int64_t)p->pad[0], (int64_t)p->pad[1],
                           (int64_t)p->pad[2], (int64_t)p->pad[3], p->value, p->nvalue, out, err);
}
static xa_status op_to_tensor(const params *p, const xa_tensor *in, xa_tensor **out,
                              xa_error *err) {
    return xa_tv_to_tensor(in, out, err);
}
static xa_status need_mean_std(const params *p, xa_error *err) {
    return need(err, p->nmean > 0 && p->nmean == p->nstd,
                "needs --mean and --std with the same number of values");
}
static xa_status op_normalize(const params *p, const xa_tensor *in, xa_tensor **out,
                              xa_error *err) {
    if (need_mean_std(p, err)) return XA_EINVAL;
    return xa_tv_normalize(in, p->mean, p->std, p->nmean, out, err);
}
static xa_status op_np_normalize(const params *p, const xa_tensor *in, xa_tensor **out,
                                 xa_error *err) {
    if (need_mean_std(p, err)) return XA_EINVAL;
    return xa_np_normalize(in, p->layout, p->form, p->const_dtype, p->mean, p->std, p->nmean,
                           p->out_dtype, out, err);
}
static xa_status op_convert_to(const params *p, const xa_tensor *in, xa_tensor **out,
                               xa_error *err) {
    float a[MAXV], b[MAXV];
    int n;
    if (p->nmean || p->nstd) {
        if (need_mean_std(p, err)) return XA_EINVAL;
        n = p->nmean;
        xa_status st =
            xa_sail_alpha_beta(p->mean, p->std, n, p->input_scale, p->ab_form, a, b, err);
        if (st) return st;
    } else {
        if (need(err, p->nalpha > 0 && p->nalpha == p->nbeta,
                 "convert-to needs --alpha/--beta or --mean/--std"))
            return XA_EINVAL;
        n = p->nalpha;
        for (int k = 0; k < n; k++) a[k] = (float)p->alpha[k], b[k] = (float)p->beta[k];
    }
    return xa_sail_convert_to(in, p->layout, a, b, n, p->fused, out, err);
}
static xa_status op_swap_rb(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    return xa_swap_rb(in, p->layout, out, err);
}
static xa_status op_hwc2chw(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    return xa_hwc_to_chw(in, out, err);
}
static xa_status op_chw2hwc(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    return xa_chw_to_hwc(in, out, err);
}
static xa_status op_add_batch(const params *p, const xa_tensor *in, xa_tensor **out,
                              xa_error *err) {
    return xa_add_batch(in, out, err);
}
static xa_status op_to_f32(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    return xa_to_f32(in, out, err);
}
static xa_status method_of(const params *p, xa_resize_method dflt, xa_resize_method *m,
                           xa_error *err) {
    *m = dflt;
    if (p->method && xa_resize_method_from_name(p->method, m) != XA_OK) {
        err->status = XA_EINVAL;
        snprintf(err->message, sizeof err->message,
                 "unknown --method '%s' (see 'xalign resize --help')", p->method);
        return XA_EINVAL;
    }
    return XA_OK;
}
static xa_status op_tv_resize(const params *p, const xa_tensor *in, xa_tensor **out,
                              xa_error *err) {
    xa_resize_method m;
    if (need(err, p->have_size && p->w == p->h, "tv-resize needs --size N") ||
        method_of(p, XA_RESIZE_PIL_BILINEAR, &m, err))
        return XA_EINVAL;
    return xa_tv_resize(in, p->w, p->max_size, m, out, err);
}
static xa_status yolo_opts(const params *p, xa_yolov5_letterbox_opts *o, xa_error *err) {
    xa_yolov5_letterbox_defaults(o);
    if (p->have_size) o->new_w = p->w, o->new_h = p->h;
    o->auto_pad = p->auto_pad;
    o->scale_fill = p->scale_fill;
    o->scaleup = !p->no_scaleup;
    if (p->stride) o->stride = p->stride;
    if (p->nvalue) {
        o->ncolor = p->nvalue > 4 ? 4 : p->nvalue;
        memcpy(o->color, p->value, (size_t)o->ncolor * sizeof(double));
    }
    return method_of(p, XA_RESIZE_CV_LINEAR, &o->method, err);
}
static xa_status sail_opts(const params *p, xa_sail_letterbox_opts *o, xa_error *err) {
    xa_sail_letterbox_defaults(o);
    if (p->have_size) o->net_w = p->w, o->net_h = p->h;
    if (p->nvalue) {
        o->ncolor = p->nvalue > 4 ? 4 : p->nvalue;
        memcpy(o->color, p->value, (size_t)o->ncolor * sizeof(double));
    }
    return method_of(p, XA_RESIZE_CV_NEAREST, &o->method, err);
}
static xa_letterbox_geom last_geom; /* the application's geometry, printed with --json */
static xa_status op_letterbox_yolov5(const params *p, const xa_tensor *in, xa_tensor **out,
                                     xa_error *err) {
    xa_yolov5_letterbox_opts o;
    xa_status st = yolo_opts(p, &o, err);
    return st ? st : xa_yolov5_letterbox(in, &o, out, &last_geom, err);
}
static xa_status op_letterbox_sail(const params *p, const xa_tensor *in, xa_tensor **out,
                                   xa_error *err) {
    xa_sail_letterbox_opts o;
    xa_status st = sail_opts(p, &o, err);
    return st ? st : xa_sail_letterbox(in, &o, out, &last_geom, err);
}
static xa_status op_scale_boxes(const params *p, const xa_tensor *in, xa_tensor **out,
                                xa_error *err) {
    if (need(err, p->have_from && p->have_to,
             "scale-boxes needs --from WxH (letterboxed) and --to WxH (original)"))
        return XA_EINVAL;
    if (need(err, p->nratio_pad == 0 || p->nratio_pad == 3, "--ratio-pad is GAIN,PADX,PADY"))
        return XA_EINVAL;
    return xa_yolov5_scale_boxes(in, p->from_w, p->from_h, p->to_w, p->to_h,
                                 p->nratio_pad ? p->ratio_pad : NULL, p->round, out, err);
}
static xa_status op_quantize(const params *p, const xa_tensor *in, xa_tensor **out, xa_error *err) {
    static const char *const modes[XA_QUANT_MODE_COUNT] = {"half-away", "half-even", "sail-x86",
                                                           "sail-arm"};
    int mode = XA_QUANT_HALF_AWAY;
    if (p->rounding) {
        for (mode = 0; mode < XA_QUANT_MODE_COUNT && strcmp(p->rounding, modes[mode]); mode++) {
        }
        if (need(err, mode < XA_QUANT_MODE_COUNT,
                 "--rounding is half-away, half-even, sail-x86 or sail-arm"))
            return XA_EINVAL;
    }
    if (need(err, p->have_scale, "quantize-int8 needs --scale (the input_scale)")) return XA_EINVAL;
    return xa_quantize_input(in, (float)p->scale, p->qdtype, (xa_quant_mode)mode, out, err);
}

static const struct {
    const char *name;
    op_fn fn;
} ops[] = {
    {"center-crop", op_center_crop},
    {"crop", op_crop},
    {"pad", op_pad},
    {"to-tensor", op_to_tensor},
    {"normalize", op_normalize},
    {"numpy-normalize", op_np_normalize},
    {"convert-to", op_convert_to},
    {"bgr2rgb", op_swap_rb},
    {"rgb2bgr", op_swap_rb},
    {"hwc2chw", op_hwc2chw},
    {"chw2hwc", op_chw2hwc},
    {"add-batch", op_add_batch},
    {"to-f32", op_to_f32},
    {"tv-resize", op_tv_resize},
    {"letterbox-yolov5", op_letterbox_yolov5},
    {"letterbox-sail", op_letterbox_sail},
    {"scale-boxes", op_scale_boxes},
    {"quantize-int8", op_quantize},
};

/* ---- geometry only ----------------------------------------------------------------------------
 */
static int geometry(const params *p, const char *sizes, const xa_tensor *in, int json) {
    enum { MAXG = 100000 };
    size_t cap = 16, n = 0;
    int64_t(*wh)[2] = malloc(cap * sizeof *wh);
    if (!wh) return cli_error("transform", "out of memory");
    if (in) {
        int r = in->rank;
        /* the same image rules as the operation: one H x W (x C) image, not a batch */
        if (r < 2 || r > 3 || (in->dtype != XA_U8 && in->dtype != XA_F32)) {
            free(wh);
            return cli_error("transform",
                             "IN is not one H x W (x C) uint8/float32 image (%s, rank %d)",
                             xa_dtype_name(in->dtype), r);
        }
        wh[0][0] = in->shape[1], wh[0][1] = in->shape[0];
        n = 1;
    } else {
        const char *s = sizes;
        while (*s) {
            long long w, h;
            int used = 0;
            if (sscanf(s, "%lldx%lld%n", &w, &h, &used) != 2 || (s[used] && s[used] != ',') ||
                n >= MAXG) {
                free(wh);
                return cli_error("transform",
                                 "--input-size: '%s' is not a list of WxH (at most %d)", sizes,
                                 MAXG);
            }
            if (n == cap) {
                void *q = realloc(wh, (cap *= 2) * sizeof *wh);
                if (!q) {
                    free(wh);
                    return cli_error("transform", "out of memory");
                }
                wh = q;
            }
            wh[n][0] = w, wh[n][1] = h;
            n++;
            s += used + (s[used] == ',');
        }
    }
    if (!n) {
        free(wh);
        return cli_error("transform", "--input-size names no size");
    }
    xa_error err = {0};
    xa_status st = XA_OK;
    char *text = NULL;
    if (!strcmp(p->op, "resize-size")) {
        for (size_t i = 0; i < n && !st; i++) {
            int64_t ow, oh;
            if (!p->have_size || p->w != p->h) {
                free(wh);
                return cli_error("transform", "resize-size needs --size N");
            }
            st = xa_tv_resize_size(wh[i][0], wh[i][1], p->w, p->max_size, &ow, &oh, &err);
            wh[i][0] = ow, wh[i][1] = oh;
        }
        if (!st) text = json ? xa_report_sizes_json(&wh[0][0], n) : NULL;
        if (!st && !json)
            for (size_t i = 0; i < n; i++)
                printf("%lldx%lld\n", (long long)wh[i][0], (long long)wh[i][1]);
    } else {
        xa_letterbox_geom *g = calloc(n ? n : 1, sizeof *g);
        if (!g) {
            free(wh);
            return cli_error("transform", "out of memory");
        }
        int yolo = !strcmp(p->op, "letterbox-yolov5");
        xa_yolov5_letterbox_opts yo;
        xa_sail_letterbox_opts so;
        st = yolo ? yolo_opts(p, &yo, &err) : sail_opts(p, &so, &err);
        for (size_t i = 0; i < n && !st; i++)
            st = yolo ? xa_yolov5_letterbox_geometry(wh[i][0], wh[i][1], &yo, &g[i], &err)
                      : xa_sail_letterbox_geometry(wh[i][0], wh[i][1], &so, &g[i], &err);
        if (!st) text = json ? xa_report_letterbox_json(g, n) : xa_report_letterbox_text(g, n);
        free(g);
    }
    free(wh);
    if (st) return cli_lib_error("transform", &err, st);
    if (text || json) return cli_emit(text, "transform") ? XA_EXIT_USAGE : XA_EXIT_OK;
    return XA_EXIT_OK;
}

int cmd_transform(int argc, char **argv) {
    cli_args a = CLI_ARGS(argc, argv, "transform");
    char **pos = a.pos;
    params p;
    memset(&p, 0, sizeof p);
    p.auto_pad = 1;
    p.input_scale = 1.0;
    p.const_dtype = XA_F64;
    p.qdtype = XA_I8;
    int geometry_only = 0, json = 0;
    const char *input_size = NULL;
    while (cli_next(&a)) {
        if (!strcmp(a.opt, "--help") || !strcmp(a.opt, "-h")) {
            fputs(help, stdout);
            return XA_EXIT_OK;
        } else if (!strcmp(a.opt, "--geometry-only")) {
            geometry_only = 1;
        } else if (!strcmp(a.opt, "--json")) {
            json = 1;
        } else if (!strcmp(a.opt, "--input-size")) {
            if (!(input_size = cli_value(&a))) return XA_EXIT_USAGE;
        } else if (!parse_option(&a, &p)) {
            return XA_EXIT_USAGE;
        }
    }
    if (!p.op) {
        if (!a.npos) {
            fputs(help, stderr);
            return XA_EXIT_USAGE;
        }
        return cli_error("transform", "--op is required (see --help)");
    }
    int is_geom_op = !strcmp(p.op, "letterbox-yolov5") || !strcmp(p.op, "letterbox-sail") ||
                     !strcmp(p.op, "resize-size");
    if (geometry_only || !strcmp(p.op, "resize-size")) {
        if (!is_geom_op)
            return cli_error(
                "transform",
                "--geometry-only works with letterbox-yolov5, letterbox-sail, resize-size");
        if (!input_size && a.npos != 1)
            return cli_error("transform",
                             "give --input-size WxH[,WxH...] or one IN for the geometry");
        xa_tensor *in = NULL;
        xa_error err = {0};
        xa_status st = input_size ? XA_OK : xa_load(pos[0], &in, &err);
        if (st) return cli_lib_error("transform", &err, st);
        int rc = geometry(&p, input_size, in, json);
        xa_tensor_free(in);
        return rc;
    }
    size_t k = 0;
    while (k < sizeof ops / sizeof ops[0] && strcmp(p.op, ops[k].name)) k++;
    if (k == sizeof ops / sizeof ops[0])
        return cli_error("transform", "unknown --op '%s' (see --help)", p.op);
    if (a.npos != 2)
        return cli_error("transform", "expected IN and OUT.npy, got %d argument%s", a.npos,
                         a.npos == 1 ? "" : "s");
    xa_error err = {0};
    xa_tensor *in = NULL, *out = NULL;
    xa_status st = xa_load(pos[0], &in, &err);
    if (!st) st = ops[k].fn(&p, in, &out, &err);
    if (!st) st = xa_npy_save(pos[1], out, &err);
    if (!st && !json) cli_report_written(pos[0], in, p.op, out, pos[1]);
    xa_tensor_free(in);
    xa_tensor_free(out);
    if (st) return cli_lib_error("transform", &err, st);
    if (json && is_geom_op)
        return cli_emit(xa_report_letterbox_json(&last_geom, 1), "transform") ? XA_EXIT_USAGE
                                                                              : XA_EXIT_OK;
    return XA_EXIT_OK;
}
