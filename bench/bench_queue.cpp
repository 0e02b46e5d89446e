// Question: how many contacts a second does the contact centre simulate, and does its cost grow
// linearly with contacts per day? Runs the centre alone (the baseline's channels, handle times,
// patience, retries, routing and chatbot) on synthetic days of C contacts, C = 10^3 ... 10^6:
// channel mix 50/25/20/5 (phone, chat, e-mail, chatbot), arrivals by the model's hourly profile,
// and agents per channel and hour sized to the offered load at 85% occupancy (see roster_for), so the queues
// stay realistic at every scale. Only ContactCentre::simulate_day is timed; making the
// contacts is not.
//
//   cxsim_bench_queue [--contacts 1000,10000,100000,1000000] [--total 4000000] [--threads 1,2]
//                     [--seed 1]
//
// Each size runs max(3, total / C) days (at most 2000). The three agent queues (phone, chat,
// e-mail) run in parallel; --threads bounds the worker threads.

#include <tbb/global_control.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "io/scenario_reader.hpp"
#include "service/contact_centre.hpp"
#include "service/contact_config.hpp"

namespace {

using namespace cxsim;

// The model's hourly arrival profile (sim/core/model.cpp).
constexpr std::array<double, 24> kProfile = {0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.8, 2.0, 4.0, 6.0, 7.0, 7.0,
                                             6.0, 6.5, 7.0, 6.5, 6.0, 5.0, 4.0, 3.5, 3.0, 2.0, 1.0, 0.5};
constexpr std::array<double, kChannelCount> kMix = {0.50, 0.25, 0.20, 0.05};

// Agents per hour for `per_day` contacts of one channel at 85% occupancy, with 15% more work for
// transfers (a wrong-skill first answer costs a third of a call, then a longer one).
std::vector<int> roster_for(const ChannelConfig& c, double per_day) {
  double total = 0;
  for (double w : kProfile) total += w;
  std::vector<int> agents(24, 0);
  const int open_hours = c.close_hour - c.open_hour;
  for (int h = c.open_hour; h < c.close_hour; ++h) {
    // Live channels meet each hour's arrivals; e-mail works the day's mail over its open hours.
    const double per_hour =
        c.patience == Patience::infinite ? per_day / open_hours : per_day * kProfile[h] / total;
    const double erlangs = 1.15 * per_hour * c.handle_mean_s / 3600.0 / c.concurrency;
    agents[h] = std::max(1, static_cast<int>(std::ceil(erlangs / 0.85)));
  }
  return agents;
}

}  // namespace

int main(int argc, char** argv) {
  const bench::Args args(argc, argv, {"contacts", "total", "threads", "seed"});
  const auto thread_counts = args.list("threads", "1,2");
  const auto sizes = args.list("contacts", "1000,10000,100000,1000000");
  const double total_target = args.num("total", 4e6);
  const auto seed = static_cast<std::uint64_t>(args.num("seed", 1));
  const Scenario s = load_scenario(std::string(CXSIM_SOURCE_DIR) + "/scenarios/baseline.toml");
  bench::print_machine();

  double profile_total = 0;
  for (double w : kProfile) profile_total += w;
  int most = 1;
  for (double t : thread_counts) most = std::max(most, static_cast<int>(t));
  std::optional<tbb::global_control> allow;
  if (most > tbb::info::default_concurrency())
    allow.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(most));
  for (double threads : thread_counts)
    for (double per_day : sizes) {
      tbb::task_arena arena(static_cast<int>(threads));
      ContactCentreConfig config = contact_centre_config(s.params);
      // Chat also serves the chatbot's escalations (about 70% of the bot's contacts).
      const double escalated = kMix[3] * (1 - config.containment);
      config[Channel::phone].agents = roster_for(config[Channel::phone], per_day * kMix[0]);
      config[Channel::chat].agents = roster_for(config[Channel::chat], per_day * (kMix[1] + escalated));
      config[Channel::email].agents = roster_for(config[Channel::email], per_day * kMix[2]);
      ContactCentre centre(config, RngKey{seed, 0});
      const int days = std::clamp(static_cast<int>(total_target / per_day), 3, 2000);

      DayResult out;
      std::vector<Contact> contacts;
      double seconds = 0, offered = 0, outcomes = 0, answered = 0, abandoned = 0;
      std::uint64_t backlog = 0;
      for (int day = 0; day < days; ++day) {
        contacts.clear();
        const auto n = static_cast<std::uint64_t>(per_day);
        Stream rng(RngKey{seed, 1}, Purpose::queue, static_cast<std::uint64_t>(day), 0);
        for (std::uint64_t k = 0; k < n; ++k) {
          Contact c;
          c.customer = k;
          double u = rng.uniform();
          int ch = 0;
          while (ch + 1 < kChannelCount && u >= kMix[ch]) u -= kMix[ch++];
          c.channel = static_cast<Channel>(ch);
          double h = rng.uniform() * profile_total;
          int hour = 0;
          while (hour + 1 < 24 && h >= kProfile[hour]) h -= kProfile[hour++];
          c.arrival_s = 3600.0 * hour + 3600.0 * rng.uniform();
          c.severity = static_cast<std::uint8_t>(rng.below(4));
          c.is_value_demand = c.severity == 0;
          c.patience_mean_s = 300;
          contacts.push_back(c);
        }
        const auto t0 = std::chrono::steady_clock::now();
        arena.execute([&] { centre.simulate_day(static_cast<std::uint32_t>(day), contacts, out); });
        seconds += bench::seconds_since(t0);
        offered += static_cast<double>(n);
        outcomes += static_cast<double>(out.outcomes.size());
        for (const auto& st : out.stats) {
          answered += static_cast<double>(st.answered);
          abandoned += static_cast<double>(st.abandoned);
        }
      }
      for (Channel c : {Channel::phone, Channel::chat, Channel::email}) backlog += centre.in_system(c);
      std::printf(
          "queue contacts_per_day=%.0f threads=%d days=%d seconds=%.4f contacts_per_s=%.4g outcomes=%.0f "
          "answered=%.0f abandoned=%.0f backlog_end=%llu\n",
          per_day, static_cast<int>(threads), days, seconds, offered / seconds, outcomes, answered, abandoned,
          static_cast<unsigned long long>(backlog));
      std::fflush(stdout);
    }
  return 0;
}
