// The trainable Transformer: masks, recording, the three variants, padding, save/load, search.
#include <gtest/gtest.h>

#include <filesystem>

#include "models/recording/attention_recorder.h"
#include "models/decoding/beam_search.h"
#include "models/seq2seq_impl.h"
#include "models/seq2seq_model.h"
#include "models/architectures/transformer_seq2seq.h"
#include "text/char_vocab.h"

using namespace attnscope;

namespace {

Seq2SeqConfig tiny(const std::string& variant, const std::string& norm = "pre", const std::string& positional = "sinusoidal") {
  Seq2SeqConfig c;
  c.arch = "transformer";
  c.variant = variant;
  c.task = "reverse";
  c.input_alphabet = c.output_alphabet = "abcdefghijklmnopqrstuvwxyz";
  c.max_input_length = c.max_output_length = 12;
  c.layers = 2;
  c.heads = 4;
  c.d_model = 16;
  c.ff = 32;
  c.norm = norm;
  c.positional = positional;
  return c;
}

torch::Tensor ids(std::vector<std::vector<int64_t>> rows) {
  size_t T = 0;
  for (auto& r : rows) T = std::max(T, r.size());
  torch::Tensor t = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(T)}, torch::kLong);
  for (size_t b = 0; b < rows.size(); ++b)
    for (size_t i = 0; i < rows[b].size(); ++i) t[b][i] = rows[b][i];
  return t;
}

}  // namespace

TEST(Transformer, RecordsEveryHeadOfEveryLayerAsDistributions) {
  torch::manual_seed(0);
  TransformerSeq2Seq net(tiny("encoder-decoder"), 29, 29);
  net->eval();
  AttentionRecorder rec;
  torch::Tensor logits = net->forward(ids({{5, 6, 7, 2}}), ids({{1, 9, 8}}), &rec);
  EXPECT_EQ(logits.sizes(), torch::IntArrayRef({1, 3, 29}));
  AttentionRun run;
  rec.into(run);
  ASSERT_EQ(run.blocks.size(), 6u);  // encoder-self, decoder-self, cross x 2 layers
  const AttentionBlock* enc0 = run.find(AttentionKind::EncoderSelf, 0);
  const AttentionBlock* cross1 = run.find(AttentionKind::Cross, 1);
  ASSERT_TRUE(enc0 && cross1 && run.find(AttentionKind::DecoderSelf, 1));
  EXPECT_EQ(std::vector<size_t>({enc0->heads, enc0->queries, enc0->keys}), std::vector<size_t>({4, 4, 4}));
  EXPECT_EQ(std::vector<size_t>({cross1->heads, cross1->queries, cross1->keys}), std::vector<size_t>({4, 3, 4}));
  for (const auto& b : run.blocks)
    for (size_t h = 0; h < b.heads; ++h)
      for (size_t q = 0; q < b.queries; ++q) {
        double sum = 0;
        for (size_t k = 0; k < b.keys; ++k) sum += b.at(h, q, k);
        EXPECT_NEAR(sum, 1.0, 1e-5) << b.name();
        // Decoder self-attention is causal: nothing above the diagonal.
        if (b.kind == AttentionKind::DecoderSelf)
          for (size_t k = q + 1; k < b.keys; ++k) EXPECT_EQ(b.at(h, q, k), 0.0f);
      }
}

TEST(Transformer, PaddingChangesNothing) {
  for (const char* variant : {"encoder-decoder", "decoder-only", "encoder-only"}) {
    torch::manual_seed(1);
    TransformerSeq2Seq net(tiny(variant), 29, 29);
    net->eval();
    torch::NoGradGuard no_grad;
    torch::Tensor alone = net->forward(ids({{5, 6, 2}}), ids({{1, 9}}));
    torch::Tensor padded = net->forward(ids({{5, 6, 2}, {3, 4, 5, 6, 7, 2}}), ids({{1, 9}, {1, 4, 4, 4}}));
    const int64_t T = alone.size(1);
    EXPECT_TRUE(torch::allclose(alone[0], padded[0].narrow(0, 0, T), 1e-4, 1e-5)) << variant;
  }
}

TEST(Transformer, DecodingAPrefixGivesTheSameRowsAsTheWholeSequence) {
  torch::manual_seed(2);
  TransformerSeq2Seq net(tiny("encoder-decoder", "post", "learned"), 29, 29);
  net->eval();
  torch::NoGradGuard no_grad;
  torch::Tensor src = ids({{5, 6, 7, 8, 2}});
  torch::Tensor whole = net->forward(src, ids({{1, 9, 10, 11}}));
  torch::Tensor prefix = net->forward(src, ids({{1, 9}}));
  EXPECT_TRUE(torch::allclose(whole[0].narrow(0, 0, 2), prefix[0], 1e-4, 1e-5));
  torch::Tensor memory = net->encode(src);
  EXPECT_TRUE(torch::allclose(net->decode(ids({{1, 9, 10, 11}}), memory, not_padding(src)), whole, 1e-5, 1e-6));
}

TEST(BeamSearch, BeamOneIsGreedy) {
  // A fixed table of next-token log-probabilities depending on the prefix length only.
  torch::manual_seed(3);
  torch::Tensor table = torch::log_softmax(torch::randn({6, 5}), -1);
  auto next = [&](const std::vector<std::vector<int>>& prefixes) {
    std::vector<torch::Tensor> rows;
    for (const auto& p : prefixes) rows.push_back(table[static_cast<int64_t>(std::min<size_t>(p.size(), 5))]);
    return torch::stack(rows);
  };
  BeamSearchOptions o;
  o.beam = 1;
  o.max_steps = 6;
  o.eos = 2;
  o.length_penalty = 0;
  BeamSearchResult greedy = beam_search(next, o);
  std::vector<int> expected;
  for (int t = 0; t < 6; ++t) {
    expected.push_back(static_cast<int>(table[t].argmax().item<int64_t>()));
    if (expected.back() == 2) break;
  }
  EXPECT_EQ(greedy.ids, expected);
}

TEST(BeamSearch, AWiderBeamFindsWhatGreedyMisses) {
  // Token 3 looks best first but only leads to bad endings; token 4 then </s> is far better.
  auto next = [](const std::vector<std::vector<int>>& prefixes) {
    std::vector<torch::Tensor> rows;
    for (const auto& p : prefixes) {
      std::vector<float> lp(5, -20.0f);
      if (p.empty()) {
        lp[3] = -0.5f, lp[4] = -0.9f;
      } else if (p.back() == 3) {
        lp[2] = -3.0f, lp[0] = -3.5f;
      } else {
        lp[2] = -0.1f;
      }
      rows.push_back(torch::tensor(lp));
    }
    return torch::stack(rows);
  };
  BeamSearchOptions o;
  o.beam = 1;
  o.max_steps = 4;
  o.eos = 2;
  o.length_penalty = 0;
  const BeamSearchResult greedy = beam_search(next, o);
  EXPECT_EQ(greedy.ids, (std::vector<int>{3, 2}));
  EXPECT_NEAR(greedy.log_prob, -3.5, 1e-6);
  o.beam = 2;
  const BeamSearchResult wide = beam_search(next, o);
  EXPECT_EQ(wide.ids, (std::vector<int>{4, 2}));
  EXPECT_NEAR(wide.log_prob, -1.0, 1e-6);
  EXPECT_TRUE(wide.finished);
}

TEST(TransformerModel, SavesLoadsAndTranslatesTheSame) {
  const std::string dir = (std::filesystem::temp_directory_path() / "attnscope-test-transformer").string();
  std::filesystem::remove_all(dir);
  Seq2SeqModel a = Seq2SeqModel::create(tiny("encoder-decoder"), "cpu", 7);
  a.save(dir);
  Seq2SeqModel b = Seq2SeqModel::load(dir);
  EXPECT_EQ(b.config().arch, "transformer");
  EXPECT_EQ(b.config().heads, 4);
  Translation ta = a.translate("hello"), tb = b.translate("hello");
  EXPECT_EQ(ta.output, tb.output);
  // Every head of every layer of the three kinds is in the run.
  for (AttentionKind kind : {AttentionKind::EncoderSelf, AttentionKind::DecoderSelf, AttentionKind::Cross})
    for (int layer = 0; layer < 2; ++layer) {
      const AttentionBlock* block = tb.run.find(kind, layer);
      ASSERT_NE(block, nullptr);
      EXPECT_EQ(block->heads, 4u);
    }
  AttentionSet set = b.to_attention_set(std::vector<Translation>{tb});
  EXPECT_NO_THROW(set.validate());
  // Beam search output is also recorded, and batched greedy agrees with one-at-a-time greedy.
  DecodeOptions beam;
  beam.beam = 3;
  const Translation tbeam = b.translate("hello", beam);
  EXPECT_EQ(tbeam.run.info.at("decoding"), "beam 3");
  ASSERT_NE(tbeam.run.find(AttentionKind::Cross, 1), nullptr);
  EXPECT_EQ(tbeam.run.find(AttentionKind::Cross, 1)->queries, tbeam.run.target_tokens.size());
  EXPECT_EQ(b.translate_batch({"hello", "ab"})[0], tb.output);
  std::filesystem::remove_all(dir);
}

TEST(TransformerModel, EncoderOnlyRefusesOutputsLongerThanInputs) {
  Seq2SeqModel m = Seq2SeqModel::create(tiny("encoder-only"), "cpu", 1);
  auto& impl = m.impl();
  TokenBatch src = impl.source_batch({"ab"});
  auto [in, out] = impl.target_batch({"abcdef"});
  EXPECT_THROW(impl.training_logits(src, in, out, 1.0), std::invalid_argument);
}

TEST(TransformerModel, RejectsAHuggingFaceFolder) {
  const std::string dir = (std::filesystem::temp_directory_path() / "attnscope-test-hf-folder").string();
  std::filesystem::create_directories(dir);
  std::FILE* f = std::fopen((dir + "/config.json").c_str(), "w");
  std::fputs("{\"model_type\": \"bert\", \"hidden_size\": 8}", f);
  std::fclose(f);
  f = std::fopen((dir + "/model.safetensors").c_str(), "w");
  std::fclose(f);
  try {
    Seq2SeqModel::load(dir);
    FAIL() << "loaded a BERT folder as a trained seq2seq model";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("Hugging Face"), std::string::npos) << e.what();
  }
  std::filesystem::remove_all(dir);
}

// The decoder-only variant records its one causal sequence as queries and keys on request (as the
// Llama family does): every weight computed from them equals the dense weights, and the pass's
// output is the same.
TEST(Transformer, DecoderOnlyRecordsQueriesAndKeysOnRequest) {
  torch::manual_seed(4);
  TransformerSeq2Seq net(tiny("decoder-only"), 29, 29);
  net->eval();
  torch::NoGradGuard no_grad;
  const torch::Tensor src = ids({{5, 6, 7, 8, 9, 2}}), tgt = ids({{1, 9, 8, 7}});
  AttentionRecorder dense_rec, qk_rec;
  dense_rec.set_form(WeightForm::Dense);
  qk_rec.set_form(WeightForm::QueryKey);
  const torch::Tensor dense_out = net->forward(src, tgt, &dense_rec), qk_out = net->forward(src, tgt, &qk_rec);
  EXPECT_LE((dense_out - qk_out).abs().max().item<double>(), 1e-5);
  AttentionRun dense, qk;
  dense_rec.into(dense);
  qk_rec.into(qk);
  ASSERT_EQ(dense.blocks.size(), qk.blocks.size());
  ASSERT_FALSE(qk.blocks.empty());
  double worst = 0;
  for (size_t b = 0; b < qk.blocks.size(); ++b) {
    const AttentionBlock& D = dense.blocks[b];
    const AttentionBlock& Q = qk.blocks[b];
    ASSERT_TRUE(D.dense());
    ASSERT_FALSE(Q.dense()) << Q.name();
    ASSERT_EQ(Q.queries, D.queries);
    std::vector<float> got(Q.queries * Q.keys);
    for (size_t h = 0; h < Q.heads; ++h) {
      Q.tile(h, 0, Q.queries, 0, Q.keys, got.data());
      for (size_t i = 0; i < Q.queries; ++i)
        for (size_t j = 0; j < Q.keys; ++j) worst = std::max(worst, std::abs(double(got[i * Q.keys + j]) - D.at(h, i, j)));
    }
  }
  EXPECT_LE(worst, 1e-6);
}
