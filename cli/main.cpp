// The `jixiao` executable: adapts argc/argv and the standard streams to cli::run(), and sets how
// glibc hands out large blocks.
#include <unistd.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include <cstdlib>
#include <iostream>

#include "driver.hpp"

int main(int argc, char** argv) {
#ifdef __GLIBC__
  // Blocks of 1 MiB and more (a column of 600,000 rows is 4.8 MB) get a mapping of their own, given
  // back to the system as soon as they are freed. By default glibc raises this threshold to the
  // largest block freed so far, and later columns then come from its heap, where a column let go
  // of stays resident: 10 to 15 MiB more at the peak at 600,000 rows (docs/performance.md).
  mallopt(M_MMAP_THRESHOLD, 1 << 20);
#endif
  std::ios::sync_with_stdio(false);
  jixiao::cli::Io io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1, std::getenv("NO_COLOR") != nullptr,
                        std::getenv("JIXIAO_LANG")};
  const int code = jixiao::cli::run(std::vector<std::string>(argv + 1, argv + argc), io);
  std::cout.flush();
  return code;
}
