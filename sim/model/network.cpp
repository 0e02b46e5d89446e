#include "model/network.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <climits>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "core/errors.hpp"
#include "core/fork_join.hpp"
#include "core/huge_pages.hpp"
#include "model/partition.hpp"

namespace cxsim {

namespace {

// Polled between blocks of a generator's work (a dense graph takes minutes): Cancelled once
// `cancel` (may be null) is set, so that SIGINT and SIGTERM end a run during its network build too.
void stop_if_cancelled(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load(std::memory_order_relaxed)) throw Cancelled();
}

// Sorts every row of a CSR graph, rows in parallel (they are independent: same result).
void sort_rows(Network& net) {
  const auto rows = static_cast<std::uint32_t>(net.offsets.size() - 1);
  fork_join::parallel_for(tbb::blocked_range<std::uint32_t>(0, rows, 1 << 12), [&](const auto& r) {
    for (std::uint32_t i = r.begin(); i < r.end(); ++i)
      std::sort(net.targets.begin() + static_cast<std::ptrdiff_t>(net.offsets[i]),
                net.targets.begin() + static_cast<std::ptrdiff_t>(net.offsets[i + 1]));
  });
}

// Builds CSR in two passes over the same edges (count, then fill), so no per-member vectors and no
// copy of the edge list are needed. `for_each_edge(visit)` calls visit(a, b) once per undirected
// tie, identically on both calls, such that every row fills in increasing order. The offsets
// double as fill cursors: after filling, offsets[i] has moved to the end of row i, i.e. the start
// of row i + 1, and one shift restores them. Only the rows of members [first, first + count) are
// kept (a rank's share of a partitioned run; by default everyone's).
template <class ForEachEdge>
Network build_csr(std::uint32_t n, ForEachEdge&& for_each_edge, std::uint32_t first = 0,
                  std::uint32_t count = UINT32_MAX) {
  count = std::min(count, n - first);
  Network net;
  net.size = n;
  net.first = first;
  net.offsets.assign(static_cast<std::size_t>(count) + 1, 0);
  auto& off = net.offsets;
  const auto held = [&](std::uint32_t a) { return a - first < count; };  // unsigned: a >= first too
  for_each_edge([&](std::uint32_t a, std::uint32_t b) {
    if (held(a)) ++off[a - first + 1];
    if (held(b)) ++off[b - first + 1];
  });
  std::partial_sum(off.begin(), off.end(), off.begin());
  net.targets.resize(off[count]);
  for_each_edge([&](std::uint32_t a, std::uint32_t b) {
    if (held(a)) net.targets[off[a - first]++] = b;
    if (held(b)) net.targets[off[b - first]++] = a;
  });
  std::copy_backward(off.begin(), off.end() - 1, off.end());
  off[0] = 0;
  return net;
}

// The same for edges listed by index, edge(e) for e < m, which lets both passes ask for the
// memory of a tie's far end well before they need it: with rewired or preferential ties, the far
// ends are scattered over the member arrays, and each look-up would otherwise wait for memory.
template <class Edge>
Network build_csr_indexed(std::uint32_t n, std::uint64_t m, Edge&& edge) {
  constexpr std::uint64_t kAhead = 16;
  Network net;
  net.size = n;
  reserve_huge(net.offsets, static_cast<std::size_t>(n) + 1);
  net.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  auto& off = net.offsets;
  for (std::uint64_t e = 0; e < m; ++e) {
    if (e + kAhead < m) {
      const auto [a, b] = edge(e + kAhead);
      __builtin_prefetch(&off[a + 1], 1);
      __builtin_prefetch(&off[b + 1], 1);
    }
    const auto [a, b] = edge(e);
    ++off[a + 1];
    ++off[b + 1];
  }
  std::partial_sum(off.begin(), off.end(), off.begin());
  reserve_huge(net.targets, off[n]);
  net.targets.resize(off[n]);
  for (std::uint64_t e = 0; e < m; ++e) {
    if (e + kAhead < m) {
      const auto [a, b] = edge(e + kAhead);
      __builtin_prefetch(&off[a], 1);
      __builtin_prefetch(&off[b], 1);
    }
    if (e + kAhead / 2 < m) {  // the cursors asked for above have arrived: now their slots
      const auto [a, b] = edge(e + kAhead / 2);
      __builtin_prefetch(&net.targets[std::min(off[a], off[n] - 1)], 1);
      __builtin_prefetch(&net.targets[std::min(off[b], off[n] - 1)], 1);
    }
    const auto [a, b] = edge(e);
    net.targets[off[a]++] = b;
    net.targets[off[b]++] = a;
  }
  std::copy_backward(off.begin(), off.end() - 1, off.end());
  off[0] = 0;
  sort_rows(net);
  return net;
}

std::string population_text(std::uint32_t n) {
  if (n == 0) return "the population is empty";
  return "the population has " + std::to_string(n) + " members (ids 0.." + std::to_string(n - 1) + ")";
}

Stream member_stream(RngKey key, std::uint32_t member) {
  return Stream(key, Purpose::network, member, 0);
}

void check_mean_degree(const NetworkSpec& spec, std::uint32_t n, bool must_be_even) {
  const std::int64_t k = spec.mean_degree;
  if (k < 0) throw InputError("must be >= 0, got " + std::to_string(k), "", 0, 0, "network.mean_degree");
  if (k > 0 && k >= static_cast<std::int64_t>(n))
    throw InputError(
        "must be below the population (" + std::to_string(n) + " members), got " + std::to_string(k), "", 0,
        0, "network.mean_degree");
  if (must_be_even && k % 2 != 0)
    throw InputError("must be even for " + std::string(choice_name(spec.kind)) +
                         " networks (k/2 neighbours on each side), got " + std::to_string(k),
                     "", 0, 0, "network.mean_degree");
}

// The tie slots of a ring lattice under Watts-Strogatz rewiring. Member a owns k/2 = h ties, slot
// s at first to (a + s + 1) mod n; rewiring moves some slots' far ends elsewhere. Every tie has
// exactly one owner, so "are a and b tied?" is a look at a's and b's h slots: O(k) per rewiring,
// cheaper than a hash set of ties for social degrees and with no memory beyond the slots.
//
// Only the moved slots are stored (every member's slots would be 4 h bytes a member, on every rank
// of a partitioned run, while the network is built): one bit per slot (moved or not) and the moved
// slots' far ends, member after member in slot order, with where each block of kBlock members
// starts among them. At the rewiring probability p that is about h/8 + 0.5 + 4 p h bytes a member:
// 3.1 at k = 10 and p = 0.1, where every slot and degree took 4 h + 4 = 24; at p = 1 about as
// much as that (4 h + 5, with the degrees that dense rewiring needs, below).
//
// Rewiring visits the members in order and moves only the slots of the member it is at (in
// increasing slot order): a member's moved far ends are appended when it is visited (begin(u),
// then move(u, s, w)), so the members after it have none yet.
class TieSlots {
 public:
  TieSlots(std::uint32_t n, std::uint32_t h)
      : n_(n),
        h_(h),
        bits_((std::uint64_t{n} * h + 63) / 64, 0),
        start_((std::uint64_t{n} + kBlock - 1) / kBlock, 0) {}

  std::uint32_t far(std::uint32_t a, std::uint32_t s) const {
    return moved(a, s) ? moved_[first_moved(a) + count_bits(bit(a, 0), bit(a, s))] : lattice_end(a, s);
  }
  /// Whether a owns a tie to b.
  bool owns(std::uint32_t a, std::uint32_t b) const {
    const std::uint32_t d = b >= a ? b - a : b + (n_ - a);  // lattice slot d - 1, if d in [1, h]
    if (d >= 1 && d <= h_ && !moved(a, d - 1)) return true;
    const std::uint64_t count = count_bits(bit(a, 0), bit(a, h_));
    if (count == 0) return false;
    const std::uint32_t* const w = moved_.data() + first_moved(a);
    return std::find(w, w + count, b) != w + count;
  }
  /// Member u is the next one visited.
  void begin(std::uint32_t u) {
    if (u % kBlock == 0) start_[u / kBlock] = moved_.size();
  }
  /// Moves slot s of the member visited (slots in increasing order) to w.
  void move(std::uint32_t u, std::uint32_t s, std::uint32_t w) {
    const std::uint64_t b = bit(u, s);
    bits_[b / 64] |= std::uint64_t{1} << (b % 64);
    moved_.push_back(w);
  }
  std::uint64_t moves() const { return moved_.size(); }
  void prefetch(std::uint32_t a) const {
    __builtin_prefetch(&bits_[bit(a, 0) / 64]);
    __builtin_prefetch(&start_[a / kBlock]);
  }
  std::uint32_t lattice_end(std::uint32_t a, std::uint32_t s) const {
    return static_cast<std::uint32_t>((std::uint64_t{a} + s + 1) % n_);
  }
  bool moved(std::uint32_t a, std::uint32_t s) const {
    const std::uint64_t b = bit(a, s);
    return (bits_[b / 64] >> (b % 64)) & 1;
  }
  /// Calls f(a, s, w) for every moved slot, member after member, slot after slot.
  template <class F>
  void each_moved(F&& f) const {
    std::uint64_t k = 0;  // the far ends are in bit order
    for (std::uint64_t word = 0; word < bits_.size(); ++word)
      for (std::uint64_t m = bits_[word]; m != 0; m &= m - 1) {
        const std::uint64_t b = word * 64 + static_cast<std::uint64_t>(std::countr_zero(m));
        f(static_cast<std::uint32_t>(b / h_), static_cast<std::uint32_t>(b % h_), moved_[k++]);
      }
  }
  /// Members' numbers of ties now: h own slots, the lattice ties into the member not moved away,
  /// the moved ties that end at it. `degree` has n entries.
  void degrees(std::vector<std::uint32_t>& degree) const {
    degree.assign(n_, 2 * h_);
    each_moved([&](std::uint32_t a, std::uint32_t s, std::uint32_t w) {
      --degree[lattice_end(a, s)];
      ++degree[w];
    });
  }

 private:
  static constexpr std::uint32_t kBlock = 16;
  std::uint64_t bit(std::uint32_t a, std::uint32_t s) const { return std::uint64_t{a} * h_ + s; }
  /// Set bits in [lo, hi).
  std::uint64_t count_bits(std::uint64_t lo, std::uint64_t hi) const {
    std::uint64_t count = 0;
    while (lo < hi) {
      const std::uint64_t word = bits_[lo / 64] >> (lo % 64);
      const std::uint64_t take = std::min<std::uint64_t>(64 - lo % 64, hi - lo);
      count += static_cast<std::uint64_t>(
          std::popcount(take == 64 ? word : word & ((std::uint64_t{1} << take) - 1)));
      lo += take;
    }
    return count;
  }
  /// Index of member a's first moved far end in moved_ (a visited already).
  std::uint64_t first_moved(std::uint32_t a) const {
    const std::uint32_t block = a / kBlock;
    return start_[block] + count_bits(bit(block * kBlock, 0), bit(a, 0));
  }

  std::uint32_t n_, h_;
  std::vector<std::uint64_t> bits_;   ///< bit a h + s: slot s of member a moved
  std::vector<std::uint64_t> start_;  ///< per block of kBlock members: its first moved far end
  std::vector<std::uint32_t> moved_;  ///< the moved slots' far ends, member after member
};

// Watts-Strogatz rewiring. The rule, sequential in member order because whether a far end is free
// depends on earlier rewirings: member u, slot by slot, draws from its own stream whether the slot
// moves (probability `rewiring`) and, unless u is tied to everyone, picks new far ends w until one
// is neither u nor tied to u. So the graph is a pure function of (spec, n, key).
//
// Most of the time goes to drawing and to waiting for the picked members' slots in memory, so the
// rule runs in two steps per block of members, with the same result: first, in parallel, every
// member's draws as if no pick were refused; then, in order, the picks are applied, each member's
// slots fetched a few members ahead. A refused pick (rare: the graph is sparse) or a member tied to
// everyone replays that member's stream exactly from there.
//
// "Tied to everyone" needs the member's degree, which is at most 2h plus the moves so far: while
// that is below n - 1 nobody can be, and no degrees are kept. Past it (tiny or dense graphs only)
// the degrees are counted once and then followed move by move.
void rewire(TieSlots& slots, std::uint32_t n, std::uint32_t h, RngKey key, double rewiring,
            const std::atomic<bool>* cancel) {
  if (h == 0) return;
  std::vector<std::uint32_t> degree;  // empty until needed
  const auto everyone = [&](std::uint32_t u) {
    if (degree.empty()) {
      if (2 * std::uint64_t{h} + slots.moves() < std::uint64_t{n} - 1) return false;
      slots.degrees(degree);
    }
    return degree[u] >= n - 1;
  };
  const auto refused = [&](std::uint32_t u, std::uint32_t w) {
    return w == u || slots.owns(u, w) || slots.owns(w, u);
  };
  const auto move = [&](std::uint32_t u, std::uint32_t s, std::uint32_t w) {
    if (!degree.empty()) {
      --degree[slots.lattice_end(u, s)];
      ++degree[w];
    }
    slots.move(u, s, w);
  };
  // The rule itself, for member u from slot `from` on, with u's stream positioned there.
  const auto exact = [&](std::uint32_t u, std::uint32_t from, Stream& rng) {
    for (std::uint32_t s = from; s < h; ++s) {
      if (!rng.bernoulli(rewiring)) continue;
      if (everyone(u)) continue;  // tied to everyone: nowhere to go
      std::uint32_t w = 0;
      do {
        w = static_cast<std::uint32_t>(rng.below(n));
      } while (refused(u, w));
      move(u, s, w);
    }
  };

  struct Pick {
    std::uint32_t slot, w;
  };
  // Blocks of 2^16 picks (512 KB, in the L2 cache, and touched once: filling more memory costs
  // page faults, 23 ms for the 8 MB of 2^20 picks on the machines of docs/performance.md).
  const std::uint32_t block = std::min(n, std::max<std::uint32_t>(1, (1u << 16) / h));
  std::vector<Pick> picks(static_cast<std::size_t>(block) * h);  // member k of the block: [k * h, + count[k])
  std::vector<std::uint32_t> count(block);
  constexpr std::uint32_t kAhead = 8;
  for (std::uint32_t lo = 0; lo < n; lo += block) {
    stop_if_cancelled(cancel);
    const std::uint32_t hi = lo + std::min(block, n - lo);
    fork_join::parallel_for(tbb::blocked_range<std::uint32_t>(lo, hi, 1024), [&](const auto& r) {
      for (std::uint32_t u = r.begin(); u < r.end(); ++u) {
        Stream rng = member_stream(key, u);
        Pick* out = &picks[static_cast<std::size_t>(u - lo) * h];
        std::uint32_t c = 0;
        for (std::uint32_t s = 0; s < h; ++s)
          if (rng.bernoulli(rewiring)) out[c++] = {s, static_cast<std::uint32_t>(rng.below(n))};
        count[u - lo] = c;
      }
    });
    for (std::uint32_t u = lo; u < hi; ++u) {
      slots.begin(u);
      if (u + kAhead < hi) {
        const std::uint32_t v = u + kAhead - lo;
        for (std::uint32_t k = 0; k < count[v]; ++k)
          slots.prefetch(picks[static_cast<std::size_t>(v) * h + k].w);
      }
      const Pick* mine = &picks[static_cast<std::size_t>(u - lo) * h];
      const std::uint32_t c = count[u - lo];
      if (c == 0) continue;
      if (everyone(u)) {  // no pick is drawn at all: replay u from the start
        Stream rng = member_stream(key, u);
        exact(u, 0, rng);
        continue;
      }
      for (std::uint32_t k = 0; k < c; ++k) {
        if (!refused(u, mine[k].w)) {
          move(u, mine[k].slot, mine[k].w);
          continue;
        }
        // Refused: u's stream so far drew one word per slot up to this one and one per pick.
        Stream rng = member_stream(key, u);
        for (std::uint64_t d = 0; d < std::uint64_t{mine[k].slot} + 1 + k + 1; ++d) rng();
        std::uint32_t w = 0;
        do {
          w = static_cast<std::uint32_t>(rng.below(n));
        } while (refused(u, w));
        move(u, mine[k].slot, w);
        exact(u, mine[k].slot + 1, rng);
        break;
      }
    }
  }
}

// Members [first, first + count) in one part a thread: part k holds [start(k), start(k + 1)).
struct ThreadParts {
  std::uint32_t first, count;
  std::uint32_t size = static_cast<std::uint32_t>(std::max(1, tbb::this_task_arena::max_concurrency()));
  std::uint32_t start(std::uint32_t part) const {
    return first + static_cast<std::uint32_t>(std::uint64_t{count} * part / size);
  }
};

// Ring lattice, then (Watts-Strogatz) each tie's far end moved with probability `rewiring`.
// Only the rows of members [first, first + count) are filled (the slots of everyone are needed for
// them: a rewired tie may end anywhere).
Network lattice(const NetworkSpec& spec, std::uint32_t n, RngKey key, double rewiring, std::uint32_t first,
                std::uint32_t count, const std::atomic<bool>* cancel) {
  count = std::min(count, n - first);
  const auto h = static_cast<std::uint32_t>(spec.mean_degree / 2);
  TieSlots slots(n, h);
  if (rewiring > 0) rewire(slots, n, h, key, rewiring, cancel);

  // CSR from the owners' slots. Row i holds i's own far ends, the lattice ties into i not moved
  // away and the moved ties that end at i; the degrees of the block follow, so the offsets do.
  // Each part of the members fills its own rows: their own slots and the lattice ties into them,
  // then a pass over the moved slots for those that end in the part. Rows are sorted at the end,
  // so the result is the one of build_csr.
  std::vector<std::uint32_t> degree(count, 2 * h);
  slots.each_moved([&](std::uint32_t a, std::uint32_t s, std::uint32_t w) {
    const std::uint32_t end = slots.lattice_end(a, s);
    if (end - first < count) --degree[end - first];
    if (w - first < count) ++degree[w - first];
  });
  Network net;
  net.size = n;
  net.first = first;
  reserve_huge(net.offsets, static_cast<std::size_t>(count) + 1);
  net.offsets.resize(static_cast<std::size_t>(count) + 1);
  net.offsets[0] = 0;
  for (std::uint32_t k = 0; k < count; ++k) net.offsets[k + 1] = net.offsets[k] + degree[k];
  degree = {};
  reserve_huge(net.targets, net.offsets[count]);
  net.targets.resize(net.offsets[count]);
  const ThreadParts parts{first, count};
  fork_join::parallel_for(std::uint32_t{0}, parts.size, [&](std::uint32_t part) {
    const std::uint32_t lo = parts.start(part), hi = parts.start(part + 1);
    std::vector<std::uint64_t> cursor(net.offsets.begin() + (lo - first), net.offsets.begin() + (hi - first));
    for (std::uint32_t i = lo; i < hi; ++i)
      for (std::uint32_t s = 0; s < h; ++s) {
        net.targets[cursor[i - lo]++] = slots.far(i, s);
        // The tie that member i - s - 1 owns in slot s ends at i unless it moved.
        const auto owner = static_cast<std::uint32_t>((std::uint64_t{i} + n - s - 1) % n);
        if (!slots.moved(owner, s)) net.targets[cursor[i - lo]++] = owner;
      }
    slots.each_moved([&](std::uint32_t a, std::uint32_t, std::uint32_t w) {
      if (w >= lo && w < hi) net.targets[cursor[w - lo]++] = a;
    });
  });
  sort_rows(net);
  return net;
}

// G(n, p): member i's ties to higher ids are drawn from i's own stream by geometric skipping
// (Batagelj & Brandes 2005): the gap to the next tie is Geometric(p), so a row costs one draw
// plus one per tie.
struct ErdosRenyiDraws {
  std::uint32_t n;
  RngKey key;
  double p, log_q;
  ErdosRenyiDraws(const NetworkSpec& spec, std::uint32_t n_, RngKey key_)
      : n(n_),
        key(key_),
        p(n_ > 1 ? static_cast<double>(spec.mean_degree) / (n_ - 1) : 0.0),
        log_q(std::log1p(-p)) {}  // -inf when p == 1: every gap is 0
  /// visit(j) for member i's ties to higher ids, j ascending.
  template <class Visit>
  void ties_of(std::uint32_t i, Visit&& visit) const {
    if (p <= 0) return;
    Stream rng = member_stream(key, i);
    double j = i;
    while (true) {
      const double u = 1.0 - rng.uniform();  // (0, 1]: log is finite
      const double gap = p >= 1 ? 0.0 : std::floor(std::log(u) / log_q);
      j += 1.0 + gap;
      if (j >= n) break;
      visit(static_cast<std::uint32_t>(j));
    }
  }
};

// The rows of members [first, first + count), filled by the threads in parts: most of the time is
// the scattered writes into the rows, so each thread fills a part of the rows alone.
// each_tie(lo, hi, visit) calls visit(a, b) for the ties with an end in rows [lo, hi), the same
// on both calls (count, then fill), so that every row fills in increasing order.
template <class EachTie>
Network rows_in_parts(std::uint32_t n, std::uint32_t first, std::uint32_t count, EachTie&& each_tie) {
  const ThreadParts parts{first, count};
  const auto each_part = [&](auto&& visit) {  // visit(row, far end) for each tie end in the part
    fork_join::parallel_for(std::uint32_t{0}, parts.size, [&](std::uint32_t part) {
      const std::uint32_t lo = parts.start(part), hi = parts.start(part + 1);
      const auto in = [&](std::uint32_t a) { return a - lo < hi - lo; };  // unsigned: a >= lo too
      each_tie(lo, hi, [&](std::uint32_t a, std::uint32_t b) {
        if (in(a)) visit(a, b);
        if (in(b)) visit(b, a);
      });
    });
  };
  Network net;
  net.size = n;
  net.first = first;
  reserve_huge(net.offsets, static_cast<std::size_t>(count) + 1);
  net.offsets.assign(static_cast<std::size_t>(count) + 1, 0);
  auto& off = net.offsets;
  each_part([&](std::uint32_t a, std::uint32_t) { ++off[a - first + 1]; });
  std::partial_sum(off.begin(), off.end(), off.begin());
  reserve_huge(net.targets, off[count]);
  net.targets.resize(off[count]);
  each_part([&](std::uint32_t a, std::uint32_t b) { net.targets[off[a - first]++] = b; });
  std::copy_backward(off.begin(), off.end() - 1, off.end());
  off[0] = 0;
  return net;
}

// The whole graph's rows of members [first, first + count). Both passes replay the same streams
// instead of storing the edges: each part replays every member below its part's end (member i's
// ties go to higher ids, so members from its end on have none there). Rows arrive sorted (row x
// receives lower ids while members < x are replayed, then its own).
Network erdos_renyi(const NetworkSpec& spec, std::uint32_t n, RngKey key, std::uint32_t first,
                    std::uint32_t count, const std::atomic<bool>* cancel) {
  const ErdosRenyiDraws draws(spec, n, key);
  return rows_in_parts(n, first, std::min(count, n - first),
                       [&](std::uint32_t, std::uint32_t hi, auto&& visit) {
                         for (std::uint32_t i = 0; i + 1 < n && i < hi; ++i) {
                           if (i % 4096 == 0) stop_if_cancelled(cancel);
                           draws.ties_of(i, [&](std::uint32_t j) { visit(i, j); });
                         }
                       });
}

// Preferential attachment with the repeated-endpoints list: the list holds both endpoints of every
// tie, so a uniform pick from it picks a member with probability proportional to degree. Starts
// from a complete core of m + 1 members; newcomer t ties to m distinct members chosen from the
// list as it was before t arrived, with draws from t's own stream. The list is also the edge list.
// Past the core, tie e of the list is (t, x) with t = m + 1 + (e - core ties) / m: only the x are
// stored (4 bytes a tie, not 8: with the members' marks, 4 (m + 1) bytes a member while the graph
// is built, on every rank of a partitioned run).
// The rows of members [first, first + count): the preferential attachment runs over everyone (it is
// sequential), but only the block's rows are built from its ties.
Network barabasi_albert(const NetworkSpec& spec, std::uint32_t n, RngKey key, std::uint32_t first,
                        std::uint32_t count, const std::atomic<bool>* cancel) {
  if (spec.ba_m < 1 || spec.ba_m >= static_cast<std::int64_t>(n))
    throw InputError("must be between 1 and the population - 1 (" + std::to_string(n) + " members), got " +
                         std::to_string(spec.ba_m),
                     "", 0, 0, "network.ba_m");
  const auto m = static_cast<std::uint32_t>(spec.ba_m);
  std::vector<std::uint32_t> core;  // the core's ties, both endpoints each
  for (std::uint32_t a = 0; a <= m; ++a)
    for (std::uint32_t b = a + 1; b <= m; ++b) core.insert(core.end(), {a, b});
  const std::uint64_t core_ends = core.size();
  std::vector<std::uint32_t> chosen;  // newcomer t's r-th tie ends at chosen[(t - m - 1) m + r]
  chosen.reserve(std::uint64_t{n - m - 1} * m);
  const auto newcomer = [&](std::uint64_t e) { return static_cast<std::uint32_t>(m + 1 + e / m); };
  // Endpoint j of the list: the core's, then (newcomer, chosen) pair after pair.
  const auto endpoint = [&](std::uint64_t j) {
    if (j < core_ends) return core[j];
    const std::uint64_t k = j - core_ends;
    return k % 2 == 0 ? newcomer(k / 2) : chosen[k / 2];
  };

  std::vector<std::uint32_t> chosen_by(n, 0);  // chosen_by[x] == t + 1: t already tied to x
  for (std::uint32_t t = m + 1; t < n; ++t) {
    if (t % 4096 == 0) stop_if_cancelled(cancel);
    Stream rng = member_stream(key, t);
    const std::uint64_t pool = core_ends + 2 * chosen.size();
    for (std::uint32_t r = 0; r < m; ++r) {
      std::uint32_t x = 0;
      do {
        x = endpoint(rng.below(pool));
      } while (chosen_by[x] == t + 1);
      chosen_by[x] = t + 1;
      chosen.push_back(x);
    }
  }
  chosen_by = {};

  const std::uint64_t core_ties = core_ends / 2;
  const auto tie = [&](std::uint64_t e) {
    return e < core_ties ? std::pair{core[2 * e], core[2 * e + 1]}
                         : std::pair{newcomer(e - core_ties), chosen[e - core_ties]};
  };
  if (first == 0 && count == n) return build_csr_indexed(n, core_ties + chosen.size(), tie);
  Network rows = build_csr(
      n,
      [&](auto&& visit) {
        for (std::uint64_t e = 0; e < core_ties + chosen.size(); ++e) {
          const auto [a, b] = tie(e);
          visit(a, b);
        }
      },
      first, count);
  sort_rows(rows);
  return rows;
}

}  // namespace

double Network::mean_degree() const {
  if (size == 0) return 0.0;
  if (complete) return static_cast<double>(size - 1);
  return static_cast<double>(targets.size()) / size;
}

Network generate_network(const NetworkSpec& spec, std::uint32_t n, RngKey key,
                         const std::atomic<bool>* cancel) {
  return generate_network_rows(spec, n, key, 0, n, cancel);
}

Network generate_network_rows(const NetworkSpec& spec, std::uint32_t n, RngKey key, std::uint32_t first,
                              std::uint32_t count, const std::atomic<bool>* cancel) {
  if (std::uint64_t{first} + count > n)
    throw std::invalid_argument("generate_network_rows: the block is not inside the population");
  switch (spec.kind) {
    case NetworkKind::complete: {
      Network net;
      net.size = n;
      net.complete = true;
      return net;
    }
    case NetworkKind::ring:
      check_mean_degree(spec, n, true);
      return lattice(spec, n, key, 0.0, first, count, cancel);
    case NetworkKind::watts_strogatz:
      check_mean_degree(spec, n, true);
      if (!(spec.rewiring >= 0 && spec.rewiring <= 1))
        throw InputError("must be a probability in [0, 1], got " + std::to_string(spec.rewiring), "", 0, 0,
                         "network.rewiring");
      return lattice(spec, n, key, spec.rewiring, first, count, cancel);
    case NetworkKind::erdos_renyi:
      check_mean_degree(spec, n, false);
      return erdos_renyi(spec, n, key, first, count, cancel);
    case NetworkKind::barabasi_albert:  // sequential over everyone's ties, then the block's rows
      return barabasi_albert(spec, n, key, first, count, cancel);
    case NetworkKind::edge_list:
      break;
  }
  throw InputError("an edge-list network is read from network.edge_list, not generated", "", 0, 0,
                   "network.kind");
}

DrawnTies erdos_renyi_drawn(const NetworkSpec& spec, std::uint32_t n, RngKey key, const Blocks& blocks,
                            int rank) {
  check_mean_degree(spec, n, false);
  const ErdosRenyiDraws draws(spec, n, key);
  const std::uint32_t first = blocks.first(rank), count = blocks.count(rank);
  const auto ranks = static_cast<std::size_t>(blocks.ranks());
  // Two passes over the block's draws by the threads in parts (count, then fill): the ties of
  // part k to rank r go after those of the parts before k, so each group keeps the drawing order.
  const ThreadParts parts{first, count};
  std::vector<std::uint64_t> at(std::size_t{parts.size} * ranks, 0);  // part-major cursors
  const auto each_part = [&](auto&& visit) {
    fork_join::parallel_for(std::uint32_t{0}, parts.size, [&](std::uint32_t part) {
      const std::uint32_t lo = parts.start(part), hi = parts.start(part + 1);
      std::uint64_t* const cursor = at.data() + std::size_t{part} * ranks;
      for (std::uint32_t i = lo; i < hi; ++i)
        draws.ties_of(
            i, [&](std::uint32_t j) { visit(cursor[static_cast<std::size_t>(blocks.owner(j))]++, i, j); });
    });
  };
  each_part([](std::uint64_t, std::uint32_t, std::uint32_t) {});
  DrawnTies drawn;
  drawn.per_rank.assign(ranks, 0);
  std::uint64_t total = 0;
  for (std::size_t r = 0; r < ranks; ++r)
    for (std::uint32_t part = 0; part < parts.size; ++part) {
      std::uint64_t& c = at[std::size_t{part} * ranks + r];
      drawn.per_rank[r] += c;
      c = std::exchange(total, total + c);
    }
  drawn.ties.resize(total);
  each_part([&](std::uint64_t k, std::uint32_t i, std::uint32_t j) { drawn.ties[k] = {i, j}; });
  return drawn;
}

Network erdos_renyi_rows(std::uint32_t n, std::uint32_t first, std::uint32_t count,
                         const std::vector<Tie>& drawn_below, const DrawnTies& drawn) {
  if (std::uint64_t{first} + count > n)
    throw std::invalid_argument("erdos_renyi_rows: the block is not inside the population");
  // Row x receives the earlier ranks' members' ties (drawer ascending), then those its block's
  // members below x draw, then x's own (far end ascending: its block's, then each later rank's).
  return rows_in_parts(n, first, count, [&](std::uint32_t, std::uint32_t, auto&& visit) {
    for (const Tie& t : drawn_below) visit(t.drawer, t.far);
    for (const Tie& t : drawn.ties) visit(t.drawer, t.far);
  });
}

Network network_from_edges(std::uint32_t n, std::vector<std::pair<std::uint32_t, std::uint32_t>> edges,
                           std::uint32_t first, std::uint32_t count) {
  for (std::size_t e = 0; e < edges.size(); ++e) {
    const auto [a, b] = edges[e];
    if (a >= n || b >= n)
      throw InputError("tie " + std::to_string(e + 1) + " (" + std::to_string(a) + ", " + std::to_string(b) +
                           ") names member id " + std::to_string(std::max(a, b)) + ", but " +
                           population_text(n),
                       "", 0, 0, "network.edge_list");
  }
  std::erase_if(edges, [](const auto& e) { return e.first == e.second; });
  for (auto& [a, b] : edges)
    if (a > b) std::swap(a, b);
  std::sort(edges.begin(), edges.end());
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  // Sorted (a < b) pairs fill every row in increasing order, as in erdos_renyi.
  return build_csr(
      n,
      [&](auto&& visit) {
        for (const auto& [a, b] : edges) visit(a, b);
      },
      first, count);
}

double clustering_coefficient(const Network& net) {
  const std::uint32_t n = net.size;
  if (n == 0) return 0.0;
  if (net.complete) return n >= 3 ? 1.0 : 0.0;
  // Mark i's neighbours with stamp i + 1, then count marked members in each neighbour's row:
  // every tie among i's neighbours is seen twice. O(sum of squared degrees).
  std::vector<std::uint32_t> mark(n, 0);
  double sum = 0.0;
  for (std::uint32_t i = 0; i < n; ++i) {
    const auto row = net.ties(i);
    const std::uint64_t d = row.size();
    if (d < 2) continue;
    for (auto a : row) mark[a] = i + 1;
    std::uint64_t twice_links = 0;
    for (auto a : row)
      for (auto b : net.ties(a)) twice_links += (mark[b] == i + 1);
    sum += static_cast<double>(twice_links) / static_cast<double>(d * (d - 1));
  }
  return sum / n;
}

std::vector<std::uint64_t> degree_histogram(const Network& net) {
  if (net.size == 0) return {};
  if (net.complete) {
    std::vector<std::uint64_t> hist(net.size, 0);
    hist[net.size - 1] = net.size;
    return hist;
  }
  std::vector<std::uint64_t> hist;
  for (std::uint32_t i = 0; i < net.size; ++i) {
    const std::uint64_t d = net.offsets[i + 1] - net.offsets[i];
    if (d >= hist.size()) hist.resize(d + 1, 0);
    ++hist[d];
  }
  return hist;
}

std::uint64_t network_bytes(const Network& net) {
  return sizeof(Network) + net.offsets.capacity() * sizeof(std::uint64_t) +
         net.targets.capacity() * sizeof(std::uint32_t);
}

Network network_rows(const Network& net, std::uint32_t first, std::uint32_t count) {
  Network out;
  out.size = net.size;
  out.complete = net.complete;
  if (net.complete || net.offsets.empty()) return out;
  const std::uint64_t held = net.offsets.size() - 1;  // rows of members [net.first, net.first + held)
  if (first < net.first || std::uint64_t{first} + count > net.first + held)
    throw std::invalid_argument("network_rows: the network does not hold the block's rows");
  out.first = first;
  const std::uint32_t at = first - net.first;
  const std::uint64_t base = net.offsets[at];
  out.offsets.resize(static_cast<std::size_t>(count) + 1);
  for (std::uint32_t k = 0; k <= count; ++k) out.offsets[k] = net.offsets[at + k] - base;
  out.targets.assign(net.targets.begin() + static_cast<std::ptrdiff_t>(base),
                     net.targets.begin() + static_cast<std::ptrdiff_t>(net.offsets[at + count]));
  return out;
}

}  // namespace cxsim
