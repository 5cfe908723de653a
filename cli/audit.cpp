// Audit records (see audit.hpp): SHA-256 through OpenSSL's libcrypto, TOML through toml++.
#include "audit.hpp"

#include <openssl/evp.h>
#include <toml++/toml.h>

#include <filesystem>
#include <sstream>

#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/encoding.hpp"

namespace jixiao::cli {

namespace fs = std::filesystem;

namespace {

std::string hex_digest(const unsigned char* digest, unsigned int size) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 0xF]);
  }
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed in libcrypto");
  }
  return hex_digest(digest, size);
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
    throw std::runtime_error("SHA-256 failed in libcrypto");
  }
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256::update(std::string_view bytes) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), bytes.data(), bytes.size()) != 1) {
    throw std::runtime_error("SHA-256 failed in libcrypto");
  }
}

std::string Sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), digest, &size) != 1) throw std::runtime_error("SHA-256 failed in libcrypto");
  return hex_digest(digest, size);
}

namespace {

// `path` (relative to the current directory) as seen from the directory of `record_path`.
std::string relative_to_record(const std::string& path, const std::string& record_path) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(record_path, ec).parent_path(), ec);
  const fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  const fs::path rel = target.lexically_relative(base);
  return rel.empty() ? target.string() : rel.generic_string();
}

std::string_view encoding_word(engine::Encoding e) {
  switch (e) {
    case engine::Encoding::kUtf8: return "utf-8";
    case engine::Encoding::kGb18030: return "gb18030";
    default: return "auto";
  }
}

}  // namespace

AuditRecord make_record(const Session& s, const EvalRequest& request, const EvalOutcome& outcome,
                        const std::string& out_path, const std::string& record_path) {
  AuditRecord r;
  r.engine = "jixiao " + std::string(kVersion);
  r.request = request;
  r.request.policy = relative_to_record(request.policy, record_path);
  r.request.data = relative_to_record(request.data, record_path);
  if (request.columns) r.request.columns = relative_to_record(*request.columns, record_path);
  // Every file of the policy (the top file, its bases and imports), by the text that was read.
  for (const std::string& file : outcome.loaded->files) {
    for (std::size_t i = 0; i < s.sources.size(); ++i) {
      const SourceFile& f = s.sources.get(SourceId{static_cast<std::uint32_t>(i)});
      if (f.path() != file) continue;
      const bool embedded = file.rfind("std/", 0) == 0;
      r.policy_files.push_back({embedded ? file : relative_to_record(file, record_path), sha256_hex(f.text()), embedded});
      break;
    }
  }
  r.data = {r.request.data, outcome.data_sha256, false};
  if (request.columns) r.columns = RecordedFile{*r.request.columns, sha256_hex(outcome.columns_bytes), false};
  r.result_sha256 = outcome.result_sha256;
  if (!out_path.empty()) r.result = RecordedFile{relative_to_record(out_path, record_path), r.result_sha256, false};
  r.rows = outcome.result->selected.size();
  return r;
}

std::string record_text(const AuditRecord& r) {
  toml::table t;
  t.insert("engine", r.engine);
  toml::table command;
  command.insert("policy", r.request.policy);
  command.insert("data", r.request.data);
  command.insert("format", r.request.format == engine::ResultFormat::kJson ? "json" : "csv");
  command.insert("encoding", std::string(encoding_word(r.request.encoding)));
  if (r.request.columns) command.insert("columns", *r.request.columns);
  if (!r.request.period.empty()) command.insert("period", r.request.period);
  command.insert("all_periods", r.request.all_periods);
  toml::array params;
  for (const auto& p : r.request.params) params.push_back(p.name + "=" + p.value);
  command.insert("params", params);
  t.insert("command", command);
  toml::array files;
  for (const RecordedFile& f : r.policy_files) {
    toml::table file;
    file.insert("path", f.path);
    file.insert("sha256", f.sha256);
    if (f.embedded) file.insert("embedded", true);
    files.push_back(file);
  }
  t.insert("policy_files", files);
  auto file_table = [](const RecordedFile& f) {
    toml::table file;
    file.insert("path", f.path);
    file.insert("sha256", f.sha256);
    return file;
  };
  t.insert("data", file_table(r.data));
  if (r.columns) t.insert("columns", file_table(*r.columns));
  toml::table result;
  if (r.result) result.insert("path", r.result->path);
  result.insert("sha256", r.result_sha256);
  result.insert("rows", static_cast<std::int64_t>(r.rows));
  t.insert("result", result);
  std::ostringstream out;
  out << "# jixiao audit record: `jixiao verify` re-runs the evaluation and compares every hash.\n"
      << "# Paths are relative to this file.\n"
      << toml::toml_formatter(t) << "\n";
  return out.str();
}

std::optional<AuditRecord> read_record(const std::string& text, const std::string& path, std::string& error) {
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    error = path + ":" + std::to_string(e.source().begin.line) + ":" + std::to_string(e.source().begin.column) +
            ": the record is not valid TOML: " + std::string(e.description());
    return std::nullopt;
  }
  AuditRecord r;
  auto need = [&](std::optional<std::string> v, const char* what) {
    if (!v) error = path + ": the record has no `" + std::string(what) + "`";
    return v.value_or("");
  };
  r.engine = need(t["engine"].value<std::string>(), "engine");
  r.request.policy = need(t["command"]["policy"].value<std::string>(), "command.policy");
  r.request.data = need(t["command"]["data"].value<std::string>(), "command.data");
  r.request.format = t["command"]["format"].value_or(std::string("csv")) == "json" ? engine::ResultFormat::kJson
                                                                                   : engine::ResultFormat::kCsv;
  r.request.encoding = engine::parse_encoding_name(t["command"]["encoding"].value_or(std::string("auto"))).value_or(engine::Encoding::kAuto);
  if (auto c = t["command"]["columns"].value<std::string>()) r.request.columns = *c;
  r.request.period = t["command"]["period"].value_or(std::string());
  r.request.all_periods = t["command"]["all_periods"].value_or(false);
  if (const auto* params = t["command"]["params"].as_array()) {
    for (const auto& p : *params) {
      const std::string v = p.value_or(std::string());
      const auto eq = v.find('=');
      if (eq != std::string::npos) r.request.params.push_back({v.substr(0, eq), v.substr(eq + 1)});
    }
  }
  if (const auto* files = t["policy_files"].as_array()) {
    for (const auto& f : *files) {
      const auto* ft = f.as_table();
      if (ft == nullptr) continue;
      r.policy_files.push_back({(*ft)["path"].value_or(std::string()), (*ft)["sha256"].value_or(std::string()),
                                (*ft)["embedded"].value_or(false)});
    }
  }
  r.data = {r.request.data, need(t["data"]["sha256"].value<std::string>(), "data.sha256"), false};
  if (t["columns"]) r.columns = RecordedFile{r.request.columns.value_or(""), t["columns"]["sha256"].value_or(std::string()), false};
  r.result_sha256 = need(t["result"]["sha256"].value<std::string>(), "result.sha256");
  if (auto p = t["result"]["path"].value<std::string>()) r.result = RecordedFile{*p, r.result_sha256, false};
  r.rows = static_cast<std::size_t>(t["result"]["rows"].value_or(std::int64_t{0}));
  if (!error.empty()) return std::nullopt;
  return r;
}

}  // namespace jixiao::cli
