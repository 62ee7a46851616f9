// Shared by the sigma::testing tests: a fake clock that drives both the client
// and the fake API, and a client wired to a fake_sigma.
#ifndef SIGMA_TESTS_TESTING_SUPPORT_HPP
#define SIGMA_TESTS_TESTING_SUPPORT_HPP

#include <sigma/client.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/memory_transport.hpp>
#include <sigma/testing/simulated_org.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace testing_support {

using fake_clock = sigma::testing::manual_clock;

using client = sigma::basic_client<sigma::testing::memory_transport>;

// A client over a fake_sigma serving `org`, both on one fake clock.
struct rig {
    boost::asio::io_context ioc;
    fake_clock clock;
    sigma::testing::fake_sigma fake;
    std::unique_ptr<client> c;

    explicit rig(sigma::testing::simulated_org org, sigma::client_options o = {},
                 sigma::testing::fake_sigma_options fo = {})
        : fake(std::move(org), with_clock(std::move(fo))) {
        o.clock = clock.source();
        c = std::make_unique<client>(fake.config(), fake.transport(ioc.get_executor()), std::move(o));
    }

    sigma::testing::fake_sigma_options with_clock(sigma::testing::fake_sigma_options fo) {
        fo.now = [this] { return clock.now; };
        return fo;
    }

    sigma::testing::simulated_org const& org() const { return fake.org(); }
    // Requests as the transport saw them (with headers).
    std::vector<sigma::http_request> const& sent() { return c->transport().requests(); }
};

inline sigma::client_options page_size(std::size_t n) {
    sigma::client_options o;
    o.page_size = n;
    return o;
}

// The value of a query parameter of a request target.
inline std::optional<std::string> query_param(std::string const& target, std::string_view name) {
    auto u = boost::urls::parse_origin_form(target);
    if (!u) return std::nullopt;
    for (auto p : u->params())
        if (p.key == name) return std::string(p.value);
    return std::nullopt;
}

inline std::string path_of(std::string const& target) { return target.substr(0, target.find('?')); }

template <class T>
std::vector<T> deref(std::vector<T const*> const& v) {
    std::vector<T> out;
    for (auto const* p : v) out.push_back(*p);
    return out;
}

} // namespace testing_support

#endif
