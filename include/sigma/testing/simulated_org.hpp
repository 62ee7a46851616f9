// SPDX-License-Identifier: MIT
// sigma::testing::simulated_org: a whole Sigma organisation as plain data
// built from the API models (workspaces, files, members, workbooks with pages,
// elements, lineage, queries and columns, data models, connections, tables,
// version tags, retired datasets). sigma::testing::fake_sigma serves it with
// the real API's semantics. Two ways to get one: demo(), a small hand-written
// organisation with readable names, and generate(), a deterministic one of
// any size from a seed.
#ifndef SIGMA_TESTING_SIMULATED_ORG_HPP
#define SIGMA_TESTING_SIMULATED_ORG_HPP

#include <sigma/api/models.hpp>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace sigma::testing {

// An element of a workbook and what the element-level endpoints answer for it.
struct simulated_element {
    api::workbook_element element;
    std::string pageId;
    // GET .../lineage/elements/{elementId}: `lineage` when lineage_status is
    // 200, else that status (400 for layout elements, 409 persistent conflicts,
    // 500 "lineage metadata not present").
    api::element_lineage lineage;
    unsigned lineage_status = 200;
    // GET .../elements/{elementId}/query; none: 404.
    std::optional<api::element_query> query;

    bool operator==(simulated_element const&) const = default;
};

struct simulated_workbook {
    api::workbook workbook;
    std::vector<api::workbook_page> pages;
    std::vector<simulated_element> elements; // in page order
    // Every column of every element (GET /workbooks/{id}/columns); the
    // element-level column listing is derived from it.
    std::vector<api::workbook_column> columns;
    std::vector<api::workbook_lineage_entry> lineage;
    unsigned lineage_status = 200; // 400/403/404: no lineage graph
    std::vector<api::workbook_source> sources;

    bool operator==(simulated_workbook const&) const = default;

    [[nodiscard]] simulated_element const* find_element(std::string_view id) const {
        for (auto const& e : elements)
            if (e.element.elementId == id) return &e;
        return nullptr;
    }
};

struct simulated_data_model {
    api::data_model data_model;
    std::vector<api::data_model_element> elements;
    std::vector<api::data_model_column> columns;
    std::vector<api::data_model_lineage_entry> lineage;
    unsigned lineage_status = 200;
    std::vector<api::data_model_source> sources;

    bool operator==(simulated_data_model const&) const = default;
};

struct simulated_workspace {
    api::workspace workspace;
    // false: GET /workspaces/{id} answers 403 and the listings leave it out,
    // while its folders and workbooks stay visible through /files and /workbooks.
    bool readable = true;

    bool operator==(simulated_workspace const&) const = default;
};

// A warehouse table: its inode (a file of type `table`) and where it lives.
struct simulated_table {
    std::string inodeId;             // the file's UUID
    std::string urlId;               // lineage calls it `inode-<urlId>`
    std::string name;                // TABLE
    std::string connectionId;
    std::vector<std::string> path;   // {"DB", "SCHEMA", "TABLE"}
    std::vector<std::string> columns; // native names, ORDER_DATE

    bool operator==(simulated_table const&) const = default;
};

// A dataset of the retired dataset API: GET /v2/datasets/{id} (and anything
// under it) answers `status` (404, 409 or 410).
struct simulated_dataset {
    std::string datasetId; // also the file id
    std::string urlId;
    std::string name;
    unsigned status = 410;

    bool operator==(simulated_dataset const&) const = default;
};

struct generator_options {
    std::uint64_t seed = 1;
    std::size_t workspaces = 3;
    std::size_t unreadable_workspaces = 1; // among `workspaces`: 403 on GET
    std::size_t folders_per_workspace = 2;
    std::size_t members = 8;
    std::size_t workbooks = 20;
    std::size_t pages_per_workbook = 3;
    std::size_t elements_per_page = 5;
    std::size_t columns_per_element = 4;
    std::size_t data_models = 4;
    std::size_t connections = 3;
    std::size_t tables = 12;
    std::size_t tags = 3;
    std::size_t datasets = 2;
    unsigned archived_percent = 10;       // of workbooks
    unsigned personal_percent = 15;       // workbooks in a member's My Documents
    unsigned layout_percent = 30;         // of elements: control/divider/text/image/button
    unsigned no_query_percent = 10;       // data elements whose query answers 404
    unsigned lineage_conflict_percent = 5; // data elements whose lineage answers 409
    unsigned unknown_type_percent = 2;    // elements of a type not in Sigma's documentation
    // Makes some references point at ids that do not exist (owners, lineage
    // sources, data-model sources, tags): for testing how a consumer copes.
    bool dangling_references = false;
};

namespace detail {

// splitmix64: fully specified, so the same seed gives the same organisation
// with every standard library (std::uniform_int_distribution does not).
class sim_rng {
public:
    explicit sim_rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(next() % n); }
    bool percent(unsigned p) { return below(100) < p; }
    template <class T>
    T const& pick(std::vector<T> const& v) {
        return v[below(v.size())];
    }
    std::string uuid() {
        static constexpr char hex[] = "0123456789abcdef";
        std::string s;
        std::uint64_t a = next(), b = next();
        for (int i = 0; i < 32; ++i) {
            if (i == 8 || i == 12 || i == 16 || i == 20) s += '-';
            std::uint64_t w = i < 16 ? a : b;
            s += hex[(w >> ((i % 16) * 4)) & 15];
        }
        s[14] = '4'; // version 4
        return s;
    }
    std::string base62(std::size_t n) {
        static constexpr char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        std::string s;
        s.reserve(n);
        for (std::size_t i = 0; i < n; ++i) s += alphabet[next() % 62];
        return s;
    }

private:
    std::uint64_t s_;
};

// "2024-04-15T13:44:51.477Z" for a number of milliseconds after 2024-01-01.
inline std::string sim_timestamp(std::uint64_t ms_after_2024) {
    using namespace std::chrono;
    auto t = sys_days{year{2024} / 1 / 1} + milliseconds(ms_after_2024);
    auto day = floor<days>(t);
    year_month_day ymd{day};
    hh_mm_ss hms{floor<milliseconds>(t - day)};
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
    return buf;
}

// ORDER_DATE -> "Order Date".
inline std::string sim_display_name(std::string_view native) {
    std::string out;
    bool start = true;
    for (char c : native) {
        if (c == '_') {
            out += ' ';
            start = true;
            continue;
        }
        char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (start && l >= 'a' && l <= 'z') l = static_cast<char>(l - 'a' + 'A');
        out += l;
        start = false;
    }
    return out;
}

inline boost::json::value sim_column_type(std::string_view native) {
    boost::json::object o;
    std::string_view kind = "text";
    if (native.ends_with("_ID") || native.ends_with("AMOUNT") || native.ends_with("REVENUE") ||
        native.ends_with("COST") || native.ends_with("QUANTITY") || native.ends_with("SPEND") ||
        native.ends_with("COUNT"))
        kind = "number";
    else if (native.ends_with("DATE") || native.ends_with("_AT"))
        kind = "datetime";
    else if (native.starts_with("IS_"))
        kind = "boolean";
    o["type"] = kind;
    return o;
}

} // namespace detail

// Where an element's data comes from, for the builder below.
struct element_source {
    enum class kind { none, table, join, union_, data_model, element, custom_sql, dataset };
    kind what = kind::none;
    std::vector<std::string> tables;  // table inode ids (table, join, union_)
    std::string dataModelId;          // data_model
    std::string dataModelElementId;   // data_model
    std::string elementId;            // element: an earlier element of the same workbook
    std::string connectionId;         // custom_sql
    std::string sql;                  // custom_sql
    std::string datasetId;            // dataset

    static element_source table(std::string inode) { return {kind::table, {std::move(inode)}, {}, {}, {}, {}, {}, {}}; }
    static element_source join(std::vector<std::string> inodes) { return {kind::join, std::move(inodes), {}, {}, {}, {}, {}, {}}; }
    static element_source union_of(std::vector<std::string> inodes) {
        return {kind::union_, std::move(inodes), {}, {}, {}, {}, {}, {}};
    }
    static element_source data_model(std::string dm, std::string element) {
        return {kind::data_model, {}, std::move(dm), std::move(element), {}, {}, {}, {}};
    }
    static element_source element(std::string id) { return {kind::element, {}, {}, {}, std::move(id), {}, {}, {}}; }
    static element_source custom_sql(std::string connection, std::string sql) {
        return {kind::custom_sql, {}, {}, {}, {}, std::move(connection), std::move(sql), {}};
    }
    static element_source dataset(std::string id) { return {kind::dataset, {}, {}, {}, {}, {}, {}, std::move(id)}; }
};

struct simulated_org {
    std::string organizationId;
    std::string userId;       // GET /whoami: the member the API credential belongs to
    std::string clientId;     // the credential fake_sigma accepts
    std::string clientSecret; // a test value, not a real secret
    std::string host = "https://api.sigmacomputing.com";
    std::string app_url = "https://app.sigmacomputing.com/acme"; // workbook and data model urls start here

    std::vector<simulated_workspace> workspaces;
    std::vector<api::file> files; // workspaces, folders, home folders, workbooks, data models, tables, datasets
    std::vector<api::member> members;
    std::vector<simulated_workbook> workbooks;
    std::vector<simulated_data_model> data_models;
    std::vector<api::connection> connections;
    std::vector<simulated_table> tables;
    std::vector<api::version_tag> tags;
    std::vector<simulated_dataset> datasets;

    bool operator==(simulated_org const&) const = default;

    static simulated_org demo();
    static simulated_org generate(generator_options const& o);

    // ---- look-ups (linear; fake_sigma keeps its own indexes) ----------------
    [[nodiscard]] simulated_workbook const* find_workbook(std::string_view id) const {
        for (auto const& w : workbooks)
            if (w.workbook.workbookId == id) return &w;
        return nullptr;
    }
    [[nodiscard]] simulated_data_model const* find_data_model(std::string_view id) const {
        for (auto const& d : data_models)
            if (d.data_model.dataModelId == id || d.data_model.dataModelUrlId == id) return &d;
        return nullptr;
    }
    // By UUID or urlId, as GET /files/{inodeId} does.
    [[nodiscard]] api::file const* find_file(std::string_view id) const {
        for (auto const& f : files)
            if (f.id == id || f.urlId == id) return &f;
        return nullptr;
    }
    [[nodiscard]] api::member const* find_member(std::string_view id) const {
        for (auto const& m : members)
            if (m.memberId == id) return &m;
        return nullptr;
    }
    // By UUID, urlId or `inode-<urlId>`.
    [[nodiscard]] simulated_table const* find_table(std::string_view id) const {
        if (id.starts_with("inode-")) id.remove_prefix(6);
        for (auto const& t : tables)
            if (t.inodeId == id || t.urlId == id) return &t;
        return nullptr;
    }
    [[nodiscard]] api::connection const* find_connection(std::string_view id) const {
        for (auto const& c : connections)
            if (c.connectionId == id) return &c;
        return nullptr;
    }
    [[nodiscard]] simulated_dataset const* find_dataset(std::string_view id) const {
        if (id.starts_with("inode-")) id.remove_prefix(6);
        for (auto const& d : datasets)
            if (d.datasetId == id || d.urlId == id) return &d;
        return nullptr;
    }
    [[nodiscard]] simulated_workspace const* find_workspace(std::string_view id) const {
        for (auto const& w : workspaces)
            if (w.workspace.workspaceId == id) return &w;
        return nullptr;
    }

    // Every reference that names nothing: empty for a consistent organisation.
    [[nodiscard]] std::vector<std::string> problems() const;
};

// Builds organisations: ids, files and the derived answers (lineage graphs,
// lineage lists, sources, columns, queries) from a compact description, so
// that the demo and the generator agree on every shape.
class org_builder {
public:
    explicit org_builder(std::uint64_t seed) : rng_(seed) {
        org_.organizationId = rng_.uuid();
    }

    detail::sim_rng& rng() { return rng_; }
    simulated_org& org() { return org_; }

    std::string stamp() {
        clock_ms_ += 60'000 + rng_.below(86'400'000);
        return detail::sim_timestamp(clock_ms_);
    }

    std::string member(std::string first, std::string last, std::string type, bool archived = false,
                       bool inactive = false) {
        api::member m;
        m.organizationId = org_.organizationId;
        m.memberId = rng_.base62(29);
        m.memberType = std::move(type);
        m.firstName = std::move(first);
        m.lastName = std::move(last);
        std::string local;
        for (char c : m.firstName + "." + m.lastName)
            if (c != ' ' && c != '\'') local += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        m.email = local + "@acme.example";
        m.createdBy = org_.members.empty() ? m.memberId : org_.members.front().memberId;
        m.updatedBy = m.createdBy;
        m.createdAt = stamp();
        m.updatedAt = m.createdAt;
        m.userKind = "internal";
        if (archived) m.isArchived = true;
        if (inactive) m.isInactive = true;
        // The member's "My Documents": a folder the API reports as the "User Folder" space.
        api::file home = make_file(api::file_type::folder, "My Documents", "", "User Folder", m.memberId);
        home.permission = api::file_permission::edit;
        m.homeFolderId = home.id;
        add_file(home);
        org_.members.push_back(std::move(m));
        return org_.members.back().memberId;
    }

    api::member const& member_by_id(std::string_view id) const { return *org_.find_member(id); }

    std::string workspace(std::string name, std::string const& owner, bool readable = true) {
        simulated_workspace w;
        w.readable = readable;
        api::file f = make_file(api::file_type::workspace, name, "", "", owner);
        w.workspace.workspaceId = f.id;
        w.workspace.workspaceUrlId = f.urlId;
        w.workspace.name = std::move(name);
        w.workspace.createdBy = owner;
        w.workspace.updatedBy = owner;
        w.workspace.createdAt = f.createdAt.value_or("");
        w.workspace.updatedAt = f.updatedAt.value_or("");
        if (!readable) f.permission = api::file_permission::view;
        add_file(f);
        org_.workspaces.push_back(std::move(w));
        return f.id;
    }

    // A folder inside a workspace or another folder (by file id).
    std::string folder(std::string name, std::string const& parent, std::string const& owner) {
        api::file const* p = file_at(parent);
        std::string path = child_path(*p);
        api::file f = make_file(api::file_type::folder, std::move(name), parent, std::move(path), owner);
        add_file(f);
        return f.id;
    }

    std::string home_folder(std::string const& member) const { return org_.find_member(member)->homeFolderId.value_or(""); }

    std::string connection(std::string name, std::string type, std::string const& owner, bool archived = false) {
        api::connection c;
        c.organizationId = org_.organizationId;
        c.connectionId = rng_.uuid();
        c.name = std::move(name);
        c.type = std::move(type);
        c.createdBy = owner;
        c.updatedBy = owner;
        c.createdAt = stamp();
        c.updatedAt = c.createdAt;
        c.lastActiveAt = stamp();
        if (archived) c.isArchived = true;
        // Sigma sends "" rather than leaving a field out.
        if (c.type == "snowflake") {
            c.account = "acme-" + c.name.substr(0, std::min<std::size_t>(c.name.size(), 4));
            for (auto& ch : *c.account)
                if (ch == ' ') ch = '-';
            c.warehouse = "ANALYTICS_WH";
            c.role = "SIGMA_READER";
            c.user = "SIGMA_SERVICE";
            c.host = "";
        } else if (c.type == "bigQuery") {
            c.account = "";
            c.host = "";
        } else {
            c.host = "db-" + std::to_string(org_.connections.size() + 1) + ".acme.internal";
            c.user = "sigma";
            c.account = "";
            c.warehouse = "";
        }
        org_.connections.push_back(std::move(c));
        return org_.connections.back().connectionId;
    }

    std::string table(std::string const& connection, std::string db, std::string schema, std::string name,
                      std::vector<std::string> columns, std::string const& owner) {
        simulated_table t;
        api::file f = make_file(api::file_type::table, name, connection, "Connection Root/" + db + "/" + schema, owner);
        f.permission = api::file_permission::view;
        t.inodeId = f.id;
        t.urlId = f.urlId;
        t.name = name;
        t.connectionId = connection;
        t.path = {std::move(db), std::move(schema), std::move(name)};
        t.columns = std::move(columns);
        add_file(std::move(f));
        org_.tables.push_back(std::move(t));
        return org_.tables.back().inodeId;
    }

    std::string dataset(std::string name, std::string const& folder, std::string const& owner, unsigned status) {
        api::file const* p = file_at(folder);
        api::file f = make_file(api::file_type::dataset, name, folder, child_path(*p), owner);
        simulated_dataset d{f.id, f.urlId, std::move(name), status};
        add_file(std::move(f));
        org_.datasets.push_back(std::move(d));
        return org_.datasets.back().datasetId;
    }

    std::string tag(std::string name, std::string color, std::string const& owner) {
        api::version_tag t;
        t.versionTagId = rng_.uuid();
        t.name = std::move(name);
        t.ownerId = owner;
        t.createdBy = owner;
        t.updatedBy = owner;
        t.createdAt = stamp();
        t.updatedAt = t.createdAt;
        t.color = std::move(color);
        org_.tags.push_back(std::move(t));
        return org_.tags.back().versionTagId;
    }

    // ---- data models ----------------------------------------------------------
    std::size_t data_model(std::string name, std::string const& folder, std::string const& owner,
                           std::optional<std::string> description = std::nullopt, bool dash_spelling = true) {
        api::file const* p = file_at(folder);
        api::file f = make_file(dash_spelling ? api::file_type::data_model : api::file_type::dataModel, name, folder,
                                child_path(*p), owner);
        simulated_data_model d;
        auto& m = d.data_model;
        m.dataModelId = f.id;
        m.dataModelUrlId = f.urlId;
        m.name = std::move(name);
        m.url = org_.app_url + "/data-model/" + slug(m.name) + "-" + m.dataModelUrlId;
        m.path = f.path;
        m.latestVersion = static_cast<std::int64_t>(1 + rng_.below(40));
        m.ownerId = owner;
        m.createdBy = owner;
        m.updatedBy = owner;
        m.createdAt = f.createdAt;
        m.updatedAt = f.updatedAt;
        m.description = std::move(description);
        f.description = m.description;
        add_file(std::move(f));
        org_.data_models.push_back(std::move(d));
        return org_.data_models.size() - 1;
    }

    // A data model element reading tables (one: a table; several: a join) or custom SQL.
    std::string data_model_element(std::size_t dm, std::string name, element_source const& src) {
        auto& d = org_.data_models[dm];
        api::workbook_element e;
        e.elementId = rng_.base62(10);
        e.name = std::move(name);
        e.type = "table";
        std::vector<api::workbook_column> cols = columns_for(src, e.elementId);
        std::vector<std::string> names;
        for (auto& c : cols) names.push_back(std::string(c.display_name()));
        e.columns = names;
        for (auto& c : cols) d.columns.push_back(std::move(c));

        api::lineage_element_entry le;
        le.elementId = e.elementId;
        std::vector<std::string> srcs, data_srcs;
        if (src.what == element_source::kind::custom_sql) {
            api::lineage_custom_sql_entry cs;
            cs.definition = src.sql;
            cs.connectionId = src.connectionId;
            cs.name = "Custom SQL";
            d.lineage.push_back(cs);
            d.sources.push_back(api::source_custom_sql{src.connectionId, src.sql, rng_.uuid()});
        } else if (src.what == element_source::kind::element) {
            srcs.push_back(src.elementId);
        } else {
            for (auto const& t : src.tables) {
                auto const* tb = org_.find_table(t);
                std::string id = "inode-" + tb->urlId;
                srcs.push_back(id);
                data_srcs.push_back(id);
                bool seen = false;
                for (auto const& x : d.lineage)
                    if (auto const* te = std::get_if<api::lineage_table_entry>(&x); te && te->inodeId == id) seen = true;
                if (!seen) {
                    d.lineage.push_back(api::lineage_table_entry{id, tb->connectionId, tb->name});
                    d.sources.push_back(api::data_model_source_table{tb->inodeId});
                }
            }
        }
        le.sourceIds = srcs;
        le.dataSourceIds = data_srcs;
        d.lineage.push_back(le);
        d.elements.push_back(std::move(e));
        return d.elements.back().elementId;
    }

    // ---- workbooks ------------------------------------------------------------
    std::size_t workbook(std::string name, std::string const& folder, std::string const& owner,
                         std::optional<std::string> description = std::nullopt, bool archived = false) {
        api::file const* p = file_at(folder);
        api::file f = make_file(api::file_type::workbook, name, folder, child_path(*p), owner);
        simulated_workbook w;
        auto& b = w.workbook;
        b.workbookId = f.id;
        b.workbookUrlId = f.urlId;
        b.name = std::move(name);
        b.url = org_.app_url + "/workbook/" + slug(b.name) + "-" + b.workbookUrlId;
        b.path = f.path;
        b.latestVersion = static_cast<std::int64_t>(1 + rng_.below(120));
        b.ownerId = owner;
        b.createdBy = owner;
        b.updatedBy = owner;
        b.createdAt = f.createdAt.value_or("");
        b.updatedAt = f.updatedAt.value_or("");
        b.isArchived = archived;
        b.description = std::move(description);
        f.isArchived = archived;
        f.description = b.description;
        f.permission = api::file_permission::edit;
        add_file(std::move(f));
        org_.workbooks.push_back(std::move(w));
        return org_.workbooks.size() - 1;
    }

    void tag_workbook(std::size_t wb, std::string const& tag_id) {
        auto& b = org_.workbooks[wb].workbook;
        api::version_tag const* t = nullptr;
        for (auto const& x : org_.tags)
            if (x.versionTagId == tag_id) t = &x;
        api::workbook_tag wt;
        wt.versionTagId = tag_id;
        wt.name = t ? t->name : "Missing tag";
        wt.sourceWorkbookVersion = b.latestVersion > 1 ? b.latestVersion - 1 : 1;
        wt.taggedWorkbookId = rng_.uuid();
        wt.workbookTaggedAt = stamp();
        if (!b.tags) b.tags.emplace();
        b.tags->push_back(std::move(wt));
    }

    std::string page(std::size_t wb, std::optional<std::string> name, bool hidden = false) {
        api::workbook_page p;
        p.pageId = rng_.base62(10);
        p.name = std::move(name);
        if (hidden) p.hidden = true;
        org_.workbooks[wb].pages.push_back(p);
        return p.pageId;
    }

    // A data element (table, pivot-table, input-table, visualization, or a
    // type Sigma has not documented) reading from `src`.
    std::string data_element(std::size_t wb, std::string const& page_id, std::string type,
                             std::optional<std::string> viz, std::optional<std::string> name,
                             element_source const& src, bool with_query = true, unsigned lineage_status = 200) {
        auto& w = org_.workbooks[wb];
        simulated_element se;
        se.pageId = page_id;
        auto& e = se.element;
        e.elementId = rng_.base62(10);
        e.name = std::move(name);
        e.type = std::move(type);
        e.vizualizationType = std::move(viz);
        std::vector<api::workbook_column> cols = columns_for(src, e.elementId, &w);
        if (e.type == "visualization" && !cols.empty()) {
            // A calculated measure: the formula references another column of the element.
            api::workbook_column c;
            c.columnId = rng_.base62(10);
            c.name = "Total " + std::string(cols.back().display_name());
            c.formula = "Sum([" + std::string(cols.back().display_name()) + "])";
            c.elementId = e.elementId;
            c.type = detail::sim_column_type("AMOUNT");
            cols.push_back(std::move(c));
        }
        std::vector<std::string> names;
        for (auto const& c : cols) names.push_back(std::string(c.display_name()));
        e.columns = std::move(names);
        se.lineage_status = lineage_status;
        build_graph(w, se, src);
        if (with_query) se.query = api::element_query{e.elementId, e.name, sql_for(src, cols, w), std::nullopt};
        for (auto& c : cols) w.columns.push_back(std::move(c));
        if (lineage_status == 200 || lineage_status == 409) add_lineage_entries(w, se, src);
        sources_.emplace_back(wb, src);
        w.elements.push_back(std::move(se));
        return w.elements.back().element.elementId;
    }

    // A layout element: control, divider, text, image, button. Lineage answers 400, no query.
    std::string layout_element(std::size_t wb, std::string const& page_id, std::string type,
                               std::optional<std::string> name = std::nullopt) {
        simulated_element se;
        se.pageId = page_id;
        se.element.elementId = rng_.base62(10);
        se.element.name = std::move(name);
        se.element.type = std::move(type);
        se.lineage_status = 400;
        org_.workbooks[wb].elements.push_back(std::move(se));
        return org_.workbooks[wb].elements.back().element.elementId;
    }

    // Derives every workbook's /sources from what its elements read.
    simulated_org finish() {
        for (auto const& [wb, src] : sources_) add_source(org_.workbooks[wb], src);
        sources_.clear();
        return std::move(org_);
    }

    static std::string slug(std::string_view name) {
        std::string s;
        for (char c : name) {
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
                s += c;
            else if (c >= 'A' && c <= 'Z')
                s += static_cast<char>(c - 'A' + 'a');
            else if (!s.empty() && s.back() != '-')
                s += '-';
        }
        while (!s.empty() && s.back() == '-') s.pop_back();
        return s;
    }

private:
    static std::string child_path(api::file const& parent) {
        // What a member's home folder holds is reported under "My Documents".
        if (parent.type == api::file_type::folder && parent.path == "User Folder") return parent.name;
        return parent.path.empty() ? parent.name : parent.path + "/" + parent.name;
    }

    api::file const* file_at(std::string const& id) const {
        auto it = file_index_.find(id);
        return it == file_index_.end() ? nullptr : &org_.files[it->second];
    }
    void add_file(api::file f) {
        file_index_[f.id] = org_.files.size();
        org_.files.push_back(std::move(f));
    }

    api::file make_file(api::file_type type, std::string name, std::string parent, std::string path,
                        std::string const& owner) {
        api::file f;
        f.id = rng_.uuid();
        f.urlId = rng_.base62(22);
        f.name = std::move(name);
        f.type = type;
        if (!parent.empty()) {
            if (auto const* p = file_at(parent)) f.parentUrlId = p->urlId;
        }
        f.parentId = std::move(parent);
        f.path = std::move(path);
        f.permission = api::file_permission::explore;
        f.ownerId = owner;
        f.createdBy = owner;
        f.updatedBy = owner;
        f.createdAt = stamp();
        f.updatedAt = stamp();
        return f;
    }

    api::workbook_column column(std::string const& element, std::string id, std::string display,
                                std::string formula, std::string_view native) {
        api::workbook_column c;
        c.columnId = std::move(id);
        // Sigma names a column by `name` or by `label`: both occur.
        if (rng_.below(5) == 0)
            c.label = std::move(display);
        else
            c.name = std::move(display);
        c.formula = std::move(formula);
        c.elementId = element;
        c.type = detail::sim_column_type(native);
        return c;
    }

    std::vector<std::string> table_columns(simulated_table const& t, std::size_t n) {
        std::vector<std::string> out;
        for (std::size_t i = 0; i < t.columns.size() && out.size() < n; ++i) out.push_back(t.columns[i]);
        return out;
    }

    std::vector<api::workbook_column> columns_for(element_source const& src, std::string const& element_id,
                                                  simulated_workbook const* w = nullptr) {
        std::vector<api::workbook_column> cols;
        std::size_t per = columns_per_element;
        switch (src.what) {
        case element_source::kind::none: break;
        case element_source::kind::table:
        case element_source::kind::join:
        case element_source::kind::union_: {
            std::size_t share = src.what == element_source::kind::join ? std::max<std::size_t>(1, per / 2) : per;
            for (std::size_t k = 0; k < src.tables.size(); ++k) {
                auto const* t = org_.find_table(src.tables[k]);
                if (t == nullptr) continue; // a dangling reference, on purpose
                std::string source = detail::sim_display_name(t->name);
                for (auto const& native : table_columns(*t, share)) {
                    std::string disp = detail::sim_display_name(native);
                    if (src.what == element_source::kind::union_ && k > 0) break; // a union has the first's columns
                    cols.push_back(column(element_id, "inode-" + t->urlId + "/" + native, disp,
                                          "[" + source + "/" + disp + "]", native));
                }
            }
            break;
        }
        case element_source::kind::data_model: {
            auto const* dm = org_.find_data_model(src.dataModelId);
            if (dm == nullptr) break;
            std::string source = src.dataModelElementId;
            for (auto const& de : dm->elements)
                if (de.elementId == src.dataModelElementId && de.name) source = *de.name;
            std::size_t n = 0;
            for (auto const& dc : dm->columns) {
                if (dc.elementId != src.dataModelElementId || n++ >= per) continue;
                std::string disp(dc.display_name());
                cols.push_back(column(element_id, rng_.base62(10), disp, "[" + source + "/" + disp + "]", "VALUE"));
            }
            break;
        }
        case element_source::kind::element: {
            if (w == nullptr) break;
            std::string source = src.elementId;
            if (auto const* up = w->find_element(src.elementId); up && up->element.name) source = *up->element.name;
            std::size_t n = 0;
            for (auto const& uc : w->columns) {
                if (uc.elementId != src.elementId || n++ >= per) continue;
                std::string disp(uc.display_name());
                cols.push_back(column(element_id, rng_.base62(10), disp, "[" + source + "/" + disp + "]", "VALUE"));
            }
            break;
        }
        case element_source::kind::custom_sql: {
            static constexpr std::string_view names[] = {"ACCOUNT", "PERIOD_DATE", "AMOUNT", "COST_CENTER"};
            for (std::size_t i = 0; i < per && i < std::size(names); ++i) {
                std::string disp = detail::sim_display_name(names[i]);
                cols.push_back(column(element_id, rng_.base62(10), disp, "[Custom SQL/" + disp + "]", names[i]));
            }
            break;
        }
        case element_source::kind::dataset: {
            static constexpr std::string_view names[] = {"CAMPAIGN", "CHANNEL", "SPEND", "CLICK_COUNT"};
            auto const* ds = org_.find_dataset(src.datasetId);
            std::string source = ds ? ds->name : "Dataset";
            for (std::size_t i = 0; i < per && i < std::size(names); ++i) {
                std::string disp = detail::sim_display_name(names[i]);
                cols.push_back(column(element_id, rng_.base62(10), disp, "[" + source + "/" + disp + "]", names[i]));
            }
            break;
        }
        }
        return cols;
    }

    std::string qualified(simulated_table const& t) const {
        std::string s;
        for (auto const& p : t.path) s += (s.empty() ? "" : ".") + p;
        return s;
    }

    std::string sql_for(element_source const& src, std::vector<api::workbook_column> const& cols,
                        simulated_workbook const& w) const {
        std::string select;
        for (auto const& c : cols) {
            std::string_view id = c.columnId;
            std::string expr;
            if (auto slash = id.rfind('/'); id.starts_with("inode-") && slash != std::string_view::npos)
                expr = std::string(id.substr(slash + 1));
            else
                expr = "\"" + std::string(c.display_name()) + "\"";
            select += (select.empty() ? "" : ", ") + expr;
        }
        if (select.empty()) select = "*";
        std::string from;
        switch (src.what) {
        case element_source::kind::table:
        case element_source::kind::join:
        case element_source::kind::union_:
            for (auto const& id : src.tables) {
                auto const* t = org_.find_table(id);
                std::string q = t ? qualified(*t) : "MISSING";
                if (from.empty())
                    from = q;
                else if (src.what == element_source::kind::join)
                    from += " JOIN " + q + " USING (ID)";
                else
                    from += " UNION ALL SELECT " + select + " FROM " + q;
            }
            break;
        case element_source::kind::custom_sql: from = "(" + src.sql + ") AS custom_sql"; break;
        case element_source::kind::data_model: from = "DATA_MODEL_" + src.dataModelElementId; break;
        case element_source::kind::element: {
            auto const* up = w.find_element(src.elementId);
            from = up && up->query && up->query->sql ? "(" + *up->query->sql + ") AS upstream" : "UPSTREAM";
            break;
        }
        case element_source::kind::dataset: from = "DATASET_" + src.datasetId.substr(0, 8); break;
        case element_source::kind::none: from = "DUAL"; break;
        }
        return "SELECT " + select + " FROM " + from;
    }

    // The element's lineage graph: its own `sheet` node, what it reads, and
    // (for element-on-element) the upstream element's graph.
    void build_graph(simulated_workbook const& w, simulated_element& se, element_source const& src) {
        auto& g = se.lineage;
        auto const& e = se.element;
        api::lineage_node self;
        self.nodeId = e.elementId;
        self.type = api::lineage_node_type::sheet;
        self.name = e.name;
        self.elementId = e.elementId;
        g.dependencies[self.nodeId] = self;
        auto table_node = [&](std::string const& inode) -> std::string {
            auto const* t = org_.find_table(inode);
            std::string id = "inode-" + (t ? t->urlId : inode);
            api::lineage_node n;
            n.nodeId = id;
            n.type = api::lineage_node_type::table;
            n.name = t ? t->name : std::string("MISSING");
            g.dependencies[id] = n;
            return id;
        };
        auto edge = [&](std::string s, std::string t) {
            g.edges.push_back(api::lineage_edge{std::move(s), std::move(t), api::lineage_edge_type::source});
        };
        switch (src.what) {
        case element_source::kind::none: break;
        case element_source::kind::table: edge(table_node(src.tables.front()), e.elementId); break;
        case element_source::kind::join:
        case element_source::kind::union_: {
            api::lineage_node j;
            j.nodeId = rng_.base62(10);
            j.type = src.what == element_source::kind::join ? api::lineage_node_type::join : api::lineage_node_type::union_;
            g.dependencies[j.nodeId] = j;
            for (auto const& t : src.tables) edge(table_node(t), j.nodeId);
            edge(j.nodeId, e.elementId);
            break;
        }
        case element_source::kind::data_model: {
            // Data-model nodes may appear only in the edges.
            auto const* dm = org_.find_data_model(src.dataModelId);
            edge((dm ? dm->data_model.dataModelUrlId : src.dataModelId) + "/" + src.dataModelElementId, e.elementId);
            break;
        }
        case element_source::kind::element: {
            if (auto const* up = w.find_element(src.elementId)) {
                for (auto const& [k, v] : up->lineage.dependencies) g.dependencies.emplace(k, v);
                for (auto const& x : up->lineage.edges) g.edges.push_back(x);
            } else {
                api::lineage_node n;
                n.nodeId = src.elementId;
                n.type = api::lineage_node_type::sheet;
                n.elementId = src.elementId;
                g.dependencies[n.nodeId] = n;
            }
            edge(src.elementId, e.elementId);
            break;
        }
        case element_source::kind::custom_sql: {
            api::lineage_node n;
            n.nodeId = rng_.base62(10);
            n.type = api::lineage_node_type::customSQL;
            n.name = "Custom SQL";
            g.dependencies[n.nodeId] = n;
            edge(n.nodeId, e.elementId);
            break;
        }
        case element_source::kind::dataset: {
            auto const* d = org_.find_dataset(src.datasetId);
            api::lineage_node n;
            n.nodeId = "inode-" + (d ? d->urlId : src.datasetId);
            n.type = api::lineage_node_type::dataset;
            n.name = d ? d->name : std::string("Missing dataset");
            g.dependencies[n.nodeId] = n;
            edge(n.nodeId, e.elementId);
            break;
        }
        }
    }

    template <class Entry, class Pred>
    static bool has_entry(simulated_workbook const& w, Pred p) {
        for (auto const& x : w.lineage)
            if (auto const* v = std::get_if<Entry>(&x); v && p(*v)) return true;
        return false;
    }

    void add_lineage_entries(simulated_workbook& w, simulated_element const& se, element_source const& src) {
        api::lineage_element_entry le;
        le.elementId = se.element.elementId;
        std::vector<std::string> srcs, data_srcs;
        switch (src.what) {
        case element_source::kind::table:
        case element_source::kind::join:
        case element_source::kind::union_:
            for (auto const& t : src.tables) {
                auto const* tb = org_.find_table(t);
                std::string id = "inode-" + (tb ? tb->urlId : t);
                srcs.push_back(id);
                data_srcs.push_back(id);
                if (!has_entry<api::lineage_table_entry>(w, [&](auto const& x) { return x.inodeId == id; }))
                    w.lineage.push_back(api::lineage_table_entry{
                        id, tb ? std::optional(tb->connectionId) : std::nullopt,
                        tb ? std::optional(tb->name) : std::nullopt});
            }
            break;
        case element_source::kind::data_model: {
            auto const* dm = org_.find_data_model(src.dataModelId);
            srcs.push_back((dm ? dm->data_model.dataModelUrlId : src.dataModelId) + "/" + src.dataModelElementId);
            data_srcs.push_back(src.dataModelId);
            if (!has_entry<api::lineage_data_model_entry>(w, [&](auto const& x) { return x.dataModelId == src.dataModelId; }))
                w.lineage.push_back(api::lineage_data_model_entry{
                    src.dataModelId, std::nullopt, dm ? std::optional(dm->data_model.name) : std::nullopt});
            break;
        }
        case element_source::kind::element: srcs.push_back(src.elementId); break;
        case element_source::kind::custom_sql:
            if (!has_entry<api::lineage_custom_sql_entry>(w, [&](auto const& x) { return x.definition == src.sql; }))
                w.lineage.push_back(api::lineage_custom_sql_entry{src.sql, src.connectionId, "Custom SQL"});
            break;
        case element_source::kind::dataset: {
            auto const* d = org_.find_dataset(src.datasetId);
            std::string id = "inode-" + (d ? d->urlId : src.datasetId);
            srcs.push_back(id);
            data_srcs.push_back(id);
            if (!has_entry<api::lineage_dataset_entry>(w, [&](auto const& x) { return x.inodeId == id; }))
                w.lineage.push_back(
                    api::lineage_dataset_entry{id, std::nullopt, d ? std::optional(d->name) : std::nullopt});
            break;
        }
        case element_source::kind::none: break;
        }
        le.sourceIds = std::move(srcs);
        le.dataSourceIds = std::move(data_srcs);
        w.lineage.push_back(std::move(le));
    }

    void add_source(simulated_workbook& w, element_source const& src) {
        auto find = [&]<class S>(auto pred) -> S* {
            for (auto& x : w.sources)
                if (auto* v = std::get_if<S>(&x); v && pred(*v)) return v;
            return nullptr;
        };
        switch (src.what) {
        case element_source::kind::table:
        case element_source::kind::join:
        case element_source::kind::union_:
            for (auto const& t : src.tables) {
                auto const* tb = org_.find_table(t);
                std::string id = tb ? tb->inodeId : t;
                if (!find.template operator()<api::workbook_source_table>(
                        [&](api::workbook_source_table const& s) { return s.inodeId == id; }))
                    w.sources.push_back(api::workbook_source_table{id});
            }
            break;
        case element_source::kind::data_model: {
            auto* s = find.template operator()<api::source_data_model>(
                [&](api::source_data_model const& s) { return s.dataModelId == src.dataModelId; });
            if (s == nullptr) {
                w.sources.push_back(api::source_data_model{src.dataModelId, {}, std::nullopt});
                s = std::get_if<api::source_data_model>(&w.sources.back());
            }
            if (std::find(s->elementIds.begin(), s->elementIds.end(), src.dataModelElementId) == s->elementIds.end())
                s->elementIds.push_back(src.dataModelElementId);
            break;
        }
        case element_source::kind::custom_sql:
            if (!find.template operator()<api::source_custom_sql>(
                    [&](api::source_custom_sql const& s) { return s.definition == src.sql; }))
                w.sources.push_back(api::source_custom_sql{src.connectionId, src.sql, rng_.uuid()});
            break;
        case element_source::kind::dataset: {
            auto const* d = org_.find_dataset(src.datasetId);
            if (!find.template operator()<api::workbook_source_dataset>(
                    [&](api::workbook_source_dataset const& s) { return s.inodeId == src.datasetId; }))
                w.sources.push_back(api::workbook_source_dataset{
                    src.datasetId, org_.app_url + "/dataset/" + (d ? d->urlId : src.datasetId)});
            break;
        }
        case element_source::kind::element:
        case element_source::kind::none: break;
        }
    }

public:
    std::size_t columns_per_element = 4;

private:
    detail::sim_rng rng_;
    simulated_org org_;
    std::uint64_t clock_ms_ = 0;
    std::vector<std::pair<std::size_t, element_source>> sources_;
    std::unordered_map<std::string, std::size_t> file_index_;
};

// ---- demo ----------------------------------------------------------------------

inline simulated_org simulated_org::demo() {
    org_builder b(20260915);
    auto& o = b.org();
    o.clientId = "demo-client-id";
    o.clientSecret = "demo-client-secret";

    // Members. Ada holds the API credential.
    std::string ada = b.member("Ada", "Lovelace", "admin");
    std::string grace = b.member("Grace", "Hopper", "creator");
    std::string alan = b.member("Alan", "Turing", "creator");
    std::string katherine = b.member("Katherine", "Johnson", "viewer");
    b.member("Edsger", "Dijkstra", "creator", /*archived=*/true);
    b.member("Barbara", "Liskov", "viewer", false, /*inactive=*/true);
    o.userId = ada;

    // Workspaces and folders. Executive is not readable with this credential.
    std::string finance = b.workspace("Finance", ada);
    std::string sales = b.workspace("Sales", grace);
    std::string operations = b.workspace("Operations", alan);
    std::string executive = b.workspace("Executive", katherine, /*readable=*/false);
    std::string quarterly = b.folder("Quarterly Reports", finance, ada);
    std::string regional = b.folder("Regional", sales, grace);
    std::string models = b.folder("Data Models", sales, grace);

    // Warehouses.
    std::string snowflake = b.connection("Snowflake Production", "snowflake", ada);
    std::string bigquery = b.connection("BigQuery Marketing", "bigQuery", ada);
    std::string postgres = b.connection("Postgres Operations", "postgres", alan);
    b.connection("Redshift Legacy", "redshift", ada, /*archived=*/true);

    std::string orders = b.table(snowflake, "ANALYTICS", "SALES", "ORDERS",
                                 {"ORDER_ID", "ORDER_DATE", "CUSTOMER_ID", "REGION_ID", "REVENUE", "QUANTITY"}, ada);
    std::string customers = b.table(snowflake, "ANALYTICS", "SALES", "CUSTOMERS",
                                    {"CUSTOMER_ID", "CUSTOMER_NAME", "SEGMENT", "SIGNUP_DATE"}, ada);
    std::string regions =
        b.table(snowflake, "ANALYTICS", "SALES", "REGIONS", {"REGION_ID", "REGION_NAME", "COUNTRY"}, ada);
    std::string gl = b.table(snowflake, "ANALYTICS", "FINANCE", "GL_ENTRIES",
                             {"ENTRY_ID", "ACCOUNT", "PERIOD_DATE", "AMOUNT", "COST_CENTER"}, ada);
    std::string spend_2024 = b.table(bigquery, "acme-marketing", "ads", "SPEND_2024",
                                     {"CAMPAIGN", "CHANNEL", "SPEND", "CLICK_COUNT"}, ada);
    std::string spend_2025 = b.table(bigquery, "acme-marketing", "ads", "SPEND_2025",
                                     {"CAMPAIGN", "CHANNEL", "SPEND", "CLICK_COUNT"}, ada);
    std::string shipments = b.table(postgres, "ops", "public", "SHIPMENTS",
                                    {"SHIPMENT_ID", "ORIGIN", "DESTINATION", "SHIPPED_AT", "COST"}, alan);

    // The retired dataset API: this one answers 410 Gone.
    std::string legacy = b.dataset("Legacy Marketing Dataset", sales, grace, 410);

    std::string production = b.tag("Production", "grass", ada);
    std::string reviewed = b.tag("Reviewed", "cyan", ada);
    b.tag("Draft", "amber", grace);

    // Data models: one joining warehouse tables, one on custom SQL.
    std::size_t sales_model =
        b.data_model("Sales Data Model", models, grace, "Orders and customers, joined once for every workbook");
    std::string dm_orders = b.data_model_element(sales_model, "Orders", element_source::table(orders));
    b.data_model_element(sales_model, "Customers", element_source::table(customers));
    std::string dm_orders_customers =
        b.data_model_element(sales_model, "Orders with Customers", element_source::join({orders, customers}));
    std::size_t finance_model = b.data_model("Finance Close Model", quarterly, ada, std::nullopt, /*dash=*/false);
    std::string close_sql = "SELECT ACCOUNT, PERIOD_DATE, SUM(AMOUNT) AS AMOUNT, COST_CENTER FROM "
                            "ANALYTICS.FINANCE.GL_ENTRIES GROUP BY 1, 2, 4";
    std::string dm_close =
        b.data_model_element(finance_model, "Monthly Close", element_source::custom_sql(snowflake, close_sql));
    std::string sales_model_id = o.data_models[sales_model].data_model.dataModelId;
    std::string finance_model_id = o.data_models[finance_model].data_model.dataModelId;

    // 1. Revenue by Region: joins, a pivot, layout elements, a chart on a chart.
    std::size_t revenue = b.workbook("Revenue by Region", regional, grace, "Quarterly revenue for each sales region");
    b.tag_workbook(revenue, production);
    std::string overview = b.page(revenue, "Overview");
    b.layout_element(revenue, overview, "text");
    b.layout_element(revenue, overview, "control", "Region Filter");
    std::string revenue_table =
        b.data_element(revenue, overview, "table", "levelTable", "Orders", element_source::join({orders, regions}));
    b.data_element(revenue, overview, "visualization", "bar", "Revenue by Region",
                   element_source::element(revenue_table));
    b.data_element(revenue, overview, "visualization", "kpi", "Revenue KPI", element_source::element(revenue_table));
    std::string details = b.page(revenue, "Details");
    b.layout_element(revenue, details, "divider");
    b.data_element(revenue, details, "pivot-table", std::nullopt, "Revenue Pivot",
                   element_source::data_model(sales_model_id, dm_orders_customers));
    b.data_element(revenue, details, "visualization", "line", "Revenue Trend",
                   element_source::data_model(sales_model_id, dm_orders));
    b.page(revenue, "Scratch", /*hidden=*/true);

    // 2. Quarterly Close: a custom-SQL data model, an input table without a query.
    std::size_t close = b.workbook("Quarterly Close", quarterly, ada, "Month-end close and budget inputs");
    b.tag_workbook(close, reviewed);
    b.tag_workbook(close, production);
    std::string summary = b.page(close, "Summary");
    b.layout_element(close, summary, "image");
    b.data_element(close, summary, "table", "levelTable", "GL Summary",
                   element_source::data_model(finance_model_id, dm_close));
    b.data_element(close, summary, "visualization", "area", "Expense Trend", element_source::table(gl));
    b.data_element(close, summary, "visualization", "combo", "Budget vs Actual", element_source::table(gl));
    b.layout_element(close, summary, "button", "Refresh");
    std::string inputs = b.page(close, "Inputs");
    b.data_element(close, inputs, "input-table", std::nullopt, "Budget Inputs", element_source{}, /*query=*/false);

    // 3. Marketing Spend: one page, a union of two tables, a retired dataset.
    std::size_t marketing = b.workbook("Marketing Spend", sales, grace);
    std::string spend_page = b.page(marketing, "Spend");
    b.data_element(marketing, spend_page, "visualization", "donut", "Spend by Channel",
                   element_source::union_of({spend_2024, spend_2025}));
    b.data_element(marketing, spend_page, "visualization", "funnel", "Campaign Funnel",
                   element_source::dataset(legacy));
    b.data_element(marketing, spend_page, "visualization", "region-map", "Spend Map",
                   element_source::table(spend_2025));
    b.data_element(marketing, spend_page, "embed", std::nullopt, "Partner Report", element_source{}, false, 500);
    b.layout_element(marketing, spend_page, "text", "Notes");

    // 4. Old Pipeline Review: archived; one element's lineage answers 409.
    std::size_t pipeline = b.workbook("Old Pipeline Review", operations, alan, std::nullopt, /*archived=*/true);
    std::string pipeline_page = b.page(pipeline, "Pipeline");
    b.data_element(pipeline, pipeline_page, "table", "levelTable", "Shipments", element_source::table(shipments));
    b.data_element(pipeline, pipeline_page, "visualization", "sankey", "Shipment Flows",
                   element_source::table(shipments), true, 409);
    o.workbooks[pipeline].workbook.updatedBy = "SigmaSchedulerRobot";

    // 5. A personal workbook in Grace's My Documents.
    std::size_t scratch = b.workbook("Grace's Scratchpad", b.home_folder(grace), grace);
    std::string scratch_page = b.page(scratch, "Page 1");
    b.data_element(scratch, scratch_page, "visualization", "scatter", "Revenue vs Quantity",
                   element_source::table(orders));
    b.data_element(scratch, scratch_page, "visualization", "box", std::nullopt, element_source::table(orders), false);

    // 6. Executive Dashboard: in the workspace the credential cannot read.
    std::size_t exec = b.workbook("Executive Dashboard", executive, katherine, "Board-level KPIs");
    std::string exec_page = b.page(exec, "KPIs");
    b.data_element(exec, exec_page, "visualization", "gauge", "Quota Attainment",
                   element_source::data_model(sales_model_id, dm_orders));
    b.data_element(exec, exec_page, "visualization", "pie", "Revenue Mix",
                   element_source::custom_sql(snowflake, "SELECT SEGMENT, SUM(REVENUE) AS REVENUE FROM "
                                                         "ANALYTICS.SALES.ORDERS JOIN ANALYTICS.SALES.CUSTOMERS "
                                                         "USING (CUSTOMER_ID) GROUP BY 1"));
    return b.finish();
}

// ---- generator -------------------------------------------------------------------

inline simulated_org simulated_org::generate(generator_options const& opt) {
    org_builder b(opt.seed ^ 0x5157A11CE0ull);
    b.columns_per_element = std::max<std::size_t>(1, opt.columns_per_element);
    auto& rng = b.rng();
    auto& o = b.org();
    o.clientId = "client-" + rng.base62(12);
    o.clientSecret = "secret-" + rng.base62(24);

    static std::vector<std::string> const firsts = {"Ada", "Grace", "Alan", "Katherine", "Edsger", "Barbara",
                                                    "Donald", "Frances", "John", "Radia", "Ken", "Margaret"};
    static std::vector<std::string> const lasts = {"Lovelace", "Hopper", "Turing", "Johnson", "Dijkstra", "Liskov",
                                                   "Knuth", "Allen", "Backus", "Perlman", "Thompson", "Hamilton"};
    static std::vector<std::string> const kinds = {"admin", "creator", "creator", "viewer"};
    std::vector<std::string> members;
    // Draws are named and made in a fixed order: the order in which a call's
    // arguments are evaluated is up to the compiler (GCC and clang differ), and
    // an organisation must be the same from every compiler. (The order is the
    // one GCC used when these were arguments, so organisations stay as they were.)
    for (std::size_t i = 0; i < std::max<std::size_t>(1, opt.members); ++i) {
        bool const inactive = i > 0 && rng.percent(5);
        bool const archived = i > 0 && rng.percent(10);
        std::string type = i == 0 ? "admin" : rng.pick(kinds);
        std::string last = rng.pick(lasts) + (i >= lasts.size() ? " " + std::to_string(i) : "");
        std::string first = rng.pick(firsts);
        members.push_back(b.member(std::move(first), std::move(last), std::move(type), archived, inactive));
    }
    o.userId = members.front();

    static std::vector<std::string> const topics = {"Finance", "Sales", "Marketing", "Operations", "Product",
                                                    "Support", "People", "Executive", "Supply Chain", "Risk"};
    std::vector<std::string> folders;
    for (std::size_t i = 0; i < opt.workspaces; ++i) {
        std::string name = topics[i % topics.size()] + (i >= topics.size() ? " " + std::to_string(i) : "");
        bool readable = i + opt.unreadable_workspaces < opt.workspaces;
        std::string ws = b.workspace(name, rng.pick(members), readable);
        folders.push_back(ws);
        for (std::size_t f = 0; f < opt.folders_per_workspace; ++f)
            folders.push_back(b.folder(name + " Folder " + std::to_string(f + 1), ws, rng.pick(members)));
    }
    if (folders.empty()) folders.push_back(b.home_folder(members.front()));

    static std::vector<std::string> const warehouse_types = {"snowflake", "bigQuery", "redshift", "databricks",
                                                             "postgres"};
    std::vector<std::string> connections;
    for (std::size_t i = 0; i < std::max<std::size_t>(1, opt.connections); ++i)
        connections.push_back(b.connection("Warehouse " + std::to_string(i + 1),
                                           warehouse_types[i % warehouse_types.size()], members.front(),
                                           i > 0 && rng.percent(10)));

    static std::vector<std::string> const nouns = {"ORDERS", "CUSTOMERS", "INVOICES", "PAYMENTS", "SHIPMENTS",
                                                   "PRODUCTS", "EVENTS", "SESSIONS", "TICKETS", "ACCOUNTS"};
    static std::vector<std::string> const cols = {"ID", "CREATED_AT", "CUSTOMER_ID", "AMOUNT", "STATUS",
                                                  "REGION", "QUANTITY", "IS_ACTIVE", "UPDATED_AT", "COST"};
    std::vector<std::string> tables;
    for (std::size_t i = 0; i < std::max<std::size_t>(2, opt.tables); ++i) {
        std::vector<std::string> c;
        std::size_t n = 3 + rng.below(cols.size() - 2);
        for (std::size_t k = 0; k < n; ++k) c.push_back(cols[k]);
        tables.push_back(b.table(connections[i % connections.size()], "DB" + std::to_string(i % 3 + 1),
                                 "SCHEMA_" + std::to_string(i % 4 + 1),
                                 nouns[i % nouns.size()] + "_" + std::to_string(i + 1), std::move(c),
                                 members.front()));
    }

    std::vector<std::string> datasets;
    for (std::size_t i = 0; i < opt.datasets; ++i) {
        static constexpr unsigned statuses[] = {410, 404, 409};
        std::string owner = rng.pick(members);
        std::string folder = rng.pick(folders);
        datasets.push_back(b.dataset("Dataset " + std::to_string(i + 1), folder, owner, statuses[i % 3]));
    }

    static std::vector<std::string> const colors = {"cyan", "grass", "violet", "plum", "amber", "bronze"};
    std::vector<std::string> tags;
    for (std::size_t i = 0; i < opt.tags; ++i)
        tags.push_back(b.tag("Tag " + std::to_string(i + 1), colors[i % colors.size()], members.front()));

    std::vector<std::pair<std::string, std::string>> dm_elements; // (dataModelId, elementId)
    for (std::size_t i = 0; i < opt.data_models; ++i) {
        bool const flag = rng.percent(70);
        auto description = rng.percent(50) ? std::optional<std::string>("Generated data model") : std::nullopt;
        std::string owner = rng.pick(members);
        std::string folder = rng.pick(folders);
        std::size_t dm = b.data_model("Data Model " + std::to_string(i + 1), folder, owner, description, flag);
        std::string id = o.data_models[dm].data_model.dataModelId;
        std::size_t n = 1 + rng.below(3);
        for (std::size_t k = 0; k < n; ++k) {
            element_source src;
            switch (rng.below(4)) {
            case 0: src = element_source::join({rng.pick(tables), rng.pick(tables)}); break;
            case 1: {
                std::string sql = "SELECT * FROM DB1.SCHEMA_1.T" + std::to_string(rng.below(100));
                src = element_source::custom_sql(rng.pick(connections), sql);
                break;
            }
            default: src = element_source::table(rng.pick(tables));
            }
            dm_elements.emplace_back(id, b.data_model_element(dm, "Element " + std::to_string(k + 1), src));
        }
        if (opt.dangling_references && i == 0)
            o.data_models[dm].sources.push_back(api::data_model_source_table{"missing-" + rng.uuid()});
    }

    static std::vector<std::string> const vizzes = {"bar",    "line",      "area",      "pie",    "donut",
                                                    "scatter", "combo",    "kpi",       "map",    "region-map",
                                                    "point-map", "funnel", "sankey",    "gauge",  "box",
                                                    "levelTable", "heatmap"};
    static std::vector<std::string> const layouts = {"control", "divider", "text", "image", "button"};
    static std::vector<std::string> const adjectives = {"Revenue", "Churn", "Pipeline", "Margin", "Headcount",
                                                        "Usage", "Backlog", "Forecast", "Retention", "Spend"};
    static std::vector<std::string> const scopes = {"by Region", "by Month", "by Product", "by Team", "Overview",
                                                    "Trend", "Detail", "Summary"};
    for (std::size_t i = 0; i < opt.workbooks; ++i) {
        std::string owner = rng.pick(members);
        bool personal = rng.percent(opt.personal_percent);
        std::string folder = personal ? b.home_folder(owner) : rng.pick(folders);
        bool const archived = rng.percent(opt.archived_percent);
        auto description = rng.percent(40) ? std::optional<std::string>("Generated workbook") : std::nullopt;
        std::string const& scope = rng.pick(scopes);
        std::string name = rng.pick(adjectives) + " " + scope + " " + std::to_string(i + 1);
        std::size_t wb = b.workbook(name, folder, owner, description, archived);
        if (opt.dangling_references && i % 7 == 3) o.workbooks[wb].workbook.ownerId = rng.base62(29);
        if (!tags.empty() && rng.percent(30)) b.tag_workbook(wb, rng.pick(tags));
        if (opt.dangling_references && i % 11 == 5) b.tag_workbook(wb, rng.uuid());
        std::vector<std::string> data_elements;
        for (std::size_t p = 0; p < std::max<std::size_t>(1, opt.pages_per_workbook); ++p) {
            bool const hidden = p > 0 && rng.percent(10);
            auto title = rng.percent(90) ? std::optional<std::string>("Page " + std::to_string(p + 1)) : std::nullopt;
            std::string page = b.page(wb, title, hidden);
            for (std::size_t e = 0; e < opt.elements_per_page; ++e) {
                if (rng.percent(opt.layout_percent)) {
                    std::string type = rng.pick(layouts);
                    b.layout_element(wb, page, type,
                                     rng.percent(30) ? std::optional<std::string>(type + " " + std::to_string(e + 1))
                                                     : std::nullopt);
                    continue;
                }
                element_source src;
                std::size_t roll = rng.below(10);
                if (roll < 3 || (roll == 9 && data_elements.empty()))
                    src = element_source::table(rng.pick(tables));
                else if (roll < 5)
                    src = element_source::join({rng.pick(tables), rng.pick(tables)});
                else if (roll == 5)
                    src = element_source::union_of({rng.pick(tables), rng.pick(tables)});
                else if (roll == 6 && !dm_elements.empty()) {
                    auto const& [dm, el] = rng.pick(dm_elements);
                    src = element_source::data_model(dm, el);
                } else if (roll == 7 && !datasets.empty() && rng.percent(30))
                    src = element_source::dataset(rng.pick(datasets));
                else if (roll == 8) {
                    std::string sql = "SELECT * FROM DB2.SCHEMA_2.T" + std::to_string(rng.below(100));
                    src = element_source::custom_sql(rng.pick(connections), sql);
                }
                else if (!data_elements.empty())
                    src = element_source::element(rng.pick(data_elements));
                else
                    src = element_source::table(rng.pick(tables));
                if (opt.dangling_references && i % 5 == 2 && e == 0)
                    src = element_source::table("missing-" + rng.uuid());
                std::string type, viz_name;
                std::optional<std::string> viz;
                std::size_t t = rng.below(10);
                if (rng.percent(opt.unknown_type_percent))
                    type = "embed";
                else if (t < 5) {
                    type = "visualization";
                    viz = rng.pick(vizzes);
                } else if (t < 8) {
                    type = "table";
                    viz = "levelTable";
                } else if (t < 9)
                    type = "pivot-table";
                else
                    type = "input-table";
                unsigned status = rng.percent(opt.lineage_conflict_percent) ? 409 : 200;
                bool query = !rng.percent(opt.no_query_percent);
                data_elements.push_back(b.data_element(wb, page, type, viz,
                                                       rng.pick(adjectives) + " " + std::to_string(e + 1), src,
                                                       query, status));
            }
        }
    }
    return b.finish();
}

// ---- consistency -------------------------------------------------------------------

inline std::vector<std::string> simulated_org::problems() const {
    std::vector<std::string> out;
    std::set<std::string> file_ids, member_ids, tag_ids, connection_ids;
    for (auto const& f : files) file_ids.insert(f.id);
    for (auto const& m : members) member_ids.insert(m.memberId);
    for (auto const& t : tags) tag_ids.insert(t.versionTagId);
    for (auto const& c : connections) connection_ids.insert(c.connectionId);
    auto member_ok = [&](std::string const& id) { return member_ids.count(id) || id == "SigmaSchedulerRobot"; };
    auto need = [&](bool ok, std::string what) {
        if (!ok) out.push_back(std::move(what));
    };

    if (!find_member(userId)) out.push_back("whoami: userId " + userId + " is no member");
    for (auto const& m : members) need(m.homeFolderId && file_ids.count(*m.homeFolderId) > 0, "member " + m.memberId + ": no home folder");
    for (auto const& f : files) {
        need(f.parentId.empty() || file_ids.count(f.parentId) || connection_ids.count(f.parentId),
             "file " + f.id + ": parent " + f.parentId + " does not exist");
        if (f.ownerId) need(member_ok(*f.ownerId), "file " + f.id + ": owner " + *f.ownerId + " is no member");
    }
    for (auto const& w : workspaces)
        need(file_ids.count(w.workspace.workspaceId) > 0, "workspace " + w.workspace.workspaceId + ": no file");
    for (auto const& t : tables) {
        need(file_ids.count(t.inodeId) > 0, "table " + t.inodeId + ": no file");
        need(connection_ids.count(t.connectionId) > 0, "table " + t.inodeId + ": no connection " + t.connectionId);
    }
    for (auto const& d : datasets) need(file_ids.count(d.datasetId) > 0, "dataset " + d.datasetId + ": no file");

    auto check_inode_ref = [&](std::string const& where, std::string const& id) {
        need(find_table(id) || find_dataset(id), where + ": " + id + " names no table or dataset");
    };
    auto check_column = [&](std::string const& where, api::workbook_column const& c, auto const& element_exists) {
        need(element_exists(c.elementId), where + ": column " + c.columnId + " of missing element " + c.elementId);
        if (c.columnId.starts_with("inode-")) {
            auto slash = c.columnId.find('/');
            need(slash != std::string::npos && find_table(c.columnId.substr(0, slash)),
                 where + ": column id " + c.columnId + " names no table");
        }
        need(c.formula.find('[') != std::string::npos, where + ": column " + c.columnId + " has no reference");
    };
    auto data_model_element_exists = [&](std::string const& dm, std::string const& el) {
        auto const* d = find_data_model(dm);
        if (!d) return false;
        for (auto const& e : d->elements)
            if (e.elementId == el) return true;
        return false;
    };

    for (auto const& sw : workbooks) {
        auto const& w = sw.workbook;
        std::string where = "workbook " + w.workbookId;
        need(file_ids.count(w.workbookId) > 0, where + ": no file");
        need(member_ok(w.ownerId), where + ": owner " + w.ownerId + " is no member");
        need(member_ok(w.createdBy) && member_ok(w.updatedBy), where + ": createdBy/updatedBy is no member");
        if (w.tags)
            for (auto const& t : *w.tags) need(tag_ids.count(t.versionTagId) > 0, where + ": tag " + t.versionTagId + " does not exist");
        auto element_exists = [&](std::string const& id) { return sw.find_element(id) != nullptr; };
        std::set<std::string> pages;
        for (auto const& p : sw.pages) pages.insert(p.pageId);
        for (auto const& e : sw.elements) {
            need(pages.count(e.pageId) > 0, where + ": element " + e.element.elementId + " on missing page");
            if (e.lineage_status != 200) continue;
            auto const& g = e.lineage;
            auto self = g.dependencies.find(e.element.elementId);
            need(self != g.dependencies.end() && self->second.type == api::lineage_node_type::sheet,
                 where + ": element " + e.element.elementId + ": lineage lacks its own sheet node");
            for (auto const& [id, n] : g.dependencies) {
                need(id == n.nodeId, where + ": node key " + id + " != nodeId");
                if (n.type == api::lineage_node_type::table || n.type == api::lineage_node_type::dataset)
                    check_inode_ref(where + " lineage", id);
                if (n.type == api::lineage_node_type::sheet && n.elementId)
                    need(element_exists(*n.elementId), where + ": sheet node of missing element " + *n.elementId);
            }
            for (auto const& ed : g.edges)
                for (auto const* end : {&ed.source, &ed.target}) {
                    if (g.dependencies.count(*end)) continue;
                    auto slash = end->find('/');
                    bool dm_node = slash != std::string::npos &&
                                   data_model_element_exists(end->substr(0, slash), end->substr(slash + 1));
                    need(dm_node, where + ": edge end " + *end + " is neither a node nor a data-model element");
                }
        }
        for (auto const& c : sw.columns) check_column(where, c, element_exists);
        for (auto const& le : sw.lineage) {
            if (auto const* e = std::get_if<api::lineage_element_entry>(&le)) {
                need(element_exists(e->elementId), where + ": lineage of missing element " + e->elementId);
                if (e->sourceIds)
                    for (auto const& s : *e->sourceIds) {
                        if (s.starts_with("inode-"))
                            check_inode_ref(where + " lineage", s);
                        else if (auto slash = s.find('/'); slash != std::string::npos)
                            need(data_model_element_exists(s.substr(0, slash), s.substr(slash + 1)),
                                 where + ": lineage source " + s + " names no data-model element");
                        else
                            need(element_exists(s), where + ": lineage source " + s + " names no element");
                    }
            } else if (auto const* t = std::get_if<api::lineage_table_entry>(&le)) {
                check_inode_ref(where + " lineage", t->inodeId);
            } else if (auto const* d = std::get_if<api::lineage_data_model_entry>(&le)) {
                need(find_data_model(d->dataModelId) != nullptr, where + ": lineage data model " + d->dataModelId + " does not exist");
            } else if (auto const* c = std::get_if<api::lineage_custom_sql_entry>(&le)) {
                need(!c->connectionId || connection_ids.count(*c->connectionId), where + ": custom SQL connection does not exist");
            }
        }
        for (auto const& s : sw.sources) {
            if (auto const* d = std::get_if<api::source_data_model>(&s)) {
                for (auto const& el : d->elementIds)
                    need(data_model_element_exists(d->dataModelId, el),
                         where + ": source data model " + d->dataModelId + " element " + el + " does not exist");
            } else if (auto const* t = std::get_if<api::workbook_source_table>(&s)) {
                need(find_table(t->inodeId) != nullptr, where + ": source table " + t->inodeId + " does not exist");
            } else if (auto const* ds = std::get_if<api::workbook_source_dataset>(&s)) {
                need(find_dataset(ds->inodeId) != nullptr, where + ": source dataset " + ds->inodeId + " does not exist");
            } else if (auto const* c = std::get_if<api::source_custom_sql>(&s)) {
                need(connection_ids.count(c->connectionId) > 0, where + ": custom SQL connection does not exist");
            }
        }
    }
    for (auto const& sd : data_models) {
        std::string where = "data model " + sd.data_model.dataModelId;
        need(file_ids.count(sd.data_model.dataModelId) > 0, where + ": no file");
        need(member_ok(sd.data_model.ownerId), where + ": owner is no member");
        auto element_exists = [&](std::string const& id) {
            for (auto const& e : sd.elements)
                if (e.elementId == id) return true;
            return false;
        };
        for (auto const& c : sd.columns) check_column(where, c, element_exists);
        for (auto const& le : sd.lineage) {
            if (auto const* e = std::get_if<api::lineage_element_entry>(&le)) {
                need(element_exists(e->elementId), where + ": lineage of missing element");
                if (e->sourceIds) {
                    for (auto const& s : *e->sourceIds) {
                        if (s.starts_with("inode-"))
                            check_inode_ref(where + " lineage", s);
                        else
                            need(element_exists(s), where + ": lineage source " + s + " names no element");
                    }
                }
            } else if (auto const* t = std::get_if<api::lineage_table_entry>(&le)) {
                check_inode_ref(where + " lineage", t->inodeId);
            }
        }
        for (auto const& s : sd.sources) {
            if (auto const* t = std::get_if<api::data_model_source_table>(&s))
                need(find_table(t->tableId) != nullptr, where + ": source table " + t->tableId + " does not exist");
            else if (auto const* c = std::get_if<api::source_custom_sql>(&s))
                need(connection_ids.count(c->connectionId) > 0, where + ": custom SQL connection does not exist");
        }
    }
    return out;
}

} // namespace sigma::testing

#endif
