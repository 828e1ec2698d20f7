/* COCO results JSON as Python writes it: Python's round() and repr() reproduced on doubles, and
 * the bytes of json.dump(list_of_dicts, f). */
#define _GNU_SOURCE /* uselocale */
#include "results_internal.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* snprintf and strtod in the C locale, whatever the host program set (json_reader.c). */
#define strtod_cl xa_strtod_c
static int snprintf_cl(char *buf, size_t n, char conv, int prec, double x) {
    locale_t c = xa_c_locale();
    locale_t old = c ? uselocale(c) : (locale_t)0;
    /* literal formats, so the compiler checks them (-Wformat=2) */
    int r = conv == 'e' ? snprintf(buf, n, "%.*e", prec, x) : snprintf(buf, n, "%.*f", prec, x);
    if (c) uselocale(old);
    return r;
}

static const double p10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                               1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                               1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Python's round(x, nd) when the scaled value is far from a tie: r, the nearest integer to the
 * exact x * 10^nd, as a double; 0 when undecided. y = x * 10^nd is within half an ulp of the
 * exact product; with |y| < 2^30 that is below 1.2e-7, so a fractional part more than 1e-6 away
 * from .5 decides the rounding direction exactly as dtoa's exact arithmetic would. */
static int round_fast(double x, int nd, double *r) {
    if (nd < 0 || nd > 22) return 0;
    double y = x * p10[nd];
    if (!(fabs(y) < 1073741824.0)) return 0;
    double f = y - floor(y);
    if (fabs(f - 0.5) <= 1e-6) return 0;
    *r = nearbyint(y);
    return 1;
}

/* Round the exact decimal expansion `digits` (integer part "ip", fraction "fp", both exact) to
 * nd decimals (nd < 0: to tens, hundreds...), half to even; returns the rounded decimal as a
 * string in out (for strtod). */
static void round_digits(const char *s, int nd, char *out, size_t cap) {
    /* s: optional '-', digits, '.', digits (the exact value from %.1074f) */
    int neg = s[0] == '-';
    const char *d = s + neg, *dot = strchr(d, '.');
    size_t ni = dot ? (size_t)(dot - d) : strlen(d);
    /* all digits in one string without the point; the point sits after ni digits */
    static __thread char all[1500];
    size_t n = 0;
    all[n++] = '0'; /* room for a carry */
    for (size_t i = 0; i < ni; i++) all[n++] = d[i];
    if (dot)
        for (const char *q = dot + 1; *q; q++) all[n++] = *q;
    all[n] = 0;
    long keep = 1 + (long)ni + nd; /* digits kept: through 10^-nd */
    if (keep <= 0) {
        snprintf(out, cap, "%s0", neg ? "-" : "");
        return;
    }
    if ((size_t)keep < n) {
        int up;
        char first = all[keep];
        int rest_nonzero = 0;
        for (size_t i = (size_t)keep + 1; i < n; i++)
            if (all[i] != '0') rest_nonzero = 1;
        if (first > '5' || (first == '5' && rest_nonzero))
            up = 1;
        else if (first == '5')
            up = (all[keep - 1] - '0') & 1; /* a tie: to even */
        else
            up = 0;
        for (size_t i = (size_t)keep; i < n; i++) all[i] = '0';
        for (long i = keep - 1; up && i >= 0; i--) {
            if (all[i] == '9') {
                all[i] = '0';
            } else {
                all[i]++;
                up = 0;
            }
        }
    }
    /* write the digits with an exponent: all[0 .. 1+ni) are the integer part */
    snprintf(out, cap, "%s%.*se%ld", neg ? "-" : "", (int)(keep > 0 ? keep : 0), all,
             -(long)(keep - 1 - (long)ni));
}

double xa_py_round(double x, int nd) {
    /* CPython float___round___impl: NDIGITS_MAX = (int)((DBL_MANT_DIG - DBL_MIN_EXP) * 0.30103)
     * = 323, NDIGITS_MIN = -(int)((DBL_MAX_EXP + 1) * 0.30103) = -308 */
    if (!isfinite(x)) return x;
    if (nd > 323) return x;
    if (nd < -308) return 0.0 * x;
    double r;
    if (round_fast(x, nd, &r)) return r / p10[nd]; /* one correctly rounded division */
    char buf[1500];
    if (nd >= 0) {
        /* glibc's printf is exact and rounds the exact binary value half to even, as dtoa's
         * mode 3 does: the decimal string is Python's, strtod brings it back as _Py_dg_strtod */
        snprintf_cl(buf, sizeof buf, 'f', nd, x);
        return strtod_cl(buf);
    }
    char ex[1500];
    snprintf_cl(ex, sizeof ex, 'f', 1074, x); /* every digit of the exact value */
    round_digits(ex, nd, buf, sizeof buf);
    return strtod_cl(buf);
}

/* ---- repr -------------------------------------------------------------------------------- */
/* Format digits (no point) with decimal exponent decpt (value = 0.d1d2... * 10^decpt) as
 * CPython's format_float_short does for repr: exponent if decpt <= -4 or decpt > 16. */
static size_t format_repr(int neg, const char *dg, int nd, int decpt, char *out) {
    char *o = out;
    if (neg) *o++ = '-';
    if (decpt <= -4 || decpt > 16) {
        *o++ = dg[0];
        if (nd > 1) {
            *o++ = '.';
            memcpy(o, dg + 1, (size_t)nd - 1);
            o += nd - 1;
        }
        int e = decpt - 1;
        o += sprintf(o, "e%c%02d", e < 0 ? '-' : '+', e < 0 ? -e : e);
    } else if (decpt <= 0) {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -decpt; i++) *o++ = '0';
        memcpy(o, dg, (size_t)nd);
        o += nd;
    } else if (decpt < nd) {
        memcpy(o, dg, (size_t)decpt);
        o += decpt;
        *o++ = '.';
        memcpy(o, dg + decpt, (size_t)(nd - decpt));
        o += nd - decpt;
    } else {
        memcpy(o, dg, (size_t)nd);
        o += nd;
        for (int i = nd; i < decpt; i++) *o++ = '0';
        *o++ = '.';
        *o++ = '0';
    }
    *o = 0;
    return (size_t)(o - out);
}

/* Digits of a %.{p-1}e string: fills dg (p digits) and returns the decimal exponent. */
static int e_digits(const char *s, char *dg) {
    int n = 0;
    const char *q = s + (*s == '-');
    for (; *q && *q != 'e'; q++)
        if (*q != '.') dg[n++] = *q;
    dg[n] = 0;
    return atoi(q + 1);
}

/* Add delta (+1/-1) to the last digit of the p-digit string; returns the new exponent (a carry
 * or borrow changes the length) or INT32_MIN when the result is not p digits long. */
static int bump_digits(char *dg, int p, int e, int delta) {
    int i = p - 1;
    if (delta > 0) {
        while (i >= 0 && dg[i] == '9') dg[i--] = '0';
        if (i < 0) {
            dg[0] = '1'; /* 99..9 + 1 = 100..0: one more digit; keep p digits, exponent + 1 */
            return e + 1;
        }
        dg[i]++;
    } else {
        while (i >= 0 && dg[i] == '0') dg[i--] = '9';
        if (i < 0) return INT32_MIN;
        dg[i]--;
        if (dg[0] == '0') {
            if (p == 1) return INT32_MIN;
            memmove(dg, dg + 1, (size_t)p - 1); /* 10..0 - 1 = 9..9: p-1 digits, keep p */
            dg[p - 1] = '9';
            return e - 1;
        }
    }
    return e;
}

/* The double that "d.ddd...e<e>" (p digits) reads as. */
static double from_digits(int neg, const char *dg, int p, int e) {
    char b[64], *o = b;
    if (neg) *o++ = '-';
    *o++ = dg[0];
    if (p > 1) {
        *o++ = '.';
        memcpy(o, dg + 1, (size_t)p - 1);
        o += p - 1;
    }
    *o++ = 'e';
    o += sprintf(o, "%d", e);
    return strtod_cl(b);
}

/* The correctly rounded p-digit decimal of x from its 17 correctly rounded digits d17 (exponent
 * e17). That is rounding twice, which differs from rounding the exact value only when the
 * dropped digits are exactly 5000...: then glibc's printf rounds the exact value for that length.
 * Fills dg (p digits), returns the decimal exponent. */
static int candidate(double x, const char *d17, int e17, int p, char *dg) {
    if (p >= 17) {
        memcpy(dg, d17, 18);
        return e17;
    }
    char first = d17[p];
    int rest_zero = 1;
    for (int k = p + 1; k < 17; k++) rest_zero &= d17[k] == '0';
    if (first == '5' && rest_zero) {
        char s[48];
        snprintf_cl(s, sizeof s, 'e', p - 1, x);
        return e_digits(s, dg);
    }
    memcpy(dg, d17, (size_t)p);
    dg[p] = 0;
    return first >= '5' ? bump_digits(dg, p, e17, 1) : e17;
}

static int reads_back(double x, int neg, const char *d17, int e17, int p) {
    char dg[24];
    int e = candidate(x, d17, e17, p, dg);
    return from_digits(neg, dg, p, e) == x;
}

static size_t repr_digits(int neg, const char *dg, int p, int e, char *buf) {
    while (p > 1 && dg[p - 1] == '0') p--;
    return format_repr(neg, dg, p, e + 1, buf);
}

size_t xa_py_repr(double x, char buf[XA_PY_REPR_SIZE]) {
    if (isnan(x)) return (size_t)sprintf(buf, "NaN");
    if (isinf(x)) return (size_t)sprintf(buf, x > 0 ? "Infinity" : "-Infinity");
    int neg = signbit(x) != 0;
    if (x == 0) return (size_t)sprintf(buf, neg ? "-0.0" : "0.0");
    char s[48], d17[24], dg[24];
    snprintf_cl(s, sizeof s, 'e', 16, x);
    int e17 = e_digits(s, d17);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int pow2 = (bits & 0xFFFFFFFFFFFFFull) == 0;
    if (!pow2 && fabs(x) < 1073741824.0) {
        /* Here the lengths that read back are all lengths from the shortest on: the nearest
         * (p+1)-digit decimal is at least as close as the nearest p-digit one, the interval
         * that reads back as x is symmetric (x is not a power of two), and no decimal of at most
         * 15 digits can sit on its boundary (a halfway point between doubles below 2^30 needs
         * a multiple of 5^23 > 10^15 as its digits). So: binary search. */
        int p;
        if (reads_back(x, neg, d17, e17, 15)) {
            int lo = 1, hi = 15;
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (reads_back(x, neg, d17, e17, mid))
                    hi = mid;
                else
                    lo = mid + 1;
            }
            p = hi;
        } else {
            p = reads_back(x, neg, d17, e17, 16) ? 16 : 17;
        }
        int e = candidate(x, d17, e17, p, dg);
        return repr_digits(neg, dg, p, e, buf);
    }
    for (int p = 1; p < 17; p++) {
        int e = candidate(x, d17, e17, p, dg);
        if (from_digits(neg, dg, p, e) == x) return repr_digits(neg, dg, p, e, buf);
        /* At a power of two the interval of values that read back as x is twice as wide above
         * x as below: the nearest p-digit decimal may fall outside below while its upper
         * neighbour is inside. dtoa's shortest mode finds that one; so do we. */
        for (int delta = -1; pow2 && delta <= 1; delta += 2) {
            char d2[24];
            memcpy(d2, dg, sizeof d2);
            int e2 = bump_digits(d2, p, e, delta);
            if (e2 == INT32_MIN) continue;
            if (from_digits(neg, d2, p, e2) == x) return repr_digits(neg, d2, p, e2, buf);
        }
    }
    return repr_digits(neg, d17, 17, e17, buf); /* 17 digits always read back */
}

/* round(x, nd) then repr, fast when the rounded value is a plain decimal: r / 10^nd with
 * |r| < 2^30 is the nearest double to that decimal, and no shorter decimal reads back as it
 * (the doubles near it are far closer together than 10^-nd), so its repr is the decimal itself
 * with trailing zeros dropped -- unless it needs an exponent (0 < |v| < 1e-4). */
static size_t round_repr(double x, int nd, char *out) {
    double r;
    if (nd >= 1 && nd <= 9 && round_fast(x, nd, &r)) {
        double v = r / p10[nd];
        if (v == 0 || fabs(v) >= 1e-4) {
            if (v == 0) return (size_t)sprintf(out, signbit(v) ? "-0.0" : "0.0");
            long long a = (long long)fabs(r), scale = (long long)p10[nd];
            long long ip = a / scale, fp = a % scale;
            int n = sprintf(out, "%s%lld.", v < 0 ? "-" : "", ip);
            char frac[24];
            sprintf(frac, "%0*lld", nd, fp);
            int k = nd;
            while (k > 1 && frac[k - 1] == '0') k--;
            memcpy(out + n, frac, (size_t)k);
            out[n + k] = 0;
            return (size_t)(n + k);
        }
    }
    return xa_py_repr(xa_py_round(x, nd), out);
}

/* ---- writing ----------------------------------------------------------------------------- */
void xa_coco_write_options_init(xa_coco_write_options *o) {
    o->round = 1;
    o->xyxy = XA_XYWH_SEED;
    o->categories = XA_CATEGORY_COCO80;
}

typedef struct obuf {
    char *s;
    size_t n, cap;
    int oom;
} obuf;

static char *ob_room(obuf *b, size_t need) {
    if (b->oom) return NULL;
    if (b->n + need > b->cap) {
        size_t c = b->cap ? b->cap : 1 << 16;
        while (c < b->n + need) c *= 2;
        char *s = realloc(b->s, c);
        if (!s) {
            b->oom = 1;
            return NULL;
        }
        b->s = s;
        b->cap = c;
    }
    return b->s + b->n;
}

static void ob_put(obuf *b, const char *s, size_t n) {
    char *o = ob_room(b, n);
    if (!o) return;
    memcpy(o, s, n);
    b->n += n;
}

/* A JSON string as json.dumps writes it (ensure_ascii: every byte outside ' '..'~' escaped;
 * the name is taken as UTF-8, invalid bytes as U+FFFD). */
static void ob_json_string(obuf *b, const char *s) {
    ob_put(b, "\"", 1);
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned c = *p, v;
        char e[16];
        if (c == '"' || c == '\\') {
            e[0] = '\\';
            e[1] = (char)c;
            ob_put(b, e, 2);
            p++;
            continue;
        }
        if (c >= 0x20 && c < 0x7F) {
            ob_put(b, (const char *)p, 1);
            p++;
            continue;
        }
        if (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f') {
            e[0] = '\\';
            e[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : 'f';
            ob_put(b, e, 2);
            p++;
            continue;
        }
        size_t n = 1;
        v = c;
        if (c >= 0xC0 && c < 0xE0 && (p[1] & 0xC0) == 0x80) {
            v = (c & 0x1F) << 6 | (p[1] & 0x3F);
            n = 2;
        } else if (c >= 0xE0 && c < 0xF0 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80) {
            v = (c & 0x0F) << 12 | (unsigned)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
            n = 3;
        } else if (c >= 0xF0 && c < 0xF5 && (p[1] & 0xC0) == 0x80 && (p[2] & 0xC0) == 0x80 &&
                   (p[3] & 0xC0) == 0x80) {
            v = (c & 0x07) << 18 | (unsigned)(p[1] & 0x3F) << 12 | (unsigned)(p[2] & 0x3F) << 6 |
                (p[3] & 0x3F);
            n = 4;
        } else if (c >= 0x80) {
            v = 0xFFFD;
        }
        if (v >= 0x10000) {
            v -= 0x10000;
            ob_put(b, e,
                   (size_t)sprintf(e, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF)));
        } else {
            ob_put(b, e, (size_t)sprintf(e, "\\u%04x", v));
        }
        p += n;
    }
    ob_put(b, "\"", 1);
}

static void ob_value(obuf *b, double v, int round, int nd) {
    char s[XA_PY_REPR_SIZE];
    size_t n = round ? round_repr(v, nd, s) : xa_py_repr(v, s);
    ob_put(b, s, n);
}

/* The xywh box written for a detection. */
static void box_xywh(const xa_dets *d, const xa_det *x, xa_xyxy_to_xywh how, double o[4]) {
    if (d->format == XA_BOX_XYWH) {
        memcpy(o, x->box, 4 * sizeof *o);
        return;
    }
    if (how == XA_XYWH_YOLOV5) {
        /* YOLOv5 utils/general.py xyxy2xywh() then save_one_json()'s box[:, :2] -= box[:, 2:] / 2,
         * all on a float32 tensor: centre = (x1 + x2) / 2, size = x2 - x1, corner = centre -
         * size / 2, each rounded to float32 */
        float x1 = (float)x->box[0], y1 = (float)x->box[1], x2 = (float)x->box[2],
              y2 = (float)x->box[3];
        float cx = (x1 + x2) / 2.0f, cy = (y1 + y2) / 2.0f, w = x2 - x1, h = y2 - y1;
        o[0] = cx - w / 2.0f;
        o[1] = cy - h / 2.0f;
        o[2] = w;
        o[3] = h;
        return;
    }
    /* the seed: [x1, y1, x2 - x1, y2 - y1] on Python floats */
    o[0] = x->box[0];
    o[1] = x->box[1];
    o[2] = x->box[2] - x->box[0];
    o[3] = x->box[3] - x->box[1];
}

xa_status xa_coco_results_encode(const xa_dets *d, const xa_coco_write_options *o, char **out,
                                 size_t *size, xa_error *err) {
    *out = NULL;
    *size = 0;
    xa_coco_write_options def;
    if (!o) {
        xa_coco_write_options_init(&def);
        o = &def;
    }
    for (size_t i = 0; i < d->count; i++)
        if (o->categories == XA_CATEGORY_COCO80 && xa_coco80_to_91(d->items[i].category_id) < 0)
            return xa_fail(err, XA_EINVAL,
                           "detection %zu: class %lld has no COCO id (the 80 -> 91 map takes "
                           "classes 0..79)",
                           i, (long long)d->items[i].category_id);
    obuf b = {0};
    ob_put(&b, "[", 1);
    for (size_t i = 0; i < d->count; i++) {
        const xa_det *x = &d->items[i];
        const xa_det_image *im = &d->images[x->image];
        char t[64];
        if (i) ob_put(&b, ", ", 2);
        ob_put(&b, "{\"image_id\": ", 13);
        if (im->has_id)
            ob_put(&b, t, (size_t)sprintf(t, "%lld", (long long)im->id));
        else
            ob_json_string(&b, im->name ? im->name : "");
        int64_t cat =
            o->categories == XA_CATEGORY_COCO80 ? xa_coco80_to_91(x->category_id) : x->category_id;
        ob_put(&b, t, (size_t)sprintf(t, ", \"category_id\": %lld, \"bbox\": [", (long long)cat));
        double bx[4];
        box_xywh(d, x, o->xyxy, bx);
        for (int k = 0; k < 4; k++) {
            if (k) ob_put(&b, ", ", 2);
            ob_value(&b, bx[k], o->round, 3);
        }
        ob_put(&b, "], \"score\": ", 12);
        ob_value(&b, x->score, o->round, 5);
        ob_put(&b, "}", 1);
    }
    ob_put(&b, "]", 1);
    if (b.oom) {
        free(b.s);
        return xa_fail(err, XA_ENOMEM, "out of memory writing %zu detections", d->count);
    }
    *out = b.s;
    *size = b.n;
    return XA_OK;
}

xa_status xa_coco_results_save(const char *path, const xa_dets *d, const xa_coco_write_options *o,
                               xa_error *err) {
    char *s;
    size_t n;
    xa_status st = xa_coco_results_encode(d, o, &s, &n, err);
    if (st) return st;
    st = xa_write_file(path, s, n, NULL, 0, err);
    free(s);
    return st;
}

/* ---- the rounding check -------------------------------------------------------------------- */
/* 1 when v has at most nd decimals (Python's round(v, nd) == v). Fast and exact for moderate
 * values: r = nearest integer to v * 10^nd (v * 10^nd is within an ulp of an integer when v is
 * such a decimal), and r / 10^nd is the double nearest to that decimal. */
static int is_rounded(double v, int nd) {
    if (!isfinite(v)) return 0;
    double y = v * p10[nd];
    if (fabs(y) < 1073741824.0) return nearbyint(y) / p10[nd] == v;
    return xa_py_round(v, nd) == v;
}

void xa_rounding_check_run(const xa_dets *d, xa_rounding_check *c) {
    memset(c, 0, sizeof *c);
    c->first_entry = -1;
    c->count = d->count;
    for (size_t i = 0; i < d->count; i++) {
        const xa_det *x = &d->items[i];
        int bad_box = 0;
        for (int k = 0; k < 4; k++)
            if (!is_rounded(x->box[k], 3)) {
                if (!bad_box && c->first_entry < 0) {
                    c->first_entry = (int64_t)i;
                    c->first_field = k;
                    c->first_value = x->box[k];
                }
                bad_box = 1;
            }
        int bad_score = !is_rounded(x->score, 5);
        if (bad_score && c->first_entry < 0) {
            c->first_entry = (int64_t)i;
            c->first_field = 4;
            c->first_value = x->score;
        }
        c->box_unrounded += (size_t)bad_box;
        c->score_unrounded += (size_t)bad_score;
    }
    c->rounded = c->box_unrounded == 0 && c->score_unrounded == 0;
}
