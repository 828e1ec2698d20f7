/* Dataset runs: REF_DIR and PORT_DIR hold one sub-folder per sample; the samples run in
 * parallel and the report says, per stage, how many samples are unaligned and which are worst
 * (the seed's step 2: find the samples that disagree). */
#include "internal.h"
#include "xalign/stages.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int is_dir(const char *p) {
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static int looks_like_stage(const char *fn) {
    int digits = 0;
    while (fn[digits] >= '0' && fn[digits] <= '9') digits++;
    size_t n = strlen(fn);
    return digits >= 2 && fn[digits] == '_' && n > 4 &&
           (!strcmp(fn + n - 4, ".npy") || !strcmp(fn + n - 4, ".npz") ||
            (n > 5 && !strcmp(fn + n - 5, ".json")));
}

int xa_stages_is_dataset(const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    struct dirent *e;
    int subdirs = 0, stages = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        if (looks_like_stage(e->d_name)) stages++;
        char p[4096 + 256];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (is_dir(p)) subdirs++;
    }
    closedir(d);
    return subdirs > 0 && stages == 0;
}

uint64_t xa_fnv1a64(const void *p, size_t n) {
    /* FNV-1a, 64 bits: offset basis 14695981039346656037, prime 1099511628211 */
    uint64_t h = 14695981039346656037u;
    for (size_t i = 0; i < n; i++) h = (h ^ ((const unsigned char *)p)[i]) * 1099511628211u;
    return h;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static xa_status list_samples(const char *dir, char ***out, size_t *n, xa_error *err) {
    *out = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) return xa_fail(err, XA_EIO, "%s: cannot open the dump folder", dir);
    size_t cap = 64;
    char **v = malloc(cap * sizeof *v);
    struct dirent *e;
    xa_status st = XA_OK;
    while (v && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char p[4096 + 256];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (!is_dir(p)) continue;
        if (*n >= XA_STAGES_MAX_SAMPLES) {
            st = xa_fail(err, XA_ELIMIT, "%s: more than %d samples", dir, XA_STAGES_MAX_SAMPLES);
            break;
        }
        if (*n == cap) {
            char **nv = realloc(v, 2 * cap * sizeof *nv);
            if (!nv) {
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            v = nv;
            cap *= 2;
        }
        if (!(v[*n] = xa_strdup(e->d_name))) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            break;
        }
        (*n)++;
    }
    closedir(d);
    if (!v) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (st) {
        for (size_t i = 0; i < *n; i++) free(v[i]);
        free(v);
        *n = 0;
        return st;
    }
    qsort(v, *n, sizeof *v, cmp_str);
    *out = v;
    return XA_OK;
}

typedef struct {
    const char *ref_dir, *port_dir;
    const xa_stages_options *opt;
    xa_dataset_report *rep;
    xa_status *status;
    char **errors;
    size_t done; /* atomic */
} ds_job;

static void run_sample(void *arg, int i) {
    ds_job *j = arg;
    char rp[4096 + 256], pp[4096 + 256];
    snprintf(rp, sizeof rp, "%s/%s", j->ref_dir, j->rep->samples[i]);
    snprintf(pp, sizeof pp, "%s/%s", j->port_dir, j->rep->samples[i]);
    xa_error err = {0};
    xa_stages_options o = *j->opt;
    if (o.threads <= 0) o.threads = 1; /* by default parallel over samples, not inside one */
    o.sample = j->rep->samples[i];
    if (!is_dir(pp)) {
        j->status[i] =
            xa_fail(&err, XA_ENOTFOUND, "%s: sample folder missing on the port side", pp);
    } else {
        j->status[i] = xa_stages_run(rp, pp, &o, &j->rep->reports[i], &err);
    }
    if (j->status[i]) j->errors[i] = xa_strdup(err.message);
    size_t d = __atomic_add_fetch(&j->done, 1, __ATOMIC_RELAXED);
    if (j->opt->progress) j->opt->progress(j->opt->progress_ctx, d, j->rep->nsamples);
}

void xa_dataset_report_clear(xa_dataset_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nsamples; i++) {
        free(r->samples[i]);
        if (r->reports) xa_stages_report_clear(&r->reports[i]);
    }
    free(r->samples);
    free(r->reports);
    for (size_t k = 0; k < r->nstages; k++) {
        free(r->stages[k].name);
        free(r->stages[k].worst_sample);
    }
    free(r->stages);
    memset(r, 0, sizeof *r);
}

static xa_dataset_stage *stage_slot(xa_dataset_report *r, const char *name, size_t cap) {
    for (size_t k = 0; k < r->nstages; k++)
        if (!strcmp(r->stages[k].name, name)) return &r->stages[k];
    if (r->nstages == cap) return NULL;
    xa_dataset_stage *s = &r->stages[r->nstages++];
    memset(s, 0, sizeof *s);
    s->name = xa_strdup(name);
    s->worst_max_abs = -1;
    return s;
}

xa_status xa_dataset_run(const char *ref_dir, const char *port_dir, const xa_stages_options *opt,
                         int parallel, xa_dataset_report *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    xa_stages_options o0 = {0};
    if (!opt) opt = &o0;
    if (opt->shard_n < 0 || (opt->shard_n && (opt->shard_k < 0 || opt->shard_k >= opt->shard_n)))
        return xa_fail(err, XA_EINVAL, "shard %d/%d: K must be 0..N-1", opt->shard_k, opt->shard_n);
    xa_status st = list_samples(ref_dir, &out->samples, &out->nsamples, err);
    if (st) return st;
    if (out->nsamples == 0) return xa_fail(err, XA_ENOTFOUND, "%s: no sample folders", ref_dir);
    /* the port's sample folders: the folder itself, and samples it has that REF lacks, are
     * errors of the run as a sample missing on the port side is (not silently left out) */
    char **pv = NULL;
    size_t pn = 0;
    if ((st = list_samples(port_dir, &pv, &pn, err))) {
        xa_dataset_report_clear(out);
        return st;
    }
    for (size_t i = 0; i < pn && !st; i++) {
        size_t lo = 0, hi = out->nsamples; /* REF's names are sorted */
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (strcmp(out->samples[mid], pv[i]) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == out->nsamples || strcmp(out->samples[lo], pv[i]))
            st = xa_fail(err, XA_ENOTFOUND,
                         "sample %s: %s/%s has no counterpart in %s (sample folder missing on "
                         "the reference side)",
                         pv[i], port_dir, pv[i], ref_dir);
    }
    for (size_t i = 0; i < pn; i++) free(pv[i]);
    free(pv);
    if (st) {
        xa_dataset_report_clear(out);
        return st;
    }
    out->samples_all = out->nsamples;
    out->shard_k = opt->shard_k;
    out->shard_n = opt->shard_n;
    out->has_manifest = opt->manifest != NULL;
    out->manifest_fingerprint = opt->manifest ? opt->manifest->fingerprint : 0;
    out->tol = opt->tol;
    out->diagnosed = opt->after_stage != NULL;
    if (opt->shard_n > 0) { /* keep this shard's samples, in name order */
        size_t k = 0;
        for (size_t i = 0; i < out->nsamples; i++) {
            char *nm = out->samples[i];
            if (xa_fnv1a64(nm, strlen(nm)) % (uint64_t)opt->shard_n == (uint64_t)opt->shard_k)
                out->samples[k++] = nm;
            else
                free(nm);
        }
        out->nsamples = k;
        if (!k) { /* a shard with no samples is a valid, empty part */
            out->reports = NULL;
            return XA_OK;
        }
    }
    out->reports = calloc(out->nsamples, sizeof *out->reports);
    xa_status *sts = calloc(out->nsamples, sizeof *sts);
    char **errs = calloc(out->nsamples, sizeof *errs);
    if (!out->reports || !sts || !errs) {
        free(sts);
        free(errs);
        xa_dataset_report_clear(out);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    ds_job j = {ref_dir, port_dir, opt, out, sts, errs, 0};
    xa_parallel(parallel > 0 ? parallel : xa_threads_get(), (int)out->nsamples, run_sample, &j);
    /* a sample that could not run at all is an error of the whole run: say which */
    for (size_t i = 0; i < out->nsamples; i++)
        if (sts[i]) {
            st = xa_fail(err, sts[i], "sample %s: %s", out->samples[i],
                         errs[i] ? errs[i] : xa_strerror(sts[i]));
            break;
        }
    for (size_t i = 0; i < out->nsamples; i++) free(errs[i]);
    free(errs);
    free(sts);
    if (st) {
        xa_dataset_report_clear(out);
        return st;
    }
    size_t cap = 0;
    for (size_t i = 0; i < out->nsamples; i++) cap += out->reports[i].nstages;
    out->stages = calloc(cap ? cap : 1, sizeof *out->stages);
    if (!out->stages) {
        xa_dataset_report_clear(out);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < out->nsamples; i++) {
        const xa_stages_report *r = &out->reports[i];
        if (!xa_stages_all_aligned(r)) out->unaligned_samples++;
        for (size_t k = 0; k < r->nstages; k++) {
            const xa_stage_result *s = &r->stages[k];
            xa_dataset_stage *d = stage_slot(out, s->name, cap);
            if (!d) continue;
            d->samples++;
            if (s->status == XA_STAGE_MISSING_REF || s->status == XA_STAGE_MISSING_PORT)
                d->missing++;
            else if (s->status == XA_STAGE_ERROR)
                d->errors++;
            else if (s->status != XA_STAGE_ALIGNED)
                d->unaligned++;
            for (size_t t = 0; t < s->ntensors; t++)
                if (s->tensors[t].has_cmp && s->tensors[t].cmp.total.max_abs > d->worst_max_abs) {
                    d->worst_max_abs = s->tensors[t].cmp.total.max_abs;
                    free(d->worst_sample);
                    d->worst_sample = xa_strdup(out->samples[i]);
                }
        }
    }
    return XA_OK;
}
