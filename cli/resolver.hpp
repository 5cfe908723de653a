// The command line's module resolver: `std/NAME` from the embedded standard library, other names
// as files beside the policy that names them, never outside the top-level policy's directory.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "jixiao/dsl/modules.hpp"

namespace jixiao::cli {

class FileResolver : public dsl::ModuleResolver {
 public:
  /// `top_path` is the policy given on the command line; its directory is the root that relative
  /// names must stay inside.
  explicit FileResolver(const std::string& top_path);

  /// The key of the top-level policy (its canonical path), for dsl::link().
  [[nodiscard]] const std::string& top_key() const { return top_key_; }

  std::variant<dsl::ResolvedModule, dsl::ResolveFailure> resolve(const std::string& name,
                                                                 const std::string& from_key) override;

 private:
  std::variant<dsl::ResolvedModule, dsl::ResolveFailure> resolve_std(const std::string& name);

  std::filesystem::path root_;
  std::string top_key_;
  std::map<std::string, std::string> display_;  ///< key → display path
};

}  // namespace jixiao::cli
