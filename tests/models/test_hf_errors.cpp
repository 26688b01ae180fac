// Bad Hugging Face folders: each problem is one line naming the file and the tensor or key.
// Every case starts from a copy of tests/fixtures/tiny-bert and breaks one thing.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "hf_fixtures.h"
#include "models/pretrained.h"

using namespace attnscope;
using namespace attnscope::testing;
namespace fs = std::filesystem;

namespace {

// A copy of tiny-bert in a scratch folder.
struct BrokenBert {
  ScratchDir scratch{"hf_errors"};
  std::string dir = scratch.str() + "/model";
  BrokenBert() { fs::copy(fixture("tiny-bert"), dir, fs::copy_options::recursive); }

  std::string weights() const { return dir + "/model.safetensors"; }
  nlohmann::json config() const {
    std::ifstream in(dir + "/config.json");
    return nlohmann::json::parse(in);
  }
  void write_config(const nlohmann::json& j) const { std::ofstream(dir + "/config.json") << j.dump(); }
  // Rewrites model.safetensors through `edit`, which gets every tensor and adds what it keeps.
  void rewrite_weights(const std::function<void(const TensorView&, SafetensorsWriter&)>& edit) const {
    SafetensorsWriter w;
    {
      const SafetensorsFile f = SafetensorsFile::open(weights());
      for (const TensorView& t : f.tensors()) edit(t, w);
    }
    w.save(weights());
  }
  std::string load_error() const {
    return error_of([&] { PretrainedModel::load(dir); });
  }
};

void expect_one_line(const std::string& err, const std::vector<std::string>& needles) {
  EXPECT_EQ(err.find('\n'), std::string::npos) << err;
  for (const auto& n : needles) EXPECT_NE(err.find(n), std::string::npos) << "wanted '" << n << "' in: " << err;
  std::printf("error: %s\n", err.c_str());
}

void copy(const TensorView& t, SafetensorsWriter& w) { w.add(t.name, t.dtype, t.shape, t.data, t.nbytes); }

}  // namespace

TEST(HfErrors, TheUnbrokenCopyLoads) {
  BrokenBert b;
  EXPECT_EQ(b.load_error(), "(no error)");
  EXPECT_TRUE(PretrainedModel::recognizes(b.dir));
}

TEST(HfErrors, MissingConfigJson) {
  BrokenBert b;
  fs::remove(b.dir + "/config.json");
  EXPECT_TRUE(PretrainedModel::recognizes(b.dir)) << "a model.safetensors alone is a HF folder missing its config";
  expect_one_line(b.load_error(), {b.dir + "/config.json", "is missing"});
}

TEST(HfErrors, UnknownModelType) {
  BrokenBert b;
  nlohmann::json c = b.config();
  c["model_type"] = "t5";
  c["architectures"] = {"T5ForConditionalGeneration"};
  b.write_config(c);
  expect_one_line(b.load_error(), {"config.json", "model_type \"t5\"", "T5ForConditionalGeneration", "known: bert, gpt2, llama"});
}

TEST(HfErrors, ConfigWithoutModelType) {
  BrokenBert b;
  nlohmann::json c = b.config();
  c.erase("model_type");
  b.write_config(c);
  expect_one_line(b.load_error(), {"config.json", "model_type"});
}

TEST(HfErrors, TruncatedSafetensors) {
  BrokenBert b;
  fs::resize_file(b.weights(), fs::file_size(b.weights()) / 2);
  expect_one_line(b.load_error(), {b.weights(), "not a valid safetensors file"});
}

TEST(HfErrors, HeaderLengthLargerThanTheFile) {
  BrokenBert b;
  std::fstream f(b.weights(), std::ios::in | std::ios::out | std::ios::binary);
  const uint64_t lie = 50u * 1000u * 1000u;  // under the 100 MB header limit, far past the end
  f.write(reinterpret_cast<const char*>(&lie), 8);  // little-endian on every machine attnscope builds on
  f.close();
  expect_one_line(b.load_error(), {b.weights(), "header length", "runs past the end"});
}

TEST(HfErrors, HeaderOffsetsThatLie) {
  BrokenBert b;
  // Same length header, one offset pointing past the data: patch the digits of the last offset.
  std::ifstream in(b.weights(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  in.close();
  uint64_t n = 0;
  for (int i = 7; i >= 0; --i) n = (n << 8) | static_cast<unsigned char>(bytes[static_cast<size_t>(i)]);
  nlohmann::json h = nlohmann::json::parse(bytes.substr(8, n));
  // The tensor stored last claims 8 bytes more than the data buffer holds.
  std::string name;
  uint64_t last_end = 0;
  for (auto it = h.begin(); it != h.end(); ++it)
    if (it.key() != "__metadata__" && it.value()["data_offsets"][1].get<uint64_t>() > last_end)
      name = it.key(), last_end = it.value()["data_offsets"][1].get<uint64_t>();
  h[name]["data_offsets"][1] = last_end + 8;
  std::string header = h.dump();
  header.resize(n, ' ');
  ASSERT_EQ(header.size(), n) << "patched header must keep its length";
  bytes.replace(8, n, header);
  std::ofstream(b.weights(), std::ios::binary) << bytes;
  expect_one_line(b.load_error(), {b.weights(), name, "outside"});
}

TEST(HfErrors, MissingTensor) {
  BrokenBert b;
  const std::string gone = "bert.encoder.layer.1.output.dense.weight";
  b.rewrite_weights([&](const TensorView& t, SafetensorsWriter& w) {
    if (t.name != gone) copy(t, w);
  });
  expect_one_line(b.load_error(), {b.weights(), "'" + gone + "' is missing"});
}

TEST(HfErrors, ShapeMismatchAgainstConfig) {
  BrokenBert b;
  nlohmann::json c = b.config();
  c["intermediate_size"] = 48;
  b.write_config(c);
  expect_one_line(b.load_error(), {b.weights(), "bert.encoder.layer.0.intermediate.dense.weight", "[64, 32]", "[48, 32]"});
}

TEST(HfErrors, WeightsOfAnIntegerDtype) {
  BrokenBert b;
  const std::string name = "bert.embeddings.LayerNorm.bias";
  b.rewrite_weights([&](const TensorView& t, SafetensorsWriter& w) {
    if (t.name != name) return copy(t, w);
    std::vector<int32_t> ints(t.numel(), 1);
    w.add(t.name, DType::I32, t.shape, ints.data(), ints.size() * 4);
  });
  expect_one_line(b.load_error(), {b.weights(), name, "dtype I32", "F32, F16 or BF16"});
}

TEST(HfErrors, DtypeSafetensorsDoesNotKnow) {
  BrokenBert b;
  std::ifstream in(b.weights(), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  in.close();
  const size_t at = bytes.find("\"F32\"");
  ASSERT_NE(at, std::string::npos);
  bytes.replace(at, 5, "\"F8X\"");  // same length: the header stays valid JSON of the same size
  std::ofstream(b.weights(), std::ios::binary) << bytes;
  expect_one_line(b.load_error(), {b.weights(), "unsupported dtype 'F8X'"});
}

TEST(HfErrors, NonsenseConfigValues) {
  BrokenBert b;
  nlohmann::json c = b.config();
  c["num_attention_heads"] = 5;
  b.write_config(c);
  expect_one_line(b.load_error(), {"config.json", "num_attention_heads 5 does not divide hidden_size 32"});
  c["num_attention_heads"] = "four";
  b.write_config(c);
  expect_one_line(b.load_error(), {"config.json", "\"num_attention_heads\" is not an integer"});
}

TEST(HfErrors, TrainedAttnscopeModelsAreNotTakenForHuggingFace) {
  ScratchDir s("hf_trained");
  std::ofstream(s.str() + "/config.json") << R"({"architecture": "rnn", "task": "dates"})";
  std::ofstream(s.str() + "/model.safetensors") << "x";
  EXPECT_FALSE(PretrainedModel::recognizes(s.str()));
}

namespace {

// tiny-bert's weights split into two shards with an index, as save_pretrained(max_shard_size=...)
// writes them; `place` may move a tensor's index entry elsewhere.
void shard(const BrokenBert& b, const std::function<std::string(const std::string&, const std::string&)>& place =
                                    [](const std::string&, const std::string& file) { return file; }) {
  SafetensorsWriter first, second;
  nlohmann::json map = nlohmann::json::object();
  {
    const SafetensorsFile f = SafetensorsFile::open(b.weights());
    size_t i = 0;
    for (const TensorView& t : f.tensors()) {
      const bool one = i++ % 2 == 0;
      copy(t, one ? first : second);
      map[t.name] = place(t.name, one ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors");
    }
  }
  first.save(b.dir + "/model-00001-of-00002.safetensors");
  second.save(b.dir + "/model-00002-of-00002.safetensors");
  fs::remove(b.weights());
  std::ofstream(b.dir + "/model.safetensors.index.json") << nlohmann::json{{"metadata", {}}, {"weight_map", map}}.dump();
}

}  // namespace

TEST(HfErrors, ShardedCheckpointLoadsAndComputesTheSame) {
  BrokenBert b;
  shard(b);
  const PretrainedModel whole = PretrainedModel::load(fixture("tiny-bert"));
  const PretrainedModel sharded = PretrainedModel::load(b.dir);
  const std::vector<int> ids = {2, 5, 7, 9, 3};
  EXPECT_EQ(sharded.logits(ids), whole.logits(ids));
}

TEST(HfErrors, ShardedIndexNamingAMissingShard) {
  BrokenBert b;
  shard(b);
  fs::remove(b.dir + "/model-00002-of-00002.safetensors");
  expect_one_line(b.load_error(), {"model.safetensors.index.json", "model-00002-of-00002.safetensors", "missing"});
}

TEST(HfErrors, ShardedIndexPointingOutsideTheFolderOrAtTheWrongShard) {
  {
    BrokenBert b;
    shard(b, [](const std::string&, const std::string& file) { return "../" + file; });
    expect_one_line(b.load_error(), {"model.safetensors.index.json", "is not a file name in"});
  }
  {
    BrokenBert b;
    bool moved = false;
    shard(b, [&](const std::string&, const std::string& file) {
      if (moved || file != "model-00002-of-00002.safetensors") return file;
      moved = true;
      return std::string("model-00001-of-00002.safetensors");
    });
    expect_one_line(b.load_error(), {"model.safetensors.index.json places", "which does not hold it"});
  }
  {
    BrokenBert b;
    shard(b);
    std::ofstream(b.dir + "/model.safetensors.index.json") << "{\"weight_map\": [1, 2]}";
    expect_one_line(b.load_error(), {"model.safetensors.index.json", "weight_map"});
  }
}
