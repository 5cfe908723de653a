// Shared by the CLI's unit tests: reading and writing whole files, and running `jixiao` in-process.
#pragma once

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "driver.hpp"

namespace jixiao::cli::test_util {

inline std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

inline void write(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

/// What a run of `jixiao` gave: the exit code, stdout and stderr.
struct Result {
  int code = 0;
  std::string out;
  std::string err;
};

/// Runs `jixiao ARGS...` in-process (no colour), in English unless `lang` says otherwise (as
/// JIXIAO_LANG would).
inline Result jixiao(const std::vector<std::string>& args, const char* lang = "en") {
  std::ostringstream out;
  std::ostringstream err;
  Io io{out, err, false, true, lang};
  Result r;
  r.code = run(args, io);
  r.out = out.str();
  r.err = err.str();
  return r;
}

}  // namespace jixiao::cli::test_util
