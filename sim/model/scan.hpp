#pragma once
// Sparse scans of customer columns: visit, in increasing order, the few customers of a range
// that match, at a fraction of an instruction per customer that does not. The daily pass uses
// them to find who has something due (wake day) and who is active (for the stocks). With SSE2
// (every x86-64) they test 16 customers at once; elsewhere they fall back to a plain loop.

#include <cstdint>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace cxsim::scan {

/// Calls visit(i) for each i in [lo, hi) with day[i] <= t, in increasing order. visit(i) may
/// change day[i] (its own slot) but no other slot of the range.
template <class Visit>
void each_due(const std::int32_t* day, std::uint32_t lo, std::uint32_t hi, std::int32_t t, Visit&& visit) {
  std::uint32_t i = lo;
#if defined(__SSE2__)
  if (t < INT32_MAX) {
    const __m128i next = _mm_set1_epi32(t + 1);
    for (; i + 16 <= hi; i += 16) {
      const auto* p = reinterpret_cast<const __m128i*>(day + i);
      const __m128i a = _mm_cmplt_epi32(_mm_loadu_si128(p), next);
      const __m128i b = _mm_cmplt_epi32(_mm_loadu_si128(p + 1), next);
      const __m128i c = _mm_cmplt_epi32(_mm_loadu_si128(p + 2), next);
      const __m128i d = _mm_cmplt_epi32(_mm_loadu_si128(p + 3), next);
      auto mask = static_cast<std::uint32_t>(
          _mm_movemask_epi8(_mm_packs_epi16(_mm_packs_epi32(a, b), _mm_packs_epi32(c, d))));
      while (mask != 0) {
        visit(i + static_cast<std::uint32_t>(__builtin_ctz(mask)));
        mask &= mask - 1;
      }
    }
  }
#endif
  for (; i < hi; ++i)
    if (day[i] <= t) visit(i);
}

/// Adds to counts[v] the number of i in [lo, hi) with code[i] == v, for v = 0-3.
inline void count_codes(const std::uint8_t* code, std::uint32_t lo, std::uint32_t hi,
                        std::uint64_t (&counts)[4]) {
  std::uint32_t i = lo;
#if defined(__SSE2__)
  // Per-byte counters: a match is -1, subtracted; summed into `counts` before they can wrap.
  const __m128i zero = _mm_setzero_si128(), v1 = _mm_set1_epi8(1), v2 = _mm_set1_epi8(2),
                v3 = _mm_set1_epi8(3);
  const auto total = [&](__m128i bytes) {
    const __m128i sums = _mm_sad_epu8(bytes, zero);  // two 64-bit sums of 8 bytes each
    return static_cast<std::uint64_t>(_mm_cvtsi128_si32(sums)) +
           static_cast<std::uint64_t>(_mm_cvtsi128_si32(_mm_unpackhi_epi64(sums, sums)));
  };
  while (i + 16 <= hi) {
    __m128i c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    for (int round = 0; round < 255 && i + 16 <= hi; ++round, i += 16) {
      const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(code + i));
      c0 = _mm_sub_epi8(c0, _mm_cmpeq_epi8(s, zero));
      c1 = _mm_sub_epi8(c1, _mm_cmpeq_epi8(s, v1));
      c2 = _mm_sub_epi8(c2, _mm_cmpeq_epi8(s, v2));
      c3 = _mm_sub_epi8(c3, _mm_cmpeq_epi8(s, v3));
    }
    counts[0] += total(c0);
    counts[1] += total(c1);
    counts[2] += total(c2);
    counts[3] += total(c3);
  }
#endif
  for (; i < hi; ++i)
    if (code[i] < 4) ++counts[code[i]];
}

/// Calls visit(i) for each i in [lo, hi) with code[i] == value, in increasing order.
template <class Visit>
void each_equal(const std::uint8_t* code, std::uint32_t lo, std::uint32_t hi, std::uint8_t value,
                Visit&& visit) {
  std::uint32_t i = lo;
#if defined(__SSE2__)
  const __m128i v = _mm_set1_epi8(static_cast<char>(value));
  for (; i + 16 <= hi; i += 16) {
    const __m128i s = _mm_loadu_si128(reinterpret_cast<const __m128i*>(code + i));
    auto mask = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(s, v)));
    while (mask != 0) {
      visit(i + static_cast<std::uint32_t>(__builtin_ctz(mask)));
      mask &= mask - 1;
    }
  }
#endif
  for (; i < hi; ++i)
    if (code[i] == value) visit(i);
}

}  // namespace cxsim::scan
