// Pretrained Transformers (Hugging Face BERT, GPT-2, Llama, Marian folders; llama2.c checkpoints)
// behind the Model interface. Torch-free: it only drives PretrainedModel.
#include <stdexcept>

#include "models/model_adapters.h"
#include "models/pretrained.h"

namespace attnscope {

namespace {

Architecture architecture_of(const std::string& family) {
  if (family == "bert") return Architecture::Bert;
  if (family == "gpt2") return Architecture::Gpt2;
  if (family == "llama") return Architecture::Llama;
  if (family == "marian") return Architecture::Marian;
  throw std::logic_error("no Architecture for family '" + family + "'");
}

// "5 17 42" -> {5, 17, 42}: the input of a folder that ships no tokenizer.
std::vector<int> parse_ids(const std::string& text, const std::string& name, const std::string& why) {
  std::vector<int> ids;
  size_t i = 0;
  auto refuse = [&] {
    return std::invalid_argument("no tokenizer for " + name + " (" + why + "): type token ids separated by spaces, e.g. \"5 17 42\"");
  };
  while (i < text.size()) {
    if (text[i] == ' ' || text[i] == ',' || text[i] == '\t') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
    if (j == i || j - i > 9) throw refuse();
    ids.push_back(std::stoi(text.substr(i, j - i)));
    i = j;
  }
  if (ids.empty()) throw refuse();
  return ids;
}

class PretrainedAdapter : public Model {
 public:
  PretrainedAdapter(const std::string& path, const std::string& device) : model_(PretrainedModel::load(path, device)) {
    info_.name = model_.name();
    info_.summary = model_.describe();
    info_.format = model_.format() == "llama2.c" ? ModelFormat::Llama2c : ModelFormat::HuggingFace;
    info_.architecture = architecture_of(model_.architecture());
    if (model_.is_seq2seq()) {
      info_.role = ModelRole::EncoderDecoder;
      info_.kinds = {"encoder-self", "decoder-self", "cross"};
    } else if (model_.is_encoder()) {
      info_.role = ModelRole::Encoder;
      info_.kinds = {"encoder-self"};
    } else {
      info_.role = ModelRole::Decoder;
      info_.kinds = {"decoder-self"};
    }
    info_.layers = model_.layers();
    info_.heads = model_.heads();
    info_.takes_ids = !model_.has_tokenizer();
    info_.mask_token = model_.mask_token();
    info_.mask_is_substitute = model_.mask_is_substitute();
    info_.max_input_tokens = model_.max_seq_len();
    info_.trained_tokens = model_.trained_seq_len();
    info_.subword = model_.has_tokenizer() ? model_.tokenizer().subword_style() : "none";
  }

  const ModelInfo& info() const override { return info_; }

  std::vector<int> input_ids(const std::string& text) const {
    if (!model_.has_tokenizer()) return parse_ids(text, info_.name, model_.tokenizer_problem());
    return model_.encode(text);
  }

  // Ids given by the caller, checked against the vocabulary and the longest input.
  const std::vector<int>& checked_ids(const std::vector<int>& ids, const char* what) const {
    for (int id : ids)
      if (id < 0 || id >= model_.vocab_size())
        throw std::invalid_argument(std::string(what) + " holds " + std::to_string(id) + ", outside " + info_.name +
                                    "'s vocabulary of " + std::to_string(model_.vocab_size()));
    if (ids.size() > static_cast<size_t>(info_.max_input_tokens))
      throw std::invalid_argument(std::string(what) + " holds " + std::to_string(ids.size()) + " tokens; " + info_.name +
                                  " takes at most " + std::to_string(info_.max_input_tokens));
    return ids;
  }

  std::vector<std::string> tokenize(const std::string& text) const override {
    std::vector<std::string> out;
    for (int id : input_ids(text)) out.push_back(model_.piece(id));
    return out;
  }

  Result run(const Request& req) const override {
    if (req.decoding.sample) throw std::invalid_argument("sampling is not supported: attnscope decodes greedily or by beam search");
    if (req.decoding.beam > 1 && info_.role != ModelRole::EncoderDecoder)
      throw std::invalid_argument("--beam applies to encoder-decoder models (Marian, attnscope translation); " + info_.name +
                                  " is " + (info_.role == ModelRole::Encoder ? "an encoder: it reads its input once"
                                                                              : "a decoder: it continues its prompt greedily"));
    std::vector<int> ids = req.input_ids ? checked_ids(*req.input_ids, "input_ids") : input_ids(req.input);
    if (req.max_input_tokens > 0 && ids.size() > req.max_input_tokens) ids.resize(req.max_input_tokens);
    const bool ends_with_eos = info_.role == ModelRole::EncoderDecoder && !ids.empty() && ids.back() == model_.eos_id();
    if (!req.mask.empty()) {
      check_mask_positions(req.mask, ids.size(), ends_with_eos);
      for (size_t p : req.mask) ids[p] = model_.mask_id();
    }
    if (info_.role == ModelRole::Encoder && (req.forced_output || req.forced_ids))
      throw std::invalid_argument(info_.name + " is an encoder (" + model_.architecture() +
                                  "): it reads its input once, so there is no output to force");
    std::optional<std::vector<int>> forced = req.forced_ids;
    if (req.forced_output && !forced) {
      forced = model_.has_tokenizer() ? model_.encode_output(*req.forced_output)
                                      : parse_ids(*req.forced_output, info_.name, model_.tokenizer_problem());
    }
    RecordOptions keep{req.layers, req.heads, req.weights};
    Result r;
    r.input = req.input;
    for (int id : ids) r.input_tokens.push_back(model_.piece(id));
    r.input_ids = ids;
    if (info_.role == ModelRole::Encoder) {
      Encoding e = model_.fill_masks(ids, req.input, req.top_k, req.record, keep);
      r.predictions = e.predictions;
      r.decoding = "one pass";
      r.stopped = "";
      r.run = std::move(e.run);
    } else if (info_.role == ModelRole::Decoder) {
      GenerateOptions g;
      if (req.decoding.max_new_tokens >= 0) g.max_new_tokens = req.decoding.max_new_tokens;
      g.record = req.record;
      g.keep = keep;
      g.forced = forced;
      if (req.cancelled) g.before_step = [&req] { if (req.cancelled()) throw RunCancelled(); };
      Generation gen = model_.generate_from(ids, req.input, g);
      r.output = gen.continuation;
      r.text = gen.text;
      r.output_ids.assign(gen.ids.begin() + static_cast<long>(gen.prompt_length), gen.ids.end());
      for (int id : r.output_ids) r.output_tokens.push_back(model_.piece(id));
      r.decoding = gen.run.info["decoding"];
      r.stopped = gen.run.info["stopped"];
      r.run = std::move(gen.run);
      if (r.run.target_tokens.empty())
        for (int id : gen.ids) r.run.target_tokens.push_back(model_.piece(id));
    } else {
      TranslateOptions t;
      if (req.decoding.max_new_tokens == 0)
        throw std::invalid_argument("max_new_tokens 0 reads the input only, which applies to decoders; " + info_.name +
                                    " translates, so it produces at least one token");
      if (req.decoding.max_new_tokens > 0) t.max_new_tokens = req.decoding.max_new_tokens;
      t.beam = req.decoding.beam;
      if (req.decoding.length_penalty >= 0) t.length_penalty = req.decoding.length_penalty;
      t.record = req.record;
      t.keep = keep;
      t.forced = forced;
      if (req.cancelled) t.before_step = [&req] { if (req.cancelled()) throw RunCancelled(); };
      PretrainedTranslation tr = model_.translate_ids(ids, req.input, t);
      r.output = r.text = tr.output;
      r.output_ids = tr.target_ids;
      r.output_tokens = tr.run.target_tokens;
      r.decoding = tr.run.info["decoding"];
      r.stopped = tr.run.info["stopped"];
      r.run = std::move(tr.run);
    }
    if (!req.mask.empty()) {
      r.run.info["mask"] = "positions " + join_indices(req.mask) + " replaced by " + model_.mask_token() +
                           (model_.mask_is_substitute() ? " (a substitute: " + info_.name + " has no mask token)" : "");
    }
    r.run.input_text = r.run.input_text.empty() ? req.input : r.run.input_text;
    return r;
  }

  AttentionSet to_set(std::vector<AttentionRun> runs) const override { return model_.to_attention_set(runs); }

  Logits logits(const std::vector<int>& input_ids, const std::vector<int>& decoder_input_ids) const override {
    checked_ids(input_ids, "input_ids");
    checked_ids(decoder_input_ids, "decoder_input_ids");
    if (input_ids.empty()) throw std::invalid_argument("input_ids is empty");
    Logits out;
    out.vocab = static_cast<size_t>(model_.vocab_size());
    if (info_.role == ModelRole::EncoderDecoder) {
      if (decoder_input_ids.empty())
        throw std::invalid_argument(info_.name + " is an encoder-decoder: give decoder_input_ids (the start token first)");
      out.values = model_.decoder_logits(input_ids, decoder_input_ids);
    } else {
      if (!decoder_input_ids.empty())
        throw std::invalid_argument(info_.name + " is " + (info_.role == ModelRole::Encoder ? "an encoder" : "a decoder") +
                                    ": decoder_input_ids applies to encoder-decoders");
      out.values = model_.logits(input_ids);
      if (out.values.empty()) throw std::invalid_argument(info_.name + " has no output head, so no logits (only hidden states)");
    }
    out.rows = out.values.size() / out.vocab;
    return out;
  }

 private:
  PretrainedModel model_;
  ModelInfo info_;
};

}  // namespace

std::unique_ptr<Model> load_pretrained_model(const std::string& path, const std::string& device) {
  return std::make_unique<PretrainedAdapter>(path, device);
}

}  // namespace attnscope
