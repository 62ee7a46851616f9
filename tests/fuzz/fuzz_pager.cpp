// Fuzz target: the pager fed adversarial page sequences. The input is a list
// of answer bodies separated by NUL bytes, served in turn to one listing
// (then the last one again, forever): cycles, empty pages, bare arrays,
// wrong types, huge totals. Every listing must end, within max_pages, in
// entries or in a sigma::error; nothing may crash, hang or throw.
#include <sigma/client/client.hpp>
#include <sigma/api/endpoints.hpp>
#include <sigma/testing/manual_clock.hpp>
#include <sigma/testing/memory_transport.hpp>

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

constexpr std::size_t max_pages = 32;

void check(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_pager: %s\n", what);
        std::abort();
    }
}

template <class E>
void list(E e, std::vector<std::string> const& bodies) {
    boost::asio::io_context ioc;
    std::size_t served = 0;
    auto handler = [&](sigma::http_request const& r) -> sigma::result<sigma::http_response> {
        if (r.target.find("/auth/token") != std::string::npos)
            return sigma::testing::json_response(
                200, R"({"access_token":"tok","refresh_token":"ref","token_type":"bearer","expires_in":3600})");
        std::string const& b = bodies[std::min(served, bodies.size() - 1)];
        ++served;
        return sigma::testing::json_response(200, b);
    };
    sigma::testing::manual_clock clock;
    sigma::client_options o;
    o.clock = clock.source();
    o.max_pages = max_pages;
    o.page_size = 50;
    sigma::config cfg;
    cfg.hostPort = "https://api.sigmacomputing.com";
    cfg.clientId = "fuzz";
    cfg.clientSecret = sigma::secret("fuzz-secret");
    sigma::basic_client<sigma::testing::memory_transport> client(
        cfg, sigma::testing::memory_transport(ioc.get_executor(), handler), o);
    auto r = client.list_all(std::move(e));
    check(served <= max_pages, "more pages asked for than max_pages");
    if (!r) check(!r.error().message().empty(), "an empty error message");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<char const*>(data) + 1, size - 1);
    std::vector<std::string> bodies;
    while (bodies.size() < 64) {
        auto z = in.find('\0');
        bodies.emplace_back(in.substr(0, z));
        if (z == std::string_view::npos) break;
        in.remove_prefix(z + 1);
    }
    switch (data[0] % 4) {
    case 0: list(sigma::api::list_workbooks{}, bodies); break; // limit/page (style A)
    case 1: {                                                  // pageSize/pageToken (style B)
        sigma::api::list_data_model_sources e;
        e.dataModelId = "dm-1";
        list(std::move(e), bodies);
        break;
    }
    case 2: { // a bare array
        sigma::api::list_workbook_sources e;
        e.workbookId = "wb-1";
        list(std::move(e), bodies);
        break;
    }
    default: list(sigma::api::list_members{}, bodies); break; // A or a legacy bare array
    }
    return 0;
}
