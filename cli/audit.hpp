// Audit records: what `eval --record` writes (hashes of every input and of the results, and the
// options that determine them), and what `jixiao verify` checks by running the evaluation again.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "evaluation.hpp"

namespace jixiao::cli {

/// The SHA-256 of `bytes` as 64 lowercase hex digits (OpenSSL's libcrypto).
std::string sha256_hex(std::string_view bytes);

/// SHA-256 of bytes that arrive piece by piece (results streamed to a file).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes);
  /// The digest as 64 lowercase hex digits; call once, after the last update.
  std::string hex();

 private:
  void* ctx_;  ///< an EVP_MD_CTX
};

/// One file an evaluation read or wrote, with its hash. `path` is relative to the record's
/// directory, or `std/NAME.jx` for a bundled standard policy (`embedded`).
struct RecordedFile {
  std::string path;
  std::string sha256;
  bool embedded = false;
};

/// An audit record. It holds no time or machine name: the same evaluation always gives the
/// same record.
struct AuditRecord {
  std::string engine;                  ///< "jixiao 0.2.0"
  EvalRequest request;                 ///< paths relative to the record's directory
  std::vector<RecordedFile> policy_files;
  RecordedFile data;
  std::optional<RecordedFile> columns;
  std::optional<RecordedFile> result;  ///< the --out file; absent when the results went to stdout
  std::string result_sha256;           ///< of the results' bytes, wherever they went
  std::size_t rows = 0;
};

/// `path` (relative to the current directory) as a record at `record_path` names it: relative to
/// the record's directory, symbolic links resolved (`../x` or an absolute path when outside it).
std::string relative_to_record(const std::string& path, const std::string& record_path);

/// The policy's files (top first) as a record at `record_path` names them, each with the SHA-256
/// of the text that was checked (as kept in the session's sources).
std::vector<RecordedFile> policy_closure(const Session& s, const LoadedPolicy& loaded, const std::string& record_path);

/// Builds the record of an evaluation whose results were written to `out_path` (or stdout when
/// empty), for a record file at `record_path`.
AuditRecord make_record(const Session& s, const EvalRequest& request, const EvalOutcome& outcome,
                        const std::string& out_path, const std::string& record_path);

/// The paths a record names outside its own directory, in the record's order, each once.
std::vector<std::string> paths_outside(const AuditRecord& r);

/// Warns (`record-outside`) that the record at `record_path` names files outside its directory,
/// which `jixiao verify` refuses unless given `--allow-outside`.
void warn_outside(Session& s, const std::string& record_path, const std::vector<std::string>& outside);

/// The record as TOML.
std::string record_text(const AuditRecord& r);

/// One thing wrong with a record.
struct RecordProblem {
  std::uint32_t line = 0;  ///< 1-based place in the record (column in code points); 0 when none
  std::uint32_t column = 0;
  std::uint32_t end_line = 0;  ///< the end of the offending value, when known
  std::uint32_t end_column = 0;
  std::string field;  ///< e.g. `command.format`, `policy_files[2].sha256`; empty for the whole record
  Message message;
  std::optional<Message> hint;
  bool outside = false;  ///< a path outside the record's directory
};

/// Reads and validates a record: valid TOML, no unknown key, every field present and well-formed
/// (formats, encodings, params, hashes, row counts, standard policies), the data and column map
/// named alike in `[command]` and their own tables, no policy file listed twice, and (unless
/// `allow_outside`) every path inside the record's directory. Returns the record, or nullopt with
/// every problem found in `problems` (in the order of the text).
std::optional<AuditRecord> read_record(const std::string& text, const std::string& path, bool allow_outside,
                                       std::vector<RecordProblem>& problems);

}  // namespace jixiao::cli
