// Models trained by attnscope (RNN or Transformer, toy tasks or translation) behind the Model
// interface. Torch-free: it only drives Seq2SeqModel.
#include <stdexcept>

#include "models/model_adapters.h"
#include "models/seq2seq_model.h"

namespace attnscope {

namespace {

// Character models have no [MASK] token: masked characters are replaced by a placeholder that is
// in the vocabulary: the first of "_*?#. " the alphabet has, else its last character.
char mask_placeholder(const std::string& alphabet) {
  for (char c : std::string("_*?#. "))
    if (alphabet.find(c) != std::string::npos) return c;
  return alphabet.empty() ? '_' : alphabet.back();
}

class TrainedModel : public Model {
 public:
  TrainedModel(const std::string& dir, const std::string& device) : model_(Seq2SeqModel::load(dir, device)) {
    const Seq2SeqConfig& c = model_.config();
    info_.name = model_name_of(dir);
    info_.summary = c.task + ", " + c.summary();
    info_.format = ModelFormat::Attnscope;
    info_.role = ModelRole::EncoderDecoder;
    info_.architecture = c.is_transformer() ? Architecture::Transformer : Architecture::Rnn;
    if (!c.is_transformer()) {
      if (c.attention != "none") info_.kinds = {"cross"};
      info_.layers = c.attention != "none" ? 1 : 0;
      info_.heads = c.attention != "none" ? 1 : 0;
    } else {
      if (c.transformer_variant() == TransformerVariant::EncoderDecoder) info_.kinds = {"encoder-self", "decoder-self", "cross"};
      if (c.transformer_variant() == TransformerVariant::DecoderOnly) info_.kinds = {"decoder-self"};
      if (c.transformer_variant() == TransformerVariant::EncoderOnly) info_.kinds = {"encoder-self"};
      info_.layers = c.layers;
      info_.heads = c.heads;
    }
    if (c.character_vocab()) {
      info_.alphabet = c.input_alphabet;
      info_.mask_token = std::string(1, mask_placeholder(c.input_alphabet));
    } else {
      info_.mask_token = "<unk>";
    }
    info_.mask_is_substitute = true;
    info_.subword = !c.character_vocab() ? "bpe@@" : "none";
    info_.max_input_tokens = info_.trained_tokens = c.max_input_length;
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<std::string> tokenize(const std::string& text) const override {
    return model_.source_tokens(model_.prepare_input(text));
  }

  Result run(const Request& req) const override {
    const Seq2SeqConfig& c = model_.config();
    if (req.decoding.sample) throw std::invalid_argument("sampling is not supported: attnscope decodes greedily or by beam search");
    if (req.input_ids)
      throw std::invalid_argument("input_ids applies to pretrained models; " + info_.name + " reads its input as text");
    if (!c.has_attention() && req.record && !req.mask.empty())
      throw std::invalid_argument(info_.name + " has no attention (--attention none): a masked comparison has nothing to compare");
    DecodeOptions opts;
    opts.beam = req.decoding.beam;
    if (req.decoding.max_new_tokens == 0)
      throw std::invalid_argument("max_new_tokens 0 (read the input only) applies to pretrained decoders (Llama, GPT-2); " +
                                  info_.name + " decodes at least one token");
    opts.max_new_tokens = std::max(0, req.decoding.max_new_tokens);  // 0: its own limit
    if (req.decoding.length_penalty >= 0) opts.length_penalty = req.decoding.length_penalty;
    opts.record = req.record;
    check_indices(req.layers, info_.layers, "layer");
    check_indices(req.heads, info_.heads, "head");
    opts.layers = req.layers;
    opts.form = req.weights;
    opts.heads = req.heads;
    if (req.cancelled) opts.before_step = [&req] { if (req.cancelled()) throw RunCancelled(); };
    if (req.decoding.beam > 1 && c.is_transformer() && c.transformer_variant() == TransformerVariant::EncoderOnly)
      throw std::invalid_argument("an encoder-only Transformer predicts one token per input position: there is no search to widen (--beam)");
    opts.masked_source = req.mask;  // checked against the input by the model
    // Character models replace ids, not text, so normalising cannot move the placeholder.
    if (!req.mask.empty() && c.character_vocab()) opts.mask_id = model_.encode_source(info_.mask_token).at(0);
    if (req.forced_output) opts.forced = model_.encode_output(*req.forced_output);
    if (req.forced_ids) opts.forced = *req.forced_ids;
    Translation t = model_.translate(req.input, opts);
    Result r;
    r.input = req.input;
    t.run.input_text = req.input;
    r.output = r.text = t.output;
    r.input_tokens = t.run.source_tokens;
    r.input_ids = t.source_ids;
    r.output_ids = t.output_ids;
    r.output_tokens = t.output_tokens;
    r.decoding = t.run.info["decoding"];
    r.stopped = t.stopped;
    t.run.info["stopped"] = t.stopped;
    r.run = std::move(t.run);
    return r;
  }

  AttentionSet to_set(std::vector<AttentionRun> runs) const override { return model_.to_attention_set(std::move(runs)); }

 private:
  Seq2SeqModel model_;
  ModelInfo info_;
};

}  // namespace

std::unique_ptr<Model> load_trained_model(const std::string& dir, const std::string& device) {
  return std::make_unique<TrainedModel>(dir, device);
}

}  // namespace attnscope
