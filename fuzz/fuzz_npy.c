/* Fuzz target: .npy parsing from memory (xa_npy_from_memory), then a read of the elements. */
#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_error err;
    xa_tensor *t = NULL;
    if (xa_npy_from_memory(data, size, "fuzz.npy", &t, &err) == XA_OK) {
        fuzz_touch(t);
        xa_tensor_free(t);
    }
    return 0;
}
