/* SOPHON .bmodel metadata: a bounded FlatBuffers reader for the `bmodel.Model` schema, and the
 * split of BMRT_SAVE_IO_TENSORS dumps into the tensors a bmodel names.
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
 * table's declared size, every count against the bytes left and against the limits in io.h.
 * The walk follows the fixed nesting of the schema (Model > Net > NetParameter > Tensor > Shape),
 * so there is no recursion; shared sub-objects are counted each time they are reached, so the
 * totals are bounded even for a buffer built to repeat itself.
 *
 * Field ids are those of tpu-mlir include/tpu_mlir/Builder/BM168x/bmodel.fbs (equal in libsophon
 * tpu-bmodel/model/model.fbs); tests/data/bmodel/bmodel.fbs reproduces the subset read here. */
#include "io_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Field ids (vtable slots) of the schema. */
enum { MODEL_TYPE = 0, MODEL_VERSION = 1, MODEL_TIME = 2, MODEL_CHIP = 3, MODEL_NET = 4 };
enum { NET_NAME = 0, NET_PARAMETER = 3 };
enum {
    PARAM_INPUT_TENSOR = 0,
    PARAM_OUTPUT_TENSOR = 1,
    PARAM_IS_DYNAMIC = 5,
    PARAM_N_DYNAMIC = 6,
    PARAM_H_W_DYNAMIC = 7
};
enum {
    TENSOR_NAME = 0,
    TENSOR_DATA_TYPE = 1,
    TENSOR_SIZE = 4,
    TENSOR_SHAPE = 5,
    TENSOR_SCALE = 7,
    TENSOR_ZERO_POINT = 10
};
enum { SHAPE_DIM = 0 };

/* ---- little-endian reads (positions already checked) -------------------------------------- */
static uint32_t rd16(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}
static uint32_t rd32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t rd64(const unsigned char *p) {
    return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Append printf text to a bounded message buffer. */
static void msg_add(char *buf, size_t size, const char *fmt, ...) XA_PRINTF(3, 4);
static void msg_add(char *buf, size_t size, const char *fmt, ...) {
    size_t o = strlen(buf);
    if (o + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + o, size - o, fmt, ap);
    va_end(ap);
}

/* ---- the bounded reader ------------------------------------------------------------------- */
typedef struct fb {
    const unsigned char *p; /* the flatbuffer */
    size_t size;
    size_t text;            /* string bytes copied so far */
    size_t stages, tensors; /* totals so far */
    char where[160];        /* what is being read, for messages: "net 0 stage 1 input 2" */
    const xa_limits *lim;
    xa_error *err;
} fb;

typedef struct fb_table {
    size_t pos, vt;         /* table and vtable positions */
    uint32_t vtsize, tsize; /* vtable bytes, table bytes */
} fb_table;

static xa_status fb_fail(fb *b, xa_status st, const char *fmt, ...) XA_PRINTF(3, 4);
static xa_status fb_fail(fb *b, xa_status st, const char *fmt, ...) {
    char msg[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return xa_fail(b->err, st, "bmodel%s%s: %s", b->where[0] ? " " : "", b->where, msg);
}

/* The target of the uoffset stored at `at`. */
static xa_status fb_follow(fb *b, size_t at, const char *what, size_t *target) {
    if (at > b->size || b->size - at < 4)
        return fb_fail(b, XA_EFORMAT, "%s: offset at %zu lies outside the %zu-byte flatbuffer",
                       what, at, b->size);
    uint32_t u = rd32(b->p + at);
    /* Like FlatBuffers' verifier: non-zero and positive as a signed offset. */
    if (u == 0 || u > INT32_MAX || (uint64_t)at + u >= b->size)
        return fb_fail(b, XA_EFORMAT, "%s: offset %u at %zu points outside the %zu-byte flatbuffer",
                       what, u, at, b->size);
    *target = at + u;
    return XA_OK;
}

static xa_status fb_table_at(fb *b, size_t pos, const char *what, fb_table *t) {
    if (pos > b->size || b->size - pos < 4)
        return fb_fail(b, XA_EFORMAT, "%s: table at %zu lies outside the flatbuffer", what, pos);
    int64_t vt = (int64_t)pos - (int32_t)rd32(b->p + pos);
    if (vt < 0 || (uint64_t)vt > b->size - 4)
        return fb_fail(b, XA_EFORMAT, "%s: vtable of the table at %zu lies outside the flatbuffer",
                       what, pos);
    t->pos = pos;
    t->vt = (size_t)vt;
    t->vtsize = rd16(b->p + t->vt);
    t->tsize = rd16(b->p + t->vt + 2);
    if (t->vtsize < 4 || (t->vtsize & 1) || t->vtsize > b->size - t->vt)
        return fb_fail(b, XA_EFORMAT, "%s: bad vtable size %u at %zu", what, t->vtsize, t->vt);
    if (t->tsize < 4 || t->tsize > b->size - pos)
        return fb_fail(b, XA_EFORMAT, "%s: bad table size %u at %zu", what, t->tsize, pos);
    return XA_OK;
}

/* Offset of field `id` inside the table (0: absent), checked to hold `width` bytes. */
static xa_status fb_field(fb *b, const fb_table *t, int id, size_t width, const char *what,
                          size_t *off) {
    size_t slot = 4 + 2 * (size_t)id;
    *off = slot + 2 <= t->vtsize ? rd16(b->p + t->vt + slot) : 0;
    if (*off && (*off < 4 || *off + width > t->tsize))
        return fb_fail(b, XA_EFORMAT, "%s: field at %zu overruns its %u-byte table", what, *off,
                       t->tsize);
    return XA_OK;
}

/* Unsigned integer field of 2, 4 or 8 bytes. */
static xa_status fb_uint(fb *b, const fb_table *t, int id, size_t width, uint64_t def,
                         const char *what, uint64_t *v) {
    size_t off;
    xa_status st = fb_field(b, t, id, width, what, &off);
    if (st) return st;
    const unsigned char *p = b->p + t->pos + off;
    *v = !off ? def : width == 8 ? rd64(p) : width == 4 ? rd32(p) : rd16(p);
    return XA_OK;
}

static xa_status fb_i32(fb *b, const fb_table *t, int id, int32_t def, const char *what,
                        int32_t *v) {
    uint64_t u;
    xa_status st = fb_uint(b, t, id, 4, (uint32_t)def, what, &u);
    uint32_t w = (uint32_t)u;
    memcpy(v, &w, sizeof *v); /* two's complement reinterpretation */
    return st;
}

static xa_status fb_f32(fb *b, const fb_table *t, int id, float def, const char *what, float *v) {
    uint32_t d;
    memcpy(&d, &def, sizeof d);
    uint64_t u;
    xa_status st = fb_uint(b, t, id, 4, d, what, &u);
    uint32_t w = (uint32_t)u;
    memcpy(v, &w, sizeof *v);
    return st;
}

/* Position of the object an offset field points to; *present = 0 when the field is absent. */
static xa_status fb_ref(fb *b, const fb_table *t, int id, const char *what, size_t *target,
                        int *present) {
    size_t off;
    xa_status st = fb_field(b, t, id, 4, what, &off);
    *present = off != 0;
    if (st || !off) return st;
    return fb_follow(b, t->pos + off, what, target);
}

/* A vector at `at`: its count and the position of element 0. */
static xa_status fb_vector(fb *b, size_t at, size_t elem, const char *what, size_t *n,
                           size_t *data) {
    if (at > b->size || b->size - at < 4)
        return fb_fail(b, XA_EFORMAT, "%s: vector at %zu lies outside the flatbuffer", what, at);
    *n = rd32(b->p + at);
    *data = at + 4;
    if (*n > (b->size - *data) / elem)
        return fb_fail(b, XA_EFORMAT,
                       "%s: vector of %zu elements at %zu overruns the %zu-byte "
                       "flatbuffer",
                       what, *n, at, b->size);
    return XA_OK;
}

/* A vector field of `elem`-byte elements: count and element 0's position; *n = 0 and
 * *present = 0 when the field is absent (an error if it is required). */
static xa_status fb_vector_field(fb *b, const fb_table *t, int id, size_t elem, int required,
                                 const char *what, size_t *n, size_t *data, int *present) {
    size_t at = 0;
    *n = 0;
    *data = 0;
    xa_status st = fb_ref(b, t, id, what, &at, present);
    if (st) return st;
    if (!*present)
        return required ? fb_fail(b, XA_EFORMAT, "%s is missing (required by the schema)", what)
                        : XA_OK;
    return fb_vector(b, at, elem, what, n, data);
}

/* A string field copied out; *out stays NULL when absent and not required. */
static xa_status fb_string(fb *b, const fb_table *t, int id, int required, const char *what,
                           char **out) {
    size_t n, data;
    int present;
    *out = NULL;
    xa_status st = fb_vector_field(b, t, id, 1, required, what, &n, &data, &present);
    if (st || !present) return st;
    if (n >= b->size - data || b->p[data + n] != 0)
        return fb_fail(b, XA_EFORMAT, "%s: string of %zu bytes at %zu lacks its terminating 0",
                       what, n, data - 4);
    if (memchr(b->p + data, 0, n))
        return fb_fail(b, XA_EFORMAT, "%s: string holds a NUL byte", what);
    if (n > b->lim->bmodel_string_bytes)
        return fb_fail(b, XA_ELIMIT, "%s: string of %zu bytes exceeds the limit of %llu", what, n,
                       (unsigned long long)b->lim->bmodel_string_bytes);
    if (n > b->lim->bmodel_text_bytes - b->text)
        return fb_fail(b, XA_ELIMIT, "strings exceed the limit of %llu bytes in all",
                       (unsigned long long)b->lim->bmodel_text_bytes);
    b->text += n;
    *out = malloc(n + 1);
    if (!*out) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    memcpy(*out, b->p + data, n + 1);
    return XA_OK;
}

/* Table k of a vector of tables starting at `data`. */
static xa_status fb_element(fb *b, size_t data, size_t k, const char *what, fb_table *t) {
    size_t pos = 0;
    xa_status st = fb_follow(b, data + 4 * k, what, &pos);
    return st ? st : fb_table_at(b, pos, what, t);
}

/* ---- dtypes ------------------------------------------------------------------------------- */
/* bm_data_type_t (libsophon bmlib bmdef.h; tpu_model's type_name_array) and xalign's dtype. */
static const struct {
    const char *name;
    xa_dtype dt;
} bm_types[] = {
    {"float32", XA_F32},        {"float16", XA_F16},         {"int8", XA_I8},
    {"uint8", XA_U8},           {"int16", XA_I16},           {"uint16", XA_U16},
    {"int32", XA_I32},          {"uint32", XA_U32},          {"bfloat16", XA_BF16},
    {"int4", XA_DTYPE_INVALID}, {"uint4", XA_DTYPE_INVALID},
};
enum { BM_TYPE_COUNT = sizeof bm_types / sizeof bm_types[0] };

const char *xa_bmodel_dtype_name(int bm_dtype) {
    return bm_dtype >= 0 && bm_dtype < BM_TYPE_COUNT ? bm_types[bm_dtype].name : NULL;
}

int64_t xa_bmodel_tensor_nbytes(const xa_bmodel_tensor *t) {
    if (!t->dtype || !t->nshapes) return -1;
    int64_t c = xa_shape_count(t->rank, t->shape);
    uint64_t b;
    if (c < 0 || c > XA_MAX_ELEMENTS ||
        xa_mul_overflow_u64((uint64_t)c, xa_dtype_size(t->dtype), &b))
        return -1;
    return (int64_t)b;
}

/* ---- the schema walk ---------------------------------------------------------------------- */
static xa_status parse_tensor(fb *b, const fb_table *t, xa_bmodel_tensor *out) {
    xa_status st = fb_string(b, t, TENSOR_NAME, 1, "Tensor.name", &out->name);
    uint64_t u = 0;
    if (!st) st = fb_uint(b, t, TENSOR_DATA_TYPE, 4, 0, "Tensor.data_type", &u);
    out->bm_dtype = u > INT32_MAX ? -1 : (int)u; /* -1: a code no table knows */
    out->dtype = out->bm_dtype >= 0 && out->bm_dtype < BM_TYPE_COUNT ? bm_types[out->bm_dtype].dt
                                                                     : XA_DTYPE_INVALID;
    if (!st) st = fb_uint(b, t, TENSOR_SIZE, 8, 0, "Tensor.size", &out->device_size);
    if (!st) st = fb_f32(b, t, TENSOR_SCALE, 1.0f, "Tensor.scale", &out->scale);
    if (!st) st = fb_i32(b, t, TENSOR_ZERO_POINT, 0, "Tensor.zero_point", &out->zero_point);
    size_t nshapes = 0, shapes;
    int present;
    if (!st)
        st = fb_vector_field(b, t, TENSOR_SHAPE, 4, 0, "Tensor.shape", &nshapes, &shapes, &present);
    if (st || !nshapes) return st;
    out->nshapes = nshapes;
    /* The first Shape: a static net's only one; tpu_model --info shows this one too. */
    fb_table sh;
    size_t n = 0, dims;
    st = fb_element(b, shapes, 0, "Tensor.shape[0]", &sh);
    if (!st) st = fb_vector_field(b, &sh, SHAPE_DIM, 8, 0, "Shape.dim", &n, &dims, &present);
    if (st) return st;
    if (n > XA_MAX_RANK)
        return fb_fail(b, XA_ELIMIT, "tensor '%s': rank %zu exceeds the limit of %d", out->name, n,
                       XA_MAX_RANK);
    out->rank = (int)n;
    for (size_t k = 0; k < n; k++) {
        uint64_t d = rd64(b->p + dims + 8 * k);
        if (d > (uint64_t)INT64_MAX)
            return fb_fail(b, XA_ELIMIT, "tensor '%s': dimension %zu is %llu", out->name, k,
                           (unsigned long long)d);
        out->shape[k] = (int64_t)d;
    }
    return XA_OK;
}

static xa_status parse_tensors(fb *b, const fb_table *param, int id, const char *side,
                               xa_bmodel_tensor **out, size_t *count) {
    size_t n, data, len = strlen(b->where);
    int present;
    char what[48];
    snprintf(what, sizeof what, "NetParameter.%s_tensor", side);
    xa_status st = fb_vector_field(b, param, id, 4, 1, what, &n, &data, &present);
    if (st) return st;
    if (n > b->lim->bmodel_tensors - b->tensors)
        return fb_fail(b, XA_ELIMIT, "more than %llu tensors in all",
                       (unsigned long long)b->lim->bmodel_tensors);
    b->tensors += n;
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    *count = n;
    for (size_t k = 0; !st && k < n; k++) {
        fb_table t;
        snprintf(b->where + len, sizeof b->where - len, " %s %zu", side, k);
        st = fb_element(b, data, k, "Tensor", &t);
        if (!st) st = parse_tensor(b, &t, &(*out)[k]);
    }
    b->where[len] = 0;
    return st;
}

static xa_status parse_stage(fb *b, const fb_table *p, xa_bmodel_stage *s) {
    xa_status st = fb_i32(b, p, PARAM_IS_DYNAMIC, 0, "NetParameter.is_dynamic", &s->is_dynamic);
    if (!st) st = fb_i32(b, p, PARAM_N_DYNAMIC, 0, "NetParameter.n_dynamic", &s->n_dynamic);
    if (!st) st = fb_i32(b, p, PARAM_H_W_DYNAMIC, 0, "NetParameter.h_w_dynamic", &s->h_w_dynamic);
    if (!st) st = parse_tensors(b, p, PARAM_INPUT_TENSOR, "input", &s->inputs, &s->ninputs);
    if (!st) st = parse_tensors(b, p, PARAM_OUTPUT_TENSOR, "output", &s->outputs, &s->noutputs);
    return st;
}

static xa_status parse_net(fb *b, const fb_table *t, xa_bmodel_net *net) {
    xa_status st = fb_string(b, t, NET_NAME, 1, "Net.name", &net->name);
    size_t n = 0, data, len = strlen(b->where);
    int present;
    if (!st) st = fb_vector_field(b, t, NET_PARAMETER, 4, 0, "Net.parameter", &n, &data, &present);
    if (st || !n) return st;
    if (n > b->lim->bmodel_stages - b->stages)
        return fb_fail(b, XA_ELIMIT, "more than %llu stages in all",
                       (unsigned long long)b->lim->bmodel_stages);
    b->stages += n;
    net->stages = calloc(n, sizeof *net->stages);
    if (!net->stages) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    net->nstages = n;
    for (size_t k = 0; !st && k < n; k++) {
        fb_table p;
        snprintf(b->where + len, sizeof b->where - len, " stage %zu", k);
        st = fb_element(b, data, k, "NetParameter", &p);
        if (!st) st = parse_stage(b, &p, &net->stages[k]);
    }
    b->where[len] = 0;
    /* tpu_model --info: a net is dynamic when its first stage is. */
    if (!st) net->dynamic = net->stages[0].is_dynamic != 0;
    return st;
}

static xa_status parse_model(fb *b, xa_bmodel *m) {
    size_t root, n, data;
    int present;
    fb_table t;
    xa_status st = fb_follow(b, 0, "root", &root);
    if (!st) st = fb_table_at(b, root, "Model", &t);
    if (!st) st = fb_string(b, &t, MODEL_TYPE, 1, "Model.type", &m->type);
    if (!st) st = fb_string(b, &t, MODEL_VERSION, 1, "Model.version", &m->version);
    if (!st) st = fb_string(b, &t, MODEL_TIME, 1, "Model.time", &m->time);
    if (!st) st = fb_string(b, &t, MODEL_CHIP, 1, "Model.chip", &m->chip);
    if (!st) st = fb_vector_field(b, &t, MODEL_NET, 4, 1, "Model.net", &n, &data, &present);
    if (st) return st;
    if (n > b->lim->bmodel_nets)
        return fb_fail(b, XA_ELIMIT, "%zu nets exceed the limit of %llu", n,
                       (unsigned long long)b->lim->bmodel_nets);
    m->nets = calloc(n ? n : 1, sizeof *m->nets);
    if (!m->nets) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    m->nnets = n;
    for (size_t k = 0; !st && k < n; k++) {
        fb_table nt;
        snprintf(b->where, sizeof b->where, "net %zu", k);
        st = fb_element(b, data, k, "Net", &nt);
        if (!st) st = parse_net(b, &nt, &m->nets[k]);
    }
    b->where[0] = 0;
    return st;
}

int xa_bmodel_sniff(const void *buf, size_t size) {
    if (size < 4) return 0;
    uint32_t magic = rd32(buf);
    return magic == XA_BMODEL_MAGIC || magic == XA_BMODEL_MAGIC_OLD;
}

xa_status xa_bmodel_parse(const void *buf, size_t size, xa_bmodel **out, xa_error *err) {
    return xa_bmodel_parse_ex(buf, size, NULL, out, err);
}

xa_status xa_bmodel_parse_ex(const void *buf, size_t size, const xa_load_options *o,
                             xa_bmodel **out, xa_error *err) {
    *out = NULL;
    const xa_limits *lim = xa_load_limits(o);
    /* FlatBuffers' own offsets are 32-bit signed: 2 GiB is the largest buffer that can exist */
    uint64_t max_fb = lim->bmodel_flatbuffer_bytes < XA_BMODEL_MAX_FLATBUFFER
                          ? lim->bmodel_flatbuffer_bytes
                          : XA_BMODEL_MAX_FLATBUFFER;
    const unsigned char *p = buf;
    if (size < XA_BMODEL_HEADER_SIZE)
        return xa_fail(err, XA_ETRUNC, "bmodel: %zu bytes, shorter than the %d-byte header", size,
                       XA_BMODEL_HEADER_SIZE);
    if (!xa_bmodel_sniff(p, size))
        return xa_fail(err, XA_EFORMAT, "not a bmodel: magic 0x%08x (want 0x%08x)", rd32(p),
                       XA_BMODEL_MAGIC);
    xa_bmodel *m = calloc(1, sizeof *m);
    if (!m) return xa_fail(err, XA_ENOMEM, "out of memory");
    m->magic = rd32(p);
    m->header_size = rd32(p + 4);
    m->flatbuffers_size = rd32(p + 8);
    m->binary_size = rd32(p + 12);
    uint64_t need = (uint64_t)m->header_size + m->flatbuffers_size + m->binary_size;
    xa_status st = XA_OK;
    if (m->header_size < XA_BMODEL_HEADER_SIZE)
        st = xa_fail(err, XA_EFORMAT,
                     "bmodel: header_size %u is smaller than the %d-byte header "
                     "(an encrypted bmodel?)",
                     m->header_size, XA_BMODEL_HEADER_SIZE);
    else if (m->flatbuffers_size < 8)
        st =
            xa_fail(err, XA_EFORMAT, "bmodel: flatbuffers_size %u is below 8", m->flatbuffers_size);
    else if (m->flatbuffers_size >= max_fb)
        st = xa_fail(err, max_fb < XA_BMODEL_MAX_FLATBUFFER ? XA_ELIMIT : XA_EFORMAT,
                     "bmodel: flatbuffers_size %u is above the limit of %llu", m->flatbuffers_size,
                     (unsigned long long)max_fb - 1);
    else if (need > size) /* libsophon's ModelCtx refuses such files too */
        st = xa_fail(err, XA_ETRUNC,
                     "bmodel: the header needs %llu bytes (header %u + flatbuffer "
                     "%u + binary %u), the file has %zu",
                     (unsigned long long)need, m->header_size, m->flatbuffers_size, m->binary_size,
                     size);
    if (!st) {
        fb b = {p + m->header_size, m->flatbuffers_size, 0, 0, 0, "", lim, err};
        st = parse_model(&b, m);
        if (st == XA_EFORMAT && m->magic == XA_BMODEL_MAGIC_OLD && err)
            msg_add(err->message, sizeof err->message,
                    " (magic 0x%08x marks a bmtap2-era bmodel, "
                    "which may not be in the flatbuffers layout)",
                    m->magic);
    }
    if (st) {
        xa_bmodel_free(m);
        return st;
    }
    *out = m;
    return XA_OK;
}

xa_status xa_bmodel_load(const char *path, xa_bmodel **out, xa_error *err) {
    return xa_bmodel_load_ex(path, NULL, out, err);
}

xa_status xa_bmodel_load_ex(const char *path, const xa_load_options *o, xa_bmodel **out,
                            xa_error *err) {
    *out = NULL;
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    st = xa_bmodel_parse_ex(f.data, f.size, o, out, err);
    if (st) xa_error_prefix(err, path);
    xa_file_close(&f);
    return st;
}

static void free_tensors(xa_bmodel_tensor *t, size_t n) {
    for (size_t i = 0; t && i < n; i++) free(t[i].name);
    free(t);
}

void xa_bmodel_free(xa_bmodel *m) {
    if (!m) return;
    for (size_t i = 0; m->nets && i < m->nnets; i++) {
        xa_bmodel_net *net = &m->nets[i];
        for (size_t s = 0; net->stages && s < net->nstages; s++) {
            free_tensors(net->stages[s].inputs, net->stages[s].ninputs);
            free_tensors(net->stages[s].outputs, net->stages[s].noutputs);
        }
        free(net->stages);
        free(net->name);
    }
    free(m->nets);
    free(m->type);
    free(m->version);
    free(m->time);
    free(m->chip);
    free(m);
}

/* ---- BMRT dumps --------------------------------------------------------------------------- */
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
                msg_add(names, sizeof names, "%s'%s'", i ? ", " : "", m->nets[i].name);
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
                            msg_add(known, sizeof known, "%s'%s'", known[0] ? ", " : "",
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
                        msg_add(unsized, sizeof unsized,
                                "%s: tensor '%s' (%s%s) has no byte size "
                                "xalign can split by",
                                wt, bt[bad].name, dn ? dn : "unknown dtype",
                                bt[bad].nshapes ? "" : ", no shape");
                    continue;
                }
                if (nsized++ < MAX_LISTED)
                    msg_add(sizes, sizeof sizes, "%s%s need %lld", nsized > 1 ? ", " : "", wt,
                            (long long)total);
                if ((uint64_t)total != fsize) continue;
                if (nfit++ == 0) {
                    fit = w;
                } else if (!same_split(m, &fit, &w) && !other[0]) {
                    msg_add(other, sizeof other, "%s", wt);
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
