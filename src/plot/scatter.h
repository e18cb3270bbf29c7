/* A 2-D scatter plot coloured by group with a legend, drawn with the plot
 * library (src/plot): SVG or PNG by the output file's extension. */
#ifndef EL_PLOT_SCATTER_H
#define EL_PLOT_SCATTER_H

#include "base/status.h"

typedef struct {
    const double *xy;          /* n x 2 */
    const int *group;          /* n: index into groups */
    int n;
    const char *const *groups; /* legend labels, colour i = el_palette_category(i, n_groups) */
    int n_groups;
    const char *title, *xlabel, *ylabel, *legend_heading; /* may be NULL */
    int width, height; /* 0: 900 x 640 */
    int dpi;           /* PNG resolution (0: 96) */
} el_scatter;

/* Writes path (.svg, .png or .pdf); EL_ERR_ARG for another extension. */
el_status el_scatter_save(const el_scatter *s, const char *path);

#endif
