/* A bounded reader of FlatBuffers binary buffers (private to src/io; the bmodel schema walk in
 * bmodel.c is its user).
 *
 * The FlatBuffers binary format (flatbuffers.dev "FlatBuffers internals"), as read here:
 *   - all scalars little-endian; the buffer starts with a uoffset (uint32) to the root table;
 *   - a uoffset stored at position P points forward to P + value (value > 0);
 *   - a table starts with an soffset (int32) S; its vtable is at table - S and holds uint16
 *     {vtable bytes, table bytes, one field offset per field id}; a field whose slot lies past the
 *     vtable's end, or holds 0, is absent (its default applies);
 *   - a vector is a uint32 count followed by its elements; a vector of tables holds uoffsets;
 *   - a string is a uint32 length, the bytes and a terminating 0.
 * Every position is checked against the buffer before it is read, every field against its
 * table's declared size, every count against the bytes left, and strings against the reader's
 * limits. Messages read "bmodel WHERE: what is wrong" (the only schema read so far). */
#ifndef XA_FLATBUF_H
#define XA_FLATBUF_H

#include "internal.h"

/* Little-endian reads (positions already checked). */
static inline uint32_t xa_fb_rd16(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static inline uint32_t xa_fb_rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t xa_fb_rd64(const unsigned char *p) {
    return xa_fb_rd32(p) | (uint64_t)xa_fb_rd32(p + 4) << 32;
}

typedef struct xa_fb {
    const unsigned char *p; /* the flatbuffer */
    size_t size;
    uint64_t text;       /* string bytes copied so far */
    uint64_t max_string; /* limit on one string's bytes */
    uint64_t max_text;   /* limit on all strings' bytes together */
    char where[160];     /* what is being read, for messages: "net 0 stage 1 input 2" */
    xa_error *err;
} xa_fb;

typedef struct xa_fb_table {
    size_t pos, vt;         /* table and vtable positions */
    uint32_t vtsize, tsize; /* vtable bytes, table bytes */
} xa_fb_table;

/* Fail with "bmodel WHERE: message". */
xa_status xa_fb_fail(xa_fb *b, xa_status st, const char *fmt, ...) XA_PRINTF(3, 4);
/* The target of the uoffset stored at `at`. */
xa_status xa_fb_follow(xa_fb *b, size_t at, const char *what, size_t *target);
/* The table at `pos`, its vtable and sizes checked. */
xa_status xa_fb_table_at(xa_fb *b, size_t pos, const char *what, xa_fb_table *t);
/* Scalar fields: unsigned of 2, 4 or 8 bytes, int32, float; `def` when absent. */
xa_status xa_fb_uint(xa_fb *b, const xa_fb_table *t, int id, size_t width, uint64_t def,
                     const char *what, uint64_t *v);
xa_status xa_fb_i32(xa_fb *b, const xa_fb_table *t, int id, int32_t def, const char *what,
                    int32_t *v);
xa_status xa_fb_f32(xa_fb *b, const xa_fb_table *t, int id, float def, const char *what, float *v);
/* A vector field of `elem`-byte elements: count and element 0's position; *n = 0 and
 * *present = 0 when the field is absent (an error if it is required). */
xa_status xa_fb_vector_field(xa_fb *b, const xa_fb_table *t, int id, size_t elem, int required,
                             const char *what, size_t *n, size_t *data, int *present);
/* A string field copied out (malloc'd); *out stays NULL when absent and not required. */
xa_status xa_fb_string(xa_fb *b, const xa_fb_table *t, int id, int required, const char *what,
                       char **out);
/* Table k of a vector of tables starting at `data`. */
xa_status xa_fb_element(xa_fb *b, size_t data, size_t k, const char *what, xa_fb_table *t);

#endif
