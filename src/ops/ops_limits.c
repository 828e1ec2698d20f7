/* The output limit of operations (ops_internal.h). */
#include "ops_internal.h"

static _Thread_local const xa_limits *ops_limits; /* NULL: the defaults */

const xa_limits *xa_ops_set_limits(const xa_limits *l) {
    const xa_limits *prev = ops_limits;
    ops_limits = l;
    return prev;
}

xa_status xa_ops_check_output(uint64_t bytes, int64_t w, int64_t h, xa_error *err) {
    uint64_t max = xa_limits_or_default(ops_limits)->op_output_bytes;
    if (bytes <= max) return XA_OK;
    return xa_fail(err, XA_ELIMIT, "output of %llu bytes (%lldx%lld) exceeds the limit of %llu",
                   (unsigned long long)bytes, (long long)w, (long long)h, (unsigned long long)max);
}
