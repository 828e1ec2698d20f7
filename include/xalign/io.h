/* xalign io: .npy, .npz, raw/BMRT dumps, images, and the tensor spec of the command line.
 *
 * Every reader treats its input as untrusted and enforces the limits of an xa_limits (core.h; the
 * *_ex calls take them in xa_load_options, the plain calls use the defaults); a file that breaks
 * one is refused with XA_ELIMIT and a message naming the file and the number. Only regular files
 * are read: FIFOs, devices and sockets are refused without blocking.
 */
#ifndef XALIGN_IO_H
#define XALIGN_IO_H

#include "core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- options of the loading calls ---------------------------------------------------------- */
/* The *_ex calls take these; each plain call is its *_ex call with NULL options. A zeroed struct
 * means the defaults too. */
typedef struct xa_load_options {
    const xa_limits *limits; /* NULL: the defaults of xa_limits_init */
    /* threads one load may use (the CRC-32 check of large .npz members); 0: xa_threads_get().
     * A caller that loads several files at once (a dataset run) passes its share. */
    int threads;
} xa_load_options;

/* ---- .npy ---------------------------------------------------------------------------------- */
/* Parse an .npy header from the first `size` bytes of a file. On success *data_offset is where
 * the array data starts and `t` describes it (t->data NULL). The default limits apply. */
XA_API xa_status xa_npy_parse_header(const void *buf, size_t size, xa_tensor *t,
                                     size_t *data_offset, xa_error *err);
/* Load an .npy file. Files of XA_NPY_MAP_THRESHOLD bytes or more are memory-mapped read-only. */
#define XA_NPY_MAP_THRESHOLD ((size_t)1 << 16)
XA_API xa_status xa_npy_load(const char *path, xa_tensor **out, xa_error *err);
XA_API xa_status xa_npy_load_ex(const char *path, const xa_load_options *o, xa_tensor **out,
                                xa_error *err);
/* Parse an .npy image held in memory; the bytes are copied, so `buf` may be freed after the call.
 * `name` (may be NULL) prefixes messages. */
XA_API xa_status xa_npy_from_memory(const void *buf, size_t size, const char *name, xa_tensor **out,
                                    xa_error *err);
XA_API xa_status xa_npy_from_memory_ex(const void *buf, size_t size, const char *name,
                                       const xa_load_options *o, xa_tensor **out, xa_error *err);
/* Write `t` as numpy's np.save would: the same header bytes, version 1 unless the header needs
 * more than 65535 bytes (then 2). Fortran-order tensors keep their order. Swapped tensors are
 * written in their stored byte order (descr '>'). bfloat16 is written as '|V2'. */
XA_API xa_status xa_npy_save(const char *path, const xa_tensor *t, xa_error *err);
/* The same bytes into a malloc'd buffer (free with xa_free). */
XA_API xa_status xa_npy_encode(const xa_tensor *t, void **out, size_t *out_size, xa_error *err);

/* ---- .npz ---------------------------------------------------------------------------------- */
/* np.savez (stored) and np.savez_compressed (deflate) archives, ZIP64 included (docs/formats.md).
 * Files of XA_NPY_MAP_THRESHOLD bytes and more are mapped; stored members whose data is aligned
 * to the element size are served from the mapping without a copy (the tensors keep it alive
 * after xa_npz_free); others are copied or inflated. Every member's CRC-32 is checked on load. */
typedef struct xa_npz xa_npz;
XA_API xa_status xa_npz_open(const char *path, xa_npz **out, xa_error *err);
/* The same from memory; the bytes are copied, so `buf` may be freed after the call. */
XA_API xa_status xa_npz_open_memory(const void *buf, size_t size, xa_npz **out, xa_error *err);
/* With options: the archive keeps the limits and thread count for every xa_npz_load on it. */
XA_API xa_status xa_npz_open_ex(const char *path, const xa_load_options *o, xa_npz **out,
                                xa_error *err);
XA_API xa_status xa_npz_open_memory_ex(const void *buf, size_t size, const xa_load_options *o,
                                       xa_npz **out, xa_error *err);
/* Members, in archive order; a name that occurs several times is counted once. */
XA_API size_t xa_npz_count(const xa_npz *z);
/* Member name without the ".npy" suffix numpy adds (np.savez(f, a=x) -> "a"); NULL when i is
 * out of range. */
XA_API const char *xa_npz_name(const xa_npz *z, size_t i);
/* Load a member by name, as np.load's NpzFile looks it up: the exact zip name first, then
 * name + ".npy"; among entries of the same name the last wins (zipfile's rule). Errors read
 * "PATH#NAME: problem"; XA_ENOTFOUND lists the members. */
XA_API xa_status xa_npz_load(xa_npz *z, const char *name, xa_tensor **out, xa_error *err);
XA_API void xa_npz_free(xa_npz *z);

/* Write named tensors as an uncompressed .npz in np.savez's layout (members "NAME.npy", readable
 * by np.load), each member's data aligned to 64 bytes by an extra field so it loads without a
 * copy. Names must be non-empty and distinct. */
XA_API xa_status xa_npz_save(const char *path, size_t n, const char *const *names,
                             const xa_tensor *const *tensors, xa_error *err);

/* ---- CRC-32 --------------------------------------------------------------------------------- */
/* zip's (and zlib's) CRC-32 of n bytes, continuing from `crc` (0 to start); carry-less
 * multiplication where the CPU has it, zlib's crc32 otherwise (identical results). */
XA_API uint32_t xa_crc32(uint32_t crc, const void *p, size_t n);
/* The CRC-32 of A followed by B, from crc(A), crc(B) and the length of B (zlib's crc32_combine). */
XA_API uint32_t xa_crc32_combine(uint32_t crc_a, uint32_t crc_b, uint64_t len_b);

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
    char *member;   /* NULL unless "#MEMBER" (npz) */
    xa_dtype dtype; /* XA_DTYPE_INVALID unless ":DTYPE" */
    int nshapes;    /* 0 when no shape given */
    int *ranks;     /* nshapes entries */
    int64_t (*shapes)[XA_MAX_RANK];
    int select; /* -1 unless "#K" after shapes */
} xa_spec;

XA_API xa_status xa_spec_parse(const char *text, xa_spec *out, xa_error *err);
/* With options: at most o->limits->spec_shapes shapes. */
XA_API xa_status xa_spec_parse_ex(const char *text, const xa_load_options *o, xa_spec *out,
                                  xa_error *err);
XA_API void xa_spec_clear(xa_spec *s);

/* Load one tensor named by a spec. */
XA_API xa_status xa_load(const char *spec, xa_tensor **out, xa_error *err);
XA_API xa_status xa_load_ex(const char *spec, const xa_load_options *o, xa_tensor **out,
                            xa_error *err);

/* A whole file's bytes as a 1-D uint8 tensor (what the registered "decode" operation takes). */
XA_API xa_status xa_load_bytes(const char *path, xa_tensor **out, xa_error *err);

/* Load every tensor a spec names (all members of an npz, every part of a split raw dump, or the
 * single tensor otherwise). names[i] is "MEMBER" for npz, "#K" for splits, "" otherwise. */
typedef struct xa_tensor_list {
    size_t count;
    char **names;
    xa_tensor **tensors;
} xa_tensor_list;
XA_API xa_status xa_load_all(const char *spec, xa_tensor_list *out, xa_error *err);
XA_API xa_status xa_load_all_ex(const char *spec, const xa_load_options *o, xa_tensor_list *out,
                                xa_error *err);
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
XA_API xa_status xa_image_load_ex(const char *path, const xa_load_options *o, xa_tensor **out,
                                  xa_error *err);
/* The same decoder on an image held in memory (at most o->limits->image_pixels pixels). */
XA_API xa_status xa_image_load_memory(const void *buf, size_t size, const xa_load_options *o,
                                      xa_tensor **out, xa_error *err);
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
    int gray;             /* 1: one channel, as that library's grayscale read */
    int fancy_upsampling; /* 1: libjpeg's default smooth chroma upsampling; 0: nearest chroma,
                             the closest software model of hardware JPEG units (Sophon JPU) */
    xa_dct_method dct;
    int ignore_orientation;  /* cv2 only: cv2.IMREAD_IGNORE_ORIENTATION */
    const xa_limits *limits; /* NULL: the defaults (image_pixels applies) */
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
XA_API void xa_decode_options_init(xa_decode_options *o); /* PIL, RGB, fancy, ISLOW, limits NULL */
/* info may be NULL. PNGs decode identically for every "like" except channel order/gray. */
XA_API xa_status xa_image_decode(const char *path, const xa_decode_options *o, xa_tensor **out,
                                 xa_decode_info *info, xa_error *err);
XA_API xa_status xa_image_decode_memory(const void *buf, size_t size, const xa_decode_options *o,
                                        xa_tensor **out, xa_decode_info *info, xa_error *err);

/* Write an 8-bit PNG from a uint8 tensor: H x W or H x W x 1 (gray), H x W x 3 (RGB),
 * H x W x 4 (RGBA); any memory order. The bytes depend only on the pixels (no time or text
 * chunks; zlib level 6, libpng's default filters). */
XA_API xa_status xa_png_save(const char *path, const xa_tensor *t, xa_error *err);
/* The same PNG into a malloc'd buffer (free with xa_free), e.g. to embed in a report. */
XA_API xa_status xa_png_encode(const xa_tensor *t, void **out, size_t *out_size, xa_error *err);

/* ---- bmodel (SOPHON BM168x model metadata) ----------------------------------------------------
 */
/* A .bmodel is a 64-byte little-endian header {uint32 magic, header_size, flatbuffers_size,
 * binary_size, reserved[12]}, a FlatBuffers buffer of the schema `bmodel.Model` (tpu-mlir
 * include/tpu_mlir/Builder/BM168x/bmodel.fbs, libsophon tpu-bmodel/model/model.fbs) at offset
 * header_size, then the binary blob (weights, commands). xalign reads the metadata only: nets,
 * stages (one NetParameter per stage) and their input/output tensors. See docs/bmodel.md.
 *
 * magic 0xFF55AAEE is what tpu-mlir and libsophon write and read. 0xFF55AAFF (bmtap2-era files)
 * is recognised and parsed the same way; libsophon's own reader refuses it, and when such a file
 * is not in the flatbuffers layout the error says so. Encrypted bmodels are not readable. */
#define XA_BMODEL_MAGIC 0xFF55AAEEu
#define XA_BMODEL_MAGIC_OLD 0xFF55AAFFu
#define XA_BMODEL_HEADER_SIZE 64
/* Limits on untrusted bmodels: the bmodel_* fields of xa_limits (FlatBuffers can share
 * sub-objects, so totals are limited too). */

typedef struct xa_bmodel_tensor {
    char *name;
    int bm_dtype;   /* bm_data_type_t as stored: 0 f32, 1 f16, 2 int8, 3 uint8, 4 int16,
                       5 uint16, 6 int32, 7 uint32, 8 bf16, 9 int4, 10 uint4 */
    xa_dtype dtype; /* XA_DTYPE_INVALID for int4/uint4 and unknown codes */
    size_t nshapes; /* Shape entries stored; `shape` is the first (0: no shape) */
    int rank;
    int64_t shape[XA_MAX_RANK];
    float scale;          /* Tensor.scale, default 1 */
    int32_t zero_point;   /* Tensor.zero_point, default 0 */
    uint64_t device_size; /* Tensor.size: bytes of device memory */
} xa_bmodel_tensor;

typedef struct xa_bmodel_stage {
    int is_dynamic, n_dynamic, h_w_dynamic; /* NetParameter flags; shapes are maxima if set */
    size_t ninputs, noutputs;
    xa_bmodel_tensor *inputs, *outputs;
} xa_bmodel_stage;

typedef struct xa_bmodel_net {
    char *name;
    int dynamic;    /* stage 0's is_dynamic, as tpu_model --info reports it */
    size_t nstages; /* 0 for old nets without `parameter` (net_static/net_dynamic) */
    xa_bmodel_stage *stages;
} xa_bmodel_net;

typedef struct xa_bmodel {
    uint32_t magic, header_size, flatbuffers_size, binary_size;
    char *type, *version, *time, *chip;
    size_t nnets;
    xa_bmodel_net *nets;
} xa_bmodel;

/* 1 when the first bytes carry a bmodel magic (either one). */
XA_API int xa_bmodel_sniff(const void *buf, size_t size);
/* Parse a whole bmodel file held in memory. Nothing of `buf` is kept. */
XA_API xa_status xa_bmodel_parse(const void *buf, size_t size, xa_bmodel **out, xa_error *err);
XA_API xa_status xa_bmodel_load(const char *path, xa_bmodel **out, xa_error *err);
/* With options: the bmodel_* limits (and max_elements nowhere: shapes are only described). */
XA_API xa_status xa_bmodel_parse_ex(const void *buf, size_t size, const xa_load_options *o,
                                    xa_bmodel **out, xa_error *err);
XA_API xa_status xa_bmodel_load_ex(const char *path, const xa_load_options *o, xa_bmodel **out,
                                   xa_error *err);
XA_API void xa_bmodel_free(xa_bmodel *m);
/* tpu_model's name of a bm_data_type_t code ("float32", ..., "bfloat16", "int4", "uint4");
 * NULL for codes it does not know. */
XA_API const char *xa_bmodel_dtype_name(int bm_dtype);
/* Bytes the tensor takes in a BMRT dump (first shape x element size); -1 when it cannot be
 * known (int4/uint4 or unknown dtype, no shape, overflow). */
XA_API int64_t xa_bmodel_tensor_nbytes(const xa_bmodel_tensor *t);

/* Which part of a model a BMRT dump was split by. */
typedef struct xa_bmrt_where {
    size_t net, stage;
    int outputs;    /* 0 inputs, 1 outputs */
    int64_t tensor; /* index of the selected tensor, -1 when all were loaded */
} xa_bmrt_where;

/* Split a BMRT_SAVE_IO_TENSORS dump (input_ref_data.dat.bmrt / output_ref_data.dat.bmrt: the
 * raw tensors concatenated in index order) into the tensors of one stage, named by the model.
 *   net      NULL: any net; otherwise the net of that name
 *   stage    -1: any stage; otherwise that stage
 *   outputs  0 inputs, 1 outputs, -1 decided by the file: the runtime's names input_ref_data*
 *            and output_ref_data* pick their side, any other name allows both
 * Of the (net, stage, side) allowed, the one whose total size equals the file's is used; several
 * are an error (XA_EINVAL, naming two) unless they split the file identically. A size that fits
 * none is XA_ESHAPE with the file's size and the candidates' (int4/uint4 sides cannot be split:
 * XA_EUNSUPPORTED when nothing else is left). The tensors share one mapping of the file.
 * `where` may be NULL. */
XA_API xa_status xa_bmrt_load(const char *path, const xa_bmodel *m, const char *net, int stage,
                              int outputs, xa_tensor_list *out, xa_bmrt_where *where,
                              xa_error *err);
/* The tensor spec of the command line, with a bmodel for raw dumps: `PATH` or `PATH#NAME` whose
 * file is not .npy/.npz/JPEG/PNG is a BMRT dump split by xa_bmrt_load (outputs = -1), and #NAME
 * keeps the tensor of that name (the side and stage must hold it). Every other spec (self-
 * describing files, PATH:DTYPE:SHAPE) loads exactly as xa_load_all; `where` then has
 * tensor = -1 and net = stage = SIZE_MAX. */
XA_API xa_status xa_bmrt_load_spec(const char *spec, const xa_bmodel *m, const char *net, int stage,
                                   xa_tensor_list *out, xa_bmrt_where *where, xa_error *err);
XA_API xa_status xa_bmrt_load_spec_ex(const char *spec, const xa_bmodel *m, const char *net,
                                      int stage, const xa_load_options *o, xa_tensor_list *out,
                                      xa_bmrt_where *where, xa_error *err);

/* ---- files of several tensors --------------------------------------------------------------
 * A multi-member file read member by member, so that a pass over it holds one member at a time:
 *   - .npz without #MEMBER: every member, in archive order (the order the program wrote them);
 *   - a folder: its .npy files ordered by file name (byte order), member name = file name
 *     without ".npy";
 *   - Polygraphy's --save-outputs (RunResults) and --save-inputs (data loader) JSON files
 *     (docs/formats.md "Polygraphy JSON" for the member names of several runners/iterations);
 *   - any other spec (xa_load_all: a split raw dump, one tensor, an npz member), and BMRT dumps
 *     split by a bmodel (xa_multi_open_bmodel), held in memory as loaded (mapped when they can).
 */
#define XA_DIR_MAX_FILES 65536       /* .npy files in one folder */
#define XA_JSON_MAX_DEPTH 64         /* nesting of a Polygraphy JSON file */
#define XA_JSON_MAX_NODES (1u << 20) /* values (objects, arrays, strings, numbers) in one file */

typedef struct xa_multi xa_multi;
typedef enum xa_multi_kind {
    XA_MULTI_LIST = 0, /* tensors loaded by a spec */
    XA_MULTI_NPZ = 1,
    XA_MULTI_DIR = 2,
    XA_MULTI_POLYGRAPHY = 3,
} xa_multi_kind;

XA_API xa_status xa_multi_open(const char *spec, xa_multi **out, xa_error *err);
/* As xa_multi_open, with a bmodel for BMRT dumps (see xa_bmrt_load_spec): members are named by
 * the model and carry its quantisation scale (xa_member_info.has_scale). m may be NULL. */
XA_API xa_status xa_multi_open_bmodel(const char *spec, const xa_bmodel *m, const char *net,
                                      int stage, xa_multi **out, xa_error *err);
/* Tensors already loaded, as a multi-member file (kind XA_MULTI_LIST, named `label`): the list's
 * contents move into it (`l` is left empty), e.g. a stage's tensors for xa_compare_members. */
XA_API xa_status xa_multi_from_list(xa_tensor_list *l, const char *label, xa_multi **out,
                                    xa_error *err);
/* Polygraphy JSON held in memory (copied). */
XA_API xa_status xa_polygraphy_open_memory(const void *buf, size_t size, xa_multi **out,
                                           xa_error *err);
XA_API void xa_multi_free(xa_multi *m);
XA_API xa_multi_kind xa_multi_get_kind(const xa_multi *m);
XA_API const char *xa_multi_path(const xa_multi *m); /* the spec it was opened from */
XA_API size_t xa_multi_count(const xa_multi *m);
/* Member name; NULL when i is out of range. Split parts are "#0", "#1", ...; a single tensor
 * given by a spec is "". */
XA_API const char *xa_multi_name(const xa_multi *m, size_t i);
/* Index of the member of that exact name, or -1. */
XA_API long xa_multi_find(const xa_multi *m, const char *name);
/* Two folders of stage dumps (every file NN_name.npy, the names unique without NN_) name their
 * members without the NN_, as `stages` names stages: both or neither. 1 when renamed, 0 when
 * not, -1 when out of memory. */
XA_API int xa_multi_drop_numbering(xa_multi *a, xa_multi *b);

typedef struct xa_member_info {
    xa_dtype dtype;
    int rank;
    int64_t shape[XA_MAX_RANK];
    int fortran_order, swapped;
    uint64_t nbytes;       /* data bytes */
    uint64_t stored_bytes; /* bytes the member takes in its file (compressed size if deflated) */
    int compressed;        /* 1: a deflated npz member */
    int shapeless;         /* 1: raw bytes given as PATH:DTYPE without a shape (1-D by default) */
    int has_scale;         /* 1: quantised; real value = (stored - zero_point) * scale */
    double scale;
    int64_t zero_point;
} xa_member_info;

/* The spec that reads a raw file as parts of these dtypes and shapes, in order
 * ("out.bmrt:f32:1x3x8x8,1x3x4x4": what a BMRT dump of several outputs needs). Written as
 * snprintf writes; returns the length it needs, or 0 when n is 0 or the parts' dtypes differ
 * (a raw spec has one dtype). */
XA_API size_t xa_spec_format_split(char *buf, size_t size, const char *path,
                                   const xa_member_info *parts, size_t n);

/* What member i holds, from its header alone: no data is read, inflated or checked, so this is
 * fast on any file size. */
XA_API xa_status xa_multi_info(xa_multi *m, size_t i, xa_member_info *out, xa_error *err);
/* Member i as a tensor (checked: the CRC of an npz member; copied when unaligned). */
XA_API xa_status xa_multi_load(xa_multi *m, size_t i, xa_tensor **out, xa_error *err);

/* Streaming access, for one pass over big files. A view gives a member's elements where they
 * lie, possibly at an unaligned address. A stored npz member is served from the mapping with its
 * CRC not yet checked (crc_pending): the consumer computes the CRC-32 of the `nbytes` data bytes
 * as it reads them (xa_crc32 and xa_crc32_combine for parts) and calls xa_member_view_verify.
 * Other members are materialised (inflated, decoded) and checked when the view is made.
 * Clearing a view of mapped data drops its pages from memory (the pass has read them). */
typedef struct xa_member_view {
    xa_member_info info;
    const void *data; /* info.nbytes bytes */
    int mapped;       /* the bytes lie in a file mapping */
    int crc_pending;
    /* private */
    uint32_t crc_prefix, crc_suffix, crc_expected;
    uint64_t suffix_len;
    const xa_multi *multi;
    size_t index;
    xa_tensor *owner;
} xa_member_view;
XA_API xa_status xa_multi_view(xa_multi *m, size_t i, xa_member_view *v, xa_error *err);
/* Check a pending CRC: `data_crc` is the CRC-32 of the view's data bytes. XA_EFORMAT with the
 * member named when it does not match. A no-op for views without a pending CRC. */
XA_API xa_status xa_member_view_verify(const xa_member_view *v, uint32_t data_crc, xa_error *err);
XA_API void xa_member_view_clear(xa_member_view *v);

#ifdef __cplusplus
}
#endif
#endif
