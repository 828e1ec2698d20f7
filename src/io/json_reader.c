/* The bounded JSON pull parser of json_reader.h. */
#define _GNU_SOURCE /* strtod_l: numbers read the same under any LC_NUMERIC */
#include "json_reader.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define XA_JSON_MAX_DEPTH_CAP 1000 /* the parser recurses once per level when skipping */

void xa_json_limits_init(xa_json_limits *lim) {
    lim->max_bytes = (uint64_t)4 << 30;
    lim->max_depth = 64;
    lim->max_string = (size_t)16 << 20;
    lim->max_elements = (uint64_t)1 << 28;
}

size_t xa_jr_line(const xa_jr *j, size_t at) {
    size_t line = 1;
    const unsigned char *p = j->base,
                        *e = j->base +
                             (at < (size_t)(j->end - j->base) ? at : (size_t)(j->end - j->base));
    while (p < e) {
        const unsigned char *nl = memchr(p, '\n', (size_t)(e - p));
        if (!nl) break;
        line++;
        p = nl + 1;
    }
    return line;
}

/* "entry 12 (image_id 139): " or "" */
static void ctx_prefix(const xa_jr *j, char *buf, size_t n) {
    const xa_jctx *c = &j->ctx;
    buf[0] = 0;
    if (!c->list) return;
    size_t o = 0;
    if (!strcmp(c->list, "entry") || !strcmp(c->list, "record"))
        o = (size_t)snprintf(buf, n, "%s %llu", c->list, (unsigned long long)c->index);
    else
        o = (size_t)snprintf(buf, n, "%s[%llu]", c->list, (unsigned long long)c->index);
    if (o < n && c->idkey) {
        if (c->idstr)
            o += (size_t)snprintf(buf + o, n - o, " (%s \"%.60s\")", c->idkey, c->idstr);
        else
            o += (size_t)snprintf(buf + o, n - o, " (%s %lld)", c->idkey, (long long)c->id);
    }
    if (o < n) snprintf(buf + o, n - o, ": ");
}

int xa_jr_fail_at(xa_jr *j, size_t at, xa_status st, const char *fmt, ...) {
    if (j->st) return -1; /* keep the first failure */
    char msg[XA_ERROR_MESSAGE_SIZE], pre[160];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    ctx_prefix(j, pre, sizeof pre);
    j->st = st;
    xa_fail(j->err, st, "%s: %s%s (line %zu, byte %zu)", j->name, pre, msg, xa_jr_line(j, at), at);
    return -1;
}

void xa_jr_key_label(const xa_jr *j, char *buf, size_t n) {
    if (!j->ctx.key)
        snprintf(buf, n, "the value");
    else if (j->ctx.sub >= 0)
        snprintf(buf, n, "%s[%d]", j->ctx.key, j->ctx.sub);
    else
        snprintf(buf, n, "%s", j->ctx.key);
}

static int fail_here(xa_jr *j, xa_status st, const char *what) {
    return xa_jr_fail_at(j, xa_jr_offset(j), st, "%s", what);
}

xa_status xa_jr_init(xa_jr *j, const void *buf, size_t size, const char *name,
                     const xa_json_limits *lim, xa_error *err) {
    memset(j, 0, sizeof *j);
    j->base = j->p = buf ? buf : (const unsigned char *)"";
    j->end = j->base + (buf ? size : 0);
    j->name = name ? name : "JSON";
    j->err = err;
    if (lim)
        j->lim = *lim;
    else
        xa_json_limits_init(&j->lim);
    if (j->lim.max_depth > XA_JSON_MAX_DEPTH_CAP) j->lim.max_depth = XA_JSON_MAX_DEPTH_CAP;
    if ((uint64_t)size > j->lim.max_bytes) {
        xa_fail(err, XA_ELIMIT, "%s: %zu bytes exceed the limit of %llu bytes for a JSON file",
                j->name, size, (unsigned long long)j->lim.max_bytes);
        return j->st = XA_ELIMIT;
    }
    if (size >= 3 && j->base[0] == 0xEF && j->base[1] == 0xBB && j->base[2] == 0xBF) {
        fail_here(j, XA_EFORMAT, "starts with a UTF-8 byte order mark, which JSON does not allow");
        return j->st;
    }
    return XA_OK;
}

void xa_jr_done(xa_jr *j) {
    free(j->scratch);
    j->scratch = NULL;
    j->scap = 0;
}

static inline void skip_ws(xa_jr *j) {
    const unsigned char *p = j->p, *e = j->end;
    while (p < e && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')) p++;
    j->p = p;
}

xa_jtype xa_jr_peek(xa_jr *j) {
    if (j->st) return XA_J_ERROR;
    skip_ws(j);
    if (j->p >= j->end) return XA_J_EOF;
    switch (*j->p) {
    case '{':
        return XA_J_OBJECT;
    case '[':
        return XA_J_ARRAY;
    case '"':
        return XA_J_STRING;
    case 't':
        return XA_J_TRUE;
    case 'f':
        return XA_J_FALSE;
    case 'n':
        return XA_J_NULL;
    case '-':
    case 'N':
    case 'I':
        return XA_J_NUMBER;
    default:
        if (*j->p >= '0' && *j->p <= '9') return XA_J_NUMBER;
        if (*j->p >= 0x20 && *j->p < 0x7F)
            xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "unexpected character '%c'", *j->p);
        else
            xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "unexpected byte 0x%02x", *j->p);
        return XA_J_ERROR;
    }
}

static const char *type_name(xa_jtype t) {
    switch (t) {
    case XA_J_OBJECT:
        return "an object";
    case XA_J_ARRAY:
        return "an array";
    case XA_J_STRING:
        return "a string";
    case XA_J_NUMBER:
        return "a number";
    case XA_J_TRUE:
    case XA_J_FALSE:
        return "a boolean";
    case XA_J_NULL:
        return "null";
    case XA_J_EOF:
        return "the end of the file";
    default:
        return "an error";
    }
}

static int expect(xa_jr *j, xa_jtype want, const char *what) {
    xa_jtype t = xa_jr_peek(j);
    if (t == want) return 0;
    if (t == XA_J_ERROR) return -1;
    char label[64];
    if (!what) xa_jr_key_label(j, label, sizeof label);
    return xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "%s must be %s, found %s",
                         what ? what : label, type_name(want), type_name(t));
}

static int open_level(xa_jr *j, char c) {
    if (j->depth >= j->lim.max_depth)
        return xa_jr_fail_at(j, xa_jr_offset(j), XA_ELIMIT,
                             "nesting deeper than the limit of %d levels", j->lim.max_depth);
    (void)c;
    j->depth++;
    j->p++;
    return 0;
}

int xa_jr_array(xa_jr *j) {
    if (expect(j, XA_J_ARRAY, NULL)) return -1;
    return open_level(j, '[');
}

int xa_jr_object(xa_jr *j) {
    if (expect(j, XA_J_OBJECT, NULL)) return -1;
    return open_level(j, '{');
}

static int count_limit(xa_jr *j, uint64_t i) {
    if (i < j->lim.max_elements) return 0;
    return xa_jr_fail_at(j, xa_jr_offset(j), XA_ELIMIT,
                         "more than the limit of %llu elements in one array or object",
                         (unsigned long long)j->lim.max_elements);
}

/* Before element or member i of the container `close` ends: 0 when it ends (consumed), 1 when
 * one follows (the ',' before it consumed), -1 on error. */
static int next_in(xa_jr *j, uint64_t i, char close, const char *kind) {
    if (j->st) return -1;
    skip_ws(j);
    if (j->p < j->end && *j->p == close) {
        j->p++;
        j->depth--;
        return 0;
    }
    if (i > 0 && j->p < j->end) {
        if (*j->p != ',')
            return xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "expected ',' or '%c' in %s",
                                 close, kind);
        j->p++;
        skip_ws(j);
        if (j->p < j->end && *j->p == close)
            return xa_jr_fail_at(j, xa_jr_offset(j), XA_EFORMAT, "a trailing ',' before '%c'",
                                 close);
    }
    if (j->p >= j->end)
        return xa_jr_fail_at(j, xa_jr_offset(j), XA_ETRUNC, "the file ends inside %s", kind);
    return count_limit(j, i) ? -1 : 1;
}

int xa_jr_next_elem(xa_jr *j, uint64_t i) {
    return next_in(j, i, ']', "an array");
}

static int parse_string(xa_jr *j, xa_jstr *out, int keep);

int xa_jr_next_key(xa_jr *j, uint64_t i, xa_jstr *key) {
    int r = next_in(j, i, '}', "an object");
    if (r <= 0) return r;
    if (*j->p != '"') {
        if (*j->p == '}') return fail_here(j, XA_EFORMAT, "a trailing ',' before '}'");
        return fail_here(j, XA_EFORMAT, "expected a key (a string in double quotes)");
    }
    if (count_limit(j, i)) return -1;
    if (parse_string(j, key, 1)) return -1;
    skip_ws(j);
    if (j->p >= j->end || *j->p != ':') return fail_here(j, XA_EFORMAT, "expected ':' after a key");
    j->p++;
    return 1;
}

/* ---- strings ----------------------------------------------------------------------------- */
static int scratch_reserve(xa_jr *j, size_t n) {
    if (n <= j->scap) return 0;
    size_t cap = j->scap ? j->scap : 256;
    while (cap < n) cap *= 2;
    char *s = realloc(j->scratch, cap);
    if (!s) return fail_here(j, XA_ENOMEM, "out of memory");
    j->scratch = s;
    j->scap = cap;
    return 0;
}

static int hex4(const unsigned char *p, unsigned *v) {
    unsigned r = 0;
    for (int k = 0; k < 4; k++) {
        unsigned c = p[k], d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10;
        else
            return -1;
        r = r << 4 | d;
    }
    *v = r;
    return 0;
}

/* Length of a valid UTF-8 sequence at p (lead byte >= 0x80), 0 if invalid. */
static size_t utf8_len(const unsigned char *p, const unsigned char *e) {
    unsigned c = p[0];
    size_t n;
    unsigned min;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        min = 0x10000;
    } else {
        return 0;
    }
    if ((size_t)(e - p) < n) return 0;
    unsigned v = c & (0x7F >> n);
    for (size_t k = 1; k < n; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        v = v << 6 | (p[k] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    return n;
}

static size_t put_utf8(char *o, unsigned v) {
    if (v < 0x80) {
        o[0] = (char)v;
        return 1;
    }
    if (v < 0x800) {
        o[0] = (char)(0xC0 | v >> 6);
        o[1] = (char)(0x80 | (v & 0x3F));
        return 2;
    }
    if (v < 0x10000) {
        o[0] = (char)(0xE0 | v >> 12);
        o[1] = (char)(0x80 | (v >> 6 & 0x3F));
        o[2] = (char)(0x80 | (v & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | v >> 18);
    o[1] = (char)(0x80 | (v >> 12 & 0x3F));
    o[2] = (char)(0x80 | (v >> 6 & 0x3F));
    o[3] = (char)(0x80 | (v & 0x3F));
    return 4;
}

/* 1 for bytes a string scan must stop at: '"', '\\', control characters, non-ASCII. */
static const unsigned char str_stop[256] = {
    [0 ... 0x1F] = 1,
    ['"'] = 1,
    ['\\'] = 1,
    [0x80 ... 0xFF] = 1,
};

static int append(xa_jr *j, size_t *o, const void *src, size_t n) {
    if (scratch_reserve(j, *o + n + 1)) return -1;
    memcpy(j->scratch + *o, src, n);
    *o += n;
    return 0;
}

/* At '"': parse a string. keep = 0 only validates. A string with escapes is unescaped into the
 * scratch; lone surrogates from \u escapes (which Python accepts) become 3-byte sequences. */
static int parse_string(xa_jr *j, xa_jstr *out, int keep) {
    const unsigned char *start = ++j->p, *p = start, *e = j->end;
    const unsigned char *run = start; /* first byte not yet copied to the scratch */
    size_t o = 0;
    int escaped = 0;
    for (;;) {
        while (p < e && !str_stop[*p]) p++;
        if (p >= e) {
            j->p = start - 1;
            return fail_here(j, XA_ETRUNC, "the file ends inside a string");
        }
        unsigned c = *p;
        if (c >= 0x80) {
            size_t n = utf8_len(p, e);
            if (!n) {
                j->p = p;
                return fail_here(j, XA_EFORMAT, "invalid UTF-8 inside a string");
            }
            p += n;
            continue;
        }
        if (c == '"') break;
        if (c < 0x20) {
            j->p = p;
            return fail_here(j, XA_EFORMAT, "a control character inside a string");
        }
        /* a backslash */
        if (e - p < 2) {
            j->p = p;
            return fail_here(j, XA_ETRUNC, "the file ends inside a string");
        }
        unsigned v;
        size_t used = 2;
        switch (p[1]) {
        case '"':
            v = '"';
            break;
        case '\\':
            v = '\\';
            break;
        case '/':
            v = '/';
            break;
        case 'b':
            v = '\b';
            break;
        case 'f':
            v = '\f';
            break;
        case 'n':
            v = '\n';
            break;
        case 'r':
            v = '\r';
            break;
        case 't':
            v = '\t';
            break;
        case 'u':
            if (e - p < 6 || hex4(p + 2, &v)) {
                j->p = p;
                return fail_here(j, XA_EFORMAT, "a bad \\u escape inside a string");
            }
            used = 6;
            if (v >= 0xD800 && v <= 0xDBFF && e - p >= 12 && p[6] == '\\' && p[7] == 'u') {
                unsigned lo;
                if (!hex4(p + 8, &lo) && lo >= 0xDC00 && lo <= 0xDFFF) {
                    v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
                    used = 12;
                }
            }
            break;
        default:
            j->p = p;
            return fail_here(j, XA_EFORMAT, "an unknown escape inside a string");
        }
        if (keep) {
            char u[4];
            if (append(j, &o, run, (size_t)(p - run)) || append(j, &o, u, put_utf8(u, v)))
                return -1;
            escaped = 1;
        }
        p += used;
        run = p;
    }
    if (escaped && append(j, &o, run, (size_t)(p - run))) return -1;
    size_t n = escaped ? o : (size_t)(p - start);
    if (n > j->lim.max_string) {
        j->p = start - 1;
        return xa_jr_fail_at(j, xa_jr_offset(j), XA_ELIMIT,
                             "a string of %zu bytes exceeds the limit of %zu", n,
                             j->lim.max_string);
    }
    if (out) {
        out->s = escaped ? j->scratch : (const char *)start;
        out->n = n;
    }
    j->p = p + 1;
    return 0;
}

int xa_jr_string(xa_jr *j, xa_jstr *s, const char *what) {
    if (expect(j, XA_J_STRING, what)) return -1;
    return parse_string(j, s, 1);
}

/* ---- numbers ------------------------------------------------------------------------------ */
/* Exact powers of ten: 10^k for k <= 22 is exact in double (5^22 < 2^53). */
static const double pow10_dbl[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void c_locale_init(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

locale_t xa_c_locale(void) {
    pthread_once(&c_locale_once, c_locale_init);
    return c_locale;
}

double xa_strtod_c(const char *s) {
    locale_t c = xa_c_locale();
    return c ? strtod_l(s, NULL, c) : strtod(s, NULL);
}

#if defined(__x86_64__) || defined(__i386__)
#if LDBL_MANT_DIG == 64
#define XA_HAVE_LD64 1
#endif
#endif

#ifdef XA_HAVE_LD64
/* w * 10^k or w / 10^-k for w < 2^64, |k| <= 27, correctly rounded to double, or 0 when the
 * x87 80-bit result is too close to a double's rounding boundary to decide.
 * Why this is exact: 10^27 = 5^27 * 2^27 and 5^27 < 2^63, so w and 10^|k| are exact 64-bit
 * significands and the one multiplication or division rounds once, to r with |r - x| <= half an
 * ulp of the 64-bit significand. Doubles keep 53 of those 64 bits: the values halfway between
 * two doubles have the low 11 bits 0x400. Unless r's low 11 bits are 0x3FF, 0x400 or 0x401, no
 * halfway value lies within 1.5 ulps of r, so x and r round to the same double. */
static int ld_convert(uint64_t w, int k, double *out) {
    static const long double p10[28] = {1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,
                                        1e7L,  1e8L,  1e9L,  1e10L, 1e11L, 1e12L, 1e13L,
                                        1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L, 1e20L,
                                        1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L};
    long double r = (long double)w;
    r = k < 0 ? r / p10[-k] : r * p10[k];
    uint64_t sig;
    memcpy(&sig, &r, sizeof sig); /* x87 extended: the 64-bit significand comes first */
    unsigned lo = (unsigned)(sig & 0x7FF);
    if (lo >= 0x3FF && lo <= 0x401) return 0;
    *out = (double)r;
    return 1;
}
#endif

static int is_digit(int c) {
    return c >= '0' && c <= '9';
}

size_t xa_jr_parse_number(const char *s, const char *end, xa_jnum *out) {
    const char *p = s;
    int neg = 0;
    out->is_int = 0;
    out->i = 0;
    out->nonfinite = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p < end && (*p == 'N' || *p == 'I')) { /* Python's json literals */
        if (!neg && end - p >= 3 && !memcmp(p, "NaN", 3)) {
            out->v = NAN;
            out->nonfinite = 1;
            return 3;
        }
        if (end - p >= 8 && !memcmp(p, "Infinity", 8)) {
            out->v = neg ? -INFINITY : INFINITY;
            out->nonfinite = 1;
            return (size_t)(p + 8 - s);
        }
        return 0;
    }
    /* One pass: the significant digits go into w (at most 19, so w < 2^64) and the value is
     * w * 10^k; a non-zero digit that does not fit makes the number inexact here (strtod then). */
    uint64_t w = 0;
    int nd = 0, inexact = 0, has_frac = 0, has_exp = 0;
    long k = 0;
    if (p < end && *p == '0') {
        p++;
    } else if (p < end && *p >= '1' && *p <= '9') {
        for (; p < end && is_digit(*p); p++) {
            if (nd < 19) {
                w = w * 10 + (uint64_t)(*p - '0');
                nd++;
            } else {
                k++; /* a digit past the 19th: the value is w * 10^k if it is 0 */
                inexact |= *p != '0';
            }
        }
    } else {
        return 0;
    }
    if (p < end && *p == '.') {
        p++;
        has_frac = 1;
        const char *f0 = p;
        for (; p < end && is_digit(*p); p++) {
            if (nd < 19) {
                w = w * 10 + (uint64_t)(*p - '0');
                nd += w != 0; /* leading zeros of 0.000123 are not significant */
                k--;
            } else {
                inexact |= *p != '0';
            }
        }
        if (p == f0) return 0;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        has_exp = 1;
        int eneg = 0;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        if (p >= end || !is_digit(*p)) return 0;
        long e10 = 0;
        for (; p < end && is_digit(*p); p++)
            if (e10 < 1000000) e10 = e10 * 10 + (*p - '0');
        k += eneg ? -e10 : e10;
    }
    size_t len = (size_t)(p - s);
    if (len > XA_JSON_MAX_NUMBER) return (size_t)-1;
    /* an integer literal: exact int64 when it fits */
    if (!has_frac && !has_exp && !inexact && k == 0 && w <= (uint64_t)INT64_MAX + (uint64_t)neg) {
        out->is_int = 1;
        out->i = neg ? (int64_t)(0 - w) : (int64_t)w;
    }
    double v;
    if (!inexact) {
        if (w == 0) {
            out->v = neg ? -0.0 : 0.0;
            return len;
        }
        /* Clinger's fast path: w and 10^|k| are exact doubles, one correctly rounded operation */
        if (w <= ((uint64_t)1 << 53) && k >= -22 && k <= 22) {
            v = k < 0 ? (double)w / pow10_dbl[-k] : (double)w * pow10_dbl[k];
            out->v = neg ? -v : v;
            return len;
        }
#ifdef XA_HAVE_LD64
        if (k >= -27 && k <= 27 && ld_convert(w, (int)k, &v)) {
            out->v = neg ? -v : v;
            return len;
        }
#endif
    }
    char buf[XA_JSON_MAX_NUMBER + 1];
    memcpy(buf, s, len);
    buf[len] = 0;
    out->v = xa_strtod_c(buf); /* with the sign; overflow gives +-HUGE_VAL (Python: inf) */
    if (isinf(out->v)) out->nonfinite = 1;
    return len;
}

int xa_jr_number(xa_jr *j, xa_jnum *n, const char *what) {
    if (expect(j, XA_J_NUMBER, what)) return -1;
    size_t used = xa_jr_parse_number((const char *)j->p, (const char *)j->end, n);
    if (used == (size_t)-1)
        return xa_jr_fail_at(j, xa_jr_offset(j), XA_ELIMIT, "a number longer than %d characters",
                             XA_JSON_MAX_NUMBER);
    if (used == 0) return fail_here(j, XA_EFORMAT, "a malformed number");
    j->p += used;
    return 0;
}

/* ---- skipping --------------------------------------------------------------------------- */
static int literal(xa_jr *j, const char *lit, size_t n) {
    if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n))
        return fail_here(j, XA_EFORMAT, "an invalid literal (not true, false or null)");
    j->p += n;
    return 0;
}

int xa_jr_skip(xa_jr *j) {
    xa_jnum num;
    switch (xa_jr_peek(j)) {
    case XA_J_OBJECT: {
        if (xa_jr_object(j)) return -1;
        xa_jstr k;
        int r;
        for (uint64_t i = 0; (r = xa_jr_next_key(j, i, &k)) == 1; i++)
            if (xa_jr_skip(j)) return -1;
        return r;
    }
    case XA_J_ARRAY: {
        if (xa_jr_array(j)) return -1;
        int r;
        for (uint64_t i = 0; (r = xa_jr_next_elem(j, i)) == 1; i++)
            if (xa_jr_skip(j)) return -1;
        return r;
    }
    case XA_J_STRING:
        return parse_string(j, NULL, 0);
    case XA_J_NUMBER:
        return xa_jr_number(j, &num, NULL);
    case XA_J_TRUE:
        return literal(j, "true", 4);
    case XA_J_FALSE:
        return literal(j, "false", 5);
    case XA_J_NULL:
        return literal(j, "null", 4);
    case XA_J_EOF:
        return fail_here(j, XA_ETRUNC, "the file ends where a value was expected");
    default:
        return -1;
    }
}

int xa_jr_finish(xa_jr *j) {
    if (j->st) return -1;
    skip_ws(j);
    if (j->p < j->end) return fail_here(j, XA_EFORMAT, "extra data after the JSON value");
    return 0;
}

int xa_jr_bool_or_number(xa_jr *j, double *v, const char *what) {
    xa_jtype t = xa_jr_peek(j);
    if (t == XA_J_TRUE || t == XA_J_FALSE) {
        *v = t == XA_J_TRUE;
        return literal(j, t == XA_J_TRUE ? "true" : "false", t == XA_J_TRUE ? 4 : 5);
    }
    xa_jnum n;
    if (xa_jr_number(j, &n, what)) return -1;
    *v = n.v;
    return 0;
}
