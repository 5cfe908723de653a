// Reading an input file: opened without blocking, checked to be a regular file, read whole.
#include "input_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace jixiao::cli {
namespace {

// What a file that is not a regular file is, for the message.
std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// Closes the descriptor on every way out.
struct Descriptor {
  int fd = -1;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<ReadProblem> read_regular_file(const std::string& path, std::string& bytes) {
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (file.fd < 0) return ReadProblem{std::strerror(errno), "check the path; it is relative to the current directory"};
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) return ReadProblem{std::strerror(errno), "check the path; it is relative to the current directory"};
  if (S_ISDIR(st.st_mode)) return ReadProblem{"it is a directory", "name a file inside it"};
  if (!S_ISREG(st.st_mode)) {
    return ReadProblem{"it is " + kind_of(st.st_mode) + ", not a regular file",
                       "save what it gives into a file and name that file"};
  }
  // A regular file: back to blocking reads (a file on a network filesystem may otherwise answer
  // EAGAIN part-way).
  const int flags = ::fcntl(file.fd, F_GETFL);
  if (flags >= 0) (void)::fcntl(file.fd, F_SETFL, flags & ~O_NONBLOCK);
  // One allocation at the file's size, then to the end in case it grew.
  bytes.clear();
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t have = 0;
  for (;;) {
    if (have == bytes.size()) bytes.resize(bytes.size() + 65536);
    const ssize_t n = ::read(file.fd, bytes.data() + have, bytes.size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ReadProblem{std::strerror(errno), "check that the file can be read"};
    if (n == 0) break;
    have += static_cast<std::size_t>(n);
  }
  bytes.resize(have);
  return std::nullopt;
}

}  // namespace jixiao::cli
