// Output files as one transaction per run, shared by every command that writes (docs/data-formats.md,
// "Output files"): an output never replaces an input or another output of the run, is written
// through a symbolic link to the file it names, keeps the mode of the file it replaces, and all
// outputs of a run appear together at the end, or none does.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "jixiao/dsl/message.hpp"

namespace jixiao::cli {

struct TempSlot;

/// Receives the pieces of a file's text in order.
using Emit = std::function<void(std::string_view)>;

/// Which file a path names: the device and inode of the file it leads to (through symbolic
/// links) when that exists, else the canonical path of its directory and its name.
struct FileIdentity {
  bool exists = false;
  dev_t device = 0;
  ino_t inode = 0;
  std::string path;  ///< when it does not exist
  friend bool operator==(const FileIdentity& a, const FileIdentity& b) {
    return a.exists == b.exists && (a.exists ? a.device == b.device && a.inode == b.inode : a.path == b.path);
  }
};
FileIdentity file_identity(const std::string& path);

/// What `path` names when it exists and is not a regular file (followed through symbolic links):
/// "a directory", "a FIFO", "a character device", "a block device" or "a socket"; nullopt for a
/// regular file or a path that does not exist. `directory` says whether it is a directory.
std::optional<Message> non_regular_kind(const std::string& path, bool* directory = nullptr);

/// An output that cannot be written whatever the run computes (a directory, a FIFO, a device, a
/// link that leads nowhere). The driver reports it as `io-error` for `path()`, exit code 2.
class OutputRefused : public std::runtime_error {
 public:
  OutputRefused(std::string path, Message message, Message hint)
      : std::runtime_error(message.str(Lang::kEn)), path_(std::move(path)), message_(std::move(message)), hint_(std::move(hint)) {}
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const Message& message() const { return message_; }
  [[nodiscard]] const Message& hint() const { return hint_; }

 private:
  std::string path_;
  Message message_;
  Message hint_;
};

/// A file a run reads, and what it is ("the data", "the policy").
struct InputFile {
  std::string path;
  Message what;
};

/// Why an output could not be written: the output's path as given and the message.
struct OutputError {
  std::string path;
  Message message;
};

/// The output files of one run. A command declares its outputs (add) and, before anything is
/// written, checks them against what it reads (refuse_inputs); then it writes each one into a
/// temporary file beside the file it replaces (stage) and finally renames them all into place
/// (commit). Temporary files are removed when the set is destroyed uncommitted, and by a handler
/// of SIGINT, SIGTERM and SIGHUP when the process is interrupted.
class OutputSet {
 public:
  OutputSet() = default;
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  /// Declares an output: `path` as given (`-` is standard output, which the caller writes itself),
  /// `flag` how the command line names it (`--out`) and `what` it holds (`the results`). Throws
  /// UsageError when the path is the file of an output declared before, and OutputRefused when it
  /// exists and is not a regular file. Returns the output's index.
  std::size_t add(const std::string& path, std::string flag, Message what);

  [[nodiscard]] bool to_stdout(std::size_t i) const;
  [[nodiscard]] bool any_to_stdout() const;
  [[nodiscard]] const std::string& path(std::size_t i) const;

  /// Throws UsageError, naming both, when an output (not standard output) is one of the files
  /// `inputs` names.
  void refuse_inputs(const std::vector<InputFile>& inputs) const;

  /// Writes output `i` into a new temporary file beside the file it replaces: `produce` is called
  /// once with an Emit that appends to it. The file is flushed to disk, with the mode (and, where
  /// allowed, the owner) of the file it replaces, or 0666 less the umask for a new file.
  std::optional<OutputError> stage(std::size_t i, const std::function<void(const Emit&)>& produce);
  std::optional<OutputError> stage(std::size_t i, std::string_view text);

  /// Renames every staged file onto the file it replaces, in the order declared. A failure removes
  /// the temporary files not yet renamed; the message names the outputs already replaced.
  std::optional<OutputError> commit();

 private:
  struct Output {
    std::string path;    ///< as given
    std::string flag;    ///< `--out`
    Message what;        ///< `the results`
    std::string target;  ///< the file it replaces (symbolic links followed)
    FileIdentity id;
    std::string temp;    ///< the staged temporary file, or empty
    TempSlot* slot = nullptr;  ///< its entry in the signal handler's list
  };
  void discard(Output& o);
  std::vector<Output> outputs_;
};

}  // namespace jixiao::cli
