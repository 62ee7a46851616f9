// SPDX-License-Identifier: MIT
// Runs n coroutines with a bound on how many run at once and hands their
// results on in index order, whatever order they finish in: concurrency for
// speed, a stable order for the output.
#ifndef SIGMA_EXTRACT_DETAIL_ORDERED_TASKS_HPP
#define SIGMA_EXTRACT_DETAIL_ORDERED_TASKS_HPP

#include <sigma/detail/coroutine_warnings.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <exception>
#include <map>
#include <optional>
#include <type_traits>
#include <utility>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract::detail {

template <class>
struct awaitable_value;
template <class T, class E>
struct awaitable_value<boost::asio::awaitable<T, E>> {
    using type = T;
};

// make(i) -> awaitable<R> for i in [0, n); emit(i, R&&) in index order on
// this coroutine. At most `limit` tasks run at once, and none starts more
// than `lookahead` places after the first result not yet emitted, which
// bounds the results held back waiting for a slow predecessor. The executor
// must run on one thread (or be a strand): the tasks share the caller's state.
template <class Make, class Emit>
boost::asio::awaitable<void> run_ordered(std::size_t n, std::size_t limit, Make make, Emit emit,
                                         std::size_t lookahead = 0) {
    using task_type = std::invoke_result_t<Make&, std::size_t>;
    using value_type = typename awaitable_value<task_type>::type;
    limit = std::max<std::size_t>(1, limit);
    if (lookahead < limit) lookahead = 4 * limit;

    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer wake(ex);
    std::map<std::size_t, value_type> finished;
    std::exception_ptr failure;
    std::size_t next_start = 0, next_emit = 0, running = 0;

    while (next_emit < n || running > 0) {
        while (!failure && running < limit && next_start < n && next_start < next_emit + lookahead) {
            ++running;
            boost::asio::co_spawn(ex, make(next_start),
                                  [&, i = next_start](std::exception_ptr e, value_type v) {
                                      --running;
                                      if (e) {
                                          if (!failure) failure = e;
                                      } else {
                                          finished.emplace(i, std::move(v));
                                      }
                                      wake.cancel();
                                  });
            ++next_start;
        }
        bool progressed = false;
        for (auto it = finished.find(next_emit); !failure && it != finished.end(); it = finished.find(next_emit)) {
            emit(next_emit, std::move(it->second));
            finished.erase(it);
            ++next_emit;
            progressed = true;
        }
        if (failure && running == 0) break;
        if (progressed) continue;
        if (running == 0 && next_emit >= n) break;
        wake.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
}

// The same over items that arrive one by one: next() -> awaitable<optional<Item>>
// (nullopt at the end) is asked for an item only when a task could start, so
// a paged listing is read as the crawl needs it rather than held whole.
// make(Item&&) -> awaitable<R>; emit(R&&) in the items' order.
template <class Next, class Make, class Emit>
boost::asio::awaitable<void> run_ordered_feed(std::size_t limit, Next next, Make make, Emit emit,
                                              std::size_t lookahead = 0) {
    using item_type = typename awaitable_value<std::invoke_result_t<Next&>>::type::value_type;
    using task_type = std::invoke_result_t<Make&, item_type&&>;
    using value_type = typename awaitable_value<task_type>::type;
    limit = std::max<std::size_t>(1, limit);
    if (lookahead < limit) lookahead = 4 * limit;

    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer wake(ex);
    std::map<std::size_t, value_type> finished;
    std::exception_ptr failure;
    std::size_t next_start = 0, next_emit = 0, running = 0;
    bool exhausted = false;

    while (!exhausted || next_emit < next_start || running > 0) {
        while (!failure && !exhausted && running < limit && next_start < next_emit + lookahead) {
            std::optional<item_type> item;
            try {
                item = co_await next();
            } catch (...) {
                failure = std::current_exception();
                break;
            }
            if (!item) {
                exhausted = true;
                break;
            }
            ++running;
            boost::asio::co_spawn(ex, make(std::move(*item)),
                                  [&, i = next_start](std::exception_ptr e, value_type v) {
                                      --running;
                                      if (e) {
                                          if (!failure) failure = e;
                                      } else {
                                          finished.emplace(i, std::move(v));
                                      }
                                      wake.cancel();
                                  });
            ++next_start;
        }
        bool progressed = false;
        for (auto it = finished.find(next_emit); !failure && it != finished.end(); it = finished.find(next_emit)) {
            emit(std::move(it->second));
            finished.erase(it);
            ++next_emit;
            progressed = true;
        }
        if (failure && running == 0) break;
        if (progressed) continue;
        if (running == 0 && (exhausted || failure)) break;
        if (running == 0) continue; // room to start more: ask for the next item
        wake.expires_at(boost::asio::steady_timer::time_point::max());
        boost::system::error_code ec;
        co_await wake.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
}

} // namespace sigma::extract::detail

SIGMA_COROUTINES_END

#endif
