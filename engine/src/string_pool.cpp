// The string pool (dataset.hpp): texts interned once, found by 8 bytes, sorted into byte order.
#include <algorithm>
#include <cstring>

#include "jixiao/engine/dataset.hpp"
#include "parallel.hpp"

namespace jixiao::engine {

namespace {

// The hash of a text as the pool keeps it: its low 32 bits, which are all a slot's index uses.
std::uint32_t hash32(std::size_t hash) { return static_cast<std::uint32_t>(hash); }

}  // namespace

StringPool::StringPool(const StringPool& other) { *this = other; }

StringPool& StringPool::operator=(const StringPool& other) {
  if (this == &other) return *this;
  *this = StringPool();
  reserve(other.size());
  for (const std::uint64_t t : other.texts_) intern(other.view(t));
  return *this;
}

std::size_t StringPool::slot_of(std::string_view s, std::size_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  const std::uint32_t h = hash32(hash);
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    const std::uint32_t id = slots_[i];
    if (id == 0 || (hashes_[id - 1] == h && view(texts_[id - 1]) == s)) return i;
  }
}

void StringPool::grow() {
  // Twice the size, and at least twice the texts there are (the index may have been let go).
  std::size_t size = slots_.empty() ? 64 : slots_.size() * 2;
  while ((texts_.size() + 1) * 2 > size) size *= 2;
  slots_.assign(size, 0);
  if (hashes_.size() < texts_.size()) {  // let go of with the index: made again
    hashes_.reserve(texts_.capacity());
    for (std::size_t id = hashes_.size(); id < texts_.size(); ++id) {
      hashes_.push_back(hash32(std::hash<std::string_view>{}(view(texts_[id]))));
    }
  }
  const std::size_t mask = size - 1;
  for (std::size_t id = 0; id < texts_.size(); ++id) {
    std::size_t i = hashes_[id] & mask;  // (a table of 2^32 slots would hold more ids than there can be)
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = static_cast<std::uint32_t>(id + 1);
  }
}

void StringPool::release_index() {
  std::vector<std::uint32_t>().swap(slots_);
  std::vector<std::uint32_t>().swap(hashes_);
}

std::uint64_t StringPool::store(std::string_view s) {
  if (s.size() >= kField) {  // a block of its own, its length first
    auto block = std::make_unique_for_overwrite<char[]>(sizeof(std::size_t) + s.size());
    const std::size_t size = s.size();
    std::memcpy(block.get(), &size, sizeof size);
    std::copy(s.begin(), s.end(), block.get() + sizeof size);
    blocks_.push_back(std::move(block));
    return (static_cast<std::uint64_t>(blocks_.size() - 1) << 40) | (std::uint64_t{sizeof(std::size_t)} << 20) | kField;
  }
  if (s.size() > block_left_ || blocks_.empty()) {  // (an empty text too needs a block to point into)
    blocks_.push_back(std::make_unique_for_overwrite<char[]>(kField));
    block_ = blocks_.size() - 1;
    block_used_ = 0;
    block_left_ = kField;
  }
  std::copy(s.begin(), s.end(), blocks_[block_].get() + block_used_);
  const std::uint64_t ref = (static_cast<std::uint64_t>(block_) << 40) | (static_cast<std::uint64_t>(block_used_) << 20) | s.size();
  block_used_ += s.size();
  block_left_ -= s.size();
  return ref;
}

std::uint32_t StringPool::intern(std::string_view s) {
  if ((texts_.size() + 1) * 2 > slots_.size()) grow();  // at most half full
  const std::size_t hash = std::hash<std::string_view>{}(s);
  const std::size_t i = slot_of(s, hash);
  if (slots_[i] != 0) return slots_[i] - 1;
  const auto id = static_cast<std::uint32_t>(texts_.size());
  texts_.push_back(store(s));
  hashes_.push_back(hash32(hash));
  slots_[i] = id + 1;
  return id;
}

void StringPool::shrink_to_fit() {
  texts_.shrink_to_fit();
  hashes_.shrink_to_fit();
}

void StringPool::reserve(std::size_t n) {
  while (n * 2 > slots_.size()) grow();
  texts_.reserve(n);
  hashes_.reserve(n);
}

std::vector<std::uint32_t> StringPool::byte_order(std::size_t threads) const {
  // Sorted by the first 16 bytes as two big-endian integers (zero-padded), then by the whole text
  // where those are equal: mostly integer comparisons, and exact.
  struct Entry {
    std::uint64_t hi;
    std::uint64_t lo;
    std::uint32_t id;
  };
  auto word = [](std::string_view s, std::size_t from) {
    std::uint64_t w = 0;
    for (std::size_t i = from; i < from + 8; ++i) w = (w << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0U);
    return w;
  };
  std::vector<Entry> entries(texts_.size());
  for (std::size_t i = 0; i < texts_.size(); ++i) {
    const std::string_view t = view(texts_[i]);
    entries[i] = {word(t, 0), word(t, 8), static_cast<std::uint32_t>(i)};
  }
  const auto less = [this](const Entry& a, const Entry& b) {
    if (a.hi != b.hi) return a.hi < b.hi;
    if (a.lo != b.lo) return a.lo < b.lo;
    return view(texts_[a.id]) < view(texts_[b.id]);
  };
  // With threads, each sorts a part, then the sorted parts are merged in turn (texts are distinct,
  // so the order is the same however the work was cut).
  const std::size_t parts = std::clamp<std::size_t>(entries.size() / 65536, 1, std::clamp<std::size_t>(threads, 1, 8));
  auto cut = [&](std::size_t k) { return entries.begin() + static_cast<std::ptrdiff_t>(entries.size() * k / parts); };
  detail::run_parallel(parts, [&](std::size_t k) { std::sort(cut(k), cut(k + 1), less); });
  for (std::size_t k = 1; k < parts; ++k) std::inplace_merge(entries.begin(), cut(k), cut(k + 1), less);
  std::vector<std::uint32_t> order(texts_.size());
  for (std::size_t i = 0; i < entries.size(); ++i) order[entries[i].id] = static_cast<std::uint32_t>(i);
  return order;
}

std::optional<std::uint32_t> StringPool::find(std::string_view s) const {
  if (slots_.empty()) {  // no index (release_index()): a search
    for (std::size_t id = 0; id < texts_.size(); ++id) {
      if (view(texts_[id]) == s) return static_cast<std::uint32_t>(id);
    }
    return std::nullopt;
  }
  const std::size_t i = slot_of(s, std::hash<std::string_view>{}(s));
  if (slots_[i] == 0) return std::nullopt;
  return slots_[i] - 1;
}

}  // namespace jixiao::engine
