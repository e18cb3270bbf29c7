/* Figures made from a loaded JSONL data set (analysis/dataset.h): the
 * entropy-profile plot and the patch-entropy heatmap of one image, shared by
 * the plot, heatmap and report commands. */
#ifndef EL_PLOT_DATASET_PLOTS_H
#define EL_PLOT_DATASET_PLOTS_H

#include "analysis/dataset.h"
#include "plot/canvas.h"

typedef struct {
    const char *by;      /* the group field (legend title); NULL: one group */
    int depth_layer;     /* x = layer number instead of normalised depth */
    int overlay;         /* all models on one axes (else one panel per model) */
    int band;            /* +-1 std band around each mean */
    const char *title;   /* NULL: "Entropy profiles by FIELD" */
    const char *units;   /* the records' `units`, or NULL */
    int width, height;   /* 0: automatic */
    int dpi;             /* PNG resolution (0: 96, one pixel per unit) */
    el_depth_axis depth_axis; /* the normalised depth: (l-1)/(L-1) or l/L (analysis/dataset.h) */
} el_profile_plot_opts;

/* Mean profile per group (text records: mean over windows), one panel per
 * model unless overlay, by == "model" or a single model. Makes the canvas. */
el_status el_plot_profiles(const el_dataset *ds, const el_profile_plot_opts *o, el_canvas_kind kind,
                           el_canvas **out);

/* The `units` of the first record in the files that has one (malloc'd), or
 * NULL; *mixed = 1 when the files disagree. Unreadable files are skipped. */
char *el_jsonl_units(const char *const *files, int n, int *mixed);
/* "entropy (nats)", "entropy (bits)", "normalised entropy", "entropy". */
const char *el_units_axis_label(const char *units);

typedef struct {
    const el_record *rec;   /* with its patch map (keep_patches) */
    const int *layers;      /* layer numbers as in the record (first_layer based) */
    int n_layers;           /* 0: all layers */
    const char *image_path; /* the image to draw under the maps, or NULL */
    const char *units;
    int panel;              /* panel side in pixels (0: 144) */
    int cols;               /* 0: about square */
    double alpha;           /* overlay opacity over the image (0: 0.6) */
    const char *title;      /* NULL: the file's base name, label and prediction */
    int compact;            /* thumbnails: no figure title, no colour-bar title */
    int fit_w, fit_h;       /* scale the figure to fit fit_w x fit_h (0: as laid out) */
    int dpi;                /* PNG resolution (0: 96) */
} el_heatmap_plot_opts;

/* *image_used (may be NULL) = 1 when the image was drawn; when it cannot be
 * read the maps are drawn alone and *image_used = 0 (el_last_error() says
 * why). Fails with EL_ERR_FORMAT when the record has no square patch map,
 * EL_ERR_ARG for a layer the record lacks. */
el_status el_plot_heatmap(const el_heatmap_plot_opts *o, el_canvas_kind kind, el_canvas **out, int *image_used);

/* The panel's backdrop: the image region view = {x, y, w, h} (NULL: the
 * whole image; a record's `input_view`, the part the model saw after resize
 * and centre crop) as a panel x panel RGBA picture in grey (so the viridis
 * overlay reads), slightly lightened, black where the view leaves the image;
 * NULL when the image cannot be loaded. malloc'd. */
uint8_t *el_heatmap_backdrop(const char *path, int panel, const double *view);

/* Where the record's image is: root/file when root is given, else `file`
 * as written, else `file` relative to the JSONL file's folder. NULL when
 * none is readable; buf holds the result. */
const char *el_resolve_image(const el_record *r, const char *root, char *buf, size_t n);

#endif
