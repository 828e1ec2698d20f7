/* Hypotheses tested on the two outputs alone: layout, channel order, a per-channel affine map
 * (normalisation, scale), spatial offset, borders, orientation, rounding, saturation, precision;
 * and the description of an unexplained difference. */
#include "diag_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PX(d, b, y, x, ch) ((d)->v[((((b) * (d)->h + (y)) * (d)->w + (x)) * (d)->c) + (ch)])

static const char *fmtn(double v, char *buf, size_t n) {
    snprintf(buf, n, "%.6g", v);
    return buf;
}

/* "(a, b, c)" of n values with 6 significant digits */
static void tuple(const double *v, int n, char *buf, size_t size) {
    size_t o = (size_t)snprintf(buf, size, "(");
    for (int i = 0; i < n && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, i ? ", %.6g" : "%.6g", v[i]);
    if (o < size) snprintf(buf + o, size - o, ")");
}

/* "0.485,0.456,0.406": values for a registry parameter */
static void plist(const double *v, int n, int digits, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = 0;
    for (int i = 0; i < n && o < size; i++)
        o += (size_t)snprintf(buf + o, size - o, i ? ",%.*g" : "%.*g", digits, v[i]);
}

/* ---- layout: axis permutations and the batch axis ----------------------------------------------
 */
void xa_hyp_layout(diag_ctx *c) {
    const xa_tensor *R = c->in->ref, *P = c->in->port;
    if (xa_tensor_count(R) != xa_tensor_count(P)) return;
    if (R->rank == P->rank && !memcmp(R->shape, P->shape, (size_t)R->rank * sizeof R->shape[0]))
        return;
    xa_permutation perms[8];
    size_t n = xa_shape_permutations(R, P, perms, 8);
    double best = INFINITY;
    size_t bi = 0;
    int best_aligned = 0;
    for (size_t i = 0; i < n; i++) {
        xa_tensor *t = NULL;
        if (xa_tensor_permute(P, &perms[i], &t, NULL)) continue;
        int al;
        double m = xa_compare_to_ref(c, t, &al);
        dimg d;
        double e = INFINITY;
        if (m >= 0 && !xa_dimg_of(t, &d, NULL)) {
            xa_diff_energy(c->r.v, d.v, c->r.count, &e, NULL);
            xa_dimg_clear(&d);
        }
        xa_tensor_free(t);
        if (e < best || (e == best && al && !best_aligned)) best = e, bi = i, best_aligned = al;
    }
    if (!n || !isfinite(best)) return;
    /* energy before: the values in storage order (what a reshape would compare) */
    double conf = c->e0 > 0 ? xa_explained(c, best) : (best == 0 ? 1 : 0);
    if (best == 0 || best_aligned) conf = 1;
    char rs[128], ps[128], pt[64] = "(";
    size_t o = 1;
    for (int k = 0; k < perms[bi].rank; k++)
        o += (size_t)snprintf(pt + o, sizeof pt - o, k ? ", %d" : "%d", perms[bi].perm[k]);
    snprintf(pt + o, sizeof pt - o, ")");
    xa_shape_format(R->rank, R->shape, rs, sizeof rs);
    xa_shape_format(P->rank, P->shape, ps, sizeof ps);
    int batch = perms[bi].squeezed && R->rank != P->rank;
    int is_id = 1;
    for (int k = 0; k < perms[bi].rank; k++) is_id &= perms[bi].perm[k] == k;
    xa_finding *f;
    if (batch && is_id) {
        f = xa_add_finding(c, XA_CAUSE_LAYOUT, conf,
                           "the port %s and the reference %s differ only by a batch axis of 1; "
                           "with it %s",
                           ps, rs, best_aligned ? "they are aligned" : "they still differ");
        xa_summary(f, "batch axis: port %s, reference %s", ps, rs);
    } else {
        f = xa_add_finding(c, XA_CAUSE_LAYOUT, conf,
                           "the port %s is the reference %s with its axes in another order: "
                           "transposed by %s%s it is %s",
                           ps, rs, pt, perms[bi].squeezed ? " (after dropping axes of 1)" : "",
                           best_aligned ? "aligned" : "closer but not aligned");
        xa_summary(f, "port %s = reference %s transposed by %s", ps, rs, pt);
    }
    /* the registered operation that reorders the port like the reference */
    const char *op = NULL;
    int r = R->rank, pr = P->rank;
    const int *pp = perms[bi].perm;
    if (r == pr && !perms[bi].squeezed) {
        if ((r == 3 && pp[0] == 2 && pp[1] == 0 && pp[2] == 1) ||
            (r == 4 && pp[0] == 0 && pp[1] == 3 && pp[2] == 1 && pp[3] == 2))
            op = "hwc2chw";
        else if ((r == 3 && pp[0] == 1 && pp[1] == 2 && pp[2] == 0) ||
                 (r == 4 && pp[0] == 0 && pp[1] == 2 && pp[2] == 3 && pp[3] == 1))
            op = "chw2hwc";
    } else if (batch && is_id && r == pr + 1 && R->shape[0] == 1) {
        op = "add-batch";
    } else if (perms[bi].squeezed && r == 4 && pr == 3 && R->shape[0] == 1 && perms[bi].rank == 3 &&
               pp[0] == 2 && pp[1] == 0 && pp[2] == 1) {
        op = "hwc2chw"; /* H x W x C -> 1 x C x H x W: then a batch axis */
        xa_set_fix(c, f, "port_output", op, "",
                   "give the port's tensor the reference's layout: HWC to CHW, then a batch axis "
                   "(xalign hwc2chw, add-batch; np.transpose(x, (2, 0, 1))[None] in the port)");
        return;
    }
    if (op)
        xa_set_fix(c, f, "port_output", op, "",
                   "give the port's tensor the reference's layout (xalign %s; np.transpose / "
                   "tensor.permute / unsqueeze in the port)",
                   op);
    else
        xa_set_fix(c, f, "port_output", NULL, NULL,
                   "transpose the port's tensor by %s before this stage", pt);
}

/* ---- channel order ------------------------------------------------------------------------------
 */
void xa_hyp_channels(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    if (!R->image || R->c < 2) return;
    int nc = (int)R->c, perm[4] = {0, 1, 2, 3}, best[4];
    double be = INFINITY, bm = 0;
    int64_t px = R->n * R->h * R->w;
    while (xa_next_permutation(perm, nc)) {
        double e = 0, m = 0;
        for (int64_t i = 0; i < px && e < be; i++)
            for (int ch = 0; ch < nc; ch++) {
                double d = R->v[i * nc + ch] - P->v[i * nc + perm[ch]];
                if (!isfinite(d)) continue;
                e += d * d;
                if (fabs(d) > m) m = fabs(d);
            }
        if (e < be) {
            be = e, bm = m;
            memcpy(best, perm, sizeof best);
        }
    }
    double conf = xa_explained(c, be);
    if (conf < 0.5) return;
    int swap02 = best[0] == 2 && best[1] == 1 && best[2] == 0 && (nc == 3 || best[3] == 3);
    char a[32], b[32], order[64] = "(";
    size_t o = 1;
    for (int k = 0; k < nc; k++)
        o += (size_t)snprintf(order + o, sizeof order - o, k ? ", %d" : "%d", best[k]);
    snprintf(order + o, sizeof order - o, ")");
    xa_finding *f;
    if (swap02)
        f = xa_add_finding(c, XA_CAUSE_CHANNEL_ORDER, conf,
                           "the port's channels 0 and 2 are swapped (BGR vs RGB): swapping them "
                           "takes max_abs from %s to %s",
                           fmtn(c->max0, a, sizeof a), fmtn(bm, b, sizeof b));
    else
        f = xa_add_finding(c, XA_CAUSE_CHANNEL_ORDER, conf,
                           "the port's channels are in another order: taking them in the order "
                           "%s takes max_abs from %s to %s",
                           order, fmtn(c->max0, a, sizeof a), fmtn(bm, b, sizeof b));
    if (swap02)
        xa_summary(f, "BGR vs RGB");
    else
        xa_summary(f, "channels in the order %s", order);
    if (swap02)
        xa_set_fix(c, f, "port_output", "bgr2rgb", R->chw ? "layout=chw" : "layout=hwc",
                   "convert the port's image between BGR and RGB where it is made "
                   "(cv2.cvtColor(img, cv2.COLOR_BGR2RGB); xalign bgr2rgb), with any "
                   "per-channel constants after it in RGB order");
    else
        xa_set_fix(c, f, "port_output", NULL, NULL,
                   "reorder the port's channels to %s where its image is made", order);
}

/* ---- per-channel affine maps: normalisation and scale ------------------------------------------
 */
typedef struct {
    double a, b, resid; /* y = a*x + b per channel, residual energy */
} fit1;

/* Least-squares y = a*x + b for each channel of two images of the same size. Returns 0 when a
 * channel is constant in x (no fit). */
static int fit_affine(const dimg *X, const dimg *Y, fit1 *f, double *resid_total) {
    int nc = (int)Y->c;
    int64_t px = Y->n * Y->h * Y->w;
    *resid_total = 0;
    for (int ch = 0; ch < nc; ch++) {
        double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
        for (int64_t i = 0; i < px; i++) {
            double x = X->v[i * nc + ch], y = Y->v[i * nc + ch];
            if (!isfinite(x) || !isfinite(y)) continue;
            sx += x, sy += y, sxx += x * x, sxy += x * y, n++;
        }
        double den = n * sxx - sx * sx;
        if (!(n > 1) || !(fabs(den) > 1e-12 * (n * sxx + 1e-300))) return 0;
        f[ch].a = (n * sxy - sx * sy) / den;
        f[ch].b = (sy - f[ch].a * sx) / n;
        double r = 0;
        for (int64_t i = 0; i < px; i++) {
            double x = X->v[i * nc + ch], y = Y->v[i * nc + ch];
            if (!isfinite(x) || !isfinite(y)) continue;
            double d = y - (f[ch].a * x + f[ch].b);
            r += d * d;
        }
        f[ch].resid = r;
        *resid_total += r;
    }
    return 1;
}

static int near_rel(double x, double want, double rel) {
    return fabs(x - want) <= rel * fabs(want);
}

/* sum of squares of the finite values */
static double energy(const dimg *d) {
    double s = 0;
    for (int64_t i = 0; i < d->count; i++)
        if (isfinite(d->v[i])) s += d->v[i] * d->v[i];
    return s;
}

/* mean/std a normalisation applied to an input implies: y = (x/k - mean)/std, k = 255 for 0..255
 * inputs and 1 for 0..1 inputs: a = 1/(k std), b = -mean/std. */
static void implied(const fit1 *f, int nc, double k, double *mean, double *std) {
    for (int ch = 0; ch < nc; ch++) {
        std[ch] = 1 / (k * f[ch].a);
        mean[ch] = -f[ch].b * std[ch];
    }
}

static double input_scale(const dimg *x) {
    double mx = 0;
    for (int64_t i = 0; i < x->count; i++)
        if (isfinite(x->v[i]) && fabs(x->v[i]) > mx) mx = fabs(x->v[i]);
    return x->integral && mx > 1.5 ? 255 : 1; /* 0..255 pixels, or 0..1 after ToTensor */
}

/* How two mean/std triples relate: reversed order, a missing std, equal. */
static void relate(const double *pm, const double *ps, const double *rm, const double *rs, int nc,
                   char *buf, size_t size) {
    int rev_m = nc >= 3, rev_s = nc >= 3, eq_m = 1, eq_s = 1, one_s = 1, zero_m = 1;
    for (int ch = 0; ch < nc; ch++) {
        int o = nc - 1 - ch;
        rev_m &= near_rel(pm[ch], rm[o], 2e-3);
        rev_s &= near_rel(ps[ch], rs[o], 2e-3);
        eq_m &= fabs(pm[ch] - rm[ch]) <= 2e-3 * fabs(rm[ch]) + 1e-6;
        eq_s &= near_rel(ps[ch], rs[ch], 2e-3);
        one_s &= near_rel(ps[ch], 1, 2e-3);
        zero_m &= fabs(pm[ch]) < 1e-6;
    }
    int sym_m = 1, sym_s = 1; /* a reversal of a palindrome is no evidence */
    for (int ch = 0; ch < nc; ch++) {
        sym_m &= near_rel(rm[ch], rm[nc - 1 - ch], 1e-9);
        sym_s &= near_rel(rs[ch], rs[nc - 1 - ch], 1e-9);
    }
    size_t o = 0;
    buf[0] = 0;
    if (rev_m && !eq_m && !sym_m)
        o += (size_t)snprintf(buf + o, size - o, "; port mean = reference mean reversed");
    if (rev_s && !eq_s && !sym_s)
        o += (size_t)snprintf(buf + o, size - o, "; port std = reference std reversed");
    if (one_s && !eq_s) o += (size_t)snprintf(buf + o, size - o, "; the port divides by no std");
    if (zero_m && !eq_m) o += (size_t)snprintf(buf + o, size - o, "; the port subtracts no mean");
    if (eq_m && !eq_s && !one_s && !rev_s)
        o += (size_t)snprintf(buf + o, size - o, "; the means agree, the stds differ");
    if (eq_s && !eq_m && !rev_m && !zero_m)
        snprintf(buf + o, size - o, "; the stds agree, the means differ");
}

/* The mean/std a side's normalisation implies from its own input, when an exact per-channel
 * affine map connects them (y = (x/k - mean)/std). */
static int side_norm(const dimg *in, const dimg *out, fit1 *f, double *mean, double *std) {
    double resid;
    if (!in->count || in->count != out->count || in->c != out->c || in->h != out->h ||
        in->w != out->w || in->c > 4 || !fit_affine(in, out, f, &resid))
        return 0;
    if (!(resid <= 1e-8 * energy(out) + 1e-300)) return 0;
    int identity = 1;
    for (int ch = 0; ch < out->c; ch++) identity &= f[ch].a == 1 && f[ch].b == 0;
    if (identity) return 0; /* no normalisation: a copy or a layout change */
    implied(f, (int)out->c, input_scale(in), mean, std);
    return 1;
}

/* mean/std of the manifest's operation (normalize, to-tensor-normalize, ...), broadcast to nc */
static int manifest_norm(const xa_op *op, int nc, double *mean, double *std) {
    if (!op) return 0;
    const char *keys[2] = {"mean", "std"};
    double *dst[2] = {mean, std};
    for (int k = 0; k < 2; k++) {
        const char *v = xa_op_get(op, keys[k]);
        if (!v) return 0;
        char buf[1024];
        snprintf(buf, sizeof buf, "%s", v);
        int n = 0;
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t && n < 4;
             t = strtok_r(NULL, ",", &save))
            dst[k][n++] = strtod(t, NULL);
        if (n == 1)
            for (; n < nc; n++) dst[k][n] = dst[k][0];
        if (n != nc) return 0;
    }
    return 1;
}

void xa_hyp_affine(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    int nc = (int)R->c;
    if (nc > 4) return;
    fit1 f[4], fp[4], fr[4];
    double pm[4], ps[4], rm[4], rs[4], resid = INFINITY;
    int have_p = side_norm(&c->pi, P, fp, pm, ps);
    int have_r = side_norm(&c->ri, R, fr, rm, rs);
    if (have_p && have_r) {
        /* the same map y = a*x + b on both sides is the same operation, whatever the inputs'
         * ranges (the mean/std it implies depend on the range, which may be what differs) */
        double xmax = 0; /* the fits' intercepts are as precise as the larger input range */
        for (int64_t i = 0; i < c->ri.count; i++)
            if (isfinite(c->ri.v[i]) && fabs(c->ri.v[i]) > xmax) xmax = fabs(c->ri.v[i]);
        for (int64_t i = 0; i < c->pi.count; i++)
            if (isfinite(c->pi.v[i]) && fabs(c->pi.v[i]) > xmax) xmax = fabs(c->pi.v[i]);
        int same = 1;
        for (int ch = 0; ch < nc; ch++)
            same &= near_rel(fp[ch].a, fr[ch].a, 1e-6) &&
                    fabs(fp[ch].b - fr[ch].b) <= 1e-6 * (fabs(fr[ch].b) + fabs(fr[ch].a) * xmax);
        if (same) {
            char m1[160], s1[160];
            double av[4], bv[4];
            for (int ch = 0; ch < nc; ch++) av[ch] = fr[ch].a, bv[ch] = fr[ch].b;
            tuple(av, nc, m1, sizeof m1);
            tuple(bv, nc, s1, sizeof s1);
            snprintf(c->inherited, sizeof c->inherited,
                     "both sides apply the same per-channel map y = a*x + b to their own input "
                     "(a = %s, b = %s): the difference comes from the input",
                     m1, s1);
            return;
        }
    }
    /* the inputs already differ, and each side's own map is known exactly: the maps differing is
     * the stage's own error, whatever its input brings (a second mistake after the first one) */
    /* the port passes its input on unchanged where the original scales it (a missing /255
     * after an earlier mistake): the stage's own error, found from the inputs */
    if (have_r && !have_p && c->inputs_differ && c->pi.count == P->count && c->pi.h == P->h &&
        c->pi.w == P->w && c->pi.c == P->c) {
        int copy = 1, one_a = 1, no_b = 1;
        for (int64_t i = 0; i < P->count && copy; i++) copy = c->pi.v[i] == P->v[i];
        for (int ch = 0; ch < nc; ch++) {
            one_a &= near_rel(fr[ch].a, fr[0].a, 1e-4);
            no_b &= fabs(fr[ch].b) <= 1e-6 * fabs(fr[ch].a) * 255;
        }
        if (copy && one_a && no_b && fabs(fr[0].a - 1) > 1e-3) {
            char x[64];
            double k = 1 / fr[0].a;
            c->from_inputs = 1;
            xa_finding *fd = xa_add_finding(
                c, XA_CAUSE_SCALE, 1,
                "the original divides its input by %s, the port passes its input on unchanged "
                "(each side found from its own input: this is the stage's own error; the rest "
                "comes from its input, which already differs)%s",
                fmtn(k, x, sizeof x), near_rel(k, 255, 1e-3) ? ": the port is missing a /255" : "");
            c->from_inputs = 0;
            xa_summary(fd, "port does not divide by %s", fmtn(k, x, sizeof x));
            char pr[96];
            snprintf(pr, sizeof pr, "alpha=%.17g beta=0%s", fr[0].a, R->chw ? " layout=chw" : "");
            xa_set_fix(c, fd, "port_input", "convert-to", pr, "divide by %s as the original does",
                       fmtn(k, x, sizeof x));
            return;
        }
    }
    int own_maps = have_p && have_r && c->inputs_differ;
    /* ... read at the original's input range: the port's input range may be the upstream
     * mistake (a missing /255), which is not this stage's */
    if (own_maps) implied(fp, nc, input_scale(&c->ri), pm, ps);
    if (!have_r) have_r = manifest_norm(c->in->original, nc, rm, rs);
    int fitted = fit_affine(R, P, f, &resid);
    double conf = fitted ? xa_explained(c, resid) : 0;
    int identity = 1;
    for (int ch = 0; fitted && ch < nc; ch++)
        identity &= near_rel(f[ch].a, 1, 1e-6) && fabs(f[ch].b) < 1e-9;
    if (fitted && identity) conf = 0;
    /* a map that leaves more than float rounding of the difference is a coincidence of values
     * (logits of a retrained layer are nearly an affine map of the original's), not a
     * normalisation: unless each side's own normalisation was found from its input, only an
     * exact map (to float32 rounding: 1e-6 of the difference) of an image-like tensor (channels
     * of at least 16 values each) is a finding */
    if (!(have_p && have_r) && (conf < 1 - 1e-6 || !R->image || R->n * R->h * R->w < 16)) conf = 0;
    /* scale: port = k * reference with one k for every channel and no offset -- the map through
     * the origin must explain the difference by itself, and k must be a scale (not 1) */
    if (fitted && conf >= 0.5 && !own_maps) { /* own maps: the outputs' map mixes in the input */
        int same_a = 1, no_b = 1;
        double range = 0;
        for (int64_t i = 0; i < R->count; i++)
            if (isfinite(R->v[i]) && fabs(R->v[i]) > range) range = fabs(R->v[i]);
        for (int ch = 0; ch < nc; ch++) { /* one k in every channel (1e-4), no offset */
            same_a &= near_rel(f[ch].a, f[0].a, 1e-4);
            no_b &= fabs(f[ch].b) <= 1e-4 * (fabs(f[ch].a) * range + 1e-12);
        }
        double k = f[0].a, conf_k = conf;
        if (same_a && no_b && fabs(k - 1) > 1e-3) {
            char x[64];
            const char *what = near_rel(k, 255, 1e-3) ? ": the port is missing a /255"
                               : near_rel(k, 1 / 255.0, 1e-3)
                                   ? ": the port divides by 255 once too often"
                                   : ": an input scale differs";
            xa_finding *fd = xa_add_finding(c, XA_CAUSE_SCALE, conf_k,
                                            "the port is the reference times %s in every channel "
                                            "(no offset; this explains %.4g%% of the "
                                            "difference)%s",
                                            fmtn(k, x, sizeof x), 100 * conf_k, what);
            xa_summary(fd, "port = reference x %s", fmtn(k, x, sizeof x));
            char p[96];
            snprintf(p, sizeof p, "alpha=%.17g beta=0%s", 1 / k, R->chw ? " layout=chw" : "");
            xa_set_fix(c, fd, "port_output", "convert-to", p,
                       "scale the port's values by %.9g (%s)", 1 / k,
                       near_rel(k, 255, 1e-3) ? "divide by 255 as the original does"
                                              : "as the original");
            return;
        }
    }
    /* without the port's own fit: its mean/std from the reference's and port = a*ref + b, since
     * ref = (x - rm)/rs: port std = rs/a, mean = rm - b*std */
    if (have_r && !have_p && fitted && conf >= 0.5) {
        for (int ch = 0; ch < nc; ch++) {
            ps[ch] = rs[ch] / f[ch].a;
            pm[ch] = rm[ch] - f[ch].b * ps[ch];
        }
        have_p = 1;
    }
    /* a normalisation finding needs the output-level map, or both sides' own normalisations */
    int sides = have_p && have_r && c->pi.count;
    if (sides && conf < 0.5) {
        /* the reference's constants on the port's input: how much would they explain? */
        double e = 0;
        int64_t px = P->n * P->h * P->w;
        double k = input_scale(&c->pi);
        for (int64_t i = 0; i < px; i++)
            for (int ch = 0; ch < nc; ch++) {
                double y = (c->pi.v[i * nc + ch] / k - rm[ch]) / rs[ch];
                double d = R->v[i * nc + ch] - y;
                if (isfinite(d)) e += d * d;
            }
        conf = xa_explained(c, e);
    }
    if (own_maps) conf = 1, fitted = 0; /* the outputs' map mixes in the input's difference */
    if (conf < 0.5) return;
    c->from_inputs = own_maps;
    char ev[768], at[160], bt[160];
    size_t o = 0;
    ev[0] = 0;
    if (fitted) {
        double av[4], bv[4];
        for (int ch = 0; ch < nc; ch++) av[ch] = f[ch].a, bv[ch] = f[ch].b;
        tuple(av, nc, at, sizeof at);
        tuple(bv, nc, bt, sizeof bt);
        o += (size_t)snprintf(ev, sizeof ev, "per channel, port = a*ref + b with a = %s, b = %s",
                              at, bt);
    }
    if (have_p && o < sizeof ev) {
        char m1[160], s1[160];
        tuple(pm, nc, m1, sizeof m1);
        tuple(ps, nc, s1, sizeof s1);
        o += (size_t)snprintf(ev + o, sizeof ev - o, "%sport mean %s, std %s", o ? "; " : "", m1,
                              s1);
    }
    if (have_r && o < sizeof ev) {
        char m1[160], s1[160];
        tuple(rm, nc, m1, sizeof m1);
        tuple(rs, nc, s1, sizeof s1);
        o += (size_t)snprintf(ev + o, sizeof ev - o, "; reference mean %s, std %s", m1, s1);
    }
    char rel[256] = "";
    if (have_p && have_r) relate(pm, ps, rm, rs, nc, rel, sizeof rel);
    if (rel[0] && o < sizeof ev) o += (size_t)snprintf(ev + o, sizeof ev - o, "%s", rel);
    if (have_p && c->pi.count == P->count && input_scale(&c->pi) == 255 && o < sizeof ev &&
        side_norm(&c->pi, P, fp, pm, ps)) { /* as sail's convert_to: y = alpha*x + beta */
        double al[4], be[4];
        char t1[160], t2[160];
        for (int ch = 0; ch < nc; ch++) al[ch] = fp[ch].a, be[ch] = fp[ch].b;
        tuple(al, nc, t1, sizeof t1);
        tuple(be, nc, t2, sizeof t2);
        o += (size_t)snprintf(ev + o, sizeof ev - o, "; as convert_to: port alpha %s, beta %s", t1,
                              t2);
    }
    if (o < sizeof ev && own_maps)
        snprintf(ev + o, sizeof ev - o,
                 " (each side's map found from its own input: this is the stage's own error; "
                 "the rest of the difference comes from its input, which already differs)");
    else if (o < sizeof ev)
        snprintf(ev + o, sizeof ev - o, " (explains %.4g%% of the difference)", 100 * conf);
    xa_finding *fd = xa_add_finding(c, XA_CAUSE_NORMALIZATION, conf, "%s", ev);
    c->from_inputs = 0;
    if (rel[0])
        xa_summary(fd, "%s", rel + 2); /* "port mean = reference mean reversed; ..." */
    else if (have_p)
        xa_summary(fd, "port mean/std differ from the reference's");
    else
        xa_summary(fd, "per-channel scale and offset");
    if (!have_r) {
        xa_set_fix(c, fd, "port_input", NULL, NULL,
                   "use the reference's normalisation constants (give the stage inputs or a "
                   "manifest to have them named)");
        return;
    }
    /* the constants as people write them (0.485, not 0.485000017) when the replay still aligns
     * with them; else the fitted values at float precision */
    /* numpy's constants are float64 (Python floats) or float32 arrays: both are tried */
    for (int digits = 4, cd = 0; digits <= 9; cd ? (digits += 5, cd = 0) : (cd = 1)) {
        char mp[256], sp[256], params[600];
        plist(rm, nc, digits, mp, sizeof mp);
        plist(rs, nc, digits, sp, sizeof sp);
        const char *op = NULL;
        if (c->in->port_in && c->pi.count == P->count) {
            /* the original's operation: with inputs that differ, the original's input range */
            int u8in = input_scale(own_maps && c->ri.count ? &c->ri : &c->pi) == 255;
            if (u8in && R->chw && !c->pi.chw) {
                op = "to-tensor-normalize";
                snprintf(params, sizeof params, "mean=%s std=%s", mp, sp);
            } else if (!u8in && R->chw && c->pi.chw) {
                op = "normalize";
                snprintf(params, sizeof params, "mean=%s std=%s", mp, sp);
            } else if (!R->chw && !c->pi.chw) { /* the port normalises HWC arrays in numpy: from
                                                 * 0..255 (img / 255 - mean) / std, from 0..1
                                                 * (img - mean) / std */
                op = "numpy-normalize";
                snprintf(params, sizeof params,
                         "mean=%s std=%s form=%s const-dtype=%s out-dtype=f32", mp, sp,
                         u8in ? "div" : "sub", cd ? "f32" : "f64");
            }
        }
        if (cd && (!op || strcmp(op, "numpy-normalize"))) continue; /* one constant dtype */
        xa_finding keep = *fd;
        xa_set_fix(c, fd, "port_input", op, op ? params : NULL,
                   "normalise with the reference's mean (%s) and std (%s)", mp, sp);
        /* an aligned fix found before that leaves less is kept: an exact replay is the
         * stronger evidence */
        if (keep.aligned_after && !(fd->aligned_after && fd->max_abs_after < keep.max_abs_after))
            *fd = keep;
        /* with inputs that differ no replay can align the stage: the constants as written */
        if (!op || own_maps || (fd->aligned_after && fd->max_abs_after == 0)) break;
    }
}

/* ---- spatial: shift, borders, orientation
 * --------------------------------------------------------- */
/* Energy and max |d| of R[y, x] vs P[y + dy, x + dx] over the overlap, on every `step`-th row and
 * column; pixels counted in *npx. With step > 1 it ranks the shifts at a fraction of the cost. */
static void shifted_energy(const dimg *R, const dimg *P, int dy, int dx, int step, double *e,
                           double *m, int64_t *npx) {
    double s = 0, mx = 0;
    int64_t n = 0, C = R->c;
    int64_t y0 = dy < 0 ? -dy : 0, y1 = R->h - (dy > 0 ? dy : 0);
    int64_t x0 = dx < 0 ? -dx : 0, x1 = R->w - (dx > 0 ? dx : 0);
    for (int64_t b = 0; b < R->n; b++)
        for (int64_t y = y0; y < y1; y += step) {
            const double *r = &PX(R, b, y, x0, 0), *p = &PX(P, b, y + dy, x0 + dx, 0);
            for (int64_t x = x0; x < x1; x += step, r += step * C, p += step * C) {
                n++;
                for (int64_t ch = 0; ch < C; ch++) {
                    double d = r[ch] - p[ch];
                    if (!isfinite(d)) continue;
                    s += d * d;
                    if (fabs(d) > mx) mx = fabs(d);
                }
            }
        }
    *e = s, *m = mx, *npx = n;
}

static void hyp_shift(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    enum { K = 8, TOP = 4 };
    if (R->h <= 2 * K || R->w <= 2 * K) return;
    double be = INFINITY, bm = 0, e0s = 0;
    int by = 0, bx = 0;
    int64_t bn = 0;
    /* rank the (2K+1)^2 - 1 shifts on every 4th row and column (a sixteenth of the pixels; a
     * real offset stands out at any sampling), then measure the best few on every pixel */
    int step = R->h * R->w >= 64 * 64 ? 4 : 1;
    double cand_e[TOP];
    int cand[TOP][2], nc = 0;
    for (int dy = -K; dy <= K; dy++)
        for (int dx = -K; dx <= K; dx++) {
            if (!dy && !dx) continue;
            double e, m;
            int64_t n;
            shifted_energy(R, P, dy, dx, step, &e, &m, &n);
            double per = n ? e / (double)n : INFINITY;
            int at = nc < TOP ? nc++ : TOP;
            if (at == TOP && per >= cand_e[TOP - 1]) continue;
            if (at == TOP) at = TOP - 1;
            while (at > 0 && cand_e[at - 1] > per) {
                cand_e[at] = cand_e[at - 1];
                cand[at][0] = cand[at - 1][0], cand[at][1] = cand[at - 1][1];
                at--;
            }
            cand_e[at] = per, cand[at][0] = dy, cand[at][1] = dx;
        }
    for (int k = 0; k < nc; k++) {
        double e, m;
        int64_t n;
        shifted_energy(R, P, cand[k][0], cand[k][1], 1, &e, &m, &n);
        if (n && (!bn || e / (double)n < be / (double)bn))
            be = e, bm = m, by = cand[k][0], bx = cand[k][1], bn = n;
    }
    if (!bn) return;
    /* the same overlap without the shift: how much of its difference the shift explains */
    double m0;
    int64_t n0;
    {
        double s = 0, mx = 0;
        int64_t n = 0;
        int64_t y0 = by < 0 ? -by : 0, y1 = R->h - (by > 0 ? by : 0);
        int64_t x0 = bx < 0 ? -bx : 0, x1 = R->w - (bx > 0 ? bx : 0);
        for (int64_t b = 0; b < R->n; b++)
            for (int64_t y = y0; y < y1; y++)
                for (int64_t x = x0; x < x1; x++, n++)
                    for (int64_t ch = 0; ch < R->c; ch++) {
                        double d = PX(R, b, y, x, ch) - PX(P, b, y, x, ch);
                        if (isfinite(d)) s += d * d, mx = fabs(d) > mx ? fabs(d) : mx;
                    }
        e0s = s, m0 = mx, n0 = n;
    }
    (void)m0;
    (void)n0;
    if (!(e0s > 0)) return;
    double conf = 1 - be / e0s;
    if (conf < 0.5) return;
    /* a shift that leaves a large error in the overlap is a guess, not a finding */
    if (bm > 0 && bm >= 0.5 * c->max0) conf *= 0.5;
    char a[32];
    xa_finding *f = xa_add_finding(
        c, XA_CAUSE_SHIFT, conf,
        "the port equals the reference moved %d row%s %s and %d column%s %s (on the %lldx%lld "
        "overlap max_abs %s): a different crop or pad origin, e.g. CenterCrop's round((H - h) / "
        "2) half to even vs a truncating division",
        abs(by), abs(by) == 1 ? "" : "s", by >= 0 ? "down" : "up", abs(bx), abs(bx) == 1 ? "" : "s",
        bx >= 0 ? "right" : "left", (long long)(R->w - abs(bx)), (long long)(R->h - abs(by)),
        fmtn(bm, a, sizeof a));
    xa_summary(f, "moved %d row%s %s, %d column%s %s", abs(by), abs(by) == 1 ? "" : "s",
               by >= 0 ? "down" : "up", abs(bx), abs(bx) == 1 ? "" : "s",
               bx >= 0 ? "right" : "left");
    xa_set_fix(c, f, "port_input", NULL, NULL,
               "start the port's window %d row%s %s and %d column%s %s", by < 0 ? -by : by,
               by == 1 || by == -1 ? "" : "s", by > 0 ? "lower" : "higher", bx < 0 ? -bx : bx,
               bx == 1 || bx == -1 ? "" : "s", bx > 0 ? "further right" : "further left");
}

static int px_eq(const dimg *d, int64_t b, int64_t y, int64_t x, const double *v) {
    for (int64_t ch = 0; ch < d->c; ch++)
        if (PX(d, b, y, x, ch) != v[ch]) return 0;
    return 1;
}

/* Constant borders of one image (batch 0): rows/columns entirely of one colour, the colour of a
 * corner. */
void xa_find_border(const dimg *d, xa_border *bo) {
    memset(bo, 0, sizeof *bo);
    double v[4] = {0};
    for (int64_t ch = 0; ch < d->c && ch < 4; ch++) v[ch] = PX(d, 0, 0, 0, ch);
    double w[4] = {0};
    for (int64_t ch = 0; ch < d->c && ch < 4; ch++) w[ch] = PX(d, 0, d->h - 1, d->w - 1, ch);
    int64_t y, x;
    for (y = 0; y < d->h; y++) {
        for (x = 0; x < d->w && px_eq(d, 0, y, x, v); x++) {
        }
        if (x < d->w) break;
    }
    bo->top = y;
    for (x = 0; x < d->w; x++) {
        for (y = 0; y < d->h && px_eq(d, 0, y, x, v); y++) {
        }
        if (y < d->h) break;
    }
    bo->left = x;
    const double *u = v;
    if (!bo->top && !bo->left) u = w; /* the border, if any, is at the bottom/right */
    for (y = d->h - 1; y >= 0; y--) {
        for (x = 0; x < d->w && px_eq(d, 0, y, x, u); x++) {
        }
        if (x < d->w) break;
    }
    bo->bottom = d->h - 1 - y;
    for (x = d->w - 1; x >= 0; x--) {
        for (y = 0; y < d->h && px_eq(d, 0, y, x, u); y++) {
        }
        if (y < d->h) break;
    }
    bo->right = d->w - 1 - x;
    memcpy(bo->value, u, sizeof bo->value);
    /* a whole-image constant, or borders of a few pixels that are content, are not borders */
    bo->found = bo->top + bo->bottom < d->h && bo->left + bo->right < d->w &&
                (bo->top + bo->bottom >= 2 || bo->left + bo->right >= 2);
}

static void hyp_padding(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    xa_border br, bp;
    xa_find_border(R, &br);
    xa_find_border(P, &bp);
    if (!br.found && !bp.found) return;
    int same_value = 1;
    for (int ch = 0; ch < R->c && ch < 4; ch++) same_value &= br.value[ch] == bp.value[ch];
    int same_place =
        br.top == bp.top && br.bottom == bp.bottom && br.left == bp.left && br.right == bp.right;
    if (br.found && bp.found && same_value && same_place) return;
    /* the pad model: the port's content moved to the reference's place, its border given the
     * reference's colour; what difference is left? */
    int64_t dy = br.top - bp.top, dx = br.left - bp.left;
    double e = 0;
    for (int64_t y = 0; y < R->h; y++)
        for (int64_t x = 0; x < R->w; x++) {
            int in_r = y >= br.top && y < R->h - br.bottom && x >= br.left && x < R->w - br.right;
            for (int64_t ch = 0; ch < R->c; ch++) {
                double pv;
                int64_t py = y - dy, px = x - dx;
                if (!in_r)
                    pv = br.value[ch < 4 ? ch : 0];
                else if (py >= 0 && py < P->h && px >= 0 && px < P->w)
                    pv = PX(P, 0, py, px, ch);
                else
                    pv = 0;
                double d = PX(R, 0, y, x, ch) - pv;
                if (isfinite(d)) e += d * d;
            }
        }
    double conf = xa_explained(c, e * (double)R->n); /* batch 0 stands for the batch */
    if (conf < 0.5) return;
    char rv[96], pv[96];
    tuple(br.value, (int)(R->c < 4 ? R->c : 4), rv, sizeof rv);
    tuple(bp.value, (int)(P->c < 4 ? P->c : 4), pv, sizeof pv);
    char what[128] = "";
    if (!same_value && (br.found && bp.found)) snprintf(what, sizeof what, "the pad value differs");
    if (!same_place)
        snprintf(what + strlen(what), sizeof what - strlen(what), "%sthe placement differs%s",
                 what[0] ? " and " : "",
                 (br.top == br.bottom || br.top + 1 == br.bottom) && (bp.top == 0 || bp.bottom == 0)
                     ? " (centred vs top-left)"
                     : "");
    xa_finding *f = xa_add_finding(c, XA_CAUSE_PADDING, conf,
                                   "reference border top %lld bottom %lld left %lld right %lld of "
                                   "%s, port top %lld bottom %lld left %lld right %lld of %s: %s",
                                   (long long)br.top, (long long)br.bottom, (long long)br.left,
                                   (long long)br.right, rv, (long long)bp.top, (long long)bp.bottom,
                                   (long long)bp.left, (long long)bp.right, pv, what);
    xa_summary(f, "%s", what);
    char params[128];
    snprintf(params, sizeof params, "%g,%g,%g", br.value[0], br.value[R->c > 1 ? 1 : 0],
             br.value[R->c > 2 ? 2 : 0]);
    xa_set_fix(c, f, "port_input", NULL, NULL,
               "pad with %s as the reference does (top %lld bottom %lld left %lld right %lld); "
               "YOLOv5's letterbox pads 114 and centres the image",
               params, (long long)br.top, (long long)br.bottom, (long long)br.left,
               (long long)br.right);
}

/* The dihedral transforms of an image, as the EXIF orientations 2..8 ask (PIL's
 * ImageOps.exif_transpose / cv2.imread): (x, y) in the output read from the source. */
static int oriented(int o, const dimg *S, int64_t y, int64_t x, int64_t *sy, int64_t *sx) {
    int64_t H = S->h, W = S->w;
    switch (o) {
    case 2:
        *sy = y, *sx = W - 1 - x;
        return 1; /* mirror horizontal */
    case 3:
        *sy = H - 1 - y, *sx = W - 1 - x;
        return 1; /* rotate 180 */
    case 4:
        *sy = H - 1 - y, *sx = x;
        return 1; /* mirror vertical */
    case 5:
        *sy = x, *sx = y;
        return 1; /* transpose */
    case 6:
        *sy = x, *sx = W - 1 - y;
        return 1; /* rotate 90 clockwise (PIL's exif_transpose: Image.ROTATE_270) */
    case 7:
        *sy = H - 1 - x, *sx = W - 1 - y;
        return 1; /* transverse */
    case 8:
        *sy = H - 1 - x, *sx = y;
        return 1; /* rotate 90 counter-clockwise (Image.ROTATE_90) */
    }
    return 0;
}

void xa_hyp_orientation(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    if (!R->image || !P->image || R->c != P->c || R->n != 1 || P->n != 1 || R->count != P->count)
        return;
    static const char *const name[9] = {"",
                                        "",
                                        "mirrored left-right",
                                        "rotated 180 degrees",
                                        "mirrored top-bottom",
                                        "transposed",
                                        "rotated 90 degrees clockwise",
                                        "transversed",
                                        "rotated 90 degrees counter-clockwise"};
    for (int o = 2; o <= 8; o++) {
        int swap = o >= 5;
        if ((swap ? P->h != R->w || P->w != R->h : P->h != R->h || P->w != R->w)) continue;
        double e = 0, m = 0;
        for (int64_t y = 0; y < R->h && e <= 0; y++)
            for (int64_t x = 0; x < R->w; x++) {
                int64_t sy, sx;
                oriented(o, P, y, x, &sy, &sx);
                for (int64_t ch = 0; ch < R->c; ch++) {
                    double d = PX(R, 0, y, x, ch) - PX(P, 0, sy, sx, ch);
                    if (isfinite(d)) e += d * d, m = fabs(d) > m ? fabs(d) : m;
                }
            }
        if (e > 0) continue;
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_DECODE_METHOD, 1,
            "the port's image is the reference's %s, exactly -- what EXIF orientation %d asks: the "
            "orientation is applied on one side only (cv2.imread applies it; PIL's Image.open "
            "does not)",
            name[o], o);
        xa_summary(f, "EXIF orientation %d applied on one side only", o);
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "decode both sides with the same orientation rule: "
                   "cv2.IMREAD_IGNORE_ORIENTATION in the port, or ImageOps.exif_transpose in the "
                   "original (xalign decode --like cv2 --ignore-orientation)");
        return;
    }
}

void xa_hyp_spatial(diag_ctx *c) {
    if (!c->r.image) return;
    hyp_shift(c);
    hyp_padding(c);
}

/* ---- values: rounding, saturation, precision
 * ------------------------------------------------------ */
static int exact_in(double v, xa_dtype dt) {
    if (!isfinite(v)) return 1;
    if (dt == XA_F16) return (double)xa_f16_to_f32(xa_f32_to_f16((float)v)) == v;
    return (double)xa_bf16_to_f32(xa_f32_to_bf16((float)v)) == v;
}

void xa_hyp_values(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    int64_t n = R->count, up = 0, down = 0, clipped = 0, big = 0;
    double r0 = 0, p0 = 0;
    int one_pair = 1; /* every large difference is the same pair of values (a fill, a pad) */
    for (int64_t i = 0; i < n; i++) {
        double d = P->v[i] - R->v[i];
        if (!(d != 0) || !isfinite(d)) continue;
        if (d > 0)
            up++;
        else
            down++;
        if (fabs(d) >= 64) {
            double r = R->v[i], p = P->v[i];
            if (!big++) r0 = r, p0 = p;
            one_pair &= r == r0 && p == p0;
            if (r == 0 || r == 255 || p == 0 || p == 255 || p < 0 || p > 255) clipped++;
        }
    }
    char a[32], b[32];
    /* rounding: one unit */
    if (R->integral && P->integral && c->max0 == 1) {
        xa_finding *f;
        if (!up || !down)
            f = xa_add_finding(c, XA_CAUSE_ROUNDING, 1,
                               "every difference is one unit and of one sign (%lld of %lld values "
                               "%s by 1): the port %s where the reference %s",
                               (long long)(up + down), (long long)n, up ? "higher" : "lower",
                               up ? "rounds up (or half up)" : "truncates",
                               up ? "truncates or rounds half to even" : "rounds");
        else
            f = xa_add_finding(c, XA_CAUSE_ROUNDING, 1,
                               "every difference is one unit (%lld up, %lld down, of %lld values): "
                               "a different rounding rule (half to even vs half up) or float vs "
                               "fixed-point arithmetic",
                               (long long)up, (long long)down, (long long)n);
        xa_summary(f, "%s", !down ? "port rounds up" : !up ? "port truncates" : "rounding rule");
        xa_set_fix(
            c, f, "port_input", NULL, NULL,
            "round as the reference does (Python/numpy round half to even; cv2 saturate_cast "
            "rounds half to even; (int)x truncates)");
    } else if (!R->integral != !P->integral && c->max0 < 1) {
        int ref_int = R->integral;
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_ROUNDING, 1,
            "the %s's values are integers and the %s's are not (max_abs %s < 1): one side rounds "
            "to integers, the other keeps fractions",
            ref_int ? "reference" : "port", ref_int ? "port" : "reference",
            fmtn(c->max0, a, sizeof a));
        xa_summary(f, "%s rounds to integers", ref_int ? "reference" : "port");
        xa_set_fix(c, f, "port_input", NULL, NULL, "%s",
                   ref_int ? "round the port's values to integers as the reference does"
                           : "keep the fractions as the reference does");
    } else if (!R->integral && c->max0 > 0 && (R->dtype == XA_F32 || P->dtype == XA_F32)) {
        /* float rounding: a few float32 ulps */
        double worst = 0;
        for (int64_t i = 0; i < n; i++) {
            double d = fabs(P->v[i] - R->v[i]);
            if (!(d > 0) || !isfinite(d)) continue;
            double mag = fabs(R->v[i]) > fabs(P->v[i]) ? fabs(R->v[i]) : fabs(P->v[i]);
            int e2;
            frexp(mag, &e2);
            double ulp = ldexp(1, e2 - 24);
            if (ulp < ldexp(1, -149)) ulp = ldexp(1, -149);
            if (d / ulp > worst) worst = d / ulp;
        }
        if (worst <= 8) {
            xa_finding *f = xa_add_finding(
                c, XA_CAUSE_ROUNDING, 1,
                "every difference is at most %.3g float32 ulp of the values (max_abs %s): the "
                "order of float operations, a fused multiply-add or float vs double arithmetic",
                worst, fmtn(c->max0, a, sizeof a));
            xa_summary(f, "float32 rounding");
            xa_set_fix(
                c, f, "port_input", NULL, NULL,
                "this is float32 rounding, not a wrong operation; compare with --atol/--rtol "
                "if the difference is acceptable");
        }
    }
    /* saturation: large differences where one side sits at the uint8 bounds, with values that
     * vary (wrap-around maps many values; one pair everywhere, 114 vs 0, is a fill) */
    int64_t ndiff = up + down;
    if (big && clipped >= big * 95 / 100 && big * 2 >= ndiff && R->integral && !one_pair) {
        double e = 0;
        for (int64_t i = 0; i < n; i++) {
            double d = P->v[i] - R->v[i];
            if (isfinite(d) && fabs(d) < 64) e += d * d;
        }
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_SATURATION, xa_explained(c, e),
            "%lld of the %lld differences are larger than 64 and sit where one side is at the "
            "uint8 bounds (0 or 255) or outside them: wrap-around (astype(np.uint8) of "
            "out-of-range "
            "values) on one side, clipping on the other",
            (long long)clipped, (long long)ndiff);
        xa_summary(f, "wrap-around vs clipping");
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "saturate before converting to uint8 as the reference does (np.clip(x, 0, 255) "
                   "or cv2's saturate_cast)");
    }
    /* precision: the port carries a lower dtype's values while stored wider (an f16 or bf16
     * model dumping float32). Every port value exactly a bf16 / f16 (and not every reference
     * value) is the evidence; the difference is of the size that dtype's arithmetic gives when
     * it is within a few units of the dtype at the tensor's largest magnitude. The confidence is
     * the share of the difference within that size. bf16 first: its values are also f16's. */
    for (int k = 0; k < 2; k++) {
        xa_dtype low = k ? XA_F16 : XA_BF16;
        /* a port typed in the low dtype against a wider reference is the same evidence */
        if (!xa_dtype_is_float(R->dtype) || R->dtype == low) continue;
        int typed = P->dtype == low;
        int64_t exact_p = 0, exact_r = 0;
        double scale = 0;
        for (int64_t i = 0; i < n; i++) {
            exact_p += exact_in(P->v[i], low);
            exact_r += exact_in(R->v[i], low);
            if (isfinite(R->v[i]) && fabs(R->v[i]) > scale) scale = fabs(R->v[i]);
        }
        if (exact_p != n || exact_r == n || !(scale > 0)) continue;
        /* one unit (ulp) of the dtype at the largest magnitude: 7 / 10 mantissa bits */
        int e2;
        frexp(scale, &e2);
        double unit = ldexp(1, e2 - 1 - (low == XA_BF16 ? 7 : 10));
        enum { UNITS = 8 }; /* a few roundings accumulated through a network's layers */
        double outside = 0;
        for (int64_t i = 0; i < n; i++) {
            double d = P->v[i] - R->v[i];
            if (isfinite(d) && fabs(d) > UNITS * unit) outside += d * d;
        }
        double conf = xa_explained(c, outside);
        if (conf < 0.5) break;
        char sc[32];
        xa_finding *f = xa_add_finding(
            c, XA_CAUSE_PRECISION, conf,
            "%s %s (the reference's values are not) and the differences are "
            "within %d %s units at the tensor's scale (max_abs %s, one unit %s at %s): the port "
            "computes or stores in %s -- the expected size of its error, not a bug",
            typed ? "the port's dump is" : "every port value is exactly a", xa_dtype_name(low),
            UNITS, xa_dtype_name(low), fmtn(c->max0, a, sizeof a), fmtn(unit, b, sizeof b),
            fmtn(scale, sc, sizeof sc), xa_dtype_name(low));
        xa_summary(f, "port in %s", xa_dtype_name(low));
        xa_set_fix(c, f, "port_output", NULL, NULL,
                   "judge with the %s tolerance (--preset %s), or run the port in float32 where "
                   "this error matters",
                   xa_dtype_name(low), k ? "f16" : "bf16");
        break;
    }
    /* precision: a dump typed f16/bf16 under a tolerance tighter than its unit */
    xa_dtype lowt = R->dtype == XA_F16 || P->dtype == XA_F16     ? XA_F16
                    : R->dtype == XA_BF16 || P->dtype == XA_BF16 ? XA_BF16
                                                                 : XA_DTYPE_INVALID;
    if (lowt) {
        double unit = lowt == XA_F16 ? ldexp(1, -10) : ldexp(1, -7);
        int ok = 1;
        for (int64_t i = 0; i < n && ok; i++) {
            double d = fabs(P->v[i] - R->v[i]);
            ok = !isfinite(d) || d <= unit * fabs(R->v[i]) + 1e-5;
        }
        if (ok) {
            xa_finding *f = xa_add_finding(
                c, XA_CAUSE_PRECISION, 1,
                "the dumps are %s and every difference is within one %s unit of the value "
                "(max_abs %s, %s): the tolerance in force is tighter than the dtype allows",
                xa_dtype_name(lowt), xa_dtype_name(lowt), fmtn(c->max0, a, sizeof a),
                fmtn(unit, b, sizeof b));
            xa_summary(f, "%s dumps under a tighter tolerance", xa_dtype_name(lowt));
            xa_set_fix(c, f, "port_output", NULL, NULL, "judge with the %s tolerance (--preset %s)",
                       xa_dtype_name(lowt), lowt == XA_F16 ? "f16" : "bf16");
        }
    }
}

/* ---- unknown: where the error is
 * ------------------------------------------------------------------ */
void xa_hyp_unknown(diag_ctx *c) {
    const dimg *R = &c->r, *P = &c->p;
    char ev[768];
    size_t o = 0;
    char a[32];
    if (R->count != P->count) {
        char rs[128], ps[128];
        xa_add_finding(c, XA_CAUSE_UNKNOWN, 0,
                       "the tensors have different element counts (ref %s, port %s): no hypothesis "
                       "relates them%s",
                       xa_shape_format(c->in->ref->rank, c->in->ref->shape, rs, sizeof rs),
                       xa_shape_format(c->in->port->rank, c->in->port->shape, ps, sizeof ps),
                       c->in->ref_in && c->in->port_in
                           ? ""
                           : " (with the stage's inputs, a resize to another size, a crop or a "
                             "letterbox is tested: --input-ref/--input-port, or xalign stages)");
        return;
    }
    o += (size_t)snprintf(ev, sizeof ev,
                          "no tested cause explains it; max_abs %s, %lld of %lld differ",
                          fmtn(c->max0, a, sizeof a), (long long)c->ndiff, (long long)R->count);
    int64_t pos = 0, neg = 0;
    for (int64_t i = 0; i < R->count; i++) {
        double d = P->v[i] - R->v[i];
        pos += d > 0, neg += d < 0;
    }
    if (pos + neg)
        o += (size_t)snprintf(ev + o, sizeof ev - o, "; the port is higher in %.0f%% of them",
                              100.0 * (double)pos / (double)(pos + neg));
    if (R->image && c->same_shape && c->e0 > 0) {
        double ech[4] = {0}, eb = 0;
        int64_t y0 = R->h, y1 = -1, x0 = R->w, x1 = -1;
        int64_t by = R->h / 10 ? R->h / 10 : 1, bx = R->w / 10 ? R->w / 10 : 1;
        for (int64_t b = 0; b < R->n; b++)
            for (int64_t y = 0; y < R->h; y++)
                for (int64_t x = 0; x < R->w; x++)
                    for (int64_t ch = 0; ch < R->c; ch++) {
                        double d = PX(R, b, y, x, ch) - PX(P, b, y, x, ch);
                        if (!isfinite(d) || d == 0) continue;
                        ech[ch] += d * d;
                        if (y < by || y >= R->h - by || x < bx || x >= R->w - bx) eb += d * d;
                        if (y < y0) y0 = y;
                        if (y > y1) y1 = y;
                        if (x < x0) x0 = x;
                        if (x > x1) x1 = x;
                    }
        if (R->c > 1) {
            o += (size_t)snprintf(ev + o, sizeof ev - o, "; share of the difference per channel");
            for (int64_t ch = 0; ch < R->c && o < sizeof ev; ch++)
                o += (size_t)snprintf(ev + o, sizeof ev - o, "%s%.0f%%", ch ? "/" : " ",
                                      100 * ech[ch] / c->e0);
        }
        if (o < sizeof ev)
            o += (size_t)snprintf(ev + o, sizeof ev - o,
                                  "; %.0f%% of it in the outer tenth of the image (which is 19%% "
                                  "of the pixels)",
                                  100 * eb / c->e0);
        if (y1 >= 0 && o < sizeof ev && ((y1 - y0 + 1) * (x1 - x0 + 1) < R->h * R->w / 2))
            snprintf(ev + o, sizeof ev - o,
                     "; the differences lie in rows %lld-%lld, columns %lld-%lld", (long long)y0,
                     (long long)y1, (long long)x0, (long long)x1);
    }
    xa_finding *f =
        xa_add_finding(c, XA_CAUSE_UNKNOWN, 0, "%s%s%s", ev, c->hint[0] ? "; " : "", c->hint);
    if (c->hint_op[0])
        xa_set_fix(c, f, "port_input", c->hint_op, c->hint_params,
                   "do what the original does (%s %s); 'xalign heatmap' shows where the "
                   "difference is",
                   c->hint_op, c->hint_params);
    else
        xa_set_fix(c, f, "port_input", NULL, NULL,
                   "compare the operation's code on both sides; 'xalign heatmap' shows where the "
                   "difference is");
}
