/* Whole-model comparison: every member of a reference file against its port member, streamed
 * (include/xalign/compare.h "comparing multi-member files", docs/metrics.md "Per-layer").
 *
 * Members go in batches of at most BATCH_BYTES (or one member, if bigger). A batch's members are
 * opened as views in parallel (stored npz members: straight from the mapping; deflated or
 * encoded ones: materialised), then cut into tasks of at least xa_cmp_part_elements() elements
 * that both threads take in order. A task reads its range once: the CRC-32 of each chunk is
 * taken as the chunk is loaded, and the comparison runs on the cached chunk. Then the parts of
 * each member are merged in order, its CRC verified, its verdict made, and the batch's mapped
 * pages dropped, so memory stays near BATCH_BYTES plus the largest member. */
#include "cmp_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    BATCH_BYTES = 64 << 20, /* both sides of the members of one batch */
    BATCH_MAX = 1024,       /* members of one batch */
};

const char *xa_member_status_name(xa_member_status s) {
    switch (s) {
    case XA_MEMBER_ALIGNED:
        return "aligned";
    case XA_MEMBER_UNALIGNED:
        return "unaligned";
    case XA_MEMBER_SHAPE_MISMATCH:
        return "shape_mismatch";
    case XA_MEMBER_ONLY_REF:
        return "only_ref";
    case XA_MEMBER_ONLY_PORT:
        return "only_port";
    case XA_MEMBER_ERROR:
        return "error";
    }
    return "?";
}

void xa_members_options_init(xa_members_options *o) {
    memset(o, 0, sizeof *o);
}

void xa_members_report_clear(xa_members_report *r) {
    if (!r) return;
    for (size_t i = 0; i < r->count; i++) {
        xa_member_result *m = &r->members[i];
        free(m->name);
        free(m->port_name);
        free(m->error);
        xa_cmp_result_clear(&m->cmp);
    }
    free(r->members);
    for (size_t i = 0; i < r->nnotes; i++) free(r->notes[i]);
    free(r->notes);
    xa_pairing_clear(&r->pairing);
    memset(r, 0, sizeof *r);
    r->first_unaligned = -1;
}

int xa_members_all_aligned(const xa_members_report *r) {
    return r->compared == r->aligned && !r->only_ref && !r->only_port && !r->errors;
}

/* Names "#0", "#1", ... (the parts of a split dump) or the one unnamed tensor of a spec. */
static int positional(const xa_multi *m) {
    size_t n = xa_multi_count(m);
    for (size_t i = 0; i < n; i++) {
        const char *s = xa_multi_name(m, i);
        if (!s[0] && n == 1) continue;
        if (s[0] != '#' || !s[1]) return 0;
        for (const char *q = s + 1; *q; q++)
            if (*q < '0' || *q > '9') return 0;
    }
    return 1;
}

static void set_error(xa_member_result *m, const xa_error *e) {
    m->status = XA_MEMBER_ERROR;
    free(m->error);
    m->error = xa_strdup(e->message[0] ? e->message : xa_strerror(e->status));
}

/* ---- one batch ------------------------------------------------------------------------------ */
typedef struct {
    xa_member_result *res;
    xa_member_view rv, pv;
    int viewed;         /* views made */
    int failed;         /* an error is recorded in res */
    int slow;           /* Fortran order: compared whole with xa_compare */
    xa_cmp *c;          /* streaming context */
    int64_t n;          /* elements */
    int parts;          /* tasks of this member */
    size_t first_task;  /* index of its first task */
    xa_cmp_options opt; /* options of this pair */
} item;

typedef struct {
    item *it;
    int64_t lo, hi;
    xa_acc acc;
    uint32_t crc_r, crc_p;
    int failed;
} task;

typedef struct {
    xa_multi *ref, *port;
    const xa_members_options *o;
    item *items;
    size_t nitems;
    task *tasks;
    size_t ntasks;
} batch;

/* Dtypes as compared: uint16 viewed as u16_as when asked. */
static void apply_view(const xa_members_options *o, xa_member_info *info, int *viewed) {
    if (info->dtype == XA_U16 && (o->u16_as == XA_BF16 || o->u16_as == XA_F16)) {
        info->dtype = o->u16_as;
        *viewed = 1;
    }
}

/* Open both views of an item and set up its comparison (runs on worker threads). */
static void prepare(void *arg, int k) {
    batch *b = arg;
    item *it = &b->items[k];
    xa_member_result *m = it->res;
    xa_error err = {0};
    const xa_members_options *o = b->o;
    if (xa_multi_view(b->ref, (size_t)m->ref_index, &it->rv, &err) ||
        xa_multi_view(b->port, (size_t)m->port_index, &it->pv, &err)) {
        set_error(m, &err);
        it->failed = 1;
        return;
    }
    it->viewed = 1;
    xa_member_info *ri = &it->rv.info, *pi = &it->pv.info;
    apply_view(o, ri, &m->viewed);
    apply_view(o, pi, &m->viewed);
    int64_t nr = xa_shape_count(ri->rank, ri->shape), np = xa_shape_count(pi->rank, pi->shape);
    /* raw bytes given without a shape take the other side's shape when the counts agree */
    if (nr == np && pi->shapeless && !ri->shapeless) {
        pi->rank = ri->rank;
        memcpy(pi->shape, ri->shape, sizeof pi->shape);
        m->reshaped = 1;
    } else if (nr == np && ri->shapeless && !pi->shapeless) {
        ri->rank = pi->rank;
        memcpy(ri->shape, pi->shape, sizeof ri->shape);
        m->reshaped = 2;
    }
    /* a quantised side is read dequantised when the other side holds real values (a float
     * reference) or is quantised too; against raw integers it stays raw */
    int rq = ri->has_scale && (xa_dtype_is_float(pi->dtype) || pi->has_scale);
    int pq = pi->has_scale && (xa_dtype_is_float(ri->dtype) || ri->has_scale);
    ri->has_scale = rq;
    pi->has_scale = pq;
    m->ref = *ri;
    m->port = *pi;
    if (nr != np) {
        m->status = XA_MEMBER_SHAPE_MISMATCH;
        it->failed = 1; /* nothing to compare */
        return;
    }
    xa_cmp_options_init(&it->opt);
    it->opt.threads = 1;
    if (ri->has_scale) it->opt.ref_dequant = (xa_dequant){1, ri->scale, ri->zero_point};
    if (pi->has_scale) it->opt.port_dequant = (xa_dequant){1, pi->scale, pi->zero_point};
    xa_tol_sources src = {&o->tol, o->tolerance_file, o->manifest};
    it->opt.tol = xa_tolerance_choose(&src, m->name, ri->dtype, pi->dtype,
                                      ri->has_scale || pi->has_scale, &m->rule);
    it->n = nr;
    if ((ri->fortran_order && ri->rank > 1) || (pi->fortran_order && pi->rank > 1)) {
        it->slow = 1; /* xa_compare puts both in C order first */
        return;
    }
    if (xa_cmp_new(ri->dtype, pi->dtype, ri->rank, ri->shape, &it->opt, &it->c, &err)) {
        set_error(m, &err);
        it->failed = 1;
    }
}

static void run_task(void *arg, int k) {
    batch *b = arg;
    task *t = &b->tasks[k];
    item *it = t->it;
    xa_acc_init(&t->acc);
    t->crc_r = t->crc_p = 0;
    if (!xa_cmp_range(it->c, it->rv.data, it->rv.info.swapped, it->pv.data, it->pv.info.swapped, 0,
                      t->lo, t->hi, 0, 0, &t->acc, NULL, it->rv.crc_pending ? &t->crc_r : NULL,
                      it->pv.crc_pending ? &t->crc_p : NULL))
        t->failed = 1;
}

/* A tensor over a view's bytes for xa_compare (the slow path: Fortran order). */
static xa_tensor view_tensor(const xa_member_view *v) {
    xa_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = v->info.dtype;
    t.rank = v->info.rank;
    memcpy(t.shape, v->info.shape, sizeof t.shape);
    t.fortran_order = v->info.fortran_order;
    t.swapped = v->info.swapped;
    t.data = (void *)v->data;
    t.nbytes = (size_t)v->info.nbytes;
    return t;
}

/* Permutations of the port that give the reference's shape (a shape mismatch). */
static void permutations(batch *b, item *it) {
    xa_member_result *m = it->res;
    xa_tensor r = view_tensor(&it->rv), p = view_tensor(&it->pv);
    r.rank = m->ref.rank;
    memcpy(r.shape, m->ref.shape, sizeof r.shape);
    p.rank = m->port.rank;
    memcpy(p.shape, m->port.shape, sizeof p.shape);
    /* permuting reads typed elements: a member at an odd offset in its zip is copied first */
    xa_tensor *copy = NULL;
    if ((uintptr_t)p.data % xa_dtype_size(p.dtype)) {
        if (xa_tensor_new(p.dtype, p.rank, p.shape, &copy, NULL)) return;
        memcpy(copy->data, p.data, p.nbytes < copy->nbytes ? p.nbytes : copy->nbytes);
        copy->fortran_order = p.fortran_order;
        copy->swapped = p.swapped;
        p.data = copy->data;
    }
    m->nperms = xa_shape_permutations(&r, &p, m->perms, 8);
    xa_cmp_options po = it->opt;
    po.threads = b->o->threads;
    for (size_t i = 0; i < m->nperms; i++) {
        xa_tensor *pp;
        xa_cmp_result pr;
        xa_error err = {0};
        if (xa_tensor_permute(&p, &m->perms[i], &pp, &err)) {
            m->nperms = i;
            break;
        }
        if (!xa_compare(&r, pp, &po, &pr, &err)) {
            m->perm_aligned[i] = pr.aligned;
            m->perm_max_abs[i] = pr.total.max_abs;
            xa_cmp_result_clear(&pr);
        }
        xa_tensor_free(pp);
    }
    xa_tensor_free(copy);
}

static void finish(batch *b, item *it) {
    xa_member_result *m = it->res;
    xa_error err = {0};
    if (it->failed) return;
    if (it->slow) {
        xa_tensor r = view_tensor(&it->rv), p = view_tensor(&it->pv);
        it->opt.threads = b->o->threads;
        /* a pending CRC is checked on the whole bytes first */
        if (xa_member_view_verify(&it->rv, xa_crc32(0, r.data, r.nbytes), &err) ||
            xa_member_view_verify(&it->pv, xa_crc32(0, p.data, p.nbytes), &err) ||
            xa_compare(&r, &p, &it->opt, &m->cmp, &err)) {
            set_error(m, &err);
            return;
        }
    } else {
        uint32_t cr = 0, cp = 0;
        for (int k = 0; k < it->parts; k++) {
            task *t = &b->tasks[it->first_task + (size_t)k];
            if (t->failed) {
                xa_fail(&err, XA_ENOMEM, "out of memory in a comparison thread");
                set_error(m, &err);
                return;
            }
            uint64_t len = (uint64_t)(t->hi - t->lo);
            cr = k ? xa_crc32_combine(cr, t->crc_r, len * xa_dtype_size(m->ref.dtype)) : t->crc_r;
            cp = k ? xa_crc32_combine(cp, t->crc_p, len * xa_dtype_size(m->port.dtype)) : t->crc_p;
            xa_cmp_absorb(it->c, &t->acc, 1, t->hi - t->lo);
        }
        if (xa_member_view_verify(&it->rv, cr, &err) || xa_member_view_verify(&it->pv, cp, &err) ||
            xa_cmp_final(it->c, &m->cmp, &err)) {
            set_error(m, &err);
            return;
        }
    }
    m->has_cmp = 1;
    int same = xa_shape_same_layout(m->ref.rank, m->ref.shape, m->port.rank, m->port.shape);
    m->status = !same            ? XA_MEMBER_SHAPE_MISMATCH
                : m->cmp.aligned ? XA_MEMBER_ALIGNED
                                 : XA_MEMBER_UNALIGNED;
    if (!same) permutations(b, it);
}

static xa_status run_batch(batch *b, xa_error *err) {
    int threads = b->o->threads > 0 ? b->o->threads : xa_threads_get();
    xa_parallel(threads, (int)b->nitems, prepare, b);
    size_t ntasks = 0;
    int64_t per = xa_cmp_part_elements();
    for (size_t k = 0; k < b->nitems; k++) {
        item *it = &b->items[k];
        if (it->failed || it->slow) continue;
        int64_t parts = it->n / per + 1;
        it->parts = (int)(parts < threads ? parts : threads);
        if (it->parts < 1) it->parts = 1;
        it->first_task = ntasks;
        ntasks += (size_t)it->parts;
    }
    b->tasks = calloc(ntasks ? ntasks : 1, sizeof *b->tasks);
    if (!b->tasks) return xa_fail(err, XA_ENOMEM, "out of memory");
    for (size_t k = 0; k < b->nitems; k++) {
        item *it = &b->items[k];
        if (it->failed || it->slow) continue;
        for (int q = 0; q < it->parts; q++) {
            task *t = &b->tasks[it->first_task + (size_t)q];
            t->it = it;
            t->lo = it->n * q / it->parts;
            t->hi = it->n * (q + 1) / it->parts;
        }
    }
    b->ntasks = ntasks;
    xa_parallel(threads, (int)ntasks, run_task, b);
    for (size_t k = 0; k < b->nitems; k++) {
        item *it = &b->items[k];
        finish(b, it);
        xa_cmp_free(it->c);
        xa_member_view_clear(&it->rv);
        xa_member_view_clear(&it->pv);
    }
    free(b->tasks);
    b->tasks = NULL;
    return XA_OK;
}

/* ---- pairing -------------------------------------------------------------------------------- */
static xa_status add_result(xa_members_report *r, const char *name, const char *port_name, long ri,
                            long pi, xa_member_status st, xa_error *err) {
    xa_member_result *m = &r->members[r->count];
    memset(m, 0, sizeof *m);
    m->name = xa_strdup(name);
    m->port_name = port_name ? xa_strdup(port_name) : NULL;
    m->ref_index = ri;
    m->port_index = pi;
    m->status = st;
    m->cmp.axis = -1;
    if (!m->name || (port_name && !m->port_name)) {
        free(m->name);
        free(m->port_name);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    r->count++;
    return XA_OK;
}

/* A note on a map entry that could not apply (the report says it; the pairing goes on). */
static xa_status add_note(xa_members_report *r, xa_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static xa_status add_note(xa_members_report *r, xa_error *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int bad = xa_strlist_vaddf(&r->notes, &r->nnotes, fmt, ap);
    va_end(ap);
    return bad ? xa_fail(err, XA_ENOMEM, "out of memory") : XA_OK;
}

/* Member infos for the one-sided entries (from headers: cheap). */
static void side_info(xa_multi *m, long i, xa_member_info *info) {
    xa_error e = {0};
    if (i >= 0 && xa_multi_info(m, (size_t)i, info, &e)) memset(info, 0, sizeof *info);
}

/* When members paired by position do not all align, look for the pairing that aligns most
 * (small positional sets only: the tensors are loaded whole). */
static void pairing_search(xa_multi *ref, xa_multi *port, const xa_members_options *o,
                           xa_members_report *r) {
    size_t nr = xa_multi_count(ref), np = xa_multi_count(port);
    if (!r->by_position || o->no_pairing_search || nr > XA_PAIRING_MAX || np > XA_PAIRING_MAX ||
        nr == 0 || np == 0 || (r->aligned == r->compared && nr == np))
        return;
    uint64_t bytes = 0;
    for (size_t i = 0; i < r->count; i++)
        bytes += r->members[i].ref.nbytes + r->members[i].port.nbytes;
    if (bytes > ((uint64_t)1 << 30)) return; /* loading them all would cost too much memory */
    xa_tensor **rt = calloc(nr, sizeof *rt), **pt = calloc(np, sizeof *pt);
    xa_error err = {0};
    int ok = rt && pt;
    for (size_t i = 0; ok && i < nr; i++) ok = !xa_multi_load(ref, i, &rt[i], &err);
    for (size_t i = 0; ok && i < np; i++) ok = !xa_multi_load(port, i, &pt[i], &err);
    if (ok) {
        xa_cmp_options co;
        xa_cmp_options_init(&co);
        co.threads = o->threads;
        co.tol = o->tol;
        xa_pairing pr;
        if (!xa_pairing_search((const xa_tensor *const *)rt, nr, (const xa_tensor *const *)pt, np,
                               &co, &pr, &err)) {
            if (pr.naligned > r->aligned && !pr.identity) {
                r->pairing = pr;
                r->has_pairing = 1;
            } else {
                xa_pairing_clear(&pr);
            }
        }
    }
    for (size_t i = 0; rt && i < nr; i++) xa_tensor_free(rt[i]);
    for (size_t i = 0; pt && i < np; i++) xa_tensor_free(pt[i]);
    free(rt);
    free(pt);
}

xa_status xa_compare_members(xa_multi *ref, xa_multi *port, const xa_members_options *opt,
                             xa_members_report *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    out->first_unaligned = -1;
    xa_members_options o0;
    if (!opt) {
        xa_members_options_init(&o0);
        opt = &o0;
    }
    if (!ref || !port) return xa_fail(err, XA_EINVAL, "xa_compare_members: NULL file");
    if (xa_multi_drop_numbering(ref, port) < 0) return xa_fail(err, XA_ENOMEM, "out of memory");
    size_t nr = xa_multi_count(ref), np = xa_multi_count(port);
    out->members = calloc(nr + np + 1, sizeof *out->members);
    long *used = calloc(np + 1, sizeof *used); /* 1 + the reference member paired with it */
    item *items = calloc(BATCH_MAX, sizeof *items);
    xa_status st = out->members && used && items ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    out->by_position = opt->by_position || (nr == 1 && np == 1) ||
                       (xa_name_map_empty(opt->names) && (positional(ref) || positional(port)));
    out->named_map = !out->by_position && !xa_name_map_empty(opt->names);
    /* pair every reference member */
    for (size_t i = 0; !st && i < nr; i++) {
        const char *rn = xa_multi_name(ref, i);
        long j = -1;
        char *want = NULL;
        if (out->by_position) {
            j = i < np ? (long)i : -1;
        } else {
            st = xa_name_map_port_name(opt->names, rn, &want, err);
            if (st) break;
            j = xa_multi_find(port, want);
            if (j >= 0 && used[j]) { /* two reference names mapped onto one port member */
                const char *other = xa_multi_name(ref, (size_t)(used[j] - 1));
                st = add_note(out, err,
                              "'%s' -> '%s': the port's '%s' is already paired with the "
                              "reference's '%s'; '%s' stays unpaired",
                              rn, want, want, other, rn);
                j = -1;
            }
        }
        free(want);
        if (st) break;
        if (j >= 0) used[j] = (long)i + 1;
        st = add_result(out, rn, j >= 0 ? xa_multi_name(port, (size_t)j) : NULL, (long)i, j,
                        j >= 0 ? XA_MEMBER_ALIGNED : XA_MEMBER_ONLY_REF, err);
        if (!st && j < 0) side_info(ref, (long)i, &out->members[out->count - 1].ref);
    }
    for (size_t j = 0; !st && j < np; j++)
        if (!used[j]) {
            st = add_result(out, xa_multi_name(port, j), NULL, -1, (long)j, XA_MEMBER_ONLY_PORT,
                            err);
            if (!st) side_info(port, (long)j, &out->members[out->count - 1].port);
        }
    /* explicit map entries naming a member that is not there */
    const char *from, *to;
    for (size_t k = 0; !st && !out->by_position && xa_name_map_entry(opt->names, k, &from, &to);
         k++) {
        int has_ref = xa_multi_find(ref, from) >= 0, has_port = xa_multi_find(port, to) >= 0;
        if (!has_ref || !has_port)
            st = add_note(out, err, "'%s' -> '%s': %s has no member '%s'; the entry is not applied",
                          from, to, has_ref ? "the port" : "the reference", has_ref ? to : from);
    }
    /* compare the pairs, batch by batch, in the reference's order */
    batch b = {ref, port, opt, items, 0, NULL, 0};
    uint64_t bytes = 0;
    for (size_t i = 0; !st && i <= out->count; i++) {
        xa_member_result *m = i < out->count ? &out->members[i] : NULL;
        int pair = m && m->ref_index >= 0 && m->port_index >= 0;
        uint64_t mb = 0;
        if (pair) {
            xa_member_info a, c;
            xa_error e = {0};
            /* sizes from the headers (a failing header is reported when the member is read) */
            if (!xa_multi_info(ref, (size_t)m->ref_index, &a, &e) &&
                !xa_multi_info(port, (size_t)m->port_index, &c, &e))
                mb = a.nbytes + c.nbytes;
        }
        if (b.nitems && (!m || b.nitems == BATCH_MAX || (pair && bytes + mb > BATCH_BYTES))) {
            st = run_batch(&b, err);
            memset(items, 0, BATCH_MAX * sizeof *items);
            b.nitems = 0;
            bytes = 0;
        }
        if (pair) {
            items[b.nitems++].res = m;
            bytes += mb;
        }
    }
    free(items);
    free(used);
    if (st) {
        xa_members_report_clear(out);
        return st;
    }
    for (size_t i = 0; i < out->count; i++) {
        const xa_member_result *m = &out->members[i];
        switch (m->status) {
        case XA_MEMBER_ALIGNED:
            out->compared++;
            out->aligned++;
            break;
        case XA_MEMBER_UNALIGNED:
            out->compared++;
            out->unaligned++;
            break;
        case XA_MEMBER_SHAPE_MISMATCH:
            out->compared++;
            out->shape_mismatch++;
            break;
        case XA_MEMBER_ONLY_REF:
            out->only_ref++;
            break;
        case XA_MEMBER_ONLY_PORT:
            out->only_port++;
            break;
        case XA_MEMBER_ERROR:
            out->compared++;
            out->errors++;
            break;
        }
        if (out->first_unaligned < 0 && m->status != XA_MEMBER_ALIGNED &&
            m->status != XA_MEMBER_ONLY_REF && m->status != XA_MEMBER_ONLY_PORT)
            out->first_unaligned = (long)i;
    }
    pairing_search(ref, port, opt, out);
    return XA_OK;
}
