// One optimiser step for Adam with gradient-norm clipping, in one pass over each parameter
// (includes libtorch; internal to train/ and bench/).
//
// `clip_grad_norm_(params, max_norm); adam.step();` walks every parameter about ten times:
// a norm, a scale, then Adam's mul_, add_, mul_, addcmul_, sqrt, div, add_ and addcdiv_, several
// of them allocating a temporary the size of the parameter. With millions of parameters each walk
// is a trip through memory, and at d_model 512 those trips cost more than the whole backward
// pass outside the matrix products. Here the norm is one read of the gradients and the update one
// read-modify-write of parameter, first and second moment: the same arithmetic, in float, as
// libtorch's Adam (torch/optim/adam.cpp in 1.13), on the optimiser's own state, so
// torch::save / torch::load of the optimiser and `--resume` are unchanged.
#pragma once

#include <torch/torch.h>

namespace attnscope {

// clip_grad_norm_(parameters of `optimizer`, max_norm) then optimizer.step(); max_norm <= 0 does
// not clip. Returns the gradient norm before clipping. Parameters that are not dense contiguous
// float32 CPU tensors, and amsgrad, take libtorch's own path (the result is the same).
double clipped_adam_step(torch::optim::Adam& optimizer, double max_norm);

// Whether clipped_adam_step takes the one pass (true) or libtorch's path for the gradients the
// parameters hold now.
bool one_pass_applies(const torch::optim::Adam& optimizer);

// optimizer.zero_grad() without writing zeros: the gradients become undefined, so the next
// backward stores its result instead of adding it to a zero-filled buffer (what PyTorch 2's
// zero_grad(set_to_none=True) does).
void clear_grads(torch::optim::Optimizer& optimizer);

// A training step's optimisation, as the trainers run it: clear_grads, loss.backward(), then
// clipped_adam_step. Returns the gradient norm before clipping.
double backward_and_step(torch::optim::Adam& optimizer, const torch::Tensor& loss, double max_norm);

}  // namespace attnscope
