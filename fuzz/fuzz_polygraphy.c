/* Fuzz target: Polygraphy JSON (--save-outputs RunResults, --save-inputs feed dicts) on arbitrary
 * bytes, through the public API: index the document, then read every member's header, load it
 * and touch its elements, and open a streaming view of it. */
#include <stdint.h>
#include <string.h>
#include <xalign/xalign.h>

#include "fuzz_touch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_error err;
    xa_multi *m;
    if (xa_polygraphy_open_memory(data, size, &m, &err) != XA_OK) return 0;
    size_t n = xa_multi_count(m);
    for (size_t i = 0; i < n && i < 64; i++) {
        const char *name = xa_multi_name(m, i);
        if (!name || xa_multi_find(m, name) < 0) __builtin_trap();
        xa_member_info in;
        xa_tensor *t;
        if (xa_multi_info(m, i, &in, &err) == XA_OK && in.nbytes > ((uint64_t)1 << 40))
            __builtin_trap(); /* a header is bounded by the element limit */
        if (xa_multi_load(m, i, &t, &err) == XA_OK) {
            fuzz_touch(t);
            xa_tensor_free(t);
        }
        xa_member_view v;
        if (xa_multi_view(m, i, &v, &err) == XA_OK) {
            if (xa_crc32(0, v.data, (size_t)v.info.nbytes) == 0x12345678u) fuzz_sink += 1;
            xa_member_view_clear(&v);
        }
    }
    xa_multi_free(m);
    return 0;
}
