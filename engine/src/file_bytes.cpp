// Mapped data files (see file_bytes.hpp).
#include "jixiao/engine/file_bytes.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>

namespace jixiao::engine {
namespace {

// A file mapping, unmapped with its last owner.
struct Mapping {
  void* address = nullptr;
  std::size_t size = 0;
  Mapping(void* a, std::size_t s) : address(a), size(s) {}
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  ~Mapping() { ::munmap(address, size); }
};

}  // namespace

std::optional<FileBytes> FileBytes::map(int fd, std::size_t size) {
  if (size == 0) return std::nullopt;  // (an empty mapping does not exist)
  void* address = ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (address == MAP_FAILED) return std::nullopt;
  (void)::madvise(address, size, MADV_SEQUENTIAL);  // read ahead; a hint only
  FileBytes bytes;
  bytes.mapping_ = std::make_shared<const Mapping>(address, size);
  bytes.mapped_ = std::string_view(static_cast<const char*>(address), size);
  return bytes;
}

void FileBytes::release(std::string_view part) const {
  if (mapping_) release_pages(part);
}

void release_pages(std::string_view part) {
  static const auto page = static_cast<std::uintptr_t>(::sysconf(_SC_PAGESIZE));
  const auto begin = (reinterpret_cast<std::uintptr_t>(part.data()) + page - 1) / page * page;
  const auto end = (reinterpret_cast<std::uintptr_t>(part.data()) + part.size()) / page * page;
  // MADV_DONTNEED drops the pages from the process: the next read of a private file mapping that
  // was never written maps the file's pages again, of anonymous memory fresh zero pages.
  if (begin < end) (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

}  // namespace jixiao::engine
