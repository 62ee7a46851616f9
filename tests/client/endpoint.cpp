#include <sigma/api/endpoints.hpp>
#include <sigma/api/paging.hpp>

#include <boost/url/parse.hpp>
#include <doctest/doctest.h>

#include <algorithm>
#include <string>

namespace test_endpoint {
constexpr char const* full_tag = R"({"versionTagId":"t1","name":"prod","ownerId":"o","createdBy":"o","updatedBy":"o",)"
                                 R"("createdAt":"2024-04-15T13:44:51.477Z","updatedAt":"2024-04-15T13:44:51.477Z"})";
template <class E>
std::string target(E const& e, std::string_view version = "v2") {
    auto r = sigma::api::build_target(e, version);
    REQUIRE_MESSAGE(r.has_value(), (r ? "" : r.error().message()));
    return *r;
}
} // namespace test_endpoint

TEST_CASE("endpoint: path parameters fill the template, query parameters follow") {
    using namespace sigma::api;
    using test_endpoint::target;
    CHECK(target(get_whoami{}) == "/v2/whoami");
    CHECK(target(list_workbooks{}) == "/v2/workbooks");
    list_workbooks lw;
    lw.isArchived = true;
    lw.excludeTags = false;
    CHECK(target(lw) == "/v2/workbooks?isArchived=true&excludeTags=false");
    CHECK(target(list_page_elements{{}, "wb-1", "pg-2"}) == "/v2/workbooks/wb-1/pages/pg-2/elements");
    CHECK(target(get_element_lineage{{}, "wb", "el"}) == "/v2/workbooks/wb/lineage/elements/el");
    CHECK(target(get_connection_path{{}, "inode-abc"}) == "/v2/connections/paths/inode-abc");
    CHECK(target(get_workbook{{}, "wb"}, "v2.1") == "/v2.1/workbooks/wb");
    // Endpoints that page only in v2.1 keep their version.
    CHECK(target(list_members{}) == "/v2.1/members");
    CHECK(target(list_workspaces{}) == "/v2.1/workspaces");
}

TEST_CASE("endpoint: a cursor with '+', '/', '=' and spaces comes back unchanged (found by fuzz_endpoint)") {
    using namespace sigma::api;
    // Base64 cursors carry '+': left raw, servers read it as a space.
    std::string const cursor = "ab+c/d==%4+2 x&y=z";
    auto t = build_target(list_workbooks{}, "v2", {{"page", cursor}, {"limit", "1000"}});
    REQUIRE(t.has_value());
    CHECK(*t == "/v2/workbooks?page=ab%2Bc%2Fd%3D%3D%254%2B2%20x%26y%3Dz&limit=1000");
    auto u = boost::urls::parse_origin_form(*t);
    REQUIRE(u.has_value());
    std::vector<std::pair<std::string, std::string>> params;
    for (auto p : u->params()) params.emplace_back(p.key, p.value);
    CHECK(params == std::vector<std::pair<std::string, std::string>>{{"page", cursor}, {"limit", "1000"}});
}

TEST_CASE("endpoint: hostile ids cannot change the path or the headers") {
    using namespace sigma::api;
    using test_endpoint::target;
    CHECK(target(get_workbook{{}, "a/b"}) == "/v2/workbooks/a%2Fb");
    CHECK(target(get_workbook{{}, "x?y#z"}) == "/v2/workbooks/x%3Fy%23z");
    CHECK(target(get_workbook{{}, "sp ace"}) == "/v2/workbooks/sp%20ace");
    CHECK(target(get_workbook{{}, "cr\r\nHost: evil"}) == "/v2/workbooks/cr%0D%0AHost:%20evil");
    CHECK(target(get_workbook{{}, "%2F"}) == "/v2/workbooks/%252F");
    CHECK(target(get_workbook{{}, "../../admin"}) == "/v2/workbooks/..%2F..%2Fadmin");
    for (std::string id : {"..", ".", ""}) {
        auto r = build_target(get_workbook{{}, id}, "v2");
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().code() == sigma::errc::invalid_argument);
        CHECK(r.error().message().find("workbookId") != std::string::npos);
    }
    list_files f;
    f.parentId = "a&b=c#d";
    // `&` and `#` are encoded; `=` after the first one is part of the value.
    CHECK(target(f) == "/v2/files?parentId=a%26b%3Dc%23d");
    for (std::string id : {std::string("a/b"), std::string("x\r\ny"), std::string("q?r")}) {
        auto t = target(get_element_lineage{{}, id, id});
        CHECK(t.find('\r') == std::string::npos);
        CHECK(t.find('\n') == std::string::npos);
        CHECK(t.find('?') == std::string::npos);
        CHECK(std::count(t.begin(), t.end(), '/') == 6);
    }
}

TEST_CASE("endpoint: compile-time description") {
    using namespace sigma::api;
    static_assert(get_element_lineage::soft.contains(409));
    static_assert(!get_element_lineage::soft.contains(404));
    static_assert(list_workbook_lineage::soft.contains(404));
    static_assert(get_element_query::soft.contains(404));
    static_assert(list_workbooks::paging_style == paging::a);
    static_assert(list_data_model_sources::paging_style == paging::b);
    static_assert(list_workbook_sources::paging_style == paging::bare_array);
    static_assert(detail::is_path_parameter<list_page_elements>("pageId"));
    static_assert(!detail::is_path_parameter<list_workbooks>("isArchived"));
    CHECK(list_workbooks::path_template == "/workbooks");
}

TEST_CASE("paging: parameters by style, size clamped, cursor opaque") {
    using namespace sigma::api;
    auto a = page_parameters<list_workbooks>(5000, std::nullopt);
    REQUIRE(a.size() == 1);
    CHECK(a[0].first == "limit");
    CHECK(a[0].second == "1000");
    auto a2 = page_parameters<list_workbooks>(7, std::string("eyJvZmZzZXQiOjd9"));
    REQUIRE(a2.size() == 2);
    CHECK(a2[1].first == "page");
    CHECK(a2[1].second == "eyJvZmZzZXQiOjd9");
    auto b = page_parameters<list_data_model_sources>(2, std::string("t"));
    CHECK(b[0].first == "pageSize");
    CHECK(b[1].first == "pageToken");
    CHECK(page_parameters<list_workbook_sources>(2, std::nullopt).empty());
}

TEST_CASE("paging: decode every style, stop on null or empty cursors") {
    using namespace sigma::api;
    std::string const tag = test_endpoint::full_tag;
    auto p = decode_page<list_tags>(R"({"entries":[)" + tag + R"(],"nextPage":"","hasMore":"true"})");
    REQUIRE(p.has_value());
    CHECK(p->entries.size() == 1);
    CHECK_FALSE(p->next.has_value());
    auto p2 = decode_page<list_tags>(R"({"entries":[],"nextPage":"abc","total":3})");
    REQUIRE(p2.has_value());
    CHECK(p2->next == "abc");
    auto bare = decode_page<list_workspaces>(R"( [{"workspaceId":"w","name":"n","createdBy":"m","createdAt":"x","updatedAt":"y","updatedBy":"m"}])");
    REQUIRE_MESSAGE(bare.has_value(), (bare ? "" : bare.error().message()));
    CHECK(bare->entries.size() == 1);
    CHECK_FALSE(bare->next.has_value());
    std::string broken = tag;
    broken.replace(broken.find("\"t1\""), 4, "3");
    auto bad = decode_page<list_tags>(R"({"entries":[)" + tag + "," + broken + "]}");
    REQUIRE_FALSE(bad.has_value());
    CHECK(bad.error().message() == "/entries/1/versionTagId: expected string, got number");
}
