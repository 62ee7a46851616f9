// SPDX-License-Identifier: MIT
// What the loopback test servers share: an io_context run by their own
// threads, and a listening socket on 127.0.0.1.
#ifndef SIGMA_TESTING_DETAIL_LOOPBACK_HPP
#define SIGMA_TESTING_DETAIL_LOOPBACK_HPP

#include <sigma/detail/prelude.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace sigma::testing::detail {

class loopback_runner {
public:
    explicit loopback_runner(std::uint16_t port)
        : ioc_(std::make_unique<boost::asio::io_context>()), acceptor_(std::in_place, *ioc_) {
        using tcp = boost::asio::ip::tcp;
        tcp::endpoint const ep(boost::asio::ip::make_address_v4("127.0.0.1"), port);
        acceptor_->open(ep.protocol());
        acceptor_->set_option(tcp::acceptor::reuse_address(true));
        acceptor_->bind(ep);
        acceptor_->listen();
        port_ = acceptor_->local_endpoint().port();
    }

    loopback_runner(loopback_runner const&) = delete;
    loopback_runner& operator=(loopback_runner const&) = delete;
    ~loopback_runner() { stop(); }

    boost::asio::io_context& context() { return *ioc_; }
    boost::asio::ip::tcp::acceptor& acceptor() { return *acceptor_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    void start(std::size_t threads) {
        if (threads == 0) threads = 1;
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_->run(); });
    }

    // Stops the threads, then destroys every pending operation (and the
    // coroutine frames and sockets they own) while the owner is still alive.
    void stop() {
        if (!ioc_) return;
        ioc_->stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
        acceptor_.reset();
        ioc_.reset();
    }

private:
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
};

} // namespace sigma::testing::detail

#endif
