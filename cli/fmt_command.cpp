// `jixiao fmt [--check] FILE...`: rewrites policies in the canonical layout (docs/fmt.md), keeping
// every comment; files that do not parse are reported as `check` reports them and left untouched.
#include <algorithm>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "commands.hpp"
#include "files.hpp"
#include "jixiao/dsl/format.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> fmt_options() {
  return with_common({
      {"check", 0, "", msg::cli_opt_fmt_check()},
      {"diff", 0, "", msg::cli_opt_fmt_diff()},
      {"stdout", 0, "", msg::cli_opt_fmt_stdout()},
      {"keywords", 0, "zh|en", msg::cli_opt_fmt_keywords()},
  });
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

// A unified diff of `before` and `after` (3 lines of context), from a longest common subsequence.
std::string unified_diff(const std::string& path, const std::string& before, const std::string& after) {
  const std::vector<std::string> a = split_lines(before);
  const std::vector<std::string> b = split_lines(after);
  const std::size_t n = a.size();
  const std::size_t m = b.size();
  // Edit script: ' ' keep, '-' delete from a, '+' insert from b.
  std::vector<std::pair<char, std::string>> script;
  if (n * m <= 25'000'000) {
    std::vector<std::vector<std::uint32_t>> lcs(n + 1, std::vector<std::uint32_t>(m + 1, 0));
    for (std::size_t i = n; i-- > 0;) {
      for (std::size_t j = m; j-- > 0;) {
        lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
      }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[i] == b[j]) {
        script.emplace_back(' ', a[i++]);
        ++j;
      } else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1])) {
        script.emplace_back('-', a[i++]);
      } else {
        script.emplace_back('+', b[j++]);
      }
    }
  } else {
    for (const auto& l : a) script.emplace_back('-', l);
    for (const auto& l : b) script.emplace_back('+', l);
  }
  std::string out = "--- " + path + "\n+++ " + msg::cli_fmt_diff_formatted(path).str(lang()) + "\n";
  constexpr std::size_t kContext = 3;
  std::size_t k = 0;
  while (k < script.size()) {
    if (script[k].first == ' ') {
      ++k;
      continue;
    }
    // A hunk: from kContext lines before this change to kContext lines after the last change
    // that is at most 2 × kContext lines from the previous one.
    const std::size_t start = k >= kContext ? k - kContext : 0;
    std::size_t end = k;
    while (end < script.size()) {
      std::size_t next = end;
      while (next < script.size() && script[next].first != ' ') ++next;
      std::size_t same = next;
      while (same < script.size() && script[same].first == ' ') ++same;
      if (same == script.size() || same - next > 2 * kContext) {
        end = std::min(script.size(), next + kContext);
        break;
      }
      end = same;
    }
    std::size_t a_line = 1;
    std::size_t b_line = 1;
    for (std::size_t x = 0; x < start; ++x) {
      if (script[x].first != '+') ++a_line;
      if (script[x].first != '-') ++b_line;
    }
    std::size_t a_count = 0;
    std::size_t b_count = 0;
    std::string body;
    for (std::size_t x = start; x < end; ++x) {
      if (script[x].first != '+') ++a_count;
      if (script[x].first != '-') ++b_count;
      body += std::string(1, script[x].first) + script[x].second + "\n";
    }
    out += "@@ -" + std::to_string(a_count ? a_line : a_line - 1) + "," + std::to_string(a_count) + " +" +
           std::to_string(b_count ? b_line : b_line - 1) + "," + std::to_string(b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

// The files to format: each FILE as given, and the `.jx` files under each directory (recursively,
// in order of their paths).
std::vector<std::string> policy_files(const std::vector<std::string>& paths) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  for (const std::string& p : paths) {
    std::error_code ec;
    if (!fs::is_directory(p, ec)) {
      out.push_back(p);
      continue;
    }
    std::vector<std::string> found;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec) && it->path().extension() == ".jx") found.push_back(it->path().string());
    }
    std::sort(found.begin(), found.end());
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

}  // namespace

int cmd_fmt(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, fmt_options(), "fmt");
  if (parsed.has("help")) {
    io.out << msg::cli_fmt_help().str(lang()) << options_help(fmt_options());
    return 0;
  }
  if (parsed.positional.empty()) {
    throw UsageError(msg::cli_needs_policies("fmt"), msg::cli_hint_fmt_example());
  }
  const bool check = parsed.has("check");
  const bool diff = parsed.has("diff");
  const bool to_stdout = parsed.has("stdout");
  if (to_stdout && (check || diff)) {
    throw UsageError(msg::cli_fmt_stdout_with_check(), msg::cli_hint_use_one());
  }
  dsl::KeywordSet keywords = dsl::KeywordSet::kAsWritten;
  if (const auto set = parsed.value("keywords")) {
    if (*set != "zh" && *set != "en") {
      throw UsageError(msg::keywords_value(*set), msg::hint_keywords_value());
    }
    keywords = *set == "zh" ? dsl::KeywordSet::kChinese : dsl::KeywordSet::kEnglish;
  }
  Session s(io, parsed);
  bool would_change = false;
  bool internal_error = false;
  std::string report;   // `FILE: would be reformatted`, `FILE: reformatted`
  std::string content;  // --stdout and --diff
  // Each file once, however it is named (`a.jx ./a.jx`, a link, a directory holding it): it is both
  // read and rewritten, and all rewritten files are committed together at the end.
  std::vector<std::string> files;
  std::vector<FileIdentity> seen;
  for (const std::string& path : policy_files(parsed.positional)) {
    const FileIdentity id = file_identity(path);
    if (std::find(seen.begin(), seen.end(), id) != seen.end()) continue;
    seen.push_back(id);
    files.push_back(path);
  }
  OutputSet outputs;
  std::vector<std::string> rewritten;
  for (const std::string& path : files) {
    auto text = s.read_file(path, "policy");
    if (!text) continue;
    const SourceId id = s.sources.add(path, std::move(*text));
    std::optional<std::string> formatted;
    try {
      formatted = dsl::format_file(s.sources, id, *s.limit, keywords);
    } catch (const std::logic_error& e) {
      // A bug in the formatter: never write what it produced.
      io.err << "jixiao: " << msg::label_internal_error().str(lang()) << path << ": " << e.what() << "\n"
             << msg::label_hint().str(lang()) << msg::cli_hint_fmt_bug().str(lang()) << "\n";
      internal_error = true;
      continue;
    }
    if (!formatted) continue;
    const bool changed = *formatted != s.sources.get(id).text();
    if (to_stdout) {
      content += *formatted;
      continue;
    }
    if (check || diff) {
      if (changed && check) report += msg::cli_fmt_would_reformat(path).str(lang()) + "\n";
      if (changed && diff) content += unified_diff(path, std::string(s.sources.get(id).text()), *formatted);
      would_change = would_change || changed;
      continue;
    }
    if (!changed) continue;
    if (auto error = outputs.stage(outputs.add(path, "", msg::cli_out_formatted()), *formatted)) {
      s.report_io_error(error->path, error->message, msg::cli_hint_file_writable_unchanged());
      break;
    }
    rewritten.push_back(path);
  }
  if (!s.io_failed) {
    if (auto error = outputs.commit()) {
      s.report_io_error(error->path, error->message, msg::cli_hint_file_writable());
    } else if (s.verbosity >= 1) {
      for (const std::string& path : rewritten) report += msg::cli_fmt_reformatted(path).str(lang()) + "\n";
    }
  }
  io.out << content;
  s.flush_diagnostics();
  // With JSON diagnostics on stdout, the exit code says whether a file would be reformatted.
  if (!s.json) io.out << report;
  if (internal_error) return 2;
  const int code = s.exit_code();
  if (code == 0 && check && would_change) return 1;
  return code;
}

}  // namespace jixiao::cli
