// Importing foreign attention: array names and shapes to blocks, tokens, checks, and the
// export -> import round trips (JSON, NPY folder) with bit-identical weights.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include "io/atomic_file.h"
#include "io/attention_export.h"
#include "io/attention_import.h"
#include "io/attention_json.h"
#include "io/npy.h"

using namespace attnscope;
namespace fs = std::filesystem;

namespace {

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("attnscope-io-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                                                  "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<float> random_weights(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::vector<float> v(n);
  for (float& x : v) x = u(rng);
  return v;
}

NamedArray array(const std::string& name, std::vector<size_t> shape, unsigned seed = 1) {
  size_t n = 1;
  for (size_t d : shape) n *= d;
  return {name, shape, random_weights(n, seed)};
}

ImportedFile one_run(std::vector<NamedArray> arrays, TokenLists tokens = {}) {
  ImportedFile f;
  f.runs.push_back({});
  f.runs[0].arrays = std::move(arrays);
  f.runs[0].tokens = std::move(tokens);
  return f;
}

std::vector<std::string> toks(size_t n, const std::string& prefix = "t") {
  std::vector<std::string> v;
  for (size_t i = 0; i < n; ++i) v.push_back(prefix + std::to_string(i));
  return v;
}

std::string error_of(const ImportedFile& f, const ImportOptions& opt = {}) {
  try {
    build_attention_set(f, opt, "in.npz");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

AttentionSet mixed_set() {
  AttentionSet set;
  set.meta["model"] = "toy";
  AttentionRun run;
  run.input_text = "a, b";
  run.output_text = "x \"y\"";
  run.source_tokens = {"a", ",", "b"};
  run.target_tokens = {"x", "\"y\"", "</s>", "line\nbreak"};
  const struct { AttentionKind kind; int layer; size_t q, k; } shapes[] = {
      {AttentionKind::EncoderSelf, 0, 3, 3}, {AttentionKind::DecoderSelf, 1, 4, 4}, {AttentionKind::Cross, 0, 4, 3}};
  unsigned seed = 3;
  for (const auto& s : shapes) {
    AttentionBlock b;
    b.kind = s.kind;
    b.layer = s.layer;
    b.heads = 2;
    b.queries = s.q;
    b.keys = s.k;
    b.weights = random_weights(2 * s.q * s.k, seed++);
    b.weights[0] = 1e-30f;  // a subnormal-ish extreme that must survive text round trips
    b.weights[1] = 0.1f;
    run.blocks.push_back(b);
  }
  set.runs.push_back(run);
  return set;
}

void expect_same(const AttentionSet& a, const AttentionSet& b) {
  ASSERT_EQ(a.runs.size(), b.runs.size());
  for (size_t r = 0; r < a.runs.size(); ++r) {
    EXPECT_EQ(a.runs[r].source_tokens, b.runs[r].source_tokens);
    EXPECT_EQ(a.runs[r].target_tokens, b.runs[r].target_tokens);
    ASSERT_EQ(a.runs[r].blocks.size(), b.runs[r].blocks.size());
    for (const AttentionBlock& x : a.runs[r].blocks) {
      const AttentionBlock* y = b.runs[r].find(x.kind, x.layer);
      ASSERT_NE(y, nullptr) << x.name();
      EXPECT_EQ(x.heads, y->heads);
      EXPECT_EQ(x.weights, y->weights) << x.name();  // bit-identical
    }
  }
}

}  // namespace

TEST(Import, LoneArrayShapes) {
  ImportOptions opt;
  opt.tokens.tokens = toks(3);
  // [L, H, Q, K]
  AttentionSet s = build_attention_set(one_run({array("attention", {2, 4, 3, 3})}), opt, "x");
  ASSERT_EQ(s.runs[0].blocks.size(), 2u);
  EXPECT_EQ(s.runs[0].blocks[1].name(), "encoder-self.1");
  EXPECT_EQ(s.runs[0].blocks[1].heads, 4u);
  EXPECT_EQ(s.runs[0].source_tokens, toks(3));
  EXPECT_TRUE(s.runs[0].target_tokens.empty());
  const NamedArray whole = array("attention", {2, 4, 3, 3});
  EXPECT_EQ(s.runs[0].blocks[1].weights, std::vector<float>(whole.values.begin() + 36, whole.values.end()));
  // [L, 1, H, Q, K], [H, Q, K], [Q, K]
  EXPECT_EQ(build_attention_set(one_run({array("a", {3, 1, 2, 3, 3})}), opt, "x").runs[0].blocks.size(), 3u);
  EXPECT_EQ(build_attention_set(one_run({array("a", {2, 3, 3})}), opt, "x").runs[0].blocks[0].heads, 2u);
  EXPECT_EQ(build_attention_set(one_run({array("a", {3, 3})}), opt, "x").runs[0].blocks[0].heads, 1u);
}

TEST(Import, NamesMapToBlocks) {
  ImportOptions opt;
  opt.tokens.source = toks(3, "s");
  opt.tokens.target = toks(2, "t");
  opt.kind = AttentionKind::DecoderSelf;
  // "cross.4" maps directly; "layer_10" sorts after "layer_2"; HF-style [1, H, Q, K] per layer.
  AttentionSet s = build_attention_set(
      one_run({array("layer_10", {1, 2, 2, 2}, 1), array("cross.4", {2, 2, 3}, 2), array("layer_2", {2, 2, 2}, 3)}), opt, "x");
  const AttentionRun& run = s.runs[0];
  ASSERT_EQ(run.blocks.size(), 3u);
  ASSERT_NE(run.find(AttentionKind::Cross, 4), nullptr);
  EXPECT_EQ(run.find(AttentionKind::DecoderSelf, 0)->weights, array("x", {2, 2, 2}, 3).values);  // layer_2 first
  EXPECT_EQ(run.find(AttentionKind::DecoderSelf, 1)->weights, array("x", {2, 2, 2}, 1).values);
}

TEST(Import, TokensFromFileAndFlags) {
  TokenLists in_file;
  in_file.tokens = toks(3, "file");
  ImportOptions opt;
  EXPECT_EQ(build_attention_set(one_run({array("a", {3, 3})}, in_file), opt, "x").runs[0].source_tokens, toks(3, "file"));
  opt.tokens.source = toks(3, "flag");  // flags win
  EXPECT_EQ(build_attention_set(one_run({array("a", {3, 3})}, in_file), opt, "x").runs[0].source_tokens, toks(3, "flag"));
  ImportOptions numbered;
  numbered.index_tokens = true;
  EXPECT_EQ(build_attention_set(one_run({array("a", {2, 3})}), [] { ImportOptions o; o.index_tokens = true; o.kind = AttentionKind::Cross; return o; }(), "x")
                .runs[0].target_tokens,
            (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(build_attention_set(one_run({array("a", {3, 3})}), numbered, "x").runs[0].source_tokens,
            (std::vector<std::string>{"0", "1", "2"}));
}

TEST(Import, TokenFileFormats) {
  EXPECT_EQ(*parse_token_text("a\nb c\r\n", "t").tokens, (std::vector<std::string>{"a", "b c"}));
  EXPECT_EQ(*parse_token_text("[\"[CLS]\", \"x\"]", "t").tokens, (std::vector<std::string>{"[CLS]", "x"}));
  TokenLists both = parse_token_text("{\"source_tokens\": [\"a\"], \"target_tokens\": [\"b\", \"c\"]}", "t");
  EXPECT_EQ(*both.source, (std::vector<std::string>{"a"}));
  EXPECT_EQ(*both.target, (std::vector<std::string>{"b", "c"}));
  EXPECT_FALSE(both.tokens);
  EXPECT_THROW(parse_token_text("[1, 2]", "t"), std::runtime_error);
  EXPECT_EQ(split_tokens("  the  cat\tsat "), (std::vector<std::string>{"the", "cat", "sat"}));
}

TEST(Import, Errors) {
  ImportOptions opt;
  opt.tokens.tokens = toks(3);
  EXPECT_EQ(error_of(one_run({array("a", {2, 4, 4})}), opt),
            "in.npz: block encoder-self.0 is 4 queries x 4 keys, but there are 3 source tokens");
  EXPECT_NE(error_of(one_run({array("a", {3, 3})})).find("in.npz: no source tokens: pass --tokens FILE"), std::string::npos);
  NamedArray nan = array("a", {2, 3, 3});
  nan.values[10] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_EQ(error_of(one_run({nan}), opt), "in.npz: array 'a' holds a non-finite weight (nan) at [1, 0, 1]");
  EXPECT_NE(error_of(one_run({array("a", {2, 2, 3, 3, 3})}), opt).find("batch axis (size 2) must be 1"), std::string::npos);
  EXPECT_NE(error_of(one_run({array("a", {2, 3, 3}), array("b", {2, 2, 3, 3})}), opt).find("batch axis (size 2)"),
            std::string::npos);
  EXPECT_NE(error_of(one_run({array("a", {3})}), opt).find("array 'a' has shape [3]; expected"), std::string::npos);
  EXPECT_NE(error_of(one_run({array("cross.0", {1, 3, 3}), array("cross.0x", {1, 3, 3})}), [] {
              ImportOptions o;
              o.tokens.tokens = toks(3);
              o.kind = AttentionKind::Cross;
              return o;
            }()).find("two arrays give block cross.0"),
            std::string::npos);
  EXPECT_NE(error_of(one_run({})).find("holds no attention arrays"), std::string::npos);
  EXPECT_THROW(import_attention("/nonexistent/x.npy", opt), std::runtime_error);
}

TEST(Import, FileDispatchAndUnknownExtension) {
  TempDir dir;
  write_file_atomic(dir / "cross.1.npy", npy_bytes({2, 2, 3}, random_weights(12, 5)));
  ImportOptions opt;
  opt.tokens.source = toks(3);
  opt.tokens.target = toks(2);
  const AttentionSet s = import_attention(dir / "cross.1.npy", opt);  // the file name names the block
  ASSERT_NE(s.runs[0].find(AttentionKind::Cross, 1), nullptr);
  EXPECT_EQ(s.runs[0].find(AttentionKind::Cross, 1)->weights, random_weights(12, 5));
  write_file_atomic(dir / "a.txt", "hello");
  try {
    import_attention(dir / "a.txt", opt);
    FAIL() << "no error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("unknown extension '.txt'"), std::string::npos);
  }
}

TEST(Import, BertvizJson) {
  // [layers][batch 1][heads][q][k] with "tokens".
  const std::string text = R"({"tokens": ["[CLS]", "hi", "[SEP]"],
    "attention": [[[[[1, 0, 0], [0.5, 0.5, 0], [0.25, 0.25, 0.5]]]], [[[[0, 1, 0], [0, 0, 1], [1, 0, 0]]]]]})";
  const AttentionSet s = build_attention_set(parse_attention_json(text, "b.json"), {}, "b.json");
  ASSERT_EQ(s.runs[0].blocks.size(), 2u);
  EXPECT_EQ(s.runs[0].blocks[0].heads, 1u);
  EXPECT_EQ(s.runs[0].blocks[0].at(0, 2, 2), 0.5f);
  EXPECT_EQ(s.runs[0].source_tokens[0], "[CLS]");
  EXPECT_THROW(parse_attention_json(R"({"attention": [[1, 2], [3]]})", "b.json"), std::runtime_error);
  EXPECT_THROW(parse_attention_json(R"({"attention": [["a"]]})", "b.json"), std::runtime_error);
  EXPECT_THROW(parse_attention_json(R"({"tokens": []})", "b.json"), std::runtime_error);
  EXPECT_THROW(parse_attention_json(R"({"attention": [[1]], "kind": "sideways"})", "b.json"), std::runtime_error);
}

TEST(Import, JsonExportRoundTripIsExact) {
  const AttentionSet set = mixed_set();  // three kinds: the keyed-object form
  const AttentionSet back = build_attention_set(parse_attention_json(attention_json(set), "x.json"), {}, "x.json");
  expect_same(set, back);
  EXPECT_EQ(back.meta.at("model"), "toy");
  EXPECT_EQ(back.runs[0].input_text, "a, b");

  AttentionSet stack;  // layers 0..L-1 of one kind: the bertviz list form
  stack.runs.push_back({});
  stack.runs[0].source_tokens = toks(5);
  for (int l = 0; l < 3; ++l) {
    AttentionBlock b;
    b.kind = AttentionKind::EncoderSelf;
    b.layer = l;
    b.heads = 4;
    b.queries = b.keys = 5;
    b.weights = random_weights(100, 10 + static_cast<unsigned>(l));
    stack.runs[0].blocks.push_back(b);
  }
  const std::string text = attention_json(stack);
  EXPECT_NE(text.find("\"kind\": \"encoder-self\""), std::string::npos);
  expect_same(stack, build_attention_set(parse_attention_json(text, "x.json"), {}, "x.json"));

  AttentionSet two = stack;  // several runs
  two.runs.push_back(stack.runs[0]);
  two.runs[1].blocks.pop_back();
  expect_same(two, build_attention_set(parse_attention_json(attention_json(two), "x.json"), {}, "x.json"));
}

TEST(Import, NpyFolderExportRoundTripIsExact) {
  TempDir dir;
  const AttentionSet set = mixed_set();
  export_npy_folder(set, dir / "npy");
  EXPECT_TRUE(fs::exists(dir / "npy/cross.0.npy"));
  EXPECT_TRUE(fs::exists(dir / "npy/tokens.json"));
  expect_same(set, import_attention(dir / "npy", {}));

  AttentionSet two = set;
  two.runs.push_back(set.runs[0]);
  export_npy_folder(two, dir / "two");
  EXPECT_TRUE(fs::exists(dir / "two/1/decoder-self.1.npy"));
  expect_same(two, import_attention(dir / "two", {}));
}

TEST(Export, CsvQuotingAndRows) {
  EXPECT_EQ(csv_field("plain"), "plain");
  EXPECT_EQ(csv_field("a,b"), "\"a,b\"");
  EXPECT_EQ(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(csv_field("two\nlines"), "\"two\nlines\"");
  const AttentionSet set = mixed_set();
  const std::string csv = attention_csv(set);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "run,kind,layer,head,query,key,query_token,key_token,weight");
  size_t rows = 0;
  for (size_t p = 0; (p = csv.find("\r\n", p)) != std::string::npos; p += 2) ++rows;
  EXPECT_EQ(rows, 1 + 2 * 9 + 2 * 16 + 2 * 12);
  EXPECT_NE(csv.find("\r\n0,encoder-self,0,0,0,0,a,a,1e-30\r\n"), std::string::npos);
  EXPECT_NE(csv.find("\r\n0,encoder-self,0,0,0,1,a,\",\",0.1\r\n"), std::string::npos);
  EXPECT_NE(csv.find(",\"line\nbreak\",\"line\nbreak\","), std::string::npos);  // decoder-self, quoted
}
