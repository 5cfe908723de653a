// The benchmark runner: runs jixiao and the hand-written baseline (bench/baseline_3x.cpp) in turn
// over the generated data, checks that their outputs are byte-identical, and prints medians of
// wall time and peak memory, their ratios and each target of issue 5, met or missed, as Markdown
// that can be pasted into docs/performance.md. Then, for issue 16, the 3+X example and the
// newcomer's policy (bench/policies/3x-newcomer.jx) side by side: jixiao with the default threads
// and with one, the hand-written baseline, DuckDB (bench/duckdb) and pandas (bench/pandas), all
// outputs byte-identical, and the targets of issue 16. Plain C++ and POSIX: fork/exec, steady_clock for
// the wall time, wait4's ru_maxrss for the peak memory of each run.
//
// Usage: see kUsage below; bench/run.sh builds everything, generates the data and runs this.
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <system_error>
#include <tuple>
#include <vector>

#ifndef JIXIAO_BENCH_COMPILER
#define JIXIAO_BENCH_COMPILER "unknown compiler"
#endif
#ifndef JIXIAO_BENCH_BUILD
#define JIXIAO_BENCH_BUILD "unknown build type"
#endif

namespace {

const char* const kUsage =
    "usage: jixiao_bench [options]\n"
    "  --jixiao PATH          the jixiao binary (default: ../cli/jixiao beside this program)\n"
    "  --baseline PATH        the baseline binary (default: jixiao_baseline_3x beside this program)\n"
    "  --policy FILE          the 3+X policy (default: examples/3x/policy.jx)\n"
    "  --periods-policy FILE  the multi-year policy (default: bench/policies/3x-periods.jx)\n"
    "  --check-policy FILE    the 1,000-indicator policy whose check is timed (default: DATA_DIR/policy-1000.jx)\n"
    "  --data-dir DIR         the data: 3x-ROWS.csv and 3x-ROWSxYEARS.csv (default: build-bench/data)\n"
    "  --work-dir DIR         where outputs go (default: DATA_DIR/../bench-out)\n"
    "  --sizes LIST           rows of the end-to-end cases (default: 10000,100000,600000)\n"
    "  --periods ROWSxYEARS   the multi-year case (default: 600000x5)\n"
    "  --threads-rows N       rows of the --threads 1 vs 2 case (default: the largest size)\n"
    "  --runs N               timed runs of each program in each case (default 5)\n"
    "  --quick                10000,100000 rows, periods 10000x5, 3 runs (unless given)\n"
    "  --revision TEXT        the source revision, printed with the machine\n"
    "Side by side (issue 16): each policy below with jixiao (default threads and --threads 1), its\n"
    "hand-written baseline, DuckDB and pandas, alternating, at --compare-rows rows:\n"
    "  --compare-rows N       rows of the side-by-side cases (default 600000; --quick: 10000; 0: none)\n"
    "  --newcomer-policy FILE the newcomer's policy (default: bench/policies/3x-newcomer.jx), data\n"
    "                         DATA_DIR/newcomer-ROWS.csv (jixiao_gen_3x --newcomer)\n"
    "  --newcomer-baseline PATH its baseline (default: jixiao_baseline_newcomer beside this program)\n"
    "  --node PATH            node, for DuckDB (default: /usr/bin/node)\n"
    "  --duckdb-dir DIR       the DuckDB scripts and node_modules (default: bench/duckdb)\n"
    "  --python PATH          python3 with pandas (default: /usr/bin/python3)\n"
    "  --pandas-dir DIR       the pandas scripts (default: bench/pandas)\n"
    "DuckDB or pandas that is not installed is reported as not measured.\n"
    "Exit code 0 when every output matched (targets may still be missed), 1 when outputs differ or\n"
    "a run fails, 2 for usage errors or missing files.\n";

// ---- running a program ----

struct Run {
  bool ok = false;     // exited with status 0
  int status = -1;     // exit status, or 128 + signal
  double wall_ms = 0;  // fork to wait4
  long maxrss_kb = 0;  // peak resident set of the child
  std::string err;     // its stderr (when captured)
};

std::string quote_command(const std::vector<std::string>& argv) {
  std::string s;
  for (const auto& a : argv) {
    if (!s.empty()) s += ' ';
    const bool plain = !a.empty() && a.find_first_of(" \t\"'$\\|&;<>()*?") == std::string::npos;
    s += plain ? a : "'" + a + "'";
  }
  return s;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs argv[0] with argv, stdout to `stdout_path` (or /dev/null), stderr to `stderr_path` (or
/// /dev/null), and waits for it.
Run run(const std::vector<std::string>& argv, const std::string& stdout_path, const std::string& stderr_path) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Run r;
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) {
    r.err = std::string("fork: ") + std::strerror(errno);
    return r;
  }
  if (pid == 0) {
    const char* out = stdout_path.empty() ? "/dev/null" : stdout_path.c_str();
    const char* err = stderr_path.empty() ? "/dev/null" : stderr_path.c_str();
    const int o = ::open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int e = ::open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int n = ::open("/dev/null", O_RDONLY);
    if (o < 0 || e < 0 || n < 0) ::_exit(126);
    ::dup2(n, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  int status = 0;
  struct rusage usage {};
  pid_t w;
  do {
    w = ::wait4(pid, &status, 0, &usage);
  } while (w < 0 && errno == EINTR);
  const auto t1 = std::chrono::steady_clock::now();
  r.wall_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  r.maxrss_kb = usage.ru_maxrss;
  if (w < 0) {
    r.err = std::string("wait4: ") + std::strerror(errno);
    return r;
  }
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  if (!stderr_path.empty()) r.err = read_file(stderr_path);
  return r;
}

// ---- small helpers ----

bool exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}
bool executable(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }
std::int64_t file_size(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : -1;
}
std::string dir_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? "." : path.substr(0, slash);
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

std::string fixed(double v, int places) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", places, v);
  return buf;
}
/// 1234567 → "1,234,567".
std::string grouped(std::int64_t n) {
  std::string s = std::to_string(n < 0 ? -n : n);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<std::size_t>(i), ",");
  return (n < 0 ? "-" : "") + s;
}
std::string ms(double v) { return v >= 100 ? grouped(std::llround(v)) + " ms" : fixed(v, 1) + " ms"; }
std::string mib(double bytes) {
  const double m = bytes / (1024.0 * 1024.0);
  if (m >= 1000) return grouped(std::llround(m)) + " MiB";
  return fixed(m, m < 10 ? 2 : 1) + " MiB";
}
std::string times(double r) { return fixed(r, 2) + "×"; }

/// The first place two files differ, as text, or "" when they are identical.
std::string compare_files(const std::string& a, const std::string& b) {
  if (!exists(a)) return a + " is missing";
  if (!exists(b)) return b + " is missing";
  const std::string x = read_file(a);
  const std::string y = read_file(b);
  if (x == y) return "";
  std::size_t i = 0;
  while (i < x.size() && i < y.size() && x[i] == y[i]) ++i;
  const std::size_t line_start = x.rfind('\n', i == 0 ? 0 : i - 1);
  const std::size_t from = line_start == std::string::npos || i == 0 ? 0 : line_start + 1;
  const auto line_of = [&](const std::string& s) {
    const std::size_t end = s.find('\n', from);
    std::string l = s.substr(from, end == std::string::npos ? std::string::npos : end - from);
    return l.size() > 300 ? l.substr(0, 300) + "..." : l;
  };
  const std::int64_t line = std::count(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(i), '\n') + 1;
  std::ostringstream m;
  m << "they differ at byte " << i << " (line " << line << "; sizes " << x.size() << " and " << y.size() << ")\n"
    << "    " << a << ": " << (from < x.size() ? line_of(x) : "<end of file>") << "\n"
    << "    " << b << ": " << (from < y.size() ? line_of(y) : "<end of file>");
  return m.str();
}

/// The number after "phase NAME" in --stats output, e.g. "phase evaluate 123.4 ms".
std::optional<double> phase_ms(const std::string& text, const std::string& name) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find("phase " + name);
    if (at == std::string::npos) continue;
    std::size_t p = at + 6 + name.size();
    while (p < line.size() && !(line[p] >= '0' && line[p] <= '9')) {
      if (line[p] != ' ' && line[p] != ':' && line[p] != '\t' && line[p] != '=') break;
      ++p;
    }
    double v = 0;
    const auto [end, ec] = std::from_chars(line.data() + p, line.data() + line.size(), v);
    if (ec != std::errc()) continue;
    std::string unit = end;  // line.data() ends with a NUL
    while (!unit.empty() && unit.front() == ' ') unit.erase(0, 1);
    if (unit.rfind("s", 0) == 0 && unit.rfind("ms", 0) != 0) v *= 1000;  // "1.2 s"
    if (unit.rfind("us", 0) == 0 || unit.rfind("µs", 0) == 0) v /= 1000;
    return v;
  }
  return std::nullopt;
}

/// Every "phase NAME VALUE" of --stats output, in order.
std::vector<std::string> phase_names(const std::string& text) {
  std::vector<std::string> names;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.find("phase ");
    if (at == std::string::npos) continue;
    std::istringstream words(line.substr(at + 6));
    std::string name;
    words >> name;
    while (!name.empty() && name.back() == ':') name.pop_back();
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  return names;
}

// ---- the machine ----

std::string first_value(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key, 0) != 0) continue;
    const auto colon = line.find_first_of(":=");
    if (colon == std::string::npos) continue;
    std::string v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t' || v.front() == '"')) v.erase(0, 1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '"')) v.pop_back();
    return v;
  }
  return "";
}

int count_prefix(const std::string& path, const std::string& key) {
  std::ifstream in(path);
  std::string line;
  int n = 0;
  while (std::getline(in, line))
    if (line.rfind(key, 0) == 0) ++n;
  return n;
}

/// The 1, 5 and 15 minute load averages, as /proc/loadavg gives them.
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one.empty() ? "unknown" : one + " " + five + " " + fifteen;
}

std::vector<std::string> machine_lines(const std::string& jixiao, const std::string& revision) {
  std::vector<std::string> m;
  std::string cpu = first_value("/proc/cpuinfo", "model name");
  if (cpu.empty()) cpu = "unknown";
  const int logical = count_prefix("/proc/cpuinfo", "processor");
  const std::string cores = first_value("/proc/cpuinfo", "cpu cores");
  const long online = ::sysconf(_SC_NPROCESSORS_ONLN);
  m.push_back("CPU: " + cpu);
  m.push_back("cores: " + std::to_string(online) + " online (" + std::to_string(logical) + " logical" +
              (cores.empty() ? "" : ", " + cores + " per package") + ")");
  const std::string mem = first_value("/proc/meminfo", "MemTotal");
  if (!mem.empty()) {
    const double kb = std::strtod(mem.c_str(), nullptr);
    m.push_back("memory: " + fixed(kb / 1024 / 1024, 1) + " GiB");
  }
  struct utsname u {};
  if (::uname(&u) == 0) m.push_back(std::string("kernel: ") + u.sysname + " " + u.release + " " + u.machine);
  const std::string os = first_value("/etc/os-release", "PRETTY_NAME");
  if (!os.empty()) m.push_back("OS: " + os);
  m.push_back(std::string("compiler: ") + JIXIAO_BENCH_COMPILER + " (" + JIXIAO_BENCH_BUILD + ")");
  const std::string tmp = "/tmp/jixiao_bench_version." + std::to_string(::getpid());
  const Run v = run({jixiao, "--version"}, tmp, "");
  std::string version = read_file(tmp);
  ::unlink(tmp.c_str());
  while (!version.empty() && (version.back() == '\n' || version.back() == '\r')) version.pop_back();
  m.push_back("jixiao: " + (v.ok && !version.empty() ? version : std::string("(--version failed)")) +
              (revision.empty() ? "" : ", source " + revision));
  m.push_back("load average at the start: " + load_average() + " (other work on the machine disturbs the timings)");
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  m.push_back(std::string("date: ") + date);
  return m;
}

// ---- the report ----

struct Figures {
  double wall_ms = 0;
  double rss_bytes = 0;
};

Figures medians(const std::vector<Run>& runs) {
  std::vector<double> wall, rss;
  for (const auto& r : runs) {
    wall.push_back(r.wall_ms);
    rss.push_back(static_cast<double>(r.maxrss_kb) * 1024.0);
  }
  return {median(wall), median(rss)};
}

struct Options {
  std::string jixiao, baseline, policy, periods_policy, check_policy, data_dir, work_dir, revision;
  std::string newcomer_policy, newcomer_baseline, node, duckdb_dir, python, pandas_dir;
  std::int64_t compare_rows = 600000;
  bool compare_given = false;
  std::vector<std::int64_t> sizes{10000, 100000, 600000};
  std::int64_t period_rows = 600000, period_years = 5;
  std::int64_t threads_rows = 0;
  int runs = 5;
  bool runs_given = false, sizes_given = false, periods_given = false, quick = false;
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}
  int main();

 private:
  std::string data(std::int64_t rows) const { return o_.data_dir + "/3x-" + std::to_string(rows) + ".csv"; }
  std::string periods_data() const {
    return o_.data_dir + "/3x-" + std::to_string(o_.period_rows) + "x" + std::to_string(o_.period_years) + ".csv";
  }
  std::string work(const std::string& name) const { return o_.work_dir + "/" + name; }
  std::vector<std::string> jixiao_eval(const std::string& policy, const std::string& in, const std::string& out) const {
    return {o_.jixiao, "eval", policy, "--data", in, "--out", out};
  }
  std::vector<std::string> baseline_eval(const std::string& in, const std::string& out) const {
    return {o_.baseline, "--data", in, "--out", out};
  }
  /// Runs once; on failure prints what failed and returns false.
  bool once(const std::string& what, const std::vector<std::string>& argv, Run* result = nullptr,
            const std::string& stderr_path = "") {
    const std::string err = stderr_path.empty() ? work("stderr.txt") : stderr_path;
    Run r = run(argv, "", err);
    if (result) *result = r;
    if (r.ok) return true;
    std::cerr << "jixiao_bench: error: " << what << " failed (exit " << r.status << "): " << quote_command(argv)
              << "\n";
    std::string e = r.err;
    if (e.size() > 2000) e = e.substr(0, 2000) + "...\n";
    std::cerr << e;
    return false;
  }
  void progress(const std::string& s) const { std::cerr << "jixiao_bench: " << s << "\n"; }
  void target(const std::string& name, const std::string& measured, const std::string& goal, const std::string& status) {
    targets_.push_back({name, measured, goal, status});
  }

  /// One policy of issue 16's side-by-side cases.
  struct Compared {
    std::string label;     // e.g. "3+X example"
    std::string policy;    // the .jx
    std::string baseline;  // its hand-written program
    std::string sql;       // its DuckDB script, in duckdb_dir
    std::string script;    // its pandas script, in pandas_dir
    std::string data;      // the input CSV
  };
  bool compare(const Compared& c, bool have_duckdb, bool have_pandas);

  Options o_;
  std::vector<std::vector<std::string>> targets_, targets16_, compared_;
  double single_year_ms_ = 0, periods_ms_ = 0;
  std::vector<std::vector<std::string>> rows_;
  std::vector<std::string> notes_;
};

int Bench::main() {
  // ---- what is there ----
  if (!executable(o_.jixiao)) {
    std::cerr << "jixiao_bench: error: jixiao not found at " << o_.jixiao << " (build it, or pass --jixiao)\n";
    return 2;
  }
  const bool have_baseline = !o_.baseline.empty() && executable(o_.baseline);
  for (const auto& f : {o_.policy, o_.periods_policy, o_.check_policy}) {
    if (!exists(f)) {
      std::cerr << "jixiao_bench: error: " << f << " not found\n";
      return 2;
    }
  }
  for (auto rows : o_.sizes) {
    if (!exists(data(rows))) {
      std::cerr << "jixiao_bench: error: " << data(rows) << " not found (generate it: jixiao_gen_3x --rows " << rows
                << " --seed 2024 --out " << data(rows) << ")\n";
      return 2;
    }
  }
  if (o_.period_rows > 0 && !exists(periods_data())) {
    std::cerr << "jixiao_bench: error: " << periods_data() << " not found (generate it: jixiao_gen_3x --rows "
              << o_.period_rows << " --periods " << o_.period_years << " --seed 2024 --out " << periods_data() << ")\n";
    return 2;
  }
  ::mkdir(o_.work_dir.c_str(), 0755);
  if (!exists(o_.work_dir)) {
    std::cerr << "jixiao_bench: error: cannot create " << o_.work_dir << "\n";
    return 2;
  }
  const std::int64_t largest = *std::max_element(o_.sizes.begin(), o_.sizes.end());
  const std::int64_t threads_rows = o_.threads_rows > 0 ? o_.threads_rows : largest;
  if (!exists(data(threads_rows))) {
    std::cerr << "jixiao_bench: error: " << data(threads_rows) << " not found (for --threads-rows)\n";
    return 2;
  }

  std::cout << "## Machine\n\n";
  for (const auto& l : machine_lines(o_.jixiao, o_.revision)) std::cout << "- " << l << "\n";
  std::cout << "- runs: " << o_.runs << " of each program per case, alternating; medians reported\n";
  if (!have_baseline) {
    std::cout << "- **baseline: MISSING** (" << (o_.baseline.empty() ? std::string("no path") : o_.baseline)
              << " is not an executable; it is built from bench/baseline_3x.cpp as jixiao_baseline_3x). "
                 "jixiao is measured alone; the ratios to the baseline are not measured.\n";
  }
  std::cout << "\n" << std::flush;

  // ---- 1. check of the 1,000-indicator policy ----
  {
    progress("check of " + o_.check_policy);
    Run r;
    const std::vector<std::string> argv{o_.jixiao, "check", "--warnings-as-errors", o_.check_policy};
    if (!once("jixiao check of the large policy (with --warnings-as-errors)", argv, &r)) return 1;
    std::vector<Run> runs;
    const std::vector<std::string> timed{o_.jixiao, "check", o_.check_policy};
    for (int i = 0; i < o_.runs; ++i) {
      if (!once("jixiao check", timed, &r)) return 1;
      runs.push_back(r);
    }
    const Figures f = medians(runs);
    rows_.push_back({"check, " + o_.check_policy.substr(o_.check_policy.rfind('/') + 1) + " (1,000 indicators)",
                     mib(static_cast<double>(file_size(o_.check_policy))), ms(f.wall_ms), mib(f.rss_bytes), "", "", "",
                     ""});
    target("check of a policy with 1,000 indicators", ms(f.wall_ms) + " (whole process)", "< 50 ms",
           f.wall_ms < 50 ? "met" : "missed");
    notes_.push_back("check: `" + quote_command(timed) + "`");
  }

  // ---- 2. end to end, jixiao against the baseline ----
  std::map<std::int64_t, Figures> jixiao_at, baseline_at;
  for (auto rows : o_.sizes) {
    const std::string in = data(rows);
    const std::string jout = work("jixiao-" + std::to_string(rows) + ".csv");
    const std::string bout = work("baseline-" + std::to_string(rows) + ".csv");
    progress("end to end, " + grouped(rows) + " rows: checking the outputs");
    if (!once("jixiao eval", jixiao_eval(o_.policy, in, jout))) return 1;
    if (have_baseline) {
      if (!once("the baseline", baseline_eval(in, bout))) return 1;
      const std::string diff = compare_files(jout, bout);
      if (!diff.empty()) {
        std::cerr << "jixiao_bench: error: at " << grouped(rows) << " rows jixiao's and the baseline's outputs differ: "
                  << diff << "\n";
        return 1;
      }
    }
    std::vector<Run> jr, br;
    for (int i = 0; i < o_.runs; ++i) {
      progress("end to end, " + grouped(rows) + " rows: run " + std::to_string(i + 1) + " of " + std::to_string(o_.runs));
      Run r;
      if (!once("jixiao eval", jixiao_eval(o_.policy, in, jout), &r)) return 1;
      jr.push_back(r);
      if (have_baseline) {
        if (!once("the baseline", baseline_eval(in, bout), &r)) return 1;
        br.push_back(r);
      }
    }
    const double input = static_cast<double>(file_size(in));
    const Figures j = medians(jr);
    jixiao_at[rows] = j;
    std::vector<std::string> row{grouped(rows) + " rows, end to end", mib(input), ms(j.wall_ms), mib(j.rss_bytes),
                                 times(j.rss_bytes / input)};
    if (have_baseline) {
      const Figures b = medians(br);
      baseline_at[rows] = b;
      row.insert(row.end(), {ms(b.wall_ms), mib(b.rss_bytes), times(j.wall_ms / b.wall_ms)});
    } else {
      row.insert(row.end(), {"missing", "missing", "—"});
    }
    rows_.push_back(row);
  }
  notes_.push_back("end to end: `" + quote_command(jixiao_eval(o_.policy, "DATA", "OUT")) + "` against `" +
                   quote_command(baseline_eval("DATA", "OUT")) + "`; outputs byte-identical (checked before timing" +
                   std::string(have_baseline ? ")" : "; not checked: no baseline)"));

  // Targets at 600,000 rows (or at the largest size of a quick run, said so).
  {
    const std::int64_t at = jixiao_at.count(600000) ? 600000 : largest;
    const std::string where = at == 600000 ? "" : " (at " + grouped(at) + " rows; the target is at 600,000)";
    const Figures j = jixiao_at[at];
    if (have_baseline) {
      const double ratio = j.wall_ms / baseline_at[at].wall_ms;
      target("end to end at 600,000: jixiao ÷ baseline wall time",
             times(ratio) + " (" + ms(j.wall_ms) + " ÷ " + ms(baseline_at[at].wall_ms) + ")" + where, "≤ 1.3×",
             at != 600000 ? "not measured (quick run)" : ratio <= 1.3 ? "met" : "missed");
    } else {
      target("end to end at 600,000: jixiao ÷ baseline wall time", "jixiao " + ms(j.wall_ms) + where + "; baseline missing",
             "≤ 1.3×", "not measured (no baseline)");
    }
    const double input = static_cast<double>(file_size(data(at)));
    const double mem = j.rss_bytes / input;
    target("peak memory ÷ input CSV size", times(mem) + " (" + mib(j.rss_bytes) + " for " + mib(input) + ")" + where,
           "≤ 2×", at != 600000 ? "not measured (quick run)" : mem <= 2 ? "met" : "missed");
    if (jixiao_at.count(600000) && jixiao_at.count(100000)) {
      const double per600 = jixiao_at[600000].wall_ms / 600000.0;
      const double per100 = jixiao_at[100000].wall_ms / 100000.0;
      const double r = per600 / per100;
      target("time per row at 600,000 ÷ at 100,000",
             times(r) + " (" + fixed(per600 * 1000, 2) + " µs ÷ " + fixed(per100 * 1000, 2) + " µs per row)",
             "within 15% (0.85× to 1.15×)", std::fabs(r - 1) <= 0.15 ? "met" : "missed");
      if (have_baseline) {
        const double b = (baseline_at[600000].wall_ms / 600000.0) / (baseline_at[100000].wall_ms / 100000.0);
        notes_.push_back("the baseline's time per row at 600,000 ÷ at 100,000: " + times(b));
      }
    } else {
      target("time per row at 600,000 ÷ at 100,000", "—", "within 15%", "not measured (needs 100,000 and 600,000)");
    }
  }

  // ---- 3. several years ----
  if (o_.period_rows > 0) {
    const std::string in = periods_data();
    const std::string out = work("jixiao-" + std::to_string(o_.period_rows) + "x" + std::to_string(o_.period_years) + ".csv");
    const std::string label = grouped(o_.period_rows) + " × " + std::to_string(o_.period_years) + " years, latest year";
    progress(label + ": checking that it evaluates");
    if (!once("jixiao eval (periods)", jixiao_eval(o_.periods_policy, in, out))) return 1;
    std::vector<Run> jr;
    for (int i = 0; i < o_.runs; ++i) {
      progress(label + ": run " + std::to_string(i + 1) + " of " + std::to_string(o_.runs));
      Run r;
      if (!once("jixiao eval (periods)", jixiao_eval(o_.periods_policy, in, out), &r)) return 1;
      jr.push_back(r);
    }
    const double input = static_cast<double>(file_size(in));
    const Figures j = medians(jr);
    periods_ms_ = j.wall_ms;
    rows_.push_back({label, mib(input), ms(j.wall_ms), mib(j.rss_bytes), times(j.rss_bytes / input), "no baseline", "—", "—"});
    notes_.push_back("several years: `" + quote_command(jixiao_eval(o_.periods_policy, "DATA", "OUT")) +
                     "` (the latest year evaluated, the " + std::to_string(o_.period_years - 1) +
                     " before it read as history)");
  }

  // ---- 4. --threads 1 against --threads 2 ----
  {
    const std::string in = data(threads_rows);
    const std::string label = "evaluation phase, --threads 1 vs 2, " + grouped(threads_rows) + " rows";
    progress("--threads: probing");
    const std::string small = data(*std::min_element(o_.sizes.begin(), o_.sizes.end()));
    const std::string probe_out = work("probe.csv");
    std::vector<std::string> probe = jixiao_eval(o_.policy, small, probe_out);
    probe.insert(probe.end(), {"--threads", "1"});
    const Run pt = run(probe, "", work("stderr.txt"));
    std::vector<std::string> probe_stats = jixiao_eval(o_.policy, small, probe_out);
    probe_stats.push_back("--stats");
    const Run ps = run(probe_stats, "", work("stderr.txt"));
    const bool have_threads = pt.ok;
    const bool have_stats = ps.ok && phase_ms(ps.err, "evaluate").has_value();
    if (!have_threads) {
      rows_.push_back({label, "", "not available", "", "", "", "", ""});
      target("--threads 2 speeds up the evaluation phase", "not available (`jixiao eval --threads` exits " +
             std::to_string(pt.status) + ")", "≥ 1.7×, identical bytes", "not measured");
      notes_.push_back("--threads: not available in this jixiao (`eval --threads 1` exits " + std::to_string(pt.status) + ")");
    } else {
      const std::string t1out = work("jixiao-threads1.csv"), t2out = work("jixiao-threads2.csv");
      const std::string defout = work("jixiao-" + std::to_string(threads_rows) + ".csv");
      auto cmd = [&](int threads, const std::string& out) {
        std::vector<std::string> a = jixiao_eval(o_.policy, in, out);
        a.insert(a.end(), {"--threads", std::to_string(threads)});
        if (have_stats) a.push_back("--stats");
        return a;
      };
      progress(label + ": checking the outputs");
      if (!once("jixiao eval --threads 1", cmd(1, t1out))) return 1;
      if (!once("jixiao eval --threads 2", cmd(2, t2out))) return 1;
      for (const auto& [a, b] : {std::pair{t1out, t2out}, std::pair{t1out, defout}}) {
        if (!exists(b)) continue;  // --threads-rows not among --sizes: no default output to compare with
        const std::string diff = compare_files(a, b);
        if (!diff.empty()) {
          std::cerr << "jixiao_bench: error: outputs with different --threads differ: " << diff << "\n";
          return 1;
        }
      }
      std::vector<double> e1, e2;
      std::vector<Run> r1, r2;
      std::map<std::string, std::vector<double>> phases1, phases2;
      std::vector<std::string> names;
      for (int i = 0; i < o_.runs; ++i) {
        progress(label + ": run " + std::to_string(i + 1) + " of " + std::to_string(o_.runs));
        for (int t : {1, 2}) {
          Run r;
          const std::string err = work("stderr-threads.txt");
          if (!once("jixiao eval --threads " + std::to_string(t), cmd(t, t == 1 ? t1out : t2out), &r, err)) return 1;
          (t == 1 ? r1 : r2).push_back(r);
          double eval = r.wall_ms;
          if (have_stats) {
            if (names.empty()) names = phase_names(r.err);
            for (const auto& n : names)
              if (auto v = phase_ms(r.err, n)) (t == 1 ? phases1 : phases2)[n].push_back(*v);
            if (auto v = phase_ms(r.err, "evaluate")) eval = *v;
          }
          (t == 1 ? e1 : e2).push_back(eval);
        }
      }
      const double m1 = median(e1), m2 = median(e2);
      const double speedup = m1 / m2;
      const std::string what = have_stats ? "evaluation phase (--stats)" : "wall time (no --stats in this jixiao)";
      rows_.push_back({"--threads 1, " + grouped(threads_rows) + " rows, " + what, "", ms(m1),
                       mib(medians(r1).rss_bytes), "", "", "", ""});
      rows_.push_back({"--threads 2, " + grouped(threads_rows) + " rows, " + what, "", ms(m2),
                       mib(medians(r2).rss_bytes), "", "", "", "speedup " + times(speedup)});
      const std::string where = threads_rows == 600000 ? "" : " (at " + grouped(threads_rows) + " rows)";
      target("--threads 2 speeds up the evaluation phase",
             times(speedup) + " (" + ms(m1) + " → " + ms(m2) + ", " + what + ")" + where + "; bytes identical",
             "≥ 1.7×, identical bytes", speedup >= 1.7 ? "met" : "missed");
      if (have_stats && !names.empty()) {
        std::string p1 = "phases with --threads 1 at " + grouped(threads_rows) + " rows (medians of --stats):";
        std::string p2 = "phases with --threads 2:";
        const char* sep1 = " ";
        const char* sep2 = " ";
        for (const auto& n : names) {
          if (phases1.count(n)) {
            p1 += sep1 + n + " " + ms(median(phases1[n]));
            sep1 = "; ";
          }
          if (phases2.count(n)) {
            p2 += sep2 + n + " " + ms(median(phases2[n]));
            sep2 = "; ";
          }
        }
        notes_.push_back(p1);
        notes_.push_back(p2);
      }
      notes_.push_back("--threads: `" + quote_command(cmd(2, "OUT")) + "`; outputs of --threads 1, 2 and the default identical");
    }
  }

  // ---- 5. issue 16: side by side ----
  if (o_.compare_rows > 0) {
    const bool have_duckdb = executable(o_.node) && exists(o_.duckdb_dir + "/node_modules/@duckdb/node-api/package.json");
    const bool have_pandas = run({o_.python, "-c", "import pandas"}, "", "").ok;
    if (!have_duckdb) notes_.push_back("DuckDB: not measured (no " + o_.duckdb_dir + "/node_modules, or no " + o_.node +
                                       "; bench/run.sh installs it with npm)");
    if (!have_pandas) notes_.push_back("pandas: not measured (`" + o_.python + " -c 'import pandas'` fails; Debian: python3-pandas)");
    const std::string rows = std::to_string(o_.compare_rows);
    const std::vector<Compared> policies{
        {"3+X example", o_.policy, o_.baseline, "3x.sql", "policy_3x.py", data(o_.compare_rows)},
        {"newcomer's 3+X", o_.newcomer_policy, o_.newcomer_baseline, "newcomer.sql", "policy_newcomer.py",
         o_.data_dir + "/newcomer-" + rows + ".csv"},
    };
    for (const auto& c : policies) {
      if (!exists(c.data) || !exists(c.policy)) {
        std::cerr << "jixiao_bench: error: " << (exists(c.policy) ? c.data : c.policy) << " not found (bench/run.sh generates "
                  << "the data: jixiao_gen_3x --rows " << rows << " [--newcomer] --seed 2024)\n";
        return 2;
      }
      if (!compare(c, have_duckdb, have_pandas)) return 1;
    }
  }
  if (o_.period_rows > 0) {
    const std::int64_t single = o_.compare_rows == o_.period_rows ? o_.compare_rows : 0;
    const double one = single > 0 ? single_year_ms_ : jixiao_at.count(o_.period_rows) ? jixiao_at[o_.period_rows].wall_ms : 0;
    const std::string name = grouped(o_.period_rows) + " × " + std::to_string(o_.period_years) +
                             " years: time per row ÷ one year's time per row";
    if (one > 0 && periods_ms_ > 0) {
      const double per_row = periods_ms_ / static_cast<double>(o_.period_rows * o_.period_years);
      const double single_per_row = one / static_cast<double>(o_.period_rows);
      const double r = per_row / single_per_row;
      targets16_.push_back({name, times(r) + " (" + fixed(per_row * 1000, 2) + " µs ÷ " + fixed(single_per_row * 1000, 2) +
                                      " µs per row, the 3+X policy)",
                            "≤ 2×", o_.period_rows == 600000 ? (r <= 2 ? "met" : "missed") : "not measured (not 600,000 rows)"});
    } else {
      targets16_.push_back({name, "—", "≤ 2×", "not measured (no single-year run of " + grouped(o_.period_rows) + " rows)"});
    }
  }
  for (const auto& t : targets_) {
    if (t[0].rfind("check", 0) == 0) targets16_.push_back(t);
  }

  // ---- the report ----
  std::cout << "## Results\n\n";
  std::cout << "| case | input | jixiao wall | jixiao peak memory | ÷ input | baseline wall | baseline peak memory | "
               "jixiao ÷ baseline |\n";
  std::cout << "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : rows_) {
    std::cout << "|";
    for (std::size_t i = 0; i < 8; ++i) std::cout << " " << (i < r.size() ? r[i] : "") << " |";
    std::cout << "\n";
  }
  std::cout << "\n## Targets\n\n| target | measured | goal | status |\n|---|---|---|---|\n";
  for (const auto& t : targets_) std::cout << "| " << t[0] << " | " << t[1] << " | " << t[2] << " | " << t[3] << " |\n";
  if (!compared_.empty()) {
    std::cout << "\n## Side by side (issue 16)\n\n| policy (input) | program | wall | peak memory | ÷ input | wall ÷ jixiao |\n"
                 "|---|---|---:|---:|---:|---:|\n";
    for (const auto& r : compared_)
      std::cout << "| " << r[0] << " | " << r[1] << " | " << r[2] << " | " << r[3] << " | " << r[4] << " | " << r[5] << " |\n";
  }
  if (!targets16_.empty()) {
    std::cout << "\n## Targets of issue 16\n\n| target | measured | goal | status |\n|---|---|---|---|\n";
    for (const auto& t : targets16_) std::cout << "| " << t[0] << " | " << t[1] << " | " << t[2] << " | " << t[3] << " |\n";
  }
  std::cout << "\n## Notes\n\n";
  for (const auto& n : notes_) std::cout << "- " << n << "\n";
  std::cout << "- load average at the end: " << load_average() << "\n";
  std::cout << "- wall time: fork to wait4 (steady_clock), the whole process; peak memory: ru_maxrss of the run "
               "(wait4); MiB = 2^20 bytes\n";
  return 0;
}

bool Bench::compare(const Compared& c, bool have_duckdb, bool have_pandas) {
  using Command = std::vector<std::string>;
  struct Program {
    std::string name;
    Command argv;
    std::string out;  // the results it writes
    std::vector<Run> runs;
  };
  const std::string tag = c.policy.substr(c.policy.rfind('/') + 1);
  auto out = [&](const std::string& who) { return work("side-" + tag + "-" + who + ".csv"); };
  std::vector<Program> programs{
      {"jixiao, default threads", jixiao_eval(c.policy, c.data, out("jixiao")), out("jixiao"), {}},
      {"jixiao, --threads 1", jixiao_eval(c.policy, c.data, out("jixiao-1")), out("jixiao-1"), {}},
  };
  programs[1].argv.insert(programs[1].argv.end(), {"--threads", "1"});
  const bool have_baseline = executable(c.baseline);
  if (have_baseline) programs.push_back({"hand-written (" + c.baseline.substr(c.baseline.rfind('/') + 1) + ")",
                                         {c.baseline, "--data", c.data, "--out", out("baseline")}, out("baseline"), {}});
  if (have_duckdb) programs.push_back({"DuckDB (" + c.sql + ")",
                                       {o_.node, o_.duckdb_dir + "/run.mjs", o_.duckdb_dir + "/" + c.sql, "--data", c.data,
                                        "--out", out("duckdb")},
                                       out("duckdb"), {}});
  if (have_pandas) programs.push_back({"pandas (" + c.script + ")",
                                       {o_.python, o_.pandas_dir + "/" + c.script, "--data", c.data, "--out", out("pandas")},
                                       out("pandas"), {}});

  const std::string rows = grouped(o_.compare_rows);
  progress(c.label + ", " + rows + " rows, side by side: checking the outputs");
  for (auto& p : programs) {
    if (!once(p.name, p.argv)) return false;
    if (p.out == out("jixiao")) continue;
    const std::string diff = compare_files(out("jixiao"), p.out);
    if (!diff.empty()) {
      std::cerr << "jixiao_bench: error: " << c.label << ": the outputs of jixiao and " << p.name << " differ: " << diff << "\n";
      return false;
    }
  }
  for (int i = 0; i < o_.runs; ++i) {
    progress(c.label + ", " + rows + " rows, side by side: run " + std::to_string(i + 1) + " of " + std::to_string(o_.runs));
    for (auto& p : programs) {
      Run r;
      if (!once(p.name, p.argv, &r)) return false;
      p.runs.push_back(r);
    }
  }

  const double input = static_cast<double>(file_size(c.data));
  const Figures j = medians(programs[0].runs);
  const Figures j1 = medians(programs[1].runs);
  auto find = [&](const std::string& prefix) -> const Program* {
    for (const auto& p : programs)
      if (p.name.rfind(prefix, 0) == 0) return &p;
    return nullptr;
  };
  for (const auto& p : programs) {
    const Figures f = medians(p.runs);
    compared_.push_back({c.label + " (" + mib(input) + ")", p.name, ms(f.wall_ms), mib(f.rss_bytes), times(f.rss_bytes / input),
                         times(f.wall_ms / j.wall_ms)});
  }
  const bool full = o_.compare_rows == 600000;
  const std::string where = full ? "" : " (at " + rows + " rows; the targets are at 600,000)";
  auto status = [&](bool met) { return !full ? std::string("not measured (not 600,000 rows)") : met ? "met" : "missed"; };
  const std::string who = c.label + ": ";
  if (const Program* b = find("hand-written")) {
    const Figures bf = medians(b->runs);
    const double r = j.wall_ms / bf.wall_ms, r1 = j1.wall_ms / bf.wall_ms;
    targets16_.push_back({who + "jixiao ÷ hand-written, default threads",
                          times(r) + " (" + ms(j.wall_ms) + " ÷ " + ms(bf.wall_ms) + ")" + where, "≤ 1.3×", status(r <= 1.3)});
    targets16_.push_back({who + "jixiao ÷ hand-written, --threads 1",
                          times(r1) + " (" + ms(j1.wall_ms) + " ÷ " + ms(bf.wall_ms) + ")" + where, "≤ 2×", status(r1 <= 2)});
  } else {
    targets16_.push_back({who + "jixiao ÷ hand-written", "no hand-written program (" + c.baseline + ")", "≤ 1.3×, ≤ 2× with 1 thread",
                          "not measured"});
  }
  const double mem = j.rss_bytes / input;
  targets16_.push_back({who + "jixiao's peak memory ÷ input CSV",
                        times(mem) + " (" + mib(j.rss_bytes) + " for " + mib(input) + "; " + mib(j1.rss_bytes) +
                            " with --threads 1)" + where,
                        "≤ 2×", status(mem <= 2)});
  for (const auto& [prefix, goal, installed] :
       {std::tuple{std::string("DuckDB"), 3.0, have_duckdb}, std::tuple{std::string("pandas"), 10.0, have_pandas}}) {
    const std::string name = who + prefix + " ÷ jixiao (default threads)";
    const std::string goal_text = "≥ " + fixed(goal, 0) + "×";
    if (const Program* p = find(prefix)) {
      const Figures f = medians(p->runs);
      const double r = f.wall_ms / j.wall_ms;
      targets16_.push_back({name, times(r) + " (" + ms(f.wall_ms) + " ÷ " + ms(j.wall_ms) + ")" + where, goal_text, status(r >= goal)});
    } else {
      targets16_.push_back({name, std::string(installed ? "failed" : "not installed"), goal_text, "not measured"});
    }
  }
  std::string commands;
  for (const auto& p : programs) {
    Command shown = p.argv;
    for (auto& a : shown) {
      if (a == c.data) a = "DATA";
      if (a == p.out) a = "OUT";
    }
    commands += (commands.empty() ? "" : "; ") + std::string("`") + quote_command(shown) + "`";
  }
  notes_.push_back(c.label + " side by side, all outputs byte-identical (checked before timing): " + commands);
  if (c.policy == o_.policy) single_year_ms_ = j.wall_ms;
  return true;
}

bool parse_int(const std::string& s, std::int64_t& v) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size();
}

int usage_error(const std::string& message) {
  std::cerr << "jixiao_bench: error: " << message << "\n(--help for the options)\n";
  return 2;
}

int run_main(int argc, char** argv) {
  Options o;
  std::string self_dir = ".";
  {
    char buf[4096];
    const ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) self_dir = dir_of(std::string(buf, static_cast<std::size_t>(n)));
  }
  o.jixiao = self_dir + "/../cli/jixiao";
  o.baseline = self_dir + "/jixiao_baseline_3x";
  o.policy = "examples/3x/policy.jx";
  o.periods_policy = "bench/policies/3x-periods.jx";
  o.data_dir = "build-bench/data";
  o.newcomer_policy = "bench/policies/3x-newcomer.jx";
  o.newcomer_baseline = self_dir + "/jixiao_baseline_newcomer";
  o.node = "/usr/bin/node";
  o.duckdb_dir = "bench/duckdb";
  o.python = "/usr/bin/python3";
  o.pandas_dir = "bench/pandas";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    }
    if (a == "--quick") {
      o.quick = true;
      continue;
    }
    if (i + 1 >= argc) return usage_error(a.rfind("--", 0) == 0 ? a + " needs a value" : "unexpected '" + a + "'");
    const std::string v = argv[++i];
    std::int64_t n = 0;
    if (a == "--jixiao") o.jixiao = v;
    else if (a == "--baseline") o.baseline = v;
    else if (a == "--policy") o.policy = v;
    else if (a == "--periods-policy") o.periods_policy = v;
    else if (a == "--check-policy") o.check_policy = v;
    else if (a == "--data-dir") o.data_dir = v;
    else if (a == "--work-dir") o.work_dir = v;
    else if (a == "--revision") o.revision = v;
    else if (a == "--newcomer-policy") o.newcomer_policy = v;
    else if (a == "--newcomer-baseline") o.newcomer_baseline = v;
    else if (a == "--node") o.node = v;
    else if (a == "--duckdb-dir") o.duckdb_dir = v;
    else if (a == "--python") o.python = v;
    else if (a == "--pandas-dir") o.pandas_dir = v;
    else if (a == "--compare-rows") {
      if (!parse_int(v, n) || n < 0) return usage_error("--compare-rows: '" + v + "' is not a whole number, 0 or more");
      o.compare_rows = n;
      o.compare_given = true;
    }
    else if (a == "--runs") {
      if (!parse_int(v, n) || n < 1 || n > 1000) return usage_error("--runs: '" + v + "' is not a whole number from 1 to 1000");
      o.runs = static_cast<int>(n);
      o.runs_given = true;
    } else if (a == "--threads-rows") {
      if (!parse_int(v, n) || n < 1) return usage_error("--threads-rows: '" + v + "' is not a positive whole number");
      o.threads_rows = n;
    } else if (a == "--sizes") {
      o.sizes.clear();
      std::istringstream in(v);
      std::string item;
      while (std::getline(in, item, ',')) {
        if (!parse_int(item, n) || n < 1) return usage_error("--sizes: '" + item + "' is not a positive whole number");
        o.sizes.push_back(n);
      }
      if (o.sizes.empty()) return usage_error("--sizes needs at least one size");
      o.sizes_given = true;
    } else if (a == "--periods") {
      if (v == "none" || v == "0") {
        o.period_rows = 0;
      } else {
        const auto x = v.find('x');
        std::int64_t years = 0;
        if (x == std::string::npos || !parse_int(v.substr(0, x), n) || !parse_int(v.substr(x + 1), years) || n < 1 ||
            years < 1)
          return usage_error("--periods: '" + v + "' is not ROWSxYEARS (e.g. 600000x5) or none");
        o.period_rows = n;
        o.period_years = years;
      }
      o.periods_given = true;
    } else {
      return usage_error("unknown option '" + a + "'");
    }
  }
  if (o.quick) {
    if (!o.sizes_given) o.sizes = {10000, 100000};
    if (!o.periods_given) o.period_rows = 10000;
    if (!o.runs_given) o.runs = 3;
    if (!o.compare_given) o.compare_rows = 10000;
  }
  while (o.data_dir.size() > 1 && o.data_dir.back() == '/') o.data_dir.pop_back();
  if (o.work_dir.empty()) o.work_dir = dir_of(o.data_dir) + "/bench-out";
  if (o.check_policy.empty()) o.check_policy = o.data_dir + "/policy-1000.jx";
  return Bench(o).main();
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "jixiao_bench: error: " << e.what() << "\n";
    return 2;
  } catch (...) {
    std::cerr << "jixiao_bench: error: unexpected failure\n";
    return 2;
  }
}
