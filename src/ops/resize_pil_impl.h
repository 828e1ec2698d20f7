/* Pillow 9.4 resampling internals (private to src/ops and the unit tests).
 *
 * Split so that the plain scalar reference and the fast (AVX2) passes share one coefficient
 * computation and can be run against each other (tests/unit/test_resize_pil.c).
 */
#ifndef XA_RESIZE_PIL_IMPL_H
#define XA_RESIZE_PIL_IMPL_H

#include "cpu.h"
#include "resize_internal.h"

#include <stdint.h>

/* Pillow's fixed-point precision for 8-bit images (Resample.c, PRECISION_BITS = 32 - 8 - 2):
 * 8 bits for the pixel, 2 bits of headroom for filters whose partial sums leave 0..1
 * (negative lobes of bicubic/lanczos), the remaining 22 bits for the coefficient. */
#define XA_PIL_PRECISION_BITS 22
/* The accumulator starts at one half (1 << 21) so that the final `>> 22` rounds to nearest. */
#define XA_PIL_ROUND_HALF (1 << (XA_PIL_PRECISION_BITS - 1))

/* Resample.c clip8(): the accumulator holds value * 2^22 + 2^21, so `>> 22` is the value
 * rounded to nearest (half up). Pillow shifts a signed int (arithmetic on every compiler it
 * supports) and clamps through a table covering -640..639; sums never leave that range, so a
 * clamp to 0..255 is the same. The sum fits int32: (sum of positive weights) * 255 * 2^22 < 2^31
 * for every filter (lanczos has the largest, about 1.3). */
static inline uint8_t xa_pil_clip8(int32_t acc) {
    const int32_t v = acc >> XA_PIL_PRECISION_BITS;
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* The largest input side handled: Pillow passes the source box as float32, exact up to 2^24. */
#define XA_PIL_MAX_SIDE (1 << 24)

/* Coefficients of one axis, as Resample.c precompute_coeffs() computes them. */
typedef struct {
    int in_size, out_size;
    int ksize;   /* Pillow's per-output stride of kd: (int)ceil(support) * 2 + 1 */
    int kstride; /* per-output stride of ki: ksize rounded up to a multiple of 8 */
    int *bounds; /* [2 * out_size]: first source index, number of taps */
    double *kd;  /* [out_size * ksize]: normalised weights, zero past the taps */
    int32_t *ki; /* [out_size * kstride]: kd in fixed point (normalize_coeffs_8bpc), zero
                    past the taps, or NULL */
} xa_pil_coeffs;

/* Compute the weights of `m` (one of BOX..LANCZOS) for in_size -> out_size; with `fixed`, also
 * the 22-bit integers. Fails with XA_ELIMIT where Pillow raises MemoryError, XA_ENOMEM. */
xa_status xa_pil_coeffs_init(xa_pil_coeffs *c, int in_size, int out_size, xa_resize_method m,
                             int fixed, xa_error *err);
void xa_pil_coeffs_free(xa_pil_coeffs *c);

/* Image.resize of an 8-bit image with a convolution filter (BOX..LANCZOS): `src` is h x w x c
 * (c = 1 L, 3 RGB, 4 RGBA, tightly packed), `dst` is dh x dw x c. RGBA is premultiplied before
 * and unpremultiplied after, as Image.resize does. The passes run on the best code `path` allows
 * (XA_CPU_SCALAR: the references). */
xa_status xa_pil_resample_u8(const uint8_t *src, int w, int h, int c, uint8_t *dst, int dw, int dh,
                             xa_resize_method m, xa_cpu_path path, xa_error *err);

/* Image.resize(NEAREST) of h x w pixels of `pix` bytes each (any mode: the pixels are copied). */
xa_status xa_pil_nearest(const uint8_t *src, int w, int h, size_t pix, uint8_t *dst, int dw, int dh,
                         xa_cpu_path path, xa_error *err);

/* ---- the passes (one row range of an image whose rows are `stride` bytes apart) --------- */
/* Horizontal: rows [0, rows) of src (w x c) -> dst (k->out_size x c). Strides in bytes. */
void xa_pil_hpass_u8_ref(const uint8_t *src, size_t sstride, int rows, int c,
                         const xa_pil_coeffs *k, uint8_t *dst, size_t dstride);
/* Vertical: each of the `width` bytes of a row independently; output row yy reads rows
 * bounds[2*yy] - row_shift ... + bounds[2*yy+1] - 1 of src. */
void xa_pil_vpass_u8_ref(const uint8_t *src, size_t sstride, int width, int row_shift,
                         const xa_pil_coeffs *k, uint8_t *dst, size_t dstride);

#if defined(__x86_64__) || defined(__i386__)
#define XA_PIL_HAVE_X86 1
/* Largest coefficient table (entries) the AVX2 horizontal pass expands 4-fold (16 MB); past it
 * (sources and outputs tens of thousands of pixels wide) the scalar pass runs instead. */
#define XA_PIL_EXPANDED_MAX (1u << 20)
/* AVX2 versions (resize_pil_avx2.c): same arguments, same results bit for bit. */
void xa_pil_hpass_u8_avx2(const uint8_t *src, size_t sstride, int rows, int w, int c,
                          const xa_pil_coeffs *k, uint8_t *dst, size_t dstride);
/* NEAREST gather of pixels of 1, 3 or 4 bytes (others: returns 0): d[i] = s[offs[i]] for a
 * prefix of i in [0, n) whose 4-byte reads stay within the `avail` bytes at s. Returns how
 * many pixels it wrote; the caller copies the rest. The `next_bytes` at `next` (the source the
 * next call reads; may be NULL) are prefetched meanwhile. */
int xa_pil_gather_avx2(uint8_t *d, const uint8_t *s, size_t avail, const int32_t *offs, int n,
                       size_t pix, const uint8_t *next, size_t next_bytes);
void xa_pil_vpass_u8_avx2(const uint8_t *src, size_t sstride, int width, int row_shift,
                          const xa_pil_coeffs *k, uint8_t *dst, size_t dstride);
#endif

#endif
