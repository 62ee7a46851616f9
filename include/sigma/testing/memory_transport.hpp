// SPDX-License-Identifier: MIT
// An in-memory Transport for tests: every request goes to a handler function
// and is recorded. No sockets, no threads; completes on the caller's executor.
#ifndef SIGMA_TESTING_MEMORY_TRANSPORT_HPP
#define SIGMA_TESTING_MEMORY_TRANSPORT_HPP

#include <sigma/result.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma::testing {

class memory_transport {
public:
    // Return a response, or a sigma::error to simulate a transport failure.
    using handler = std::function<result<http_response>(http_request const&)>;

    memory_transport(boost::asio::any_io_executor ex, handler h)
        : ex_(std::move(ex)), state_(std::make_shared<state>()) {
        state_->h = std::move(h);
    }

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        // Yield once, as a real transport would, so that concurrent callers interleave.
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto st = state_;
        st->log.push_back(req);
        co_return st->h(st->log.back());
    }

    // Every request received, in order (copies of this transport share it).
    [[nodiscard]] std::vector<http_request> const& requests() const noexcept { return state_->log; }
    void clear_requests() { state_->log.clear(); }
    void set_handler(handler h) { state_->h = std::move(h); }

private:
    struct state {
        handler h;
        std::vector<http_request> log;
    };
    boost::asio::any_io_executor ex_;
    std::shared_ptr<state> state_;
};

static_assert(transport<memory_transport>);

// A JSON response with the given status.
inline http_response json_response(unsigned status, std::string body) {
    http_response r;
    r.status = status;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = std::move(body);
    return r;
}

} // namespace sigma::testing

SIGMA_COROUTINES_END

#endif
