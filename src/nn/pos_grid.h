/* Position kernels of the vision front ends, written to match PyTorch:
 * resampling a grid of position embeddings to another patch grid (DINOv2 and
 * friends: F.interpolate(mode="bicubic", align_corners=False), with or
 * without antialias) and BEiT's relative position bias. */
#ifndef EL_POS_GRID_H
#define EL_POS_GRID_H

/* src[in_h * in_w][dim] (token-major, rows of the grid first) ->
 * dst[out_h * out_w][dim], as F.interpolate on the [1, dim, in_h, in_w]
 * tensor. antialias = 0: bicubic with a = -0.75 over 4 x 4 clamped
 * neighbours; antialias = 1: PyTorch's separable antialiased bicubic
 * (a = -0.5, the kernel widened by the downscale factor, weights
 * renormalised at the borders; width pass first). dst must not alias src.
 * Returns 0, or -1 when out of memory (antialias needs a buffer). */
int el_pos_interp_bicubic(const float *src, int in_h, int in_w, int dim, int out_h, int out_w, int antialias,
                          float *dst);

/* BEiT's relative position index for a gh x gw patch grid plus the class
 * token: idx[(T * T)], T = gh * gw + 1, values in [0, (2gh-1)(2gw-1) + 3). */
void el_rel_pos_index(int gh, int gw, int *idx);

/* bias[h][i][j] = table[idx[i][j]][h] for a table of
 * (2gh-1)(2gw-1) + 3 rows of n_heads (relative_position_bias_table);
 * accumulates (+=) so a shared and a per-layer bias can be summed. */
void el_rel_pos_bias_add(const float *table, int n_heads, int gh, int gw, const int *idx, float *bias);

#endif
