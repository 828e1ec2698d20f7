/* .npz reader and writer: a zip archive of .npy members (numpy/lib/npyio.py: savez,
 * savez_compressed, NpzFile), on the zip code of zip.c.
 *
 * Reading. Stored members (np.savez) are served from the file mapping without a copy when their
 * data is aligned to the element size (else copied, see xa_npy_from_backing); deflated members
 * (np.savez_compressed) are inflated into their own heap block. The CRC-32 of every member is
 * verified when it is loaded, as zipfile verifies it for np.load (stored members in parallel over
 * the mapping).
 *
 * Names follow NpzFile: a member "a.npy" is listed as "a"; a lookup tries the exact zip name
 * first, then the name with ".npy" added. When several entries share a name (zipfile in append
 * mode writes a second entry rather than replacing), the last one wins, as zipfile's NameToInfo
 * and so np.load decide; the name is listed once. */
#include "io_internal.h"
#include "xalign/io.h"
#include "zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xa_npz {
    xa_backing *backing; /* the whole archive */
    char *label;         /* the path (or "<memory>") for messages */
    xa_zip zip;
    const xa_zip_entry **sorted; /* entries sorted by (name, position) for lookups */
    size_t count;                /* listed members */
    char **shown;                /* listed member -> name as listed */
    char *shown_store;
    xa_limits lim; /* of the options it was opened with */
    int threads;   /* for the CRC-32 checks; 0: xa_threads_get() */
};

/* A 64-bit limit as a size_t count (saturated on 32-bit hosts). */
static size_t clamp_size(uint64_t v) {
    return v > SIZE_MAX ? SIZE_MAX : (size_t)v;
}

/* Names hold no NUL (xa_zip_open refuses them), so this is strcmp's order. */
static int name_cmp(const xa_zip_entry *e, const char *name, size_t n) {
    int c = memcmp(e->name, name, e->name_len < n ? e->name_len : n);
    return c ? c : e->name_len < n ? -1 : e->name_len > n;
}
static int by_name(const void *a, const void *b) {
    const xa_zip_entry *x = *(const xa_zip_entry *const *)a, *y = *(const xa_zip_entry *const *)b;
    int c = name_cmp(x, y->name, y->name_len);
    return c ? c : x < y ? -1 : x > y; /* same name: directory order */
}

/* The sorted range [*lo, *hi) of entries named exactly name[0..n). */
static void name_range(const xa_npz *z, const char *name, size_t n, size_t *lo, size_t *hi) {
    size_t a = 0, b = z->zip.count;
    while (a < b) { /* first entry >= name */
        size_t m = a + (b - a) / 2;
        if (name_cmp(z->sorted[m], name, n) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = a;
    b = z->zip.count;
    while (a < b) { /* first entry > name */
        size_t m = a + (b - a) / 2;
        if (name_cmp(z->sorted[m], name, n) <= 0)
            a = m + 1;
        else
            b = m;
    }
    *hi = a;
}

/* The last entry named exactly name[0..n) (zipfile's NameToInfo keeps the last), or -1. */
static ptrdiff_t find_exact(const xa_npz *z, const char *name, size_t n) {
    size_t lo, hi;
    name_range(z, name, n, &lo, &hi);
    return lo < hi ? z->sorted[hi - 1] - z->zip.entries : -1;
}

static int ends_npy(const char *s, size_t n) {
    return n > 4 && !memcmp(s + n - 4, ".npy", 4);
}
static int is_dir(const xa_zip_entry *e) {
    return e->name[e->name_len - 1] == '/';
}

/* Build the lookup order and the listing. */
static xa_status index_members(xa_npz *z, xa_error *err) {
    size_t n = z->zip.count, names = 0;
    z->sorted = malloc((n ? n : 1) * sizeof *z->sorted);
    z->shown = malloc((n ? n : 1) * sizeof *z->shown);
    for (size_t i = 0; i < n; i++) names += z->zip.entries[i].name_len + 1;
    z->shown_store = malloc(names + 1);
    if (!z->sorted || !z->shown || !z->shown_store) return xa_fail(err, XA_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) z->sorted[i] = &z->zip.entries[i];
    qsort(z->sorted, n, sizeof *z->sorted, by_name);
    char *out = z->shown_store;
    for (size_t i = 0; i < n; i++) {
        const xa_zip_entry *e = &z->zip.entries[i];
        if (is_dir(e)) continue;
        size_t lo, hi;
        name_range(z, e->name, e->name_len, &lo, &hi);
        if (z->sorted[lo] != e) continue; /* a name is listed once, at its first entry */
        size_t len = e->name_len;
        /* "a.npy" shows as "a" unless an entry is literally named "a" (which "a" then loads) */
        if (ends_npy(e->name, len) && find_exact(z, e->name, len - 4) < 0) len -= 4;
        memcpy(out, e->name, len);
        out[len] = 0;
        z->shown[z->count++] = out;
        out += len + 1;
    }
    return XA_OK;
}

static xa_status npz_from_backing(xa_backing *bk, const char *label, const xa_load_options *o,
                                  xa_npz **out, xa_error *err) {
    *out = NULL;
    xa_npz *z = calloc(1, sizeof *z);
    if (!z) return xa_fail(err, XA_ENOMEM, "out of memory");
    z->lim = *xa_load_limits(o);
    z->threads = xa_load_threads(o);
    z->backing = bk;
    xa_backing_ref(bk);
    z->label = xa_strdup(label);
    xa_status st = z->label ? XA_OK : xa_fail(err, XA_ENOMEM, "out of memory");
    if (!st)
        st = xa_zip_open(bk->base, bk->size, clamp_size(z->lim.npz_members),
                         clamp_size(z->lim.npz_name_bytes), &z->zip, err);
    if (!st) st = index_members(z, err);
    if (st) {
        xa_npz_free(z);
        return st;
    }
    *out = z;
    return XA_OK;
}

xa_status xa_npz_open(const char *path, xa_npz **out, xa_error *err) {
    return xa_npz_open_ex(path, NULL, out, err);
}

xa_status xa_npz_open_ex(const char *path, const xa_load_options *o, xa_npz **out, xa_error *err) {
    *out = NULL;
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    st = npz_from_backing(f.backing, path, o, out, err);
    xa_file_close(&f);
    if (st && st != XA_ENOMEM) xa_error_prefix(err, path);
    return st;
}

xa_status xa_npz_open_memory(const void *buf, size_t size, xa_npz **out, xa_error *err) {
    return xa_npz_open_memory_ex(buf, size, NULL, out, err);
}

xa_status xa_npz_open_memory_ex(const void *buf, size_t size, const xa_load_options *o,
                                xa_npz **out, xa_error *err) {
    *out = NULL;
    xa_backing *bk = xa_backing_heap(size, 0);
    if (!bk) return xa_fail(err, XA_ENOMEM, "out of memory copying %zu bytes", size);
    if (size) memcpy(bk->base, buf, size);
    xa_status st = npz_from_backing(bk, "<memory>", o, out, err);
    xa_backing_unref(bk);
    if (st && st != XA_ENOMEM) xa_error_prefix(err, "<memory>");
    return st;
}

size_t xa_npz_count(const xa_npz *z) {
    return z ? z->count : 0;
}

const char *xa_npz_name(const xa_npz *z, size_t i) {
    return z && i < z->count ? z->shown[i] : NULL;
}

void xa_npz_free(xa_npz *z) {
    if (!z) return;
    xa_zip_close(&z->zip);
    xa_backing_unref(z->backing);
    free(z->label);
    free(z->sorted);
    free(z->shown);
    free(z->shown_store);
    free(z);
}

/* What a deflated entry declares must be possible before anything is inflated. */
static xa_status deflate_checks(const xa_zip_entry *e, const xa_limits *lim, xa_error *err) {
    if (e->method != 8)
        return xa_fail(err, XA_EUNSUPPORTED,
                       "compression method %u (numpy writes 0, stored, and "
                       "8, deflate)",
                       e->method);
    if (e->usize > lim->npz_inflated_bytes)
        return xa_fail(err, XA_ELIMIT, "declares %llu inflated bytes, above the limit of %llu",
                       (unsigned long long)e->usize, (unsigned long long)lim->npz_inflated_bytes);
    if (e->usize / XA_DEFLATE_MAX_RATIO > e->csize)
        return xa_fail(err, XA_EFORMAT,
                       "declares %llu inflated bytes from %llu compressed, more "
                       "than deflate can produce (%d:1)",
                       (unsigned long long)e->usize, (unsigned long long)e->csize,
                       XA_DEFLATE_MAX_RATIO);
    if (e->usize > SIZE_MAX - 1)
        return xa_fail(err, XA_ELIMIT, "member too large for this address space");
    return XA_OK;
}

/* The tensor of one entry. */
static xa_status load_entry(xa_npz *z, const xa_zip_entry *e, xa_tensor **out, xa_error *err) {
    size_t off;
    xa_status st = xa_zip_data_offset(&z->zip, e, &off, err);
    if (st) return st;
    const unsigned char *src = z->zip.data + off;
    if (e->method == 0) {
        if (e->csize != e->usize)
            return xa_fail(err, XA_EFORMAT,
                           "stored member of %llu bytes declares %llu "
                           "uncompressed",
                           (unsigned long long)e->csize, (unsigned long long)e->usize);
        uint32_t crc = xa_zip_crc32(0, src, (size_t)e->csize, z->threads);
        if (crc != e->crc)
            return xa_fail(err, XA_EFORMAT,
                           "CRC-32 mismatch (data %08x, directory %08x): the "
                           "member is corrupt",
                           crc, e->crc);
        return xa_npy_from_backing(z->backing, src, (size_t)e->csize, z->backing->mapped, "member",
                                   &z->lim, out, err);
    }
    st = deflate_checks(e, &z->lim, err);
    if (st) return st;
    xa_backing *bk = xa_backing_heap((size_t)e->usize, 0);
    if (!bk)
        return xa_fail(err, XA_ENOMEM, "out of memory inflating %llu bytes",
                       (unsigned long long)e->usize);
    uint32_t crc = 0;
    st = xa_zip_inflate(src, (size_t)e->csize, bk->base, (size_t)e->usize, &crc, err);
    if (!st && crc != e->crc)
        st = xa_fail(err, XA_EFORMAT,
                     "CRC-32 mismatch (data %08x, directory %08x): the member is "
                     "corrupt",
                     crc, e->crc);
    if (!st) st = xa_npy_from_backing(bk, bk->base, bk->size, 0, "member", &z->lim, out, err);
    xa_backing_unref(bk);
    return st;
}

/* "NAME (members: a, b, c, ...)" hint for a failed lookup. */
static void members_hint(const xa_npz *z, char *buf, size_t cap) {
    size_t o = 0;
    buf[0] = 0;
    for (size_t i = 0; i < z->count && o + 8 < cap; i++) {
        int w = snprintf(buf + o, cap - o, "%s%s", i ? ", " : "", z->shown[i]);
        if (w < 0 || (size_t)w >= cap - o) {
            snprintf(buf + o, cap - o, ", ...");
            break;
        }
        o += (size_t)w;
    }
}

/* The entry a lookup of `name` loads (np.load's NpzFile rule), or -1 (ENOMEM: -2). */
static ptrdiff_t find_member(const xa_npz *z, const char *name) {
    size_t n = strlen(name);
    ptrdiff_t k = find_exact(z, name, n);
    if (k < 0 && n <= z->lim.npz_name_bytes) { /* NpzFile: "a" finds "a.npy" */
        char *withext = malloc(n + 5);
        if (!withext) return -2;
        memcpy(withext, name, n);
        memcpy(withext + n, ".npy", 5);
        k = find_exact(z, withext, n + 4);
        free(withext);
    }
    if (k >= 0 && is_dir(&z->zip.entries[k])) k = -1;
    return k;
}

/* "PATH#NAME: " before a member's error message. */
static void member_prefix(const xa_npz *z, const char *name, xa_error *err) {
    size_t ln = strlen(z->label), n = strlen(name);
    char *where = malloc(ln + n + 2);
    if (where) {
        memcpy(where, z->label, ln);
        where[ln] = '#';
        memcpy(where + ln + 1, name, n + 1);
        xa_error_prefix(err, where);
        free(where);
    }
}

xa_status xa_npz_load(xa_npz *z, const char *name, xa_tensor **out, xa_error *err) {
    *out = NULL;
    if (!z || !name) return xa_fail(err, XA_EINVAL, "xa_npz_load: NULL argument");
    ptrdiff_t k = find_member(z, name);
    if (k == -2) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (k < 0) {
        char hint[256];
        members_hint(z, hint, sizeof hint);
        return xa_fail(err, XA_ENOTFOUND, "%s: no member '%s' (members: %s)", z->label, name,
                       z->count ? hint : "none");
    }
    xa_status st = load_entry(z, &z->zip.entries[k], out, err);
    if (st && st != XA_ENOMEM) member_prefix(z, name, err);
    return st;
}

const char *xa_npz_label(const xa_npz *z) {
    return z->label;
}

/* The entry of listed member i. */
static xa_status listed_entry(const xa_npz *z, size_t i, const xa_zip_entry **e, xa_error *err) {
    if (i >= z->count) return xa_fail(err, XA_EINVAL, "member index %zu out of range", i);
    ptrdiff_t k = find_member(z, z->shown[i]);
    if (k == -2) return xa_fail(err, XA_ENOMEM, "out of memory");
    if (k < 0) return xa_fail(err, XA_ENOTFOUND, "%s: member '%s' vanished", z->label, z->shown[i]);
    *e = &z->zip.entries[k];
    return XA_OK;
}

static void info_from_header(const xa_tensor *h, const xa_zip_entry *e, xa_member_info *info) {
    memset(info, 0, sizeof *info);
    info->dtype = h->dtype;
    info->rank = h->rank;
    memcpy(info->shape, h->shape, sizeof info->shape);
    info->fortran_order = h->fortran_order;
    info->swapped = h->swapped;
    info->nbytes = h->nbytes;
    info->stored_bytes = e->csize;
    info->compressed = e->method != 0;
}

/* The .npy header of an entry: read in place (stored) or by inflating only its first bytes. */
static xa_status entry_header(xa_npz *z, const xa_zip_entry *e, xa_tensor *h, size_t *data_off,
                              xa_error *err) {
    size_t off;
    xa_status st = xa_zip_data_offset(&z->zip, e, &off, err);
    if (st) return st;
    const unsigned char *src = z->zip.data + off;
    if (e->method == 0)
        return xa_npy_parse_header_lim(src, (size_t)e->csize, &z->lim, h, data_off, err);
    st = deflate_checks(e, &z->lim, err);
    if (st) return st;
    /* the preamble says how long the header is; then inflate exactly that much */
    unsigned char pre[12];
    size_t got;
    size_t want = e->usize < sizeof pre ? (size_t)e->usize : sizeof pre;
    st = xa_zip_inflate_prefix(src, (size_t)e->csize, pre, want, &got, err);
    if (st) return st;
    size_t need = got;
    if (got >= 10 && pre[6] == 1)
        need = 10 + ((size_t)pre[8] | (size_t)pre[9] << 8);
    else if (got >= 12 && (pre[6] == 2 || pre[6] == 3))
        need = 12 + ((size_t)pre[8] | (size_t)pre[9] << 8 | (size_t)pre[10] << 16 |
                     (size_t)pre[11] << 24);
    if (need > 12 && need - 12 > z->lim.npy_header_bytes) /* the parser refuses it: no more */
        need = 12 + (size_t)z->lim.npy_header_bytes + 1;
    if (need > e->usize) need = (size_t)e->usize;
    if (need <= got) return xa_npy_parse_header_lim(pre, got, &z->lim, h, data_off, err);
    unsigned char *buf = malloc(need);
    if (!buf) return xa_fail(err, XA_ENOMEM, "out of memory");
    st = xa_zip_inflate_prefix(src, (size_t)e->csize, buf, need, &got, err);
    if (!st) st = xa_npy_parse_header_lim(buf, got, &z->lim, h, data_off, err);
    free(buf);
    return st;
}

xa_status xa_npz_member_info(xa_npz *z, size_t i, xa_member_info *info, xa_error *err) {
    const xa_zip_entry *e = NULL;
    xa_status st = listed_entry(z, i, &e, err);
    if (st) return st;
    xa_tensor h;
    size_t off;
    st = entry_header(z, e, &h, &off, err);
    if (st) {
        if (st != XA_ENOMEM) member_prefix(z, z->shown[i], err);
        return st;
    }
    info_from_header(&h, e, info);
    return XA_OK;
}

xa_status xa_npz_member_view(xa_npz *z, size_t i, xa_member_view *v, xa_error *err) {
    memset(v, 0, sizeof *v);
    const xa_zip_entry *e = NULL;
    xa_status st = listed_entry(z, i, &e, err);
    if (st) return st;
    if (e->method != 0) { /* deflated: inflated and checked by the load */
        st = load_entry(z, e, &v->owner, err);
        if (st) {
            if (st != XA_ENOMEM) member_prefix(z, z->shown[i], err);
            return st;
        }
        info_from_header(v->owner, e, &v->info);
        v->data = v->owner->data;
        return XA_OK;
    }
    size_t off, hoff;
    xa_tensor h;
    st = xa_zip_data_offset(&z->zip, e, &off, err);
    if (!st && e->csize != e->usize)
        st = xa_fail(err, XA_EFORMAT, "stored member of %llu bytes declares %llu uncompressed",
                     (unsigned long long)e->csize, (unsigned long long)e->usize);
    const unsigned char *src = z->zip.data + off;
    if (!st) st = xa_npy_parse_header_lim(src, (size_t)e->csize, &z->lim, &h, &hoff, err);
    if (!st && (size_t)e->csize - hoff < h.nbytes) {
        char sb[160];
        st = xa_fail(err, XA_ETRUNC, "header says %s %s = %zu data bytes, the member has %zu",
                     xa_dtype_name(h.dtype), xa_shape_format(h.rank, h.shape, sb, sizeof sb),
                     h.nbytes, (size_t)e->csize - hoff);
    }
    if (st) {
        if (st != XA_ENOMEM) member_prefix(z, z->shown[i], err);
        return st;
    }
    info_from_header(&h, e, &v->info);
    v->data = src + hoff;
    v->mapped = z->backing->mapped;
    v->crc_pending = 1;
    v->crc_prefix = xa_crc32(0, src, hoff);
    size_t end = hoff + h.nbytes;
    v->suffix_len = e->csize - end;
    v->crc_suffix = xa_crc32(0, src + end, (size_t)v->suffix_len);
    v->crc_expected = e->crc;
    return XA_OK;
}

/* ---- writer -------------------------------------------------------------------------------- */

/* Data of each member starts at a multiple of this, so that its tensors load without a copy.
 * 64 is numpy's ARRAY_ALIGN (format.py), the alignment of the data inside an .npy file. */
enum { MEMBER_ALIGN = 64 };

typedef struct {
    FILE *fp;
    const char *path;
    uint64_t pos;
} out_file;

static xa_status put(out_file *o, const void *p, size_t n, xa_error *err) {
    if (n && fwrite(p, 1, n, o->fp) != n) return xa_fail(err, XA_EIO, "%s: write failed", o->path);
    o->pos += n;
    return XA_OK;
}

static xa_status check_names(size_t n, const char *const *names, const xa_tensor *const *tensors,
                             const char *path, xa_error *err) {
    if (n > XA_NPZ_MAX_MEMBERS)
        return xa_fail(err, XA_ELIMIT, "%s: %zu members exceed the limit of %d", path, n,
                       XA_NPZ_MAX_MEMBERS);
    for (size_t i = 0; i < n; i++) {
        if (!names[i] || !names[i][0] || !tensors[i])
            return xa_fail(err, XA_EINVAL, "%s: member %zu has no name or no tensor", path, i);
        if (strlen(names[i]) + 4 > XA_NPZ_MAX_NAME)
            return xa_fail(err, XA_ELIMIT, "%s: member name of %zu bytes is above the limit of %d",
                           path, strlen(names[i]), XA_NPZ_MAX_NAME - 4);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(names[i], names[j]))
                return xa_fail(err, XA_EINVAL, "%s: member name '%s' given twice", path, names[i]);
    }
    return XA_OK;
}

typedef struct {
    uint64_t offset, size;
    uint32_t crc;
} member_rec;

xa_status xa_npz_save(const char *path, size_t n, const char *const *names,
                      const xa_tensor *const *tensors, xa_error *err) {
    xa_status st = check_names(n, names, tensors, path, err);
    if (st) return st;
    member_rec *rec = calloc(n ? n : 1, sizeof *rec);
    unsigned char *hdr = malloc(XA_ZIP_LOCAL_MAX(XA_NPZ_MAX_NAME) +
                                XA_ZIP_CENTRAL_MAX(XA_NPZ_MAX_NAME) + XA_ZIP_END_MAX);
    char *zname = malloc(XA_NPZ_MAX_NAME + 1);
    out_file o = {NULL, path, 0};
    if (!rec || !hdr || !zname) {
        st = xa_fail(err, XA_ENOMEM, "out of memory");
        goto done;
    }
    o.fp = fopen(path, "wb");
    if (!o.fp) {
        st = xa_fail(err, XA_EIO, "%s: cannot create", path);
        goto done;
    }
    for (size_t i = 0; i < n && !st; i++) {
        const xa_tensor *t = tensors[i];
        unsigned char pre[XA_NPY_PREAMBLE_MAX];
        size_t pl, nl = (size_t)snprintf(zname, XA_NPZ_MAX_NAME + 1, "%s.npy", names[i]);
        st = xa_npy_preamble(t, pre, &pl, err);
        if (st) break;
        rec[i].offset = o.pos;
        rec[i].size = pl + (uint64_t)t->nbytes;
        rec[i].crc = xa_zip_crc32(xa_zip_crc32(0, pre, pl, 1), t->data, t->nbytes, 0);
        size_t hl =
            xa_zip_local_header(hdr, zname, nl, rec[i].crc, rec[i].size, o.pos, MEMBER_ALIGN);
        st = put(&o, hdr, hl, err);
        if (!st) st = put(&o, pre, pl, err);
        if (!st) st = put(&o, t->data, t->nbytes, err);
    }
    uint64_t cd_offset = o.pos;
    for (size_t i = 0; i < n && !st; i++) {
        size_t nl = (size_t)snprintf(zname, XA_NPZ_MAX_NAME + 1, "%s.npy", names[i]);
        size_t hl = xa_zip_central_entry(hdr, zname, nl, rec[i].crc, rec[i].size, rec[i].offset);
        st = put(&o, hdr, hl, err);
    }
    if (!st) {
        size_t hl = xa_zip_end_records(hdr, n, cd_offset, o.pos - cd_offset);
        st = put(&o, hdr, hl, err);
    }
    if (fclose(o.fp) != 0 && !st) st = xa_fail(err, XA_EIO, "%s: write failed", path);
    if (st) unlink(path); /* no half-written archive left behind */
done:
    free(rec);
    free(hdr);
    free(zname);
    return st;
}
