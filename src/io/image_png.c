/* PNG decoding with libpng 1.6, as cv2.imread and Pillow read PNGs.
 *
 * cv2 (OpenCV 4.6 imgcodecs/src/grfmt_png.cpp, PngDecoder::readData) uses libpng itself, so
 * the cv2 flavour makes the same libpng calls in the same order: strip_16 (16-bit files become
 * the high byte), strip_alpha, palette_to_rgb, expand_gray_1_2_4_to_8, then bgr / gray_to_rgb /
 * rgb_to_gray(error_action 1, 0.299, 0.587) -- libpng's own grey conversion, with its gamma
 * handling when the file has a gAMA chunk -- interlace handling, png_read_image, png_read_end,
 * and the EXIF orientation from an eXIf chunk before or after the image data. Any libpng error,
 * including one in png_read_end (a missing IEND), makes cv2.imread return None.
 *
 * Pillow (PngImagePlugin.py, libImaging's own unfilter) does not use libpng; its modes are
 * reproduced here from the raw samples libpng returns:
 *   gray 1 bit "1" (0/255), 2/4 bit "L;2"/"L;4" (x 0x55 / x 0x11), 8 bit "L", 16 bit "I"
 *   (convert('RGB') and convert('L') clip it to 0..255: i2rgb / i2l); RGB and RGBA 16 bit keep
 *   the high byte ("RGB;16B"); LA 16 bit becomes RGBA ("LA;16B"); P looks the index up in a
 *   256-entry palette whose entries past the PLTE length keep Pillow's initial grey ramp
 *   (i, i, i) (libpng gives black there); convert('L') is rgb2l of the RGB value.
 *   Pillow checks the CRC of every chunk before the image data and none after; it never
 *   needs IEND. The PIL flavour sets libpng's CRC actions to match and stops after the rows.
 * libpng never prints or aborts here: error and warning callbacks record, errors longjmp.
 */
#include "image_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>

typedef struct {
    const unsigned char *data;
    size_t size, pos;
    xa_decoded *d;
    const xa_image_request *rq;
    png_structp png;
    png_infop info, end;
    unsigned char *raw; /* PIL: the raw samples before conversion */
    png_bytep *rows;
    int image_done; /* all rows are in; later errors are after the image */
    int truncated;  /* the data ran out */
    char message[200];
} png_job;

static void on_error(png_structp png, png_const_charp msg) {
    png_job *j = png_get_error_ptr(png);
    snprintf(j->message, sizeof j->message, "%s", msg ? msg : "libpng error");
    png_longjmp(png, 1);
}
static void on_warning(png_structp png, png_const_charp msg) {
    png_job *j = png_get_error_ptr(png);
    xa_decoded_warn(j->d, msg ? msg : "libpng warning");
}
static void on_read(png_structp png, png_bytep out, size_t n) {
    png_job *j = png_get_io_ptr(png);
    if (n > j->size - j->pos) {
        j->truncated = 1;
        png_error(png, "the file is truncated");
    }
    memcpy(out, j->data + j->pos, n);
    j->pos += n;
}

/* EXIF orientation from an eXIf chunk: the image info first, then the end info (OpenCV). */
static int exif_of(png_job *j) {
#ifdef PNG_eXIf_SUPPORTED
    png_uint_32 n = 0;
    png_bytep exif = NULL;
    if (png_get_valid(j->png, j->info, PNG_INFO_eXIf))
        png_get_eXIf_1(j->png, j->info, &n, &exif);
    else if (j->end && png_get_valid(j->png, j->end, PNG_INFO_eXIf))
        png_get_eXIf_1(j->png, j->end, &n, &exif);
    if (exif && n > 0) return xa_exif_orientation(exif, n);
#endif
    return 0;
}

static const char *color_name(int ct) {
    switch (ct) {
    case PNG_COLOR_TYPE_GRAY:
        return "gray";
    case PNG_COLOR_TYPE_RGB:
        return "RGB";
    case PNG_COLOR_TYPE_PALETTE:
        return "palette";
    case PNG_COLOR_TYPE_GRAY_ALPHA:
        return "gray+alpha";
    case PNG_COLOR_TYPE_RGB_ALPHA:
        return "RGBA";
    default:
        return "unknown";
    }
}

/* Read all rows into `dst` (rowbytes each) with the transforms already set. */
static xa_status read_rows(png_job *j, unsigned char *dst, size_t rowbytes, xa_error *err) {
    png_uint_32 h = png_get_image_height(j->png, j->info);
    if (!(j->rows = malloc((size_t)h * sizeof *j->rows)))
        return xa_fail(err, XA_ENOMEM, "PNG: out of memory");
    for (png_uint_32 y = 0; y < h; y++) j->rows[y] = dst + (size_t)y * rowbytes;
    png_read_image(j->png, j->rows);
    j->image_done = 1;
    return XA_OK;
}

/* Check what libpng will deliver against what was allocated. */
static xa_status check_rowbytes(png_job *j, size_t want, xa_error *err) {
    size_t got = png_get_rowbytes(j->png, j->info);
    if (got != want)
        return xa_fail(err, XA_EFORMAT, "PNG: libpng rows of %zu bytes, expected %zu", got, want);
    return XA_OK;
}

/* cv2.imread(IMREAD_COLOR | IMREAD_GRAYSCALE): PngDecoder::readData for an 8-bit Mat. */
static xa_status decode_cv2(png_job *j, int bd, int ct, xa_error *err) {
    png_structp png = j->png;
    int color = !j->rq->gray;
    if (bd == 16)
        png_set_strip_16(png);
    else
        png_set_swap(png); /* OpenCV calls it for every non-stripped file; a no-op below 16 */
    png_set_strip_alpha(png);
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((ct & PNG_COLOR_MASK_COLOR) == 0 && bd < 8) png_set_expand_gray_1_2_4_to_8(png);
    if ((ct & PNG_COLOR_MASK_COLOR) && color)
        png_set_bgr(png);
    else if (color)
        png_set_gray_to_rgb(png);
    else
        png_set_rgb_to_gray(png, 1, 0.299, 0.587);
    png_set_interlace_handling(png);
    png_read_update_info(png, j->info);
    xa_decoded *d = j->d;
    size_t rowbytes = (size_t)d->width * (color ? 3 : 1);
    xa_status st = check_rowbytes(j, rowbytes, err);
    if (!st) st = read_rows(j, d->tensor->data, rowbytes, err);
    if (st) return st;
    png_read_end(png, j->end); /* an error here fails cv2.imread too */
    snprintf(d->note, sizeof d->note, "%d-bit %s; libpng %s", bd, color_name(ct),
             color ? "->BGR" : "rgb_to_gray(0.299, 0.587)");
    return XA_OK;
}

/* Pillow's palette: PLTE entries, then its initial ramp (i, i, i) (Palette.c
 * ImagingPaletteNew) for indices past the end. */
static void pil_palette(png_job *j, unsigned char pal[256][3]) {
    for (int i = 0; i < 256; i++) pal[i][0] = pal[i][1] = pal[i][2] = (unsigned char)i;
    png_colorp p = NULL;
    int n = 0;
    if (png_get_PLTE(j->png, j->info, &p, &n) && p)
        for (int i = 0; i < n && i < 256; i++) {
            pal[i][0] = p[i].red;
            pal[i][1] = p[i].green;
            pal[i][2] = p[i].blue;
        }
}

/* Pillow's value of one gray sample of bit depth bd (unpacked to one byte, or 16-bit BE). */
static unsigned pil_gray(const unsigned char *s, int bd) {
    switch (bd) {
    case 1:
        return s[0] ? 255 : 0; /* mode "1", bit2l / bit2rgb */
    case 2:
        return s[0] * 0x55u; /* "L;2": 0..3 spread over 0..255 */
    case 4:
        return s[0] * 0x11u; /* "L;4" */
    case 16: {               /* mode "I" from "I;16B", clipped by i2l / i2rgb */
        unsigned v = (unsigned)s[0] << 8 | s[1];
        return v > 255 ? 255 : v;
    }
    default:
        return s[0];
    }
}

/* Image.open(p).convert('RGB' | 'L') from the raw samples of one row. */
static void pil_row(const unsigned char *in, unsigned char *out, size_t w, int bd, int ct, int gray,
                    unsigned char pal[256][3]) {
    int bps = bd == 16 ? 2 : 1; /* bytes per sample after png_set_packing */
    int spp = ct == PNG_COLOR_TYPE_RGB          ? 3
              : ct == PNG_COLOR_TYPE_RGB_ALPHA  ? 4
              : ct == PNG_COLOR_TYPE_GRAY_ALPHA ? 2
                                                : 1;
    for (size_t x = 0; x < w; x++) {
        const unsigned char *s = in + x * (size_t)(spp * bps);
        unsigned r, g, b;
        if (ct == PNG_COLOR_TYPE_PALETTE) {
            r = pal[s[0]][0];
            g = pal[s[0]][1];
            b = pal[s[0]][2];
        } else if (ct == PNG_COLOR_TYPE_GRAY) {
            r = g = b = pil_gray(s, bd);
        } else if (ct == PNG_COLOR_TYPE_GRAY_ALPHA) { /* LA, or RGBA from "LA;16B" */
            r = g = b = s[0];                         /* 8 bit: L; 16 bit: high byte */
        } else {                                      /* RGB / RGBA: high byte if 16 */
            r = s[0];
            g = s[bps];
            b = s[2 * bps];
        }
        if (gray)
            out[x] = xa_pil_luma(r, g, b); /* rgb2l; for gray modes it returns v */
        else {
            out[3 * x] = (unsigned char)r;
            out[3 * x + 1] = (unsigned char)g;
            out[3 * x + 2] = (unsigned char)b;
        }
    }
}

static xa_status decode_pil(png_job *j, int bd, int ct, xa_error *err) {
    png_structp png = j->png;
    if (bd < 8) png_set_packing(png); /* one byte per sample, values unscaled */
    png_set_interlace_handling(png);
    png_read_update_info(png, j->info);
    /* Pillow checks no CRC from the image data on (PngImageFile.load_read skips them). */
    png_set_crc_action(png, PNG_CRC_QUIET_USE, PNG_CRC_QUIET_USE);
    xa_decoded *d = j->d;
    size_t rowbytes = png_get_rowbytes(png, j->info);
    uint64_t total;
    if (xa_mul_overflow_u64(rowbytes, (uint64_t)d->height, &total) || total > SIZE_MAX ||
        !(j->raw = malloc(total ? (size_t)total : 1)))
        return xa_fail(err, XA_ENOMEM, "PNG: out of memory for %llu rows of %zu bytes",
                       (unsigned long long)d->height, rowbytes);
    xa_status st = read_rows(j, j->raw, rowbytes, err);
    if (st) return st;
    unsigned char pal[256][3];
    pil_palette(j, pal);
    int gray = j->rq->gray;
    size_t w = (size_t)d->width, out_row = w * (gray ? 1 : 3);
    for (int64_t y = 0; y < d->height; y++)
        pil_row(j->raw + (size_t)y * rowbytes,
                (unsigned char *)d->tensor->data + (size_t)y * out_row, w, bd, ct, gray, pal);
    snprintf(d->note, sizeof d->note, "%d-bit %s; Pillow mode conversion to %s", bd, color_name(ct),
             gray ? "L" : "RGB");
    return XA_OK;
}

/* xa_image_load: palette expanded (with alpha when there is a tRNS chunk), 1/2/4-bit gray
 * scaled to 8 bits, 16-bit kept as native uint16, alpha kept. */
static xa_status decode_basic(png_job *j, int bd, int ct, xa_error *err) {
    png_structp png = j->png;
    if (ct == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if ((ct & PNG_COLOR_MASK_COLOR) == 0 && bd < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (bd == 16) {
        unsigned short probe = 1;
        if (*(unsigned char *)&probe) png_set_swap(png); /* little-endian host */
    }
    png_set_interlace_handling(png);
    png_read_update_info(png, j->info);
    int channels = png_get_channels(png, j->info);
    int sb = bd == 16 ? 2 : 1;
    xa_decoded *d = j->d;
    xa_status st =
        xa_decoded_alloc(d, d->width, d->height, channels, sb, j->rq->max_pixels, "PNG", err);
    size_t rowbytes = (size_t)d->width * (size_t)(channels * sb);
    if (!st) st = check_rowbytes(j, rowbytes, err);
    if (!st) st = read_rows(j, d->tensor->data, rowbytes, err);
    if (st) return st;
    snprintf(d->note, sizeof d->note, "%d-bit %s", bd, color_name(ct));
    return XA_OK;
}

/* Kept out of line so that none of its locals live in the frame that calls setjmp. */
static XA_NOINLINE xa_status decode_body(png_job *j, xa_error *err) {
    png_structp png = j->png;
    const xa_image_request *rq = j->rq;
    xa_decoded *d = j->d;
    png_set_read_fn(png, j, on_read);
    /* Pillow refuses a bad CRC in any chunk before the image data, ancillary ones included. */
    if (rq->flavor == XA_FLAVOR_PIL) png_set_crc_action(png, PNG_CRC_DEFAULT, PNG_CRC_ERROR_QUIT);
    png_read_info(png, j->info);
    png_uint_32 w, h;
    int bd, ct;
    png_get_IHDR(png, j->info, &w, &h, &bd, &ct, NULL, NULL, NULL);
    if ((uint64_t)w * h > rq->max_pixels)
        return xa_fail(err, XA_ELIMIT, "PNG: %u x %u pixels exceed the limit of %llu", w, h,
                       (unsigned long long)rq->max_pixels);
    d->width = w;
    d->height = h;
    d->exif_orientation = exif_of(j);
    if (rq->flavor == XA_FLAVOR_BASIC) return decode_basic(j, bd, ct, err);
    xa_status st = xa_decoded_alloc(d, w, h, rq->gray ? 1 : 3, 1, rq->max_pixels, "PNG", err);
    if (st) return st;
    if (rq->flavor == XA_FLAVOR_CV2)
        st = decode_cv2(j, bd, ct, err);
    else
        st = decode_pil(j, bd, ct, err);
    if (!st && rq->flavor != XA_FLAVOR_CV2) {
        /* Read the rest for an eXIf chunk after the image (reported, not applied); errors
         * there are after the image and are ignored, as Pillow's load_end ignores them. */
        png_read_end(png, j->end);
    }
    if (!st) d->exif_orientation = exif_of(j);
    return st;
}

xa_status xa_png_decode(const unsigned char *buf, size_t size, const xa_image_request *rq,
                        xa_decoded *d, xa_error *err) {
    png_job *j = calloc(1, sizeof *j);
    if (!j) return xa_fail(err, XA_ENOMEM, "PNG: out of memory");
    j->data = buf;
    j->size = size;
    j->d = d;
    j->rq = rq;
    xa_status st = XA_OK;
    j->png = png_create_read_struct(PNG_LIBPNG_VER_STRING, j, on_error, on_warning);
    if (j->png) j->info = png_create_info_struct(j->png);
    if (j->info) j->end = png_create_info_struct(j->png);
    if (!j->end) {
        st = xa_fail(err, XA_ENOMEM, "PNG: out of memory");
    } else if (setjmp(png_jmpbuf(j->png))) {
        if (j->image_done && rq->flavor != XA_FLAVOR_CV2) {
            xa_decoded_warn(d, j->message); /* after the image: keep it */
            d->exif_orientation = exif_of(j);
            st = XA_OK;
        } else {
            st = xa_fail(err, j->truncated ? XA_ETRUNC : XA_EFORMAT, "PNG: %s", j->message);
        }
    } else {
        st = decode_body(j, err);
    }
    if (j->png)
        png_destroy_read_struct(&j->png, j->info ? &j->info : NULL, j->end ? &j->end : NULL);
    free(j->rows);
    free(j->raw);
    free(j);
    if (st) {
        xa_tensor_free(d->tensor);
        d->tensor = NULL;
    }
    return st;
}

const char *xa_png_library(void) {
    return "libpng " PNG_LIBPNG_VER_STRING;
}
