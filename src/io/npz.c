/* .npz reader/writer: placeholder until the zip reader lands (same commit series). */
#include "internal.h"
#include "xalign/io.h"

xa_status xa_npz_open(const char *path, xa_npz **out, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, "%s: .npz reading is not built yet", path);
}
xa_status xa_npz_open_memory(const void *buf, size_t size, xa_npz **out, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, ".npz reading is not built yet");
}
size_t xa_npz_count(const xa_npz *z) { return 0; }
const char *xa_npz_name(const xa_npz *z, size_t i) { return ""; }
xa_status xa_npz_load(xa_npz *z, const char *name, xa_tensor **out, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, ".npz reading is not built yet");
}
void xa_npz_free(xa_npz *z) {}
xa_status xa_npz_save(const char *path, size_t n, const char *const *names,
                      const xa_tensor *const *tensors, xa_error *err) {
    return xa_fail(err, XA_EUNSUPPORTED, ".npz writing is not built yet");
}
