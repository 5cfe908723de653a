// Writing output files safely: shared by the commands that write results and reports.
#pragma once

#include <string>
#include <string_view>

namespace jixiao::cli {

/// Writes `text` to `path` through a temporary file in the same directory (`PATH.tmp-PID`) and a
/// rename, so that a reader sees either the old file or the complete new one, never half a file.
/// Returns an empty string on success, else a message `cannot write WHAT to `PATH`: reason`
/// (e.g. WHAT = "the results"); the temporary file is removed on failure.
std::string write_atomically(const std::string& path, const std::string& text, std::string_view what);

}  // namespace jixiao::cli
