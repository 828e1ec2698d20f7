/* `xalign stages`: pair stage dumps by name, compare each pair, find the first unaligned stage,
 * and replay the original's operation on the port's input (the seed's steps 4 to 7). */
#include "internal.h"
#include "xalign/ops.h"
#include "xalign/results.h"
#include "xalign/stages.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

const char *xa_stage_status_name(xa_stage_status s) {
    switch (s) {
    case XA_STAGE_ALIGNED:
        return "aligned";
    case XA_STAGE_UNALIGNED:
        return "unaligned";
    case XA_STAGE_MISSING_REF:
        return "missing_ref";
    case XA_STAGE_MISSING_PORT:
        return "missing_port";
    case XA_STAGE_SHAPE_MISMATCH:
        return "shape_mismatch";
    case XA_STAGE_ERROR:
        return "error";
    }
    return "error";
}

/* ---- scanning a dump folder ---------------------------------------------------------------- */
typedef struct {
    int order;
    char name[128];
    char path[4096 + 256];
    /* a BMRT dump paired with the other side's stage of the same size (auto_bmrt): `path` is a
     * raw spec in that stage's shapes; its parts take that stage's member names */
    int bmrt;
    char why[160]; /* how the pairing was chosen when several stages have the dump's size */
} stage_file;

typedef struct {
    size_t n;
    stage_file *f;
    /* a BMRT dump of a stage's size that could not be read in its members' dtypes (they differ):
     * said on that stage, which is otherwise only "missing" */
    char unpaired_stage[2][128], unpaired_note[2][400];
} stage_dir;

/* "NN_name.npy" / "NN_name.npz" -> order and name */
static int parse_stage_name(const char *fn, int *order, char *name, size_t cap) {
    const char *p = fn;
    int o = 0, digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 6) o = o * 10 + (*p++ - '0'), digits++;
    if (digits < 2 || *p != '_') return 0;
    p++;
    size_t len = strlen(p);
    if (len < 5) return 0;
    const char *ext = p + len - 4;
    if (len >= 6 && !strcmp(p + len - 5, ".json")) /* a COCO results file: a detections stage */
        ext = p + len - 5;
    else if (strcmp(ext, ".npy") && strcmp(ext, ".npz"))
        return 0;
    if (ext == p) return 0;
    if ((size_t)(ext - p) >= cap) return -1; /* a stage file whose name is too long: refused */
    memcpy(name, p, (size_t)(ext - p));
    name[ext - p] = 0;
    *order = o;
    return 1;
}

static int cmp_stage_file(const void *a, const void *b) {
    const stage_file *x = a, *y = b;
    if (x->order != y->order) return x->order < y->order ? -1 : 1;
    return strcmp(x->name, y->name);
}

static xa_status scan_dir(const char *dir, stage_dir *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    DIR *d = opendir(dir);
    if (!d) return xa_fail(err, XA_EIO, "%s: cannot open the dump folder", dir);
    size_t cap = 16;
    out->f = malloc(cap * sizeof *out->f);
    struct dirent *e;
    xa_status st = XA_OK;
    while (out->f && (e = readdir(d))) {
        int order;
        char name[128];
        int ok = parse_stage_name(e->d_name, &order, name, sizeof name);
        if (ok < 0) {
            st = xa_fail(err, XA_ELIMIT,
                         "%s: stage file '%.60s...' has a name longer than %zu characters", dir,
                         e->d_name, sizeof name - 1);
            break;
        }
        if (!ok) continue;
        if (out->n >= XA_STAGES_MAX) {
            st = xa_fail(err, XA_ELIMIT, "%s: more than %d stage files", dir, XA_STAGES_MAX);
            break;
        }
        if (out->n == cap) {
            stage_file *nf = realloc(out->f, 2 * cap * sizeof *nf);
            if (!nf) {
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            out->f = nf;
            cap *= 2;
        }
        stage_file *f = &out->f[out->n++];
        memset(f, 0, sizeof *f);
        f->order = order;
        snprintf(f->name, sizeof f->name, "%s", name);
        snprintf(f->path, sizeof f->path, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    if (!out->f) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (st) {
        free(out->f);
        memset(out, 0, sizeof *out);
        return st;
    }
    qsort(out->f, out->n, sizeof *out->f, cmp_stage_file);
    /* the same stage name twice (00_a and 02_a): refuse, since only one could be compared */
    for (size_t i = 0; i < out->n; i++)
        for (size_t k = i + 1; k < out->n; k++)
            if (!strcmp(out->f[i].name, out->f[k].name)) {
                st = xa_fail(err, XA_EFORMAT,
                             "%s: stage '%s' appears twice (%02d and %02d); stage names "
                             "must be unique",
                             dir, out->f[i].name, out->f[i].order, out->f[k].order);
                free(out->f);
                memset(out, 0, sizeof *out);
                return st;
            }
    return XA_OK;
}

static const stage_file *find_stage(const stage_dir *d, const char *name) {
    for (size_t i = 0; i < d->n; i++)
        if (!strcmp(d->f[i].name, name)) return &d->f[i];
    return NULL;
}

static const xa_manifest_stage *manifest_stage(const xa_manifest *m, const char *name) {
    for (size_t i = 0; m && i < m->nstages; i++)
        if (!strcmp(m->stages[i].name, name)) return &m->stages[i];
    return NULL;
}

/* ---- results -------------------------------------------------------------------------------- */
static void stage_result_clear(xa_stage_result *s) {
    free(s->name);
    free(s->ref_path);
    free(s->port_path);
    for (size_t i = 0; i < s->ntensors; i++) {
        free(s->tensors[i].name);
        free(s->tensors[i].error);
        xa_cmp_result_clear(&s->tensors[i].cmp);
    }
    free(s->tensors);
    for (size_t i = 0; i < s->nunmatched; i++) free(s->unmatched[i]);
    free(s->unmatched);
    xa_cmp_result_clear(&s->own);
    xa_cmp_result_clear(&s->self);
    xa_results_report_free(s->det_report);
    xa_dets_free(s->det_ref);
    xa_dets_free(s->det_port);
    free(s->own_desc);
    free(s->self_error);
    free(s->error);
    free(s->findings);
    free(s->diag_note);
    free(s->pairing);
    free(s->note);
    memset(s, 0, sizeof *s);
}

void xa_stages_report_clear(xa_stages_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->nstages; i++) stage_result_clear(&r->stages[i]);
    free(r->stages);
    for (size_t i = 0; i < r->nconclusions; i++) free(r->conclusions[i]);
    free(r->conclusions);
    free(r->ref_dir);
    free(r->port_dir);
    memset(r, 0, sizeof *r);
    r->first_unaligned = -1;
}

int xa_stages_all_aligned(const xa_stages_report *r) {
    for (size_t i = 0; i < r->nstages; i++)
        if (r->stages[i].status != XA_STAGE_ALIGNED) return 0;
    return 1;
}

static int severity(xa_stage_status s) {
    static const int rank[] = {
        [XA_STAGE_ALIGNED] = 0,      [XA_STAGE_UNALIGNED] = 2,      [XA_STAGE_MISSING_REF] = 1,
        [XA_STAGE_MISSING_PORT] = 1, [XA_STAGE_SHAPE_MISMATCH] = 3, [XA_STAGE_ERROR] = 4};
    return rank[s];
}

/* Compare one tensor pair into ts. */
static void compare_pair(const xa_tensor *r, const xa_tensor *p, const xa_cmp_options *co,
                         xa_stage_tensor *ts) {
    xa_error err = {0};
    ts->ref_dtype = r->dtype;
    ts->port_dtype = p->dtype;
    ts->ref_rank = r->rank;
    ts->port_rank = p->rank;
    memcpy(ts->ref_shape, r->shape, sizeof ts->ref_shape);
    memcpy(ts->port_shape, p->shape, sizeof ts->port_shape);
    if (xa_tensor_count(r) != xa_tensor_count(p)) {
        char a[128], b[128];
        ts->status = XA_STAGE_SHAPE_MISMATCH;
        snprintf(err.message, sizeof err.message, "element counts differ: ref %s, port %s",
                 xa_shape_format(r->rank, r->shape, a, sizeof a),
                 xa_shape_format(p->rank, p->shape, b, sizeof b));
        ts->error = xa_strdup(err.message);
        return;
    }
    xa_status st = xa_compare(r, p, co, &ts->cmp, &err);
    if (st) {
        ts->status = XA_STAGE_ERROR;
        ts->error = xa_strdup(err.message);
        return;
    }
    ts->has_cmp = 1;
    if (!xa_shape_same_layout(r->rank, r->shape, p->rank, p->shape)) {
        ts->status = XA_STAGE_SHAPE_MISMATCH;
        xa_permutation perms[8];
        size_t n = xa_shape_permutations(r, p, perms, 8);
        xa_cmp_options po = *co;
        po.axis = -1;
        for (size_t i = 0; i < n; i++) {
            xa_tensor *pp;
            xa_cmp_result pr;
            if (xa_tensor_permute(p, &perms[i], &pp, &err)) continue;
            if (!xa_compare(r, pp, &po, &pr, &err)) {
                ts->perms[ts->nperms] = perms[i];
                ts->perm_aligned[ts->nperms] = pr.aligned;
                ts->perm_max_abs[ts->nperms] = pr.total.max_abs;
                ts->nperms++;
                xa_cmp_result_clear(&pr);
            }
            xa_tensor_free(pp);
        }
        return;
    }
    ts->status = ts->cmp.aligned ? XA_STAGE_ALIGNED : XA_STAGE_UNALIGNED;
}

/* top-k of a logits tensor (flattened); ties keep the lower index, like a stable argsort */
static void topk_of(const xa_tensor *t, int k, int64_t *idx, double *score) {
    int64_t n = xa_tensor_count(t);
    int m = 0;
    for (int64_t i = 0; i < n; i++) {
        double v = xa_tensor_get(t, i);
        if (isnan(v)) continue;
        int pos = m;
        while (pos > 0 && v > score[pos - 1]) pos--;
        if (pos >= k) continue;
        int last = m < k ? m : k - 1;
        for (int j = last; j > pos; j--) {
            score[j] = score[j - 1];
            idx[j] = idx[j - 1];
        }
        score[pos] = v;
        idx[pos] = i;
        if (m < k) m++;
    }
    for (int j = m; j < k; j++) {
        idx[j] = -1;
        score[j] = NAN;
    }
}

static void compute_topk(const xa_tensor *r0, const xa_tensor *p0, int k, xa_topk *tk) {
    /* class indices are C-order (numpy) indices: Fortran-stored logits are copied first */
    xa_tensor *rc = NULL, *pc = NULL;
    const xa_tensor *r = r0, *p = p0;
    if (r0->fortran_order && r0->rank > 1 && !xa_tensor_dup_native(r0, &rc, NULL)) r = rc;
    if (p0->fortran_order && p0->rank > 1 && !xa_tensor_dup_native(p0, &pc, NULL)) p = pc;
    int64_t n = xa_tensor_count(r);
    if (k > n) k = (int)n;
    tk->k = k;
    topk_of(r, k, tk->ref_idx, tk->ref_score);
    topk_of(p, k, tk->port_idx, tk->port_score);
    tk->overlap = 0;
    for (int i = 0; i < k; i++)
        for (int j = 0; j < k; j++)
            tk->overlap += tk->ref_idx[i] >= 0 && tk->ref_idx[i] == tk->port_idx[j];
    tk->top1_equal = k > 0 && tk->ref_idx[0] == tk->port_idx[0];
    tk->top1_score_diff =
        k > 0 && tk->ref_idx[0] >= 0 ? xa_tensor_get(p, tk->ref_idx[0]) - tk->ref_score[0] : 0;
    xa_tensor_free(rc);
    xa_tensor_free(pc);
}

/* ---- replay: the original's operation on the port's input ---------------------------------- */
/* One side of a sample: its folder, its scanned stage files, and the previous stage's tensors. */
typedef struct {
    const char *dir;
    const stage_dir *d;
    const xa_tensor_list *prev; /* the previous stage as loaded, NULL if none */
    const char *prev_name;
    const char *sample; /* what "{sample}" in a manifest's input stands for */
} side_ctx;

/* An operation of several inputs on the previous stage's tensors: the members named as its inputs
 * ("boxes scores [idxs]"), the optional ones when present. */
static xa_status replay_members(const xa_stage_op *sop, const side_ctx *sc, const char *side,
                                xa_tensor **out, xa_error *err) {
    const xa_op_info *info = xa_op_get_info(sop->op);
    const xa_tensor *ins[8];
    size_t n = 0;
    char names[256];
    snprintf(names, sizeof names, "%s", info->inputs);
    for (char *save = NULL, *w = strtok_r(names, " ", &save); w && n < 8;
         w = strtok_r(NULL, " ", &save)) {
        int optional = w[0] == '[';
        if (optional) {
            w++;
            w[strcspn(w, "]")] = 0;
        }
        const xa_tensor *t = NULL;
        for (size_t i = 0; i < sc->prev->count; i++)
            if (!strcmp(sc->prev->names[i], w)) t = sc->prev->tensors[i];
        if (!t && !optional)
            return xa_fail(err, XA_EINVAL,
                           "replay: %s takes %s; the %s's previous stage '%s' has no member '%s'",
                           info->name, info->inputs, side, sc->prev_name, w);
        if (!t) break;
        ins[n++] = t;
    }
    xa_op *op;
    xa_status st = xa_op_dup(sop->op, &op, err);
    if (st) return st;
    st = xa_op_run(op, ins, n, out, err);
    xa_op_free(op);
    return st;
}

/* The manifest's "input" with every "{sample}" replaced by the sample's name. */
static void expand_input(const char *in, const char *sample, char *out, size_t n) {
    size_t o = 0;
    out[0] = 0;
    for (const char *p = in; *p && o + 1 < n;) {
        if (!strncmp(p, "{sample}", 8)) {
            o += (size_t)snprintf(out + o, n - o, "%s", sample ? sample : "");
            p += 8;
        } else {
            out[o++] = *p++;
            out[o] = 0;
        }
        if (o >= n) o = n - 1;
    }
}

/* The original's operation (a registered operation) on one side's input: the manifest's "input"
 * (a stage of that side, or a path), or else the previous stage as loaded. A copy of the
 * manifest's handle runs, so dataset samples can replay in parallel. `label` says what ran. */
static xa_status replay_on(const xa_stage_op *sop, const side_ctx *sc, const char *side,
                           xa_tensor **out, char *label, size_t lsize, xa_error *err) {
    xa_op *op;
    xa_tensor *loaded = NULL;
    const xa_tensor *in = NULL;
    int file = !strcmp(xa_op_get_info(sop->op)->inputs, "file");
    *out = NULL;
    xa_status st = XA_OK;
    if (sop->input[0]) {
        char path[4096 + 512], input[1024];
        expand_input(sop->input, sc->sample, input, sizeof input);
        const stage_file *src = find_stage(sc->d, input);
        if (src)
            snprintf(path, sizeof path, "%s", src->path);
        else if (input[0] == '/')
            snprintf(path, sizeof path, "%s", input);
        else
            snprintf(path, sizeof path, "%s/%s", sc->dir, input);
        if (src)
            snprintf(label, lsize, "%s on %s %02d_%s", sop->text, side, src->order, src->name);
        else
            snprintf(label, lsize, "%s on %s", sop->text, path);
        st = file ? xa_load_bytes(path, &loaded, err) : xa_load(path, &loaded, err);
        in = loaded;
    } else if (sc->prev && !file && xa_op_get_info(sop->op)->max_inputs > 1) {
        /* several inputs (boxes, scores, idxs): the previous stage's members of those names */
        snprintf(label, lsize, "%s on %s %s", sop->text, side, sc->prev_name);
        return replay_members(sop, sc, side, out, err);
    } else if (sc->prev && !file) {
        snprintf(label, lsize, "%s on %s %s", sop->text, side, sc->prev_name);
        if (sc->prev->count != 1)
            return xa_fail(err, XA_EINVAL,
                           "replay: the %s's previous stage '%s' holds %zu tensors; name the one "
                           "to feed with \"input\"",
                           side, sc->prev_name, sc->prev->count);
        in = sc->prev->tensors[0];
    } else {
        snprintf(label, lsize, "%s (no input)", sop->text);
        return xa_fail(err, XA_EINVAL,
                       file ? "replay: %s reads a file: give it with \"input\""
                            : "replay: no %s input (no earlier stage; give \"input\")",
                       file ? xa_op_get_info(sop->op)->name : side);
    }
    if (!st) st = xa_op_dup(sop->op, &op, err);
    if (!st) {
        st = xa_op_run(op, &in, 1, out, err);
        if (!st && file && xa_op_note(op)[0]) { /* the decoder settings, recorded in reports */
            size_t l = strlen(label);
            snprintf(label + l, lsize - l, " [%s]", xa_op_note(op));
        }
        xa_op_free(op);
    }
    xa_tensor_free(loaded);
    return st;
}

/* Compare a replay's output with a side's own output into res; an element-count mismatch is an
 * error naming both shapes. */
static xa_status compare_replay(const xa_tensor *out, const xa_tensor *want, const char *side,
                                const xa_cmp_options *co, xa_cmp_result *res, xa_error *err) {
    if (xa_tensor_count(out) != xa_tensor_count(want)) {
        char a[128], b[128];
        return xa_fail(err, XA_ESHAPE, "replay output %s does not match the %s's %s",
                       xa_shape_format(out->rank, out->shape, a, sizeof a), side,
                       xa_shape_format(want->rank, want->shape, b, sizeof b));
    }
    return xa_compare(out, want, co, res, err);
}

/* The manifest's operation replayed twice: on the reference's own input (does the manifest
 * describe the original? s->self) and on the port's input (the stage's own error, s->own). */
static void replay_stage(const xa_manifest_stage *ms, const side_ctx *rc, const side_ctx *pc,
                         const xa_tensor *ref_out, const xa_tensor *port_out,
                         const xa_cmp_options *co, xa_stage_result *s) {
    char label[4096 + 1024];
    xa_error err = {0};
    xa_tensor *out = NULL;
    xa_status st = replay_on(&ms->op, pc, "port", &out, label, sizeof label, &err);
    s->own_desc = xa_strdup(label);
    s->has_own = 1;
    if (!st) st = compare_replay(out, port_out, "port", co, &s->own, &err);
    xa_tensor_free(out);
    if (st) {
        s->own_status = XA_STAGE_ERROR;
        if (!s->error) {
            char m[XA_ERROR_MESSAGE_SIZE + 64];
            snprintf(m, sizeof m, "%s", err.message);
            s->error = xa_strdup(m);
        }
    } else {
        s->own_status = s->own.aligned ? XA_STAGE_ALIGNED : XA_STAGE_UNALIGNED;
    }
    if (ref_out) {
        xa_error e2 = {0};
        st = replay_on(&ms->op, rc, "ref", &out, label, sizeof label, &e2);
        if (!st) st = compare_replay(out, ref_out, "reference", co, &s->self, &e2);
        xa_tensor_free(out);
        s->has_self = 1;
        if (st) s->self_error = xa_strdup(e2.message);
        s->self_status = st                ? XA_STAGE_ERROR
                         : s->self.aligned ? XA_STAGE_ALIGNED
                                           : XA_STAGE_UNALIGNED;
    }
}

/* Parts that do not pair by name, or pair but differ: is there a pairing of the two sides'
 * tensors that aligns more of them (the seed's dict-values pitfall, a split dump in another
 * order)? Said in s->pairing, e.g. "p3 <- #2, p4 <- #1, p5 <- #0". */
static void pairing_hint(const xa_tensor_list *rl, const xa_tensor_list *pl,
                         const xa_cmp_options *co, xa_stage_result *s) {
    xa_pairing pr;
    xa_cmp_options o = *co;
    o.axis = -1;
    if (xa_pairing_search((const xa_tensor *const *)rl->tensors, rl->count,
                          (const xa_tensor *const *)pl->tensors, pl->count, &o, &pr, NULL))
        return;
    size_t by_name = 0;
    for (size_t t = 0; t < s->ntensors; t++) by_name += s->tensors[t].status == XA_STAGE_ALIGNED;
    if (!pr.identity && pr.naligned > by_name) {
        char buf[1024];
        size_t n = (size_t)snprintf(buf, sizeof buf, "%zu/%zu aligned when paired ", pr.naligned,
                                    rl->count);
        for (size_t i = 0; i < pr.nref && n < sizeof buf; i++)
            if (pr.port_of[i] >= 0)
                n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s <- %s", i ? ", " : "",
                                      rl->names[i], pl->names[pr.port_of[i]]);
        s->pairing = xa_strdup(buf);
    }
    xa_pairing_clear(&pr);
}

/* A BMRT dump read in the other side's member order that does not align: the runtime writes
 * outputs in the model's order, which need not be the reference's (the seed's dict-values
 * pitfall at the byte level). Try the other orders of the members' shapes (up to 5 parts) and
 * say which one aligns every part. */
static void bmrt_order_hint(const stage_file *bf, const xa_tensor_list *other,
                            const xa_cmp_options *co, xa_stage_result *s) {
    size_t n = other->count;
    if (n < 2 || n > 5 || s->pairing) return;
    char base[sizeof bf->path];
    snprintf(base, sizeof base, "%s", bf->path);
    char *colon = strstr(base, ".bmrt:");
    if (!colon) return;
    colon[5] = 0;
    int perm[5] = {0, 1, 2, 3, 4};
    while (xa_next_permutation(perm, (int)n)) {
        char spec[sizeof bf->path + 256];
        size_t o = (size_t)snprintf(spec, sizeof spec, "%s:%s:", base,
                                    xa_dtype_short(other->tensors[0]->dtype));
        for (size_t k = 0; k < n && o < sizeof spec; k++) {
            const xa_tensor *t = other->tensors[perm[k]];
            if (k) o += (size_t)snprintf(spec + o, sizeof spec - o, ",");
            for (int d = 0; d < t->rank && o < sizeof spec; d++)
                o += (size_t)snprintf(spec + o, sizeof spec - o, d ? "x%lld" : "%lld",
                                      (long long)t->shape[d]);
        }
        xa_tensor_list l = {0};
        if (o >= sizeof spec || xa_load_all(spec, &l, NULL)) continue;
        size_t ok = 0;
        xa_cmp_options c = *co;
        c.axis = -1;
        for (size_t k = 0; k < n; k++) {
            xa_cmp_result r;
            if (!xa_compare(other->tensors[perm[k]], l.tensors[k], &c, &r, NULL)) {
                ok += r.aligned;
                xa_cmp_result_clear(&r);
            }
        }
        xa_tensor_list_clear(&l);
        if (ok == n) {
            char buf[1024];
            size_t b = (size_t)snprintf(buf, sizeof buf, "the dump holds the parts in the order ");
            for (size_t k = 0; k < n && b < sizeof buf; k++)
                b += (size_t)snprintf(buf + b, sizeof buf - b, "%s%s", k ? ", " : "",
                                      other->names[perm[k]]);
            if (b < sizeof buf) snprintf(buf + b, sizeof buf - b, "; read so, all %zu align", n);
            s->pairing = xa_strdup(buf);
            s->dump_order = s->pairing != NULL;
            return;
        }
    }
}

/* A detections stage: each side read as detections (a COCO results .json, an [N, 6] .npy or a
 * folder of them; results.h) and matched by IoU, not element by element. */
static void run_detections(const char *ref_dir, const char *port_dir, const stage_file *rf,
                           const stage_file *pf, const char *rspec, const char *pspec,
                           const xa_manifest_stage *ms, xa_stage_result *s) {
    char rp[4096 + 600], pp[4096 + 600];
    const char *sides[2][3] = {{ref_dir, rf ? rf->path : NULL, rspec},
                               {port_dir, pf ? pf->path : NULL, pspec}};
    char *out[2] = {rp, pp};
    for (int k = 0; k < 2; k++) {
        if (sides[k][2])
            snprintf(out[k], sizeof rp, sides[k][2][0] == '/' ? "%s%s" : "%s/%s",
                     sides[k][2][0] == '/' ? "" : sides[k][0], sides[k][2]);
        else
            snprintf(out[k], sizeof rp, "%s", sides[k][1]);
    }
    xa_box_format fmt = ms && !strcmp(ms->box_format, "xywh") ? XA_BOX_XYWH : XA_BOX_XYXY;
    xa_error err = {0};
    xa_status st = xa_dets_load(rp, fmt, &s->det_ref, &err);
    if (!st) st = xa_dets_load(pp, fmt, &s->det_port, &err);
    if (!st) st = xa_results_compare(s->det_ref, s->det_port, NULL, &s->det_report, &err);
    if (st) {
        s->status = XA_STAGE_ERROR;
        s->error = xa_strdup(err.message);
        return;
    }
    s->status = s->det_report->aligned ? XA_STAGE_ALIGNED : XA_STAGE_UNALIGNED;
}

/* Load a stage's tensors: the manifest's raw spec (relative to the folder) or the stage file. */
static xa_status load_side(const char *dir, const stage_file *f, const char *spec,
                           const xa_stages_options *opt, xa_tensor_list *l, xa_error *err) {
    const xa_bmodel *bm = opt->bmodel;
    xa_load_options lo = {opt->limits, opt->threads};
    if (spec && spec[0]) {
        char full[4096 + 600];
        if (spec[0] == '/')
            snprintf(full, sizeof full, "%s", spec);
        else
            snprintf(full, sizeof full, "%s/%s", dir, spec);
        if (bm) return xa_bmrt_load_spec_ex(full, bm, NULL, -1, &lo, l, NULL, err);
        return xa_load_all_ex(full, &lo, l, err);
    }
    return xa_load_all_ex(f->path, &lo, l, err);
}

static int spec_exists(const char *dir, const char *spec) {
    char full[4096 + 600];
    size_t at = spec[0] == '/' ? 0 : strlen(dir) + 1; /* where the spec starts inside `full` */
    if (at)
        snprintf(full, sizeof full, "%s/%s", dir, spec);
    else
        snprintf(full, sizeof full, "%s", spec);
    if (at > strlen(full)) return 0;
    struct stat st;
    if (stat(full, &st) == 0) return 1; /* a path with ':' or '#' in it */
    char *c = strchr(full + at, ':');
    if (c) *c = 0;
    c = strrchr(full + at, '#'); /* PATH#NAME with a bmodel */
    if (c && stat(full, &st) != 0) *c = 0;
    return stat(full, &st) == 0;
}

/* Compare one stage; its loaded tensors are handed back in *rl_out / *pl_out (empty when it was
 * not loaded) so the next stage can use them as its input. */
static void run_stage(const side_ctx *rc, const side_ctx *pc, const char *name,
                      const xa_stages_options *opt, xa_stage_result *s, xa_tensor_list *rl_out,
                      xa_tensor_list *pl_out) {
    const char *ref_dir = rc->dir, *port_dir = pc->dir;
    const stage_dir *rd = rc->d, *pd = pc->d;
    const xa_manifest_stage *ms = manifest_stage(opt->manifest, name);
    const stage_file *rf = find_stage(rd, name), *pf = find_stage(pd, name);
    const char *rspec = ms && ms->ref_spec[0] ? ms->ref_spec : NULL;
    const char *pspec = ms && ms->port_spec[0] ? ms->port_spec : NULL;
    s->name = xa_strdup(name);
    s->ref_order = rf ? rf->order : -1;
    s->port_order = pf ? pf->order : -1;
    s->ref_path = rf ? xa_strdup(rf->path) : rspec ? xa_strdup(rspec) : NULL;
    s->port_path = pf ? xa_strdup(pf->path) : pspec ? xa_strdup(pspec) : NULL;
    int have_r = rf || (rspec && spec_exists(ref_dir, rspec));
    int have_p = pf || (pspec && spec_exists(port_dir, pspec));
    if (!have_r || !have_p) {
        s->status = !have_r ? XA_STAGE_MISSING_REF : XA_STAGE_MISSING_PORT;
        const stage_dir *miss = have_r ? pd : rd;
        char both[sizeof miss->unpaired_note + 8] = "";
        for (int k = 0; k < 2; k++)
            if (miss->unpaired_stage[k][0] && !strcmp(miss->unpaired_stage[k], name))
                snprintf(both + strlen(both), sizeof both - strlen(both), "%s%s",
                         both[0] ? "; " : "", miss->unpaired_note[k]);
        if (both[0]) s->note = xa_strdup(both);
        return;
    }
    xa_cmp_options co;
    xa_cmp_options_init(&co);
    co.threads = opt->threads;
    /* the tolerance of each tensor pair: command line > tolerance file > the manifest (the
     * stage's own tolerance, else its defaults) > the dtype default (xa_tolerance_choose); an
     * empty tolerance object falls through */
    xa_tolerance mtol = ms && ms->has_tol && ms->tol.active ? ms->tol
                        : opt->manifest                     ? opt->manifest->defaults
                                                            : (xa_tolerance){0};
    co.tol = mtol.active ? mtol : opt->tol;
    const char *kind = ms && ms->kind[0] ? ms->kind : "tensor";
    int json_file = (rf && strstr(rf->path, ".json")) || (pf && strstr(pf->path, ".json"));
    if (!strcmp(kind, "detections") || json_file) {
        run_detections(ref_dir, port_dir, rf, pf, rspec, pspec, ms, s);
        return;
    }
    /* box coordinates before NMS are judged in pixels, not as normalised tensors: that is the
     * manifest's word for the stage unless it gives a tolerance of its own */
    if (!strcmp(kind, "boxes") && !(ms->has_tol && ms->tol.active)) {
        memset(&mtol, 0, sizeof mtol);
        mtol.active = XA_TOL_MAX_ABS;
        mtol.max_abs = 0.01;
        mtol.preset = "box coordinates, px";
    }
    xa_tol_sources tsrc = {&opt->tol, opt->tolerance_file, mtol.active ? &mtol : NULL};
    xa_tensor_list rl = {0}, pl = {0};
    xa_error err = {0};
    xa_status st = load_side(ref_dir, rf, rspec, opt, &rl, &err);
    if (!st) st = load_side(port_dir, pf, pspec, opt, &pl, &err);
    if (st) {
        s->status = XA_STAGE_ERROR;
        s->error = xa_strdup(err.message);
        xa_tensor_list_clear(&rl);
        xa_tensor_list_clear(&pl);
        return;
    }
    /* pair tensors by name, never by order (the seed's multi-output pitfall) */
    s->tensors = calloc(rl.count + 1, sizeof *s->tensors);
    s->unmatched = calloc(rl.count + pl.count + 1, sizeof *s->unmatched);
    if (!s->tensors || !s->unmatched) {
        s->status = XA_STAGE_ERROR;
        s->error = xa_strdup("out of memory");
        goto done;
    }
    /* a BMRT dump paired by size takes the other side's member names, in its order */
    if ((rf && rf->bmrt) || (pf && pf->bmrt)) {
        const stage_file *bf = rf && rf->bmrt ? rf : pf;
        char note[4096 + 512];
        snprintf(note, sizeof note,
                 "%s: %s, paired by its size with the %s's stage '%s' and read in its dtype and "
                 "shapes%s",
                 bf == rf ? "ref" : "port", bf->path, bf == rf ? "port" : "reference", name,
                 bf->why);
        s->note = xa_strdup(note);
    }
    if ((rf && rf->bmrt) != (pf && pf->bmrt)) {
        xa_tensor_list *b = rf && rf->bmrt ? &rl : &pl, *o = b == &rl ? &pl : &rl;
        for (size_t i = 0; b->count > 1 && b->count == o->count && i < b->count; i++) {
            char *nn = xa_strdup(o->names[i]);
            if (!nn) break;
            free(b->names[i]);
            b->names[i] = nn;
        }
    }
    /* the manifest names the parts of a split dump ("names": ["p3", "p4", "p5"]): #0, #1, ... */
    if (ms && ms->nnames) {
        xa_tensor_list *sides[2] = {&rl, &pl};
        for (int k = 0; k < 2; k++) {
            xa_tensor_list *l = sides[k];
            int split = l->count == (size_t)ms->nnames;
            for (size_t i = 0; split && i < l->count; i++) split = l->names[i][0] == '#';
            for (size_t i = 0; split && i < l->count; i++) {
                char *nn = xa_strdup(ms->names[i]);
                if (!nn) break;
                free(l->names[i]);
                l->names[i] = nn;
            }
        }
    }
    /* one tensor on each side (a single dump, or one selected member or part): paired whatever
     * their names; otherwise by name, never by order (the seed's multi-output pitfall) */
    int single = rl.count == 1 && pl.count == 1;
    const xa_tensor *first_r = NULL, *first_p = NULL; /* the first matched pair */
    for (size_t i = 0; i < rl.count; i++) {
        size_t j = 0;
        if (!single)
            for (j = 0; j < pl.count && strcmp(rl.names[i], pl.names[j]); j++) {
            }
        if (j == pl.count) {
            char b[300];
            snprintf(b, sizeof b, "ref:%s", rl.names[i]);
            s->unmatched[s->nunmatched++] = xa_strdup(b);
            continue;
        }
        if (!first_r) {
            first_r = rl.tensors[i];
            first_p = pl.tensors[j];
        }
        xa_stage_tensor *ts = &s->tensors[s->ntensors++];
        ts->name = xa_strdup(single ? "" : rl.names[i]);
        xa_cmp_options cp = co;
        cp.tol = xa_tolerance_choose(&tsrc, single ? name : rl.names[i], rl.tensors[i]->dtype,
                                     pl.tensors[j]->dtype, 0, &ts->rule);
        compare_pair(rl.tensors[i], pl.tensors[j], &cp, ts);
        if (severity(ts->status) > severity(s->status)) s->status = ts->status;
    }
    for (size_t j = 0; !single && j < pl.count; j++) {
        size_t i;
        for (i = 0; i < rl.count && strcmp(rl.names[i], pl.names[j]); i++) {
        }
        if (i == rl.count) {
            char b[300];
            snprintf(b, sizeof b, "port:%s", pl.names[j]);
            s->unmatched[s->nunmatched++] = xa_strdup(b);
        }
    }
    if (s->nunmatched && s->status == XA_STAGE_ALIGNED) s->status = XA_STAGE_UNALIGNED;
    if (s->ntensors == 0 && s->status == XA_STAGE_ALIGNED) s->status = XA_STAGE_UNALIGNED;
    if (!single && (s->nunmatched || s->status != XA_STAGE_ALIGNED) && rl.count > 1 && pl.count > 1)
        pairing_hint(&rl, &pl, &co, s);
    if (s->status != XA_STAGE_ALIGNED && ((pf && pf->bmrt) != (rf && rf->bmrt)))
        bmrt_order_hint(pf && pf->bmrt ? pf : rf, pf && pf->bmrt ? &rl : &pl, &co, s);
    int topk = ms && ms->topk ? ms->topk : 0;
    if (topk && s->ntensors == 1 && s->tensors[0].has_cmp) {
        s->has_topk = 1;
        compute_topk(first_r, first_p, topk, &s->topk);
    }
    if (ms && ms->op.op && pl.count == 1)
        replay_stage(ms, rc, pc, rl.count == 1 ? rl.tensors[0] : NULL, pl.tensors[0], &co, s);
    if (opt->after_stage) {
        const char *image = NULL;
        char input[1024];
        if (ms && ms->op.op && !strcmp(xa_op_get_info(ms->op.op)->inputs, "file")) {
            expand_input(ms->op.input, rc->sample, input, sizeof input);
            if (input[0] == '/') image = input;
        }
        xa_stage_data d = {&rl,           &pl, rc->prev, pc->prev, rc->prev_name,
                           pc->prev_name, ms,  image,    &co};
        opt->after_stage(opt->hook_ctx, s, &d);
    }
    *rl_out = rl;
    *pl_out = pl;
    return;
done:
    xa_tensor_list_clear(&rl);
    xa_tensor_list_clear(&pl);
}

/* 1 when a manifest stage names this file (its own spec then says how to read it). */
static int manifest_names_file(const xa_manifest *m, const char *file) {
    size_t l = strlen(file);
    for (size_t i = 0; m && i < m->nstages; i++) {
        const char *sp[2] = {m->stages[i].ref_spec, m->stages[i].port_spec};
        for (int k = 0; k < 2; k++) {
            const char *base = strrchr(sp[k], '/') ? strrchr(sp[k], '/') + 1 : sp[k];
            if (!strncmp(base, file, l) && (!base[l] || base[l] == ':' || base[l] == '#')) return 1;
        }
    }
    return 0;
}

/* BMRT_SAVE_IO_TENSORS dumps in a folder (input_ref_data.dat.bmrt, output_ref_data.dat.bmrt)
 * that no manifest names become stages by themselves: each is paired with the other side's stage
 * that has no dump on this side and whose tensors take exactly the file's bytes (the last such
 * stage: the model's input is the last preprocessing stage, its output the last stage of that
 * size), read in that stage's dtype and shapes -- the seed's step 4, "reshape to the reference's
 * shape", without writing a shape by hand. */
static xa_status auto_bmrt(const char *dir, stage_dir *side, const stage_dir *other,
                           const xa_manifest *m, xa_error *err) {
    /* the runtime's names say which end of the pipeline each dump is: of several stages of the
     * dump's size, the input file takes the earliest, the output file the latest */
    static const char *const files[] = {"input_ref_data.dat.bmrt", "output_ref_data.dat.bmrt"};
    for (int k = 0; k < 2; k++) {
        char path[4096 + 64];
        snprintf(path, sizeof path, "%s/%s", dir, files[k]);
        struct stat sb;
        if (stat(path, &sb) || !S_ISREG(sb.st_mode) || manifest_names_file(m, files[k])) continue;
        char best[sizeof side->f[0].path] = "";
        size_t best_i = 0, nfit = 0;
        long mixed_i = -1;
        /* the stage this dump would be, were its size right: the earliest / latest candidate */
        char end_name[128] = "", end_dtype[16] = "";
        uint64_t end_bytes = 0;
        for (size_t i = 0; i < other->n; i++) {
            const stage_file *o = &other->f[i];
            if (find_stage(side, o->name) || o->bmrt) continue;
            /* the members' headers only: no data is read for a stage that does not fit */
            xa_multi *mm = NULL;
            if (xa_multi_open(o->path, &mm, NULL)) continue;
            size_t cnt = xa_multi_count(mm);
            xa_member_info *parts = calloc(cnt ? cnt : 1, sizeof *parts);
            uint64_t bytes = 0;
            int ok = parts != NULL;
            for (size_t t = 0; ok && t < cnt; t++) {
                ok = !xa_multi_info(mm, t, &parts[t], NULL);
                bytes += ok ? parts[t].nbytes : 0;
            }
            xa_multi_free(mm);
            char spec[sizeof side->f[0].path];
            size_t n = ok ? xa_spec_format_split(spec, sizeof spec, path, parts, cnt) : 0;
            int same = n > 0; /* 0: no member, or members of several dtypes */
            if (ok && cnt && (k == 1 || !end_name[0])) {
                snprintf(end_name, sizeof end_name, "%s", o->name);
                snprintf(end_dtype, sizeof end_dtype, "%s",
                         same ? xa_dtype_name(parts[0].dtype) : "mixed dtypes");
                end_bytes = bytes;
            }
            free(parts);
            if (!ok || !cnt) continue;
            if (bytes != (uint64_t)sb.st_size || n >= sizeof spec) continue;
            nfit++;
            /* the input: the earliest stage of the size decides; the output: the latest. A
             * stage of several dtypes is not guessed, and no other stage is taken instead */
            if (k == 0 && (best[0] || mixed_i >= 0)) continue;
            best[0] = 0, mixed_i = -1;
            if (same) {
                snprintf(best, sizeof best, "%s", spec);
                best_i = i;
            } else {
                mixed_i = (long)i;
            }
        }
        if (mixed_i >= 0) {
            snprintf(side->unpaired_stage[k], sizeof side->unpaired_stage[k], "%s",
                     other->f[mixed_i].name);
            snprintf(side->unpaired_note[k], sizeof side->unpaired_note[k],
                     "%s has this stage's size (%lld bytes), but the stage's members have "
                     "several dtypes, which xalign does not guess for a raw dump: give "
                     "--bmodel, which names each output's dtype and shape",
                     files[k], (long long)sb.st_size);
            continue;
        }
        if (!best[0] && !nfit && end_name[0]) {
            snprintf(side->unpaired_stage[k], sizeof side->unpaired_stage[k], "%s", end_name);
            snprintf(side->unpaired_note[k], sizeof side->unpaired_note[k],
                     "%s (%lld bytes) is not read as this stage: the stage holds %lld bytes (%s) "
                     "and no stage has the dump's size; give its dtype and shapes in the manifest "
                     "(\"port\": \"%s:f32:...\") or --bmodel",
                     files[k], (long long)sb.st_size, (long long)end_bytes, end_dtype, files[k]);
        }
        if (!best[0]) continue;
        const stage_file *o = &other->f[best_i];
        stage_file *nf = realloc(side->f, (side->n + 1) * sizeof *nf);
        if (!nf) return xa_fail(err, XA_ENOMEM, "out of memory");
        side->f = nf;
        stage_file *f = &side->f[side->n++];
        memset(f, 0, sizeof *f);
        f->order = o->order;
        f->bmrt = 1;
        snprintf(f->name, sizeof f->name, "%s", o->name);
        snprintf(f->path, sizeof f->path, "%s", best);
        if (nfit > 1)
            snprintf(f->why, sizeof f->why,
                     " (%zu stages have its size: the runtime's %s dump is taken as the %s)", nfit,
                     k ? "output" : "input", k ? "latest" : "earliest");
    }
    qsort(side->f, side->n, sizeof *side->f, cmp_stage_file);
    return XA_OK;
}

xa_status xa_stages_run(const char *ref_dir, const char *port_dir, const xa_stages_options *opt,
                        xa_stages_report *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    out->first_unaligned = -1;
    xa_stages_options o0 = {0};
    if (!opt) opt = &o0;
    stage_dir rd, pd;
    xa_status st = scan_dir(ref_dir, &rd, err);
    if (st) return st;
    st = scan_dir(port_dir, &pd, err);
    if (!st && !opt->bmodel) st = auto_bmrt(port_dir, &pd, &rd, opt->manifest, err);
    if (!st && !opt->bmodel) st = auto_bmrt(ref_dir, &rd, &pd, opt->manifest, err);
    if (st) {
        free(rd.f);
        free(pd.f);
        return st;
    }
    /* every name of either side (and of the manifest's raw stages), in NN order */
    size_t cap = rd.n + pd.n + (opt->manifest ? opt->manifest->nstages : 0);
    stage_file *all = calloc(cap ? cap : 1, sizeof *all);
    size_t n = 0;
    if (!all) {
        free(rd.f);
        free(pd.f);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < rd.n; i++) all[n++] = rd.f[i];
    for (size_t i = 0; i < pd.n; i++)
        if (!find_stage(&rd, pd.f[i].name)) all[n++] = pd.f[i];
    for (size_t i = 0; opt->manifest && i < opt->manifest->nstages; i++) {
        const xa_manifest_stage *ms = &opt->manifest->stages[i];
        if ((ms->ref_spec[0] || ms->port_spec[0]) && !find_stage(&rd, ms->name) &&
            !find_stage(&pd, ms->name)) {
            stage_file *f = &all[n++];
            f->order = 1000000 + (int)i; /* raw stages without NN come after the numbered ones */
            snprintf(f->name, sizeof f->name, "%s", ms->name);
        }
    }
    if (n == 0) {
        free(all);
        free(rd.f);
        free(pd.f);
        return xa_fail(err, XA_ENOTFOUND, "no stage dumps (NN_name.npy / NN_name.npz) in %s or %s",
                       ref_dir, port_dir);
    }
    /* a manifest stage that names no dump on either side would have its settings (a tolerance,
     * an operation) dropped without a word: a typo must not turn into a silent "aligned" */
    for (size_t i = 0; opt->manifest && i < opt->manifest->nstages; i++) {
        const xa_manifest_stage *ms = &opt->manifest->stages[i];
        if (ms->ref_spec[0] || ms->port_spec[0] || find_stage(&rd, ms->name) ||
            find_stage(&pd, ms->name))
            continue;
        const char *best = NULL;
        size_t bd = 3; /* suggest names within two edits */
        for (size_t k = 0; k < n; k++) {
            size_t d = xa_edit_distance(ms->name, all[k].name);
            if (d < bd) bd = d, best = all[k].name;
        }
        char hint[200] = "";
        if (best) snprintf(hint, sizeof hint, " (did you mean '%.128s'?)", best);
        xa_status bad = xa_fail(err, XA_EINVAL,
                                "manifest stage '%s' matches no dump in %s or %s%s: its settings "
                                "would be ignored",
                                ms->name, ref_dir, port_dir, hint);
        free(all);
        free(rd.f);
        free(pd.f);
        return bad;
    }
    qsort(all, n, sizeof *all, cmp_stage_file);
    out->stages = calloc(n ? n : 1, sizeof *out->stages);
    if (!out->stages) {
        free(all);
        free(rd.f);
        free(pd.f);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    /* "{sample}": the sample's name, else the name of REF_DIR's folder */
    char base[256];
    const char *sample = opt->sample;
    if (!sample) {
        size_t l = strlen(ref_dir);
        while (l > 1 && ref_dir[l - 1] == '/') l--;
        size_t b = l;
        while (b > 0 && ref_dir[b - 1] != '/') b--;
        snprintf(base, sizeof base, "%.*s", (int)(l - b), ref_dir + b);
        sample = base;
    }
    /* the previous stage's tensors stay loaded: they are the next stage's input */
    xa_tensor_list prev_r = {0}, prev_p = {0};
    const char *prev_name = NULL;
    for (size_t i = 0; i < n; i++) {
        side_ctx rc = {ref_dir, &rd, prev_r.count ? &prev_r : NULL, prev_name, sample};
        side_ctx pc = {port_dir, &pd, prev_p.count ? &prev_p : NULL, prev_name, sample};
        xa_tensor_list cr = {0}, cp = {0};
        xa_stage_result *s = &out->stages[i];
        run_stage(&rc, &pc, all[i].name, opt, s, &cr, &cp);
        out->nstages++;
        if (cr.count && cp.count) { /* a stage missing on one side is skipped as an input */
            xa_tensor_list_clear(&prev_r);
            xa_tensor_list_clear(&prev_p);
            prev_r = cr;
            prev_p = cp;
            prev_name = s->name;
        } else {
            xa_tensor_list_clear(&cr);
            xa_tensor_list_clear(&cp);
        }
        /* the first unaligned stage is the first *compared* stage that differs: a stage missing
         * on one side, or unreadable, is reported as such and is never the first unaligned */
        int differs = s->status == XA_STAGE_UNALIGNED || s->status == XA_STAGE_SHAPE_MISMATCH;
        if (out->first_unaligned < 0 && differs)
            out->first_unaligned = (long)i;
        else if (out->first_unaligned >= 0)
            s->inherited = 1;
    }
    xa_tensor_list_clear(&prev_r);
    xa_tensor_list_clear(&prev_p);
    out->ref_dir = xa_strdup(ref_dir);
    out->port_dir = xa_strdup(port_dir);
    free(all);
    free(rd.f);
    free(pd.f);
    return XA_OK;
}
