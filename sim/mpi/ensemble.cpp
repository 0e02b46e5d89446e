#include "mpi/ensemble.hpp"

#include <mpi.h>
#include <tbb/info.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/errors.hpp"
#include "mpi/collectives.hpp"

namespace cxsim::mpi {

namespace {

World g_world;
bool g_started = false;

constexpr int kTagRequest = 71;
constexpr int kTagReply = 72;

/// One finished task: its index (replication * runs + plan) and its series, as run_plans() with
/// count 1 lays them out ([metric][day]).
struct TaskResult {
  int index = 0;
  std::vector<double> series;
  std::vector<double> segments;  ///< output.by_segment: each segment's series, segment after segment
  std::vector<CustomerColumn> customers;
  std::optional<EpisodeTable> episodes;  ///< run.episodes
};

// --- a small byte buffer for the customer columns --------------------------------------------

void put_bytes(std::vector<char>& out, const void* data, std::size_t n) {
  const auto* p = static_cast<const char*>(data);
  out.insert(out.end(), p, p + n);
}
template <class T>
void put(std::vector<char>& out, const T& value) {
  put_bytes(out, &value, sizeof value);
}
void put_string(std::vector<char>& out, const std::string& s) {
  put<std::uint64_t>(out, s.size());
  put_bytes(out, s.data(), s.size());
}

struct Reader {
  const char* p;
  const char* end;
  void bytes(void* into, std::size_t n) {
    if (static_cast<std::size_t>(end - p) < n)
      throw std::runtime_error("MPI: truncated customer columns or episode tables");
    std::memcpy(into, p, n);
    p += n;
  }
  template <class T>
  T get() {
    T v;
    bytes(&v, sizeof v);
    return v;
  }
  std::string string() {
    std::string s(get<std::uint64_t>(), '\0');
    bytes(s.data(), s.size());
    return s;
  }
};

void put_columns(std::vector<char>& out, int index, const std::vector<CustomerColumn>& columns) {
  put<std::int32_t>(out, index);
  put<std::uint64_t>(out, columns.size());
  for (const CustomerColumn& c : columns) {
    put_string(out, c.name);
    put_string(out, c.unit);
    put_string(out, c.description);
    put<std::uint32_t>(out, static_cast<std::uint32_t>(c.data.index()));
    std::visit(
        [&](const auto& v) {
          put<std::uint64_t>(out, v.size());
          put_bytes(out, v.data(), v.size() * sizeof(v[0]));
        },
        c.data);
  }
}

void put_episodes(std::vector<char>& out, int index, const EpisodeTable& table) {
  put<std::int32_t>(out, index);
  put<std::int64_t>(out, table.sample);
  put<std::int64_t>(out, table.max_rows);
  put<std::uint64_t>(out, table.rows_dropped);
  put<std::uint64_t>(out, table.rows.size());
  put_bytes(out, table.rows.data(), table.rows.size() * sizeof(EpisodeRow));
}

EpisodeTable get_episodes(Reader& in) {
  EpisodeTable table;
  table.sample = in.get<std::int64_t>();
  table.max_rows = in.get<std::int64_t>();
  table.rows_dropped = in.get<std::uint64_t>();
  table.rows.resize(in.get<std::uint64_t>());
  in.bytes(table.rows.data(), table.rows.size() * sizeof(EpisodeRow));
  return table;
}

template <class T>
std::vector<T> get_vector(Reader& in) {
  std::vector<T> v(in.get<std::uint64_t>());
  in.bytes(v.data(), v.size() * sizeof(T));
  return v;
}

std::vector<CustomerColumn> get_columns(Reader& in) {
  std::vector<CustomerColumn> columns(in.get<std::uint64_t>());
  for (CustomerColumn& c : columns) {
    c.name = in.string();
    c.unit = in.string();
    c.description = in.string();
    switch (in.get<std::uint32_t>()) {
      case 0:
        c.data = get_vector<std::uint8_t>(in);
        break;
      case 1:
        c.data = get_vector<std::int32_t>(in);
        break;
      case 2:
        c.data = get_vector<float>(in);
        break;
      default:
        throw std::runtime_error("MPI: unknown customer column type");
    }
  }
  return columns;
}

/// Every rank's doubles, concatenated in rank order, on every rank.
std::vector<double> allgather(const std::vector<double>& mine) {
  const int size = g_world.size;
  int n = static_cast<int>(mine.size());
  std::vector<int> counts(static_cast<std::size_t>(size)), offsets(static_cast<std::size_t>(size));
  MPI_Allgather(&n, 1, MPI_INT, counts.data(), 1, MPI_INT, MPI_COMM_WORLD);
  long long total = 0;
  for (int r = 0; r < size; ++r) {
    offsets[static_cast<std::size_t>(r)] = static_cast<int>(total);
    total += counts[static_cast<std::size_t>(r)];
  }
  if (total > 2147483647LL) throw std::runtime_error("MPI: more than 2^31 values of series to gather");
  std::vector<double> all(static_cast<std::size_t>(total));
  MPI_Allgatherv(mine.data(), n, MPI_DOUBLE, all.data(), counts.data(), offsets.data(), MPI_DOUBLE,
                 MPI_COMM_WORLD);
  return all;
}

/// Runs tasks [start, start + n) here, on this rank's threads, through run_plans() (one call per
/// replication, with the plans of that replication the chunk holds).
void run_chunk(const std::vector<RunPlan>& plans, int first, int start, int n, const RunOptions& options,
               const Network* given, std::vector<TaskResult>& out, StepTimes& step) {
  const int runs = static_cast<int>(plans.size());
  // Test hook (tests/mpi/test_mpi.sh): the task with this index fails, to show that a failing rank
  // ends the job with a clear error and no file.
  if (const char* fail = std::getenv("CXSIM_MPI_TEST_FAIL_TASK")) {
    const int bad = std::atoi(fail);
    if (bad >= start && bad < start + n)
      throw std::runtime_error("task " + std::to_string(bad) +
                               " failed on purpose (CXSIM_MPI_TEST_FAIL_TASK)");
  }
  int i = start;
  while (i < start + n) {
    const int rep = i / runs;
    std::vector<RunPlan> subset;
    std::vector<int> indices;
    for (; i < start + n && i / runs == rep; ++i) {
      subset.push_back(plans[static_cast<std::size_t>(i % runs)]);
      indices.push_back(i);
    }
    ExperimentResult r = run_plans(subset, first + rep, 1, options, given);
    step += r.stats.step;
    for (std::size_t k = 0; k < indices.size(); ++k) {
      TaskResult t;
      t.index = indices[k];
      t.series = std::move(r.runs[k].series.values);
      for (const SeriesSet& s : r.runs[k].segment_series)
        t.segments.insert(t.segments.end(), s.values.begin(), s.values.end());
      if (!r.runs[k].customers.empty()) t.customers = std::move(r.runs[k].customers.front());
      if (!r.runs[k].episodes.empty()) t.episodes = std::move(r.runs[k].episodes.front());
      out.push_back(std::move(t));
    }
  }
}

/// Chunk sizes shrink with the work left (guided scheduling): big chunks while there is much to
/// do, single tasks at the end, so ranks finish close together when tasks differ in length.
int chunk_size(int remaining, int ranks, int threads) {
  return std::clamp((remaining + 2 * ranks - 1) / (2 * ranks), std::min(1, remaining), std::max(1, threads));
}

enum class Kind : int { none = 0, input = 1, cancelled = 2, internal = 3 };

}  // namespace

World init(int& argc, char**& argv) {
  // Started by a launcher? (Open MPI's mpirun, or a PMI/PMIx launcher such as Slurm's srun.)
  const bool launched =
      std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMIX_RANK") || std::getenv("PMI_RANK");
  if (!launched) return g_world;
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  g_started = true;
  MPI_Comm_rank(MPI_COMM_WORLD, &g_world.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_world.size);
  g_world.active = true;
  return g_world;
}

void finalize() {
  if (g_started) MPI_Finalize();
  g_started = false;
}

const World& world() {
  return g_world;
}

std::pair<std::uint64_t, int> sum_on_this_machine(std::uint64_t mine) {
  if (!g_world.active || g_world.size == 1) return {mine, 1};
  MPI_Comm here = MPI_COMM_NULL;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, g_world.rank, MPI_INFO_NULL, &here);
  int count = 1;
  MPI_Comm_size(here, &count);
  MPI_Allreduce(MPI_IN_PLACE, &mine, 1, MPI_UINT64_T, MPI_SUM, here);
  MPI_Comm_free(&here);
  return {mine, count};
}

void together(const std::function<void()>& step) {
  Kind kind = Kind::none;
  std::string message;
  try {
    step();
  } catch (const InputError& e) {
    kind = Kind::input;
    message = e.what();
  } catch (const Cancelled& e) {
    kind = Kind::cancelled;
    message = e.what();
  } catch (const std::exception& e) {
    kind = Kind::internal;
    message = e.what();
  }
  const bool several = g_world.active && g_world.size > 1;
  int failing = kind == Kind::none ? g_world.size : g_world.rank;  // the lowest failing rank
  if (several) MPI_Allreduce(MPI_IN_PLACE, &failing, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (failing >= g_world.size) return;
  int header[2] = {static_cast<int>(kind), static_cast<int>(message.size())};
  if (several) {
    MPI_Bcast(header, 2, MPI_INT, failing, MPI_COMM_WORLD);
    message.resize(static_cast<std::size_t>(header[1]));
    MPI_Bcast(message.data(), header[1], MPI_CHAR, failing, MPI_COMM_WORLD);
    if (failing != 0 && static_cast<Kind>(header[0]) != Kind::cancelled)
      message =
          "on MPI rank " + std::to_string(failing) + " of " + std::to_string(g_world.size) + ": " + message;
  }
  switch (static_cast<Kind>(header[0])) {
    case Kind::input:
      throw InputError(message);
    case Kind::cancelled:
      throw Cancelled();
    default:
      throw std::runtime_error(message);
  }
}

void broadcast(std::vector<double>& values) {
  if (!g_world.active || g_world.size == 1) return;
  unsigned long long n = values.size();
  MPI_Bcast(&n, 1, MPI_UNSIGNED_LONG_LONG, 0, MPI_COMM_WORLD);
  values.resize(static_cast<std::size_t>(n));
  if (n > 0) MPI_Bcast(values.data(), static_cast<int>(n), MPI_DOUBLE, 0, MPI_COMM_WORLD);
}

ExperimentResult run_plans_on_ranks(const std::vector<RunPlan>& plans, int first, int count,
                                    const RunOptions& options, const Network* given) {
  if (!g_world.active || g_world.size == 1) return run_plans(plans, first, count, options, given);
  if (plans.empty()) throw std::invalid_argument("run_plans: no plans");
  const auto start = std::chrono::steady_clock::now();
  const int runs = static_cast<int>(plans.size());
  const int tasks = runs * count;
  const int threads = options.threads > 0 ? options.threads : tbb::info::default_concurrency();
  const int size = g_world.size;
  RunOptions local = options;
  local.progress = nullptr;  // per-chunk totals would mislead; the ranks report nothing meanwhile

  std::vector<TaskResult> mine;
  StepTimes step{};
  together([&] {
    if (g_world.rank == 0) {
      // Rank 0: this thread hands out chunks; a worker thread runs rank 0's own chunks (only this
      // thread calls MPI: MPI_THREAD_FUNNELED is enough).
      std::atomic<int> next{0};
      std::atomic<bool> worker_done{false};
      std::exception_ptr worker_error;
      const auto claim = [&](int& n) {
        for (;;) {
          int at = next.load();
          if (at >= tasks) return (n = 0, tasks);
          const int want = chunk_size(tasks - at, size, threads);
          if (next.compare_exchange_weak(at, at + want)) return (n = want, at);
        }
      };
      std::thread worker([&] {
        try {
          for (;;) {
            int n = 0;
            const int at = claim(n);
            if (n == 0) break;
            run_chunk(plans, first, at, n, local, given, mine, step);
          }
        } catch (...) {
          worker_error = std::current_exception();
          next.store(tasks);  // hand out nothing more: the job ends with this error
        }
        worker_done.store(true);
      });
      int finished = 0;  // remote ranks told there is nothing left
      while (finished < size - 1) {
        int flag = 0;
        MPI_Status status;
        MPI_Iprobe(MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &flag, &status);
        if (!flag) {
          std::this_thread::sleep_for(std::chrono::microseconds(500));
          continue;
        }
        int failed = 0;
        MPI_Recv(&failed, 1, MPI_INT, status.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (failed) next.store(tasks);
        int reply[2] = {0, 0};
        reply[0] = claim(reply[1]);
        if (reply[1] == 0) ++finished;
        MPI_Send(reply, 2, MPI_INT, status.MPI_SOURCE, kTagReply, MPI_COMM_WORLD);
      }
      worker.join();
      if (worker_error) std::rethrow_exception(worker_error);
    } else {
      std::exception_ptr error;
      for (;;) {
        int failed = error ? 1 : 0;
        MPI_Send(&failed, 1, MPI_INT, 0, kTagRequest, MPI_COMM_WORLD);
        int reply[2];
        MPI_Recv(reply, 2, MPI_INT, 0, kTagReply, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (reply[1] == 0) break;
        try {
          run_chunk(plans, first, reply[0], reply[1], local, given, mine, step);
        } catch (...) {
          error = std::current_exception();
        }
      }
      if (error) std::rethrow_exception(error);
    }
  });

  // Gather: every task's series (and its segments' with output.by_segment) to every rank, customer
  // columns and episode tables to rank 0. A task's doubles: its index, its series, the count of its
  // segments' values, those values.
  const Params& base = plans.front().params;
  const auto days = static_cast<int>(base.run_horizon_days);
  const std::size_t per_task = static_cast<std::size_t>(kMetricCount) * days;
  std::vector<double> packed;
  packed.reserve(mine.size() * (per_task + 2));
  std::vector<char> columns, episodes;
  for (const TaskResult& t : mine) {
    if (t.series.size() != per_task) throw std::runtime_error("MPI: a task's series has the wrong size");
    packed.push_back(t.index);
    packed.insert(packed.end(), t.series.begin(), t.series.end());
    packed.push_back(static_cast<double>(t.segments.size()));
    packed.insert(packed.end(), t.segments.begin(), t.segments.end());
    if (!t.customers.empty()) put_columns(columns, t.index, t.customers);
    if (t.episodes) put_episodes(episodes, t.index, *t.episodes);
  }
  const std::vector<double> all = allgather(packed);
  bool any_customers = false, any_episodes = false;
  for (const RunPlan& plan : plans) {
    any_customers = any_customers || plan.params.run_save_customers;
    any_episodes = any_episodes || plan.params.run_episodes;
  }
  std::vector<char> all_columns, all_episodes;
  if (any_customers)
    detail::gather_to_root(std::span<const char>(columns), all_columns, g_world.rank, g_world.size,
                           "customer columns to gather");
  if (any_episodes)
    detail::gather_to_root(std::span<const char>(episodes), all_episodes, g_world.rank, g_world.size,
                           "episode rows to gather");
  double times[5] = {step.customers, step.merge, step.contact_centre, step.outcomes, step.word_of_mouth};
  MPI_Allreduce(MPI_IN_PLACE, times, 5, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);

  // Assemble what run_plans() would have returned.
  std::uint64_t total = 0;
  ExperimentResult result = shaped_result(plans, count, g_world.rank == 0, total);
  std::vector<char> seen(static_cast<std::size_t>(tasks), 0);
  for (std::size_t at = 0; at < all.size();) {
    if (all.size() - at < per_task + 2) throw std::runtime_error("MPI: truncated series");
    const int index = static_cast<int>(all[at]);
    if (index < 0 || index >= tasks || seen[static_cast<std::size_t>(index)])
      throw std::runtime_error("MPI: a task came back twice or out of range");
    seen[static_cast<std::size_t>(index)] = 1;
    StrategyResult& run = result.runs[static_cast<std::size_t>(index % runs)];
    const int rep = index / runs;
    // One replication's SeriesSet (metric after metric, `days` each) into replication `rep`.
    const auto copy_series = [&](const double* from, SeriesSet& into) {
      for (int m = 0; m < kMetricCount; ++m)
        std::copy_n(from + static_cast<std::size_t>(m) * days, days,
                    &into.at(static_cast<Metric>(m), rep, 0));
    };
    copy_series(all.data() + at + 1, run.series);
    const auto segment_values = static_cast<std::size_t>(all[at + 1 + per_task]);
    if (segment_values != run.segment_series.size() * per_task ||
        all.size() - at - per_task - 2 < segment_values)
      throw std::runtime_error("MPI: a task's series by segment have the wrong size");
    for (std::size_t s = 0; s < run.segment_series.size(); ++s)
      copy_series(all.data() + at + 2 + per_task + s * per_task, run.segment_series[s]);
    at += per_task + 2 + segment_values;
  }
  if (std::count(seen.begin(), seen.end(), 1) != tasks) throw std::runtime_error("MPI: tasks are missing");
  Reader in{all_columns.data(), all_columns.data() + all_columns.size()};
  while (in.p < in.end) {
    const int index = in.get<std::int32_t>();
    if (index < 0 || index >= tasks) throw std::runtime_error("MPI: customer columns out of range");
    result.runs[static_cast<std::size_t>(index % runs)].customers[static_cast<std::size_t>(index / runs)] =
        get_columns(in);
  }
  Reader tables{all_episodes.data(), all_episodes.data() + all_episodes.size()};
  while (tables.p < tables.end) {
    const int index = tables.get<std::int32_t>();
    if (index < 0 || index >= tasks) throw std::runtime_error("MPI: an episode table out of range");
    std::vector<EpisodeTable>& of_run = result.runs[static_cast<std::size_t>(index % runs)].episodes;
    if (of_run.size() <= static_cast<std::size_t>(index / runs))
      throw std::runtime_error("MPI: an episode table for a run without run.episodes");
    of_run[static_cast<std::size_t>(index / runs)] = get_episodes(tables);
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.stats.threads = threads;
  result.stats.seconds_simulating = seconds;
  result.stats.seconds_total = seconds;
  result.stats.customer_days = total;
  result.stats.step = {times[0], times[1], times[2], times[3], times[4]};
  return result;
}

}  // namespace cxsim::mpi
