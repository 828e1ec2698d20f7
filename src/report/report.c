/* Text and JSON renderings of `info`, `compare`, `decode`, `preprocess` and `diagnose` results, and
 * the JSON helpers the report files share (the report layer is the only one that writes JSON). */
#include "strbuf.h"
#include "report_internal.h"
#include "xalign/report.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON helpers -------------------------------------------------------------------------- */
/* JSON has no inf/nan: they are written as the strings "inf", "-inf" and "nan". */
json_t *xa_jobject(const char *schema) {
    json_t *o = json_object();
    json_object_set_new(o, "schema", json_string(schema));
    return o;
}

json_t *xa_jnum(double v) {
    if (isnan(v)) return json_string("nan");
    if (isinf(v)) return json_string(v > 0 ? "inf" : "-inf");
    return json_real(v);
}
json_t *xa_jshape(int rank, const int64_t *shape) {
    json_t *a = json_array();
    for (int k = 0; k < rank; k++) json_array_append_new(a, json_integer(shape[k]));
    return a;
}
/* Comparison indices are C-order logical indices (xa_compare copies Fortran data first), so
 * coordinates unravel in C order whatever the tensor's storage. */
static void unravel_c(const xa_tensor *t, int64_t flat, int64_t *c) {
    xa_tensor shell = *t;
    shell.fortran_order = 0;
    xa_tensor_unravel(&shell, flat, c);
}

static json_t *jcoords(const xa_tensor *t, int64_t flat) {
    if (flat < 0 || !t) return json_null();
    int64_t c[XA_MAX_RANK];
    unravel_c(t, flat, c);
    return xa_jshape(t->rank, c);
}
char *xa_jdump(json_t *o) {
    char *s = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(o);
    if (!s) return NULL;
    /* hand back memory xa_free can release */
    size_t n = strlen(s);
    char *r = malloc(n + 2);
    if (r) {
        memcpy(r, s, n);
        r[n] = '\n';
        r[n + 1] = 0;
    }
    free(s);
    return r;
}
static json_t *jtensor(const xa_tensor_info *ti) {
    const xa_tensor *t = ti->tensor;
    json_t *o = json_object();
    json_object_set_new(o, "spec", json_string(ti->spec ? ti->spec : ""));
    json_object_set_new(o, "dtype", json_string(xa_dtype_name(t->dtype)));
    json_object_set_new(o, "shape", xa_jshape(t->rank, t->shape));
    json_object_set_new(o, "order", json_string(t->fortran_order ? "F" : "C"));
    json_object_set_new(o, "byte_order", json_string(t->swapped ? "swapped" : "native"));
    json_object_set_new(o, "count", json_integer(xa_tensor_count(t)));
    json_object_set_new(o, "nbytes", json_integer((json_int_t)t->nbytes));
    return o;
}

void xa_jstats(json_t *o, const xa_stats *st) {
    json_object_set_new(o, "min", xa_jnum(st->min));
    json_object_set_new(o, "max", xa_jnum(st->max));
    json_object_set_new(o, "mean", xa_jnum(st->mean));
    json_object_set_new(o, "finite", json_integer(st->finite));
    json_object_set_new(o, "nan", json_integer(st->nan));
    json_object_set_new(o, "inf", json_integer(st->inf));
}

char *xa_report_info_json(const xa_tensor_info *ti, const xa_stats *st) {
    json_t *o = jtensor(ti);
    xa_jstats(o, st);
    return xa_jdump(o);
}

char *xa_report_info_text(const xa_tensor_info *ti, const xa_stats *st) {
    const xa_tensor *t = ti->tensor;
    char shp[256], a[40], b[40], c[40];
    xa_sb sb = {0};
    xa_sb_printf(&sb, "%s: %s %s, %s order%s, %lld elements, %zu bytes\n", ti->spec,
                 xa_dtype_name(t->dtype), xa_shape_format(t->rank, t->shape, shp, sizeof shp),
                 t->fortran_order ? "Fortran" : "C", t->swapped ? ", byte-swapped" : "",
                 (long long)st->count, t->nbytes);
    if (st->finite)
        xa_sb_printf(&sb, "  min %s  max %s  mean %s\n", xa_fmt_num(st->min, 9, a, sizeof a),
                     xa_fmt_num(st->max, 9, b, sizeof b), xa_fmt_num(st->mean, 9, c, sizeof c));
    else
        xa_sb_printf(&sb, "  no finite values\n");
    if (st->nan || st->inf)
        xa_sb_printf(&sb, "  NaN %lld  Inf %lld\n", (long long)st->nan, (long long)st->inf);
    return xa_sb_take(&sb);
}

/* ---- compare ------------------------------------------------------------------------------- */
json_t *xa_jmetrics(const xa_metrics *m, const xa_tensor *coord_of) {
    json_t *o = json_object();
    json_object_set_new(o, "count", json_integer(m->count));
    json_object_set_new(o, "equal", json_integer(m->equal));
    json_object_set_new(o, "finite", json_integer(m->finite));
    json_object_set_new(o, "max_abs", xa_jnum(m->max_abs));
    json_object_set_new(o, "max_abs_index",
                        m->max_abs_index >= 0 ? json_integer(m->max_abs_index) : json_null());
    json_object_set_new(o, "max_abs_coords", jcoords(coord_of, m->max_abs_index));
    json_object_set_new(o, "max_abs_ref",
                        m->max_abs_index >= 0 ? xa_jnum(m->max_abs_ref) : json_null());
    json_object_set_new(o, "max_abs_port",
                        m->max_abs_index >= 0 ? xa_jnum(m->max_abs_port) : json_null());
    json_object_set_new(o, "mean_abs", xa_jnum(m->mean_abs));
    json_object_set_new(o, "rmse", xa_jnum(m->rmse));
    json_object_set_new(o, "max_rel", xa_jnum(m->max_rel));
    json_object_set_new(o, "max_rel_index",
                        m->max_rel_index >= 0 ? json_integer(m->max_rel_index) : json_null());
    json_object_set_new(o, "zero_ref_diff", json_integer(m->zero_ref_diff));
    json_object_set_new(o, "cosine", xa_jnum(m->cosine));
    json_object_set_new(o, "euclid_sim", xa_jnum(m->euclid_sim));
    json_object_set_new(o, "rel_l2", xa_jnum(m->rel_l2));
    json_object_set_new(o, "sqnr_db", xa_jnum(m->sqnr_db));
    json_object_set_new(o, "mismatches", json_integer(m->mismatches));
    json_object_set_new(o, "nan_ref", json_integer(m->nan_ref));
    json_object_set_new(o, "nan_port", json_integer(m->nan_port));
    json_object_set_new(o, "inf_ref", json_integer(m->inf_ref));
    json_object_set_new(o, "inf_port", json_integer(m->inf_port));
    json_object_set_new(o, "nonfinite_mismatch", json_integer(m->nonfinite_mismatch));
    json_object_set_new(o, "first_nonfinite_mismatch_index",
                        m->first_nonfinite_mismatch >= 0 ? json_integer(m->first_nonfinite_mismatch)
                                                         : json_null());
    json_object_set_new(o, "ref_min", m->ref_finite ? xa_jnum(m->ref_min) : json_null());
    json_object_set_new(o, "ref_max", m->ref_finite ? xa_jnum(m->ref_max) : json_null());
    json_object_set_new(o, "ref_mean", m->ref_finite ? xa_jnum(m->ref_mean) : json_null());
    json_object_set_new(o, "port_min", m->port_finite ? xa_jnum(m->port_min) : json_null());
    json_object_set_new(o, "port_max", m->port_finite ? xa_jnum(m->port_max) : json_null());
    json_object_set_new(o, "port_mean", m->port_finite ? xa_jnum(m->port_mean) : json_null());
    return o;
}

json_t *xa_jperm(const xa_permutation *p, int aligned) {
    json_t *o = json_object(), *ax = json_array();
    for (int k = 0; k < p->rank; k++) json_array_append_new(ax, json_integer(p->perm[k]));
    json_object_set_new(o, "perm", ax);
    json_object_set_new(o, "squeezed", json_boolean(p->squeezed));
    json_object_set_new(o, "aligned", json_boolean(aligned));
    return o;
}

json_t *xa_jperms_max_abs(size_t n, const xa_permutation *perms, const int *aligned,
                          const double *max_abs) {
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *p = xa_jperm(&perms[k], aligned[k]);
        json_object_set_new(p, "max_abs", xa_jnum(max_abs[k]));
        json_array_append_new(a, p);
    }
    return a;
}

void xa_perm_text(xa_sb *sb, const xa_permutation *p) {
    xa_sb_printf(sb, "(");
    for (int k = 0; k < p->rank; k++) xa_sb_printf(sb, k ? ", %d" : "%d", p->perm[k]);
    xa_sb_printf(sb, p->rank == 1 ? ",)" : ")");
}

void xa_perm_list_text(xa_sb *sb, size_t n, const xa_permutation *perms, const int *aligned,
                       const double *max_abs) {
    char a[40];
    for (size_t i = 0; i < n; i++) {
        xa_sb_printf(sb, i ? "; " : " -- ");
        xa_sb_printf(sb, "%s after %stranspose ", aligned[i] ? "aligned" : "unaligned",
                     perms[i].squeezed ? "squeeze + " : "");
        xa_perm_text(sb, &perms[i]);
        xa_sb_printf(sb, " (max_abs %s)", xa_fmt_num(max_abs[i], 6, a, sizeof a));
    }
}

void xa_jverdict(json_t *o, const xa_cmp_result *res, const xa_tensor *coord_of) {
    char vt[512];
    json_object_set_new(o, "metrics", xa_jmetrics(&res->total, coord_of));
    json_object_set_new(o, "tolerance", xa_jtolerance(&res->tol));
    json_object_set_new(o, "failed", xa_jfailed(res->failed));
    xa_decisive_text(&res->total, &res->tol, res->failed, vt, sizeof vt);
    json_object_set_new(o, "verdict", json_string(vt));
}

json_t *xa_jrule(const xa_tol_rule *r) {
    json_t *o = json_object();
    json_object_set_new(o, "source",
                        json_string(r->source == XA_TOL_FROM_CLI        ? "command_line"
                                    : r->source == XA_TOL_FROM_FILE     ? "tolerance_file"
                                    : r->source == XA_TOL_FROM_MANIFEST ? "manifest"
                                                                        : "dtype_default"));
    json_object_set_new(o, "what", json_string(r->what));
    return o;
}

json_t *xa_jfailed(unsigned f) {
    json_t *a = json_array();
    if (f & XA_CMP_FAIL_NONFINITE) json_array_append_new(a, json_string("nonfinite"));
    if (f & XA_TOL_EQUAL) json_array_append_new(a, json_string("equal"));
    if (f & XA_TOL_ATOL_RTOL) json_array_append_new(a, json_string("atol_rtol"));
    if (f & XA_TOL_MAX_ABS) json_array_append_new(a, json_string("max_abs"));
    if (f & XA_TOL_COSINE) json_array_append_new(a, json_string("cosine"));
    if (f & XA_TOL_EUCLID) json_array_append_new(a, json_string("euclid_sim"));
    if (f & XA_TOL_SQNR) json_array_append_new(a, json_string("sqnr_db"));
    return a;
}

json_t *xa_jtolerance(const xa_tolerance *t) {
    json_t *o = json_object();
    if (t->active & XA_TOL_EQUAL) json_object_set_new(o, "equal", json_true());
    if (t->active & XA_TOL_ATOL_RTOL) {
        json_object_set_new(o, "atol", xa_jnum(t->atol));
        json_object_set_new(o, "rtol", xa_jnum(t->rtol));
    }
    if (t->active & XA_TOL_MAX_ABS) json_object_set_new(o, "max_abs", xa_jnum(t->max_abs));
    if (t->active & XA_TOL_COSINE) json_object_set_new(o, "min_cosine", xa_jnum(t->min_cosine));
    if (t->active & XA_TOL_EUCLID) json_object_set_new(o, "min_euclid", xa_jnum(t->min_euclid));
    if (t->active & XA_TOL_SQNR) json_object_set_new(o, "min_sqnr_db", xa_jnum(t->min_sqnr_db));
    if (t->preset) json_object_set_new(o, "preset", json_string(t->preset));
    json_t *m = json_object();
    json_object_set_new(m, "atol", xa_jnum(t->atol));
    json_object_set_new(m, "rtol", xa_jnum(t->rtol));
    json_object_set_new(o, "mismatch_rule", m);
    return o;
}

char *xa_report_compare_json(const xa_compare_report *r) {
    const xa_cmp_result *res = r->result;
    json_t *o = xa_jobject("xalign.compare/1");
    json_object_set_new(o, "ref", jtensor(&r->ref));
    json_object_set_new(o, "port", jtensor(&r->port));
    json_object_set_new(o, "shape_mismatch", json_boolean(r->shape_mismatch));
    xa_jverdict(o, res, r->ref.tensor);
    if (r->rule) json_object_set_new(o, "rule", xa_jrule(r->rule));
    if (r->note) json_object_set_new(o, "note", json_string(r->note));
    if (res->axis >= 0) {
        json_t *a = json_array();
        for (int64_t k = 0; k < res->nchannels; k++) {
            json_t *cm = xa_jmetrics(&res->channels[k], r->ref.tensor);
            json_object_set_new(cm, "aligned",
                                json_boolean(xa_verdict(&res->channels[k], &res->tol) == 0));
            json_array_append_new(a, cm);
        }
        json_object_set_new(o, "axis", json_integer(res->axis));
        json_object_set_new(o, "channels", a);
    }
    if (r->shape_mismatch) {
        json_t *a = json_array();
        for (size_t i = 0; i < r->nperms; i++) {
            json_t *p = xa_jperm(&r->perms[i], r->perm_results[i].aligned);
            json_object_set_new(p, "metrics", xa_jmetrics(&r->perm_results[i].total, NULL));
            json_array_append_new(a, p);
        }
        json_object_set_new(o, "permutations", a);
    }
    json_object_set_new(o, "aligned", json_boolean(res->aligned && !r->shape_mismatch));
    return xa_jdump(o);
}

void xa_coords_text(const xa_tensor *t, int64_t flat, char *buf, size_t size) {
    int64_t c[XA_MAX_RANK];
    unravel_c(t, flat, c);
    xa_shape_format(t->rank, c, buf, size);
}

void xa_tol_text(const xa_tolerance *t, char *buf, size_t size) {
    size_t o = 0;
    buf[0] = 0;
#define ADD(...) o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__)
    if (t->active & XA_TOL_EQUAL) ADD("%sexact equality", o ? ", " : "");
    if (t->active & XA_TOL_ATOL_RTOL)
        ADD("%s|d| <= %g + %g*|ref|", o ? ", " : "", t->atol, t->rtol);
    if (t->active & XA_TOL_MAX_ABS) ADD("%smax_abs <= %g", o ? ", " : "", t->max_abs);
    if (t->active & XA_TOL_COSINE) ADD("%scosine >= %g", o ? ", " : "", t->min_cosine);
    if (t->active & XA_TOL_EUCLID) ADD("%seuclid_sim >= %g", o ? ", " : "", t->min_euclid);
    if (t->active & XA_TOL_SQNR) ADD("%ssqnr_db >= %g", o ? ", " : "", t->min_sqnr_db);
    if (t->preset) ADD(" (preset %s)", t->preset);
#undef ADD
}

void xa_metrics_text(xa_sb *sb, const xa_metrics *m, const xa_tolerance *tol, const xa_tensor *ct,
                     const char *indent) {
    char a[40], b[40], c[40], d[40], where[256] = "";
    double n = m->count ? (double)m->count : 1;
    xa_sb_printf(sb,
                 "%selements %lld, equal %lld (%.2f%%), mismatches %lld (%.2f%%) under |d| <= %g + "
                 "%g*|ref|\n",
                 indent, (long long)m->count, (long long)m->equal, 100.0 * (double)m->equal / n,
                 (long long)m->mismatches, 100.0 * (double)m->mismatches / n, tol->atol, tol->rtol);
    if (m->max_rel_index >= 0 && m->max_rel > 0 && ct)
        xa_coords_text(ct, m->max_rel_index, where, sizeof where);
    xa_sb_printf(sb, "%smean_abs %s, rmse %s, max_rel %s%s%s", indent,
                 xa_fmt_num(m->mean_abs, 6, a, sizeof a), xa_fmt_num(m->rmse, 6, b, sizeof b),
                 xa_fmt_num(m->max_rel, 6, c, sizeof c), where[0] ? " at " : "", where);
    if (m->zero_ref_diff)
        xa_sb_printf(sb, " (+%lld differing where ref == 0)", (long long)m->zero_ref_diff);
    xa_sb_printf(sb, "\n");
    xa_sb_printf(sb, "%scosine %s, euclid_sim %s, rel_l2 %s, sqnr_db %s\n", indent,
                 xa_fmt_num(m->cosine, 9, a, sizeof a), xa_fmt_num(m->euclid_sim, 9, b, sizeof b),
                 xa_fmt_num(m->rel_l2, 6, c, sizeof c), xa_fmt_num(m->sqnr_db, 5, d, sizeof d));
    if (m->ref_finite || m->port_finite)
        xa_sb_printf(sb, "%sref  min %s, max %s, mean %s\n", indent,
                     xa_fmt_num(m->ref_min, 7, a, sizeof a), xa_fmt_num(m->ref_max, 7, b, sizeof b),
                     xa_fmt_num(m->ref_mean, 7, c, sizeof c));
    if (m->ref_finite || m->port_finite)
        xa_sb_printf(
            sb, "%sport min %s, max %s, mean %s\n", indent, xa_fmt_num(m->port_min, 7, a, sizeof a),
            xa_fmt_num(m->port_max, 7, b, sizeof b), xa_fmt_num(m->port_mean, 7, c, sizeof c));
    if (m->nan_ref || m->nan_port || m->inf_ref || m->inf_port) {
        xa_sb_printf(sb, "%sNaN ref %lld port %lld, Inf ref %lld port %lld, one-sided %lld", indent,
                     (long long)m->nan_ref, (long long)m->nan_port, (long long)m->inf_ref,
                     (long long)m->inf_port, (long long)m->nonfinite_mismatch);
        if (m->first_nonfinite_mismatch >= 0 && ct) {
            xa_coords_text(ct, m->first_nonfinite_mismatch, where, sizeof where);
            xa_sb_printf(sb, " (first at %s)", where);
        }
        xa_sb_printf(sb, "\n");
    }
}

/* A value printed with just enough digits to stand on the right side of its limit: 4
 * significant digits, more while rounding would blur the comparison (cosine 0.98999999 is not
 * printed as 0.99 next to "< 0.99"). */
static const char *fmt_vs(double v, double limit, char *buf, size_t size) {
    for (int prec = 4; prec < 17; prec++) {
        xa_fmt_num(v, prec, buf, size);
        double back = strtod(buf, NULL);
        if (!isfinite(v) || ((back < limit) == (v < limit) && (back > limit) == (v > limit)))
            return buf;
    }
    return xa_fmt_num(v, 17, buf, size);
}

void xa_decisive_text(const xa_metrics *m, const xa_tolerance *t, unsigned failed, char *buf,
                      size_t size) {
    size_t o = 0;
    char a[48], l1[40], l2[40];
    buf[0] = 0;
    /* the failing criteria when unaligned, otherwise every active one (what decided it) */
    unsigned show = failed ? failed : t->active;
#define ADD(...) o += (size_t)snprintf(buf + o, o < size ? size - o : 0, __VA_ARGS__)
#define SEP (o ? ", " : "")
/* a limit as it was given: the shortest text that reads back as the same double (0.99999999,
 * not %g's 1) */
#define LIM(v, b) xa_fmt_shortest(v, b, sizeof b)
    if (show & XA_CMP_FAIL_NONFINITE)
        ADD("%s%lld one-sided NaN/Inf", SEP, (long long)m->nonfinite_mismatch);
    if (show & XA_TOL_EQUAL) {
        if (m->equal == m->count)
            ADD("%sall %lld equal", SEP, (long long)m->count);
        else
            ADD("%s%lld of %lld differ (exact equality)", SEP, (long long)(m->count - m->equal),
                (long long)m->count);
    }
    if (show & XA_TOL_ATOL_RTOL) {
        if (m->mismatches)
            ADD("%s%lld of %lld beyond |d| <= %s + %s*|ref|", SEP, (long long)m->mismatches,
                (long long)m->count, LIM(t->atol, l1), LIM(t->rtol, l2));
        else
            ADD("%sall %lld within |d| <= %s + %s*|ref|", SEP, (long long)m->count,
                LIM(t->atol, l1), LIM(t->rtol, l2));
    }
    if (show & XA_TOL_MAX_ABS)
        ADD("%smax_abs %s %s %s", SEP, fmt_vs(m->max_abs, t->max_abs, a, sizeof a),
            m->max_abs <= t->max_abs ? "<=" : ">", LIM(t->max_abs, l1));
    if (show & XA_TOL_COSINE)
        ADD("%scosine %s %s %s", SEP, fmt_vs(m->cosine, t->min_cosine, a, sizeof a),
            m->cosine >= t->min_cosine ? ">=" : "<", LIM(t->min_cosine, l1));
    if (show & XA_TOL_EUCLID)
        ADD("%seuclid_sim %s %s %s", SEP, fmt_vs(m->euclid_sim, t->min_euclid, a, sizeof a),
            m->euclid_sim >= t->min_euclid ? ">=" : "<", LIM(t->min_euclid, l1));
    if (show & XA_TOL_SQNR)
        ADD("%ssqnr_db %s %s %s", SEP, fmt_vs(m->sqnr_db, t->min_sqnr_db, a, sizeof a),
            m->sqnr_db >= t->min_sqnr_db ? ">=" : "<", LIM(t->min_sqnr_db, l1));
    if (t->preset) ADD(" (preset %s)", t->preset);
#undef SEP
#undef LIM
#undef ADD
}

/* The seed's one-line verdict, naming what decided it: "aligned. max_abs 3e-05 <= 0.001" or
 * "unaligned! cosine 0.9812 < 0.99", then where the worst element is. */
static void verdict_line(xa_sb *sb, const xa_cmp_result *res, const xa_tensor *ct,
                         int shape_mismatch, const xa_tol_rule *rule) {
    const xa_metrics *m = &res->total;
    char vt[512], where[256] = "", a[40], b[40], c[40];
    xa_decisive_text(m, &res->tol, res->failed, vt, sizeof vt);
    if (m->max_abs_index >= 0 && ct) xa_coords_text(ct, m->max_abs_index, where, sizeof where);
    if (res->aligned && !shape_mismatch)
        xa_sb_printf(sb, "aligned. %s", vt);
    else if (res->aligned)
        xa_sb_printf(sb, "unaligned! shapes differ; the values in storage order pass: %s", vt);
    else
        xa_sb_printf(sb, "unaligned! %s", vt);
    unsigned shown = res->failed ? res->failed : res->tol.active;
    if (!(shown & XA_TOL_MAX_ABS)) /* max_abs always appears: the seed's headline number */
        xa_sb_printf(sb, "; max_abs %s", xa_fmt_num(m->max_abs, 9, a, sizeof a));
    if (rule && rule->what[0]) xa_sb_printf(sb, " [%s]", rule->what);
    xa_sb_printf(sb, "\n");
    if (m->max_abs_index >= 0 && m->max_abs > 0)
        xa_sb_printf(sb, "  worst at %s (flat %lld): ref %s, port %s\n", where,
                     (long long)m->max_abs_index, xa_fmt_num(m->max_abs_ref, 9, b, sizeof b),
                     xa_fmt_num(m->max_abs_port, 9, c, sizeof c));
}

char *xa_report_compare_text(const xa_compare_report *r) {
    const xa_cmp_result *res = r->result;
    const xa_tensor *rt = r->ref.tensor, *pt = r->port.tensor;
    char s1[256], s2[256];
    xa_sb sb = {0};
    xa_sb_printf(&sb, "ref : %s  %s %s\n", r->ref.spec, xa_dtype_name(rt->dtype),
                 xa_shape_format(rt->rank, rt->shape, s1, sizeof s1));
    xa_sb_printf(&sb, "port: %s  %s %s\n", r->port.spec, xa_dtype_name(pt->dtype),
                 xa_shape_format(pt->rank, pt->shape, s2, sizeof s2));
    if (r->shape_mismatch) {
        xa_sb_printf(&sb, "shape mismatch: ref %s, port %s (%lld elements each)\n", s1, s2,
                     (long long)xa_tensor_count(rt));
        for (size_t i = 0; i < r->nperms; i++) {
            const xa_permutation *p = &r->perms[i];
            char a[40];
            xa_sb_printf(&sb, "  %s after %s", r->perm_results[i].aligned ? "aligned" : "unaligned",
                         p->squeezed ? "dropping size-1 axes and transpose " : "transpose ");
            xa_perm_text(&sb, p);
            xa_sb_printf(&sb, ": max_abs %s\n",
                         xa_fmt_num(r->perm_results[i].total.max_abs, 9, a, sizeof a));
        }
        if (!r->nperms)
            xa_sb_printf(&sb, "  no axis permutation of the port gives the reference's shape\n");
        xa_sb_printf(&sb, "values in storage order:\n");
    }
    if (r->note) xa_sb_printf(&sb, "%s\n", r->note);
    verdict_line(&sb, res, rt, r->shape_mismatch, r->rule);
    xa_metrics_text(&sb, &res->total, &res->tol, rt, "  ");
    if (res->axis >= 0) {
        xa_sb_printf(&sb, "per index of axis %d:\n", res->axis);
        for (int64_t k = 0; k < res->nchannels; k++) {
            const xa_metrics *m = &res->channels[k];
            char a[40], b[40], c[40];
            unsigned f = xa_verdict(m, &res->tol);
            xa_sb_printf(&sb, "  [%lld] %s max_abs %s, mean_abs %s, cosine %s, mismatches %lld\n",
                         (long long)k, f ? "unaligned" : "aligned  ",
                         xa_fmt_num(m->max_abs, 6, a, sizeof a),
                         xa_fmt_num(m->mean_abs, 6, b, sizeof b),
                         xa_fmt_num(m->cosine, 9, c, sizeof c), (long long)m->mismatches);
        }
    }
    return xa_sb_take(&sb);
}

/* ---- decode -------------------------------------------------------------------------------- */
static const char *dct_text(xa_dct_method m) {
    return m == XA_DCT_IFAST ? "ifast" : m == XA_DCT_FLOAT ? "float" : "islow";
}

char *xa_report_decode_json(const xa_decode_report *r) {
    const xa_decode_options *o = r->options;
    const xa_decode_info *i = r->info;
    json_t *j = xa_jobject("xalign.decode/1");
    json_object_set_new(j, "input", json_string(r->input ? r->input : ""));
    json_object_set_new(j, "output", r->output ? json_string(r->output) : json_null());
    json_object_set_new(j, "format", json_string(i->format));
    json_object_set_new(j, "like", json_string(o->like == XA_DECODE_CV2 ? "cv2" : "pil"));
    json_object_set_new(j, "gray", json_boolean(o->gray));
    json_object_set_new(j, "channel_order",
                        json_string(o->gray                    ? "gray"
                                    : o->like == XA_DECODE_CV2 ? "BGR"
                                                               : "RGB"));
    json_object_set_new(j, "dct", json_string(dct_text(o->dct)));
    json_object_set_new(j, "fancy_upsampling", json_boolean(o->fancy_upsampling));
    json_object_set_new(j, "ignore_orientation", json_boolean(o->ignore_orientation));
    json_object_set_new(j, "exif_orientation", json_integer(i->exif_orientation));
    json_object_set_new(j, "orientation_applied", json_boolean(i->orientation_applied));
    json_object_set_new(j, "dtype", json_string(xa_dtype_name(r->tensor->dtype)));
    json_object_set_new(j, "shape", xa_jshape(r->tensor->rank, r->tensor->shape));
    json_object_set_new(j, "warnings", json_integer(i->warnings));
    json_object_set_new(j, "warning", json_string(i->warning));
    json_object_set_new(j, "settings", json_string(i->settings));
    return xa_jdump(j);
}

char *xa_report_decode_text(const xa_decode_report *r) {
    const xa_decode_info *i = r->info;
    char shp[128];
    xa_sb sb = {0};
    xa_sb_printf(&sb, "%s: %s, decoded to %s %s%s%s\n", r->input ? r->input : "", i->format,
                 xa_dtype_name(r->tensor->dtype),
                 xa_shape_format(r->tensor->rank, r->tensor->shape, shp, sizeof shp),
                 r->output ? " -> " : "", r->output ? r->output : "");
    xa_sb_printf(&sb, "  settings: %s\n", i->settings);
    if (i->exif_orientation)
        xa_sb_printf(&sb, "  EXIF orientation %d, %s\n", i->exif_orientation,
                     i->orientation_applied ? "applied" : "not applied");
    if (i->warnings)
        xa_sb_printf(&sb, "  %d codec warning%s (the library ignores them): %s\n", i->warnings,
                     i->warnings == 1 ? "" : "s", i->warning);
    return xa_sb_take(&sb);
}

char *xa_report_recipe_json(const char *recipe, const char *decoder_settings, const char *log,
                            const xa_tensor *out) {
    json_t *o = xa_jobject("xalign.preprocess/1"), *steps = json_array();
    json_object_set_new(o, "recipe", json_string(recipe));
    json_object_set_new(o, "decoder",
                        decoder_settings ? json_string(decoder_settings) : json_null());
    for (const char *p = log ? strchr(log, '\n') : NULL; p && p[1];) { /* lines after the first */
        const char *e = strchr(p + 1, '\n');
        size_t n = e ? (size_t)(e - p - 1) : strlen(p + 1);
        const char *q = p + 1;
        while (n && *q == ' ') q++, n--;
        json_array_append_new(steps, json_stringn(q, n));
        p = e;
    }
    json_object_set_new(o, "steps", steps);
    json_object_set_new(o, "dtype", json_string(xa_dtype_name(out->dtype)));
    json_object_set_new(o, "shape", xa_jshape(out->rank, out->shape));
    return xa_jdump(o);
}

/* ---- diagnose ------------------------------------------------------------------------------ */
char *xa_report_diagnose_text(const xa_compare_report *r, const xa_diagnosis *d) {
    xa_sb sb = {0};
    if (!r->result) { /* element counts differ: the tensors, then what the diagnosis found */
        const xa_tensor *rt = r->ref.tensor, *pt = r->port.tensor;
        char s1[160], s2[160];
        xa_sb_printf(&sb, "ref : %s  %s %s\nport: %s  %s %s\n", r->ref.spec,
                     xa_dtype_name(rt->dtype), xa_shape_format(rt->rank, rt->shape, s1, sizeof s1),
                     r->port.spec, xa_dtype_name(pt->dtype),
                     xa_shape_format(pt->rank, pt->shape, s2, sizeof s2));
        xa_sb_printf(&sb,
                     "element counts differ (%lld, %lld): nothing to compare element by "
                     "element\n",
                     (long long)xa_tensor_count(rt), (long long)xa_tensor_count(pt));
    } else {
        char *cmp = xa_report_compare_text(r);
        if (!cmp) return NULL;
        xa_sb_printf(&sb, "%s", cmp);
        xa_free(cmp);
    }
    if (d->aligned)
        xa_sb_printf(&sb, "diagnosis: %s\n", d->note);
    else
        xa_findings_text(&sb, d->findings, d->n, d->note[0] ? d->note : NULL, "");
    return xa_sb_take(&sb);
}

char *xa_report_diagnose_json(const xa_compare_report *r, const xa_diagnosis *d) {
    json_t *c;
    if (!r->result) {
        c = json_object();
        json_object_set_new(c, "ref", jtensor(&r->ref));
        json_object_set_new(c, "port", jtensor(&r->port));
        json_object_set_new(c, "element_counts_differ", json_true());
    } else {
        char *cmp = xa_report_compare_json(r);
        if (!cmp) return NULL;
        c = json_loads(cmp, 0, NULL);
        xa_free(cmp);
    }
    if (!c) return NULL;
    json_t *o = xa_jobject("xalign.diagnose/1");
    json_object_del(c, "schema");
    json_object_set_new(o, "compare", c);
    json_object_set_new(o, "aligned", json_boolean(d->aligned));
    json_object_set_new(o, "diagnosis", xa_jfindings(d->findings, d->n));
    json_object_set_new(o, "note", d->note[0] ? json_string(d->note) : json_null());
    return xa_jdump(o);
}

/* For the other report files (report_internal.h). */
json_t *xa_jtensor(const xa_tensor_info *ti) {
    return jtensor(ti);
}
void xa_verdict_text(xa_sb *sb, const xa_cmp_result *res, const xa_tensor *coords_of) {
    verdict_line(sb, res, coords_of, 0, NULL);
}
