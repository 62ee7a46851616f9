// Uses the schema engine and Boost.URL from a second translation unit: it links
// only because implementation.cpp compiled their sources. (It includes only
// what it uses: the consumer tests compile the umbrella header.)
#include <sigma/json.hpp>

#include <boost/describe.hpp>
#include <boost/url/parse.hpp>

#include <cstdio>
#include <string>

namespace header_only {
struct page {
    std::string nextPage;
    int total = 0;
};
BOOST_DESCRIBE_STRUCT(page, (), (nextPage, total))
} // namespace header_only

int main() {
    auto p = sigma::json::decode<header_only::page>(R"({"nextPage":"abc","total":3})");
    auto u = boost::urls::parse_uri("https://aws-api.sigmacomputing.com/v2/workbooks?limit=2&page=abc");
    bool right = p && p->nextPage == "abc" && p->total == 3 && sigma::json::encode(*p) == R"({"nextPage":"abc","total":3})" &&
                 u && u->encoded_path() == "/v2/workbooks" && u->params().find("page") != u->params().end();
    std::printf("decoded page %s, total %d; url path %s\n", p ? p->nextPage.c_str() : "?", p ? p->total : -1,
                u ? std::string(u->encoded_path()).c_str() : "?");
    return right ? 0 : 1;
}
