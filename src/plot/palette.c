/* Colour palettes: Okabe-Ito and Tableau 10 (categorical), viridis
 * (sequential, 11 stops from matplotlib's table, linearly interpolated). */
#include <math.h>

#include "plot/plot.h"

/* Okabe & Ito (2008), ordered so the first colours are the most distinct on
 * white; their yellow (#F0E442) is too light for lines and comes last. */
static const uint32_t okabe_ito[8] = {0x0072B2, 0xE69F00, 0x009E73, 0xD55E00, 0xCC79A7, 0x56B4E9, 0x000000, 0xF0E442};
/* Tableau 10 (2016 revision). */
static const uint32_t tableau10[10] = {0x4E79A7, 0xF28E2B, 0xE15759, 0x76B7B2, 0x59A14F,
                                       0xEDC948, 0xB07AA1, 0xFF9DA7, 0x9C755F, 0xBAB0AC};

el_rgba el_palette_category(int i, int n) {
    if (i < 0) i = -i;
    if (n <= 8) return el_rgba_hex(okabe_ito[i % 8]);
    return el_rgba_hex(tableau10[i % 10]);
}

static const uint32_t viridis11[11] = {0x440154, 0x482576, 0x414487, 0x35608D, 0x2A788E, 0x21908C,
                                       0x22A884, 0x43BF71, 0x7AD151, 0xBBDF27, 0xFDE725};

el_rgba el_viridis(double t) {
    if (isnan(t)) return el_rgb(160, 160, 160);
    if (t < 0) t = 0;
    if (t > 1) t = 1;
    double f = t * 10.0;
    int i = (int)floor(f);
    if (i >= 10) i = 9;
    double a = f - i;
    el_rgba p = el_rgba_hex(viridis11[i]), q = el_rgba_hex(viridis11[i + 1]);
    return el_rgb((uint8_t)lround(p.r + (q.r - p.r) * a), (uint8_t)lround(p.g + (q.g - p.g) * a),
                  (uint8_t)lround(p.b + (q.b - p.b) * a));
}
