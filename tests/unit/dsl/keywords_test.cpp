// Tests that the keyword list and the editor support files (editor-support/) agree with the
// language: the sorted keyword list, the TextMate and Vim grammars, and which keywords are
// reserved (cannot be names) and which are contextual (can).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "jixiao/dsl/diagnostic.hpp"
#include "jixiao/dsl/parse.hpp"
#include "jixiao/dsl/source.hpp"

namespace jixiao {
namespace {

// The words of the grammar's `reserved` rule (dsl/src/grammar.hpp), sorted.
const std::vector<std::string> kReserved = {
    "add", "alert", "all_in", "and", "any_in", "bands", "bonus", "bonuses", "by", "coef",
    "deadline", "deduct", "deductions", "else", "extends", "false", "fund", "grade", "if", "import",
    "in", "indicator", "inf", "input", "key", "let", "max", "not", "of", "or", "output", "override",
    "param", "per", "policy", "pool", "precision", "reason", "remove", "rounding", "set", "split",
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
    // Plain lowercase ASCII words: the editor grammars bound them with "not a name character".
    for (const std::string& w : words) {
      EXPECT_TRUE(!w.empty() && std::all_of(w.begin(), w.end(), [](char c) { return c == '_' || (c >= 'a' && c <= 'z'); }))
          << "`" << w << "`";
    }
  }
}

TEST(KeywordsTest, KeywordListAndReservedWordsMatchTheGrammarSource) {
  // Every `JIXIAO_KW( name, "text" )` in the grammar is a keyword; `reserved` lists kw_ names.
  const std::string grammar = read_repo_file("dsl/src/grammar.hpp");
  std::map<std::string, std::string> text_of;  // kw_ name -> keyword text
  for (const std::string& line : split_lines(grammar)) {
    if (line.rfind("JIXIAO_KW(", 0) != 0) continue;
    const std::size_t open = line.find('(');
    const std::size_t comma = line.find(',', open);
    const std::size_t q1 = line.find('"', comma);
    const std::size_t q2 = line.find('"', q1 + 1);
    ASSERT_TRUE(comma != std::string::npos && q1 != std::string::npos && q2 != std::string::npos) << line;
    std::string name = line.substr(open + 1, comma - open - 1);
    name.erase(std::remove(name.begin(), name.end(), ' '), name.end());
    text_of["kw_" + name] = line.substr(q1 + 1, q2 - q1 - 1);
  }
  std::vector<std::string> grammar_keywords;
  for (const auto& [name, text] : text_of) grammar_keywords.push_back(text);
  std::sort(grammar_keywords.begin(), grammar_keywords.end());
  EXPECT_EQ(library_keywords(), grammar_keywords)
      << "in the grammar only: " << joined(minus(grammar_keywords, library_keywords()))
      << "\nin keywords() only: " << joined(minus(library_keywords(), grammar_keywords));

  const std::size_t begin = grammar.find("struct reserved : sor<");
  ASSERT_NE(begin, std::string::npos);
  const std::size_t end = grammar.find("> {};", begin);
  ASSERT_NE(end, std::string::npos);
  std::vector<std::string> reserved;
  for (const std::string& w : words_of(std::string_view(grammar).substr(begin, end - begin))) {
    if (w.rfind("kw_", 0) != 0) continue;
    ASSERT_EQ(text_of.count(w), 1u) << w;
    reserved.push_back(text_of[w]);
  }
  std::sort(reserved.begin(), reserved.end());
  EXPECT_EQ(reserved, kReserved) << "reserved in the grammar only: " << joined(minus(reserved, kReserved))
                                 << "\nreserved in this test only: " << joined(minus(kReserved, reserved));
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
  const auto values = [&](const std::string& name) {
    std::vector<std::string> out;
    for (auto [it, end] = members.equal_range(name); it != end; ++it) out.push_back(it->second);
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

}  // namespace
}  // namespace jixiao
