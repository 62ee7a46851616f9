// Fuzz target: request targets from hostile ids. Whatever the ids, a built
// target is one origin-form path under the version prefix whose segments
// decode back to exactly the ids given (no traversal, no injected query or
// fragment), and an id that cannot be a segment is refused with an error.
#include <sigma/api/endpoints.hpp>

#include <boost/url/parse.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

void check(bool ok, char const* what) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_endpoint: %s\n", what);
        std::abort();
    }
}

std::vector<std::string> split(std::string_view in, std::size_t n) {
    std::vector<std::string> out;
    while (out.size() + 1 < n) {
        auto z = in.find('\0');
        if (z == std::string_view::npos) break;
        out.emplace_back(in.substr(0, z));
        in.remove_prefix(z + 1);
    }
    out.emplace_back(in);
    while (out.size() < n) out.emplace_back("x");
    return out;
}

// The decoded segments of a built target, or an abort if it is not origin-form.
std::vector<std::string> segments(std::string const& target, std::string* query) {
    auto u = boost::urls::parse_origin_form(target);
    check(u.has_value(), "a target that is not origin-form");
    check(!u->has_fragment(), "a target with a fragment");
    if (query) *query = u->has_query() ? std::string(u->encoded_query()) : std::string();
    else check(!u->has_query(), "a query nobody asked for");
    std::vector<std::string> out;
    for (auto s : u->segments()) out.push_back(s);
    return out;
}

bool segment_ok(std::string const& id) { return !id.empty() && id != "." && id != ".."; }

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    auto ids = split(std::string_view(reinterpret_cast<char const*>(data), size), 3);

    sigma::api::get_element_lineage gl;
    gl.workbookId = ids[0];
    gl.elementId = ids[1];
    auto t = sigma::api::build_target(gl, "v2");
    if (segment_ok(ids[0]) && segment_ok(ids[1])) {
        check(t.has_value(), "valid ids refused");
        auto s = segments(*t, nullptr);
        check(s.size() == 6 && s[0] == "v2" && s[1] == "workbooks" && s[2] == ids[0] && s[3] == "lineage" &&
                  s[4] == "elements" && s[5] == ids[1],
              "segments do not decode back to the ids");
    } else {
        check(!t.has_value(), "an empty, '.' or '..' id accepted");
        check(!t.error().message().empty(), "an empty error message");
    }

    sigma::api::get_connection_path cp;
    cp.inodeId = ids[2];
    auto c = sigma::api::build_target(cp, "v2");
    check(c.has_value() == segment_ok(ids[2]), "an inode id wrongly accepted or refused");
    if (c) {
        auto s = segments(*c, nullptr);
        check(s.size() == 4 && s[3] == ids[2], "the inode id does not decode back");
    }

    // Query parameters: a hostile cursor and page size stay one parameter each.
    sigma::api::list_workbooks lw;
    auto q = sigma::api::build_target(lw, "v2", {{"page", ids[1]}, {"limit", ids[2]}});
    check(q.has_value(), "a listing target refused");
    std::string query;
    auto s = segments(*q, &query);
    check(s.size() == 2 && s[1] == "workbooks", "listing path changed by its parameters");
    auto u = boost::urls::parse_origin_form(*q);
    auto params = u->params();
    std::size_t n = 0;
    for (auto p : params) {
        ++n;
        if (p.key == "page") check(p.value == ids[1], "the cursor does not decode back");
        if (p.key == "limit") check(p.value == ids[2], "the page size does not decode back");
    }
    check(n == 2, "a parameter split or injected");
    return 0;
}
