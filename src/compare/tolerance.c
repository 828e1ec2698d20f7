/* Tolerance criteria by name: the one parser behind the command line's tolerance options, the
 * manifest's "tolerance" objects and the bindings' keyword arguments. */
#include "internal.h"
#include "xalign/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int number(const char *s, double *v) {
    char *e;
    errno = 0;
    *v = strtod(s, &e);
    return s[0] && !*e && !errno && !isnan(*v);
}

xa_status xa_tolerance_set(xa_tolerance *t, const char *key, const char *value, xa_error *err) {
    char k[32];
    size_t n = strlen(key ? key : "");
    if (!n || n >= sizeof k)
        return xa_fail(err, XA_EINVAL, "tolerance: no such key '%s'", key ? key : "");
    for (size_t i = 0; i <= n; i++) k[i] = key[i] == '_' ? '-' : key[i]; /* older snake_case */
    const char *v = value ? value : "";
    if (!strcmp(k, "preset")) {
        if (xa_tolerance_preset(v, t))
            return xa_fail(err, XA_EINVAL, "tolerance: unknown preset '%s' (f32, f16, bf16, int8)",
                           v);
        return XA_OK;
    }
    if (!strcmp(k, "equal")) {
        if (!strcmp(v, "true") || !strcmp(v, "1") || !*v)
            t->active |= XA_TOL_EQUAL;
        else if (!strcmp(v, "false") || !strcmp(v, "0"))
            t->active &= ~(unsigned)XA_TOL_EQUAL;
        else
            return xa_fail(err, XA_EINVAL, "tolerance: equal is true or false, not '%s'", v);
        return XA_OK;
    }
    static const struct {
        const char *key;
        unsigned bit;
        size_t off;
        int nonneg;
    } num[] = {
        {"atol", XA_TOL_ATOL_RTOL, offsetof(xa_tolerance, atol), 1},
        {"rtol", XA_TOL_ATOL_RTOL, offsetof(xa_tolerance, rtol), 1},
        {"max-abs", XA_TOL_MAX_ABS, offsetof(xa_tolerance, max_abs), 1},
        {"min-cosine", XA_TOL_COSINE, offsetof(xa_tolerance, min_cosine), 0},
        {"min-euclid", XA_TOL_EUCLID, offsetof(xa_tolerance, min_euclid), 0},
        {"min-sqnr", XA_TOL_SQNR, offsetof(xa_tolerance, min_sqnr_db), 0},
    };
    for (size_t i = 0; i < sizeof num / sizeof num[0]; i++) {
        if (strcmp(k, num[i].key)) continue;
        double d;
        if (!number(v, &d))
            return xa_fail(err, XA_EINVAL, "tolerance: %s '%s' is not a number", k, v);
        if (num[i].nonneg && d < 0)
            return xa_fail(err, XA_EINVAL, "tolerance: %s must not be negative", k);
        /* atol and rtol go together: setting one makes the other 0 unless it was set */
        if (num[i].bit == XA_TOL_ATOL_RTOL && !(t->active & XA_TOL_ATOL_RTOL))
            t->atol = t->rtol = 0;
        *(double *)((char *)t + num[i].off) = d;
        t->active |= num[i].bit;
        return XA_OK;
    }
    return xa_fail(err, XA_EINVAL,
                   "tolerance: unknown key '%s' (atol, rtol, max-abs, min-cosine, min-euclid, "
                   "min-sqnr, equal, preset)",
                   key);
}
