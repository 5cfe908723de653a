// Rendering diagnostics for people (text, clang style) and for tools (JSON).
#pragma once

#include <string>
#include <vector>

#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao {

struct RenderOptions {
  bool color = false;
  Lang lang = Lang::kZh;  ///< the language of messages and of the renderer's own words
};

/// Renders one diagnostic (and its notes) in the text form of docs/diagnostics.md:
/// `path:line:col: severity: message [code]`, an excerpt with a caret line, `hint:`, then notes.
std::string render_text(const Diagnostic& d, const SourceSet& sources, const RenderOptions& opts);

/// `N errors, M warnings` (singular forms when 1; `N 个错误，M 个警告`), or empty when both are 0.
std::string render_summary(std::size_t errors, std::size_t warnings, Lang lang = Lang::kZh);

/// Renders all diagnostics as the JSON document of docs/diagnostics.md (version 1), one line;
/// the messages in `lang`, the codes and severities as they are.
std::string render_json(const std::vector<Diagnostic>& ds, const SourceSet& sources, Lang lang = Lang::kZh);

/// Renders all diagnostics as a SARIF 2.1.0 log (one run of the tool "jixiao", one result per
/// diagnostic, notes as related locations, columns in Unicode code points), for code-scanning tools.
std::string render_sarif(const std::vector<Diagnostic>& ds, const SourceSet& sources, Lang lang = Lang::kZh);

}  // namespace jixiao
