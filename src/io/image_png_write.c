/* PNG writing with libpng 1.6: 8-bit gray, RGB and RGBA from uint8 tensors (include/xalign/io.h).
 * The bytes depend only on the pixels: no tIME or text chunk, zlib level 6 and libpng's default
 * adaptive filtering, so the same tensor always gives the same file. The image is encoded into
 * memory (a report embeds it as is) and written with one call. libpng never prints or aborts
 * here: its errors longjmp back with the message recorded. */
#include "image_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

typedef struct {
    unsigned char *buf;
    size_t len, cap;
    int oom;
    char message[200];
} png_out;

static void on_write_error(png_structp png, png_const_charp msg) {
    png_out *o = png_get_error_ptr(png);
    snprintf(o->message, sizeof o->message, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}
static void on_write_warning(png_structp png, png_const_charp msg) {
    (void)png; /* writing 8-bit images with standard settings warns about nothing we can act on */
    (void)msg;
}
static void on_write(png_structp png, png_bytep data, size_t n) {
    png_out *o = png_get_io_ptr(png);
    if (n > o->cap - o->len) {
        size_t cap = o->cap ? o->cap : 1 << 16;
        while (cap - o->len < n) {
            if (cap > SIZE_MAX / 2) {
                o->oom = 1;
                png_error(png, "out of memory");
            }
            cap *= 2;
        }
        unsigned char *b = realloc(o->buf, cap);
        if (!b) {
            o->oom = 1;
            png_error(png, "out of memory");
        }
        o->buf = b;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, n);
    o->len += n;
}
static void on_flush(png_structp png) {
    (void)png;
}

/* Kept out of line so that none of its locals live in the frame that calls setjmp. */
static XA_NOINLINE void encode_body(png_structp png, png_infop info, const xa_tensor *t,
                                    png_bytep *rows) {
    png_uint_32 h = (png_uint_32)t->shape[0], w = (png_uint_32)t->shape[1];
    int c = t->rank == 3 ? (int)t->shape[2] : 1;
    int ct = c == 1 ? PNG_COLOR_TYPE_GRAY : c == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
    /* libpng refuses rows over its default read limit of 1e6 pixels on write too */
    png_set_user_limits(png, PNG_UINT_31_MAX, PNG_UINT_31_MAX);
    png_set_compression_level(png, 6);
    png_set_IHDR(png, info, w, h, 8, ct, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, info);
}

/* The setjmp frame: 1 when libpng failed (the message is in o). Nothing here changes after the
 * setjmp, so nothing can be clobbered by the longjmp. */
static int png_run(png_structp png, png_infop info, png_out *o, const xa_tensor *t,
                   png_bytep *rows) {
    if (setjmp(png_jmpbuf(png))) return 1;
    png_set_write_fn(png, o, on_write, on_flush);
    encode_body(png, info, t, rows);
    return 0;
}

/* Encode a validated C-order tensor into o. */
static xa_status encode(const xa_tensor *t, png_out *o, xa_error *err) {
    size_t h = (size_t)t->shape[0], row = t->nbytes / h;
    png_bytep *rows = malloc(h * sizeof *rows);
    xa_status st = XA_OK;
    png_structp png = NULL;
    png_infop info = NULL;
    if (rows)
        png = png_create_write_struct(PNG_LIBPNG_VER_STRING, o, on_write_error, on_write_warning);
    if (png) info = png_create_info_struct(png);
    if (!info) {
        st = xa_fail(err, XA_ENOMEM, "PNG: out of memory");
    } else {
        for (size_t y = 0; y < h; y++) rows[y] = (png_bytep)t->data + y * row;
        if (png_run(png, info, o, t, rows))
            st = xa_fail(err, o->oom ? XA_ENOMEM : XA_EINVAL, "PNG: %s", o->message);
    }
    if (png) png_destroy_write_struct(&png, info ? &info : NULL);
    free(rows);
    return st;
}

xa_status xa_png_encode(const xa_tensor *t, void **out, size_t *out_size, xa_error *err) {
    *out = NULL;
    *out_size = 0;
    char s[160];
    if (!t || t->dtype != XA_U8 || (t->rank != 2 && t->rank != 3) ||
        (t->rank == 3 && t->shape[2] != 1 && t->shape[2] != 3 && t->shape[2] != 4))
        return xa_fail(err, XA_EINVAL,
                       "PNG: needs a uint8 H x W (gray) or H x W x 1/3/4 (gray/RGB/RGBA) tensor, "
                       "got %s %s",
                       t ? xa_dtype_name(t->dtype) : "NULL",
                       t ? xa_shape_format(t->rank, t->shape, s, sizeof s) : "");
    if (t->shape[0] < 1 || t->shape[1] < 1 || t->shape[0] > PNG_UINT_31_MAX ||
        t->shape[1] > PNG_UINT_31_MAX)
        return xa_fail(err, XA_ESHAPE, "PNG: %s: width and height must be 1..2^31-1",
                       xa_shape_format(t->rank, t->shape, s, sizeof s));
    xa_tensor *copy = NULL;
    if (t->fortran_order && t->rank > 1) { /* rows must be C-order */
        xa_status st = xa_tensor_dup_native(t, &copy, err);
        if (st) return st;
    }
    png_out *o = calloc(1, sizeof *o);
    xa_status st =
        o ? encode(copy ? copy : t, o, err) : xa_fail(err, XA_ENOMEM, "PNG: out of memory");
    if (!st) {
        *out = o->buf;
        *out_size = o->len;
    } else if (o) {
        free(o->buf);
    }
    free(o);
    xa_tensor_free(copy);
    return st;
}

xa_status xa_png_save(const char *path, const xa_tensor *t, xa_error *err) {
    void *buf;
    size_t n;
    xa_status st = xa_png_encode(t, &buf, &n, err);
    if (st) return st;
    st = xa_write_file(path, buf, n, NULL, 0, err);
    free(buf);
    return st;
}
