#pragma once
// One replication of the customer model: the daily step of docs/model.md.
//
// Each day runs in phases. Phase 1 is parallel over fixed chunks of customers; each customer
// writes only its own slots and proposes contacts and word-of-mouth messages into its chunk's
// buffers. The later phases merge those buffers in chunk order, so results never depend on the
// thread count or scheduling.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <functional>
#include <span>
#include <utility>
#include <vector>

#include <boost/random/poisson_distribution.hpp>

#include "core/params.hpp"
#include "core/results.hpp"
#include "core/rng.hpp"
#include "model/customers.hpp"
#include "model/episodes.hpp"
#include "model/network.hpp"
#include "model/touchpoint_table.hpp"
#include "service/contact_centre.hpp"

namespace cxsim {

/// A word-of-mouth message from one customer to another.
struct Message {
  enum Kind : std::uint8_t { recommendation, warning, good_story, bad_story };
  std::uint32_t target;
  Kind kind;
  std::uint16_t story = 0;  ///< stories: the story's tag
};

class PartitionLink;

class Model {
  friend struct ModelProbe;  ///< tests/unit/test_mechanisms.cpp: the mechanisms one by one

 public:
  /// @param network must outlive the model; its size must equal market.population
  Model(const Params& params, const Network& network, RngKey key);
  /// A partitioned run's share (docs/cluster.md): this rank's block of customers (link->blocks()),
  /// stepped together with the other ranks so that every rank's row of each day is the single
  /// process's, bit for bit. `network` needs only the block's rows (network_rows()); `link` must
  /// outlive the model.
  Model(const Params& params, const Network& network, RngKey key, PartitionLink& link);

  /// Receives a day's complete row of flows and stocks.
  using RowSink = std::function<void(std::int32_t day, std::span<const double, kMetricCount> row)>;

  /// Simulates day `day` (0-based, in order) and hands `done` the rows now complete, in day
  /// order. A partitioned run or one with output.by_segment completes each day's row the same
  /// day. Otherwise the stocks of up to kStockDays days are counted in one pass, so their rows
  /// come together: on the window's last day, on the run's last day (run.horizon_days) and
  /// before set_params(). The figures are the same as counted day by day, bit for bit.
  void step(std::int32_t day, const RowSink& done);

  /// Changes parameters from the next step on (an intervention). Only parameters declared
  /// intervenable may differ from the current ones; the caller checks that. Rows still waiting
  /// for their stocks are completed first, under the parameters of their days, and go to `done`.
  void set_params(const Params& params, const RowSink& done);
  const Params& params() const { return p_; }

  const Customers& customers() const { return c_; }

  /// Where the steps so far spent their time (a few clock reads a day).
  const StepTimes& step_times() const { return times_; }

  /// With output.by_segment: the last step's figures of each segment, [segment * kMetricCount +
  /// metric], the ratios per segment (contact-centre queue figures NaN); empty otherwise.
  std::span<const double> segment_rows() const { return segment_rows_; }

  /// The final state as named columns (attitude decayed to `day`): the customers held (this
  /// rank's block in a partitioned run).
  std::vector<CustomerColumn> customer_columns(std::int32_t day) const;

  /// The episode record so far (run.episodes), episodes still current completed as censored on
  /// `day`; empty when off. Call once, after the last step.
  /// In a partitioned run every rank calls it, and rank 0's table is the run's.
  EpisodeTable take_episodes(std::int32_t day);

  /// Bytes of state the model holds beyond its network: its customers and their tags of the
  /// stories last heard.
  std::uint64_t state_bytes() const;
  /// Bytes of state per customer held: the customer columns and record, and the two story tags
  /// heard (heard_).
  static constexpr std::uint64_t state_bytes_per_customer() {
    return Customers::bytes_per_customer() + sizeof(std::array<std::uint16_t, 2>);
  }

  /// Customers per chunk of the parallel phase (fixed: results must not depend on it varying).
  static constexpr std::uint32_t kChunk = 1u << 13;
  /// Days whose stocks one pass over the customers counts (count_window()).
  static constexpr std::int32_t kStockDays = 16;

 private:
  using Row = std::array<double, kMetricCount>;
  /// A chunk's active customers by tenure, for the cohort retention counts ("active today and
  /// already a customer 365 / 30 days ago"), kept up to date by adoptions and churns so that the
  /// daily count reads no adoption days. Whole numbers: the counts equal those of a scan exactly.
  struct Tenure {
    static constexpr std::int32_t kYear = kRetentionYearDays, kMonth = kRetentionMonthDays, kRing = kYear + 1;
    /// joined[d mod kRing]: active customers adopted on day d, for d in (counted - kYear, today]
    /// (day -1: the customers before day 0).
    std::array<std::int32_t, kRing> joined{};
    std::int64_t year = 0, month = 0;  ///< active customers adopted by day counted - kYear (- kMonth)
    std::int32_t counted = -1;         ///< the last day whose stocks were counted (-1: none yet)
    static std::size_t slot(std::int32_t d) { return static_cast<std::size_t>((d + kRing) % kRing); }
    void adopted(std::int32_t d) { ++joined[slot(d)]; }
    void churned(std::int32_t adopted_day) {
      if (adopted_day <= counted - kYear) {
        --year;
        --month;
        return;
      }
      --joined[slot(adopted_day)];
      if (adopted_day <= counted - kMonth) --month;
    }
    /// Day t's stocks (t = counted + 1): the cohorts of days t - 365 and t - 30 come of age.
    void count(std::int32_t t) {
      counted = t;
      if (t - kMonth >= -1) month += joined[slot(t - kMonth)];
      if (t - kYear >= -1) {
        year += joined[slot(t - kYear)];
        joined[slot(t - kYear)] = 0;  // the slot of day t + 1's adoptions
      }
    }
  };
  /// A teller of a partitioned run waiting for other ranks' story tags: its day's tellings are
  /// decided once the answers are in (resolve_tells()), and its messages then go in at `at`.
  struct PendingTell {
    std::uint32_t teller = 0;
    std::uint32_t at = 0;                                   ///< where its messages go in chunk.messages
    std::array<std::uint32_t, 2> asked_from{}, asked_to{};  ///< its questions in each round
    std::uint32_t late_from = 0, late_to = 0;               ///< once decided: its messages in chunk.late
    bool done = false;
  };
  /// What the daily stocks read of a customer.
  struct StockState {
    float attitude;
    std::int32_t attitude_day;
    Status status;
    Severity severity;
  };
  /// The first change, on the window's stock day `day`, of a customer's stock columns: its state
  /// before, which was its state at the end of that day's phase 1 (see note_change()).
  struct StockChange {
    std::uint32_t customer;
    std::int32_t day;
    StockState before;
  };
  /// A chunk's stocks of one day of the window, whole numbers and the attitude sum.
  struct StockFigures {
    std::array<double, 4> by_status;  ///< prospects, active, churned, rejecters
    double attitude = 0, promoters = 0, detractors = 0, open = 0;
  };
  struct Chunk {
    Row acc{};
    Tenure tenure;
    std::vector<Tenure> tenure_by_segment;  ///< output.by_segment: the same per segment
    std::vector<Contact> contacts;
    std::vector<Message> messages;
    std::vector<std::uint32_t> due;  ///< customers with something due today, in order
    std::vector<double> by_segment;  ///< output.by_segment: the day's counts per segment, all phases
    // A partitioned run: tellers whose listeners' story tags are on other ranks (resolve_tells()).
    std::vector<PendingTell> pending;
    std::array<std::vector<std::uint32_t>, 2> asked;    ///< questions of each round (a tag's index)
    std::array<std::vector<std::uint16_t>, 2> answers;  ///< their answers, in the same order
    std::vector<Message> late;                          ///< the pending tellers' messages, in order
    // Stocks counted over a window of days (count_window()).
    std::vector<StockChange> changes;    ///< this window's first changes, in the order made
    std::vector<std::uint64_t> changed;  ///< one bit a customer: changed on the current stock day
    std::array<StockFigures, kStockDays> window{};
  };
  /// How many customers ahead of its turn a customer's state is fetched from memory.
  static constexpr std::size_t kPrefetchAhead = 8;

  /// The market's population, checked against the network's size (both constructors).
  static std::uint32_t population_of(const Params& p, const Network& network);
  void derive_rates();
  void initialise();
  /// step() of a partitioned run (model/partition_step.hpp).
  void step_partitioned(std::int32_t day, std::span<double, kMetricCount> row);
  /// The rank that runs channel c's queue in a partitioned run (the chatbot: chat's).
  int queue_rank(Channel c) const;
  /// A first contact about a problem: what first-contact resolution is the share resolved of.
  static bool is_first_contact(const ContactOutcome& o) { return o.severity != 0 && !o.is_repeat; }
  /// The first contacts among `outcomes` and those resolved (whole numbers).
  static std::array<double, 2> count_first_contacts(std::span<const ContactOutcome> outcomes);
  /// The day's ratios from the summed counts (both kinds of step; on rank 0 when partitioned).
  void finish_row(std::int32_t t, Row& row, double first, double first_resolved);
  /// Adds the chunks' accumulators to `row` in chunk order (skip_zero: only nonzero ones), across
  /// the ranks in a partitioned run.
  void add_chunks(Row& row, bool skip_zero);
  /// The tag of the last story of the kind customer j (one held here) heard, as of the start of
  /// the day.
  std::uint16_t heard_story(std::uint32_t j, bool positive) const { return heard_[j][positive ? 0 : 1]; }
  std::uint16_t& heard_story(std::uint32_t j, bool positive) { return heard_[j][positive ? 0 : 1]; }
  /// Whether customer j is held here (everyone in a single process; the rank's block when partitioned).
  bool holds(std::uint32_t j) const { return j - c_.first < c_.size; }
  /// The customers [lo, hi) of chunks_[k] (this rank's k-th chunk in a partitioned run).
  std::pair<std::uint32_t, std::uint32_t> chunk_bounds(std::size_t k) const {
    const auto lo = static_cast<std::uint32_t>((first_chunk_ + k) * kChunk);
    return {lo, std::min<std::uint32_t>(population_, lo + kChunk)};
  }
  /// Phase 1 for customers [lo, hi): the due ones act, then everyone's stocks are counted.
  void run_chunk(Chunk& chunk, std::uint32_t lo, std::uint32_t hi, std::int32_t t);
  /// The chunks' Tenure of the initial customers (after initialise()).
  void start_tenure();
  /// Customer i of `chunk` adopted (churned) today: its chunk's Tenure follows.
  void count_adoption(Chunk& chunk, std::uint32_t i, std::int32_t t);
  void count_churn(Chunk& chunk, std::uint32_t i);
  void process_customer(std::uint32_t i, std::int32_t t, Chunk& chunk);
  /// The day customer i next needs process_customer, after its update on day t.
  std::int32_t next_wake(std::uint32_t i, std::int32_t t) const;
  /// Wakes customer i by `day` at the latest (after phases 3 and 4 changed it).
  void wake_by(std::uint32_t i, std::int32_t day) { c_.wake[i] = std::min(c_.wake[i], day); }
  /// Item indices grouped by the chunk of their customer: chunk c's are items[start[c] ..
  /// start[c + 1]), in order (cursor is by_chunk()'s scratch, kept to reuse its memory).
  struct Grouping {
    std::vector<std::uint32_t> start, cursor, items;
  };
  /// Groups the indices of `all` by the chunk of their item's customer (customer_of(item)), in
  /// order within a chunk (a stable counting sort).
  template <class Item, class CustomerOf>
  void by_chunk(const std::vector<Item>& all, CustomerOf&& customer_of, Grouping& into) const;
  /// Calls apply(item, acc) for the items of `all` grouped by by_chunk(), the chunks in parallel,
  /// then adds the chunks' counts to `row`. apply may change only the item's customer and count
  /// into acc.
  template <class Item, class CustomerOf, class Apply>
  void in_parallel_by_chunk(Row& row, const std::vector<Item>& all, const Grouping& grouped,
                            CustomerOf&& customer_of, Apply&& apply);
  /// in_parallel_by_chunk()'s work for chunk c.
  template <class Item, class CustomerOf, class Apply>
  void apply_by_chunk(std::size_t c, const std::vector<Item>& all, const Grouping& grouped,
                      CustomerOf&& customer_of, Apply&& apply);
  /// Asks the memory system for customer i's state, ahead of its turn.
  void prefetch(std::uint32_t i) const;
  /// For a message's listener j: its state and what deliver() writes besides (heard_, wake).
  void prefetch_listener(std::uint32_t j) const;
  /// Then for its row of ties (once the row's offsets have arrived).
  void prefetch_ties(std::uint32_t i) const;
  /// End-of-phase stocks of customers [lo, hi): counts by status, attitude, promoters.
  void count_stocks(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Row& acc) const;
  /// The cohort retention counts of day t, kept up to date by the chunk's Tenure.
  static void count_tenure(const Tenure& tenure, Row& acc);

  // Stocks counted over a window of days. Day t's stocks are the state at the end of its phase
  // 1. Rather than read every customer's columns each day (the largest memory stream of a day),
  // the days of a window are counted together at its end, from the state then and, for the few
  // customers changed meanwhile, the state each had before its first change of each day
  // (StockChange). A change in phase 3 or 4 of day t, or in phase 1 of day t + 1, is a change of
  // "stock day" t. Each day's attitude sum still adds the customers in order, so the figures
  // are those of count_stocks() day by day, bit for bit.
  /// Customer i's stock columns are about to change: records its state before, once a stock day.
  void note_change(std::uint32_t i) {
    if (window_ && stock_day_ >= window_first_) record_change(i);
  }
  void record_change(std::uint32_t i);
  /// The stocks of customers [lo, hi) on days first .. first + days - 1, into chunk.window;
  /// returns how many of them changed in the window.
  std::uint32_t count_window(Chunk& chunk, std::uint32_t lo, std::uint32_t hi, std::int32_t first,
                             std::int32_t days) const;
  /// Counts the waiting rows' stocks, finishes them and hands them to `done`, in day order.
  void complete_rows(const RowSink& done);
  /// A day's row waiting for its stocks, with what finish_row() needs besides.
  struct WaitingRow {
    Row row;
    double first = 0, first_resolved = 0;
  };
  void process_prospect(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void process_active(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void adopt(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void purchase(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void issue_cost(std::uint32_t i, std::int32_t t);
  void survey(std::uint32_t i, std::int32_t t, Row& acc);
  void talk(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void touchpoints(std::uint32_t i, std::int32_t t, Row& acc);
  /// The random draws of an order's touchpoints, one per row of touchpoint_types_.
  void draw_touchpoints(std::uint32_t i, std::int32_t t, std::span<TouchpointDraw> out) const;
  bool stays(std::uint32_t i, std::int32_t t);
  void open_issue(std::uint32_t i, std::int32_t t, Severity severity, float loss, bool notified);
  /// Proactive notification of a new problem: returns whether it reached the customer.
  bool notify(std::uint32_t i, std::int32_t t, int touchpoint, double detection, Row& acc);
  void close_issue(std::uint32_t i);
  /// Closes the open issue; `made_good` (0 to 1) of its loss was made good. It weighs on the next
  /// purchase decision, unless that decision weighed it while open (a switching trigger).
  void close_remembered(std::uint32_t i, double made_good);
  /// Resolves the open issue today: restores part of its loss, more when fast, and closes it.
  void resolve_issue(std::uint32_t i, std::int32_t t);
  void emit_contact(std::uint32_t i, std::int32_t t, Severity severity, bool repeat, std::uint8_t sub,
                    Chunk& chunk);
  void tell(std::uint32_t i, std::int32_t t, Chunk& chunk);
  /// Teller i's day: the listeners of its tellings, good story first, each stopping on a listener
  /// who knows it. known(j, positive) gives j's tag of the kind, or -1 when not known yet (then
  /// the telling goes on as if j did not know it, and the result is incomplete). Appends the
  /// messages to `out` (the good story's end at `sent_positive`), counts `left` down; returns
  /// whether every answer was known. Changes nothing else.
  template <class Known>
  bool tell_day(std::uint32_t i, std::int32_t t, Known&& known, std::vector<Message>& out,
                std::array<std::uint8_t, 2>& left, std::size_t& sent_positive) const;
  /// A teller's day is decided: its tellings left, its stories told (run.episodes).
  void told(std::uint32_t i, const std::array<std::uint8_t, 2>& left, std::size_t positive,
            std::size_t negative);
  /// A partitioned run: decides teller p's day with the answers of the first `answered` rounds of
  /// questions (0-2), appending its messages to `out`; when some listener's tag is still to be
  /// asked, asks it (in round `answered`), changes nothing and returns false.
  bool try_tell(Chunk& chunk, PendingTell& p, std::size_t answered, std::int32_t t,
                std::vector<Message>& out);
  /// A partitioned run, after phase 1: asks the other ranks for the tags the pending tellers need
  /// (two rounds: the good story's listeners, then the bad story's, whose draws follow where the
  /// good story stopped) and decides their day, their messages in their place.
  void resolve_tells(std::int32_t t);
  std::uint32_t pick_listener(std::uint32_t i, Stream& rng) const;
  std::uint32_t pick_story_listener(std::uint32_t i, std::uint8_t left, std::uint16_t story,
                                    Stream& rng) const;

  /// Applies disconfirmation x - E; may start a story. Returns the valued disconfirmation.
  double experience(std::uint32_t i, double x, Stream& rng, Row& acc);
  /// Starts story `tag` (0: a new story, its tag drawn from rng) with a Poisson audience.
  void start_story(std::uint32_t i, bool positive, double audience_mean, Stream& rng, Row& acc,
                   std::uint16_t tag = 0);
  void decay_attitude(std::uint32_t i, std::int32_t t);
  float attitude_at(std::uint32_t i, std::int32_t t) const;
  /// Attitude decays toward the segment's baseline lazily: a value recorded on one day is
  /// decayed when read. A small value type, so a loop can hold it in registers.
  struct Decay {
    const float* table;  ///< table[k] = exp(-k / memory_days), k < size
    std::size_t size;
    const float* baseline;  ///< per segment
    double memory_days;
    float operator()(float a, std::int32_t day, std::uint8_t segment, std::int32_t t) const {
      const std::int32_t elapsed = t - day;
      if (elapsed <= 0) return a;
      const float base = baseline[segment];
      const float factor = static_cast<std::size_t>(elapsed) < size
                               ? table[elapsed]
                               : static_cast<float>(std::exp(-elapsed / memory_days));
      return base + (a - base) * factor;
    }
  };
  Decay decay() const { return {decay_.data(), decay_.size(), baseline_.data(), p_.experience_memory_days}; }
  /// What the stock counts read (count_stocks(), count_window(), count_stocks_by_segment()): the
  /// columns, the decay and the survey's thresholds, a value a loop holds in registers.
  struct StockView {
    const std::uint8_t* status;
    const float* attitude;
    const std::int32_t* attitude_day;
    const std::uint8_t* segment;
    const Severity* severity;
    Decay decayed;
    bool all_promote;
    float promoter_from, detractor_to;
    /// Whether a customer of (decayed) attitude a counts as a promoter, as a detractor.
    bool promoter(float a) const { return all_promote || a >= promoter_from; }
    bool detractor(float a) const { return !promoter(a) && a <= detractor_to; }
  };
  StockView stock_view() const {
    return {reinterpret_cast<const std::uint8_t*>(c_.status.data()),
            c_.attitude.data(),
            c_.attitude_day.data(),
            c_.segment.data(),
            c_.issue_severity.data(),
            decay(),
            p_.wom_all_adopters_promote,
            promoter_attitude_,
            detractor_attitude_};
  }

  // output.by_segment (mechanisms/segments.hpp): the day's figures per segment, beside the totals
  // and never changing them.
  /// The row's figures that customers' mechanisms count (kCustomerMetrics), before a customer acts.
  using Counts = std::array<double, 27>;
  static Counts counts_of(const Row& acc);
  /// Adds what customer i added to the chunk's row since `before` to its segment; messages it
  /// queued since `messages_before` count as told by its segment.
  void split_customer(Chunk& chunk, std::uint32_t i, const Counts& before, std::size_t messages_before) const;
  /// Adds the messages [from, to) to the word of mouth told by customer i's segment.
  void split_told(Chunk& chunk, std::uint32_t i, const Message* from, const Message* to) const;
  /// Adds what an item of phase 3 or 4 about customer i added to `acc` since `before` (word of
  /// mouth told is left out: split_customer counted it by the teller).
  void split_item(Chunk& chunk, std::uint32_t i, const Counts& before, const Row& acc) const;
  /// The stocks of customers [lo, hi) by segment (count_stocks' figures).
  void count_stocks_by_segment(std::uint32_t lo, std::uint32_t hi, std::int32_t t, Chunk& chunk) const;
  /// Allocates the per-segment figures (output.by_segment) before initialise().
  void start_segments();
  /// Counts each segment's active customers at the start, after initialise() (on rank 0 for a
  /// partitioned run: the ranks' counts are folded there).
  void count_initial_segments();
  /// The day's segment rows: the chunks' segment figures summed in chunk order (across the ranks
  /// of a partitioned run: on rank 0), and their ratios made. `outcomes` are the day's contact
  /// outcomes of the customers held here (for each segment's first-contact resolution).
  void finish_segments(std::int32_t t, std::span<const ContactOutcome> outcomes);
  /// A partitioned run's episode rows: every rank's, in rank order, kept on rank 0.
  void gather_episodes(const std::vector<EpisodeRow>& mine);

  void apply_contact(const ContactOutcome& outcome, std::int32_t t, Row& row);
  void record_contact_centre(Row& row) const;
  void deliver(const Message& message, std::int32_t t, Row& row);

  std::int32_t days_until(Stream& rng, double p) const;

  Params p_;
  Choices choices_;                                                  ///< p_'s choice parameters as enums
  std::span<const TouchpointType> touchpoint_types_ = kTouchpoints;  ///< at most kMaxTouchpoints
  const Network& net_;
  RngKey key_;
  Customers c_;
  std::vector<Chunk> chunks_;
  std::vector<Contact> contacts_today_;
  std::vector<Message> messages_today_;
  Grouping by_listener_, by_contact_;  ///< phase 4's messages and phase 3's outcomes, by chunk
  ContactCentre centre_;
  DayResult day_;
  StepTimes times_;
  EpisodeRecorder episodes_;                  ///< run.episodes: observes only (model/episodes.hpp)
  std::array<double, 24> arrival_profile_{};  ///< contacts' relative weight per hour
  double arrival_total_ = 0;
  std::vector<float> decay_;                    ///< decay_[k] = exp(-k / memory_days)
  std::vector<double> active_by_day_;           ///< active customers at the end of each day so far
  double initial_active_ = 0;                   ///< active customers at the start (the end of day -1)
  std::vector<float> baseline_;                 ///< attitude baseline per segment, as attitude_at uses it
  bool by_segment_ = false;                     ///< output.by_segment
  bool window_ = false;                         ///< stocks counted over windows of days
  bool keep_windows_ = false;                   ///< tests: windows however many customers change
  std::int32_t window_first_ = 0;               ///< the first day of the current window
  std::int32_t stock_day_ = -1;                 ///< the stock day of changes made now
  std::vector<WaitingRow> waiting_;             ///< the window's rows so far, from window_first_
  std::vector<double> segment_rows_;            ///< segment_rows()
  std::vector<double> segment_active_by_day_;   ///< [day * segments + segment]: active at the day's end
  std::vector<double> segment_initial_active_;  ///< per segment: active at the start (day -1)
  std::vector<double> segment_fold_;            ///< finish_segments' buffer (partitioned runs)

  // A partitioned run (null link_: the single process, everyone here, first chunk 0).
  PartitionLink* link_ = nullptr;
  std::uint32_t population_ = 0;   ///< everyone, on every rank
  std::uint32_t first_chunk_ = 0;  ///< global index of chunks_[0]
  /// heard_[j]: the tags of the last good and bad story customer j heard (0: none), for the
  /// customers held. Phase 1 reads them (tell(): does the listener know this story? In a
  /// partitioned run a listener on another rank is asked there: resolve_tells()), phase 4 writes
  /// them (deliver()), so tellers see them as of the start of the day. Kept apart from the 64-byte
  /// records: a teller's read then shares a cache line with 15 other customers' tags, which made a
  /// one-thread run at 10^5 17% faster (docs/performance.md).
  Column<std::array<std::uint16_t, 2>> heard_;
  std::vector<ContactOutcome> outcomes_here_;  ///< the day's outcomes of this rank's customers
  std::vector<Message> received_;              ///< the day's messages to this rank's customers
  std::vector<std::uint32_t> questions_;       ///< resolve_tells(): every chunk's questions of a round
  std::vector<std::uint16_t> replies_;         ///< and their answers
  std::vector<double> chunk_rows_;             ///< add_chunks' buffer

  // Rates derived once from the parameters.
  double external_daily_ = 0;  ///< 1 - exp(-p / 365)
  double talk_daily_ = 0;      ///< chance of a talk opportunity per day
  double recommend_given_talk_ = 0;
  double warn_given_talk_ = 0;
  double question_daily_ = 0;
  double survey_daily_ = 0;
  double purchase_daily_ = 0;
  double tells_per_day_positive_ = 1;  ///< mean tellings a day of a good story (Poisson)
  double tells_per_day_negative_ = 1;
  /// Poisson laws of a day's tellings, built once: boost's constructor computes exp(-mean), and a
  /// teller draws every day of its story. A kept law draws the same numbers as a new one.
  using PoissonLaw = boost::random::poisson_distribution<int, double>;
  PoissonLaw tells_positive_law_{1.0}, tells_negative_law_{1.0};
  /// adopt_given_heard_[R] = 1 - (1 - b+)^R, reject_given_heard_[R] = 1 - (1 - b-)^R for a day's
  /// R messages (an inbox holds at most 255): the same std::pow values, computed once.
  std::array<double, 256> adopt_given_heard_{}, reject_given_heard_{};
  float promoter_attitude_ = 0;   ///< expected likelihood to recommend >= 9
  float detractor_attitude_ = 0;  ///< expected likelihood to recommend <= 6
};

}  // namespace cxsim
