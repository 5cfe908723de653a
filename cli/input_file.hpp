// Reading an input file (a policy, a module, a column map, a test file, data, an audit record).
#pragma once

#include "jixiao/dsl/message.hpp"
#include "jixiao/engine/file_bytes.hpp"

#include <memory>
#include <optional>
#include <string>

namespace jixiao::cli {

/// Why a file could not be read: what happened ("No such file or directory", "it is a FIFO
/// (named pipe), not a regular file") and what to do about it.
struct ReadProblem {
  Message reason;
  Message hint;
};

/// The system's error `code` (errno) as a message: the common ones in both languages (their
/// English is glibc's strerror text), any other as the system gives it.
Message system_error(int code);

/// What a file of `mode` is when it is not a regular file ("a directory", "a FIFO (named pipe)",
/// ...); `fifo` names a FIFO (`a FIFO` for outputs, `a FIFO (named pipe)` for inputs).
Message file_kind_message(unsigned mode, const Message& fifo);

/// Reads the whole of the regular file `path` into `bytes`. Anything that is not a regular file
/// (a directory, a FIFO, a device, a socket) is refused without waiting on it: opening a FIFO or
/// reading a terminal would block forever, and /dev/zero never ends.
std::optional<ReadProblem> read_regular_file(const std::string& path, std::string& bytes);

/// As read_regular_file, but maps the file into memory when it can (FileBytes::map), reading it
/// otherwise.
std::optional<ReadProblem> map_regular_file(const std::string& path, engine::FileBytes& bytes);

/// While it lives, a bus error (SIGBUS) reading `mapped` (a mapped file that was cut shorter)
/// writes `message` to stderr and ends the process with exit code 2; any other SIGBUS stays a
/// crash. For one mapping at a time: a later watch replaces the earlier, and a watch destroyed
/// watches nothing any more (so an address reused after the file is unmapped is not mistaken).
class CutShortWatch {
 public:
  CutShortWatch(std::string_view mapped, std::string message);
  ~CutShortWatch();
  CutShortWatch(const CutShortWatch&) = delete;
  CutShortWatch& operator=(const CutShortWatch&) = delete;

  struct Watched;

 private:
  std::unique_ptr<Watched> watched_;
};

}  // namespace jixiao::cli
