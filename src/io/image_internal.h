/* Image decoding, private to src/io (docs/decode.md). The public entry points are in image.c;
 * image_jpeg.c and image_png.c are the only files that include jpeglib.h / png.h. */
#ifndef XA_IMAGE_INTERNAL_H
#define XA_IMAGE_INTERNAL_H

#include "internal.h"
#include "xalign/io.h"

#if defined(__GNUC__)
#define XA_NOINLINE __attribute__((noinline))
#else
#define XA_NOINLINE
#endif

/* How a decoder treats the end of the data and which pixel layout it returns. */
typedef enum xa_image_flavor {
    XA_FLAVOR_BASIC = 0, /* xa_image_load: library defaults, truncation is an error */
    XA_FLAVOR_CV2 = 1,   /* OpenCV 4.6 cv2.imread */
    XA_FLAVOR_PIL = 2,   /* Pillow 9.4 Image.open(...).convert(...) */
} xa_image_flavor;

/* What the format readers are asked for. */
typedef struct xa_image_request {
    xa_image_flavor flavor;
    int gray;             /* cv2/PIL: one output channel */
    int fancy_upsampling; /* JPEG only */
    xa_dct_method dct;    /* JPEG only */
    uint64_t max_pixels;  /* width * height limit (xa_limits.image_pixels) */
} xa_image_request;

/* A decoded image before orientation: `height` rows of width * channels samples of
 * `sample_bytes` bytes each (uint16 in native byte order when 2), C-contiguous. */
typedef struct xa_decoded {
    int64_t width, height;
    int channels;
    int sample_bytes;
    xa_tensor *tensor;    /* H x W x C, owned here until handed to the caller */
    int exif_orientation; /* raw value of the orientation tag as OpenCV 4.6 reads it, 0 if none */
    int warnings;         /* warnings the codec library emitted (cv2 and PIL ignore them) */
    char warning[128];    /* the first warning's text */
    char note[176];       /* decoder path taken, for the settings string ("CMYK via ...") */
} xa_decoded;

/* Decode one format. On failure nothing is left allocated in `d`. `name` prefixes messages. */
xa_status xa_jpeg_decode(const unsigned char *buf, size_t size, const xa_image_request *rq,
                         xa_decoded *d, xa_error *err);
xa_status xa_png_decode(const unsigned char *buf, size_t size, const xa_image_request *rq,
                        xa_decoded *d, xa_error *err);
/* Name and version of the codec library, for settings strings ("libjpeg-turbo 2.1.5"). */
const char *xa_jpeg_library(void);
const char *xa_png_library(void);
/* Record a codec warning in `d` (count it; keep the first text). */
void xa_decoded_warn(xa_decoded *d, const char *text);
/* Allocate d->tensor as H x W x C of the given sample size (uint8 or uint16), checking the
 * pixel limit first. */
xa_status xa_decoded_alloc(xa_decoded *d, int64_t width, int64_t height, int channels,
                           int sample_bytes, uint64_t max_pixels, const char *what, xa_error *err);

/* ---- EXIF orientation as OpenCV 4.6 reads it (image_exif.c) ------------------------------ */
/* `tiff` points at the TIFF header ("II*\0" or "MM\0*"): OpenCV's ExifReader::parseExif on it
 * and then getTag(ORIENTATION). Returns the tag's 16-bit value, or 0 when the parse yields no
 * orientation entry. Bounded by `size`; never reads outside. */
int xa_exif_orientation(const unsigned char *tiff, size_t size);
/* Apply an EXIF orientation to an H x W x C uint8 tensor the way OpenCV 4.6's
 * ApplyExifOrientation does (flip/transpose). Values outside 2..8 leave it unchanged (return 0);
 * otherwise the tensor is replaced and 1 is returned. */
xa_status xa_apply_orientation(xa_tensor **t, int orientation, int *applied, xa_error *err);

/* ---- colour conversions of the reproduced libraries (image_color.c) ---------------------- */
/* Pillow 9.4 Convert.c rgb2l: ITU-R 601-2 luma in 16-bit fixed point. */
static inline unsigned char xa_pil_luma(unsigned r, unsigned g, unsigned b) {
    /* 19595 + 38470 + 7471 = 65536: 0.299, 0.587, 0.114 scaled by 2^16 and rounded so that
     * they sum to exactly 2^16 (white stays 255); + 0x8000 rounds the >> 16 to nearest. */
    return (unsigned char)((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}
/* Pillow 9.4 Convert.c cmyk2rgb on one pixel of (already un-inverted) C, M, Y, K. */
void xa_pil_cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb);
/* OpenCV 4.6 imgcodecs utils.cpp icvCvt_CMYK2BGR_8u_C4C3R / icvCvt_CMYK2Gray_8u_C4C1R on one
 * pixel of libjpeg's CMYK output. */
void xa_cv_cmyk_to_bgr(const unsigned char *cmyk, unsigned char *bgr);
unsigned char xa_cv_cmyk_to_gray(const unsigned char *cmyk);

#endif
