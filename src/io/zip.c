/* ZIP reading and writing for .npz (see zip.h). Record layouts: PKWARE APPNOTE.TXT 6.3.x,
 * sections 4.3.7 (local header), 4.3.12 (central directory header), 4.3.14-4.3.16 (ZIP64 end
 * record, locator, end record), 4.5.3 (ZIP64 extra field). Where the format leaves a choice,
 * the reader follows CPython 3.11's zipfile (what np.load uses). */
#include "zip.h"
#include "xalign/io.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

enum {
    SIG_LOCAL = 0x04034b50,
    SIG_CENTRAL = 0x02014b50,
    SIG_END = 0x06054b50,
    SIG_END64 = 0x06064b50,
    SIG_LOCATOR64 = 0x07064b50,
    LOCAL_SIZE = 30,
    CENTRAL_SIZE = 46,
    END_SIZE = 22,
    END64_SIZE = 56,
    LOCATOR64_SIZE = 20,
    EXTRA_ZIP64 = 0x0001,
    /* Android zipalign's alignment extra field (ID 0xD935: 2-byte alignment, then zero
     * padding); readers skip extra fields they do not know. */
    EXTRA_ALIGN = 0xD935,
    FLAG_ENCRYPTED = 0x0001,
    FLAG_UTF8 = 0x0800,
};

static unsigned rd16(const unsigned char *p) {
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}
static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) {
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}
static unsigned char *wr16(unsigned char *p, unsigned v) {
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}
static unsigned char *wr32(unsigned char *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
    return p + 4;
}
static unsigned char *wr64(unsigned char *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (unsigned char)(v >> (8 * i));
    return p + 8;
}

/* ---- reading the directory ------------------------------------------------------------------ */

/* The end record: searched backwards from the end within the largest comment (65535 bytes) plus
 * the record itself, as zipfile._EndRecData does. The last candidate whose comment fits wins. */
static xa_status find_end(const unsigned char *d, size_t size, size_t *pos, xa_error *err) {
    if (size < END_SIZE)
        return xa_fail(err, XA_EFORMAT, "not a zip archive (%zu bytes, no end record)", size);
    size_t lo = size > END_SIZE + 65535 ? size - END_SIZE - 65535 : 0;
    for (size_t p = size - END_SIZE + 1; p-- > lo;) {
        if (rd32(d + p) == SIG_END && p + END_SIZE + rd16(d + p + 20) <= size) {
            *pos = p;
            return XA_OK;
        }
    }
    return xa_fail(err, XA_EFORMAT, "not a zip archive (no end-of-central-directory record)");
}

/* ZIP64 extra field of a central directory entry: present values replace the 32-bit fields that
 * are 0xFFFFFFFF, in the order usize, csize, offset (APPNOTE 4.5.3; zipfile._decodeExtra). */
static xa_status central_extra(const unsigned char *x, size_t n, xa_zip_entry *e, xa_error *err) {
    while (n >= 4) {
        unsigned id = rd16(x), len = rd16(x + 2);
        if ((size_t)len + 4 > n)
            return xa_fail(err, XA_EFORMAT, "corrupt extra field %04x (%u bytes, %zu left)", id,
                           len, n - 4);
        if (id == EXTRA_ZIP64) {
            const unsigned char *v = x + 4;
            size_t left = len;
            uint64_t *fields[3] = {&e->usize, &e->csize, &e->header_offset};
            const char *what[3] = {"uncompressed size", "compressed size", "header offset"};
            for (int k = 0; k < 3; k++) {
                if (*fields[k] != 0xFFFFFFFFu) continue;
                if (left < 8)
                    return xa_fail(err, XA_EFORMAT, "corrupt ZIP64 extra field: no %s", what[k]);
                *fields[k] = rd64(v);
                v += 8;
                left -= 8;
            }
        }
        x += 4 + len;
        n -= 4 + (size_t)len;
    }
    return XA_OK;
}

/* Central directory entry i at cd[*p]; its name is copied to *names (advanced past its NUL). */
static xa_status read_entry(const unsigned char *cd, size_t cd_size, size_t *p, size_t i,
                            size_t max_name, size_t cd_off, size_t concat, xa_zip_entry *en,
                            char **names, xa_error *err) {
    if (cd_size - *p < CENTRAL_SIZE || rd32(cd + *p) != SIG_CENTRAL)
        return xa_fail(err, XA_EFORMAT, "central directory entry %zu is missing or corrupt", i);
    const unsigned char *c = cd + *p;
    size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
    if (cd_size - *p - CENTRAL_SIZE < nlen + xlen + clen)
        return xa_fail(err, XA_EFORMAT, "central directory entry %zu runs past the directory", i);
    const unsigned char *nm = c + CENTRAL_SIZE;
    if (nlen == 0) return xa_fail(err, XA_EFORMAT, "member %zu has an empty name", i);
    if (nlen > max_name)
        return xa_fail(err, XA_ELIMIT,
                       "member %zu has a name of %zu bytes, above the limit of "
                       "%zu",
                       i, nlen, max_name);
    if (memchr(nm, 0, nlen))
        return xa_fail(err, XA_EFORMAT, "member %zu: the name holds a NUL byte", i);
    en->flags = rd16(c + 8);
    en->method = rd16(c + 10);
    en->crc = rd32(c + 16);
    en->csize = rd32(c + 20);
    en->usize = rd32(c + 24);
    en->header_offset = rd32(c + 42);
    xa_status st = central_extra(nm + nlen, xlen, en, err);
    if (st) return st;
    if (en->header_offset > cd_off)
        return xa_fail(err, XA_EFORMAT,
                       "member %zu: local header offset %llu lies past the "
                       "central directory",
                       i, (unsigned long long)en->header_offset);
    en->header_offset += concat;
    memcpy(*names, nm, nlen);
    (*names)[nlen] = 0;
    en->name = *names;
    en->name_len = nlen;
    *names += nlen + 1;
    *p += CENTRAL_SIZE + nlen + xlen + clen;
    return XA_OK;
}

xa_status xa_zip_open(const unsigned char *d, size_t size, size_t max_entries, size_t max_name,
                      xa_zip *z, xa_error *err) {
    memset(z, 0, sizeof *z);
    z->data = d;
    z->size = size;
    size_t end = 0;
    xa_status st = find_end(d, size, &end, err);
    if (st) return st;
    const unsigned char *e = d + end;
    uint64_t disk = rd16(e + 4), cd_disk = rd16(e + 6), n_disk = rd16(e + 8), count = rd16(e + 10);
    uint64_t cd_size = rd32(e + 12), cd_off = rd32(e + 16);
    size_t cd_end = end; /* the central directory ends where the end records start */
    if (end >= LOCATOR64_SIZE && rd32(d + end - LOCATOR64_SIZE) == SIG_LOCATOR64) {
        const unsigned char *l = d + end - LOCATOR64_SIZE;
        if (rd32(l + 4) != 0 || rd32(l + 16) > 1)
            return xa_fail(err, XA_EUNSUPPORTED,
                           "zip archives spanning several disks are not "
                           "supported");
        /* The locator gives the ZIP64 end record's offset; zipfile instead assumes the record
         * sits right before the locator. Take the stated offset, else that position (a file
         * with data prepended). */
        uint64_t at = rd64(l + 8);
        size_t before = end - LOCATOR64_SIZE;
        if (at > before || before - at < END64_SIZE || rd32(d + at) != SIG_END64) {
            if (before < END64_SIZE || rd32(d + before - END64_SIZE) != SIG_END64)
                return xa_fail(err, XA_EFORMAT,
                               "ZIP64 locator points to no ZIP64 end record "
                               "(offset %llu)",
                               (unsigned long long)at);
            at = before - END64_SIZE;
        }
        const unsigned char *r = d + at;
        disk = rd32(r + 16);
        cd_disk = rd32(r + 20);
        n_disk = rd64(r + 24);
        count = rd64(r + 32);
        cd_size = rd64(r + 40);
        cd_off = rd64(r + 48);
        cd_end = (size_t)at;
    }
    if (disk != 0 || cd_disk != 0 || n_disk != count)
        return xa_fail(err, XA_EUNSUPPORTED,
                       "zip archives spanning several disks are not "
                       "supported");
    if (count > max_entries)
        return xa_fail(err, XA_ELIMIT, "%llu members exceed the limit of %zu",
                       (unsigned long long)count, max_entries);
    if (cd_size > cd_end || cd_off > cd_end - cd_size)
        return xa_fail(err, XA_EFORMAT,
                       "central directory (%llu bytes at offset %llu) lies "
                       "outside the archive (%zu bytes before the end records)",
                       (unsigned long long)cd_size, (unsigned long long)cd_off, cd_end);
    if (count > cd_size / CENTRAL_SIZE)
        return xa_fail(err, XA_EFORMAT,
                       "central directory of %llu bytes cannot hold %llu "
                       "entries",
                       (unsigned long long)cd_size, (unsigned long long)count);
    /* Bytes prepended to the archive (self-extractors): the offsets are relative to its start,
     * as zipfile's "concat" computes. */
    size_t concat = cd_end - (size_t)cd_size - (size_t)cd_off;
    const unsigned char *cd = d + concat + cd_off;
    z->entries = calloc(count ? (size_t)count : 1, sizeof *z->entries);
    /* the names fit in the directory that holds them, and each in max_name: the smaller bound
     * (plus the NULs), so a lying directory size in a big file allocates no more than that */
    uint64_t name_bytes =
        count * (uint64_t)max_name < cd_size ? count * (uint64_t)max_name : cd_size;
    z->names = malloc((size_t)name_bytes + (size_t)count + 1);
    if (!z->entries || !z->names) {
        xa_zip_close(z);
        return xa_fail(err, XA_ENOMEM, "out of memory");
    }
    size_t p = 0;
    char *names = z->names;
    for (size_t i = 0; i < (size_t)count && !st; i++)
        st = read_entry(cd, (size_t)cd_size, &p, i, max_name, (size_t)cd_off, concat,
                        &z->entries[i], &names, err);
    if (st) {
        xa_zip_close(z);
        return st;
    }
    z->count = (size_t)count;
    return XA_OK;
}

void xa_zip_close(xa_zip *z) {
    if (!z) return;
    free(z->entries);
    free(z->names);
    memset(z, 0, sizeof *z);
}

xa_status xa_zip_data_offset(const xa_zip *z, const xa_zip_entry *e, size_t *offset,
                             xa_error *err) {
    if (e->flags & FLAG_ENCRYPTED) return xa_fail(err, XA_EUNSUPPORTED, "encrypted member");
    uint64_t h = e->header_offset;
    if (h > z->size || z->size - h < LOCAL_SIZE || rd32(z->data + h) != SIG_LOCAL)
        return xa_fail(err, XA_EFORMAT, "no local header at offset %llu", (unsigned long long)h);
    const unsigned char *l = z->data + h;
    size_t nlen = rd16(l + 26), xlen = rd16(l + 28);
    uint64_t start = h + LOCAL_SIZE + nlen + xlen;
    if (start > z->size)
        return xa_fail(err, XA_ETRUNC, "local header at offset %llu runs past the end of the file",
                       (unsigned long long)h);
    if (nlen != e->name_len || memcmp(l + LOCAL_SIZE, e->name, nlen) != 0)
        return xa_fail(err, XA_EFORMAT,
                       "the local header at offset %llu names another member "
                       "('%.*s')",
                       (unsigned long long)h, (int)(nlen > 64 ? 64 : nlen),
                       (const char *)l + LOCAL_SIZE);
    if (rd16(l + 6) & FLAG_ENCRYPTED) return xa_fail(err, XA_EUNSUPPORTED, "encrypted member");
    if (e->csize > z->size - start)
        return xa_fail(err, XA_ETRUNC,
                       "member data of %llu bytes at offset %llu runs past the "
                       "end of the file (%zu bytes)",
                       (unsigned long long)e->csize, (unsigned long long)start, z->size);
    *offset = (size_t)start;
    return XA_OK;
}

/* ---- inflate and CRC ------------------------------------------------------------------------ */

xa_status xa_zip_inflate(const unsigned char *src, size_t csize, unsigned char *dst, size_t usize,
                         uint32_t *crc, xa_error *err) {
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK) /* raw deflate: no zlib header in zip members */
        return xa_fail(err, XA_ENOMEM, "out of memory (inflateInit2)");
    /* zlib counts in uInt (32 bits): feed and drain in slices of at most 1 GiB */
    const size_t slice = (size_t)1 << 30;
    size_t in_left = csize, out_left = usize;
    uint32_t c = 0;
    int ret = Z_OK;
    xa_status st = XA_OK;
    s.next_in = (Bytef *)src;
    s.next_out = dst;
    while (ret != Z_STREAM_END) {
        if (s.avail_in == 0 && in_left) {
            s.avail_in = (uInt)(in_left < slice ? in_left : slice);
            in_left -= s.avail_in;
        }
        if (s.avail_out == 0 && out_left) {
            s.avail_out = (uInt)(out_left < slice ? out_left : slice);
            out_left -= s.avail_out;
        }
        unsigned char *before = s.next_out;
        if (s.avail_out == 0) {
            /* the declared size is full: the stream must end here without more output */
            unsigned char extra;
            s.next_out = &extra;
            s.avail_out = 1;
            ret = inflate(&s, Z_NO_FLUSH);
            if (s.avail_out == 0) {
                st = xa_fail(err, XA_EFORMAT,
                             "deflate stream inflates past the declared %zu "
                             "bytes",
                             usize);
                break;
            }
            s.next_out = before;
            s.avail_out = 0;
            if (ret == Z_STREAM_END) break;
            if (ret == Z_BUF_ERROR && s.avail_in == 0 && in_left == 0) {
                st = xa_fail(err, XA_ETRUNC, "truncated deflate stream");
                break;
            }
            if (ret != Z_OK) {
                st = xa_fail(err, XA_EFORMAT, "corrupt deflate stream (%s)",
                             s.msg ? s.msg : "zlib error");
                break;
            }
            continue;
        }
        ret = inflate(&s, Z_NO_FLUSH);
        c = xa_crc32(c, before, (size_t)(s.next_out - before));
        if (ret == Z_STREAM_END) break;
        if (ret == Z_BUF_ERROR && s.avail_in == 0 && in_left == 0) {
            st = xa_fail(err, XA_ETRUNC, "truncated deflate stream");
            break;
        }
        if (ret != Z_OK && ret != Z_BUF_ERROR) {
            st = xa_fail(err, ret == Z_MEM_ERROR ? XA_ENOMEM : XA_EFORMAT,
                         "corrupt deflate stream (%s)", s.msg ? s.msg : "zlib error");
            break;
        }
    }
    size_t produced = usize - out_left - s.avail_out;
    inflateEnd(&s);
    if (st) return st;
    if (produced != usize)
        return xa_fail(err, XA_ETRUNC,
                       "deflate stream ends after %zu bytes, the directory "
                       "declares %zu",
                       produced, usize);
    *crc = c;
    return XA_OK;
}

xa_status xa_zip_inflate_prefix(const unsigned char *src, size_t csize, unsigned char *dst,
                                size_t want, size_t *got, xa_error *err) {
    *got = 0;
    z_stream s;
    memset(&s, 0, sizeof s);
    if (inflateInit2(&s, -MAX_WBITS) != Z_OK)
        return xa_fail(err, XA_ENOMEM, "out of memory (inflateInit2)");
    /* a prefix is small (an .npy preamble and header: at most 1 MiB + 12 bytes) and so is the
     * input it needs, but zlib counts in 32 bits: feed at most 1 GiB, which holds far more */
    const size_t slice = (size_t)1 << 30;
    s.next_in = (Bytef *)src;
    s.avail_in = (uInt)(csize < slice ? csize : slice);
    s.next_out = dst;
    s.avail_out = (uInt)want;
    int ret = Z_OK;
    while (s.avail_out && ret == Z_OK) ret = inflate(&s, Z_NO_FLUSH);
    *got = want - s.avail_out;
    inflateEnd(&s);
    if (ret != Z_OK && ret != Z_STREAM_END && !(ret == Z_BUF_ERROR && *got))
        return xa_fail(err, ret == Z_MEM_ERROR ? XA_ENOMEM : XA_EFORMAT,
                       "corrupt deflate stream (%s)",
                       ret == Z_BUF_ERROR ? "truncated" : "zlib error");
    return XA_OK;
}

typedef struct {
    const unsigned char *p;
    size_t n, part;
    uint32_t *crcs;
} crc_job;

static void crc_part(void *arg, int i) {
    crc_job *j = arg;
    size_t lo = j->part * (size_t)i, hi = lo + j->part < j->n ? lo + j->part : j->n;
    j->crcs[i] = xa_crc32(0, j->p + lo, hi - lo);
}

uint32_t xa_zip_crc32(uint32_t crc, const void *p, size_t n, int threads) {
    if (n == 0) return crc;
    enum { PARTS = 64 };
    const size_t min_part = (size_t)16 << 20; /* below 16 MiB a thread costs more than it saves */
    if (threads <= 0) threads = xa_threads_get();
    if (n < 2 * min_part || threads < 2) return xa_crc32(crc, p, n);
    size_t part = n / PARTS > min_part ? n / PARTS + 1 : min_part;
    int parts = (int)((n + part - 1) / part);
    uint32_t crcs[PARTS];
    crc_job j = {p, n, part, crcs};
    xa_parallel(threads, parts, crc_part, &j);
    for (int i = 0; i < parts; i++) {
        size_t len = (size_t)i == (size_t)parts - 1 ? n - part * (size_t)i : part;
        crc = xa_crc32_combine(crc, crcs[i], len);
    }
    return crc;
}

/* ---- writer -------------------------------------------------------------------------------- */

static int is_ascii(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80) return 0;
    return 1;
}

/* zipfile.ZipInfo defaults for a member opened by name: date_time (1980, 1, 1, 0, 0, 0) is DOS
 * date ((1980 - 1980) << 9 | 1 << 5 | 1) = 0x21 and DOS time 0; create/extract version 20 (2.0),
 * raised to 45 (4.5) when a record needs ZIP64 fields; create_system 3 (Unix); external
 * attributes 0o600 << 16 (rw-------), set by ZipFile._open_to_write. */
enum { DOS_DATE = 0x21, DOS_TIME = 0, VERSION = 20, VERSION_ZIP64 = 45, SYSTEM_UNIX = 3 };
#define EXTERNAL_ATTR ((uint32_t)0600 << 16)

static unsigned name_flags(const char *name, size_t nlen) {
    return is_ascii(name, nlen) ? 0 : FLAG_UTF8; /* zipfile._encodeFilenameFlags */
}

size_t xa_zip_local_header(unsigned char *buf, const char *name, size_t nlen, uint32_t crc,
                           uint64_t size, uint64_t offset, unsigned align) {
    int big = size > XA_ZIP64_LIMIT;
    uint32_t s32 = big ? 0xFFFFFFFFu : (uint32_t)size;
    /* ZIP64 extra (20 bytes) always, as force_zip64=True; then the alignment field */
    size_t fixed = LOCAL_SIZE + nlen + 20 + 6;
    size_t pad = (align - (size_t)((offset + fixed) % align)) % align;
    unsigned char *p = wr32(buf, SIG_LOCAL);
    p = wr16(p, big ? VERSION_ZIP64 : VERSION);
    p = wr16(p, name_flags(name, nlen));
    p = wr16(p, 0); /* stored */
    p = wr16(p, DOS_TIME);
    p = wr16(p, DOS_DATE);
    p = wr32(p, crc);
    p = wr32(p, s32); /* compressed */
    p = wr32(p, s32); /* uncompressed */
    p = wr16(p, (unsigned)nlen);
    p = wr16(p, (unsigned)(20 + 6 + pad));
    memcpy(p, name, nlen);
    p += nlen;
    p = wr16(p, EXTRA_ZIP64);
    p = wr16(p, 16);
    p = wr64(p, size); /* zipfile's FileHeader: file_size, then compress_size */
    p = wr64(p, size);
    p = wr16(p, EXTRA_ALIGN);
    p = wr16(p, (unsigned)(2 + pad));
    p = wr16(p, align);
    memset(p, 0, pad);
    p += pad;
    return (size_t)(p - buf);
}

size_t xa_zip_central_entry(unsigned char *buf, const char *name, size_t nlen, uint32_t crc,
                            uint64_t size, uint64_t offset) {
    int big = size > XA_ZIP64_LIMIT, far = offset > XA_ZIP64_LIMIT;
    size_t xlen = big || far ? 4 + 8 * (size_t)(2 * big + far) : 0;
    unsigned version = xlen || big ? VERSION_ZIP64 : VERSION;
    unsigned char *p = wr32(buf, SIG_CENTRAL);
    *p++ = (unsigned char)version; /* version made by: spec version, then host system */
    *p++ = SYSTEM_UNIX;
    p = wr16(p, version);
    p = wr16(p, name_flags(name, nlen));
    p = wr16(p, 0);
    p = wr16(p, DOS_TIME);
    p = wr16(p, DOS_DATE);
    p = wr32(p, crc);
    p = wr32(p, big ? 0xFFFFFFFFu : (uint32_t)size);
    p = wr32(p, big ? 0xFFFFFFFFu : (uint32_t)size);
    p = wr16(p, (unsigned)nlen);
    p = wr16(p, (unsigned)xlen);
    p = wr16(p, 0); /* comment */
    p = wr16(p, 0); /* disk */
    p = wr16(p, 0); /* internal attributes */
    p = wr32(p, EXTERNAL_ATTR);
    p = wr32(p, far ? 0xFFFFFFFFu : (uint32_t)offset);
    memcpy(p, name, nlen);
    p += nlen;
    if (xlen) {
        p = wr16(p, EXTRA_ZIP64);
        p = wr16(p, (unsigned)(xlen - 4));
        if (big) {
            p = wr64(p, size);
            p = wr64(p, size);
        }
        if (far) p = wr64(p, offset);
    }
    return (size_t)(p - buf);
}

size_t xa_zip_end_records(unsigned char *buf, uint64_t count, uint64_t cd_offset,
                          uint64_t cd_size) {
    unsigned char *p = buf;
    /* zipfile: ZIP64 end records when count > 0xFFFF or offset/size > ZIP64_LIMIT */
    if (count > 0xFFFF || cd_offset > XA_ZIP64_LIMIT || cd_size > XA_ZIP64_LIMIT) {
        p = wr32(p, SIG_END64);
        p = wr64(p, END64_SIZE - 12); /* size of the rest of the record */
        p = wr16(p, VERSION_ZIP64);
        p = wr16(p, VERSION_ZIP64);
        p = wr32(p, 0);
        p = wr32(p, 0);
        p = wr64(p, count);
        p = wr64(p, count);
        p = wr64(p, cd_size);
        p = wr64(p, cd_offset);
        p = wr32(p, SIG_LOCATOR64);
        p = wr32(p, 0);
        p = wr64(p, cd_offset + cd_size);
        p = wr32(p, 1);
        if (count > 0xFFFF) count = 0xFFFF;
        if (cd_offset > 0xFFFFFFFFu) cd_offset = 0xFFFFFFFFu;
        if (cd_size > 0xFFFFFFFFu) cd_size = 0xFFFFFFFFu;
    }
    p = wr32(p, SIG_END);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, (unsigned)count);
    p = wr16(p, (unsigned)count);
    p = wr32(p, (uint32_t)cd_size);
    p = wr32(p, (uint32_t)cd_offset);
    p = wr16(p, 0);
    return (size_t)(p - buf);
}
