// Rendering the rule changes for people and tools; shared by the impact's renderers.
#pragma once

#include <string>
#include <string_view>

#include "jixiao/dsl/json_writer.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/engine/diff.hpp"

namespace jixiao::engine::diff_detail {

/// `s` padded with spaces to `width` columns of display, on the right (pad) or the left (pad_left).
std::string pad(const std::string& s, std::size_t width);
std::string pad_left(const std::string& s, std::size_t width);
/// `"old":{"file":...,"policy":...},"new":{...}`.
void json_labels(JsonWriter& w, const DiffLabels& labels);
/// `"changes":[...]`, one line per change.
void json_changes(std::string& out, JsonWriter& w, const PolicyDiff& diff);

}  // namespace jixiao::engine::diff_detail
