// SPDX-License-Identifier: MIT
// sigma-bench compile-time: the Boost-only baseline. The Boost headers sigma-cpp
// uses (Asio with coroutines, Beast over SSL, JSON, URL, Describe) and a
// comparable program: an HTTPS GET as a coroutine, its body parsed and turned
// into a described struct. Compiled by `sigma-bench compile-time`, never run.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/describe.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>

#include <cstdio>
#include <optional>
#include <string>
#include <vector>

namespace demo {

struct workbook {
    std::string workbookId;
    std::string name;
    std::string url;
    std::vector<std::string> tags;
    std::optional<std::string> description;
};
BOOST_DESCRIBE_STRUCT(workbook, (), (workbookId, name, url, tags, description))

struct page {
    std::vector<workbook> entries;
    std::optional<std::string> nextPage;
};
BOOST_DESCRIBE_STRUCT(page, (), (entries, nextPage))

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

asio::awaitable<std::string> get(asio::ssl::context& tls, std::string url_text) {
    auto url = boost::urls::parse_uri(url_text).value();
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(ex);
    auto endpoints = co_await resolver.async_resolve(std::string(url.host()), url.has_port() ? std::string(url.port()) : "443",
                                                     asio::use_awaitable);
    beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
    co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    http::request<http::empty_body> req{http::verb::get, std::string(url.encoded_target()), 11};
    req.set(http::field::host, std::string(url.host()));
    co_await http::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    co_await http::async_read(stream, buffer, res, asio::use_awaitable);
    co_return res.body();
}

asio::awaitable<void> run(asio::ssl::context& tls, std::string url) {
    auto body = co_await get(tls, std::move(url));
    auto p = boost::json::value_to<page>(boost::json::parse(body));
    std::printf("%zu workbooks\n", p.entries.size());
}

} // namespace demo

int main(int argc, char** argv) {
    boost::asio::io_context ioc;
    boost::asio::ssl::context tls(boost::asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    boost::asio::co_spawn(ioc, demo::run(tls, argc > 1 ? argv[1] : "https://example.com/v2/workbooks"),
                          boost::asio::detached);
    ioc.run();
    return 0;
}
