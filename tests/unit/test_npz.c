/* .npz reader/writer (src/io/npz.c, src/io/zip.c) against archives built byte by byte here,
 * independently of the writer, plus the writer's round trip.
 *
 * Also a driver for tests/oracle/test_npy_npz.py, which compares xalign's writers with numpy:
 *   test_npz resave IN_SPEC OUT.npy           xa_load + xa_npy_save
 *   test_npz savez OUT.npz NAME=SPEC...       xa_load each + xa_npz_save
 * Without arguments it runs the unit tests. */
#include "internal.h"
#include "io/zip.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xalign/xalign.h>

/* ---- a byte builder for archives ------------------------------------------------------------ */
typedef struct {
    unsigned char *p;
    size_t n, cap;
} buf;

static void put(buf *b, const void *src, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}
static void put16(buf *b, unsigned v) {
    unsigned char x[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    put(b, x, 2);
}
static void put32(buf *b, uint32_t v) {
    put16(b, v & 0xFFFF);
    put16(b, v >> 16);
}
static void put64(buf *b, uint64_t v) {
    put32(b, (uint32_t)v);
    put32(b, (uint32_t)(v >> 32));
}

/* CRC-32 (IEEE, reflected, as zip uses), bit by bit: an independent check of the reader's. */
static uint32_t crc_ref(const void *p, size_t n) {
    const unsigned char *b = p;
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= b[i];
        for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

/* A deflate stream of one stored block (RFC 1951 3.2.4: BFINAL=1, BTYPE=00, LEN, NLEN). */
static void deflate_stored(buf *out, const void *data, size_t n) {
    unsigned char h = 1;
    put(out, &h, 1);
    put16(out, (unsigned)n);
    put16(out, (unsigned)~n & 0xFFFF);
    put(out, data, n);
}

typedef struct {
    const char *name;
    const void *data; /* the member's uncompressed bytes */
    size_t size;
    int method;       /* 0 or 8 (deflate with one stored block); other values are written as is */
    uint32_t crc_xor; /* corrupts the directory CRC */
    int64_t usize_delta;
    int zip64; /* sizes and offset through a ZIP64 extra field in the directory */
    const char *local_name;
    unsigned flags;
    size_t truncate_stream; /* drop this many bytes from the end of the compressed stream */
} member;

typedef struct {
    size_t prefix; /* bytes before the archive */
    const char *comment;
    int zip64_end; /* ZIP64 end record + locator */
    uint64_t count_override;
} layout;

static void build(buf *b, const member *m, size_t n, const layout *lay) {
    b->n = 0;
    for (size_t i = 0; i < lay->prefix; i++) put(b, "#", 1);
    size_t base = b->n;
    uint64_t *offs = calloc(n, sizeof *offs), *csz = calloc(n, sizeof *csz);
    for (size_t i = 0; i < n; i++) {
        buf comp = {0};
        if (m[i].method == 8)
            deflate_stored(&comp, m[i].data, m[i].size);
        else
            put(&comp, m[i].data, m[i].size);
        comp.n -= m[i].truncate_stream;
        const char *ln = m[i].local_name ? m[i].local_name : m[i].name;
        offs[i] = b->n - base;
        csz[i] = comp.n;
        put32(b, 0x04034b50);
        put16(b, 20);
        put16(b, m[i].flags);
        put16(b, (unsigned)m[i].method);
        put16(b, 0);
        put16(b, 0x21);
        put32(b, crc_ref(m[i].data, m[i].size));
        put32(b, (uint32_t)comp.n);
        put32(b, (uint32_t)m[i].size);
        put16(b, (unsigned)strlen(ln));
        put16(b, 0);
        put(b, ln, strlen(ln));
        put(b, comp.p, comp.n);
        free(comp.p);
    }
    size_t cd = b->n;
    for (size_t i = 0; i < n; i++) {
        uint64_t us = (uint64_t)((int64_t)m[i].size + m[i].usize_delta);
        put32(b, 0x02014b50);
        put16(b, 0x0314);
        put16(b, 20);
        put16(b, m[i].flags);
        put16(b, (unsigned)m[i].method);
        put16(b, 0);
        put16(b, 0x21);
        put32(b, crc_ref(m[i].data, m[i].size) ^ m[i].crc_xor);
        put32(b, m[i].zip64 ? 0xFFFFFFFFu : (uint32_t)csz[i]);
        put32(b, m[i].zip64 ? 0xFFFFFFFFu : (uint32_t)us);
        put16(b, (unsigned)strlen(m[i].name));
        put16(b, m[i].zip64 ? 4 + 24 : 0);
        put16(b, 0);
        put16(b, 0);
        put16(b, 0);
        put32(b, 0);
        put32(b, m[i].zip64 ? 0xFFFFFFFFu : (uint32_t)offs[i]);
        put(b, m[i].name, strlen(m[i].name));
        if (m[i].zip64) {
            put16(b, 1);
            put16(b, 24);
            put64(b, us);
            put64(b, csz[i]);
            put64(b, offs[i]);
        }
    }
    uint64_t cd_size = b->n - cd, count = lay->count_override ? lay->count_override : n;
    if (lay->zip64_end) {
        size_t at = b->n - base;
        put32(b, 0x06064b50);
        put64(b, 44);
        put16(b, 45);
        put16(b, 45);
        put32(b, 0);
        put32(b, 0);
        put64(b, count);
        put64(b, count);
        put64(b, cd_size);
        put64(b, cd - base);
        put32(b, 0x07064b50);
        put32(b, 0);
        put64(b, at);
        put32(b, 1);
    }
    size_t cl = lay->comment ? strlen(lay->comment) : 0;
    put32(b, 0x06054b50);
    put16(b, 0);
    put16(b, 0);
    put16(b, lay->zip64_end ? 0xFFFF : (unsigned)count);
    put16(b, lay->zip64_end ? 0xFFFF : (unsigned)count);
    put32(b, lay->zip64_end ? 0xFFFFFFFFu : (uint32_t)cd_size);
    put32(b, lay->zip64_end ? 0xFFFFFFFFu : (uint32_t)(cd - base));
    put16(b, (unsigned)cl);
    put(b, lay->comment, cl);
    free(offs);
    free(csz);
}

/* An .npy image of a float32 vector 0, 1, ..., n-1 (via the library's encoder). */
static void npy_f32(buf *out, int n) {
    int64_t shape[1] = {n};
    xa_tensor *t;
    if (xa_tensor_new(XA_F32, 1, shape, &t, NULL)) abort();
    for (int i = 0; i < n; i++) ((float *)t->data)[i] = (float)i;
    void *p;
    size_t sz;
    if (xa_npy_encode(t, &p, &sz, NULL)) abort();
    out->n = 0;
    put(out, p, sz);
    xa_free(p);
    xa_tensor_free(t);
}

static int is_f32_ramp(const xa_tensor *t, int n) {
    if (!t || t->dtype != XA_F32 || xa_tensor_count(t) != n) return 0;
    for (int i = 0; i < n; i++)
        if (xa_tensor_get(t, i) != (double)i) return 0;
    return 1;
}

/* Open `b` from memory and load `name`; returns the status, the message in err. */
static xa_status open_load(const buf *b, const char *name, xa_tensor **t, xa_error *err) {
    xa_npz *z;
    *t = NULL;
    xa_status st = xa_npz_open_memory(b->p, b->n, &z, err);
    if (st) return st;
    st = xa_npz_load(z, name, t, err);
    xa_npz_free(z);
    return st;
}

static void expect_fail(const buf *b, const char *name, xa_status want, const char *msg) {
    xa_error err = {0};
    xa_tensor *t;
    xa_status st = open_load(b, name, &t, &err);
    CHECKF(st == want && strstr(err.message, msg), "want %d '%s', got %d '%s'", want, msg, st,
           err.message);
    xa_tensor_free(t);
}

static void test_reader(void) {
    buf npy = {0}, npy2 = {0}, b = {0};
    npy_f32(&npy, 6);
    npy_f32(&npy2, 3);
    layout plain = {0};

    /* stored and deflated members, both readable; stored ones in the right place */
    member two[2] = {{.name = "a.npy", .data = npy.p, .size = npy.n},
                     {.name = "b.npy", .data = npy2.p, .size = npy2.n, .method = 8}};
    build(&b, two, 2, &plain);
    xa_npz *z;
    xa_error err = {0};
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_count(z) == 2 && !strcmp(xa_npz_name(z, 0), "a") &&
          !strcmp(xa_npz_name(z, 1), "b"));
    CHECK(xa_npz_name(z, 2) == NULL);
    xa_tensor *t = NULL, *u = NULL;
    CHECK(xa_npz_load(z, "a", &t, &err) == XA_OK && is_f32_ramp(t, 6));
    CHECK(xa_npz_load(z, "b.npy", &u, &err) == XA_OK && is_f32_ramp(u, 3)); /* exact zip name */
    /* the stored member's data is aligned here (35 + 128 is odd: it was copied) */
    CHECK(t && (uintptr_t)t->data % 4 == 0 && u && (uintptr_t)u->data % 4 == 0);
    xa_tensor_free(t);
    xa_tensor_free(u);
    CHECK(xa_npz_load(z, "c", &t, &err) == XA_ENOTFOUND && t == NULL);
    CHECK(!strcmp(err.message, "<memory>: no member 'c' (members: a, b)"));
    xa_npz_free(z);
    xa_npz_free(NULL);

    /* a stored member whose data is aligned is served from the archive's memory (zero-copy):
     * name "abcdefghijklmn.npy" puts the data at 30 + 18 + 128 = 176 = 16 * 11 */
    member al = {.name = "abcdefghijklmn.npy", .data = npy.p, .size = npy.n};
    build(&b, &al, 1, &plain);
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_load(z, "abcdefghijklmn", &t, &err) == XA_OK && is_f32_ramp(t, 6));
    CHECK(xa_npz_load(z, "abcdefghijklmn", &u, &err) == XA_OK && is_f32_ramp(u, 6));
    CHECK(t && u && t->data == u->data && t->backing == u->backing); /* one shared block */
    xa_tensor_free(t);
    xa_npz_free(z);
    CHECK(is_f32_ramp(u, 6)); /* the tensor keeps the archive's memory alive */
    xa_tensor_free(u);

    /* duplicate names: the last entry wins (zipfile/np.load), listed once */
    member dup[3] = {{.name = "x.npy", .data = npy.p, .size = npy.n},
                     {.name = "y.npy", .data = npy.p, .size = npy.n},
                     {.name = "x.npy", .data = npy2.p, .size = npy2.n}};
    build(&b, dup, 3, &plain);
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_count(z) == 2 && !strcmp(xa_npz_name(z, 0), "x") &&
          !strcmp(xa_npz_name(z, 1), "y"));
    CHECK(xa_npz_load(z, "x", &t, &err) == XA_OK && is_f32_ramp(t, 3));
    xa_tensor_free(t);
    xa_npz_free(z);

    /* "x" and "x.npy": NpzFile looks up the exact name first; both stay reachable */
    member both[2] = {{.name = "x.npy", .data = npy.p, .size = npy.n},
                      {.name = "x", .data = npy2.p, .size = npy2.n}};
    build(&b, both, 2, &plain);
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_count(z) == 2 && !strcmp(xa_npz_name(z, 0), "x.npy") &&
          !strcmp(xa_npz_name(z, 1), "x"));
    CHECK(xa_npz_load(z, "x", &t, &err) == XA_OK && is_f32_ramp(t, 3));
    xa_tensor_free(t);
    CHECK(xa_npz_load(z, "x.npy", &t, &err) == XA_OK && is_f32_ramp(t, 6));
    xa_tensor_free(t);
    xa_npz_free(z);

    /* directory entries are not members */
    member dir[2] = {{.name = "d/", .data = "", .size = 0},
                     {.name = "d/x.npy", .data = npy.p, .size = npy.n}};
    build(&b, dir, 2, &plain);
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_count(z) == 1 && !strcmp(xa_npz_name(z, 0), "d/x"));
    CHECK(xa_npz_load(z, "d/", &t, &err) == XA_ENOTFOUND);
    xa_npz_free(z);

    /* ZIP64 end record, locator and directory extra (all three 64-bit fields), a comment, and
     * bytes prepended to the archive */
    member z64[2] = {{.name = "a.npy", .data = npy.p, .size = npy.n, .zip64 = 1},
                     {.name = "b.npy", .data = npy2.p, .size = npy2.n, .method = 8, .zip64 = 1}};
    layout big = {.zip64_end = 1, .comment = "a comment", .prefix = 7};
    build(&b, z64, 2, &big);
    CHECK(xa_npz_open_memory(b.p, b.n, &z, &err) == XA_OK);
    CHECK(xa_npz_count(z) == 2);
    CHECK(xa_npz_load(z, "a", &t, &err) == XA_OK && is_f32_ramp(t, 6));
    xa_tensor_free(t);
    CHECK(xa_npz_load(z, "b", &t, &err) == XA_OK && is_f32_ramp(t, 3));
    xa_tensor_free(t);
    xa_npz_free(z);

    /* every failure names the member and the problem */
    layout many = {.zip64_end = 1, .count_override = (uint64_t)XA_NPZ_MAX_MEMBERS + 1};
    layout lie = {.count_override = 1000};
    struct {
        member m;
        const layout *lay;
        xa_status st;
        const char *msg;
    } bad[] = {
        {{.method = 8, .truncate_stream = 10},
         &plain,
         XA_ETRUNC,
         "<memory>#logits: truncated deflate stream"},
        {{.method = 8, .usize_delta = -8},
         &plain,
         XA_EFORMAT,
         "#logits: deflate stream inflates past the declared"},
        {{.method = 8, .usize_delta = 8}, &plain, XA_ETRUNC, "#logits: deflate stream ends after"},
        {{.method = 8, .crc_xor = 1}, &plain, XA_EFORMAT, "#logits: CRC-32 mismatch"},
        {{.method = 0, .crc_xor = 1}, &plain, XA_EFORMAT, "#logits: CRC-32 mismatch"},
        /* 1 GiB from ~130 bytes: refused before allocating */
        {{.method = 8, .usize_delta = 1 << 30},
         &plain,
         XA_EFORMAT,
         "more than deflate can produce (1032:1)"},
        {{.method = 12}, &plain, XA_EUNSUPPORTED, "#logits: compression method 12"},
        {{.flags = 1}, &plain, XA_EUNSUPPORTED, "#logits: encrypted member"},
        {{.local_name = "other.npy"}, &plain, XA_EFORMAT, "names another member ('other.npy')"},
        {{0}, &many, XA_ELIMIT, "<memory>: 65537 members exceed the limit of 65536"},
        {{0}, &lie, XA_EFORMAT, "cannot hold 1000 entries"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        member m = bad[i].m;
        m.name = "logits.npy";
        m.data = npy.p;
        m.size = npy.n;
        build(&b, &m, 1, bad[i].lay);
        expect_fail(&b, "logits", bad[i].st, bad[i].msg);
    }
    /* a member that is not an .npy */
    member txt = {.name = "notes.txt", .data = "hello", .size = 5};
    build(&b, &txt, 1, &plain);
    expect_fail(&b, "notes.txt", XA_EFORMAT, "<memory>#notes.txt: not an .npy file (bad magic)");

    /* every prefix of an archive fails cleanly (the end record is gone) */
    build(&b, two, 2, &plain);
    int prefixes_ok = 1;
    for (size_t cut = 0; cut < b.n; cut++) {
        xa_status st = xa_npz_open_memory(b.p, cut, &z, &err);
        if (st == XA_OK) {
            prefixes_ok = 0;
            xa_npz_free(z);
        }
    }
    CHECK(prefixes_ok);

    /* one flipped bit anywhere: never a crash, and never a tensor that differs from the
     * original without an error (the CRC, the headers or the directory catch it) */
    int silent = 0, loaded_right = 0;
    for (size_t pos = 0; pos < b.n; pos++) {
        buf c = {0};
        put(&c, b.p, b.n);
        c.p[pos] ^= 0x10;
        if (xa_npz_open_memory(c.p, c.n, &z, &err) == XA_OK) {
            for (size_t i = 0; i < xa_npz_count(z); i++) {
                if (xa_npz_load(z, xa_npz_name(z, i), &t, &err) != XA_OK) continue;
                int want = !strcmp(xa_npz_name(z, i), "a") ? 6 : 3;
                if (is_f32_ramp(t, want))
                    loaded_right++;
                else
                    silent++;
                xa_tensor_free(t);
            }
            xa_npz_free(z);
        }
        free(c.p);
    }
    CHECKF(silent == 0, "%d bit flips gave a wrong tensor without an error", silent);
    CHECK(loaded_right > 0); /* flips in unchecked fields (times, attributes) are harmless */
    free(b.p);
    free(npy.p);
    free(npy2.p);
}

/* ---- writer round trip ---------------------------------------------------------------------- */
static char tmpdir[] = "/tmp/xa-test-npz-XXXXXX";

static xa_tensor *make(xa_dtype dt, int rank, const int64_t *shape, int fortran, int swapped) {
    xa_tensor *t;
    if (xa_tensor_new(dt, rank, shape, &t, NULL)) abort();
    unsigned char *p = t->data;
    for (size_t i = 0; i < t->nbytes; i++) p[i] = (unsigned char)(i * 37 + dt);
    if (dt == XA_BOOL)
        for (size_t i = 0; i < t->nbytes; i++) p[i] &= 1;
    t->fortran_order = fortran;
    t->swapped = swapped;
    return t;
}

static void test_writer(void) {
    char path[256];
    snprintf(path, sizeof path, "%s/w.npz", tmpdir);
    int64_t s3[3] = {2, 3, 4}, s1[1] = {5}, s0[1] = {0}, se[2] = {0, 3}, sf[2] = {3, 2},
            sbig[1] = {600000};
    xa_tensor *ts[9] = {
        make(XA_F32, 3, s3, 0, 0), make(XA_U8, 1, s1, 0, 0),    make(XA_BF16, 1, s1, 0, 0),
        make(XA_F64, 0, s0, 0, 0), make(XA_I16, 2, se, 0, 0),   make(XA_I32, 2, sf, 1, 0),
        make(XA_F32, 1, s1, 0, 1), make(XA_U16, 1, sbig, 0, 0), make(XA_BOOL, 1, s1, 0, 0)};
    const char *names[9] = {"logits",
                            "image",
                            "bf",
                            "scalar",
                            "empty",
                            "fortran",
                            "swapped",
                            "big",
                            "\xc3\xa9"
                            "chelle"};
    xa_error err = {0};
    CHECKF(xa_npz_save(path, 9, names, (const xa_tensor *const *)ts, &err) == XA_OK, "%s",
           err.message);
    xa_npz *z;
    CHECKF(xa_npz_open(path, &z, &err) == XA_OK, "%s", err.message);
    CHECK(xa_npz_count(z) == 9);
    xa_tensor *got[9] = {0};
    for (int i = 0; i < 9; i++) {
        CHECK(!strcmp(xa_npz_name(z, (size_t)i), names[i]));
        xa_status st = xa_npz_load(z, names[i], &got[i], &err);
        CHECKF(st == XA_OK, "%s: %s", names[i], err.message);
        if (st) continue;
        const xa_tensor *a = ts[i], *g = got[i];
        CHECKF(g->dtype == a->dtype && g->rank == a->rank && g->fortran_order == a->fortran_order &&
                   g->swapped == a->swapped && g->nbytes == a->nbytes &&
                   !memcmp(g->shape, a->shape, sizeof(int64_t) * (size_t)a->rank) &&
                   (!a->nbytes || !memcmp(g->data, a->data, a->nbytes)),
               "member %s differs", names[i]);
        /* the file is over 1 MiB, so it is mapped: members are served from the mapping, each
         * at a 64-byte boundary (the writer's alignment), all sharing one backing */
        CHECKF((uintptr_t)g->data % 64 == 0 || !g->nbytes, "%s not 64-aligned", names[i]);
        CHECK(g->readonly == 1 && g->backing == got[0]->backing);
    }
    for (int i = 0; i < 9; i++) xa_tensor_free(got[i]);
    xa_npz_free(z);

    /* an empty archive is valid (np.savez with no arrays) */
    CHECK(xa_npz_save(path, 0, names, (const xa_tensor *const *)ts, &err) == XA_OK);
    CHECK(xa_npz_open(path, &z, &err) == XA_OK && xa_npz_count(z) == 0);
    xa_npz_free(z);

    /* refused: a name given twice, an empty name, a name over the limit, a bad path */
    const char *twice[2] = {"a", "a"};
    CHECK(xa_npz_save(path, 2, twice, (const xa_tensor *const *)ts, &err) == XA_EINVAL &&
          strstr(err.message, "'a' given twice"));
    const char *empty[1] = {""};
    CHECK(xa_npz_save(path, 1, empty, (const xa_tensor *const *)ts, &err) == XA_EINVAL);
    char *longname = malloc(XA_NPZ_MAX_NAME + 1);
    memset(longname, 'n', XA_NPZ_MAX_NAME);
    longname[XA_NPZ_MAX_NAME - 4] = 0; /* exactly the limit with ".npy" */
    const char *ln[1] = {longname};
    CHECKF(xa_npz_save(path, 1, ln, (const xa_tensor *const *)ts, &err) == XA_OK, "%s",
           err.message);
    CHECK(xa_npz_open(path, &z, &err) == XA_OK && xa_npz_count(z) == 1 &&
          strlen(xa_npz_name(z, 0)) == XA_NPZ_MAX_NAME - 4);
    xa_npz_free(z);
    longname[XA_NPZ_MAX_NAME - 4] = 'n';
    longname[XA_NPZ_MAX_NAME - 3] = 0;
    CHECK(xa_npz_save(path, 1, ln, (const xa_tensor *const *)ts, &err) == XA_ELIMIT);
    free(longname);
    CHECK(xa_npz_save("/nonexistent-dir/x.npz", 1, names, (const xa_tensor *const *)ts, &err) ==
              XA_EIO &&
          strstr(err.message, "/nonexistent-dir/x.npz"));
    CHECK(xa_npz_open("/nonexistent-dir/x.npz", &z, &err) == XA_EIO && z == NULL);
    unlink(path);
    for (int i = 0; i < 9; i++) xa_tensor_free(ts[i]);
}

/* The parallel CRC (large inputs) equals the plain one, including a non-zero start value. */
static void test_crc(void) {
    size_t n = (size_t)80 << 20;
    unsigned char *p = malloc(n);
    if (!p) return;
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)(i * 2654435761u >> 13);
    uint32_t whole = xa_zip_crc32(0, p, n, 4);
    uint32_t one = xa_zip_crc32(0, p, n, 1); /* the single-threaded path */
    CHECK(whole == one);
    CHECK(xa_zip_crc32(0, p, n, 0) == whole); /* 0: xa_threads_get() */
    CHECK(xa_zip_crc32(xa_zip_crc32(0, p, 1000, 1), p + 1000, n - 1000, 3) == whole);
    CHECK(xa_zip_crc32(0, p, 4096, 4) == crc_ref(p, 4096));
    CHECK(xa_zip_crc32(0x1234, p, 0, 4) == 0x1234);
    free(p);
}

/* The writer's records for a member too big for 32-bit fields (5 GiB at offset 6 GiB), checked
 * field by field against APPNOTE and zipfile's choices (CI cannot write such a file). */
static uint64_t le(const unsigned char *p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

static void test_zip64_records(void) {
    unsigned char h[XA_ZIP_LOCAL_MAX(5) + XA_ZIP_CENTRAL_MAX(5) + XA_ZIP_END_MAX];
    uint64_t size = (uint64_t)5 << 30, off = (uint64_t)6 << 30;
    size_t n = xa_zip_local_header(h, "a.npy", 5, 0xCAFEF00Du, size, off, 64);
    CHECK(le(h, 4) == 0x04034b50 && le(h + 4, 2) == 45 && le(h + 14, 4) == 0xCAFEF00Du);
    CHECK(le(h + 18, 4) == 0xFFFFFFFFu && le(h + 22, 4) == 0xFFFFFFFFu);
    CHECK(le(h + 26, 2) == 5 && 30 + 5 + le(h + 28, 2) == n && (off + n) % 64 == 0);
    CHECK(le(h + 35, 2) == 1 && le(h + 37, 2) == 16 && le(h + 39, 8) == size &&
          le(h + 47, 8) == size);
    CHECK(le(h + 55, 2) == 0xD935 && le(h + 57, 2) == n - 59 && le(h + 59, 2) == 64);
    n = xa_zip_central_entry(h, "a.npy", 5, 1, size, off);
    CHECK(le(h, 4) == 0x02014b50 && h[4] == 45 && h[5] == 3 && le(h + 6, 2) == 45);
    CHECK(le(h + 20, 4) == 0xFFFFFFFFu && le(h + 24, 4) == 0xFFFFFFFFu &&
          le(h + 42, 4) == 0xFFFFFFFFu);
    CHECK(le(h + 30, 2) == 28 && n == 46 + 5 + 28 && le(h + 38, 4) == (uint64_t)0600 << 16);
    CHECK(le(h + 51, 2) == 1 && le(h + 53, 2) == 24 && le(h + 55, 8) == size &&
          le(h + 63, 8) == size && le(h + 71, 8) == off);
    /* a small member at a far offset: only the offset goes to the extra field */
    n = xa_zip_central_entry(h, "a.npy", 5, 1, 100, off);
    CHECK(n == 46 + 5 + 12 && le(h + 20, 4) == 100 && le(h + 42, 4) == 0xFFFFFFFFu &&
          le(h + 55, 8) == off);
    /* small and near: no extra field, version 2.0, as np.savez's central directory */
    n = xa_zip_central_entry(h, "a.npy", 5, 1, 100, 1000);
    CHECK(n == 46 + 5 && h[4] == 20 && le(h + 42, 4) == 1000);
    /* end records: ZIP64 end + locator when the directory starts past 2 GiB - 1 */
    n = xa_zip_end_records(h, 2, off + size, 200);
    CHECK(n == 56 + 20 + 22 && le(h, 4) == 0x06064b50 && le(h + 32, 8) == 2 &&
          le(h + 40, 8) == 200 && le(h + 48, 8) == off + size);
    CHECK(le(h + 56, 4) == 0x07064b50 && le(h + 64, 8) == off + size + 200 && le(h + 72, 4) == 1);
    CHECK(le(h + 76, 4) == 0x06054b50 && le(h + 86, 2) == 2 && le(h + 88, 4) == 200 &&
          le(h + 92, 4) == 0xFFFFFFFFu);
    n = xa_zip_end_records(h, 2, 1000, 200);
    CHECK(n == 22 && le(h + 10, 2) == 2 && le(h + 16, 4) == 1000);
}

/* ---- driver for the Python oracle test --------------------------------------------------------
 */
static int drive(int argc, char **argv) {
    xa_error err = {0};
    if (argc == 4 && !strcmp(argv[1], "resave")) {
        xa_tensor *t;
        xa_status st = xa_load(argv[2], &t, &err);
        if (!st) st = xa_npy_save(argv[3], t, &err);
        if (!st) xa_tensor_free(t);
        if (st) fprintf(stderr, "resave: %s\n", err.message);
        return st ? 2 : 0;
    }
    if (argc >= 3 && !strcmp(argv[1], "savez")) {
        int n = argc - 3;
        const char **names = calloc((size_t)n + 1, sizeof *names);
        xa_tensor **ts = calloc((size_t)n + 1, sizeof *ts);
        xa_status st = XA_OK;
        for (int i = 0; i < n && !st; i++) {
            char *eq = strchr(argv[3 + i], '=');
            if (!eq) {
                fprintf(stderr, "savez: want NAME=SPEC, got %s\n", argv[3 + i]);
                return 2;
            }
            *eq = 0;
            names[i] = argv[3 + i];
            st = xa_load(eq + 1, &ts[i], &err);
        }
        if (!st) st = xa_npz_save(argv[2], (size_t)n, names, (const xa_tensor *const *)ts, &err);
        if (st) fprintf(stderr, "savez: %s\n", err.message);
        for (int i = 0; i < n; i++) xa_tensor_free(ts[i]);
        free(ts);
        free(names);
        return st ? 2 : 0;
    }
    fprintf(stderr, "usage: test_npz [resave IN OUT.npy | savez OUT.npz NAME=SPEC...]\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc > 1) return drive(argc, argv);
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_reader();
    test_writer();
    test_crc();
    test_zip64_records();
    rmdir(tmpdir);
    TEST_DONE();
}
