/* Anti-aliased scanline fill of united contours. */
#include "plot/fill.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SUBSAMPLES 8

void el_path_init(el_path *path) { memset(path, 0, sizeof *path); }

void el_path_free(el_path *path) {
    free(path->p);
    free(path->start);
    el_path_init(path);
}

void el_path_reset(el_path *path) {
    path->n = 0;
    path->ncont = 0;
}

static int reserve(void **buf, int *cap, int need, size_t elem) {
    if (need <= *cap) return 0;
    int nc = *cap ? *cap : 64;
    while (nc < need)
        nc *= 2;
    void *nb = realloc(*buf, (size_t)nc * elem);
    if (!nb) return -1;
    *buf = nb;
    *cap = nc;
    return 0;
}

void el_path_add(el_path *path, const el_pt *p, int n) {
    if (n < 3 || path->oom) return;
    if (reserve((void **)&path->p, &path->cap, path->n + n, sizeof *path->p) ||
        reserve((void **)&path->start, &path->ccap, path->ncont + 2, sizeof *path->start)) {
        path->oom = 1;
        return;
    }
    memcpy(path->p + path->n, p, (size_t)n * sizeof *p);
    path->start[path->ncont++] = path->n;
    path->n += n;
    path->start[path->ncont] = path->n;
}

void el_path_rect(el_path *path, double x0, double y0, double x1, double y1) {
    if (!(x1 > x0) || !(y1 > y0)) return;
    el_pt q[4] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    el_path_add(path, q, 4);
}

void el_path_circle(el_path *path, double cx, double cy, double r) {
    if (!(r > 0)) return;
    int n = (int)ceil(2 * M_PI * r / 1.5);
    if (n < 12) n = 12;
    if (n > 256) n = 256;
    el_pt q[256];
    for (int i = 0; i < n; i++) {
        double a = 2 * M_PI * i / n;
        q[i].x = cx + r * cos(a);
        q[i].y = cy + r * sin(a);
    }
    el_path_add(path, q, n);
}

void el_path_stroke(el_path *path, const el_pt *p, int n, double width, int closed) {
    double hw = width / 2;
    int segs = closed ? n : n - 1;
    for (int i = 0; i < segs; i++) {
        el_pt a = p[i], b = p[(i + 1) % n];
        double dx = b.x - a.x, dy = b.y - a.y, len = hypot(dx, dy);
        if (len < 1e-9) continue;
        double nx = -dy / len * hw, ny = dx / len * hw;
        el_pt q[4] = {{a.x + nx, a.y + ny}, {b.x + nx, b.y + ny}, {b.x - nx, b.y - ny}, {a.x - nx, a.y - ny}};
        el_path_add(path, q, 4);
    }
    /* Round joins; thin lines do not need them (the gap is sub-pixel). */
    if (width > 1.2)
        for (int i = closed ? 0 : 1; i < (closed ? n : n - 1); i++)
            el_path_circle(path, p[i].x, p[i].y, hw);
}

typedef struct {
    double x0, y0, x1, y1; /* y0 < y1 */
    int dir;
} edge;

typedef struct {
    double x;
    int dir;
} crossing;

static int cmp_crossing(const void *a, const void *b) {
    double d = ((const crossing *)a)->x - ((const crossing *)b)->x;
    return (d > 0) - (d < 0);
}

static void sort_crossings(crossing *c, int n) {
    if (n > 24) {
        qsort(c, (size_t)n, sizeof *c, cmp_crossing);
        return;
    }
    for (int i = 1; i < n; i++) {
        crossing t = c[i];
        int j = i - 1;
        while (j >= 0 && c[j].x > t.x) {
            c[j + 1] = c[j];
            j--;
        }
        c[j + 1] = t;
    }
}

/* Add coverage w over [a, b) to cov (indexed from x0). */
static void add_span(float *cov, int x0, double a, double b, float w) {
    int ia = (int)floor(a), ib = (int)floor(b);
    if (ia == ib) {
        cov[ia - x0] += (float)(b - a) * w;
        return;
    }
    cov[ia - x0] += (float)(ia + 1 - a) * w;
    for (int i = ia + 1; i < ib; i++)
        cov[i - x0] += w;
    if (b > ib) cov[ib - x0] += (float)(b - ib) * w;
}

int el_path_fill(const el_path *path, el_irect clip, el_span_fn fn, void *ctx) {
    if (path->oom) return -1;
    if (path->n < 3 || clip.x1 <= clip.x0 || clip.y1 <= clip.y0) return 0;
    edge *e = malloc((size_t)path->n * sizeof *e);
    crossing *cr = malloc((size_t)path->n * sizeof *cr);
    if (!e || !cr) {
        free(e);
        free(cr);
        return -1;
    }
    int ne = 0;
    double bx0 = INFINITY, by0 = INFINITY, bx1 = -INFINITY, by1 = -INFINITY;
    for (int k = 0; k < path->ncont; k++) {
        const el_pt *p = path->p + path->start[k];
        int n = path->start[k + 1] - path->start[k];
        double area = 0;
        for (int i = 0; i < n; i++) {
            const el_pt *a = &p[i], *b = &p[(i + 1) % n];
            area += a->x * b->y - b->x * a->y;
        }
        int orient = area < 0 ? -1 : 1;
        for (int i = 0; i < n; i++) {
            el_pt a = p[i], b = p[(i + 1) % n];
            if (a.x < bx0) bx0 = a.x;
            if (a.x > bx1) bx1 = a.x;
            if (a.y < by0) by0 = a.y;
            if (a.y > by1) by1 = a.y;
            if (a.y == b.y) continue;
            edge *ed = &e[ne++];
            if (a.y < b.y)
                *ed = (edge){a.x, a.y, b.x, b.y, orient};
            else
                *ed = (edge){b.x, b.y, a.x, a.y, -orient};
        }
    }
    int ry0 = (int)floor(by0), ry1 = (int)ceil(by1);
    int rx0 = (int)floor(bx0), rx1 = (int)ceil(bx1) + 1;
    if (ry0 < clip.y0) ry0 = clip.y0;
    if (ry1 > clip.y1) ry1 = clip.y1;
    if (rx0 < clip.x0) rx0 = clip.x0;
    if (rx1 > clip.x1) rx1 = clip.x1;
    float *cov = rx1 > rx0 ? calloc((size_t)(rx1 - rx0), sizeof *cov) : NULL;
    if (rx1 > rx0 && !cov) {
        free(e);
        free(cr);
        return -1;
    }
    const double cx0 = rx0, cx1 = rx1;
    const float w = 1.0f / SUBSAMPLES;
    for (int y = ry0; y < ry1 && rx1 > rx0; y++) {
        int any = 0;
        for (int s = 0; s < SUBSAMPLES; s++) {
            double sy = y + (s + 0.5) / SUBSAMPLES;
            int nc = 0;
            for (int i = 0; i < ne; i++) {
                if (sy < e[i].y0 || sy >= e[i].y1) continue;
                double t = (sy - e[i].y0) / (e[i].y1 - e[i].y0);
                cr[nc].x = e[i].x0 + t * (e[i].x1 - e[i].x0);
                cr[nc].dir = e[i].dir;
                nc++;
            }
            if (nc < 2) continue;
            sort_crossings(cr, nc);
            int wind = 0;
            double start = 0;
            for (int i = 0; i < nc; i++) {
                int prev = wind;
                wind += cr[i].dir;
                if (prev == 0 && wind != 0)
                    start = cr[i].x;
                else if (prev != 0 && wind == 0) {
                    double a = start < cx0 ? cx0 : start, b = cr[i].x > cx1 ? cx1 : cr[i].x;
                    if (b > a) {
                        add_span(cov, rx0, a, b, w);
                        any = 1;
                    }
                }
            }
        }
        if (!any) continue;
        for (int x = 0; x < rx1 - rx0; x++)
            if (cov[x] > 1.0f) cov[x] = 1.0f;
        fn(ctx, y, rx0, rx1, cov);
        memset(cov, 0, (size_t)(rx1 - rx0) * sizeof *cov);
    }
    free(cov);
    free(e);
    free(cr);
    return 0;
}
