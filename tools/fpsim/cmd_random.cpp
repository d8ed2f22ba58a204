// fpsim random: print the 64-bit words of a stochastic-rounding stream, one per line in hex.
//
//   fpsim random --seed 7 --count 4          # bits(0..3) of RandomStream(7): the words `--rounding sr --seed 7` uses
//   fpsim random --seed 1 --ids 5,0,2 --first 1000 --count 2
#include <fmt/core.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "numerics/core/random.h"
#include "tools/fpsim/command.h"

namespace fpsim::cli {
namespace {

struct Options {
  uint64_t seed = 0;
  std::vector<uint64_t> ids;
  uint64_t first = 0;
  uint64_t count = 16;
};

int run(const Options& o) {
  if (o.ids.size() > 3)
    throw std::invalid_argument("--ids has " + std::to_string(o.ids.size()) + " values: a stream takes at most 3");
  std::vector<uint64_t> ids = o.ids;
  ids.resize(3, 0);
  const RandomStream s(o.seed, ids[0], ids[1], ids[2]);
  std::string out;
  for (uint64_t i = 0; i < o.count; ++i) out += fmt::format("{:016X}\n", s.bits(o.first + i));
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

Registration reg{{"random", "Print words bits(first..first+count-1) of the random stream RandomStream(seed, ids...)",
                  [](CLI::App& app) {
                    auto o = std::make_shared<Options>();
                    app.add_option("--seed", o->seed, "stream seed (the --seed of round, eval and quantize)")
                        ->capture_default_str();
                    app.add_option("--ids", o->ids, "up to three stream identifiers (default 0,0,0)")->delimiter(',');
                    app.add_option("--first", o->first, "index of the first word")->capture_default_str();
                    app.add_option("--count", o->count, "number of words")->capture_default_str();
                    return std::function<int()>([o] { return run(*o); });
                  }}};

}  // namespace
}  // namespace fpsim::cli
