/* EXIF orientation exactly as OpenCV 4.6 reads and applies it.
 *
 * Reading: OpenCV 4.6 imgcodecs/src/exif.cpp, ExifReader::parseExif + getTag(ORIENTATION).
 * The reader is deliberately reproduced with its quirks, because they decide whether cv2.imread
 * rotates an image:
 *  - byte order: "II" little-endian; "MM" and anything else whose first two bytes are equal
 *    big-endian; two different first bytes ("IM") big-endian too (getFormat() returns NONE and
 *    getU16/getU32 take the non-Intel branch);
 *  - the TIFF tag mark must be 42; only IFD0 is read (no next IFD, no Exif sub-IFD);
 *  - every IFD0 entry is decoded in order and a known tag whose value lies outside the data
 *    throws, which stops the loop: entries before it are kept, later ones (even an orientation)
 *    are lost;
 *  - the first orientation entry wins (std::map::insert keeps the first key), and its value is
 *    the 16-bit word at entry offset 8 whatever the declared type and count (so a LONG 6 reads
 *    as 6 in little-endian and as 0 in big-endian files).
 * Applying: OpenCV 4.6 imgcodecs/src/loadsave.cpp, ApplyExifOrientation (flip/transpose);
 * values other than 2..8 leave the image alone.
 */
#include "image_internal.h"

#include <string.h>

/* Tags ExifReader::parseExifEntry decodes (TIFF 6.0 numbers). */
enum {
    TAG_IMAGE_DESCRIPTION = 0x010E,
    TAG_MAKE = 0x010F,
    TAG_MODEL = 0x0110,
    TAG_ORIENTATION = 0x0112,
    TAG_XRESOLUTION = 0x011A,
    TAG_YRESOLUTION = 0x011B,
    TAG_RESOLUTION_UNIT = 0x0128,
    TAG_SOFTWARE = 0x0131,
    TAG_DATE_TIME = 0x0132,
    TAG_WHITE_POINT = 0x013E,
    TAG_PRIMARY_CHROMATICITIES = 0x013F,
    TAG_YCBCR_COEFFICIENTS = 0x0211,
    TAG_YCBCR_POSITIONING = 0x0213,
    TAG_REFERENCE_BLACK_WHITE = 0x0214,
    TAG_COPYRIGHT = 0x8298,
    TAG_EXIF_OFFSET = 0x8769,
};

typedef struct {
    const unsigned char *p;
    size_t n;
    int little;
    int failed; /* ExifParsingError was thrown */
} exif_reader;

/* getU16/getU32: refuse when the last byte would be at or past the end ("offset + 1 >= size"). */
static uint32_t rd16(exif_reader *r, uint64_t off) {
    if (r->failed || off + 1 >= r->n) {
        r->failed = 1;
        return 0;
    }
    const unsigned char *q = r->p + off;
    return r->little ? (uint32_t)q[0] | (uint32_t)q[1] << 8 : (uint32_t)q[0] << 8 | q[1];
}
static uint32_t rd32(exif_reader *r, uint64_t off) {
    if (r->failed || off + 3 >= r->n) {
        r->failed = 1;
        return 0;
    }
    const unsigned char *q = r->p + off;
    if (r->little)
        return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
    return (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
}
/* `count` unsigned rationals from the offset stored in the entry (getResolution & co.); the
 * 32-bit offset advances by 8 per rational in uint32 arithmetic, as OpenCV's does. */
static void rd_rationals(exif_reader *r, uint64_t entry, int count) {
    uint32_t ro = rd32(r, entry + 8);
    for (int i = 0; i < count && !r->failed; i++, ro += 8) {
        rd32(r, ro);
        rd32(r, (uint64_t)ro + 4);
    }
}
/* getString: the bounds check only (the text itself is not needed). Sizes up to 4 bytes are
 * "inline", which OpenCV takes at absolute offset 8 rather than entry + 8; kept as is. */
static void rd_string(exif_reader *r, uint64_t entry) {
    uint64_t size = rd32(r, entry + 4);
    uint64_t data = 8;
    if (size > 4) data = rd32(r, entry + 8);
    if (!r->failed && (data > r->n || data + size > r->n)) r->failed = 1;
}

int xa_exif_orientation(const unsigned char *tiff, size_t size) {
    if (!tiff || size == 0) return 0;
    exif_reader r = {tiff, size, 0, 0};
    /* getFormat: INTEL only for "II"; NONE and MOTO both read big-endian. */
    r.little = !(size > 1 && tiff[0] != tiff[1]) && tiff[0] == 'I';
    if (rd16(&r, 2) != 42) return 0;
    uint64_t off = rd32(&r, 4);
    uint32_t entries = rd16(&r, off);
    off += 2;
    int orientation = 0, have = 0;
    for (uint32_t i = 0; i < entries && !r.failed; i++, off += 12) {
        uint32_t tag = rd16(&r, off);
        if (r.failed) break;
        switch (tag) {
        case TAG_IMAGE_DESCRIPTION:
        case TAG_MAKE:
        case TAG_MODEL:
        case TAG_SOFTWARE:
        case TAG_DATE_TIME:
        case TAG_COPYRIGHT:
            rd_string(&r, off);
            break;
        case TAG_ORIENTATION: {
            uint32_t v = rd16(&r, off + 8);
            if (!r.failed && !have) {
                orientation = (int)v;
                have = 1;
            }
            break;
        }
        case TAG_XRESOLUTION:
        case TAG_YRESOLUTION:
            rd_rationals(&r, off, 1);
            break;
        case TAG_RESOLUTION_UNIT:
        case TAG_YCBCR_POSITIONING:
            rd16(&r, off + 8);
            break;
        case TAG_WHITE_POINT:
            rd_rationals(&r, off, 2);
            break;
        case TAG_PRIMARY_CHROMATICITIES:
        case TAG_REFERENCE_BLACK_WHITE:
            rd_rationals(&r, off, 6);
            break;
        case TAG_YCBCR_COEFFICIENTS:
            rd_rationals(&r, off, 3);
            break;
        default: /* TAG_EXIF_OFFSET and unknown tags: nothing is read */
            break;
        }
    }
    return have ? orientation : 0;
}

/* Source pixel of output pixel (oy, ox) for orientation o on an h x w input: flip(1) is
 * horizontal, flip(0) vertical, flip(-1) both; 5..8 transpose first (output is w x h). */
static void source_of(int o, int64_t h, int64_t w, int64_t oy, int64_t ox, int64_t *sy,
                      int64_t *sx) {
    switch (o) {
    case 2:
        *sy = oy;
        *sx = w - 1 - ox;
        break; /* flip(img, 1) */
    case 3:
        *sy = h - 1 - oy;
        *sx = w - 1 - ox;
        break; /* flip(img, -1) */
    case 4:
        *sy = h - 1 - oy;
        *sx = ox;
        break; /* flip(img, 0) */
    case 5:
        *sy = ox;
        *sx = oy;
        break; /* transpose */
    case 6:
        *sy = h - 1 - ox;
        *sx = oy;
        break; /* transpose, flip(1) */
    case 7:
        *sy = h - 1 - ox;
        *sx = w - 1 - oy;
        break; /* transpose, flip(-1) */
    default:
        *sy = ox;
        *sx = w - 1 - oy;
        break; /* 8: transpose, flip(0) */
    }
}

xa_status xa_apply_orientation(xa_tensor **t, int orientation, int *applied, xa_error *err) {
    *applied = 0;
    if (orientation < 2 || orientation > 8) return XA_OK;
    const xa_tensor *in = *t;
    int64_t h = in->shape[0], w = in->shape[1], c = in->shape[2];
    size_t px = (size_t)c * xa_dtype_size(in->dtype);
    int64_t shape[3] = {orientation >= 5 ? w : h, orientation >= 5 ? h : w, c};
    xa_tensor *out;
    xa_status st = xa_tensor_new(in->dtype, 3, shape, &out, err);
    if (st) return st;
    const unsigned char *src = in->data;
    unsigned char *dst = out->data;
    for (int64_t oy = 0; oy < shape[0]; oy++)
        for (int64_t ox = 0; ox < shape[1]; ox++) {
            int64_t sy, sx;
            source_of(orientation, h, w, oy, ox, &sy, &sx);
            memcpy(dst + ((size_t)oy * (size_t)shape[1] + (size_t)ox) * px,
                   src + ((size_t)sy * (size_t)w + (size_t)sx) * px, px);
        }
    xa_tensor_free(*t);
    *t = out;
    *applied = 1;
    return XA_OK;
}
