// `jixiao lsp`: JSON-RPC 2.0 with `Content-Length` framing over standard input and output, and the
// dispatch of the Language Server Protocol's methods to Workspace (workspace.hpp). This is the only
// file that includes nlohmann::json (compile time: docs/architecture.md, "Dependencies").
//
// Robustness: nothing a client sends ends the server except `exit` (or the end of its input).
// A frame without a valid `Content-Length` is dropped up to the next blank line; a body that is not
// JSON gets a ParseError, a message that is not a request an InvalidRequest, an unknown request
// MethodNotFound, wrong parameters InvalidParams; unknown notifications are ignored.
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "args.hpp"
#include "commands.hpp"
#include "jixiao/dsl/version.hpp"
#include "lsp/workspace.hpp"

namespace jixiao::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;
using lsp::Position;
using lsp::Range;

// JSON-RPC and LSP error codes.
constexpr int kParseError = -32700;
constexpr int kInvalidRequest = -32600;
constexpr int kMethodNotFound = -32601;
constexpr int kInvalidParams = -32602;
constexpr int kInternalError = -32603;
constexpr int kServerNotInitialized = -32002;
constexpr int kRequestFailed = -32803;

constexpr std::size_t kMaxHeader = 64 * 1024;
constexpr std::size_t kMaxBody = 256u * 1024 * 1024;
/// Diagnostics wait for this long without a change before the document is checked again.
constexpr std::chrono::milliseconds kDebounce{150};

json to_json(Position p) { return {{"line", p.line}, {"character", p.character}}; }
json to_json(const Range& r) { return {{"start", to_json(r.start)}, {"end", to_json(r.end)}}; }
json to_json(const lsp::Location& l) { return {{"uri", l.uri}, {"range", to_json(l.range)}}; }
json to_json(const lsp::Diag& d) {
  json j = {{"range", to_json(d.range)}, {"severity", d.severity}, {"code", d.code}, {"source", "jixiao"}, {"message", d.text}};
  if (!d.related.empty()) {
    json rel = json::array();
    for (const auto& r : d.related) rel.push_back({{"location", to_json(r.location)}, {"message", r.message}});
    j["relatedInformation"] = rel;
  }
  return j;
}
json to_json(const lsp::TextEdit& e) { return {{"range", to_json(e.range)}, {"newText", e.text}}; }
json to_json(const std::vector<lsp::TextEdit>& edits) {
  json out = json::array();
  for (const auto& e : edits) out.push_back(to_json(e));
  return out;
}
json to_json(const lsp::DocumentSymbol& s) {
  json j = {{"name", s.name.empty() ? std::string("?") : s.name}, {"kind", s.kind}, {"range", to_json(s.range)},
            {"selectionRange", to_json(s.selection)}};
  if (!s.detail.empty()) j["detail"] = s.detail;
  if (!s.children.empty()) {
    json children = json::array();
    for (const auto& c : s.children) children.push_back(to_json(c));
    j["children"] = children;
  }
  return j;
}

struct RpcError {
  int code;
  std::string message;
};

// A line or character: a whole number from 0 to 2^32 - 1 (nlohmann would wrap -1 silently).
std::uint32_t unsigned_at(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_number_unsigned() || v.get<std::uint64_t>() > 0xFFFFFFFFu) {
    throw RpcError{kInvalidParams, std::string("`") + key + "` is not a whole number from 0"};
  }
  return v.get<std::uint32_t>();
}
Position position_at(const json& p) { return {unsigned_at(p, "line"), unsigned_at(p, "character")}; }
Position position_param(const json& params) { return position_at(params.at("position")); }
Range range_param(const json& r) { return {position_at(r.at("start")), position_at(r.at("end"))}; }
std::string uri_param(const json& params) { return params.at("textDocument").at("uri").get<std::string>(); }

class Server {
 public:
  explicit Server(Lang lang) : workspace_(lang) {}

  int run() {
    char buffer[65536];
    while (!exited_) {
      while (!exited_ && next_message()) {
      }
      if (exited_) break;
      int timeout = -1;
      if (!pending_.empty()) {
        auto due = pending_.begin()->second;
        for (const auto& [uri, when] : pending_) due = std::min(due, when);
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(due - Clock::now()).count();
        timeout = static_cast<int>(std::max<long long>(0, wait));
      }
      pollfd fd{STDIN_FILENO, POLLIN, 0};
      const int ready = ::poll(&fd, 1, timeout);
      if (ready < 0 && errno != EINTR) break;
      if (ready > 0) {
        const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
        if (n == 0) break;  // the client is gone
        if (n < 0 && errno != EINTR && errno != EAGAIN) break;
        if (n > 0) input_.append(buffer, static_cast<std::size_t>(n));
      }
      publish_due();
    }
    return shutdown_ || !exited_ ? 0 : 1;
  }

 private:
  // Takes one framed message off the input, if a whole one is there, and handles it.
  bool next_message() {
    const std::size_t end = input_.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (input_.size() > kMaxHeader) input_.clear();  // no header ends: drop what cannot be one
      return false;
    }
    std::optional<std::size_t> length;
    std::size_t line = 0;
    while (line < end) {
      std::size_t eol = input_.find("\r\n", line);
      if (eol == std::string::npos || eol > end) eol = end;
      const std::string field = input_.substr(line, eol - line);
      const std::size_t colon = field.find(':');
      if (colon != std::string::npos) {
        std::string name = field.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (name == "content-length") {
          const std::string value = field.substr(colon + 1);
          std::size_t v = 0;
          bool digits = false;
          bool ok = true;
          for (const char c : value) {
            if (c == ' ' || c == '\t') continue;
            if (c < '0' || c > '9' || v > kMaxBody) {
              ok = false;
              break;
            }
            v = v * 10 + static_cast<std::size_t>(c - '0');
            digits = true;
          }
          if (ok && digits && v <= kMaxBody) length = v;
        }
      }
      line = eol + 2;
    }
    if (!length) {
      input_.erase(0, end + 4);  // a header without a usable length: dropped
      send_error(nullptr, kParseError, "missing or invalid Content-Length");
      return true;
    }
    if (input_.size() < end + 4 + *length) return false;
    const std::string body = input_.substr(end + 4, *length);
    input_.erase(0, end + 4 + *length);
    handle(body);
    return true;
  }

  void write_all(const std::string& bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        exited_ = true;  // the client closed its end: nothing more can be said
        return;
      }
      done += static_cast<std::size_t>(n);
    }
  }

  void send(const json& message) {
    const std::string body = message.dump(-1, ' ', false, json::error_handler_t::replace);
    write_all("Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body);
  }
  void send_result(const json& id, const json& result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}); }
  void send_error(const json& id, int code, const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }
  void notify(const std::string& method, const json& params) {
    send({{"jsonrpc", "2.0"}, {"method", method}, {"params", params}});
  }

  void handle(const std::string& body) {
    const json message = json::parse(body, nullptr, false);
    if (message.is_discarded()) return send_error(nullptr, kParseError, "the message is not JSON");
    if (!message.is_object()) return send_error(nullptr, kInvalidRequest, "the message is not a JSON object");
    const auto method = message.find("method");
    const auto id_it = message.find("id");
    const bool request = id_it != message.end();
    const json id = request ? *id_it : json(nullptr);
    if (request && !id.is_number_integer() && !id.is_string()) return send_error(nullptr, kInvalidRequest, "invalid id");
    if (method == message.end()) return;  // a response to something we never asked: ignored
    if (!method->is_string()) {
      if (request) send_error(id, kInvalidRequest, "the method is not a string");
      return;
    }
    const std::string name = method->get<std::string>();
    const json params = message.contains("params") ? message["params"] : json::object();
    try {
      if (request) {
        send_result(id, answer(name, params));
      } else {
        notification(name, params);
      }
    } catch (const RpcError& e) {
      if (request) send_error(id, e.code, e.message);
    } catch (const json::exception& e) {
      if (request) send_error(id, kInvalidParams, e.what());
    } catch (const std::bad_alloc&) {
      if (request) send_error(id, kInternalError, "out of memory");
    } catch (const std::exception& e) {
      if (request) send_error(id, kInternalError, std::string("internal error: ") + e.what());
    }
  }

  void notification(const std::string& name, const json& params) {
    if (name == "exit") {
      exited_ = true;
      return;
    }
    if (name == "initialized" || !initialized_) return;
    if (name == "textDocument/didOpen") {
      const json& d = params.at("textDocument");
      const std::string uri = d.at("uri").get<std::string>();
      texts_[uri] = d.at("text").get<std::string>();
      workspace_.open(uri, texts_[uri], d.value("version", 0));
      pending_[uri] = Clock::now();
    } else if (name == "textDocument/didChange") {
      const std::string uri = uri_param(params);
      if (!workspace_.is_open(uri)) return;
      std::string text = text_of(uri);
      for (const json& change : params.at("contentChanges")) {
        if (change.contains("range")) {
          const Range r = range_param(change.at("range"));
          const std::uint32_t b = lsp::offset_of(text, r.start);
          const std::uint32_t e = std::max(b, lsp::offset_of(text, r.end));
          text.replace(b, e - b, change.at("text").get<std::string>());
        } else {
          text = change.at("text").get<std::string>();
        }
      }
      texts_[uri] = text;
      workspace_.change(uri, std::move(text), params.at("textDocument").value("version", 0));
      // Every open document is checked again: one may extend or import the one that changed.
      const auto due = Clock::now() + kDebounce;
      for (auto& [u, t] : texts_) pending_[u] = due;
      pending_[uri] = due;
    } else if (name == "textDocument/didClose") {
      const std::string uri = uri_param(params);
      workspace_.close(uri);
      texts_.erase(uri);
      pending_.erase(uri);
      notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", json::array()}});
    }
    // Anything else ($/cancelRequest, didSave, workspace/didChangeConfiguration ...) is ignored.
  }

  std::string text_of(const std::string& uri) {
    const auto it = texts_.find(uri);
    return it == texts_.end() ? std::string() : it->second;
  }

  void publish_due() {
    const auto now = Clock::now();
    for (auto it = pending_.begin(); it != pending_.end();) {
      if (it->second > now) {
        ++it;
        continue;
      }
      const std::string uri = it->first;
      it = pending_.erase(it);
      if (!workspace_.is_open(uri)) continue;
      json list = json::array();
      for (const auto& d : workspace_.diagnostics(uri)) list.push_back(to_json(d));
      notify("textDocument/publishDiagnostics", {{"uri", uri}, {"diagnostics", list}});
    }
  }

  json answer(const std::string& name, const json& params) {
    if (name == "initialize") return initialize(params);
    if (!initialized_) throw RpcError{kServerNotInitialized, "initialize first"};
    if (name == "shutdown") {
      shutdown_ = true;
      return nullptr;
    }
    if (shutdown_) throw RpcError{kInvalidRequest, "the server is shutting down"};
    if (name == "textDocument/hover") {
      const auto h = workspace_.hover(uri_param(params), position_param(params));
      if (!h) return nullptr;
      return {{"contents", {{"kind", "markdown"}, {"value", h->markdown}}}, {"range", to_json(h->range)}};
    }
    if (name == "textDocument/definition") {
      json out = json::array();
      for (const auto& l : workspace_.definition(uri_param(params), position_param(params))) out.push_back(to_json(l));
      return out;
    }
    if (name == "textDocument/references") {
      const bool decl = params.contains("context") ? params["context"].value("includeDeclaration", true) : true;
      json out = json::array();
      for (const auto& l : workspace_.references(uri_param(params), position_param(params), decl)) out.push_back(to_json(l));
      return out;
    }
    if (name == "textDocument/completion") {
      json items = json::array();
      for (const auto& c : workspace_.completion(uri_param(params), position_param(params))) {
        json item = {{"label", c.label}, {"kind", static_cast<int>(c.kind)}};
        if (!c.detail.empty()) item["detail"] = c.detail;
        if (!c.documentation.empty()) item["documentation"] = {{"kind", "markdown"}, {"value", c.documentation}};
        if (c.snippet && snippets_) {
          item["insertText"] = c.insert_text;
          item["insertTextFormat"] = 2;
        } else if (!c.snippet && !c.insert_text.empty()) {
          item["insertText"] = c.insert_text;
        }
        items.push_back(item);
      }
      return {{"isIncomplete", false}, {"items", items}};
    }
    if (name == "textDocument/signatureHelp") {
      const auto s = workspace_.signature_help(uri_param(params), position_param(params));
      if (!s) return nullptr;
      json parameters = json::array();
      for (const auto& p : s->parameters) parameters.push_back({{"label", p}});
      return {{"signatures", json::array({{{"label", s->label}, {"documentation", s->documentation}, {"parameters", parameters}}})},
              {"activeSignature", 0},
              {"activeParameter", s->active_parameter}};
    }
    if (name == "textDocument/documentSymbol") {
      json out = json::array();
      for (const auto& s : workspace_.document_symbols(uri_param(params))) out.push_back(to_json(s));
      return out;
    }
    if (name == "textDocument/foldingRange") {
      json out = json::array();
      for (const auto& f : workspace_.folding(uri_param(params))) {
        json j = {{"startLine", f.start}, {"endLine", f.end}};
        if (f.comment) j["kind"] = "comment";
        out.push_back(j);
      }
      return out;
    }
    if (name == "textDocument/formatting") {
      const auto edits = workspace_.format(uri_param(params));
      if (!edits) return nullptr;
      return to_json(*edits);
    }
    if (name == "textDocument/codeAction") {
      json out = json::array();
      const std::string uri = uri_param(params);
      for (const auto& a : workspace_.code_actions(uri, range_param(params.at("range")))) {
        json j = {{"title", a.title}, {"kind", "quickfix"}, {"edit", {{"changes", {{a.uri, to_json(a.edits)}}}}}};
        if (a.preferred) j["isPreferred"] = true;
        if (a.diagnostic) j["diagnostics"] = json::array({to_json(*a.diagnostic)});
        out.push_back(j);
      }
      return out;
    }
    if (name == "textDocument/rename") {
      const auto r = workspace_.rename(uri_param(params), position_param(params), params.at("newName").get<std::string>());
      if (!r.refusal.empty()) throw RpcError{kRequestFailed, r.refusal};
      json changes = json::object();
      for (const auto& [uri, edits] : r.changes) changes[uri] = to_json(edits);
      return {{"changes", changes}};
    }
    if (name == "textDocument/inlayHint") {
      json out = json::array();
      for (const auto& h : workspace_.inlay_hints(uri_param(params), range_param(params.at("range")))) {
        out.push_back({{"position", to_json(h.position)}, {"label", h.label}, {"paddingLeft", false}});
      }
      return out;
    }
    throw RpcError{kMethodNotFound, "unknown method: " + name};
  }

  json initialize(const json& params) {
    if (params.is_object()) {
      if (const auto o = params.find("initializationOptions"); o != params.end() && o->is_object()) {
        if (const auto l = o->find("lang"); l != o->end() && l->is_string()) {
          if (const auto chosen = parse_lang(l->get<std::string>())) {
            workspace_.set_lang(*chosen);
            set_lang(*chosen);
          }
        }
      }
      const json* c = &params;
      for (const char* key : {"capabilities", "textDocument", "completion", "completionItem", "snippetSupport"}) {
        if (!c->is_object() || !c->contains(key)) {
          c = nullptr;
          break;
        }
        c = &(*c)[key];
      }
      snippets_ = c && c->is_boolean() && c->get<bool>();
    }
    initialized_ = true;
    return {
        {"capabilities",
         {{"textDocumentSync", {{"openClose", true}, {"change", 1}}},
          {"hoverProvider", true},
          {"definitionProvider", true},
          {"referencesProvider", true},
          {"completionProvider", {{"triggerCharacters", json::array({".", "{", ":"})}}},
          {"signatureHelpProvider", {{"triggerCharacters", json::array({"(", ","})}}},
          {"documentSymbolProvider", true},
          {"foldingRangeProvider", true},
          {"documentFormattingProvider", true},
          {"codeActionProvider", {{"codeActionKinds", json::array({"quickfix"})}}},
          {"renameProvider", true},
          {"inlayHintProvider", true}}},
        {"serverInfo", {{"name", "jixiao"}, {"version", std::string(kVersion)}}},
    };
  }

  lsp::Workspace workspace_;
  std::string input_;
  std::map<std::string, std::string> texts_;            ///< uri → text (for incremental changes)
  std::map<std::string, Clock::time_point> pending_;    ///< uri → when to publish its diagnostics
  bool initialized_ = false;
  bool shutdown_ = false;
  bool exited_ = false;
  bool snippets_ = false;
};

std::vector<OptionSpec> lsp_options() {
  return {
      {"help", 'h', "", msg::opt_help()},
      {"lang", 0, "LANG", msg::opt_lang()},
      {"stdio", 0, "", msg::lsp_opt_stdio()},
  };
}

}  // namespace

int cmd_lsp(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, lsp_options(), "lsp");
  if (parsed.has("help")) {
    io.out << msg::cli_lsp_help().str(lang()) << options_help(lsp_options());
    return 0;
  }
  if (!parsed.positional.empty()) {
    throw UsageError(msg::cli_lsp_no_files(parsed.positional.front()), msg::hint_write_eg("jixiao lsp"));
  }
  io.out.flush();
  Server server(lang());
  return server.run();
}

}  // namespace jixiao::cli
