/* Dataset runs as JSON and text, from one path: the samples' stage objects plus what the run was
 * ("run"), with the per-stage aggregates computed from the samples themselves. One run and a
 * merge of its shards (`xalign merge`) go through the same functions, so they give the same JSON
 * and the same text (docs/stages.md, "Sharded runs"). */
#include "report_internal.h"
#include "xalign/report.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *jstr(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static double jnum(json_t *o, const char *k) {
    json_t *v = json_object_get(o, k);
    if (json_is_number(v)) return json_number_value(v);
    if (json_is_string(v)) return strtod(json_string_value(v), NULL);
    return NAN;
}

static void add_int(json_t *o, const char *k, json_int_t d) {
    json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + d));
}

/* The diagnosis of one sample's stage `st` into its aggregate `agg`: the cause of its best
 * finding and that finding's summary (counted in "_summaries" until diag_finish), whether it only
 * inherits, the manifest's replay (run, own error, failure with the first message), top-1. */
static void diag_count(json_t *agg, json_t *st, const char *sample) {
    json_t *d0 = json_array_get(json_object_get(st, "diagnosis"), 0);
    if (json_is_object(d0) && jstr(d0, "cause")) {
        json_t *sums = json_object_get(agg, "_summaries");
        if (!sums) json_object_set_new(agg, "_summaries", sums = json_object());
        json_t *bycause = json_object_get(sums, jstr(d0, "cause"));
        if (!bycause) json_object_set_new(sums, jstr(d0, "cause"), bycause = json_object());
        add_int(bycause, jstr(d0, "summary") ? jstr(d0, "summary") : "", 1);
    }
    const char *inh = jstr(st, "diagnosis_inherits");
    if (inh && !strcmp(inh, "proven")) add_int(agg, "inherits", 1);
    if (inh && !strcmp(inh, "presumed")) add_int(agg, "may_inherit", 1);
    json_t *own = json_object_get(st, "own_error"),
           *self = json_object_get(st, "replay_on_reference");
    if (json_is_object(own)) {
        add_int(agg, "replayed", 1);
        const char *os = jstr(own, "status"), *ss = self ? jstr(self, "status") : NULL;
        if (os && !strcmp(os, "unaligned")) add_int(agg, "own_differs", 1);
        int failed = (os && !strcmp(os, "error")) || (ss && !strcmp(ss, "error"));
        if (failed && !json_integer_value(json_object_get(agg, "replay_failed"))) {
            const char *why = os && !strcmp(os, "error") ? jstr(st, "error") : jstr(self, "error");
            json_object_set_new(agg, "replay_error", json_string(why ? why : "?"));
            json_object_set_new(agg, "replay_error_sample", json_string(sample ? sample : "?"));
        }
        if (failed) add_int(agg, "replay_failed", 1);
    }
    json_t *tk = json_object_get(st, "topk");
    if (json_is_object(tk)) {
        json_t *t1 = json_object_get(agg, "top1");
        if (!json_is_object(t1))
            json_object_set_new(agg, "top1",
                                t1 = json_pack("{s:i, s:i}", "samples", 0, "agree", 0));
        add_int(t1, "samples", 1);
        add_int(t1, "agree", json_is_true(json_object_get(tk, "top1_equal")));
    }
}

/* "causes": [{cause, samples, summary, summary_samples}] by decreasing samples, from the counts
 * of diag_count: per cause the number of samples and its most frequent summary. */
static void diag_finish(json_t *agg) {
    json_t *sums = json_object_get(agg, "_summaries"), *causes = json_array();
    const char *cause;
    json_t *bycause;
    json_object_foreach(sums, cause, bycause) {
        const char *sum, *best = "";
        json_t *n;
        json_int_t total = 0, top = 0;
        json_object_foreach(bycause, sum, n) {
            total += json_integer_value(n);
            if (json_integer_value(n) > top ||
                (json_integer_value(n) == top && strcmp(sum, best) < 0))
                top = json_integer_value(n), best = sum;
        }
        json_t *c = json_pack("{s:s, s:I, s:s, s:I}", "cause", cause, "samples", total, "summary",
                              best, "summary_samples", top);
        size_t at = 0; /* sorted: most samples first, then by name */
        while (at < json_array_size(causes)) {
            json_t *o = json_array_get(causes, at);
            json_int_t m = json_integer_value(json_object_get(o, "samples"));
            if (m < total || (m == total && strcmp(jstr(o, "cause"), cause) > 0)) break;
            at++;
        }
        json_array_insert_new(causes, at, c);
    }
    json_object_del(agg, "_summaries");
    json_object_set_new(agg, "causes", causes);
}

/* What is wrong with a sample of dataset JSON (NULL: nothing): the dataset JSON and text are
 * computed from "sample", "aligned", "first_unaligned" and the stages' "name" and "status". */
static const char *bad_sample(json_t *sm) {
    json_t *sst = json_object_get(sm, "stages"), *first = json_object_get(sm, "first_unaligned");
    if (!jstr(sm, "sample")) return "no \"sample\" name";
    if (!json_is_boolean(json_object_get(sm, "aligned"))) return "no \"aligned\" verdict";
    if (!json_is_array(sst)) return "no \"stages\" list";
    if (first && !json_is_null(first) && !json_is_string(first))
        return "\"first_unaligned\" is neither a name nor null";
    for (size_t k = 0; k < json_array_size(sst); k++)
        if (!jstr(json_array_get(sst, k), "name") || !jstr(json_array_get(sst, k), "status"))
            return "a stage without \"name\" or \"status\"";
    return NULL;
}

/* {"schema", "run", "ref_dir", "port_dir", "samples_total", "samples_unaligned", "stages",
 * "samples", "aligned"}: the aggregates as dataset.c counts them -- per stage in order of first
 * appearance: samples, missing, errors, unaligned (any other status), the largest max_abs of any
 * of its tensors and the first sample that has it. Takes `run` and `samples`. */
static json_t *dataset_object(json_t *run, const char *ref_dir, const char *port_dir,
                              json_t *samples) {
    json_t *o = xa_jobject("xalign.dataset/1"), *stages = json_array();
    json_object_set_new(o, "run", run);
    json_object_set_new(o, "ref_dir", ref_dir ? json_string(ref_dir) : json_null());
    json_object_set_new(o, "port_dir", port_dir ? json_string(port_dir) : json_null());
    size_t unaligned = 0;
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *sm = json_array_get(samples, i), *sst = json_object_get(sm, "stages");
        if (!json_is_true(json_object_get(sm, "aligned"))) unaligned++;
        for (size_t k = 0; k < json_array_size(sst); k++) {
            json_t *st = json_array_get(sst, k), *agg = NULL;
            const char *name = jstr(st, "name"), *status = jstr(st, "status");
            for (size_t q = 0; q < json_array_size(stages) && !agg; q++)
                if (!strcmp(jstr(json_array_get(stages, q), "name"), name))
                    agg = json_array_get(stages, q);
            if (!agg) {
                agg = json_object();
                json_object_set_new(agg, "name", json_string(name));
                json_object_set_new(agg, "samples", json_integer(0));
                json_object_set_new(agg, "unaligned", json_integer(0));
                json_object_set_new(agg, "missing", json_integer(0));
                json_object_set_new(agg, "errors", json_integer(0));
                json_object_set_new(agg, "worst_max_abs", json_null());
                json_object_set_new(agg, "worst_sample", json_null());
                const char *zero[] = {"inherits",    "may_inherit",   "replayed",
                                      "own_differs", "replay_failed", NULL};
                for (int z = 0; zero[z]; z++) json_object_set_new(agg, zero[z], json_integer(0));
                json_object_set_new(agg, "replay_error", json_null());
                json_object_set_new(agg, "replay_error_sample", json_null());
                json_object_set_new(agg, "top1", json_null());
                json_array_append_new(stages, agg);
            }
            const char *count = !strncmp(status, "missing", 7) ? "missing"
                                : !strcmp(status, "error")     ? "errors"
                                : strcmp(status, "aligned")    ? "unaligned"
                                                               : NULL;
            json_object_set_new(
                agg, "samples",
                json_integer(json_integer_value(json_object_get(agg, "samples")) + 1));
            if (count)
                json_object_set_new(
                    agg, count, json_integer(json_integer_value(json_object_get(agg, count)) + 1));
            diag_count(agg, st, jstr(sm, "sample"));
            json_t *ts = json_object_get(st, "tensors");
            for (size_t t = 0; t < json_array_size(ts); t++) {
                json_t *m = json_object_get(json_array_get(ts, t), "metrics");
                if (!json_is_object(m)) continue;
                double v = jnum(m, "max_abs"), w = jnum(agg, "worst_max_abs");
                if (json_is_null(json_object_get(agg, "worst_max_abs"))) w = -1;
                if (v > w) {
                    json_object_set(agg, "worst_max_abs", json_object_get(m, "max_abs"));
                    json_object_set(agg, "worst_sample", json_object_get(sm, "sample"));
                }
            }
        }
    }
    for (size_t q = 0; q < json_array_size(stages); q++) diag_finish(json_array_get(stages, q));
    json_object_set_new(o, "samples_total", json_integer((json_int_t)json_array_size(samples)));
    json_object_set_new(o, "samples_unaligned", json_integer((json_int_t)unaligned));
    json_object_set_new(o, "stages", stages);
    json_object_set_new(o, "samples", samples);
    json_object_set_new(o, "aligned", json_boolean(unaligned == 0));
    return o;
}

static json_t *run_info(const xa_dataset_report *r) {
    json_t *o = json_object();
    char fp[24];
    snprintf(fp, sizeof fp, "%016llx", (unsigned long long)r->manifest_fingerprint);
    json_object_set_new(o, "xalign", json_string(xa_version_string()));
    json_object_set_new(o, "manifest_fingerprint", r->has_manifest ? json_string(fp) : json_null());
    json_object_set_new(o, "tolerance", xa_jtolerance(&r->tol));
    json_object_set_new(o, "diagnose", json_boolean(r->diagnosed));
    json_object_set_new(o, "samples_all", json_integer((json_int_t)r->samples_all));
    if (r->shard_n > 0) {
        json_t *sh = json_object();
        json_object_set_new(sh, "k", json_integer(r->shard_k));
        json_object_set_new(sh, "n", json_integer(r->shard_n));
        json_object_set_new(o, "shard", sh);
    }
    return o;
}

static json_t *dataset_json(const xa_dataset_report *r) {
    const char *rd = r->nsamples ? r->reports[0].ref_dir : NULL;
    const char *pd = r->nsamples ? r->reports[0].port_dir : NULL;
    /* the run's folders: a sample's folder without its last component */
    char rb[4096], pb[4096];
    if (rd && pd) {
        snprintf(rb, sizeof rb, "%s", rd);
        snprintf(pb, sizeof pb, "%s", pd);
        char *a = strrchr(rb, '/'), *b = strrchr(pb, '/');
        if (a) *a = 0;
        if (b) *b = 0;
    }
    return dataset_object(run_info(r), rd ? rb : NULL, pd ? pb : NULL, xa_jdataset_samples(r));
}

char *xa_report_dataset_json(const xa_dataset_report *r) {
    return xa_jdump(dataset_json(r));
}

static char *dataset_text(json_t *root) {
    xa_sb sb = {0};
    char a[40];
    json_t *stages = json_object_get(root, "stages"), *samples = json_object_get(root, "samples");
    xa_sb_printf(&sb, "dataset: ref %s, port %s: %lld samples, %lld unaligned\n",
                 jstr(root, "ref_dir") ? jstr(root, "ref_dir") : "?",
                 jstr(root, "port_dir") ? jstr(root, "port_dir") : "?",
                 (long long)json_integer_value(json_object_get(root, "samples_total")),
                 (long long)json_integer_value(json_object_get(root, "samples_unaligned")));
    size_t w = 5;
    for (size_t k = 0; k < json_array_size(stages); k++) {
        size_t l = strlen(jstr(json_array_get(stages, k), "name"));
        if (l > w) w = l;
    }
    for (size_t k = 0; k < json_array_size(stages); k++) {
        json_t *s = json_array_get(stages, k);
        long long un = json_integer_value(json_object_get(s, "unaligned"));
        long long mi = json_integer_value(json_object_get(s, "missing"));
        long long er = json_integer_value(json_object_get(s, "errors"));
        xa_sb_printf(&sb, "  %-*s %lld/%lld unaligned", (int)w, jstr(s, "name"), un,
                     (long long)json_integer_value(json_object_get(s, "samples")));
        if (mi) xa_sb_printf(&sb, ", %lld missing", mi);
        if (er) xa_sb_printf(&sb, ", %lld errors", er);
        /* the causes named, each with its most frequent summary */
        json_t *causes = json_object_get(s, "causes");
        for (size_t c = 0; c < json_array_size(causes); c++) {
            json_t *dc = json_array_get(causes, c);
            long long n = json_integer_value(json_object_get(dc, "samples"));
            long long ns = json_integer_value(json_object_get(dc, "summary_samples"));
            const char *sum = jstr(dc, "summary");
            xa_sb_printf(&sb, "%s%s in %lld", c ? ", " : "; cause ", jstr(dc, "cause"), n);
            if (sum && sum[0]) xa_sb_printf(&sb, ns == n ? " (%s)" : " (%s in %lld)", sum, ns);
        }
        long long inh = json_integer_value(json_object_get(s, "inherits"));
        long long may = json_integer_value(json_object_get(s, "may_inherit"));
        long long own = json_integer_value(json_object_get(s, "own_differs"));
        long long rep = json_integer_value(json_object_get(s, "replayed"));
        long long rf = json_integer_value(json_object_get(s, "replay_failed"));
        json_t *t1 = json_object_get(s, "top1");
        if (inh) xa_sb_printf(&sb, "; inherits in %lld", inh);
        if (may) xa_sb_printf(&sb, "; may only inherit in %lld", may);
        if (json_is_object(t1))
            xa_sb_printf(&sb, "; top-1 agrees in %lld/%lld samples",
                         (long long)json_integer_value(json_object_get(t1, "agree")),
                         (long long)json_integer_value(json_object_get(t1, "samples")));
        if (own) xa_sb_printf(&sb, "; replay: own error in %lld/%lld", own, rep - rf);
        if (jstr(s, "worst_sample"))
            xa_sb_printf(&sb, "; worst max_abs %s in %s",
                         xa_fmt_num(jnum(s, "worst_max_abs"), 6, a, sizeof a),
                         jstr(s, "worst_sample"));
        xa_sb_printf(&sb, "\n");
        if (rf) /* a failed replay is said here, not only in the JSON */
            xa_sb_printf(&sb, "  %-*s replay failed in %lld sample%s (%s: %s)\n", (int)w, "", rf,
                         rf == 1 ? "" : "s", jstr(s, "replay_error_sample"),
                         jstr(s, "replay_error"));
    }
    /* first divergent stage per sample */
    xa_sb_printf(&sb, "first unaligned stage per sample:\n");
    size_t shown = 0;
    for (size_t i = 0; i < json_array_size(samples); i++) {
        json_t *sm = json_array_get(samples, i);
        const char *first = jstr(sm, "first_unaligned");
        if (!first) { /* unaligned without a differing stage: the stages not compared */
            json_t *sst = json_object_get(sm, "stages");
            xa_sb part = {0};
            for (size_t k = 0; k < json_array_size(sst); k++) {
                const char *st = jstr(json_array_get(sst, k), "status");
                if (st && strcmp(st, "aligned") && strcmp(st, "unaligned"))
                    xa_sb_printf(&part, "%s%s (%s)", part.len ? ", " : "",
                                 jstr(json_array_get(sst, k), "name"), st);
            }
            if (part.len && shown++ < 20)
                xa_sb_printf(&sb,
                             "  %s: no compared stage differs, but not every stage was "
                             "compared: %s\n",
                             jstr(sm, "sample"), part.s ? part.s : "");
            free(part.s);
            continue;
        }
        const char *status = "";
        json_t *sst = json_object_get(sm, "stages");
        for (size_t k = 0; k < json_array_size(sst); k++)
            if (!strcmp(jstr(json_array_get(sst, k), "name"), first))
                status = jstr(json_array_get(sst, k), "status");
        if (shown++ < 20)
            xa_sb_printf(&sb, "  %s: %s (%s)\n", jstr(sm, "sample"), first, status ? status : "?");
    }
    if (shown > 20) xa_sb_printf(&sb, "  ... and %zu more (see --json)\n", shown - 20);
    if (!shown)
        xa_sb_printf(&sb, "  none: every stage of every sample was compared and aligned.\n");
    return xa_sb_take(&sb);
}

char *xa_report_dataset_text(const xa_dataset_report *r, const char *ref_dir,
                             const char *port_dir) {
    json_t *o = dataset_json(r);
    /* the folders as the user named them */
    json_object_set_new(o, "ref_dir", json_string(ref_dir));
    json_object_set_new(o, "port_dir", json_string(port_dir));
    char *t = dataset_text(o);
    json_decref(o);
    return t;
}

char *xa_report_dataset_text_json(const char *json) {
    json_t *o = json_loads(json, 0, NULL), *samples = json_object_get(o, "samples");
    int ok = json_is_array(samples) && json_is_array(json_object_get(o, "stages"));
    for (size_t i = 0; ok && i < json_array_size(samples); i++)
        ok = !bad_sample(json_array_get(samples, i));
    for (size_t k = 0; ok && k < json_array_size(json_object_get(o, "stages")); k++)
        ok = jstr(json_array_get(json_object_get(o, "stages"), k), "name") != NULL;
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    char *t = dataset_text(o);
    json_decref(o);
    return t;
}

/* ---- merging shards ----------------------------------------------------------------------------
 */
typedef struct {
    json_t *sample;
    size_t part;
} merge_entry;

static int cmp_entry(const void *a, const void *b) {
    const merge_entry *x = a, *y = b;
    int c = strcmp(jstr(x->sample, "sample"), jstr(y->sample, "sample"));
    return c ? c : x->part < y->part ? -1 : x->part > y->part;
}

/* What a part's "run" may not change, in the words of the refusal. */
static const struct {
    const char *key, *what;
} run_keys[] = {
    {"xalign", "the xalign version"},
    {"manifest_fingerprint", "the manifest (its fingerprint)"},
    {"tolerance", "the tolerance"},
    {"diagnose", "the diagnosis setting (--no-diagnose)"},
    {"samples_all", "the number of samples in the folders"},
};

/* The first key of the runs a and b (shard removed) whose values differ, or NULL. */
static const char *run_difference(json_t *a, json_t *b, char *va, char *vb, size_t n) {
    const char *key = NULL;
    for (size_t k = 0; k < sizeof run_keys / sizeof run_keys[0] && !key; k++)
        if (!json_equal(json_object_get(a, run_keys[k].key), json_object_get(b, run_keys[k].key)))
            key = run_keys[k].key;
    json_t *ab[2] = {a, b};
    for (int side = 0; side < 2 && !key; side++) { /* any other key, in either run */
        const char *k2;
        json_t *v;
        json_object_foreach(ab[side], k2, v) {
            if (!key && strcmp(k2, "shard") && !json_equal(v, json_object_get(ab[!side], k2)))
                key = k2;
        }
    }
    if (!key) return NULL;
    json_t *x[2] = {json_object_get(a, key), json_object_get(b, key)};
    char *out[2] = {va, vb};
    for (int i = 0; i < 2; i++) {
        char *d = x[i] ? json_dumps(x[i], JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
        snprintf(out[i], n, "%s", d ? d : "none");
        free(d);
    }
    for (size_t k = 0; k < sizeof run_keys / sizeof run_keys[0]; k++)
        if (!strcmp(key, run_keys[k].key)) return run_keys[k].what;
    return key;
}

xa_status xa_report_merge(const char *const *parts, const char *const *names, size_t n,
                          char **merged, int *aligned, xa_error *err) {
    *merged = NULL;
    if (aligned) *aligned = 0;
    if (!n) return xa_fail(err, XA_EINVAL, "merge: no parts");
    json_t **roots = calloc(n, sizeof *roots), *run0 = NULL;
    merge_entry *list = NULL;
    size_t ns = 0, cap = 0;
    size_t *seen = NULL; /* seen[k]: 1 + the part that holds shard k */
    xa_status st = roots ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    const char *rd = NULL, *pd = NULL, *first = names ? names[0] : "part 1";
    long long shards = -1, total = -1;
    char va[200], vb[200], nb[40];
    for (size_t i = 0; i < n && !st; i++) {
        json_error_t je;
        const char *nm = names ? names[i] : (snprintf(nb, sizeof nb, "part %zu", i + 1), nb);
        roots[i] = json_loads(parts[i], 0, &je);
        json_t *r = roots[i], *run = r ? json_object_get(r, "run") : NULL;
        json_t *sh = run ? json_object_get(run, "shard") : NULL;
        if (!r) {
            st = xa_fail(err, XA_EFORMAT, "%s: not JSON (line %d: %s)", nm, je.line, je.text);
            break;
        }
        if (!jstr(r, "schema") || strcmp(jstr(r, "schema"), "xalign.dataset/1")) {
            st = xa_fail(err, XA_EFORMAT,
                         "%s: schema '%s' is not a dataset run's (xalign.dataset/1, from 'xalign "
                         "stages --shard K/N --json')",
                         nm, jstr(r, "schema") ? jstr(r, "schema") : "(none)");
            break;
        }
        if (!json_is_object(sh) || !json_is_integer(json_object_get(sh, "k")) ||
            !json_is_integer(json_object_get(sh, "n"))) {
            st = xa_fail(err, XA_EFORMAT, "%s: not a shard (run with --shard K/N)", nm);
            break;
        }
        long long k = json_integer_value(json_object_get(sh, "k"));
        long long nn = json_integer_value(json_object_get(sh, "n"));
        if (shards < 0) {
            if (nn < 1 || nn > 1000000) {
                st = xa_fail(err, XA_EFORMAT, "%s: shard count %lld is out of range", nm, nn);
                break;
            }
            shards = nn;
            total = json_integer_value(json_object_get(run, "samples_all"));
            seen = calloc((size_t)nn, sizeof *seen);
            rd = jstr(r, "ref_dir"), pd = jstr(r, "port_dir");
            run0 = json_deep_copy(run);
            json_object_del(run0, "shard");
            if (!seen || !run0) {
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
        }
        const char *what;
        if (nn != shards) {
            st = xa_fail(err, XA_EINVAL, "%s: shard %lld of %lld, but %s is a shard of %lld", nm, k,
                         nn, first, shards);
        } else if (k < 0 || k >= nn) {
            st = xa_fail(err, XA_EFORMAT, "%s: shard %lld of %lld is out of range", nm, k, nn);
        } else if (seen[k]) {
            st =
                xa_fail(err, XA_EINVAL, "%s: shard %lld/%lld is given twice (%s is the same shard)",
                        nm, k, nn, names ? names[seen[k] - 1] : "an earlier part");
        } else if ((what = run_difference(run, run0, va, vb, sizeof va)) != NULL) {
            st = xa_fail(err, XA_EINVAL, "%s: run with another %s than %s: %s vs %s", nm,
                         !strncmp(what, "the ", 4) ? what + 4 : what, first, va, vb);
        } else if ((jstr(r, "ref_dir") && rd && strcmp(jstr(r, "ref_dir"), rd)) ||
                   (jstr(r, "port_dir") && pd && strcmp(jstr(r, "port_dir"), pd))) {
            st = xa_fail(err, XA_EINVAL, "%s: other folders (%s, %s) than %s (%s, %s)", nm,
                         jstr(r, "ref_dir") ? jstr(r, "ref_dir") : "?",
                         jstr(r, "port_dir") ? jstr(r, "port_dir") : "?", first, rd ? rd : "?",
                         pd ? pd : "?");
        }
        if (st) break;
        seen[k] = i + 1;
        if (!rd) rd = jstr(r, "ref_dir");
        if (!pd) pd = jstr(r, "port_dir");
        json_t *ss = json_object_get(r, "samples");
        for (size_t q = 0; q < json_array_size(ss) && !st; q++) {
            json_t *sm = json_array_get(ss, q);
            const char *bad = bad_sample(sm);
            if (bad) {
                st = xa_fail(err, XA_EFORMAT, "%s: sample %zu: %s", nm, q, bad);
            } else if (ns == cap) {
                merge_entry *nl = realloc(list, (cap = cap ? 2 * cap : 256) * sizeof *list);
                if (!nl) st = xa_fail(err, XA_ENOMEM, "out of memory");
                list = nl ? nl : list;
            }
            if (!st) list[ns].sample = sm, list[ns++].part = i;
        }
    }
    for (long long k = 0; !st && k < shards; k++)
        if (!seen[k]) st = xa_fail(err, XA_EINVAL, "shard %lld of %lld is missing", k, shards);
    if (!st && ns) qsort(list, ns, sizeof *list, cmp_entry);
    for (size_t i = 1; i < ns && !st; i++)
        if (!strcmp(jstr(list[i].sample, "sample"), jstr(list[i - 1].sample, "sample"))) {
            const char *a = names ? names[list[i - 1].part] : "a part";
            const char *b = names ? names[list[i].part] : "another";
            st = list[i].part == list[i - 1].part
                     ? xa_fail(err, XA_EINVAL, "%s: sample '%s' is in it twice", a,
                               jstr(list[i].sample, "sample"))
                     : xa_fail(err, XA_EINVAL, "sample '%s' is in %s and in %s",
                               jstr(list[i].sample, "sample"), a, b);
        }
    if (!st && (long long)ns != total)
        st = xa_fail(err, XA_EINVAL, "the parts hold %zu samples, the run had %lld", ns, total);
    if (!st) {
        json_t *samples = json_array();
        for (size_t i = 0; i < ns; i++) json_array_append(samples, list[i].sample);
        json_t *o = dataset_object(run0, rd, pd, samples);
        run0 = NULL;
        if (aligned) *aligned = json_is_true(json_object_get(o, "aligned"));
        *merged = xa_jdump(o);
        if (!*merged) st = xa_fail(err, XA_ENOMEM, "out of memory");
    }
    json_decref(run0);
    free(list);
    free(seen);
    for (size_t i = 0; roots && i < n; i++) json_decref(roots[i]);
    free(roots);
    return st;
}
