// [long] The accuracy targets of issue 5 on Fashion-MNIST: the default MLP (784-512-512-10, SGD
// momentum 0.9, lr 0.05, batch 128, standardised inputs) after 3 epochs reaches >= 87% test
// accuracy in FP32, and the FP8 paper recipe lands within 0.5 points of it (either side). Skipped with
// a message when the Debian dataset-fashion-mnist package is not installed, unless
// FPSIM_REQUIRE_DATASETS=1 (as CI sets), where a missing dataset fails the test.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "tools/io/config.h"
#include "tools/io/train_run.h"

using nlohmann::json;
using namespace fpsim;

TEST_CASE("3 epochs of the default MLP: fp32 >= 87% and fp8_paper within 0.5 points", "[train][long]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  if (!std::filesystem::exists(dir + "/train-images-idx3-ubyte.gz")) {
    const char* require = std::getenv("FPSIM_REQUIRE_DATASETS");
    if (require && std::string(require) == "1")
      FAIL(dir << " is missing and FPSIM_REQUIRE_DATASETS=1 (install dataset-fashion-mnist)");
    WARN("skipped: " << dir << " not found (install dataset-fashion-mnist)");
    return;
  }
  const char* source = std::getenv("FPSIM_SOURCE_DIR");
  const std::string experiments = std::string(source ? source : ".") + "/experiments/";
  std::map<std::string, double> accuracy;
  io::Datasets data;
  for (const char* recipe : {"fp32", "fp8_paper"}) {
    const io::RunConfig rc = io::load_run_config(experiments + "fmnist_mlp_" + recipe + ".json", {});
    if (data.train.count == 0) data = io::load_datasets(rc.data, rc.train.seed);
    io::set_threads(1);  // results do not depend on it; one thread avoids spin-waits on a busy machine
    sim::TrainObserver quiet;
    const sim::TrainSummary s = sim::train(rc.train, data.train, data.test, quiet);
    REQUIRE_FALSE(s.diverged);
    accuracy[recipe] = *s.final_test_accuracy;
  }
  INFO("fp32 " << accuracy["fp32"] << ", fp8_paper " << accuracy["fp8_paper"]);
  CHECK(accuracy["fp32"] >= 0.87);
  CHECK(std::abs(accuracy["fp8_paper"] - accuracy["fp32"]) <= 0.005);
}
