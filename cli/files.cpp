// Output files as one transaction per run (see files.hpp).
#include "files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <set>
#include <stdexcept>

#include "args.hpp"
#include "input_file.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

struct TempSlot {
  std::atomic<int> state{0};  // kFree, kWriting or kInUse
  char path[PATH_MAX] = {};
  TempSlot* next = nullptr;
};

namespace {

// ---- temporary files removed on SIGINT, SIGTERM and SIGHUP ----
//
// The handler may run at any moment, on any thread, so it only reads memory that is never freed
// and calls async-signal-safe functions (unlink, sigaction, raise). Slots are allocated once and
// reused: a slot is claimed (free → writing), its path written, then published (→ in use); the
// handler unlinks only published paths.

constexpr int kFree = 0;
constexpr int kWriting = 1;
constexpr int kInUse = 2;

static_assert(std::atomic<int>::is_always_lock_free && std::atomic<TempSlot*>::is_always_lock_free,
              "the signal handler reads these atomics");
std::atomic<TempSlot*> g_slots{nullptr};
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_temps_and_reraise(int sig) {
  for (TempSlot* s = g_slots.load(); s != nullptr; s = s->next) {
    if (s->state.load() == kInUse) ::unlink(s->path);
  }
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);  // delivered with the default action once the handler returns
}

/// Installs the handler for each signal that has its default action (a signal the process was
/// told to ignore, as under nohup, stays ignored); called at each registration, so that a handler
/// reset since (by a child process, say) is installed again.
void install_handlers() {
  struct sigaction act {};
  act.sa_handler = remove_temps_and_reraise;
  sigemptyset(&act.sa_mask);
  for (const int sig : kSignals) sigaddset(&act.sa_mask, sig);
  for (const int sig : kSignals) {
    struct sigaction old {};
    if (::sigaction(sig, nullptr, &old) == 0 && old.sa_handler == SIG_DFL) ::sigaction(sig, &act, nullptr);
  }
}

/// Registers `path` for removal on a signal; nullptr when the path is too long (then the caller
/// cannot have created it: open refuses paths of PATH_MAX bytes or more).
TempSlot* register_temp(const std::string& path) {
  if (path.size() >= PATH_MAX) return nullptr;
  install_handlers();
  TempSlot* slot = g_slots.load();
  for (; slot != nullptr; slot = slot->next) {
    int expected = kFree;
    if (slot->state.compare_exchange_strong(expected, kWriting)) break;
  }
  if (slot == nullptr) {
    slot = new TempSlot;  // never freed: the handler may be reading the list
    slot->state.store(kWriting);
    slot->next = g_slots.load();
    while (!g_slots.compare_exchange_weak(slot->next, slot)) {
    }
  }
  std::memcpy(slot->path, path.c_str(), path.size() + 1);
  slot->state.store(kInUse);
  return slot;
}

void unregister_temp(TempSlot* slot) {
  if (slot != nullptr) slot->state.store(kFree);
}

/// Blocks the three signals on this thread while a temporary file is created and registered, or
/// renamed and unregistered, so that the handler never misses one nor removes a renamed file.
class SignalsBlocked {
 public:
  SignalsBlocked() {
    sigset_t set;
    sigemptyset(&set);
    for (const int sig : kSignals) sigaddset(&set, sig);
    ::pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~SignalsBlocked() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t old_;
};

// ---- paths ----

/// The file `path` leads to through symbolic links (the last component only; directories are
/// followed by the system). Sets `error` (ELOOP) when the links do not end.
fs::path follow_links(const std::string& path, int& error) {
  fs::path p = path;
  for (int hops = 0; hops < 40; ++hops) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    std::error_code ec;
    const fs::path to = fs::read_symlink(p, ec);
    if (ec) {
      error = ec.value();
      return p;
    }
    p = to.is_absolute() ? to : p.parent_path() / to;
  }
  error = ELOOP;
  return p;
}

Message kind_of(mode_t mode) { return file_kind_message(mode, msg::cli_kind_fifo()); }

/// Ten letters and digits from the system's random source (the clock and the process id if that
/// fails): temporary names nobody can predict or collide with.
std::string random_suffix() {
  static const char kChars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  unsigned char bytes[10];
  if (::getrandom(bytes, sizeof bytes, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof bytes)) {
    auto x = static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
             (static_cast<std::uint64_t>(::getpid()) << 32);
    for (unsigned char& b : bytes) {
      x = x * 6364136223846793005ULL + 1442695040888963407ULL;
      b = static_cast<unsigned char>(x >> 56);
    }
  }
  std::string out;
  for (const unsigned char b : bytes) out.push_back(kChars[b % (sizeof kChars - 1)]);
  return out;
}

std::string shown(const std::string& flag, const std::string& path) {
  return "`" + (flag.empty() ? path : flag + " " + path) + "`";
}

}  // namespace

FileIdentity file_identity(const std::string& path) {
  FileIdentity id;
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    id.exists = true;
    id.device = st.st_dev;
    id.inode = st.st_ino;
    return id;
  }
  int error = 0;
  const fs::path target = follow_links(path, error);
  std::error_code ec;
  const fs::path absolute = fs::absolute(target, ec);
  id.path = (fs::weakly_canonical(absolute.parent_path(), ec) / absolute.filename()).string();
  return id;
}

std::optional<Message> non_regular_kind(const std::string& path, bool* directory) {
  struct stat st {};
  if (directory != nullptr) *directory = false;
  if (::stat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return std::nullopt;
  if (directory != nullptr) *directory = S_ISDIR(st.st_mode);
  return kind_of(st.st_mode);
}

OutputSet::~OutputSet() {
  for (Output& o : outputs_) discard(o);
}

void OutputSet::discard(Output& o) {
  if (o.temp.empty()) return;
  SignalsBlocked blocked;
  ::unlink(o.temp.c_str());
  unregister_temp(o.slot);
  o.temp.clear();
  o.slot = nullptr;
}

std::size_t OutputSet::add(const std::string& path, std::string flag, Message what) {
  Output o{path, std::move(flag), std::move(what), "", {}, "", nullptr};
  if (path == "-") {
    for (const Output& other : outputs_) {
      if (other.path == "-") {
        throw UsageError(msg::cli_both_stdout(shown(other.flag, "-"), shown(o.flag, "-")), msg::cli_hint_one_to_file());
      }
    }
    outputs_.push_back(std::move(o));
    return outputs_.size() - 1;
  }
  if (path.empty()) throw UsageError(msg::cli_names_no_file(o.flag), msg::cli_hint_names_no_file(o.flag));
  int error = 0;
  o.target = follow_links(path, error).string();
  if (error != 0) {
    throw OutputRefused(path, msg::cli_cannot_write(o.what, path, msg::cli_link_not_followed(system_error(error))),
                        msg::cli_hint_link_nothing_written());
  }
  bool directory = false;
  if (auto kind = non_regular_kind(o.target, &directory)) {
    throw OutputRefused(path, msg::cli_cannot_write(o.what, path, msg::cli_not_regular(*kind)),
                        directory ? msg::cli_hint_inside_nothing_written() : msg::cli_hint_regular_nothing_written());
  }
  o.id = file_identity(path);
  for (const Output& other : outputs_) {
    if (other.path != "-" && other.id == o.id) {
      throw UsageError(msg::cli_same_file(shown(other.flag, other.path), shown(o.flag, path)), msg::cli_hint_own_file());
    }
  }
  outputs_.push_back(std::move(o));
  return outputs_.size() - 1;
}

bool OutputSet::to_stdout(std::size_t i) const { return outputs_.at(i).path == "-"; }

bool OutputSet::any_to_stdout() const {
  for (const Output& o : outputs_) {
    if (o.path == "-") return true;
  }
  return false;
}

const std::string& OutputSet::path(std::size_t i) const { return outputs_.at(i).path; }

void OutputSet::refuse_inputs(const std::vector<InputFile>& inputs) const {
  for (const InputFile& in : inputs) {
    const FileIdentity id = file_identity(in.path);
    for (const Output& o : outputs_) {
      if (o.path == "-" || !(o.id == id)) continue;
      throw UsageError(in.path == o.path ? msg::cli_would_overwrite(shown(o.flag, o.path), in.what, in.path)
                                         : msg::cli_would_overwrite_same(shown(o.flag, o.path), in.what, in.path),
                       msg::cli_hint_write_elsewhere(o.what));
    }
  }
}

std::optional<OutputError> OutputSet::stage(std::size_t i, std::string_view text) {
  return stage(i, [text](const Emit& emit) { emit(text); });
}

std::optional<OutputError> OutputSet::stage(std::size_t i, const std::function<void(const Emit&)>& produce) {
  Output& o = outputs_.at(i);
  if (o.path == "-") throw std::logic_error("OutputSet::stage: standard output is written by the caller");
  discard(o);
  auto failure = [&](int code) {
    return OutputError{o.path, msg::cli_cannot_write(o.what, o.path, system_error(code))};
  };
  // The file it replaces: refused when it became something else since `add`; its mode is kept.
  struct stat old {};
  const bool existed = ::stat(o.target.c_str(), &old) == 0;
  if (existed && !S_ISREG(old.st_mode)) {
    return OutputError{o.path, msg::cli_cannot_write(o.what, o.path, msg::cli_not_regular(kind_of(old.st_mode)))};
  }
  const fs::path target(o.target);
  std::string name = target.filename().string();
  if (name.size() > 200) name.resize(200);  // the temporary name stays under NAME_MAX
  int fd = -1;
  {
    SignalsBlocked blocked;
    for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
      o.temp = (target.parent_path() / (name + ".tmp-" + random_suffix())).string();
      fd = ::open(o.temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);  // 0666 less the umask
      if (fd < 0 && errno != EEXIST) break;
    }
    if (fd < 0) {
      const int code = errno;
      o.temp.clear();
      return failure(code);
    }
    o.slot = register_temp(o.temp);
  }
  if (existed) {
    // The owner first (changing it may clear set-id bits), then the mode; an owner that cannot be
    // kept (not root) is left as the process's.
    if (old.st_uid != ::geteuid() || old.st_gid != ::getegid()) (void)::fchown(fd, old.st_uid, old.st_gid);
    (void)::fchmod(fd, old.st_mode & 07777);
  }
  std::FILE* out = ::fdopen(fd, "wb");
  if (out == nullptr) {
    const int code = errno;
    ::close(fd);
    discard(o);
    return failure(code);
  }
  int failed = 0;  // the errno of the first failed write
  // The bytes start on their way to the disk every few megabytes while the rest are produced, so
  // that the fsync below, which the rename waits for, finds little left to write (a hint: a
  // system that cannot start them early leaves it all to the fsync).
  constexpr off_t kWriteBehind = off_t{8} << 20;
  off_t written = 0;
  off_t started = 0;
  try {
    produce([&](std::string_view piece) {
      if (failed != 0 || piece.empty()) return;
      if (std::fwrite(piece.data(), 1, piece.size(), out) != piece.size()) {
        failed = errno != 0 ? errno : EIO;
        return;
      }
      written += static_cast<off_t>(piece.size());
      if (written - started >= kWriteBehind && std::fflush(out) == 0) {
        (void)::sync_file_range(::fileno(out), started, written - started, SYNC_FILE_RANGE_WRITE);
        started = written;
      }
    });
  } catch (...) {
    std::fclose(out);
    discard(o);
    throw;
  }
  if (std::fflush(out) != 0 && failed == 0) failed = errno != 0 ? errno : EIO;
  if (failed == 0 && ::fsync(::fileno(out)) != 0 && errno != EINVAL) failed = errno;
  if (std::fclose(out) != 0 && failed == 0) failed = errno != 0 ? errno : EIO;
  if (failed != 0) {
    discard(o);
    return failure(failed);
  }
  return std::nullopt;
}

std::optional<OutputError> OutputSet::commit() {
  std::vector<std::string> replaced;  // the outputs already in place when a rename fails
  std::set<std::string> directories;
  for (Output& o : outputs_) {
    if (o.temp.empty()) continue;
    int code = 0;
    {
      SignalsBlocked blocked;
      if (::rename(o.temp.c_str(), o.target.c_str()) != 0) {
        code = errno;
      } else {
        unregister_temp(o.slot);
        o.temp.clear();
        o.slot = nullptr;
      }
    }
    if (code != 0) {
      for (Output& rest : outputs_) discard(rest);
      Message message = msg::cli_cannot_write(o.what, o.path, system_error(code));
      if (!replaced.empty()) message = msg::cli_already_written(message, backticked_list(replaced));
      return OutputError{o.path, message};
    }
    replaced.push_back(o.path);
    directories.insert(fs::path(o.target).parent_path().string());
  }
  // The renames themselves reach the disk with their directories.
  for (const std::string& dir : directories) {
    const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      (void)::fsync(fd);
      ::close(fd);
    }
  }
  return std::nullopt;
}

}  // namespace jixiao::cli
