// SPDX-License-Identifier: MIT
#ifndef SIGMA_RESULT_HPP
#define SIGMA_RESULT_HPP

#include <sigma/error.hpp>

#include <type_traits>
#include <utility>
#include <variant>

namespace sigma {

// A value or a sigma::error. Failures that are expected in normal operation
// (a bad payload, a 404, a dropped connection) travel as values; the
// *_or_throw helpers and value() turn them into exceptions for callers who
// prefer those.
template <class T>
class [[nodiscard]] result {
    static_assert(!std::is_reference_v<T>, "sigma::result<T>: T must not be a reference; hold a value or a pointer");
    static_assert(!std::is_same_v<std::remove_cv_t<T>, ::sigma::error>, "sigma::result<sigma::error> is ambiguous");

public:
    using value_type = T;

    // Default-constructed results hold a value-initialised T so that results can
    // live in containers and coroutine frames.
    result() requires std::is_default_constructible_v<T> : v_(std::in_place_index<0>) {}
    result(T const& v) : v_(std::in_place_index<0>, v) {}
    result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    result(::sigma::error e) : v_(std::in_place_index<1>, std::move(e)) {}
    template <class... A>
    explicit result(std::in_place_t, A&&... a) : v_(std::in_place_index<0>, std::forward<A>(a)...) {}

    [[nodiscard]] bool has_value() const noexcept { return v_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    T& operator*() & noexcept { return *std::get_if<0>(&v_); }
    T const& operator*() const& noexcept { return *std::get_if<0>(&v_); }
    T&& operator*() && noexcept { return std::move(*std::get_if<0>(&v_)); }
    T* operator->() noexcept { return std::get_if<0>(&v_); }
    T const* operator->() const noexcept { return std::get_if<0>(&v_); }

    // The value, or the error thrown.
    T& value() & { check(); return *std::get_if<0>(&v_); }
    T const& value() const& { check(); return *std::get_if<0>(&v_); }
    T&& value() && { check(); return std::move(*std::get_if<0>(&v_)); }

    // Precondition: !has_value().
    [[nodiscard]] ::sigma::error const& error() const& noexcept { return *std::get_if<1>(&v_); }
    [[nodiscard]] ::sigma::error&& error() && noexcept { return std::move(*std::get_if<1>(&v_)); }

private:
    void check() const {
        if (v_.index() != 0) throw *std::get_if<1>(&v_);
    }
    std::variant<T, ::sigma::error> v_;
};

template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    result() = default;
    result(::sigma::error e) : e_(std::in_place_index<1>, std::move(e)) {}

    [[nodiscard]] bool has_value() const noexcept { return e_.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }
    void value() const {
        if (e_.index() != 0) throw *std::get_if<1>(&e_);
    }
    [[nodiscard]] ::sigma::error const& error() const& noexcept { return *std::get_if<1>(&e_); }

private:
    std::variant<std::monostate, ::sigma::error> e_;
};

} // namespace sigma

#endif
