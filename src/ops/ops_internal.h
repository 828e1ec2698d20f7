/* Private to the ops layer: the limits every operation checks its output against. */
#ifndef XA_OPS_INTERNAL_H
#define XA_OPS_INTERNAL_H

#include "internal.h"

/* The limits the operations on the calling thread apply (xa_limits.op_output_bytes), NULL for
 * the defaults. The caller that runs an operation for someone with limits of their own (the
 * operation registry, from its options) sets them around the call and restores the previous ones
 * it gets back; operations never take limits as a parameter, so no signature changes for them.
 * Thread-local: parallel callers (dataset runs) each set their own. */
const xa_limits *xa_ops_set_limits(const xa_limits *l);

/* XA_OK when an output image of `bytes` bytes (w x h) is within the limit in force on this
 * thread; XA_ELIMIT with "output of N bytes (WxH) exceeds the limit of M" otherwise. Every
 * operation calls it before it allocates its output. */
xa_status xa_ops_check_output(uint64_t bytes, int64_t w, int64_t h, xa_error *err);

#endif
