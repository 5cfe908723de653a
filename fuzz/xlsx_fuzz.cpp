// Fuzz target (f): Excel workbook bytes → the .xlsx reader (libzip + expat) → loader with the fixed
// data policy (data_policy.hpp) → evaluation → results.
// Two kinds of input, so that mutations reach the XML as well as the archive:
// - bytes starting with `PK` are the workbook itself (a mutated archive mostly fails its CRC, which
//   tests the archive checks);
// - any other bytes are the workbook's parts, separated by NUL bytes: the worksheet
//   (xl/worksheets/sheet1.xml), then the shared strings and the styles when present; the target
//   packs them, with fixed [Content_Types].xml, relationships and xl/workbook.xml, into a valid
//   archive (in memory, with libzip), so every mutation reaches expat and the cell reader.
// Invariants: no crash, no leak, bounded memory (a part's size is capped while it is inflated);
// loading with 1 or 3 threads gives the same errors or the same results; evaluating with 1 or 3
// threads and small chunks gives the same result bytes.
#include <zip.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "data_policy.hpp"

namespace {

constexpr std::string_view kContentTypes =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>)";
constexpr std::string_view kRootRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>)";
constexpr std::string_view kWorkbook =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="数据" sheetId="1" r:id="rId1"/></sheets></workbook>)";
constexpr std::string_view kWorkbookRels =
    R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>)";

// The archive holding `parts` (name, text), stored uncompressed; empty if libzip fails.
std::string pack(const std::vector<std::pair<const char*, std::string_view>>& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  std::string out;
  if (buffer == nullptr) return out;
  zip_source_keep(buffer);
  zip_t* archive = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  if (archive == nullptr) {
    zip_source_free(buffer);
    zip_source_free(buffer);
    return out;
  }
  bool ok = true;
  for (const auto& [name, text] : parts) {
    zip_source_t* s = zip_source_buffer(archive, text.data(), text.size(), 0);
    if (s == nullptr || zip_file_add(archive, name, s, ZIP_FL_ENC_UTF_8) < 0) {
      if (s != nullptr) zip_source_free(s);
      ok = false;
      break;
    }
  }
  if (!ok || zip_close(archive) != 0) {
    zip_discard(archive);  // a failed zip_close leaves the archive open
  } else if (zip_source_open(buffer) == 0) {
    std::array<char, 65536> chunk{};
    zip_int64_t n = 0;
    while ((n = zip_source_read(buffer, chunk.data(), chunk.size())) > 0) out.append(chunk.data(), static_cast<std::size_t>(n));
    zip_source_close(buffer);
  }
  zip_source_free(buffer);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const jixiao::fuzz::Fixed fixed;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.substr(0, 2) == "PK") {
    jixiao::fuzz::same_with_threads(fixed, "data.xlsx", bytes);
    return 0;
  }
  std::vector<std::pair<const char*, std::string_view>> parts = {{"[Content_Types].xml", kContentTypes},
                                                                 {"_rels/.rels", kRootRels},
                                                                 {"xl/workbook.xml", kWorkbook},
                                                                 {"xl/_rels/workbook.xml.rels", kWorkbookRels}};
  constexpr std::array<const char*, 3> kNames = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml"};
  std::size_t begin = 0;
  for (const char* name : kNames) {
    if (begin > bytes.size()) break;
    const std::size_t end = std::min(bytes.find('\0', begin), bytes.size());
    if (end > begin) parts.emplace_back(name, bytes.substr(begin, end - begin));  // empty: no such part
    begin = end + 1;
  }
  const std::string archive = pack(parts);
  if (!archive.empty()) jixiao::fuzz::same_with_threads(fixed, "data.xlsx", archive);
  return 0;
}
