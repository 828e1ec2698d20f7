/* The bounded FlatBuffers reader (flatbuf.h). */
#include "flatbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

xa_status xa_fb_fail(xa_fb *b, xa_status st, const char *fmt, ...) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xa_fail(b->err, st, "bmodel%s%s: %s", b->where[0] ? " " : "", b->where, msg);
}

/* The target of the uoffset stored at `at`. */
xa_status xa_fb_follow(xa_fb *b, size_t at, const char *what, size_t *target) {
    if (at > b->size || b->size - at < 4)
        return xa_fb_fail(b, XA_EFORMAT, "%s: offset at %zu lies outside the %zu-byte flatbuffer",
                          what, at, b->size);
    uint32_t u = xa_fb_rd32(b->p + at);
    /* Like FlatBuffers' verifier: non-zero and positive as a signed offset. */
    if (u == 0 || u > INT32_MAX || (uint64_t)at + u >= b->size)
        return xa_fb_fail(b, XA_EFORMAT,
                          "%s: offset %u at %zu points outside the %zu-byte flatbuffer", what, u,
                          at, b->size);
    *target = at + u;
    return XA_OK;
}

xa_status xa_fb_table_at(xa_fb *b, size_t pos, const char *what, xa_fb_table *t) {
    if (pos > b->size || b->size - pos < 4)
        return xa_fb_fail(b, XA_EFORMAT, "%s: table at %zu lies outside the flatbuffer", what, pos);
    int64_t vt = (int64_t)pos - (int32_t)xa_fb_rd32(b->p + pos);
    if (vt < 0 || (uint64_t)vt > b->size - 4)
        return xa_fb_fail(b, XA_EFORMAT,
                          "%s: vtable of the table at %zu lies outside the flatbuffer", what, pos);
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vtsize = xa_fb_rd16(b->p + t->vt);
    t->tsize = xa_fb_rd16(b->p + t->vt + 2);
    if (t->vtsize < 4 || (t->vtsize & 1) || t->vtsize > b->size - t->vt)
        return xa_fb_fail(b, XA_EFORMAT, "%s: bad vtable size %u at %zu", what, t->vtsize, t->vt);
    if (t->tsize < 4 || t->tsize > b->size - pos)
        return xa_fb_fail(b, XA_EFORMAT, "%s: bad table size %u at %zu", what, t->tsize, pos);
    return XA_OK;
}

/* Offset of field `id` inside the table (0: absent), checked to hold `width` bytes. */
static xa_status fb_field(xa_fb *b, const xa_fb_table *t, int id, size_t width, const char *what,
                          size_t *off) {
    size_t slot = 4 + 2 * (size_t)id;
    *off = slot + 2 <= t->vtsize ? xa_fb_rd16(b->p + t->vt + slot) : 0;
    if (*off && (*off < 4 || *off + width > t->tsize))
        return xa_fb_fail(b, XA_EFORMAT, "%s: field at %zu overruns its %u-byte table", what, *off,
                          t->tsize);
    return XA_OK;
}

/* Unsigned integer field of 2, 4 or 8 bytes. */
xa_status xa_fb_uint(xa_fb *b, const xa_fb_table *t, int id, size_t width, uint64_t def,
                     const char *what, uint64_t *v) {
    size_t off;
    xa_status st = fb_field(b, t, id, width, what, &off);
    if (st) return st;
    const unsigned char *p = b->p + t->pos + off;
    *v = !off ? def : width == 8 ? xa_fb_rd64(p) : width == 4 ? xa_fb_rd32(p) : xa_fb_rd16(p);
    return XA_OK;
}

xa_status xa_fb_i32(xa_fb *b, const xa_fb_table *t, int id, int32_t def, const char *what,
                    int32_t *v) {
    uint64_t u = (uint32_t)def; /* kept on failure too */
    xa_status st = xa_fb_uint(b, t, id, 4, (uint32_t)def, what, &u);
    uint32_t w = (uint32_t)u;
    memcpy(v, &w, sizeof *v); /* two's complement reinterpretation */
    return st;
}

xa_status xa_fb_f32(xa_fb *b, const xa_fb_table *t, int id, float def, const char *what, float *v) {
    uint32_t d;
    memcpy(&d, &def, sizeof d);
    uint64_t u = d; /* kept on failure too */
    xa_status st = xa_fb_uint(b, t, id, 4, d, what, &u);
    uint32_t w = (uint32_t)u;
    memcpy(v, &w, sizeof *v);
    return st;
}

/* Position of the object an offset field points to; *present = 0 when the field is absent. */
static xa_status fb_ref(xa_fb *b, const xa_fb_table *t, int id, const char *what, size_t *target,
                        int *present) {
    size_t off;
    xa_status st = fb_field(b, t, id, 4, what, &off);
    *present = off != 0;
    if (st || !off) return st;
    return xa_fb_follow(b, t->pos + off, what, target);
}

/* A vector at `at`: its count and the position of element 0. */
static xa_status fb_vector(xa_fb *b, size_t at, size_t elem, const char *what, size_t *n,
                           size_t *data) {
    if (at > b->size || b->size - at < 4)
        return xa_fb_fail(b, XA_EFORMAT, "%s: vector at %zu lies outside the flatbuffer", what, at);
    *n = xa_fb_rd32(b->p + at);
    *data = at + 4;
    if (*n > (b->size - *data) / elem)
        return xa_fb_fail(b, XA_EFORMAT,
                          "%s: vector of %zu elements at %zu overruns the %zu-byte "
                          "flatbuffer",
                          what, *n, at, b->size);
    return XA_OK;
}

/* A vector field of `elem`-byte elements: count and element 0's position; *n = 0 and
 * *present = 0 when the field is absent (an error if it is required). */
xa_status xa_fb_vector_field(xa_fb *b, const xa_fb_table *t, int id, size_t elem, int required,
                             const char *what, size_t *n, size_t *data, int *present) {
    size_t at = 0;
    *n = 0;
    *data = 0;
    xa_status st = fb_ref(b, t, id, what, &at, present);
    if (st) return st;
    if (!*present)
        return required ? xa_fb_fail(b, XA_EFORMAT, "%s is missing (required by the schema)", what)
                        : XA_OK;
    return fb_vector(b, at, elem, what, n, data);
}

/* A string field copied out; *out stays NULL when absent and not required. */
xa_status xa_fb_string(xa_fb *b, const xa_fb_table *t, int id, int required, const char *what,
                       char **out) {
    size_t n, data;
    int present;
    *out = NULL;
    xa_status st = xa_fb_vector_field(b, t, id, 1, required, what, &n, &data, &present);
    if (st || !present) return st;
    if (n >= b->size - data || b->p[data + n] != 0)
        return xa_fb_fail(b, XA_EFORMAT, "%s: string of %zu bytes at %zu lacks its terminating 0",
                          what, n, data - 4);
    if (memchr(b->p + data, 0, n))
        return xa_fb_fail(b, XA_EFORMAT, "%s: string holds a NUL byte", what);
    if (n > b->max_string)
        return xa_fb_fail(b, XA_ELIMIT, "%s: string of %zu bytes exceeds the limit of %llu", what,
                          n, (unsigned long long)b->max_string);
    if (n > b->max_text - b->text)
        return xa_fb_fail(b, XA_ELIMIT, "strings exceed the limit of %llu bytes in all",
                          (unsigned long long)b->max_text);
    b->text += n;
    *out = malloc(n + 1);
    if (!*out) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    memcpy(*out, b->p + data, n + 1);
    return XA_OK;
}

/* Table k of a vector of tables starting at `data`. */
xa_status xa_fb_element(xa_fb *b, size_t data, size_t k, const char *what, xa_fb_table *t) {
    size_t pos = 0;
    xa_status st = xa_fb_follow(b, data + 4 * k, what, &pos);
    return st ? st : xa_fb_table_at(b, pos, what, t);
}
