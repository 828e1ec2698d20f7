/* Unit tests of image decoding (pixels are checked against cv2/PIL in tests/oracle):
 * API contracts and errors, the OpenCV EXIF reader on every prefix of its input (bounds),
 * orientation algebra, limits, truncation policies, and that libjpeg/libpng never print. */
#include "test.h"

#include "io/image_internal.h"

#include <stdint.h>
#include <string.h>
#include <unistd.h>

static unsigned char *read_all(const char *name, size_t *n) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", XA_TEST_DATA, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc((size_t)sz);
    if (b && fread(b, 1, (size_t)sz, f) != (size_t)sz) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *n = (size_t)sz;
    return b;
}

static xa_decode_options opts(xa_decode_like like, int gray) {
    xa_decode_options o;
    xa_decode_options_init(&o);
    o.like = like;
    o.gray = gray;
    return o;
}

/* ---- EXIF reader -------------------------------------------------------------------------- */
static size_t put16(unsigned char *p, int le, unsigned v) {
    p[le ? 0 : 1] = (unsigned char)v;
    p[le ? 1 : 0] = (unsigned char)(v >> 8);
    return 2;
}
static size_t put32(unsigned char *p, int le, uint32_t v) {
    for (int i = 0; i < 4; i++) p[le ? i : 3 - i] = (unsigned char)(v >> (8 * i));
    return 4;
}
/* TIFF header + IFD0 with the given (tag, value-or-offset) SHORT entries. */
static size_t make_tiff(unsigned char *b, int le, int n, const unsigned *tags,
                        const uint32_t *vals) {
    size_t k = 0;
    b[k++] = le ? 'I' : 'M';
    b[k++] = le ? 'I' : 'M';
    k += put16(b + k, le, 42);
    k += put32(b + k, le, 8);
    k += put16(b + k, le, (unsigned)n);
    for (int i = 0; i < n; i++) {
        k += put16(b + k, le, tags[i]);
        k += put16(b + k, le, 3);
        k += put32(b + k, le, 1);
        k += put16(b + k, le, vals[i]);
        k += put16(b + k, le, 0);
    }
    return k + put32(b + k, le, 0);
}

static void test_exif(void) {
    for (int le = 0; le <= 1; le++)
        for (unsigned o = 1; o <= 8; o++) {
            unsigned char b[64];
            unsigned tag = 0x0112;
            uint32_t v = o;
            size_t n = make_tiff(b, le, 1, &tag, &v);
            CHECKF(xa_exif_orientation(b, n) == (int)o, "le %d o %u", le, o);
            /* Every prefix: 0 until the value's two bytes (offset 18..19) are inside; copies in
             * exact-size heap blocks so that ASan sees any read past the end. */
            for (size_t cut = 0; cut < n; cut++) {
                unsigned char *c = malloc(cut ? cut : 1);
                memcpy(c, b, cut);
                int got = xa_exif_orientation(cut ? c : NULL, cut);
                CHECKF(got == (cut >= 20 ? (int)o : 0), "prefix %zu: %d", cut, got);
                free(c);
            }
        }
    /* Two orientation entries: the first one stands (std::map::insert keeps the first). */
    unsigned char b[64];
    unsigned tags[2] = {0x0112, 0x0112};
    uint32_t vals[2] = {3, 6};
    size_t n = make_tiff(b, 1, 2, tags, vals);
    CHECK(xa_exif_orientation(b, n) == 3);
    /* A resolution entry whose rational lies outside the data stops the reader: an orientation
     * after it is never seen, one before it is kept. */
    unsigned t2[2] = {0x011A, 0x0112};
    uint32_t v2[2] = {0xFFF0, 5};
    n = make_tiff(b, 0, 2, t2, v2);
    CHECK(xa_exif_orientation(b, n) == 0);
    unsigned t3[2] = {0x0112, 0x011A};
    uint32_t v3[2] = {5, 0xFFF0};
    n = make_tiff(b, 0, 2, t3, v3);
    CHECK(xa_exif_orientation(b, n) == 5);
    /* A huge IFD offset or entry count never reads outside. */
    n = make_tiff(b, 1, 1, tags, vals);
    put32(b + 4, 1, 0xFFFFFFFFu);
    CHECK(xa_exif_orientation(b, n) == 0);
    n = make_tiff(b, 1, 1, tags, vals);
    put16(b + 8, 1, 0xFFFF);
    CHECK(xa_exif_orientation(b, n) == 3);
    CHECK(xa_exif_orientation(NULL, 10) == 0);
}

/* ---- orientation algebra ------------------------------------------------------------------ */
static xa_tensor *ramp(int64_t h, int64_t w, int64_t c) {
    int64_t shape[3] = {h, w, c};
    xa_tensor *t;
    if (xa_tensor_new(XA_U8, 3, shape, &t, NULL)) return NULL;
    for (size_t i = 0; i < t->nbytes; i++)
        ((unsigned char *)t->data)[i] = (unsigned char)(i * 7 + 3);
    return t;
}
static int same(const xa_tensor *a, const xa_tensor *b) {
    return a->rank == b->rank && !memcmp(a->shape, b->shape, sizeof a->shape) &&
           a->nbytes == b->nbytes && !memcmp(a->data, b->data, a->nbytes);
}
static xa_tensor *oriented(xa_tensor *t, int o) {
    int applied;
    xa_error err;
    if (xa_apply_orientation(&t, o, &applied, &err)) return NULL;
    return t;
}

static void test_orientation(void) {
    /* Involutions (mirror, 180 degrees, transposes) undo themselves; 6 and 8 are inverse
     * rotations; 2 then 4 is 3; anything outside 2..8 changes nothing. */
    static const int pairs[][2] = {{2, 2}, {3, 3}, {4, 4}, {5, 5}, {7, 7}, {6, 8}, {8, 6}};
    for (size_t k = 0; k < sizeof pairs / sizeof pairs[0]; k++) {
        xa_tensor *ref = ramp(5, 7, 3), *t = ramp(5, 7, 3);
        t = oriented(oriented(t, pairs[k][0]), pairs[k][1]);
        CHECKF(t && same(t, ref), "orientation %d then %d", pairs[k][0], pairs[k][1]);
        xa_tensor_free(t);
        xa_tensor_free(ref);
    }
    xa_tensor *a = oriented(oriented(ramp(4, 9, 1), 2), 4), *b = oriented(ramp(4, 9, 1), 3);
    CHECK(a && b && same(a, b));
    xa_tensor_free(a);
    xa_tensor_free(b);
    for (int o = 5; o <= 8; o++) {
        xa_tensor *t = oriented(ramp(4, 9, 2), o);
        CHECK(t && t->shape[0] == 9 && t->shape[1] == 4 && t->shape[2] == 2);
        xa_tensor_free(t);
    }
    int bad[] = {0, 1, 9, 65535};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        xa_tensor *t = ramp(3, 2, 1), *ref = ramp(3, 2, 1);
        int applied = -1;
        CHECK(xa_apply_orientation(&t, bad[k], &applied, NULL) == XA_OK && applied == 0 &&
              same(t, ref));
        xa_tensor_free(t);
        xa_tensor_free(ref);
    }
}

/* ---- API, limits, truncation ------------------------------------------------------------- */
static void test_api(void) {
    size_t n = 0;
    unsigned char *jpg = read_all("HappyFish.jpg", &n);
    CHECK(jpg != NULL);
    if (!jpg) return;
    CHECK(xa_image_sniff(jpg, n) == 1);
    CHECK(xa_image_sniff(jpg, 2) == 0);
    CHECK(xa_image_sniff("\x89PNG\r\n\x1a", 7) == 0); /* the full 8-byte signature is needed */
    CHECK(xa_image_sniff(NULL, 0) == 0);

    xa_decode_options o;
    memset(&o, 0x55, sizeof o);
    xa_decode_options_init(&o);
    CHECK(o.like == XA_DECODE_PIL && !o.gray && o.fancy_upsampling && o.dct == XA_DCT_ISLOW &&
          !o.ignore_orientation);

    xa_error err = {0};
    xa_tensor *t = (xa_tensor *)&err; /* must be reset to NULL on failure */
    xa_decode_info info;
    CHECK(xa_image_decode_memory(jpg, n, NULL, NULL, &info, &err) == XA_EINVAL);
    CHECK(xa_image_decode_memory("hello", 5, NULL, &t, &info, &err) == XA_EFORMAT && !t);
    CHECK(xa_image_decode_memory(jpg, 0, NULL, &t, &info, &err) == XA_EFORMAT && !t);
    o.like = (xa_decode_like)7;
    CHECK(xa_image_decode_memory(jpg, n, &o, &t, &info, &err) == XA_EINVAL && !t);
    xa_decode_options_init(&o);
    o.dct = (xa_dct_method)9;
    CHECK(xa_image_decode_memory(jpg, n, &o, &t, &info, &err) == XA_EINVAL && !t);
    CHECK(xa_image_decode("/nonexistent/x.jpg", NULL, &t, &info, &err) == XA_EIO && !t);

    /* The pixel limit is checked on the header, before decoding; it is a run-time option. */
    xa_limits lim;
    xa_limits_init(&lim);
    lim.image_pixels = 1000;
    o = opts(XA_DECODE_CV2, 0);
    o.limits = &lim;
    CHECK(xa_image_decode_memory(jpg, n, &o, &t, &info, &err) == XA_ELIMIT && !t);
    CHECKF(strstr(err.message, "exceed the limit of 1000") != NULL, "%s", err.message);
    xa_load_options lo = {&lim, 0};
    CHECK(xa_image_load_memory(jpg, n, &lo, &t, &err) == XA_ELIMIT && !t);
    CHECKF(strstr(err.message, "exceed the limit of 1000") != NULL, "%s", err.message);
    lim.image_pixels = XA_IMAGE_MAX_PIXELS;
    CHECK(xa_image_load_memory(jpg, n, &lo, &t, &err) == XA_OK && t);
    xa_tensor_free(t);
    t = NULL;

    /* cv2 and PIL agree on a JPEG without EXIF (BGR vs RGB), and both say what they did. */
    xa_tensor *cv = NULL, *pil = NULL;
    o = opts(XA_DECODE_CV2, 0);
    CHECK(xa_image_decode_memory(jpg, n, &o, &cv, &info, &err) == XA_OK);
    CHECK(!strcmp(info.format, "jpeg") && info.exif_orientation == 0 && !info.orientation_applied);
    CHECKF(strstr(info.settings, "ISLOW") && strstr(info.settings, "cv2.imread"), "%s",
           info.settings);
    o = opts(XA_DECODE_PIL, 0);
    CHECK(xa_image_decode_memory(jpg, n, &o, &pil, NULL, &err) == XA_OK);
    int equal = cv && pil && cv->rank == 3 && cv->shape[2] == 3 &&
                !memcmp(cv->shape, pil->shape, sizeof cv->shape);
    for (size_t i = 0; equal && i < cv->nbytes; i += 3)
        equal = ((unsigned char *)cv->data)[i] == ((unsigned char *)pil->data)[i + 2] &&
                ((unsigned char *)cv->data)[i + 1] == ((unsigned char *)pil->data)[i + 1];
    CHECK(equal);
    xa_tensor_free(pil);

    /* A variant is labelled as one. */
    o = opts(XA_DECODE_CV2, 0);
    o.fancy_upsampling = 0;
    o.dct = XA_DCT_IFAST;
    CHECK(xa_image_decode_memory(jpg, n, &o, &pil, &info, &err) == XA_OK);
    CHECKF(strstr(info.settings, "IFAST") && strstr(info.settings, "variant"), "%s", info.settings);
    xa_tensor_free(pil);

    /* Truncation: cv2 decodes and reports libjpeg's warning; PIL fails with XA_ETRUNC. */
    size_t half = n / 2;
    unsigned char *cut = malloc(half);
    memcpy(cut, jpg, half);
    xa_tensor *tc = NULL;
    o = opts(XA_DECODE_CV2, 0);
    CHECK(xa_image_decode_memory(cut, half, &o, &tc, &info, &err) == XA_OK);
    CHECK(tc && cv && !memcmp(tc->shape, cv->shape, sizeof tc->shape));
    CHECKF(info.warnings > 0 && strstr(info.warning, "Premature end"), "%d %s", info.warnings,
           info.warning);
    CHECK(strstr(info.settings, "warning") != NULL);
    xa_tensor_free(tc);
    o = opts(XA_DECODE_PIL, 1);
    CHECK(xa_image_decode_memory(cut, half, &o, &tc, &info, &err) == XA_ETRUNC && !tc);
    CHECKF(strstr(err.message, "truncated") != NULL, "%s", err.message);

    /* Neither library prints: libjpeg's warnings and errors are recorded, not written. */
    fflush(stderr);
    int saved = dup(2);
    FILE *cap = tmpfile();
    dup2(fileno(cap), 2);
    for (size_t k = 3; k < half; k += half / 7) {
        for (int like = 0; like <= 1; like++) {
            o = opts((xa_decode_like)like, like);
            xa_image_decode_memory(cut, k, &o, &tc, NULL, NULL);
            xa_tensor_free(tc);
        }
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    CHECKF(ftell(cap) == 0 && fseek(cap, 0, SEEK_END) == 0 && ftell(cap) == 0, "stderr got output");
    fclose(cap);
    free(cut);
    xa_tensor_free(cv);
    free(jpg);

    /* PNG: the basic loader keeps 16 bits; cv2 gives 8. */
    unsigned char *png = read_all("templ.png", &n);
    CHECK(png != NULL);
    if (png) {
        o = opts(XA_DECODE_CV2, 1);
        CHECK(xa_image_decode_memory(png, n, &o, &t, &info, &err) == XA_OK);
        CHECK(t && t->dtype == XA_U8 && t->rank == 3 && t->shape[2] == 1 &&
              !strcmp(info.format, "png"));
        xa_tensor_free(t);
        char path[1024];
        snprintf(path, sizeof path, "%s/templ.png", XA_TEST_DATA);
        CHECK(xa_image_load(path, &t, &err) == XA_OK && t && t->shape[2] == 4);
        xa_tensor_free(t);
        CHECK(xa_image_decode_memory(png, n / 2, &o, &t, &info, &err) == XA_ETRUNC && !t);
        free(png);
    }
}

int main(void) {
    test_exif();
    test_orientation();
    test_api();
    TEST_DONE();
}
