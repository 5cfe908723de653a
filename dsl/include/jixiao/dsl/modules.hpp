// Modules: `extends` (a variant of a whole policy), `import` (named declarations from another
// file), and a variant's `override`, `remove` and `add`. Linking produces one merged Module, which
// is then checked like any policy.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "jixiao/dsl/ast.hpp"
#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao::dsl {

/// The longest chain of files a policy may pull in through `extends` and `import` (the policy
/// itself is the first); a file beyond it is reported as `too-deep` where it is named.
inline constexpr std::size_t kMaxModuleChain = 64;

/// A file found for `extends "..."` or `import ... from "..."`.
struct ResolvedModule {
  std::string key;      ///< identity for cycle detection and caching (a canonical path, or "std/3x")
  std::string display;  ///< the path shown in diagnostics ("stdlib-rules/3x.jx", "examples/a/base.jx")
  std::string text;
};

/// Why a module name could not be resolved.
struct ResolveFailure {
  DiagCode code = DiagCode::module_not_found;  ///< module-not-found, path-escape, or io-error (a FIFO, say)
  Message message;  ///< catalogue messages (resolver.cpp may still assign untranslated text)
  Message hint;
};

/// Finds the files that policies name. `std/NAME` names the bundled standard library; any other
/// name is a path relative to the directory of the file that names it, which must stay inside the
/// roots the resolver allows (the standard library, and the top-level policy's directory).
class ModuleResolver {
 public:
  virtual ~ModuleResolver() = default;
  /// Resolves `name` as written in the file whose key is `from_key`.
  virtual std::variant<ResolvedModule, ResolveFailure> resolve(const std::string& name, const std::string& from_key) = 0;
};

/// One difference between a variant and its base, for `jixiao check --show-variant`.
struct VariantChange {
  std::string kind;    ///< "weight", "formula", "coef", "band", "param", "set", "let", "remove", "add", "new", "output",
                       ///< "subject", "precision", "segment" (a segment and its condition)
  std::string target;  ///< what changed, e.g. "总分.创新层"; in a segment's trees "农村: 总分.基础服务"
  std::string before;  ///< empty for additions
  std::string after;   ///< empty for removals
  Span where;          ///< the variant's line that makes the change
};

/// The merged policy and what it was made of.
struct LinkedPolicy {
  ast::Module module;
  std::vector<VariantChange> changes;  ///< empty unless the policy extends another or has segments
  std::optional<std::string> base;     ///< the base as written (`"std/3x"`), when it extends one
  std::vector<std::string> files;      ///< display paths of every file in the closure, top file first
};

/// Parses the file `top` of `sources` (already added with its key `top_key`), resolves its
/// `extends` and `import`s through `resolver` (adding every file it reads to `sources`), merges
/// them and applies the overrides. Returns nullopt iff an error was reported.
std::optional<LinkedPolicy> link(SourceSet& sources, SourceId top, const std::string& top_key,
                                 ModuleResolver& resolver, DiagnosticSink& sink);

}  // namespace jixiao::dsl
