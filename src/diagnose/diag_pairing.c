/* output_order: a stage of several named tensors whose members match under another pairing than
 * by name -- the seed's dict-values pitfall (list(outputs.values()) in the engine's order, named
 * by position). Every pair of members with the same element count is compared; the pairing kept
 * aligns the most members, then leaves the least difference (an exhaustive search over the port's
 * subsets, up to XA_DIAG_PAIRING_MAX members a side).
 *
 * The compare layer is getting a public pairing search for per-layer files (the per-layer issue);
 * until it is on main this search lives here, with the same rule (most aligned pairs, then the
 * smallest remaining difference). */
#include "diag_internal.h"
#include "xalign/io.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Sum of squares of a tensor's finite values: its whole energy, what a member without a partner
 * leaves unexplained. */
static double energy_of(const xa_tensor *t) {
    int64_t n = xa_tensor_count(t);
    double *v = malloc((size_t)(n ? n : 1) * sizeof *v), s = 0;
    xa_tensor *c = NULL;
    if (!v) return INFINITY;
    if (t->fortran_order && t->rank > 1 && xa_tensor_dup_native(t, &c, NULL)) {
        free(v);
        return INFINITY;
    }
    const xa_tensor *src = c ? c : t;
    xa_convert_to_f64(src->dtype, src->swapped, src->data, (size_t)n, v);
    for (int64_t i = 0; i < n; i++)
        if (isfinite(v[i])) s += v[i] * v[i];
    xa_tensor_free(c);
    free(v);
    return s;
}

typedef struct {
    int ok;      /* compared: same element count */
    int aligned; /* under the stage's tolerance */
    double e;    /* sum of squared differences */
    double max_abs;
} pair_cmp;

xa_status xa_diag_pairing(const xa_tensor_list *ref, const xa_tensor_list *port,
                          const xa_tolerance *tol, xa_finding *out, int *found, xa_error *err) {
    *found = 0;
    size_t nr = ref->count, np = port->count;
    if (nr < 2 || np < 2) return XA_OK;
    if (nr > XA_DIAG_PAIRING_MAX || np > XA_DIAG_PAIRING_MAX) return XA_OK; /* not searched */
    pair_cmp *pc = calloc(nr * np, sizeof *pc);
    double *eref = calloc(nr, sizeof *eref);
    long *byname = calloc(nr, sizeof *byname);
    if (!pc || !eref || !byname) {
        free(pc);
        free(eref);
        free(byname);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.tol = *tol;
    o.threads = 1;
    for (size_t i = 0; i < nr; i++) {
        eref[i] = energy_of(ref->tensors[i]);
        byname[i] = -1;
        for (size_t j = 0; j < np; j++) {
            if (!strcmp(ref->names[i], port->names[j])) byname[i] = (long)j;
            if (xa_tensor_count(ref->tensors[i]) != xa_tensor_count(port->tensors[j])) continue;
            xa_cmp_result res;
            if (xa_compare(ref->tensors[i], port->tensors[j], &o, &res, NULL)) continue;
            pair_cmp *p = &pc[i * np + j];
            p->ok = 1;
            p->aligned = res.aligned && !res.total.nonfinite_mismatch;
            p->e = res.total.rmse * res.total.rmse * (double)res.total.finite;
            p->max_abs = res.total.nonfinite_mismatch ? INFINITY : res.total.max_abs;
            xa_cmp_result_clear(&res);
        }
    }
    /* dp over (ref index, used port subset): the fewest unaligned members, then the least
     * difference; a member without a partner counts as unaligned with its whole energy */
    size_t nmask = (size_t)1 << np;
    typedef struct {
        int bad;
        double e;
        int from; /* port chosen for this ref (-1 none) */
    } cell;
    cell *dp = malloc((nr + 1) * nmask * sizeof *dp);
    if (!dp) {
        free(pc);
        free(eref);
        free(byname);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t k = 0; k < (nr + 1) * nmask; k++) dp[k] = (cell){1 << 30, INFINITY, -1};
    dp[0] = (cell){0, 0, -1};
    for (size_t i = 0; i < nr; i++)
        for (size_t m = 0; m < nmask; m++) {
            const cell *cur = &dp[i * nmask + m];
            if (cur->bad >= (1 << 30)) continue;
            for (long j = -1; j < (long)np; j++) {
                if (j >= 0 && ((m >> j) & 1)) continue;
                if (j >= 0 && !pc[i * np + (size_t)j].ok) continue;
                int bad = cur->bad + (j < 0 || !pc[i * np + (size_t)j].aligned);
                double e = cur->e + (j < 0 ? eref[i] : pc[i * np + (size_t)j].e);
                size_t nm = j >= 0 ? m | ((size_t)1 << j) : m;
                cell *nx = &dp[(i + 1) * nmask + nm];
                if (bad < nx->bad || (bad == nx->bad && e < nx->e)) *nx = (cell){bad, e, (int)j};
            }
        }
    size_t best = 0;
    for (size_t m = 0; m < nmask; m++) {
        const cell *x = &dp[nr * nmask + m], *b = &dp[nr * nmask + best];
        if (x->bad < b->bad || (x->bad == b->bad && x->e < b->e)) best = m;
    }
    long *pair = malloc(nr * sizeof *pair);
    if (pair) {
        size_t m = best;
        for (size_t i = nr; i-- > 0;) {
            int j = dp[(i + 1) * nmask + m].from;
            pair[i] = j;
            if (j >= 0) m &= ~((size_t)1 << j);
        }
    }
    /* by name: the difference the pairing must explain */
    int bad0 = 0;
    double e0 = 0;
    for (size_t i = 0; i < nr; i++) {
        long j = byname[i];
        int ok = j >= 0 && pc[i * np + (size_t)j].ok;
        bad0 += !(ok && pc[i * np + (size_t)j].aligned);
        e0 += ok ? pc[i * np + (size_t)j].e : eref[i];
    }
    const cell *fin = &dp[nr * nmask + best];
    int differs = 0;
    for (size_t i = 0; pair && i < nr; i++) differs |= pair[i] != byname[i];
    if (pair && differs && fin->bad < bad0) {
        memset(out, 0, sizeof *out);
        out->cause = XA_CAUSE_OUTPUT_ORDER;
        out->confidence = e0 > 0 ? 1 - fin->e / e0 : 1;
        if (out->confidence < 0) out->confidence = 0;
        char map[512] = "";
        size_t w = 0;
        double mx = 0;
        for (size_t i = 0; i < nr && w < sizeof map; i++) {
            if (pair[i] < 0) continue;
            const pair_cmp *p = &pc[i * np + (size_t)pair[i]];
            if (p->max_abs > mx) mx = p->max_abs;
            if (pair[i] != byname[i])
                w += (size_t)snprintf(map + w, sizeof map - w, "%sref '%s' = port '%s'",
                                      w ? ", " : "", ref->names[i], port->names[pair[i]]);
        }
        snprintf(out->evidence, sizeof out->evidence,
                 "the members match under another pairing than by name: %s -- %zu of %zu aligned "
                 "that way, %zu by name (max_abs %.6g): the port names its outputs by position "
                 "in an order that is not the original's (list(outputs.values()) of a dict in "
                 "another order)",
                 map, nr - (size_t)fin->bad, nr, nr - (size_t)bad0, mx);
        snprintf(out->summary, sizeof out->summary, "%.127s", map);
        snprintf(out->fix_text, sizeof out->fix_text,
                 "take the port's outputs by name (the engine's output names, or the model's "
                 "declared order), not by position");
        /* verified: the pairing itself is the fix, compared member by member */
        out->fix_verified = 1;
        out->max_abs_after = mx;
        out->aligned_after = fin->bad == 0;
        *found = 1;
    }
    free(pair);
    free(dp);
    free(pc);
    free(eref);
    free(byname);
    return XA_OK;
}
