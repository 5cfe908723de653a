// `jixiao explain`: being written.
#include "commands.hpp"

namespace jixiao::cli {

int cmd_explain(const std::vector<std::string>& args, Io& io) {
  (void)args;
  (void)io;
  throw UsageError("`jixiao explain` is not available yet", "run `jixiao --help` to see the commands");
}

}  // namespace jixiao::cli
