// `jixiao verify`: being written.
#include "commands.hpp"

namespace jixiao::cli {

int cmd_verify(const std::vector<std::string>& args, Io& io) {
  (void)args;
  (void)io;
  throw UsageError("`jixiao verify` is not available yet", "run `jixiao --help` to see the commands");
}

}  // namespace jixiao::cli
