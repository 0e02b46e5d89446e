#pragma once
// Word of mouth: recommendations and warnings, stories told to one listener after
// another, messages delivered.
//
// Not a standalone header: model.cpp includes it once, so the daily step and its mechanisms stay
// one translation unit and the compiler inlines across them as before the split
// (docs/performance.md). Tests reach the mechanisms directly (tests/unit/test_mechanisms.cpp).

namespace cxsim {

CXSIM_MECHANISM void Model::talk(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  // Promoters recommend and detractors warn at base rates (a thinned daily Bernoulli).
  Stream rng(key_, Purpose::talk_schedule, i, static_cast<std::uint64_t>(t));
  const float s = attitude_at(i, t);
  const bool promoter = p_.wom_all_adopters_promote || s >= promoter_attitude_;
  const bool detractor = !promoter && s <= detractor_attitude_;
  const double u = rng.uniform();
  if ((promoter && u < recommend_given_talk_) || (detractor && u < warn_given_talk_)) {
    Stream targets(key_, Purpose::wom_targets, i, static_cast<std::uint64_t>(t), 1);
    const std::uint32_t j = pick_listener(i, targets);
    if (j != i) chunk.messages.push_back({j, promoter ? Message::recommendation : Message::warning});
  }
  c_.record[i].next_talk = add_days(t, days_until(rng, talk_daily_));
}

/// A random member of the market other than i (an acquaintance: a weak tie), of n > 1.
inline std::uint32_t other_member(std::uint32_t i, std::uint32_t n, Stream& rng) {
  const auto r = static_cast<std::uint32_t>(rng.below(n - 1));
  return r >= i ? r + 1 : r;
}

CXSIM_MECHANISM std::uint32_t Model::pick_listener(std::uint32_t i, Stream& rng) const {
  const std::uint32_t n = net_.size;
  if (n <= 1) return i;
  if (net_.complete || rng.bernoulli(p_.network_weak_tie_share)) return other_member(i, n, rng);
  const auto ties = net_.ties(i);
  return ties.empty() ? other_member(i, n, rng) : ties[rng.below(ties.size())];
}

CXSIM_MECHANISM std::uint32_t Model::pick_story_listener(std::uint32_t i, std::uint8_t left,
                                                         std::uint16_t story, Stream& rng) const {
  // A teller tells each close tie a story once: its tellings walk the ties from an offset that
  // depends on the story and the teller, so the last `degree` tellings reach distinct friends.
  // Tellings beyond the number of ties, and a weak_tie_share of all, go to acquaintances (a random
  // member), as in pick_listener.
  const std::uint32_t n = net_.size;
  if (n <= 1) return i;
  if (net_.complete || rng.bernoulli(p_.network_weak_tie_share)) return other_member(i, n, rng);
  const auto ties = net_.ties(i);
  if (ties.size() < left) return other_member(i, n, rng);
  const std::uint64_t offset = (std::uint64_t{story} * 0x9E3779B97F4A7C15ull ^ i) >> 16;
  return ties[(offset + left) % ties.size()];
}

template <class Known>
bool Model::tell_day(std::uint32_t i, std::int32_t t, Known&& known, std::vector<Message>& out,
                     std::array<std::uint8_t, 2>& left, std::size_t& sent_positive) const {
  // A story goes to one listener after another (each close tie once: pick_story_listener), a
  // Poisson number of tellings a day (the rate may be below one); the teller stops on meeting
  // someone who already knows this story (Maki-Thompson stifling, as of the start of the day).
  // Knowing another story of the kind does not stop it.
  Stream rng(key_, Purpose::wom_targets, i, static_cast<std::uint64_t>(t), 0);
  bool complete = true;
  const auto run = [&](std::uint8_t& to_go, std::uint16_t story, double per_day, const PoissonLaw& law,
                       bool positive) {
    if (to_go == 0) return;
    const int today = std::min<int>(to_go, per_day > 0 ? law(rng) : 0);
    for (int k = 0; k < today; ++k) {
      const std::uint32_t j = pick_story_listener(i, to_go, story, rng);
      const int tag = j == i ? -1 : known(j, positive);
      if (j == i || tag == story) {
        to_go = 0;
        return;
      }
      complete = complete && tag >= 0;
      out.push_back({j, positive ? Message::good_story : Message::bad_story, story});
      --to_go;
    }
  };
  const CustomerRecord& r = c_.record[i];
  run(left[0], r.story_positive, tells_per_day_positive_, tells_positive_law_, true);
  sent_positive = out.size();
  // Where the bad story's draws start depends on where the good story stopped.
  if (!complete) return false;
  run(left[1], r.story_negative, tells_per_day_negative_, tells_negative_law_, false);
  return complete;
}

void Model::told(std::uint32_t i, const std::array<std::uint8_t, 2>& left, std::size_t positive,
                 std::size_t negative) {
  CustomerRecord& r = c_.record[i];
  r.tells_positive = left[0];
  r.tells_negative = left[1];
  if (episodes_.sampled(i)) episodes_.told(i, r.story_positive, positive, r.story_negative, negative);
}

CXSIM_MECHANISM void Model::tell(std::uint32_t i, std::int32_t t, Chunk& chunk) {
  const std::size_t sent0 = chunk.messages.size();
  if (link_) {  // a partitioned run: a listener on another rank is asked there (resolve_tells)
    PendingTell pending{i, static_cast<std::uint32_t>(sent0)};
    if (!try_tell(chunk, pending, 0, t, chunk.messages)) chunk.pending.push_back(pending);
    return;
  }
  std::array<std::uint8_t, 2> left = {c_.record[i].tells_positive, c_.record[i].tells_negative};
  std::size_t sent1 = sent0;
  tell_day(
      i, t, [&](std::uint32_t j, bool positive) { return static_cast<int>(heard_story(j, positive)); },
      chunk.messages, left, sent1);
  told(i, left, sent1 - sent0, chunk.messages.size() - sent1);
}

CXSIM_MECHANISM void Model::start_story(std::uint32_t i, bool positive, double audience_mean, Stream& rng,
                                        Row& acc, std::uint16_t tag) {
  // A new story replaces the one of its kind the customer was still telling.
  const int audience = std::min(poisson(rng, audience_mean), 255);
  const bool new_story = tag == 0;
  if (new_story) tag = static_cast<std::uint16_t>(1 + rng.below(65535));
  auto& r = c_.record[i];
  (positive ? r.tells_positive : r.tells_negative) = static_cast<std::uint8_t>(audience);
  (positive ? r.story_positive : r.story_negative) = tag;
  acc[static_cast<int>(positive ? Metric::stories_positive : Metric::stories_negative)] += 1;
  if (new_story && episodes_.sampled(i)) episodes_.story(i, positive, tag);
}

CXSIM_MECHANISM void Model::deliver(const Message& message, std::int32_t t, Row& row) {
  const std::uint32_t j = message.target;
  const bool positive = message.kind == Message::recommendation || message.kind == Message::good_story;
  row[static_cast<int>(positive ? Metric::wom_positive : Metric::wom_negative)] += 1;
  switch (c_.status[j]) {
    case Status::prospect:
      saturating_add(positive ? c_.record[j].inbox_positive : c_.record[j].inbox_negative, 1);
      wake_by(j, t + 1);  // decides tomorrow
      break;
    case Status::active:
      decay_attitude(j, t);  // notes the change
      c_.attitude[j] += static_cast<float>(positive ? p_.wom_attitude_effect
                                                    : -p_.wom_attitude_effect * p_.experience_loss_aversion);
      break;
    default:
      break;
  }
  if (message.kind == Message::good_story || message.kind == Message::bad_story) {
    row[static_cast<int>(positive ? Metric::story_messages_positive : Metric::story_messages_negative)] += 1;
    std::uint16_t& known = heard_story(j, positive);
    const bool first_time = known != message.story;
    known = message.story;  // remembered until a newer story of the kind replaces it
    if (first_time && p_.wom_retell_probability > 0) {
      Stream rng(key_, Purpose::retell, j, static_cast<std::uint64_t>(t), positive ? 0 : 1);
      if (rng.bernoulli(p_.wom_retell_probability)) {
        const double mean =
            p_.wom_retell_audience_share * (positive ? p_.wom_audience_delight : p_.wom_audience_failure);
        start_story(j, positive, mean, rng, row, message.story);  // the same story, passed on
        wake_by(j, t + 1);                                        // starts telling tomorrow
      }
    }
  }
}

}  // namespace cxsim
