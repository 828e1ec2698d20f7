/* Private helpers shared by the io layer's readers and writers. Not installed. */
#ifndef XA_IO_INTERNAL_H
#define XA_IO_INTERNAL_H

#include "internal.h"
#include "xalign/io.h"

/* What a file holds, by its first bytes. */
typedef enum {
    XA_KIND_UNKNOWN,
    XA_KIND_NPY,
    XA_KIND_NPZ,
    XA_KIND_IMAGE,
    XA_KIND_BMODEL
} xa_file_kind;
xa_file_kind xa_sniff_path(const char *path);

/* Split the bytes of an open file into n tensors laid end to end, tensor k of dtype dts[k] and
 * shape shapes[k] (rank ranks[k]); they share the file's backing. The file size must equal the
 * sum exactly, otherwise XA_ESHAPE "PATH: WHAT need N bytes, the file has M". names[k] names
 * tensor k (NULL: "#k" when n > 1, "" otherwise). */
xa_status xa_raw_split(const xa_file *f, const char *path, size_t n, const xa_dtype *dts,
                       const int *ranks, const int64_t (*shapes)[XA_MAX_RANK],
                       const char *const *names, const char *what, xa_tensor_list *out,
                       xa_error *err);

/* Build a tensor from an .npy image of `size` bytes at `base` inside backing `bk`. The tensor
 * shares the backing (a reference is taken) when its data is aligned to the element size; data
 * at an unaligned address (an .npz member: the zip headers before it have arbitrary lengths) is
 * copied into its own heap block, since the rest of the library reads elements through typed
 * pointers. `what` names the container in messages ("file", "member"). Bytes after the data are
 * ignored, as numpy ignores them. */
xa_status xa_npy_from_backing(xa_backing *bk, const unsigned char *base, size_t size, int readonly,
                              const char *what, xa_tensor **out, xa_error *err);

/* The .npy preamble (magic, version, header dict, padding) np.save writes for `t`; at most
 * XA_NPY_PREAMBLE_MAX bytes, always a multiple of 64 long. */
#define XA_NPY_PREAMBLE_MAX 640
xa_status xa_npy_preamble(const xa_tensor *t, unsigned char *pre, size_t *len, xa_error *err);

#endif
