// Masking experiments: which tokens a spec selects, and the two-run AttentionSet on tiny-bert
// and tiny-gpt2 (tests/fixtures; their vocab.txt / vocab.json + merges.txt tokenizers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hf_fixtures.h"
#include "models/mask_experiment.h"

using namespace attnscope;
using namespace attnscope::testing;

TEST(MaskSpec, ParsesRangesAndWords) {
  const MaskSpec r = MaskSpec::parse_range("3:5");
  EXPECT_TRUE(r.has_range);
  EXPECT_EQ(r.begin, 3u);
  EXPECT_EQ(r.end, 5u);
  for (const char* bad : {"3", "5:3", "3:3", "a:b", ":4", "-1:2"})
    EXPECT_THROW(MaskSpec::parse_range(bad), std::invalid_argument) << bad;
  const MaskSpec w = MaskSpec::parse_words(" Laws, universe ,");
  EXPECT_EQ(w.words, (std::vector<std::string>{"laws", "universe"}));
  EXPECT_THROW(MaskSpec::parse_words(" , "), std::invalid_argument);
}

TEST(MaskSpec, WordsSelectEveryPieceOfEveryOccurrence) {
  const std::vector<std::string> wp = {"[CLS]", "the", "law", "##s", "of", "physics", "[SEP]"};
  EXPECT_EQ(mask_positions(wp, "wordpiece", MaskSpec::parse_words("LAWS")), (std::vector<size_t>{2, 3}));
  const std::vector<std::string> gpt = {"T", "he", "Ġcat", "Ġs", "at", "Ġthe"};
  // "T he" is the word "The": case-insensitive, so both occurrences of "the" match.
  EXPECT_EQ(mask_positions(gpt, "gpt2", MaskSpec::parse_words("sat,the")), (std::vector<size_t>{0, 1, 3, 4, 5}));
  EXPECT_EQ(mask_positions(wp, "wordpiece", MaskSpec::parse_range("0:2")), (std::vector<size_t>{0, 1}));
  // SentencePiece glues "." to the word before: "universe." still matches, the "." stays.
  const std::vector<std::string> sp = {"\xE2\x96\x81the", "\xE2\x96\x81univers", "e", ".", "</s>"};
  EXPECT_EQ(mask_positions(sp, "sentencepiece", MaskSpec::parse_words("universe")), (std::vector<size_t>{1, 2}));
  EXPECT_NE(error_of([&] { mask_positions(wp, "wordpiece", MaskSpec::parse_range("5:9")); }).find("the input has 7 tokens"),
            std::string::npos);
  EXPECT_NE(error_of([&] { mask_positions(wp, "wordpiece", MaskSpec::parse_words("sep")); }).find("none of"),
            std::string::npos);
}

TEST(MaskExperiment, EncoderRunsBothInputsIntoOneSet) {
  const PretrainedModel model = PretrainedModel::load(fixture("tiny-bert"));
  ASSERT_TRUE(model.has_tokenizer());
  const MaskExperiment e =
      run_mask_experiment(model, "the laws of physics rule the universe", MaskSpec::parse_words("laws,universe"));
  ASSERT_EQ(e.set.runs.size(), 2u);
  e.set.validate();
  EXPECT_EQ(e.set.runs[0].name, "original");
  EXPECT_EQ(e.set.runs[1].name, "masked");
  EXPECT_EQ(e.positions, (std::vector<size_t>{2, 7}));
  EXPECT_EQ(e.set.runs[1].source_tokens[2], "[MASK]");
  EXPECT_EQ(e.set.runs[1].source_tokens[7], "[MASK]");
  EXPECT_EQ(e.set.runs[0].source_tokens[2], "laws");
  EXPECT_EQ(e.set.runs[0].blocks.size(), 2u);
  EXPECT_EQ(e.set.runs[1].blocks.size(), 2u);
  ASSERT_EQ(e.encodings.size(), 2u);
  EXPECT_TRUE(e.encodings[0].predictions.empty());
  EXPECT_EQ(e.encodings[1].predictions.size(), 2u);
  const auto meta = nlohmann::json::parse(e.set.meta.at("experiment"));
  EXPECT_EQ(meta["kind"], "mask");
  EXPECT_EQ(meta["mask_token"], "[MASK]");
  EXPECT_EQ(meta["substitute"], false);
  // Different inputs, different attention.
  EXPECT_NE(e.set.runs[0].blocks[0].weights, e.set.runs[1].blocks[0].weights);
}

TEST(MaskExperiment, DecoderWithoutMaskTokenStatesTheSubstitute) {
  const PretrainedModel model = PretrainedModel::load(fixture("tiny-gpt2"));
  MaskExperimentOptions opts;
  opts.generate.max_new_tokens = 3;
  const MaskExperiment e = run_mask_experiment(model, "The cat sat on the mat", MaskSpec::parse_range("2:4"), opts);
  ASSERT_EQ(e.generations.size(), 2u);
  EXPECT_TRUE(model.mask_is_substitute());
  EXPECT_EQ(model.mask_token(), "<|endoftext|>");
  EXPECT_NE(e.set.runs[1].info.at("mask").find("substitute"), std::string::npos);
  EXPECT_EQ(e.set.runs[1].target_tokens[2], "<|endoftext|>");
  e.set.validate();
}
