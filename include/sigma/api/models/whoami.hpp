// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_WHOAMI_HPP
#define SIGMA_API_MODELS_WHOAMI_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>

#include <boost/describe/class.hpp>

#include <string>

namespace sigma::api {

// GET /v2/whoami: the cheapest check that a token works.
struct whoami {
    std::string userId;
    std::string organizationId;

    bool operator==(whoami const&) const = default;
};
BOOST_DESCRIBE_STRUCT(whoami, (), (userId, organizationId))

} // namespace sigma::api

#endif
