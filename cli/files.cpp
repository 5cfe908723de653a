// Writing output files safely (see files.hpp).
#include "files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace jixiao::cli {

std::string write_atomically(const std::string& path, const std::string& text, std::string_view what) {
  return write_atomically(path, what, [&text](const Emit& emit) { emit(text); });
}

std::string write_atomically(const std::string& path, std::string_view what, const std::function<void(const Emit&)>& produce) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const std::string prefix = "cannot write " + std::string(what) + " to `" + path + "`: ";
  std::FILE* out = std::fopen(tmp.c_str(), "wb");
  if (out == nullptr) return prefix + std::strerror(errno);
  int failed = 0;  // the errno of the first failed write
  try {
    produce([&](std::string_view piece) {
      if (failed == 0 && !piece.empty() && std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) failed = errno != 0 ? errno : EIO;
    });
  } catch (...) {
    std::fclose(out);
    std::remove(tmp.c_str());
    throw;
  }
  if (std::fflush(out) != 0 && failed == 0) failed = errno != 0 ? errno : EIO;
  if (std::fclose(out) != 0 && failed == 0) failed = errno != 0 ? errno : EIO;
  if (failed != 0) {
    std::remove(tmp.c_str());
    return prefix + std::strerror(failed);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return prefix + why;
  }
  return "";
}

}  // namespace jixiao::cli
