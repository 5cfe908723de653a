// The standard library of policies (stdlib-rules/*.jx), embedded in the binary at build time.
#pragma once

#include <span>
#include <string_view>

namespace jixiao {

/// One bundled policy file: `name` is its file name without `.jx` ("3x"), named `std/3x` in
/// policies; `text` is its content. Storage is static.
struct StdlibFile {
  std::string_view name;
  std::string_view text;
};

/// Every bundled file, sorted by name.
std::span<const StdlibFile> stdlib_files();

}  // namespace jixiao
