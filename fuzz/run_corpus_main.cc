// A main() for the fuzz targets without libFuzzer: the GCC build (and the asan, ubsan and aarch64
// configurations) runs every target as a plain test over its checked-in seed corpus, then over
// deterministic pseudo-random mutations of it, so that `bazel test //...` exercises the targets on
// every run and a crash found once stays found.
//
//   run_corpus_main [--random=N] [--seed=S] PATH...
// Each PATH is a file (one input) or a directory (every regular file in it, in name order). Then N
// mutated inputs (default 2000, or $VOLLEY_FUZZ_RANDOM_INPUTS; 0 to run only the files), the same
// on every run for a given seed. A crash on a file: run the target on that file alone. A crash on
// a mutated input: run again with $VOLLEY_FUZZ_SAVE_INPUT=FILE, which holds each input before it
// runs, so after the crash it holds the one that crashed.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "tests/harness/splitmix64.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

using Input = std::vector<uint8_t>;

// The largest mutated input: above the largest record, so that every size class is reached.
constexpr size_t kMaxInput = 1 << 16;

using Rng = volley::test::SplitMix64;

bool read_file(const std::filesystem::path& p, Input* out) {
  std::ifstream f(p, std::ios::binary);
  if (!f) return false;
  out->assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  return true;
}

// mutate applies a few of the edits libFuzzer's mutator makes, so that the inputs stay close to
// the seeds (valid headers, valid tags) while straying from them.
void mutate(Rng& rng, Input& in, const std::vector<Input>& corpus) {
  const size_t edits = 1 + rng.below(6);
  for (size_t e = 0; e < edits; ++e) {
    switch (rng.below(8)) {
      case 0:  // flip a bit
        if (!in.empty()) in[rng.below(in.size())] ^= static_cast<uint8_t>(1u << rng.below(8));
        break;
      case 1:  // set a byte, often one of the setup bytes at the front
        if (!in.empty()) {
          in[rng.below(2) ? rng.below(std::min<size_t>(in.size(), 8)) : rng.below(in.size())] =
              static_cast<uint8_t>(rng.next());
        }
        break;
      case 2: {  // insert random bytes
        const size_t at = rng.below(in.size() + 1);
        const size_t n = 1 + rng.below(16);
        for (size_t i = 0; i < n; ++i) {
          in.insert(in.begin() + static_cast<ptrdiff_t>(at), static_cast<uint8_t>(rng.next()));
        }
        break;
      }
      case 3: {  // erase a range
        if (in.empty()) break;
        const size_t at = rng.below(in.size());
        const size_t n = 1 + rng.below(std::min<size_t>(in.size() - at, 64));
        in.erase(in.begin() + static_cast<ptrdiff_t>(at),
                 in.begin() + static_cast<ptrdiff_t>(at + n));
        break;
      }
      case 4:  // truncate
        in.resize(rng.below(in.size() + 1));
        break;
      case 5: {  // splice in a piece of another seed
        if (corpus.empty()) break;
        const Input& other = corpus[rng.below(corpus.size())];
        if (other.empty()) break;
        const size_t from = rng.below(other.size());
        const size_t n = 1 + rng.below(other.size() - from);
        const size_t at = rng.below(in.size() + 1);
        in.insert(in.begin() + static_cast<ptrdiff_t>(at),
                  other.begin() + static_cast<ptrdiff_t>(from),
                  other.begin() + static_cast<ptrdiff_t>(from + n));
        break;
      }
      case 6: {  // a 16-bit length field set to an edge value
        if (in.size() < 2) break;
        static constexpr uint16_t kEdges[] = {0, 1, 2, 15, 16, 17, 0x3fff, 0x4000, 0x4001,
                                              0x40ff, 0x4100, 0x4101, 0xffff};
        const uint16_t v = kEdges[rng.below(std::size(kEdges))];
        const size_t at = rng.below(in.size() - 1);
        in[at] = static_cast<uint8_t>(v >> 8);
        in[at + 1] = static_cast<uint8_t>(v);
        break;
      }
      default:  // append random bytes
        for (size_t n = 1 + rng.below(32); n > 0; --n) {
          in.push_back(static_cast<uint8_t>(rng.next()));
        }
        break;
    }
    if (in.size() > kMaxInput) in.resize(kMaxInput);
  }
}

}  // namespace

int main(int argc, char** argv) {
  size_t random_inputs = 2000;
  if (const char* env = std::getenv("VOLLEY_FUZZ_RANDOM_INPUTS")) {
    random_inputs = std::strtoull(env, nullptr, 10);
  }
  uint64_t seed = 1;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--random=", 0) == 0) {
      random_inputs = std::strtoull(arg.c_str() + 9, nullptr, 10);
    } else if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 10);
    } else if (std::filesystem::is_directory(arg)) {
      std::vector<std::filesystem::path> in_dir;
      for (const auto& e : std::filesystem::directory_iterator(arg)) {
        // Runfiles are symlinks: follow them (is_regular_file does).
        if (std::filesystem::is_regular_file(e.path())) in_dir.push_back(e.path());
      }
      std::sort(in_dir.begin(), in_dir.end());
      files.insert(files.end(), in_dir.begin(), in_dir.end());
    } else {
      files.emplace_back(arg);
    }
  }

  std::vector<Input> corpus;
  for (const auto& f : files) {
    Input in;
    if (!read_file(f, &in)) {
      std::fprintf(stderr, "run_corpus_main: cannot read %s\n", f.c_str());
      return 2;
    }
    std::fprintf(stderr, "running %s (%zu bytes)\n", f.c_str(), in.size());
    LLVMFuzzerTestOneInput(in.data(), in.size());
    corpus.push_back(std::move(in));
  }

  const char* save = std::getenv("VOLLEY_FUZZ_SAVE_INPUT");
  Rng rng{seed};
  for (size_t i = 0; i < random_inputs; ++i) {
    Input in = corpus.empty() ? Input() : corpus[rng.below(corpus.size())];
    mutate(rng, in, corpus);
    if (save != nullptr) {
      std::ofstream(save, std::ios::binary | std::ios::trunc)
          .write(reinterpret_cast<const char*>(in.data()), static_cast<std::streamsize>(in.size()));
    }
    LLVMFuzzerTestOneInput(in.data(), in.size());
  }
  std::printf("run_corpus_main: %zu files, %zu mutated inputs (seed %llu): no failure\n",
              files.size(), random_inputs, static_cast<unsigned long long>(seed));
  return 0;
}
