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

/* ---- the stage's own operation: the manifest's, or one without parameters ---------------------
 */
/* The values of two tensors in C order are the same (NaN equal to NaN): the shapes may differ.
 * Converted a block at a time, so the first difference ends the comparison. */
static int same_values(const xa_tensor *a, const xa_tensor *b) {
    int64_t n = xa_tensor_count(a);
    if (n != xa_tensor_count(b) || n < 0) return 0;
    enum { BLOCK = 4096 };
    xa_tensor *na = NULL, *nb = NULL;
    double x[BLOCK], y[BLOCK];
    int ok = 1;
    if (a->fortran_order && a->rank > 1) ok = !xa_tensor_dup_native(a, &na, NULL);
    if (ok && b->fortran_order && b->rank > 1) ok = !xa_tensor_dup_native(b, &nb, NULL);
    const xa_tensor *sa = na ? na : a, *sb = nb ? nb : b;
    size_t za = xa_dtype_size(sa->dtype), zb = xa_dtype_size(sb->dtype);
    for (int64_t i = 0; i < n && ok; i += BLOCK) {
        size_t k = (size_t)(n - i < BLOCK ? n - i : BLOCK);
        xa_convert_to_f64(sa->dtype, sa->swapped, (const char *)sa->data + (size_t)i * za, k, x);
        xa_convert_to_f64(sb->dtype, sb->swapped, (const char *)sb->data + (size_t)i * zb, k, y);
        for (size_t j = 0; j < k && ok; j++) ok = x[j] == y[j] || (isnan(x[j]) && isnan(y[j]));
    }
    xa_tensor_free(na);
    xa_tensor_free(nb);
    return ok;
}

/* max |t - want| under the stage's tolerance: does `t` reproduce `want`? */
static int reproduces(const diag_ctx *c, const xa_tensor *t, const xa_tensor *want, double *m) {
    *m = INFINITY;
    if (xa_tensor_count(t) != xa_tensor_count(want)) return 0;
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.tol = c->in->tol;
    o.threads = 1;
    xa_cmp_result res;
    if (xa_compare(want, t, &o, &res, NULL)) return 0;
    *m = res.total.nonfinite_mismatch ? INFINITY : res.total.max_abs;
    int ok = res.aligned && !res.total.nonfinite_mismatch;
    xa_cmp_result_clear(&res);
    return ok;
}

void xa_hyp_original(diag_ctx *c) {
    const xa_op *orig = c->in->original;
    const xa_tensor *ri = c->in->ref_in, *pi = c->in->port_in;
    if (!orig || !ri || !pi || !strcmp(xa_op_get_info(orig)->inputs, "file") ||
        xa_op_get_info(orig)->min_inputs > 1)
        return;
    xa_op *op = NULL;
    if (xa_op_dup(orig, &op, NULL)) return;
    xa_tensor *ro = NULL, *po = NULL;
    double mr = INFINITY, mp = INFINITY;
    /* an operation that cannot run on these inputs says nothing either way */
    int ran = !xa_op_run(op, &ri, 1, &ro, NULL) && !xa_op_run(op, &pi, 1, &po, NULL);
    int self_ok = ran && reproduces(c, ro, c->in->ref, &mr);
    int own_ok = ran && reproduces(c, po, c->in->port, &mp);
    xa_tensor_free(ro);
    xa_tensor_free(po);
    xa_op_free(op);
    if (!ran) return;
    const char *what = xa_op_describe(orig);
    if (self_ok && own_ok) {
        snprintf(c->inherited, sizeof c->inherited,
                 "the original's %s reproduces both sides from their own inputs: the difference "
                 "comes from the input",
                 what);
    } else if (self_ok) {
        c->own_error = 1; /* the port's operation is not the original's */
    } else {
        char a[32];
        snprintf(a, sizeof a, "%.6g", mr);
        c->from_inputs = 1;
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_MANIFEST, 1,
            "the original's operation as given (%s) does not reproduce the reference from its "
            "own input (max_abs %s): it describes the original wrongly",
            what, isfinite(mr) ? a : "-- the shapes differ");
        xa_summary(f, "the operation given does not reproduce the original");
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "correct the operation given for the original (the other findings name the "
                   "one that reproduces it)");
        c->from_inputs = 0;
    }
}

void xa_hyp_same_op(diag_ctx *c) {
    const xa_tensor *ri = c->in->ref_in, *pi = c->in->port_in;
    if (!ri || !pi) return;
    /* every operation tried keeps the element count */
    if (xa_tensor_count(ri) != xa_tensor_count(c->in->ref) ||
        xa_tensor_count(pi) != xa_tensor_count(c->in->port))
        return;
    if (same_values(ri, c->in->ref) && same_values(pi, c->in->port)) {
        snprintf(c->inherited, sizeof c->inherited,
                 "each side passes its own input on unchanged (a copy or a reshape): the "
                 "difference comes from the input");
        return;
    }
    /* the operations without parameters a pipeline has between two dumps */
    static const char *const ops[][2] = {
        {"hwc2chw", ""},   {"chw2hwc", ""},           {"to-tensor", ""},         {"to-f32", ""},
        {"add-batch", ""}, {"bgr2rgb", "layout=hwc"}, {"bgr2rgb", "layout=chw"},
    };
    enum { NOPS = sizeof ops / sizeof ops[0] };
    /* per operation: 2 reproduces the reference with its exact shape, 1 up to axes of 1 */
    int rmatch[NOPS] = {0};
    const xa_tensor *R = c->in->ref;
    for (size_t k = 0; k < NOPS; k++) {
        xa_tensor *ro = NULL, *po = NULL;
        if (!xa_run_op(ops[k][0], ops[k][1], ri, &ro, NULL) && same_values(ro, R) &&
            /* up to size-1 axes: HWC -> 1 x C x H x W is hwc2chw then a batch axis */
            xa_shape_same_layout(ro->rank, ro->shape, R->rank, R->shape))
            rmatch[k] = 1 + (ro->rank == R->rank &&
                             !memcmp(ro->shape, R->shape, (size_t)R->rank * sizeof R->shape[0]));
        xa_tensor_free(ro);
        int both = rmatch[k] && !xa_run_op(ops[k][0], ops[k][1], pi, &po, NULL) &&
                   same_values(po, c->in->port) &&
                   xa_shape_same_layout(po->rank, po->shape, c->in->port->rank, c->in->port->shape);
        xa_tensor_free(po);
        if (both) {
            snprintf(c->inherited, sizeof c->inherited,
                     "%s%s%s reproduces both sides exactly from their own inputs: the difference "
                     "comes from the input",
                     ops[k][0], ops[k][1][0] ? " " : "", ops[k][1]);
            return;
        }
    }
    /* inputs that already differ (with equal ones the layout family relates the outputs
     * directly): the original's operation on the port's input gives the port's values in another
     * layout (a port that skips the transpose ToTensor does), the stage's own layout error. The
     * original's operation: one that gives the reference's exact shape first (add-batch rather
     * than to-f32 for a batch axis), then one that gives it up to axes of 1 */
    if (!c->inputs_differ) return;
    for (size_t kk = 0; kk < 2 * NOPS; kk++) {
        size_t k = kk % NOPS;
        xa_tensor *po = NULL;
        if (rmatch[k] != (kk < NOPS ? 2 : 1) || xa_run_op(ops[k][0], ops[k][1], pi, &po, NULL))
            continue;
        const xa_tensor *P = c->in->port;
        int found = -1;
        xa_permutation perms[8];
        xa_cmp_result res[8];
        size_t np = 0;
        xa_cmp_options o;
        xa_cmp_options_init(&o);
        o.threads = 1;
        if (xa_tensor_count(po) == xa_tensor_count(P) &&
            !xa_shape_same_layout(po->rank, po->shape, P->rank, P->shape) &&
            !xa_compare_permutations(po, P, &o, perms, res, 8, &np, NULL))
            for (size_t i = 0; i < np; i++) {
                if (found < 0 && res[i].total.equal == res[i].total.count) found = (int)i;
                xa_cmp_result_clear(&res[i]);
            }
        char ps[128], os[128], pt[64] = "";
        size_t q = 0;
        for (int a = 0; found >= 0 && a < perms[found].rank && q < sizeof pt; a++)
            q += (size_t)snprintf(pt + q, sizeof pt - q, a ? ", %d" : "%d", perms[found].perm[a]);
        xa_shape_format(po->rank, po->shape, os, sizeof os);
        xa_tensor_free(po);
        if (found < 0) continue;
        xa_shape_format(P->rank, P->shape, ps, sizeof ps);
        c->from_inputs = 1;
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_LAYOUT, 1,
            "the original's %s reproduces the reference from its input; on the port's input it "
            "gives %s, and the port's %s holds the same values in another layout (transposed by "
            "(%s) they are equal): the port's step skips or adds a transpose",
            ops[k][0], os, ps, pt);
        xa_summary(f, "port skips the layout change of %s", ops[k][0]);
        xa_set_fix(c, f, "port_input", ops[k][0], ops[k][1],
                   "do what the original's %s does, including its layout (%s)", ops[k][0], os);
        c->from_inputs = 0;
        return;
    }
}

/* ---- resize
 * ---------------------------------------------------------------------------------------- */
/* The C call of a registered resize method: "pil-bilinear" -> "xa_resize(img, 224, 224,
 * XA_RESIZE_PIL_BILINEAR, &out, &err)" (the enum names the registry's names, cv2 as CV). */
static void c_call(const char *method, int64_t w, int64_t h, char *buf, size_t n) {
    char e[64];
    size_t o = 0;
    const char *m = !strncmp(method, "cv2-", 4)
                        ? (o = (size_t)snprintf(e, sizeof e, "CV_"), method + 4)
                        : method;
    for (; *m && o + 1 < sizeof e; m++)
        e[o++] = *m == '-' ? '_' : (char)(*m >= 'a' && *m <= 'z' ? *m - 'a' + 'A' : *m);
    e[o] = 0;
    snprintf(buf, n, "xa_resize(img, %lld, %lld, XA_RESIZE_%s, &out, &err)", (long long)w,
             (long long)h, e);
}

void xa_hyp_resize(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    int have_p = spatial_pair(&c->pi, P), have_r = spatial_pair(&c->ri, R);
    if (!have_p || (c->pi.h == P->h && c->pi.w == P->w)) return;
    if (R->c != P->c || R->n != P->n) return;
    /* outputs of other sizes: each side's method at its own size, then the size is the cause */
    int resized = R->h != P->h || R->w != P->w;
    xa_tensor *pin = NULL, *rin = NULL;
    if (xa_dimg_hwc(&c->pi, &pin, NULL) || (have_r && xa_dimg_hwc(&c->ri, &rin, NULL))) {
        xa_tensor_free(pin);
        return;
    }
    /* the same input on both sides: one run per method serves both */
    int same_in = rin && c->inputs_same;
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
            if (!resized) xa_hwc_energy(o, P, &on_p[nm].e, &on_p[nm].m);
            xa_hwc_energy(o, R, &p_to_r[nm].e, &p_to_r[nm].m);
        }
        xa_tensor_free(o);
        o = NULL;
        if (resized) { /* the port's method at the port's size */
            char pp[160];
            snprintf(pp, sizeof pp, "method=%.31s size=%lldx%lld", names[nm], (long long)P->w,
                     (long long)P->h);
            if (!xa_run_op("resize", pp, pin, &o, NULL))
                xa_hwc_energy(o, P, &on_p[nm].e, &on_p[nm].m);
            xa_tensor_free(o);
            o = NULL;
        }
        if (same_in)
            on_r[nm] = p_to_r[nm];
        else if (rin && !xa_run_op("resize", params, rin, &o, NULL))
            xa_hwc_energy(o, R, &on_r[nm].e, &on_r[nm].m);
        xa_tensor_free(o);
        nm++;
    }
    xa_tensor_free(rin);
    int bp = 0, br = 0;
    const match *rr = rin ? on_r : p_to_r; /* the original's method, from its own input if there */
    for (int k = 1; k < nm; k++) {
        if (on_p[k].e < on_p[bp].e) bp = k;
        if (rr[k].e < rr[br].e) br = k;
    }
    if (!isfinite(on_p[bp].e) || !isfinite(rr[br].e)) {
        xa_tensor_free(pin);
        return;
    }
    char a[48], b[48];
    if (resized) {
        xa_tensor_free(pin);
        if (!(exact(on_p[bp]) || on_p[bp].m <= 1) || !(exact(rr[br]) || rr[br].m <= 1)) return;
        char params[160], call[128];
        snprintf(params, sizeof params, "method=%.31s size=%lldx%lld", names[br], (long long)R->w,
                 (long long)R->h);
        c_call(names[br], R->w, R->h, call, sizeof call);
        c->from_inputs = 1;
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_RESIZE_SIZE, 1,
            "the port resizes to %lldx%lld (%s, %s), the original to %lldx%lld (%s, %s%s)",
            (long long)P->w, (long long)P->h, names[bp], match_text(on_p[bp], a, sizeof a),
            (long long)R->w, (long long)R->h, names[br], match_text(rr[br], b, sizeof b),
            rin ? "" : ", on the port's input");
        xa_summary(f, "port %lldx%lld, original %lldx%lld", (long long)P->w, (long long)P->h,
                   (long long)R->w, (long long)R->h);
        int hwc =
            c->in->port_in && c->in->port_in->rank == 3 && c->pi.c == c->in->port_in->shape[2];
        xa_set_fix(c, f, "port_input", hwc ? "resize" : NULL, params,
                   "resize to the original's size, %lldx%lld (width x height), with %s (%s)",
                   (long long)R->w, (long long)R->h, names[br], call);
        return;
    }
    /* one method reproduces both sides from their own inputs: the stage only inherits */
    for (int k = 0; k < nm; k++)
        if (exact(on_p[k]) && exact(rr[k])) {
            snprintf(c->inherited, sizeof c->inherited,
                     "%s reproduces both sides exactly from their own inputs: this resize is the "
                     "same on both sides and the difference comes from its input",
                     names[k]);
            xa_tensor_free(pin);
            return;
        }
    /* prefer, among equally good methods, the original's own for the port (no difference to
     * explain) and then the first listed */
    c->from_inputs = 1;
    int cl_only = strstr(names[bp], "-cl") && !strncmp(names[bp], names[br], strlen(names[br])) &&
                  !strcmp(names[bp] + strlen(names[br]), "-cl");
    int cl_orig = strstr(names[br], "-cl") && !strncmp(names[br], names[bp], strlen(names[bp])) &&
                  !strcmp(names[br] + strlen(names[bp]), "-cl");
    int memfmt = (cl_only || cl_orig) && exact(on_p[bp]) && exact(rr[br]);
    char params[160];
    snprintf(params, sizeof params, "method=%.31s size=%lldx%lld", names[br], (long long)R->w,
             (long long)R->h);
    const char *how = !strncmp(names[br], "pil-", 4)     ? "Pillow's Image.resize"
                      : !strncmp(names[br], "cv2-", 4)   ? "cv2.resize"
                      : !strncmp(names[br], "torch-", 6) ? "torch's F.interpolate"
                                                         : "the original's method";
    int hwc = c->in->port_in && c->in->port_in->rank == 3 && c->pi.c == c->in->port_in->shape[2];
    char call[128];
    c_call(names[br], R->w, R->h, call, sizeof call);
    /* the original's method on the port's input gives the port's integer values to within one
     * unit: the port computes the same resize and rounds its result differently (truncation,
     * half up). The share explained: the original's method leaves nothing of its own error. */
    if (!memfmt && exact(rr[br]) && R->integral && P->integral && on_p[br].e > 0 &&
        on_p[br].m <= 1) {
        int64_t up = 0, down = 0;
        xa_tensor *o = NULL;
        if (!xa_run_op("resize", params, pin, &o, NULL) && xa_tensor_count(o) == P->h * P->w * P->c)
            for (int64_t i = 0; i < P->h * P->w * P->c; i++) {
                double v =
                    o->dtype == XA_U8 ? ((const uint8_t *)o->data)[i] : ((const float *)o->data)[i];
                up += P->v[i] > v, down += P->v[i] < v;
            }
        xa_tensor_free(o);
        double conf = c->inputs_differ ? 1 : xa_explained(c, p_to_r[br].e);
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_ROUNDING, conf,
            "the original's %s on the port's input gives the port's values to within one unit "
            "(%lld of %lld values %s): the port computes the same resize and %s",
            names[br], (long long)(up + down), (long long)(P->h * P->w * P->c),
            !down ? "higher by 1"
            : !up ? "lower by 1"
                  : "off by 1 either way",
            !up     ? "truncates where the original rounds"
            : !down ? "rounds up (or half up) where the original rounds half to even or truncates"
                    : "rounds differently (half to even vs half up, float vs fixed point)");
        xa_summary(f, "%s, %s", names[br],
                   !up     ? "port truncates"
                   : !down ? "port rounds up"
                           : "rounding rule");
        xa_set_fix(c, f, "port_input", hwc ? "resize" : NULL, params,
                   "round as the original does: %s %s rounds to nearest, half to even (%s)", how,
                   names[br], call);
        xa_tensor_free(pin);
        return;
    }
    xa_tensor_free(pin);
    int explains_p = exact(on_p[bp]) || on_p[bp].m <= 1; /* the port's method, found */
    int explains_r = exact(rr[br]) || rr[br].m <= 1;     /* the original's */
    if (!explains_p || !explains_r) {
        /* a side no resize method reproduces: not a choice of method; say what is known */
        if (explains_p)
            snprintf(c->hint, sizeof c->hint,
                     "the port's output is %s of its input (%s); no resize method reproduces the "
                     "original's (closest %s, max_abs %.6g)",
                     names[bp], match_text(on_p[bp], a, sizeof a), names[br], rr[br].m);
        else if (exact(rr[br]) && !c->inputs_differ) {
            snprintf(c->hint, sizeof c->hint,
                     "the original's %s reproduces the reference from its input, but no resize "
                     "method reproduces the port's output from its own (closest %s, max_abs "
                     "%.6g): the port's step is not a plain resize of its input",
                     names[br], names[bp], on_p[bp].m);
            if (hwc) {
                snprintf(c->hint_op, sizeof c->hint_op, "resize");
                snprintf(c->hint_params, sizeof c->hint_params, "%s", params);
            }
        }
        return;
    }
    /* the share of the difference the method explains: with equal inputs, what replaying the
     * original's method on the port's input leaves; with inputs that already differ, the share
     * of the stage's own error (the port against the original's method on the port's input) */
    double conf = xa_explained(c, p_to_r[br].e);
    if (c->inputs_differ)
        conf = on_p[br].e > 0 && isfinite(on_p[br].e) ? 1 - on_p[bp].e / on_p[br].e : 0;
    if (!explains_p && conf < 0.5) return;
    xa_finding *f = xa_add_finding(
        c, memfmt ? XA_CAUSE_MEMORY_FORMAT : XA_CAUSE_RESIZE_METHOD, conf,
        "port = %s (%s), original = %s (%s%s)%s", names[bp], match_text(on_p[bp], a, sizeof a),
        names[br], match_text(rr[br], b, sizeof b), rin ? "" : ", on the port's input",
        memfmt ? ": torch takes its channels-last kernel for a tensor permuted from HWC without "
                 ".contiguous(), and it rounds differently"
               : "");
    xa_summary(f, "port = %s, original = %s", names[bp], names[br]);
    if (memfmt)
        xa_set_fix(c, f, "port_input", hwc ? "resize" : NULL, params, "%s (%s; %s)",
                   cl_only ? "give torch the contiguous tensor the original gives it: call "
                             ".contiguous() on the tensor before F.interpolate"
                           : "give torch a channels-last tensor as the original does: permute "
                             "from HWC without .contiguous()",
                   names[br], call);
    else
        xa_set_fix(c, f, "port_input", hwc ? "resize" : NULL, params,
                   "resize as the original does: %s %s (%s)", how, names[br], call);
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
    c->from_inputs = 1;
    /* off by one where centring has a half to round: an odd margin on that axis */
    int64_t mh = c->pi.h - R->h, mw = c->pi.w - R->w;
    int by_one = llabs(pt - rt) <= 1 && llabs(pl - rl) <= 1 && (pt == rt || (mh & 1)) &&
                 (pl == rl || (mw & 1));
    xa_finding *f = xa_add_finding(
        c, XA_CAUSE_SHIFT, 1,
        "the port crops its %lldx%lld window at top %lld, left %lld; the original at top %lld, "
        "left %lld%s",
        (long long)R->w, (long long)R->h, (long long)pt, (long long)pl, (long long)rt,
        (long long)rl,
        by_one ? " (a crop origin off by rounding: torchvision's CenterCrop uses round((H - h) / "
                 "2), half to even; (H - h + 1) / 2 or a float-to-int cast differ by one)"
               : "");
    xa_summary(f, "crop at top %lld left %lld, original top %lld left %lld", (long long)pt,
               (long long)pl, (long long)rt, (long long)rl);
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
    if (c->pi.h == P->h && c->pi.w == P->w) return; /* same size: no letterbox changes it */
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
        if (rin && c->inputs_same)
            on_r[k] = p_to_r[k];
        else if (rin && !xa_run_op(variants[k][0], params[k], rin, &o, NULL))
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
    for (int k = 0; k < NV; k++)
        if (exact(on_p[k]) && exact(rr[k])) {
            snprintf(c->inherited, sizeof c->inherited,
                     "%s %s reproduces both sides from their own inputs: the difference comes "
                     "from the input",
                     variants[k][0], variants[k][1]);
            return;
        }
    /* with equal inputs, the share of the difference the original's letterbox on the port's
     * input leaves; with inputs that already differ, the port's own letterbox found exactly
     * explains all of the stage's own error, and nothing is claimed without it */
    c->from_inputs = 1;
    double conf = c->inputs_differ ? (bp >= 0 ? 1 : 0) : xa_explained(c, p_to_r[br].e);
    if (conf < 0.5) return;
    char pd[320];
    int topleft = 0;
    if (bp >= 0) {
        snprintf(pd, sizeof pd, "%s %s (exact)", variants[bp][0], variants[bp][1]);
    } else { /* say where the port put its border: the placement is what differs */
        xa_border b1, b2;
        xa_find_border(P, &b1);
        xa_find_border(R, &b2);
        int placed = b1.found && b2.found &&
                     (b1.top != b2.top || b1.bottom != b2.bottom || b1.left != b2.left ||
                      b1.right != b2.right) &&
                     b1.top + b1.bottom == b2.top + b2.bottom &&
                     b1.left + b1.right == b2.left + b2.right;
        if (!placed) {
            /* nothing says what the port did: no finding, only what is known */
            snprintf(c->hint, sizeof c->hint,
                     "the original's %s %s reproduces the reference from its input; no letterbox "
                     "tried reproduces the port's output",
                     variants[br][0], variants[br][1]);
            snprintf(c->hint_op, sizeof c->hint_op, "%s", variants[br][0]);
            snprintf(c->hint_params, sizeof c->hint_params, "%s", params[br]);
            return;
        }
        topleft = b1.top == 0 && b1.left == 0;
        snprintf(pd, sizeof pd,
                 "none of the letterboxes tried; its border is top %lld bottom %lld left %lld "
                 "right %lld, the original's top %lld bottom %lld left %lld right %lld: %s",
                 (long long)b1.top, (long long)b1.bottom, (long long)b1.left, (long long)b1.right,
                 (long long)b2.top, (long long)b2.bottom, (long long)b2.left, (long long)b2.right,
                 topleft ? "the port puts the image at the top-left, the original centres it"
                         : "the border is split differently (the rounding of (H - h) / 2)");
    }
    xa_finding *f =
        xa_add_finding(c, XA_CAUSE_PADDING, conf, "original = %s %s (exact%s); port = %s",
                       variants[br][0], variants[br][1], rin ? "" : ", on the port's input", pd);
    if (bp >= 0)
        xa_summary(f, "port %s, original %s", variants[bp][1], variants[br][1]);
    else
        xa_summary(f, "placement: %s", topleft ? "top-left vs centred" : "split of the border");
    xa_set_fix(c, f, "port_input", variants[br][0], params[br],
               "letterbox as the original does: %s %s", variants[br][0], variants[br][1]);
}

void xa_hyp_window(diag_ctx *c) {
    hyp_crop(c);
    if (!c->inherited[0]) hyp_letterbox(c);
}

/* ---- decoders
 * ----------------------------------------------------------------------------------------- */
/* JPEG's full-range YCbCr of an RGB pixel (ITU-T T.871, what libjpeg converts from; the
 * constants are the standard's, in double: the test is statistical, not bit-exact). */
static void to_ycc(const double *rgb, double *y, double *cb, double *cr) {
    double r = rgb[0], g = rgb[1], b = rgb[2];
    *y = 0.299 * r + 0.587 * g + 0.114 * b;
    *cb = -0.168735892 * r - 0.331264108 * g + 0.5 * b;
    *cr = 0.5 * r - 0.418687589 * g - 0.081312411 * b;
}

/* Sum over aligned by x bx blocks of the squared deviation of chroma from the block's mean. */
static double chroma_block_var(const dimg *d, const double *cb, const double *cr, int by, int bx) {
    double s = 0;
    int64_t H = d->h / by * by, W = d->w / bx * bx;
    for (int64_t b = 0; b < d->n; b++)
        for (int64_t y = 0; y < H; y += by)
            for (int64_t x = 0; x < W; x += bx) {
                double mb = 0, mr = 0;
                for (int i = 0; i < by; i++)
                    for (int j = 0; j < bx; j++) {
                        int64_t k = (b * d->h + y + i) * d->w + x + j;
                        mb += cb[k], mr += cr[k];
                    }
                mb /= by * bx, mr /= by * bx;
                for (int i = 0; i < by; i++)
                    for (int j = 0; j < bx; j++) {
                        int64_t k = (b * d->h + y + i) * d->w + x + j;
                        s += (cb[k] - mb) * (cb[k] - mb) + (cr[k] - mr) * (cr[k] - mr);
                    }
            }
    return s;
}

static void decode_from_dumps(diag_ctx *c) {
    /* no image file: on a first stage of uint8 RGB images, a difference the decoders explain */
    const dimg *R = &c->r, *P = &c->p;
    if (c->in->ref_in || c->in->port_in || !c->same_shape || !R->image || R->c != 3 ||
        R->dtype != XA_U8 || P->dtype != XA_U8 || c->max0 < 1)
        return;
    int64_t px = R->h * R->w * R->n, dpx = 0, multi = 0;
    double sum = 0;
    double *yr = malloc((size_t)px * 4 * sizeof *yr);
    if (!yr) return;
    double *cbr = yr + px, *cbp = yr + 2 * px, *crp = yr + 3 * px, e_luma = 0;
    double *crr = malloc((size_t)px * sizeof *crr);
    if (!crr) {
        free(yr);
        return;
    }
    for (int64_t i = 0; i < px; i++) {
        int k = 0;
        for (int ch = 0; ch < 3; ch++) {
            double d = P->v[i * 3 + ch] - R->v[i * 3 + ch];
            k += d != 0;
            sum += d;
        }
        dpx += k > 0;
        multi += k >= 2;
        double yp;
        to_ycc(&R->v[i * 3], &yr[i], &cbr[i], &crr[i]);
        to_ycc(&P->v[i * 3], &yp, &cbp[i], &crp[i]);
        /* "only the chroma differs": the port's pixel with the reference's luma (Y adds equally to
         * R, G and B), i.e. the difference left is the luma difference in each channel */
        double dy = yp - yr[i];
        e_luma += 3 * dy * dy;
    }
    double chroma = xa_explained(c, e_luma);
    if (chroma >= 0.5) {
        /* a decoder without fancy upsampling replicates the subsampled chroma over each block:
         * the port's chroma varies much less inside 2x2 (4:2:0), 2x1 or 1x2 blocks */
        static const int blocks[3][2] = {{2, 2}, {1, 2}, {2, 1}}; /* rows x columns */
        double best = 1;
        int bi = -1;
        for (int k = 0; k < 3 && bi < 0; k++) { /* the largest block that holds: 4:2:0 first */
            double vr = chroma_block_var(R, cbr, crr, blocks[k][0], blocks[k][1]);
            double vp = chroma_block_var(P, cbp, crp, blocks[k][0], blocks[k][1]);
            double ratio = vr > 0 ? vp / vr : 1;
            if (ratio < 0.5) best = ratio, bi = k;
        }
        xa_finding *f;
        if (bi >= 0) {
            char less[64];
            if (best < 1e-3)
                snprintf(less, sizeof less, "is constant");
            else
                snprintf(less, sizeof less, "varies %.3g times less", 1 / best);
            f = xa_add_finding(
                c, XA_CAUSE_DECODE_METHOD, chroma,
                "the two decodes agree on luma and differ in chroma (%.4g%% of the difference), "
                "and the port's chroma %s inside blocks of %d row%s x %d columns, while "
                "the reference's varies: the port's JPEG decoder replicates the subsampled chroma "
                "instead of interpolating it (no fancy upsampling); give the image file "
                "(--image, or a manifest decode stage) to verify",
                100 * chroma, less, blocks[bi][0], blocks[bi][0] > 1 ? "s" : "", blocks[bi][1]);
            xa_summary(f, "no fancy upsampling (from the dumps)");
            xa_set_fix(c, f, "port_input", NULL, NULL,
                       "decode with fancy upsampling as the original does (libjpeg "
                       "do_fancy_upsampling = TRUE, its default; xalign decode --like pil)");
        } else {
            f = xa_add_finding(
                c, XA_CAUSE_DECODE_METHOD, chroma,
                "the two decodes agree on luma and differ in chroma (%.4g%% of the difference): "
                "their decoders upsample or convert the chroma differently; give the image file "
                "(--image, or a manifest decode stage) to name them",
                100 * chroma);
            xa_summary(f, "chroma differs (from the dumps)");
            xa_set_fix(c, f, "port_input", NULL, NULL,
                       "decode with the original's decoder (xalign decode --like pil|cv2 shows "
                       "both)");
        }
    } else if (c->max0 <= 24 && multi * 2 >= dpx && fabs(sum) <= 0.25 * (double)dpx) {
        /* small zero-mean differences in luma and chroma at once: two decoders' IDCTs. The
         * share of the difference carried by differences of at most 8 (an IDCT's rounding) */
        double big = 0;
        for (int64_t i = 0; i < R->count; i++) {
            double d = P->v[i] - R->v[i];
            if (fabs(d) > 8) big += d * d;
        }
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_DECODE_METHOD, xa_explained(c, big),
            "small differences (max_abs %.0f) at %.1f%% of the pixels, in two or three channels "
            "at once at %.0f%% of them, averaging zero, in luma and chroma: the pattern of two "
            "JPEG decoders' IDCTs (islow, ifast, float); give the image file (--image, or a "
            "manifest decode stage) to name them",
            c->max0, 100.0 * (double)dpx / (double)px, 100.0 * (double)multi / (double)dpx);
        xa_summary(f, "IDCT (from the dumps)");
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "decode with the original's decoder (xalign decode --like pil|cv2 shows both)");
    }
    free(yr);
    free(crr);
}

void xa_hyp_decode(diag_ctx *c) {
    const char *image = c->in->image;
    const dimg *R = &c->r, *P = &c->p;
    if (c->in->ref_in || c->in->port_in) return; /* a decode is a first stage: no input */
    c->from_inputs = 1;
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
    /* cv2.imread applies the EXIF orientation, PIL's Image.open does not: the two cv2 variants
     * (index 1: applied, 2: ignored) tell whether it is what differs */
    int exif_p = bp == 1 && !exact(on_p[2][sp]), exif_r = br == 1 && !exact(on_r[2][sr]);
    xa_finding *f = xa_add_finding(
        c, XA_CAUSE_DECODE_METHOD, 1, "port = %s, original = decode %s%s (exact), of %s%s", pd,
        variants[br], sr ? " + BGR<->RGB" : "", image,
        exif_p != exif_r ? ": the image has an EXIF orientation, which cv2.imread applies and "
                           "PIL's Image.open does not"
                         : "");
    xa_summary(f, "port = %s, original = %s", bp >= 0 ? variants[bp] : "?", variants[br]);
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

/* ---- a manifest that describes the original wrongly: the variant of its operation that does not
 * ------------------------------------------------------------------------------------------------
 */
/* Does op (a copy) with key=value reproduce `want` from `in`? */
static int variant_reproduces(const xa_op *op, const char *key, const char *value, const char *key2,
                              const char *value2, const xa_tensor *in, const xa_tensor *want,
                              const xa_tolerance *tol, char *desc, size_t dn) {
    xa_op *v = NULL;
    xa_tensor *out = NULL;
    int ok = 0;
    if (xa_op_dup(op, &v, NULL)) return 0;
    if ((!key || !xa_op_set(v, key, value, NULL)) && (!key2 || !xa_op_set(v, key2, value2, NULL)) &&
        !xa_op_run(v, &in, 1, &out, NULL) && xa_tensor_count(out) == xa_tensor_count(want)) {
        xa_cmp_options o;
        xa_cmp_options_init(&o);
        o.tol = *tol;
        o.threads = 1;
        xa_cmp_result res;
        if (!xa_compare(want, out, &o, &res, NULL)) {
            ok = res.aligned && !res.total.nonfinite_mismatch;
            xa_cmp_result_clear(&res);
        }
        if (ok) snprintf(desc, dn, "%s", xa_op_describe(v));
    }
    xa_tensor_free(out);
    xa_op_free(v);
    return ok;
}

int xa_diag_correct_op(const xa_op *op, const xa_tensor *in, const xa_tensor *want,
                       const xa_tolerance *tol, char *desc, size_t dn, char *change, size_t cn) {
    const xa_op_info *info = xa_op_get_info(op);
    if (!op || !in || !want) return 0;
    /* the wanted output's size, for SIZE parameters (images: HW, HWC, CHW, NCHW) */
    char size[64] = "";
    const int64_t *s = want->shape;
    if (want->rank == 2)
        snprintf(size, sizeof size, "%lldx%lld", (long long)s[1], (long long)s[0]);
    else if (want->rank == 3)
        snprintf(size, sizeof size, "%lldx%lld", (long long)(s[2] <= 4 ? s[1] : s[2]),
                 (long long)(s[2] <= 4 ? s[0] : s[1]));
    else if (want->rank == 4 && s[1] <= 4)
        snprintf(size, sizeof size, "%lldx%lld", (long long)s[3], (long long)s[2]);
    const char *size_key = NULL;
    for (size_t k = 0; k < info->nparams; k++)
        if (info->params[k].type == XA_PARAM_SIZE && !strcmp(info->params[k].name, "size"))
            size_key = "size";
    if (size_key && size[0] &&
        (!xa_op_get(op, size_key) || strcmp(xa_op_get(op, size_key), size)) &&
        variant_reproduces(op, size_key, size, NULL, NULL, in, want, tol, desc, dn)) {
        snprintf(change, cn, "%s=%s", size_key, size);
        return 1;
    }
    for (int with_size = 0; with_size < 2; with_size++) {
        if (with_size && !(size_key && size[0])) break;
        for (size_t k = 0; k < info->nparams; k++) {
            const xa_param_info *p = &info->params[k];
            const char *cur = xa_op_get(op, p->name);
            char curbuf[128];
            snprintf(curbuf, sizeof curbuf, "%s", cur ? cur : "");
            if (p->type == XA_PARAM_BOOL) {
                const char *alt = !strcmp(curbuf, "true") ? "false" : "true";
                if (variant_reproduces(op, p->name, alt, with_size ? size_key : NULL, size, in,
                                       want, tol, desc, dn)) {
                    snprintf(change, cn, "%s=%s%s%s", p->name, alt, with_size ? " " : "",
                             with_size ? "size=" : "");
                    if (with_size)
                        snprintf(change + strlen(change), cn - strlen(change), "%s", size);
                    return 1;
                }
            } else if (p->type == XA_PARAM_CHOICE) {
                const char *ch = xa_param_choices(p);
                for (const char *c = ch; c && *c;) {
                    const char *e = strchr(c, '|');
                    size_t l = e ? (size_t)(e - c) : strlen(c);
                    char v[64];
                    snprintf(v, sizeof v, "%.*s", (int)(l < 63 ? l : 63), c);
                    c += l + (e != NULL);
                    if (!strcmp(v, curbuf)) continue;
                    if (variant_reproduces(op, p->name, v, with_size ? size_key : NULL, size, in,
                                           want, tol, desc, dn)) {
                        snprintf(change, cn, "%s=%s%s%s", p->name, v, with_size ? " size=" : "",
                                 with_size ? size : "");
                        return 1;
                    }
                }
            }
        }
    }
    return 0;
}
