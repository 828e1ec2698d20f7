/* Image decode: placeholder until the libjpeg/libpng reader lands (same commit series). */
#include "internal.h"
#include "xalign/io.h"

int xa_image_sniff(const void *buf, size_t size) {
    const unsigned char *b = buf;
    if (size >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return 1;
    if (size >= 8 && b[0] == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') return 1;
    return 0;
}
xa_status xa_image_load(const char *path, xa_tensor **out, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, "%s: image decoding is not built yet", path);
}

void xa_decode_options_init(xa_decode_options *o) {
    o->like = XA_DECODE_PIL;
    o->gray = 0;
    o->fancy_upsampling = 1;
    o->dct = XA_DCT_ISLOW;
    o->ignore_orientation = 0;
}
xa_status xa_image_decode(const char *path, const xa_decode_options *o, xa_tensor **out,
                          xa_decode_info *info, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, "%s: image decoding is not built yet", path);
}
xa_status xa_image_decode_memory(const void *buf, size_t size, const xa_decode_options *o,
                                 xa_tensor **out, xa_decode_info *info, xa_error *err) {
    *out = NULL;
    return xa_fail(err, XA_EUNSUPPORTED, "image decoding is not built yet");
}
