// The builtin registry (functions.def): one line per function, agreeing with the language's
// documentation and with what the checker accepts, and the checker's record of each call.
#include "jixiao/dsl/functions.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/parse.hpp"

namespace jixiao::dsl {
namespace {

std::string read(const std::string& path) {
  std::ifstream in(std::string(JIXIAO_SOURCE_DIR) + "/" + path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(Builtins, EachLineIsItsIdWithAUsageOfItsOwnName) {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < std::size(kBuiltins); ++i) {
    const BuiltinInfo& f = kBuiltins[i];
    EXPECT_EQ(static_cast<std::size_t>(f.id), i) << f.name;
    EXPECT_EQ(&builtin_info(f.id), &f);
    EXPECT_EQ(find_builtin(f.name), &f);
    EXPECT_TRUE(names.insert(f.name).second) << "twice: " << f.name;
    EXPECT_TRUE(f.usage.starts_with(std::string(f.name) + "(")) << f.usage;
    EXPECT_GE(f.max_args, f.min_args) << f.name;
    EXPECT_GE(f.min_args, 1) << f.name;
  }
  EXPECT_EQ(find_builtin("peer_average"), nullptr);
  EXPECT_EQ(find_builtin(""), nullptr);
}

// The usage line is a call the signature allows: its positional arguments within the arity, its
// named arguments among those accepted.
TEST(Builtins, UsageAgreesWithTheSignature) {
  for (const BuiltinInfo& f : kBuiltins) {
    const std::string_view u = f.usage;
    const std::string inside(u.substr(f.name.size() + 1, u.rfind(')') - f.name.size() - 1));
    std::size_t positional = 0;
    std::stringstream parts(inside);
    for (std::string part; std::getline(parts, part, ',');) {
      const std::size_t start = part.find_first_not_of(' ');
      part = part.substr(start);
      if (part == "...") {
        EXPECT_EQ(f.max_args, kAnyArgs) << f.usage;
        continue;
      }
      const std::size_t colon = part.find(':');
      if (colon == std::string::npos) {
        ++positional;
        continue;
      }
      const std::string arg = part.substr(0, colon);
      ASSERT_TRUE(named_arg(arg).has_value()) << f.usage << ": " << arg;
      EXPECT_TRUE(f.accepts(*named_arg(arg))) << f.usage << ": " << arg;
    }
    EXPECT_GE(positional, f.min_args) << f.usage;
    EXPECT_TRUE(f.max_args == kAnyArgs || positional <= f.max_args) << f.usage;
  }
}

TEST(Builtins, HistoryAndPeersReadOtherRows) {
  std::set<std::string_view> global;
  for (const BuiltinInfo& f : kBuiltins) {
    if (reads_other_rows(f.id)) global.insert(f.name);
  }
  EXPECT_EQ(global, (std::set<std::string_view>{"prev", "avg_prev", "streak", "rank", "percentile", "peer_avg"}));
  EXPECT_FALSE(reads_other_rows(kNoBuiltin));
}

// Every function of docs/language.md's tables (`| `name(...` in the first column) is registered, and
// every registered function is in them.
TEST(Builtins, AreTheFunctionsOfTheLanguageDocs) {
  const std::string doc = read("docs/language.md");
  ASSERT_FALSE(doc.empty());
  std::set<std::string> documented;
  std::istringstream lines(doc);
  const std::regex call("`([a-z_]+)\\(");
  for (std::string line; std::getline(lines, line);) {
    const std::size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, 2, "| ") != 0) continue;
    const std::size_t end = line.find(" |", start + 2);
    const std::string first = line.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::sregex_iterator it(first.begin(), first.end(), call), stop; it != stop; ++it) documented.insert((*it)[1]);
  }
  // `coef(x) { ... }` and `bands(x) { ... }` are constructs of their own, not calls.
  documented.erase("coef");
  documented.erase("bands");
  std::set<std::string> registered;
  for (const BuiltinInfo& f : kBuiltins) registered.emplace(f.name);
  EXPECT_EQ(documented, registered);
}

// The checker records the function of every call it accepts, and none for a name it does not know.
TEST(Builtins, TheCheckerRecordsEachCall) {
  SourceSet sources;
  CollectingSink sink;
  const std::string text =
      "policy \"测试\" version \"1\"\nsubject 社区 key 编码\n"
      "input { 甲 : number  乙 : number }\n"
      "let 大 = max(甲, 乙)\n"
      "let 夹 = clamp(甲, 0, 10)\n"
      "let 比 = ratio(甲, target: 50)\n"
      "indicator 总分 { 工作 100% = 50 }\n";
  const SourceId id = sources.add("p.jx", text);
  auto module = parse(sources, id, sink);
  ASSERT_TRUE(module);
  const auto checked = check(sources, std::move(*module), {}, sink);
  ASSERT_TRUE(checked);
  std::multiset<Builtin> calls;
  for (std::uint32_t e = 0; e < checked->module.exprs.size(); ++e) {
    const bool is_call = std::holds_alternative<ast::Call>(checked->module.exprs[e]);
    const Builtin b = checked->builtin(ast::ExprId{e});
    EXPECT_EQ(is_call, b != kNoBuiltin);
    if (is_call) calls.insert(b);
  }
  EXPECT_EQ(calls, (std::multiset<Builtin>{Builtin::kMax, Builtin::kClamp, Builtin::kRatio}));

  SourceSet sources2;
  CollectingSink sink2;
  const SourceId id2 = sources2.add("p.jx", "policy \"测试\" version \"1\"\nsubject 社区 key 编码\ninput { 甲 : number }\n"
                                            "let 均 = peer_avrg(甲)\nindicator 总分 { 工作 100% = 50 }\n");
  auto module2 = parse(sources2, id2, sink2);
  ASSERT_TRUE(module2);
  CheckOptions keep;
  keep.keep_on_error = true;
  const auto checked2 = check(sources2, std::move(*module2), keep, sink2);
  ASSERT_TRUE(checked2);
  ASSERT_EQ(sink2.error_count(), 1u);
  EXPECT_EQ(sink2.items().front().code, DiagCode::unknown_function);
  for (std::uint32_t e = 0; e < checked2->module.exprs.size(); ++e) EXPECT_EQ(checked2->builtin(ast::ExprId{e}), kNoBuiltin);
}

}  // namespace
}  // namespace jixiao::dsl
