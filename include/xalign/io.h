/* xalign io: .npy, .npz, raw/BMRT dumps, images, and the tensor spec of the command line.
 *
 * Every reader treats its input as untrusted and enforces the limits below; a file that breaks
 * them is refused with XA_ELIMIT and a message naming the file and the number.
 */
#ifndef XALIGN_IO_H
#define XALIGN_IO_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Explicit limits on untrusted input. */
#define XA_NPY_MAX_HEADER (1u << 20)          /* bytes of an .npy header dictionary */
#define XA_MAX_ELEMENTS ((int64_t)1 << 40)    /* elements in one tensor */
#define XA_NPZ_MAX_MEMBERS 65536              /* members in one .npz */
#define XA_NPZ_MAX_INFLATED ((uint64_t)1 << 36) /* bytes of one deflated member once inflated */
#define XA_SPEC_MAX_SHAPES 1024               /* shapes in one raw spec (BMRT split) */
#define XA_IMAGE_MAX_PIXELS ((uint64_t)1 << 28) /* decoded image pixels */

/* ---- .npy ---------------------------------------------------------------------------------- */
/* Parse an .npy header from the first `size` bytes of a file. On success *data_offset is where
 * the array data starts and `t` describes it (t->data NULL). Used by xa_npy_load and the fuzzer. */
XA_API xa_status xa_npy_parse_header(const void *buf, size_t size, xa_tensor *t,
                                     size_t *data_offset, xa_error *err);
/* Load an .npy file. Files larger than XA_NPY_MAP_THRESHOLD are memory-mapped read-only. */
#define XA_NPY_MAP_THRESHOLD ((size_t)1 << 20)
XA_API xa_status xa_npy_load(const char *path, xa_tensor **out, xa_error *err);
/* Parse an .npy image held in memory (copied into the tensor unless `keep` is the backing). */
XA_API xa_status xa_npy_from_memory(const void *buf, size_t size, const char *name,
                                    xa_tensor **out, xa_error *err);
/* Write `t` as numpy's np.save would: the same header bytes, version 1 unless the header needs
 * more than 65535 bytes (then 2). Fortran-order tensors keep their order. Swapped tensors are
 * written in their stored byte order (descr '>'). bfloat16 is written as '|V2'. */
XA_API xa_status xa_npy_save(const char *path, const xa_tensor *t, xa_error *err);
/* The same bytes into a malloc'd buffer (free with xa_free). */
XA_API xa_status xa_npy_encode(const xa_tensor *t, void **out, size_t *out_size, xa_error *err);

/* ---- .npz ---------------------------------------------------------------------------------- */
typedef struct xa_npz xa_npz;
XA_API xa_status xa_npz_open(const char *path, xa_npz **out, xa_error *err);
XA_API xa_status xa_npz_open_memory(const void *buf, size_t size, xa_npz **out, xa_error *err);
XA_API size_t xa_npz_count(const xa_npz *z);
/* Member name without the ".npy" suffix numpy adds (np.savez(f, a=x) -> "a"). */
XA_API const char *xa_npz_name(const xa_npz *z, size_t i);
XA_API xa_status xa_npz_load(xa_npz *z, const char *name, xa_tensor **out, xa_error *err);
XA_API void xa_npz_free(xa_npz *z);

/* Write named tensors as an uncompressed .npz (np.savez layout; readable by np.load). */
XA_API xa_status xa_npz_save(const char *path, size_t n, const char *const *names,
                             const xa_tensor *const *tensors, xa_error *err);

/* ---- tensor specs --------------------------------------------------------------------------- */
/* The command line's tensor spec:
 *   PATH                      .npy, an image (.jpg/.jpeg/.png), or .npz with exactly one member
 *   PATH#MEMBER               an .npz member
 *   PATH:DTYPE                raw bytes as a 1-D tensor; for .npy, reinterpret same-size elements
 *   PATH:DTYPE:SHAPE          raw bytes, SHAPE like 1x3x224x224 (a scalar is "scalar")
 *   PATH:DTYPE:S1,S2,...      a concatenated BMRT dump split into tensors #0, #1, ...
 *   PATH:DTYPE:S1,S2#K        tensor K of such a split
 * A PATH that names an existing file as written is taken whole, so paths with ':' or '#' work. */
typedef struct xa_spec {
    char *path;
    char *member;        /* NULL unless "#MEMBER" (npz) */
    xa_dtype dtype;      /* XA_DTYPE_INVALID unless ":DTYPE" */
    int nshapes;         /* 0 when no shape given */
    int *ranks;          /* nshapes entries */
    int64_t (*shapes)[XA_MAX_RANK];
    int select;          /* -1 unless "#K" after shapes */
} xa_spec;

XA_API xa_status xa_spec_parse(const char *text, xa_spec *out, xa_error *err);
XA_API void xa_spec_clear(xa_spec *s);

/* Load one tensor named by a spec. */
XA_API xa_status xa_load(const char *spec, xa_tensor **out, xa_error *err);

/* Load every tensor a spec names (all members of an npz, every part of a split raw dump, or the
 * single tensor otherwise). names[i] is "MEMBER" for npz, "#K" for splits, "" otherwise. */
typedef struct xa_tensor_list {
    size_t count;
    char **names;
    xa_tensor **tensors;
} xa_tensor_list;
XA_API xa_status xa_load_all(const char *spec, xa_tensor_list *out, xa_error *err);
XA_API void xa_tensor_list_clear(xa_tensor_list *l);

/* Raw bytes from a file: n tensors of dtype dt with the given shapes, in order. The file size
 * must equal the sum of the tensor sizes exactly (the message says both numbers otherwise). */
XA_API xa_status xa_raw_load(const char *path, xa_dtype dt, int nshapes, const int *ranks,
                             const int64_t (*shapes)[XA_MAX_RANK], xa_tensor_list *out,
                             xa_error *err);

/* ---- images ---------------------------------------------------------------------------------- */
/* Basic decode into H x W x C: JPEG with libjpeg-turbo's defaults (ISLOW DCT, fancy upsampling,
 * no EXIF orientation; C = 1 gray or 3 RGB) or PNG (palette expanded; C = 1, 2, 3 or 4; 8-bit
 * as uint8, 16-bit as uint16). The format is detected by magic bytes, not the extension. */
XA_API xa_status xa_image_load(const char *path, xa_tensor **out, xa_error *err);
/* 1 when the first bytes look like a JPEG or PNG. */
XA_API int xa_image_sniff(const void *buf, size_t size);

/* Decode as a given library does (spec/preprocessing.md "JPEG decoding"). */
typedef enum xa_decode_like {
    XA_DECODE_PIL = 0, /* Image.open(p).convert('RGB' | 'L'): RGB, EXIF orientation NOT applied */
    XA_DECODE_CV2 = 1, /* cv2.imread(p[, IMREAD_GRAYSCALE]): BGR, EXIF orientation applied */
} xa_decode_like;
typedef enum xa_dct_method {
    XA_DCT_ISLOW = 0, /* libjpeg's default (JDCT_ISLOW), what cv2 and PIL use */
    XA_DCT_IFAST = 1,
    XA_DCT_FLOAT = 2,
} xa_dct_method;
typedef struct xa_decode_options {
    xa_decode_like like;
    int gray;                /* 1: one channel, as that library's grayscale read */
    int fancy_upsampling;    /* 1: libjpeg's default smooth chroma upsampling; 0: nearest chroma,
                                the closest software model of hardware JPEG units (Sophon JPU) */
    xa_dct_method dct;
    int ignore_orientation;  /* cv2 only: cv2.IMREAD_IGNORE_ORIENTATION */
} xa_decode_options;
typedef struct xa_decode_info {
    char format[8];          /* "jpeg" or "png" */
    int exif_orientation;    /* 1..8 from the file, 0 if none */
    int orientation_applied; /* 1 if the pixels were transposed/flipped for it */
    char settings[256];      /* human-readable decoder settings, recorded in reports */
    int warnings;            /* warnings libjpeg/libpng emitted; cv2 and PIL ignore them (a
                                truncated JPEG read like cv2 warns "Premature end of JPEG file"
                                and decodes the missing part as flat grey) */
    char warning[128];       /* the first warning's text, "" if none */
} xa_decode_info;
XA_API void xa_decode_options_init(xa_decode_options *o); /* PIL, RGB, fancy, ISLOW */
/* info may be NULL. PNGs decode identically for every "like" except channel order/gray. */
XA_API xa_status xa_image_decode(const char *path, const xa_decode_options *o, xa_tensor **out,
                                 xa_decode_info *info, xa_error *err);
XA_API xa_status xa_image_decode_memory(const void *buf, size_t size, const xa_decode_options *o,
                                        xa_tensor **out, xa_decode_info *info, xa_error *err);

#ifdef __cplusplus
}
#endif
#endif
