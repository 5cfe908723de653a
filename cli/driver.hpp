// The command-line driver: `jixiao <command> [options]`, callable in-process (tests drive it
// directly with string streams; main.cpp adapts argc/argv and the standard streams).
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace jixiao::cli {

/// Where a run writes. `err_is_terminal` enables colour (unless NO_COLOR) and progress output.
struct Io {
  std::ostream& out;
  std::ostream& err;
  bool err_is_terminal = false;
  bool no_color = false;  ///< the NO_COLOR environment variable is set
  const char* lang_env = nullptr;  ///< the JIXIAO_LANG environment variable, or null when not set
};

/// Runs one command. `args` excludes the program name. Returns the exit code: 0 success,
/// 1 errors in the policy or data (or check findings), 2 usage or I/O failure.
int run(const std::vector<std::string>& args, Io& io);

}  // namespace jixiao::cli
