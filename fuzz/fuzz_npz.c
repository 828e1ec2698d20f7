/* Fuzz target: .npz archives from memory (xa_npz_open_memory), loading every listed member and
 * reading its elements, plus a lookup of a name that is not listed. */
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_error err;
    xa_npz *z = NULL;
    if (xa_npz_open_memory(data, size, &z, &err) != XA_OK) return 0;
    size_t n = xa_npz_count(z);
    for (size_t i = 0; i < n; i++) {
        xa_tensor *t = NULL;
        if (xa_npz_load(z, xa_npz_name(z, i), &t, &err) != XA_OK) continue;
        fuzz_touch(t);
        xa_tensor_free(t);
    }
    xa_tensor *t = NULL;
    if (xa_npz_load(z, "not a member \x7f", &t, &err) == XA_OK) xa_tensor_free(t);
    xa_npz_free(z);
    return 0;
}
