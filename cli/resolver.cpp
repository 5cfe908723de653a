// The command line's module resolver (see resolver.hpp).
#include "resolver.hpp"

#include <fstream>
#include <sstream>

#include "args.hpp"
#include "files.hpp"
#include "input_file.hpp"

#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/stdlib.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kStd = "std/";

std::string strip_jx(std::string name) {
  if (name.size() > 3 && name.compare(name.size() - 3, 3, ".jx") == 0) name.resize(name.size() - 3);
  return name;
}

// The bundled standard policies, `std/NAME` each.
Message stdlib_list() {
  std::vector<std::string> names;
  for (const StdlibFile& f : stdlib_files()) names.push_back("std/" + std::string(f.name));
  return names.empty() ? msg::cli_std_none() : backticked_list(names);
}

// ResolveFailure (dsl/modules.hpp) holds texts: the messages are rendered in the run's language
// here, until the linker takes catalogue messages from resolvers.
std::string rendered(const Message& m) { return m.str(lang()); }

}  // namespace

FileResolver::FileResolver(const std::string& top_path) {
  std::error_code ec;
  const fs::path top = fs::weakly_canonical(fs::absolute(top_path, ec), ec);
  root_ = top.parent_path();
  top_key_ = top.string();
  display_[top_key_] = top_path;
}

std::variant<dsl::ResolvedModule, dsl::ResolveFailure> FileResolver::resolve_std(const std::string& name) {
  const std::string wanted = strip_jx(name.substr(kStd.size()));
  std::vector<std::string> names;
  for (const StdlibFile& f : stdlib_files()) {
    if (f.name == wanted) {
      return dsl::ResolvedModule{"std/" + wanted, "std/" + wanted + ".jx", std::string(f.text)};
    }
    names.emplace_back(f.name);
  }
  dsl::ResolveFailure failure;
  failure.code = DiagCode::module_not_found;
  failure.message = rendered(msg::cli_std_no_policy(name));
  if (auto best = closest_name(wanted, names)) {
    failure.hint = rendered(msg::cli_std_did_you_mean(*best));
  } else {
    failure.hint = rendered(msg::cli_std_policies_are(stdlib_list()));
  }
  return failure;
}

std::variant<dsl::ResolvedModule, dsl::ResolveFailure> FileResolver::resolve(const std::string& name,
                                                                             const std::string& from_key) {
  if (name.rfind(kStd, 0) == 0) return resolve_std(name);
  if (from_key.rfind(kStd, 0) == 0) {
    // Inside the standard library, names are other standard policies.
    return resolve_std(std::string(kStd) + name);
  }
  dsl::ResolveFailure failure;
  const fs::path relative(name);
  if (relative.is_absolute()) {
    failure.code = DiagCode::path_escape;
    failure.message = rendered(msg::cli_module_absolute(name));
    failure.hint = rendered(msg::cli_hint_module_relative());
    return failure;
  }
  const fs::path from_dir = fs::path(from_key).parent_path();
  fs::path candidate = (from_dir / relative).lexically_normal();
  std::error_code ec;
  if (!fs::exists(candidate, ec) && candidate.extension() != ".jx") candidate += ".jx";
  const fs::path canonical = fs::weakly_canonical(candidate, ec);
  const auto [root_end, ignored] = std::mismatch(root_.begin(), root_.end(), canonical.begin(), canonical.end());
  (void)ignored;
  if (root_end != root_.end()) {
    failure.code = DiagCode::path_escape;
    failure.message = rendered(msg::cli_module_outside(name));
    failure.hint = rendered(msg::cli_hint_module_outside());
    return failure;
  }
  std::string text;
  if (!fs::exists(canonical, ec) || fs::is_directory(canonical, ec)) {
    failure.code = DiagCode::module_not_found;
    failure.message = rendered(msg::cli_module_not_found(name, display_[from_key]));
    failure.hint = rendered(msg::cli_hint_module_not_found(stdlib_list()));
    return failure;
  }
  if (const auto problem = read_regular_file(canonical.string(), text)) {
    failure.code = DiagCode::io_error;
    failure.message = rendered(msg::cli_module_unreadable(name, display_[from_key], problem->reason));
    failure.hint = rendered(problem->hint);
    return failure;
  }
  const std::string key = canonical.string();
  const fs::path from_display = fs::path(display_[from_key]).parent_path();
  std::string display = (from_display / candidate.filename()).lexically_normal().string();
  if (relative.has_parent_path()) display = (from_display / relative).lexically_normal().string();
  if (fs::path(display).extension() != ".jx") display += ".jx";
  display_[key] = display;
  return dsl::ResolvedModule{key, display, std::move(text)};
}

}  // namespace jixiao::cli
