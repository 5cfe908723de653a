// Writing output files safely: shared by the commands that write results and reports.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace jixiao::cli {

/// Writes `text` to `path` through a temporary file in the same directory (`PATH.tmp-PID`) and a
/// rename, so that a reader sees either the old file or the complete new one, never half a file.
/// Returns an empty string on success, else a message `cannot write WHAT to `PATH`: reason`
/// (e.g. WHAT = "the results"); the temporary file is removed on failure.
std::string write_atomically(const std::string& path, const std::string& text, std::string_view what);

/// Receives the pieces of a file's text in order.
using Emit = std::function<void(std::string_view)>;

/// As above, the text produced piece by piece: `produce` is called once with an Emit that appends
/// to the temporary file, which becomes `path` only when `produce` returned and every write
/// succeeded.
std::string write_atomically(const std::string& path, std::string_view what, const std::function<void(const Emit&)>& produce);

}  // namespace jixiao::cli
