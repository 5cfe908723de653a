// Tests that the keyword table (dsl/include/jixiao/dsl/keywords.def) and everything fed from it
// agree: the sorted keyword list, editor-support/ (keywords.txt, the TextMate and Vim grammars),
// the keyword tables of docs/language.md and docs/zh/关键字.md, which keywords are reserved
// (cannot be names) and which are contextual (can); and the Chinese keywords: each one both ways,
// names that contain or equal keywords, a keyword glued to a name, `fmt --keywords`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/format.hpp"
#include "jixiao/dsl/keywords.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao {
namespace {

// The English words that cannot be names (the grammar's `reserved` rule), sorted.
const std::vector<std::string> kReserved = {
    "add", "alert", "all_in", "and", "any_in", "bands", "bonus", "bonuses", "by", "coef",
    "deadline", "deduct", "deductions", "else", "extends", "false", "fund", "grade", "if", "import",
    "in", "indicator", "inf", "input", "key", "let", "max", "not", "of", "or", "output", "override",
    "param", "per", "policy", "pool", "precision", "reason", "remove", "rounding", "segment", "set", "split",
    "subject", "then", "ties", "track", "true", "version", "veto", "when"};

std::string read_repo_file(const std::string& relative) {
  const std::string path = std::string(JIXIAO_SOURCE_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return {};
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Lines without their terminators; a final line end does not start another line.
std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string line(text.substr(start, end - start));
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
    start = end + 1;
  }
  return lines;
}

std::vector<std::string> library_keywords() {
  const auto& words = dsl::keywords();
  return {words.begin(), words.end()};
}

// The non-comment lines of editor-support/keywords.txt.
std::vector<std::string> file_keywords() {
  std::vector<std::string> words;
  for (std::string& line : split_lines(read_repo_file("editor-support/keywords.txt"))) {
    if (line.rfind('#', 0) != 0) words.push_back(std::move(line));
  }
  return words;
}

std::vector<std::string> minus(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::set<std::string> sa(a.begin(), a.end());
  const std::set<std::string> sb(b.begin(), b.end());
  std::vector<std::string> out;
  std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(out));
  return out;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const std::string& w : words) out += (out.empty() ? "" : " ") + w;
  return out.empty() ? "(none)" : out;
}

// A byte that can continue a name: ASCII letter, digit, '_', or part of a non-ASCII character
// (CJK letters continue names in the language, so they do not end a word here either).
bool is_word_byte(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || u == '_' || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z');
}

// The maximal runs of word bytes in `text`.
std::set<std::string> words_of(std::string_view text) {
  std::set<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    if (!is_word_byte(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && is_word_byte(text[i])) ++i;
    words.emplace(text.substr(start, i - start));
  }
  return words;
}

std::vector<std::string> keywords_missing_from(const std::set<std::string>& words) {
  std::vector<std::string> missing;
  for (const std::string& k : library_keywords()) {
    if (words.count(k) == 0) missing.push_back(k);
  }
  return missing;
}

// A strict reader for the JSON of the VS Code files (RFC 8259; no comments, no trailing commas).
// It validates the whole text and records every member's string value under the member's name.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view text) : text_(text) {}

  // Empty when the text is one valid JSON value, else what is wrong and at which byte.
  std::string check() {
    if (value()) {
      skip_ws();
      if (pos_ != text_.size()) fail("unexpected text after the value");
    }
    return error_;
  }

  [[nodiscard]] const std::multimap<std::string, std::string>& string_members() const { return members_; }

 private:
  bool fail(const std::string& what) {
    if (error_.empty()) error_ = what + " at byte " + std::to_string(pos_);
    return false;
  }
  void skip_ws() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' || text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool eat(char c) {
    skip_ws();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool value(std::string* as_string = nullptr) {
    skip_ws();
    if (pos_ >= text_.size()) return fail("missing value");
    if (++depth_ > 64) return fail("nesting too deep");
    bool ok = false;
    switch (text_[pos_]) {
      case '{': ok = object(); break;
      case '[': ok = array(); break;
      case '"': {
        std::string s;
        ok = string(s);
        if (ok && as_string != nullptr) *as_string = std::move(s);
        break;
      }
      case 't': ok = literal("true"); break;
      case 'f': ok = literal("false"); break;
      case 'n': ok = literal("null"); break;
      default: ok = number(); break;
    }
    --depth_;
    return ok;
  }
  bool object() {
    ++pos_;  // '{'
    if (eat('}')) return true;
    do {
      skip_ws();
      std::string name;
      if (pos_ >= text_.size() || text_[pos_] != '"') return fail("expected a member name");
      if (!string(name)) return false;
      if (!eat(':')) return fail("expected ':'");
      std::string s;
      if (!value(&s)) return false;
      members_.emplace(std::move(name), std::move(s));
    } while (eat(','));
    return eat('}') || fail("expected ',' or '}'");
  }
  bool array() {
    ++pos_;  // '['
    if (eat(']')) return true;
    do {
      if (!value()) return false;
    } while (eat(','));
    return eat(']') || fail("expected ',' or ']'");
  }
  bool string(std::string& out) {
    ++pos_;  // '"'
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) return fail("control character in a string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"': case '\\': case '/': out += e; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u':
          for (int i = 0; i < 4; ++i, ++pos_) {
            if (pos_ >= text_.size() || std::string_view("0123456789abcdefABCDEF").find(text_[pos_]) == std::string_view::npos) {
              return fail("bad \\u escape");
            }
          }
          out += '?';  // not decoded: the checks only look at ASCII words
          break;
        default: return fail("bad escape");
      }
    }
    return fail("unterminated string");
  }
  bool literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return fail("bad literal");
    pos_ += word.size();
    return true;
  }
  bool number() {
    const std::size_t start = pos_;
    const auto digits = [&] {
      const std::size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ > from;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    if (!digits()) return fail("unexpected character");
    if (text_[start] == '0' && pos_ - start > 1) return fail("leading zero");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digits()) return fail("bad fraction");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digits()) return fail("bad exponent");
    }
    return true;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  std::string error_;
  std::multimap<std::string, std::string> members_;
};

struct ParseOutcome {
  bool parsed = false;
  std::vector<Diagnostic> diagnostics;
};

ParseOutcome parse_text(const std::string& text) {
  SourceSet sources;
  const SourceId id = sources.add("t.jx", text);
  CollectingSink sink;
  const bool parsed = dsl::parse(sources, id, sink).has_value();
  return {parsed, sink.items()};
}

// The smallest policy head, ending right where an input name goes.
const std::string kPolicyHead = "policy \"t\" version \"1\"\nsubject 社区 key 编码\ninput { ";

std::string policy_with_input_named(const std::string& name) { return kPolicyHead + name + " : score 0..100 }\n"; }

// ---- the keyword list ----

TEST(KeywordsTest, EditorKeywordListMatchesTheGrammar) {
  const std::vector<std::string> lines = split_lines(read_repo_file("editor-support/keywords.txt"));
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.front().substr(0, 2), "# ") << "the file opens with a comment saying what it is";

  const std::vector<std::string> expected = library_keywords();
  const std::vector<std::string> actual = file_keywords();
  EXPECT_EQ(actual, expected) << "editor-support/keywords.txt differs from jixiao::dsl::keywords()\n"
                              << "  missing from the file: " << joined(minus(expected, actual)) << "\n"
                              << "  extra in the file:     " << joined(minus(actual, expected));
}

TEST(KeywordsTest, KeywordsAreSortedAndUnique) {
  for (const auto& [what, words] : {std::pair{"jixiao::dsl::keywords()", library_keywords()},
                                    std::pair{"editor-support/keywords.txt", file_keywords()}}) {
    SCOPED_TRACE(what);
    std::vector<std::string> sorted_unique = words;
    std::sort(sorted_unique.begin(), sorted_unique.end());  // std::string compares bytes as unsigned
    sorted_unique.erase(std::unique(sorted_unique.begin(), sorted_unique.end()), sorted_unique.end());
    EXPECT_EQ(words, sorted_unique);
    // Plain lowercase ASCII words or Chinese words: the editor grammars bound them with "not a
    // name character".
    for (const std::string& w : words) {
      const bool ascii = std::all_of(w.begin(), w.end(), [](char c) { return c == '_' || (c >= 'a' && c <= 'z'); });
      const bool chinese = std::all_of(w.begin(), w.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
      EXPECT_TRUE(!w.empty() && (ascii || chinese)) << "`" << w << "`";
    }
  }
}

TEST(KeywordsTest, TheTableIsTheOneList) {
  const auto& table = dsl::keyword_table();
  ASSERT_GE(table.size(), 70u);
  std::set<std::string> english;
  std::set<std::string> chinese;
  std::vector<std::string> words;     // what keywords() must be
  std::vector<std::string> reserved;  // the first English word of each reserved row
  for (std::size_t i = 0; i < table.size(); ++i) {
    const dsl::KeywordInfo& k = table[i];
    SCOPED_TRACE(std::string(k.english));
    EXPECT_EQ(static_cast<std::size_t>(k.id), i);
    EXPECT_EQ(&dsl::keyword_info(k.id), &k);
    EXPECT_TRUE(english.insert(std::string(k.english)).second) << "English spelling twice";
    EXPECT_TRUE(chinese.insert(std::string(k.chinese)).second) << "Chinese spelling twice";
    EXPECT_FALSE(k.where.empty());
    EXPECT_FALSE(k.description.empty());
    // A Chinese spelling is one word of Chinese characters (no space, no ASCII).
    EXPECT_TRUE(!k.chinese.empty() &&
                std::all_of(k.chinese.begin(), k.chinese.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
    std::string en(k.english);
    std::size_t start = 0;
    for (std::size_t space = en.find(' '); ; space = en.find(' ', start)) {
      words.push_back(en.substr(start, space - start));
      if (k.reserved && start == 0) reserved.push_back(words.back());
      if (space == std::string::npos) break;
      start = space + 1;
    }
    words.emplace_back(k.chinese);
  }
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  EXPECT_EQ(library_keywords(), words);
  std::sort(reserved.begin(), reserved.end());
  reserved.erase(std::unique(reserved.begin(), reserved.end()), reserved.end());
  EXPECT_EQ(reserved, kReserved);
  // The grammar spells no keyword of its own: its keyword rules come from the table.
  const std::string grammar = read_repo_file("dsl/src/grammar.hpp");
  EXPECT_EQ(grammar.find("JIXIAO_KW("), std::string::npos);
  EXPECT_NE(grammar.find("#include \"jixiao/dsl/keywords.def\""), std::string::npos);
}

// Every row of the table is in the keyword tables of the docs: English, Chinese and where.
TEST(KeywordsTest, DocsTablesListEveryKeyword) {
  for (const char* doc : {"docs/language.md", "docs/zh/关键字.md"}) {
    SCOPED_TRACE(doc);
    const std::string text = read_repo_file(doc);
    for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
      const std::string row = "| `" + std::string(k.english) + "` | `" + std::string(k.chinese) + "` |";
      EXPECT_NE(text.find(row), std::string::npos) << "missing row: " << row;
    }
  }
}

// The Chinese columns (keywords_zh.def) cover every keyword, and docs/zh/关键字.md's table says
// the same thing row for row: where the keyword is used and what it means.
TEST(KeywordsTest, ChineseDescriptionsForEveryKeywordAsInTheGuide) {
  const std::string text = read_repo_file("docs/zh/关键字.md");
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    SCOPED_TRACE(std::string(k.english));
    EXPECT_FALSE(k.where_zh.empty());
    EXPECT_FALSE(k.description_zh.empty());
    const std::string row = "| `" + std::string(k.english) + "` | `" + std::string(k.chinese) + "` | " +
                            std::string(k.where_zh) + " | " + std::string(k.description_zh) + " |\n";
    EXPECT_NE(text.find(row), std::string::npos) << "docs/zh/关键字.md lacks the row: " << row;
  }
}

// ---- editor grammars ----

TEST(EditorSupportTest, TextMateGrammarMentionsEveryKeyword) {
  const std::string text = read_repo_file("editor-support/vscode/syntaxes/jixiao.tmLanguage.json");
  JsonChecker json(text);
  ASSERT_EQ(json.check(), "");

  // Only the regexes count: the words of every "match" and "begin" member.
  std::set<std::string> words;
  for (const auto& [name, value] : json.string_members()) {
    if (name != "match" && name != "begin") continue;
    const std::set<std::string> w = words_of(value);
    words.insert(w.begin(), w.end());
  }
  EXPECT_EQ(keywords_missing_from(words), std::vector<std::string>{});

  const auto scope = json.string_members().find("scopeName");
  ASSERT_NE(scope, json.string_members().end());
  EXPECT_EQ(scope->second, "source.jixiao");
}

TEST(EditorSupportTest, JsonCheckerRejectsBrokenJson) {
  // The checker itself must be able to fail, or the test above proves nothing.
  EXPECT_EQ(JsonChecker(R"({"a": [1, {"b": "c\"}"}], "d": true})").check(), "");
  EXPECT_NE(JsonChecker(R"({"a": [1, 2})").check(), "");
  EXPECT_NE(JsonChecker(R"({"a": "}")").check(), "");
  EXPECT_NE(JsonChecker(R"({"a": 1,})").check(), "");
  EXPECT_NE(JsonChecker(R"({"a": 1} })").check(), "");
  EXPECT_NE(JsonChecker(R"({"a": "\q"})").check(), "");
}

TEST(EditorSupportTest, VsCodeManifestIsValidAndNamesExistingFiles) {
  const std::string manifest = read_repo_file("editor-support/vscode/package.json");
  JsonChecker json(manifest);
  ASSERT_EQ(json.check(), "");
  std::multimap<std::string, std::string> members = json.string_members();
  // String values only: `contributes.configuration` (the extension's settings) is an object.
  const auto values = [&](const std::string& name) {
    std::vector<std::string> out;
    for (auto [it, end] = members.equal_range(name); it != end; ++it) {
      if (!it->second.empty()) out.push_back(it->second);
    }
    return out;
  };
  EXPECT_EQ(values("id"), std::vector<std::string>{"jixiao"});
  EXPECT_EQ(values("language"), std::vector<std::string>{"jixiao"});
  EXPECT_EQ(values("scopeName"), std::vector<std::string>{"source.jixiao"});
  EXPECT_EQ(values("path"), std::vector<std::string>{"./syntaxes/jixiao.tmLanguage.json"});
  EXPECT_EQ(values("configuration"), std::vector<std::string>{"./language-configuration.json"});
  EXPECT_NE(manifest.find(R"("extensions": [".jx"])"), std::string::npos);
  for (const char* name : {"path", "configuration"}) {
    for (const std::string& file : values(name)) {
      EXPECT_TRUE(std::ifstream(std::string(JIXIAO_SOURCE_DIR) + "/editor-support/vscode/" + file).good()) << file;
    }
  }

  const std::string config = read_repo_file("editor-support/vscode/language-configuration.json");
  JsonChecker config_json(config);
  ASSERT_EQ(config_json.check(), "");
  const auto comment = config_json.string_members().find("lineComment");
  ASSERT_NE(comment, config_json.string_members().end());
  EXPECT_EQ(comment->second, "#");
}

TEST(EditorSupportTest, VimSyntaxMentionsEveryKeyword) {
  // Only `syntax keyword` and `syntax match` lines count, not comments.
  std::set<std::string> words;
  for (const std::string& line : split_lines(read_repo_file("editor-support/vim/syntax/jixiao.vim"))) {
    if (line.rfind("syntax keyword ", 0) != 0 && line.rfind("syntax match ", 0) != 0) continue;
    const std::set<std::string> w = words_of(line);
    words.insert(w.begin(), w.end());
  }
  EXPECT_EQ(keywords_missing_from(words), std::vector<std::string>{});

  std::vector<std::string> detect;
  for (const std::string& line : split_lines(read_repo_file("editor-support/vim/ftdetect/jixiao.vim"))) {
    if (!line.empty() && line[0] != '"') detect.push_back(line);
  }
  EXPECT_EQ(detect, std::vector<std::string>{"autocmd BufRead,BufNewFile *.jx set filetype=jixiao"});
}

// ---- reserved words ----

TEST(EditorSupportTest, EveryReservedKeywordIsRejectedAsAName) {
  // The policy itself is fine with an ordinary name, so a failure below is the word's doing.
  const ParseOutcome plain = parse_text(policy_with_input_named("得分"));
  EXPECT_TRUE(plain.parsed);
  EXPECT_TRUE(plain.diagnostics.empty());

  for (const std::string& word : kReserved) {
    SCOPED_TRACE(word);
    const ParseOutcome outcome = parse_text(policy_with_input_named(word));
    EXPECT_FALSE(outcome.parsed);
    ASSERT_EQ(outcome.diagnostics.size(), 1u);
    EXPECT_EQ(outcome.diagnostics[0].code, DiagCode::syntax_error);
    EXPECT_EQ(outcome.diagnostics[0].span.begin, kPolicyHead.size()) << outcome.diagnostics[0].message;
  }

  // Contextual keywords are names anywhere they are not expected as keywords.
  for (const char* word : {"days", "top"}) {
    SCOPED_TRACE(word);
    const ParseOutcome outcome = parse_text(policy_with_input_named(word));
    EXPECT_TRUE(outcome.parsed);
    EXPECT_TRUE(outcome.diagnostics.empty());
  }

  // Over the whole list: exactly the reserved words are rejected.
  std::vector<std::string> rejected;
  for (const std::string& word : library_keywords()) {
    if (!parse_text(policy_with_input_named(word)).parsed) rejected.push_back(word);
  }
  EXPECT_EQ(rejected, kReserved) << "rejected but not reserved: " << joined(minus(rejected, kReserved))
                                 << "\nreserved but accepted: " << joined(minus(kReserved, rejected));
}

// ---- Chinese keywords ----

// A policy that uses every row of the table, in English. It only has to parse.
const std::string kAllKeywords = R"(# every keyword
policy "全部" version "1" extends "std/3x"
subject 社区 key 编码 period 季度
rollup 年度 { "Q1", "Q2" } missing reweight
precision 2

import 预警 from "std/three-colour-alert"

input {
  a : score 0..100
  b : number optional
  c : percent
  d : count
  e : money
  f : text
  g : bool
  h : one_of { 甲, 乙 }
  i : list<text> size 0..5
  j : score only "Q2"
}

param p = 1
set s = { "x" }
let l  = if a > 1 and not g or true then 1 else 0  # a comment
let l2 = f in s or f not in s or i any_in s or i all_in s or false

indicator 总分 {
  x 50% = a missing zero
  y 30% = b missing peer_average
  z 20% = coef(h) { 甲 1, else 0 } + bands(a) { [0, inf) 1 }
  w  0% = b missing reweight
  deduct 扣 1 per d when g, max 2
  bonus 奖 1, max 1
  deductions max 5
  bonuses max 3
}

veto v when g { grade at most C ; grade down 1 ; alert red ; fund 0 ; reason "r" }

grade 等级 of 总分 { A [90, 100]  C [0, 90) }

alert 警 of 总分 {
  red  [0, 60)    deadline 3 days
  blue [60, 100]  deadline 5 workdays
}

fund 钱 pool 100万元 per 1 {
  track t1 50% split by e
  track t2 25% split equally
  track t3 25% split among top 10% of all rounded up by 总分 proportional to 总分 when g
  track t4  0% split among top 10% of eligible rounded down by 总分
  rounding fen, ties by 编码 desc, 社区
}

output 编码, 总分

override 总分.x weight 40%
remove 总分.y
add 总分 { q 0% = a }

segment s when g {
  override 总分.x weight 40%
}
)";

struct Parsed {
  SourceSet sources;
  SourceId id{};
  CollectingSink sink;
  std::optional<ast::Module> module;
};

std::unique_ptr<Parsed> parse_policy(const std::string& text) {
  auto p = std::make_unique<Parsed>();
  p->id = p->sources.add("t.jx", text);
  p->module = dsl::parse(p->sources, p->id, p->sink);
  return p;
}

std::string fmt(const std::string& text, dsl::KeywordSet set) {
  auto p = parse_policy(text);
  if (!p->module) {
    ADD_FAILURE() << "does not parse: " << (p->sink.items().empty() ? std::string() : p->sink.items()[0].message.str(Lang::kEn));
    return {};
  }
  return *dsl::format_file(p->sources, p->id, p->sink, set);
}

// The keyword rows a policy uses, and whether all of them in Chinese (1), all in English (0) or mixed (-1).
std::pair<std::set<dsl::KwId>, int> rows_used(const std::string& text) {
  auto p = parse_policy(text);
  EXPECT_TRUE(p->module.has_value());
  std::set<dsl::KwId> ids;
  int chinese = 2;
  if (!p->module) return {ids, chinese};
  for (const dsl::KeywordUse& u : p->module->keywords) {
    ids.insert(u.id);
    const int c = u.chinese ? 1 : 0;
    chinese = chinese == 2 ? c : chinese == c ? c : -1;
  }
  return {ids, chinese};
}

TEST(ChineseKeywordsTest, EveryKeywordBothWays) {
  // Every row but `asc`, the default order of a tie key, which fmt does not write (below).
  std::set<dsl::KwId> all;
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    if (k.id != dsl::KwId::kw_asc) all.insert(k.id);
  }

  const std::string en = fmt(kAllKeywords, dsl::KeywordSet::kAsWritten);
  EXPECT_EQ(en, kAllKeywords) << "the policy is in the canonical layout, and fmt keeps it";
  const auto [en_rows, en_set] = rows_used(en);
  EXPECT_EQ(en_rows, all) << "the policy uses every row of the table";
  EXPECT_EQ(en_set, 0);

  const std::string zh = fmt(en, dsl::KeywordSet::kChinese);
  const auto [zh_rows, zh_set] = rows_used(zh);
  EXPECT_EQ(zh_rows, all);
  EXPECT_EQ(zh_set, 1) << zh;
  // Every Chinese spelling is written (`天`, not `日`).
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    if (all.count(k.id) != 0) {
      EXPECT_NE(zh.find(std::string(k.chinese)), std::string::npos) << k.english;
    }
  }
  // Same meaning, same comments (format_file verifies both), and back again byte for byte.
  auto a = parse_policy(en);
  auto b = parse_policy(zh);
  ASSERT_TRUE(a->module && b->module);
  EXPECT_EQ(dsl::ast_summary(*a->module), dsl::ast_summary(*b->module));
  EXPECT_EQ(fmt(zh, dsl::KeywordSet::kEnglish), en);
  EXPECT_EQ(fmt(zh, dsl::KeywordSet::kChinese), zh);
  EXPECT_EQ(fmt(zh, dsl::KeywordSet::kAsWritten), zh) << "a Chinese policy in the layout stays as it is";
  EXPECT_EQ(fmt(en, dsl::KeywordSet::kEnglish), en);

  // `asc` / `升序` parse, and mean the default order: fmt leaves them out.
  for (const char* word : {"asc", "升序"}) {
    std::string with = en;
    with.replace(with.find("社区\n}"), std::string("社区").size(), std::string("社区 ") + word);
    const auto [rows, set] = rows_used(with);
    EXPECT_EQ(rows.count(dsl::KwId::kw_asc), 1u) << word;
    EXPECT_EQ(fmt(with, dsl::KeywordSet::kAsWritten), en) << word;
  }
}

TEST(ChineseKeywordsTest, MixedKeywordsAreKeptAsWritten) {
  // Lines alternately from the English and the Chinese text: fmt keeps each keyword as written.
  const std::string en = kAllKeywords;
  const std::string zh = fmt(en, dsl::KeywordSet::kChinese);
  const std::vector<std::string> en_lines = split_lines(en);
  const std::vector<std::string> zh_lines = split_lines(zh);
  ASSERT_EQ(en_lines.size(), zh_lines.size());
  std::string mixed;
  for (std::size_t i = 0; i < en_lines.size(); ++i) mixed += (i % 2 == 0 ? en_lines[i] : zh_lines[i]) + "\n";
  const auto [rows, set] = rows_used(mixed);
  EXPECT_EQ(set, -1) << "both sets are used";
  auto before = parse_policy(mixed);
  auto after = parse_policy(fmt(mixed, dsl::KeywordSet::kAsWritten));
  ASSERT_TRUE(before->module && after->module);
  std::vector<std::pair<dsl::KwId, bool>> written;
  std::vector<std::pair<dsl::KwId, bool>> kept;
  for (const auto& u : before->module->keywords) written.emplace_back(u.id, u.chinese);
  for (const auto& u : after->module->keywords) kept.emplace_back(u.id, u.chinese);
  EXPECT_EQ(kept, written) << "every keyword, in order, in the spelling it was written in";
  EXPECT_EQ(dsl::ast_summary(*before->module), dsl::ast_summary(*after->module));
}

TEST(ChineseKeywordsTest, AChineseSpellingIsNeverReserved) {
  // Every Chinese spelling can be an input name (the English reserved words cannot).
  for (const dsl::KeywordInfo& k : dsl::keyword_table()) {
    SCOPED_TRACE(std::string(k.chinese));
    const ParseOutcome outcome = parse_text(policy_with_input_named(std::string(k.chinese)));
    EXPECT_TRUE(outcome.parsed);
    EXPECT_TRUE(outcome.diagnostics.empty());
  }
}

TEST(ChineseKeywordsTest, NamesThatContainOrEqualKeywordsStayNames) {
  const std::string policy = R"(方案 "名称" 版本 "1"
对象 社区 主键 编码
输入 {
  投诉扣分   : 计数
  扣分投诉   : 计数
  可缺       : 分数 0..100 可缺
  期限       : 分数 0..100
  系数       : 数值
}
令 总分值 = 系数 * 2 + 期限
指标 总分 {
  扣分   10% = 投诉扣分
  扣分合计 90% = 扣分投诉 缺项 计零
  扣分 扣分项 1 每 投诉扣分
}
等级 等级 依据 总分 { 期限 [60, 100]  否则 [0, 60) }
预警 预警 依据 总分 { 红 [0, 60) 期限 3 天  蓝 [60, 100] }
输出 编码, 总分, 等级, 预警
)";
  auto p = parse_policy(policy);
  ASSERT_TRUE(p->module.has_value()) << (p->sink.items().empty() ? std::string() : p->sink.items()[0].message.str(Lang::kEn));
  const ast::Module& m = *p->module;
  std::vector<std::string> inputs;
  for (const auto& in : m.inputs) inputs.push_back(in.name.name);
  EXPECT_EQ(inputs, (std::vector<std::string>{"投诉扣分", "扣分投诉", "可缺", "期限", "系数"}));
  EXPECT_TRUE(m.inputs[2].optional) << "`可缺 : 分数 0..100 可缺`: the name, then the keyword";
  ASSERT_EQ(m.roots.size(), 1u);
  const ast::IndicatorNode& root = m.nodes[m.roots[0]];
  ASSERT_EQ(root.children.size(), 2u);
  EXPECT_EQ(m.nodes[root.children[0]].name.name, "扣分") << "`扣分 10% = ...` is an indicator named 扣分";
  EXPECT_EQ(m.nodes[root.children[1]].name.name, "扣分合计");
  ASSERT_EQ(root.adjusts.size(), 1u);
  EXPECT_EQ(root.adjusts[0].name.name, "扣分项");
  ASSERT_EQ(m.bands.size(), 2u);
  EXPECT_EQ(m.bands[0].name.name, "等级");
  EXPECT_EQ(m.bands[0].bands[0].label.text, "期限") << "a band label, not a deadline";
  EXPECT_EQ(m.bands[0].bands[1].label.text, "否则");
  EXPECT_EQ(m.bands[1].name.name, "预警");
  ASSERT_TRUE(m.bands[1].bands[0].deadline.has_value());
  EXPECT_EQ(m.bands[1].bands[0].deadline->count, 3);
  // The expression `系数 * 2 + 期限` reads two names.
  EXPECT_EQ(dsl::ast_summary(m).find("coef"), std::string::npos);
  // fmt keeps it, and writes it in English and back.
  const std::string canonical = fmt(policy, dsl::KeywordSet::kAsWritten);
  EXPECT_EQ(fmt(fmt(canonical, dsl::KeywordSet::kEnglish), dsl::KeywordSet::kChinese), canonical);
}

TEST(ChineseKeywordsTest, AKeywordGluedToANameIsOneClearError) {
  const std::string head = "方案 \"名称\" 版本 \"1\"\n对象 社区 主键 编码\n输入 { 次数 : 计数 }\n指标 总分 {\n  甲 100% = 100\n";
  {
    const ParseOutcome outcome = parse_text(head + "  扣分投诉 0.5 每 次数\n}\n");
    EXPECT_FALSE(outcome.parsed);
    ASSERT_EQ(outcome.diagnostics.size(), 1u);
    EXPECT_EQ(outcome.diagnostics[0].code, DiagCode::keyword_glued);
    EXPECT_EQ(outcome.diagnostics[0].span.begin, head.size() + 2);
    EXPECT_EQ(outcome.diagnostics[0].span.end, head.size() + 2 + std::string("扣分投诉").size());
    ASSERT_TRUE(outcome.diagnostics[0].hint.has_value());
    EXPECT_NE(outcome.diagnostics[0].hint->str(Lang::kEn).find("`扣分 投诉`"), std::string::npos);
  }
  {
    // Spaced, it parses.
    const ParseOutcome outcome = parse_text(head + "  扣分 投诉 0.5 每 次数\n}\n");
    EXPECT_TRUE(outcome.parsed);
  }
  {
    // `每次数` is a name: the amount `0.5 每次数` is not an expression, and `每 次数` would be.
    const ParseOutcome outcome = parse_text(head + "  扣分 投诉 0.5 每次数\n}\n");
    EXPECT_FALSE(outcome.parsed);
    ASSERT_EQ(outcome.diagnostics.size(), 1u);
    EXPECT_EQ(outcome.diagnostics[0].code, DiagCode::keyword_glued);
  }
  {
    // A name that begins with a keyword, in a line with another error: the syntax error, as before.
    const ParseOutcome outcome = parse_text(head + "  指标体系 10% = 次数 +\n}\n");
    EXPECT_FALSE(outcome.parsed);
    ASSERT_EQ(outcome.diagnostics.size(), 1u);
    EXPECT_EQ(outcome.diagnostics[0].code, DiagCode::syntax_error);
  }
}

TEST(ChineseKeywordsTest, WhereAKeywordCanStandTheKeywordWins) {
  // `如果` is a name where a name is declared, but an expression reads it as `if`.
  const std::string head = "方案 \"名称\" 版本 \"1\"\n对象 社区 主键 编码\n输入 { 次数 : 计数 }\n";
  EXPECT_TRUE(parse_text(head + "令 如果 = 1\n").parsed);
  const ParseOutcome outcome = parse_text(head + "令 如果 = 1\n令 乙 = 如果 + 1\n");
  EXPECT_FALSE(outcome.parsed);
  ASSERT_EQ(outcome.diagnostics.size(), 1u);
  EXPECT_EQ(outcome.diagnostics[0].code, DiagCode::syntax_error);
}

}  // namespace
}  // namespace jixiao
