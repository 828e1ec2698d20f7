/* Fuzz target: JPEG/PNG decoding (src/io/image*.c) with every flavour the library has:
 * like cv2 (colour), like PIL (gray), a variant (no fancy upsampling + IFAST) and the plain
 * decoder of xa_image_load. Decoded images are limited to 2^22 pixels through the public limits
 * (xa_limits.image_pixels) so that one input cannot ask for gigabytes. Checks the output
 * contract. */
#include "fuzz_target.h"
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <xalign/xalign.h>

enum { FUZZ_MAX_PIXELS = 1 << 22 };

static void check_tensor(xa_status st, const xa_tensor *t, int sample_bytes) {
    if (st != XA_OK) {
        if (t) abort(); /* failures leave nothing behind */
        return;
    }
    if (!t || t->rank != 3 || t->shape[0] < 1 || t->shape[1] < 1 || t->shape[2] < 1 ||
        t->shape[2] > 4)
        abort();
    uint64_t want = (uint64_t)t->shape[0] * (uint64_t)t->shape[1] * (uint64_t)t->shape[2];
    if (sample_bytes)
        want *= (uint64_t)sample_bytes;
    else
        want *= xa_dtype_size(t->dtype);
    if (want != t->nbytes || (uint64_t)t->shape[0] * (uint64_t)t->shape[1] > FUZZ_MAX_PIXELS)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    xa_limits lim;
    xa_limits_init(&lim);
    lim.image_pixels = FUZZ_MAX_PIXELS;
    xa_decode_options o;
    xa_decode_info info;
    xa_tensor *t = NULL;
    xa_status st;

    xa_decode_options_init(&o);
    o.limits = &lim;
    o.like = XA_DECODE_CV2;
    st = xa_image_decode_memory(data, size, &o, &t, &info, NULL);
    check_tensor(st, t, 1);
    if (!st && (info.exif_orientation < 0 || info.exif_orientation > 8)) abort();
    xa_tensor_free(t);

    xa_decode_options_init(&o);
    o.limits = &lim;
    o.gray = 1;
    st = xa_image_decode_memory(data, size, &o, &t, &info, NULL);
    check_tensor(st, t, 1);
    if (!st && (t->shape[2] != 1 || info.orientation_applied)) abort();
    xa_tensor_free(t);

    xa_decode_options_init(&o);
    o.limits = &lim;
    o.like = XA_DECODE_CV2;
    o.fancy_upsampling = 0;
    o.dct = XA_DCT_IFAST;
    st = xa_image_decode_memory(data, size, &o, &t, NULL, NULL);
    check_tensor(st, t, 1);
    xa_tensor_free(t);

    /* The plain decoder behind xa_image_load (uint16 for 16-bit PNGs). */
    xa_load_options lo = {&lim, 1};
    st = xa_image_load_memory(data, size, &lo, &t, NULL);
    check_tensor(st, t, 0);
    xa_tensor_free(t);
    return 0;
}
