#pragma once
// One replication of the customer model: the daily step of MODEL.md section 3.
//
// Each day runs in phases. Phase 1 is parallel over fixed chunks of customers; each customer
// writes only its own slots and proposes contacts and word-of-mouth messages into its chunk's
// buffers. The later phases merge those buffers in chunk order, so results never depend on the
// thread count or scheduling.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "contact_centre.hpp"
#include "customers.hpp"
#include "network.hpp"
#include "params.hpp"
#include "results.hpp"
#include "rng.hpp"

namespace cxsim {

/// A word-of-mouth message from one customer to another.
struct Message {
  enum Kind : std::uint8_t { recommendation, warning, good_story, bad_story };
  std::uint32_t target;
  Kind kind;
};

class Model {
 public:
  /// @param network must outlive the model; its size must equal market.population
  Model(const Params& params, const Network& network, RngKey key);

  /// Simulates day `day` (0-based, in order) and writes the day's flows and stocks to `row`.
  void step(std::int32_t day, std::span<double, kMetricCount> row);

  /// Changes parameters from the next step on (an intervention). Only parameters declared
  /// intervenable may differ from the current ones; the caller checks that.
  void set_params(const Params& params);
  const Params& params() const { return p_; }

  const Customers& customers() const { return c_; }

  /// The final state as named columns (attitude decayed to `day`).
  std::vector<CustomerColumn> customer_columns(std::int32_t day) const;

  /// Customers per chunk of the parallel phase (fixed: results must not depend on it varying).
  static constexpr std::uint32_t kChunk = 1u << 13;

 private:
  using Row = std::array<double, kMetricCount>;
  struct Chunk {
    Row acc{};
    std::vector<Contact> contacts;
    std::vector<Message> messages;
  };

  void derive_rates();
  void initialise();
  void process_customer(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void process_prospect(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void process_active(std::uint32_t i, std::int32_t t, Chunk& chunk);
  void adopt(std::uint32_t i, std::int32_t t);
  void purchase(std::uint32_t i, std::int32_t t, Chunk& chunk);
  bool stays(std::uint32_t i, std::int32_t t);
  void open_issue(std::uint32_t i, std::int32_t t, Severity severity, float loss, bool notified);
  /// Proactive notification of a new problem: returns whether it reached the customer.
  bool notify(std::uint32_t i, std::int32_t t, int touchpoint, double detection, Row& acc);
  void close_issue(std::uint32_t i);
  void emit_contact(std::uint32_t i, std::int32_t t, Severity severity, bool repeat,
                    std::uint8_t sub, Chunk& chunk);
  void tell(std::uint32_t i, std::int32_t t, Chunk& chunk);
  std::uint32_t pick_listener(std::uint32_t i, Stream& rng) const;

  /// Applies disconfirmation x - E; may start a story. Returns the valued disconfirmation.
  double experience(std::uint32_t i, double x, Stream& rng, Row& acc);
  void start_story(std::uint32_t i, bool positive, double audience_mean, Stream& rng, Row& acc);
  void decay_attitude(std::uint32_t i, std::int32_t t);
  float attitude_at(std::uint32_t i, std::int32_t t) const;

  void apply_contact(const ContactOutcome& outcome, std::int32_t t, Row& row);
  void record_contact_centre(Row& row) const;
  void deliver(const Message& message, std::int32_t t, Row& row);

  std::int32_t days_until(Stream& rng, double p) const;

  Params p_;
  const Network& net_;
  RngKey key_;
  Customers c_;
  std::vector<Chunk> chunks_;
  std::vector<Contact> contacts_today_;
  ContactCentre centre_;
  DayResult day_;
  std::vector<float> decay_;  ///< decay_[k] = exp(-k / memory_days)

  // Rates derived once from the parameters.
  double external_daily_ = 0;   ///< 1 - exp(-p / 365)
  double talk_daily_ = 0;       ///< chance of a talk opportunity per day
  double recommend_given_talk_ = 0;
  double warn_given_talk_ = 0;
  double question_daily_ = 0;
  double survey_daily_ = 0;
  double purchase_daily_ = 0;
  int tells_per_day_positive_ = 1;
  int tells_per_day_negative_ = 1;
  float promoter_attitude_ = 0;   ///< expected likelihood to recommend >= 9
  float detractor_attitude_ = 0;  ///< expected likelihood to recommend <= 6
};

}  // namespace cxsim
