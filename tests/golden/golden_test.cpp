// Golden tests: run the CLI in-process on every case under tests/golden and compare stdout, stderr
// and the exit code byte for byte. JIXIAO_UPDATE_GOLDEN=1 rewrites the expected files instead.
// Every case runs twice: in Chinese (the default, JIXIAO_LANG=zh) and in English (JIXIAO_LANG=en);
// the English files carry `.en` before their extension.
//
//  check/<name>.jx      `jixiao check <name>.jx --color=never`: stderr → <name>.err (empty file
//                       when clean), stdout → <name>.out; then `--diagnostics-format=json`:
//                       stdout → <name>.json. In English: <name>.en.err, <name>.en.out,
//                       <name>.en.json. `fail_` cases must exit 1; `ok_` and `warn_` (warnings
//                       only) cases 0.
//  eval/<case>/, cli/<case>/ (directories starting with `_` hold shared files, not cases)
//                       case.toml: `args = [...]` (run in the case directory), `exit = N`, and
//                       optionally `files = ["out.csv"]`: files the run writes, compared with
//                       expected/<file> (from the Chinese run) and then removed. stdout →
//                       expected.out, stderr → expected.err; in English expected.en.out and
//                       expected.en.err.
#include <gtest/gtest.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "driver.hpp"
#include "jixiao/dsl/diagnostic.hpp"

namespace fs = std::filesystem;

namespace {

const fs::path kGoldenDir = fs::path(JIXIAO_SOURCE_DIR) / "tests" / "golden";

bool update_mode() {
  const char* v = std::getenv("JIXIAO_UPDATE_GOLDEN");
  return v != nullptr && std::string(v) == "1";
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// A line-by-line diff, enough to read a mismatch in the test log.
std::string diff(const std::string& expected, const std::string& actual) {
  auto lines = [](const std::string& s) {
    std::vector<std::string> v;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  };
  const auto e = lines(expected);
  const auto a = lines(actual);
  std::string out;
  for (std::size_t i = 0; i < std::max(e.size(), a.size()); ++i) {
    const std::string* el = i < e.size() ? &e[i] : nullptr;
    const std::string* al = i < a.size() ? &a[i] : nullptr;
    if (el && al && *el == *al) continue;
    out += "@@ line " + std::to_string(i + 1) + "\n";
    if (el) out += "- " + *el + "\n";
    if (al) out += "+ " + *al + "\n";
  }
  return out;
}

void compare(const fs::path& expected_file, const std::string& actual) {
  if (update_mode()) {
    if (actual.empty() && !fs::exists(expected_file) && expected_file.extension() != ".err") return;
    write(expected_file, actual);
    return;
  }
  const std::string expected = fs::exists(expected_file) ? read(expected_file) : "";
  EXPECT_EQ(expected, actual) << "golden file " << expected_file << " differs:\n" << diff(expected, actual)
                              << "(run with JIXIAO_UPDATE_GOLDEN=1 to accept the new output)";
}

struct RunResult {
  int code = 0;
  std::string out;
  std::string err;
};

// The two languages every case runs in, and the infix of their golden files.
struct Language {
  const char* env;     // JIXIAO_LANG
  const char* infix;   // before the extension of the golden files
};
constexpr Language kLanguages[] = {{"zh", ""}, {"en", ".en"}};

RunResult run_in(const fs::path& dir, const std::vector<std::string>& args, const char* lang) {
  const fs::path saved = fs::current_path();
  fs::current_path(dir);
  std::ostringstream out;
  std::ostringstream err;
  jixiao::cli::Io io{out, err, false, true, lang};
  RunResult r;
  r.code = jixiao::cli::run(args, io);
  fs::current_path(saved);
  r.out = out.str();
  r.err = err.str();
  return r;
}

// ---- check cases ----

class CheckCase : public testing::Test {
 public:
  explicit CheckCase(fs::path file) : file_(std::move(file)) {}
  void TestBody() override {
    const std::string name = file_.filename().string();
    const bool fail = name.rfind("fail_", 0) == 0;
    const fs::path dir = file_.parent_path();
    for (const Language& l : kLanguages) {
      SCOPED_TRACE(l.env);
      const std::string stem = file_.stem().string() + l.infix;
      const RunResult text = run_in(dir, {"check", name, "--color=never"}, l.env);
      EXPECT_EQ(text.code, fail ? 1 : 0) << name << " stderr:\n" << text.err;
      compare(dir / (stem + ".err"), text.err);
      compare(dir / (stem + ".out"), text.out);
      const RunResult json = run_in(dir, {"check", name, "--diagnostics-format=json"}, l.env);
      EXPECT_EQ(json.code, text.code);
      compare(dir / (stem + ".json"), json.out);
    }
  }

 private:
  fs::path file_;
};

// ---- directory cases ----

class DirCase : public testing::Test {
 public:
  explicit DirCase(fs::path dir) : dir_(std::move(dir)) {}
  void TestBody() override {
    const toml::table t = toml::parse_file((dir_ / "case.toml").string());
    std::vector<std::string> args;
    if (const auto* a = t["args"].as_array()) {
      for (const auto& v : *a) args.push_back(v.value_or(std::string()));
    }
    const int exit = static_cast<int>(t["exit"].value_or(0));
    std::vector<std::string> files;
    if (const auto* f = t["files"].as_array()) {
      for (const auto& v : *f) files.push_back(v.value_or(std::string()));
    }
    // English first: the files it writes are removed; the Chinese run's are compared below.
    {
      SCOPED_TRACE("en");
      for (const auto& f : files) fs::remove(dir_ / f);
      const RunResult r = run_in(dir_, args, "en");
      EXPECT_EQ(r.code, exit) << "stderr:\n" << r.err;
      compare(dir_ / "expected.en.out", r.out);
      compare(dir_ / "expected.en.err", r.err);
    }
    for (const auto& f : files) fs::remove(dir_ / f);
    const RunResult r = run_in(dir_, args, "zh");
    EXPECT_EQ(r.code, exit) << "stderr:\n" << r.err;
    compare(dir_ / "expected.out", r.out);
    compare(dir_ / "expected.err", r.err);
    for (const auto& f : files) {
      const fs::path produced = dir_ / f;
      if (update_mode()) {
        fs::create_directories(dir_ / "expected");
        if (fs::exists(produced)) write(dir_ / "expected" / f, read(produced));
      } else {
        ASSERT_TRUE(fs::exists(produced)) << "the run did not write " << produced;
        compare(dir_ / "expected" / f, read(produced));
      }
      fs::remove(produced);
    }
    // No temporary file may be left behind.
    for (const auto& entry : fs::directory_iterator(dir_)) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
  }

 private:
  fs::path dir_;
};

std::vector<fs::path> sorted(fs::directory_iterator it) {
  std::vector<fs::path> v;
  for (const auto& e : it) v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

std::string test_name(const fs::path& p) {
  std::string s = p.filename().string();
  std::replace_if(s.begin(), s.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return s;
}

void register_cases() {
  for (const fs::path& p : sorted(fs::directory_iterator(kGoldenDir / "check"))) {
    if (p.extension() != ".jx") continue;
    testing::RegisterTest("GoldenCheck", test_name(p).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [p]() -> testing::Test* { return new CheckCase(p); });
  }
  for (const char* kind : {"eval", "cli"}) {
    const std::string suite = std::string("Golden") + (kind[0] == 'e' ? "Eval" : "Cli");
    for (const fs::path& p : sorted(fs::directory_iterator(kGoldenDir / kind))) {
      if (!fs::is_directory(p) || p.filename().string().front() == '_') continue;
      testing::RegisterTest(suite.c_str(), test_name(p).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                            [p]() -> testing::Test* { return new DirCase(p); });
    }
  }
}

// Every diagnostic code has at least one golden case that prints it, in each language.
TEST(GoldenCoverage, EveryDiagnosticCodeHasAGoldenCaseInEachLanguage) {
  std::set<std::string> seen_zh;
  std::set<std::string> seen_en;
  const std::regex code(R"(\[([a-z-]+)\]\n)");
  // (tests/xlsx/cases/: the Excel workbook cases, whose inputs openpyxl writes in the test run;
  // their expected files are committed like these.)
  for (const fs::path& dir : {kGoldenDir, fs::path(JIXIAO_SOURCE_DIR) / "tests" / "xlsx" / "cases"}) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      if (e.path().extension() != ".err") continue;
      const bool english = name.size() > 7 && name.compare(name.size() - 7, 7, ".en.err") == 0;
      std::set<std::string>& seen = english ? seen_en : seen_zh;
      const std::string text = read(e.path());
      for (std::sregex_iterator it(text.begin(), text.end(), code), end; it != end; ++it) seen.insert((*it)[1]);
    }
  }
  // These can only fire on a bug in jixiao: `conservation` on one in the allocation;
  // `eval-no-band` and `eval-no-coef-entry` on one in the checker, which proves that the bands
  // cover every value the banded expression can take and that `coef` has every label (or
  // `else`). No input makes a correct build print them (docs/diagnostics.md says so).
  const std::set<std::string> exempt = {"conservation", "eval-no-band", "eval-no-coef-entry"};
  for (const jixiao::DiagCode c : jixiao::all_codes()) {
    const std::string slug(jixiao::slug(c));
    if (exempt.count(slug)) continue;
    EXPECT_TRUE(seen_zh.count(slug)) << "no golden case prints [" << slug << "] in Chinese (a .err file)";
    EXPECT_TRUE(seen_en.count(slug)) << "no golden case prints [" << slug << "] in English (a .en.err file)";
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  register_cases();
  return RUN_ALL_TESTS();
}
