// SPDX-License-Identifier: MIT
// sigma-bench: counts the calling thread's operator new calls, so that
// `overhead` can report allocations per request next to its times. Every form
// of the global operator new and delete is replaced (over malloc, aligned_alloc
// and free, as libstdc++'s are), so each pair stays matched. Asio's coroutine
// frames come from its own per-thread cache (aligned_alloc on a miss) and are
// not counted.
#include "bench.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

thread_local std::uint64_t t_allocations = 0;

void* allocate(std::size_t n) noexcept {
    ++t_allocations;
    return std::malloc(n == 0 ? 1 : n);
}

void* allocate(std::size_t n, std::align_val_t a) noexcept {
    ++t_allocations;
    auto const al = static_cast<std::size_t>(a);
    std::size_t const size = n == 0 ? al : (n + al - 1) / al * al; // aligned_alloc wants a multiple
    return std::aligned_alloc(al, size);
}

void* or_throw(void* p) {
    if (!p) throw std::bad_alloc();
    return p;
}

} // namespace

std::uint64_t bench::thread_allocations() noexcept { return t_allocations; }

void* operator new(std::size_t n) { return or_throw(allocate(n)); }
void* operator new[](std::size_t n) { return or_throw(allocate(n)); }
void* operator new(std::size_t n, std::nothrow_t const&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, std::nothrow_t const&) noexcept { return allocate(n); }
void* operator new(std::size_t n, std::align_val_t a) { return or_throw(allocate(n, a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return or_throw(allocate(n, a)); }
void* operator new(std::size_t n, std::align_val_t a, std::nothrow_t const&) noexcept { return allocate(n, a); }
void* operator new[](std::size_t n, std::align_val_t a, std::nothrow_t const&) noexcept { return allocate(n, a); }

void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::nothrow_t const&) noexcept { std::free(p); }
void operator delete[](void* p, std::nothrow_t const&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t, std::nothrow_t const&) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t, std::nothrow_t const&) noexcept { std::free(p); }
