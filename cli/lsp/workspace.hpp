// `jixiao lsp`: what the language server knows about the open documents, without any JSON. The
// protocol layer (jsonrpc.cpp, the only file that sees nlohmann::json) turns requests into calls
// of Workspace and its results into responses. Positions are LSP positions: 0-based lines, and
// characters counted in UTF-16 code units.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "jixiao/dsl/message.hpp"

namespace jixiao::cli::lsp {

struct Position {
  std::uint32_t line = 0;
  std::uint32_t character = 0;
};
struct Range {
  Position start;
  Position end;
};
struct Location {
  std::string uri;
  Range range;
};
struct RelatedInfo {
  Location location;
  std::string message;
};
struct Diag {
  Range range;
  int severity = 1;  ///< 1 error, 2 warning, 3 information
  std::string code;
  std::string text;  ///< the message, with the hint and the notes that have no location
  std::vector<RelatedInfo> related;
};
struct TextEdit {
  Range range;
  std::string text;
};
struct Hover {
  std::string markdown;
  Range range;
};
/// CompletionItemKind values of the protocol.
enum class ItemKind : int { kFunction = 3, kField = 5, kVariable = 6, kClass = 7, kModule = 9, kProperty = 10,
                            kValue = 12, kEnum = 13, kKeyword = 14, kSnippet = 15, kConstant = 21, kStruct = 22,
                            kEvent = 23, kEnumMember = 20, kTypeParameter = 25 };
struct CompletionItem {
  std::string label;
  ItemKind kind = ItemKind::kVariable;
  std::string detail;
  std::string documentation;  ///< markdown
  std::string insert_text;    ///< empty: the label
  bool snippet = false;
};
struct SignatureInfo {
  std::string label;
  std::string documentation;
  std::vector<std::string> parameters;  ///< substrings of label
  std::uint32_t active_parameter = 0;
};
/// SymbolKind values of the protocol.
struct DocumentSymbol {
  std::string name;
  std::string detail;
  int kind = 13;
  Range range;
  Range selection;
  std::vector<DocumentSymbol> children;
};
struct FoldingRange {
  std::uint32_t start = 0;
  std::uint32_t end = 0;
  bool comment = false;
};
struct CodeAction {
  std::string title;
  bool preferred = false;
  std::string uri;
  std::vector<TextEdit> edits;
  std::optional<Diag> diagnostic;  ///< the diagnostic it fixes
};
struct RenameResult {
  std::map<std::string, std::vector<TextEdit>> changes;  ///< by URI
  std::string refusal;                                  ///< not empty: why the rename is refused
};
struct InlayHint {
  Position position;
  std::string label;
};

/// Converts between LSP positions and byte offsets of a UTF-8 text (UTF-16 code units, with the
/// characters outside the BMP counting 2; a position beyond a line's end is its end).
std::uint32_t offset_of(std::string_view text, Position p);
Position position_of(std::string_view text, std::uint32_t offset);

/// A `file://` URI's path (percent-decoded), or nullopt for another scheme.
std::optional<std::string> uri_to_path(const std::string& uri);
std::string path_to_uri(const std::string& path);

struct Document;

class Workspace {
 public:
  explicit Workspace(Lang lang);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;

  void set_lang(Lang lang) { lang_ = lang; }
  void open(const std::string& uri, std::string text, std::int64_t version);
  void change(const std::string& uri, std::string text, std::int64_t version);
  void close(const std::string& uri);
  [[nodiscard]] bool is_open(const std::string& uri) const;

  /// Parses, links and checks the document if its text changed since it was last checked, and
  /// returns its diagnostics.
  std::vector<Diag> diagnostics(const std::string& uri);

  std::optional<Hover> hover(const std::string& uri, Position p);
  std::vector<Location> definition(const std::string& uri, Position p);
  std::vector<Location> references(const std::string& uri, Position p, bool include_declaration);
  std::vector<CompletionItem> completion(const std::string& uri, Position p);
  std::optional<SignatureInfo> signature_help(const std::string& uri, Position p);
  std::vector<DocumentSymbol> document_symbols(const std::string& uri);
  std::vector<FoldingRange> folding(const std::string& uri);
  /// The whole document in the `jixiao fmt` layout; nullopt when it does not parse.
  std::optional<std::vector<TextEdit>> format(const std::string& uri);
  std::vector<CodeAction> code_actions(const std::string& uri, Range range);
  RenameResult rename(const std::string& uri, Position p, const std::string& new_name);
  std::vector<InlayHint> inlay_hints(const std::string& uri, Range range);

 private:
  Document* find(const std::string& uri);
  /// The open document `uri`, checked again first if its text changed; null when it is not open.
  Document* checked(const std::string& uri);
  void analyze(Document& doc);
  /// The URI of a file of an analysis by its key: an open document's own URI, a `file://` URI, or
  /// for `std/NAME` the read-only copy in std_dir_ (`jixiao-std:///std/NAME.jx` when it cannot be
  /// written).
  std::string uri_of(const std::string& key);

  Lang lang_;
  std::map<std::string, std::unique_ptr<Document>> docs_;
  std::string std_dir_;      ///< where the standard library's policies are written for editors
  bool std_tried_ = false;   ///< whether they have been written (or tried) in this session
};

}  // namespace jixiao::cli::lsp
