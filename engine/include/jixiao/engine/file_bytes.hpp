// The bytes of a data file: mapped from the file, or held in a string. A mapped file's pages can
// be let go once they have been read (release), so that a large file is not held in memory for
// the whole run: a page used again (to quote a row in a message) is read again from the file.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace jixiao::engine {

class FileBytes {
 public:
  FileBytes() = default;
  /// Bytes already read.
  explicit FileBytes(std::string bytes) : owned_(std::move(bytes)) {}
  /// Maps the first `size` bytes of the open regular file `fd` (read only; the descriptor may be
  /// closed afterwards). Nullopt when there is nothing to map (size 0) or the system refuses:
  /// read the file instead.
  static std::optional<FileBytes> map(int fd, std::size_t size);

  [[nodiscard]] std::string_view view() const { return mapping_ ? mapped_ : std::string_view(owned_); }
  [[nodiscard]] bool mapped() const { return mapping_ != nullptr; }
  /// Keeps a mapping alive: whoever holds a copy may keep views into view() (null when the bytes
  /// are held in a string).
  [[nodiscard]] std::shared_ptr<const void> keeper() const { return mapping_; }
  /// The bytes held in a string (empty for a mapping).
  [[nodiscard]] std::string take() && { return std::move(owned_); }
  /// Lets go of the pages of a mapping that lie wholly inside `part` (a part of view()); does
  /// nothing for bytes held in a string. The bytes stay readable: a page let go is read again
  /// from the file when it is used.
  void release(std::string_view part) const;

 private:
  std::string owned_;
  std::shared_ptr<const void> mapping_;
  std::string_view mapped_;
};

/// Lets go of the pages wholly inside `part`, whose values nobody reads any more: of a read-only
/// file mapping (FileBytes::release, for code that keeps only a view of the mapping), which reads
/// as the file again should anything read it after; or of memory of the process's own (a column
/// spent as the rows are evaluated, executor.cpp), which then reads as zeros. A hint in effect:
/// failure changes nothing.
void release_pages(std::string_view part);

}  // namespace jixiao::engine
