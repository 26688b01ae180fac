// The architectures behind PretrainedModel (internal to models/; includes libtorch). Each adapter
// wraps one architecture's weights and forward pass behind the few calls the facade needs, so
// generation, recording and masking are written once for all of them.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/attention_set.h"
#include "models/architectures/transformer_blocks.h"

namespace attnscope {

class PretrainedArch {
 public:
  virtual ~PretrainedArch() = default;

  virtual std::string family() const = 0;  // "llama", "bert", "gpt2": AttentionSet meta "architecture"
  // Encoders (BERT) see the whole input at once and record encoder-self; decoders generate and
  // record decoder-self.
  virtual bool is_encoder() const = 0;
  virtual int layers() const = 0;
  virtual int heads() const = 0;          // query heads: the heads recorded per layer
  virtual int vocab_size() const = 0;
  virtual int max_positions() const = 0;  // the longest sequence one forward pass takes
  // The longest it was trained on: max_positions() for learned positions; RoPE models run beyond.
  virtual int trained_positions() const { return max_positions(); }
  virtual std::string describe() const = 0;        // sizes, for messages
  virtual std::string attention_note() const = 0;  // AttentionSet meta "attention"
  virtual nlohmann::json config_json() const = 0;  // AttentionSet meta "config"
  virtual bool has_logits() const { return true; }  // a bare BertModel has no head
  virtual int bos_id() const { return -1; }         // from config.json, used without a tokenizer
  virtual int eos_id() const { return -1; }

  // ids [T] long -> logits [T, V] (undefined without a head). The recorder receives every
  // layer's weights [heads, T, T]; `hidden` (optional) the last hidden states [T, D].
  virtual torch::Tensor forward(const torch::Tensor& ids, AttentionRecorder* rec = nullptr,
                                torch::Tensor* hidden = nullptr) const = 0;
  AttentionKind self_kind() const { return is_encoder() ? AttentionKind::EncoderSelf : AttentionKind::DecoderSelf; }

  // Encoder-decoder models (Marian): forward() does not apply; these do. layers()/heads() are
  // the encoder's.
  virtual bool is_seq2seq() const { return false; }
  virtual int decoder_layers() const { return layers(); }
  virtual int decoder_heads() const { return heads(); }
  virtual int decoder_start_id() const { return -1; }
  virtual int forced_eos_id() const { return -1; }  // encoder-decoders: forced last token at the length limit
  virtual int pad_id() const { return -1; }
  // source ids [S] -> memory [S, D]; the recorder receives each encoder layer's [H, S, S].
  virtual torch::Tensor encode(const torch::Tensor& source_ids, AttentionRecorder* rec) const;
  // target ids [T] (start token first) -> logits [T, V]; the recorder: decoder-self [H, T, T] and
  // cross [H, T, S] per layer.
  virtual torch::Tensor decode(const torch::Tensor& memory, const torch::Tensor& target_ids, AttentionRecorder* rec,
                               torch::Tensor* hidden = nullptr) const;
};

// A llama2.c checkpoint file.
std::unique_ptr<PretrainedArch> load_llama2c_arch(const std::string& checkpoint, torch::Device device);
// A Hugging Face folder; config.json's model_type picks the architecture. Throws naming
// config.json when it is none attnscope runs.
std::unique_ptr<PretrainedArch> load_hf_arch(const std::string& dir, torch::Device device);

}  // namespace attnscope
