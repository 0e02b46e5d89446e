#include "io/experiment_reader.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "io/reader_support.hpp"

namespace cxsim {

namespace {

using namespace detail;

constexpr std::string_view kOverrideHint =
    "overrides are written as the baseline's own keys, section.key = value (e.g. "
    "purchase.price = 45)";

SourceRef ref(const Site& s) {
  return {s.file, s.line, s.column};
}

/// The site of a top-level key (its name in the file).
Site root_site(const toml::table& root, std::string_view name, const std::string& file) {
  const auto it = root.find(name);
  return it == root.end() ? Site{file, 0, 0, std::string(name)}
                          : site_at(file, it->first.source(), std::string(name));
}

/// Reads one `section.key = value` as text, checked against the registry.
ParamOverride read_override(const Params& base, const std::string& key, const toml::key& k,
                            const toml::node& value, const std::string& file, bool intervention) {
  const Site at = site_at(file, k.source(), key);
  const ParamSpec* spec = find_param(key);
  if (!spec) throw at.error(unknown_key_message(key));
  if (key.rfind("run.", 0) == 0)
    throw at.error(
        "run.* keys apply to the whole experiment, not to one strategy or "
        "intervention; set them in [run] or with --set");
  if (intervention && !spec->intervenable)
    throw at.error(
        "cannot change during a run (not intervenable: it shapes the whole run, like "
        "the market, network and horizon); set it from day 0 as a [[strategy]] override "
        "instead. Intervenable keys are marked in docs/scenarios.md");
  Params scratch = base;
  set_param(scratch, *spec, value, site_at(file, value.source(), key));
  return {key, param_to_string(scratch, *spec), ref(at)};
}

/// Every override in `table`, skipping its own keys (`reserved`).
std::vector<ParamOverride> read_overrides(const toml::table& table, const std::vector<std::string>& reserved,
                                          const std::string& where, const Params& base,
                                          const std::string& file, bool intervention) {
  std::vector<ParamOverride> out;
  for (auto&& [k, v] : table) {
    const std::string name(k.str());
    if (std::find(reserved.begin(), reserved.end(), name) != reserved.end()) continue;
    if (name == "segment")
      throw site_at(file, k.source(), name)
          .error(
              "segment keys cannot be changed by a strategy or intervention yet; write a "
              "scenario file per segment mix instead");
    if (const auto* section = v.as_table()) {
      for (auto&& [k2, v2] : *section) {
        const std::string key = name + "." + std::string(k2.str());
        if (v2.is_table()) throw site_at(file, k2.source(), key).error(unknown_key_message(key));
        out.push_back(read_override(base, key, k2, v2, file, intervention));
      }
    } else if (find_param(name)) {  // a quoted full key: "purchase.price" = 45
      out.push_back(read_override(base, name, k, v, file, intervention));
    } else {
      std::vector<std::string> options = reserved;
      for (const auto& spec : param_specs()) options.emplace_back(spec.key);
      throw site_at(file, k.source(), name)
          .error("unknown key in " + where + "; " + std::string(kOverrideHint) + "; " +
                 did_you_mean(closest(name, options, 3), "keys"));
    }
  }
  return out;
}

std::string day_range_message(const std::string& day, std::int64_t horizon) {
  return "day " + day + " is outside the run: run.horizon_days is " + std::to_string(horizon) +
         ", so an intervention's day must be in [0, " + std::to_string(horizon - 1) + "]";
}

std::vector<Intervention> read_interventions(const toml::node& node, const Site& at, const std::string& owner,
                                             const Params& base, const std::string& file) {
  const auto* array = node.as_array();
  if (!array || !array->is_array_of_tables())
    throw at.error("expected [[" + at.key + "]] tables (an array of tables), got " + found_text(node));
  std::vector<Intervention> out;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& table = *(*array)[i].as_table();
    const std::string where = owner + "'s intervention " + std::to_string(i + 1);
    Intervention iv;
    const auto day = table.find("day");
    if (day == table.end())
      throw site_at(file, table.source(), at.key)
          .error(where +
                 " needs a day, e.g. day = 90 (0-based: the change holds from the start "
                 "of that day)");
    const Site day_at = site_at(file, day->second.source(), at.key + ".day");
    const auto* whole = day->second.as_integer();
    const auto* real = day->second.as_floating_point();
    if (whole) {
      iv.day = whole->get();
    } else if (real && std::isfinite(real->get()) && std::trunc(real->get()) == real->get()) {
      // Out of range before the conversion: a double beyond int64 has no int64 value.
      if (!(real->get() >= 0 && real->get() < static_cast<double>(base.run_horizon_days)))
        throw day_at.error(day_range_message(number_text(real->get()), base.run_horizon_days));
      iv.day = static_cast<std::int64_t>(real->get());
    } else {
      throw day_at.error("expected a whole number of days, got " + found_text(day->second));
    }
    if (iv.day < 0 || iv.day >= base.run_horizon_days)
      throw day_at.error(day_range_message(std::to_string(iv.day), base.run_horizon_days));
    iv.where = ref(day_at);
    iv.overrides = read_overrides(table, {"day"}, where, base, file, true);
    if (iv.overrides.empty())
      throw day_at.error(where + " changes nothing; add the keys it sets, e.g. purchase.price = 52.5");
    out.push_back(std::move(iv));
  }
  return out;
}

std::string text_of(const toml::table& t, const char* name, const Site& owner, bool required) {
  const auto it = t.find(name);
  if (it == t.end()) {
    if (required)
      throw owner.error(std::string("needs a ") + name + ", e.g. " + name + " = \"faster-answers\"");
    return {};
  }
  const auto* s = it->second.as_string();
  if (!s)
    throw site_at(owner.file, it->second.source(), owner.key + "." + name)
        .error("expected a string, got " + found_text(it->second));
  return s->get();
}

std::vector<StrategySpec> read_strategies(const toml::node& node, const Site& at, const Params& base,
                                          const std::string& file) {
  const auto* array = node.as_array();
  if (!array || !array->is_array_of_tables())
    throw at.error("expected [[strategy]] tables (an array of tables), got " + found_text(node));
  std::vector<StrategySpec> out;
  std::set<std::string> names{"baseline"};
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& table = *(*array)[i].as_table();
    const Site owner = site_at(file, table.source(), "strategy[" + std::to_string(i) + "]");
    StrategySpec s;
    s.name = text_of(table, "name", owner, true);
    s.description = text_of(table, "description", owner, false);
    const Site name_at = site_at(file, table.find("name")->second.source(), "strategy.name");
    s.where = ref(name_at);
    if (s.name.empty()) throw name_at.error("a strategy's name must not be empty");
    if (s.name == "baseline")
      throw name_at.error(
          "'baseline' is the scenario as written and always runs; name the "
          "strategy after what it changes");
    if (s.name == "." || s.name.find('/') != std::string::npos)
      throw name_at.error("'" + s.name + "' cannot name a results group: no '/', not '.'");
    if (s.name.rfind("sweep-", 0) == 0)
      throw name_at.error("names starting 'sweep-' are reserved for sweep points");
    if (!names.insert(s.name).second)
      throw name_at.error("two strategies are named '" + s.name + "'; names must differ");
    const std::string where = "strategy '" + s.name + "'";
    s.overrides = read_overrides(table, {"name", "description", "intervention"}, where, base, file, false);
    if (const auto it = table.find("intervention"); it != table.end())
      s.interventions = read_interventions(
          it->second, site_at(file, it->first.source(), "strategy.intervention"), where, base, file);
    out.push_back(std::move(s));
  }
  return out;
}

double sweep_number(const ParamSpec& spec, const toml::node& n, const Site& at, const Params& base) {
  Params scratch = base;
  set_param(scratch, spec, n, at);  // type and range, located
  if (const auto* i = n.as_integer()) return static_cast<double>(i->get());
  return n.as_floating_point()->get();
}

Sweep read_sweep(const toml::node& node, const Site& at, const Params& base, const std::string& file) {
  const auto* table = node.as_table();
  if (!table) throw at.error("expected the table [sweep], got " + found_text(node));
  Sweep sweep;
  sweep.where = ref(at);
  const std::vector<std::string> own = {"method", "points", "parameter"};
  for (auto&& [k, v] : *table)
    if (std::find(own.begin(), own.end(), k.str()) == own.end())
      throw site_at(file, k.source(), "sweep." + std::string(k.str()))
          .error("unknown [sweep] key; [sweep] has method, points and [[sweep.parameter]] tables; " +
                 did_you_mean(closest(k.str(), own, 1), "keys"));
  const std::string method = text_of(*table, "method", at, false);
  if (method == "latin_hypercube")
    sweep.method = SweepMethod::latin_hypercube;
  else if (!method.empty() && method != "grid")
    throw site_at(file, table->find("method")->second.source(), "sweep.method")
        .error("'" + method + "' is not a sweep method; allowed: grid, latin_hypercube");
  const bool lhs = sweep.method == SweepMethod::latin_hypercube;
  if (const auto it = table->find("points"); it != table->end()) {
    const Site points_at = site_at(file, it->second.source(), "sweep.points");
    if (!lhs)
      throw points_at.error(
          "points is for method = \"latin_hypercube\"; a grid runs every "
          "combination of the values");
    const auto* n = it->second.as_integer();
    if (!n || n->get() < 1 || static_cast<std::uint64_t>(n->get()) > kMaxSweepPoints)
      throw points_at.error("expected a whole number in [1, " + std::to_string(kMaxSweepPoints) + "], got " +
                            found_text(it->second));
    sweep.points = n->get();
  } else if (lhs) {
    throw at.error("a latin_hypercube sweep needs points = N (how many runs)");
  }
  const auto it = table->find("parameter");
  if (it == table->end())
    throw at.error("empty sweep: add [[sweep.parameter]] tables, each with a key and " +
                   std::string(lhs ? "min and max" : "values = [...]"));
  const auto* array = it->second.as_array();
  if (!array || !array->is_array_of_tables())
    throw site_at(file, it->first.source(), "sweep.parameter")
        .error("expected [[sweep.parameter]] tables, got " + found_text(it->second));
  if (array->empty()) throw at.error("empty sweep: no [[sweep.parameter]] tables");
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto& pt = *(*array)[i].as_table();
    const Site owner = site_at(file, pt.source(), "sweep.parameter[" + std::to_string(i) + "]");
    const std::vector<std::string> fields =
        lhs ? std::vector<std::string>{"key", "min", "max"} : std::vector<std::string>{"key", "values"};
    for (auto&& [k, v] : pt)
      if (std::find(fields.begin(), fields.end(), k.str()) == fields.end())
        throw site_at(file, k.source(), owner.key + "." + std::string(k.str()))
            .error(std::string("not a key of a ") + (lhs ? "latin_hypercube" : "grid") +
                   " [[sweep.parameter]]; it has " + (lhs ? "key, min and max" : "key and values = [...]"));
    SweepParameter sp;
    sp.key = text_of(pt, "key", owner, true);
    const Site key_at = site_at(file, pt.find("key")->second.source(), sp.key);
    sp.where = ref(key_at);
    const ParamSpec* spec = find_param(sp.key);
    if (!spec) throw key_at.error(unknown_key_message(sp.key));
    if (spec->type != ParamType::real && spec->type != ParamType::integer)
      throw key_at.error("cannot be swept: only number and integer keys can");
    if (sp.key.rfind("run.", 0) == 0)
      throw key_at.error("run.* keys apply to the whole experiment and cannot be swept");
    for (const auto& other : sweep.parameters)
      if (other.key == sp.key) throw key_at.error("is swept twice; give each key one [[sweep.parameter]]");
    if (lhs) {
      for (const char* bound : {"min", "max"}) {
        const auto b = pt.find(bound);
        if (b == pt.end()) throw owner.error("a latin_hypercube parameter needs min and max");
        const double x = sweep_number(*spec, b->second, site_at(file, b->second.source(), sp.key), base);
        (std::string_view(bound) == "min" ? sp.min : sp.max) = x;
      }
      if (sp.min > sp.max) throw key_at.error("min must not exceed max");
    } else {
      const auto values = pt.find("values");
      if (values == pt.end()) throw owner.error("a grid parameter needs values = [...]");
      const auto* list = values->second.as_array();
      if (!list)
        throw site_at(file, values->second.source(), sp.key)
            .error("expected a list of values, got " + found_text(values->second));
      if (list->empty())
        throw site_at(file, values->second.source(), sp.key).error("empty sweep: values is empty");
      for (const auto& element : *list)
        sp.values.push_back(sweep_number(*spec, element, site_at(file, element.source(), sp.key), base));
    }
    sweep.parameters.push_back(std::move(sp));
  }
  return sweep;
}

}  // namespace

Experiment read_experiment(const Scenario& scenario) {
  const toml::table root = toml::parse(scenario.text, std::string_view(scenario.path));
  const std::string& file = scenario.path;
  Experiment e;
  e.baseline = scenario.params;
  if (const auto* node = root.get("intervention"))
    e.interventions = read_interventions(*node, root_site(root, "intervention", file), "the baseline",
                                         scenario.params, file);
  if (const auto* node = root.get("strategy"))
    e.strategies = read_strategies(*node, root_site(root, "strategy", file), scenario.params, file);
  if (const auto* node = root.get("sweep"))
    e.sweep = read_sweep(*node, root_site(root, "sweep", file), scenario.params, file);
  return e;
}

}  // namespace cxsim

// ---- docs/scenarios.md -----------------------------------------------------------------------

namespace cxsim::detail {

std::string experiment_syntax_markdown() {
  return R"(
## Strategies, interventions and sweeps

A scenario file can also declare what-ifs to compare with it. The scenario as written is the
strategy `baseline`, which always runs; each `[[strategy]]` is the baseline with some keys
changed. Every strategy and sweep point runs the same replications with common random numbers
(replication r of every strategy uses the same random numbers, so a customer a strategy does not
touch behaves identically), and `cxsim compare results.h5` prints each strategy's differences from
the baseline with 95% intervals. `scenarios/price.toml`, `quality.toml`, `service_speed.toml` and
`sweep_quality_staffing.toml` are examples.

```toml
[[strategy]]
name = "price-cut"                  # required, unique; not "baseline", no "/", not "sweep-..."
description = "10% off every order" # optional, shown by cxsim compare
purchase.price = 45                 # overrides: the baseline's own keys, section.key = value,
quality.defect_rate = 0.015         # in force from day 0

[[strategy.intervention]]           # belongs to the strategy above it
day = 180                           # from the start of day 180 (0-based) to the end of the run
purchase.price = 47.25              # only intervenable keys (see the tables above)

[[intervention]]                    # top level: part of the baseline, so of every strategy
day = 90
acquisition.cost_per_customer = 40
```

- A strategy's overrides may set any key except `run.*` (seed, replications and horizon are the
  experiment's, so that runs stay comparable) and segment keys. Types and ranges are checked as
  in the sections above, and the strategy as a whole must pass the same cross-key checks.
- An intervention sets keys from the start of its `day` (0 to `run.horizon_days` - 1) until the
  end of the run or a later intervention. Only keys marked *intervenable* may change mid-run;
  market, network and horizon keys are fixed for a run (give them from day 0 as strategy
  overrides instead). A value is absolute: "raise the price 5% from day 180" is
  `purchase.price = 52.5` for a price of 50.
- Top-level `[[intervention]]` tables belong to the baseline and so to every strategy and sweep
  point; on the same day a strategy's own intervention is applied after them (it wins). Within
  one list (the top-level interventions, or one strategy's own) a key may be set once a day: a
  second value for it on the same day is refused, naming both lines.
- `--set key=value` changes the baseline as if the file said so, and so every strategy that
  does not override that key itself (a strategy's own override wins).

### Sweeps

```toml
[sweep]
method = "grid"                     # or "latin_hypercube"; default "grid"

[[sweep.parameter]]
key = "quality.defect_rate"
values = [0.01, 0.03, 0.06]         # grid: every combination of every parameter's values

[[sweep.parameter]]
key = "purchase.price"
values = [45, 50, 55]
```

```toml
[sweep]
method = "latin_hypercube"
points = 20                         # runs

[[sweep.parameter]]
key = "quality.defect_rate"
min = 0.01                          # each parameter's [min, max] is cut into `points` strata,
max = 0.06                          # one point per stratum, in a random order
```

- Each point runs as the baseline with the point's values (and the top-level interventions),
  named `sweep-000`, `sweep-001`, ... (grid: the first parameter varies slowest). The values are
  recorded in the results file (attributes of the point's group, and columns of `/summary`).
- Only number and integer keys can be swept (integer keys are rounded to whole numbers in a Latin
  hypercube); not `run.*` keys. A sweep needs at least one parameter with at least one value,
  and at most 10000 points.
- Latin hypercube points are drawn from `run.seed` with their own random stream: the same seed
  gives the same points, whatever else changes.
)";
}

}  // namespace cxsim::detail
