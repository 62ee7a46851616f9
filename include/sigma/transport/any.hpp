// SPDX-License-Identifier: MIT
// sigma::any_transport: any transport behind one type, as asio's
// any_io_executor is for executors. A program that picks its transport at run
// time (HTTPS, recording, replay) instantiates basic_client<any_transport>,
// and the client and the whole extraction, once instead of once per choice;
// the cost is one virtual call per request.
#ifndef SIGMA_TRANSPORT_ANY_HPP
#define SIGMA_TRANSPORT_ANY_HPP

#include <sigma/result.hpp>
#include <sigma/transport/http.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <concepts>
#include <cstddef>
#include <memory>
#include <type_traits>
#include <utility>

namespace sigma {

class any_transport {
public:
    // Holds `t`. Copies of an any_transport share the one held transport.
    template <class T>
        requires(!std::same_as<std::remove_cvref_t<T>, any_transport> && transport<std::remove_cvref_t<T>>)
    any_transport(T&& t) // NOLINT(google-explicit-constructor): converts like any_io_executor
        : p_(std::make_shared<holder<std::remove_cvref_t<T>>>(std::forward<T>(t))) {}

    boost::asio::any_io_executor get_executor() const { return p_->get_executor(); }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        return p_->async_send(std::move(req));
    }

    // The held transport's max_in_flight(), or 0 (no limit) when it has none.
    [[nodiscard]] std::size_t max_in_flight() const { return p_->max_in_flight(); }

    // The held transport, when it is a T.
    template <class T>
    [[nodiscard]] T* target() noexcept {
        auto* h = dynamic_cast<holder<T>*>(p_.get());
        return h == nullptr ? nullptr : &h->t;
    }
    template <class T>
    [[nodiscard]] T const* target() const noexcept {
        auto const* h = dynamic_cast<holder<T> const*>(p_.get());
        return h == nullptr ? nullptr : &h->t;
    }

private:
    struct base {
        virtual ~base() = default;
        virtual boost::asio::any_io_executor get_executor() = 0;
        virtual boost::asio::awaitable<result<http_response>> async_send(http_request req) = 0;
        virtual std::size_t max_in_flight() const = 0;
    };

    template <class T>
    struct holder final : base {
        template <class U>
        explicit holder(U&& u) : t(std::forward<U>(u)) {}
        boost::asio::any_io_executor get_executor() override { return t.get_executor(); }
        boost::asio::awaitable<result<http_response>> async_send(http_request req) override {
            return t.async_send(std::move(req));
        }
        std::size_t max_in_flight() const override {
            if constexpr (requires(T const& x) {
                              { x.max_in_flight() } -> std::convertible_to<std::size_t>;
                          })
                return t.max_in_flight();
            else
                return 0;
        }
        T t;
    };

    std::shared_ptr<base> p_;
};

static_assert(transport<any_transport>);

} // namespace sigma

#endif
