/* Fuzz target: .npz archives from memory (xa_npz_open_memory_ex), loading every listed member and
 * reading its elements, plus a lookup of a name that is not listed. Small limits through the
 * public options: an inflated member of 64 MiB at most, 4096 members, 1024-byte names. */
#include "fuzz_touch.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_limits lim;
    xa_limits_init(&lim);
    lim.npz_inflated_bytes = (uint64_t)64 << 20;
    lim.npz_members = 4096;
    lim.npz_name_bytes = 1024;
    xa_load_options o = {&lim, 1};
    xa_error err;
    xa_npz *z = NULL;
    if (xa_npz_open_memory_ex(data, size, &o, &z, &err) != XA_OK) return 0;
    size_t n = xa_npz_count(z);
    if (n > lim.npz_members) __builtin_trap();
    for (size_t i = 0; i < n; i++) {
        if (strlen(xa_npz_name(z, i)) > lim.npz_name_bytes) __builtin_trap();
        xa_tensor *t = NULL;
        if (xa_npz_load(z, xa_npz_name(z, i), &t, &err) != XA_OK) continue;
        if (t->nbytes > lim.npz_inflated_bytes) __builtin_trap();
        fuzz_touch(t);
        xa_tensor_free(t);
    }
    xa_tensor *t = NULL;
    if (xa_npz_load(z, "not a member \x7f", &t, &err) == XA_OK) xa_tensor_free(t);
    xa_npz_free(z);
    return 0;
}
