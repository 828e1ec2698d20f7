/* xalign core: version, status codes, error details, dtypes and tensors.
 *
 * Conventions (docs/architecture.md):
 *  - every fallible function returns an xa_status and, when `err` is not NULL, fills it with a
 *    one-line message naming the input and the problem;
 *  - memory the caller frees comes from *_new / *_load / *_dup / *_open and from the producers
 *    that say so: an operation's *out (xa_resize, xa_op_run, xa_image_decode, ...), the strings
 *    of xa_report_* and xa_*_to_json (xa_free); results are caller-owned structs cleared with
 *    their *_clear; *_free(NULL) is a no-op;
 *  - the library never prints and never exits.
 */
#ifndef XALIGN_CORE_H
#define XALIGN_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(XA_BUILD_SHARED)
#define XA_API __declspec(dllexport)
#elif defined(__GNUC__)
#define XA_API __attribute__((visibility("default")))
#else
#define XA_API
#endif

#define XA_VERSION_MAJOR 0
#define XA_VERSION_MINOR 1
#define XA_VERSION_PATCH 0
#define XA_VERSION_NUMBER (XA_VERSION_MAJOR * 10000 + XA_VERSION_MINOR * 100 + XA_VERSION_PATCH)

XA_API const char *xa_version_string(void);
XA_API int xa_version_number(void);
/* The code path of the library's SIMD kernels: "scalar", "sse2", "avx2", "avx512" (x86-64) or
 * "neon" (aarch64). It is the best path this CPU runs, lowered by the environment variable
 * XALIGN_CPU set to one of those names ("scalar": the plain C references, no SIMD anywhere; an
 * unknown name also means scalar). Read once per process. Every path gives the same results,
 * byte for byte. A static string. */
XA_API const char *xa_cpu_path_name(void);

/* Status codes. The numbers are part of the ABI: never renumber, never reuse. */
typedef enum xa_status {
    XA_OK = 0,
    XA_ENOMEM = 1,       /* an allocation failed */
    XA_EIO = 2,          /* open/read/write/map failed (the OS reason is in the message) */
    XA_EFORMAT = 3,      /* the input is malformed */
    XA_ETRUNC = 4,       /* the input is shorter than its own header says */
    XA_EUNSUPPORTED = 5, /* well-formed, but a feature xalign does not read (object dtype, ...) */
    XA_ELIMIT = 6,     /* the input exceeds an explicit limit (rank, header size, element count) */
    XA_EINVAL = 7,     /* an invalid argument from the caller */
    XA_ENOTFOUND = 8,  /* a named member or file does not exist */
    XA_ESHAPE = 9,     /* sizes or shapes that cannot go together */
    XA_EPOISONED = 10, /* the handle failed earlier and stays failed */
} xa_status;

/* Static text for a status; never NULL. */
XA_API const char *xa_strerror(xa_status status);

/* Detail of the last failure of one call. Caller-owned; pass NULL to ignore details. */
#define XA_ERROR_MESSAGE_SIZE 512
typedef struct xa_error {
    xa_status status;
    char message[XA_ERROR_MESSAGE_SIZE];
} xa_error;

/* Free memory the library returned as a plain pointer (strings from report functions). */
XA_API void xa_free(void *p);

/* ---- dtypes ---------------------------------------------------------------------------- */
typedef enum xa_dtype {
    XA_DTYPE_INVALID = 0,
    XA_BOOL = 1,
    XA_I8 = 2,
    XA_U8 = 3,
    XA_I16 = 4,
    XA_U16 = 5,
    XA_I32 = 6,
    XA_U32 = 7,
    XA_I64 = 8,
    XA_U64 = 9,
    XA_F16 = 10,
    XA_BF16 = 11,
    XA_F32 = 12,
    XA_F64 = 13,
} xa_dtype;
#define XA_DTYPE_COUNT 14

XA_API size_t xa_dtype_size(xa_dtype dt);       /* 0 for XA_DTYPE_INVALID */
XA_API const char *xa_dtype_name(xa_dtype dt);  /* numpy's name: "float32", "uint8", "bfloat16" */
XA_API const char *xa_dtype_short(xa_dtype dt); /* the spec name: "f32", "u8", "bf16" */
XA_API xa_dtype
xa_dtype_from_name(const char *s); /* accepts both forms; XA_DTYPE_INVALID if unknown */
XA_API int xa_dtype_is_float(xa_dtype dt);
XA_API int xa_dtype_is_integer(xa_dtype dt); /* bool counts as integer for verdicts */

/* Exact conversions of the 16-bit float formats. */
XA_API float xa_f16_to_f32(uint16_t h);
XA_API uint16_t xa_f32_to_f16(float f); /* round to nearest even, as numpy's astype */
XA_API float xa_bf16_to_f32(uint16_t h);
XA_API uint16_t xa_f32_to_bf16(float f); /* round to nearest even; NaN stays NaN */

/* ---- tensors ---------------------------------------------------------------------------- */
#define XA_MAX_RANK 8

typedef struct xa_backing xa_backing; /* private: reference-counted heap or file mapping */

typedef struct xa_tensor {
    xa_dtype dtype;
    int rank; /* 0..XA_MAX_RANK; rank 0 is a scalar (1 element) */
    int64_t shape[XA_MAX_RANK];
    int fortran_order; /* 1: column-major element order */
    int swapped;       /* 1: elements are stored in the non-native byte order */
    int readonly;      /* 1: data is a read-only file mapping */
    void *data;        /* nbytes bytes; may be NULL when nbytes == 0 */
    size_t nbytes;
    xa_backing *backing; /* private */
} xa_tensor;

/* Element count of a shape; -1 when the product overflows int64 or a dimension is negative. */
XA_API int64_t xa_shape_count(int rank, const int64_t *shape);
XA_API int64_t xa_tensor_count(const xa_tensor *t);

/* A new C-order, native, zero-filled tensor. */
XA_API xa_status xa_tensor_new(xa_dtype dt, int rank, const int64_t *shape, xa_tensor **out,
                               xa_error *err);
/* A tensor over the caller's memory, without a copy (numpy arrays from Python): the caller keeps
 * `data` alive and unchanged while the view is in use; xa_tensor_free frees only the view.
 * nbytes must be the shape's size. Flags: the memory order and byte order of `data`. */
#define XA_VIEW_FORTRAN 1u  /* column-major element order */
#define XA_VIEW_SWAPPED 2u  /* elements in the non-native byte order */
#define XA_VIEW_READONLY 4u /* the library must not write through it */
XA_API xa_status xa_tensor_view(xa_dtype dt, int rank, const int64_t *shape, void *data,
                                size_t nbytes, unsigned flags, xa_tensor **out, xa_error *err);
/* A deep copy that is C-order, native-byte-order and writable, whatever `t` is. */
XA_API xa_status xa_tensor_dup_native(const xa_tensor *t, xa_tensor **out, xa_error *err);
XA_API void xa_tensor_free(xa_tensor *t);

/* Read element `i` (flat, in storage order) as double, honouring dtype and byte order. */
XA_API double xa_tensor_get(const xa_tensor *t, int64_t i);

/* Convert `n` elements of `src` (dtype `dt`, byte-swapped when `swapped`) to double. */
XA_API void xa_convert_to_f64(xa_dtype dt, int swapped, const void *src, size_t n, double *dst);

/* Coordinates of flat storage index `i` (C or Fortran order as the tensor says). */
XA_API void xa_tensor_unravel(const xa_tensor *t, int64_t i, int64_t *coords);

/* "[1, 3, 224, 224]" into buf; returns buf. */
XA_API char *xa_shape_format(int rank, const int64_t *shape, char *buf, size_t size);

/* ---- limits on untrusted input ------------------------------------------------------------- */
/* Every reader of a user's file checks its sizes against these before it allocates anything, and
 * refuses a file that breaks one with XA_ELIMIT and a message naming the number (as libspng's
 * spng_set_image_limits and zstd's ZSTD_d_windowLogMax bound their decoders). They are run-time
 * values: fill an xa_limits with xa_limits_init (the defaults below), change the fields you need,
 * and pass it in the options of a load or decode call (xa_load_options, xa_decode_options,
 * xa_stages_options); NULL there means the defaults. Fields may be added at the end in later
 * versions, so always start from xa_limits_init. */
#define XA_NPY_MAX_HEADER (1u << 20)            /* bytes of an .npy header dictionary */
#define XA_MAX_ELEMENTS ((int64_t)1 << 40)      /* elements in one tensor (also the ceiling) */
#define XA_NPZ_MAX_MEMBERS 65536                /* members in one .npz */
#define XA_NPZ_MAX_INFLATED ((uint64_t)1 << 36) /* bytes of one deflated member once inflated */
#define XA_NPZ_MAX_NAME 4096    /* bytes of one member name in an .npz (with ".npy") */
#define XA_SPEC_MAX_SHAPES 1024 /* shapes in one raw spec (BMRT split) */
#define XA_IMAGE_MAX_PIXELS ((uint64_t)1 << 28)      /* decoded image pixels */
#define XA_BMODEL_MAX_FLATBUFFER ((uint64_t)1 << 31) /* bytes: FlatBuffers' own 2 GiB limit */
#define XA_BMODEL_MAX_NETS 65536                     /* nets in one model */
#define XA_BMODEL_MAX_STAGES (1 << 18)               /* stages in all nets together */
#define XA_BMODEL_MAX_TENSORS (1 << 18)              /* input+output tensors in all stages */
#define XA_BMODEL_MAX_STRING 65536                   /* bytes of one name or string */
#define XA_BMODEL_MAX_TEXT ((size_t)1 << 26)         /* bytes of all strings together */
#define XA_MANIFEST_MAX_BYTES (16u << 20)            /* bytes of one stage manifest */
/* bytes of one output image of any operation: a few bytes of input must not be able to ask for
 * tens of gigabytes (a 65536 x 65536 float image is 16 GiB per channel) */
#define XA_OPS_MAX_OUTPUT_BYTES ((uint64_t)1 << 32)

typedef struct xa_limits {
    uint64_t npy_header_bytes; /* XA_NPY_MAX_HEADER */
    /* XA_MAX_ELEMENTS: elements of one tensor read from a file (.npy, .npz member, raw spec, BMRT
     * split); larger values act as XA_MAX_ELEMENTS, the ceiling of every tensor */
    int64_t max_elements;
    uint64_t npz_members;             /* XA_NPZ_MAX_MEMBERS */
    uint64_t npz_inflated_bytes;      /* XA_NPZ_MAX_INFLATED */
    uint64_t npz_name_bytes;          /* XA_NPZ_MAX_NAME */
    uint64_t spec_shapes;             /* XA_SPEC_MAX_SHAPES */
    uint64_t image_pixels;            /* XA_IMAGE_MAX_PIXELS (width x height) */
    uint64_t bmodel_flatbuffer_bytes; /* XA_BMODEL_MAX_FLATBUFFER (larger values act as it) */
    uint64_t bmodel_nets;             /* XA_BMODEL_MAX_NETS */
    uint64_t bmodel_stages;           /* XA_BMODEL_MAX_STAGES */
    uint64_t bmodel_tensors;          /* XA_BMODEL_MAX_TENSORS */
    uint64_t bmodel_string_bytes;     /* XA_BMODEL_MAX_STRING */
    uint64_t bmodel_text_bytes;       /* XA_BMODEL_MAX_TEXT */
    uint64_t manifest_bytes;          /* XA_MANIFEST_MAX_BYTES */
    uint64_t op_output_bytes;         /* XA_OPS_MAX_OUTPUT_BYTES */
} xa_limits;

/* The defaults above. */
XA_API void xa_limits_init(xa_limits *l);

/* ---- threads ------------------------------------------------------------------------------ */
/* Worker threads used by the library (default: online CPUs, at most 64; env XA_THREADS). */
XA_API int xa_threads_get(void);
XA_API void xa_threads_set(int n); /* n <= 0 restores the default */

#ifdef __cplusplus
}
#endif
#endif
