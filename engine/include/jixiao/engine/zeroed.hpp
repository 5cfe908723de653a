// Columns whose rows are zero without being written: they become resident as they are filled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <utility>
#include <vector>

namespace jixiao::engine {

/// An allocator whose memory comes from calloc, zero already: for a block as large as a column of
/// rows, the system maps pages that it zeroes when they are first touched, so a column made with
/// zeroed_column() takes memory as its rows are written, not all at once when it is made (while,
/// say, the input columns read before it are let go of row by row). Elements made without a value
/// are left as the memory holds them, which is zero only in memory that was never used: grow a
/// vector of it without a value (resize(n)) only from empty, as zeroed_column() does.
template <typename T>
struct ZeroedAllocator {
  using value_type = T;
  ZeroedAllocator() = default;
  template <typename U>
  ZeroedAllocator(const ZeroedAllocator<U>& /*other*/) noexcept {}  // NOLINT(google-explicit-constructor)

  T* allocate(std::size_t n) {
    void* p = std::calloc(n, sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t /*n*/) noexcept { std::free(p); }
  template <typename U>
  void construct(U* p) noexcept {
    ::new (static_cast<void*>(p)) U;  // calloc's zero, not written again
  }
  template <typename U, typename... A>
  void construct(U* p, A&&... args) {
    ::new (static_cast<void*>(p)) U(std::forward<A>(args)...);
  }
  friend bool operator==(const ZeroedAllocator& /*a*/, const ZeroedAllocator& /*b*/) { return true; }
};

/// A column of int64 values per row (see Column), in memory from ZeroedAllocator.
using ColumnValues = std::vector<std::int64_t, ZeroedAllocator<std::int64_t>>;

/// `rows` zeros, taking memory only as they are overwritten.
inline ColumnValues zeroed_column(std::size_t rows) {
  ColumnValues v;
  v.resize(rows);
  return v;
}

}  // namespace jixiao::engine
