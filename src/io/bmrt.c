/* BMRT_SAVE_IO_TENSORS dumps (input_ref_data.dat.bmrt / output_ref_data.dat.bmrt: the raw
 * tensors of one stage concatenated in index order) split into the tensors a bmodel names
 * (docs/bmodel.md). The model is read by bmodel.c. */
#include "io_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const xa_bmodel_tensor *side_tensors(const xa_bmodel_stage *s, int outputs, size_t *n) {
    *n = outputs ? s->noutputs : s->ninputs;
    return outputs ? s->outputs : s->inputs;
}

/* Bytes of one side of a stage in a dump; -1 when a tensor cannot be sized (*bad = it). */
static int64_t side_nbytes(const xa_bmodel_stage *s, int outputs, size_t *bad) {
    size_t n;
    const xa_bmodel_tensor *t = side_tensors(s, outputs, &n);
    int64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t b = xa_bmodel_tensor_nbytes(&t[k]);
        if (b < 0 || __builtin_add_overflow(total, b, &total)) {
            *bad = k;
            return -1;
        }
    }
    return total;
}

static int64_t find_tensor(const xa_bmodel_stage *s, int outputs, const char *name) {
    size_t n;
    const xa_bmodel_tensor *t = side_tensors(s, outputs, &n);
    for (size_t k = 0; k < n; k++)
        if (!strcmp(t[k].name, name)) return (int64_t)k;
    return -1;
}

static int same_layout(const xa_bmodel_tensor *a, const xa_bmodel_tensor *b) {
    if (a->dtype != b->dtype || a->rank != b->rank) return 0;
    for (int k = 0; k < a->rank; k++)
        if (a->shape[k] != b->shape[k]) return 0;
    return 1;
}

/* Two candidates split a file the same way (for a selected tensor: the same bytes as the same
 * dtype and shape under the same name; otherwise every tensor alike). */
static int same_split(const xa_bmodel *m, const xa_bmrt_where *x, const xa_bmrt_where *y) {
    size_t nx, ny;
    const xa_bmodel_tensor *tx = side_tensors(&m->nets[x->net].stages[x->stage], x->outputs, &nx);
    const xa_bmodel_tensor *ty = side_tensors(&m->nets[y->net].stages[y->stage], y->outputs, &ny);
    if (x->tensor >= 0) { /* the bytes before it must add up alike too */
        int64_t ox = 0, oy = 0;
        for (int64_t k = 0; k < x->tensor; k++) ox += xa_bmodel_tensor_nbytes(&tx[k]);
        for (int64_t k = 0; k < y->tensor; k++) oy += xa_bmodel_tensor_nbytes(&ty[k]);
        return ox == oy && same_layout(&tx[x->tensor], &ty[y->tensor]);
    }
    if (nx != ny) return 0;
    for (size_t k = 0; k < nx; k++)
        if (strcmp(tx[k].name, ty[k].name) || !same_layout(&tx[k], &ty[k])) return 0;
    return 1;
}

static void where_text(const xa_bmodel *m, const xa_bmrt_where *w, char *buf, size_t size) {
    snprintf(buf, size, "net '%s' stage %zu %s", m->nets[w->net].name, w->stage,
             w->outputs ? "outputs" : "inputs");
}

/* The side a file name implies: the runtime writes input_ref_data.dat.bmrt and
 * output_ref_data.dat.bmrt (bmruntime.cpp, BMRT_SAVE_IO_TENSORS); -1 for any other name. */
static int side_from_name(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (!strncmp(base, "input_ref_data", 14)) return 0;
    if (!strncmp(base, "output_ref_data", 15)) return 1;
    return -1;
}

enum { MAX_LISTED = 6 }; /* candidates named in one message */

/* Choose the (net, stage, side) a file of `fsize` bytes was dumped from. */
static xa_status bmrt_choose(const char *path, const xa_bmodel *m, const char *net, int stage,
                             int outputs, const char *name, size_t fsize, xa_bmrt_where *pick,
                             xa_error *err) {
    size_t n0 = 0, n1 = m->nnets;
    if (net) {
        for (n0 = 0; n0 < m->nnets && strcmp(m->nets[n0].name, net); n0++) continue;
        if (n0 == m->nnets) {
            char names[256] = "";
            for (size_t i = 0; i < m->nnets && i < 16; i++)
                xa_msg_append(names, sizeof names, "%s'%s'", i ? ", " : "", m->nets[i].name);
            return xa_fail(err, XA_ENOTFOUND, "%s: no net '%s' in the bmodel (nets: %s%s)", path,
                           net, names, m->nnets > 16 ? ", ..." : "");
        }
        n1 = n0 + 1;
        if (stage >= 0 && (size_t)stage >= m->nets[n0].nstages)
            return xa_fail(err, XA_EINVAL, "%s: net '%s' has %zu stage%s, no stage %d", path, net,
                           m->nets[n0].nstages, m->nets[n0].nstages == 1 ? "" : "s", stage);
    }
    if (outputs < 0) outputs = side_from_name(path);
    int d0 = outputs < 0 ? 0 : outputs, d1 = outputs < 0 ? 1 : outputs;
    size_t nfit = 0, nsized = 0, nnamed = 0;
    xa_bmrt_where fit = {0, 0, 0, -1};
    char sizes[320] = "", unsized[320] = "", other[200] = "", known[256] = "";
    for (size_t ni = n0; ni < n1; ni++) {
        const xa_bmodel_net *nt = &m->nets[ni];
        for (size_t si = 0; si < nt->nstages; si++) {
            if (stage >= 0 && si != (size_t)stage) continue;
            for (int d = d0; d <= d1; d++) {
                xa_bmrt_where w = {ni, si, d, -1};
                char wt[200];
                where_text(m, &w, wt, sizeof wt);
                if (name && (w.tensor = find_tensor(&nt->stages[si], d, name)) < 0) {
                    size_t nn;
                    const xa_bmodel_tensor *tt = side_tensors(&nt->stages[si], d, &nn);
                    for (size_t k = 0; k < nn && strlen(known) < 200; k++)
                        if (!strstr(known, tt[k].name))
                            xa_msg_append(known, sizeof known, "%s'%s'", known[0] ? ", " : "",
                                          tt[k].name);
                    continue;
                }
                nnamed++;
                size_t bad = 0;
                int64_t total = side_nbytes(&nt->stages[si], d, &bad);
                if (total < 0) {
                    size_t nt_n;
                    const xa_bmodel_tensor *bt = side_tensors(&nt->stages[si], d, &nt_n);
                    const char *dn = xa_bmodel_dtype_name(bt[bad].bm_dtype);
                    if (!unsized[0])
                        xa_msg_append(unsized, sizeof unsized,
                                      "%s: tensor '%s' (%s%s) has no byte size "
                                      "xalign can split by",
                                      wt, bt[bad].name, dn ? dn : "unknown dtype",
                                      bt[bad].nshapes ? "" : ", no shape");
                    continue;
                }
                if (nsized++ < MAX_LISTED)
                    xa_msg_append(sizes, sizeof sizes, "%s%s need %lld", nsized > 1 ? ", " : "", wt,
                                  (long long)total);
                if ((uint64_t)total != fsize) continue;
                if (nfit++ == 0) {
                    fit = w;
                } else if (!same_split(m, &fit, &w) && !other[0]) {
                    xa_msg_append(other, sizeof other, "%s", wt);
                }
            }
        }
    }
    if (nfit && !other[0]) {
        *pick = fit;
        return XA_OK;
    }
    if (nfit) {
        char ft[200];
        where_text(m, &fit, ft, sizeof ft);
        return xa_fail(
            err, XA_EINVAL,
            "%s: %zu bytes fit %s and %s, which split it differently; "
            "name the net and stage (--net, --stage), and for inputs vs outputs name the file "
            "input_ref_data*.bmrt or output_ref_data*.bmrt as libsophon does",
            path, fsize, ft, other);
    }
    if (name && !nnamed)
        return xa_fail(err, XA_ENOTFOUND, "%s: no tensor '%s' in the %s of %s%s%s (names: %s)",
                       path, name,
                       d0 != d1 ? "inputs or outputs"
                       : d0     ? "outputs"
                                : "inputs",
                       net ? "net " : "the bmodel", net ? net : "",
                       stage >= 0 ? " at that stage" : "", known[0] ? known : "none");
    if (!nsized && unsized[0]) return xa_fail(err, XA_EUNSUPPORTED, "%s: %s", path, unsized);
    if (!nsized && stage >= 0)
        return xa_fail(err, XA_EINVAL, "%s: no net of the bmodel has a stage %d", path, stage);
    if (!nsized)
        return xa_fail(err, XA_ENOTFOUND, "%s: the bmodel has no stage to split it by", path);
    return xa_fail(err, XA_ESHAPE, "%s: the file has %zu bytes, but %s%s%s%s", path, fsize, sizes,
                   nsized > MAX_LISTED ? ", ..." : "", unsized[0] ? "; " : "", unsized);
}

static xa_status bmrt_split(const char *path, const xa_bmodel *m, const char *net, int stage,
                            int outputs, const char *name, const xa_limits *lim,
                            xa_tensor_list *out, xa_bmrt_where *where, xa_error *err) {
    memset(out, 0, sizeof *out);
    if (!m) return xa_fail(err, XA_EINVAL, "%s: no bmodel given", path);
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    xa_bmrt_where w;
    st = bmrt_choose(path, m, net, stage, outputs, name, f.size, &w, err);
    size_t n = 0;
    const xa_bmodel_tensor *t = NULL;
    if (!st) t = side_tensors(&m->nets[w.net].stages[w.stage], w.outputs, &n);
    xa_dtype *dts = calloc(n ? n : 1, sizeof *dts);
    int *ranks = calloc(n ? n : 1, sizeof *ranks);
    int64_t(*shapes)[XA_MAX_RANK] = calloc(n ? n : 1, sizeof *shapes);
    const char **names = calloc(n ? n : 1, sizeof *names);
    if (!st && (!dts || !ranks || !shapes || !names)) st = xa_fail(err, XA_ENOMEM, "out of memory");
    if (!st) {
        for (size_t k = 0; k < n; k++) {
            dts[k] = t[k].dtype;
            ranks[k] = t[k].rank;
            memcpy(shapes[k], t[k].shape, sizeof shapes[k]);
            names[k] = t[k].name;
        }
        char what[256];
        where_text(m, &w, what, sizeof what);
        st = xa_raw_split(&f, path, n, dts, ranks, (const int64_t(*)[XA_MAX_RANK])shapes, names,
                          what, lim, out, err);
    }
    if (!st && w.tensor >= 0) { /* keep the named tensor only */
        size_t k = (size_t)w.tensor;
        for (size_t i = 0; i < out->count; i++) {
            if (i == k) continue;
            xa_tensor_free(out->tensors[i]);
            free(out->names[i]);
        }
        out->tensors[0] = out->tensors[k];
        out->names[0] = out->names[k];
        out->count = 1;
    }
    free(dts);
    free(ranks);
    free(shapes);
    free(names);
    xa_file_close(&f);
    if (!st && where) *where = w;
    return st;
}

xa_status xa_bmrt_load(const char *path, const xa_bmodel *m, const char *net, int stage,
                       int outputs, xa_tensor_list *out, xa_bmrt_where *where, xa_error *err) {
    return bmrt_split(path, m, net, stage, outputs, NULL, NULL, out, where, err);
}

xa_status xa_bmrt_load_spec(const char *spec, const xa_bmodel *m, const char *net, int stage,
                            xa_tensor_list *out, xa_bmrt_where *where, xa_error *err) {
    return xa_bmrt_load_spec_ex(spec, m, net, stage, NULL, out, where, err);
}

xa_status xa_bmrt_load_spec_ex(const char *spec, const xa_bmodel *m, const char *net, int stage,
                               const xa_load_options *o, xa_tensor_list *out, xa_bmrt_where *where,
                               xa_error *err) {
    memset(out, 0, sizeof *out);
    if (where) *where = (xa_bmrt_where){SIZE_MAX, SIZE_MAX, -1, -1};
    xa_spec s;
    xa_status st = xa_spec_parse_ex(spec, o, &s, err);
    if (st) return st;
    /* Only a dump without a dtype in the spec is the bmodel's to split; anything else (and a
     * missing file, for its message) is an ordinary spec. */
    if (!s.dtype && xa_sniff_path(s.path) == XA_KIND_UNKNOWN && m) {
        if (!xa_check_regular(s.path, NULL, NULL)) {
            st =
                bmrt_split(s.path, m, net, stage, -1, s.member, xa_load_limits(o), out, where, err);
            xa_spec_clear(&s);
            return st;
        }
    }
    xa_spec_clear(&s);
    return xa_load_all_ex(spec, o, out, err);
}
