#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *xa_version_string(void) {
#define XA_STR2(x) #x
#define XA_STR(x) XA_STR2(x)
    return XA_STR(XA_VERSION_MAJOR) "." XA_STR(XA_VERSION_MINOR) "." XA_STR(XA_VERSION_PATCH);
}

int xa_version_number(void) {
    return XA_VERSION_NUMBER;
}

const char *xa_strerror(xa_status st) {
    switch (st) {
    case XA_OK:
        return "success";
    case XA_ENOMEM:
        return "out of memory";
    case XA_EIO:
        return "I/O error";
    case XA_EFORMAT:
        return "malformed input";
    case XA_ETRUNC:
        return "truncated input";
    case XA_EUNSUPPORTED:
        return "unsupported feature";
    case XA_ELIMIT:
        return "input exceeds a limit";
    case XA_EINVAL:
        return "invalid argument";
    case XA_ENOTFOUND:
        return "not found";
    case XA_ESHAPE:
        return "shape or size mismatch";
    case XA_EPOISONED:
        return "handle failed earlier";
    }
    return "unknown status";
}

xa_status xa_fail(xa_error *err, xa_status st, const char *fmt, ...) {
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->status = st;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

void xa_msg_append(char *buf, size_t size, const char *fmt, ...) {
    size_t o = strlen(buf);
    if (o + 1 >= size) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + o, size - o, fmt, ap);
    va_end(ap);
}

void xa_error_prefix(xa_error *err, const char *prefix) {
    if (!err || !prefix) return;
    char tmp[XA_ERROR_MESSAGE_SIZE];
    size_t np = strlen(prefix), nm = strlen(err->message);
    if (np > sizeof tmp - 3) np = sizeof tmp - 3;
    if (nm > sizeof tmp - 3 - np) nm = sizeof tmp - 3 - np; /* keep the head of long messages */
    memcpy(tmp, prefix, np);
    memcpy(tmp + np, ": ", 2);
    memcpy(tmp + np + 2, err->message, nm);
    tmp[np + 2 + nm] = 0;
    memcpy(err->message, tmp, sizeof tmp);
}

void xa_free(void *p) {
    free(p);
}

int xa_strlist_vaddf(char ***list, size_t *n, const char *fmt, va_list ap) {
    char buf[1024];
    vsnprintf(buf, sizeof buf, fmt, ap);
    char **a = realloc(*list, (*n + 1) * sizeof *a);
    if (!a) return -1;
    *list = a;
    if (!(a[*n] = xa_strdup(buf))) return -1;
    (*n)++;
    return 0;
}

char *xa_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

size_t xa_edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 63 || lb > 63) return 64;
    size_t row[64];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[lb];
}

const char *xa_fmt_shortest(double v, char *buf, size_t size) {
    /* the fewest significant digits that read back as the same double (Python's repr), without
     * an exponent for magnitudes from 1e-4 to 1e16 (20, not 2e+01) */
    double a = v < 0 ? -v : v;
    int plain = a >= 1e-4 && a < 1e16;
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(buf, size, "%.*g", prec, v);
        if (v != v || (strtod(buf, NULL) == v && !(plain && strchr(buf, 'e')))) break;
    }
    return buf;
}

int xa_next_permutation(int *a, int n) {
    int i = n - 2;
    while (i >= 0 && a[i] >= a[i + 1]) i--;
    if (i < 0) return 0;
    int j = n - 1;
    while (a[j] <= a[i]) j--;
    int t = a[i];
    a[i] = a[j], a[j] = t;
    for (int l = i + 1, r = n - 1; l < r; l++, r--) t = a[l], a[l] = a[r], a[r] = t;
    return 1;
}
