// Writing output files safely (see files.hpp).
#include "files.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

namespace jixiao::cli {

std::string write_atomically(const std::string& path, const std::string& text, std::string_view what) {
  const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
  const std::string prefix = "cannot write " + std::string(what) + " to `" + path + "`: ";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return prefix + std::strerror(errno);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) {
      const std::string why = std::strerror(errno);
      std::remove(tmp.c_str());
      return prefix + why;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return prefix + why;
  }
  return "";
}

}  // namespace jixiao::cli
