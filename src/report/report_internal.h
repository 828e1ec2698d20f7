/* Rendering helpers shared by the report files (private). */
#ifndef XA_REPORT_INTERNAL_H
#define XA_REPORT_INTERNAL_H

#include "strbuf.h"
#include "xalign/compare.h"
#include "xalign/diagnose.h"
#include "xalign/report.h"
#include <jansson.h>

/* A top-level JSON object whose first key is "schema": the kind and version of the output
 * ("xalign.compare/1"); a change of shape bumps the version (docs/json.md). */
json_t *xa_jobject(const char *schema);
json_t *xa_jnum(double v); /* non-finite -> "inf" / "-inf" / "nan" */
json_t *xa_jshape(int rank, const int64_t *shape);
json_t *xa_jmetrics(const xa_metrics *m, const xa_tensor *coord_of);
json_t *xa_jfailed(unsigned failed);
json_t *xa_jrule(const xa_tol_rule *r); /* {"source": "dtype_default"|..., "what": TEXT} */
/* min, max, mean, finite, nan, inf of one tensor, set on object o */
struct xa_stats;
void xa_jstats(json_t *o, const struct xa_stats *st);
/* "metrics", "tolerance", "failed" and "verdict" of a result, set on object o */
void xa_jverdict(json_t *o, const xa_cmp_result *res, const xa_tensor *coord_of);
/* {"perm": [...], "squeezed": bool, "aligned": bool} */
json_t *xa_jperm(const xa_permutation *p, int aligned);
/* an array of xa_jperm objects with "max_abs" */
json_t *xa_jperms_max_abs(size_t n, const xa_permutation *perms, const int *aligned,
                          const double *max_abs);
/* "(0, 3, 1, 2)" */
void xa_perm_text(xa_sb *sb, const xa_permutation *p);
/* " -- aligned after transpose (1, 0) (max_abs 0); unaligned after ..." */
void xa_perm_list_text(xa_sb *sb, size_t n, const xa_permutation *perms, const int *aligned,
                       const double *max_abs);
json_t *xa_jtolerance(const xa_tolerance *t);
char *xa_jdump(json_t *o); /* compact, newline-terminated; decrefs o */
void xa_tol_text(const xa_tolerance *t, char *buf, size_t size);
/* What decided a verdict, with values: the failing criteria ("cosine 0.9812 < 0.99") or, when
 * aligned, every active one ("max_abs 3.05e-05 <= 0.001"). */
void xa_decisive_text(const xa_metrics *m, const xa_tolerance *t, unsigned failed, char *buf,
                      size_t size);
void xa_coords_text(const xa_tensor *t, int64_t flat, char *buf, size_t size);
json_t *xa_jtensor(const xa_tensor_info *ti); /* spec, dtype, shape, order, size */
/* compare's verdict line ("aligned. max_abs 3e-05 <= 0.001", "unaligned! cosine 0.98 < 0.99")
 * and where the worst is */
void xa_verdict_text(xa_sb *sb, const xa_cmp_result *res, const xa_tensor *coords_of);
void xa_metrics_text(xa_sb *sb, const xa_metrics *m, const xa_tolerance *tol, const xa_tensor *ct,
                     const char *indent);

/* Findings as "cause: ..." / "fix: ..." lines (each prefixed by pad), and as a JSON array. */
void xa_findings_text(xa_sb *sb, const xa_finding *fs, size_t n, const char *note, const char *pad);
json_t *xa_jfindings(const xa_finding *fs, size_t n);

/* The samples of a dataset run as an array of stages objects with a "sample" key. */
json_t *xa_jdataset_samples(const xa_dataset_report *r);

#endif
