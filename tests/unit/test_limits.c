/* Run-time limits (core.h xa_limits): the defaults are the documented constants, and each field,
 * set below what an input needs, refuses that input with XA_ELIMIT and a message giving the
 * limit -- through the public options of every reader, and through the ops' internal hook the
 * operation registry sets. The same input loads with the defaults. */
#include "test.h"
#include "ops/ops_internal.h"
#include "xalign/xalign.h"

#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[] = "/tmp/xa-test-limits-XXXXXX";
static char path_buf[512];

static const char *path(const char *name) {
    snprintf(path_buf, sizeof path_buf, "%s/%s", dir, name);
    return path_buf;
}

static int refused(xa_status st, const xa_error *e, const char *text) {
    if (st == XA_ELIMIT && e->status == XA_ELIMIT && strstr(e->message, text)) return 1;
    fprintf(stderr, "  want XA_ELIMIT with '%s', got %d: %s\n", text, (int)st, e->message);
    return 0;
}

static xa_tensor *ramp(int64_t n) {
    xa_tensor *t = NULL;
    if (xa_tensor_new(XA_F32, 1, &n, &t, NULL)) return NULL;
    for (int64_t i = 0; i < n; i++) ((float *)t->data)[i] = (float)i;
    return t;
}

static void test_defaults(void) {
    xa_limits l;
    memset(&l, 0xAB, sizeof l);
    xa_limits_init(&l);
    CHECK(l.npy_header_bytes == XA_NPY_MAX_HEADER && l.max_elements == XA_MAX_ELEMENTS);
    CHECK(l.npz_members == XA_NPZ_MAX_MEMBERS && l.npz_inflated_bytes == XA_NPZ_MAX_INFLATED);
    CHECK(l.npz_name_bytes == XA_NPZ_MAX_NAME && l.spec_shapes == XA_SPEC_MAX_SHAPES);
    CHECK(l.image_pixels == XA_IMAGE_MAX_PIXELS);
    CHECK(l.bmodel_flatbuffer_bytes == XA_BMODEL_MAX_FLATBUFFER &&
          l.bmodel_nets == XA_BMODEL_MAX_NETS && l.bmodel_stages == XA_BMODEL_MAX_STAGES &&
          l.bmodel_tensors == XA_BMODEL_MAX_TENSORS &&
          l.bmodel_string_bytes == XA_BMODEL_MAX_STRING &&
          l.bmodel_text_bytes == XA_BMODEL_MAX_TEXT);
    CHECK(l.manifest_bytes == XA_MANIFEST_MAX_BYTES &&
          l.op_output_bytes == XA_OPS_MAX_OUTPUT_BYTES);
    xa_limits_init(NULL); /* no-op */
}

static void test_npy(void) {
    xa_tensor *t = ramp(100), *got = NULL;
    void *bytes = NULL;
    size_t n = 0;
    xa_error e;
    CHECK(t && xa_npy_encode(t, &bytes, &n, &e) == XA_OK);
    xa_limits l;
    xa_limits_init(&l);
    xa_load_options o = {&l, 0};
    l.max_elements = 99;
    CHECK(refused(xa_npy_from_memory_ex(bytes, n, "r.npy", &o, &got, &e), &e,
                  "100 elements exceed the limit of 99") &&
          !got);
    CHECK(xa_npy_save(path("r.npy"), t, &e) == XA_OK);
    CHECK(refused(xa_npy_load_ex(path("r.npy"), &o, &got, &e), &e, "limit of 99"));
    CHECK(refused(xa_load_ex(path("r.npy"), &o, &got, &e), &e, "limit of 99"));
    l.max_elements = 100;
    l.npy_header_bytes = 32; /* np.save's header for this array is 118 bytes */
    CHECK(refused(xa_npy_from_memory_ex(bytes, n, "r.npy", &o, &got, &e), &e,
                  "header of 118 bytes exceeds the limit of 32"));
    l.npy_header_bytes = 118;
    CHECK(xa_npy_from_memory_ex(bytes, n, "r.npy", &o, &got, &e) == XA_OK && got &&
          xa_tensor_count(got) == 100);
    xa_tensor_free(got);
    /* raw specs: elements per tensor and shapes per spec */
    FILE *f = fopen(path("r.bin"), "wb");
    CHECK(f && fwrite(t->data, 1, t->nbytes, f) == t->nbytes);
    if (f) fclose(f);
    l.max_elements = 50;
    char spec[600];
    snprintf(spec, sizeof spec, "%s:f32:50,50", path("r.bin"));
    xa_tensor_list tl;
    CHECK(xa_load_all_ex(spec, &o, &tl, &e) == XA_OK && tl.count == 2);
    xa_tensor_list_clear(&tl);
    snprintf(spec, sizeof spec, "%s:f32:100", path("r.bin"));
    CHECK(refused(xa_load_all_ex(spec, &o, &tl, &e), &e, "100 elements exceed the limit of 50"));
    l.spec_shapes = 1;
    snprintf(spec, sizeof spec, "%s:f32:50,50", path("r.bin"));
    CHECK(refused(xa_load_all_ex(spec, &o, &tl, &e), &e, "2 shapes exceed the limit of 1"));
    xa_spec sp;
    CHECK(refused(xa_spec_parse_ex("x:f32:1,2,3", &o, &sp, &e), &e, "limit of 1"));
    /* the plain calls keep the defaults */
    CHECK(xa_load_all(spec, &tl, &e) == XA_OK && tl.count == 2);
    xa_tensor_list_clear(&tl);
    xa_free(bytes);
    xa_tensor_free(t);
}

/* Little-endian fields of the given byte widths; returns the end. */
static unsigned char *le_fields(unsigned char *p, const int *width, const uint64_t *v, int n) {
    for (int f = 0; f < n; f++)
        for (int i = 0; i < width[f]; i++) *p++ = (unsigned char)(v[f] >> (8 * i));
    return p;
}

/* A one-member archive "a.npy" holding a deflated copy of `npy` (np.savez_compressed's layout,
 * minus the ZIP64 extra numpy does not need here). */
static size_t deflated_npz(const void *npy, size_t n, unsigned char *out, size_t cap) {
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) return 0;
    unsigned char *comp = out + 30 + 5;
    zs.next_in = (unsigned char *)npy;
    zs.avail_in = (uInt)n;
    zs.next_out = comp;
    zs.avail_out = (uInt)(cap - 200);
    int r = deflate(&zs, Z_FINISH);
    size_t cn = zs.total_out;
    deflateEnd(&zs);
    if (r != Z_STREAM_END) return 0;
    uint32_t crc = (uint32_t)crc32(0, npy, (uInt)n);
    static const int local[] = {4, 2, 2, 2, 4, 4, 4, 4, 2, 2};
    const uint64_t lv[] = {0x04034b50, 20, 0, 8, 0, crc, cn, n, 5, 0};
    unsigned char *p = le_fields(out, local, lv, 10);
    memcpy(p, "a.npy", 5);
    p += 5 + cn;
    size_t cd = (size_t)(p - out);
    static const int central[] = {4, 2, 2, 2, 2, 4, 4, 4, 4, 2, 2, 2, 2, 2, 4, 4};
    const uint64_t cv[] = {0x02014b50, 20, 20, 0, 8, 0, crc, cn, n, 5, 0, 0, 0, 0, 0, 0};
    p = le_fields(p, central, cv, 16);
    memcpy(p, "a.npy", 5);
    p += 5;
    static const int end[] = {4, 2, 2, 2, 2, 4, 4, 2};
    const uint64_t ev[] = {0x06054b50, 0, 0, 1, 1, (uint64_t)(p - out) - cd, cd, 0};
    p = le_fields(p, end, ev, 8);
    return (size_t)(p - out);
}

static void test_npz(void) {
    xa_tensor *a = ramp(1000), *b = ramp(3), *got = NULL;
    const char *names[3] = {"first", "second", "a_rather_long_member_name"};
    const xa_tensor *ts[3] = {a, b, b};
    xa_error e;
    CHECK(a && b && xa_npz_save(path("z.npz"), 3, names, ts, &e) == XA_OK);
    xa_limits l;
    xa_limits_init(&l);
    xa_load_options o = {&l, 1};
    xa_npz *z = NULL;
    l.npz_members = 2;
    CHECK(refused(xa_npz_open_ex(path("z.npz"), &o, &z, &e), &e, "limit") && !z);
    l.npz_members = 3;
    l.npz_name_bytes = 16; /* "a_rather_long_member_name.npy" is 29 bytes */
    CHECK(refused(xa_npz_open_ex(path("z.npz"), &o, &z, &e), &e, "limit"));
    l.npz_name_bytes = 29;
    l.max_elements = 999; /* a member's elements, checked when it is loaded */
    CHECK(xa_npz_open_ex(path("z.npz"), &o, &z, &e) == XA_OK && xa_npz_count(z) == 3);
    CHECK(refused(xa_npz_load(z, "first", &got, &e), &e, "z.npz#first") && !got);
    CHECK(xa_npz_load(z, "second", &got, &e) == XA_OK && xa_tensor_count(got) == 3);
    xa_tensor_free(got);
    xa_npz_free(z);

    /* a deflated member: its declared inflated size against npz_inflated_bytes */
    void *npy = NULL;
    size_t n = 0;
    static unsigned char arch[16384];
    CHECK(xa_npy_encode(a, &npy, &n, &e) == XA_OK);
    size_t an = deflated_npz(npy, n, arch, sizeof arch);
    CHECK(an > 0);
    xa_limits_init(&l);
    l.npz_inflated_bytes = n - 1;
    CHECK(xa_npz_open_memory_ex(arch, an, &o, &z, &e) == XA_OK);
    char want[64];
    snprintf(want, sizeof want, "declares %zu inflated bytes, above the limit of %zu", n, n - 1);
    CHECK(refused(xa_npz_load(z, "a", &got, &e), &e, want));
    xa_npz_free(z);
    l.npz_inflated_bytes = n;
    CHECK(xa_npz_open_memory_ex(arch, an, &o, &z, &e) == XA_OK);
    CHECKF(xa_npz_load(z, "a", &got, &e) == XA_OK && xa_tensor_count(got) == 1000, "%s", e.message);
    xa_tensor_free(got);
    xa_npz_free(z);
    xa_free(npy);
    xa_tensor_free(a);
    xa_tensor_free(b);
}

static void test_manifest(void) {
    FILE *f = fopen(path("m.json"), "w");
    CHECK(f != NULL);
    if (!f) return;
    const char *text = "{\"stages\": {\"a\": {\"tolerance\": {\"max_abs\": 0.5}}}}\n";
    fputs(text, f);
    fclose(f);
    CHECK(strlen(text) == 51);
    xa_limits l;
    xa_limits_init(&l);
    l.manifest_bytes = 50;
    xa_manifest m;
    xa_error e;
    CHECK(refused(xa_manifest_load_ex(path("m.json"), &l, &m, &e), &e,
                  "manifest of 51 bytes is larger than the limit of 50"));
    l.manifest_bytes = 51;
    CHECK(xa_manifest_load_ex(path("m.json"), &l, &m, &e) == XA_OK && m.nstages == 1);
    xa_manifest_clear(&m);
}

static void test_ops(void) {
    int64_t shape[3] = {4, 4, 3};
    xa_tensor *img = NULL, *out = NULL;
    xa_error e;
    CHECK(xa_tensor_new(XA_U8, 3, shape, &img, &e) == XA_OK);
    xa_limits l;
    xa_limits_init(&l);
    l.op_output_bytes = 8 * 8 * 3 - 1;
    const xa_limits *prev = xa_ops_set_limits(&l);
    CHECK(prev == NULL);
    CHECK(refused(xa_resize(img, 8, 8, XA_RESIZE_CV_LINEAR, &out, &e), &e,
                  "output of 192 bytes (8x8) exceeds the limit of 191") &&
          !out);
    CHECK(refused(xa_pad_constant(img, XA_LAYOUT_HWC, 2, 2, 2, 2, NULL, 0, &out, &e), &e,
                  "limit of 191"));
    l.op_output_bytes = 8 * 8 * 3;
    CHECK(xa_resize(img, 8, 8, XA_RESIZE_CV_LINEAR, &out, &e) == XA_OK);
    xa_tensor_free(out);
    CHECK(xa_ops_set_limits(prev) == &l);
    xa_tensor_free(img);
}

/* xa_stages_options.limits reach the loads of the stage dumps. */
static void test_stages(void) {
    xa_tensor *t = ramp(10);
    xa_error e;
    char r[256], p[256];
    snprintf(r, sizeof r, "%s/ref", dir);
    snprintf(p, sizeof p, "%s/port", dir);
    mkdir(r, 0700);
    mkdir(p, 0700);
    snprintf(path_buf, sizeof path_buf, "%s/00_x.npy", r);
    CHECK(xa_npy_save(path_buf, t, &e) == XA_OK);
    snprintf(path_buf, sizeof path_buf, "%s/00_x.npy", p);
    CHECK(xa_npy_save(path_buf, t, &e) == XA_OK);
    xa_limits l;
    xa_limits_init(&l);
    l.max_elements = 9;
    xa_stages_options so;
    memset(&so, 0, sizeof so);
    so.limits = &l;
    xa_stages_report rep;
    CHECK(xa_stages_run(r, p, &so, &rep, &e) == XA_OK && rep.nstages == 1);
    CHECKF(rep.nstages == 1 && rep.stages[0].status == XA_STAGE_ERROR && rep.stages[0].error &&
               strstr(rep.stages[0].error, "10 elements exceed the limit of 9"),
           "%s", rep.nstages ? rep.stages[0].error : "");
    xa_stages_report_clear(&rep);
    so.limits = NULL;
    CHECK(xa_stages_run(r, p, &so, &rep, &e) == XA_OK && rep.stages[0].status == XA_STAGE_ALIGNED);
    xa_stages_report_clear(&rep);
    xa_tensor_free(t);
}

int main(void) {
    if (!mkdtemp(dir)) return 1;
    test_defaults();
    test_npy();
    test_npz();
    test_manifest();
    test_ops();
    test_stages();
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
    TEST_DONE();
}
