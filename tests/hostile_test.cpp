// The hostile-input catalogue (tests/hostile/<case>/): every case runs the real `jixiao` binary in a
// child process, in a scratch copy of its directory (over a copy of tests/hostile/_shared/), and asserts what a user must get from a bad
// input: the exit code, the diagnostic code and its location on stderr, no crash (no signal), no
// hang (a timeout), no flood (stderr under 64 KiB), no "internal error", and no file of the
// directory changed or created except those the case says the run writes.
//
// case.toml:
//   what    = "one line: the hostile input and what must happen"          (required)
//   args    = ["eval", "policy.jx", "--data", "data.csv"]                 (required)
//   exit    = 1                                                            (required)
//   code    = "bad-cell"       a code that must appear as `[code]` on stderr
//   where   = "data.csv:3:7"   text that must appear on stderr
//   stderr  = ["..."]          more texts that must appear on stderr
//   stdout  = ["..."]          texts that must appear on stdout
//   setup   = "sh commands"    run by `sh -c` in the scratch directory before the snapshot
//   writes  = ["out.csv"]      files the run may create or change
//   timeout = 20               seconds (times 4 in a sanitizer build, whose code runs several
//                              times slower: the timeout tells a hang from a run, not speed)
//   memory  = 200              MiB: the run's address space is limited to this (as `ulimit -v`
//                              would), to see memory run out; such a case also needs
//                              `sanitizers = false`
//   sanitizers = false         skip in a sanitizer build (a case that limits memory with `ulimit -v`,
//                              which AddressSanitizer's shadow memory cannot live with)
//   lang    = "zh"             run in Chinese; without it a case runs with JIXIAO_LANG=en, so that
//                              its English substrings keep working
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

namespace fs = std::filesystem;

namespace {

const fs::path kCasesDir = fs::path(JIXIAO_SOURCE_DIR) / "tests" / "hostile";
const fs::path kScratchDir = fs::path(JIXIAO_HOSTILE_SCRATCH);
constexpr std::size_t kMaxStderr = 64 * 1024;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// What a directory entry is, without ever opening a FIFO or a device: the kind, and for a regular
// file its size, mode and a 64-bit FNV-1a hash of its bytes, for a link its target.
std::string fingerprint(const fs::path& p) {
  struct stat st {};
  if (::lstat(p.c_str(), &st) != 0) return "gone";
  std::ostringstream s;
  if (S_ISLNK(st.st_mode)) {
    s << "link " << fs::read_symlink(p).string();
  } else if (S_ISREG(st.st_mode)) {
    std::uint64_t h = 1469598103934665603ULL;
    std::ifstream in(p, std::ios::binary);
    char buf[1 << 16];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      for (std::streamsize i = 0; i < in.gcount(); ++i) {
        h = (h ^ static_cast<unsigned char>(buf[i])) * 1099511628211ULL;
      }
    }
    s << "file " << st.st_size << " mode " << std::oct << (st.st_mode & 07777) << std::dec << " hash " << h;
  } else if (S_ISDIR(st.st_mode)) {
    s << "dir mode " << std::oct << (st.st_mode & 07777);
  } else {
    s << "special " << std::oct << (st.st_mode & 0170000);
  }
  return s.str();
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    m[it->path().lexically_relative(dir).string()] = fingerprint(it->path());  // links not followed
  }
  return m;
}

std::vector<std::string> strings(const toml::table& t, std::string_view key) {
  std::vector<std::string> v;
  if (const auto* a = t[key].as_array()) {
    for (const auto& e : *a) v.push_back(e.value_or(std::string()));
  } else if (const auto s = t[key].value<std::string>()) {
    v.push_back(*s);
  }
  return v;
}

struct Child {
  bool timed_out = false;
  bool signalled = false;
  int signal = 0;
  int exit = -1;
};

// Runs argv in `cwd` with stdout and stderr to files; kills the whole process group after `timeout`.
// `lang`, when given, is put in the child's JIXIAO_LANG.
Child run(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& out, const fs::path& err, double timeout,
          std::int64_t memory_mib = 0, const char* lang = nullptr) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    if (lang != nullptr && ::setenv("JIXIAO_LANG", lang, 1) != 0) ::_exit(126);
    if (memory_mib > 0) {
      const auto bytes = static_cast<rlim_t>(memory_mib) << 20;
      const rlimit limit{bytes, bytes};
      if (::setrlimit(RLIMIT_AS, &limit) != 0) ::_exit(126);
    }
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    const int in = ::open("/dev/null", O_RDONLY);
    const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    std::vector<char*> v;
    for (const auto& a : argv) v.push_back(const_cast<char*>(a.c_str()));
    v.push_back(nullptr);
    ::execv(v[0], v.data());
    ::_exit(127);
  }
  Child c;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(-pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      c.timed_out = true;
      return c;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFSIGNALED(status)) {
    c.signalled = true;
    c.signal = WTERMSIG(status);
  } else {
    c.exit = WEXITSTATUS(status);
  }
  return c;
}

class HostileCase : public testing::Test {
 public:
  explicit HostileCase(fs::path dir) : dir_(std::move(dir)) {}

  void TestBody() override {
    toml::table t;
    try {
      t = toml::parse_file((dir_ / "case.toml").string());
    } catch (const toml::parse_error& e) {
      FAIL() << "case.toml: " << e.description();
    }
    static const std::set<std::string> known = {"what", "args", "exit", "code", "where", "stderr",
                                                "stdout", "setup", "writes", "timeout", "sanitizers", "memory",
                                                "lang"};
    for (const auto& [k, v] : t) {
      ASSERT_TRUE(known.count(std::string(k.str()))) << "case.toml: unknown key `" << k.str() << "`";
    }
    ASSERT_TRUE(t["what"].is_string()) << "case.toml needs `what`";
    ASSERT_TRUE(t["args"].is_array()) << "case.toml needs `args`";
    ASSERT_TRUE(t["exit"].is_integer()) << "case.toml needs `exit`";
    const std::string what = *t["what"].value<std::string>();
    SCOPED_TRACE(what);
#ifdef JIXIAO_SANITIZED
    if (!t["sanitizers"].value_or(true)) GTEST_SKIP() << "not run under sanitizers";
#endif

    // A fresh scratch directory: the shared files (tests/hostile/_shared/: a small policy and its
    // data), then the case's own files over them (links copied as links).
    const fs::path scratch = kScratchDir / dir_.filename();
    fs::remove_all(scratch);
    fs::create_directories(scratch);
    const auto copy = fs::copy_options::recursive | fs::copy_options::copy_symlinks | fs::copy_options::overwrite_existing;
    if (fs::is_directory(kCasesDir / "_shared")) fs::copy(kCasesDir / "_shared", scratch, copy);
    fs::copy(dir_, scratch, copy);
    fs::remove(scratch / "case.toml");
    const fs::path out = kScratchDir / (dir_.filename().string() + ".stdout");
    const fs::path err = kScratchDir / (dir_.filename().string() + ".stderr");

    if (const auto setup = t["setup"].value<std::string>()) {
      const Child s = run({"/bin/sh", "-c", *setup}, scratch, out, err, 120);
      ASSERT_TRUE(!s.timed_out && !s.signalled && s.exit == 0) << "setup failed:\n" << read_file(err);
    }
    const auto before = snapshot(scratch);

    std::vector<std::string> argv = {JIXIAO_BINARY};
    for (const auto& a : strings(t, "args")) argv.push_back(a);
#ifdef JIXIAO_SANITIZED
    constexpr double kSlowdown = 4;
#else
    constexpr double kSlowdown = 1;
#endif
    const double timeout = t["timeout"].value_or(20.0) * kSlowdown;
    // English unless the case asks for Chinese (`lang = "zh"`), so that the cases' English
    // substrings keep meaning what they say.
    const std::string lang = t["lang"].value_or(std::string("en"));
    ASSERT_TRUE(lang == "en" || lang == "zh") << "case.toml: `lang` is \"zh\" or \"en\"";
    const Child c = run(argv, scratch, out, err, timeout, t["memory"].value_or(std::int64_t{0}), lang.c_str());
    const std::string so = read_file(out);
    const std::string se = read_file(err);
    const std::string shown = se.size() > 4000 ? se.substr(0, 4000) + "\n[...]" : se;

    ASSERT_FALSE(c.timed_out) << "no answer within " << timeout << " s (a hang)";
    ASSERT_FALSE(c.signalled) << "killed by signal " << c.signal << " (a crash); stderr:\n" << shown;
    EXPECT_EQ(c.exit, t["exit"].value_or(-1)) << "stderr:\n" << shown;
    EXPECT_LE(se.size(), kMaxStderr) << "stderr is " << se.size() << " bytes (a flood)";
    EXPECT_EQ(se.find("internal error"), std::string::npos) << shown;
    EXPECT_EQ(se.find("内部错误"), std::string::npos) << shown;
    if (const auto code = t["code"].value<std::string>()) {
      EXPECT_NE(se.find("[" + *code + "]"), std::string::npos) << "no [" << *code << "] on stderr:\n" << shown;
    }
    std::vector<std::string> expected = strings(t, "stderr");
    if (const auto where = t["where"].value<std::string>()) expected.push_back(*where);
    for (const auto& s : expected) EXPECT_NE(se.find(s), std::string::npos) << "no `" << s << "` on stderr:\n" << shown;
    for (const auto& s : strings(t, "stdout")) EXPECT_NE(so.find(s), std::string::npos) << "no `" << s << "` on stdout";

    // Nothing changed or appeared but what the case writes; no temporary file is left.
    const auto writes = strings(t, "writes");
    const auto after = snapshot(scratch);
    for (const auto& [name, print] : before) {
      if (std::find(writes.begin(), writes.end(), name) != writes.end()) continue;
      const auto it = after.find(name);
      EXPECT_TRUE(it != after.end() && it->second == print)
          << "`" << name << "` changed: " << print << " → " << (it == after.end() ? "gone" : it->second);
    }
    for (const auto& [name, print] : after) {
      EXPECT_TRUE(before.count(name) || std::find(writes.begin(), writes.end(), name) != writes.end())
          << "`" << name << "` appeared";
    }
    if (!HasFailure()) fs::remove_all(scratch);
  }

 private:
  fs::path dir_;
};

std::string test_name(const fs::path& p) {
  std::string s = p.filename().string();
  std::replace_if(s.begin(), s.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return s;
}

}  // namespace

// `jixiao_hostile_tests [--case NAME]...`: the named cases, or every case. The test run (ctest)
// runs one process per case, as test `hostile.NAME`.
int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  std::vector<fs::path> cases;
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--case") cases.push_back(kCasesDir / argv[++i]);
  }
  if (cases.empty() && fs::is_directory(kCasesDir)) {
    for (const auto& e : fs::directory_iterator(kCasesDir)) {
      if (e.is_directory() && fs::exists(e.path() / "case.toml")) cases.push_back(e.path());
    }
  }
  std::sort(cases.begin(), cases.end());
  for (const fs::path& p : cases) {
    testing::RegisterTest("Hostile", test_name(p).c_str(), nullptr, nullptr, __FILE__, __LINE__,
                          [p]() -> testing::Test* { return new HostileCase(p); });
  }
  return RUN_ALL_TESTS();
}
