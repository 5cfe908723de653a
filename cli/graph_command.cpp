// `jixiao graph`: being written.
#include "commands.hpp"

namespace jixiao::cli {

int cmd_graph(const std::vector<std::string>& args, Io& io) {
  (void)args;
  (void)io;
  throw UsageError("`jixiao graph` is not available yet", "run `jixiao --help` to see the commands");
}

}  // namespace jixiao::cli
