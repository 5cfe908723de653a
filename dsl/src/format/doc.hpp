// Internal to `jixiao fmt`: layout documents (Doc and its constructors) and the Renderer that
// prints them within a width (a Wadler-style pretty printer), with the text helpers they share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace jixiao::dsl::format_detail {

// ---- text helpers ----

/// The display width of `s` in terminal columns (a CJK character counts 2).
std::size_t width(std::string_view s);
std::string spaces(std::size_t n);
std::string pad_right(const std::string& s, std::size_t w);
std::string pad_left(const std::string& s, std::size_t w);
std::string rtrim(std::string s);

// ---- documents ----

/// A layout document: text, line breaks that are spaces when their group fits on the line, and
/// trailing comments (suffixes) that force their groups to break.
struct Doc {
  enum class Kind { kText, kLine, kHardLine, kConcat, kGroup, kNest, kAlign, kSuffix, kFill };
  Kind kind = Kind::kConcat;
  std::string text;
  std::size_t indent = 0;
  std::vector<Doc> parts;
  bool forced = false;  ///< contains a hard line or a trailing comment: every enclosing group breaks

  /// Appends `d`; a document that is not a concatenation becomes the first part of one.
  Doc& operator+=(Doc d) {
    if (kind != Kind::kConcat) {
      Doc self = std::move(*this);
      *this = Doc{};
      forced = self.forced;
      parts.push_back(std::move(self));
    }
    forced = forced || d.forced;
    parts.push_back(std::move(d));
    return *this;
  }
};

Doc txt(std::string s);
Doc line();
Doc hard();
Doc cat();
Doc group(Doc inner);
Doc nest(std::size_t n, Doc inner);
Doc align(Doc inner);
/// `c0 s0 c1 s1 ... cn`: as many contents per line as fit; a separator breaks only when the
/// content after it does not fit on the line.
Doc fill(std::vector<Doc> parts);
Doc suffix(std::string comment);

/// The text of `d` on one line.
std::string flat(const Doc& d);

/// One output line: its code (with the indentation) and its trailing comment. Trailing comments
/// are aligned within runs of consecutive lines of one block.
struct OutLine {
  std::string code;
  std::string comment;
  int block = 0;
  int run = 0;  ///< the lines of an item of several lines align their comments among themselves
  bool blank = false;
  bool comment_only = false;  ///< an own-line comment
};
using Lines = std::vector<OutLine>;

OutLine blank_line();

/// Prints documents within a width: a group goes on one line when it and what follows it up to
/// the next possible break fit, else its line breaks become newlines (Wadler's "prettier printer").
class Renderer {
 public:
  Renderer(std::size_t width, int& next_block) : width_(width), next_block_(next_block) {}

  Lines run(const Doc& doc, std::size_t indent, int block) {
    lines_.clear();
    cur_ = OutLine{spaces(indent), "", block};
    col_ = indent;
    std::vector<Cmd> stack{{indent, false, &doc, block, 0}};
    while (!stack.empty()) {
      const Cmd c = stack.back();
      stack.pop_back();
      const Doc& d = *c.doc;
      switch (d.kind) {
        case Doc::Kind::kText:
          cur_.code += d.text;
          col_ += width(d.text);
          break;
        case Doc::Kind::kLine:
          if (c.flat) {
            cur_.code += ' ';
            ++col_;
          } else {
            newline(c.indent, c.block);
          }
          break;
        case Doc::Kind::kHardLine: newline(c.indent, c.block); break;
        case Doc::Kind::kConcat:
          for (auto it = d.parts.rbegin(); it != d.parts.rend(); ++it) stack.push_back({c.indent, c.flat, &*it, c.block, 0});
          break;
        case Doc::Kind::kNest: stack.push_back({c.indent + d.indent, c.flat, &d.parts[0], next_block_++, 0}); break;
        case Doc::Kind::kAlign: stack.push_back({col_, c.flat, &d.parts[0], c.block, 0}); break;
        case Doc::Kind::kGroup: {
          const bool flat_group = c.flat || (!d.forced && fits({{c.indent, true, &d.parts[0], c.block, 0}}, &stack));
          stack.push_back({c.indent, flat_group, &d.parts[0], c.block, 0});
          break;
        }
        case Doc::Kind::kFill: fill_step(c, stack); break;
        case Doc::Kind::kSuffix:
          if (!cur_.comment.empty()) throw std::logic_error("fmt: two comments on one line");
          cur_.comment = d.text;
          break;
      }
    }
    cur_.code = rtrim(cur_.code);
    lines_.push_back(cur_);
    return lines_;
  }

 private:
  struct Cmd {
    std::size_t indent;
    bool flat;
    const Doc* doc;
    int block;
    std::size_t from;  ///< kFill: the index of the next content
  };

  void newline(std::size_t indent, int block) {
    cur_.code = rtrim(cur_.code);
    lines_.push_back(cur_);
    cur_ = OutLine{spaces(indent), "", block};
    col_ = indent;
  }

  // One content of a fill, and the separator after it: flat when the next content fits too.
  void fill_step(const Cmd& c, std::vector<Cmd>& stack) {
    const std::vector<Doc>& parts = c.doc->parts;
    const std::size_t i = c.from;
    if (i >= parts.size()) return;
    const Doc& content = parts[i];
    const bool last = i + 1 >= parts.size();
    if (c.flat) {
      if (!last) stack.push_back({c.indent, true, c.doc, c.block, i + 2});
      if (!last) stack.push_back({c.indent, true, &parts[i + 1], c.block, 0});
      stack.push_back({c.indent, true, &content, c.block, 0});
      return;
    }
    const bool content_flat = !content.forced && fits({{c.indent, true, &content, c.block, 0}}, last ? &stack : nullptr);
    if (last) {
      stack.push_back({c.indent, content_flat, &content, c.block, 0});
      return;
    }
    const Doc& sep = parts[i + 1];
    const Doc& next = parts[i + 2];
    const bool next_last = i + 3 >= parts.size();
    const bool pair_fits = !content.forced && !sep.forced &&
                           fits({{c.indent, true, &next, c.block, 0}, {c.indent, true, &sep, c.block, 0},
                                 {c.indent, true, &content, c.block, 0}},
                                next_last ? &stack : nullptr);
    stack.push_back({c.indent, false, c.doc, c.block, i + 2});
    stack.push_back({c.indent, pair_fits, &sep, c.block, 0});
    stack.push_back({c.indent, content_flat, &content, c.block, 0});
  }

  // Whether `local` (processed from its back) and then `rest` fit in the width left on the line.
  bool fits(std::vector<Cmd> local, const std::vector<Cmd>* rest) const {
    std::int64_t room = static_cast<std::int64_t>(width_) - static_cast<std::int64_t>(col_);
    std::size_t rest_index = rest ? rest->size() : 0;
    while (room >= 0) {
      if (local.empty()) {
        if (rest_index == 0) return true;
        local.push_back((*rest)[--rest_index]);
      }
      const Cmd c = local.back();
      local.pop_back();
      const Doc& d = *c.doc;
      switch (d.kind) {
        case Doc::Kind::kText: room -= static_cast<std::int64_t>(width(d.text)); break;
        case Doc::Kind::kLine:
          if (!c.flat) return true;
          room -= 1;
          break;
        case Doc::Kind::kHardLine: return true;
        case Doc::Kind::kConcat:
          for (auto it = d.parts.rbegin(); it != d.parts.rend(); ++it) local.push_back({c.indent, c.flat, &*it, c.block, 0});
          break;
        case Doc::Kind::kFill:
          for (std::size_t k = d.parts.size(); k-- > c.from;) local.push_back({c.indent, c.flat, &d.parts[k], c.block, 0});
          break;
        case Doc::Kind::kNest:
        case Doc::Kind::kAlign: local.push_back({c.indent, c.flat, &d.parts[0], c.block, 0}); break;
        case Doc::Kind::kGroup: local.push_back({c.indent, c.flat && !d.forced, &d.parts[0], c.block, 0}); break;
        case Doc::Kind::kSuffix: break;
      }
    }
    return false;
  }

  std::size_t width_;
  int& next_block_;
  Lines lines_;
  OutLine cur_;
  std::size_t col_ = 0;
};

}  // namespace jixiao::dsl::format_detail
