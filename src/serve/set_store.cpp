#include "serve/set_store.h"

#include <stdexcept>

namespace attnscope {

int SetStore::add(std::string name, std::string origin, AttentionSet set) {
  std::lock_guard lock(mutex_);
  const int id = next_id_++;
  sets_.push_back({id, std::move(name), origin, std::make_shared<const AttentionSet>(std::move(set))});
  size_t runs = 0;
  for (const auto& s : sets_) runs += s.origin == "run";
  for (auto it = sets_.begin(); runs > kMaxRunSets && it != sets_.end();) {
    if (it->origin == "run") {
      it = sets_.erase(it);
      --runs;
    } else {
      ++it;
    }
  }
  return id;
}

std::shared_ptr<const AttentionSet> SetStore::get(int id) const {
  std::lock_guard lock(mutex_);
  for (const auto& s : sets_)
    if (s.id == id) return s.set;
  throw std::out_of_range("no set with id " + std::to_string(id));
}

std::vector<StoredSet> SetStore::list() const {
  std::lock_guard lock(mutex_);
  return sets_;
}

}  // namespace attnscope
