/* Private helpers shared by the library's layers. Not installed. */
#ifndef XA_INTERNAL_H
#define XA_INTERNAL_H

#include "xalign/core.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#if defined(__GNUC__)
#define XA_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define XA_LIKELY(x) __builtin_expect(!!(x), 1)
#define XA_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define XA_PRINTF(a, b)
#define XA_LIKELY(x) (x)
#define XA_UNLIKELY(x) (x)
#endif

/* Record a failure in `err` (may be NULL) and return `st`. */
xa_status xa_fail(xa_error *err, xa_status st, const char *fmt, ...) XA_PRINTF(3, 4);
/* Prefix an existing message with "PREFIX: " (used to add a file name at an outer level). */
void xa_error_prefix(xa_error *err, const char *prefix);
/* Append printf text to the NUL-terminated text in buf[0..size) (truncated to fit). */
void xa_msg_append(char *buf, size_t size, const char *fmt, ...) XA_PRINTF(3, 4);

/* The limits to apply: `l`, or the defaults (xa_limits_init) when it is NULL. */
const xa_limits *xa_limits_or_default(const xa_limits *l);
/* l->max_elements capped at XA_MAX_ELEMENTS, the ceiling of every tensor (l may be NULL). */
int64_t xa_limits_max_elements(const xa_limits *l);

/* Backing store of tensor data: a heap block or a read-only file mapping, reference counted
 * so that several tensors (npz members, BMRT splits) can share one mapping. */
struct xa_backing {
    int refs;
    int mapped; /* 1: munmap(base, size) on release; 0: free(base) */
    void *base;
    size_t size;
};
xa_backing *xa_backing_heap(size_t size, int zero);  /* NULL on ENOMEM */
xa_backing *xa_backing_map(void *base, size_t size); /* takes ownership of a mapping */
void xa_backing_ref(xa_backing *b);
void xa_backing_unref(xa_backing *b);

/* A tensor shell with no data; shape validated (rank, dims >= 0, count within limits). */
xa_status xa_tensor_shell(xa_dtype dt, int rank, const int64_t *shape, xa_tensor **out,
                          xa_error *err);

/* Whole-file access: map read-only (or read small files); the caller owns the backing. */
typedef struct xa_file {
    xa_backing *backing;
    const unsigned char *data;
    size_t size;
} xa_file;
/* Only regular files are opened (symbolic links to them included); a FIFO, device or socket is
 * refused with XA_EIO without blocking ("PATH: is a FIFO (named pipe); ..."). */
xa_status xa_file_open(const char *path, size_t map_threshold, xa_file *f, xa_error *err);
/* XA_OK when `path` is a regular file (its size in *size, which may be NULL); otherwise XA_EIO
 * with "PATH: no such file", "PATH: is a directory" or "PATH: is a FIFO ..." in err. Does not
 * open the file. */
xa_status xa_check_regular(const char *path, uint64_t *size, xa_error *err);
/* fopen(path, "rb") of a regular file, without blocking on anything else; NULL (XA_EIO in err,
 * "PATH: cannot open: ..." or "PATH: is a FIFO ...") otherwise. */
FILE *xa_fopen_regular(const char *path, xa_error *err);
/* Up to n first bytes of a regular file into buf; 0 when it cannot be opened or is not a regular
 * file. Never blocks on FIFOs or devices. */
size_t xa_file_head(const char *path, void *buf, size_t n);
void xa_file_close(xa_file *f);
/* Drop pages of a mapping that were already consumed (keeps RSS low on huge files). */
void xa_mapping_release(const void *p, size_t n);

/* Write a whole buffer to a new file atomically enough for dumps (write + fsync-free close). */
xa_status xa_write_file(const char *path, const void *a, size_t na, const void *b, size_t nb,
                        xa_error *err);

/* Overflow-checked size arithmetic. */
static inline bool xa_mul_overflow_u64(uint64_t a, uint64_t b, uint64_t *r) {
    return __builtin_mul_overflow(a, b, r);
}

/* Parallel for: calls fn(arg, i) for i in [0, n) on up to `threads` threads (the caller's thread
 * included). Returns when all are done. */
void xa_parallel(int threads, int n, void (*fn)(void *arg, int i), void *arg);

/* 1 if every value of dtype dt is exactly a float (bool, 8/16-bit integers, f16, bf16, f32). */
int xa_dtype_fits_f32(xa_dtype dt);
/* Convert n elements of such a dtype to float (exact). */
void xa_convert_to_f32(xa_dtype dt, int swapped, const void *src, size_t n, float *dst);
/* The same on a given SIMD path (cpu.h; tests compare every path with XA_CPU_SCALAR). */
void xa_convert_to_f32_path(xa_dtype dt, int swapped, const void *src, size_t n, float *dst,
                            int path);
/* float16 -> float32 with F16C when `path` allows avx2 and the CPU has F16C: returns 1 when it
 * converted, 0 to leave it to the scalar reference (convert_avx2.c). */
int xa_f16_to_f32_avx2(const unsigned char *src, size_t n, float *dst, int path);

/* v in the fewest significant digits that read back as v (Python's repr); returns buf. */
const char *xa_fmt_shortest(double v, char *buf, size_t size);

/* The next permutation of a[0..n) in lexicographic order (start from 0, 1, ..., n-1: the
 * identity comes first); 0 after the last. */
int xa_next_permutation(int *a, int n);

/* Levenshtein distance of two short names; 64 when either is longer than 63. */
size_t xa_edit_distance(const char *a, const char *b);

/* Appends a formatted line (at most 1023 bytes) to a growing array of strings; 0, or -1 when
 * out of memory (the array is then unchanged). */
int xa_strlist_vaddf(char ***list, size_t *n, const char *fmt, va_list ap) XA_PRINTF(3, 0);

/* strdup that may fail. */
char *xa_strdup(const char *s);

#endif
