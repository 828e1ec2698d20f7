/* Hypotheses that run registered operations on the stage's inputs: which resize method, which
 * window (crop origin, letterbox) and which decoder reproduces each side; the operation found on
 * the reference's side is the fix, replayed on the port's input. */
#include "diag_internal.h"
#include "xalign/io.h"
#include "xalign/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One candidate's match against a side: energy and max |d|. */
typedef struct {
    double e, m;
} match;

static int exact(match x) {
    return x.e == 0;
}

static const char *match_text(match x, char *buf, size_t n) {
    if (x.e == 0)
        snprintf(buf, n, "exact");
    else
        snprintf(buf, n, "max_abs %.6g", x.m);
    return buf;
}

/* An input and an output of one side that a spatial operation could connect: same batch of one,
 * same channels, images. */
static int spatial_pair(const dimg *in, const dimg *out) {
    return in->count && in->image && out->image && in->n == 1 && out->n == 1 && in->c == out->c;
}

/* ---- resize
 * ---------------------------------------------------------------------------------------- */
void xa_hyp_resize(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    int have_p = spatial_pair(&c->pi, P), have_r = spatial_pair(&c->ri, R);
    if (!have_p || (c->pi.h == P->h && c->pi.w == P->w)) return;
    if (R->h != P->h || R->w != P->w || R->c != P->c) return;
    xa_tensor *pin = NULL, *rin = NULL;
    if (xa_dimg_hwc(&c->pi, &pin, NULL) || (have_r && xa_dimg_hwc(&c->ri, &rin, NULL))) {
        xa_tensor_free(pin);
        return;
    }
    /* every registered resize method, on each side's own input */
    const xa_param_info *mp = &xa_op_find("resize")->params[0];
    const char *choices = xa_param_choices(mp);
    enum { MAXM = 64 };
    char names[MAXM][32];
    match on_p[MAXM], on_r[MAXM], p_to_r[MAXM];
    int nm = 0;
    for (const char *s = choices; s && *s && nm < MAXM;) {
        const char *e = strchr(s, '|');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        snprintf(names[nm], sizeof names[nm], "%.*s", (int)l, s);
        s += l + (e != NULL);
        char params[160];
        snprintf(params, sizeof params, "method=%.31s size=%lldx%lld", names[nm], (long long)R->w,
                 (long long)R->h);
        xa_tensor *o = NULL;
        on_p[nm] = p_to_r[nm] = on_r[nm] = (match){INFINITY, INFINITY};
        if (!xa_run_op("resize", params, pin, &o, NULL)) {
            xa_hwc_energy(o, P, &on_p[nm].e, &on_p[nm].m);
            xa_hwc_energy(o, R, &p_to_r[nm].e, &p_to_r[nm].m);
        }
        xa_tensor_free(o);
        o = NULL;
        if (rin && !xa_run_op("resize", params, rin, &o, NULL))
            xa_hwc_energy(o, R, &on_r[nm].e, &on_r[nm].m);
        xa_tensor_free(o);
        nm++;
    }
    xa_tensor_free(pin);
    xa_tensor_free(rin);
    int bp = 0, br = 0;
    const match *rr = rin ? on_r : p_to_r; /* the original's method, from its own input if there */
    for (int k = 1; k < nm; k++) {
        if (on_p[k].e < on_p[bp].e) bp = k;
        if (rr[k].e < rr[br].e) br = k;
    }
    if (!isfinite(on_p[bp].e) || !isfinite(rr[br].e)) return;
    char a[48], b[48];
    /* the same method reproduces both sides from their own inputs: the stage only inherits */
    if (exact(on_p[bp]) && exact(rr[br]) && !strcmp(names[bp], names[br])) {
        snprintf(c->inherited, sizeof c->inherited,
                 "%s reproduces both sides exactly from their own inputs: this resize is the same "
                 "on both sides and the difference comes from its input",
                 names[bp]);
        return;
    }
    int explains_p = exact(on_p[bp]) || on_p[bp].m <= 1; /* the port's method, found */
    double conf = xa_explained(c, p_to_r[br].e);
    if (!explains_p && conf < 0.5) return;
    if (conf < 0.5 && explains_p && exact(rr[br])) conf = 0.5; /* both named, inputs differ */
    int cl_only = strstr(names[bp], "-cl") && !strncmp(names[bp], names[br], strlen(names[br])) &&
                  !strcmp(names[bp] + strlen(names[br]), "-cl");
    int cl_orig = strstr(names[br], "-cl") && !strncmp(names[br], names[bp], strlen(names[bp])) &&
                  !strcmp(names[br] + strlen(names[bp]), "-cl");
    xa_finding *f = xa_add_finding(
        c, cl_only || cl_orig ? XA_CAUSE_MEMORY_FORMAT : XA_CAUSE_RESIZE_METHOD, conf,
        "port = %s (%s), original = %s (%s%s)%s", names[bp], match_text(on_p[bp], a, sizeof a),
        names[br], match_text(rr[br], b, sizeof b), rin ? "" : ", on the port's input",
        cl_only || cl_orig ? ": torch takes its channels-last kernel for a tensor permuted from "
                             "HWC without .contiguous(), and it rounds differently"
                           : "");
    char params[160];
    snprintf(params, sizeof params, "method=%.31s size=%lldx%lld", names[br], (long long)R->w,
             (long long)R->h);
    const char *how = !strncmp(names[br], "pil-", 4)     ? "Pillow's Image.resize"
                      : !strncmp(names[br], "cv2-", 4)   ? "cv2.resize"
                      : !strncmp(names[br], "torch-", 6) ? "torch's F.interpolate"
                                                         : "the original's method";
    if (c->in->port_in && c->in->port_in->rank == 3 && c->pi.c == c->in->port_in->shape[2])
        xa_set_fix(c, f, "port_input", "resize", params,
                   "resize as the original does: %s %s (xa_resize(..., \"%s\"))", how, names[br],
                   names[br]);
    else
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "resize as the original does: %s %s (xa_resize(..., \"%s\"))", how, names[br],
                   names[br]);
}

/* ---- windows: crop origin and letterbox
 * ------------------------------------------------------------- */
/* The origin of out inside in (same channels): the exact window nearest the centre, searched
 * around the centre and at the corners. */
static int find_window(const dimg *in, const dimg *out, int64_t *top, int64_t *left) {
    if (in->h < out->h || in->w < out->w) return 0;
    int64_t cy = (in->h - out->h) / 2, cx = (in->w - out->w) / 2;
    enum { R = 16 };
    int64_t best = -1;
    for (int64_t y = cy - R; y <= cy + R; y++)
        for (int64_t x = cx - R; x <= cx + R; x++) {
            if (y < 0 || x < 0 || y + out->h > in->h || x + out->w > in->w) continue;
            int ok = 1;
            for (int64_t yy = 0; yy < out->h && ok; yy++)
                ok = !memcmp(&out->v[yy * out->w * out->c], &in->v[((y + yy) * in->w + x) * in->c],
                             (size_t)(out->w * out->c) * sizeof(double));
            int64_t dist = (y - cy) * (y - cy) + (x - cx) * (x - cx);
            if (ok && (best < 0 || dist < best)) best = dist, *top = y, *left = x;
        }
    return best >= 0;
}

static void hyp_crop(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    if (!spatial_pair(&c->pi, P) || !spatial_pair(&c->ri, R)) return;
    if (c->pi.h == P->h && c->pi.w == P->w) return;
    int64_t pt, pl, rt, rl;
    if (!find_window(&c->pi, P, &pt, &pl) || !find_window(&c->ri, R, &rt, &rl)) return;
    if (pt == rt && pl == rl) {
        snprintf(c->inherited, sizeof c->inherited,
                 "both sides crop the same window (top %lld, left %lld) from their own inputs: the "
                 "difference comes from the input",
                 (long long)pt, (long long)pl);
        return;
    }
    /* the reference's window on the port's input */
    xa_finding *f =
        xa_add_finding(c, XA_CAUSE_SHIFT, 1,
                       "the port crops its %lldx%lld window at top %lld, left %lld; the "
                       "original at top %lld, left %lld (%s)",
                       (long long)R->w, (long long)R->h, (long long)pt, (long long)pl,
                       (long long)rt, (long long)rl,
                       "a crop origin off by rounding: torchvision's CenterCrop uses "
                       "round((H - h) / 2), half to even");
    char params[128];
    int64_t cy = 0, cx = 0;
    { /* is the original's window torchvision's CenterCrop? */
        xa_center_crop_geom g;
        if (!xa_tv_center_crop_geometry(c->ri.h, c->ri.w, R->h, R->w, &g, NULL) && !g.pad_left &&
            !g.pad_top)
            cy = g.top, cx = g.left;
        else
            cy = cx = -1;
    }
    if (cy == rt && cx == rl && c->pi.h == c->ri.h && c->pi.w == c->ri.w) {
        snprintf(params, sizeof params, "size=%lldx%lld layout=hwc", (long long)R->w,
                 (long long)R->h);
        xa_set_fix(c, f, "port_input", c->pi.chw ? NULL : "center-crop", params,
                   "crop as torchvision's CenterCrop does (top %lld, left %lld)", (long long)rt,
                   (long long)rl);
    } else {
        snprintf(params, sizeof params, "top=%lld left=%lld size=%lldx%lld", (long long)rt,
                 (long long)rl, (long long)R->w, (long long)R->h);
        xa_set_fix(c, f, "port_input", c->pi.chw ? NULL : "crop", params,
                   "crop the port's window at top %lld, left %lld as the original does",
                   (long long)rt, (long long)rl);
    }
}

static void hyp_letterbox(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    if (!spatial_pair(&c->pi, P) || R->h != P->h || R->w != P->w || c->pi.chw) return;
    /* a letterbox keeps the aspect ratio and pads: the output is not a plain resize of the input */
    static const char *const variants[][2] = {
        {"letterbox-yolov5", "auto=false color=114,114,114"},
        {"letterbox-yolov5", "auto=false color=0,0,0"},
        {"letterbox-sail", "color=114,114,114"},
        {"letterbox-sail", "color=0,0,0"},
        {"letterbox-yolov5", "auto=false color=114,114,114 method=cv2-nearest"},
        {"letterbox-sail", "color=114,114,114 method=cv2-linear"},
    };
    enum { NV = sizeof variants / sizeof variants[0] };
    xa_tensor *pin = NULL, *rin = NULL;
    if (xa_dimg_hwc(&c->pi, &pin, NULL)) return;
    if (spatial_pair(&c->ri, R) && xa_dimg_hwc(&c->ri, &rin, NULL)) rin = NULL;
    match on_p[NV], on_r[NV], p_to_r[NV];
    char params[NV][128];
    for (int k = 0; k < NV; k++) {
        snprintf(params[k], sizeof params[k], "size=%lldx%lld %s", (long long)R->w, (long long)R->h,
                 variants[k][1]);
        xa_tensor *o = NULL;
        on_p[k] = on_r[k] = p_to_r[k] = (match){INFINITY, INFINITY};
        if (!xa_run_op(variants[k][0], params[k], pin, &o, NULL)) {
            xa_hwc_energy(o, P, &on_p[k].e, &on_p[k].m);
            xa_hwc_energy(o, R, &p_to_r[k].e, &p_to_r[k].m);
        }
        xa_tensor_free(o);
        o = NULL;
        if (rin && !xa_run_op(variants[k][0], params[k], rin, &o, NULL))
            xa_hwc_energy(o, R, &on_r[k].e, &on_r[k].m);
        xa_tensor_free(o);
    }
    xa_tensor_free(pin);
    xa_tensor_free(rin);
    int bp = -1, br = -1;
    const match *rr = rin ? on_r : p_to_r;
    for (int k = 0; k < NV; k++) {
        if (exact(on_p[k]) && bp < 0) bp = k;
        if (exact(rr[k]) && br < 0) br = k;
    }
    if (br < 0) return; /* no letterbox reproduces the original: not a letterbox stage */
    if (bp == br) {
        snprintf(c->inherited, sizeof c->inherited,
                 "%s %s reproduces both sides from their own inputs: the difference comes from "
                 "the input",
                 variants[br][0], variants[br][1]);
        return;
    }
    double conf = xa_explained(c, p_to_r[br].e);
    if (conf < 0.5 && bp < 0) return;
    char pd[200];
    if (bp >= 0)
        snprintf(pd, sizeof pd, "%s %s (exact)", variants[bp][0], variants[bp][1]);
    else
        snprintf(pd, sizeof pd, "none of the letterboxes tried");
    xa_finding *f = xa_add_finding(c, XA_CAUSE_PADDING, conf < 0.5 ? 0.5 : conf,
                                   "port = %s, original = %s %s (exact%s)", pd, variants[br][0],
                                   variants[br][1], rin ? "" : ", on the port's input");
    xa_set_fix(c, f, "port_input", variants[br][0], params[br],
               "letterbox as the original does: %s %s", variants[br][0], variants[br][1]);
}

void xa_hyp_window(diag_ctx *c) {
    hyp_crop(c);
    if (!c->inherited[0]) hyp_letterbox(c);
}

/* ---- decoders
 * ----------------------------------------------------------------------------------------- */
static void decode_from_dumps(diag_ctx *c) {
    /* no image file: a small difference spread like two JPEG decoders' (chroma upsampling, IDCT)
     * on a first stage of uint8 images is this cause, with lower confidence */
    const dimg *R = &c->r, *P = &c->p;
    if (c->in->ref_in || c->in->port_in || !c->same_shape || !R->image || R->c != 3 ||
        R->dtype != XA_U8 || P->dtype != XA_U8 || c->max0 > 24 || c->max0 < 1)
        return;
    int64_t px = R->h * R->w * R->n, dpx = 0, multi = 0;
    double sum = 0;
    for (int64_t i = 0; i < px; i++) {
        int k = 0;
        for (int ch = 0; ch < 3; ch++) {
            double d = P->v[i * 3 + ch] - R->v[i * 3 + ch];
            k += d != 0;
            sum += d;
        }
        dpx += k > 0;
        multi += k >= 2;
    }
    if (dpx * 100 < px || multi * 2 < dpx || fabs(sum) > 0.25 * (double)dpx) return;
    xa_finding *f = xa_add_finding(
        c, XA_CAUSE_DECODE_METHOD, 0.6,
        "small differences (max_abs %.0f) at %.1f%% of the pixels, in two or three channels at "
        "once at %.0f%% of them and averaging zero: the pattern of two JPEG decoders (chroma "
        "upsampling, IDCT); give the image file (--image, or a manifest decode stage) to name them",
        c->max0, 100.0 * (double)dpx / (double)px, 100.0 * (double)multi / (double)dpx);
    xa_set_fix(c, f, "port_input", NULL, NULL,
               "decode with the original's decoder (xalign decode --like pil|cv2 shows both)");
}

void xa_hyp_decode(diag_ctx *c) {
    const char *image = c->in->image;
    const dimg *R = &c->r, *P = &c->p;
    if (!image) {
        decode_from_dumps(c);
        return;
    }
    if (!R->image || !P->image || R->dtype != XA_U8) return;
    xa_tensor *bytes = NULL;
    if (xa_load_bytes(image, &bytes, NULL)) return;
    static const char *const variants[] = {
        "like=pil",
        "like=cv2",
        "like=cv2 ignore-orientation=true",
        "like=pil fancy-upsampling=false",
        "like=cv2 fancy-upsampling=false",
        "like=pil dct=ifast",
        "like=cv2 dct=ifast",
        "like=pil dct=float",
        "like=cv2 dct=float",
        "like=cv2 ignore-orientation=true fancy-upsampling=false",
    };
    enum { NV = sizeof variants / sizeof variants[0] };
    match on_p[NV][2], on_r[NV][2]; /* [k][swapped channels] */
    char params[NV][128];
    for (int k = 0; k < NV; k++) {
        snprintf(params[k], sizeof params[k], "%s%s", variants[k], R->c == 1 ? " gray=true" : "");
        xa_tensor *o = NULL, *s = NULL;
        on_p[k][0] = on_p[k][1] = on_r[k][0] = on_r[k][1] = (match){INFINITY, INFINITY};
        if (xa_run_op("decode", params[k], bytes, &o, NULL)) continue;
        xa_hwc_energy(o, P, &on_p[k][0].e, &on_p[k][0].m);
        xa_hwc_energy(o, R, &on_r[k][0].e, &on_r[k][0].m);
        if (R->c == 3 && !xa_run_op("bgr2rgb", "", o, &s, NULL)) {
            xa_hwc_energy(s, P, &on_p[k][1].e, &on_p[k][1].m);
            xa_hwc_energy(s, R, &on_r[k][1].e, &on_r[k][1].m);
        }
        xa_tensor_free(o);
        xa_tensor_free(s);
    }
    int bp = -1, br = -1, sp = 0, sr = 0;
    for (int k = 0; k < NV; k++)
        for (int sw = 0; sw < 2; sw++) {
            if (bp < 0 && exact(on_p[k][sw])) bp = k, sp = sw;
            if (br < 0 && exact(on_r[k][sw])) br = k, sr = sw;
        }
    if (br < 0 || bp == br) {
        xa_tensor_free(bytes);
        if (br >= 0 && bp == br && sp == sr)
            snprintf(c->inherited, sizeof c->inherited,
                     "both sides are the decode %s of %s, exactly", variants[br], image);
        return;
    }
    char pd[160];
    if (bp >= 0)
        snprintf(pd, sizeof pd, "decode %s%s (exact)", variants[bp], sp ? " + BGR<->RGB" : "");
    else
        snprintf(pd, sizeof pd, "none of the decoders tried");
    xa_finding *f = xa_add_finding(c, XA_CAUSE_DECODE_METHOD, 1,
                                   "port = %s, original = decode %s%s (exact), of %s", pd,
                                   variants[br], sr ? " + BGR<->RGB" : "", image);
    snprintf(f->fix_text, sizeof f->fix_text, "decode as the original does: %s%s", variants[br],
             sr ? ", then swap BGR and RGB" : "");
    if (!sr) {
        xa_tensor *o = NULL;
        snprintf(f->fix_op, sizeof f->fix_op, "decode");
        snprintf(f->fix_params, sizeof f->fix_params, "%s", params[br]);
        snprintf(f->fix_input, sizeof f->fix_input, "image");
        if (!xa_run_op("decode", params[br], bytes, &o, NULL)) {
            double m = xa_compare_to_ref(c, o, &f->aligned_after);
            if (m >= 0) f->fix_verified = 1, f->max_abs_after = m;
        }
        xa_tensor_free(o);
    }
    xa_tensor_free(bytes);
}
