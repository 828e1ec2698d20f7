/* Fuzz target: .npy parsing from memory (xa_npy_from_memory_ex), then a read of the elements.
 * Small limits through the public options, so that the limit checks are reached too. */
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_limits lim;
    xa_limits_init(&lim);
    lim.npy_header_bytes = 4096;
    lim.max_elements = (int64_t)1 << 24;
    xa_load_options o = {&lim, 1};
    xa_error err;
    xa_tensor *t = NULL;
    if (xa_npy_from_memory_ex(data, size, "fuzz.npy", &o, &t, &err) == XA_OK) {
        if (xa_tensor_count(t) > lim.max_elements) __builtin_trap();
        fuzz_touch(t);
        xa_tensor_free(t);
    }
    return 0;
}
