// Internal: running a recursive pass on a stack of a known size.
#pragma once

#include <cstddef>
#include <functional>

namespace jixiao::dsl::detail {

/// The stack the parser runs on. The grammar recurses through a dozen rules for each level of
/// nesting, and the nesting limit (kMaxNesting, docs/language.md §15) is what bounds it: about
/// 1 KiB a level in a release build, but up to 60 KiB with AddressSanitizer. 64 MiB is reserved
/// (address space only: pages are used as the recursion reaches them), so the limit, not the
/// stack the process happened to start with (`ulimit -s`), is what stops deep input.
inline constexpr std::size_t kParserStackBytes = std::size_t{64} << 20;

/// Runs `work` on a thread with a stack of `bytes` (one such thread, made on first use and kept;
/// calls from several threads take turns) and waits for it; an exception thrown by `work` is
/// rethrown here. When no such thread can be made (address space limited with `ulimit -v`,
/// say), or when called on that thread, `work` runs on the calling thread. `bytes` is read on
/// the first call only.
void run_with_stack(std::size_t bytes, const std::function<void()>& work);

}  // namespace jixiao::dsl::detail
