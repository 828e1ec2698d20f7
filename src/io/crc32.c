/* CRC-32 as zip and zlib compute it (ISO-HDLC: polynomial 0x04C11DB7, bit-reflected, initial
 * value and final XOR 0xFFFFFFFF), fast enough to verify every npz member while it is compared.
 *
 * The reference is zlib's crc32_z (xa_crc32_ref: about 4 GB/s per core here, 8 bytes per table
 * step). The vector versions fold the bulk of a buffer with carry-less multiplications (the
 * method of Gopal et al., "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ
 * Instruction", Intel 2009): 64 bytes a step with PCLMULQDQ (crc32_avx2.c), 256 bytes a step
 * with VPCLMULQDQ on 512-bit vectors (crc32_avx512.c); the last 16..31 bytes go through zlib.
 * The fold constants are computed here from the polynomial (fold_constant), not copied.
 *
 * Notation. Data bit j of the stream (byte j/8, bit j%8 counted from the least significant bit,
 * as zip's bit-reflected CRC reads it) is the coefficient of the highest remaining power of x.
 * A 16-byte block loaded little-endian into a 128-bit register therefore holds the coefficient of
 * x^(127-i) in bit i. The raw CRC (no initial value, no final XOR) of a message M is
 * M(x) * x^32 mod P(x); zip's CRC of M with running value c is ~raw(~c, M), and a running value
 * v is the same as XORing v into the first four bytes of M. */
#include "crc32_internal.h"

#include <string.h>
#include <zlib.h>

#define POLY_REFLECTED 0xEDB88320u /* P(x) = x^32 + 0x04C11DB7, bit-reflected, x^32 implicit */

/* a * b mod P for bit-reflected values (bit 31 is x^0, bit 0 is x^31). */
static uint32_t mulmod(uint32_t a, uint32_t b) {
    uint32_t p = 0;
    for (uint32_t m = 1u << 31; m; m >>= 1) { /* a's coefficients from x^0 upwards */
        if (a & m) p ^= b;
        b = b & 1 ? (b >> 1) ^ POLY_REFLECTED : b >> 1; /* b *= x */
    }
    return p;
}

/* x^n mod P, bit-reflected, by square and multiply. */
static uint32_t xpow(uint64_t n) {
    uint32_t r = 1u << 31, base = 1u << 30; /* x^0, x^1 */
    while (n) {
        if (n & 1) r = mulmod(r, base);
        base = mulmod(base, base);
        n >>= 1;
    }
    return r;
}

/* crc(A || B) from crc(A), crc(B) and |B|: the raw register of A moves past |B| bytes (times
 * x^(8|B|)); the initial/final XORs cancel as derived in the header comment. */
uint32_t xa_crc32_combine(uint32_t crc1, uint32_t crc2, uint64_t len2) {
    if (len2 == 0) return crc1;
    return mulmod(crc1, xpow(len2 * 8)) ^ crc2;
}

uint32_t xa_crc32_ref(uint32_t crc, const unsigned char *p, size_t n) {
    return (uint32_t)crc32_z(crc, p, (z_size_t)n);
}

/* Folding a register X forward by D bits: X(x) * x^D is reduced to a 128-bit value by splitting
 * X into its 64 highest-degree coefficients (the low quadword, bits 0..63) and the 64 lowest
 * (the high quadword). A carry-less product of a 64-bit reflected quadword and a 33-bit
 * reflected constant lands as a 128-bit reflected value when the constant is K(n) =
 * reflect32(x^n mod P) << 1; the low quadword needs n = D + 32 and the high one n = D - 32
 * (the 64-bit distance between the halves, minus the 32 of the raw CRC's x^32 already in the
 * register layout). Checked against zlib by tests/unit/test_crc32.c for every length 0..4096
 * and every alignment, on every path. */
static uint64_t fold_constant(unsigned n) {
    return (uint64_t)xpow(n) << 1;
}

const xa_crc_consts *xa_crc_fold_consts(void) {
    static xa_crc_consts c;
    static int ready; /* racing threads compute the same values */
    if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE)) {
        xa_crc_consts t = {fold_constant(2048 + 32), fold_constant(2048 - 32),
                           fold_constant(512 + 32),  fold_constant(512 - 32),
                           fold_constant(128 + 32),  fold_constant(128 - 32)};
        c = t;
        __atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
    }
    return &c;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>

/* The carry-less multiplies are separate CPUID bits from the paths' AVX2/AVX-512: PCLMULQDQ
 * (leaf 1, ECX bit 1) and VPCLMULQDQ (leaf 7, ECX bit 10). */
static int have_bits(int wide) {
    static int bits = -1; /* racing threads compute the same value */
    int b = __atomic_load_n(&bits, __ATOMIC_RELAXED);
    if (b < 0) {
        unsigned a, bx, c, d;
        b = 0;
        if (__get_cpuid(1, &a, &bx, &c, &d) && (c & bit_PCLMUL) && (c & bit_SSE4_1)) b |= 1;
        if (__get_cpuid_count(7, 0, &a, &bx, &c, &d) && (c & bit_VPCLMULQDQ)) b |= 2;
        __atomic_store_n(&bits, b, __ATOMIC_RELAXED);
    }
    return wide ? (b & 3) == 3 : b & 1;
}
#endif

uint32_t xa_crc32_path(uint32_t crc, const void *p, size_t n, xa_cpu_path path) {
    if (n == 0) return crc; /* crc32_z(crc, NULL, 0) would return 0, not crc */
#if defined(__x86_64__) && defined(__GNUC__)
    if (n >= 256 && xa_cpu_allows(path, XA_CPU_AVX512) && have_bits(1))
        return xa_crc32_avx512(crc, p, n);
    if (n >= 64 && xa_cpu_allows(path, XA_CPU_AVX2) && have_bits(0))
        return xa_crc32_avx2(crc, p, n);
#else
    (void)path;
#endif
    return xa_crc32_ref(crc, p, n);
}

uint32_t xa_crc32(uint32_t crc, const void *p, size_t n) {
    return xa_crc32_path(crc, p, n, xa_cpu_path_get());
}
