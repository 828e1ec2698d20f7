/* From accumulated sums to the reported metrics, tolerances and verdicts (docs/metrics.md). */
#include "kernel.h"

#include <math.h>
#include <string.h>

void xa_acc_to_metrics(const xa_acc *a, xa_metrics *m) {
    memset(m, 0, sizeof *m);
    m->count = a->count;
    m->equal = a->equal;
    m->finite = a->finite;
    m->mismatches = a->mism;
    m->zero_ref_diff = a->zero_ref_diff;
    m->nan_ref = a->nan_r;
    m->nan_port = a->nan_p;
    m->inf_ref = a->inf_r;
    m->inf_port = a->inf_p;
    m->nonfinite_mismatch = a->nonfinite_mism;
    m->first_nonfinite_mismatch = a->first_nonfinite;
    m->ref_finite = a->rfin;
    m->port_finite = a->pfin;
    m->max_abs_index = a->max_abs_index;
    m->max_abs = a->max_abs_index >= 0 ? a->max_abs : 0;
    m->max_abs_ref = a->max_abs_ref;
    m->max_abs_port = a->max_abs_port;
    m->max_rel_index = a->max_rel_index;
    m->max_rel = a->max_rel_index >= 0 ? a->max_rel : 0;
    /* extrema are compared numerically, so which zero (-0 or +0) a zero extremum keeps depends
     * on the visiting order of the kernel; it is reported as +0 */
    m->ref_min = a->rfin ? a->rmin + 0.0 : NAN;
    m->ref_max = a->rfin ? a->rmax + 0.0 : NAN;
    m->port_min = a->pfin ? a->pmin + 0.0 : NAN;
    m->port_max = a->pfin ? a->pmax + 0.0 : NAN;
    double s[S_COUNT];
    for (int k = 0; k < S_COUNT; k++) s[k] = a->sum[k] + a->comp[k];
    m->sum_abs = s[S_ABS];
    m->sum_d2 = s[S_D2];
    m->sum_r2 = s[S_R2];
    m->sum_p2 = s[S_P2];
    m->sum_rp = s[S_RP];
    m->sum_r = s[S_R];
    m->sum_p = s[S_P];
    m->sum_h2 = s[S_H2];
    m->sum_r_all = s[S_RALL];
    m->sum_p_all = s[S_PALL];
    xa_metrics_derive(m);
}

void xa_metrics_derive(xa_metrics *m) {
    double n = (double)m->finite;
    m->mean_abs = m->finite ? m->sum_abs / n : 0;
    m->rmse = m->finite ? sqrt(m->sum_d2 / n) : 0;
    if (m->sum_r2 == 0 && m->sum_p2 == 0)
        m->cosine = 1; /* both all-zero: identical directions (Polygraphy's convention) */
    else if (m->sum_r2 == 0 || m->sum_p2 == 0)
        m->cosine = 0;
    else {
        m->cosine = m->sum_rp / (sqrt(m->sum_r2) * sqrt(m->sum_p2));
        /* |cosine| <= 1 exactly (Cauchy-Schwarz); rounding of the three sums can step one ulp
         * past it for identical tensors, which would only confuse a reader */
        if (m->cosine > 1) m->cosine = 1;
        if (m->cosine < -1) m->cosine = -1;
    }
    /* tpu-mlir's euclidean similarity: 1 - ||r - p|| / (||(r + p)/2|| + 1e-7) */
    m->euclid_sim = 1.0 - sqrt(m->sum_d2) / (sqrt(m->sum_h2) + 1e-7);
    if (m->sum_d2 == 0)
        m->rel_l2 = 0;
    else
        m->rel_l2 = m->sum_r2 == 0 ? INFINITY : sqrt(m->sum_d2) / sqrt(m->sum_r2);
    if (m->sum_d2 == 0)
        m->sqnr_db = INFINITY;
    else
        m->sqnr_db = m->sum_r2 == 0 ? -INFINITY : 10.0 * log10(m->sum_r2 / m->sum_d2);
    m->ref_mean = m->ref_finite ? m->sum_r_all / (double)m->ref_finite : NAN;
    m->port_mean = m->port_finite ? m->sum_p_all / (double)m->port_finite : NAN;
}

unsigned xa_verdict(const xa_metrics *m, const xa_tolerance *t) {
    unsigned f = 0;
    if (m->nonfinite_mismatch) f |= XA_CMP_FAIL_NONFINITE;
    if ((t->active & XA_TOL_EQUAL) && m->equal != m->count) f |= XA_TOL_EQUAL;
    if ((t->active & XA_TOL_ATOL_RTOL) && m->mismatches) f |= XA_TOL_ATOL_RTOL;
    if ((t->active & XA_TOL_MAX_ABS) && !(m->max_abs <= t->max_abs)) f |= XA_TOL_MAX_ABS;
    if ((t->active & XA_TOL_COSINE) && !(m->cosine >= t->min_cosine)) f |= XA_TOL_COSINE;
    if ((t->active & XA_TOL_EUCLID) && !(m->euclid_sim >= t->min_euclid)) f |= XA_TOL_EUCLID;
    if ((t->active & XA_TOL_SQNR) && !(m->sqnr_db >= t->min_sqnr_db)) f |= XA_TOL_SQNR;
    return f;
}
