// The command line's module resolver (see resolver.hpp).
#include "resolver.hpp"

#include <fstream>
#include <sstream>

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

std::string stdlib_list() {
  std::string list;
  for (const StdlibFile& f : stdlib_files()) list += (list.empty() ? "`std/" : ", `std/") + std::string(f.name) + "`";
  return list.empty() ? "none" : list;
}

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
  failure.message = "the standard library has no policy `" + name + "`";
  if (auto best = closest_name(wanted, names)) {
    failure.hint = "did you mean `std/" + *best + "`?";
  } else {
    failure.hint = "the standard policies are " + stdlib_list();
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
    failure.message = "`" + name + "` is an absolute path";
    failure.hint = "name files relative to the policy, e.g. `\"base.jx\"`, or use `std/...`";
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
    failure.message = "`" + name + "` is outside the policy's directory";
    failure.hint = "a policy can use the standard library (`std/...`) and files in its own directory and below";
    return failure;
  }
  std::string text;
  if (!fs::exists(canonical, ec) || fs::is_directory(canonical, ec)) {
    failure.code = DiagCode::module_not_found;
    failure.message = "cannot find `" + name + "` beside `" + display_[from_key] + "`";
    failure.hint = "the standard policies are " + stdlib_list() + "; other names are files relative to the policy";
    return failure;
  }
  if (const auto problem = read_regular_file(canonical.string(), text)) {
    failure.code = DiagCode::io_error;
    failure.message = "cannot read `" + name + "` beside `" + display_[from_key] + "`: " + problem->reason;
    failure.hint = problem->hint;
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
