#pragma once
// The touchpoints of an order, as a table: adding a touchpoint type is one row here (with the
// registry parameters its failure modes read) and its test in tests/unit/test_mechanisms.cpp.
//
// Random streams: the first two rows (delivery and use) draw from the order's shared streams in
// their historical order, so results stay as they were; every later row draws from sub-streams
// of its own (keyed by its row index), so adding one shifts no other draw.

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "core/params.hpp"

namespace cxsim {

/// One way a touchpoint can go wrong: how often, and how often the firm detects it (proactive).
struct FailureMode {
  std::string_view name;
  double Params::*rate = nullptr;       ///< chance per order (nullptr: an unused slot)
  double Params::*detection = nullptr;  ///< share the firm detects
};

struct TouchpointType {
  std::string_view name;
  std::array<FailureMode, 2> modes;
};

inline constexpr TouchpointType kTouchpoints[] = {
    {"delivery",
     {{{"late_delivery", &Params::quality_late_delivery_rate, &Params::proactive_detect_late_delivery},
       {"billing_error", &Params::quality_billing_error_rate, &Params::proactive_detect_billing_error}}}},
    {"use",
     {{{"defect", &Params::quality_defect_rate, &Params::proactive_detect_defect},
       {"confusion", &Params::quality_confusion_rate, &Params::proactive_detect_confusion}}}},
};

/// Rows a table may have (the draws of one order live on the stack).
inline constexpr std::size_t kMaxTouchpoints = 8;

/// The first rows that share the order's streams (see above).
inline constexpr std::size_t kSharedStreamTouchpoints = 2;

/// What one touchpoint of one order drew.
struct TouchpointDraw {
  bool failed = false;    ///< any failure mode occurred
  double detection = 0;   ///< chance the firm detects the failure
  double severity_u = 0;  ///< uniform that picks the severity
  double good = 0;        ///< performance if nothing failed (before clamping to [0, 1])
};

}  // namespace cxsim
