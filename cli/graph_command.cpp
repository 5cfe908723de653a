// `jixiao graph POLICY`: the dependency graph of a checked policy as DOT (Graphviz) or Mermaid.
#include "commands.hpp"
#include "files.hpp"

namespace jixiao::cli {

namespace {

std::vector<OptionSpec> graph_options() {
  return with_common({
      {"format", 0, "FORMAT", msg::cli_opt_format_graph()},
      {"out", 'o', "FILE", msg::cli_opt_out_graph()},
      {"param", 0, "NAME=VALUE", msg::cli_opt_param_graph(), true},
  });
}

// Node shapes by kind, so a reader sees inputs, rules and results at a glance.
std::string_view dot_shape(dsl::SymbolKind k) {
  switch (k) {
    case dsl::SymbolKind::kKey:
    case dsl::SymbolKind::kInput: return "shape=parallelogram";
    case dsl::SymbolKind::kParam:
    case dsl::SymbolKind::kSet: return "shape=note";
    case dsl::SymbolKind::kLet: return "shape=ellipse";
    case dsl::SymbolKind::kIndicator: return "shape=box";
    case dsl::SymbolKind::kVeto: return "shape=octagon";
    case dsl::SymbolKind::kGrade:
    case dsl::SymbolKind::kAlert: return "shape=hexagon";
    case dsl::SymbolKind::kFund: return "shape=box3d";
  }
  return "shape=box";
}

std::string escape(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string mermaid_text(const std::string& s) {
  std::string out;
  for (const char c : s) {
    if (c == '"') {
      out += "#quot;";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Edges from what is read to what reads it, each once, in plan order.
std::vector<std::pair<std::uint32_t, std::uint32_t>> edges(const LoadedPolicy& p) {
  std::vector<std::pair<std::uint32_t, std::uint32_t>> out;
  for (const dsl::SymbolId reader : p.plan.order) {
    for (const dsl::Dep& d : p.policy.deps[static_cast<std::uint32_t>(reader)]) {
      const std::pair<std::uint32_t, std::uint32_t> e{static_cast<std::uint32_t>(d.to), static_cast<std::uint32_t>(reader)};
      if (std::find(out.begin(), out.end(), e) == out.end()) out.push_back(e);
    }
  }
  return out;
}

std::string dot(const LoadedPolicy& p) {
  const auto& policy = p.policy;
  std::string out = "digraph \"" + escape(policy.module.policy ? policy.module.policy->name : "policy") + "\" {\n";
  out += "  rankdir=LR;\n  node [fontname=\"sans-serif\"];\n";
  for (const dsl::SymbolId s : p.plan.order) {
    const dsl::Symbol& sym = policy.symbol(s);
    out += "  n" + std::to_string(static_cast<std::uint32_t>(s)) + " [" + std::string(dot_shape(sym.kind)) + ", label=\"" +
           dsl::kind_message(sym).str(lang()) + "\\n" + escape(sym.name) + "\"];\n";
  }
  for (const auto& [from, to] : edges(p)) out += "  n" + std::to_string(from) + " -> n" + std::to_string(to) + ";\n";
  return out + "}\n";
}

std::string mermaid(const LoadedPolicy& p) {
  const auto& policy = p.policy;
  std::string out = "flowchart LR\n";
  for (const dsl::SymbolId s : p.plan.order) {
    const dsl::Symbol& sym = policy.symbol(s);
    out += "  n" + std::to_string(static_cast<std::uint32_t>(s)) + "[\"" + dsl::kind_message(sym).str(lang()) + ": " +
           mermaid_text(sym.name) + "\"]\n";
  }
  for (const auto& [from, to] : edges(p)) out += "  n" + std::to_string(from) + " --> n" + std::to_string(to) + "\n";
  return out;
}

}  // namespace

int cmd_graph(const std::vector<std::string>& args, Io& io) {
  const ParsedArgs parsed = parse_args(args, 1, graph_options(), "graph");
  if (parsed.has("help")) {
    io.out << msg::cli_graph_help().str(lang()) << options_help(graph_options());
    return 0;
  }
  if (parsed.positional.size() != 1) {
    throw UsageError(msg::cli_takes_one_policy_only("graph"), msg::hint_write_eg("jixiao graph examples/3x/policy.jx --format mermaid"));
  }
  const std::string format = parsed.value("format").value_or("dot");
  if (format != "dot" && format != "mermaid") {
    throw UsageError(msg::flag_bad_choice("format", format),
                     msg::hint_write_one_of(std::vector<std::string>{"--format dot", "--format mermaid"}));
  }
  Session s(io, parsed);
  OutputSet outputs;
  std::optional<std::size_t> out;
  if (auto p = parsed.value("out")) out = outputs.add(*p, "--out", msg::cli_out_graph());
  outputs.refuse_inputs({{parsed.positional[0], msg::cli_the_policy()}});
  auto loaded = load_policy(s, parsed.positional[0], param_overrides(parsed));
  if (!loaded) {
    s.flush_diagnostics();
    return s.exit_code();
  }
  outputs.refuse_inputs(s.inputs());
  const std::string text = format == "dot" ? dot(*loaded) : mermaid(*loaded);
  if (out && !outputs.to_stdout(*out)) {
    auto error = outputs.stage(*out, text);
    if (!error) error = outputs.commit();
    if (error) s.report_io_error(error->path, error->message, msg::cli_hint_dir_writable());
  } else {
    io.out << text;
  }
  s.flush_diagnostics();
  return s.exit_code();
}

}  // namespace jixiao::cli
