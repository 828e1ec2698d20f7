/* The JSON pull parser (src/io/json_reader.c): numbers against glibc's strtod (bit for bit, on
 * random and adversarial decimal strings), the grammar, limits and error positions; and Python's
 * round()/repr() (src/io/coco_write.c) against their definitions through printf/strtod.
 *
 * Also a driver for tests/oracle/test_coco_json.py, which compares with Python itself:
 *   test_json pyround < LINES     each line "HEX NDIGITS" (a double's bits in hex): prints
 *                                 repr(round(x, n)) as xalign computes it, one per line
 *   test_json repr < LINES        each line "HEX": prints repr(x)
 *   test_json parse < LINES       each line a JSON number: prints the double's bits in hex
 * Without arguments it runs the unit tests. */
#include "internal.h"
#include "io/json_reader.h"
#include "test.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xalign/xalign.h>

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void) { /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Dull;
}

static uint64_t bits(double x) {
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return u;
}
static double from_bits(uint64_t u) {
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* parse s with the JSON reader and with strtod: identical bits */
static int same_as_strtod(const char *s) {
    xa_jnum n;
    size_t len = strlen(s);
    size_t used = xa_jr_parse_number(s, s + len, &n);
    if (used != len) {
        fprintf(stderr, "  '%s': consumed %zu of %zu\n", s, used, len);
        return 0;
    }
    double ref = strtod(s, NULL);
    if (bits(ref) != bits(n.v)) {
        fprintf(stderr, "  '%s': %.17g, strtod %.17g\n", s, n.v, ref);
        return 0;
    }
    return 1;
}

static void test_numbers(void) {
    int bad = 0, total = 0;
    char s[256];
    /* random decimal strings: up to 25 digits, the point anywhere, exponents -40..40 */
    for (int i = 0; i < 200000; i++) {
        int ni = (int)(rnd() % 13), nf = (int)(rnd() % 13);
        size_t o = 0;
        if (rnd() & 1) s[o++] = '-';
        if (ni == 0) {
            s[o++] = '0';
        } else {
            s[o++] = (char)('1' + rnd() % 9);
            for (int k = 1; k < ni; k++) s[o++] = (char)('0' + rnd() % 10);
        }
        if (nf) {
            s[o++] = '.';
            for (int k = 0; k < nf; k++) s[o++] = (char)('0' + rnd() % 10);
        }
        if (rnd() % 3 == 0) o += (size_t)sprintf(s + o, "e%d", (int)(rnd() % 81) - 40);
        s[o] = 0;
        total++;
        bad += !same_as_strtod(s);
    }
    /* doubles printed with 15, 16, 17 digits and as the rounded decimals of COCO files */
    for (int i = 0; i < 200000; i++) {
        double x;
        switch (i % 4) {
        case 0:
            x = from_bits(rnd() >> 2);
            break; /* any positive magnitude */
        case 1:
            x = (double)(rnd() % 2000000) / 1000.0 - 700.0;
            break;
        case 2:
            x = (double)(rnd() >> 11) * 0x1p-53;
            break; /* scores in [0, 1) */
        default:
            x = (double)(rnd() % 100000000) * 1e-5;
            break;
        }
        if (!isfinite(x)) continue;
        for (int p = 15; p <= 17; p++) {
            snprintf(s, sizeof s, "%.*g", p, x);
            total++;
            bad += !same_as_strtod(s);
        }
        snprintf(s, sizeof s, "%.3f", x);
        if (strlen(s) < 200) {
            total++;
            bad += !same_as_strtod(s);
        }
    }
    /* exact halfway points between neighbouring doubles (the hard cases of correct rounding),
     * and the values 1 ulp around them, written out in full */
    for (int i = 0; i < 20000; i++) {
        double x = (double)(rnd() >> 11) * 0x1p-53 * pow(10, (double)(rnd() % 24) - 12);
        double y = nextafter(x, INFINITY);
        long double mid = ((long double)x + (long double)y) / 2; /* exact in 64-bit significand */
        for (int k = -1; k <= 1; k++) {
            long double v = k ? nextafterl(mid, k > 0 ? INFINITY : -INFINITY) : mid;
            snprintf(s, sizeof s, "%.40Le", v);
            total++;
            bad += !same_as_strtod(s);
            for (int p = 16; p <= 19; p++) { /* 17..20 digits: the x87 path and its fallback */
                snprintf(s, sizeof s, "%.*Le", p, v);
                total++;
                bad += !same_as_strtod(s);
            }
        }
    }
    const char *edge[] = {"0",
                          "-0",
                          "0.0",
                          "-0.0",
                          "1e308",
                          "1.7976931348623157e308",
                          "1e-308",
                          "4.9e-324",
                          "2.5e-324",
                          "1e-400",
                          "123456789012345678901234567890",
                          "9007199254740993",
                          "9007199254740992.5",
                          "0.1",
                          "2.675",
                          "1e22",
                          "1e23",
                          "8.98846567431158e307",
                          "18446744073709551615",
                          "18446744073709551616",
                          "0.000000000000000000000000000001"};
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++) {
        total++;
        bad += !same_as_strtod(edge[i]);
    }
    CHECKF(bad == 0, "%d of %d numbers differ from strtod", bad, total);
    CHECK(total > 500000);

    /* integers keep their exact int64 value; Python's literals; malformed numbers */
    xa_jnum n;
    const char *big = "9223372036854775807", *nbig = "-9223372036854775808";
    CHECK(xa_jr_parse_number(big, big + strlen(big), &n) == strlen(big) && n.is_int &&
          n.i == INT64_MAX);
    CHECK(xa_jr_parse_number(nbig, nbig + strlen(nbig), &n) == strlen(nbig) && n.is_int &&
          n.i == INT64_MIN);
    const char *over = "9223372036854775808";
    CHECK(xa_jr_parse_number(over, over + strlen(over), &n) == strlen(over) && !n.is_int);
    const char *nan_ = "NaN", *inf = "-Infinity";
    CHECK(xa_jr_parse_number(nan_, nan_ + 3, &n) == 3 && isnan(n.v) && n.nonfinite);
    CHECK(xa_jr_parse_number(inf, inf + 9, &n) == 9 && isinf(n.v) && n.v < 0);
    const char *notnum[] = {"-", "+1", ".5", "1.", "1e", "1e+", "-NaN", "nan", "Inf", "0x10"};
    for (size_t i = 0; i < sizeof notnum / sizeof *notnum; i++) {
        size_t l = strlen(notnum[i]), u = xa_jr_parse_number(notnum[i], notnum[i] + l, &n);
        CHECKF(u != l, "'%s' parsed as a whole number", notnum[i]);
    }
    /* "01" is the number 0 followed by "1": the document is then malformed */
    CHECK(xa_jr_parse_number("01", "01" + 2, &n) == 1);
    char longnum[XA_JSON_MAX_NUMBER + 10];
    memset(longnum, '1', sizeof longnum - 1);
    longnum[sizeof longnum - 1] = 0;
    CHECK(xa_jr_parse_number(longnum, longnum + strlen(longnum), &n) == (size_t)-1);
}

/* ---- documents -------------------------------------------------------------------------- */
static int skip_doc(const char *doc, const xa_json_limits *lim, xa_error *err) {
    xa_jr j;
    if (xa_jr_init(&j, doc, strlen(doc), "t.json", lim, err)) return -1;
    int r = xa_jr_skip(&j);
    if (!r) r = xa_jr_finish(&j);
    xa_jr_done(&j);
    return r;
}

static void expect_error(const char *doc, const char *want, const xa_json_limits *lim) {
    xa_error err = {0};
    int r = skip_doc(doc, lim, &err);
    CHECKF(r != 0 && strstr(err.message, want), "'%s': want an error with '%s', got %d '%s'", doc,
           want, r, err.message);
}

static void test_documents(void) {
    xa_error err;
    const char *good[] = {
        "[]",
        " {} ",
        "[1, -2.5e3, \"a\\\"b\\\\c\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\", true, false, null]",
        "{\"a\": {\"b\": [[[]]]}, \"c\": NaN, \"d\": -Infinity}",
        "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"",
        "[\"\\ud800\"]" /* a lone surrogate: Python accepts it */};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        CHECKF(skip_doc(good[i], NULL, &err) == 0, "'%s': %s", good[i], err.message);
    expect_error("", "ends where a value", NULL);
    expect_error("[1, 2", "ends inside an array", NULL);
    expect_error("[1 2]", "expected ',' or ']'", NULL);
    expect_error("[1,]", "trailing ','", NULL);
    expect_error("{\"a\" 1}", "expected ':'", NULL);
    expect_error("{\"a\": 1,}", "trailing ','", NULL);
    expect_error("{a: 1}", "expected a key", NULL);
    expect_error("[1] x", "extra data", NULL);
    expect_error("[tru]", "invalid literal", NULL);
    expect_error("\"abc", "ends inside a string", NULL);
    expect_error("\"a\nb\"", "control character", NULL);
    expect_error("\"\\x\"", "unknown escape", NULL);
    expect_error("\"\\u12g4\"", "bad \\u escape", NULL);
    expect_error("\"\xff\"", "invalid UTF-8", NULL);
    expect_error("\"\xc0\xaf\"", "invalid UTF-8", NULL); /* overlong '/' */
    expect_error("\xef\xbb\xbf[]", "byte order mark", NULL);
    expect_error("[01]", "expected ',' or ']'", NULL);
    /* positions: line and byte of the problem */
    expect_error("[1,\n 2,\n x]", "line 3, byte 9", NULL);
    /* limits */
    xa_json_limits lim;
    xa_json_limits_init(&lim);
    lim.max_depth = 3;
    CHECK(skip_doc("[[[1]]]", &lim, &err) == 0);
    expect_error("[[[[1]]]]", "deeper than the limit of 3", &lim);
    xa_json_limits_init(&lim);
    lim.max_string = 4;
    CHECK(skip_doc("[\"abcd\"]", &lim, &err) == 0);
    expect_error("[\"abcde\"]", "exceeds the limit of 4", &lim);
    xa_json_limits_init(&lim);
    lim.max_elements = 3;
    CHECK(skip_doc("[1, 2, 3]", &lim, &err) == 0);
    expect_error("[1, 2, 3, 4]", "more than the limit of 3 elements", &lim);
    expect_error("{\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4}", "more than the limit of 3", &lim);
    xa_json_limits_init(&lim);
    lim.max_bytes = 5;
    expect_error("[1, 2]", "exceed the limit of 5 bytes", &lim);
    /* deep nesting within the default limit and past it: never a crash */
    char deep[4096];
    memset(deep, '[', 2000);
    memset(deep + 2000, ']', 2000);
    deep[4000] = 0;
    expect_error(deep, "deeper than the limit of 64", NULL);

    /* keys with escapes compare unescaped; strings come back unescaped */
    const char *doc = "{\"im\\u0061ge_id\": \"x\\ny\"}";
    xa_jr j;
    CHECK(xa_jr_init(&j, doc, strlen(doc), "t", NULL, &err) == XA_OK);
    xa_jstr k, v;
    CHECK(xa_jr_object(&j) == 0);
    CHECK(xa_jr_next_key(&j, 0, &k) == 1 && xa_jkey(&k, "image_id"));
    CHECK(xa_jr_string(&j, &v, NULL) == 0 && v.n == 3 && !memcmp(v.s, "x\ny", 3));
    CHECK(xa_jr_next_key(&j, 1, &k) == 0 && xa_jr_finish(&j) == 0);
    xa_jr_done(&j);
}

/* ---- Python's round and repr against their definitions ------------------------------------ */
/* repr: reads back as x, and the nearest decimal with one significant digit less does not */
static int repr_ok(double x) {
    char b[XA_PY_REPR_SIZE], t[64], dg[40];
    xa_py_repr(x, b);
    if (strtod(b, NULL) != x) return 0;
    size_t n = 0;
    for (const char *p = b; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9') dg[n++] = *p;
    size_t i0 = 0;
    while (i0 < n && dg[i0] == '0') i0++;
    while (n > i0 && dg[n - 1] == '0') n--;
    int sig = (int)(n - i0);
    if (sig <= 1) return 1;
    snprintf(t, sizeof t, "%.*e", sig - 2, x);
    return strtod(t, NULL) != x;
}

static void test_py_round_repr(void) {
    int bad = 0, total = 0;
    char a[1500];
    for (int i = 0; i < 100000; i++) {
        double x;
        switch (i % 4) {
        case 0:
            x = (double)(rnd() % 20000000) / 16384.0;
            break; /* many exact ties */
        case 1:
            x = (double)(rnd() >> 11) * 0x1p-53 * 1000;
            break;
        case 2:
            x = (double)(int64_t)(rnd() % 2000001 - 1000000) / 1000.0 + 0.0005;
            break;
        default:
            x = from_bits(rnd() >> 1);
            break;
        }
        if (!isfinite(x)) continue;
        if (rnd() & 1) x = -x;
        int nd = (int)(rnd() % 8);
        /* the definition: the exact value rounded half to even by glibc's printf, read back */
        snprintf(a, sizeof a, "%.*f", nd, x);
        double want = strtod(a, NULL), got = xa_py_round(x, nd);
        total++;
        if (bits(want) != bits(got)) {
            if (bad < 5)
                fprintf(stderr, "  round(%.17g, %d) = %.17g, want %.17g\n", x, nd, got, want);
            bad++;
        }
        total++;
        if (!repr_ok(x)) {
            if (bad < 5) fprintf(stderr, "  repr(%.17g) not shortest\n", x);
            bad++;
        }
    }
    CHECKF(bad == 0, "%d of %d round/repr checks failed", bad, total);
    /* known values */
    CHECK(xa_py_round(2.675, 2) == 2.67);
    CHECK(xa_py_round(0.0625, 3) == 0.062);
    CHECK(xa_py_round(0.1875, 3) == 0.188);
    CHECK(signbit(xa_py_round(-0.0001, 3)) && xa_py_round(-0.0001, 3) == 0);
    CHECK(xa_py_round(1234.5, -1) == 1230 && xa_py_round(1235, -1) == 1240);
    CHECK(xa_py_round(149.5, -2) == 100); /* not 200: the exact value, not "150" */
    CHECK(xa_py_round(1e300, 3) == 1e300);
    char b[XA_PY_REPR_SIZE];
    xa_py_repr(1e-05, b);
    CHECK(!strcmp(b, "1e-05"));
    xa_py_repr(1e16, b);
    CHECK(!strcmp(b, "1e+16"));
    xa_py_repr(9999999999999998.0, b);
    CHECK(!strcmp(b, "9999999999999998.0"));
    xa_py_repr(0.0001, b);
    CHECK(!strcmp(b, "0.0001"));
    xa_py_repr(-0.0, b);
    CHECK(!strcmp(b, "-0.0"));
    xa_py_repr(123.0, b);
    CHECK(!strcmp(b, "123.0"));
    xa_py_repr(5e-324, b);
    CHECK(!strcmp(b, "5e-324"));
    xa_py_repr(1.7976931348623157e308, b);
    CHECK(!strcmp(b, "1.7976931348623157e+308"));
    xa_py_repr(NAN, b);
    CHECK(!strcmp(b, "NaN"));
}

/* ---- drivers for the Python oracle -------------------------------------------------------- */
static int driver(const char *mode) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!strcmp(mode, "parse")) {
            xa_jnum n;
            size_t l = strlen(line);
            if (xa_jr_parse_number(line, line + l, &n) != l) {
                printf("error\n");
                continue;
            }
            printf("%016" PRIx64 "\n", bits(n.v));
            continue;
        }
        uint64_t u = strtoull(line, NULL, 16);
        char b[XA_PY_REPR_SIZE];
        if (!strcmp(mode, "repr")) {
            xa_py_repr(from_bits(u), b);
        } else {
            const char *sp = strchr(line, ' ');
            xa_py_repr(xa_py_round(from_bits(u), sp ? atoi(sp + 1) : 0), b);
        }
        printf("%s\n", b);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc > 1) return driver(argv[1]);
    test_numbers();
    test_documents();
    test_py_round_repr();
    TEST_DONE();
}
