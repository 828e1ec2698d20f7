/* Text and JSON renderings of a bmodel's metadata (`xalign info model.bmodel`). */
#include "report_internal.h"
#include "xalign/report.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* Bytes of one side of a stage in a BMRT dump; -1 when a tensor has no byte size. */
static int64_t side_bytes(const xa_bmodel_tensor *t, size_t n) {
    int64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        int64_t b = xa_bmodel_tensor_nbytes(&t[k]);
        if (b < 0 || __builtin_add_overflow(total, b, &total)) return -1;
    }
    return total;
}

/* ---- text ---------------------------------------------------------------------------------- */
/* One tensor line as tpu_model's tensor_str(): "input: NAME, [1, 3, 224, 224], float32, scale:
 * 1, zero point: 0". Input dims of a stage with n_dynamic or h_w_dynamic get its "max:" prefix;
 * an empty dim list prints "[ ]"; scale prints as C++'s default ostream float (%g). */
static void tensor_text(xa_sb *sb, const xa_bmodel_tensor *t, int output, int max_prefix) {
    xa_sb_printf(sb, "%s: %s, ", output ? "output" : "input", t->name);
    if (!t->nshapes) {
        xa_sb_printf(sb, "no shape");
    } else if (t->rank == 0) {
        xa_sb_printf(sb, "[ ]");
    } else {
        xa_sb_printf(sb, "[");
        for (int k = 0; k < t->rank; k++)
            xa_sb_printf(sb, "%s%s%lld", k ? ", " : "", max_prefix ? "max:" : "",
                         (long long)t->shape[k]);
        xa_sb_printf(sb, "]");
    }
    const char *dn = xa_bmodel_dtype_name(t->bm_dtype);
    if (dn)
        xa_sb_printf(sb, ", %s", dn);
    else
        xa_sb_printf(sb, ", unknown dtype %d", t->bm_dtype);
    xa_sb_printf(sb, ", scale: %g, zero point: %d\n", (double)t->scale, (int)t->zero_point);
}

static void bytes_text(xa_sb *sb, int64_t b) {
    if (b >= 0)
        xa_sb_printf(sb, "%lld", (long long)b);
    else
        xa_sb_printf(sb, "unknown");
}

char *xa_report_bmodel_text(const char *spec, const xa_bmodel *m) {
    xa_sb sb = {0};
    /* ctime() ends the creation time with '\n'; it is shown without. */
    size_t tl = strlen(m->time);
    while (tl && (m->time[tl - 1] == '\n' || m->time[tl - 1] == '\r')) tl--;
    xa_sb_printf(&sb, "%s: bmodel, %zu net%s, flatbuffer %u bytes, binary %u bytes\n", spec,
                 m->nnets, m->nnets == 1 ? "" : "s", m->flatbuffers_size, m->binary_size);
    xa_sb_printf(&sb, "bmodel version: %s.%s\nchip: %s\ncreate time: %.*s\n", m->type, m->version,
                 m->chip, (int)tl, m->time);
    for (size_t i = 0; i < m->nnets; i++) {
        const xa_bmodel_net *n = &m->nets[i];
        xa_sb_printf(&sb, "==========================================\n");
        if (!n->nstages) {
            xa_sb_printf(&sb, "net %zu: [%s]  no stages (no 'parameter': an old-style net)\n", i,
                         n->name);
            continue;
        }
        xa_sb_printf(&sb, "net %zu: [%s]  %s\n", i, n->name, n->dynamic ? "dynamic" : "static");
        for (size_t s = 0; s < n->nstages; s++) {
            const xa_bmodel_stage *st = &n->stages[s];
            xa_sb_printf(&sb, "------------\nstage %zu\n", s);
            int max_prefix = st->n_dynamic || st->h_w_dynamic;
            for (size_t k = 0; k < st->ninputs; k++)
                tensor_text(&sb, &st->inputs[k], 0, max_prefix);
            for (size_t k = 0; k < st->noutputs; k++) tensor_text(&sb, &st->outputs[k], 1, 0);
            xa_sb_printf(&sb, "BMRT dump bytes: inputs ");
            bytes_text(&sb, side_bytes(st->inputs, st->ninputs));
            xa_sb_printf(&sb, ", outputs ");
            bytes_text(&sb, side_bytes(st->outputs, st->noutputs));
            xa_sb_printf(&sb, "%s\n", max_prefix ? " (at the maximum shapes)" : "");
        }
    }
    return xa_sb_take(&sb);
}

/* ---- JSON ---------------------------------------------------------------------------------- */
static json_t *jbytes(int64_t b) {
    return b >= 0 ? json_integer(b) : json_null();
}

static json_t *jtensors(const xa_bmodel_tensor *t, size_t n) {
    json_t *a = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *o = json_object(), *shape = json_array();
        const char *dn = xa_bmodel_dtype_name(t[k].bm_dtype);
        for (int d = 0; d < t[k].rank; d++)
            json_array_append_new(shape, json_integer(t[k].shape[d]));
        json_object_set_new(o, "name", json_string(t[k].name));
        json_object_set_new(o, "bm_dtype", json_integer(t[k].bm_dtype));
        json_object_set_new(o, "dtype", dn ? json_string(dn) : json_null());
        json_object_set_new(o, "shape", t[k].nshapes ? shape : (json_decref(shape), json_null()));
        json_object_set_new(o, "nshapes", json_integer((json_int_t)t[k].nshapes));
        json_object_set_new(o, "scale", json_real(t[k].scale));
        json_object_set_new(o, "zero_point", json_integer(t[k].zero_point));
        json_object_set_new(o, "device_size", json_integer((json_int_t)t[k].device_size));
        json_object_set_new(o, "nbytes", jbytes(xa_bmodel_tensor_nbytes(&t[k])));
        json_array_append_new(a, o);
    }
    return a;
}

char *xa_report_bmodel_json(const char *spec, const xa_bmodel *m) {
    json_t *o = json_object(), *nets = json_array();
    json_object_set_new(o, "spec", json_string(spec ? spec : ""));
    json_object_set_new(o, "format", json_string("bmodel"));
    json_object_set_new(o, "magic", json_integer(m->magic));
    json_object_set_new(o, "header_size", json_integer(m->header_size));
    json_object_set_new(o, "flatbuffers_size", json_integer(m->flatbuffers_size));
    json_object_set_new(o, "binary_size", json_integer(m->binary_size));
    json_object_set_new(o, "type", json_string(m->type));
    json_object_set_new(o, "version", json_string(m->version));
    json_object_set_new(o, "time", json_string(m->time));
    json_object_set_new(o, "chip", json_string(m->chip));
    for (size_t i = 0; i < m->nnets; i++) {
        const xa_bmodel_net *n = &m->nets[i];
        json_t *jn = json_object(), *stages = json_array();
        json_object_set_new(jn, "name", json_string(n->name));
        json_object_set_new(jn, "dynamic", json_boolean(n->dynamic));
        for (size_t s = 0; s < n->nstages; s++) {
            const xa_bmodel_stage *st = &n->stages[s];
            json_t *js = json_object();
            json_object_set_new(js, "is_dynamic", json_integer(st->is_dynamic));
            json_object_set_new(js, "n_dynamic", json_integer(st->n_dynamic));
            json_object_set_new(js, "h_w_dynamic", json_integer(st->h_w_dynamic));
            json_object_set_new(js, "input_bytes", jbytes(side_bytes(st->inputs, st->ninputs)));
            json_object_set_new(js, "output_bytes", jbytes(side_bytes(st->outputs, st->noutputs)));
            json_object_set_new(js, "inputs", jtensors(st->inputs, st->ninputs));
            json_object_set_new(js, "outputs", jtensors(st->outputs, st->noutputs));
            json_array_append_new(stages, js);
        }
        json_object_set_new(jn, "stages", stages);
        json_array_append_new(nets, jn);
    }
    json_object_set_new(o, "nets", nets);
    return xa_jdump(o);
}
