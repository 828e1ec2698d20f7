/* SOPHON .bmodel metadata: the `bmodel.Model` schema walked with the bounded FlatBuffers reader
 * (flatbuf.h). The BMRT dump split by a model's tensors is bmrt.c.
 *
 * The walk follows the fixed nesting of the schema (Model > Net > NetParameter > Tensor > Shape),
 * so there is no recursion; shared sub-objects are counted each time they are reached, so the
 * totals are bounded (xa_limits' bmodel_* fields) even for a buffer built to repeat itself.
 *
 * Field ids are those of tpu-mlir include/tpu_mlir/Builder/BM168x/bmodel.fbs (equal in libsophon
 * tpu-bmodel/model/model.fbs); tests/data/bmodel/bmodel.fbs reproduces the subset read here. */
#include "flatbuf.h"
#include "io_internal.h"

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
/* The reader and the totals so far, which the limits bound across shared sub-objects. */
typedef struct bm_walk {
    xa_fb fb;
    size_t stages, tensors;
    const xa_limits *lim;
} bm_walk;

static xa_status parse_tensor(bm_walk *w, const xa_fb_table *t, xa_bmodel_tensor *out) {
    xa_fb *b = &w->fb;
    xa_status st = xa_fb_string(b, t, TENSOR_NAME, 1, "Tensor.name", &out->name);
    uint64_t u = 0;
    if (!st) st = xa_fb_uint(b, t, TENSOR_DATA_TYPE, 4, 0, "Tensor.data_type", &u);
    out->bm_dtype = u > INT32_MAX ? -1 : (int)u; /* -1: a code no table knows */
    out->dtype = out->bm_dtype >= 0 && out->bm_dtype < BM_TYPE_COUNT ? bm_types[out->bm_dtype].dt
                                                                     : XA_DTYPE_INVALID;
    if (!st) st = xa_fb_uint(b, t, TENSOR_SIZE, 8, 0, "Tensor.size", &out->device_size);
    if (!st) st = xa_fb_f32(b, t, TENSOR_SCALE, 1.0f, "Tensor.scale", &out->scale);
    if (!st) st = xa_fb_i32(b, t, TENSOR_ZERO_POINT, 0, "Tensor.zero_point", &out->zero_point);
    size_t nshapes = 0, shapes;
    int present;
    if (!st)
        st = xa_fb_vector_field(b, t, TENSOR_SHAPE, 4, 0, "Tensor.shape", &nshapes, &shapes,
                                &present);
    if (st || !nshapes) return st;
    out->nshapes = nshapes;
    /* The first Shape: a static net's only one; tpu_model --info shows this one too. */
    xa_fb_table sh;
    size_t n = 0, dims;
    st = xa_fb_element(b, shapes, 0, "Tensor.shape[0]", &sh);
    if (!st) st = xa_fb_vector_field(b, &sh, SHAPE_DIM, 8, 0, "Shape.dim", &n, &dims, &present);
    if (st) return st;
    if (n > XA_MAX_RANK)
        return xa_fb_fail(b, XA_ELIMIT, "tensor '%s': rank %zu exceeds the limit of %d", out->name,
                          n, XA_MAX_RANK);
    out->rank = (int)n;
    for (size_t k = 0; k < n; k++) {
        uint64_t d = xa_fb_rd64(b->p + dims + 8 * k);
        if (d > (uint64_t)INT64_MAX)
            return xa_fb_fail(b, XA_ELIMIT, "tensor '%s': dimension %zu is %llu", out->name, k,
                              (unsigned long long)d);
        out->shape[k] = (int64_t)d;
    }
    return XA_OK;
}

static xa_status parse_tensors(bm_walk *w, const xa_fb_table *param, int id, const char *side,
                               xa_bmodel_tensor **out, size_t *count) {
    xa_fb *b = &w->fb;
    size_t n, data, len = strlen(b->where);
    int present;
    char what[48];
    snprintf(what, sizeof what, "NetParameter.%s_tensor", side);
    xa_status st = xa_fb_vector_field(b, param, id, 4, 1, what, &n, &data, &present);
    if (st) return st;
    if (n > w->lim->bmodel_tensors - w->tensors)
        return xa_fb_fail(b, XA_ELIMIT, "more than %llu tensors in all",
                          (unsigned long long)w->lim->bmodel_tensors);
    w->tensors += n;
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    *count = n;
    for (size_t k = 0; !st && k < n; k++) {
        xa_fb_table t;
        snprintf(b->where + len, sizeof b->where - len, " %s %zu", side, k);
        st = xa_fb_element(b, data, k, "Tensor", &t);
        if (!st) st = parse_tensor(w, &t, &(*out)[k]);
    }
    b->where[len] = 0;
    return st;
}

static xa_status parse_stage(bm_walk *w, const xa_fb_table *p, xa_bmodel_stage *s) {
    xa_fb *b = &w->fb;
    xa_status st = xa_fb_i32(b, p, PARAM_IS_DYNAMIC, 0, "NetParameter.is_dynamic", &s->is_dynamic);
    if (!st) st = xa_fb_i32(b, p, PARAM_N_DYNAMIC, 0, "NetParameter.n_dynamic", &s->n_dynamic);
    if (!st)
        st = xa_fb_i32(b, p, PARAM_H_W_DYNAMIC, 0, "NetParameter.h_w_dynamic", &s->h_w_dynamic);
    if (!st) st = parse_tensors(w, p, PARAM_INPUT_TENSOR, "input", &s->inputs, &s->ninputs);
    if (!st) st = parse_tensors(w, p, PARAM_OUTPUT_TENSOR, "output", &s->outputs, &s->noutputs);
    return st;
}

static xa_status parse_net(bm_walk *w, const xa_fb_table *t, xa_bmodel_net *net) {
    xa_fb *b = &w->fb;
    xa_status st = xa_fb_string(b, t, NET_NAME, 1, "Net.name", &net->name);
    size_t n = 0, data, len = strlen(b->where);
    int present;
    if (!st)
        st = xa_fb_vector_field(b, t, NET_PARAMETER, 4, 0, "Net.parameter", &n, &data, &present);
    if (st || !n) return st;
    if (n > w->lim->bmodel_stages - w->stages)
        return xa_fb_fail(b, XA_ELIMIT, "more than %llu stages in all",
                          (unsigned long long)w->lim->bmodel_stages);
    w->stages += n;
    net->stages = calloc(n, sizeof *net->stages);
    if (!net->stages) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    net->nstages = n;
    for (size_t k = 0; !st && k < n; k++) {
        xa_fb_table p;
        snprintf(b->where + len, sizeof b->where - len, " stage %zu", k);
        st = xa_fb_element(b, data, k, "NetParameter", &p);
        if (!st) st = parse_stage(w, &p, &net->stages[k]);
    }
    b->where[len] = 0;
    /* tpu_model --info: a net is dynamic when its first stage is. */
    if (!st) net->dynamic = net->stages[0].is_dynamic != 0;
    return st;
}

static xa_status parse_model(bm_walk *w, xa_bmodel *m) {
    xa_fb *b = &w->fb;
    size_t root, n, data;
    int present;
    xa_fb_table t;
    xa_status st = xa_fb_follow(b, 0, "root", &root);
    if (!st) st = xa_fb_table_at(b, root, "Model", &t);
    if (!st) st = xa_fb_string(b, &t, MODEL_TYPE, 1, "Model.type", &m->type);
    if (!st) st = xa_fb_string(b, &t, MODEL_VERSION, 1, "Model.version", &m->version);
    if (!st) st = xa_fb_string(b, &t, MODEL_TIME, 1, "Model.time", &m->time);
    if (!st) st = xa_fb_string(b, &t, MODEL_CHIP, 1, "Model.chip", &m->chip);
    if (!st) st = xa_fb_vector_field(b, &t, MODEL_NET, 4, 1, "Model.net", &n, &data, &present);
    if (st) return st;
    if (n > w->lim->bmodel_nets)
        return xa_fb_fail(b, XA_ELIMIT, "%zu nets exceed the limit of %llu", n,
                          (unsigned long long)w->lim->bmodel_nets);
    m->nets = calloc(n ? n : 1, sizeof *m->nets);
    if (!m->nets) return xa_fail(b->err, XA_ENOMEM, "out of memory");
    m->nnets = n;
    for (size_t k = 0; !st && k < n; k++) {
        xa_fb_table nt;
        snprintf(b->where, sizeof b->where, "net %zu", k);
        st = xa_fb_element(b, data, k, "Net", &nt);
        if (!st) st = parse_net(w, &nt, &m->nets[k]);
    }
    b->where[0] = 0;
    return st;
}

int xa_bmodel_sniff(const void *buf, size_t size) {
    if (size < 4) return 0;
    uint32_t magic = xa_fb_rd32(buf);
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
        return xa_fail(err, XA_EFORMAT, "not a bmodel: magic 0x%08x (want 0x%08x)", xa_fb_rd32(p),
                       XA_BMODEL_MAGIC);
    xa_bmodel *m = calloc(1, sizeof *m);
    if (!m) return xa_fail(err, XA_ENOMEM, "out of memory");
    m->magic = xa_fb_rd32(p);
    m->header_size = xa_fb_rd32(p + 4);
    m->flatbuffers_size = xa_fb_rd32(p + 8);
    m->binary_size = xa_fb_rd32(p + 12);
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
        bm_walk w = {{p + m->header_size, m->flatbuffers_size, 0, lim->bmodel_string_bytes,
                      lim->bmodel_text_bytes, "", err},
                     0,
                     0,
                     lim};
        st = parse_model(&w, m);
        if (st == XA_EFORMAT && m->magic == XA_BMODEL_MAGIC_OLD && err)
            xa_msg_append(err->message, sizeof err->message,
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
