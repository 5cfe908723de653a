// `jixiao test [PATH...]`: run the policy tests in `*.test.toml` files in-process, compare the
// results with the expectations, and report pass/fail, rule coverage and a JUnit file.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "commands.hpp"
#include "files.hpp"
#include "jixiao/dsl/decimal.hpp"
#include "jixiao/dsl/markup.hpp"
#include "jixiao/engine/csv.hpp"
#include "jixiao/engine/evaluator.hpp"
#include "jixiao/engine/loader.hpp"
#include "jixiao/engine/results.hpp"
#include "test_file.hpp"

namespace jixiao::cli {

namespace {

namespace fs = std::filesystem;

std::vector<OptionSpec> test_options() {
  return {
      {"help", 'h', "", msg::opt_help()},
      {"quiet", 'q', "", msg::cli_opt_test_quiet()},
      {"coverage", 0, "", msg::cli_opt_coverage()},
      {"min-coverage", 0, "P", msg::cli_opt_min_coverage()},
      {"junit", 0, "FILE", msg::cli_opt_junit()},
  };
}

// ---- the results of one case, as text ----

/// The results CSV read back: the header and the cells of every row.
struct ResultTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

ResultTable read_results(const std::string& csv) {
  ResultTable t;
  engine::CsvReader reader(csv);
  std::vector<engine::CsvField> fields;
  bool first = true;
  while (reader.next(fields)) {
    std::vector<std::string> cells;
    for (const engine::CsvField& f : fields) cells.emplace_back(f.value);
    if (first) {
      t.header = std::move(cells);
      first = false;
    } else {
      t.rows.push_back(std::move(cells));
    }
  }
  return t;
}

/// How a results column is compared.
enum class CellKind { kText, kNumber, kMoney, kBool, kList, kReasons };

const dsl::Symbol* symbol_named(const dsl::CheckedPolicy& p, std::string_view name) {
  for (const dsl::Symbol& s : p.symbols) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

/// The kind of a results column, from the policy (docs/data-formats.md, "Results").
CellKind column_kind(const dsl::CheckedPolicy& p, std::string_view name) {
  if (name == engine::kReasonsColumn) return CellKind::kReasons;
  if (const dsl::Symbol* s = symbol_named(p, name)) {
    switch (s->kind) {
      case dsl::SymbolKind::kFund: return CellKind::kMoney;
      case dsl::SymbolKind::kGrade:
      case dsl::SymbolKind::kAlert: return CellKind::kText;
      default: break;
    }
    switch (s->type.kind) {
      case dsl::TypeKind::kNumber: return CellKind::kNumber;
      case dsl::TypeKind::kMoney: return CellKind::kMoney;
      case dsl::TypeKind::kBool: return CellKind::kBool;
      case dsl::TypeKind::kTextList: return CellKind::kList;
      default: return CellKind::kText;
    }
  }
  const std::size_t dot = name.rfind('.');
  if (dot != std::string_view::npos) {
    const dsl::Symbol* owner = symbol_named(p, name.substr(0, dot));
    if (owner != nullptr && owner->kind == dsl::SymbolKind::kFund) return CellKind::kMoney;  // one track
  }
  return CellKind::kText;  // the key, deadlines, actions and texts
}

std::vector<std::string> split_list(const std::string& cell) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start <= cell.size() && !cell.empty()) {
    const std::size_t end = cell.find(';', start);
    items.push_back(cell.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return items;
}

std::string bracketed(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + items[i];
  return out + "]";
}

/// A cell for a message: quoted when it is empty or starts or ends with a space.
std::string shown(const std::string& text) {
  if (!text.empty() && text.front() != ' ' && text.back() != ' ') return text;
  return "\"" + text + "\"";
}

/// "did you mean": the closest candidate, preferring the fewest edits over containing the name.
std::optional<std::string> did_you_mean(const std::string& name, std::vector<std::string> candidates) {
  std::stable_sort(candidates.begin(), candidates.end(), [&](const std::string& a, const std::string& b) {
    return edit_distance(name, a) < edit_distance(name, b);
  });
  return closest_name(name, candidates);
}

std::string expected_text(const ExpectedValue& v) {
  if (v.kind != ExpectedValue::Kind::kList) return v.text;
  std::string joined;
  for (const auto& item : v.items) joined += (joined.empty() ? "" : ";") + item;
  return joined;
}

/// Compares one cell; returns the mismatch after `KEY COLUMN: `, or nullopt when it matches.
std::optional<Message> compare_cell(CellKind kind, const ExpectedValue& want, const std::string& got, std::int64_t tolerance) {
  using Kind = ExpectedValue::Kind;
  switch (kind) {
    case CellKind::kNumber: {
      if (want.kind == Kind::kBool || want.kind == Kind::kList) return msg::cli_expect_number_not(shown(expected_text(want)));
      if (want.text.empty()) return got.empty() ? std::nullopt : std::optional(msg::cli_expect_empty(shown(got)));  // a missing input, a dropped indicator
      const auto e = decimal::parse(want.text, decimal::kPlaces);
      if (!e) return msg::cli_expect_bad_number(want.text);
      const auto a = decimal::parse(got, decimal::kPlaces);
      const Int128 diff = static_cast<Int128>(*e) - (a ? *a : 0);
      if (a && (diff < 0 ? -diff : diff) <= tolerance) return std::nullopt;
      const std::string expect = decimal::to_string(*e) + (tolerance > 0 ? " ± " + decimal::to_string(tolerance) : "");
      return msg::cli_expect_got(expect, shown(got));
    }
    case CellKind::kMoney: {
      if (want.kind == Kind::kBool || want.kind == Kind::kList) return msg::cli_expect_amount_not(shown(expected_text(want)));
      const auto e = decimal::parse(want.text, 2);
      if (!e) return msg::cli_expect_bad_amount(want.text);
      const auto a = decimal::parse(got, 2);
      if (a && *a == *e) return std::nullopt;
      return msg::cli_expect_got(decimal::format_yuan(*e), shown(got));
    }
    case CellKind::kBool: {
      std::string e = want.text;
      if (want.kind != Kind::kBool && (e == "true" || e == "false")) e = e == "true" ? "是" : "否";
      if (e == got) return std::nullopt;
      return msg::cli_expect_got(shown(e), shown(got));
    }
    case CellKind::kReasons: {
      const std::vector<std::string> e = want.kind == Kind::kList ? want.items : engine::split_reasons(want.text);
      const std::vector<std::string> a = engine::split_reasons(got);
      // An expected entry names the rule (Chinese marker or English code); its reason, when given,
      // must be the veto's: `否决:负面清单否决` and `veto:负面清单否决` both match
      // `否决:负面清单否决（触及负面清单）`.
      auto matches = [](const std::string& expected, const std::string& actual) {
        const auto x = engine::parse_reason_entry(expected);
        const auto y = engine::parse_reason_entry(actual);
        if (!x || !y) return expected == actual;
        return x->kind == y->kind && x->name == y->name && (!x->reason || x->reason == y->reason);
      };
      std::vector<std::string> missing;
      std::vector<std::string> unexpected;
      for (const auto& x : e) {
        if (std::none_of(a.begin(), a.end(), [&](const std::string& y) { return matches(x, y); })) missing.push_back(x);
      }
      for (const auto& y : a) {
        if (std::none_of(e.begin(), e.end(), [&](const std::string& x) { return matches(x, y); })) unexpected.push_back(y);
      }
      if (missing.empty() && unexpected.empty()) return std::nullopt;
      const Message detail = missing.empty()      ? msg::cli_expect_unexpected(bracketed(unexpected))
                              : unexpected.empty() ? msg::cli_expect_missing(bracketed(missing))
                                                   : msg::cli_expect_both(msg::cli_expect_missing(bracketed(missing)),
                                                                          msg::cli_expect_unexpected(bracketed(unexpected)));
      return msg::cli_expect_got_detail(bracketed(e), bracketed(a), detail);
    }
    case CellKind::kList: {
      const std::vector<std::string> e = want.kind == Kind::kList ? want.items : split_list(want.text);
      const std::vector<std::string> a = split_list(got);
      if (e == a) return std::nullopt;
      return msg::cli_expect_got(bracketed(e), bracketed(a));
    }
    case CellKind::kText: {
      const std::string e = expected_text(want);
      if (e == got) return std::nullopt;
      return msg::cli_expect_got(shown(e), shown(got));
    }
  }
  return std::nullopt;
}

// ---- coverage ----

/// What the cases of every test file exercised in one policy.
struct PolicyCoverage {
  std::string path;                ///< as shown
  std::vector<std::string> items;  ///< from the first policy that loaded; empty until then
  bool measured = false;
  std::set<std::string> hits;
};

/// The rules of a policy that cases can exercise, in declaration order.
std::vector<std::string> coverage_items(const dsl::CheckedPolicy& p) {
  std::vector<std::string> items;
  const ast::Module& m = p.module;
  for (const ast::BandDecl& b : m.bands) {
    const std::string kind = b.kind == ast::BandKind::kGrade ? "grade " : "alert ";
    for (const ast::Band& band : b.bands) items.push_back(kind + b.name.name + " band " + band.label.text);
  }
  for (const ast::VetoDecl& v : m.vetoes) items.push_back("veto " + v.name.name);
  for (std::size_t i = 0; i < m.nodes.size(); ++i) {
    const ast::IndicatorNode& n = m.nodes[i];
    if (n.detached || p.nodes[i].symbol == dsl::kNoSymbol) continue;  // removed by a variant
    if (n.missing != ast::MissingRule::kNone) items.push_back("missing " + p.symbol(p.nodes[i].symbol).name);
    // A leaf whose formula can pass its full marks is cut on some rows (`score-clamped`).
    if (p.leaf_can_exceed(static_cast<std::uint32_t>(i))) items.push_back("cap " + p.symbol(p.nodes[i].symbol).name);
    bool deducts = false;
    bool bonuses = false;
    for (const ast::Adjust& a : n.adjusts) {
      const bool deduct = a.kind == ast::AdjustKind::kDeduct;
      (deduct ? deducts : bonuses) = true;
      items.push_back((deduct ? "deduct " : "bonus ") + a.name.name);
      if (ast::present(a.max)) items.push_back("cap " + a.name.name);
    }
    // A node cap can only bite when the node has adjustments of its kind.
    const std::string& node = p.symbol(p.nodes[i].symbol).name;
    if (ast::present(n.deductions_max) && deducts) items.push_back("cap " + node + std::string(engine::kDeductionsCapSuffix));
    if (ast::present(n.bonuses_max) && bonuses) items.push_back("cap " + node + std::string(engine::kBonusesCapSuffix));
  }
  for (const ast::FundDecl& f : m.funds) {
    for (const ast::Track& t : f.tracks) items.push_back("track " + f.name.name + "." + t.name.name);
  }
  return items;
}

/// A coverage item (`grade 等级 band A`, `veto 负面清单`, `track 资金.基础`) as the report shows it.
Message coverage_item_text(const std::string& item) {
  const std::size_t space = item.find(' ');
  const std::string kind = item.substr(0, space);
  const std::string rest = space == std::string::npos ? "" : item.substr(space + 1);
  if (kind == "grade" || kind == "alert") {
    const std::size_t band = rest.find(" band ");
    if (band != std::string::npos) {
      return msg::cli_cover_band(kind == "grade" ? msg::cli_cover_grade() : msg::cli_cover_alert(), rest.substr(0, band),
                                 rest.substr(band + 6));
    }
  }
  if (kind == "veto") return msg::cli_cover_veto(rest);
  if (kind == "missing") return msg::cli_cover_missing(rest);
  if (kind == "deduct") return msg::cli_cover_deduct(rest);
  if (kind == "bonus") return msg::cli_cover_bonus(rest);
  if (kind == "cap") return msg::cli_cover_cap(rest);
  if (kind == "track") return msg::cli_cover_track(rest);
  return msg::cli_value(item);
}

/// Adds what one evaluation exercised to `hits`.
void record_hits(const dsl::CheckedPolicy& p, const engine::EvalResult& r, std::set<std::string>& hits) {
  for (std::size_t i = 0; i < p.module.bands.size(); ++i) {
    const ast::BandDecl& b = p.module.bands[i];
    const dsl::SymbolId id = p.find(b.name.name);
    if (id == dsl::kNoSymbol) continue;
    const dsl::Domain& domain = p.domains[p.band_domain[i]];
    const std::string prefix = (b.kind == ast::BandKind::kGrade ? "grade " : "alert ") + b.name.name + " band ";
    for (const std::int64_t label : r.columns[static_cast<std::uint32_t>(id)]) {
      if (label >= 0 && static_cast<std::size_t>(label) < domain.labels.size()) {
        hits.insert(prefix + domain.labels[static_cast<std::size_t>(label)]);
      }
    }
  }
  for (const engine::RuleColumn& rc : r.rules) {
    if (std::none_of(rc.values.begin(), rc.values.end(), [](std::int64_t v) { return v > 0; })) continue;
    switch (rc.kind) {
      case engine::RuleColumn::Kind::kVeto: hits.insert("veto " + rc.name); break;
      case engine::RuleColumn::Kind::kDeduct: hits.insert("deduct " + rc.name); break;
      case engine::RuleColumn::Kind::kBonus: hits.insert("bonus " + rc.name); break;
      case engine::RuleColumn::Kind::kCap: hits.insert("cap " + rc.name); break;
      case engine::RuleColumn::Kind::kMissing: hits.insert("missing " + rc.name); break;
    }
  }
  for (const engine::FundResult& f : r.funds) {
    for (const engine::TrackResult& t : f.tracks) {
      if (t.recipients > 0) hits.insert("track " + f.name + "." + t.name);
    }
  }
}

/// `87.5` for 7 of 8: the percentage with at most one decimal, rounded half away from zero.
std::string percent_text(std::size_t hit, std::size_t total) {
  if (total == 0) return "100";
  const auto tenths = decimal::div_round(static_cast<Int128>(hit) * 1000, static_cast<Int128>(total));
  return decimal::format_trim(static_cast<std::int64_t>(tenths), 1);
}

// ---- outcomes and the JUnit report ----

struct CaseOutcome {
  std::string name;
  std::vector<std::string> lines;  ///< mismatches (or diagnostics); empty when the case passed
  [[nodiscard]] bool passed() const { return lines.empty(); }
};

struct FileOutcome {
  std::string path;
  std::string errors;  ///< the test file's own errors, rendered; then no case ran
  std::size_t error_count = 0;
  std::vector<CaseOutcome> cases;
};

/// One policy's coverage held against --min-coverage.
struct CoverageCheck {
  std::string policy;
  bool passed = true;
  std::string message;                 ///< why it failed
  std::vector<std::string> uncovered;  ///< `not covered: ...` lines, in the language of the run
};

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

std::string junit_report(const std::vector<FileOutcome>& files, const std::vector<CoverageCheck>& coverage) {
  std::size_t tests = 0;
  std::size_t failures = 0;
  std::size_t errors = 0;
  for (const FileOutcome& f : files) {
    if (f.error_count > 0) {
      ++tests;
      ++errors;
    }
    tests += f.cases.size();
    failures += static_cast<std::size_t>(std::count_if(f.cases.begin(), f.cases.end(), [](const CaseOutcome& c) { return !c.passed(); }));
  }
  const auto coverage_failures =
      static_cast<std::size_t>(std::count_if(coverage.begin(), coverage.end(), [](const CoverageCheck& c) { return !c.passed; }));
  tests += coverage.size();
  failures += coverage_failures;
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += "<testsuites name=\"jixiao test\" tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
         "\" errors=\"" + std::to_string(errors) + "\">\n";
  for (const FileOutcome& f : files) {
    const std::string name = escape_markup(f.path, Markup::kAttribute);
    const auto failed = std::count_if(f.cases.begin(), f.cases.end(), [](const CaseOutcome& c) { return !c.passed(); });
    out += "  <testsuite name=\"" + name + "\" tests=\"" + std::to_string(f.cases.size() + (f.error_count > 0 ? 1 : 0)) +
           "\" failures=\"" + std::to_string(failed) + "\" errors=\"" + (f.error_count > 0 ? "1" : "0") + "\">\n";
    if (f.error_count > 0) {
      out += "    <testcase classname=\"" + name + "\" name=\"" + escape_markup(msg::cli_junit_test_file().str(lang()), Markup::kAttribute) + "\">\n";
      out += "      <error message=\"" + escape_markup(msg::cli_test_file_has_errors().str(lang()), Markup::kAttribute) + "\">" + escape_markup(f.errors, Markup::kText) + "</error>\n";
      out += "    </testcase>\n";
    }
    for (const CaseOutcome& c : f.cases) {
      out += "    <testcase classname=\"" + name + "\" name=\"" + escape_markup(c.name, Markup::kAttribute) + "\"";
      if (c.passed()) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure message=\"" + escape_markup(c.lines.front(), Markup::kAttribute) + "\">" + escape_markup(join_lines(c.lines), Markup::kText) +
             "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  if (!coverage.empty()) {
    out += "  <testsuite name=\"coverage\" tests=\"" + std::to_string(coverage.size()) + "\" failures=\"" +
           std::to_string(coverage_failures) + "\" errors=\"0\">\n";
    for (const CoverageCheck& c : coverage) {
      out += "    <testcase classname=\"coverage\" name=\"" + escape_markup(c.policy, Markup::kAttribute) + "\"";
      if (c.passed) {
        out += "/>\n";
        continue;
      }
      out += ">\n      <failure message=\"" + escape_markup(c.message, Markup::kAttribute) + "\">" + escape_markup(join_lines(c.uncovered), Markup::kText) +
             "</failure>\n    </testcase>\n";
    }
    out += "  </testsuite>\n";
  }
  out += "</testsuites>\n";
  return out;
}

// ---- finding test files ----

bool is_test_file(const fs::path& p) {
  const std::string name = p.filename().string();
  const std::string_view suffix = ".test.toml";
  return name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The test files under `root` (a directory), sorted, as paths relative to the current directory.
std::vector<std::string> find_test_files(const std::string& root) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec) || !is_test_file(it->path())) continue;
    out.push_back(it->path().lexically_normal().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// ---- running ----

class Runner {
 public:
  Runner(Io& io, const ParsedArgs& args, Session& s) : io_(io), args_(args), s_(s) {}

  /// Runs every case of one test file and prints its lines.
  FileOutcome run_file(const std::string& path) {
    FileOutcome outcome;
    outcome.path = path;
    auto text = s_.read_file(path, "test file");
    if (!text) return outcome;
    std::vector<TestFileError> errors;
    const TestFile file = parse_test_file(path, *text, errors);
    if (!errors.empty()) {
      for (const TestFileError& e : errors) {
        outcome.errors += path + ":" + std::to_string(e.at.line) + ":" + std::to_string(e.at.column) + ": " +
                          msg::label_error().str(lang()) + e.message.str(lang()) + "\n";
        if (const std::string hint = e.hint.str(lang()); !hint.empty()) outcome.errors += msg::label_hint().str(lang()) + hint + "\n";
      }
      outcome.error_count = errors.size();
      io_.err << outcome.errors;
      io_.out << (errors.size() == 1 ? msg::cli_test_file_error_one(path, errors.size()) : msg::cli_test_file_error_many(path, errors.size()))
                     .str(lang())
              << "\n";
      return outcome;
    }
    PolicyCoverage& coverage = coverage_for(file.policy_path);
    for (const TestCase& c : file.cases) {
      CaseOutcome result = run_case(file, c, coverage);
      if (!result.passed()) {
        io_.out << msg::cli_test_fail(path, result.name).str(lang()) << "\n";
        for (const auto& line : result.lines) io_.out << "  " << line << "\n";
      } else if (s_.verbosity >= 0) {
        io_.out << msg::cli_test_pass(path, result.name).str(lang()) << "\n";
      }
      outcome.cases.push_back(std::move(result));
    }
    return outcome;
  }

  [[nodiscard]] const std::vector<PolicyCoverage>& coverage() const { return coverage_; }
  /// Every file the cases read: policies, their modules, data files.
  [[nodiscard]] const std::vector<InputFile>& inputs() const { return inputs_; }

 private:
  PolicyCoverage& coverage_for(const std::string& policy_path) {
    std::error_code ec;
    std::string id = fs::weakly_canonical(policy_path, ec).string();
    if (ec) id = policy_path;
    const auto it = coverage_index_.find(id);
    if (it != coverage_index_.end()) return coverage_[it->second];
    coverage_index_.emplace(id, coverage_.size());
    coverage_.push_back(PolicyCoverage{policy_path, {}, false, {}});
    return coverage_.back();
  }

  CaseOutcome run_case(const TestFile& file, const TestCase& c, PolicyCoverage& coverage) {
    Session cs(io_, args_);  // diagnostics of this case only
    CaseOutcome out = evaluate_case(cs, file, c, coverage);
    const std::vector<InputFile> read = cs.inputs();
    inputs_.insert(inputs_.end(), read.begin(), read.end());
    return out;
  }

  CaseOutcome evaluate_case(Session& cs, const TestFile& file, const TestCase& c, PolicyCoverage& coverage) {
    CaseOutcome out;
    out.name = c.name;
    auto diagnostics = [&]() {
      cs.sink.sort();
      RenderOptions plain;
      plain.lang = lang();
      for (Diagnostic d : cs.sink.items()) {
        if (d.severity != Severity::kError) continue;
        if (!d.span.valid() && d.file == kParamOrigin) d.file = file.path;  // a param of the test file
        std::istringstream rendered(render_text(d, cs.sources, plain));
        for (std::string line; std::getline(rendered, line);) out.lines.push_back(line);
      }
      if (cs.limit->dropped() > 0) out.lines.push_back(msg::cli_test_more_errors(cs.limit->dropped()).str(lang()));
      if (out.lines.empty()) out.lines.push_back(msg::cli_test_could_not_run().str(lang()));
      return out;
    };
    auto loaded = load_policy(cs, file.policy_path, c.params);
    if (!loaded) return diagnostics();
    const engine::Executable program = engine::compile(loaded->plan);
    if (!coverage.measured) {
      coverage.items = coverage_items(loaded->policy);
      coverage.measured = true;
    }
    std::optional<engine::Dataset> data;
    if (c.rows_csv) {
      engine::LoadOptions inline_rows;
      inline_rows.encoding = engine::Encoding::kUtf8;  // written from the test file's TOML, which is UTF-8
      data = engine::load_csv(cs.sources, file.path + "#" + c.name, *c.rows_csv, loaded->policy, inline_rows, *cs.limit);
    } else if (c.data_path) {
      auto bytes = cs.read_file(*c.data_path, "data file");
      if (!bytes) return diagnostics();
      const Activity loading(msg::cli_activity_loading_data(*c.data_path));
      engine::LoadOptions from_file;
      from_file.sheet = c.sheet;
      from_file.header_row = c.header_row;
      data = engine::load_data(cs.sources, *c.data_path, std::move(*bytes), loaded->policy, from_file, *cs.limit);
    }
    if (!data) return diagnostics();
    engine::EvalOptions options;
    if (c.period) {
      const auto& periods = data->periods;
      if (std::find(periods.begin(), periods.end(), *c.period) == periods.end()) {
        out.lines.push_back((periods.empty() ? msg::cli_test_period_none(*c.period)
                                             : msg::cli_test_period_other(*c.period, backticked_list(periods)))
                                .str(lang()));
        return out;
      }
      options.period = *c.period;
    }
    auto result = engine::evaluate(program, *data, options, *cs.limit);
    if (!result) return diagnostics();
    record_hits(loaded->policy, *result, coverage.hits);

    const ResultTable table = read_results(engine::format_results(loaded->policy, *data, *result, engine::ResultFormat::kCsv));
    std::map<std::string, std::size_t, std::less<>> rows;
    std::vector<std::string> keys;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      rows.emplace(table.rows[r].front(), r);
      keys.push_back(table.rows[r].front());
    }
    for (const Expectation& e : c.expect) {
      const auto row = rows.find(e.key);
      if (row == rows.end()) {
        Message line = msg::cli_test_no_row(e.key);
        if (auto best = did_you_mean(e.key, keys)) line = msg::cli_test_did_you_mean(line, *best);
        out.lines.push_back(line.str(lang()));
        continue;
      }
      const std::vector<std::string>& cells = table.rows[row->second];
      const std::int64_t tolerance = e.tolerance.value_or(c.tolerance);
      for (const ExpectedCell& cell : e.cells) {
        const auto col = std::find(table.header.begin(), table.header.end(), cell.column);
        if (col == table.header.end()) {
          Message line = msg::cli_test_no_column(e.key, cell.column);
          if (auto best = did_you_mean(cell.column, table.header)) line = msg::cli_test_did_you_mean(line, *best);
          out.lines.push_back(line.str(lang()));
          continue;
        }
        const std::string& got = cells[static_cast<std::size_t>(col - table.header.begin())];
        if (auto mismatch = compare_cell(column_kind(loaded->policy, cell.column), cell.value, got, tolerance)) {
          out.lines.push_back(msg::cli_test_mismatch(e.key, cell.column, *mismatch).str(lang()));
        }
      }
    }
    return out;
  }

  Io& io_;
  const ParsedArgs& args_;
  Session& s_;
  std::vector<PolicyCoverage> coverage_;
  std::map<std::string, std::size_t> coverage_index_;
  std::vector<InputFile> inputs_;
};

}  // namespace

int cmd_test(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, test_options(), "test");
  if (parsed.has("help")) {
    io.out << msg::cli_test_help().str(lang()) << options_help(test_options());
    return 0;
  }
  std::optional<std::int64_t> min_coverage;
  if (auto p = parsed.value("min-coverage")) {
    std::string digits = *p;
    if (!digits.empty() && digits.back() == '%') digits.pop_back();
    min_coverage = decimal::parse(digits, decimal::kPlaces);
    if (!min_coverage || *min_coverage < 0 || *min_coverage > 100 * decimal::kOne) {
      throw UsageError(msg::cli_min_coverage_value(*p), msg::hint_write_eg("--min-coverage 90"));
    }
  }
  const bool coverage = parsed.has("coverage") || min_coverage.has_value();
  OutputSet outputs;
  std::optional<std::size_t> junit_out;
  if (auto junit = parsed.value("junit")) junit_out = outputs.add(*junit, "--junit", msg::cli_out_junit());
  // With `--junit -` the report takes stdout and the PASS/FAIL lines go to stderr.
  Io text_io{junit_out && outputs.to_stdout(*junit_out) ? io.err : io.out, io.err, io.err_is_terminal, io.no_color};
  Session s(text_io, parsed);

  // Every path must exist before anything runs.
  std::vector<std::string> roots = parsed.positional;
  if (roots.empty()) roots.push_back(".");
  for (const std::string& root : roots) {
    std::error_code ec;
    if (!fs::exists(root, ec)) {
      Diagnostic d = diagnose(DiagCode::io_error, Span{}, msg::cli_test_path_missing(root), msg::cli_hint_test_path());
      d.file = root;
      s.report(std::move(d));
      s.io_failed = true;
    }
  }
  if (s.io_failed) {
    s.flush_diagnostics();
    return s.exit_code();
  }
  std::vector<std::string> files;
  for (const std::string& root : roots) {
    std::error_code ec;
    if (fs::is_directory(root, ec)) {
      std::vector<std::string> found = find_test_files(root);
      if (found.empty()) s.logger->warn("{}", msg::cli_test_no_files(root).str(lang()));
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(fs::path(root).lexically_normal().string());
    }
  }
  std::vector<std::string> unique;
  for (const std::string& f : files) {
    if (std::find(unique.begin(), unique.end(), f) == unique.end()) unique.push_back(f);
  }

  std::vector<InputFile> tests;
  for (const std::string& f : unique) tests.push_back({f, msg::cli_the_test_file()});
  outputs.refuse_inputs(tests);

  Runner runner(text_io, parsed, s);
  std::vector<FileOutcome> outcomes;
  for (const std::string& f : unique) outcomes.push_back(runner.run_file(f));

  std::size_t passed = 0;
  std::size_t failed = 0;
  bool file_errors = false;
  for (const FileOutcome& o : outcomes) {
    file_errors = file_errors || o.error_count > 0;
    for (const CaseOutcome& c : o.cases) ++(c.passed() ? passed : failed);
  }

  std::vector<CoverageCheck> checks;
  bool coverage_failed = false;
  if (coverage) {
    for (const PolicyCoverage& p : runner.coverage()) {
      std::vector<std::string> uncovered;
      for (const std::string& item : p.items) {
        if (p.hits.count(item) == 0) uncovered.push_back(msg::cli_not_covered(coverage_item_text(item)).str(lang()));
      }
      const std::size_t hit = p.items.size() - uncovered.size();
      const std::string percent_value = percent_text(hit, p.items.size()) + "%";
      const Message percent = p.measured ? msg::cli_value(percent_value) : msg::cli_coverage_not_measured();
      if (p.measured) {
        text_io.out << msg::cli_coverage_line(p.path, percent_value, hit, p.items.size()).str(lang()) << "\n";
        for (const auto& line : uncovered) text_io.out << "  " << line << "\n";
      } else {
        text_io.out << msg::cli_coverage_not_measured_line(p.path).str(lang()) << "\n";
      }
      if (!min_coverage) continue;
      CoverageCheck check{p.path, true, "", uncovered};
      check.passed = p.measured && static_cast<Int128>(hit) * 100 * decimal::kOne >=
                                       static_cast<Int128>(*min_coverage) * static_cast<Int128>(p.items.size());
      if (!check.passed) {
        const std::string minimum = decimal::to_string(*min_coverage) + "%";
        check.message = msg::cli_coverage_below(percent, minimum).str(lang());
        text_io.out << msg::cli_coverage_fail(p.path, percent, minimum).str(lang()) << "\n";
        coverage_failed = true;
      }
      checks.push_back(std::move(check));
    }
  }
  text_io.out << msg::cli_test_counts(passed, failed).str(lang()) << "\n";
  text_io.out.flush();

  if (junit_out) {
    std::vector<InputFile> read = runner.inputs();
    const std::vector<InputFile> more = s.inputs();
    read.insert(read.end(), more.begin(), more.end());
    outputs.refuse_inputs(read);
    const std::string report = junit_report(outcomes, checks);
    std::optional<OutputError> error;
    if (outputs.to_stdout(*junit_out)) {
      io.out << report;
      io.out.flush();
    } else {
      error = outputs.stage(*junit_out, report);
      if (!error) error = outputs.commit();
    }
    if (error) s.report_io_error(error->path, error->message, msg::cli_hint_dir_writable());
  }
  if (s.sink.items().empty()) {
    if (s.io_failed) return 2;
  } else {
    s.flush_diagnostics();
    if (s.io_failed) return 2;
  }
  return failed > 0 || file_errors || coverage_failed ? 1 : 0;
}

}  // namespace jixiao::cli
