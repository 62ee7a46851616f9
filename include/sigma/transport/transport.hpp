// SPDX-License-Identifier: MIT
// What the client needs from HTTP, stated as a concept. The default is
// sigma::beast_transport (HTTPS over Boost.Beast); sigma::testing has in-memory
// and loopback ones.
#ifndef SIGMA_TRANSPORT_TRANSPORT_HPP
#define SIGMA_TRANSPORT_TRANSPORT_HPP

#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/http.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <concepts>

namespace sigma {

template <class T>
concept transport = requires(T& t, http_request req) {
    { t.get_executor() } -> std::convertible_to<boost::asio::any_io_executor>;
    { t.async_send(std::move(req)) } -> std::same_as<boost::asio::awaitable<result<http_response>>>;
};

} // namespace sigma

#endif
