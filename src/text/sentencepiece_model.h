// A SentencePiece model (.spm, a serialized sentencepiece.ModelProto) read and applied without
// libsentencepiece or protobuf: libsentencepiece carries its own protobuf-lite, which clashes with
// libtorch's libprotobuf at static initialisation, so attnscope cannot link it.
//
// Read by hand from the protobuf wire format: the pieces (piece, score, type), the trainer spec's
// model type, byte_fallback, treat_whitespace_as_suffix and unk_surface, and the normalizer spec
// (precompiled_charsmap, add_dummy_prefix, remove_extra_whitespaces, escape_whitespaces).
//
// Encoding follows sentencepiece 0.1.97 for UNIGRAM and BPE models: the normaliser (the precompiled
// charsmap, a Darts double-array trie of NFKC-style replacements, longest match first; user-defined
// pieces kept whole; malformed UTF-8 bytes become U+FFFD; extra spaces removed; spaces become "▁";
// a dummy "▁" prefix), then
//  - UNIGRAM: the Viterbi over piece scores (sentencepiece's EncodeOptimized, same tie-breaking),
//    runs of unknown characters merged into one piece;
//  - BPE (bpe_model.cc, the Llama family's tokenizer.model): from characters, merge the adjacent
//    pair whose concatenation is the highest-scoring piece (ties: leftmost) until none is a piece;
//    UNUSED pieces are split back into the pair they came from;
// then, with byte_fallback, every unknown piece becomes its UTF-8 bytes as "<0xXX>" pieces.
// Not supported (load throws): WORD/CHAR models; a denormalizer spec is ignored.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "text/precompiled_charsmap.h"

namespace attnscope {

class SentencePieceModel {
 public:
  enum class PieceType { kNormal = 1, kUnknown = 2, kControl = 3, kUserDefined = 4, kUnused = 5, kByte = 6 };
  struct Piece {
    std::string text;
    float score = 0;
    PieceType type = PieceType::kNormal;
  };

  // Throws std::runtime_error, one line starting "PATH: not a readable SentencePiece model (...)".
  static SentencePieceModel load(const std::string& path);
  // The same from the file's bytes; `name` is used in error messages.
  static SentencePieceModel parse(std::string_view bytes, const std::string& name);

  std::vector<std::string> encode(std::string_view text) const;     // as EncodeAsPieces
  std::vector<int> encode_ids(std::string_view text) const;         // as EncodeAsIds
  // The same model without the dummy "▁" prefix (what transformers' LlamaTokenizer with
  // legacy=False loads: normalizer_spec.add_dummy_prefix = false).
  // The unigram Viterbi's arithmetic. Exact ties between splits ("t"+"tt" and "tt"+"t") are
  // broken by float rounding, so it decides the pieces. sentencepiece 0.2 (PyPI, what
  // transformers users run) adds path scores in float; 0.1.x (Debian 12's libsentencepiece
  // 0.1.97) adds a piece's score to the float path score in double and stores it as float.
  enum class Arithmetic { kV0_2, kV0_1 };
  void set_arithmetic(Arithmetic a) { arithmetic_ = a; }

  SentencePieceModel without_dummy_prefix() const {
    SentencePieceModel m = *this;
    m.add_dummy_prefix_ = false;
    return m;
  }
  std::vector<std::pair<std::string, int>> encode_with_ids(std::string_view text) const;
  std::string decode(const std::vector<std::string>& pieces) const;  // as DecodePieces
  std::string normalize(std::string_view text) const;                // the normaliser alone

  int piece_to_id(std::string_view piece) const;  // unk_id() when absent
  int unk_id() const { return unk_id_; }
  bool is_bpe() const { return bpe_; }
  bool byte_fallback() const { return byte_fallback_; }
  static std::string byte_piece(uint8_t b);  // "<0x0A>"

  int size() const { return static_cast<int>(pieces_.size()); }
  const Piece& piece(int id) const { return pieces_.at(static_cast<size_t>(id)); }

 private:
  std::vector<Piece> pieces_;
  std::unordered_map<std::string, int> normal_ids_;    // NORMAL, USER_DEFINED, UNUSED: in the lattice
  std::unordered_map<std::string, int> reserved_ids_;  // CONTROL, UNKNOWN, BYTE
  std::vector<std::string> user_defined_;
  size_t max_piece_bytes_ = 0, max_user_defined_bytes_ = 0;
  int unk_id_ = -1;
  float min_score_ = 0, max_score_ = 0;
  std::string unk_surface_ = " \xE2\x81\x87 ";  // " ⁇ "
  bool add_dummy_prefix_ = true, remove_extra_whitespaces_ = true, escape_whitespaces_ = true;
  Arithmetic arithmetic_ = Arithmetic::kV0_2;
  bool treat_whitespace_as_suffix_ = false;
  bool bpe_ = false, byte_fallback_ = false;
  std::array<int, 256> byte_ids_{};  // with byte_fallback: the id of each byte's piece
  PrecompiledCharsmap charsmap_;

  std::pair<std::string_view, size_t> normalize_prefix(std::string_view input) const;
  size_t user_defined_prefix(std::string_view input) const;
  // The pieces and ids of the normalised text, before byte fallback.
  std::vector<std::pair<std::string_view, int>> unigram(std::string_view normalized) const;
  std::vector<std::pair<std::string_view, int>> bpe(std::string_view normalized) const;
};

}  // namespace attnscope
