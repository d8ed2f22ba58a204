// The MLP builder: fc1..fcN with widths[0] inputs and widths.back() classes.
#include <stdexcept>

#include "sim/models/model.h"

namespace fpsim::sim {
namespace {

class Mlp : public Model {
 public:
  Mlp(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) : Model(spec, plan) {
    if (spec.widths.size() < 2) throw std::invalid_argument("mlp: needs at least input and output widths");
    const size_t count = spec.widths.size() - 1;
    for (size_t l = 0; l < count; ++l) add_gemm_layer("fc" + std::to_string(l + 1));
    for (size_t l = 0; l < count; ++l)
      add_linear_params(gemm_layers()[l], spec.widths[l], spec.widths[l + 1], seed);
  }

  // x [N, 784] (or [N, 1, 28, 28]) -> [N, classes].
  Var forward(Tape& tape, StepContext& ctx, Var x) override {
    size_t p = 0;
    return dense_stack(tape, ctx, flatten(tape, x), 0, p);
  }
};

}  // namespace

std::unique_ptr<Model> build_mlp(const ModelSpec& spec, const QuantPlan& plan, uint64_t seed) {
  return std::make_unique<Mlp>(spec, plan, seed);
}

}  // namespace fpsim::sim
