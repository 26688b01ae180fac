// Configuration of a trainable sequence-to-sequence model: an RNN encoder-decoder (DESIGN.md §3)
// or a Transformer. Torch-free: the command line, the checkpoint's config.json and the tests all
// read it.
#pragma once

#include <string>

namespace attnscope {

// The Transformer variants, typed: code asks config.transformer_variant(), never the string.
enum class TransformerVariant { EncoderDecoder, DecoderOnly, EncoderOnly };

struct Seq2SeqConfig {
  std::string arch = "rnn";             // rnn | transformer
  std::string task;                     // task spec the model was trained on, e.g. "shift-left:4", "translate"
  std::string vocab = "chars";          // chars (the alphabets below) | bpe (model folder's
                                        // bpe.codes, source.vocab, target.vocab)
  std::string input_alphabet;           // characters of the source vocabulary (chars)
  std::string output_alphabet;          // characters of the target vocabulary (chars)
  int max_input_length = 64;            // longest accepted input, in characters
  int max_output_length = 64;           // decoding stops after this many tokens (+ </s>)
  std::string cell = "gru";             // gru | lstm
  int layers = 1;                       // stacked RNN layers, encoder and decoder alike
  bool bidirectional = true;            // encoder reads both ways; each direction has hidden/2 units
  int embedding = 64;                   // embedding size, source and target
  int hidden = 128;                     // decoder state size (= encoder output size)
  std::string attention = "luong-general";  // none | bahdanau | luong-dot | luong-general | luong-concat
  std::string scope = "global";         // global | local-m | local-p
  int window = 3;                       // D: local attention looks at [p_t - D, p_t + D]
  bool input_feeding = false;           // feed the previous attentional state into the next step
  double dropout = 0.0;                 // rnn: between stacked layers and before the output layer;
                                        // transformer: embeddings, sublayer outputs, attention weights

  // Transformer only. `layers` counts encoder layers and decoder layers alike.
  std::string variant = "encoder-decoder";  // encoder-decoder | decoder-only | encoder-only
  int heads = 4;                        // attention heads per layer
  int d_model = 128;                    // model width (heads divide it)
  int ff = 512;                         // feed-forward inner width
  std::string positional = "sinusoidal";    // sinusoidal | learned
  std::string norm = "pre";             // pre (x + f(norm(x))) | post (norm(x + f(x)))
  bool tie_embeddings = false;          // output projection shares the target embedding

  std::string to_json() const;
  static Seq2SeqConfig from_json(const std::string& text);  // throws naming the bad field
  void validate() const;                                     // throws std::invalid_argument
  std::string summary() const;  // one line: "gru 1x128 bi, luong-general global", "transformer 2x4x128 ..."
  bool is_transformer() const { return arch == "transformer"; }
  TransformerVariant transformer_variant() const;  // `variant`, typed (validate() checked it)
  bool character_vocab() const { return vocab == "chars"; }  // else BPE pieces (translation)
  bool is_translation() const { return task == "translate"; }
  bool has_attention() const { return is_transformer() || attention != "none"; }
};

}  // namespace attnscope
