// The message catalogue: the registry table, its compile-time checks, and the formatter.
#include "jixiao/dsl/message.hpp"
#include "jixiao/dsl/utf8.hpp"

#include <array>
#include <iterator>
#include <stdexcept>
#include <ostream>

namespace jixiao {
namespace {

using msg_kind::Int;
using msg_kind::Msg;
using msg_kind::Names;
using msg_kind::Text;

// Each template uses exactly the placeholders {0} … {arity-1}, in both languages.
#define JIXIAO_MSG(id, en, zh, ...)                                                            \
  static_assert(placeholders_match(en, MessageDef<__VA_ARGS__>::arity),                         \
                "the English template of `" #id "` does not use exactly its placeholders");     \
  static_assert(placeholders_match(zh, MessageDef<__VA_ARGS__>::arity),                         \
                "the Chinese template of `" #id "` does not use exactly its placeholders");     \
  static_assert(std::string_view(en).size() > 0 && std::string_view(zh).size() > 0,           \
                "`" #id "` needs both an English and a Chinese template");
#include "jixiao/dsl/messages/all.def"
#undef JIXIAO_MSG

// A built-in array, not std::array's deduction guide: that guide folds over every element, and
// clang refuses a fold of more than 256 (the fuzz build is clang's).
constexpr MessageInfo kMessages[] = {
    MessageInfo{"untranslated", "{0}", "{0}", 1},
#define JIXIAO_MSG(id, en, zh, ...) MessageInfo{#id, en, zh, MessageDef<__VA_ARGS__>::arity},
#include "jixiao/dsl/messages/all.def"
#undef JIXIAO_MSG
};

void append_arg(std::string& out, const MessageArg& a, Lang lang) {
  switch (a.kind) {
    case MessageArg::Kind::kText: out += a.text; return;
    case MessageArg::Kind::kInt: out += std::to_string(a.number); return;
    case MessageArg::Kind::kMessage:
      if (!a.nested.empty()) out += a.nested.front().str(lang);
      return;
    case MessageArg::Kind::kNames: {
      const std::string_view comma = lang == Lang::kZh ? "、" : ", ";
      const std::string_view last = lang == Lang::kZh ? " 或 " : " or ";
      for (std::size_t i = 0; i < a.names.size(); ++i) {
        if (i > 0) out += i + 1 == a.names.size() ? last : comma;
        out += "`" + a.names[i] + "`";
      }
      return;
    }
  }
}

}  // namespace

std::string_view lang_name(Lang lang) { return lang == Lang::kZh ? "zh" : "en"; }

std::optional<Lang> parse_lang(std::string_view text) {
  if (text == "zh") return Lang::kZh;
  if (text == "en") return Lang::kEn;
  return std::nullopt;
}

const std::vector<MessageInfo>& all_messages() {
  static const std::vector<MessageInfo> all(std::begin(kMessages), std::end(kMessages));
  return all;
}

std::string Message::str(Lang lang) const {
  if (id_ == MsgId::untranslated) return text_;
  const auto index = static_cast<std::size_t>(id_);
  if (index >= std::size(kMessages)) throw std::out_of_range("message id out of range");
  const MessageInfo& info = kMessages[index];
  const std::string_view t = lang == Lang::kZh ? info.zh : info.en;
  std::string out;
  out.reserve(t.size() + 16);
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (t[i] == '{' && i + 2 < t.size() && t[i + 1] >= '0' && t[i + 1] <= '9' && t[i + 2] == '}') {
      const auto n = static_cast<std::size_t>(t[i + 1] - '0');
      if (n < args_.size()) append_arg(out, args_[n], lang);
      i += 2;
      continue;
    }
    out.push_back(t[i]);
  }
  return out;
}

std::ostream& operator<<(std::ostream& out, const Message& m) { return out << m.str(Lang::kEn); }

Message backticked_list(const std::vector<std::string>& names) {
  Message out = msg::cli_list_first(names.empty() ? "" : names.front());
  for (std::size_t i = 1; i < names.size(); ++i) out = msg::cli_list_more(out, names[i]);
  return out;
}

Message plain_list(const std::vector<std::string>& values) {
  Message out = msg::cli_plain_list_first(values.empty() ? "" : values.front());
  for (std::size_t i = 1; i < values.size(); ++i) out = msg::cli_plain_list_more(out, values[i]);
  return out;
}

bool toml_unclosed_string(std::string_view description) {
  // toml++: a line break ("unescaped control characters") or the end of the file inside a string.
  return description.find("while parsing string") != std::string_view::npos &&
         (description.find("control characters") != std::string_view::npos ||
          description.find("end-of-file") != std::string_view::npos);
}

Message toml_error(std::string_view description, bool non_ascii) {
  if (non_ascii && description.find("expected keys") != std::string_view::npos) return msg::toml_bare_key();
  if (toml_unclosed_string(description)) return msg::toml_unclosed_string();
  if (description.find("while parsing table header: expected ']'") != std::string_view::npos) {
    return msg::toml_unclosed_header();
  }
  return msg::toml_as_written(std::string(description));
}

Message describe_char(char32_t cp) {
  const std::string code = utf8::code_point_name(cp);
  const std::string_view name = utf8::char_name(cp);
  if (name.empty()) return msg::char_code(code);
  static const std::vector<std::pair<char32_t, Message>> kChinese = {
      {0x00, msg::char_nul()},        {0x09, msg::char_tab()},         {0x0D, msg::char_cr()},
      {0x1B, msg::char_escape()},     {0xA0, msg::char_nbsp()},        {0xAD, msg::char_soft_hyphen()},
      {0x2002, msg::char_en_space()}, {0x2003, msg::char_em_space()},  {0x2009, msg::char_thin_space()},
      {0x200B, msg::char_zwsp()},     {0x200C, msg::char_zwnj()},      {0x200D, msg::char_zwj()},
      {0x200E, msg::char_lrm()},      {0x200F, msg::char_rlm()},       {0x2028, msg::char_line_sep()},
      {0x2029, msg::char_para_sep()}, {0x202F, msg::char_narrow_nbsp()}, {0x2060, msg::char_word_joiner()},
      {0x3000, msg::char_ideographic_space()}, {0xFEFF, msg::char_bom()}, {0xFFFD, msg::char_replacement()},
  };
  for (const auto& [c, m] : kChinese) {
    if (c == cp) return msg::char_named(code, m);
  }
  return msg::char_named(code, msg::char_name_as_is(std::string(name)));
}

}  // namespace jixiao
