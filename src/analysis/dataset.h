/* Reading the JSONL files that `entropy-lens profile` and `entropy-lens text`
 * write into one in-memory data set for analysis and plots.
 *
 * Usage:
 *
 *     el_dataset_opts o = el_dataset_default_opts();
 *     o.by = "label";                 // group records by this top-level field
 *     el_dataset ds;
 *     if (el_dataset_load(paths, n_paths, &o, &ds) != EL_OK)
 *         fprintf(stderr, "%s\n", el_last_error());   // e.g. "a.jsonl:7: not JSON"
 *     for (int i = 0; i < ds.n; i++) {
 *         const el_record *r = &ds.rec[i];
 *         // r->entropy[0 .. r->n_layers-1]: raw CLS profile, layers r->first_layer ..
 *         // ds.X + i * ds.dim: the aligned feature vector, r->group_index: its class
 *     }
 *     el_dataset_free(&ds);
 *
 * What is kept, per input line:
 *   - `error` records are skipped and counted (n_error_records);
 *   - records without the `--by` field (or with it null) are skipped and
 *     counted (n_missing_group); with by == NULL every record is kept and
 *     its group is "";
 *   - a line that is not a JSON object, or a record without a usable
 *     `entropy` array, or without the requested feature, fails the whole load
 *     with EL_ERR_FORMAT and a message "FILE:LINE: reason";
 *   - blank lines are ignored.
 *
 * Features (el_feature):
 *   EL_FEAT_CLS      `entropy`: L numbers; text records with --windows W > 1
 *                    hold W x L, flattened row-major (window by window);
 *   EL_FEAT_MEAN     `entropy_mean` (profile --tokens mean);
 *   EL_FEAT_PATCHES  `patch_entropy`: L x P, flattened row-major (layer by layer);
 *   EL_FEAT_RENYI    `renyi[alpha]` (profile/text --alpha); alpha is matched
 *                    as written ("0.5", "inf") or by numeric value.
 *
 * Depth alignment (el_depth) of the feature vectors, applied along the layer
 * axis only (per window for W x L, per patch column for L x P):
 *   EL_DEPTH_AUTO      native when every record has the same number of
 *                      layers, else RESAMPLE with depth_n points;
 *   EL_DEPTH_NATIVE    keep as is; different layer counts are an error;
 *   EL_DEPTH_RESAMPLE  linear interpolation onto depth_n points of normalised
 *                      depth along opts.depth_axis (el_depth_axis below):
 *                      ENDS: t_j = j / (depth_n - 1), j = 0..depth_n-1, where a
 *                      profile's value i sits at i / (L - 1) (a 1-layer
 *                      profile is repeated); FRACTION: t_j = (j + 1) / depth_n
 *                      (the blocks of a depth_n-block model), value i at
 *                      (first_layer + i) / B with B = first_layer + L - 1
 *                      blocks, the end values held beyond the ends;
 *   EL_DEPTH_PAD       zero-pad each profile at the deep end to depth_n layers
 *                      (the paper's notebook); longer profiles are an error.
 *
 * Groups are the distinct values of the `by` field, sorted by byte order
 * (strcmp) — the order scikit-learn's LabelEncoder gives — and group_index
 * indexes groups[]. Strings are taken as is; booleans become "true"/"false";
 * numbers and other JSON values (arrays, objects) their compact JSON text as
 * cJSON prints it (3, 0.5, [1,2]).
 *
 * Records keep the file order and, across files, the command-line order;
 * `index` in folds CSVs and outputs is the position in ds.rec.
 */
#ifndef EL_ANALYSIS_DATASET_H
#define EL_ANALYSIS_DATASET_H

#include <stddef.h>

#include "base/status.h"
#include "records/record_read.h"

typedef enum { EL_FEAT_CLS = 0, EL_FEAT_MEAN, EL_FEAT_PATCHES, EL_FEAT_RENYI } el_feature;

typedef enum { EL_DEPTH_AUTO = 0, EL_DEPTH_NATIVE, EL_DEPTH_RESAMPLE, EL_DEPTH_PAD } el_depth;

/* Where block l of an L-block model sits on a normalised depth axis
 * (--depth-axis):
 *   EL_DEPTH_AXIS_ENDS      (l - 1) / (L - 1): the first block at 0, the
 *                           last at 1 (the default; the tool's axis so far);
 *   EL_DEPTH_AXIS_FRACTION  l / L: the fraction of the blocks applied, the
 *                           last at 1 (the x axis of the paper's plots); with
 *                           embeddings (first_layer 0) they sit at 0.
 * A profile's value i is layer first_layer + i. */
typedef enum { EL_DEPTH_AXIS_ENDS = 0, EL_DEPTH_AXIS_FRACTION } el_depth_axis;

#define EL_DEPTH_DEFAULT_N 32

typedef struct {
    const char *by;       /* top-level field to group by; NULL: one group "" */
    el_feature feature;   /* what goes into the feature vector X */
    char renyi_alpha[32]; /* for EL_FEAT_RENYI: "2", "0.5", "inf" */
    el_depth depth;
    int depth_n;          /* points for RESAMPLE/PAD (EL_DEPTH_DEFAULT_N when 0) */
    el_depth_axis depth_axis; /* the axis RESAMPLE interpolates along */
    int keep_patches;     /* keep each record's patch_entropy map (heatmaps) */
    int need_features;    /* build X (1, default); 0 = only read records */
    const char *model;    /* keep only records whose `model` is this (NULL: all); others are not counted */
} el_dataset_opts;

el_dataset_opts el_dataset_default_opts(void); /* by NULL, CLS, AUTO, 32, no patches, X built */


typedef struct {
    int n;               /* records kept */
    el_record *rec;

    int n_groups;
    char **groups;       /* sorted distinct group values */

    /* Aligned features (when opts.need_features): X[i * dim + j] */
    int dim;
    double *X;
    el_depth depth_used; /* NATIVE, RESAMPLE or PAD: what AUTO resolved to */
    int depth_n;         /* aligned layer count (native: L) */
    el_depth_axis depth_axis; /* opts.depth_axis: x of feature j is el_depth_x(axis, j, depth_n, first) */
    int feat_rows;       /* feature matrix = feat_rows x depth_n or depth_n x feat_cols */
    int feat_cols;       /*   (W x depth for CLS/RENYI/MEAN, depth x P for PATCHES) */

    /* What was skipped */
    int n_error_records;  /* lines with an `error` field */
    int n_missing_group;  /* records without the `by` field (or null) */
    int n_lines;          /* non-blank lines read */
} el_dataset;

/* Reads paths[0..n_paths-1]. On failure ds is left empty (safe to free) and
 * el_last_error() says "FILE:LINE: reason" (or "FILE: reason" for I/O). */
el_status el_dataset_load(const char *const *paths, int n_paths, const el_dataset_opts *opts, el_dataset *ds);
void el_dataset_free(el_dataset *ds);

/* The first record whose `file` (or `prompt`) equals name; if none, the
 * first whose `file` ends with "/" name (a base name or path tail); NULL
 * otherwise. Gives the raw profile (entropy, first_layer, n_layers) and the
 * patch map (patch, n_patches; load with keep_patches = 1). */
const el_record *el_dataset_find(const el_dataset *ds, const char *name);

/* Parses "cls", "mean", "patches", "renyi:A" into o->feature/renyi_alpha;
 * "native", "resample:N", "pad:N", "resample", "pad" into o->depth/depth_n.
 * 0 on success, -1 if not recognised. */
int el_parse_feature(const char *s, el_dataset_opts *o);
int el_parse_depth(const char *s, el_dataset_opts *o);
const char *el_feature_name(const el_dataset_opts *o); /* "cls", "renyi:2", ... (static buffer) */

/* Depth alignment of one profile of L values (layer l at (l)/(L-1)):
 * linear interpolation onto n points (see EL_DEPTH_RESAMPLE), and zero
 * padding to n >= L. stride lets a column of a matrix be read/written. */
void el_profile_resample(const double *in, int L, size_t in_stride, double *out, int n, size_t out_stride);
void el_profile_pad(const double *in, int L, size_t in_stride, double *out, int n, size_t out_stride);

/* Normalised depth of the l-th value (0-based) of an L-layer profile:
 * l / (L - 1), 0 for L == 1. Use it for x axes so models of different
 * depths line up. */
double el_normalised_depth(int l, int L);

/* x of value i (0-based) of an L-value profile starting at layer first, on
 * the given axis (ENDS: el_normalised_depth(i, L); FRACTION: (first + i) /
 * (first + L - 1)). For resampled features use first = 1. */
double el_depth_x(el_depth_axis axis, int i, int L, int first);
/* el_profile_resample along an axis (ENDS: el_profile_resample). */
void el_profile_resample_axis(el_depth_axis axis, const double *in, int L, int first, size_t in_stride, double *out,
                              int n, size_t out_stride);
/* "ends" | "fraction": 0, or -1 when not recognised. */
int el_parse_depth_axis(const char *s, el_depth_axis *axis);
const char *el_depth_axis_name(el_depth_axis axis);

#endif
