/* Diagnosis driver (include/xalign/diagnose.h): prepares the tensors, runs every hypothesis
 * family, ranks the findings and replays their fixes through the operation registry. */
#include "diag_internal.h"
#include "xalign/registry.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

const char *xa_cause_name(xa_cause c) {
    static const char *const names[XA_CAUSE_COUNT] = {
        "unknown",       "channel_order", "layout",    "normalization", "scale",
        "resize_method", "decode_method", "padding",   "shift",         "rounding",
        "saturation",    "output_order",  "precision", "memory_format", "manifest",
        "swapped",       "resize_size"};
    return (unsigned)c < XA_CAUSE_COUNT ? names[c] : "unknown";
}

/* ---- tensors as N x H x W x C doubles -------------------------------------------------------- */
xa_status xa_dimg_of(const xa_tensor *t, dimg *d, xa_error *err) {
    memset(d, 0, sizeof *d);
    int64_t n = xa_tensor_count(t);
    if (n < 0 || n > ((int64_t)1 << 28))
        return xa_fail(err, XA_ELIMIT, "diagnosis: %lld elements is more than it examines",
                       (long long)n);
    d->dtype = t->dtype;
    d->rank = t->rank;
    memcpy(d->shape, t->shape, sizeof d->shape);
    d->count = n;
    const int64_t *s = t->shape;
    int r = t->rank;
    d->n = 1, d->h = 1, d->w = n, d->c = 1;
    if (r == 2) {
        d->h = s[0], d->w = s[1];
    } else if (r == 3 && s[2] <= 4) {
        d->h = s[0], d->w = s[1], d->c = s[2];
    } else if (r == 3 && s[0] <= 4) {
        d->c = s[0], d->h = s[1], d->w = s[2], d->chw = 1;
    } else if (r == 4 && s[3] <= 4) {
        d->n = s[0], d->h = s[1], d->w = s[2], d->c = s[3];
    } else if (r == 4 && s[1] <= 4) {
        d->n = s[0], d->c = s[1], d->h = s[2], d->w = s[3], d->chw = 1;
    }
    d->image = d->h >= 2 && d->w >= 2 && d->c >= 1 && d->c <= 4;
    double *raw = malloc((size_t)(n ? n : 1) * sizeof *raw);
    d->v = malloc((size_t)(n ? n : 1) * sizeof *d->v);
    xa_tensor *c = NULL;
    if (!raw || !d->v || (t->fortran_order && t->rank > 1 && xa_tensor_dup_native(t, &c, err))) {
        free(raw);
        xa_dimg_clear(d);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    const xa_tensor *src = c ? c : t;
    xa_convert_to_f64(src->dtype, src->swapped, src->data, (size_t)n, raw);
    xa_tensor_free(c);
    if (d->chw) { /* to channels last */
        int64_t hw = d->h * d->w;
        for (int64_t b = 0; b < d->n; b++)
            for (int64_t ch = 0; ch < d->c; ch++)
                for (int64_t i = 0; i < hw; i++)
                    d->v[(b * hw + i) * d->c + ch] = raw[(b * d->c + ch) * hw + i];
        free(raw);
    } else {
        free(d->v);
        d->v = raw;
    }
    d->integral = 1;
    for (int64_t i = 0; i < n && d->integral; i++)
        if (isfinite(d->v[i]) && d->v[i] != floor(d->v[i])) d->integral = 0;
    return XA_OK;
}

void xa_dimg_clear(dimg *d) {
    free(d->v);
    memset(d, 0, sizeof *d);
}

xa_status xa_dimg_to_tensor(const dimg *d, xa_dtype dt, xa_tensor **out, xa_error *err) {
    xa_status st = xa_tensor_new(dt, d->rank, d->shape, out, err);
    if (st) return st;
    int64_t hw = d->h * d->w;
    for (int64_t b = 0; b < d->n; b++)
        for (int64_t i = 0; i < hw; i++)
            for (int64_t ch = 0; ch < d->c; ch++) {
                double v = d->v[(b * hw + i) * d->c + ch];
                int64_t k = d->chw ? (b * d->c + ch) * hw + i : (b * hw + i) * d->c + ch;
                switch (dt) {
                case XA_U8:
                    /* NaN -> 0 explicitly: converting it to int is undefined (x86 gives
                     * INT_MIN, aarch64 0) */
                    ((uint8_t *)(*out)->data)[k] = (uint8_t)(!(v > 0)   ? 0
                                                             : v >= 255 ? 255
                                                                        : (int)nearbyint(v));
                    break;
                case XA_F32:
                    ((float *)(*out)->data)[k] = (float)v;
                    break;
                case XA_F64:
                    ((double *)(*out)->data)[k] = v;
                    break;
                default:
                    xa_tensor_free(*out);
                    *out = NULL;
                    return xa_fail(err, XA_EUNSUPPORTED, "diagnosis: cannot rebuild a %s tensor",
                                   xa_dtype_name(dt));
                }
            }
    return XA_OK;
}

/* ---- energies and findings --------------------------------------------------------------------
 */
void xa_diff_energy(const double *a, const double *b, int64_t n, double *e, double *maxd) {
    double s = 0, m = 0;
    for (int64_t i = 0; i < n; i++) {
        double d = a[i] - b[i];
        if (!isfinite(d)) continue;
        s += d * d;
        if (fabs(d) > m) m = fabs(d);
    }
    *e = s;
    if (maxd) *maxd = m;
}

double xa_explained(const diag_ctx *c, double e_after) {
    if (!(c->e0 > 0)) return 0;
    double x = 1 - e_after / c->e0;
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

xa_finding *xa_add_finding(diag_ctx *c, xa_cause cause, double confidence, const char *fmt, ...) {
    xa_diagnosis *o = c->out;
    if (o->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 8;
        xa_finding *f = realloc(o->findings, cap * sizeof *f);
        if (!f) return NULL;
        o->findings = f;
        unsigned char *b = realloc(c->basis, cap);
        if (!b) return NULL;
        c->basis = b;
        c->cap = cap;
    }
    c->basis[o->n] = (unsigned char)c->from_inputs;
    xa_finding *f = &o->findings[o->n++];
    memset(f, 0, sizeof *f);
    f->cause = cause;
    f->confidence = confidence;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->evidence, sizeof f->evidence, fmt, ap);
    va_end(ap);
    return f;
}

void xa_summary(xa_finding *f, const char *fmt, ...) {
    if (!f) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->summary, sizeof f->summary, fmt, ap);
    va_end(ap);
}

xa_status xa_run_op(const char *name, const char *params, const xa_tensor *in, xa_tensor **out,
                    xa_error *err) {
    xa_op *op = NULL;
    xa_status st = xa_op_new(name, &op, err);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", params ? params : "");
    for (char *save = NULL, *kv = strtok_r(buf, " ", &save); !st && kv;
         kv = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(kv, '=');
        if (!eq) {
            st = xa_fail(err, XA_EINVAL, "%s: '%s' is not key=value", name, kv);
            break;
        }
        *eq = 0;
        st = xa_op_set(op, kv, eq + 1, err);
    }
    if (!st) st = xa_op_run(op, &in, 1, out, err);
    xa_op_free(op);
    return st;
}

double xa_compare_to_ref(const diag_ctx *c, const xa_tensor *t, int *aligned) {
    *aligned = 0;
    if (xa_tensor_count(t) != xa_tensor_count(c->in->ref)) return -1;
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.tol = c->in->tol;
    o.threads = 1;
    xa_cmp_result res;
    if (xa_compare(c->in->ref, t, &o, &res, NULL)) return -1;
    double m = res.total.max_abs;
    *aligned = res.aligned;
    if (res.total.nonfinite_mismatch) m = INFINITY;
    xa_cmp_result_clear(&res);
    return m;
}

void xa_set_fix(diag_ctx *c, xa_finding *f, const char *on, const char *op, const char *params,
                const char *fmt, ...) {
    if (!f) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(f->fix_text, sizeof f->fix_text, fmt, ap);
    va_end(ap);
    if (!op) return;
    snprintf(f->fix_op, sizeof f->fix_op, "%s", op);
    snprintf(f->fix_params, sizeof f->fix_params, "%s", params ? params : "");
    snprintf(f->fix_input, sizeof f->fix_input, "%s", on);
    f->input_differs = !strcmp(on, "port_input") && c->inputs_differ;
    const xa_tensor *in = !strcmp(on, "port_output") ? c->in->port : c->in->port_in;
    xa_tensor *out = NULL;
    if (in && !xa_run_op(op, params, in, &out, NULL)) {
        double m = xa_compare_to_ref(c, out, &f->aligned_after);
        if (m >= 0) {
            f->fix_verified = 1;
            f->max_abs_after = m;
        }
    }
    xa_tensor_free(out);
}

/* ---- the driver -------------------------------------------------------------------------------
 */
static int by_confidence(const void *a, const void *b) {
    const xa_finding *x = a, *y = b;
    if (x->confidence != y->confidence) return x->confidence > y->confidence ? -1 : 1;
    /* a verified fix that aligns the stage first */
    if (x->aligned_after != y->aligned_after) return x->aligned_after ? -1 : 1;
    return (int)x->cause - (int)y->cause;
}

void xa_diagnosis_clear(xa_diagnosis *d) {
    if (!d) return;
    free(d->findings);
    memset(d, 0, sizeof *d);
}

/* The families in the order they run: the cheap ones that can show the stage only inherits its
 * difference come first, so the costly searches are skipped when they do. */
typedef struct {
    const char *name;
    void (*run)(diag_ctx *c);
    int same_shape; /* needs outputs of one shape that differ */
} family;

static void hyp_unknown_family(diag_ctx *c) {
    (void)c; /* run by the driver after ranking; listed for the timing table */
}

static const family families[XA_DIAG_FAMILIES - 1] = {
    {"original", xa_hyp_original, 0}, {"same-op", xa_hyp_same_op, 0},
    {"layout", xa_hyp_layout, 0},     {"channels", xa_hyp_channels, 1},
    {"affine", xa_hyp_affine, 1},     {"spatial", xa_hyp_spatial, 1},
    {"values", xa_hyp_values, 1},     {"orientation", xa_hyp_orientation, 0},
    {"resize", xa_hyp_resize, 0},     {"window", xa_hyp_window, 0},
    {"decode", xa_hyp_decode, 0},
};

const char *xa_diag_family_name(int i) {
    if (i == 0) return "prepare";
    if (i >= 1 && i < XA_DIAG_FAMILIES) return families[i - 1].name;
    (void)hyp_unknown_family;
    return "?";
}

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Do the stage's two inputs differ? Under the tolerance their dtypes take by default: inputs that
 * agree within it are what an aligned previous stage hands on. */
static void compare_inputs(diag_ctx *c) {
    const xa_tensor *a = c->in->ref_in, *b = c->in->port_in;
    if (!a || !b) return;
    if (xa_tensor_count(a) != xa_tensor_count(b)) {
        c->inputs_differ = 1;
        snprintf(c->inputs_text, sizeof c->inputs_text, "their shapes differ");
        return;
    }
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.threads = 1;
    xa_cmp_result res;
    if (xa_compare(a, b, &o, &res, NULL)) return;
    c->inputs_same = res.total.equal == res.total.count && a->dtype == b->dtype &&
                     a->rank == b->rank &&
                     !memcmp(a->shape, b->shape, (size_t)a->rank * sizeof a->shape[0]);
    /* inputs of other layouts (HWC vs CHW) are compared in the permutation that fits best, not
     * element by element in storage order */
    enum { MAXP = 8 };
    xa_permutation perms[MAXP];
    xa_cmp_result pres[MAXP];
    size_t np = 0, best = MAXP;
    if (!xa_compare_permutations(a, b, &o, perms, pres, MAXP, &np, NULL))
        for (size_t i = 0; i < np; i++)
            if (pres[i].total.max_abs <
                (best < MAXP ? pres[best].total.max_abs : res.total.max_abs))
                best = i;
    /* the storage order decides whether they differ (what the next operation reads, a model
     * fed NHWC bytes as NCHW included); the text gives the figures of the best layout */
    const xa_cmp_result *use = best < MAXP ? &pres[best] : &res;
    if (!res.aligned) {
        c->inputs_differ = 1;
        char pt[64] = "";
        size_t q = 0;
        for (int k = 0; best < MAXP && k < perms[best].rank && q < sizeof pt; k++)
            q += (size_t)snprintf(pt + q, sizeof pt - q, k ? ", %d" : "%d", perms[best].perm[k]);
        if (best < MAXP && use->aligned)
            snprintf(c->inputs_text, sizeof c->inputs_text,
                     "the same values in another layout: the port's input transposed by (%s)", pt);
        else
            snprintf(c->inputs_text, sizeof c->inputs_text,
                     "max_abs %.6g, %lld of %lld differ%s%s%s", use->total.max_abs,
                     (long long)(use->total.count - use->total.equal), (long long)use->total.count,
                     best < MAXP ? ", the port's input transposed by (" : "", pt,
                     best < MAXP ? ")" : "");
    }
    for (size_t i = 0; i < np; i++) xa_cmp_result_clear(&pres[i]);
    xa_cmp_result_clear(&res);
}

/* Keep the best finding of each cause (the list is sorted best first). */
static void dedupe(xa_diagnosis *out) {
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        int seen = 0;
        for (size_t j = 0; j < k && !seen; j++)
            seen = out->findings[j].cause == out->findings[i].cause;
        if (!seen) out->findings[k++] = out->findings[i];
    }
    out->n = k;
}

xa_status xa_diagnose_timed(const xa_diagnose_input *in, xa_diagnosis *out, double *seconds,
                            xa_error *err) {
    memset(out, 0, sizeof *out);
    if (!in || !in->ref || !in->port) return xa_fail(err, XA_EINVAL, "diagnose: no tensors");
    if (in->image) { /* a path that cannot be read would only lose the decode hypotheses */
        xa_tensor *bytes = NULL;
        xa_status bs = xa_load_bytes(in->image, &bytes, err);
        if (bs) return bs;
        const unsigned char *b = bytes->data;
        int known = (bytes->nbytes >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) ||
                    (bytes->nbytes >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8));
        xa_tensor_free(bytes);
        if (!known)
            return xa_fail(err, XA_EFORMAT, "%s: not a JPEG or PNG file (the image to decode)",
                           in->image);
    }
    double t0 = seconds ? now_seconds() : 0;
    diag_ctx c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.out = out;
    c.tol = xa_tolerance_resolve(&in->tol, in->ref->dtype, in->port->dtype);
    xa_status st = xa_dimg_of(in->ref, &c.r, err);
    if (!st) st = xa_dimg_of(in->port, &c.p, err);
    if (!st && in->ref_in) st = xa_dimg_of(in->ref_in, &c.ri, err);
    if (!st && in->port_in) st = xa_dimg_of(in->port_in, &c.pi, err);
    if (st) goto done;
    c.same_shape = c.r.count == c.p.count && c.r.n == c.p.n && c.r.h == c.p.h && c.r.w == c.p.w &&
                   c.r.c == c.p.c && c.r.chw == c.p.chw;
    if (c.r.count == c.p.count) {
        xa_diff_energy(c.r.v, c.p.v, c.r.count, &c.e0, &c.max0);
        for (int64_t i = 0; i < c.r.count; i++) c.ndiff += c.r.v[i] != c.p.v[i];
    }
    /* already aligned? nothing to explain */
    if (c.r.count == c.p.count && xa_tensor_count(in->ref) == xa_tensor_count(in->port)) {
        int aligned;
        double m = xa_compare_to_ref(&c, in->port, &aligned);
        int same_rank_shape = in->ref->rank == in->port->rank &&
                              !memcmp(in->ref->shape, in->port->shape,
                                      (size_t)in->ref->rank * sizeof in->ref->shape[0]);
        if (m >= 0 && aligned && same_rank_shape) {
            out->aligned = 1;
            snprintf(out->note, sizeof out->note, "aligned: no cause to look for");
            goto done;
        }
    }
    compare_inputs(&c);
    if (seconds) seconds[0] += now_seconds() - t0;
    for (int k = 0; k < XA_DIAG_FAMILIES - 1 && !c.inherited[0]; k++) {
        if (families[k].same_shape && !(c.same_shape && c.e0 > 0)) continue;
        double t = seconds ? now_seconds() : 0;
        c.from_inputs = 0;
        families[k].run(&c);
        if (seconds) seconds[k + 1] += now_seconds() - t;
    }
    if (c.inherited[0]) { /* the stage's own operation is the same on both sides */
        out->n = 0;
        out->inherited = 1;
        snprintf(out->note, sizeof out->note, "inherits its difference: %.480s", c.inherited);
        goto done;
    }
    /* findings that explain less than half of the difference are not findings; on a stage whose
     * input already differs, one that only compares the outputs is a finding only when its fix
     * aligns the stage: otherwise it may describe the inherited difference */
    size_t k = 0;
    for (size_t i = 0; i < out->n; i++) {
        const xa_finding *f = &out->findings[i];
        if (f->confidence < 0.5) continue;
        if (c.inputs_differ && !c.own_error && !c.basis[i] && !f->aligned_after) continue;
        out->findings[k++] = *f;
    }
    out->n = k;
    if (out->n) qsort(out->findings, out->n, sizeof *out->findings, by_confidence);
    dedupe(out);
    /* a best finding whose fix is verified to align the stage is the cause: another that does
     * not align it is an alternative reading of the same difference, not a second cause */
    if (out->n && out->findings[0].fix_verified && out->findings[0].aligned_after) {
        k = 1;
        for (size_t i = 1; i < out->n; i++)
            if (out->findings[i].fix_verified && out->findings[i].aligned_after)
                out->findings[k++] = out->findings[i];
        out->n = k;
    }
    if (!out->n && c.inputs_differ && !c.own_error) {
        out->inherited = 2;
        snprintf(out->note, sizeof out->note,
                 "may only inherit its difference: its input already differs (%s) and no "
                 "operation of its own explains the difference",
                 c.inputs_text);
    } else if (!out->n) {
        xa_hyp_unknown(&c);
    }
done:
    free(c.basis);
    xa_dimg_clear(&c.r);
    xa_dimg_clear(&c.p);
    xa_dimg_clear(&c.ri);
    xa_dimg_clear(&c.pi);
    if (st) xa_diagnosis_clear(out);
    return st;
}

xa_status xa_diagnose(const xa_diagnose_input *in, xa_diagnosis *out, xa_error *err) {
    return xa_diagnose_timed(in, out, NULL, err);
}

xa_status xa_dimg_hwc(const dimg *d, xa_tensor **out, xa_error *err) {
    int64_t shape[3] = {d->h, d->w, d->c};
    xa_dtype dt = d->dtype == XA_U8 ? XA_U8 : XA_F32;
    xa_status st = xa_tensor_new(dt, 3, shape, out, err);
    if (st) return st;
    int64_t n = d->h * d->w * d->c;
    for (int64_t i = 0; i < n; i++) {
        if (dt == XA_U8)
            ((uint8_t *)(*out)->data)[i] = (uint8_t)d->v[i];
        else
            ((float *)(*out)->data)[i] = (float)d->v[i];
    }
    return XA_OK;
}

void xa_hwc_energy(const xa_tensor *t, const dimg *d, double *e, double *maxd) {
    int64_t n = d->h * d->w * d->c;
    double s = 0, m = 0;
    if (xa_tensor_count(t) != n) {
        *e = INFINITY;
        if (maxd) *maxd = INFINITY;
        return;
    }
    for (int64_t i = 0; i < n; i++) {
        double v = t->dtype == XA_U8 ? ((const uint8_t *)t->data)[i] : ((const float *)t->data)[i];
        double x = d->v[i] - v;
        if (!isfinite(x)) continue;
        s += x * x;
        if (fabs(x) > m) m = fabs(x);
    }
    *e = s;
    if (maxd) *maxd = m;
}
