// SPDX-License-Identifier: MIT
// The schema engine: JSON <-> Boost.Describe-described C++ types. Knows nothing of Sigma.
#ifndef SIGMA_JSON_HPP
#define SIGMA_JSON_HPP

#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/json/options.hpp>
#include <sigma/json/pointer.hpp>
#include <sigma/json/traits.hpp>

#endif
