/* Shared by the fuzz targets: read a loaded tensor's elements, so that a header whose sizes
 * disagree with the data it was given shows up under ASan. */
#ifndef XA_FUZZ_TOUCH_H
#define XA_FUZZ_TOUCH_H
#include "fuzz_target.h"
#include <xalign/xalign.h>

static volatile double fuzz_sink;

/* Every element of small tensors; about 2^20 spread over big ones, and always the last. */
static inline void fuzz_touch(const xa_tensor *t) {
    int64_t n = xa_tensor_count(t), step = n >> 20 ? n >> 20 : 1;
    double acc = 0;
    for (int64_t i = 0; i < n; i += step) acc += xa_tensor_get(t, i);
    if (n > 0) acc += xa_tensor_get(t, n - 1);
    fuzz_sink = acc;
}
#endif
