/* The whole-model comparison's library pieces (src/compare/members.c, pairing.c, namemap.c,
 * tolerance.c; src/io/multi.c, polygraphy.c): every expected value here is set up by the test
 * itself (tensors written with xa_npz_save, JSON written inline), so the reference is the
 * construction, not the code under test. */
#include "test.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xalign/xalign.h>

static char dir[256];

static xa_tensor *vec(xa_dtype dt, int64_t n, double scale, double offset) {
    xa_tensor *t;
    if (xa_tensor_new(dt, 1, &n, &t, NULL)) abort();
    for (int64_t i = 0; i < n; i++) {
        double v = sin((double)i * 0.37) * scale + offset;
        if (dt == XA_F32) ((float *)t->data)[i] = (float)v;
        if (dt == XA_F16) ((uint16_t *)t->data)[i] = xa_f32_to_f16((float)v);
        if (dt == XA_I8) ((int8_t *)t->data)[i] = (int8_t)lround(v);
    }
    return t;
}

/* The split spec of a raw dump: parts in order, "scalar" for rank 0, refused for two dtypes;
 * written as snprintf writes (truncated, the length it needs returned). */
static void test_split_spec(void) {
    xa_member_info p[3];
    memset(p, 0, sizeof p);
    p[0].dtype = p[1].dtype = p[2].dtype = XA_F32;
    p[0].rank = 4, p[0].shape[0] = 1, p[0].shape[1] = 3, p[0].shape[2] = 8, p[0].shape[3] = 8;
    p[1].rank = 0;
    p[2].rank = 1, p[2].shape[0] = 12;
    char buf[64];
    const char *want = "d/out.bmrt:f32:1x3x8x8,scalar,12";
    CHECK(xa_spec_format_split(buf, sizeof buf, "d/out.bmrt", p, 3) == strlen(want));
    CHECKF(!strcmp(buf, want), "split spec: %s", buf);
    char small[8];
    CHECK(xa_spec_format_split(small, sizeof small, "d/out.bmrt", p, 3) == strlen(want) &&
          strlen(small) == sizeof small - 1);
    p[1].dtype = XA_I32;
    CHECK(xa_spec_format_split(buf, sizeof buf, "d/out.bmrt", p, 3) == 0);
    CHECK(xa_spec_format_split(buf, sizeof buf, "d/out.bmrt", p, 0) == 0);
}

static void test_name_map(void) {
    xa_name_map *m;
    xa_error err = {0};
    char *out;
    CHECK(xa_name_map_new(&m, &err) == XA_OK && xa_name_map_empty(m));
    CHECK(xa_name_map_add_rename(m, "s|^onnx::||", &err) == XA_OK);
    CHECK(xa_name_map_add_rename(m, "s/(conv)([0-9]+)/\\2_\\1/g", &err) == XA_OK);
    CHECK(xa_name_map_port_name(m, "onnx::conv1/conv22", &out, &err) == XA_OK);
    CHECKF(!strcmp(out, "1_conv/22_conv"), "%s", out);
    free(out);
    /* & is the whole match; an escaped delimiter is literal */
    CHECK(xa_name_map_add_rename(m, "s/\\/out/&&/", &err) == XA_OK);
    CHECK(xa_name_map_port_name(m, "a/out", &out, &err) == XA_OK);
    CHECKF(!strcmp(out, "a/out/out"), "%s", out);
    free(out);
    const char *json = "{\"a/out\": \"mapped\", \"x\": \"y\"}";
    CHECK(xa_name_map_parse(m, json, strlen(json), "map", &err) == XA_OK);
    CHECK(xa_name_map_port_name(m, "a/out", &out, &err) == XA_OK); /* the map before renames */
    CHECKF(!strcmp(out, "mapped"), "%s", out);
    free(out);
    /* errors name the problem */
    CHECK(xa_name_map_add_rename(m, "s/a/b", &err) == XA_EINVAL && strstr(err.message, "closing"));
    CHECK(xa_name_map_add_rename(m, "s/a/b/q", &err) == XA_EINVAL && strstr(err.message, "flag"));
    CHECK(xa_name_map_add_rename(m, "y/a/b/", &err) == XA_EINVAL);
    CHECK(xa_name_map_add_rename(m, "s/[/b/", &err) == XA_EINVAL);
    const char *dup = "{\"x\": \"z\"}";
    CHECK(xa_name_map_parse(m, dup, strlen(dup), "map2", &err) == XA_EFORMAT &&
          strstr(err.message, "'x' is mapped twice"));
    const char *notstr = "{\"x\": 3}";
    CHECK(xa_name_map_parse(m, notstr, strlen(notstr), "map3", &err) == XA_EFORMAT);
    xa_name_map_free(m);
    xa_name_map_free(NULL);
    /* a global empty-match rename terminates and keeps every character */
    CHECK(xa_name_map_new(&m, &err) == XA_OK);
    CHECK(xa_name_map_add_rename(m, "s/x*/-/g", &err) == XA_OK);
    CHECK(xa_name_map_port_name(m, "abc", &out, &err) == XA_OK);
    CHECKF(!strcmp(out, "-a-b-c-") || !strcmp(out, "-a-b-c"), "%s", out);
    free(out);
    xa_name_map_free(m);
}

static void test_tolerances(void) {
    xa_error err = {0};
    xa_tol_rule rule;
    /* dtype defaults */
    xa_tolerance t = xa_tolerance_dtype_default(XA_F16, XA_F32, 0, &rule);
    CHECK(t.active == XA_TOL_ATOL_RTOL && t.rtol == 1e-3 && t.atol == 1e-5);
    t = xa_tolerance_dtype_default(XA_BF16, XA_F16, 0, &rule);
    CHECK(t.active == XA_TOL_ATOL_RTOL && t.rtol == 1.6e-2 && t.atol == 1e-5);
    t = xa_tolerance_dtype_default(XA_I8, XA_F32, 1, &rule);
    CHECK(t.active == (XA_TOL_COSINE | XA_TOL_EUCLID) && t.min_cosine == 0.8 &&
          t.min_euclid == 0.5);
    t = xa_tolerance_dtype_default(XA_I8, XA_I8, 0, &rule);
    CHECK(t.active == XA_TOL_EQUAL && rule.source == XA_TOL_FROM_DTYPE);
    t = xa_tolerance_dtype_default(XA_F32, XA_F32, 0, &rule);
    CHECK(t.active == XA_TOL_MAX_ABS && t.max_abs == 1e-3);
    /* a tolerance file: patterns in file order */
    const char *json = "{\"/layer1*\": {\"atol\": 0.5, \"rtol\": 0}, \"*\": {\"preset\": \"f16\"}}";
    xa_tolerance_file *f;
    CHECK(xa_tolerance_file_parse(json, strlen(json), "tol", &f, &err) == XA_OK);
    CHECK(xa_tolerance_file_count(f) == 2);
    const char *pat;
    CHECK(xa_tolerance_file_match(f, "/layer12/conv", &t, &pat) == 0 && !strcmp(pat, "/layer1*") &&
          t.atol == 0.5);
    CHECK(xa_tolerance_file_match(f, "/layer2/conv", &t, &pat) == 1 && t.min_cosine == 0.95);
    /* precedence: command line > file > manifest > dtype */
    xa_tolerance cli = {0}, man = {0};
    xa_tolerance_set(&cli, "max_abs", "7", &err);
    xa_tolerance_set(&man, "min_sqnr", "30", &err);
    xa_tol_sources s = {&cli, f, &man};
    t = xa_tolerance_choose(&s, "/layer12/conv", XA_F32, XA_F32, 0, &rule);
    CHECK(rule.source == XA_TOL_FROM_CLI && t.max_abs == 7 && t.atol == 7); /* mismatch rule */
    s.cli = NULL;
    t = xa_tolerance_choose(&s, "/layer12/conv", XA_F32, XA_F32, 0, &rule);
    CHECK(rule.source == XA_TOL_FROM_FILE && t.atol == 0.5 && strstr(rule.what, "/layer1*"));
    s.file = NULL;
    t = xa_tolerance_choose(&s, "/layer12/conv", XA_F32, XA_F32, 0, &rule);
    CHECK(rule.source == XA_TOL_FROM_MANIFEST && t.min_sqnr_db == 30);
    s.manifest = NULL;
    t = xa_tolerance_choose(&s, "/layer12/conv", XA_F16, XA_F16, 0, &rule);
    CHECK(rule.source == XA_TOL_FROM_DTYPE && t.rtol == 1e-3);
    xa_tolerance_file_free(f);
    /* refused files name the pattern and the reason */
    const char *bad[] = {"[1, 2]",
                         "{\"a\": {}}",
                         "{\"a\": {\"max_abs\": -1}}",
                         "{\"a\": {\"nope\": 1}}",
                         "{\"a\": {\"max_abs\": \"1\"}}",
                         "{\"a\": 3}",
                         "{\"a\": {\"preset\": \"f8\"}}",
                         "{\"\": {\"atol\": 1}}",
                         "{"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.message[0] = 0;
        f = NULL;
        CHECKF(xa_tolerance_file_parse(bad[i], strlen(bad[i]), "tol", &f, &err) != XA_OK && !f &&
                   !strncmp(err.message, "tol", 3),
               "%s -> %s", bad[i], err.message);
    }
    CHECK(xa_tolerance_set(&cli, "colour", "1", &err) == XA_EINVAL);
    CHECK(xa_tolerance_set(&cli, "atol", "-1", &err) == XA_EINVAL);
    CHECK(xa_tolerance_set(&cli, "min-cosine", "-1", &err) == XA_OK);
}

static void test_pairing(void) {
    /* three tensors; the port holds them as [c, a, b] */
    xa_tensor *a = vec(XA_F32, 100, 1, 0), *b = vec(XA_F32, 100, 2, 1), *c = vec(XA_F32, 40, 1, 5);
    const xa_tensor *ref[3] = {a, b, c}, *port[3] = {c, a, b};
    xa_pairing p;
    xa_error err = {0};
    CHECK(xa_pairing_search(ref, 3, port, 3, NULL, &p, &err) == XA_OK);
    CHECK(p.port_of[0] == 1 && p.port_of[1] == 2 && p.port_of[2] == 0);
    CHECK(p.naligned == 3 && !p.identity && p.results[0].aligned);
    xa_pairing_clear(&p);
    /* the identity is recognised; a missing tensor stays unpaired */
    const xa_tensor *port2[2] = {a, b};
    CHECK(xa_pairing_search(ref, 3, port2, 2, NULL, &p, &err) == XA_OK);
    CHECK(p.port_of[0] == 0 && p.port_of[1] == 1 && p.port_of[2] == -1 && p.naligned == 2);
    xa_pairing_clear(&p);
    CHECK(xa_pairing_search(ref, 3, ref, 3, NULL, &p, &err) == XA_OK && p.identity);
    xa_pairing_clear(&p);
    xa_pairing_clear(NULL);
    const xa_tensor *many[17] = {0};
    CHECK(xa_pairing_search(many, 17, ref, 3, NULL, &p, &err) == XA_ELIMIT);
    xa_tensor_free(a);
    xa_tensor_free(b);
    xa_tensor_free(c);
}

/* A per-layer pair through xa_npz_save: the member order, the first unaligned member, the
 * dtype rules and the one-sided members. */
static void test_compare_members(void) {
    char rp[300], pp[300];
    snprintf(rp, sizeof rp, "%s/ref.npz", dir);
    snprintf(pp, sizeof pp, "%s/port.npz", dir);
    const char *rn[5] = {"z_first", "a_second", "half", "int", "gone"};
    xa_tensor *r[5] = {vec(XA_F32, 1000, 1, 0), vec(XA_F32, 3000, 1, 0), vec(XA_F16, 64, 1, 0),
                       vec(XA_I8, 50, 100, 0), vec(XA_F32, 3, 1, 0)};
    const char *pn[5] = {"extra", "int", "half", "a_second", "z_first"};
    xa_tensor *p[5] = {vec(XA_F32, 2, 1, 0), vec(XA_I8, 50, 100, 0), vec(XA_F16, 64, 1, 0),
                       vec(XA_F32, 3000, 1, 0.01), vec(XA_F32, 1000, 1, 1e-6)};
    xa_error err = {0};
    CHECK(xa_npz_save(rp, 5, rn, (const xa_tensor *const *)r, &err) == XA_OK);
    CHECK(xa_npz_save(pp, 5, pn, (const xa_tensor *const *)p, &err) == XA_OK);
    xa_multi *rm, *pm;
    CHECK(xa_multi_open(rp, &rm, &err) == XA_OK && xa_multi_open(pp, &pm, &err) == XA_OK);
    CHECK(xa_multi_get_kind(rm) == XA_MULTI_NPZ && xa_multi_count(rm) == 5);
    CHECK(xa_multi_find(pm, "half") == 2 && xa_multi_find(pm, "nope") == -1);
    for (int threads = 1; threads <= 2; threads++) {
        xa_members_options o;
        xa_members_options_init(&o);
        o.threads = threads;
        xa_members_report rep;
        CHECK(xa_compare_members(rm, pm, &o, &rep, &err) == XA_OK);
        CHECK(rep.count == 6 && !strcmp(rep.members[0].name, "z_first") &&
              !strcmp(rep.members[5].name, "extra"));
        CHECK(rep.members[0].status == XA_MEMBER_ALIGNED &&
              rep.members[1].status == XA_MEMBER_UNALIGNED);
        CHECK(rep.first_unaligned == 1 && rep.compared == 4 && rep.aligned == 3);
        CHECK(rep.only_ref == 1 && rep.only_port == 1 && !rep.by_position);
        CHECK(rep.members[2].rule.source == XA_TOL_FROM_DTYPE &&
              (rep.members[2].cmp.tol.active & XA_TOL_ATOL_RTOL));
        CHECK(rep.members[3].cmp.tol.active == XA_TOL_EQUAL);
        CHECK(rep.members[4].status == XA_MEMBER_ONLY_REF && rep.members[4].ref.nbytes == 12);
        CHECK(fabs(rep.members[1].cmp.total.max_abs - 0.01) < 1e-6);
        CHECK(!xa_members_all_aligned(&rep));
        xa_members_report_clear(&rep);
    }
    /* the same files, compared by position: other pairs */
    xa_members_options o;
    xa_members_options_init(&o);
    o.by_position = 1;
    xa_members_report rep;
    CHECK(xa_compare_members(rm, pm, &o, &rep, &err) == XA_OK && rep.by_position);
    CHECK(rep.members[0].port_index == 0 && rep.members[0].status == XA_MEMBER_SHAPE_MISMATCH);
    xa_members_report_clear(&rep);
    xa_members_report_clear(NULL);
    xa_multi_free(rm);
    xa_multi_free(pm);
    for (int i = 0; i < 5; i++) {
        xa_tensor_free(r[i]);
        xa_tensor_free(p[i]);
    }
}

/* Streaming views of stored npz members at unaligned offsets, and their CRC check. */
static void test_views(void) {
    char rp[300];
    snprintf(rp, sizeof rp, "%s/ref.npz", dir);
    xa_multi *m;
    xa_error err = {0};
    CHECK(xa_multi_open(rp, &m, &err) == XA_OK);
    xa_member_view v;
    CHECK(xa_multi_view(m, 1, &v, &err) == XA_OK && v.crc_pending && v.info.nbytes == 12000);
    CHECK(xa_member_view_verify(&v, xa_crc32(0, v.data, v.info.nbytes), &err) == XA_OK);
    CHECK(xa_member_view_verify(&v, 1234, &err) == XA_EFORMAT && strstr(err.message, "#a_second"));
    xa_member_info in;
    CHECK(xa_multi_info(m, 1, &in, &err) == XA_OK && in.dtype == XA_F32 && in.shape[0] == 3000 &&
          !in.compressed);
    xa_member_view_clear(&v);
    xa_member_view_clear(NULL);
    CHECK(xa_multi_view(m, 99, &v, &err) == XA_EINVAL);
    xa_multi_free(m);
    xa_multi_free(NULL);
}

/* Tensors in memory as a multi-member file (a stage's tensors for xa_compare_members). */
static void test_from_list(void) {
    xa_error err = {0};
    xa_tensor_list l = {0}, k = {0};
    xa_tensor *a = vec(XA_F32, 10, 1, 0), *b = vec(XA_F32, 10, 1, 0);
    l.count = k.count = 1;
    l.names = calloc(1, sizeof *l.names);
    l.tensors = calloc(1, sizeof *l.tensors);
    k.names = calloc(1, sizeof *k.names);
    k.tensors = calloc(1, sizeof *k.tensors);
    l.names[0] = strdup("p3");
    l.tensors[0] = a;
    k.names[0] = strdup("#0");
    k.tensors[0] = b;
    xa_multi *rm, *pm;
    CHECK(xa_multi_from_list(&l, "ref stage", &rm, &err) == XA_OK && l.count == 0 && !l.names);
    CHECK(xa_multi_from_list(&k, "port stage", &pm, &err) == XA_OK);
    CHECK(!strcmp(xa_multi_path(rm), "ref stage") && xa_multi_find(rm, "p3") == 0);
    xa_members_report rep;
    CHECK(xa_compare_members(rm, pm, NULL, &rep, &err) == XA_OK);
    CHECK(rep.count == 1 && rep.by_position && rep.members[0].status == XA_MEMBER_ALIGNED &&
          !strcmp(rep.members[0].port_name, "#0"));
    xa_members_report_clear(&rep);
    xa_multi_free(rm);
    xa_multi_free(pm);
}

static void test_polygraphy(void) {
    /* {"lst": [["r", [{"outputs": {"y": <float32 [2] = {1, 2}>}}]]]}: the npy bytes of
     * np.array([1, 2], np.float32), base64 */
    static const char npy_b64[] =
        "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsKSwg"
        "fSAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIA/"
        "AAAAQA==";
    char json[1024];
    snprintf(json, sizeof json,
             "{\"lst\": [[\"r\", [{\"outputs\": {\"y\": {\"values\": {\"array\": \"%s\", "
             "\"polygraphy_class\": \"ndarray\"}, \"polygraphy_class\": \"LazyArray\"}}, "
             "\"runtime\": 1e-3, \"runner_name\": \"r\", \"polygraphy_class\": "
             "\"IterationResult\"}]]], \"polygraphy_class\": \"RunResults\"}",
             npy_b64);
    xa_multi *m;
    xa_error err = {0};
    CHECK(xa_polygraphy_open_memory(json, strlen(json), &m, &err) == XA_OK);
    CHECK(xa_multi_count(m) == 1 && !strcmp(xa_multi_name(m, 0), "y"));
    xa_member_info in;
    CHECK(xa_multi_info(m, 0, &in, &err) == XA_OK && in.dtype == XA_F32 && in.rank == 1 &&
          in.shape[0] == 2);
    xa_tensor *t;
    CHECK(xa_multi_load(m, 0, &t, &err) == XA_OK && ((float *)t->data)[1] == 2.0f);
    xa_tensor_free(t);
    xa_multi_free(m);
    /* malformed documents are refused with the place */
    const char *bad[] = {"{\"lst\": 3}",
                         "[1]",
                         "{\"lst\": [[\"r\"]]}",
                         "{\"a\": {\"array\": 1}}",
                         "{\"a\": {\"array\": \"QQ==\"",
                         "\"x\"",
                         "{\"a\" {}}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        m = NULL;
        err.message[0] = 0;
        CHECKF(xa_polygraphy_open_memory(bad[i], strlen(bad[i]), &m, &err) != XA_OK && !m &&
                   err.message[0],
               "%s", bad[i]);
    }
    /* nesting beyond the limit */
    char deep[200];
    memset(deep, '[', sizeof deep - 1);
    deep[sizeof deep - 1] = 0;
    CHECK(xa_polygraphy_open_memory(deep, strlen(deep), &m, &err) == XA_ELIMIT);
}

int main(void) {
    snprintf(dir, sizeof dir, "/tmp/xa_test_members_%d", (int)getpid());
    char cmd[300];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    if (system(cmd) != 0) return 1;
    test_split_spec();
    test_name_map();
    test_tolerances();
    test_pairing();
    test_compare_members();
    test_views();
    test_from_list();
    test_polygraphy();
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0) return 1;
    TEST_DONE();
}
