#include "model/episodes.hpp"

#include <algorithm>
#include <limits>

namespace cxsim {

namespace {

std::uint16_t saturated16(std::size_t n) {
  return static_cast<std::uint16_t>(std::min<std::size_t>(n, std::numeric_limits<std::uint16_t>::max()));
}

}  // namespace

void EpisodeRecorder::configure(bool on, std::int64_t sample, std::int64_t max_rows, std::uint32_t count,
                                std::uint32_t chunk_size, std::uint32_t first) {
  on_ = on;
  sample_ = static_cast<std::uint32_t>(
      std::clamp<std::int64_t>(sample, 1, std::numeric_limits<std::uint32_t>::max()));
  max_rows_ = std::max<std::int64_t>(0, max_rows);
  chunk_size_ = std::max<std::uint32_t>(1, chunk_size);
  slots_.clear();
  done_.clear();
  table_ = {};
  if (!on_) return;
  // Sampled customers of the block: the multiples of sample_ in [first, first + count).
  const auto ceil_div = [](std::uint64_t a, std::uint64_t b) { return (a + b - 1) / b; };
  const std::uint64_t end = std::uint64_t{first} + count;
  first_slot_ = static_cast<std::uint32_t>(ceil_div(first, sample_));
  first_chunk_ = first / chunk_size_;
  slots_.resize(ceil_div(end, sample_) - first_slot_);
  done_.resize(ceil_div(count, chunk_size_));
}

void EpisodeRecorder::open(std::uint32_t i, std::int32_t t, std::uint8_t segment, std::uint8_t touchpoint,
                           std::uint8_t severity, bool notified, float attitude_before, bool story_started,
                           bool story_positive, std::uint16_t story) {
  Slot& s = *slot(i);
  // A closed episode is completed at the purchase occasion that comes before any new failure.
  if (s.state != State::none) complete(i, s);
  s = Slot{};
  s.state = State::open;
  EpisodeRow& r = s.row;
  r.customer = i;
  r.day_opened = t;
  r.segment = segment;
  r.touchpoint = touchpoint;
  r.severity = severity;
  r.notified = notified ? 1 : 0;
  r.attitude_before = attitude_before;
  if (story_started) this->story(i, story_positive, story);
}

void EpisodeRecorder::contacted(std::uint32_t i, std::uint8_t channel) {
  Slot& s = *slot(i);
  if (s.state != State::open) return;
  if (s.row.contacts == 0) s.row.channel = channel;
  if (s.row.contacts < std::numeric_limits<std::uint8_t>::max()) ++s.row.contacts;
}

void EpisodeRecorder::closed(std::uint32_t i, std::int32_t t, EpisodeOutcome outcome, std::uint8_t severity,
                             float attitude_after) {
  Slot& s = *slot(i);
  if (s.state != State::open) return;
  s.state = State::closed;
  s.row.outcome = outcome;
  s.row.severity = std::max(s.row.severity, severity);
  s.row.day_closed = t;
  s.row.attitude_after = attitude_after;
  const bool resolved = outcome == EpisodeOutcome::resolved_first_contact ||
                        outcome == EpisodeOutcome::resolved_later ||
                        outcome == EpisodeOutcome::resolved_proactively;
  s.row.days_to_resolution = resolved ? t - s.row.day_opened : -1;
}

void EpisodeRecorder::story(std::uint32_t i, bool positive, std::uint16_t tag) {
  Slot& s = *slot(i);
  if (s.state == State::none) return;
  s.row.stories_told = saturated16(std::size_t{s.row.stories_told} + 1);
  (positive ? s.positive_tag : s.negative_tag) = tag;
}

void EpisodeRecorder::told(std::uint32_t i, std::uint16_t positive_tag, std::size_t positive,
                           std::uint16_t negative_tag, std::size_t negative) {
  Slot& s = *slot(i);
  if (s.state == State::none) return;
  std::size_t reached = s.row.people_reached;
  if (positive > 0 && positive_tag != 0 && positive_tag == s.positive_tag) reached += positive;
  if (negative > 0 && negative_tag != 0 && negative_tag == s.negative_tag) reached += negative;
  s.row.people_reached = saturated16(reached);
}

void EpisodeRecorder::purchase_occasion(std::uint32_t i, std::int32_t t, bool stayed) {
  Slot& s = *slot(i);
  if (s.state != State::closed) return;  // an episode still open waits for its end
  s.row.next_order_day = t;
  s.row.stay = stayed ? EpisodeStay::stayed : EpisodeStay::churned;
  complete(i, s);
}

void EpisodeRecorder::complete(std::uint32_t i, Slot& s) {
  done_[i / chunk_size_ - first_chunk_].push_back(s.row);
  s.state = State::none;
}

void EpisodeRecorder::keep(const std::vector<EpisodeRow>& rows) {
  for (const EpisodeRow& row : rows) {
    if (static_cast<std::int64_t>(table_.rows.size()) < max_rows_)
      table_.rows.push_back(row);
    else
      ++table_.rows_dropped;
  }
}

std::vector<EpisodeRow> EpisodeRecorder::take_day() {
  std::vector<EpisodeRow> out;
  for (auto& chunk : done_) {  // chunk order: the same table at any thread count
    out.insert(out.end(), chunk.begin(), chunk.end());
    chunk.clear();
  }
  return out;
}

EpisodeTable EpisodeRecorder::take_table() {
  EpisodeTable out;
  if (!on_) return out;
  out.rows = std::move(table_.rows);
  out.sample = sample_;
  out.max_rows = max_rows_;
  out.rows_dropped = table_.rows_dropped;
  table_ = {};
  return out;
}

}  // namespace cxsim
