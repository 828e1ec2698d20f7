/* Image decoding: the public entry points (docs/decode.md).
 *
 * xa_image_load is a plain decoder (library defaults); xa_image_decode reproduces what
 * cv2.imread (OpenCV 4.6) or Image.open(...).convert(...) (Pillow 9.4) return for the same
 * file, optionally with the libjpeg settings hardware decoders differ in (variants). The
 * format readers are image_jpeg.c and image_png.c; EXIF orientation is image_exif.c.
 */
#include "image_internal.h"
#include "io_internal.h"

#include <stdio.h>
#include <string.h>

/* 2 * Pillow's Image.MAX_IMAGE_PIXELS (int(1024 * 1024 * 1024 // 4 // 3) = 89478485). */
#define XA_PIL_BOMB_PIXELS (2 * (uint64_t)89478485)

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};

/* The signatures cv2 and PIL check: JPEG FF D8 FF, PNG the full 8-byte signature. */
static int is_jpeg(const unsigned char *b, size_t n) {
    return n >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF;
}
static int is_png(const unsigned char *b, size_t n) {
    return n >= 8 && !memcmp(b, png_signature, 8);
}

int xa_image_sniff(const void *buf, size_t size) {
    return buf && (is_jpeg(buf, size) || is_png(buf, size));
}

void xa_decoded_warn(xa_decoded *d, const char *text) {
    if (!d->warnings++) snprintf(d->warning, sizeof d->warning, "%s", text ? text : "");
}

xa_status xa_decoded_alloc(xa_decoded *d, int64_t width, int64_t height, int channels,
                           int sample_bytes, uint64_t max_pixels, const char *what, xa_error *err) {
    if (width < 1 || height < 1)
        return xa_fail(err, XA_EFORMAT, "%s: empty image (%lld x %lld)", what, (long long)width,
                       (long long)height);
    if ((uint64_t)width * (uint64_t)height > max_pixels)
        return xa_fail(err, XA_ELIMIT, "%s: %lld x %lld pixels exceed the limit of %llu", what,
                       (long long)width, (long long)height, (unsigned long long)max_pixels);
    int64_t shape[3] = {height, width, channels};
    xa_status st = xa_tensor_new(sample_bytes == 2 ? XA_U16 : XA_U8, 3, shape, &d->tensor, err);
    if (st) return st;
    d->width = width;
    d->height = height;
    d->channels = channels;
    d->sample_bytes = sample_bytes;
    return XA_OK;
}

static xa_status decode_any(const unsigned char *buf, size_t size, const xa_image_request *rq,
                            xa_decoded *d, const char **format, xa_error *err) {
    memset(d, 0, sizeof *d);
    if (is_jpeg(buf, size)) {
        *format = "jpeg";
        return xa_jpeg_decode(buf, size, rq, d, err);
    }
    if (is_png(buf, size)) {
        *format = "png";
        return xa_png_decode(buf, size, rq, d, err);
    }
    *format = "";
    return xa_fail(err, XA_EFORMAT, "not a JPEG or PNG file (no FF D8 FF or PNG signature)");
}

xa_status xa_image_load_memory(const void *buf, size_t size, const xa_load_options *o,
                               xa_tensor **out, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_image_load: out is NULL");
    *out = NULL;
    if (!buf && size) return xa_fail(err, XA_EINVAL, "xa_image_load: buffer is NULL");
    xa_image_request rq = {XA_FLAVOR_BASIC, 0, 1, XA_DCT_ISLOW, xa_load_limits(o)->image_pixels};
    xa_decoded d;
    const char *format;
    xa_status st = decode_any(buf, size, &rq, &d, &format, err);
    if (!st) *out = d.tensor;
    return st;
}

xa_status xa_image_load_ex(const char *path, const xa_load_options *o, xa_tensor **out,
                           xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_image_load: out is NULL");
    *out = NULL;
    if (!path) return xa_fail(err, XA_EINVAL, "xa_image_load: path is NULL");
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    st = xa_image_load_memory(f.data, f.size, o, out, err);
    xa_file_close(&f);
    if (st) xa_error_prefix(err, path);
    return st;
}

xa_status xa_image_load(const char *path, xa_tensor **out, xa_error *err) {
    return xa_image_load_ex(path, NULL, out, err);
}

void xa_decode_options_init(xa_decode_options *o) {
    if (!o) return;
    o->like = XA_DECODE_PIL;
    o->gray = 0;
    o->fancy_upsampling = 1;
    o->dct = XA_DCT_ISLOW;
    o->ignore_orientation = 0;
    o->limits = NULL;
}

static const char *dct_name(xa_dct_method m) {
    return m == XA_DCT_IFAST ? "IFAST" : m == XA_DCT_FLOAT ? "FLOAT" : "ISLOW";
}

/* The human-readable record of what was done, kept in reports. */
static void describe(const xa_decode_options *o, const char *format, const xa_decoded *d,
                     xa_decode_info *info) {
    char *s = info->settings;
    size_t n = sizeof info->settings;
    int cv = o->like == XA_DECODE_CV2;
    int k;
    if (cv)
        k = snprintf(s, n, "cv2.imread(%s%s) as OpenCV 4.6",
                     o->gray ? "IMREAD_GRAYSCALE" : "IMREAD_COLOR",
                     o->ignore_orientation ? "|IMREAD_IGNORE_ORIENTATION" : "");
    else
        k = snprintf(s, n, "Image.open().convert('%s') as Pillow 9.4", o->gray ? "L" : "RGB");
    int jpeg = !strcmp(format, "jpeg");
    int variant = jpeg && (o->dct != XA_DCT_ISLOW || !o->fancy_upsampling);
    if (jpeg)
        k += snprintf(s + k, n - (size_t)k, ": %s %s DCT, %s upsampling%s; %s", xa_jpeg_library(),
                      dct_name(o->dct), o->fancy_upsampling ? "fancy" : "nearest (no fancy)",
                      variant ? " [variant, not the library default]" : "", d->note);
    else
        k += snprintf(s + k, n - (size_t)k, ": %s; %s", xa_png_library(), d->note);
    if (k > 0 && (size_t)k < n && info->exif_orientation)
        k += snprintf(s + k, n - (size_t)k, "; EXIF orientation %d %s", info->exif_orientation,
                      info->orientation_applied     ? "applied"
                      : cv && o->ignore_orientation ? "ignored"
                      : cv                          ? "needs no change"
                                                    : "not applied (PIL never applies it)");
    if (k > 0 && (size_t)k < n && d->warnings)
        snprintf(s + k, n - (size_t)k, "; %d codec warning%s: %s", d->warnings,
                 d->warnings == 1 ? "" : "s", d->warning);
}

xa_status xa_image_decode_memory(const void *buf, size_t size, const xa_decode_options *o,
                                 xa_tensor **out, xa_decode_info *info, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_image_decode: out is NULL");
    *out = NULL;
    if (info) memset(info, 0, sizeof *info);
    if (!buf && size) return xa_fail(err, XA_EINVAL, "xa_image_decode: buffer is NULL");
    xa_decode_options def;
    if (!o) {
        xa_decode_options_init(&def);
        o = &def;
    }
    if (o->like != XA_DECODE_PIL && o->like != XA_DECODE_CV2)
        return xa_fail(err, XA_EINVAL, "xa_image_decode: unknown 'like' value %d", (int)o->like);
    if (o->dct != XA_DCT_ISLOW && o->dct != XA_DCT_IFAST && o->dct != XA_DCT_FLOAT)
        return xa_fail(err, XA_EINVAL, "xa_image_decode: unknown DCT method %d", (int)o->dct);
    xa_image_request rq = {o->like == XA_DECODE_CV2 ? XA_FLAVOR_CV2 : XA_FLAVOR_PIL, !!o->gray,
                           !!o->fancy_upsampling, o->dct,
                           xa_limits_or_default(o->limits)->image_pixels};
    /* Image.open raises DecompressionBombError when width * height > 2 * MAX_IMAGE_PIXELS
     * (Pillow 9.4 Image._decompression_bomb_check, MAX_IMAGE_PIXELS = 2^30 / 4 / 3). */
    int pil_bomb = rq.flavor == XA_FLAVOR_PIL && rq.max_pixels > XA_PIL_BOMB_PIXELS;
    if (pil_bomb) rq.max_pixels = XA_PIL_BOMB_PIXELS;
    xa_decoded d;
    const char *format;
    xa_status st = decode_any(buf, size, &rq, &d, &format, err);
    if (st == XA_ELIMIT && pil_bomb && err) {
        char msg[sizeof err->message];
        memcpy(msg, err->message, sizeof msg);
        xa_fail(err, st, "%s (PIL raises DecompressionBombError above 2 * Image.MAX_IMAGE_PIXELS)",
                msg);
    }
    if (st) return st;
    int applied = 0;
    /* cv2.imread applies the orientation for every flag but IMREAD_UNCHANGED and
     * IMREAD_IGNORE_ORIENTATION, gray reads included; Pillow never does. */
    if (rq.flavor == XA_FLAVOR_CV2 && !o->ignore_orientation)
        st = xa_apply_orientation(&d.tensor, d.exif_orientation, &applied, err);
    if (st) {
        xa_tensor_free(d.tensor);
        return st;
    }
    if (info) {
        snprintf(info->format, sizeof info->format, "%s", format);
        info->exif_orientation =
            d.exif_orientation >= 1 && d.exif_orientation <= 8 ? d.exif_orientation : 0;
        info->orientation_applied = applied;
        info->warnings = d.warnings;
        snprintf(info->warning, sizeof info->warning, "%s", d.warning);
        describe(o, format, &d, info);
    }
    *out = d.tensor;
    return XA_OK;
}

xa_status xa_image_decode(const char *path, const xa_decode_options *o, xa_tensor **out,
                          xa_decode_info *info, xa_error *err) {
    if (!out) return xa_fail(err, XA_EINVAL, "xa_image_decode: out is NULL");
    *out = NULL;
    if (info) memset(info, 0, sizeof *info);
    if (!path) return xa_fail(err, XA_EINVAL, "xa_image_decode: path is NULL");
    xa_file f;
    xa_status st = xa_file_open(path, XA_NPY_MAP_THRESHOLD, &f, err);
    if (st) return st;
    st = xa_image_decode_memory(f.data, f.size, o, out, info, err);
    xa_file_close(&f);
    if (st) xa_error_prefix(err, path);
    return st;
}
