#include "train/adam_step.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>
#include <type_traits>

#include "core/vector_clones.h"

namespace attnscope {
namespace {

// The key libtorch's optimisers file a parameter's state under: the TensorImpl address, as a
// string in libtorch 1.x (c10::guts::to_string streams the pointer) and as the pointer itself in 2.x.
template <class Map>
typename Map::key_type state_key(const torch::Tensor& p) {
  if constexpr (std::is_same_v<typename Map::key_type, std::string>) {
    std::ostringstream s;
    s << p.unsafeGetTensorImpl();
    return s.str();
  } else {
    return p.unsafeGetTensorImpl();
  }
}

bool fusable(const torch::Tensor& p) {
  const torch::Tensor& g = p.grad();
  return p.device().is_cpu() && p.scalar_type() == torch::kFloat && p.is_contiguous() && g.defined() &&
         !g.is_sparse() && g.scalar_type() == torch::kFloat && g.is_contiguous() && g.sizes() == p.sizes();
}

// Sum of squares of a gradient, accumulated in double so that millions of terms lose nothing.
double sum_of_squares(const torch::Tensor& g) {
  const float* x = g.data_ptr<float>();
  const int64_t n = g.numel();
  // Four partial sums let the compiler keep several additions in flight.
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += double(x[i]) * x[i];
    s1 += double(x[i + 1]) * x[i + 1];
    s2 += double(x[i + 2]) * x[i + 2];
    s3 += double(x[i + 3]) * x[i + 3];
  }
  for (; i < n; ++i) s0 += double(x[i]) * x[i];
  return (s0 + s1) + (s2 + s3);
}

struct AdamConstants {
  float scale;       // gradient clipping coefficient (1: no clipping)
  float weight_decay;
  float beta1, one_minus_beta1, beta2, one_minus_beta2;
  float sqrt_bias_correction2, eps, step_size;
};

// One parameter's update, element by element as libtorch's Adam does it:
//   g = grad * scale (+ weight_decay * p); m = m * b1 + (1 - b1) g; v = v * b2 + (1 - b2) g g;
//   p -= step_size * m / (sqrt(v) / sqrt(bias_correction2) + eps)
// IEEE sqrt and division are exact in every vector width, so each path gives the same floats.
ATTNSCOPE_VECTOR_CLONES
void update(float* p, const float* grad, float* m, float* v, int64_t begin, int64_t end, const AdamConstants& k) {
  for (int64_t i = begin; i < end; ++i) {
    float g = grad[i] * k.scale;
    if (k.weight_decay != 0.0f) g = g + p[i] * k.weight_decay;
    const float mi = m[i] * k.beta1 + g * k.one_minus_beta1;
    const float vi = v[i] * k.beta2 + (g * g) * k.one_minus_beta2;
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] - k.step_size * (mi / (std::sqrt(vi) / k.sqrt_bias_correction2 + k.eps));
  }
}

}  // namespace

void clear_grads(torch::optim::Optimizer& optimizer) {
  for (auto& group : optimizer.param_groups())
    for (auto& p : group.params()) p.mutable_grad().reset();
}

bool one_pass_applies(const torch::optim::Adam& optimizer) {
  for (const auto& group : optimizer.param_groups()) {
    if (static_cast<const torch::optim::AdamOptions&>(group.options()).amsgrad()) return false;
    for (const auto& p : group.params())
      if (p.grad().defined() && !fusable(p)) return false;
  }
  return true;
}

double backward_and_step(torch::optim::Adam& optimizer, const torch::Tensor& loss, double max_norm) {
  clear_grads(optimizer);
  loss.backward();
  return clipped_adam_step(optimizer, max_norm);
}

double clipped_adam_step(torch::optim::Adam& optimizer, double max_norm) {
  torch::NoGradGuard no_grad;
  if (!one_pass_applies(optimizer)) {  // libtorch's own path, for CUDA, other dtypes and amsgrad
    std::vector<torch::Tensor> params;
    for (const auto& group : optimizer.param_groups())
      params.insert(params.end(), group.params().begin(), group.params().end());
    // An infinite bound measures the norm without scaling, as the one pass does for max_norm <= 0.
    const double norm = torch::nn::utils::clip_grad_norm_(params, max_norm > 0 ? max_norm : std::numeric_limits<double>::infinity());
    optimizer.step();
    return norm;
  }

  double squares = 0;
  for (const auto& group : optimizer.param_groups())
    for (const auto& p : group.params())
      if (p.grad().defined()) squares += sum_of_squares(p.grad());
  const double norm = std::sqrt(squares);
  // As clip_grad_norm_: coefficient max_norm / (norm + 1e-6) in float, clamped at 1.
  const float scale = max_norm > 0 ? std::min(1.0f, static_cast<float>(max_norm / (norm + 1e-6))) : 1.0f;

  auto& state = optimizer.state();
  using StateMap = std::remove_reference_t<decltype(state)>;
  for (auto& group : optimizer.param_groups()) {
    const auto& o = static_cast<const torch::optim::AdamOptions&>(group.options());
    for (auto& p : group.params()) {
      if (!p.grad().defined()) continue;
      const auto key = state_key<StateMap>(p);
      auto it = state.find(key);
      if (it == state.end()) {
        auto fresh = std::make_unique<torch::optim::AdamParamState>();
        fresh->step(0);
        fresh->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        fresh->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
        it = state.emplace(key, std::move(fresh)).first;
      }
      auto& s = static_cast<torch::optim::AdamParamState&>(*it->second);
      if (!s.exp_avg().is_contiguous()) s.exp_avg(s.exp_avg().contiguous());  // e.g. as torch::load left it
      if (!s.exp_avg_sq().is_contiguous()) s.exp_avg_sq(s.exp_avg_sq().contiguous());
      s.step(s.step() + 1);
      const double beta1 = std::get<0>(o.betas()), beta2 = std::get<1>(o.betas());
      const double bias_correction1 = 1 - std::pow(beta1, s.step());
      const double bias_correction2 = 1 - std::pow(beta2, s.step());
      const AdamConstants k{scale,
                            static_cast<float>(o.weight_decay()),
                            static_cast<float>(beta1),
                            static_cast<float>(1 - beta1),
                            static_cast<float>(beta2),
                            static_cast<float>(1 - beta2),
                            static_cast<float>(std::sqrt(bias_correction2)),
                            static_cast<float>(o.eps()),
                            static_cast<float>(o.lr() / bias_correction1)};
      float* pp = p.data_ptr<float>();
      const float* g = p.grad().data_ptr<float>();
      float* m = s.exp_avg().data_ptr<float>();
      float* v = s.exp_avg_sq().data_ptr<float>();
      at::parallel_for(0, p.numel(), 1 << 16,
                       [&](int64_t begin, int64_t end) { update(pp, g, m, v, begin, end, k); });
    }
  }
  return norm;
}

}  // namespace attnscope
