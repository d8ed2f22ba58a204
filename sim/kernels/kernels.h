#pragma once
// All forward/backward kernel pairs. Conventions (llm.c style):
// * raw float pointers, row-major / NCHW, shapes in each header's comment;
// * forward overwrites its output; backward ACCUMULATES (+=) into gradient buffers, so the caller
//   zeroes gradients once per step and several consumers of one tensor just add up;
// * deterministic for any thread count: parallel only over independent outputs, every reduction
//   in a fixed order;
// * flatten / reshape is a no-op: NCHW [batch, C, H, W] is already [batch, C·H·W] in memory.
#include "sim/kernels/activations.h"
#include "sim/kernels/conv2d.h"
#include "sim/kernels/dropout.h"
#include "sim/kernels/linear.h"
#include "sim/kernels/normalization.h"
#include "sim/kernels/pooling.h"
#include "sim/kernels/softmax_cross_entropy.h"
