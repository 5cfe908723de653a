// Audit records (see audit.hpp): SHA-256 through OpenSSL's libcrypto, TOML through toml++.
#include "audit.hpp"

#include <openssl/evp.h>
#include <toml++/toml.h>

#include <algorithm>
#include <climits>
#include <filesystem>
#include <sstream>

#include "jixiao/dsl/edit_distance.hpp"
#include "jixiao/dsl/utf8.hpp"
#include "jixiao/dsl/version.hpp"
#include "jixiao/engine/encoding.hpp"
#include "jixiao/stdlib.hpp"
#include "result_options.hpp"

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

std::string relative_to_record(const std::string& path, const std::string& record_path) {
  std::error_code ec;
  const fs::path base = fs::weakly_canonical(fs::absolute(record_path, ec).parent_path(), ec);
  const fs::path target = fs::weakly_canonical(fs::absolute(path, ec), ec);
  const fs::path rel = target.lexically_relative(base);
  return rel.empty() ? target.string() : rel.generic_string();
}

namespace {

std::string_view encoding_word(engine::Encoding e) {
  switch (e) {
    case engine::Encoding::kUtf8: return "utf-8";
    case engine::Encoding::kGb18030: return "gb18030";
    default: return "auto";
  }
}

bool is_outside(const std::string& recorded) {
  const fs::path p(recorded);
  return p.is_absolute() || (!p.empty() && *p.begin() == "..");
}

}  // namespace

std::vector<RecordedFile> policy_closure(const Session& s, const LoadedPolicy& loaded, const std::string& record_path) {
  std::vector<RecordedFile> out;
  for (const std::string& file : loaded.files) {
    for (std::size_t i = 0; i < s.sources.size(); ++i) {
      const SourceFile& f = s.sources.get(SourceId{static_cast<std::uint32_t>(i)});
      if (f.path() != file) continue;
      const bool embedded = file.rfind("std/", 0) == 0;
      out.push_back({embedded ? file : relative_to_record(file, record_path), sha256_hex(f.text()), embedded});
      break;
    }
  }
  return out;
}

AuditRecord make_record(const Session& s, const EvalRequest& request, const EvalOutcome& outcome,
                        const std::string& out_path, const std::string& record_path) {
  AuditRecord r;
  r.engine = "jixiao " + std::string(kVersion);
  r.request = request;
  r.request.policy = relative_to_record(request.policy, record_path);
  r.request.data = relative_to_record(request.data, record_path);
  if (request.columns) r.request.columns = relative_to_record(*request.columns, record_path);
  // Every file of the policy (the top file, its bases and imports), by the text that was read.
  r.policy_files = policy_closure(s, *outcome.loaded, record_path);
  r.data = {r.request.data, outcome.data_sha256, false};
  if (request.columns) r.columns = RecordedFile{*r.request.columns, sha256_hex(outcome.columns_bytes), false};
  r.result_sha256 = outcome.result_sha256;
  if (!out_path.empty()) r.result = RecordedFile{relative_to_record(out_path, record_path), r.result_sha256, false};
  r.rows = outcome.result->selected.size();
  return r;
}

std::vector<std::string> paths_outside(const AuditRecord& r) {
  std::vector<std::string> all;
  for (const RecordedFile& f : r.policy_files) {
    if (!f.embedded) all.push_back(f.path);
  }
  all.push_back(r.data.path);
  if (r.columns) all.push_back(r.columns->path);
  if (r.result) all.push_back(r.result->path);
  std::vector<std::string> out;
  for (const std::string& p : all) {
    if (is_outside(p) && std::find(out.begin(), out.end(), p) == out.end()) out.push_back(p);
  }
  return out;
}

void warn_outside(Session& s, const std::string& record_path, const std::vector<std::string>& outside) {
  constexpr std::size_t kShown = 5;
  Message list = backticked_list({outside.begin(), outside.begin() + static_cast<std::ptrdiff_t>(std::min(outside.size(), kShown))});
  if (outside.size() > kShown) list = msg::cli_rec_and_more(list, outside.size() - kShown);
  const Message where = record_path == "-" ? msg::cli_rec_current_dir() : msg::cli_rec_dir_of(record_path);
  Diagnostic d = diagnose(DiagCode::record_outside, Span{},
                          outside.size() == 1 ? msg::cli_rec_outside_one(where, list) : msg::cli_rec_outside_many(where, list),
                          msg::cli_rec_hint_archive());
  d.file = record_path == "-" ? "--record -" : record_path;
  s.report(std::move(d));
}

std::string record_text(const AuditRecord& r) {
  toml::table t;
  t.insert("engine", r.engine);
  toml::table command;
  command.insert("policy", r.request.policy);
  command.insert("data", r.request.data);
  command.insert("format", std::string(format_word(r.request.format)));
  command.insert("encoding", std::string(encoding_word(r.request.encoding)));
  // The options of the results' bytes, only when they are not the defaults (older records stay valid).
  if (r.request.bom) command.insert("bom", true);
  if (r.request.out_encoding != engine::Encoding::kUtf8) command.insert("out_encoding", std::string(encoding_word(r.request.out_encoding)));
  if (r.request.group_by) command.insert("group_by", *r.request.group_by);
  if (r.request.columns) command.insert("columns", *r.request.columns);
  if (r.request.sheet) command.insert("sheet", *r.request.sheet);
  if (r.request.header_row) command.insert("header_row", static_cast<std::int64_t>(*r.request.header_row));
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

namespace {

// ---- reading a record: every key known, every value checked ----

/// At most this many code points of a value are quoted in a message.
constexpr std::size_t kShownValue = 80;

std::string cut(std::string_view text) {
  std::size_t pos = 0;
  std::size_t n = 0;
  while (pos < text.size() && n < kShownValue) {
    (void)utf8::decode(text, pos);
    ++n;
  }
  return pos < text.size() ? std::string(text.substr(0, pos)) + "…" : std::string(text);
}

/// A value for a message: "the text `...`" for a string, else "`...`" as written in TOML; cut
/// when long.
Message toml_value(const toml::node& n) {
  if (const auto s = n.value_exact<std::string>()) return msg::cli_rec_text_value(cut(*s));
  std::ostringstream out;
  n.visit([&out](const auto& v) { out << v; });
  return msg::cli_rec_value(cut(out.str()));
}

bool is_sha256(std::string_view v) {
  return v.size() == 64 && std::all_of(v.begin(), v.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool is_engine(std::string_view v) {
  constexpr std::string_view kPrefix = "jixiao ";
  if (v.size() <= kPrefix.size() || v.substr(0, kPrefix.size()) != kPrefix || v.size() > 64) return false;
  return std::all_of(v.begin() + static_cast<std::ptrdiff_t>(kPrefix.size()), v.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '-' || c == '+';
  });
}

std::string normal(const std::string& p) { return fs::path(p).lexically_normal().generic_string(); }

class RecordReader {
 public:
  RecordReader(const std::string& path, bool allow_outside, std::vector<RecordProblem>& problems)
      : allow_outside_(allow_outside), problems_(problems) {
    std::error_code ec;
    dir_ = fs::weakly_canonical(fs::absolute(path, ec).parent_path(), ec);
  }

  std::optional<AuditRecord> read(const toml::table& t) {
    if (t.empty()) {
      problem(nullptr, "", msg::cli_rec_empty(), msg::cli_rec_hint_written());
      return std::nullopt;
    }
    only_keys(t, "", {"engine", "command", "policy_files", "data", "columns", "result"});
    AuditRecord r;
    if (auto e = text(t, "", "engine", true)) {
      if (is_engine(*e)) {
        r.engine = *e;
      } else {
        problem(t.get("engine"), "engine", msg::cli_rec_bad_engine(cut(*e)), msg::cli_rec_hint_engine());
      }
    }
    read_command(t, r);
    read_policy_files(t, r);
    read_data(t, r);
    read_result(t, r);
    if (!problems_.empty()) return std::nullopt;
    return r;
  }

 private:
  void problem(const toml::node* at, const std::string& field, Message message, std::optional<Message> hint = std::nullopt) {
    RecordProblem p{0, 0, 0, 0, field, std::move(message), std::move(hint)};
    if (at != nullptr && at->source().begin) {
      p.line = at->source().begin.line;
      p.column = at->source().begin.column;
      if (at->source().end && at->source().end.line == p.line) {
        p.end_line = at->source().end.line;
        p.end_column = at->source().end.column;
      }
    }
    problems_.push_back(std::move(p));
  }

  static std::string join(std::string_view prefix, std::string_view key) {
    return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
  }

  void only_keys(const toml::table& t, std::string_view prefix, const std::vector<std::string>& known) {
    for (const auto& [key, value] : t) {
      const std::string name(key.str());
      if (std::find(known.begin(), known.end(), name) != known.end()) continue;
      Message hint = msg::cli_rec_hint_no_such_key();
      if (auto best = closest_name(name, known)) hint = msg::did_you_mean(join(prefix, *best));
      problem(&value, join(prefix, name), msg::cli_rec_unknown_key(cut(join(prefix, name))), hint);
    }
  }

  /// The table `key` of `t`; a problem when it is missing (and `required`) or not a table.
  const toml::table* table(const toml::table& t, std::string_view key, bool required) {
    const toml::node* n = t.get(key);
    if (n == nullptr) {
      if (required) problem(nullptr, std::string(key), msg::cli_rec_no_table(key), msg::cli_rec_hint_unchanged());
      return nullptr;
    }
    if (!n->is_table()) {
      problem(n, std::string(key), msg::cli_rec_not_table(key, toml_value(*n)), msg::cli_rec_hint_table(key));
      return nullptr;
    }
    return n->as_table();
  }

  /// The value `key` of `t` (`prefix` names `t`), of the type T; a problem when it is missing (and
  /// `required`) or of another type.
  template <typename T>
  std::optional<T> value(const toml::table& t, std::string_view prefix, std::string_view key, bool required, const Message& expected) {
    const toml::node* n = t.get(key);
    const std::string field = join(prefix, key);
    if (n == nullptr) {
      const Message owner = prefix.empty()                                ? msg::cli_rec_the_record()
                            : prefix.find('[') != std::string_view::npos ? msg::cli_rec_owner(prefix)
                                                                           : msg::cli_rec_table_name(prefix);
      if (required) problem(prefix.empty() ? nullptr : &t, field, msg::cli_rec_no_key(owner, key), msg::cli_rec_hint_unchanged());
      return std::nullopt;
    }
    if (auto v = n->value_exact<T>()) return v;
    problem(n, field, msg::cli_rec_wrong_type(field, toml_value(*n), expected));
    return std::nullopt;
  }

  std::optional<std::string> text(const toml::table& t, std::string_view prefix, std::string_view key, bool required) {
    auto v = value<std::string>(t, prefix, key, required, msg::cli_rec_a_text());
    if (v && v->empty()) {
      problem(t.get(key), join(prefix, key), msg::cli_rec_is_empty(join(prefix, key)));
      return std::nullopt;
    }
    return v;
  }

  /// A path of the record: relative to the record's directory and inside it (unless allowed).
  std::optional<std::string> path(const toml::table& t, std::string_view prefix, std::string_view key, bool required) {
    auto v = text(t, prefix, key, required);
    if (!v) return v;
    const std::string field = join(prefix, key);
    if (v->find('\0') != std::string::npos) {
      problem(t.get(key), field, msg::cli_rec_nul(field));
      return std::nullopt;
    }
    if (!allow_outside_ && !inside(*v)) {
      problem(t.get(key), field, msg::cli_rec_outside_dir(field, cut(*v)), msg::cli_rec_hint_outside());
      problems_.back().outside = true;
      return std::nullopt;
    }
    return v;
  }

  bool inside(const std::string& p) const {
    const fs::path rel(p);
    if (rel.is_absolute()) return false;
    std::error_code ec;
    const fs::path full = fs::weakly_canonical(dir_ / rel, ec);
    if (ec) return false;
    const auto [dir_end, ignored] = std::mismatch(dir_.begin(), dir_.end(), full.begin(), full.end());
    (void)ignored;
    return dir_end == dir_.end();
  }

  std::optional<std::string> sha256(const toml::table& t, std::string_view prefix) {
    auto v = value<std::string>(t, prefix, "sha256", true, msg::cli_rec_a_text());
    if (!v) return v;
    if (!is_sha256(*v)) {
      const std::string field = join(prefix, "sha256");
      problem(t.get("sha256"), field, msg::cli_rec_bad_sha(field, cut(*v)));
      return std::nullopt;
    }
    return v;
  }

  void read_command(const toml::table& top, AuditRecord& r) {
    const toml::table* t = table(top, "command", true);
    if (t == nullptr) return;
    only_keys(*t, "command", {"policy", "data", "format", "encoding", "columns", "sheet", "header_row", "period", "all_periods",
                              "params", "bom", "out_encoding", "group_by"});
    command_ = t;
    if (auto p = path(*t, "command", "policy", true)) r.request.policy = *p;
    if (auto p = path(*t, "command", "data", true)) r.request.data = *p;
    if (t->contains("columns")) {
      if (auto p = path(*t, "command", "columns", true)) r.request.columns = *p;
    }
    if (auto f = value<std::string>(*t, "command", "format", true, msg::cli_rec_a_text())) {
      if (const auto format = format_from_word(*f)) {
        r.request.format = *format;
      } else {
        problem(t->get("format"), "command.format", msg::cli_rec_bad_format(cut(*f)));
      }
    }
    if (auto e = value<std::string>(*t, "command", "encoding", true, msg::cli_rec_a_text())) {
      if (auto enc = engine::parse_encoding_name(*e)) {
        r.request.encoding = *enc;
      } else {
        problem(t->get("encoding"), "command.encoding", msg::cli_rec_bad_encoding(cut(*e)));
      }
    }
    if (t->contains("period")) {
      if (auto p = text(*t, "command", "period", true)) r.request.period = *p;
    }
    if (t->contains("sheet")) {
      if (auto p = text(*t, "command", "sheet", true)) r.request.sheet = *p;
    }
    if (t->contains("header_row")) {
      if (auto n = value<std::int64_t>(*t, "command", "header_row", true, msg::cli_rec_a_whole_number())) {
        if (*n >= 1 && *n <= 1048576) {
          r.request.header_row = static_cast<std::uint32_t>(*n);
        } else {
          problem(t->get("header_row"), "command.header_row", msg::xin_rec_bad_row(std::to_string(*n)));
        }
      }
    }
    if (auto a = value<bool>(*t, "command", "all_periods", true, msg::cli_rec_a_bool())) r.request.all_periods = *a;
    read_result_options(*t, r);
    const toml::node* params = t->get("params");
    if (params == nullptr) {
      problem(t, "command.params", msg::cli_rec_no_key(msg::cli_rec_table_name("command"), "params"), msg::cli_rec_hint_params());
    } else if (const toml::array* list = params->as_array()) {
      for (std::size_t i = 0; i < list->size(); ++i) {
        const toml::node& item = *list->get(i);
        const std::string field = "command.params[" + std::to_string(i + 1) + "]";
        const auto v = item.value_exact<std::string>();
        const std::size_t eq = v ? v->find('=') : std::string::npos;
        if (!v || eq == std::string::npos || eq == 0) {
          problem(&item, field, msg::cli_rec_bad_param(field, toml_value(item)), msg::cli_rec_hint_param());
          continue;
        }
        const std::string name = v->substr(0, eq);
        const bool repeated = std::any_of(r.request.params.begin(), r.request.params.end(), [&](const dsl::ParamOverride& p) { return p.name == name; });
        if (repeated) {
          problem(&item, field, msg::cli_rec_param_again(field, cut(name)), msg::cli_rec_hint_param_once());
          continue;
        }
        r.request.params.push_back({name, v->substr(eq + 1)});
      }
    } else {
      problem(params, "command.params", msg::cli_rec_params_not_array(toml_value(*params)));
    }
  }

  /// `bom` and `out_encoding` (CSV only) and `group_by` (a workbook only), each optional.
  void read_result_options(const toml::table& t, AuditRecord& r) {
    const auto needs = [&](const char* key, engine::ResultFormat format) {
      if (r.request.format == format) return true;
      problem(t.get(key), std::string("command.") + key, msg::xo_rec_needs_format(key, std::string(format_word(format))));
      return false;
    };
    if (t.contains("bom")) {
      if (auto b = value<bool>(t, "command", "bom", true, msg::cli_rec_a_bool()); b && needs("bom", engine::ResultFormat::kCsv)) r.request.bom = *b;
    }
    if (t.contains("out_encoding")) {
      if (auto e = value<std::string>(t, "command", "out_encoding", true, msg::cli_rec_a_text()); e && needs("out_encoding", engine::ResultFormat::kCsv)) {
        const auto enc = engine::parse_encoding_name(*e);
        if (enc && *enc != engine::Encoding::kAuto) {
          r.request.out_encoding = *enc;
        } else {
          problem(t.get("out_encoding"), "command.out_encoding", msg::xo_rec_bad_out_encoding(cut(*e)));
        }
      }
    }
    if (r.request.bom && r.request.out_encoding == engine::Encoding::kGb18030) {
      problem(t.get("bom"), "command.bom", msg::xo_rec_bom_gb18030());
    }
    if (t.contains("group_by")) {
      if (auto g = text(t, "command", "group_by", true); g && needs("group_by", engine::ResultFormat::kXlsx)) r.request.group_by = *g;
    }
  }

  void read_policy_files(const toml::table& top, AuditRecord& r) {
    const toml::node* n = top.get("policy_files");
    if (n == nullptr) {
      problem(nullptr, "policy_files", msg::cli_rec_no_policy_files(), msg::cli_rec_hint_unchanged());
      return;
    }
    const toml::array* list = n->as_array();
    if (list == nullptr || list->empty()) {
      problem(n, "policy_files", msg::cli_rec_policy_files_not_list(list == nullptr ? toml_value(*n) : msg::cli_rec_empty_word()));
      return;
    }
    std::vector<std::string> seen;
    const std::size_t problems_before = problems_.size();
    for (std::size_t i = 0; i < list->size(); ++i) {
      const toml::node& item = *list->get(i);
      const std::string prefix = "policy_files[" + std::to_string(i + 1) + "]";
      const toml::table* t = item.as_table();
      if (t == nullptr) {
        problem(&item, prefix, msg::cli_rec_not_table(prefix, toml_value(item)));
        continue;
      }
      only_keys(*t, prefix, {"path", "sha256", "embedded"});
      const bool embedded = value<bool>(*t, prefix, "embedded", false, msg::cli_rec_a_bool()).value_or(false);
      std::optional<std::string> p = embedded ? text(*t, prefix, "path", true) : path(*t, prefix, "path", true);
      const auto hash = sha256(*t, prefix);
      if (p && embedded && !is_bundled(*p)) {
        problem(t->get("path"), prefix + ".path", msg::cli_rec_not_bundled(prefix, cut(*p)), msg::cli_rec_hint_bundled());
        p.reset();
      }
      if (p) {
        const std::string key = embedded ? *p : normal(*p);
        if (const auto first = std::find(seen.begin(), seen.end(), key); first != seen.end()) {
          problem(t->get("path"), prefix + ".path", msg::cli_rec_listed_twice(cut(*p), first - seen.begin() + 1),
                  msg::cli_rec_hint_listed_once());
        }
        seen.push_back(key);
      } else {
        seen.emplace_back();
      }
      if (p && hash) r.policy_files.push_back({*p, *hash, embedded});
    }
    // The policy itself is one of its files (unless a problem above already hides which ones).
    if (problems_.size() == problems_before && !r.request.policy.empty() &&
        std::find(seen.begin(), seen.end(), normal(r.request.policy)) == seen.end()) {
      problem(command_ != nullptr ? command_->get("policy") : nullptr, "command.policy",
              msg::cli_rec_policy_not_listed(cut(r.request.policy)), msg::cli_rec_hint_policy_first());
    }
  }

  static bool is_bundled(const std::string& p) {
    if (p.rfind("std/", 0) != 0 || p.size() < 8 || p.compare(p.size() - 3, 3, ".jx") != 0) return false;
    const std::string name = p.substr(4, p.size() - 7);
    for (const StdlibFile& f : stdlib_files()) {
      if (f.name == name) return true;
    }
    return false;
  }

  /// `[data]` and `[columns]`: the same path as `[command]` gives, and a hash.
  void read_data(const toml::table& top, AuditRecord& r) {
    if (const toml::table* t = table(top, "data", true)) {
      only_keys(*t, "data", {"path", "sha256"});
      const auto p = path(*t, "data", "path", true);
      if (p && !r.request.data.empty() && normal(*p) != normal(r.request.data)) {
        problem(t->get("path"), "data.path", msg::cli_rec_path_mismatch("data.path", cut(*p), "command.data", cut(r.request.data)),
                msg::cli_rec_hint_one_data());
      }
      if (auto h = sha256(*t, "data")) r.data = {r.request.data, *h, false};
    }
    const toml::table* c = table(top, "columns", false);
    const bool named = command_ != nullptr && command_->contains("columns");
    if (c == nullptr) {
      if (named && !top.contains("columns")) {
        problem(command_->get("columns"), "columns", msg::cli_rec_columns_no_table());
      }
      return;
    }
    only_keys(*c, "columns", {"path", "sha256"});
    const auto p = path(*c, "columns", "path", true);
    if (!named) {
      problem(c, "columns", msg::cli_rec_columns_not_named());
    } else if (p && r.request.columns && normal(*p) != normal(*r.request.columns)) {
      problem(c->get("path"), "columns.path",
              msg::cli_rec_path_mismatch("columns.path", cut(*p), "command.columns", cut(*r.request.columns)), msg::cli_rec_hint_one_map());
    }
    if (auto h = sha256(*c, "columns")) r.columns = RecordedFile{r.request.columns.value_or(""), *h, false};
  }

  void read_result(const toml::table& top, AuditRecord& r) {
    const toml::table* t = table(top, "result", true);
    if (t == nullptr) return;
    only_keys(*t, "result", {"path", "sha256", "rows"});
    if (auto h = sha256(*t, "result")) r.result_sha256 = *h;
    if (t->contains("path")) {
      if (auto p = path(*t, "result", "path", true)) r.result = RecordedFile{*p, r.result_sha256, false};
    }
    if (auto rows = value<std::int64_t>(*t, "result", "rows", true, msg::cli_rec_a_whole_number())) {
      if (*rows < 0) {
        problem(t->get("rows"), "result.rows", msg::cli_rec_bad_rows(*rows));
      } else {
        r.rows = static_cast<std::size_t>(*rows);
      }
    }
  }

  bool allow_outside_;
  std::vector<RecordProblem>& problems_;
  fs::path dir_;
  const toml::table* command_ = nullptr;
};

}  // namespace

std::optional<AuditRecord> read_record(const std::string& text, const std::string& path, bool allow_outside,
                                       std::vector<RecordProblem>& problems) {
  toml::table t;
  try {
    t = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    RecordProblem p;
    p.line = e.source().begin.line;
    p.column = e.source().begin.column;
    p.message = msg::cli_rec_not_toml(toml_error(cut(e.description()), false));
    p.hint = msg::cli_rec_hint_unchanged();
    problems.push_back(std::move(p));
    return std::nullopt;
  }
  RecordReader reader(path, allow_outside, problems);
  auto r = reader.read(t);
  std::stable_sort(problems.begin(), problems.end(), [](const RecordProblem& a, const RecordProblem& b) {
    // In the order of the text; problems with no place (a missing table) last.
    const auto key = [](const RecordProblem& p) { return std::pair(p.line == 0 ? UINT32_MAX : p.line, p.column); };
    return key(a) < key(b);
  });
  // The hint for paths outside once, on the first of them.
  bool hinted = false;
  for (RecordProblem& p : problems) {
    if (!p.outside) continue;
    if (hinted) p.hint.reset();
    hinted = true;
  }
  return r;
}
}  // namespace jixiao::cli
