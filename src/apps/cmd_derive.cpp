// attnscope derive: attention rollout or attention flow (Abnar & Zuidema 2020) of a saved
// AttentionSet, written as a new .attn.safetensors that every view and the viewer can show.
#include <cstdio>

#include "analysis/rollout.h"
#include "apps/args.h"
#include "apps/commands.h"
#include "io/attention_file.h"

namespace attnscope {

namespace {
const char* kHelp = R"(usage: attnscope derive FILE.attn.safetensors --method rollout|flow -o OUT.attn.safetensors [--kind K]

How much each input token reaches each position after every layer (Abnar & Zuidema 2020,
"Quantifying Attention Flow in Transformers"), from the self-attention of every layer of every run.
Per layer the heads are averaged and the residual connection is modelled as 0.5 A + 0.5 I; then
  rollout   multiplies these matrices up through the layers;
  flow      takes, for each position and input token, the max flow through the layered graph
            whose edges carry those weights, and divides each row by its sum (at most 256 tokens).
The output holds one block per layer (one "head": the derived map) and says in its metadata what
was done, so figures state it.

options:
  --method rollout|flow   (default rollout)
  --kind K                encoder-self or decoder-self (default: encoder-self if present)
  -o, --out FILE          the derived .attn.safetensors

example:
  attnscope derive story.attn.safetensors --method rollout -o rollout.attn.safetensors
  attnscope render rollout.attn.safetensors --view grid -o rollout.png
)";
}  // namespace

int cmd_derive(int argc, char** argv) {
  Args args(argc, argv, {});
  if (args.help()) {
    std::fputs(kHelp, stdout);
    return 0;
  }
  const std::string method = args.choice("method", "rollout", {"rollout", "flow"});
  const std::string kind = args.get("kind", "");
  const auto out = args.get("out");
  args.finish();
  if (args.positionals().size() != 1) throw UsageError("give exactly one .attn.safetensors file");
  if (!out) throw UsageError("missing -o OUT.attn.safetensors");
  const AttentionSet set = load_attention_set(args.positionals()[0]);
  save_attention_set(derive_attention(set, derived_attention_from_name(method), kind), *out);
  std::fprintf(stderr, "wrote %s (%s)\n", out->c_str(), method.c_str());
  return 0;
}

}  // namespace attnscope
