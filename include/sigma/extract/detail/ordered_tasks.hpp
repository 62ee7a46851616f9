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
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract::detail {

// What co_await of a T gives: T itself when T is not an awaitable (a feed's
// next() may return its optional directly).
template <class T>
struct awaitable_value {
    using type = T;
};
template <class T, class E>
struct awaitable_value<boost::asio::awaitable<T, E>> {
    using type = T;
};

template <class T>
inline constexpr bool is_awaitable_v = false;
template <class T, class E>
inline constexpr bool is_awaitable_v<boost::asio::awaitable<T, E>> = true;

// How a task hands its result over: as its awaitable's value, by filling a
// slot it is given (no moves of a large result), or not at all (void).
enum class ordered_result { value, in_place, none };

// Results wait for their turn in a ring: no task starts `lookahead` places
// past the first result not yet emitted, so `lookahead` slots never collide
// (a map node per task cost an allocation each).
template <class V>
struct ordered_slots {
    std::vector<std::optional<V>> values;
    std::vector<unsigned char> done;
    explicit ordered_slots(std::size_t n) : values(n), done(n, 0) {}
};
template <>
struct ordered_slots<void> {
    std::vector<unsigned char> done;
    explicit ordered_slots(std::size_t n) : done(n, 0) {}
};

// The loop of run_ordered and run_ordered_feed_in_place. next() gives the next
// item (an optional, or an awaitable of one; nullopt at the end), asked for
// only when a task could start; make(item) -> awaitable<V> (value, none) or
// make(item, V&) -> awaitable<void> (in_place); emit(i, V&&), or emit(i) for
// none, in index order on this coroutine. At most `limit` tasks run at once,
// none more than `lookahead` places past the first result not yet emitted.
// The executor must run on one thread (or be a strand): the tasks share the
// caller's state.
template <class V, ordered_result How, class Next, class Make, class Emit>
boost::asio::awaitable<void> ordered_loop(std::size_t ring, std::size_t limit, std::size_t lookahead, Next next,
                                          Make make, Emit emit) {
    using next_type = std::invoke_result_t<Next&>;
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer wake(ex);
    ordered_slots<V> held(std::max<std::size_t>(1, ring));
    ring = held.done.size();
    std::exception_ptr failure;
    std::size_t next_start = 0, next_emit = 0, running = 0;
    bool exhausted = false;

    while (!exhausted || next_emit < next_start || running > 0) {
        while (!failure && !exhausted && running < limit && next_start < next_emit + lookahead) {
            typename awaitable_value<next_type>::type item;
            if constexpr (is_awaitable_v<next_type>) {
                try {
                    item = co_await next();
                } catch (...) {
                    failure = std::current_exception();
                    break;
                }
            } else {
                item = next();
            }
            if (!item) {
                exhausted = true;
                break;
            }
            ++running;
            std::size_t const k = next_start % ring;
            auto finish = [&, k](std::exception_ptr e) {
                --running;
                if (e) {
                    if (!failure) failure = e;
                } else {
                    held.done[k] = 1;
                }
                wake.cancel();
            };
            if constexpr (How == ordered_result::value) {
                boost::asio::co_spawn(ex, make(std::move(*item)), [&, k, finish](std::exception_ptr e, V v) {
                    if (!e) held.values[k].emplace(std::move(v));
                    finish(e);
                });
            } else if constexpr (How == ordered_result::in_place) {
                boost::asio::co_spawn(ex, make(std::move(*item), held.values[k].emplace()), finish);
            } else {
                boost::asio::co_spawn(ex, make(std::move(*item)), finish);
            }
            ++next_start;
        }
        bool progressed = false;
        while (!failure && next_emit < next_start && held.done[next_emit % ring]) {
            std::size_t const k = next_emit % ring;
            held.done[k] = 0;
            if constexpr (How == ordered_result::none) {
                emit(next_emit);
            } else {
                emit(next_emit, std::move(*held.values[k]));
                held.values[k].reset();
            }
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

inline std::size_t default_lookahead(std::size_t limit, std::size_t lookahead) {
    return lookahead < std::max<std::size_t>(1, limit) ? 4 * std::max<std::size_t>(1, limit) : lookahead;
}

// The two wrappers below are plain functions returning the loop: no coroutine
// frame of their own.

// make(i) -> awaitable<R> for i in [0, n); emit(i, R&&) in index order on
// this coroutine (R void: emit(i)). At most `limit` tasks run at once, and
// none starts more than `lookahead` places after the first result not yet
// emitted, which bounds the results held back waiting for a slow predecessor.
template <class Make, class Emit>
boost::asio::awaitable<void> run_ordered(std::size_t n, std::size_t limit, Make make, Emit emit,
                                         std::size_t lookahead = 0) {
    using value_type = typename awaitable_value<std::invoke_result_t<Make&, std::size_t>>::type;
    constexpr auto how = std::is_void_v<value_type> ? ordered_result::none : ordered_result::value;
    lookahead = default_lookahead(limit, lookahead);
    auto next = [i = std::size_t{0}, n]() mutable -> std::optional<std::size_t> {
        if (i == n) return std::nullopt;
        return i++;
    };
    return ordered_loop<value_type, how>(std::min(n, lookahead), std::max<std::size_t>(1, limit), lookahead,
                                         std::move(next), std::move(make), std::move(emit));
}

// The tasks of run_all and their budget, behind one interface, so that the
// loop below is compiled once rather than once per caller's lambda.
class pool_tasks {
public:
    virtual ~pool_tasks() = default;
    virtual boost::asio::awaitable<void> task(std::size_t i) = 0;
    virtual bool take() = 0;
    virtual void give() = 0;
};

template <class Make, class Extra>
class pool_tasks_of final : public pool_tasks {
public:
    pool_tasks_of(Make make, Extra extra) : make_(std::move(make)), extra_(std::move(extra)) {}
    boost::asio::awaitable<void> task(std::size_t i) override { return make_(i); }
    bool take() override { return extra_.take(); }
    void give() override { extra_.give(); }

private:
    Make make_;
    Extra extra_;
};

inline boost::asio::awaitable<void> run_pool(std::size_t n, std::size_t limit, std::unique_ptr<pool_tasks> tasks) {
    if (n == 0) co_return;
    limit = std::max<std::size_t>(1, limit);
    auto ex = co_await boost::asio::this_coro::executor;
    boost::asio::steady_timer all_ended(ex, boost::asio::steady_timer::time_point::max());
    std::exception_ptr failure;
    std::size_t next = 0, running = 0;
    pool_tasks& pool = *tasks;
    auto ended = [&](std::exception_ptr e) {
        if (e && !failure) failure = e;
        if (--running == 0) all_ended.cancel();
    };
    auto extra_ended = [&](std::exception_ptr e) {
        pool.give();
        ended(e);
    };
    auto worker = [&](auto& self) -> boost::asio::awaitable<void> {
        while (!failure && next < n) {
            co_await pool.task(next++);
            // One more worker when a task is left besides the one this one
            // takes next, and the budget has a place.
            if (!failure && running < limit && next + 1 < n && pool.take()) {
                ++running;
                boost::asio::co_spawn(ex, self(self), extra_ended);
            }
        }
    };
    ++running;
    boost::asio::co_spawn(ex, worker(worker), ended);
    for (std::size_t w = 1; w < std::min(n, limit) && pool.take(); ++w) {
        ++running;
        boost::asio::co_spawn(ex, worker(worker), extra_ended);
    }
    if (running > 0) { // else every worker ended before this point: nothing to wait for
        boost::system::error_code ec;
        co_await all_ended.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    }
    if (failure) std::rethrow_exception(failure);
}

// Tasks without a result, all run (at most `limit` at once) before it
// returns. Nothing waits to be handed on in order, so workers each take the
// next index until none is left: no spawn per task, and the caller wakes
// once, when the last worker ends. After a task throws no other starts; the
// first exception is rethrown once the running ones have ended.
//
// Workers past the first each take a place from `extra` (a handle, copied:
// take() -> bool, give() when the worker ends), at the start and whenever a
// task ends. Pools nest (a workbook's pages inside the pool of workbooks): a
// shared budget keeps the workers of every level within what the client
// serves at once, where a `limit` per level multiplied into coroutines
// queued at its admission, a wait and a wake each for nothing.
//
// A plain function: `make` and `extra` move into the loop's frame.
template <class Make, class Extra>
boost::asio::awaitable<void> run_all(std::size_t n, std::size_t limit, Make make, Extra extra) {
    return run_pool(n, limit, std::make_unique<pool_tasks_of<Make, Extra>>(std::move(make), std::move(extra)));
}

// A budget without bounds: `limit` workers at once.
struct unbounded_workers {
    static constexpr bool take() noexcept { return true; }
    static constexpr void give() noexcept {}
};

template <class Make>
boost::asio::awaitable<void> run_all(std::size_t n, std::size_t limit, Make make) {
    return run_all(n, limit, std::move(make), unbounded_workers{});
}

// Over items that arrive one by one: next() -> awaitable<optional<Item>> (or
// optional<Item>; nullopt at the end) is asked for an item only when a task
// could start, so a paged listing is read as the crawl needs it rather than
// held whole. make(Item&&, R&) -> awaitable<void> fills a default-constructed
// R that waits there for its turn, so a large R is not moved from coroutine
// to handler to queue; emit(R&&) in the items' order.
template <class R, class Next, class Make, class Emit>
boost::asio::awaitable<void> run_ordered_feed_in_place(std::size_t limit, Next next, Make make, Emit emit,
                                                       std::size_t lookahead = 0) {
    lookahead = default_lookahead(limit, lookahead);
    return ordered_loop<R, ordered_result::in_place>(
        lookahead, std::max<std::size_t>(1, limit), lookahead, std::move(next), std::move(make),
        [emit = std::move(emit)](std::size_t, R&& v) mutable { emit(std::move(v)); });
}

} // namespace sigma::extract::detail

SIGMA_COROUTINES_END

#endif
