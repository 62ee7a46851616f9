// The types and documents of the decoder's tests, shared by decode.cpp (the
// rules) and stream.cpp (both decoders give the same answers).
#ifndef SIGMA_TESTS_JSON_FIXTURES_HPP
#define SIGMA_TESTS_JSON_FIXTURES_HPP

#include <sigma/json/decode.hpp>

#include <boost/describe.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

namespace test_decode {

namespace json = sigma::json;

struct scalars {
    std::string s;
    bool b = false;
    int i = 0;
    double d = 0;
};
BOOST_DESCRIBE_STRUCT(scalars, (), (s, b, i, d))

struct inner {
    std::string b;
};
BOOST_DESCRIBE_STRUCT(inner, (), (b))

struct outer {
    inner a;
};
BOOST_DESCRIBE_STRUCT(outer, (), (a))

struct with_optionals {
    std::optional<std::string> name;
    std::optional<std::vector<int>> ids;
    std::optional<inner> child;
};
BOOST_DESCRIBE_STRUCT(with_optionals, (), (name, ids, child))

struct containers {
    std::vector<std::string> list;
    std::vector<bool> flags;
    std::vector<std::vector<int>> grid;
    std::map<std::string, int> counts;
    std::unordered_map<std::string, inner> children;
};
BOOST_DESCRIBE_STRUCT(containers, (), (list, flags, grid, counts, children))

struct base_entity {
    std::string id;
};
BOOST_DESCRIBE_STRUCT(base_entity, (), (id))

struct named_entity : base_entity {
    std::string name;
};
BOOST_DESCRIBE_STRUCT(named_entity, (base_entity), (name))

struct owned_entity : named_entity {
    std::optional<std::string> ownerId;
};
BOOST_DESCRIBE_STRUCT(owned_entity, (named_entity), (ownerId))

enum class color { red, green, blue };
BOOST_DESCRIBE_ENUM(color, red, green, blue)

enum class node_type { data_model, dataModel = data_model, table, union_, unknown };
BOOST_DESCRIBE_ENUM(node_type, data_model, dataModel, table, union_, unknown)
constexpr std::string_view sigma_json_enum_name(node_type t) noexcept {
    switch (t) {
    case node_type::data_model: return "data-model";
    case node_type::union_: return "union";
    default: return {};
    }
}

struct raw_holder {
    std::string id;
    boost::json::value extra;
};
BOOST_DESCRIBE_STRUCT(raw_holder, (), (id, extra))

struct table_node {
    static constexpr json::tag json_tag{"type", "table"};
    std::string inodeId;
};
BOOST_DESCRIBE_STRUCT(table_node, (), (inodeId))

struct model_node {
    static constexpr json::tag json_tag{"type", "data-model", "dataModel"};
    std::string dataModelId;
};
BOOST_DESCRIBE_STRUCT(model_node, (), (dataModelId))

struct other_node {
    static constexpr json::tag json_tag{"type"};
    std::string type;
};
BOOST_DESCRIBE_STRUCT(other_node, (), (type))

using strict_node = std::variant<table_node, model_node>;
using open_node = std::variant<table_node, model_node, other_node>;

struct graph {
    std::vector<open_node> nodes;
};
BOOST_DESCRIBE_STRUCT(graph, (), (nodes))

struct strict_graph {
    std::vector<strict_node> nodes;
};
BOOST_DESCRIBE_STRUCT(strict_graph, (), (nodes))

struct renamed {
    std::optional<int> default_;
    bool public_ = false;
    static constexpr json::rename json_rename[]{{"default_", "default"}, {"public_", "public"}};
};
BOOST_DESCRIBE_STRUCT(renamed, (), (default_, public_))

// A codec: "#rrggbb" <-> a packed integer.
struct rgb {
    std::uint32_t packed = 0;
    bool operator==(rgb const&) const = default;
};

struct paint {
    rgb fill;
};
BOOST_DESCRIBE_STRUCT(paint, (), (fill))

struct workbook {
    std::string workbookId;
    std::string name;
    std::string url;
    std::optional<std::string> path;
    std::int64_t latestVersion = 0;
    bool isArchived = false;
    std::vector<std::string> tags;
    std::optional<std::string> ownerId;
};
BOOST_DESCRIBE_STRUCT(workbook, (), (workbookId, name, url, path, latestVersion, isArchived, tags, ownerId))

struct workbook_page {
    std::vector<workbook> entries;
    std::optional<std::string> nextPage;
    std::int64_t total = 0;
};
BOOST_DESCRIBE_STRUCT(workbook_page, (), (entries, nextPage, total))

inline boost::json::object make_workbook(std::size_t i) {
    boost::json::object o;
    o["workbookId"] = "wb-" + std::to_string(i);
    o["name"] = "Workbook " + std::to_string(i);
    o["url"] = "https://app.example.com/org/workbook/wb-" + std::to_string(i);
    o["path"] = "Workspace/Folder " + std::to_string(i % 17);
    o["latestVersion"] = static_cast<std::int64_t>(i * 3);
    o["isArchived"] = (i % 5) == 0;
    o["tags"] = boost::json::array{"t" + std::to_string(i % 3), "shared"};
    if (i % 2) o["ownerId"] = "user-" + std::to_string(i % 11);
    o["createdAt"] = "2024-01-01T00:00:00Z"; // not described: ignored
    return o;
}

inline std::string make_page(std::size_t n, std::size_t bad = std::size_t(-1)) {
    boost::json::array entries;
    for (std::size_t i = 0; i < n; ++i) {
        auto o = make_workbook(i);
        if (i == bad) o["workbookId"] = 12345;
        entries.push_back(std::move(o));
    }
    boost::json::object page;
    page["entries"] = std::move(entries);
    page["nextPage"] = "1000";
    page["total"] = 5000;
    return boost::json::serialize(page);
}

} // namespace test_decode

template <>
struct sigma::json::codec<test_decode::rgb> {
    static std::optional<std::string> from_json(boost::json::value const& v, test_decode::rgb& out) {
        auto const* s = v.if_string();
        if (s == nullptr || s->size() != 7 || (*s)[0] != '#') return "expected a colour like \"#a0b1c2\"";
        out.packed = static_cast<std::uint32_t>(std::stoul(std::string(s->subview(1)), nullptr, 16));
        return std::nullopt;
    }
    static boost::json::value to_json(test_decode::rgb const& c) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "#%06x", static_cast<unsigned>(c.packed));
        return boost::json::string(buf);
    }
};

#endif
