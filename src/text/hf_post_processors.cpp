// tokenizer.json post-processors, for one sequence: TemplateProcessing ("single"), BertProcessing
// ([CLS] A [SEP]), RobertaProcessing (<s> A </s>), ByteLevel (offsets only: nothing for ids) and
// Sequence. Each becomes the ids add_special puts before and after the text's ids.
#include "text/hf_components.h"

namespace attnscope::hf {

namespace {

// A [token, id] pair of BertProcessing / RobertaProcessing.
int pair_id(const json& obj, const char* key, const std::string& file, const std::string& where) {
  if (!obj.contains(key) || !obj[key].is_array() || obj[key].size() != 2 || !obj[key][1].is_number_integer())
    fail(file, where + ": \"" + key + "\" is not [token, id]");
  return obj[key][1].get<int>();
}

void append(Template& t, const Template& more) {
  t.before.insert(t.before.end(), more.before.begin(), more.before.end());
  t.after.insert(t.after.end(), more.after.begin(), more.after.end());
}

}  // namespace

Template read_post_processor(const json& obj, const std::string& file,
                             const std::function<int(const std::string&)>& lookup) {
  Template t;
  if (obj.is_null()) return t;
  const std::string type = type_of(obj, file, "post-processor");
  const std::string where = "post-processor " + type;
  if (type == "ByteLevel") return t;
  if (type == "Sequence") {
    if (!obj.contains("processors") || !obj["processors"].is_array()) fail(file, where + ": no \"processors\" list");
    for (const json& p : obj["processors"]) append(t, read_post_processor(p, file, lookup));
    return t;
  }
  if (type == "BertProcessing" || type == "RobertaProcessing") {
    t.before.push_back(pair_id(obj, "cls", file, where));
    t.after.push_back(pair_id(obj, "sep", file, where));
    return t;
  }
  if (type == "TemplateProcessing") {
    if (!obj.contains("single") || !obj["single"].is_array()) fail(file, where + ": no \"single\" template");
    const json specials = obj.contains("special_tokens") ? obj["special_tokens"] : json::object();
    bool seen_sequence = false;
    for (const json& piece : obj["single"]) {
      if (piece.contains("Sequence")) {
        const std::string id = string_field(piece["Sequence"], "id", file, where, "A");
        if (id != "A" || seen_sequence) fail(file, where + ": the single template must hold the sequence $A once");
        seen_sequence = true;
      } else if (piece.contains("SpecialToken")) {
        const std::string name = string_field(piece["SpecialToken"], "id", file, where, "");
        std::vector<int> ids;
        if (specials.is_object() && specials.contains(name) && specials[name].contains("ids") && specials[name]["ids"].is_array()) {
          for (const json& id : specials[name]["ids"]) {
            if (!id.is_number_integer()) fail(file, where + ": special token \"" + name + "\" has an id that is not an integer");
            ids.push_back(id.get<int>());
          }
        } else {
          const int id = lookup(name);
          if (id < 0) fail(file, where + ": special token \"" + name + "\" is not defined");
          ids.push_back(id);
        }
        auto& side = seen_sequence ? t.after : t.before;
        side.insert(side.end(), ids.begin(), ids.end());
      } else {
        fail(file, where + ": a template piece is neither {\"Sequence\": ...} nor {\"SpecialToken\": ...}");
      }
    }
    if (!seen_sequence) fail(file, where + ": the single template lacks $A");
    return t;
  }
  fail(file, "post-processor type \"" + type + "\" is not supported");
}

}  // namespace attnscope::hf
