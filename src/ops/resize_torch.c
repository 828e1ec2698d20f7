/* Placeholder: the torch resize family lands in its own commit series. */
#include "resize_internal.h"

xa_status xa_resize_torch(const xa_tensor *src, int64_t dw, int64_t dh, xa_resize_method m,
                       xa_tensor **out, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, "%s is not built yet", xa_resize_method_name(m));
}
