/* Summary statistics of one tensor (`xalign info`, the HTML report's value ranges): one pass,
 * min/max/mean over finite values with a compensated sum, NaN/Inf counts. */
#include "report_internal.h"
#include "xalign/report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

xa_status xa_tensor_stats(const xa_tensor *t, xa_stats *s, xa_error *err) {
    if (!s) return xa_fail(err, XA_EINVAL, "xa_tensor_stats: NULL result pointer");
    if (!t) return xa_fail(err, XA_EINVAL, "xa_tensor_stats: NULL tensor");
    memset(s, 0, sizeof *s);
    s->min = INFINITY;
    s->max = -INFINITY;
    enum { CH = 16384 };
    double *buf = malloc(CH * sizeof *buf);
    if (!buf) return xa_fail(err, XA_ENOMEM, "out of memory");
    int64_t n = xa_tensor_count(t);
    size_t es = xa_dtype_size(t->dtype);
    double sum = 0, comp = 0;
    for (int64_t i = 0; i < n; i += CH) {
        size_t m = (size_t)(n - i < CH ? n - i : CH);
        xa_convert_to_f64(t->dtype, t->swapped, (const unsigned char *)t->data + (size_t)i * es, m,
                          buf);
        double part = 0;
        for (size_t k = 0; k < m; k++) {
            double v = buf[k];
            if (isnan(v)) {
                s->nan++;
                continue;
            }
            if (isinf(v)) {
                s->inf++;
                continue;
            }
            s->finite++;
            part += v;
            if (v < s->min) s->min = v;
            if (v > s->max) s->max = v;
        }
        double u = sum + part; /* Neumaier over chunk sums */
        comp += fabs(sum) >= fabs(part) ? (sum - u) + part : (part - u) + sum;
        sum = u;
    }
    free(buf);
    s->count = n;
    s->sum = sum + comp;
    s->mean = s->finite ? s->sum / (double)s->finite : NAN;
    if (!s->finite) s->min = s->max = NAN;
    return XA_OK;
}
