// sort: 3-10 random digits (repeats allowed) into ascending order. Half the examples use the seed's
// form "1, 9, 4, 3" -> "1, 3, 4, 9", half bare digits "1943" -> "1349"; the answer keeps the form.
#pragma once

#include <memory>
#include <string>

#include "tasks/task.h"

namespace attnscope {

// Sorts the digits of either form and writes them back in the same form (", "-separated if the
// input holds a comma). Other characters are dropped.
std::string sort_digits(const std::string& text);

std::unique_ptr<Task> make_sort_task();

}  // namespace attnscope
