#pragma once
// The precompiled header of every C++ test target (tests/CMakeLists.txt, REUSE_FROM
// cxsim_test_pch): Catch2, the standard and Boost.Math headers the tests share, and the engine's
// most included headers. Parsing them was about half of each test file's compile time (a test file
// of 12 s compiled in 6 s with them precompiled). Test files still include what they use.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <boost/math/distributions/binomial.hpp>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "core/errors.hpp"
#include "core/params.hpp"
#include "core/rng.hpp"
#include "experiment/experiment.hpp"
#include "model/model.hpp"
