// Results as an Excel workbook (`jixiao eval --out 结果.xlsx`), written with libxlsxwriter: the
// sheets 结果, 汇总, 资金 and 说明 (docs/data-formats.md, "Excel workbooks").
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "jixiao/dsl/check.hpp"
#include "jixiao/dsl/message.hpp"
#include "jixiao/engine/dataset.hpp"
#include "jixiao/engine/evaluator.hpp"

namespace jixiao::engine {

/// What the workbook says about the run beside the results (sheet 说明), and how 汇总 groups.
struct WorkbookInfo {
  std::string data_name;    ///< the data file's name, without its directory (the same wherever it lies)
  std::string data_sha256;  ///< of the data file's bytes as read
  std::vector<dsl::ParamOverride> overrides;  ///< `--param` as given
  dsl::SymbolId group_by = dsl::kNoSymbol;    ///< `--group-by`: a column of ResultTable's extras
};

/// Rows a worksheet holds under its header row (Excel's limit is 1,048,576 rows in all).
inline constexpr std::size_t kMaxWorkbookRows = 1'048'575;

/// Why a workbook could not be made: too many rows, a text longer than a cell holds, or a failure
/// of libxlsxwriter or of the system. The message is for the user, with a hint.
class WorkbookError : public std::runtime_error {
 public:
  WorkbookError(Message message, Message hint)
      : std::runtime_error(message.str(Lang::kEn)), message_(std::move(message)), hint_(std::move(hint)) {}
  [[nodiscard]] const Message& message() const { return message_; }
  [[nodiscard]] const Message& hint() const { return hint_; }

 private:
  Message message_;
  Message hint_;
};

/// The workbook's bytes. The sheets' texts are Chinese whatever the language of the run (like the
/// markers of the reasons column: the bytes are what an audit record hashes), and the same inputs
/// give the same bytes: the creation date is fixed (1980-01-01, as the zip entries' dates are),
/// and nothing depends on the machine, the time or the thread count. Throws WorkbookError.
std::string make_workbook(const dsl::CheckedPolicy& policy, const Dataset& data, const EvalResult& result,
                          const WorkbookInfo& info);

}  // namespace jixiao::engine
