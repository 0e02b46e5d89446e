#pragma once
// The daily step of a partitioned run (`cxsim run --partition`, docs/cluster.md): Model::step()
// with this rank's chunks only, and at each of its merge points the exchange that gives every
// rank what the single process would see there. What keeps the bits:
//  - sums: the single process adds the chunks' accumulators in chunk order (a left fold of
//    floating-point rows); the ranks pass the running row along in rank order (PartitionLink::fold),
//    which is the same fold;
//  - phase 2: contacts go to rank 0 in rank order (= chunk order); rank 0 runs the contact centre
//    (it keeps its queues and e-mail backlog) and sends each outcome to its customer's rank, in the
//    centre's order;
//  - phase 4: messages go to their listener's rank, arriving in rank order (= the sender's chunk
//    order), each sender's in its order; the stable by_chunk() sort then orders each listener's as
//    the single process does. An outcome or a message changes its own customer only.
//  - a teller stops on meeting a listener who knows the story (as of the start of the day); the
//    listener may be anywhere, so every rank keeps who heard which story (4 bytes a customer),
//    brought up to date after phase 4 from the day's story messages, shared in rank order.
// The day's ratios are made on rank 0 and its row is broadcast, so every rank returns the same row.
//
// Not a standalone header: model.cpp includes it once (it uses by_chunk and in_parallel_by_chunk).

namespace cxsim {

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
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, chunks_.size(), 1), [&](const auto& range) {
    for (std::size_t k = range.begin(); k < range.end(); ++k) {
      const auto [lo, hi] = chunk_bounds(k);
      run_chunk(chunks_[k], lo, hi, t);
    }
  });
  lap(times_.customers);
  Row row{};
  add_chunks(row, false);

  // Phase 2 on rank 0.
  contacts_today_.clear();
  for (const Chunk& chunk : chunks_)
    contacts_today_.insert(contacts_today_.end(), chunk.contacts.begin(), chunk.contacts.end());
  std::vector<Contact> everyone;
  link_->gather_contacts(contacts_today_, everyone);
  lap(times_.merge);
  double first = 0, first_resolved = 0;
  if (root) {
    centre_.simulate_day(static_cast<std::uint32_t>(t), everyone, day_);
    record_contact_centre(row);
    for (const ContactOutcome& outcome : day_.outcomes) {
      if (outcome.severity != 0 && !outcome.is_repeat) {
        first += 1;
        first_resolved += outcome.resolved ? 1 : 0;
      }
    }
  }
  link_->scatter_outcomes(day_.outcomes, outcomes_here_);
  lap(times_.contact_centre);

  // Phase 3: the outcomes of this rank's customers.
  const auto contact_customer = [&](std::size_t k) {
    return static_cast<std::uint32_t>(outcomes_here_[k].customer);
  };
  by_chunk(outcomes_here_.size(), contact_customer);
  in_parallel_by_chunk(row, contact_customer,
                       [&](std::uint32_t k, Row& acc) { apply_contact(outcomes_here_[k], t, acc); });
  lap(times_.outcomes);

  // Phase 4: the messages to this rank's customers.
  messages_today_.clear();
  for (const Chunk& chunk : chunks_)
    messages_today_.insert(messages_today_.end(), chunk.messages.begin(), chunk.messages.end());
  link_->route_messages(messages_today_, received_);
  const auto listener = [&](std::size_t k) { return received_[k].target; };
  by_chunk(received_.size(), listener);
  in_parallel_by_chunk(row, listener, [&](std::uint32_t k, Row& acc) { deliver(received_[k], t, acc); });
  if (link_->blocks().ranks() > 1) {
    // Who heard which story, everywhere: each listener's last story of a kind is the last such
    // message in its rank's received order (deliver() wrote the same for this rank's own).
    messages_today_.clear();
    for (const Message& m : received_)
      if (m.kind == Message::good_story || m.kind == Message::bad_story) messages_today_.push_back(m);
    link_->share(messages_today_, stories_);
    for (const Message& m : stories_)
      heard_[2 * static_cast<std::size_t>(m.target) + (m.kind == Message::good_story ? 0 : 1)] = m.story;
  }
  lap(times_.word_of_mouth);

  if (root) finish_row(t, row, first, first_resolved);
  link_->broadcast(row);
  std::copy(row.begin(), row.end(), out.begin());
}

}  // namespace cxsim
