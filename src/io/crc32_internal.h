/* CRC-32 internals shared by crc32.c and its vector versions (private). See crc32.c. */
#ifndef XA_CRC32_INTERNAL_H
#define XA_CRC32_INTERNAL_H

#include "cpu.h"
#include "io_internal.h"

/* Fold constants: K(n) = reflect32(x^n mod P) << 1 for folding a 128-bit register forward by
 * D bits, the low quadword with n = D + 32 and the high one with n = D - 32 (crc32.c). */
typedef struct {
    uint64_t k2048_lo, k2048_hi; /* fold by 16 registers (2048 bits: four 512-bit vectors) */
    uint64_t k512_lo, k512_hi;   /* fold by 4 registers (512 bits) */
    uint64_t k128_lo, k128_hi;   /* fold by 1 register */
} xa_crc_consts;
const xa_crc_consts *xa_crc_fold_consts(void);

/* zip's CRC-32 of n bytes from running value crc on the given path: the reference is zlib's
 * crc32_z (xa_crc32_ref); PCLMULQDQ folding on the avx2 path (n >= 64), VPCLMULQDQ on 512-bit
 * vectors on the avx512 path (n >= 256), each where the CPU has the instruction. */
uint32_t xa_crc32_path(uint32_t crc, const void *p, size_t n, xa_cpu_path path);
uint32_t xa_crc32_ref(uint32_t crc, const unsigned char *p, size_t n);
uint32_t xa_crc32_avx2(uint32_t crc, const unsigned char *p, size_t n);   /* n >= 64 */
uint32_t xa_crc32_avx512(uint32_t crc, const unsigned char *p, size_t n); /* n >= 256 */

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* One fold step of a 128-bit register by the constant pair k (low, high quadword). */
__attribute__((target("pclmul,sse4.1"))) static inline __m128i xa_crc_fold(__m128i x, __m128i k) {
    return _mm_xor_si128(_mm_clmulepi64_si128(x, k, 0x00), _mm_clmulepi64_si128(x, k, 0x11));
}
/* The end of a folding CRC: the register x, then the remaining n bytes at p -- folded 16 at a
 * time, the last 0..15 with x through zlib (crc32_avx2.c). */
uint32_t xa_crc_finish(__m128i x, const unsigned char *p, size_t n);
#endif

#endif
