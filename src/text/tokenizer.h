// The one tokenizer interface: text <-> token ids for pretrained models, plus the display string
// of each piece exactly as the model sees it. Torch-free. Implementations: BERT WordPiece
// (text/wordpiece_tokenizer.h), GPT-2 byte-level BPE (text/gpt2_tokenizer.h), MarianMT
// SentencePiece (text/marian_tokenizer.h), llama2.c's tok*.bin (text/llama2c_tokenizer.h),
// Hugging Face tokenizer.json (text/hf_tokenizer.h) and SentencePiece tokenizer.model
// (text/sentencepiece_tokenizer.h).
#pragma once

#include <memory>
#include <string>
#include <vector>

namespace attnscope {

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;

  // Token ids of `text`. With `add_special`, the model's special tokens are added the way its
  // reference implementation adds them for a prompt (llama2.c: BOS first, no EOS; BERT: [CLS] ...
  // [SEP]; GPT-2: nothing; Marian: </s> last). Special tokens written in the text ("[MASK]",
  // "<|endoftext|>", "</s>") become their ids for BERT, GPT-2 and Marian, as in Hugging Face.
  virtual std::vector<int> encode(const std::string& text, bool add_special) const = 0;
  // The text of `ids`; special tokens are skipped. Throws std::out_of_range for an id outside
  // the vocabulary.
  virtual std::string decode(const std::vector<int>& ids) const = 0;
  // The display string of one id as the model sees it, markers included (" Once", "<0xC3>",
  // "<s>", "▁Was", "##ing", "Ġthe"). Throws std::out_of_range for an id outside the vocabulary.
  virtual std::string piece(int id) const = 0;

  virtual int bos_id() const = 0;  // -1 when the vocabulary has none (BERT: [CLS], Marian: -1)
  virtual int eos_id() const = 0;  // -1 when the vocabulary has none (BERT: [SEP])
  virtual int vocab_size() const = 0;
  // How pieces mark word boundaries, as AttentionSet meta "subword" spells it: "none" (markers
  // are plain characters, e.g. llama2.c's leading spaces), "sentencepiece", "gpt2", "wordpiece".
  virtual std::string subword_style() const = 0;
  // Short description for messages and metadata, e.g. "llama2.c tokenizer tok512.bin (512 pieces)".
  virtual std::string describe() const = 0;
};

// Loads the tokenizer at `path`: a tokenizer file, or a folder holding one. Dispatches on the files
// present, in this order: tokenizer.json -> Hugging Face tokenizers (describe() names the other
// tokenizer files beside it, unused: "...; tokenizer.model beside it not used"); vocab.txt -> BERT
// WordPiece; merges.txt (+ vocab.json) -> GPT-2; source.spm (+ target.spm, vocab.json) -> Marian,
// source side; tokenizer.model -> SentencePiece (Llama); one tok*.bin -> llama2.c. A path to
// tokenizer.json or tokenizer.model means that file; to vocab.txt, vocab.json, merges.txt or
// source.spm, its folder without its tokenizer.json (so BERT can be read from either). Throws std::runtime_error with one line naming the path and the problem
// (nothing recognised, a missing or corrupt file, a tokenizer.json component not supported).
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

}  // namespace attnscope
