#pragma once
// The daily step of a partitioned run (`cxsim run --partition`, docs/cluster.md): Model::step()
// with this rank's chunks only, and at each of its merge points the exchange that gives every
// rank what the single process would see there. What keeps the bits:
//  - sums: the single process adds the chunks' accumulators in chunk order (a left fold of
//    floating-point rows); the ranks pass the running row along in rank order (PartitionLink::fold),
//    which is the same fold;
//  - phase 2: each queue of the contact centre (phone, chat with the chatbot, e-mail) runs on its
//    rank (queue_rank(), which keeps that queue's state and e-mail backlog); its contacts go there
//    in rank order (= chunk order), and its outcomes to their customers' ranks, the parts in the
//    centre's order (chatbot, phone, chat, e-mail); each queue's figures go to rank 0;
//  - phase 4: messages go to their listener's rank, arriving in rank order (= the sender's chunk
//    order), each sender's in its order; the stable by_chunk() sort then orders each listener's as
//    the single process does. An outcome or a message changes its own customer only.
//  - a teller stops on meeting a listener who knows the story (as of the start of the day); a
//    listener on another rank is asked there after phase 1 (resolve_tells: two rounds, as the bad
//    story's draws follow where the good story stopped), and the teller's messages then take
//    their place among its chunk's.
// The day's ratios are made on rank 0 and its row is broadcast, so every rank returns the same row;
// the rows by segment (output.by_segment) are summed and made on rank 0 only, where they are written.
//
// Not a standalone header: model.cpp includes it once (it uses by_chunk and in_parallel_by_chunk).

namespace cxsim {

int Model::queue_rank(Channel c) const {
  // Phone on rank 1, chat (and the chatbot, which escalates to it) on 2, e-mail on 3, modulo the
  // ranks: rank 0, which makes the day's row, runs a queue only below 4 ranks.
  return (queue_of(c) + 1) % link_->blocks().ranks();
}

void Model::step_partitioned(std::int32_t t, std::span<double, kMetricCount> out) {
  using Clock = std::chrono::steady_clock;
  auto mark = Clock::now();
  const auto lap = [&](double& into) {
    const auto now = Clock::now();
    into += std::chrono::duration<double>(now - mark).count();
    mark = now;
  };
  const bool root = link_->is_root();

  // Phase 1 on this rank's chunks.
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto [lo, hi] = chunk_bounds(k);
      run_chunk(chunks_[k], lo, hi, t);
    }
  });
  resolve_tells(t);
  lap(times_.customers);
  Row row{};
  add_chunks(row, false);

  // Phase 2: each queue of the contact centre on its rank (queue_rank()), the chatbot with chat.
  contacts_today_.clear();
  for (const Chunk& chunk : chunks_)
    contacts_today_.insert(contacts_today_.end(), chunk.contacts.begin(), chunk.contacts.end());
  std::vector<Contact> here;
  link_->route_contacts(contacts_today_, here, [&](const Contact& c) { return queue_rank(c.channel); });
  lap(times_.merge);
  unsigned queues = 0;
  for (Channel c : {Channel::phone, Channel::chat, Channel::email})
    if (queue_rank(c) == link_->rank()) queues |= 1u << queue_of(c);
  centre_.simulate_day(static_cast<std::uint32_t>(t), here, day_, queues);
  // The outcomes of this rank's customers, part by part in the centre's order (the chatbot's, then
  // phone, chat, e-mail), each from the rank that ran it.
  outcomes_here_.clear();
  for (std::size_t part = 0; part < 4; ++part) {
    const int from = queue_rank(part == 0 ? Channel::chatbot : static_cast<Channel>(part - 1));
    const std::span<const ContactOutcome> all(day_.outcomes);
    link_->scatter_outcomes(link_->rank() == from
                                ? all.subspan(day_.part[part], day_.part[part + 1] - day_.part[part])
                                : std::span<const ContactOutcome>{},
                            outcomes_here_, from);
  }
  // Each channel's figures to rank 0, from the rank that ran it.
  std::vector<ChannelDayStats> stats;
  link_->gather_stats(day_.stats, stats);
  if (root) {
    for (Channel c : kAllChannels)
      day_.stats[static_cast<int>(c)] =
          stats[static_cast<std::size_t>(queue_rank(c)) * kChannelCount + static_cast<std::size_t>(c)];
    record_contact_centre(row);
  }
  // First contacts and those resolved, counted where the customers are (whole numbers: exact).
  std::array<double, 2> firsts{};
  const std::array<double, 2> mine = count_first_contacts(outcomes_here_);
  link_->fold(firsts, mine, false);
  const double first = firsts[0], first_resolved = firsts[1];
  lap(times_.contact_centre);

  // Phase 3: the outcomes of this rank's customers.
  by_chunk(outcomes_here_, contact_customer, by_contact_);
  in_parallel_by_chunk(row, outcomes_here_, by_contact_, contact_customer,
                       [&](const ContactOutcome& outcome, Row& acc) { apply_contact(outcome, t, acc); });
  lap(times_.outcomes);

  // Phase 4: the messages to this rank's customers.
  messages_today_.clear();
  for (const Chunk& chunk : chunks_)
    messages_today_.insert(messages_today_.end(), chunk.messages.begin(), chunk.messages.end());
  link_->route_messages(messages_today_, received_);
  by_chunk(received_, listener, by_listener_);
  in_parallel_by_chunk(row, received_, by_listener_, listener,
                       [&](const Message& message, Row& acc) { deliver(message, t, acc); });
  lap(times_.word_of_mouth);

  if (root) finish_row(t, row, first, first_resolved);
  if (by_segment_) finish_segments(t, outcomes_here_);
  if (episodes_.on()) gather_episodes(episodes_.take_day());  // the day's rows, in chunk order
  link_->broadcast(row);
  std::copy(row.begin(), row.end(), out.begin());
}

bool Model::try_tell(Chunk& chunk, PendingTell& p, std::size_t answered, std::int32_t t,
                     std::vector<Message>& out) {
  const std::size_t sent0 = out.size();
  std::size_t sent1 = sent0;
  std::array<std::uint8_t, 2> left = {c_.record[p.teller].tells_positive, c_.record[p.teller].tells_negative};
  std::size_t round = 0;  // the answers are read in the order they were asked, round by round
  std::uint32_t next = p.asked_from[0];
  if (answered < 2) p.asked_from[answered] = static_cast<std::uint32_t>(chunk.asked[answered].size());
  const bool complete = tell_day(
      p.teller, t,
      [&](std::uint32_t j, bool positive) {
        if (holds(j)) return static_cast<int>(heard_story(j, positive));
        // A round's questions are all about one story: the good story's listeners (asked until it
        // was decided) or, when the good story needed no question, the bad story's. A good story
        // that now stops at a listener who knows it leaves the rest of its round unread: the bad
        // story's answers are in the next round.
        const std::uint32_t question = 2 * j + (positive ? 0 : 1);
        while (round < answered &&
               (next == p.asked_to[round] || (chunk.asked[round][next] & 1u) != (question & 1u)))
          next = ++round < answered ? p.asked_from[round] : 0;
        if (round < answered) {
          if (chunk.asked[round][next] != question)
            throw std::logic_error("Model::try_tell: an answer read for another listener's question");
          return static_cast<int>(chunk.answers[round][next++]);
        }
        // The good story's listeners are all asked in round 0, the bad story's then in round 1.
        if (answered == 2)
          throw std::logic_error("Model::try_tell: a teller needs a third round of questions");
        chunk.asked[answered].push_back(2 * j + (positive ? 0 : 1));
        return -1;
      },
      out, left, sent1);
  if (answered < 2) p.asked_to[answered] = static_cast<std::uint32_t>(chunk.asked[answered].size());
  if (!complete) {
    out.resize(sent0);
    return false;
  }
  told(p.teller, left, sent1 - sent0, out.size() - sent1);
  p.late_from = static_cast<std::uint32_t>(sent0);
  p.late_to = static_cast<std::uint32_t>(out.size());
  return true;
}

void Model::resolve_tells(std::int32_t t) {
  for (std::size_t round = 0; round < 2; ++round) {
    // Every chunk's questions of the round, in chunk order, answered by the ranks holding them.
    questions_.clear();
    for (const Chunk& chunk : chunks_)
      questions_.insert(questions_.end(), chunk.asked[round].begin(), chunk.asked[round].end());
    link_->ask(questions_, replies_, [&](std::uint32_t q) { return heard_story(q / 2, q % 2 == 0); });
    std::size_t at = 0;
    for (Chunk& chunk : chunks_) {
      const auto from = replies_.begin() + static_cast<std::ptrdiff_t>(at);
      chunk.answers[round].assign(from, from + static_cast<std::ptrdiff_t>(chunk.asked[round].size()));
      at += chunk.asked[round].size();
    }
    // The pending tellers' day again, with the answers so far: a teller whose good story is now
    // decided may ask about its bad story's listeners (round 1).
    fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
      for (std::size_t k = range.begin(); k < range.end(); ++k)
        for (PendingTell& p : chunks_[k].pending)
          if (!p.done && try_tell(chunks_[k], p, round + 1, t, chunks_[k].late)) {
            p.done = true;
            c_.wake[p.teller] = next_wake(p.teller, t);
          }
    });
  }
  // Each pending teller's messages in their place among its chunk's, as a single process sends them.
  fork_join::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      Chunk& chunk = chunks_[k];
      if (!chunk.pending.empty()) {
        std::vector<Message> merged;
        merged.reserve(chunk.messages.size() + chunk.late.size());
        const auto messages = chunk.messages.begin();
        std::uint32_t from = 0;
        for (const PendingTell& p : chunk.pending) {
          // The teller's segment tells them (output.by_segment): phase 1 counted none of them.
          if (by_segment_)
            split_told(chunk, p.teller, chunk.late.data() + p.late_from, chunk.late.data() + p.late_to);
          merged.insert(merged.end(), messages + from, messages + p.at);
          merged.insert(merged.end(), chunk.late.begin() + p.late_from, chunk.late.begin() + p.late_to);
          from = p.at;
        }
        merged.insert(merged.end(), messages + from, chunk.messages.end());
        chunk.messages.swap(merged);
      }
      chunk.pending.clear();
      chunk.late.clear();
      for (auto& asked : chunk.asked) asked.clear();
    }
  });
}

}  // namespace cxsim
