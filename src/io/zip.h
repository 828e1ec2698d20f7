/* Private ZIP pieces for .npz (PKWARE APPNOTE.TXT 6.3.x), written for xalign instead of using
 * libzip: a stored member must be served zero-copy from the file mapping, which needs the raw
 * data offset that libzip does not expose. Only what numpy reads and writes is supported:
 * methods 0 (stored) and 8 (deflate), ZIP64 records, one disk, no encryption.
 *
 * Every offset and size read from the archive is checked against the archive's size before it is
 * used or allocated; messages name the problem but not the file (the caller prefixes it). */
#ifndef XA_ZIP_H
#define XA_ZIP_H

#include "internal.h"

/* Python's zipfile switches to ZIP64 fields above this many bytes (zipfile.ZIP64_LIMIT =
 * (1 << 31) - 1, not 0xFFFFFFFF); the writer follows it so its records match np.savez's. */
#define XA_ZIP64_LIMIT ((uint64_t)0x7FFFFFFF)
/* Deflate cannot expand more than 1032:1: the shortest code for a 258-byte match is a 1-bit
 * length code plus a 1-bit distance code (RFC 1951 3.2.5), so 8 bits of input yield at most
 * 4 * 258 = 1032 bytes of output. A member declaring more is lying and is refused before any
 * allocation. */
#define XA_DEFLATE_MAX_RATIO 1032

typedef struct xa_zip_entry {
    const char *name; /* NUL-terminated copy of the central directory name */
    size_t name_len;
    uint64_t header_offset; /* of the local header, from the start of the buffer */
    uint64_t csize, usize;  /* compressed and uncompressed sizes (ZIP64 values applied) */
    uint32_t crc;
    unsigned method, flags;
} xa_zip_entry;

typedef struct xa_zip {
    const unsigned char *data;
    size_t size;
    size_t count;
    xa_zip_entry *entries; /* central directory order */
    char *names;           /* storage of every name */
} xa_zip;

/* Read the central directory of the archive held in data[0..size). At most max_entries entries,
 * names of at most max_name bytes without NUL bytes. `z` keeps pointing at `data`. */
xa_status xa_zip_open(const unsigned char *data, size_t size, size_t max_entries, size_t max_name,
                      xa_zip *z, xa_error *err);
void xa_zip_close(xa_zip *z);

/* Check an entry's local header (signature, same name, no encryption, data inside the buffer)
 * and return the offset of its data (csize bytes). */
xa_status xa_zip_data_offset(const xa_zip *z, const xa_zip_entry *e, size_t *offset, xa_error *err);

/* Inflate a raw deflate stream of csize bytes into exactly usize bytes of dst; fails when the
 * stream is corrupt, ends early, is truncated or would produce more than usize bytes. *crc is the
 * CRC-32 of the output. */
xa_status xa_zip_inflate(const unsigned char *src, size_t csize, unsigned char *dst, size_t usize,
                         uint32_t *crc, xa_error *err);

/* Inflate only the first `want` bytes (or fewer, when the stream ends first; *got says how many)
 * of a raw deflate stream: enough to read an .npy header without inflating the member. */
xa_status xa_zip_inflate_prefix(const unsigned char *src, size_t csize, unsigned char *dst,
                                size_t want, size_t *got, xa_error *err);

/* CRC-32 (zlib's) of n bytes, combining the parts of up to `threads` threads when n is large
 * (threads <= 0: xa_threads_get()); crc is the running value of the bytes before (0 to start).
 * The caller's share of threads, so that a dataset run loading many archives at once does not
 * start cores x samples threads. */
uint32_t xa_zip_crc32(uint32_t crc, const void *p, size_t n, int threads);

/* ---- writer -------------------------------------------------------------------------------- */
/* Largest local header xa_zip_local_header writes for a name of nlen bytes. */
#define XA_ZIP_LOCAL_MAX(nlen) (30 + (nlen) + 20 + 6 + 63)
/* Largest central directory entry for a name of nlen bytes. */
#define XA_ZIP_CENTRAL_MAX(nlen) (46 + (nlen) + 28)
#define XA_ZIP_END_MAX (56 + 20 + 22)

/* A stored member's local header at archive offset `offset`, with np.savez's fields (ZIP64
 * extra always, as zipfile's force_zip64=True writes it; DOS time 1980-01-01 00:00, as
 * zipfile.ZipInfo's default) plus an alignment extra field so that the data starts at a
 * multiple of `align` (a power of two <= 64). Returns the bytes written to buf. */
size_t xa_zip_local_header(unsigned char *buf, const char *name, size_t nlen, uint32_t crc,
                           uint64_t size, uint64_t offset, unsigned align);
/* The central directory entry of the same member, as zipfile._write_end_record writes it. */
size_t xa_zip_central_entry(unsigned char *buf, const char *name, size_t nlen, uint32_t crc,
                            uint64_t size, uint64_t offset);
/* End records (ZIP64 end + locator when zipfile would write them, then the end record). */
size_t xa_zip_end_records(unsigned char *buf, uint64_t count, uint64_t cd_offset, uint64_t cd_size);

#endif
