/* Run-time limits on untrusted input (core.h "limits on untrusted input"). */
#include "internal.h"

static const xa_limits default_limits = {
    .npy_header_bytes = XA_NPY_MAX_HEADER,
    .max_elements = XA_MAX_ELEMENTS,
    .npz_members = XA_NPZ_MAX_MEMBERS,
    .npz_inflated_bytes = XA_NPZ_MAX_INFLATED,
    .npz_name_bytes = XA_NPZ_MAX_NAME,
    .spec_shapes = XA_SPEC_MAX_SHAPES,
    .image_pixels = XA_IMAGE_MAX_PIXELS,
    .bmodel_flatbuffer_bytes = XA_BMODEL_MAX_FLATBUFFER,
    .bmodel_nets = XA_BMODEL_MAX_NETS,
    .bmodel_stages = XA_BMODEL_MAX_STAGES,
    .bmodel_tensors = XA_BMODEL_MAX_TENSORS,
    .bmodel_string_bytes = XA_BMODEL_MAX_STRING,
    .bmodel_text_bytes = XA_BMODEL_MAX_TEXT,
    .manifest_bytes = XA_MANIFEST_MAX_BYTES,
    .op_output_bytes = XA_OPS_MAX_OUTPUT_BYTES,
};

void xa_limits_init(xa_limits *l) {
    if (l) *l = default_limits;
}

const xa_limits *xa_limits_or_default(const xa_limits *l) {
    return l ? l : &default_limits;
}

int64_t xa_limits_max_elements(const xa_limits *l) {
    int64_t n = xa_limits_or_default(l)->max_elements;
    return n < XA_MAX_ELEMENTS ? n : XA_MAX_ELEMENTS;
}
