#pragma once
// The engine's parallel loops: tbb::parallel_for and task_arena::execute, whose fork and join are
// told to ThreadSanitizer in a TSan build (scripts/tsan.sh). Debian's oneTBB is not built with
// TSan, so TSan cannot see a task pass from the thread that spawns it to the one that runs it; these
// annotations give it exactly a fork-join loop's order: what the caller did before the loop happens
// before every body, and every body before what the caller does after it. Races between bodies of
// the same loop, the ones that could make results depend on the threads, stay visible. In other
// builds these are tbb's own calls.

#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <utility>

#if defined(__SANITIZE_THREAD__)
#define CXSIM_TSAN_FORK_JOIN 1
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace cxsim::fork_join {

#ifdef CXSIM_TSAN_FORK_JOIN
/// One loop's fork and join, as TSan's happens-before.
class Annotated {
 public:
  Annotated() { __tsan_release(&fork_); }
  template <class Body>
  auto wrap(const Body& body) {
    return [this, &body](auto&&... args) {
      __tsan_acquire(&fork_);
      body(std::forward<decltype(args)>(args)...);
      __tsan_release(&join_);
    };
  }
  void join() { __tsan_acquire(&join_); }

 private:
  // Two sync objects for TSan, in cells of their own: it keeps one per 8-byte cell, and a shared
  // one would order each body after the bodies that released it earlier, hiding their races.
  alignas(64) char fork_ = 0;
  alignas(64) char join_ = 0;
};
#else
/// Without TSan: the body itself, nothing to tell.
struct Annotated {
  template <class Body>
  const Body& wrap(const Body& body) {
    return body;
  }
  void join() {}
};
#endif

/// tbb::parallel_for(range, body).
template <class Range, class Body>
void parallel_for(const Range& range, const Body& body) {
  Annotated loop;
  tbb::parallel_for(range, loop.wrap(body));
  loop.join();
}

/// tbb::parallel_for(first, last, body): body(i) for i in [first, last).
template <class Index, class Body>
void parallel_for(Index first, Index last, const Body& body) {
  Annotated loop;
  tbb::parallel_for(first, last, loop.wrap(body));
  loop.join();
}

/// arena.execute(f): f may run on one of the arena's threads.
template <class F>
void execute(tbb::task_arena& arena, const F& f) {
  Annotated call;
  arena.execute(call.wrap(f));
  call.join();
}

}  // namespace cxsim::fork_join
