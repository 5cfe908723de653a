// The migration ledger: per source file, how many places still build a user-visible diagnostic
// (or usage error, note, hint) from untranslated text instead of a catalogue message
// (dsl/include/jixiao/dsl/messages/*.def). The count may only go down: when a file gets more than
// the ledger says, this test fails; when it gets fewer, lower the ledger (the failure prints the
// table to paste). docs/architecture.md ("Messages") explains the migration.
//
// The places are found by reading the source, so the count is a close estimate, not a proof:
//   - every `make_diagnostic(` (the untranslated constructor);
//   - every call whose first argument is a `DiagCode::` (a diagnostic being built), a
//     `UsageError(`, a `report_io_error(`, a `const Activity name(`, a note (`notes.push_back(`,
//     `Note{`, `Note(`), and every `.message =` / `.hint =` statement, unless a `msg::` message
//     appears in it (or `.message()`, which forwards a message already built);
//   - every explicit `Message(text)` (an untranslated piece inside a translated message).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace {

namespace fs = std::filesystem;

// The ledger: what is left to migrate. Lower a number when you migrate; never raise one.
const std::map<std::string, int> kLedger = {
    {"cli/driver.cpp", 2},
    {"cli/evaluation.cpp", 1},  // find_key_row (moved from explain_command.cpp): a message chosen at run time
    {"cli/resolver.cpp", 1},
    {"cli/verify_command.cpp", 1},
    {"dsl/src/modules.cpp", 1},
    {"engine/src/encoding.cpp", 2},
    {"engine/src/loader.cpp", 3},
};

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// `text` without `//` comment lines (comments mention the constructors they describe).
std::string without_comment_lines(const std::string& text) {
  std::istringstream in(text);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t");
    if (first != std::string::npos && line.compare(first, 2, "//") == 0) continue;
    out += line + "\n";
  }
  return out;
}

// The end of the bracketed group that opens at `open` (`(` or `{`), skipping string and character
// literals; or `until` (`;`) for a statement.
std::size_t group_end(const std::string& t, std::size_t open) {
  const char o = t[open];
  const char c = o == '(' ? ')' : o == '{' ? '}' : ';';
  int depth = 0;
  for (std::size_t i = open; i < t.size(); ++i) {
    const char ch = t[i];
    if (ch == '"' || ch == '\'') {
      for (++i; i < t.size() && t[i] != ch; ++i) {
        if (t[i] == '\\') ++i;
      }
      continue;
    }
    if (o == ';' || c == ';') {
      if (ch == ';') return i;
      continue;
    }
    if (ch == o) ++depth;
    if (ch == c && --depth == 0) return i;
  }
  return t.size();
}

int untranslated_sites(const std::string& source) {
  const std::string t = without_comment_lines(source);
  int n = 0;
  // Constructions that are translated when a `msg::` message appears in them.
  static const std::regex site(
      R"((\bmake_diagnostic\()|\b(\w+)\((DiagCode::)|(\bUsageError\()|(\breport_io_error\()|(\bActivity\s+\w+\()|)"
      R"((\bnotes\.push_back\()|(\bNote[{(])|(\.(message|hint)\s*=[^=])|(\bMessage\((?![)]|MsgId)))");
  for (std::sregex_iterator it(t.begin(), t.end(), site), end; it != end; ++it) {
    const std::smatch& m = *it;
    const auto at = static_cast<std::size_t>(m.position(0));
    if (m[1].matched) {
      ++n;
      continue;
    }
    if (m[2].matched && (m[2] == "make_diagnostic" || m[2] == "slug" || m[2] == "default_severity")) continue;
    std::size_t open = at + static_cast<std::size_t>(m.length(0)) - 1;
    if (m[3].matched) open = at + static_cast<std::size_t>(m[2].length());  // the `(` before DiagCode::
    if (m[9].matched) open = t.find('=', at);                              // a statement: up to `;`
    if (m[11].matched) {                                                   // an explicit untranslated piece
      ++n;
      continue;
    }
    const std::size_t close = m[9].matched ? t.find(';', at) : group_end(t, open);
    const std::string body = t.substr(open, close == std::string::npos ? std::string::npos : close - open);
    // `msg::` builds a catalogue message; `.message()` forwards one already built.
    if (body.find("msg::") == std::string::npos && body.find(".message()") == std::string::npos) ++n;
  }
  return n;
}

std::map<std::string, int> count_all() {
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::map<std::string, int> counts;
  for (const char* dir : {"dsl/src", "cli", "engine/src"}) {
    for (const auto& e : fs::recursive_directory_iterator(root / dir)) {
      const std::string ext = e.path().extension().string();
      if (ext != ".cpp" && ext != ".hpp") continue;
      const std::string rel = e.path().lexically_relative(root).generic_string();
      // The catalogue and the diagnostic type themselves.
      if (rel == "dsl/src/message.cpp" || rel == "dsl/src/diagnostic.cpp" || rel == "cli/args.hpp" ||
          rel == "cli/commands.hpp") {
        continue;
      }
      const int n = untranslated_sites(read(e.path()));
      if (n > 0) counts[rel] = n;
    }
  }
  return counts;
}

TEST(MessageLedger, NoFileBuildsMoreUntranslatedDiagnosticsThanTheLedgerSays) {
  const std::map<std::string, int> counts = count_all();
  std::string table;
  int total = 0;
  for (const auto& [file, n] : counts) {
    table += "    {\"" + file + "\", " + std::to_string(n) + "},\n";
    total += n;
  }
  bool changed = false;
  for (const auto& [file, n] : counts) {
    const auto it = kLedger.find(file);
    const int allowed = it == kLedger.end() ? 0 : it->second;
    EXPECT_LE(n, allowed) << file << " builds " << n << " diagnostics from untranslated text, the ledger allows "
                          << allowed << ": use catalogue messages (msg::...) for new texts";
    changed = changed || n != allowed;
  }
  for (const auto& [file, allowed] : kLedger) {
    const auto it = counts.find(file);
    const int n = it == counts.end() ? 0 : it->second;
    EXPECT_GE(n, allowed) << file << " now has " << n << " untranslated sites, fewer than the ledger's " << allowed
                          << ": lower the ledger";
    changed = changed || n != allowed;
  }
  if (changed) ADD_FAILURE() << "the ledger (" << total << " sites left) should read:\n" << table;
}

TEST(MessageLedger, TheScannerFindsEachKindOfSite) {
  EXPECT_EQ(untranslated_sites(R"(sink.report(make_diagnostic(DiagCode::usage, {}, "text"));)"), 1);
  EXPECT_EQ(untranslated_sites(R"(error(DiagCode::unknown_name, span, "unknown name `" + n + "`", "hint");)"), 1);
  EXPECT_EQ(untranslated_sites(R"(error(DiagCode::unknown_name, span, msg::unknown_name(n));)"), 0);
  EXPECT_EQ(untranslated_sites(R"(throw UsageError("bad `(x)`", "write ;");)"), 1);
  EXPECT_EQ(untranslated_sites(R"(throw UsageError(msg::unknown_command(c), hint);)"), 0);
  EXPECT_EQ(untranslated_sites(R"(d.notes.push_back({span, "the first is here"});)"), 1);
  EXPECT_EQ(untranslated_sites(R"(d.notes.push_back(Note{span, msg::note_row_here()});)"), 0);
  EXPECT_EQ(untranslated_sites("d.hint = \"did you mean\";\nd.message = msg::x();\n"), 1);
  EXPECT_EQ(untranslated_sites(R"(diagnose(DiagCode::io_error, {}, msg::cannot_read(k, p, Message(reason)));)"), 1);
  EXPECT_EQ(untranslated_sites("// make_diagnostic(DiagCode::x, \"in a comment\")\n"), 0);
  EXPECT_EQ(untranslated_sites(R"(const Activity reading("reading `" + p + "`");)"), 1);
}

}  // namespace
