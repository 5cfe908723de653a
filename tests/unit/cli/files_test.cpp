// The output transaction (cli/files): which paths are the same file, what an output may not be,
// links written through, modes kept, all outputs or none, and no temporary file left behind, not
// even when the process is interrupted. Also the commands that write, end to end: eval, test
// --junit, fmt and graph refuse to overwrite what they read.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "args.hpp"
#include "run_cli.hpp"
#include "files.hpp"
#include "input_file.hpp"

namespace fs = std::filesystem;
using jixiao::cli::OutputSet;
using jixiao::cli::UsageError;
namespace msg = jixiao::msg;

namespace {

using jixiao::cli::test_util::jixiao;
using jixiao::cli::test_util::read;
using jixiao::cli::test_util::Result;
using jixiao::cli::test_util::write;

const fs::path kRoot(JIXIAO_SOURCE_DIR);

mode_t mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// The message of the UsageError `f` throws (empty when it throws none).
template <typename F>
std::string usage_error(F&& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

// A fresh directory for each test, which is also the current directory while it runs.
class Outputs : public testing::Test {
 protected:
  void SetUp() override {
    saved_ = fs::current_path();
    dir_ = fs::temp_directory_path() /
           ("jixiao-files-" + std::to_string(::getpid()) + "-" + testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    fs::current_path(dir_);
  }
  void TearDown() override {
    fs::current_path(saved_);
    fs::remove_all(dir_);
  }

  // Every file of the directory (recursively) with its contents; links as `-> TARGET`.
  [[nodiscard]] std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> m;
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      const std::string name = fs::relative(e.path(), dir_).string();
      if (e.is_symlink()) {
        m[name] = "-> " + fs::read_symlink(e.path()).string();
      } else if (e.is_regular_file()) {
        m[name] = read(e.path());
      } else {
        m[name] = "(other)";
      }
    }
    return m;
  }

  void expect_no_temporaries() const {
    for (const auto& e : fs::recursive_directory_iterator(dir_)) {
      EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
    }
  }

  // The policy and data of tests/golden/eval/_shared, and a variant of it in a module.
  void copy_policy() const {
    const fs::path shared = kRoot / "tests" / "golden" / "eval" / "_shared";
    fs::copy_file(shared / "policy.jx", dir_ / "base.jx");
    fs::copy_file(kRoot / "tests" / "golden" / "cli" / "eval_record" / "data.csv", dir_ / "data.csv");
    write(dir_ / "policy.jx", "policy \"变体\" version \"1\" extends \"base.jx\"\noverride 总分.甲 weight 50%\noverride 总分.乙 weight 50%\n");
  }

  fs::path saved_;
  fs::path dir_;
};

TEST_F(Outputs, IdentityFollowsLinksAndNames) {
  write("a.csv", "a");
  fs::create_symlink("a.csv", "link.csv");
  fs::create_hard_link("a.csv", "hard.csv");
  fs::create_directory("sub");
  using jixiao::cli::file_identity;
  EXPECT_EQ(file_identity("a.csv"), file_identity("./a.csv"));
  EXPECT_EQ(file_identity("a.csv"), file_identity("link.csv"));
  EXPECT_EQ(file_identity("a.csv"), file_identity("hard.csv"));
  EXPECT_EQ(file_identity("a.csv"), file_identity("sub/../a.csv"));
  EXPECT_FALSE(file_identity("a.csv") == file_identity("b.csv"));
  // Files that do not exist yet: by their directory's canonical path and their name.
  EXPECT_EQ(file_identity("new.csv"), file_identity("sub/../new.csv"));
  EXPECT_EQ(file_identity("new.csv"), file_identity((dir_ / "new.csv").string()));
  EXPECT_FALSE(file_identity("new.csv") == file_identity("sub/new.csv"));
  // A dangling link is the file it would create.
  fs::create_symlink("sub/target.csv", "dangling.csv");
  EXPECT_EQ(file_identity("dangling.csv"), file_identity("sub/target.csv"));
}

TEST_F(Outputs, RefusesOutputsThatAreInputsOrEachOther) {
  write("data.csv", "x");
  fs::create_symlink("data.csv", "link.csv");
  OutputSet set;
  set.add("results.csv", "--out", msg::cli_out_results());
  EXPECT_EQ(usage_error([&] { set.add("./results.csv", "--record", msg::cli_out_record()); }),
            "`--out results.csv` and `--record ./results.csv` are the same file");
  EXPECT_EQ(usage_error([&] { set.refuse_inputs({{"data.csv", msg::cli_the_data()}}); }), "");

  OutputSet onto_data;
  onto_data.add("link.csv", "--out", msg::cli_out_results());
  EXPECT_EQ(usage_error([&] { onto_data.refuse_inputs({{"policy.jx", msg::cli_the_policy()}, {"data.csv", msg::cli_the_data()}}); }),
            "`--out link.csv` would overwrite the data `data.csv` (the same file)");
  EXPECT_EQ(read("data.csv"), "x");

  OutputSet two_stdout;
  two_stdout.add("-", "--out", msg::cli_out_results());
  EXPECT_TRUE(two_stdout.to_stdout(0));
  EXPECT_EQ(usage_error([&] { two_stdout.add("-", "--record", msg::cli_out_record()); }),
            "`--out -` and `--record -` both write to standard output");
  // Standard output is never an input.
  EXPECT_EQ(usage_error([&] { two_stdout.refuse_inputs({{"-", msg::cli_the_data()}}); }), "");
}

TEST_F(Outputs, RefusesWhatIsNotARegularFile) {
  fs::create_directory("dir");
  ASSERT_EQ(::mkfifo("fifo", 0600), 0);
  fs::create_symlink("fifo", "to-fifo");
  fs::create_symlink("loop1", "loop2");
  fs::create_symlink("loop2", "loop1");
  // The path and the message of the OutputRefused that declaring `path` throws.
  auto refused = [](const std::string& path) {
    OutputSet set;
    try {
      set.add(path, "--out", msg::cli_out_results());
    } catch (const jixiao::cli::OutputRefused& e) {
      EXPECT_EQ(e.path(), path);
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(refused("dir"), "cannot write the results to `dir`: it is a directory, not a regular file");
  EXPECT_EQ(refused("fifo"), "cannot write the results to `fifo`: it is a FIFO, not a regular file");
  EXPECT_EQ(refused("to-fifo"), "cannot write the results to `to-fifo`: it is a FIFO, not a regular file");
  EXPECT_EQ(refused("/dev/null"), "cannot write the results to `/dev/null`: it is a character device, not a regular file");
  EXPECT_EQ(refused("loop1"),
            "cannot write the results to `loop1`: it is a symbolic link that cannot be followed (Too many levels of symbolic links)");
  EXPECT_EQ(usage_error([] {
              OutputSet set;
              set.add("", "--out", msg::cli_out_results());
            }),
            "`--out` names no file");
  // The driver reports it as an I/O error of that file.
  const Result r = jixiao({"eval", "policy.jx", "--data", "data.csv", "--out", "fifo"});
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.err, "fifo: error: cannot write the results to `fifo`: it is a FIFO, not a regular file [io-error]\n"
                   "hint: name a regular file (it is replaced atomically), or `-` for standard output; nothing was written\n");
}

TEST_F(Outputs, CommitsAllOutputsKeepingModesAndWritingThroughLinks) {
  write("old.csv", "old");
  ::chmod("old.csv", 0640);
  fs::create_directory("real");
  write("real/target.toml", "old record");
  fs::create_symlink("real/target.toml", "record.toml");
  const mode_t saved_umask = ::umask(027);
  OutputSet set;
  const std::size_t a = set.add("old.csv", "--out", msg::cli_out_results());
  const std::size_t b = set.add("record.toml", "--record", msg::cli_out_record());
  const std::size_t c = set.add("new.csv", "--junit", msg::cli_out_junit());
  EXPECT_FALSE(set.stage(a, "new results").has_value());
  EXPECT_FALSE(set.stage(b, [](const jixiao::cli::Emit& emit) {
                      emit("new ");
                      emit("record");
                    }).has_value());
  EXPECT_FALSE(set.stage(c, "report").has_value());
  // Nothing is in place before the commit.
  EXPECT_EQ(read("old.csv"), "old");
  EXPECT_EQ(read("real/target.toml"), "old record");
  EXPECT_FALSE(fs::exists("new.csv"));
  EXPECT_FALSE(set.commit().has_value());
  ::umask(saved_umask);
  EXPECT_EQ(read("old.csv"), "new results");
  EXPECT_EQ(mode_of("old.csv"), 0640U);
  EXPECT_TRUE(fs::is_symlink("record.toml"));  // the link stays; its target is replaced
  EXPECT_EQ(read("real/target.toml"), "new record");
  EXPECT_EQ(read("new.csv"), "report");
  EXPECT_EQ(mode_of("new.csv"), 0640U);  // 0666 less the umask 027
  expect_no_temporaries();
}

TEST_F(Outputs, AFailureLeavesEveryOldFileAsItWas) {
  write("results.csv", "old results");
  const auto before = snapshot();
  {
    OutputSet set;
    const std::size_t a = set.add("results.csv", "--out", msg::cli_out_results());
    const std::size_t b = set.add("no-such-dir/record.toml", "--record", msg::cli_out_record());
    EXPECT_FALSE(set.stage(a, "new results").has_value());
    const auto error = set.stage(b, "record");
    ASSERT_TRUE(error.has_value());
    EXPECT_EQ(error->path, "no-such-dir/record.toml");
    EXPECT_EQ(error->message, "cannot write the audit record to `no-such-dir/record.toml`: No such file or directory");
    // The command stops here: the set is destroyed uncommitted.
  }
  EXPECT_EQ(snapshot(), before);

  // An exception while producing an output removes its temporary file.
  {
    OutputSet set;
    const std::size_t a = set.add("results.csv", "--out", msg::cli_out_results());
    EXPECT_THROW(set.stage(a, [](const jixiao::cli::Emit& emit) {
      emit("half");
      throw std::runtime_error("stop");
    }),
                 std::runtime_error);
    EXPECT_EQ(snapshot(), before);
  }
}

// Interrupted runs: the handler removes the temporary files, then the signal ends the process as
// it would have without the handler.
TEST_F(Outputs, SignalsRemoveTemporaryFiles) {
  for (const int sig : {SIGINT, SIGTERM, SIGHUP}) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::signal(sig, SIG_DFL);
      OutputSet set;
      const std::size_t a = set.add("a.csv", "--out", msg::cli_out_results());
      const std::size_t b = set.add("b.csv", "--record", msg::cli_out_record());
      bool staged = !set.stage(a, "a").has_value();
      // Interrupted while the second output is being written.
      (void)set.stage(b, [&](const jixiao::cli::Emit& emit) {
        emit("b");
        if (staged) ::raise(sig);
      });
      ::_exit(3);  // not reached
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFSIGNALED(status)) << "signal " << sig;
    if (WIFSIGNALED(status)) {
      EXPECT_EQ(WTERMSIG(status), sig);
    }
    EXPECT_TRUE(snapshot().empty()) << "signal " << sig;
  }
}

TEST_F(Outputs, CommandsRefuseToOverwriteWhatTheyRead) {
  copy_policy();
  const auto before = snapshot();
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"eval", "policy.jx", "--data", "data.csv", "--out", "data.csv"}, "`--out data.csv` would overwrite the data `data.csv`"},
      {{"eval", "policy.jx", "--data", "data.csv", "--out", "r.csv", "--record", "base.jx"},
       "`--record base.jx` would overwrite the module `base.jx`"},
      {{"eval", "policy.jx", "--data", "data.csv", "--out", "r.csv", "--record", "r.csv"},
       "`--out r.csv` and `--record r.csv` are the same file"},
      {{"graph", "policy.jx", "--out", "policy.jx"}, "`--out policy.jx` would overwrite the policy `policy.jx`"},
  };
  for (const Case& c : cases) {
    const Result r = jixiao(c.args);
    EXPECT_EQ(r.code, 2) << c.message;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    EXPECT_EQ(snapshot(), before) << c.message;
  }
  // A policy test whose data file is the JUnit report.
  write("p.test.toml", "policy = \"policy.jx\"\ndata = \"data.csv\"\n\n[[case]]\nname = \"a\"\n\n[[case.expect]]\nkey = \"A1\"\n\"等级\" = \"A\"\n");
  const auto with_test = snapshot();
  Result r = jixiao({"test", "p.test.toml", "--junit", "data.csv"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("`--junit data.csv` would overwrite the data file `data.csv`"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(), with_test);
  r = jixiao({"test", "p.test.toml", "--junit", "report.xml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(read("report.xml").find("<testsuites"), std::string::npos);
  expect_no_temporaries();
}

TEST_F(Outputs, EvalWritesResultsAndRecordTogether) {
  copy_policy();
  write("results.csv", "old");
  // The record cannot be written: the results file keeps its old bytes.
  Result r = jixiao({"eval", "policy.jx", "--data", "data.csv", "--out", "results.csv", "--record", "missing/record.toml"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("cannot write the audit record to `missing/record.toml`"), std::string::npos) << r.err;
  EXPECT_EQ(read("results.csv"), "old");
  expect_no_temporaries();
  // Both can: both are written.
  r = jixiao({"eval", "policy.jx", "--data", "data.csv", "--out", "results.csv", "--record", "record.toml"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(read("results.csv"), "old");
  EXPECT_NE(read("record.toml").find("[[policy_files]]"), std::string::npos);
  // `--out -` puts the results on stdout (and the summary on stderr).
  r = jixiao({"eval", "policy.jx", "--data", "data.csv", "--out", "-"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, read("results.csv"));
  EXPECT_NE(r.err.find("evaluated 3 rows"), std::string::npos);
  EXPECT_FALSE(fs::exists("-"));
}

TEST_F(Outputs, FmtRewritesEachFileOnceThroughLinksKeepingItsMode) {
  const std::string messy = "policy \"x\" version \"1\"\nsubject 社区 key 编码\ninput{得分:score 0..100}\nindicator 总分 {工作 100%=得分}\n";
  fs::create_directory("real");
  write("real/p.jx", messy);
  ::chmod("real/p.jx", 0600);
  fs::create_symlink("real/p.jx", "link.jx");
  const Result r = jixiao({"fmt", "-v", "link.jx", "real/p.jx", "./real/p.jx", "real"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "link.jx: reformatted\n");  // one file, named as first given
  EXPECT_TRUE(fs::is_symlink("link.jx"));
  EXPECT_NE(read("real/p.jx"), messy);
  EXPECT_EQ(mode_of("real/p.jx"), 0600U);
  expect_no_temporaries();
}

// A mapped data file cut shorter while it is read: the message and exit code 2, not a crash.
TEST(MappedInput, CutShorterWhileReadIsAnErrorNotACrash) {
  const fs::path path = fs::temp_directory_path() / ("jixiao-cut-" + std::to_string(::getpid()) + ".csv");
  write(path, std::string(1 << 16, 'x'));
  jixiao::engine::FileBytes bytes;
  ASSERT_FALSE(jixiao::cli::map_regular_file(path.string(), bytes));
  ASSERT_TRUE(bytes.mapped());
  EXPECT_EXIT(
      {
        const jixiao::cli::CutShortWatch watch(bytes.view(), "the data file was cut shorter\n");
        fs::resize_file(path, 10);
        bytes.release(bytes.view());  // read again from the file, which is now too short
        volatile char c = bytes.view()[1 << 15];
        (void)c;
        std::exit(0);
      },
      ::testing::ExitedWithCode(2), "the data file was cut shorter");
  fs::remove(path);
}

}  // namespace
