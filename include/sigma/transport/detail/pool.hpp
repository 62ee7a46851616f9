// SPDX-License-Identifier: MIT
// A bounded set of kept-alive connections to one origin. At most `capacity`
// connections exist (busy or idle); a request that finds them all busy waits
// on a channel of slot tokens, racing a timer set to its deadline, so waiting
// costs no polling and wakes exactly when a slot is handed back. Safe to use
// from several threads.
#ifndef SIGMA_TRANSPORT_DETAIL_POOL_HPP
#define SIGMA_TRANSPORT_DETAIL_POOL_HPP

#include <sigma/detail/prelude.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace sigma::detail {

template <class Connection>
class connection_pool {
public:
    connection_pool(boost::asio::any_io_executor ex, std::size_t capacity)
        : capacity_(capacity), slots_(ex, capacity) {
        for (std::size_t i = 0; i < capacity; ++i) (void)slots_.try_send(boost::system::error_code{});
    }

    [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

    // Hands a slot back when it goes out of scope, however the request ends.
    class slot {
    public:
        slot() = default;
        explicit slot(connection_pool* p) : pool_(p) {}
        slot(slot&& o) noexcept : pool_(std::exchange(o.pool_, nullptr)) {}
        slot& operator=(slot&& o) noexcept {
            if (this != &o) {
                release();
                pool_ = std::exchange(o.pool_, nullptr);
            }
            return *this;
        }
        ~slot() { release(); }
        [[nodiscard]] explicit operator bool() const noexcept { return pool_ != nullptr; }

    private:
        void release() noexcept {
            if (pool_) (void)pool_->slots_.try_send(boost::system::error_code{});
            pool_ = nullptr;
        }
        connection_pool* pool_ = nullptr;
    };

    // A slot, or an empty one when the deadline passed first.
    boost::asio::awaitable<slot> acquire(std::chrono::steady_clock::time_point deadline) {
        bool got = false;
        (void)slots_.try_receive([&](boost::system::error_code) { got = true; });
        if (got) co_return slot(this);
        auto ex = co_await boost::asio::this_coro::executor;
        boost::asio::steady_timer timer(ex, deadline);
        auto [order, receive_ec, timer_ec] =
            co_await boost::asio::experimental::make_parallel_group(slots_.async_receive(boost::asio::deferred),
                                                                    timer.async_wait(boost::asio::deferred))
                .async_wait(boost::asio::experimental::wait_for_one(), boost::asio::use_awaitable);
        (void)order;
        (void)timer_ec;
        // Judge by the receive's own outcome: it may have completed even when
        // the timer is reported first, and a token taken must not be lost.
        if (!receive_ec) co_return slot(this);
        co_return slot();
    }

    // An idle connection for which `usable` holds, or null; unusable ones are
    // dropped (their count goes to `dropped`).
    template <class Pred>
    std::unique_ptr<Connection> take_idle(Pred usable, std::size_t& dropped) {
        std::vector<std::unique_ptr<Connection>> dead;
        std::unique_ptr<Connection> found;
        {
            std::lock_guard lock(mutex_);
            while (!idle_.empty() && !found) {
                auto c = std::move(idle_.back());
                idle_.pop_back();
                if (usable(*c)) found = std::move(c);
                else dead.push_back(std::move(c));
            }
        }
        dropped = dead.size();
        return found;
    }

    void put_idle(std::unique_ptr<Connection> c) {
        std::lock_guard lock(mutex_);
        idle_.push_back(std::move(c));
    }

    [[nodiscard]] std::size_t idle_count() const {
        std::lock_guard lock(mutex_);
        return idle_.size();
    }

private:
    std::size_t capacity_;
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> slots_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Connection>> idle_; // most recently used last
};

} // namespace sigma::detail

#endif
