/* Private helpers shared by the io layer's readers and writers. Not installed. */
#ifndef XA_IO_INTERNAL_H
#define XA_IO_INTERNAL_H

#include "internal.h"

/* Build a tensor from an .npy image of `size` bytes at `base` inside backing `bk`. The tensor
 * shares the backing (a reference is taken) when its data is aligned to the element size; data
 * at an unaligned address (an .npz member: the zip headers before it have arbitrary lengths) is
 * copied into its own heap block, since the rest of the library reads elements through typed
 * pointers. `what` names the container in messages ("file", "member"). Bytes after the data are
 * ignored, as numpy ignores them. */
xa_status xa_npy_from_backing(xa_backing *bk, const unsigned char *base, size_t size,
                              int readonly, const char *what, xa_tensor **out, xa_error *err);

/* The .npy preamble (magic, version, header dict, padding) np.save writes for `t`; at most
 * XA_NPY_PREAMBLE_MAX bytes, always a multiple of 64 long. */
#define XA_NPY_PREAMBLE_MAX 640
xa_status xa_npy_preamble(const xa_tensor *t, unsigned char *pre, size_t *len, xa_error *err);

#endif
