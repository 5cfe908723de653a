// A main() for the fuzz targets in ordinary builds (g++, no libFuzzer): runs the target once on
// every file given, or on every file below a given directory whose name ends with one of the
// `--ext` endings. The test run uses it to replay the seed corpora (the repository's own files) and
// every input a fuzzer once crashed on (fuzz/regressions/TARGET/), so a finding stays fixed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  std::vector<std::string> endings;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--ext" && i + 1 < argc) {
      endings.emplace_back(argv[++i]);
      continue;
    }
    const fs::path p(a);
    if (fs::is_directory(p)) {
      for (const auto& e : fs::recursive_directory_iterator(p)) {
        if (!e.is_regular_file()) continue;
        const std::string name = e.path().filename().string();
        const bool wanted = endings.empty() || std::any_of(endings.begin(), endings.end(), [&](const std::string& x) {
                              return name.size() >= x.size() && name.compare(name.size() - x.size(), x.size(), x) == 0;
                            });
        if (wanted) files.push_back(e.path());
      }
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    }
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    const std::string bytes = buffer.str();
    std::fprintf(stderr, "%s\n", f.c_str());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return files.empty() ? 1 : 0;
}
