#include "tools/io/config.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "numerics/core/format.h"
#include "numerics/quantize/scaled_cast.h"
#include "tools/io/atomic_file.h"
#include "tools/io/format_json.h"
#include "tools/io/recipes.h"
#include "tools/io/strict_json.h"

namespace fpsim::io {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& words) {
  std::string s;
  for (const std::string& w : words) s += (s.empty() ? "" : ", ") + w;
  return s;
}

const char* type_name(const json& j) { return j.type_name(); }

// A strict view of one JSON object: every accessor records the key as known, writes the value it
// resolved into `out`, and done() rejects any key nobody asked for.
class Obj {
 public:
  Obj(const json& j, std::string pointer, const std::string& file, json& out)
      : j_(j), ptr_(std::move(pointer)), file_(file), out_(out) {
    if (!j_.is_object() && !j_.is_null()) fail(ptr_, std::string("expected an object, got ") + type_name(j_));
    if (!out_.is_object()) out_ = json::object();
  }

  [[noreturn]] void fail(const std::string& pointer, const std::string& message) const {
    throw ConfigError(file_, pointer, message);
  }
  std::string at(const std::string& key) const { return ptr_ + "/" + key; }
  // A key whose value is null counts as absent (so `--set steps=null` unsets it).
  bool has(const std::string& key) const { return j_.is_object() && j_.contains(key) && !j_.at(key).is_null(); }
  // Present at all, null included (a null GEMM override means binary32, not "absent").
  bool contains(const std::string& key) const { return j_.is_object() && j_.contains(key); }
  const json* find(const std::string& key) {
    known_.insert(key);
    return has(key) ? &j_.at(key) : nullptr;
  }

  double number(const std::string& key, double def, double lo, double hi) {
    const json* v = find(key);
    double x = def;
    if (v) {
      if (!v->is_number()) fail(at(key), std::string("expected a number, got ") + type_name(*v));
      x = v->get<double>();
    }
    if (!(x >= lo && x <= hi) || !std::isfinite(x))
      fail(at(key), "value " + json(x).dump() + " is outside [" + json(lo).dump() + ", " + json(hi).dump() + "]");
    out_[key] = x;
    return x;
  }
  int64_t integer(const std::string& key, int64_t def, int64_t lo, int64_t hi) {
    const json* v = find(key);
    int64_t x = def;
    if (v) {
      if (!v->is_number_integer()) fail(at(key), std::string("expected an integer, got ") + v->dump());
      x = v->get<int64_t>();
    }
    if (x < lo || x > hi)
      fail(at(key), "value " + std::to_string(x) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
    out_[key] = x;
    return x;
  }
  bool boolean(const std::string& key, bool def) {
    const json* v = find(key);
    bool x = def;
    if (v) {
      if (!v->is_boolean()) fail(at(key), std::string("expected true or false, got ") + v->dump());
      x = v->get<bool>();
    }
    out_[key] = x;
    return x;
  }
  std::string string(const std::string& key, const std::string& def, const std::vector<std::string>& allowed = {}) {
    const json* v = find(key);
    std::string x = def;
    if (v) {
      if (!v->is_string()) fail(at(key), std::string("expected a string, got ") + v->dump());
      x = v->get<std::string>();
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), x) == allowed.end())
      fail(at(key), "unknown value \"" + x + "\" (expected one of " + join(allowed) + ")");
    out_[key] = x;
    return x;
  }
  std::vector<int> int_list(const std::string& key, const std::vector<int>& def, int lo, int hi, size_t min_size) {
    const json* v = find(key);
    std::vector<int> x = def;
    if (v) {
      if (!v->is_array()) fail(at(key), std::string("expected an array of integers, got ") + type_name(*v));
      x.clear();
      for (size_t i = 0; i < v->size(); ++i) {
        const json& e = (*v)[i];
        const std::string p = at(key) + "/" + std::to_string(i);
        if (!e.is_number_integer()) fail(p, "expected an integer, got " + e.dump());
        const int64_t n = e.get<int64_t>();
        if (n < lo || n > hi) fail(p, "value " + std::to_string(n) + " is outside [" + std::to_string(lo) + ", " + std::to_string(hi) + "]");
        x.push_back(int(n));
      }
    }
    if (x.size() < min_size) fail(at(key), "needs at least " + std::to_string(min_size) + " entries");
    out_[key] = x;
    return x;
  }
  Obj object(const std::string& key) {
    const json* v = find(key);
    static const json empty = json::object();
    return Obj(v ? *v : empty, at(key), file_, out_[key]);
  }
  void done() const {
    if (!j_.is_object()) return;
    for (const auto& [key, value] : j_.items())
      if (!known_.count(key)) {
        std::vector<std::string> names(known_.begin(), known_.end());
        fail(at(key), "unknown key \"" + key + "\" (expected one of " + join(names) + ")");
      }
  }
  const std::string& pointer() const { return ptr_; }
  const std::string& file() const { return file_; }
  json& out() { return out_; }

 private:
  const json& j_;
  std::string ptr_;
  const std::string& file_;
  json& out_;
  std::set<std::string> known_;
};

// The accumulator's model keys: "type" ("emulated" | "matrix_unit"); for matrix_unit "preset" (h100_like:
// 13 kept bits, b200_like: 25), "group", "frac_bits", "cut" (truncate | round), "promote_every" and
// "fast_accum" {"forward", "input_grad", "weight_grad"}. True when the type is matrix_unit.
bool parse_matrix_unit(Obj& o, sim::MatrixUnit& mu) {
  if (o.string("type", "emulated", {"emulated", "matrix_unit"}) != "matrix_unit") return false;
  const std::string preset = o.string("preset", "h100_like", {"h100_like", "b200_like"});
  mu.group = int(o.integer("group", 32, 1, 1024));
  mu.frac_bits = int(o.integer("frac_bits", preset == "b200_like" ? 25 : 13, 1, 40));
  mu.truncate = o.string("cut", "truncate", {"truncate", "round"}) == "truncate";
  mu.promote_every = int(o.integer("promote_every", 0, 0, 1 << 20));
  if (mu.promote_every % mu.group != 0)
    o.fail(o.at("promote_every"), "promote_every " + std::to_string(mu.promote_every) + " is not a multiple of group " +
                                      std::to_string(mu.group));
  Obj fast = o.object("fast_accum");
  mu.fast_accum_forward = fast.boolean("forward", false);
  mu.fast_accum_input_grad = fast.boolean("input_grad", false);
  mu.fast_accum_weight_grad = fast.boolean("weight_grad", false);
  fast.done();
  return true;
}

// A Target: null (none = binary32) or {"format", "rounding", "overflow", "tininess", "sr_subnormal_nearest"}
// (the accumulator's also the model keys of parse_matrix_unit; a matrix unit defaults to binary32 rtz), and for
// GEMM operand roles an optional "scaling" object (defined with the other scaling parsers below).
void parse_scaling(Obj& target, const Target& t, ScalingSpec& spec);
void parse_scaling_object(Obj& o, const Target& t, ScalingSpec& spec);

std::optional<Target> parse_target(Obj& parent, const std::string& key, ScalingSpec* scaling = nullptr,
                                   bool write_absent = true, sim::MatrixUnit* matrix_unit = nullptr) {
  const json* v = parent.find(key);
  if (!v || v->is_null()) {
    if (write_absent) parent.out()[key] = nullptr;
    return std::nullopt;
  }
  Obj o = parent.object(key);
  Target t;
  const bool unit = matrix_unit != nullptr && parse_matrix_unit(o, *matrix_unit);
  // A format is a string or the equivalent object (README "Format grammar"); the resolved config records its
  // canonical string, so both spellings resolve (and hash) alike. A matrix-unit accumulator defaults to binary32.
  const json* format = o.find("format");
  if (unit && !format) {
    t.format = parse_format("binary32");
  } else {
    if (!format || (format->is_string() && format->get<std::string>().empty()))
      o.fail(o.at("format"), "missing format (e.g. \"e5m2\")");
    t.format = format_from_json(*format, o.file(), o.at("format"));
  }
  const std::string fmt = t.format.to_string();
  o.out()["format"] = fmt;
  try {
    parse_rounding(o.string("rounding", unit ? "rtz" : "rne"), t.rounding, t.sr_bits);
  } catch (const std::exception& e) {
    o.fail(o.at("rounding"), e.what());
  }
  if (unit && t.rounding == Rounding::Stochastic) o.fail(o.at("rounding"), "a matrix_unit accumulator rounds deterministically");
  try {
    t.overflow = parse_overflow(o.string("overflow", "ieee"));
  } catch (const std::exception& e) {
    o.fail(o.at("overflow"), e.what());
  }
  try {
    t.tininess = parse_tininess(o.string("tininess", "after"));
  } catch (const std::exception& e) {
    o.fail(o.at("tininess"), e.what());
  }
  t.sr_subnormal_nearest = o.boolean("sr_subnormal_nearest", false);
  if (!t.format.fits_binary32())
    o.fail(o.at("format"), "format " + fmt + " has values that are not binary32 values (tensors are float32)");
  if (o.has("scaling")) {
    if (!scaling)
      o.fail(o.at("scaling"), "scaling applies to GEMM operands (weight, activation, activation_grad) and optimiser "
                              "state (optimizer_state, optimizer_state_v) only");
    parse_scaling(o, t, *scaling);
  } else {
    o.find("scaling");
  }
  o.done();
  return t;
}

const std::vector<std::string> kRoleKeys = {"weight",      "activation",     "output",         "activation_grad",
                                            "weight_grad", "master_weight", "optimizer_state", "accumulator"};

bool scalable(sim::Role r) {
  using sim::Role;
  return r == Role::Weight || r == Role::Activation || r == Role::ActivationGrad || r == Role::OptimizerState ||
         r == Role::OptimizerStateV;
}

void parse_roles(Obj& o, sim::RoleTargets& t) {
  for (size_t r = 0; r < kRoleKeys.size(); ++r)
    t.targets[r] = parse_target(o, kRoleKeys[r], scalable(sim::Role(r)) ? &t.scaling[r] : nullptr, true,
                                r == size_t(sim::Role::Accumulator) ? &t.accumulator_matrix_unit : nullptr);
  // Adam's v: absent keys stay out of the resolved config (run ids of configs without it do not change).
  const size_t v = size_t(sim::Role::OptimizerStateV);
  t.targets[v] = parse_target(o, "optimizer_state_v", &t.scaling[v], false);
}

// "scaling": "tensor" (shorthand for {"type": "tensor"}) or an object; see experiments/README.md.
void parse_scaling(Obj& target, const Target& t, ScalingSpec& spec) {
  const json* v = target.find("scaling");
  const std::string at = target.at("scaling");
  if (v->is_string()) {
    const json object = {{"type", *v}};
    Obj shorthand(object, at, target.file(), target.out()["scaling"]);
    return parse_scaling_object(shorthand, t, spec);
  }
  Obj o = target.object("scaling");
  parse_scaling_object(o, t, spec);
}

void parse_scaling_object(Obj& o, const Target& t, ScalingSpec& spec) {
  try {
    spec.mode = parse_scale_mode(o.string("type", "none"));
  } catch (const std::exception& e) {
    o.fail(o.at("type"), e.what());
  }
  const std::string format_at = o.pointer().substr(0, o.pointer().rfind('/')) + "/format";
  switch (spec.mode) {
    case ScaleMode::None: break;
    case ScaleMode::TensorDelayed: {
      const json* h = o.find("history");
      if (h && h->is_number_integer() && h->get<int64_t>() < 1)
        o.fail(o.at("history"), "history must be at least 1 step (TE default 1024)");
      spec.history = int(o.integer("history", 1024, 1, 1 << 20));
      spec.algo = o.string("algo", "max", {"max", "most_recent"}) == "max" ? AmaxAlgo::Max : AmaxAlgo::MostRecent;
      [[fallthrough]];
    }
    case ScaleMode::Tensor:
    case ScaleMode::Row:
    case ScaleMode::Block:
      spec.margin = int(o.integer("margin", 0, 0, 64));
      spec.power_of_two = o.boolean("power_of_two", false);
      if (spec.mode == ScaleMode::Block) {
        spec.block_rows = int(o.integer("rows", 1, 1, 1 << 16));
        spec.block_cols = int(o.integer("cols", 128, 1, 1 << 16));
      }
      break;
    case ScaleMode::Mx: {
      const int64_t block = o.integer("block", kMxBlock, 1, 1 << 16);
      if (block != kMxBlock) o.fail(o.at("block"), "MX blocks are 32 elements (OCP MX v1.0), got " + std::to_string(block));
      try {
        spec.rule = parse_mx_scale_rule(o.string("scale_rule", "floor"));
      } catch (const std::exception& e) {
        o.fail(o.at("scale_rule"), e.what());
      }
      bool mx_element = false;
      for (MxElement m : {MxElement::Fp8E4M3, MxElement::Fp8E5M2, MxElement::Fp6E3M2, MxElement::Fp6E2M3, MxElement::Fp4E2M1})
        mx_element = mx_element || mx_element_format(m) == t.format;
      if (!mx_element)
        o.fail(format_at, "mx scaling needs an MX element format (e4m3fn, e5m2, e3m2fn, e2m3fn or e2m1fn)");
      break;
    }
    case ScaleMode::Nvfp4: {
      const int64_t block = o.integer("block", kNvfp4Block, 1, 1 << 16);
      if (block != kNvfp4Block) o.fail(o.at("block"), "NVFP4 blocks are 16 elements, got " + std::to_string(block));
      spec.two_d = o.boolean("2d_weights", false);
      if (!(t.format == parse_format("e2m1fn")))
        o.fail(format_at, "nvfp4 scaling needs E2M1 elements (\"e2m1fn\")");
      break;
    }
  }
  o.done();
}

// The K-block length an operand's scaling tiles K with (0: whole rows or the whole tensor).
int k_tile(const ScalingSpec& s) {
  switch (s.mode) {
    case ScaleMode::Block: return s.block_cols;
    case ScaleMode::Mx: return kMxBlock;
    case ScaleMode::Nvfp4: return kNvfp4Block;
    default: return 0;
  }
}

// "gemms": {"fprop" | "dgrad" | "wgrad": {<operand role>: target | null, "hadamard": bool}}.
void parse_gemm_overrides(Obj o, sim::RoleTargets& t) {
  for (sim::GemmPass pass : {sim::GemmPass::Fprop, sim::GemmPass::Dgrad, sim::GemmPass::Wgrad}) {
    const char* name = sim::to_string(pass);
    if (!o.has(name)) {
      o.find(name);
      continue;
    }
    Obj g = o.object(name);
    sim::GemmOverride& go = t.gemms[size_t(pass)];
    const auto [ra, rb] = sim::gemm_operand_roles(pass);
    for (sim::Role r : {ra, rb}) {
      const std::string key = sim::to_string(r);
      if (!g.contains(key)) {  // absent: the role's own target
        g.find(key);
        continue;
      }
      sim::OperandOverride& oo = go.operands[size_t(r)];
      oo.set = true;
      oo.target = parse_target(g, key, &oo.scaling);
    }
    go.hadamard = g.boolean("hadamard", false);
    g.done();
  }
  o.done();
}

// Per GEMM the two operands' K tiles must nest: the GEMM folds scales per K-block of the shorter one.
void check_k_tiles(Obj& o, const sim::RoleTargets& t) {
  for (sim::GemmPass pass : {sim::GemmPass::Fprop, sim::GemmPass::Dgrad, sim::GemmPass::Wgrad}) {
    const auto [ra, rb] = sim::gemm_operand_roles(pass);
    const auto a = t.operand(pass, ra), b = t.operand(pass, rb);
    const int ka = a.first ? k_tile(a.second) : 0, kb = b.first ? k_tile(b.second) : 0;
    if (ka > 0 && kb > 0 && std::max(ka, kb) % std::min(ka, kb) != 0)
      o.fail(o.at(sim::to_string(rb)) + "/scaling",
             "K-block of " + std::to_string(kb) + " and the " + sim::to_string(ra) + "'s " + std::to_string(ka) +
                 " do not divide one another (the " + sim::to_string(pass) + " GEMM folds scales per K-block)");
  }
}

void parse_loss_scale(Obj o, sim::LossScaleSpec& s) {
  using T = sim::LossScaleSpec::Type;
  const std::string type = o.string("type", "none", {"none", "static", "dynamic", "enhanced"});
  s.type = type == "none" ? T::None : type == "static" ? T::Static : type == "dynamic" ? T::Dynamic : T::Enhanced;
  if (s.type == T::None) return o.done();
  s.init = o.number("init", 65536, 0x1p-126, 0x1p100);
  if (s.type == T::Static) return o.done();
  s.growth_factor = o.number("growth_factor", 2.0, 1.0, 1e6);
  s.backoff_factor = o.number("backoff_factor", 0.5, 1e-6, 1.0);
  s.growth_interval = o.integer("growth_interval", 2000, 1, int64_t(1) << 40);
  s.max = o.number("max", 16777216.0, 0x1p-126, 0x1p100);
  s.min = o.number("min", 1.0, 0x1p-126, 0x1p100);
  if (s.min > s.max) o.fail(o.at("min"), "min is larger than max");
  if (s.init < s.min || s.init > s.max) o.fail(o.at("init"), "init is outside [min, max]");
  if (s.type == T::Enhanced) {
    const json* floor = o.find("floor");
    json& out = o.out()["floor"] = json::array();
    if (floor) {
      if (!floor->is_array()) o.fail(o.at("floor"), "expected an array of {\"from\", \"scale\"}");
      for (size_t i = 0; i < floor->size(); ++i) {
        json entry_out;
        Obj e((*floor)[i], o.at("floor") + "/" + std::to_string(i), o.file(), entry_out);
        sim::LossScaleSpec::FloorPoint p;
        p.from = e.integer("from", 0, 0, int64_t(1) << 40);
        p.floor = e.number("scale", 1.0, 0x1p-126, 0x1p100);
        if (!s.floor_schedule.empty() && p.from <= s.floor_schedule.back().from)
          e.fail(e.at("from"), "floor entries must be in increasing order of \"from\"");
        e.done();
        s.floor_schedule.push_back(p);
        out.push_back(entry_out);
      }
    }
    s.floor_by_epoch = o.string("floor_unit", "step", {"step", "epoch"}) == "epoch";
    s.skip_at_floor = o.string("on_overflow_at_floor", "skip", {"skip", "apply"}) == "skip";
  }
  o.done();
}

void parse_precision(Obj o, sim::QuantPlan& plan, sim::LossScaleSpec& ls) {
  if (o.has("preset")) o.string("preset", "");
  parse_roles(o, plan.quantised);
  if (o.has("gemms")) parse_gemm_overrides(o.object("gemms"), plan.quantised);
  else o.find("gemms");
  check_k_tiles(o, plan.quantised);
  plan.quantised.accumulator_chunk = int(o.integer("accumulator_chunk", 0, 0, 1 << 20));
  plan.exempt.accumulator_chunk = plan.quantised.accumulator_chunk;
  if (plan.quantised.accumulator_matrix_unit.group > 0 && plan.quantised.accumulator_chunk > 0)
    o.fail(o.at("accumulator_chunk"), "accumulator_chunk does not apply to a matrix_unit accumulator");
  {
    Obj e = o.object("exempt");
    plan.exempt_first = e.boolean("first", false);
    plan.exempt_last = e.boolean("last", false);
    plan.exempt_batch_norm = e.boolean("batch_norm", true);
    plan.exempt_attention = e.boolean("attention", false);
    const json* layers = e.find("layers");
    e.out()["layers"] = json::array();
    if (layers) {
      if (!layers->is_array()) e.fail(e.at("layers"), "expected an array of layer names");
      for (size_t i = 0; i < layers->size(); ++i) {
        if (!(*layers)[i].is_string()) e.fail(e.at("layers") + "/" + std::to_string(i), "expected a layer name");
        plan.exempt_layers.push_back((*layers)[i].get<std::string>());
        e.out()["layers"].push_back(plan.exempt_layers.back());
      }
    }
    if (e.has("targets")) {
      Obj t = e.object("targets");
      parse_roles(t, plan.exempt);
      t.done();
    }
    e.done();
  }
  parse_loss_scale(o.object("loss_scale"), ls);
  o.done();
}

void parse_transformer(Obj& o, sim::TransformerSpec& t) {
  t.layers = int(o.integer("layers", 2, 1, 256));
  t.d_model = int(o.integer("d_model", 128, 1, 1 << 14));
  t.heads = int(o.integer("heads", 4, 1, 256));
  t.d_ff = int(o.integer("d_ff", 4 * t.d_model, 1, 1 << 16));
  t.context = int(o.integer("context", 64, 1, 1 << 14));
  t.tied = o.boolean("tied", true);
  t.bias = o.boolean("bias", true);
  t.init = o.string("init", "gpt2", {"gpt2", "pytorch"}) == "gpt2" ? sim::TransformerSpec::Init::Gpt2
                                                                   : sim::TransformerSpec::Init::PyTorch;
  if (t.d_model % t.heads != 0) o.fail(o.at("heads"), "d_model " + std::to_string(t.d_model) +
                                                          " is not divisible by " + std::to_string(t.heads) + " heads");
}

void parse_model(Obj o, sim::ModelSpec& m) {
  const std::string type = o.string("type", "mlp", {"mlp", "cnn", "resnet", "transformer"});
  if (type == "transformer") {
    m.type = sim::ModelSpec::Type::Transformer;
    parse_transformer(o, m.transformer);
    return o.done();
  }
  const std::string act = o.string("activation", "relu", {"relu", "gelu", "tanh"});
  m.activation = act == "relu" ? sim::Activation::Relu : act == "gelu" ? sim::Activation::Gelu : sim::Activation::Tanh;
  if (type == "resnet") {
    m.type = sim::ModelSpec::Type::Resnet;
    m.resnet.widths = o.int_list("widths", {16, 32, 64}, 1, 1024, 1);
    m.resnet.blocks = int(o.integer("blocks", 1, 1, 64));
    m.classes = int(o.integer("classes", 10, 2, 1 << 16));
    if (m.resnet.widths.size() > 3) o.fail(o.at("widths"), "a 28x28 input fits at most 3 stages (28, 14, 7)");
    return o.done();
  }
  m.dropout = o.number("dropout", 0.0, 0.0, 0.99);
  if (type == "mlp") {
    m.type = sim::ModelSpec::Type::Mlp;
    m.widths = o.int_list("widths", {784, 512, 512, 10}, 1, 1 << 16, 2);
  } else {
    m.type = sim::ModelSpec::Type::Cnn;
    m.channels = o.int_list("channels", {6, 16}, 1, 1024, 1);
    m.hidden = o.int_list("hidden", {120, 84}, 1, 1 << 16, 0);
    m.classes = int(o.integer("classes", 10, 2, 1 << 16));
    m.batch_norm = o.boolean("batch_norm", false);
    m.pool = o.string("pool", "max", {"max", "avg"}) == "max" ? sim::PoolKind2d::Max : sim::PoolKind2d::Average;
    if (m.channels.size() > 2) o.fail(o.at("channels"), "a 28x28 input fits at most 2 conv layers (LeNet-5 style)");
  }
  o.done();
}

void parse_data(Obj o, DataSource& d, sim::TrainConfig& t) {
  d.dataset = o.string("dataset", "fashion_mnist", {"fashion_mnist", "synthetic", "text"});
  t.batch_size = o.integer("batch_size", d.dataset == "text" ? 32 : 128, 1, 1 << 20);
  if (d.dataset == "text") {
    d.path = o.string("path", "/usr/share/games/fortunes");
    d.valid_fraction = o.number("valid_fraction", 0.1, 1e-6, 0.5);
    d.eval_windows = o.integer("eval_windows", 256, 1, 1 << 24);
    return o.done();
  }
  t.shuffle = o.boolean("shuffle", true);
  if (d.dataset == "fashion_mnist") {
    d.path = o.string("path", "/usr/share/datasets/fashion-mnist");
    d.train_limit = o.integer("train_limit", 0, 0, 60000);
    d.test_limit = o.integer("test_limit", 0, 0, 10000);
    d.normalize = o.boolean("normalize", false);
  } else {
    d.train_size = o.integer("train_size", 1024, 1, 1 << 24);
    d.test_size = o.integer("test_size", 256, 1, 1 << 24);
    d.classes = int(o.integer("classes", 10, 2, 1000));
    d.noise = o.number("noise", 0.5, 0.0, 10.0);
  }
  o.done();
}

void parse_optimizer(Obj o, sim::OptimizerSpec& s) {
  const std::string type = o.string("type", "sgd", {"sgd", "adamw"});
  s.weight_decay = o.number("weight_decay", type == "sgd" ? 0.0 : 0.01, 0.0, 10.0);
  if (type == "sgd") {
    s.type = sim::OptimizerSpec::Type::Sgd;
    s.lr = o.number("lr", 0.05, 0.0, 1e3);
    s.momentum = o.number("momentum", 0.9, 0.0, 1.0);
    s.nesterov = o.boolean("nesterov", false);
    if (s.nesterov && s.momentum == 0.0) o.fail(o.at("nesterov"), "Nesterov momentum needs momentum > 0");
  } else {
    s.type = sim::OptimizerSpec::Type::AdamW;
    s.lr = o.number("lr", 0.001, 0.0, 1e3);
    s.beta1 = o.number("beta1", 0.9, 0.0, 0.999999);
    s.beta2 = o.number("beta2", 0.999, 0.0, 0.999999999);
    s.eps = o.number("eps", 1e-8, 1e-30, 1.0);
  }
  if (o.has("clip_norm")) s.clip_norm = o.number("clip_norm", 0.0, 0.0, 1e30);
  o.done();
}

void parse_schedule(Obj o, sim::ScheduleSpec& s) {
  const std::string type = o.string("type", "constant", {"constant", "step", "cosine"});
  s.warmup_steps = o.integer("warmup_steps", 0, 0, int64_t(1) << 40);
  if (type == "constant") s.type = sim::ScheduleSpec::Type::Constant;
  if (type == "step") {
    s.type = sim::ScheduleSpec::Type::Step;
    s.step_size = o.integer("step_size", 1000, 1, int64_t(1) << 40);
    s.gamma = o.number("gamma", 0.1, 0.0, 1.0);
  }
  if (type == "cosine") {
    s.type = sim::ScheduleSpec::Type::Cosine;
    s.min_lr = o.number("min_lr", 0.0, 0.0, 1e3);
  }
  o.done();
}

// Checks that need the model and the data together: input width and classes, text only with the
// transformer, and every name in exempt.layers naming a layer of the model.
void check_model_and_data(const Obj& top, const sim::TrainConfig& t, const DataSource& data) {
  using Type = sim::ModelSpec::Type;
  const bool text = data.dataset == "text", transformer = t.model.type == Type::Transformer;
  if (text != transformer)
    top.fail(text ? "/data/dataset" : "/model/type",
             transformer ? "the transformer trains on text data" : "text data needs model type transformer");
  if (t.model.type == Type::Mlp && t.model.widths.front() != 784)
    top.fail("/model/widths/0", "the input width must be 784 (28x28 images)");
  if (!transformer) {
    const int classes = data.dataset == "synthetic" ? data.classes : 10;
    const int model_classes = t.model.type == Type::Mlp ? t.model.widths.back() : t.model.classes;
    if (model_classes != classes)
      top.fail(t.model.type == Type::Mlp ? "/model/widths/" + std::to_string(t.model.widths.size() - 1)
                                         : "/model/classes",
               "the model has " + std::to_string(model_classes) + " outputs but the data has " +
                   std::to_string(classes) + " classes");
  }
  std::vector<std::string> names;
  try {
    names = sim::build_model(t.model, sim::QuantPlan{}, 0)->layer_names();
  } catch (const std::invalid_argument& e) {
    top.fail("/model", e.what());
  }
  for (size_t i = 0; i < t.plan.exempt_layers.size(); ++i)
    if (std::find(names.begin(), names.end(), t.plan.exempt_layers[i]) == names.end())
      top.fail("/precision/exempt/layers/" + std::to_string(i),
               "unknown layer \"" + t.plan.exempt_layers[i] + "\" (this model has " + join(names) + ")");
}

std::optional<json> preset_or_fail(const json& name, const std::string& file, const std::string& pointer) {
  if (!name.is_string()) throw ConfigError(file, pointer, "expected a precision preset name, got " + name.dump());
  auto preset = precision_preset(name.get<std::string>());
  if (!preset)
    throw ConfigError(file, pointer, "unknown precision preset \"" + name.get<std::string>() + "\" (expected one of " +
                                         join(precision_preset_names()) + ", or an object)");
  return preset;
}

// Fill the fields of `into` that `from` has and `into` leaves out, recursing into objects both have.
void fill_missing(json& into, const json& from) {
  for (const auto& [key, value] : from.items()) {
    if (!into.contains(key)) into[key] = value;
    else if (into[key].is_object() && value.is_object()) fill_missing(into[key], value);
  }
}

// Expand a precision given by preset name into its object (in place). An object naming a preset
// ({"preset": "fp8_paper"}) gets the preset's fields for those it leaves out, at any depth (a config.json written
// before a preset gained a field, such as exempt.attention, still names the same recipe); parse_run_config then
// rejects a given field that resolves differently from the preset's (a label must never claim a recipe that did
// not run).
void expand_precision(json& config, const std::string& file) {
  if (!config.is_object() || !config.contains("precision")) return;
  json& p = config["precision"];
  if (p.is_string()) {
    p = *preset_or_fail(p, file, "/precision");
  } else if (p.is_object() && p.contains("preset")) {
    fill_missing(p, *preset_or_fail(p["preset"], file, "/precision/preset"));
  }
}

// The resolved precision of a preset alone, to compare a precision that claims it against.
json resolved_preset(const std::string& name, const std::string& file) {
  json out;
  sim::QuantPlan plan;
  sim::LossScaleSpec ls;
  parse_precision(Obj(*precision_preset(name), "/precision", file, out), plan, ls);
  return out;
}

}  // namespace

void apply_set(json& config, const std::string& assignment, const std::string& file) {
  const size_t eq = assignment.find('=');
  if (eq == std::string::npos || eq == 0)
    throw ConfigError(file, "", "--set \"" + assignment + "\" is not of the form /json/pointer=value");
  std::string path = assignment.substr(0, eq);
  const std::string text = assignment.substr(eq + 1);
  if (path[0] != '/') {  // dotted path a.b.c -> /a/b/c
    std::replace(path.begin(), path.end(), '.', '/');
    path = "/" + path;
  }
  json value;
  try {
    value = json::parse(text);
  } catch (const json::parse_error&) {
    value = text;  // bare words are strings
  }
  if (path.rfind("/precision/", 0) == 0) {
    expand_precision(config, file);
    // Changing a field of a preset makes a custom precision: it no longer claims the preset's name.
    if (path != "/precision/preset" && config["precision"].is_object()) config["precision"].erase("preset");
  }
  try {
    const json::json_pointer ptr(path);
    if (!ptr.parent_pointer().empty() && !config.contains(ptr.parent_pointer())) config[ptr.parent_pointer()] = json::object();
    config[ptr] = value;
  } catch (const json::exception& e) {
    throw ConfigError(file, path, std::string("cannot set: ") + e.what());
  }
}

RunConfig parse_run_config(const json& input, const std::string& file) {
  json config = input;
  expand_precision(config, file);
  RunConfig rc;
  json out = json::object();
  Obj top(config, "", file, out);
  if (!config.is_object()) top.fail("", "a run config is a JSON object");
  const int64_t schema = top.integer("schema", 0, 0, 1000);
  if (schema != 1) top.fail("/schema", "unsupported schema " + std::to_string(schema) + " (expected 1)");
  sim::TrainConfig& t = rc.train;
  t.name = top.string("name", "");
  if (t.name.empty() || t.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") !=
                            std::string::npos || t.name[0] == '.')
    top.fail("/name", "name must be non-empty and use only letters, digits, '.', '_' and '-' (it names the results directory)");
  t.seed = uint64_t(top.integer("seed", 0, 0, int64_t(1) << 53));
  rc.threads = int(top.integer("threads", 1, 1, 1024));
  parse_model(top.object("model"), t.model);
  parse_data(top.object("data"), rc.data, t);
  if (rc.data.dataset == "text") rc.data.context = t.model.transformer.context;
  parse_optimizer(top.object("optimizer"), t.optimizer);
  parse_schedule(top.object("schedule"), t.schedule);
  if (!top.has("precision")) config["precision"] = *precision_preset("fp32");
  {
    const json& p = config["precision"];
    json& pout = out["precision"];
    top.find("precision");
    parse_precision(Obj(p, "/precision", file, pout), t.plan, t.loss_scale);
    if (pout.contains("preset")) {
      const json want = resolved_preset(pout["preset"].get<std::string>(), file);
      for (const auto& [key, value] : pout.items())
        if (!want.contains(key) || want[key] != value)
          top.fail("/precision/" + key, "differs from precision preset \"" + pout["preset"].get<std::string>() +
                                            "\", which \"preset\" claims (drop \"preset\" for a custom precision)");
    }
  }
  const bool has_epochs = top.has("epochs"), has_steps = top.has("steps");
  if (has_epochs && has_steps) top.fail("/steps", "give either \"epochs\" or \"steps\", not both");
  top.find("epochs");  // both keys are known; null means absent
  top.find("steps");
  if (has_steps) {
    t.steps = top.integer("steps", 0, 1, int64_t(1) << 40);
    t.epochs = 0;
  } else {
    t.epochs = top.integer("epochs", 1, 1, 100000);
  }
  t.eval_interval = top.integer("eval_interval", 0, 0, int64_t(1) << 40);
  {
    Obj tel = top.object("telemetry");
    t.telemetry_interval = tel.integer("interval", 0, 0, int64_t(1) << 40);
    tel.done();
  }
  top.done();
  check_model_and_data(top, t, rc.data);
  out.erase("threads");
  rc.resolved = out;
  return rc;
}

namespace {
// Drop, depth first in key order, every field of root[at] whose removal leaves the resolution unchanged.
void prune(json& root, const json::json_pointer& at, const json& resolved, const std::string& file) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : root[at].items()) keys.push_back(key);
  for (const std::string& key : keys) {
    json saved = std::move(root[at][key]);
    root[at].erase(key);
    bool same = false;
    try {
      same = parse_run_config(root, file).resolved == resolved;
    } catch (const ConfigError&) {
    }
    if (same) continue;
    const bool object = saved.is_object();
    root[at][key] = std::move(saved);
    if (object) prune(root, at / key, resolved, file);
  }
}
}  // namespace

json canonical_run_config(const json& config, const std::string& file) {
  const json resolved = parse_run_config(config, file).resolved;
  json minimal = resolved;
  prune(minimal, json::json_pointer(), resolved, file);
  return minimal;
}

RunConfig load_run_config(const std::string& path, const std::vector<std::string>& sets) {
  json config = read_json_strict(path);
  expand_precision(config, path);
  for (const std::string& s : sets) {
    apply_set(config, s, path);
    expand_precision(config, path);
  }
  return parse_run_config(config, path);
}

}  // namespace fpsim::io
