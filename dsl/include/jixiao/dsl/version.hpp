// The engine version, recorded in results and audit records.
#pragma once

#include <string_view>

namespace jixiao {

inline constexpr std::string_view kVersion = "0.2.0";

}  // namespace jixiao
