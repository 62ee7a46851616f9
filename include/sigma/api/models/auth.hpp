// SPDX-License-Identifier: MIT
#ifndef SIGMA_API_MODELS_AUTH_HPP
#define SIGMA_API_MODELS_AUTH_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/traits.hpp>
#include <sigma/secret.hpp>

#include <boost/describe/class.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace sigma::api {

// POST /v2/auth/token (client_credentials or refresh_token grant). Both tokens
// are secrets: printing or encoding this answer shows `***`. `expires_in` is
// about an hour, not exactly 3600.
struct token_response {
    sigma::secret access_token;
    std::optional<sigma::secret> refresh_token;
    std::string token_type;
    std::int64_t expires_in = 0;

    bool operator==(token_response const&) const = default;
};
BOOST_DESCRIBE_STRUCT(token_response, (), (access_token, refresh_token, token_type, expires_in))

} // namespace sigma::api

#endif
