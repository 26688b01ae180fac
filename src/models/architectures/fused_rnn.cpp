#include "models/architectures/fused_rnn.h"

#include <cmath>

#include "models/architectures/dropout.h"

namespace attnscope {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

inline float sigmoid(float x) { return 1.0f / (1.0f + std::exp(-x)); }

// The recurrence of one layer, time-major: xw [T, B, G*H] holds the input projections
// (x W_ih^T + b_ih) of every step, so only h W_hh^T remains inside the loop.
struct Recurrence : torch::autograd::Function<Recurrence> {
  static variable_list forward(AutogradContext* ctx, Tensor xw, Tensor h0, Tensor c0, Tensor w_hh, Tensor b_hh,
                               Tensor mask, bool lstm) {
    const int64_t T = xw.size(0), B = xw.size(1), H = h0.size(1), G = lstm ? 4 : 3;
    Tensor out = torch::empty({T, B, H}, h0.options());
    Tensor gates = torch::empty({T, B, G * H}, h0.options());  // post-activation gates
    Tensor gh = torch::empty({T, B, G * H}, h0.options());     // h W_hh^T + b_hh (GRU needs its n part)
    Tensor cells = lstm ? torch::empty({T, B, H}, h0.options()) : Tensor();
    Tensor w_t = w_hh.t();
    Tensor h = h0.contiguous(), c = lstm ? c0.contiguous() : Tensor();
    const float* m = mask.data_ptr<float>();
    for (int64_t t = 0; t < T; ++t) {
      Tensor gh_t = gh[t];
      torch::addmm_out(gh_t, b_hh, h, w_t);
      const float* x = xw[t].data_ptr<float>();
      const float* hh = gh_t.data_ptr<float>();
      const float* hp = h.data_ptr<float>();
      float* g = gates[t].data_ptr<float>();
      float* ho = out[t].data_ptr<float>();
      if (!lstm) {
        for (int64_t b = 0; b < B; ++b) {
          const float* xb = x + b * G * H;
          const float* hb = hh + b * G * H;
          float* gb = g + b * G * H;
          for (int64_t j = 0; j < H; ++j) {
            const float r = sigmoid(xb[j] + hb[j]);
            const float z = sigmoid(xb[H + j] + hb[H + j]);
            const float n = std::tanh(xb[2 * H + j] + r * hb[2 * H + j]);
            const float prev = hp[b * H + j];
            gb[j] = r;
            gb[H + j] = z;
            gb[2 * H + j] = n;
            ho[b * H + j] = m[t * B + b] > 0 ? (1 - z) * n + z * prev : prev;
          }
        }
      } else {
        const float* cp = c.data_ptr<float>();
        float* co = cells[t].data_ptr<float>();
        for (int64_t b = 0; b < B; ++b) {
          const float* xb = x + b * G * H;
          const float* hb = hh + b * G * H;
          float* gb = g + b * G * H;
          for (int64_t j = 0; j < H; ++j) {
            const float i = sigmoid(xb[j] + hb[j]);
            const float f = sigmoid(xb[H + j] + hb[H + j]);
            const float gg = std::tanh(xb[2 * H + j] + hb[2 * H + j]);
            const float o = sigmoid(xb[3 * H + j] + hb[3 * H + j]);
            gb[j] = i;
            gb[H + j] = f;
            gb[2 * H + j] = gg;
            gb[3 * H + j] = o;
            if (m[t * B + b] > 0) {
              const float cn = f * cp[b * H + j] + i * gg;
              co[b * H + j] = cn;
              ho[b * H + j] = o * std::tanh(cn);
            } else {
              co[b * H + j] = cp[b * H + j];
              ho[b * H + j] = hp[b * H + j];
            }
          }
        }
        c = cells[t];
      }
      h = out[t];
    }
    ctx->save_for_backward({h0, lstm ? c0 : Tensor(), w_hh, mask, out, gates, gh, lstm ? cells : Tensor()});
    ctx->saved_data["lstm"] = lstm;
    return {out, h.clone(), lstm ? c.clone() : torch::zeros({0}, h0.options())};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    auto saved = ctx->get_saved_variables();
    const bool lstm = ctx->saved_data["lstm"].toBool();
    Tensor h0 = saved[0], c0 = saved[1], w_hh = saved[2], mask = saved[3], out = saved[4], gates = saved[5],
           gh = saved[6], cells = saved[7];
    const int64_t T = out.size(0), B = out.size(1), H = out.size(2), G = lstm ? 4 : 3;
    Tensor d_out = grads[0].defined() ? grads[0].contiguous() : torch::zeros_like(out);
    Tensor dh = grads[1].defined() ? grads[1].clone().contiguous() : torch::zeros_like(h0);
    Tensor dc = lstm ? (grads[2].defined() && grads[2].numel() ? grads[2].clone().contiguous() : torch::zeros_like(h0)) : Tensor();
    Tensor d_xw = torch::empty({T, B, G * H}, out.options());
    Tensor d_gh = lstm ? d_xw : torch::empty({T, B, G * H}, out.options());  // LSTM: same pre-activation grads
    Tensor dh_direct = torch::empty_like(dh);
    Tensor dc_prev = lstm ? torch::empty_like(dc) : Tensor();
    const float* m = mask.data_ptr<float>();
    for (int64_t t = T - 1; t >= 0; --t) {
      dh.add_(d_out[t]);
      const float* g = gates[t].data_ptr<float>();
      const float* hp = (t ? out[t - 1] : h0).data_ptr<float>();
      const float* dhp = dh.data_ptr<float>();
      float* dx = d_xw[t].data_ptr<float>();
      float* dg = d_gh[t].data_ptr<float>();
      float* dd = dh_direct.data_ptr<float>();
      if (!lstm) {
        const float* hh = gh[t].data_ptr<float>();
        for (int64_t b = 0; b < B; ++b) {
          const bool real = m[t * B + b] > 0;
          for (int64_t j = 0; j < H; ++j) {
            const int64_t k = b * G * H + j, e = b * H + j;
            if (!real) {
              dx[k] = dx[k + H] = dx[k + 2 * H] = 0;
              dg[k] = dg[k + H] = dg[k + 2 * H] = 0;
              dd[e] = dhp[e];
              continue;
            }
            const float r = g[k], z = g[k + H], n = g[k + 2 * H], d = dhp[e];
            const float dn = d * (1 - z) * (1 - n * n);
            const float dz = d * (hp[e] - n) * z * (1 - z);
            const float dr = dn * hh[k + 2 * H] * r * (1 - r);
            dx[k] = dg[k] = dr;
            dx[k + H] = dg[k + H] = dz;
            dx[k + 2 * H] = dn;
            dg[k + 2 * H] = dn * r;
            dd[e] = d * z;
          }
        }
      } else {
        const float* cp = (t ? cells[t - 1] : c0).data_ptr<float>();
        const float* cc = cells[t].data_ptr<float>();
        const float* dcp = dc.data_ptr<float>();
        float* dco = dc_prev.data_ptr<float>();
        for (int64_t b = 0; b < B; ++b) {
          const bool real = m[t * B + b] > 0;
          for (int64_t j = 0; j < H; ++j) {
            const int64_t k = b * G * H + j, e = b * H + j;
            if (!real) {
              dx[k] = dx[k + H] = dx[k + 2 * H] = dx[k + 3 * H] = 0;
              dd[e] = dhp[e];
              dco[e] = dcp[e];
              continue;
            }
            const float i = g[k], f = g[k + H], gg = g[k + 2 * H], o = g[k + 3 * H];
            const float tc = std::tanh(cc[e]), d = dhp[e];
            const float dct = dcp[e] + d * o * (1 - tc * tc);
            dx[k] = dct * gg * i * (1 - i);
            dx[k + H] = dct * cp[e] * f * (1 - f);
            dx[k + 2 * H] = dct * i * (1 - gg * gg);
            dx[k + 3 * H] = d * tc * o * (1 - o);
            dd[e] = 0;
            dco[e] = dct * f;
          }
        }
        std::swap(dc, dc_prev);
      }
      torch::addmm_out(dh, dh_direct, d_gh[t], w_hh);  // dh_{t-1} = direct + dgh W_hh
    }
    Tensor h_prev = torch::cat({h0.unsqueeze(0), out.narrow(0, 0, T - 1)}, 0).view({T * B, H});
    Tensor d_gh2 = d_gh.view({T * B, G * H});
    Tensor d_w_hh = torch::mm(d_gh2.t(), h_prev);
    Tensor d_b_hh = d_gh2.sum(0);
    return {d_xw, dh, lstm ? dc : Tensor(), d_w_hh, d_b_hh, Tensor(), Tensor()};
  }
};

// The same recurrence in plain torch ops: for devices and dtypes the fused loops do not cover.
std::tuple<Tensor, Tensor, Tensor> recurrence_with_ops(const Tensor& xw, Tensor h, Tensor c, const Tensor& w_hh,
                                                       const Tensor& b_hh, const Tensor& mask, bool lstm) {
  const int64_t T = xw.size(0);
  std::vector<Tensor> outs;
  for (int64_t t = 0; t < T; ++t) {
    Tensor gh = torch::addmm(b_hh, h, w_hh.t());
    Tensor x = xw[t], m = mask[t].unsqueeze(1);
    if (!lstm) {
      auto xs = x.chunk(3, 1), hs = gh.chunk(3, 1);
      Tensor r = torch::sigmoid(xs[0] + hs[0]), z = torch::sigmoid(xs[1] + hs[1]);
      Tensor n = torch::tanh(xs[2] + r * hs[2]);
      h = m * ((1 - z) * n + z * h) + (1 - m) * h;
    } else {
      auto gs = (x + gh).chunk(4, 1);
      Tensor cn = torch::sigmoid(gs[1]) * c + torch::sigmoid(gs[0]) * torch::tanh(gs[2]);
      Tensor hn = torch::sigmoid(gs[3]) * torch::tanh(cn);
      c = m * cn + (1 - m) * c;
      h = m * hn + (1 - m) * h;
    }
    outs.push_back(h);
  }
  return {torch::stack(outs), h, c};
}

}  // namespace

FusedRnnLayerImpl::FusedRnnLayerImpl(int64_t input_size, int64_t hidden_size, bool is_lstm)
    : lstm(is_lstm), hidden(hidden_size) {
  const int64_t G = lstm ? 4 : 3;
  const double bound = 1.0 / std::sqrt(static_cast<double>(hidden_size));  // torch::nn::GRU's init
  w_ih = register_parameter("w_ih", torch::empty({G * hidden_size, input_size}).uniform_(-bound, bound));
  w_hh = register_parameter("w_hh", torch::empty({G * hidden_size, hidden_size}).uniform_(-bound, bound));
  b_ih = register_parameter("b_ih", torch::empty({G * hidden_size}).uniform_(-bound, bound));
  b_hh = register_parameter("b_hh", torch::empty({G * hidden_size}).uniform_(-bound, bound));
}

std::tuple<Tensor, Tensor, Tensor> FusedRnnLayerImpl::forward(const Tensor& x, const Tensor& h0, const Tensor& c0,
                                                              const Tensor& mask) {
  const int64_t B = x.size(0), T = x.size(1);
  Tensor xw = torch::addmm(b_ih, x.transpose(0, 1).reshape({T * B, -1}), w_ih.t()).view({T, B, -1});  // [T, B, G*H]
  Tensor m = mask.defined() ? mask.t().contiguous().to(torch::kFloat) : torch::ones({T, B}, x.options());
  Tensor c_in = lstm ? c0 : torch::zeros({0}, x.options());
  Tensor out, h, c;
  if (x.is_cpu() && x.scalar_type() == torch::kFloat) {
    auto r = Recurrence::apply(xw.contiguous(), h0.contiguous(), c_in.contiguous(), w_hh, b_hh, m, lstm);
    out = r[0], h = r[1], c = lstm ? r[2] : Tensor();
  } else {
    std::tie(out, h, c) = recurrence_with_ops(xw, h0, lstm ? c0 : Tensor(), w_hh, b_hh, m, lstm);
  }
  return {out.transpose(0, 1), h, c};
}

FusedRnnImpl::FusedRnnImpl(int64_t input_size, int64_t hidden_size, int64_t num_layers, bool bidir, bool is_lstm,
                           double p)
    : layers(num_layers), hidden(hidden_size), bidirectional(bidir), lstm(is_lstm), dropout(p) {
  const int64_t dirs = bidir ? 2 : 1;
  for (int64_t l = 0; l < num_layers; ++l)
    for (int64_t d = 0; d < dirs; ++d) {
      std::string name = "l" + std::to_string(l);  // l0, l0_reverse, l1, ... like torch::nn::GRU's suffixes
      if (d) name += "_reverse";
      cells.push_back(register_module(name, FusedRnnLayer(l == 0 ? input_size : dirs * hidden_size, hidden_size, is_lstm)));
    }
}

std::pair<Tensor, FusedRnnImpl::State> FusedRnnImpl::forward(const Tensor& x, const State& initial, const Tensor& lengths) {
  const int64_t B = x.size(0), T = x.size(1), dirs = bidirectional ? 2 : 1;
  Tensor mask, reverse_index;  // [B, T]
  if (lengths.defined()) {
    Tensor len = lengths.to(x.device()).unsqueeze(1);
    Tensor t = torch::arange(T, torch::TensorOptions(torch::kLong).device(x.device())).unsqueeze(0);
    mask = (t < len).to(x.scalar_type());
    // Reverses each sequence within its own length, leaving padding in place.
    if (bidirectional) reverse_index = torch::where(t < len, len - 1 - t, t);
  } else if (bidirectional) {
    reverse_index = torch::arange(T - 1, -1, -1, torch::TensorOptions(torch::kLong).device(x.device())).expand({B, T});
  }
  auto flip = [&](const Tensor& v) { return v.gather(1, reverse_index.unsqueeze(2).expand_as(v)); };
  Tensor input = x;
  std::vector<Tensor> hs, cs;
  for (int64_t l = 0; l < layers; ++l) {
    if (l > 0 && dropout > 0 && is_training()) input = apply_dropout(input, dropout, true);
    std::vector<Tensor> outs;
    for (int64_t d = 0; d < dirs; ++d) {
      const int64_t i = l * dirs + d;
      Tensor h0 = initial.h.defined() ? initial.h[i] : torch::zeros({B, hidden}, x.options());
      Tensor c0 = lstm ? (initial.c.defined() ? initial.c[i] : torch::zeros({B, hidden}, x.options())) : Tensor();
      auto [o, h, c] = cells[i]->forward(d ? flip(input) : input, h0, c0, mask);
      outs.push_back(d ? flip(o) : o);
      hs.push_back(h);
      if (lstm) cs.push_back(c);
    }
    input = dirs == 1 ? outs[0] : torch::cat(outs, 2);
    if (mask.defined()) input = input * mask.unsqueeze(2);
  }
  State final;
  final.h = torch::stack(hs);
  if (lstm) final.c = torch::stack(cs);
  return {input, final};
}

}  // namespace attnscope
