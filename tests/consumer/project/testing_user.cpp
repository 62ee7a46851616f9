// A user's test that includes only <sigma/testing.hpp>. The vendored route
// builds it against single_include/sigma/testing.hpp and sigma.hpp copied
// side by side, and nothing else: the testing header must stand on those two.
#include <sigma/testing.hpp>

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <cstdio>

int main() {
    boost::asio::io_context ioc;
    sigma::testing::fake_sigma api(sigma::testing::simulated_org::demo());
    sigma::basic_client<sigma::testing::memory_transport> client(api.config(), api.transport(ioc.get_executor()));
    auto listed = client.list_all(sigma::api::list_workbooks{});
    if (!listed) {
        std::printf("unexpected error: %s\n", listed.error().what());
        return 1;
    }
    auto const& org = api.org().workbooks;
    bool const known = std::all_of(listed->begin(), listed->end(), [&](sigma::api::workbook const& w) {
        return std::any_of(org.begin(), org.end(), [&](auto const& o) { return o.workbook.workbookId == w.workbookId; });
    });
    std::printf("sigma::testing: %zu workbooks listed from a fake of %zu\n", listed->size(), org.size());
    return !listed->empty() && known ? 0 : 1;
}
