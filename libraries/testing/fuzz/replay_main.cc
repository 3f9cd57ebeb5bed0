// File: libraries/testing/fuzz/replay_main.cc
//
// A main() for fuzz targets built without libFuzzer: feeds every file named on the command line
// (directories are walked recursively, in sorted order) to LLVMFuzzerTestOneInput once, so that
// `bazel test` replays each seed corpus with the ordinary toolchain. A target that rejects an
// input aborts (its own CHECKs), which fails the test; the replay also fails when it finds no
// input at all, so that a mistyped corpus path cannot pass silently.
//
// Thread-safety: single-threaded program. Errors: exit status 1 with a message on stderr when
// an argument cannot be read or no input was found.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

bool ReadFile(const std::filesystem::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out->assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// Appends the regular files under `path` (or `path` itself) to `files`.
bool Collect(const std::filesystem::path& path, std::vector<std::filesystem::path>* files) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    std::vector<std::filesystem::path> found;
    for (auto it = std::filesystem::recursive_directory_iterator(
             path, std::filesystem::directory_options::follow_directory_symlink, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) found.push_back(it->path());
    }
    if (ec) return false;
    std::sort(found.begin(), found.end());
    files->insert(files->end(), found.begin(), found.end());
    return true;
  }
  if (std::filesystem::is_regular_file(path, ec)) {
    files->push_back(path);
    return true;
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!Collect(argv[i], &files)) {
      std::fprintf(stderr, "replay: cannot read %s\n", argv[i]);
      return 1;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files under the arguments given\n");
    return 1;
  }
  for (const std::filesystem::path& file : files) {
    std::string data;
    if (!ReadFile(file, &data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::printf("replay: %zu inputs ran\n", files.size());
  return 0;
}
