// The message catalogue: every user-visible text as a typed message with an English and a
// Chinese template, registered once per area in dsl/include/jixiao/dsl/messages/*.def and
// rendered at output time in the chosen language (docs/architecture.md, "Messages").
//
//   JIXIAO_MSG(unknown_command, "unknown command `{0}`", "没有 `{0}` 这个命令", Text)
//
// declares `msg::unknown_command(Text)`, which returns a Message; `message.str(Lang::kZh)` renders
// it. Placeholders are positional (`{0}` … `{9}`); every template must use exactly the placeholders
// 0 … arity-1, in both languages (checked at compile time in message.cpp). Argument kinds:
//   Text   a value shown verbatim (a name, a value as the user wrote it, a path)
//   Int    an integer
//   Msg    a nested message, itself rendered in the chosen language (a clause, a sub-phrase)
//   Names  a list of names, each in backticks, joined by `, ` (English) or `、` (Chinese)
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao {

/// The language of everything jixiao prints for people. Chinese is the default (docs/zh/messages.md).
enum class Lang : unsigned char { kZh, kEn };

/// "zh" or "en".
std::string_view lang_name(Lang lang);
/// The language `text` names ("zh" or "en"), or nullopt.
std::optional<Lang> parse_lang(std::string_view text);

/// Every registered message, in registry order; `untranslated` (the legacy path: a text given as
/// it is, in whatever language it was written) comes first.
enum class MsgId : unsigned short {
  untranslated,
#define JIXIAO_MSG(id, en, zh, ...) id,
#include "jixiao/dsl/messages/all.def"
#undef JIXIAO_MSG
};

class Message;

/// One argument of a message.
struct MessageArg {
  enum class Kind : unsigned char { kText, kInt, kMessage, kNames };
  Kind kind = Kind::kText;
  std::string text;                 ///< kText
  std::int64_t number = 0;          ///< kInt
  std::vector<Message> nested;      ///< kMessage: one message
  std::vector<std::string> names;   ///< kNames
};

/// A message to show: a registered template and its arguments, or an untranslated text.
class Message {
 public:
  Message() = default;
  /// An untranslated text, shown as it is in every language: the path of code written before the
  /// catalogue (tests/unit/dsl/message_ledger_test.cpp counts the places that still use it).
  explicit Message(std::string text) : text_(std::move(text)) {}
  Message(MsgId id, std::vector<MessageArg> args) : id_(id), args_(std::move(args)) {}
  /// Assigning a text makes the message untranslated (the legacy `d.message = "..."`).
  Message& operator=(std::string text) {
    *this = Message(std::move(text));
    return *this;
  }
  Message& operator=(const char* text) { return *this = std::string(text); }

  [[nodiscard]] MsgId id() const { return id_; }
  [[nodiscard]] bool translated() const { return id_ != MsgId::untranslated; }
  [[nodiscard]] const std::vector<MessageArg>& args() const { return args_; }
  /// The untranslated text (empty for a registered message).
  [[nodiscard]] const std::string& raw() const { return text_; }
  /// The message in `lang`.
  [[nodiscard]] std::string str(Lang lang) const;

  /// Compares the English rendering with `text` (for tests written against English texts).
  friend bool operator==(const Message& m, std::string_view text) { return m.str(Lang::kEn) == text; }

 private:
  MsgId id_ = MsgId::untranslated;
  std::string text_;
  std::vector<MessageArg> args_;
};

/// Prints the English rendering (for test failure output).
std::ostream& operator<<(std::ostream& out, const Message& m);

/// The argument kinds of a message definition (see the top of this file).
namespace msg_kind {
struct Text {
  std::string value;
  Text(std::string v) : value(std::move(v)) {}            // NOLINT(google-explicit-constructor)
  Text(std::string_view v) : value(v) {}                  // NOLINT(google-explicit-constructor)
  Text(const char* v) : value(v) {}                       // NOLINT(google-explicit-constructor)
};
struct Int {
  std::int64_t value;
  template <std::integral T>
  Int(T v) : value(static_cast<std::int64_t>(v)) {}      // NOLINT(google-explicit-constructor)
};
struct Msg {
  Message value;
  Msg(Message v) : value(std::move(v)) {}                 // NOLINT(google-explicit-constructor)
};
struct Names {
  std::vector<std::string> value;
  Names(std::vector<std::string> v) : value(std::move(v)) {}  // NOLINT(google-explicit-constructor)
};

inline MessageArg to_arg(Text t) { return MessageArg{MessageArg::Kind::kText, std::move(t.value), 0, {}, {}}; }
inline MessageArg to_arg(Int i) { return MessageArg{MessageArg::Kind::kInt, {}, i.value, {}, {}}; }
// (Nested messages and arguments are moved into place, never listed in braces: an initializer list
// copies its elements, and a copy of a nested message copies all of it, so a list built one
// nested message at a time would cost the square of its length.)
inline MessageArg to_arg(Msg m) {
  MessageArg a{MessageArg::Kind::kMessage, {}, 0, {}, {}};
  a.nested.push_back(std::move(m.value));
  return a;
}
inline MessageArg to_arg(Names n) { return MessageArg{MessageArg::Kind::kNames, {}, 0, {}, std::move(n.value)}; }
}  // namespace msg_kind

/// A registered message: calling it with its typed arguments gives the Message.
template <class... Kinds>
struct MessageDef {
  static constexpr std::size_t arity = sizeof...(Kinds);
  MsgId id;
  Message operator()(Kinds... args) const {
    std::vector<MessageArg> list;
    list.reserve(arity);
    (list.push_back(msg_kind::to_arg(std::move(args))), ...);
    return Message(id, std::move(list));
  }
};

/// The catalogue: `msg::unknown_command("chek")`.
namespace msg {
using msg_kind::Int;
using msg_kind::Msg;
using msg_kind::Names;
using msg_kind::Text;
#define JIXIAO_MSG(id, en, zh, ...) inline constexpr MessageDef<__VA_ARGS__> id{MsgId::id};
#include "jixiao/dsl/messages/all.def"
#undef JIXIAO_MSG
}  // namespace msg

/// A list in the language of the message, without `or`: `` `a`, `b` `` / `` `a`、`b` `` (each name
/// in backticks), and `a, b` / `a、b` (values as they are).
Message backticked_list(const std::vector<std::string>& names);
Message plain_list(const std::vector<std::string>& values);

/// A character named because it cannot be told apart by eye: "U+00A0 NO-BREAK SPACE" in English,
/// "不换行空格（U+00A0）" in Chinese (utf8::describe in the language of the message).
Message describe_char(char32_t cp);

/// What a TOML parser's error `description` means, in the language of the message: a key that is
/// not plain ASCII and has no quotes (`non_ascii`: the error is at such a character), a text or a
/// `[table]` that is not closed; anything else as the parser wrote it (in English).
Message toml_error(std::string_view description, bool non_ascii);
/// The error is a text whose closing quote is missing.
bool toml_unclosed_string(std::string_view description);

/// What the registry holds about one message (for tests and tools).
struct MessageInfo {
  std::string_view name;
  std::string_view en;
  std::string_view zh;
  std::size_t arity;
};
/// Every registered message, by MsgId (index 0 is `untranslated`).
const std::vector<MessageInfo>& all_messages();

/// `{N}` placeholders of `text` are exactly 0 … arity-1 (each used at least once, none beyond).
consteval bool placeholders_match(std::string_view text, std::size_t arity) {
  unsigned used = 0;
  for (std::size_t i = 0; i + 2 < text.size(); ++i) {
    if (text[i] == '{' && text[i + 1] >= '0' && text[i + 1] <= '9' && text[i + 2] == '}') {
      const auto n = static_cast<unsigned>(text[i + 1] - '0');
      if (n >= arity) return false;
      used |= 1U << n;
    }
  }
  return used == (1U << arity) - 1U;
}

}  // namespace jixiao
