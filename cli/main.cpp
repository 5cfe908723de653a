// The `jixiao` executable: adapts argc/argv and the standard streams to cli::run().
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "driver.hpp"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  jixiao::cli::Io io{std::cout, std::cerr, isatty(STDERR_FILENO) == 1, std::getenv("NO_COLOR") != nullptr,
                        std::getenv("JIXIAO_LANG")};
  const int code = jixiao::cli::run(std::vector<std::string>(argv + 1, argv + argc), io);
  std::cout.flush();
  return code;
}
