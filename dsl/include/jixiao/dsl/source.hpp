// Source files and spans: the one internal position form (byte ranges) and the one display form
// (1-based line, 1-based column counted in Unicode code points).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao {

/// Index of a file in a SourceSet.
enum class SourceId : std::uint32_t {};
inline constexpr SourceId kNoSource{0xFFFFFFFFu};

/// A byte range [begin, end) in one source file. begin == end marks a point.
struct Span {
  SourceId source = kNoSource;
  std::uint32_t begin = 0;
  std::uint32_t end = 0;

  [[nodiscard]] bool valid() const { return source != kNoSource; }
  friend bool operator==(const Span&, const Span&) = default;
};

/// A display position: both numbers are 1-based; `column` counts code points, not bytes.
struct LineColumn {
  std::uint32_t line = 1;
  std::uint32_t column = 1;
};

/// One file's text, as read (policies) or as decoded to UTF-8 (data files), with its path as the
/// user gave it. Line starts are computed as far as they are asked for (an error on line 1 of a
/// file of 100 million lines does not index the whole file).
class SourceFile {
 public:
  SourceFile(std::string path, std::string text);
  /// A text held elsewhere (a mapped data file), kept alive by `keeper`.
  SourceFile(std::string path, std::string_view text, std::shared_ptr<const void> keeper);
  SourceFile(const SourceFile&) = delete;  // text_ may view owned_
  SourceFile& operator=(const SourceFile&) = delete;

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string_view text() const { return text_; }

  /// Position of the byte `offset` (clamped to the text's size). A CRLF counts as one line end.
  [[nodiscard]] LineColumn line_column(std::uint32_t offset) const;

  /// The text of 1-based `line` without its line terminator.
  [[nodiscard]] std::string_view line_text(std::uint32_t line) const;

  /// Byte offset where 1-based `line` begins.
  [[nodiscard]] std::uint32_t line_start(std::uint32_t line) const;

 private:
  // Indexes line starts until `lines` of them are known, or the start of the first line after
  // byte `offset`, or the end of the text.
  void index_lines(std::size_t lines, std::size_t offset) const;

  std::string path_;
  std::string owned_;  ///< the text, unless it is held by keeper_
  std::shared_ptr<const void> keeper_;
  std::string_view text_;
  mutable std::vector<std::uint32_t> line_starts_;
  mutable std::size_t indexed_ = 0;  ///< bytes of text_ scanned for line starts
};

/// Owns every file a run reads, so that diagnostics can point into any of them. Files are never
/// removed; references returned by get() stay valid for the set's lifetime.
class SourceSet {
 public:
  SourceId add(std::string path, std::string text);
  /// A text held elsewhere, kept alive by `keeper` as long as the set.
  SourceId add(std::string path, std::string_view text, std::shared_ptr<const void> keeper);
  [[nodiscard]] const SourceFile& get(SourceId id) const;
  [[nodiscard]] std::size_t size() const { return files_.size(); }

 private:
  std::vector<std::unique_ptr<SourceFile>> files_;
};

}  // namespace jixiao
