/* Multi-member files (include/xalign/io.h "files of several tensors"): .npz archives, folders
 * of .npy files, Polygraphy JSON, and anything a spec loads, behind one member-by-member API.
 * Nothing is read until a member is asked for, so a pass over a big file holds one member. */
#include "io_internal.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct xa_multi {
    xa_multi_kind kind;
    char *path;
    size_t count;
    char **names;   /* count names (owned except for NPZ, whose listing holds them) */
    size_t *sorted; /* member indices sorted by name, for xa_multi_find */
    /* XA_MULTI_LIST */
    xa_tensor_list list;
    xa_member_info *linfo; /* shapeless / scale flags of each listed tensor */
    /* XA_MULTI_NPZ */
    xa_npz *npz;
    /* XA_MULTI_DIR */
    char **files;
    int numbered; /* every file NN_name.npy, the names unique without NN_ */
    /* XA_MULTI_POLYGRAPHY */
    xa_backing *file;
    xa_pg_index pg;
};

void xa_multi_free(xa_multi *m) {
    if (!m) return;
    if (m->kind != XA_MULTI_NPZ && m->names && m->kind != XA_MULTI_LIST)
        for (size_t i = 0; i < m->count; i++) free(m->names[i]);
    if (m->kind != XA_MULTI_LIST) free(m->names); /* LIST names are the list's own */
    free(m->sorted);
    xa_tensor_list_clear(&m->list);
    free(m->linfo);
    xa_npz_free(m->npz);
    if (m->files)
        for (size_t i = 0; i < m->count; i++) free(m->files[i]);
    free(m->files);
    xa_backing_unref(m->file);
    xa_pg_index_clear(&m->pg);
    free(m->path);
    free(m);
}

xa_multi_kind xa_multi_get_kind(const xa_multi *m) {
    return m->kind;
}
const char *xa_multi_path(const xa_multi *m) {
    return m ? m->path : NULL;
}
size_t xa_multi_count(const xa_multi *m) {
    return m ? m->count : 0;
}
const char *xa_multi_name(const xa_multi *m, size_t i) {
    return m && i < m->count ? m->names[i] : NULL;
}

typedef struct {
    const char *name;
    size_t index;
} named;
static int by_name(const void *a, const void *b) {
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : x->index < y->index ? -1 : x->index > y->index;
}

static xa_status build_index(xa_multi *m, xa_error *err) {
    named *tmp = malloc((m->count ? m->count : 1) * sizeof *tmp);
    m->sorted = malloc((m->count ? m->count : 1) * sizeof *m->sorted);
    if (!tmp || !m->sorted) {
        free(tmp);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < m->count; i++) tmp[i] = (named){m->names[i], i};
    qsort(tmp, m->count, sizeof *tmp, by_name);
    for (size_t i = 0; i < m->count; i++) m->sorted[i] = tmp[i].index;
    free(tmp);
    return XA_OK;
}

long xa_multi_find(const xa_multi *m, const char *name) {
    if (!m || !name) return -1;
    size_t lo = 0, hi = m->count;
    while (lo < hi) { /* the first of equal names: the first in file order */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(m->names[m->sorted[mid]], name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->count && !strcmp(m->names[m->sorted[lo]], name) ? (long)m->sorted[lo] : -1;
}

/* ---- opening -------------------------------------------------------------------------------- */
static int ends_with(const char *s, const char *suf) {
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}
static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static xa_status open_dir(xa_multi *m, const char *path, xa_error *err) {
    DIR *d = opendir(path);
    if (!d) return xa_fail(err, XA_EIO, "%s: cannot open folder: %s", path, strerror(errno));
    size_t cap = 0;
    xa_status st = XA_OK;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!ends_with(e->d_name, ".npy") || strlen(e->d_name) == 4) continue;
        if (strlen(e->d_name) > XA_NPZ_MAX_NAME) {
            st = xa_fail(err, XA_ELIMIT, "%s: a file name of %zu bytes exceeds the limit of %d",
                         path, strlen(e->d_name), XA_NPZ_MAX_NAME);
            break;
        }
        if (m->count >= XA_DIR_MAX_FILES) {
            st = xa_fail(err, XA_ELIMIT, "%s: more than %d .npy files", path, XA_DIR_MAX_FILES);
            break;
        }
        size_t need = strlen(path) + strlen(e->d_name) + 2;
        char *full = malloc(need);
        if (!full) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            break;
        }
        snprintf(full, need, "%s/%s", path, e->d_name);
        struct stat sb;
        if (stat(full, &sb) != 0 || !S_ISREG(sb.st_mode)) {
            free(full);
            continue;
        }
        if (m->count == cap) {
            cap = cap ? cap * 2 : 64;
            char **nf = realloc(m->files, cap * sizeof *nf);
            if (!nf) {
                free(full);
                st = xa_fail(err, XA_ENOMEM, "out of memory");
                break;
            }
            m->files = nf;
        }
        m->files[m->count++] = full;
    }
    closedir(d);
    if (st) return st;
    if (m->count == 0)
        return xa_fail(err, XA_ENOTFOUND, "%s: is a directory without .npy files", path);
    qsort(m->files, m->count, sizeof *m->files, cmp_str); /* by file name: same folder prefix */
    m->names = calloc(m->count ? m->count : 1, sizeof *m->names);
    if (!m->names) return xa_fail(err, XA_ENOMEM, "out of memory");
    size_t skip = strlen(path) + 1;
    for (size_t i = 0; i < m->count; i++) {
        size_t n = strlen(m->files[i]) - skip - 4;
        m->names[i] = malloc(n + 1);
        if (!m->names[i]) return xa_fail(err, XA_ENOMEM, "out of memory");
        memcpy(m->names[i], m->files[i] + skip, n);
        m->names[i][n] = 0;
    }
    /* a folder of stage dumps (every file NN_name.npy, the names unique without their NN_):
     * noted here; xa_multi_drop_numbering names both sides' members without it when both are */
    char **rest = calloc(m->count, sizeof *rest);
    if (!rest) return xa_fail(err, XA_ENOMEM, "out of memory");
    int numbered = 1;
    for (size_t i = 0; i < m->count && numbered; i++) {
        char *s = m->names[i];
        size_t k = 0;
        while (s[k] >= '0' && s[k] <= '9') k++;
        numbered = k > 0 && s[k] == '_' && s[k + 1];
        rest[i] = s + k + 1;
    }
    if (numbered) { /* unique once cut: sorted, no two neighbours equal */
        qsort(rest, m->count, sizeof *rest, cmp_str);
        for (size_t i = 1; i < m->count && numbered; i++) numbered = strcmp(rest[i - 1], rest[i]);
    }
    free(rest);
    m->numbered = numbered;
    return XA_OK;
}

static xa_status open_polygraphy(xa_multi *m, xa_backing *bk, xa_error *err) {
    m->file = bk;
    xa_backing_ref(bk);
    xa_status st = xa_polygraphy_index(bk->base, bk->size, &m->pg, err);
    /* the scan read every page of the file; a member's text is read again when it is decoded */
    if (bk->mapped) xa_mapping_release(bk->base, bk->size);
    if (st) return st;
    m->count = m->pg.count;
    m->names = calloc(m->count ? m->count : 1, sizeof *m->names);
    if (!m->names) return xa_fail(err, XA_ENOMEM, "out of memory");
    for (size_t i = 0; i < m->count; i++) {
        m->names[i] = xa_strdup(m->pg.members[i].name);
        if (!m->names[i]) return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    return XA_OK;
}

/* Scale and zero point of a bmodel tensor: quantised when int8/uint8 and not the identity. */
static void bmodel_scale(const xa_bmodel *bm, const xa_bmrt_where *w, const char *name,
                         xa_member_info *info) {
    if (!bm || w->net == SIZE_MAX || w->net >= bm->nnets) return;
    const xa_bmodel_net *net = &bm->nets[w->net];
    if (w->stage >= net->nstages) return;
    const xa_bmodel_stage *s = &net->stages[w->stage];
    const xa_bmodel_tensor *t = w->outputs ? s->outputs : s->inputs;
    size_t n = w->outputs ? s->noutputs : s->ninputs;
    for (size_t k = 0; k < n; k++)
        if (!strcmp(t[k].name, name) && (t[k].dtype == XA_I8 || t[k].dtype == XA_U8) &&
            (t[k].scale != 1.0f || t[k].zero_point != 0)) {
            info->has_scale = 1;
            info->scale = t[k].scale;
            info->zero_point = t[k].zero_point;
        }
}

static xa_status adopt_list(xa_multi *m, xa_error *err) {
    m->count = m->list.count;
    m->names = m->list.names;
    m->linfo = calloc(m->count ? m->count : 1, sizeof *m->linfo);
    return m->linfo ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
}

xa_status xa_multi_open_bmodel(const char *spec, const xa_bmodel *bm, const char *net, int stage,
                               xa_multi **out, xa_error *err) {
    *out = NULL;
    xa_multi *m = calloc(1, sizeof *m);
    if (!m) return xa_fail(err, XA_ENOMEM, "out of memory");
    m->path = xa_strdup(spec);
    if (!m->path) {
        free(m);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    xa_status st = XA_OK;
    struct stat sb;
    xa_spec s;
    memset(&s, 0, sizeof s);
    if (stat(spec, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        m->kind = XA_MULTI_DIR;
        st = open_dir(m, spec, err);
        goto done;
    }
    st = xa_spec_parse(spec, &s, err);
    if (st) goto done;
    xa_file_kind kind = xa_sniff_path(s.path);
    if (!s.dtype && !s.member && kind == XA_KIND_NPZ) {
        m->kind = XA_MULTI_NPZ;
        st = xa_npz_open(s.path, &m->npz, err);
        if (st) goto done;
        m->count = xa_npz_count(m->npz);
        m->names = calloc(m->count ? m->count : 1, sizeof *m->names);
        if (!m->names) {
            st = xa_fail(err, XA_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < m->count; i++) m->names[i] = (char *)xa_npz_name(m->npz, i);
        goto done;
    }
    if (!s.dtype && !s.member && kind == XA_KIND_JSON) {
        m->kind = XA_MULTI_POLYGRAPHY;
        xa_file f;
        st = xa_file_open(s.path, XA_NPY_MAP_THRESHOLD, &f, err);
        if (st) goto done;
        st = open_polygraphy(m, f.backing, err);
        xa_file_close(&f);
        if (st && st != XA_ENOMEM) xa_error_prefix(err, s.path);
        goto done;
    }
    m->kind = XA_MULTI_LIST;
    xa_bmrt_where w = {SIZE_MAX, SIZE_MAX, -1, -1};
    st = bm ? xa_bmrt_load_spec(spec, bm, net, stage, &m->list, &w, err)
            : xa_load_all(spec, &m->list, err);
    if (st) goto done;
    st = adopt_list(m, err);
    if (st) goto done;
    for (size_t i = 0; i < m->count; i++) {
        /* raw bytes without a shape (not an .npy viewed as another dtype) */
        m->linfo[i].shapeless = s.dtype && s.nshapes == 0 && kind != XA_KIND_NPY;
        bmodel_scale(bm, &w, m->names[i], &m->linfo[i]);
    }
done:
    xa_spec_clear(&s);
    if (!st) st = build_index(m, err);
    if (st) {
        xa_multi_free(m);
        return st;
    }
    *out = m;
    return XA_OK;
}

xa_status xa_multi_from_list(xa_tensor_list *l, const char *label, xa_multi **out, xa_error *err) {
    *out = NULL;
    xa_multi *m = calloc(1, sizeof *m);
    if (!m) return xa_fail(err, XA_ENOMEM, "out of memory");
    m->kind = XA_MULTI_LIST;
    m->path = xa_strdup(label ? label : "");
    xa_status st = m->path ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    if (!st) {
        m->list = *l;
        memset(l, 0, sizeof *l);
        st = adopt_list(m, err);
    }
    if (!st) st = build_index(m, err);
    if (st) {
        xa_multi_free(m);
        return st;
    }
    *out = m;
    return XA_OK;
}

xa_status xa_multi_open(const char *spec, xa_multi **out, xa_error *err) {
    return xa_multi_open_bmodel(spec, NULL, NULL, -1, out, err);
}

xa_status xa_polygraphy_open_memory(const void *buf, size_t size, xa_multi **out, xa_error *err) {
    *out = NULL;
    xa_multi *m = calloc(1, sizeof *m);
    if (!m) return xa_fail(err, XA_ENOMEM, "out of memory");
    m->kind = XA_MULTI_POLYGRAPHY;
    m->path = xa_strdup("<memory>");
    xa_backing *bk = xa_backing_heap(size, 0);
    xa_status st = m->path && bk ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    if (!st) {
        if (size) memcpy(bk->base, buf, size);
        st = open_polygraphy(m, bk, err);
    }
    xa_backing_unref(bk);
    if (!st) st = build_index(m, err);
    if (st) {
        xa_multi_free(m);
        return st;
    }
    *out = m;
    return XA_OK;
}

/* ---- members -------------------------------------------------------------------------------- */
static void info_from_tensor(const xa_tensor *t, xa_member_info *info) {
    memset(info, 0, sizeof *info);
    info->dtype = t->dtype;
    info->rank = t->rank;
    memcpy(info->shape, t->shape, sizeof info->shape);
    info->fortran_order = t->fortran_order;
    info->swapped = t->swapped;
    info->nbytes = t->nbytes;
    info->stored_bytes = t->nbytes;
}

/* "PATH/NAME.npy" or "PATH#NAME" for messages about member i. */
static void member_prefix(const xa_multi *m, size_t i, xa_error *err) {
    size_t need = strlen(m->path) + strlen(m->names[i]) + 8;
    char *w = malloc(need);
    if (!w) return;
    if (m->kind == XA_MULTI_DIR)
        snprintf(w, need, "%s", m->files[i]);
    else
        snprintf(w, need, "%s#%s", m->path, m->names[i]);
    xa_error_prefix(err, w);
    free(w);
}

/* The decoded bytes of a Polygraphy member as a tensor: an .npy image, or (old files) an .npz
 * whose first member is the array. */
static xa_status pg_tensor(const xa_multi *m, size_t i, xa_tensor **out, xa_error *err) {
    unsigned char *bytes;
    size_t n;
    const xa_pg_member *pm = &m->pg.members[i];
    xa_status st = xa_pg_decode(m->file->base, pm, 0, &bytes, &n, err);
    if (m->file->mapped)
        xa_mapping_release((const unsigned char *)m->file->base + pm->off, pm->len);
    if (st) return st;
    if (n >= 2 && bytes[0] == 'P' && bytes[1] == 'K') {
        xa_npz *z;
        st = xa_npz_open_memory(bytes, n, &z, err);
        free(bytes);
        if (st) return st;
        if (xa_npz_count(z) == 0)
            st = xa_fail(err, XA_EFORMAT, "an .npz image without members");
        else
            st = xa_npz_load(z, xa_npz_name(z, 0), out, err);
        xa_npz_free(z);
        return st;
    }
    /* the decoded block becomes the tensor's backing: np.save puts the data at a multiple of
     * 64 bytes, so it is served in place */
    xa_backing *bk = xa_backing_heap(n, 0);
    if (!bk) {
        free(bytes);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    if (n) memcpy(bk->base, bytes, n);
    free(bytes);
    st = xa_npy_from_backing(bk, bk->base, n, 0, "array", NULL, out, err);
    xa_backing_unref(bk);
    return st;
}

/* The header of a Polygraphy member, decoding only its first bytes. */
static xa_status pg_info(const xa_multi *m, size_t i, xa_member_info *info, xa_error *err) {
    unsigned char *b;
    size_t n;
    xa_status st = xa_pg_decode(m->file->base, &m->pg.members[i], 12, &b, &n, err);
    if (st) return st;
    size_t need = 0;
    if (n >= 10 && b[0] == 0x93 && b[6] == 1)
        need = 10 + ((size_t)b[8] | (size_t)b[9] << 8);
    else if (n >= 12 && b[0] == 0x93 && (b[6] == 2 || b[6] == 3))
        need = 12 + ((size_t)b[8] | (size_t)b[9] << 8 | (size_t)b[10] << 16 | (size_t)b[11] << 24);
    int npz = n >= 2 && b[0] == 'P' && b[1] == 'K';
    free(b);
    if (npz || !need || need > 12 + (size_t)XA_NPY_MAX_HEADER) { /* let the full read explain */
        xa_tensor *t;
        st = pg_tensor(m, i, &t, err);
        if (st) return st;
        info_from_tensor(t, info);
        xa_tensor_free(t);
    } else {
        st = xa_pg_decode(m->file->base, &m->pg.members[i], need, &b, &n, err);
        if (st) return st;
        xa_tensor h;
        size_t off;
        st = xa_npy_parse_header(b, n, &h, &off, err);
        free(b);
        if (st) return st;
        info_from_tensor(&h, info);
    }
    info->stored_bytes = m->pg.members[i].len;
    return XA_OK;
}

/* The header of an .npy file, reading only its first bytes. */
static xa_status npy_file_info(const char *path, xa_member_info *info, xa_error *err) {
    FILE *fp = xa_fopen_regular(path, err);
    if (!fp) return XA_EIO;
    unsigned char pre[12];
    size_t n = fread(pre, 1, sizeof pre, fp), need = n;
    if (n >= 10 && pre[6] == 1)
        need = 10 + ((size_t)pre[8] | (size_t)pre[9] << 8);
    else if (n >= 12 && (pre[6] == 2 || pre[6] == 3))
        need = 12 + ((size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                     (size_t)pre[11] << 24);
    if (need > 12 + (size_t)XA_NPY_MAX_HEADER) need = 12 + (size_t)XA_NPY_MAX_HEADER + 1;
    if (need < n) need = n;
    unsigned char *b = malloc(need ? need : 1);
    if (!b) {
        fclose(fp);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    memcpy(b, pre, n);
    n += fread(b + n, 1, need - n, fp);
    struct stat sb;
    uint64_t size = fstat(fileno(fp), &sb) == 0 ? (uint64_t)sb.st_size : 0;
    fclose(fp);
    xa_tensor h;
    size_t off;
    xa_status st = xa_npy_parse_header(b, n, &h, &off, err);
    free(b);
    if (st) return st;
    info_from_tensor(&h, info);
    info->stored_bytes = size;
    return XA_OK;
}

xa_status xa_multi_info(xa_multi *m, size_t i, xa_member_info *out, xa_error *err) {
    memset(out, 0, sizeof *out);
    if (!m || i >= m->count) return xa_fail(err, XA_EINVAL, "member index %zu out of range", i);
    xa_status st = XA_OK;
    switch (m->kind) {
    case XA_MULTI_LIST: {
        info_from_tensor(m->list.tensors[i], out);
        const xa_member_info *l = &m->linfo[i];
        out->shapeless = l->shapeless;
        out->has_scale = l->has_scale;
        out->scale = l->scale;
        out->zero_point = l->zero_point;
        return XA_OK;
    }
    case XA_MULTI_NPZ:
        return xa_npz_member_info(m->npz, i, out, err);
    case XA_MULTI_DIR:
        st = npy_file_info(m->files[i], out, err);
        break;
    case XA_MULTI_POLYGRAPHY:
        st = pg_info(m, i, out, err);
        break;
    }
    if (st && st != XA_ENOMEM) member_prefix(m, i, err);
    return st;
}

xa_status xa_multi_load(xa_multi *m, size_t i, xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (!m || i >= m->count) return xa_fail(err, XA_EINVAL, "member index %zu out of range", i);
    xa_status st = XA_OK;
    switch (m->kind) {
    case XA_MULTI_LIST: { /* a second handle on the same data */
        xa_tensor *t = malloc(sizeof *t);
        if (!t) return xa_fail(err, XA_ENOMEM, "out of memory");
        *t = *m->list.tensors[i];
        if (t->backing) xa_backing_ref(t->backing);
        *out = t;
        return XA_OK;
    }
    case XA_MULTI_NPZ:
        return xa_npz_load(m->npz, m->names[i], out, err);
    case XA_MULTI_DIR:
        return xa_npy_load(m->files[i], out, err); /* messages name the file */
    case XA_MULTI_POLYGRAPHY:
        st = pg_tensor(m, i, out, err);
        break;
    }
    if (st && st != XA_ENOMEM) member_prefix(m, i, err);
    return st;
}

xa_status xa_multi_view(xa_multi *m, size_t i, xa_member_view *v, xa_error *err) {
    memset(v, 0, sizeof *v);
    if (!m || i >= m->count) return xa_fail(err, XA_EINVAL, "member index %zu out of range", i);
    xa_status st;
    if (m->kind == XA_MULTI_NPZ) {
        st = xa_npz_member_view(m->npz, i, v, err);
    } else {
        st = xa_multi_load(m, i, &v->owner, err);
        if (!st && m->kind == XA_MULTI_LIST) {
            st = xa_multi_info(m, i, &v->info, err); /* with the list's shapeless/scale flags */
        } else if (!st) {
            info_from_tensor(v->owner, &v->info);
            if (m->kind == XA_MULTI_POLYGRAPHY) v->info.stored_bytes = m->pg.members[i].len;
        }
        if (!st) {
            v->data = v->owner->data;
            v->mapped = v->owner->readonly;
        }
    }
    v->multi = m;
    v->index = i;
    if (st) xa_member_view_clear(v);
    return st;
}

xa_status xa_member_view_verify(const xa_member_view *v, uint32_t data_crc, xa_error *err) {
    if (!v->crc_pending) return XA_OK;
    uint32_t crc = xa_crc32_combine(v->crc_prefix, data_crc, v->info.nbytes);
    crc = xa_crc32_combine(crc, v->crc_suffix, v->suffix_len);
    if (crc == v->crc_expected) return XA_OK;
    const xa_multi *m = v->multi;
    return xa_fail(err, XA_EFORMAT,
                   "%s#%s: CRC-32 mismatch (data %08x, directory %08x): the member is corrupt",
                   m ? m->path : "?", m ? m->names[v->index] : "?", crc, v->crc_expected);
}

void xa_member_view_clear(xa_member_view *v) {
    if (!v) return;
    if (v->mapped && v->data && v->info.nbytes) xa_mapping_release(v->data, v->info.nbytes);
    xa_tensor_free(v->owner);
    memset(v, 0, sizeof *v);
}

int xa_multi_drop_numbering(xa_multi *a, xa_multi *b) {
    if (!a || !b || a->kind != XA_MULTI_DIR || b->kind != XA_MULTI_DIR || !a->numbered ||
        !b->numbered)
        return 0;
    xa_multi *both[2] = {a, b};
    for (int k = 0; k < 2; k++) {
        xa_multi *m = both[k];
        for (size_t i = 0; i < m->count; i++) {
            char *s = m->names[i], *u = strchr(s, '_');
            if (u) memmove(s, u + 1, strlen(u + 1) + 1);
        }
        m->numbered = 0;
        free(m->sorted);
        m->sorted = NULL;
        if (build_index(m, NULL)) return -1;
    }
    return 1;
}
