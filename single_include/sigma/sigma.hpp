// SPDX-License-Identifier: MIT
// sigma-cpp: a header-only C++20 client for Sigma Computing's REST API.
// This umbrella header includes the whole library.
#ifndef SIGMA_SIGMA_HPP
#define SIGMA_SIGMA_HPP

#include <sigma/version.hpp>
#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/json.hpp>
#include <sigma/transport/transport.hpp>

#endif
