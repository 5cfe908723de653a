// Every policy example in the documentation (README.md, docs/*.md and the Chinese guides in
// docs/zh/*.md) is checked: ```jx blocks must pass `jixiao check` cleanly (no errors, no warnings);
// ```jx-error blocks must fail with the code their first line names (`# error: CODE`);
// ```jx-warning blocks must pass with the warning their first line names (`# warning: CODE`).
// The examples cannot drift from the language. Also: every diagnostic code is listed in
// docs/diagnostics.md and has a section in docs/zh/提示信息.md, and the policy and data shown in
// docs/zh/入门.md are the files of examples/入门/.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <unistd.h>

#include "driver.hpp"
#include "jixiao/dsl/diagnostic.hpp"

namespace fs = std::filesystem;

namespace {

enum class Kind { kClean, kError, kWarning };

struct Block {
  std::string file;
  int line = 0;
  Kind kind = Kind::kClean;
  std::string text;
  std::string info;  // what follows the opening ``` (`jx`, `csv`, `text` ...)
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every fenced block of a Markdown file, whatever its language.
std::vector<Block> fenced_blocks(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Block> out;
  std::string line;
  int number = 0;
  bool open = false;
  Block current;
  while (std::getline(in, line)) {
    ++number;
    if (!open && line.rfind("```", 0) == 0) {
      current = Block{path.filename().string(), number, Kind::kClean, "", line.substr(3)};
      open = true;
    } else if (open && line == "```") {
      out.push_back(current);
      open = false;
    } else if (open) {
      current.text += line + "\n";
    }
  }
  return out;
}

// The policy blocks: ```jx, ```jx-error and ```jx-warning.
std::vector<Block> blocks_of(const fs::path& path) {
  std::vector<Block> out;
  for (Block& b : fenced_blocks(path)) {
    if (b.info == "jx") {
      b.kind = Kind::kClean;
    } else if (b.info == "jx-error") {
      b.kind = Kind::kError;
    } else if (b.info == "jx-warning") {
      b.kind = Kind::kWarning;
    } else {
      continue;
    }
    out.push_back(std::move(b));
  }
  return out;
}

std::vector<Block> all_blocks() {
  std::vector<Block> all;
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::vector<fs::path> files = {root / "README.md"};
  for (const char* dir : {"docs", "docs/zh"}) {
    for (const auto& e : fs::directory_iterator(root / dir)) {
      if (e.path().extension() == ".md") files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    for (auto& b : blocks_of(f)) all.push_back(std::move(b));
  }
  return all;
}

TEST(Docs, LanguageDocumentHasExamplesOfBothKinds) {
  std::size_t ok = 0;
  std::size_t bad = 0;
  for (const Block& b : all_blocks()) {
    if (b.file != "language.md") continue;
    (b.kind == Kind::kError ? bad : ok) += 1;
  }
  EXPECT_GE(ok, 10u);
  EXPECT_GE(bad, 3u);
}

TEST(Docs, EveryPolicyExampleChecksAsDocumented) {
  const fs::path dir = fs::temp_directory_path() / ("jixiao-docs-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  for (const Block& b : all_blocks()) {
    const std::string where = b.file + ":" + std::to_string(b.line);
    const fs::path file = dir / "example.jx";
    std::ofstream(file) << b.text;
    std::ostringstream out;
    std::ostringstream err;
    jixiao::cli::Io io{out, err, false, true};
    const int code = jixiao::cli::run({"check", file.string(), "--color=never"}, io);
    if (b.kind == Kind::kClean) {
      EXPECT_EQ(code, 0) << where << "\n" << err.str();
      EXPECT_EQ(err.str(), "") << where;
      continue;
    }
    const std::string first = b.text.substr(0, b.text.find('\n'));
    const std::string prefix = b.kind == Kind::kError ? "# error: " : "# warning: ";
    ASSERT_EQ(first.rfind(prefix, 0), 0u) << where << ": a " << b.info << " block starts with `" << prefix << "CODE`";
    const std::string expected = "[" + first.substr(prefix.size()) + "]";
    EXPECT_EQ(code, b.kind == Kind::kError ? 1 : 0) << where;
    EXPECT_NE(err.str().find(expected), std::string::npos) << where << " expected " << expected << ", got:\n" << err.str();
  }
  fs::remove_all(dir);
}

// Both lists of diagnostics name every code of the registry: the English reference
// (docs/diagnostics.md, in a table row) and the Chinese guide (docs/zh/提示信息.md, a section
// headed "### `CODE`").
TEST(Docs, EveryDiagnosticCodeIsDocumentedInEnglishAndChinese) {
  const fs::path root(JIXIAO_SOURCE_DIR);
  const std::string english = read_file(root / "docs" / "diagnostics.md");
  const std::string chinese = read_file(root / "docs" / "zh" / "提示信息.md");
  ASSERT_FALSE(english.empty());
  ASSERT_FALSE(chinese.empty());
  for (const jixiao::DiagCode c : jixiao::all_codes()) {
    const std::string slug(jixiao::slug(c));
    EXPECT_NE(english.find("| `" + slug + "`"), std::string::npos) << "docs/diagnostics.md has no row for `" << slug << "`";
    EXPECT_NE(chinese.find("\n### `" + slug + "`"), std::string::npos)
        << "docs/zh/提示信息.md has no section `### `" << slug << "`：...`";
  }
}

// In docs/zh/提示信息.md, the output shown in a code's section (a block that starts with `$ jixiao`)
// prints that code: the example is the one the section is about. (The text of the messages is not
// compared; refresh it with docs/zh/refresh-outputs.sh.)
TEST(Docs, ChineseGuideShowsEachCodeInItsOwnSection) {
  const fs::path page = fs::path(JIXIAO_SOURCE_DIR) / "docs" / "zh" / "提示信息.md";
  std::ifstream in(page);
  std::string line;
  std::string code;
  bool shown = false;
  int outputs = 0;
  int number = 0;
  int section_line = 0;
  auto close_section = [&] {
    if (outputs > 0 && !shown) {
      ADD_FAILURE() << "提示信息.md:" << section_line << ": the output in the section of `" << code
                    << "` does not print [" << code << "]";
    }
  };
  while (std::getline(in, line)) {
    ++number;
    if (line.rfind("### `", 0) == 0) {
      if (!code.empty()) close_section();
      code = line.substr(5, line.find('`', 5) - 5);
      section_line = number;
      outputs = 0;
      shown = false;
    } else if (line.rfind("$ jixiao ", 0) == 0) {
      ++outputs;
    } else if (outputs > 0 && line.find("[" + code + "]") != std::string::npos) {
      shown = true;
    }
  }
  if (!code.empty()) close_section();
}

// docs/zh/入门.md shows the getting-started policy and data in full: they are the files of
// examples/入门/ (which examples_check, examples_policy_tests and policies_formatted test), so the
// page cannot show a policy that is not the one the reader copies.
TEST(Docs, GettingStartedShowsTheExampleFiles) {
  const fs::path root(JIXIAO_SOURCE_DIR);
  const std::vector<Block> blocks = fenced_blocks(root / "docs" / "zh" / "入门.md");
  const auto first = [&](const std::string& info) {
    const auto it = std::find_if(blocks.begin(), blocks.end(), [&](const Block& b) { return b.info == info; });
    return it == blocks.end() ? std::string("(no ```" + info + " block)") : it->text;
  };
  EXPECT_EQ(first("jx"), read_file(root / "examples" / "入门" / "policy.jx"));
  EXPECT_EQ(first("csv"), read_file(root / "examples" / "入门" / "data" / "社区数据.csv"));
}

}  // namespace
