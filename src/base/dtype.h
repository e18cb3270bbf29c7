/* Element types of stored tensors: what a checkpoint holds and what a weight
 * matrix (nn/linear.h) points at. */
#ifndef EL_DTYPE_H
#define EL_DTYPE_H

typedef enum { EL_DT_F32, EL_DT_F16, EL_DT_BF16, EL_DT_OTHER } el_dtype;

#endif
