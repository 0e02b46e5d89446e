#pragma once
// Customers in two layouts, by how the daily step touches them. The few fields the daily pass
// reads for everyone (wake day, status, attitude for the stocks) are a structure of arrays, so
// that pass streams narrow columns. Everything else belongs to events (an order, a contact, a
// story, a message heard): it sits in one 64-byte record per customer, so a customer with
// something due costs one cache line, not one per column, which at millions of customers is
// what the day's time is spent waiting for.

#include <cstdint>
#include <limits>
#include <span>
#include <utility>
#include <vector>

#include "core/huge_pages.hpp"

namespace cxsim {

enum class Status : std::uint8_t { prospect = 0, active = 1, churned = 2, rejecter = 3 };

/// Severity of an open issue; none = no issue open.
enum class Severity : std::uint8_t { none = 0, mild = 1, moderate = 2, severe = 3 };

/// A day that never comes.
inline constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();

/// Bits of CustomerRecord::flags.
enum RecordFlags : std::uint8_t {
  grievance = 3,               ///< bits 0-1: severity of the last closed problem that has not yet weighed
                               ///< in a purchase decision (0: none)
  notified_issue = 4,          ///< the open issue was notified proactively; the firm is fixing it
  issue_weighed = 8,           ///< the open issue has weighed in a purchase decision already
  grievance_made_good = 0xF0,  ///< bits 4-7: share of that problem's loss made good, in 15ths
};

/// What a customer's events read and write: one cache line.
struct alignas(64) CustomerRecord {
  std::int32_t next_external = kNever;  ///< prospects: day external influence converts them;
                                        ///< rejecters: the day they reconsider
  std::int32_t next_purchase = kNever;  ///< active: next purchase occasion
  std::int32_t next_contact = kNever;   ///< next contact about the open issue
  std::int32_t next_question = kNever;  ///< next value-demand contact
  std::int32_t next_survey = kNever;    ///< next NPS survey
  std::int32_t next_talk = kNever;      ///< next recommendation or warning opportunity
  std::int32_t issue_opened = kNever;   ///< day the open issue started

  float expectation = 0;  ///< E, expected touchpoint performance
  float reference_price = 0;
  float issue_loss = 0;  ///< attitude lost to the open issue so far
  float revenue = 0;     ///< revenue from this customer so far
  float attitude_pre =
      std::numeric_limits<float>::infinity();  ///< S before the last failure (+inf: none pending)

  std::uint16_t purchases = 0;
  // Stories are episodes: each has a tag (1..65535, random), the one a retelling keeps. A teller
  // tells one story of each kind at a time; a listener remembers the last story of each kind it
  // heard (Model::heard_, not here: every teller's listener reads it), so stifling stops that
  // story only and what was heard fades as new stories come.
  std::uint16_t story_positive = 0;   ///< tag of the good story being told
  std::uint16_t story_negative = 0;   ///< tag of the bad story being told
  std::uint8_t tells_positive = 0;    ///< listeners still to tell the good story
  std::uint8_t tells_negative = 0;    ///< listeners still to tell the bad story
  std::uint8_t issue_contacts = 0;    ///< contacts made about the open issue
  std::uint8_t inbox_positive = 0;    ///< recommendations and good stories heard today
  std::uint8_t inbox_negative = 0;    ///< warnings and bad stories heard today
  std::uint8_t flags = 0;             ///< RecordFlags
  std::int32_t adopted_day = kNever;  ///< day of adoption (-1: a customer before day 0; kNever: not yet)
};
static_assert(sizeof(CustomerRecord) == 64);

/// One column of customer state for the customers [first, first + count), indexed by customer id.
/// The single process holds everyone (first 0); a rank of a partitioned run (`cxsim run
/// --partition`, docs/cluster.md) holds its own block only, and the daily step still indexes by
/// customer id. Indexing goes through a base pointer moved back by `first` elements, so it costs
/// what a vector's does; the base is computed as an address (uintptr_t), not by pointer arithmetic
/// outside the vector, and is only ever indexed inside the block.
template <class T>
class Column {
 public:
  Column() = default;
  Column(const Column& o) : v_(o.v_), first_(o.first_) { rebase(); }
  Column(Column&& o) noexcept : v_(std::move(o.v_)), first_(o.first_) {
    rebase();
    o.rebase();
  }
  Column& operator=(const Column& o) {
    v_ = o.v_;
    first_ = o.first_;
    rebase();
    return *this;
  }
  Column& operator=(Column&& o) noexcept {
    v_ = std::move(o.v_);
    first_ = o.first_;
    rebase();
    o.rebase();
    return *this;
  }

  void assign(std::uint32_t first, std::uint32_t count, const T& value) {
    reserve_huge(v_, count);
    v_.assign(count, value);
    first_ = first;
    rebase();
  }
  T& operator[](std::uint32_t i) { return base_[i]; }
  const T& operator[](std::uint32_t i) const { return base_[i]; }
  /// Indexed by customer id, like the column (valid for the block's ids only).
  T* data() { return base_; }
  const T* data() const { return base_; }
  /// The block's values, first customer first.
  std::span<const T> local() const { return v_; }
  std::size_t size() const { return v_.size(); }

 private:
  void rebase() {
    base_ = v_.empty() ? nullptr
                       : reinterpret_cast<T*>(reinterpret_cast<std::uintptr_t>(v_.data()) -
                                              std::uintptr_t{first_} * sizeof(T));
  }
  std::vector<T> v_;
  std::uint32_t first_ = 0;
  T* base_ = nullptr;
};

struct Customers {
  /// Customers held: ids [first, first + size) (first 0 and everyone, except in a partitioned run).
  std::uint32_t size = 0;
  std::uint32_t first = 0;

  // Read for every customer every day.
  Column<Status> status;
  /// The first day the customer may have something to do: the earliest of its scheduled days
  /// (the next day while an issue is open or stories are pending), or earlier. The daily pass
  /// skips a customer whose wake day has not come, so it must never be later than a due event.
  Column<std::int32_t> wake;
  Column<std::uint8_t> segment;
  Column<Severity> issue_severity;
  Column<float> attitude;  ///< S at day attitude_day (decays lazily toward the baseline)
  Column<std::int32_t> attitude_day;

  // Read and written by events.
  Column<CustomerRecord> record;

  void resize(std::uint32_t n) { resize(0, n); }
  /// Holds customers [first, first + n), in their initial state.
  void resize(std::uint32_t first, std::uint32_t n);

  /// Bytes of state per customer (the sum of the column widths and the record).
  static constexpr std::uint64_t bytes_per_customer() {
    return sizeof(Status) + sizeof(std::int32_t) + sizeof(std::uint8_t) + sizeof(Severity) + sizeof(float) +
           sizeof(std::int32_t) + sizeof(CustomerRecord);
  }
};

}  // namespace cxsim
