// sigma-cpp: a header-only C++20 client for Sigma Computing's REST API.
// SPDX-License-Identifier: MIT
#ifndef SIGMA_VERSION_HPP
#define SIGMA_VERSION_HPP

#define SIGMA_VERSION_MAJOR 0
#define SIGMA_VERSION_MINOR 1
#define SIGMA_VERSION_PATCH 0
#define SIGMA_VERSION_STRING "0.1.0"

namespace sigma {
inline constexpr char const* version_string = SIGMA_VERSION_STRING;
} // namespace sigma

#endif
