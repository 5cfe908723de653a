// Reading an input file: opened without blocking, checked to be a regular file, read whole.
#include "input_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace jixiao::cli {
namespace {

// Closes the descriptor on every way out.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

Message system_error(int code) {
  switch (code) {
    case ENOENT: return msg::cli_errno_noent();
    case EACCES: return msg::cli_errno_acces();
    case EPERM: return msg::cli_errno_perm();
    case ENOTDIR: return msg::cli_errno_notdir();
    case EISDIR: return msg::cli_errno_isdir();
    case ENOSPC: return msg::cli_errno_nospc();
    case EDQUOT: return msg::cli_errno_dquot();
    case EROFS: return msg::cli_errno_rofs();
    case ELOOP: return msg::cli_errno_loop();
    case ENAMETOOLONG: return msg::cli_errno_nametoolong();
    case EIO: return msg::cli_errno_io();
    case EXDEV: return msg::cli_errno_xdev();
    case EBUSY: return msg::cli_errno_busy();
    default: return msg::cli_errno_other(std::strerror(code));
  }
}

Message file_kind_message(unsigned mode, const Message& fifo) {
  if (S_ISDIR(mode)) return msg::cli_kind_directory();
  if (S_ISFIFO(mode)) return fifo;
  if (S_ISCHR(mode)) return msg::cli_kind_char_device();
  if (S_ISBLK(mode)) return msg::cli_kind_block_device();
  if (S_ISSOCK(mode)) return msg::cli_kind_socket();
  return msg::cli_kind_other();
}

namespace {

// Opens the regular file `path` into `file` (its status in `st`), refusing anything else without
// waiting on it.
std::optional<ReadProblem> open_regular_file(const std::string& path, Descriptor& file, struct stat& st) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
  file.fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (file.fd < 0) return ReadProblem{system_error(errno), msg::cli_hint_check_path()};
  if (::fstat(file.fd, &st) != 0) return ReadProblem{system_error(errno), msg::cli_hint_check_path()};
  if (S_ISDIR(st.st_mode)) return ReadProblem{msg::cli_it_is_directory(), msg::cli_hint_file_inside()};
  if (!S_ISREG(st.st_mode)) {
    return ReadProblem{msg::cli_not_regular(file_kind_message(st.st_mode, msg::cli_kind_named_pipe())),
                       msg::cli_hint_save_into_file()};
  }
  // A regular file: back to blocking reads (a file on a network filesystem may otherwise answer
  // EAGAIN part-way).
  const int flags = ::fcntl(file.fd, F_GETFL);
  if (flags >= 0) (void)::fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  return std::nullopt;
}

std::optional<ReadProblem> read_open_file(const Descriptor& file, const struct stat& st, std::string& bytes) {
  // One allocation at the file's size, then to the end in case it grew.
  bytes.clear();
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t have = 0;
  for (;;) {
    if (have == bytes.size()) bytes.resize(bytes.size() + 65536);
    const ssize_t n = ::read(file.fd, bytes.data() + have, bytes.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadProblem{system_error(errno), msg::cli_hint_check_readable()};
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  bytes.resize(have);
  return std::nullopt;
}

}  // namespace

std::optional<ReadProblem> read_regular_file(const std::string& path, std::string& bytes) {
  Descriptor file;
  struct stat st {};
  if (auto problem = open_regular_file(path, file, st)) return problem;
  return read_open_file(file, st, bytes);
}

std::optional<ReadProblem> map_regular_file(const std::string& path, engine::FileBytes& bytes) {
  Descriptor file;
  struct stat st {};
  if (auto problem = open_regular_file(path, file, st)) return problem;
  if (auto mapped = engine::FileBytes::map(file.fd, static_cast<std::size_t>(st.st_size))) {
    bytes = std::move(*mapped);
    return std::nullopt;
  }
  std::string read;
  if (auto problem = read_open_file(file, st, read)) return problem;
  bytes = engine::FileBytes(std::move(read));
  return std::nullopt;
}

struct CutShortWatch::Watched {
  std::string_view mapped;
  std::string message;
};

namespace {

// What the live CutShortWatch watches, or null.
std::atomic<const CutShortWatch::Watched*> watched{nullptr};

void on_bus_error(int signal, siginfo_t* info, void* /*context*/) {
  const CutShortWatch::Watched* w = watched.load();
  const auto* at = static_cast<const char*>(info->si_addr);
  if (w != nullptr && at >= w->mapped.data() && at < w->mapped.data() + w->mapped.size()) {
    (void)!::write(STDERR_FILENO, w->message.data(), w->message.size());
    ::_exit(2);
  }
  ::signal(signal, SIG_DFL);  // not ours: crash as it would have
  ::raise(signal);
}

}  // namespace

CutShortWatch::CutShortWatch(std::string_view mapped, std::string message)
    : watched_(std::make_unique<Watched>(Watched{mapped, std::move(message)})) {
  watched.store(watched_.get());
  struct sigaction action {};
  action.sa_sigaction = on_bus_error;
  action.sa_flags = SA_SIGINFO;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGBUS, &action, nullptr);
}

CutShortWatch::~CutShortWatch() {
  const Watched* mine = watched_.get();
  watched.compare_exchange_strong(mine, nullptr);  // unless a later watch replaced it
}

}  // namespace jixiao::cli
