/* One-call entry points for bindings (the Python package) and scripts: options as "key=value"
 * text, results as the JSON objects the command line prints, so a binding needs no struct layout
 * beyond xa_tensor and its fields stay those of `--json` (docs/json.md). */
#include "internal.h"
#include "report_internal.h"
#include "xalign/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    xa_tolerance tol;
    int axis, threads, jobs, diagnose, has_axis;
    char manifest[4096], bmodel[4096];
} api_opts;

static xa_status parse_int(const char *k, const char *v, int lo, int hi, int *out, xa_error *err) {
    char *e;
    long x = strtol(v, &e, 10);
    if (!*v || *e || x < lo || x > hi)
        return xa_fail(err, XA_EINVAL, "option %s: '%s' is not an integer in %d..%d", k, v, lo, hi);
    *out = (int)x;
    return XA_OK;
}

/* "key=value key=value" (or one per line): tolerance keys (xa_tolerance_set) and the run's own keys
 */
static xa_status parse_opts(const char *text, api_opts *o, xa_error *err) {
    memset(o, 0, sizeof *o);
    o->diagnose = 1;
    char buf[8192];
    if (text && strlen(text) >= sizeof buf) return xa_fail(err, XA_ELIMIT, "options too long");
    snprintf(buf, sizeof buf, "%s", text ? text : "");
    /* one option per line (paths may hold spaces); without a newline, space-separated */
    const char *sep = strchr(buf, '\n') ? "\n" : " ";
    for (char *save = NULL, *kv = strtok_r(buf, sep, &save); kv; kv = strtok_r(NULL, sep, &save)) {
        char *eq = strchr(kv, '=');
        const char *v = eq ? eq + 1 : "";
        if (eq) *eq = 0;
        xa_status st = XA_OK;
        if (!strcmp(kv, "axis")) {
            st = parse_int(kv, v, -XA_MAX_RANK, XA_MAX_RANK - 1, &o->axis, err);
            o->has_axis = 1;
        } else if (!strcmp(kv, "threads")) {
            st = parse_int(kv, v, 1, 64, &o->threads, err);
        } else if (!strcmp(kv, "jobs")) {
            st = parse_int(kv, v, 1, 64, &o->jobs, err);
        } else if (!strcmp(kv, "diagnose")) {
            o->diagnose = strcmp(v, "false") && strcmp(v, "0");
        } else if (!strcmp(kv, "manifest")) {
            snprintf(o->manifest, sizeof o->manifest, "%s", v);
        } else if (!strcmp(kv, "bmodel")) {
            snprintf(o->bmodel, sizeof o->bmodel, "%s", v);
        } else {
            st = xa_tolerance_set(&o->tol, kv, v, err);
        }
        if (st) return st;
    }
    return XA_OK;
}

xa_status xa_compare_to_json(const xa_tensor *ref, const xa_tensor *port, const char *options,
                             char **json, xa_error *err) {
    if (!json) return xa_fail(err, XA_EINVAL, "xa_compare_to_json: NULL result pointer");
    *json = NULL;
    if (!ref || !port)
        return xa_fail(err, XA_EINVAL, "xa_compare_to_json: NULL %s tensor",
                       ref ? "port" : "reference");
    api_opts o;
    xa_status st = parse_opts(options, &o, err);
    if (st) return st;
    if (xa_tensor_count(ref) != xa_tensor_count(port)) {
        char a[128], b[128];
        return xa_fail(err, XA_ESHAPE, "element counts differ: ref %s, port %s",
                       xa_shape_format(ref->rank, ref->shape, a, sizeof a),
                       xa_shape_format(port->rank, port->shape, b, sizeof b));
    }
    xa_cmp_options co;
    xa_cmp_options_init(&co);
    xa_tol_rule rule; /* which rule decides, as the command line reports it */
    xa_tol_sources src = {&o.tol, NULL, NULL};
    co.tol = xa_tolerance_choose(&src, NULL, ref->dtype, port->dtype, 0, &rule);
    co.threads = o.threads;
    if (o.has_axis) {
        int ax = o.axis < 0 ? o.axis + ref->rank : o.axis;
        if (ax < 0 || ax >= ref->rank)
            return xa_fail(err, XA_EINVAL, "axis %d is out of range for rank %d", o.axis,
                           ref->rank);
        co.axis = ax;
    }
    xa_cmp_result res;
    st = xa_compare(ref, port, &co, &res, err);
    if (st) return st;
    enum { MAXP = 8 };
    xa_permutation perms[MAXP];
    xa_cmp_result pres[MAXP];
    size_t np = 0;
    int mismatch = !xa_shape_same_layout(ref->rank, ref->shape, port->rank, port->shape);
    st = xa_compare_permutations(ref, port, &co, perms, pres, MAXP, &np, err);
    if (!st) {
        xa_compare_report rep = {{"ref", ref}, {"port", port}, &res,  mismatch, np,
                                 perms,        pres,           &rule, NULL};
        *json = xa_report_compare_json(&rep);
        if (!*json) st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < np; i++) xa_cmp_result_clear(&pres[i]);
    xa_cmp_result_clear(&res);
    return st;
}

xa_status xa_stages_to_json(const char *ref_dir, const char *port_dir, const char *options,
                            char **json, xa_error *err) {
    *json = NULL;
    api_opts o;
    xa_status st = parse_opts(options, &o, err);
    if (st) return st;
    xa_manifest m = {0};
    xa_bmodel *bm = NULL;
    if (o.manifest[0] && (st = xa_manifest_load(o.manifest, &m, err))) return st;
    if (o.bmodel[0] && (st = xa_bmodel_load(o.bmodel, &bm, err))) {
        xa_manifest_clear(&m);
        return st;
    }
    xa_stages_options so = {
        .manifest = o.manifest[0] ? &m : NULL, .tol = o.tol, .threads = o.threads, .bmodel = bm};
    if (o.diagnose) so.after_stage = xa_diagnose_stage_hook;
    if (xa_stages_is_dataset(ref_dir)) {
        xa_dataset_report dr;
        st = xa_dataset_run(ref_dir, port_dir, &so, o.jobs, &dr, err);
        if (!st) {
            /* each sample's conclusions, as the command line draws them */
            for (size_t i = 0; o.diagnose && i < dr.nsamples; i++)
                xa_diagnose_report(&dr.reports[i]);
            *json = xa_report_dataset_json(&dr);
            xa_dataset_report_clear(&dr);
        }
    } else {
        xa_stages_report r;
        st = xa_stages_run(ref_dir, port_dir, &so, &r, err);
        if (!st) {
            if (o.diagnose) xa_diagnose_report(&r);
            *json = xa_report_stages_json(&r);
            xa_stages_report_clear(&r);
        }
    }
    if (!st && !*json) st = xa_fail(err, XA_ENOMEM, "out of memory");
    xa_manifest_clear(&m);
    xa_bmodel_free(bm);
    return st;
}

xa_status xa_diagnose_to_json(const xa_tensor *ref, const xa_tensor *port, const xa_tensor *ref_in,
                              const xa_tensor *port_in, const char *image, const char *options,
                              char **json, xa_error *err) {
    if (!json) return xa_fail(err, XA_EINVAL, "xa_diagnose_to_json: NULL result pointer");
    *json = NULL;
    if (!ref || !port)
        return xa_fail(err, XA_EINVAL, "xa_diagnose_to_json: NULL %s tensor",
                       ref ? "port" : "reference");
    api_opts o;
    xa_status st = parse_opts(options, &o, err);
    if (st) return st;
    xa_diagnose_input in = {ref, port, ref_in, port_in, image, NULL, o.tol, NULL};
    xa_diagnosis d;
    st = xa_diagnose(&in, &d, err);
    if (st) return st;
    xa_cmp_options co;
    xa_cmp_options_init(&co);
    co.tol = o.tol;
    xa_cmp_result res;
    if (xa_tensor_count(ref) != xa_tensor_count(port)) { /* described, then diagnosed */
        xa_compare_report rep = {{"ref", ref}, {"port", port}, NULL, 1, 0, NULL, NULL, NULL, NULL};
        *json = xa_report_diagnose_json(&rep, &d);
        xa_diagnosis_clear(&d);
        return *json ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    }
    st = xa_compare(ref, port, &co, &res, err);
    enum { MAXP = 8 };
    xa_permutation perms[MAXP];
    xa_cmp_result pres[MAXP];
    size_t np = 0;
    if (!st && (st = xa_compare_permutations(ref, port, &co, perms, pres, MAXP, &np, err)))
        xa_cmp_result_clear(&res);
    if (!st) {
        int mismatch = !xa_shape_same_layout(ref->rank, ref->shape, port->rank, port->shape);
        xa_compare_report rep = {{"ref", ref}, {"port", port}, &res, mismatch, np,
                                 perms,        pres,           NULL, NULL};
        *json = xa_report_diagnose_json(&rep, &d);
        if (!*json) st = xa_fail(err, XA_ENOMEM, "out of memory");
        xa_cmp_result_clear(&res);
        for (size_t i = 0; i < np; i++) xa_cmp_result_clear(&pres[i]);
    }
    xa_diagnosis_clear(&d);
    return st;
}
