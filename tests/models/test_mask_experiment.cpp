// Masking experiments: which tokens a spec selects, and the two-run AttentionSet on tiny-bert
// and tiny-gpt2 (tests/fixtures; their vocab.txt / vocab.json + merges.txt tokenizers).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hf_fixtures.h"
#include "models/decoding/mask_experiment.h"

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

// The experiment runs through the one Model interface, on any model.
MaskExperiment masked_experiment(const Model& model, const std::string& text, const MaskSpec& spec, int max_new_tokens = 0) {
  Request req;
  req.input = text;
  req.decoding.max_new_tokens = max_new_tokens;
  const auto positions = mask_positions(model.tokenize(text), model.info().subword, spec);
  return run_mask_experiment(model, req, positions, spec.describe());
}

TEST(MaskExperiment, EncoderRunsBothInputsIntoOneSet) {
  const auto model = Model::load(fixture("tiny-bert"));
  const MaskExperiment e = masked_experiment(*model, "the laws of physics rule the universe", MaskSpec::parse_words("laws,universe"));
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
  EXPECT_TRUE(e.original.predictions.empty());
  EXPECT_EQ(e.masked.predictions.size(), 2u);
  const auto meta = nlohmann::json::parse(e.set.meta.at("experiment"));
  EXPECT_EQ(meta["kind"], "mask");
  EXPECT_EQ(meta["mask_token"], "[MASK]");
  EXPECT_EQ(meta["substitute"], false);
  EXPECT_EQ(meta["forced"], false);  // an encoder reads both inputs; there is no target to share
  // Different inputs, different attention.
  EXPECT_NE(e.set.runs[0].blocks[0].weights, e.set.runs[1].blocks[0].weights);
}

TEST(MaskExperiment, DecoderWithoutMaskTokenStatesTheSubstitute) {
  const auto model = Model::load(fixture("tiny-gpt2"));
  const MaskExperiment e = masked_experiment(*model, "The cat sat on the mat", MaskSpec::parse_range("2:4"), 3);
  EXPECT_TRUE(model->info().mask_is_substitute);
  EXPECT_EQ(model->info().mask_token, "<|endoftext|>");
  EXPECT_NE(e.set.runs[1].info.at("mask").find("substitute"), std::string::npos);
  EXPECT_EQ(e.set.runs[1].target_tokens[2], "<|endoftext|>");
  e.set.validate();
}

TEST(MaskExperiment, DecoderMaskedRunIsForcedOntoTheOriginalContinuation) {
  const auto model = Model::load(fixture("tiny-gpt2"));
  const MaskExperiment e = masked_experiment(*model, "The cat sat on the mat", MaskSpec::parse_range("2:4"), 5);
  ASSERT_EQ(e.original.output_ids.size(), 5u);
  EXPECT_EQ(e.masked.output_ids, e.original.output_ids);  // one shared continuation
  EXPECT_EQ(e.masked.stopped, "forced");
  ASSERT_EQ(e.set.runs[0].target_tokens.size(), e.set.runs[1].target_tokens.size());
  EXPECT_EQ(e.set.runs[0].blocks[0].queries, e.set.runs[1].blocks[0].queries);
}

TEST(MaskExperiment, MarianMaskedRunSharesTheTarget) {
  const auto model = Model::load(fixture("tiny-marian"));
  ASSERT_TRUE(model->info().takes_ids);  // the fixture ships no tokenizer files
  Request req;
  req.input = "5 17 42 8 0";
  req.decoding.max_new_tokens = 6;
  const MaskExperiment e = run_mask_experiment(*model, req, {1, 2});
  e.set.validate();
  EXPECT_EQ(e.masked.output_ids, e.original.output_ids);
  const AttentionBlock* a = e.set.runs[0].find(AttentionKind::Cross, 1);
  const AttentionBlock* b = e.set.runs[1].find(AttentionKind::Cross, 1);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->queries, b->queries);
  EXPECT_EQ(a->keys, b->keys);
  EXPECT_NE(a->weights, b->weights);
  // </s> (the last source token) cannot be masked.
  EXPECT_NE(error_of([&] { run_mask_experiment(*model, req, {4}); }).find("</s> cannot be masked"), std::string::npos);
}
