#include "mpi/partition.hpp"

#include <mpi.h>
#include <tbb/global_control.h>
#include <tbb/info.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/errors.hpp"
#include "model/metrics.hpp"
#include "model/model.hpp"
#include "model/partition.hpp"
#include "mpi/collectives.hpp"
#include "mpi/ensemble.hpp"

namespace cxsim::mpi {

namespace {

constexpr int kTagFold = 81;

PartitionReport g_report;

using detail::checked_int;
using detail::displacements;

/// The exchanges of a partitioned Model over MPI_COMM_WORLD. Items travel as bytes (they are
/// trivially copyable and every rank runs the same binary). Counts the bytes this rank sends to
/// other ranks.
class Link final : public PartitionLink {
 public:
  Link(Blocks blocks, int rank) : blocks_(std::move(blocks)), rank_(rank) {}
  int rank() const override { return rank_; }
  const Blocks& blocks() const override { return blocks_; }
  const PartitionReport& traffic() const { return traffic_; }

  /// The rank holding the customer customer_of(item), as a function of the item.
  template <class CustomerOf>
  auto owner_of(CustomerOf customer_of) const {
    return [this, customer_of](const auto& item) { return blocks_.owner(customer_of(item)); };
  }

  void fold(std::span<double> row, std::span<const double> rows, bool skip_zero) override {
    const int size = blocks_.ranks();
    const std::size_t m = row.size();
    const int count = static_cast<int>(m);
    if (rank_ > 0)
      MPI_Recv(row.data(), count, MPI_DOUBLE, rank_ - 1, kTagFold, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    for (std::size_t c = 0; c < rows.size() / m; ++c)
      for (std::size_t k = 0; k < m; ++k) {
        const double v = rows[c * m + k];
        if (!skip_zero || v != 0) row[k] += v;
      }
    if (size == 1) return;
    MPI_Send(row.data(), count, MPI_DOUBLE, rank_ + 1 < size ? rank_ + 1 : 0, kTagFold, MPI_COMM_WORLD);
    traffic_.sums += m * sizeof(double);
    if (rank_ == 0)
      MPI_Recv(row.data(), count, MPI_DOUBLE, size - 1, kTagFold, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
  }

  void route_contacts(const std::vector<Contact>& mine, std::vector<Contact>& received,
                      const std::function<int(const Contact&)>& rank_of) override {
    exchange(std::span<const Contact>(mine), rank_of, received, traffic_.contacts);
  }

  void gather_stats(std::span<const ChannelDayStats> mine, std::vector<ChannelDayStats>& all) override {
    gather_to_root(mine, all, traffic_.sums);
  }

  void gather_episodes(const std::vector<EpisodeRow>& mine, std::vector<EpisodeRow>& all) override {
    gather_to_root<EpisodeRow>(mine, all, traffic_.columns);  // results to rank 0, as the customer columns
  }

  void scatter_outcomes(std::span<const ContactOutcome> all, std::vector<ContactOutcome>& mine,
                        int root) override {
    const int size = blocks_.ranks();
    std::vector<int> counts(static_cast<std::size_t>(size), 0);
    std::vector<ContactOutcome> sorted;
    if (rank_ == root) {
      bucket(all, owner_of([](const ContactOutcome& o) { return static_cast<std::uint32_t>(o.customer); }),
             sorted, counts);
      for (int r = 0; r < size; ++r)
        if (r != root) traffic_.outcomes += counts[static_cast<std::size_t>(r)];
    }
    int mine_bytes = 0;
    MPI_Scatter(counts.data(), 1, MPI_INT, &mine_bytes, 1, MPI_INT, root, MPI_COMM_WORLD);
    const std::size_t before = mine.size();
    mine.resize(before + static_cast<std::size_t>(mine_bytes) / sizeof(ContactOutcome));
    const std::vector<int> at = displacements(counts, "contact outcomes");
    MPI_Scatterv(sorted.data(), counts.data(), at.data(), MPI_BYTE, mine.data() + before, mine_bytes,
                 MPI_BYTE, root, MPI_COMM_WORLD);
  }

  void route_messages(const std::vector<Message>& sent, std::vector<Message>& received) override {
    exchange(std::span<const Message>(sent), owner_of([](const Message& m) { return m.target; }), received,
             traffic_.messages);
  }

  void ask(const std::vector<std::uint32_t>& questions, std::vector<std::uint16_t>& answers,
           const std::function<std::uint16_t(std::uint32_t)>& answer) override {
    // The questions to each rank (in order), there answered, and the answers back the same way.
    const int size = blocks_.ranks();
    std::vector<int> counts(static_cast<std::size_t>(size), 0);
    std::vector<std::uint32_t> sorted, asked;
    std::vector<std::size_t> where;
    bucket(std::span<const std::uint32_t>(questions), owner_of([](std::uint32_t q) { return q / 2; }), sorted,
           counts, &where);
    std::vector<int> incoming =
        detail::alltoallv_counted(std::span<const std::uint32_t>(sorted), counts, asked, "questions");
    std::vector<std::uint16_t> replies(asked.size()), back;
    for (std::size_t k = 0; k < asked.size(); ++k) replies[k] = answer(asked[k]);
    // Answers are half the size of questions: the same counts, halved, the other way.
    for (int& c : counts) c /= 2;
    for (int& c : incoming) c /= 2;
    detail::alltoallv(std::span<const std::uint16_t>(replies), incoming, back, counts, "answers");
    for (int r = 0; r < size; ++r)
      if (r != rank_)
        traffic_.queries += static_cast<std::uint64_t>(counts[static_cast<std::size_t>(r)]) * 2 +
                            static_cast<std::uint64_t>(incoming[static_cast<std::size_t>(r)]);
    // back holds the answers in the order bucket() sent the questions.
    answers.resize(questions.size());
    for (std::size_t k = 0; k < questions.size(); ++k) answers[k] = back[where[k]];
  }

  void broadcast(std::span<double> values) override {
    MPI_Bcast(values.data(), static_cast<int>(values.size()), MPI_DOUBLE, 0, MPI_COMM_WORLD);
    if (rank_ == 0)
      traffic_.sums += values.size() * sizeof(double) * static_cast<std::uint64_t>(blocks_.ranks() - 1);
  }

  /// Every rank's items, in rank order, on rank 0; `sent` counts the bytes this rank sent.
  template <class T>
  void gather_to_root(std::span<const T> mine, std::vector<T>& all, std::uint64_t& sent) {
    sent += detail::gather_to_root(mine, all, rank_, blocks_.ranks(), "items to gather");
  }

  PartitionReport traffic_;

 private:
  /// Each item to rank rank_of(item): `received` is every rank's items for this one, in rank order,
  /// each rank's in its order; `sent` counts the bytes this rank sent to other ranks.
  template <class T, class RankOf>
  void exchange(std::span<const T> items, const RankOf& rank_of, std::vector<T>& received,
                std::uint64_t& sent) {
    const int size = blocks_.ranks();
    std::vector<int> counts(static_cast<std::size_t>(size), 0);
    std::vector<T> sorted;
    bucket(items, rank_of, sorted, counts);
    for (int r = 0; r < size; ++r)
      if (r != rank_) sent += counts[static_cast<std::size_t>(r)];
    detail::alltoallv_counted(std::span<const T>(sorted), counts, received, "items to send");
  }

  /// `items` grouped by rank_of(item), in order within a rank (a stable counting sort); counts[r] =
  /// bytes for rank r; (*where)[k], when asked for, = where items[k] went.
  template <class T, class RankOf>
  void bucket(std::span<const T> items, const RankOf& rank_of, std::vector<T>& sorted,
              std::vector<int>& counts, std::vector<std::size_t>* where = nullptr) {
    const auto size = static_cast<std::size_t>(blocks_.ranks());
    std::vector<std::size_t> n(size, 0), cursor(size, 0);
    std::vector<int> owner(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
      owner[k] = rank_of(items[k]);
      if (owner[k] < 0 || static_cast<std::size_t>(owner[k]) >= size)
        throw std::logic_error("MPI: an item for rank " + std::to_string(owner[k]) + " of " +
                               std::to_string(size));
      ++n[static_cast<std::size_t>(owner[k])];
    }
    for (std::size_t r = 1; r < size; ++r) cursor[r] = cursor[r - 1] + n[r - 1];
    sorted.resize(items.size());
    if (where) where->resize(items.size());
    for (std::size_t k = 0; k < items.size(); ++k) {
      const std::size_t at = cursor[static_cast<std::size_t>(owner[k])]++;
      sorted[at] = items[k];
      if (where) (*where)[k] = at;
    }
    for (std::size_t r = 0; r < size; ++r) counts[r] = checked_int(n[r] * sizeof(T), "items to send");
  }

  Blocks blocks_;
  int rank_;
};

/// Every rank's values of one customer column, in rank order, on rank 0.
template <class T>
std::vector<T> gather_column(Link& link, const std::vector<T>& mine) {
  std::vector<T> all;
  link.gather_to_root<T>(mine, all, link.traffic_.columns);
  return all;
}

/// Test hook (tests/mpi/test_partition.sh): CXSIM_PARTITION_TEST_FAIL="rank:day" makes that rank
/// fail on that day, to show that a failing rank ends the job with a clear error and no file.
void maybe_fail(int rank, std::int32_t day) {
  const char* spec = std::getenv("CXSIM_PARTITION_TEST_FAIL");
  if (!spec) return;
  int r = -1, d = -1;
  if (std::sscanf(spec, "%d:%d", &r, &d) == 2 && r == rank && d == day)
    throw std::runtime_error("rank " + std::to_string(rank) + " failed on purpose on day " +
                             std::to_string(day) + " (CXSIM_PARTITION_TEST_FAIL)");
}

/// This rank's rows of an Erdos-Renyi network: each rank draws only its own members' ties and sends
/// each later rank those that end there (one Alltoallv), rather than every rank replaying every
/// member's draws. Collective; an error on any rank is every rank's (together), before any rank
/// waits in the exchange.
Network erdos_renyi_over_ranks(const Params& p, RngKey key, const Blocks& blocks, int rank) {
  constexpr const char* kWhat = "network ties";
  const auto ranks = static_cast<std::size_t>(blocks.ranks());
  DrawnTies drawn;
  // Counted in ties, not bytes: two ranks of 10^8 customers at ten ties exchange 2 GB.
  std::vector<int> out_counts(ranks, 0), in_counts(ranks, 0);
  together([&] {
    drawn = erdos_renyi_drawn(network_spec(p), blocks.population, key, blocks, rank);
    for (std::size_t r = static_cast<std::size_t>(rank) + 1; r < ranks; ++r)
      out_counts[r] = checked_int(drawn.per_rank[r], kWhat, true);
  });
  MPI_Alltoall(out_counts.data(), 1, MPI_INT, in_counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  std::vector<Tie> below;
  together([&] {
    displacements(out_counts, kWhat, true);
    displacements(in_counts, kWhat, true);
    below.resize(detail::total_count(in_counts), Tie{});
  });
  // The groups for the later ranks follow this rank's own.
  const std::span<const Tie> out =
      std::span<const Tie>(drawn.ties).subspan(drawn.per_rank[static_cast<std::size_t>(rank)]);
  detail::alltoallv_items(out, out_counts, below, in_counts, kWhat);
  g_report.network += detail::total_count(out_counts) * sizeof(Tie);
  std::optional<Network> rows;
  together([&] {
    rows.emplace(erdos_renyi_rows(blocks.population, blocks.first(rank), blocks.count(rank), below, drawn));
  });
  return std::move(*rows);
}

void add_traffic(PartitionReport& into, const PartitionReport& t) {
  into.sums += t.sums;
  into.contacts += t.contacts;
  into.outcomes += t.outcomes;
  into.messages += t.messages;
  into.queries += t.queries;
  into.columns += t.columns;
}

}  // namespace

std::pair<std::uint32_t, std::uint32_t> partition_block(std::uint32_t population) {
  const World& w = world();
  if (!w.active) return {0, population};
  const Blocks blocks = Blocks::even(population, Model::kChunk, w.size);
  return {blocks.first(w.rank), blocks.count(w.rank)};
}

ExperimentResult run_plans_partitioned(const std::vector<RunPlan>& plans, int first, int count,
                                       const RunOptions& options, const Network* given) {
  const World& w = world();
  if (!w.active) return run_plans(plans, first, count, options, given);
  if (plans.empty()) throw std::invalid_argument("run_plans: no plans");
  const auto start = std::chrono::steady_clock::now();
  const Params& base = plans.front().params;
  const auto days = static_cast<std::int32_t>(base.run_horizon_days);
  const auto runs = static_cast<int>(plans.size());
  for (const RunPlan& plan : plans)
    if (plan.params.run_seed != base.run_seed || plan.params.run_horizon_days != days)
      throw std::invalid_argument("run_plans: plans differ in seed or horizon");
  // The threads of each rank. Only this thread calls MPI (MPI_THREAD_FUNNELED): the model's
  // parallel phases run in the implicit arena of this thread, limited by global_control.
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(threads));
  std::uint64_t total = 0;
  ExperimentResult result = shaped_result(plans, count, w.rank == 0, total);
  StepTimes step{};
  std::uint64_t done = 0;

  for (int rep = 0; rep < count; ++rep)
    for (int run = 0; run < runs; ++run) {
      const RunPlan& plan = plans[static_cast<std::size_t>(run)];
      const Params& p = plan.params;
      StrategyResult& out = result.runs[static_cast<std::size_t>(run)];
      if (options.task_started) options.task_started(run, first + rep);
      const RngKey key{static_cast<std::uint64_t>(p.run_seed), static_cast<std::uint64_t>(first + rep)};
      const auto population = static_cast<std::uint32_t>(p.market_population);
      std::optional<Link> link;
      std::optional<Network> network;
      std::optional<Model> model;
      link.emplace(Blocks::even(population, Model::kChunk, w.size), w.rank);
      const Blocks& blocks = link->blocks();
      if (p.network_kind == "erdos_renyi" && w.size > 1)
        network.emplace(erdos_renyi_over_ranks(p, key, blocks, w.rank));
      together([&] {
        // This rank's rows only (what each generator needs to build them: docs/cluster.md). A
        // signal stops the build on the rank that saw it; together() makes it every rank's.
        if (!network)
          network.emplace(
              network_rows_for(p, key, given, blocks.first(w.rank), blocks.count(w.rank), options.cancel));
        model.emplace(p, *network, key, *link);
        g_report.state_bytes_max =
            std::max(g_report.state_bytes_max, model->state_bytes() + network_bytes(*network));
      });
      // From here the ranks exchange every day: a rank that fails cannot leave the others waiting
      // in an exchange, so it reports and ends the job (MPI_Abort; rank 0 has written nothing).
      try {
        // The rows by segment are made on rank 0 only.
        const Model::RowSink record = [&](std::int32_t day, std::span<const double, kMetricCount> row) {
          record_day(out, rep, day, row, w.rank == 0 ? model->segment_rows() : std::span<const double>{});
        };
        auto change = plan.changes.begin();
        for (std::int32_t day = 0; day < days; ++day) {
          int stop = options.cancel && options.cancel->load(std::memory_order_relaxed) ? 1 : 0;
          MPI_Bcast(&stop, 1, MPI_INT, 0, MPI_COMM_WORLD);  // rank 0 decides, so all stop together
          if (stop) throw Cancelled();
          for (; change != plan.changes.end() && change->day == day; ++change)
            model->set_params(change->params, record);
          maybe_fail(w.rank, day);
          model->step(day, record);
          done += population;
          if (options.progress && w.rank == 0) options.progress(done, total);
        }
        derive_window_metrics(out.series, rep, p);
        for (SeriesSet& s : out.segment_series) derive_window_metrics(s, rep, p);
        if (p.run_episodes) {  // every rank takes part; rank 0 holds the record
          EpisodeTable episodes = model->take_episodes(days);
          if (w.rank == 0) out.episodes[static_cast<std::size_t>(rep)] = std::move(episodes);
        }
        if (p.run_save_customers) {
          std::vector<CustomerColumn> columns = model->customer_columns(days);
          for (CustomerColumn& c : columns) std::visit([&](auto& v) { v = gather_column(*link, v); }, c.data);
          if (w.rank == 0) out.customers[static_cast<std::size_t>(rep)] = std::move(columns);
        }
      } catch (const Cancelled&) {
        throw;
      } catch (const std::exception& e) {
        std::fprintf(stderr, "cxsim: internal error: on MPI rank %d of %d: %s\n", w.rank, w.size, e.what());
        std::fflush(stderr);
        MPI_Abort(MPI_COMM_WORLD, 1);
      }
      step += model->step_times();
      g_report.days += static_cast<std::uint64_t>(days);
      add_traffic(g_report, link->traffic());
    }

  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.stats.threads = threads;
  result.stats.seconds_simulating = seconds;
  result.stats.seconds_total = seconds;
  result.stats.customer_days = total;
  result.stats.step = step;  // rank 0's
  g_report.customer_days += total;
  return result;
}

PartitionReport partition_report() {
  PartitionReport r = g_report;
  const World& w = world();
  r.ranks = w.size;
  if (!w.active || w.size == 1) return r;
  std::uint64_t sums[7] = {r.sums, r.contacts, r.outcomes, r.messages, r.queries, r.columns, r.network};
  MPI_Allreduce(MPI_IN_PLACE, sums, 7, MPI_UINT64_T, MPI_SUM, MPI_COMM_WORLD);
  MPI_Allreduce(MPI_IN_PLACE, &r.state_bytes_max, 1, MPI_UINT64_T, MPI_MAX, MPI_COMM_WORLD);
  r.sums = sums[0];
  r.contacts = sums[1];
  r.outcomes = sums[2];
  r.messages = sums[3];
  r.queries = sums[4];
  r.columns = sums[5];
  r.network = sums[6];
  return r;
}

}  // namespace cxsim::mpi
