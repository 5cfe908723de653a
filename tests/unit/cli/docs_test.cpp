// Every policy example in the documentation is checked: ```jx blocks must pass `jixiao check`
// cleanly (no errors, no warnings); ```jx-error blocks must fail with the code their first line
// names (`# error: CODE`). The examples cannot drift from the language.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "driver.hpp"

namespace fs = std::filesystem;

namespace {

struct Block {
  std::string file;
  int line = 0;
  bool error = false;
  std::string text;
};

std::vector<Block> blocks_of(const fs::path& path) {
  std::ifstream in(path);
  std::vector<Block> out;
  std::string line;
  int number = 0;
  Block* open = nullptr;
  Block current;
  while (std::getline(in, line)) {
    ++number;
    if (open == nullptr && (line == "```jx" || line == "```jx-error")) {
      current = Block{path.filename().string(), number, line == "```jx-error", ""};
      open = &current;
    } else if (open != nullptr && line == "```") {
      out.push_back(current);
      open = nullptr;
    } else if (open != nullptr) {
      current.text += line + "\n";
    }
  }
  return out;
}

std::vector<Block> all_blocks() {
  std::vector<Block> all;
  const fs::path root(JIXIAO_SOURCE_DIR);
  std::vector<fs::path> files = {root / "README.md"};
  for (const auto& e : fs::directory_iterator(root / "docs")) {
    if (e.path().extension() == ".md") files.push_back(e.path());
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
    (b.error ? bad : ok) += 1;
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
    if (!b.error) {
      EXPECT_EQ(code, 0) << where << "\n" << err.str();
      EXPECT_EQ(err.str(), "") << where;
      continue;
    }
    const std::string first = b.text.substr(0, b.text.find('\n'));
    const std::string prefix = "# error: ";
    ASSERT_EQ(first.rfind(prefix, 0), 0u) << where << ": a jx-error block starts with `# error: CODE`";
    const std::string expected = "[" + first.substr(prefix.size()) + "]";
    EXPECT_EQ(code, 1) << where;
    EXPECT_NE(err.str().find(expected), std::string::npos) << where << " expected " << expected << ", got:\n" << err.str();
  }
  fs::remove_all(dir);
}

}  // namespace
