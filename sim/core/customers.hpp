#pragma once
// Customers as a structure of arrays: the daily loop touches contiguous, narrow columns, and
// events (next order, next contact, next talk, ...) are scheduled days, so an idle customer costs
// a few compares a day.

#include <cstdint>
#include <limits>
#include <vector>

namespace cxsim {

enum class Status : std::uint8_t { prospect = 0, active = 1, churned = 2, rejecter = 3 };

/// Severity of an open issue; none = no issue open.
enum class Severity : std::uint8_t { none = 0, mild = 1, moderate = 2, severe = 3 };

/// A day that never comes.
inline constexpr std::int32_t kNever = std::numeric_limits<std::int32_t>::max();

/// Bits of Customers::heard.
enum HeardBits : std::uint8_t { heard_positive = 1, heard_negative = 2 };

struct Customers {
  std::uint32_t size = 0;

  std::vector<Status> status;
  std::vector<std::uint8_t> segment;
  std::vector<Severity> issue_severity;
  std::vector<std::uint8_t> issue_contacts;  ///< contacts made about the open issue
  std::vector<std::uint8_t> heard;           ///< HeardBits: stories heard so far (stifling)
  std::vector<std::uint8_t> inbox_positive;  ///< recommendations and good stories heard today
  std::vector<std::uint8_t> inbox_negative;  ///< warnings and bad stories heard today

  std::vector<float> attitude;      ///< S at day attitude_day (decays lazily toward the baseline)
  std::vector<float> attitude_pre;  ///< S before the last failure (+inf when none pending)
  std::vector<float> expectation;   ///< E, expected touchpoint performance
  std::vector<float> reference_price;
  std::vector<float> issue_loss;  ///< attitude lost to the open issue so far
  std::vector<float> revenue;     ///< revenue from this customer so far

  std::vector<std::int32_t> attitude_day;
  std::vector<std::int32_t> adopted_day;      ///< kNever for prospects
  std::vector<std::int32_t> rejecter_until;   ///< for rejecters: the day they reconsider
  std::vector<std::int32_t> issue_opened;     ///< day the open issue started
  std::vector<std::int32_t> next_external;    ///< prospects: day external influence converts them
  std::vector<std::int32_t> next_purchase;    ///< active: next purchase occasion
  std::vector<std::int32_t> next_contact;     ///< next contact about the open issue
  std::vector<std::int32_t> next_question;    ///< next value-demand contact
  std::vector<std::int32_t> next_survey;      ///< next NPS survey
  std::vector<std::int32_t> next_talk;        ///< next recommendation or warning opportunity
  /// The first day the customer may have something to do: the earliest of the days above (the
  /// next day while an issue is open or stories are pending), or earlier. The daily pass skips
  /// a customer whose wake day has not come, so it must never be later than a due event.
  std::vector<std::int32_t> wake;

  std::vector<std::uint16_t> purchases;
  std::vector<std::uint16_t> tells_positive;  ///< listeners still to tell a good story
  std::vector<std::uint16_t> tells_negative;  ///< listeners still to tell a bad story

  void resize(std::uint32_t n);

  /// Bytes of state per customer (the sum of the column widths).
  static constexpr std::uint64_t bytes_per_customer() {
    return sizeof(Status) + 6 * sizeof(std::uint8_t) + 6 * sizeof(float) +
           11 * sizeof(std::int32_t) + 3 * sizeof(std::uint16_t);
  }
};

}  // namespace cxsim
