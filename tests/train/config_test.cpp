// Run-config parsing: strict errors name file and JSON pointer; presets and --set resolve.
#include <catch2/catch.hpp>

#include "tools/io/config.h"
#include "train/config_error_of.h"
#include "tools/io/recipes.h"

using nlohmann::json;
using namespace fpsim;

namespace {

json minimal() {
  return json::parse(R"({"schema": 1, "name": "t", "data": {"dataset": "synthetic"}, "steps": 4})");
}

using test::error_of;

json with(json j, const std::string& pointer, json value) {
  j[json::json_pointer(pointer)] = std::move(value);
  return j;
}

}  // namespace

TEST_CASE("config errors name the file and the JSON pointer of the offending value", "[train][config]") {
  CHECK_THAT(error_of(with(minimal(), "/model/widthz", json::array({784, 10}))),
             Catch::StartsWith("x.json:/model/widthz: unknown key \"widthz\""));
  CHECK_THAT(error_of(with(minimal(), "/optimizer/lr", "fast")), Catch::StartsWith("x.json:/optimizer/lr: expected a number"));
  CHECK_THAT(error_of(with(minimal(), "/optimizer/momentum", 1.5)), Catch::StartsWith("x.json:/optimizer/momentum: value 1.5 is outside"));
  CHECK_THAT(error_of(with(minimal(), "/model/widths", json::array({784, 0, 10}))), Catch::StartsWith("x.json:/model/widths/1: value 0"));
  CHECK_THAT(error_of(with(minimal(), "/precision", "fp7")), Catch::StartsWith("x.json:/precision: unknown precision preset \"fp7\""));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"weight", {{"format", "e9m9q"}}}})),
             Catch::StartsWith("x.json:/precision/weight/format:"));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"weight", {{"format", "e5m2"}, {"rounding", "stoch"}}}})),
             Catch::StartsWith("x.json:/precision/weight/rounding:"));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"weight", {{"format", "binary64"}}}})),
             Catch::Contains("not binary32 values"));
  CHECK_THAT(error_of(with(minimal(), "/epochs", 2)), Catch::StartsWith("x.json:/steps: give either"));
  CHECK_THAT(error_of(with(minimal(), "/schema", 2)), Catch::StartsWith("x.json:/schema: unsupported schema 2"));
  CHECK_THAT(error_of(with(minimal(), "/name", "a/b")), Catch::StartsWith("x.json:/name:"));
  CHECK_THAT(error_of(with(minimal(), "/data/classes", 5)), Catch::StartsWith("x.json:/model/widths/3: the model has 10 outputs"));
  CHECK_THAT(error_of(with(minimal(), "/precision/loss_scale",
                           json{{"type", "enhanced"}, {"floor", json::array({{{"from", 5}}, {{"from", 2}}})}})),
             Catch::StartsWith("x.json:/precision/loss_scale/floor/1/from: floor entries must be in increasing order"));
}

TEST_CASE("config errors for models and text data: unknown exempt layers, text without a transformer",
          "[train][config]") {
  json exempt = with(minimal(), "/precision", "fp8_paper");
  exempt = io::parse_run_config(exempt, "x.json").resolved;  // a full precision object to edit
  exempt["precision"].erase("preset");                       // an edited preset no longer claims its name
  exempt["name"] = "t";
  exempt["schema"] = 1;
  CHECK(error_of(exempt) == "no error");
  exempt["precision"]["exempt"]["layers"] = json::array({"fc2", "fc9"});
  CHECK_THAT(error_of(exempt), Catch::StartsWith("x.json:/precision/exempt/layers/1: unknown layer \"fc9\""));
  exempt["precision"]["exempt"]["layers"] = json::array({"fc2"});
  CHECK(error_of(exempt) == "no error");
  CHECK_THAT(error_of(with(minimal(), "/data/dataset", "text")),
             Catch::StartsWith("x.json:/data/dataset: text data needs model type transformer"));
  json lm = with(minimal(), "/model", json{{"type", "transformer"}, {"d_model", 30}, {"heads", 4}});
  lm["data"] = {{"dataset", "text"}};
  CHECK_THAT(error_of(lm), Catch::StartsWith("x.json:/model/heads: d_model 30 is not divisible by 4 heads"));
  lm["model"]["d_model"] = 32;
  CHECK(error_of(lm) == "no error");
  lm["precision"] = io::parse_run_config(exempt, "x.json").resolved["precision"];
  lm["precision"]["exempt"]["layers"] = json::array({"block1.attn.scores", "head", "ln_f"});
  CHECK(error_of(lm) == "no error");
  lm["precision"]["exempt"]["layers"] = json::array({"block3.attn.scores"});
  CHECK_THAT(error_of(lm), Catch::StartsWith("x.json:/precision/exempt/layers/0: unknown layer"));
  CHECK_THAT(error_of(with(minimal(), "/model", json{{"type", "resnet"}, {"widths", {8, 8, 8, 8}}})),
             Catch::StartsWith("x.json:/model/widths: a 28x28 input fits at most 3 stages"));
}

TEST_CASE("every precision preset parses and resolves to a full precision object", "[train][config]") {
  for (const std::string& name : io::precision_preset_names()) {
    INFO(name);
    const io::RunConfig rc = io::parse_run_config(with(minimal(), "/precision", name), "x.json");
    CHECK(rc.resolved["precision"]["preset"] == name);
    CHECK(rc.resolved["precision"].contains("master_weight"));
    // The resolved config is a fixed point: parsing it again gives the same resolved config.
    json again = rc.resolved;
    CHECK(io::parse_run_config(again, "y.json").resolved == rc.resolved);
  }
}

TEST_CASE("a resolved config written before a preset gained a nested field still names that preset",
          "[train][config]") {
  // config.json of a run from before exempt.attention existed: its exempt object lacks the key. The preset's
  // value fills it (at any depth), so the folder still resolves as the preset; a field that differs still fails.
  for (const char* name : {"tensorwise_e4m3", "fp8_paper"}) {
    INFO(name);
    json old = io::parse_run_config(with(minimal(), "/precision", name), "x.json").resolved;
    old["precision"]["exempt"].erase("attention");
    const io::RunConfig rc = io::parse_run_config(old, "config.json");
    CHECK(rc.train.plan.exempt_attention == (std::string(name) == "tensorwise_e4m3"));
    CHECK(rc.resolved["precision"]["preset"] == name);
    json edited = old;
    edited["precision"]["exempt"]["attention"] = std::string(name) != "tensorwise_e4m3";
    CHECK_THAT(error_of(edited), Catch::StartsWith("x.json:/precision/exempt: differs from precision preset"));
  }
}

TEST_CASE("exempt.attention parses, defaults to false and leaves run ids of configs without it unchanged",
          "[train][config]") {
  json j = with(minimal(), "/precision", json{{"exempt", {{"attention", true}}}});
  CHECK(io::parse_run_config(j, "x.json").train.plan.exempt_attention);
  CHECK_FALSE(io::parse_run_config(minimal(), "x.json").train.plan.exempt_attention);
  CHECK(io::canonical_run_config(with(minimal(), "/precision", json{{"exempt", {{"attention", false}}}}), "x.json") ==
        io::canonical_run_config(with(minimal(), "/precision", json::object()), "x.json"));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"exempt", {{"attention", "yes"}}}})),
             Catch::StartsWith("x.json:/precision/exempt/attention: "));
}

TEST_CASE("the fp8_paper preset is the recipe of RECIPES.md section 1", "[train][config]") {
  const io::RunConfig rc = io::parse_run_config(with(minimal(), "/precision", "fp8_paper"), "x.json");
  const sim::QuantPlan& p = rc.train.plan;
  using sim::Role;
  CHECK(p.quantised[Role::Weight]->format.to_string() == "e5m2");
  CHECK(p.quantised[Role::Weight]->rounding == Rounding::NearestEven);
  CHECK(p.quantised[Role::Output]->rounding == Rounding::NearestEven);
  CHECK(p.quantised[Role::ActivationGrad]->rounding == Rounding::Stochastic);
  CHECK(p.quantised[Role::WeightGrad]->rounding == Rounding::Stochastic);
  CHECK(p.quantised[Role::MasterWeight]->format.to_string() == "binary16");
  CHECK(p.quantised[Role::MasterWeight]->rounding == Rounding::Stochastic);
  CHECK_FALSE(p.quantised[Role::Accumulator].has_value());  // fp32 accumulation
  CHECK(p.exempt_first);
  CHECK(p.exempt_last);
  CHECK(p.exempt_batch_norm);
  CHECK(rc.train.loss_scale.type == sim::LossScaleSpec::Type::Enhanced);
}

TEST_CASE("--set takes JSON pointers or dotted paths, JSON values or bare strings, into presets", "[train][config]") {
  json j = minimal();
  j["precision"] = "fp8_paper";
  io::apply_set(j, "/precision/weight/format=e4m3fn", "x.json");
  io::apply_set(j, "optimizer.lr=0.1", "x.json");
  io::apply_set(j, "/precision/weight_grad/rounding=sr:8", "x.json");
  const io::RunConfig rc = io::parse_run_config(j, "x.json");
  CHECK(rc.train.plan.quantised[sim::Role::Weight]->format.to_string() == "e4m3fn");
  CHECK(rc.train.plan.quantised[sim::Role::Activation]->format.to_string() == "e5m2");
  CHECK(rc.train.plan.quantised[sim::Role::WeightGrad]->sr_bits == 8);
  CHECK(rc.train.optimizer.lr == 0.1);
  CHECK_THROWS_AS(io::apply_set(j, "no_equals_sign", "x.json"), io::ConfigError);
}

TEST_CASE("the resolved config leaves out the thread count", "[train][config]") {
  const io::RunConfig a = io::parse_run_config(with(minimal(), "/threads", 1), "x.json");
  const io::RunConfig b = io::parse_run_config(with(minimal(), "/threads", 2), "x.json");
  CHECK(a.threads == 1);
  CHECK(b.threads == 2);
  CHECK(a.resolved == b.resolved);
}

TEST_CASE("a matrix_unit accumulator parses its model keys, presets and per-role fast accumulation",
          "[train][config]") {
  const json unit = {{"type", "matrix_unit"}, {"preset", "b200_like"}, {"promote_every", 128},
                     {"fast_accum", {{"forward", true}}}};
  const io::RunConfig rc = io::parse_run_config(with(minimal(), "/precision", json{{"accumulator", unit}}), "x.json");
  const sim::MatrixUnit& mu = rc.train.plan.quantised.accumulator_matrix_unit;
  CHECK(mu.group == 32);
  CHECK(mu.frac_bits == 25);
  CHECK(mu.truncate);
  CHECK(mu.promote_every == 128);
  CHECK(mu.fast_accum_forward);
  CHECK_FALSE(mu.fast_accum_weight_grad);
  REQUIRE(rc.train.plan.quantised[sim::Role::Accumulator]);
  CHECK(rc.train.plan.quantised[sim::Role::Accumulator]->rounding == Rounding::TowardZero);  // binary32 rtz by default
  CHECK(sim::for_role({false, {}, 0, nullptr, mu}, sim::GemmPass::Fprop).matrix_unit.promote_every == 0);
  CHECK(sim::for_role({false, {}, 0, nullptr, mu}, sim::GemmPass::Wgrad).matrix_unit.promote_every == 128);
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"accumulator", {{"type", "matrix_unit"}, {"promote_every", 100}}}})),
             Catch::StartsWith("x.json:/precision/accumulator/promote_every: promote_every 100 is not a multiple"));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"accumulator", {{"type", "tensor_core"}}}})),
             Catch::StartsWith("x.json:/precision/accumulator/type: unknown value"));
  CHECK_THAT(error_of(with(minimal(), "/precision", json{{"weight", {{"format", "e5m2"}, {"group", 4}}}})),
             Catch::StartsWith("x.json:/precision/weight/group: unknown key"));
}
