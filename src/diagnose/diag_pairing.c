/* output_order: a stage of several named tensors whose members match under another pairing than
 * by name -- the seed's dict-values pitfall (list(outputs.values()) in the engine's order, named
 * by position). The pairing comes from the compare layer's search (xa_pairing_search: the most
 * aligned pairs, then the smallest total rel_l2), the same search per-layer comparisons use; it
 * is a finding when it aligns more members than pairing by name. */
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

static int has_name(const xa_tensor_list *l, const char *name) {
    for (size_t k = 0; k < l->count; k++)
        if (!strcmp(l->names[k], name)) return 1;
    return 0;
}

/* The sum of squared differences of a comparison (finite pairs). */
static double energy_of_cmp(const xa_cmp_result *r) {
    return r->total.rmse * r->total.rmse * (double)r->total.finite;
}

xa_status xa_diag_pairing(const xa_tensor_list *ref, const xa_tensor_list *port,
                          const xa_tolerance *tol, xa_finding *out, int *found, xa_error *err) {
    *found = 0;
    size_t nr = ref->count, np = port->count;
    if (nr < 2 || np < 2 || nr > XA_PAIRING_MAX || np > XA_PAIRING_MAX) return XA_OK;
    xa_cmp_options o;
    xa_cmp_options_init(&o);
    o.tol = *tol;
    o.threads = 1;
    xa_pairing pr;
    xa_status st = xa_pairing_search((const xa_tensor *const *)ref->tensors, nr,
                                     (const xa_tensor *const *)port->tensors, np, &o, &pr, err);
    if (st) return st;
    /* by name: what the pairing must beat, and the difference it must explain (a member
     * without a partner of its count leaves its whole energy) */
    size_t aligned_by_name = 0;
    double e0 = 0, e1 = 0, mx = 0;
    int differs = 0;
    for (size_t i = 0; i < nr; i++) {
        long j = -1;
        for (size_t k = 0; k < np && j < 0; k++)
            if (!strcmp(ref->names[i], port->names[k])) j = (long)k;
        differs |= pr.port_of[i] != j;
        xa_cmp_result res;
        if (j >= 0 && xa_tensor_count(ref->tensors[i]) == xa_tensor_count(port->tensors[j]) &&
            !xa_compare(ref->tensors[i], port->tensors[j], &o, &res, NULL)) {
            aligned_by_name += res.aligned && !res.total.nonfinite_mismatch;
            e0 += energy_of_cmp(&res);
            xa_cmp_result_clear(&res);
        } else {
            e0 += energy_of(ref->tensors[i]);
        }
        if (pr.port_of[i] >= 0) {
            e1 += energy_of_cmp(&pr.results[i]);
            if (pr.results[i].total.max_abs > mx) mx = pr.results[i].total.max_abs;
        } else {
            e1 += energy_of(ref->tensors[i]);
        }
    }
    if (differs && pr.naligned > aligned_by_name) {
        memset(out, 0, sizeof *out);
        out->cause = XA_CAUSE_OUTPUT_ORDER;
        out->confidence = e0 > 0 ? 1 - e1 / e0 : 1;
        if (out->confidence < 0) out->confidence = 0;
        char map[512] = "", alone[200] = "";
        size_t w = 0, wa = 0;
        /* renamed: every member paired under another name has a name the other side lacks
         * (scores <- score), so no member paired by name moved: not an order */
        int renamed = 1;
        for (size_t i = 0; i < nr; i++) {
            long j = pr.port_of[i];
            if (j < 0) {
                if (wa < sizeof alone)
                    wa += (size_t)snprintf(alone + wa, sizeof alone - wa, "%s'%s'", wa ? ", " : "",
                                           ref->names[i]);
                continue;
            }
            if (!strcmp(ref->names[i], port->names[j])) continue;
            renamed &= !has_name(port, ref->names[i]) && !has_name(ref, port->names[j]);
            if (w < sizeof map)
                w += (size_t)snprintf(map + w, sizeof map - w, "%sref '%s' = port '%s'",
                                      w ? ", " : "", ref->names[i], port->names[j]);
        }
        if (renamed)
            snprintf(out->evidence, sizeof out->evidence,
                     "members match under other names: %.400s -- %zu of %zu aligned that way, "
                     "%zu by name (max_abs %.6g): the port names these outputs differently",
                     map, pr.naligned, nr, aligned_by_name, mx);
        else
            snprintf(out->evidence, sizeof out->evidence,
                     "the members match under another pairing than by name: %.400s -- %zu of "
                     "%zu aligned that way, %zu by name (max_abs %.6g): the port names its "
                     "outputs by position in an order that is not the original's "
                     "(list(outputs.values()) of a dict in another order)",
                     map, pr.naligned, nr, aligned_by_name, mx);
        snprintf(out->summary, sizeof out->summary, "%s%.110s", renamed ? "renamed: " : "", map);
        w = (size_t)snprintf(out->fix_text, sizeof out->fix_text, "%s",
                             renamed ? "give the port's outputs the original's names (or pair "
                                       "them with the manifest's \"names\")"
                                     : "take the port's outputs by name (the engine's output "
                                       "names, or the model's declared order), not by position");
        if (alone[0] && w < sizeof out->fix_text)
            snprintf(out->fix_text + w, sizeof out->fix_text - w,
                     "; %.190s %s no partner in the port, so the stage stays unaligned", alone,
                     strchr(alone, ',') ? "have" : "has");
        /* verified: the pairing itself is the fix, compared member by member */
        out->fix_verified = 1;
        out->max_abs_after = mx;
        out->aligned_after = pr.naligned == nr;
        *found = 1;
    }
    xa_pairing_clear(&pr);
    return XA_OK;
}
