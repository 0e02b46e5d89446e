#pragma once
// The episode record (run.episodes): what happened to each problem of a sample of customers, from
// the failed touchpoint that opened it to the customer's next purchase occasion after it ended
// (docs/results-format.md). It only observes: the model calls it at the points of the daily step
// where an episode opens, is contacted about, closes, starts a story, tells one, or meets a
// purchase occasion, and it never draws a random number or changes the model's state.
//
// Threading: a customer's calls come from the phase that owns the customer's chunk (phase 1, then
// phase 3), so each customer's slot is written by one thread at a time. Completed rows go to a
// buffer per chunk; end_day() appends the buffers in chunk order, like the model's contacts and
// messages, so the table is the same at any thread count.

#include <cstdint>
#include <vector>

#include "core/results.hpp"

namespace cxsim {

class EpisodeRecorder {
 public:
  /// Off unless `on`. Customers whose id is a multiple of `sample` are recorded; at most `max_rows`
  /// rows are kept (later ones counted in rows_dropped). The customers are [first, first +
  /// count), `first` a multiple of `chunk_size` (a partitioned run's rank holds a block of chunks).
  void configure(bool on, std::int64_t sample, std::int64_t max_rows, std::uint32_t count,
                 std::uint32_t chunk_size, std::uint32_t first = 0);

  bool on() const { return on_; }
  /// Whether customer i's episodes are recorded (false when off).
  bool sampled(std::uint32_t i) const { return on_ && i % sample_ == 0; }

  /// A failed touchpoint opened an issue. `story` is the tag of the negative or positive story that
  /// failure started (0: none).
  void open(std::uint32_t i, std::int32_t t, std::uint8_t segment, std::uint8_t touchpoint,
            std::uint8_t severity, bool notified, float attitude_before, bool story_started,
            bool story_positive, std::uint16_t story);
  /// The customer contacted the firm about its open issue on `channel` (Channel as a number).
  void contacted(std::uint32_t i, std::uint8_t channel);
  /// The open issue closed with `outcome` (`severity`: the issue's, the worst it reached).
  void closed(std::uint32_t i, std::int32_t t, EpisodeOutcome outcome, std::uint8_t severity,
              float attitude_after);
  /// The customer started a new story (not a retelling) while an episode is current.
  void story(std::uint32_t i, bool positive, std::uint16_t tag);
  /// The customer told its current stories to `positive` and `negative` listeners today.
  void told(std::uint32_t i, std::uint16_t positive_tag, std::size_t positive, std::uint16_t negative_tag,
            std::size_t negative);
  /// A purchase occasion: the customer stayed (ordered) or churned. Completes an episode that had
  /// closed; churning with one open closes it as unresolved first (the caller reports that).
  void purchase_occasion(std::uint32_t i, std::int32_t t, bool stayed);

  /// Appends the day's completed rows, chunk by chunk, to the table (up to the cap).
  void end_day() { keep(take_day()); }
  /// The day's completed rows, chunk by chunk, not yet kept (a partitioned run gathers every
  /// rank's to rank 0, which keeps them).
  std::vector<EpisodeRow> take_day();
  /// Appends rows to the table, in order, up to the cap.
  void keep(const std::vector<EpisodeRow>& rows);
  /// Completes every current episode as censored (open ones as open_at_end with `attitude_of(i)`),
  /// in customer order, and returns those rows (not kept).
  template <class AttitudeOf>
  std::vector<EpisodeRow> take_current(AttitudeOf&& attitude_of) {
    std::vector<EpisodeRow> out;
    for (Slot& slot : slots_) {
      if (slot.state == State::none) continue;
      if (slot.state == State::open) slot.row.attitude_after = attitude_of(slot.row.customer);
      slot.row.stay = EpisodeStay::censored;
      out.push_back(slot.row);
      slot.state = State::none;
    }
    return out;
  }
  /// The table kept so far, which the recorder then forgets.
  EpisodeTable take_table();
  /// end_day(), then every current episode completed as censored (take_current) and kept; returns
  /// the table (take_table).
  template <class AttitudeOf>
  EpisodeTable finish(AttitudeOf&& attitude_of) {
    if (!on_) return {};
    end_day();
    keep(take_current(attitude_of));
    return take_table();
  }

 private:
  enum class State : std::uint8_t { none, open, closed };
  struct Slot {
    EpisodeRow row;
    std::uint16_t positive_tag = 0, negative_tag = 0;  ///< stories started during the episode
    State state = State::none;
  };
  Slot* slot(std::uint32_t i) { return &slots_[i / sample_ - first_slot_]; }
  void complete(std::uint32_t i, Slot& s);

  bool on_ = false;
  std::uint32_t sample_ = 1;
  std::uint32_t chunk_size_ = 1;
  std::uint32_t first_slot_ = 0;   ///< slot of the first sampled customer held
  std::uint32_t first_chunk_ = 0;  ///< chunk of the first customer held
  std::int64_t max_rows_ = 0;
  std::vector<Slot> slots_;                    ///< one per recorded customer
  std::vector<std::vector<EpisodeRow>> done_;  ///< per chunk, completed today
  EpisodeTable table_;
};

}  // namespace cxsim
