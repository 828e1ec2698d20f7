/* Text and JSON for whole-model comparisons (xalign compare on multi-member files) and for the
 * member listing of `xalign info`. */
#include "report_internal.h"
#include "xalign/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static xa_tensor shape_shell(const xa_member_info *in) {
    xa_tensor t;
    memset(&t, 0, sizeof t);
    t.dtype = in->dtype;
    t.rank = in->rank;
    memcpy(t.shape, in->shape, sizeof t.shape);
    return t;
}

static int same_shape(const xa_member_info *a, const xa_member_info *b) {
    return a->rank == b->rank && !memcmp(a->shape, b->shape, (size_t)a->rank * sizeof a->shape[0]);
}

/* "float32 [1, 64, 56, 56]", "float16/float32 [8]", "float32 [12] vs [3, 4]" */
static void type_text(const xa_member_result *m, char *buf, size_t size) {
    char s1[200], s2[200];
    const xa_member_info *r = &m->ref, *p = &m->port;
    int have_r = m->ref_index >= 0, have_p = m->port_index >= 0;
    if (!have_r) r = p;
    if (!have_p) p = r;
    xa_shape_format(r->rank, r->shape, s1, sizeof s1);
    xa_shape_format(p->rank, p->shape, s2, sizeof s2);
    if (r->dtype && p->dtype && r->dtype != p->dtype)
        snprintf(buf, size, "%s/%s %s", xa_dtype_name(r->dtype), xa_dtype_name(p->dtype), s1);
    else
        snprintf(buf, size, "%s %s", r->dtype ? xa_dtype_name(r->dtype) : "?", s1);
    if (!same_shape(r, p)) snprintf(buf + strlen(buf), size - strlen(buf), " vs %s", s2);
}

static const char *status_word(xa_member_status s) {
    switch (s) {
    case XA_MEMBER_ALIGNED:
        return "aligned";
    case XA_MEMBER_UNALIGNED:
        return "UNALIGNED";
    case XA_MEMBER_SHAPE_MISMATCH:
        return "SHAPE";
    case XA_MEMBER_ONLY_REF:
        return "only-ref";
    case XA_MEMBER_ONLY_PORT:
        return "only-port";
    case XA_MEMBER_ERROR:
        return "ERROR";
    }
    return "?";
}

/* Names of the members of one side, by their index in that side's file. */
static const char *ref_name_of(const xa_members_report *r, long i) {
    for (size_t k = 0; k < r->count; k++)
        if (r->members[k].ref_index == i) return r->members[k].name;
    return "?";
}
static const char *port_name_of(const xa_members_report *r, long j) {
    for (size_t k = 0; k < r->count; k++) {
        const xa_member_result *m = &r->members[k];
        if (m->port_index == j) return m->port_name ? m->port_name : m->name;
    }
    return "?";
}

static void member_line(xa_sb *sb, const xa_member_result *m, int width, int twidth) {
    char tt[480], a[40], b[40], c[40];
    type_text(m, tt, sizeof tt);
    xa_sb_printf(sb, "%-9s %-*s  %-*s", status_word(m->status), width, m->name, twidth, tt);
    if (m->port_name && strcmp(m->port_name, m->name))
        xa_sb_printf(sb, " <- port '%s'", m->port_name);
    switch (m->status) {
    case XA_MEMBER_ONLY_REF:
        xa_sb_printf(sb, "  only in the reference\n");
        return;
    case XA_MEMBER_ONLY_PORT:
        xa_sb_printf(sb, "  only in the port\n");
        return;
    case XA_MEMBER_ERROR:
        xa_sb_printf(sb, "  error: %s\n", m->error ? m->error : "?");
        return;
    default:
        break;
    }
    if (!m->has_cmp) { /* shape mismatch without a comparison */
        xa_sb_printf(sb, "  element counts differ (%lld vs %lld)\n",
                     (long long)xa_shape_count(m->ref.rank, m->ref.shape),
                     (long long)xa_shape_count(m->port.rank, m->port.shape));
        return;
    }
    const xa_metrics *mt = &m->cmp.total;
    char vt[512];
    xa_decisive_text(mt, &m->cmp.tol, m->cmp.failed, vt, sizeof vt);
    if (m->status == XA_MEMBER_SHAPE_MISMATCH)
        xa_sb_printf(sb, "  shapes differ; in storage order: %s", vt);
    else
        xa_sb_printf(sb, "  %s", vt);
    /* the three headline metrics, except those the verdict already gave */
    unsigned shown = m->cmp.failed ? m->cmp.failed : m->cmp.tol.active;
    const char *sep = "  (";
    if (!(shown & XA_TOL_MAX_ABS)) {
        xa_sb_printf(sb, "%smax_abs %s", sep, xa_fmt_num(mt->max_abs, 6, a, sizeof a));
        sep = ", ";
    }
    if (!(shown & XA_TOL_COSINE)) {
        xa_sb_printf(sb, "%scosine %s", sep, xa_fmt_num(mt->cosine, 6, b, sizeof b));
        sep = ", ";
    }
    if (!(shown & XA_TOL_EUCLID))
        xa_sb_printf(sb, "%seuclid_sim %s", sep, xa_fmt_num(mt->euclid_sim, 6, c, sizeof c));
    xa_sb_printf(sb, ")");
    xa_sb_printf(sb, " [%s]", m->rule.what);
    if (m->reshaped)
        xa_sb_printf(sb, " [%s raw without a shape: read in the %s's shape]",
                     m->reshaped == 1 ? "port" : "ref", m->reshaped == 1 ? "reference" : "port");
    if (m->viewed)
        xa_sb_printf(
            sb, " [uint16 read as %s]",
            xa_dtype_name(m->ref.dtype == XA_BF16 || m->port.dtype == XA_BF16 ? XA_BF16 : XA_F16));
    if (m->ref.has_scale || m->port.has_scale)
        xa_sb_printf(sb, " [dequantised: scale %g]",
                     m->ref.has_scale ? m->ref.scale : m->port.scale);
    xa_perm_list_text(sb, m->nperms, m->perms, m->perm_aligned, m->perm_max_abs);
    xa_sb_printf(sb, "\n");
}

char *xa_report_members_text(const xa_members_report *r, const char *ref_label,
                             const char *port_label) {
    xa_sb sb = {0};
    size_t nref = 0, nport = 0;
    int width = 8, twidth = 8;
    for (size_t i = 0; i < r->count; i++) {
        const xa_member_result *m = &r->members[i];
        char tt[480];
        nref += m->ref_index >= 0;
        nport += m->port_index >= 0;
        int w = (int)strlen(m->name);
        if (w > width) width = w < 48 ? w : 48;
        type_text(m, tt, sizeof tt);
        w = (int)strlen(tt);
        if (w > twidth) twidth = w < 36 ? w : 36;
    }
    xa_sb_printf(&sb, "ref : %s (%zu member%s)\n", ref_label, nref, nref == 1 ? "" : "s");
    xa_sb_printf(&sb, "port: %s (%zu member%s), paired by %s\n", port_label, nport,
                 nport == 1 ? "" : "s", r->by_position ? "position" : "name");
    for (size_t i = 0; i < r->count; i++) member_line(&sb, &r->members[i], width, twidth);
    xa_sb_printf(&sb, "%zu/%zu aligned", r->aligned, r->compared);
    if (r->first_unaligned >= 0) {
        const xa_member_result *f = &r->members[r->first_unaligned];
        xa_sb_printf(&sb, "; first unaligned: %s", f->name);
        if (f->status == XA_MEMBER_ERROR) /* not compared: it could not be read */
            xa_sb_printf(&sb, " (error: %s)", f->error ? f->error : "?");
    }
    if (r->errors)
        xa_sb_printf(&sb, "; %zu member%s could not be read", r->errors, r->errors == 1 ? "" : "s");
    xa_sb_printf(&sb, "\n");
    if (r->only_ref || r->only_port) {
        xa_sb_printf(&sb, "%zu member%s only in the reference, %zu only in the port", r->only_ref,
                     r->only_ref == 1 ? "" : "s", r->only_port);
        if (!r->by_position && !r->named_map)
            xa_sb_printf(&sb, " (paired by name: --map FILE or --rename s/REGEX/REPL/ pair "
                              "differently named members, --by-position pairs them in order)");
        else if (!r->by_position && !r->nnotes)
            xa_sb_printf(&sb, " (paired by name through the given --map/--rename)");
        xa_sb_printf(&sb, "\n");
    }
    for (size_t i = 0; i < r->nnotes; i++) xa_sb_printf(&sb, "map note: %s\n", r->notes[i]);
    if (r->has_pairing) {
        const xa_pairing *p = &r->pairing;
        xa_sb_printf(&sb,
                     "the port's members align in another order (%zu/%zu aligned):", p->naligned,
                     p->nref);
        for (size_t i = 0; i < p->nref; i++) {
            xa_sb_printf(&sb, "%s %s <- ", i ? "," : "", ref_name_of(r, (long)i));
            if (p->port_of[i] >= 0)
                xa_sb_printf(&sb, "%s", port_name_of(r, p->port_of[i]));
            else
                xa_sb_printf(&sb, "(none)");
        }
        xa_sb_printf(&sb, "\n");
    }
    return xa_sb_take(&sb);
}

static json_t *jinfo(const xa_member_info *in) {
    json_t *o = json_object();
    json_object_set_new(o, "dtype", json_string(in->dtype ? xa_dtype_name(in->dtype) : ""));
    json_object_set_new(o, "shape", xa_jshape(in->rank, in->shape));
    if (in->has_scale) {
        json_object_set_new(o, "scale", xa_jnum(in->scale));
        json_object_set_new(o, "zero_point", json_integer(in->zero_point));
    }
    return o;
}

char *xa_report_members_json(const xa_members_report *r, const char *ref_label,
                             const char *port_label) {
    json_t *o = xa_jobject("xalign.compare-members/1");
    json_object_set_new(o, "ref", json_string(ref_label));
    json_object_set_new(o, "port", json_string(port_label));
    json_object_set_new(o, "paired_by", json_string(r->by_position ? "position" : "name"));
    json_t *ms = json_array();
    for (size_t i = 0; i < r->count; i++) {
        const xa_member_result *m = &r->members[i];
        json_t *e = json_object();
        json_object_set_new(e, "name", json_string(m->name));
        json_object_set_new(e, "port_name", m->port_name ? json_string(m->port_name) : json_null());
        json_object_set_new(e, "status", json_string(xa_member_status_name(m->status)));
        json_object_set_new(e, "aligned", json_boolean(m->status == XA_MEMBER_ALIGNED));
        json_object_set_new(e, "ref", m->ref_index >= 0 ? jinfo(&m->ref) : json_null());
        json_object_set_new(e, "port", m->port_index >= 0 ? jinfo(&m->port) : json_null());
        json_object_set_new(e, "reshaped",
                            m->reshaped == 1   ? json_string("port")
                            : m->reshaped == 2 ? json_string("ref")
                                               : json_null());
        if (m->has_cmp) {
            xa_tensor sh = shape_shell(&m->ref);
            xa_jverdict(e, &m->cmp, &sh);
            json_object_set_new(e, "rule", xa_jrule(&m->rule));
        } else {
            json_object_set_new(e, "metrics", json_null());
        }
        if (m->nperms)
            json_object_set_new(
                e, "permutations",
                xa_jperms_max_abs(m->nperms, m->perms, m->perm_aligned, m->perm_max_abs));
        if (m->error) json_object_set_new(e, "error", json_string(m->error));
        json_array_append_new(ms, e);
    }
    json_object_set_new(o, "members", ms);
    json_object_set_new(o, "first_unaligned",
                        r->first_unaligned >= 0 ? json_string(r->members[r->first_unaligned].name)
                                                : json_null());
    const xa_member_result *fu = r->first_unaligned >= 0 ? &r->members[r->first_unaligned] : NULL;
    json_object_set_new(o, "first_unaligned_error",
                        fu && fu->status == XA_MEMBER_ERROR
                            ? json_string(fu->error ? fu->error : "?")
                            : json_null());
    json_t *sum = json_object();
    json_object_set_new(sum, "compared", json_integer((json_int_t)r->compared));
    json_object_set_new(sum, "aligned", json_integer((json_int_t)r->aligned));
    json_object_set_new(sum, "unaligned", json_integer((json_int_t)r->unaligned));
    json_object_set_new(sum, "shape_mismatch", json_integer((json_int_t)r->shape_mismatch));
    json_object_set_new(sum, "only_ref", json_integer((json_int_t)r->only_ref));
    json_object_set_new(sum, "only_port", json_integer((json_int_t)r->only_port));
    json_object_set_new(sum, "errors", json_integer((json_int_t)r->errors));
    json_object_set_new(o, "summary", sum);
    json_t *notes = json_array();
    for (size_t i = 0; i < r->nnotes; i++) json_array_append_new(notes, json_string(r->notes[i]));
    json_object_set_new(o, "map_notes", notes);
    if (r->has_pairing) {
        const xa_pairing *p = &r->pairing;
        json_t *po = json_object(), *pairs = json_array();
        for (size_t i = 0; i < p->nref; i++) {
            json_t *q = json_object();
            json_object_set_new(q, "ref", json_string(ref_name_of(r, (long)i)));
            json_object_set_new(q, "port",
                                p->port_of[i] >= 0 ? json_string(port_name_of(r, p->port_of[i]))
                                                   : json_null());
            json_object_set_new(q, "aligned", json_boolean(p->aligned[i]));
            json_array_append_new(pairs, q);
        }
        json_object_set_new(po, "aligned", json_integer((json_int_t)p->naligned));
        json_object_set_new(po, "pairs", pairs);
        json_object_set_new(o, "pairing", po);
    } else {
        json_object_set_new(o, "pairing", json_null());
    }
    json_object_set_new(o, "aligned", json_boolean(xa_members_all_aligned(r)));
    return xa_jdump(o);
}

/* ---- info: the members of a multi-member file ---------------------------------------------- */
static const char *kind_name(xa_multi_kind k) {
    return k == XA_MULTI_NPZ          ? "npz"
           : k == XA_MULTI_DIR        ? "folder of .npy"
           : k == XA_MULTI_POLYGRAPHY ? "Polygraphy JSON"
                                      : "tensors";
}

static void bytes_text(uint64_t n, char *buf, size_t size) {
    if (n >= (uint64_t)1 << 30)
        snprintf(buf, size, "%.2f GiB", (double)n / (double)((uint64_t)1 << 30));
    else if (n >= (uint64_t)1 << 20)
        snprintf(buf, size, "%.2f MiB", (double)n / (double)((uint64_t)1 << 20));
    else
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
}

char *xa_report_listing_text(const char *spec, xa_multi_kind kind, size_t n,
                             const xa_listing_entry *e) {
    xa_sb sb = {0};
    uint64_t data = 0, stored = 0, elems = 0;
    size_t compressed = 0, per_dtype[XA_DTYPE_COUNT] = {0};
    int width = 8;
    for (size_t i = 0; i < n; i++) {
        int w = (int)strlen(e[i].name);
        if (w > width) width = w < 48 ? w : 48;
    }
    xa_sb_printf(&sb, "%s: %s, %zu member%s\n", spec, kind_name(kind), n, n == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        const xa_member_info *in = &e[i].info;
        char s[200], b[40], x[40], y[40], z[40];
        int64_t cnt = xa_shape_count(in->rank, in->shape);
        xa_sb_printf(&sb, "  %-*s  %-8s %-20s %10llu bytes%s", width, e[i].name,
                     xa_dtype_name(in->dtype), xa_shape_format(in->rank, in->shape, s, sizeof s),
                     (unsigned long long)in->nbytes, in->compressed ? " (deflated)" : "");
        if (e[i].stats) {
            const xa_stats *st = e[i].stats;
            if (st->finite)
                xa_sb_printf(&sb, "  min %s max %s mean %s", xa_fmt_num(st->min, 7, x, sizeof x),
                             xa_fmt_num(st->max, 7, y, sizeof y),
                             xa_fmt_num(st->mean, 7, z, sizeof z));
            else
                xa_sb_printf(&sb, "  no finite values");
            if (st->nan || st->inf)
                xa_sb_printf(&sb, "  NaN %lld Inf %lld", (long long)st->nan, (long long)st->inf);
        }
        (void)b;
        xa_sb_printf(&sb, "\n");
        data += in->nbytes;
        stored += in->stored_bytes;
        elems += cnt > 0 ? (uint64_t)cnt : 0;
        compressed += (size_t)in->compressed;
        if (in->dtype > 0 && in->dtype < XA_DTYPE_COUNT) per_dtype[in->dtype]++;
    }
    char d1[40], d2[40];
    bytes_text(data, d1, sizeof d1);
    bytes_text(stored, d2, sizeof d2);
    xa_sb_printf(&sb, "total: %zu member%s, %llu elements, %s of data", n, n == 1 ? "" : "s",
                 (unsigned long long)elems, d1);
    if (kind == XA_MULTI_NPZ || kind == XA_MULTI_POLYGRAPHY)
        xa_sb_printf(&sb, " (%s as stored in its members, zip headers not counted%s)", d2,
                     kind == XA_MULTI_POLYGRAPHY ? ", base64"
                     : compressed                ? ", some deflated"
                                                 : "");
    int first = 1;
    for (int d = 1; d < XA_DTYPE_COUNT; d++)
        if (per_dtype[d]) {
            xa_sb_printf(&sb, "%s%s %zu", first ? "; " : ", ", xa_dtype_name((xa_dtype)d),
                         per_dtype[d]);
            first = 0;
        }
    xa_sb_printf(&sb, "\n");
    return xa_sb_take(&sb);
}

char *xa_report_listing_json(const char *spec, size_t i, const xa_listing_entry *e) {
    const xa_member_info *in = &e->info;
    json_t *o = json_object();
    size_t need = strlen(spec) + strlen(e->name) + 2;
    char *full = malloc(need);
    if (full) snprintf(full, need, "%s#%s", spec, e->name);
    json_object_set_new(o, "spec", json_string(full ? full : spec));
    free(full);
    json_object_set_new(o, "member", json_string(e->name));
    json_object_set_new(o, "index", json_integer((json_int_t)i));
    json_object_set_new(o, "dtype", json_string(xa_dtype_name(in->dtype)));
    json_object_set_new(o, "shape", xa_jshape(in->rank, in->shape));
    json_object_set_new(o, "order", json_string(in->fortran_order ? "F" : "C"));
    json_object_set_new(o, "byte_order", json_string(in->swapped ? "swapped" : "native"));
    json_object_set_new(o, "count", json_integer(xa_shape_count(in->rank, in->shape)));
    json_object_set_new(o, "nbytes", json_integer((json_int_t)in->nbytes));
    json_object_set_new(o, "stored_bytes", json_integer((json_int_t)in->stored_bytes));
    json_object_set_new(o, "compressed", json_boolean(in->compressed));
    if (e->stats) xa_jstats(o, e->stats);
    return xa_jdump(o);
}
