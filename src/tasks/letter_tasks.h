// reverse, shift-left:K, shift-right:K: random lower-case words (a-z) whose letters move to fixed
// new positions. The seed's examples: reverse "monojitcnn" -> "nnctijonom", shift-left:4 ->
// "jitcnnmono", shift-right:3 -> "cnnmonojit".
#pragma once

#include <memory>
#include <string>

#include "tasks/task.h"

namespace attnscope {

std::string reverse_text(const std::string& text);
std::string rotate_left(const std::string& text, size_t k);   // k <= text.size()
std::string rotate_right(const std::string& text, size_t k);  // k <= text.size()

enum class LetterOp { Reverse, ShiftLeft, ShiftRight };

// Words of min_len..max_len letters. Shifts need 0 < k < min_len, so every example really moves
// letters (a rotation by the whole length would be the identity); throws std::invalid_argument.
std::unique_ptr<Task> make_letter_task(LetterOp op, size_t k, size_t min_len, size_t max_len);

}  // namespace attnscope
