// `jixiao eval`'s result options (see result_options.hpp).
#include "result_options.hpp"

#include <algorithm>
#include <filesystem>

#include "jixiao/dsl/edit_distance.hpp"

namespace jixiao::cli {

namespace {

bool ends_with_xlsx(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".xlsx";
}

/// `path` with the extension `.ext` in place of its own.
std::string with_extension(const std::string& path, const std::string& ext) {
  return std::filesystem::path(path).replace_extension(ext).string();
}

}  // namespace

std::string_view format_word(engine::ResultFormat format) {
  switch (format) {
    case engine::ResultFormat::kJson: return "json";
    case engine::ResultFormat::kXlsx: return "xlsx";
    default: return "csv";
  }
}

std::optional<engine::ResultFormat> format_from_word(std::string_view word) {
  for (const auto f : {engine::ResultFormat::kCsv, engine::ResultFormat::kJson, engine::ResultFormat::kXlsx}) {
    if (word == format_word(f)) return f;
  }
  return std::nullopt;
}

ResultOptions result_options(const ParsedArgs& args, const std::optional<std::string>& out) {
  ResultOptions r;
  const bool to_file = out && *out != "-";
  const bool xlsx_name = to_file && ends_with_xlsx(*out);
  if (const auto given = args.value("format")) {
    const auto f = format_from_word(*given);
    if (!f) {
      throw UsageError(msg::flag_bad_choice("format", *given),
                       msg::hint_write_one_of(std::vector<std::string>{"--format csv", "--format json", "--format xlsx"}));
    }
    r.format = *f;
    if (xlsx_name && r.format != engine::ResultFormat::kXlsx) {
      throw UsageError(msg::xo_format_not_xlsx(*given, *out), msg::xo_hint_format_not_xlsx(with_extension(*out, "." + *given)));
    }
  } else if (xlsx_name) {
    r.format = engine::ResultFormat::kXlsx;
  }
  const bool xlsx = r.format == engine::ResultFormat::kXlsx;
  if (xlsx && !to_file) throw UsageError(msg::xo_xlsx_to_stdout(), msg::xo_hint_xlsx_to_file());
  if (xlsx && !xlsx_name) throw UsageError(msg::xo_xlsx_needs_extension(*out), msg::xo_hint_xlsx_extension(with_extension(*out, ".xlsx")));

  // CSV for Excel.
  auto csv_only = [&](const char* flag) {
    if (r.format == engine::ResultFormat::kCsv) return;
    throw UsageError(msg::xo_option_needs_csv(flag, xlsx ? msg::xo_what_workbook() : msg::xo_what_json()),
                     xlsx ? msg::xo_hint_xlsx_no_encoding(flag) : msg::xo_hint_json_utf8(flag));
  };
  if (args.has("bom")) {
    csv_only("--bom");
    r.bom = true;
  }
  if (const auto name = args.value("out-encoding")) {
    csv_only("--out-encoding");
    const auto e = engine::parse_encoding_name(*name);
    if (!e || *e == engine::Encoding::kAuto) {
      throw UsageError(msg::flag_bad_choice("out-encoding", *name),
                       msg::hint_write_one_of(std::vector<std::string>{"--out-encoding utf-8", "--out-encoding gbk"}));
    }
    r.out_encoding = *e;
    if (r.bom && r.out_encoding == engine::Encoding::kGb18030) throw UsageError(msg::xo_bom_with_gbk(*name), msg::xo_hint_bom_or_gbk());
  }
  if (const auto column = args.value("group-by")) {
    if (!xlsx) throw UsageError(msg::xo_group_by_needs_xlsx(std::string(r.format == engine::ResultFormat::kJson ? "JSON" : "CSV")), msg::xo_hint_group_by_xlsx(*column));
    r.group_by = *column;
  }
  return r;
}

dsl::SymbolId group_column(const dsl::CheckedPolicy& policy, const std::string& name) {
  std::vector<std::string> candidates;  // the columns one may group by
  auto groupable = [&](const dsl::Symbol& s) {
    const dsl::TypeKind k = s.type.kind;
    return k == dsl::TypeKind::kText || k == dsl::TypeKind::kLabel || k == dsl::TypeKind::kBool;
  };
  auto column = [&](const dsl::Symbol& s) {
    return s.kind == dsl::SymbolKind::kInput || s.kind == dsl::SymbolKind::kGrade || s.kind == dsl::SymbolKind::kAlert ||
           s.kind == dsl::SymbolKind::kKey;
  };
  for (const dsl::SymbolId id : engine::result_symbols(policy)) {
    if (id != policy.key && groupable(policy.symbol(id))) candidates.push_back(policy.symbol(id).name);
  }
  for (const dsl::Symbol& s : policy.symbols) {
    if (s.kind == dsl::SymbolKind::kInput && groupable(s) && s.name != policy.symbol(policy.key).name && std::find(candidates.begin(), candidates.end(), s.name) == candidates.end()) {
      candidates.push_back(s.name);
    }
  }
  const dsl::SymbolId id = policy.find(name);
  const auto shown = engine::result_symbols(policy);
  const bool listed = id != dsl::kNoSymbol && std::find(shown.begin(), shown.end(), id) != shown.end();
  if (id == dsl::kNoSymbol || !(column(policy.symbol(id)) || listed)) {
    if (auto best = closest_name(name, candidates)) throw UsageError(msg::xo_group_by_unknown(name), msg::did_you_mean(*best));
    throw UsageError(msg::xo_group_by_unknown(name), msg::xo_hint_group_by_undeclared(name, candidates));
  }
  const dsl::Symbol& s = policy.symbol(id);
  if (!groupable(s)) {
    const bool list = s.type.kind == dsl::TypeKind::kTextList || s.type.kind == dsl::TypeKind::kNumberList;
    throw UsageError(msg::xo_group_by_not_label(name, list ? msg::xo_kind_lists() : msg::xo_kind_numbers()),
                     msg::xo_hint_group_by_columns(candidates));
  }
  return id;
}

}  // namespace jixiao::cli
