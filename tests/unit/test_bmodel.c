/* The bmodel FlatBuffers walk on hand-laid buffers: the statuses of corrupt layouts and the
 * limits on buffers that share sub-objects to multiply their size. (Well-formed files built by
 * flatc from the real schema are tested in tests/cli/test_bmodel.py.) */
#include "test.h"
#include "xalign/io.h"

#include <stdint.h>
#include <string.h>

/* ---- a tiny forward-only FlatBuffers writer: every object is written after what points to it,
 * so every uoffset is positive; vtables precede their tables; all fields are 4 bytes wide. */
typedef struct {
    unsigned char *b;
    size_t n, cap;
} fbw;

static void put(fbw *f, size_t at, uint64_t v, int bytes) {
    for (int i = 0; i < bytes; i++) f->b[at + (size_t)i] = (unsigned char)(v >> (8 * i));
}
static size_t add(fbw *f, uint64_t v, int bytes) {
    size_t at = f->n;
    if (f->n + (size_t)bytes > f->cap) abort();
    put(f, at, v, bytes);
    f->n += (size_t)bytes;
    return at;
}
static void pad4(fbw *f) {
    while (f->n % 4) add(f, 0, 1);
}
/* The uoffset at `slot` points to `target`. */
static void link(fbw *f, size_t slot, size_t target) {
    put(f, slot, target - slot, 4);
}

/* A table of `nslots` vtable slots whose fields ids[0..nf) are present; slot[j] = field ids[j]. */
static size_t table(fbw *f, int nslots, int nf, const int *ids, size_t *slot) {
    size_t vt = add(f, 4 + 2 * (uint64_t)nslots, 2);
    add(f, 4 + 4 * (uint64_t)nf, 2);
    for (int s = 0; s < nslots; s++) {
        int j = -1;
        for (int k = 0; k < nf; k++)
            if (ids[k] == s) j = k;
        add(f, j < 0 ? 0 : 4 + 4 * (uint64_t)j, 2);
    }
    pad4(f);
    size_t t = add(f, (uint32_t)(f->n - vt), 4); /* soffset: the vtable lies before */
    for (int k = 0; k < nf; k++) slot[k] = add(f, 0, 4);
    return t;
}
static size_t string(fbw *f, const char *s, size_t len) {
    size_t at = add(f, len, 4);
    for (size_t i = 0; i < len; i++) add(f, (unsigned char)s[i % strlen(s)], 1);
    add(f, 0, 1);
    pad4(f);
    return at;
}
static size_t vector(fbw *f, size_t n) {
    size_t at = add(f, n, 4);
    for (size_t i = 0; i < n; i++) add(f, 0, 4);
    return at;
}

typedef struct {
    size_t nnets, nstages, ntensors, namelen;
    int with_shape; /* the tensor has data_type, shape, scale and zero_point */
    uint32_t data_type;
    size_t rank;
    uint64_t dim; /* every dimension */
    size_t chip_at, root_at, model_at, tensor_name_at, model_vt;
} spec;

/* Model > nnets x the same Net > nstages x the same NetParameter > ntensors x the same Tensor
 * as inputs (no outputs): the sharing FlatBuffers allows, so totals multiply. */
static size_t build(fbw *f, spec *s) {
    f->n = 0;
    s->root_at = add(f, 0, 4);
    size_t ms[5];
    s->model_vt = f->n;
    s->model_at = table(f, 5, 5, (int[]){0, 1, 2, 3, 4}, ms);
    link(f, s->root_at, s->model_at);
    link(f, ms[0], string(f, "B", 1));
    link(f, ms[1], string(f, "2.2", 3));
    link(f, ms[2], string(f, "now", 3));
    s->chip_at = string(f, "BM1684X", 7);
    link(f, ms[3], s->chip_at);
    size_t nets = vector(f, s->nnets);
    link(f, ms[4], nets);
    size_t ns[2];
    size_t net = table(f, 4, 2, (int[]){0, 3}, ns);
    for (size_t k = 0; k < s->nnets; k++) link(f, nets + 4 + 4 * k, net);
    link(f, ns[0], string(f, "net", 3));
    size_t params = vector(f, s->nstages);
    link(f, ns[1], params);
    size_t ps[2];
    size_t param = table(f, 2, 2, (int[]){0, 1}, ps);
    for (size_t k = 0; k < s->nstages; k++) link(f, params + 4 + 4 * k, param);
    size_t ins = vector(f, s->ntensors);
    link(f, ps[0], ins);
    link(f, ps[1], vector(f, 0));
    size_t ts[5];
    size_t tensor = s->with_shape ? table(f, 11, 5, (int[]){0, 1, 5, 7, 10}, ts)
                                  : table(f, 1, 1, (int[]){0}, ts);
    for (size_t k = 0; k < s->ntensors; k++) link(f, ins + 4 + 4 * k, tensor);
    s->tensor_name_at = string(f, "data", s->namelen);
    link(f, ts[0], s->tensor_name_at);
    if (s->with_shape) {
        put(f, ts[1], s->data_type, 4);
        float scale = 0.25f;
        uint32_t u;
        memcpy(&u, &scale, 4);
        put(f, ts[3], u, 4);
        put(f, ts[4], (uint32_t)-5, 4);
        size_t shapes = vector(f, 1);
        link(f, ts[2], shapes);
        size_t ss[1];
        size_t shape = table(f, 1, 1, (int[]){0}, ss);
        link(f, shapes + 4, shape);
        size_t dims = add(f, s->rank, 4);
        link(f, ss[0], dims);
        for (size_t k = 0; k < s->rank; k++) add(f, k + 1 == s->rank ? s->dim : 2, 8);
    }
    return f->n;
}

/* Header + flatbuffer into `out`; returns the file size. */
static size_t wrap(const fbw *f, unsigned char *out, uint32_t magic) {
    memset(out, 0, 64);
    uint32_t h[4] = {magic, 64, (uint32_t)f->n, 0};
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) out[4 * i + k] = (unsigned char)(h[i] >> (8 * k));
    memcpy(out + 64, f->b, f->n);
    return 64 + f->n;
}

static xa_status parse(const fbw *f, unsigned char *file, xa_bmodel **m, xa_error *err) {
    size_t n = wrap(f, file, XA_BMODEL_MAGIC);
    return xa_bmodel_parse(file, n, m, err);
}

#define CAP (1u << 18)
static unsigned char fbuf[CAP], file[CAP + 64];

int main(void) {
    fbw f = {fbuf, 0, CAP};
    xa_bmodel *m = NULL;
    xa_error err;

    /* a well-formed shared layout parses, every net/stage/tensor expanded */
    spec ok = {.nnets = 2, .nstages = 3, .ntensors = 4, .namelen = 4};
    build(&f, &ok);
    xa_status st = parse(&f, file, &m, &err);
    CHECKF(st == XA_OK, "%s", err.message);
    if (st == XA_OK) {
        CHECK(m->nnets == 2 && !strcmp(m->chip, "BM1684X") && !strcmp(m->version, "2.2"));
        CHECK(m->nets[1].nstages == 3 && m->nets[1].stages[2].ninputs == 4 &&
              m->nets[1].stages[2].noutputs == 0);
        const xa_bmodel_tensor *t = &m->nets[1].stages[2].inputs[3];
        CHECK(!strcmp(t->name, "data") && t->bm_dtype == 0 && t->dtype == XA_F32);
        CHECK(t->scale == 1.0f && t->zero_point == 0 && t->nshapes == 0); /* schema defaults */
        CHECK(xa_bmodel_tensor_nbytes(t) == -1);                          /* no shape */
        xa_bmodel_free(m);
    }
    /* the old magic reads the same layout */
    size_t n = wrap(&f, file, XA_BMODEL_MAGIC_OLD);
    st = xa_bmodel_parse(file, n, &m, &err);
    CHECKF(st == XA_OK && m->magic == XA_BMODEL_MAGIC_OLD, "%s", err.message);
    xa_bmodel_free(m);

    /* scalars: data_type, scale, zero_point, and the first shape */
    spec sc = {.nnets = 1,
               .nstages = 1,
               .ntensors = 1,
               .namelen = 4,
               .with_shape = 1,
               .data_type = 8,
               .rank = 3,
               .dim = 7};
    build(&f, &sc);
    st = parse(&f, file, &m, &err);
    CHECKF(st == XA_OK, "%s", err.message);
    if (st == XA_OK) {
        const xa_bmodel_tensor *t = &m->nets[0].stages[0].inputs[0];
        CHECK(t->bm_dtype == 8 && t->dtype == XA_BF16 && t->scale == 0.25f && t->zero_point == -5);
        CHECK(t->nshapes == 1 && t->rank == 3 && t->shape[0] == 2 && t->shape[2] == 7);
        CHECK(xa_bmodel_tensor_nbytes(t) == 2 * 2 * 7 * 2);
        xa_bmodel_free(m);
    }
    sc.data_type = 9; /* int4: listed, no byte size */
    build(&f, &sc);
    st = parse(&f, file, &m, &err);
    CHECK(st == XA_OK && m->nets[0].stages[0].inputs[0].dtype == XA_DTYPE_INVALID &&
          xa_bmodel_tensor_nbytes(&m->nets[0].stages[0].inputs[0]) == -1);
    xa_bmodel_free(m);
    sc.data_type = 0;
    sc.rank = XA_MAX_RANK + 1;
    build(&f, &sc);
    CHECK(parse(&f, file, &m, &err) == XA_ELIMIT && m == NULL);
    sc.rank = 2;
    sc.dim = (uint64_t)1 << 63;
    build(&f, &sc);
    CHECK(parse(&f, file, &m, &err) == XA_ELIMIT);

    /* sharing that multiplies: stages, tensors and string bytes are limited in all */
    spec amp1 = {.nnets = 600, .nstages = 600, .ntensors = 1, .namelen = 4};
    build(&f, &amp1);
    st = parse(&f, file, &m, &err);
    CHECKF(st == XA_ELIMIT && strstr(err.message, "stages"), "%d %s", st, err.message);
    spec amp2 = {.nnets = 1, .nstages = 100, .ntensors = 3000, .namelen = 4};
    build(&f, &amp2);
    st = parse(&f, file, &m, &err);
    CHECKF(st == XA_ELIMIT && strstr(err.message, "tensors"), "%d %s", st, err.message);
    spec amp3 = {.nnets = 1, .nstages = 1, .ntensors = 2000, .namelen = 60000};
    build(&f, &amp3);
    st = parse(&f, file, &m, &err);
    CHECKF(st == XA_ELIMIT && strstr(err.message, "strings"), "%d %s", st, err.message);
    spec longname = {.nnets = 1, .nstages = 1, .ntensors = 1, .namelen = XA_BMODEL_MAX_STRING + 1};
    build(&f, &longname);
    CHECK(parse(&f, file, &m, &err) == XA_ELIMIT);

    /* the same limits at run time (xa_limits through xa_load_options), each just below what the
     * well-formed model above needs (2 nets x 3 stages x 4 tensors named "data") */
    xa_limits lim;
    struct {
        uint64_t *field, below;
        const char *msg;
    } lims[] = {
        {&lim.bmodel_nets, 1, "2 nets exceed the limit of 1"},
        {&lim.bmodel_stages, 5, "more than 5 stages in all"},
        {&lim.bmodel_tensors, 23, "more than 23 tensors in all"},
        {&lim.bmodel_string_bytes, 3, "exceeds the limit of 3"},
        {&lim.bmodel_text_bytes, 20, "limit of 20 bytes in all"},
        {&lim.bmodel_flatbuffer_bytes, 64, "above the limit of 63"},
    };
    size_t nl = sizeof lims / sizeof lims[0];
    build(&f, &ok);
    n = wrap(&f, file, XA_BMODEL_MAGIC);
    xa_load_options lo = {&lim, 0};
    for (size_t i = 0; i < nl; i++) {
        xa_limits_init(&lim);
        *lims[i].field = lims[i].below;
        st = xa_bmodel_parse_ex(file, n, &lo, &m, &err);
        CHECKF(st == XA_ELIMIT && m == NULL && strstr(err.message, lims[i].msg), "%d %s", st,
               err.message);
    }
    xa_limits_init(&lim);
    lim.bmodel_nets = 2, lim.bmodel_stages = 6, lim.bmodel_tensors = 24;
    lim.bmodel_string_bytes = 7; /* "BM1684X" */
    st = xa_bmodel_parse_ex(file, n, &lo, &m, &err);
    CHECKF(st == XA_OK, "%s", err.message);
    xa_bmodel_free(m);

    /* corrupt layouts: each one XA_EFORMAT, nothing returned */
    struct {
        const char *what;
        size_t at;
        uint64_t v;
        int bytes;
    } bad[] = {
        {"root offset 0", 0, 0, 4},
        {"root offset past the end", 0, 1u << 20, 4},
        {"root offset negative as int32", 0, 0x80000000u, 4},
        {"odd vtable size", 0, 5, 2}, /* at model_vt */
        {"table too small for its fields", 0, 8, 2},
        {"vtable before the buffer", 0, 0x7fff0000u, 4},
        {"chip slot cleared (required)", 0, 0, 2},
        {"string without its 0", 0, 'X', 1},
        {"string with a NUL inside", 0, 0, 1},
        {"string longer than the buffer", 0, 0xffffffu, 4},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        build(&f, &ok);
        size_t at = bad[i].at;
        if (i == 3) at = ok.model_vt;
        if (i == 4) at = ok.model_vt + 2;
        if (i == 5) at = ok.model_at;
        if (i == 6) at = ok.model_vt + 4 + 2 * 3;
        if (i == 7) at = ok.chip_at + 4 + 7;
        if (i == 8) at = ok.chip_at + 4 + 2;
        if (i == 9) at = ok.chip_at;
        put(&f, at, bad[i].v, bad[i].bytes);
        m = NULL;
        st = parse(&f, file, &m, &err);
        CHECKF(st == XA_EFORMAT && m == NULL, "%s: status %d (%s)", bad[i].what, st, err.message);
    }
    build(&f, &ok);
    put(&f, ok.model_vt + 4 + 2 * 3, 0, 2);
    parse(&f, file, &m, &err);
    CHECKF(strstr(err.message, "Model.chip is missing") != NULL, "%s", err.message);

    /* the header */
    build(&f, &ok);
    n = wrap(&f, file, XA_BMODEL_MAGIC);
    CHECK(xa_bmodel_parse(file, 63, &m, &err) == XA_ETRUNC);
    CHECK(xa_bmodel_parse(file, n - 1, &m, &err) == XA_ETRUNC && strstr(err.message, "needs"));
    file[4] = 63;
    CHECK(xa_bmodel_parse(file, n, &m, &err) == XA_EFORMAT);
    file[4] = 64;
    file[8] = 4, file[9] = file[10] = file[11] = 0;
    CHECK(xa_bmodel_parse(file, n, &m, &err) == XA_EFORMAT);
    wrap(&f, file, 0x12345678u);
    CHECK(xa_bmodel_parse(file, n, &m, &err) == XA_EFORMAT && !xa_bmodel_sniff(file, n));
    CHECK(xa_bmodel_sniff(file, 3) == 0);

    /* names and no-ops */
    CHECK(!strcmp(xa_bmodel_dtype_name(0), "float32") &&
          !strcmp(xa_bmodel_dtype_name(8), "bfloat16"));
    CHECK(!strcmp(xa_bmodel_dtype_name(10), "uint4") && xa_bmodel_dtype_name(11) == NULL &&
          xa_bmodel_dtype_name(-1) == NULL);
    xa_bmodel_free(NULL);
    TEST_DONE();
}
