// A program that uses sigma-cpp the way a downstream project does.
#include <sigma/sigma.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/describe.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace consumer {
struct workbook {
    std::string workbookId;
    std::string name;
    std::optional<std::vector<std::string>> tags;
};
BOOST_DESCRIBE_STRUCT(workbook, (), (workbookId, name, tags))
} // namespace consumer

int main() {
    auto ok = sigma::json::decode<std::vector<consumer::workbook>>(
        R"([{"workbookId":"wb-1","name":"Sales","tags":["finance"],"extra":1},{"workbookId":"wb-2","name":"Ops"}])");
    auto bad = sigma::json::decode<consumer::workbook>(R"({"workbookId":"wb-3","name":7})");
    if (!ok) {
        std::printf("unexpected error: %s\n", ok.error().what());
        return 1;
    }
    bool right = ok->size() == 2 && (*ok)[0].tags && (*ok)[0].tags->at(0) == "finance" && !(*ok)[1].tags &&
                 !bad && bad.error().message() == "/name: expected string, got number";
    std::printf("sigma-cpp %s: decoded %zu workbooks (%s, %s); bad input: %s\n", sigma::version_string, ok->size(),
                (*ok)[0].name.c_str(), (*ok)[1].name.c_str(), bad ? "accepted" : bad.error().what());
#ifdef SIGMA_SEPARATE_COMPILATION
    // The transport and the extraction come from sigma-cpp's static library:
    // a call to each must link, and the transport must answer.
    boost::asio::io_context ioc;
    sigma::beast_transport_options zero;
    zero.max_connections_per_origin = 0;
    auto t = sigma::beast_transport::make(ioc.get_executor(), zero);
    right = right && !t && t.error().code() == sigma::errc::config;
    sigma::result<sigma::extract::inventory> (*collect)(sigma::client&, sigma::extract::options const&) =
        &sigma::extract::collect<sigma::client>;
    right = right && collect != nullptr;
    std::printf("separate compilation: the transport %s a pool of 0 connections\n", t ? "accepted" : "refused");
#endif
    return right ? 0 : 1;
}
