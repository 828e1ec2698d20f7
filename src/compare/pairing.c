/* The pairing search (include/xalign/compare.h "pairing tensors"): which port tensor is which
 * reference tensor, when names cannot tell. Every pair of compatible tensors is compared once;
 * the best assignment is then found exactly by dynamic programming over the subsets of port
 * tensors already used (at most 2^16 subsets for XA_PAIRING_MAX = 16). */
#include "cmp_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void xa_pairing_clear(xa_pairing *p) {
    if (!p) return;
    if (p->results)
        for (size_t i = 0; i < p->nref; i++) xa_cmp_result_clear(&p->results[i]);
    free(p->port_of);
    free(p->aligned);
    free(p->results);
    memset(p, 0, sizeof *p);
}

/* Same element count, and shapes equal up to size-1 axes or a 1-D side (raw bytes). */
static int compatible(const xa_tensor *a, const xa_tensor *b) {
    if (xa_tensor_count(a) != xa_tensor_count(b)) return 0;
    return a->rank <= 1 || b->rank <= 1 ||
           xa_shape_same_layout(a->rank, a->shape, b->rank, b->shape);
}

/* The value of a (partial) pairing: more aligned pairs first, then more pairs, then less
 * total error. Costs are rel_l2 capped at 1e6 (an infinite one would hide the others). */
typedef struct {
    int aligned, paired;
    double cost;
} score;
static int better(score a, score b) {
    if (a.aligned != b.aligned) return a.aligned > b.aligned;
    if (a.paired != b.paired) return a.paired > b.paired;
    return a.cost < b.cost;
}

xa_status xa_pairing_search(const xa_tensor *const *ref, size_t nref, const xa_tensor *const *port,
                            size_t nport, const xa_cmp_options *opt, xa_pairing *out,
                            xa_error *err) {
    memset(out, 0, sizeof *out);
    if (nref > XA_PAIRING_MAX || nport > XA_PAIRING_MAX)
        return xa_fail(err, XA_ELIMIT,
                       "a pairing search takes at most %d tensors a side (%zu, %zu)",
                       XA_PAIRING_MAX, nref, nport);
    size_t cells = nref * nport;
    xa_cmp_result *res = calloc(cells ? cells : 1, sizeof *res);
    char *ok = calloc(cells ? cells : 1, 1);
    double *cost = calloc(cells ? cells : 1, sizeof *cost);
    xa_status st = res && ok && cost ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    xa_cmp_options o;
    if (opt)
        o = *opt;
    else
        xa_cmp_options_init(&o);
    o.axis = -1;
    for (size_t i = 0; !st && i < nref; i++)
        for (size_t j = 0; !st && j < nport; j++) {
            if (!compatible(ref[i], port[j])) continue;
            xa_tensor view = *port[j]; /* a 1-D side is read in the other's shape */
            const xa_tensor *p = port[j];
            if (view.rank <= 1 && ref[i]->rank > 1 && !view.fortran_order) {
                view.rank = ref[i]->rank;
                memcpy(view.shape, ref[i]->shape, sizeof view.shape);
                p = &view;
            }
            st = xa_compare(ref[i], p, &o, &res[i * nport + j], err);
            if (st) break;
            ok[i * nport + j] = 1;
            double c = res[i * nport + j].total.rel_l2;
            cost[i * nport + j] = isfinite(c) && c < 1e6 ? c : 1e6;
        }
    /* best[k][mask]: the best pairing of refs k.. given the ports in mask are taken */
    size_t masks = (size_t)1 << nport;
    score *best = NULL;
    signed char *choice = NULL;
    if (!st) {
        best = malloc((nref + 1) * masks * sizeof *best);
        choice = malloc((nref + 1) * masks);
        if (!best || !choice) st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if (!st) {
        for (size_t m = 0; m < masks; m++) best[nref * masks + m] = (score){0, 0, 0};
        for (size_t k = nref; k-- > 0;)
            for (size_t m = 0; m < masks; m++) {
                score b = best[(k + 1) * masks + m]; /* ref k unpaired */
                signed char c = -1;
                for (size_t j = 0; j < nport; j++) {
                    if ((m >> j & 1) || !ok[k * nport + j]) continue;
                    score s = best[(k + 1) * masks + (m | (size_t)1 << j)];
                    s.aligned += res[k * nport + j].aligned;
                    s.paired++;
                    s.cost += cost[k * nport + j];
                    if (better(s, b)) {
                        b = s;
                        c = (signed char)j;
                    }
                }
                best[k * masks + m] = b;
                choice[k * masks + m] = c;
            }
    }
    if (!st) {
        out->nref = nref;
        out->nport = nport;
        out->port_of = calloc(nref ? nref : 1, sizeof *out->port_of);
        out->aligned = calloc(nref ? nref : 1, sizeof *out->aligned);
        out->results = calloc(nref ? nref : 1, sizeof *out->results);
        if (!out->port_of || !out->aligned || !out->results)
            st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if (!st) {
        size_t m = 0;
        out->identity = nref == nport;
        for (size_t k = 0; k < nref; k++) {
            int j = choice[k * masks + m];
            out->port_of[k] = j;
            if (j != (int)k) out->identity = 0;
            if (j < 0) continue;
            m |= (size_t)1 << j;
            out->results[k] = res[k * nport + (size_t)j]; /* moved out */
            memset(&res[k * nport + (size_t)j], 0, sizeof *res);
            out->aligned[k] = out->results[k].aligned;
            out->naligned += (size_t)out->aligned[k];
        }
    }
    for (size_t c = 0; res && c < cells; c++) xa_cmp_result_clear(&res[c]);
    free(res);
    free(ok);
    free(cost);
    free(best);
    free(choice);
    if (st) xa_pairing_clear(out);
    return st;
}
