// Source files: line index and byte offset → (line, code-point column).
#include "jixiao/dsl/source.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

#include "jixiao/dsl/utf8.hpp"

namespace jixiao {

SourceFile::SourceFile(std::string path, std::string text) : path_(std::move(path)), owned_(std::move(text)), text_(owned_) {}

SourceFile::SourceFile(std::string path, std::string_view text, std::shared_ptr<const void> keeper)
    : path_(std::move(path)), keeper_(std::move(keeper)), text_(text) {}

void SourceFile::index_lines(std::size_t lines, std::size_t offset) const {
  if (line_starts_.empty()) line_starts_.push_back(0);
  while (indexed_ < text_.size() && line_starts_.size() < lines && line_starts_.back() <= offset) {
    const std::size_t end = text_.find('\n', indexed_);
    if (end == std::string_view::npos) {
      indexed_ = text_.size();
      break;
    }
    line_starts_.push_back(static_cast<std::uint32_t>(end + 1));
    indexed_ = end + 1;
  }
}

LineColumn SourceFile::line_column(std::uint32_t offset) const {
  offset = std::min<std::uint32_t>(offset, static_cast<std::uint32_t>(text_.size()));
  index_lines(std::numeric_limits<std::size_t>::max(), offset);
  const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  const auto line = static_cast<std::uint32_t>(it - line_starts_.begin());
  const std::uint32_t start = line_starts_[line - 1];
  const std::string_view before(text_.data() + start, offset - start);
  return {line, static_cast<std::uint32_t>(utf8::count_code_points(before) + 1)};
}

std::uint32_t SourceFile::line_start(std::uint32_t line) const {
  index_lines(line, std::numeric_limits<std::size_t>::max());
  if (line == 0 || line > line_starts_.size()) return static_cast<std::uint32_t>(text_.size());
  return line_starts_[line - 1];
}

std::string_view SourceFile::line_text(std::uint32_t line) const {
  index_lines(std::size_t{line} + 1, std::numeric_limits<std::size_t>::max());
  if (line == 0 || line > line_starts_.size()) return {};
  const std::uint32_t start = line_starts_[line - 1];
  std::uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1
                                                 : static_cast<std::uint32_t>(text_.size());
  if (end > start && text_[end - 1] == '\r') --end;
  if (end < start) end = start;
  return text_.substr(start, end - start);
}

SourceId SourceSet::add(std::string path, std::string text) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), std::move(text)));
  return SourceId{static_cast<std::uint32_t>(files_.size() - 1)};
}

SourceId SourceSet::add(std::string path, std::string_view text, std::shared_ptr<const void> keeper) {
  files_.push_back(std::make_unique<SourceFile>(std::move(path), text, std::move(keeper)));
  return SourceId{static_cast<std::uint32_t>(files_.size() - 1)};
}

const SourceFile& SourceSet::get(SourceId id) const {
  const auto index = static_cast<std::uint32_t>(id);
  if (index >= files_.size()) throw std::out_of_range("SourceSet::get: unknown source id");
  return *files_[index];
}

}  // namespace jixiao
