/* Private helpers shared by the io layer's readers and writers. Not installed. */
#ifndef XA_IO_INTERNAL_H
#define XA_IO_INTERNAL_H

#include "internal.h"
#include "xalign/io.h"

/* The limits of load options (the defaults for NULL options or NULL limits), and the threads one
 * load may use (0: xa_parallel's default, xa_threads_get()). */
static inline const xa_limits *xa_load_limits(const xa_load_options *o) {
    return xa_limits_or_default(o ? o->limits : NULL);
}
static inline int xa_load_threads(const xa_load_options *o) {
    return o && o->threads > 0 ? o->threads : 0;
}

/* What a file holds, by its first bytes. */
typedef enum {
    XA_KIND_UNKNOWN,
    XA_KIND_NPY,
    XA_KIND_NPZ,
    XA_KIND_IMAGE,
    XA_KIND_BMODEL,
    XA_KIND_JSON /* a text file starting with '{' or '[': Polygraphy's JSON */
} xa_file_kind;
xa_file_kind xa_sniff_path(const char *path);

/* Split the bytes of an open file (each tensor at most lim->max_elements elements; lim may be
 * NULL for the defaults) into n tensors laid end to end, tensor k of dtype dts[k] and
 * shape shapes[k] (rank ranks[k]); they share the file's backing. The file size must equal the
 * sum exactly, otherwise XA_ESHAPE "PATH: WHAT need N bytes, the file has M". names[k] names
 * tensor k (NULL: "#k" when n > 1, "" otherwise). */
xa_status xa_raw_split(const xa_file *f, const char *path, size_t n, const xa_dtype *dts,
                       const int *ranks, const int64_t (*shapes)[XA_MAX_RANK],
                       const char *const *names, const char *what, const xa_limits *lim,
                       xa_tensor_list *out, xa_error *err);

/* Build a tensor from an .npy image of `size` bytes at `base` inside backing `bk`. The tensor
 * shares the backing (a reference is taken) when its data is aligned to the element size; data
 * at an unaligned address (an .npz member: the zip headers before it have arbitrary lengths) is
 * copied into its own heap block, since the rest of the library reads elements through typed
 * pointers. `what` names the container in messages ("file", "member"). Bytes after the data are
 * ignored, as numpy ignores them. */
xa_status xa_npy_from_backing(xa_backing *bk, const unsigned char *base, size_t size, int readonly,
                              const char *what, const xa_limits *lim, xa_tensor **out,
                              xa_error *err);

/* xa_npy_parse_header under the given limits (NULL: the defaults). */
xa_status xa_npy_parse_header_lim(const void *buf, size_t size, const xa_limits *lim, xa_tensor *t,
                                  size_t *data_offset, xa_error *err);

/* The .npy preamble (magic, version, header dict, padding) np.save writes for `t`; at most
 * XA_NPY_PREAMBLE_MAX bytes, always a multiple of 64 long. */
#define XA_NPY_PREAMBLE_MAX 640
xa_status xa_npy_preamble(const xa_tensor *t, unsigned char *pre, size_t *len, xa_error *err);

/* ---- members of multi-member files (multi.c) ------------------------------------------------ */
/* npz members by listing index: header-only info and streaming views (npz.c). */
xa_status xa_npz_member_info(xa_npz *z, size_t i, xa_member_info *info, xa_error *err);
xa_status xa_npz_member_view(xa_npz *z, size_t i, xa_member_view *v, xa_error *err);
const char *xa_npz_label(const xa_npz *z);

/* Polygraphy JSON (polygraphy.c): the index of a file's arrays. Each member is the base64 text
 * (JSON string contents, `escaped` when it holds backslash escapes) of an .npy image (or, as
 * old Polygraphy wrote them, of an .npz whose first member is the array). */
typedef struct xa_pg_member {
    char *name;
    size_t off, len; /* the string's contents within the file */
    int escaped;
} xa_pg_member;
typedef struct xa_pg_index {
    size_t count;
    xa_pg_member *members;
} xa_pg_index;
xa_status xa_polygraphy_index(const unsigned char *buf, size_t size, xa_pg_index *out,
                              xa_error *err);
void xa_pg_index_clear(xa_pg_index *ix);
/* Decode member m (at most `limit` bytes when limit > 0: for reading a header only) into a
 * heap buffer of *n bytes. */
xa_status xa_pg_decode(const unsigned char *buf, const xa_pg_member *m, size_t limit,
                       unsigned char **out, size_t *n, xa_error *err);

#endif
