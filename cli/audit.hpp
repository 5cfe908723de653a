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
  std::string engine;                  ///< "jixiao 0.1.0"
  EvalRequest request;                 ///< paths relative to the record's directory
  std::vector<RecordedFile> policy_files;
  RecordedFile data;
  std::optional<RecordedFile> columns;
  std::optional<RecordedFile> result;  ///< the --out file; absent when the results went to stdout
  std::string result_sha256;           ///< of the results' bytes, wherever they went
  std::size_t rows = 0;
};

/// Builds the record of an evaluation whose results were written to `out_path` (or stdout when
/// empty), for a record file at `record_path`.
AuditRecord make_record(const Session& s, const EvalRequest& request, const EvalOutcome& outcome,
                        const std::string& out_path, const std::string& record_path);

/// The record as TOML.
std::string record_text(const AuditRecord& r);

/// Reads a record; on failure returns nullopt and sets `error` to a message with line:column.
std::optional<AuditRecord> read_record(const std::string& text, const std::string& path, std::string& error);

}  // namespace jixiao::cli
