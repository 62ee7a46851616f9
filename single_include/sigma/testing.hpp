// SPDX-License-Identifier: MIT
// sigma-cpp 0.1.0: the helpers for tests without a Sigma account
// (sigma::testing), as one header. It includes the library's single header,
// sigma.hpp, which must be beside it.
//
// DO NOT EDIT. Generated from include/ by tools/amalgamate.py; edit the headers
// under include/sigma/ and regenerate with:
//     python3 tools/amalgamate.py
//
// MIT License
//
// Copyright (c) 2026 the sigma-cpp developers
//
// Permission is hereby granted, free of charge, to any person obtaining a copy
// of this software and associated documentation files (the "Software"), to deal
// in the Software without restriction, including without limitation the rights
// to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
// copies of the Software, and to permit persons to whom the Software is
// furnished to do so, subject to the following conditions:
//
// The above copyright notice and this permission notice shall be included in all
// copies or substantial portions of the Software.
//
// THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
// IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
// FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
// AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
// LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
// OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
// SOFTWARE.

#include "sigma.hpp"

// ---- begin <sigma/testing.hpp> ----
// SPDX-License-Identifier: MIT
// sigma-cpp's helpers for tests without a Sigma account (sigma::testing): the
// in-memory transport, a manual clock, generated organisations, a fake Sigma
// and a fake OpenMetadata served over loopback HTTP, a CONNECT proxy. With the
// whole library (<sigma/sigma.hpp>), which does not include these itself.
#ifndef SIGMA_TESTING_HPP
#define SIGMA_TESTING_HPP


// ---- begin <sigma/testing/manual_clock.hpp> ----
// SPDX-License-Identifier: MIT
// A clock for tests: time passes only when the code under test sleeps or the
// test advances it, every sleep is recorded, and the random draw is fixed, so
// retry and expiry tests check exact waits and never sleep on the wall clock.
#ifndef SIGMA_TESTING_MANUAL_CLOCK_HPP
#define SIGMA_TESTING_MANUAL_CLOCK_HPP


#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::testing {

struct manual_clock {
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    std::chrono::system_clock::time_point wall{std::chrono::sys_days{std::chrono::year{2026} / 11 / 28}};
    std::vector<std::chrono::milliseconds> sleeps;
    double random = 0.5; // what clock_source::random returns

    void advance(std::chrono::milliseconds d) {
        now += d;
        wall += d;
    }

    // A clock_source reading this object; it must outlive the source's users.
    sigma::clock_source source() {
        sigma::clock_source c;
        c.now = [this] { return now; };
        c.wall_now = [this] { return wall; };
        c.sleep = [this](std::chrono::milliseconds d) -> boost::asio::awaitable<void> {
            sleeps.push_back(d);
            advance(d);
            co_return;
        };
        c.random = [this] { return random; };
        return c;
    }
};

} // namespace sigma::testing

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/testing/manual_clock.hpp> ----
// ---- begin <sigma/testing/memory_transport.hpp> ----
// SPDX-License-Identifier: MIT
// An in-memory Transport for tests: every request goes to a handler function
// and is recorded. No sockets, no threads; completes on the caller's executor.
#ifndef SIGMA_TESTING_MEMORY_TRANSPORT_HPP
#define SIGMA_TESTING_MEMORY_TRANSPORT_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::testing {

class memory_transport {
public:
    // Return a response, or a sigma::error to simulate a transport failure.
    using handler = std::function<result<http_response>(http_request const&)>;

    memory_transport(boost::asio::any_io_executor ex, handler h)
        : ex_(std::move(ex)), state_(std::make_shared<state>()) {
        state_->h = std::move(h);
    }

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        // Yield once, as a real transport would, so that concurrent callers interleave.
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto st = state_;
        st->log.push_back(req);
        co_return st->h(st->log.back());
    }

    // Every request received, in order (copies of this transport share it).
    [[nodiscard]] std::vector<http_request> const& requests() const noexcept { return state_->log; }
    void clear_requests() { state_->log.clear(); }
    void set_handler(handler h) { state_->h = std::move(h); }

private:
    struct state {
        handler h;
        std::vector<http_request> log;
    };
    boost::asio::any_io_executor ex_;
    std::shared_ptr<state> state_;
};

static_assert(transport<memory_transport>);

// A JSON response with the given status.
inline http_response json_response(unsigned status, std::string body) {
    http_response r;
    r.status = status;
    r.headers.push_back({"Content-Type", "application/json"});
    r.body = std::move(body);
    return r;
}

} // namespace sigma::testing

SIGMA_COROUTINES_END

#endif
// ---- end <sigma/testing/memory_transport.hpp> ----
// ---- begin <sigma/testing/simulated_org.hpp> ----
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
// ---- end <sigma/testing/simulated_org.hpp> ----
// ---- begin <sigma/testing/fake_sigma.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::testing::fake_sigma: Sigma's REST API over a simulated_org, as a
// handler (request in, response out) for the in-memory transport and for the
// loopback HTTP server. It mints and checks tokens (with an injectable clock),
// pages the way each endpoint does (style A with opaque cursors, style B,
// legacy bare arrays), answers the soft statuses of the real API (400/409/500
// lineage, 404 queries, 403 workspaces, the retired dataset API), sends
// X-Request-Id on every answer, records every request and plays scripted
// faults. Answers are encoded with sigma::json::encode from the models, plus
// some of the real API's quirks (unknown keys, `hasMore: "true"`, `customSql`).
#ifndef SIGMA_TESTING_FAKE_SIGMA_HPP
#define SIGMA_TESTING_FAKE_SIGMA_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace sigma::testing {

// A failure to play on requests whose path matches a pattern (see fake_sigma::script).
struct fault {
    enum class kind {
        status,          // answer `status` (with `body`, or a Sigma error body) without serving the request
        html,            // answer `status` with a proxy's HTML page
        malformed_body,  // serve the request, then replace the body with text that is not JSON
        truncated_body,  // serve the request, then cut the body in half
        transport_error, // no answer at all: a sigma::error (errc::transport) from the memory transport
    };
    kind what = kind::status;
    unsigned status = 503;
    std::optional<std::string> retry_after; // Retry-After header value
    std::string body;                       // for kind::status; empty: {"code", "message", "requestId"}
    std::size_t nth = 1;                    // the first matching request it applies to (1 = the next)
    std::size_t count = 1;                  // how many matching requests from the nth; 0 = all of them
    std::optional<http_method> method;      // only requests with this method

    static fault http(unsigned status, std::optional<std::string> retry_after = std::nullopt) {
        fault f;
        f.status = status;
        f.retry_after = std::move(retry_after);
        return f;
    }
    static fault html(unsigned status = 502) {
        fault f;
        f.what = kind::html;
        f.status = status;
        return f;
    }
    static fault malformed() {
        fault f;
        f.what = kind::malformed_body;
        return f;
    }
    static fault truncated() {
        fault f;
        f.what = kind::truncated_body;
        return f;
    }
    static fault transport() {
        fault f;
        f.what = kind::transport_error;
        return f;
    }
    // Fluent setters: fault::http(503).times(2), fault::malformed().from(3).
    fault& times(std::size_t n) {
        count = n;
        return *this;
    }
    fault& always() { return times(0); }
    fault& from(std::size_t n) {
        nth = n;
        return *this;
    }
    fault& only(http_method m) {
        method = m;
        return *this;
    }
};

struct fake_sigma_options {
    // Lifetime announced in `expires_in` and enforced.
    std::chrono::seconds token_lifetime{3599};
    // What `expires_in` says when it differs from the real lifetime (tokens that die early).
    std::optional<std::chrono::seconds> announced_lifetime;
    // The clock that expires tokens; empty: std::chrono::steady_clock.
    std::function<std::chrono::steady_clock::time_point()> now;
    // Mints closer together than this answer 429 (0: no limit).
    std::chrono::milliseconds min_mint_interval{0};
    // Unknown keys, `hasMore` as the string "true", `customSql` / `dataModel` spellings.
    bool quirks = true;
    std::size_t default_limit = 50;
    std::size_t max_limit = 1000;
};

// One request as the fake saw it.
struct recorded_request {
    http_method method = http_method::get;
    std::string target;
    unsigned status = 0; // 0: a transport fault, no answer
    bool faulted = false;

    // "GET /v2/workbooks?limit=2"
    [[nodiscard]] std::string line() const { return std::string(to_string(method)) + " " + target; }
};

namespace detail {

inline std::uint32_t fnv1a(std::string_view s, std::uint32_t h = 2166136261u) {
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 16777619u;
    }
    return h;
}

inline std::string to_hex(std::uint64_t v) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), hex[v & 15]);
        v >>= 4;
    } while (v != 0);
    return s;
}

inline std::optional<std::string> base64_decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
    };
    std::string out;
    std::uint32_t buf = 0;
    int bits = 0;
    for (char c : in) {
        if (c == '=') break;
        int v = val(c);
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xFF);
        }
    }
    return out;
}

// Glob over a path: `*` matches within one segment, `**` across segments.
inline bool path_glob_match(std::string_view pat, std::string_view s) {
    if (pat.empty()) return s.empty();
    if (pat.starts_with("**")) {
        for (std::size_t i = 0; i <= s.size(); ++i)
            if (path_glob_match(pat.substr(2), s.substr(i))) return true;
        return false;
    }
    if (pat.front() == '*') {
        for (std::size_t i = 0; i <= s.size(); ++i) {
            if (path_glob_match(pat.substr(1), s.substr(i))) return true;
            if (i < s.size() && s[i] == '/') break;
        }
        return false;
    }
    return !s.empty() && pat.front() == s.front() && path_glob_match(pat.substr(1), s.substr(1));
}

} // namespace detail

class fake_sigma {
public:
    explicit fake_sigma(simulated_org org, fake_sigma_options opts = {}) : st_(std::make_shared<state>()) {
        st_->org = std::move(org);
        st_->opts = std::move(opts);
        if (!st_->opts.now) st_->opts.now = [] { return std::chrono::steady_clock::now(); };
        st_->reindex();
    }

    // ---- the handler ------------------------------------------------------------

    // For servers: a transport fault is thrown as sigma::error (errc::transport);
    // a server should drop the connection without answering.
    http_response operator()(http_request const& req) const { return handle(req).value(); }

    // For the memory transport: a transport fault is an error value.
    result<http_response> handle(http_request const& req) const {
        std::lock_guard lock(st_->m);
        return st_->serve(req);
    }

    // A memory_transport whose requests this fake answers (state shared: the
    // test keeps scripting faults and reading the log through this object).
    memory_transport transport(boost::asio::any_io_executor ex) const {
        auto st = st_;
        return memory_transport(std::move(ex), [st](http_request const& r) -> result<http_response> {
            std::lock_guard lock(st->m);
            return st->serve(r);
        });
    }

    // A client configuration with the organisation's host and credential.
    [[nodiscard]] sigma::config config() const {
        std::lock_guard lock(st_->m);
        sigma::config c;
        c.hostPort = st_->org.host;
        c.clientId = st_->org.clientId;
        c.clientSecret = sigma::secret(st_->org.clientSecret);
        return c;
    }

    // ---- faults -----------------------------------------------------------------

    // Plays `f` on requests whose path (no query) matches `pattern`, e.g.
    // "/v2/workbooks", "/v2/workbooks/*/pages", "/v2/**". Several scripts may
    // match: each counts its own matches, the first one due applies.
    void script(std::string pattern, fault f) {
        std::lock_guard lock(st_->m);
        st_->faults.push_back({std::move(pattern), std::move(f), 0});
    }
    void clear_faults() {
        std::lock_guard lock(st_->m);
        st_->faults.clear();
    }

    // ---- what happened ----------------------------------------------------------

    [[nodiscard]] std::vector<recorded_request> requests() const {
        std::lock_guard lock(st_->m);
        return st_->log;
    }
    // "METHOD target" of every request whose path starts with `prefix`.
    [[nodiscard]] std::vector<std::string> lines(std::string_view prefix = {}) const {
        std::lock_guard lock(st_->m);
        std::vector<std::string> out;
        for (auto const& r : st_->log)
            if (r.target.starts_with(prefix)) out.push_back(r.line());
        return out;
    }
    void clear_requests() {
        std::lock_guard lock(st_->m);
        st_->log.clear();
    }
    [[nodiscard]] std::size_t tokens_minted() const {
        std::lock_guard lock(st_->m);
        return st_->minted;
    }

    // ---- the organisation -------------------------------------------------------

    // Not synchronised with concurrent requests: read it between calls.
    [[nodiscard]] simulated_org const& org() const noexcept { return st_->org; }
    // Changes the organisation (delete a workbook, archive a member, ...).
    void modify(std::function<void(simulated_org&)> const& f) {
        std::lock_guard lock(st_->m);
        f(st_->org);
        st_->reindex();
    }
    // Every token issued so far stops working (as if the clock passed their expiry).
    void expire_tokens() {
        std::lock_guard lock(st_->m);
        st_->tokens.clear();
    }
    // The access tokens currently valid.
    [[nodiscard]] std::size_t live_tokens() const {
        std::lock_guard lock(st_->m);
        std::size_t n = 0;
        auto now = st_->opts.now();
        for (auto const& [t, exp] : st_->tokens)
            if (now < exp) ++n;
        return n;
    }

private:
    using clock = std::chrono::steady_clock;
    using params = std::vector<std::pair<std::string, std::string>>;

    struct scripted {
        std::string pattern;
        fault f;
        std::size_t seen = 0;
    };

    struct request_ctx {
        http_request const& req;
        std::string path;
        std::vector<std::string> segs; // decoded, without the version
        std::string version;           // "v2", "v2.1"
        params query;
        std::string request_id;

        [[nodiscard]] std::optional<std::string> param(std::string_view name) const {
            for (auto const& [k, v] : query)
                if (k == name) return v;
            return std::nullopt;
        }
        [[nodiscard]] bool flag(std::string_view name) const {
            auto v = param(name);
            return v && *v == "true";
        }
    };

    enum class cursor_style { numeric, opaque };

    struct state {
        std::mutex m;
        simulated_org org;
        fake_sigma_options opts;
        std::vector<scripted> faults;
        std::vector<recorded_request> log;
        std::map<std::string, clock::time_point> tokens;
        std::map<std::string, std::string> refresh_tokens; // refresh -> client id
        std::optional<clock::time_point> last_mint;
        std::uint64_t request_counter = 0;
        std::uint64_t token_counter = 0;
        std::size_t minted = 0;
        std::unordered_map<std::string, std::size_t> workbook_index, data_model_index, file_index, member_index,
            connection_index, workspace_index;

        void reindex() {
            workbook_index.clear();
            data_model_index.clear();
            file_index.clear();
            member_index.clear();
            connection_index.clear();
            workspace_index.clear();
            for (std::size_t i = 0; i < org.workbooks.size(); ++i) workbook_index[org.workbooks[i].workbook.workbookId] = i;
            for (std::size_t i = 0; i < org.data_models.size(); ++i) {
                data_model_index[org.data_models[i].data_model.dataModelId] = i;
                data_model_index.emplace(org.data_models[i].data_model.dataModelUrlId, i);
            }
            for (std::size_t i = 0; i < org.files.size(); ++i) {
                file_index.emplace(org.files[i].id, i);
                file_index.emplace(org.files[i].urlId, i);
            }
            for (std::size_t i = 0; i < org.members.size(); ++i) member_index[org.members[i].memberId] = i;
            for (std::size_t i = 0; i < org.connections.size(); ++i)
                connection_index[org.connections[i].connectionId] = i;
            for (std::size_t i = 0; i < org.workspaces.size(); ++i)
                workspace_index[org.workspaces[i].workspace.workspaceId] = i;
        }

        template <class T>
        static T const* at(std::unordered_map<std::string, std::size_t> const& idx, std::vector<T> const& v,
                           std::string const& id) {
            auto it = idx.find(id);
            return it == idx.end() ? nullptr : &v[it->second];
        }

        // ---- answers ----------------------------------------------------------
        static http_response answer(request_ctx const& rq, unsigned status, std::string body,
                                    std::string_view content_type = "application/json") {
            http_response r;
            r.status = status;
            r.headers.push_back({"Content-Type", std::string(content_type)});
            r.headers.push_back({"X-Request-Id", rq.request_id});
            r.body = std::move(body);
            return r;
        }
        static http_response json(request_ctx const& rq, boost::json::value const& v, unsigned status = 200) {
            return answer(rq, status, boost::json::serialize(v));
        }
        static http_response error(request_ctx const& rq, unsigned status, std::string_view code,
                                   std::string_view message) {
            boost::json::object o;
            o["requestId"] = rq.request_id;
            o["message"] = message;
            o["code"] = code;
            return json(rq, o, status);
        }
        static http_response not_found(request_ctx const& rq, std::string_view what) {
            return error(rq, 404, "not_found", std::string(what) + " not found");
        }

        // ---- serving ------------------------------------------------------------
        result<http_response> serve(http_request const& req) {
            recorded_request rec{req.method, req.target, 0, false};
            std::string path(req.target.substr(0, req.target.find('?')));
            request_ctx rq{req, path, {}, {}, {}, "req-" + detail::to_hex(0x5160000000ull + ++request_counter)};

            // Scripted faults come first, as from a proxy in front of the API.
            fault const* due = nullptr;
            for (auto& s : faults) {
                if (s.f.method && *s.f.method != req.method) continue;
                if (!detail::path_glob_match(s.pattern, path)) continue;
                ++s.seen;
                bool in_window = s.seen >= s.f.nth && (s.f.count == 0 || s.seen < s.f.nth + s.f.count);
                if (in_window && due == nullptr) due = &s.f;
            }
            if (due != nullptr) {
                rec.faulted = true;
                switch (due->what) {
                case fault::kind::transport_error:
                    log.push_back(rec);
                    return sigma::error(errc::transport, std::string(to_string(req.method)) + " " + req.target +
                                                             ": connection reset by peer (scripted fault)");
                case fault::kind::status: {
                    http_response r = due->body.empty()
                                          ? error(rq, due->status, status_code_name(due->status), "Scripted fault")
                                          : answer(rq, due->status, due->body);
                    if (due->retry_after) r.headers.push_back({"Retry-After", *due->retry_after});
                    rec.status = r.status;
                    log.push_back(rec);
                    return r;
                }
                case fault::kind::html: {
                    http_response r = answer(rq, due->status,
                                             "<!DOCTYPE html>\n<html><head><title>" + std::to_string(due->status) +
                                                 " Bad Gateway | api.sigmacomputing.com | Cloudflare</title></head>"
                                                 "<body><h1>Error " + std::to_string(due->status) +
                                                 "</h1><p>Ray ID: 8f2a" + rq.request_id + "</p></body></html>\n",
                                             "text/html; charset=UTF-8");
                    if (due->retry_after) r.headers.push_back({"Retry-After", *due->retry_after});
                    rec.status = r.status;
                    log.push_back(rec);
                    return r;
                }
                case fault::kind::malformed_body:
                case fault::kind::truncated_body: break;
                }
            }

            http_response r = route(rq);
            if (due != nullptr && due->what == fault::kind::malformed_body)
                r.body = "{\"entries\": [ this is not json }";
            else if (due != nullptr && due->what == fault::kind::truncated_body)
                r.body.resize(r.body.size() / 2);
            rec.status = r.status;
            log.push_back(rec);
            return r;
        }

        static std::string_view status_code_name(unsigned s) {
            switch (s) {
            case 400: return "bad_request";
            case 401: return "unauthorized";
            case 403: return "forbidden";
            case 404: return "not_found";
            case 409: return "conflict";
            case 410: return "gone";
            case 429: return "too_many_requests";
            case 500: return "internal_error";
            case 502: return "bad_gateway";
            case 503: return "service_unavailable";
            case 504: return "gateway_timeout";
            default: return "error";
            }
        }

        http_response route(request_ctx& rq) {
            auto parsed = boost::urls::parse_origin_form(rq.req.target);
            if (!parsed) return error(rq, 400, "bad_request", "Malformed request target");
            for (auto s : parsed->segments()) rq.segs.push_back(std::string(s));
            try {
                for (auto p : boost::urls::params_view(parsed->encoded_query(), {})) rq.query.emplace_back(p.key, p.value);
            } catch (std::exception const&) {
                return error(rq, 400, "bad_request", "Malformed query string");
            }
            if (rq.segs.empty() || (rq.segs[0] != "v2" && rq.segs[0] != "v2.1")) return not_found(rq, "Route");
            rq.version = rq.segs[0];
            rq.segs.erase(rq.segs.begin());
            if (rq.segs.size() == 2 && rq.segs[0] == "auth" && rq.segs[1] == "token") {
                if (rq.req.method != http_method::post) return error(rq, 405, "method_not_allowed", "Use POST");
                return mint(rq);
            }
            if (!authorized(rq)) return error(rq, 401, "unauthorized", "Token missing or malformed");
            if (rq.req.method != http_method::get)
                return error(rq, 405, "method_not_allowed", "The fake Sigma API serves GET requests only");
            if (rq.version == "v2.1") {
                // Only the paginated listings exist under v2.1.
                if (rq.segs.size() == 1 && (rq.segs[0] == "members" || rq.segs[0] == "workspaces")) return get(rq);
                return not_found(rq, "Route");
            }
            return get(rq);
        }

        // ---- authentication -------------------------------------------------------
        bool authorized(request_ctx const& rq) {
            std::string_view h = rq.req.header("Authorization");
            if (!h.starts_with("Bearer ")) return false;
            auto it = tokens.find(std::string(h.substr(7)));
            return it != tokens.end() && opts.now() < it->second;
        }

        http_response mint(request_ctx const& rq) {
            params form;
            try {
                boost::urls::encoding_opts eo;
                eo.space_as_plus = true;
                for (auto p : boost::urls::params_view(rq.req.body, eo)) form.emplace_back(p.key, p.value);
            } catch (std::exception const&) {
                return error(rq, 400, "invalid_request", "Malformed form body");
            }
            auto field = [&](std::string_view k) -> std::optional<std::string> {
                for (auto const& [a, b] : form)
                    if (a == k) return b;
                return std::nullopt;
            };
            auto id = field("client_id");
            auto secret = field("client_secret");
            // HTTP Basic with id:secret works too.
            if (std::string_view h = rq.req.header("Authorization"); h.starts_with("Basic ")) {
                if (auto d = detail::base64_decode(h.substr(6)); d && d->find(':') != std::string::npos) {
                    id = d->substr(0, d->find(':'));
                    secret = d->substr(d->find(':') + 1);
                }
            }
            auto grant = field("grant_type");
            if (!grant) return error(rq, 400, "invalid_request", "grant_type is required");
            if (*grant != "client_credentials" && *grant != "refresh_token")
                return error(rq, 400, "unsupported_grant_type", "Unsupported grant type");
            if (!id || !secret || *id != org.clientId || !(sigma::secret(*secret) == sigma::secret(org.clientSecret)))
                return error(rq, 401, "unauthorized", "Invalid client credentials");
            if (*grant == "refresh_token") {
                auto rt = field("refresh_token");
                if (!rt || refresh_tokens.erase(*rt) == 0)
                    return error(rq, 401, "unauthorized", "Invalid or expired refresh token");
            }
            auto now = opts.now();
            if (opts.min_mint_interval.count() > 0 && last_mint && now - *last_mint < opts.min_mint_interval)
                return error(rq, 429, "too_many_requests", "Too many token requests");
            last_mint = now;
            ++minted;
            ++token_counter;
            std::string access = "fake-access-" + std::to_string(token_counter) + "-" +
                                 detail::to_hex(detail::fnv1a(rq.request_id + org.organizationId));
            std::string refresh = "fake-refresh-" + std::to_string(token_counter) + "-" +
                                  detail::to_hex(detail::fnv1a(access));
            tokens[access] = now + opts.token_lifetime;
            refresh_tokens[refresh] = *id;
            // Built by hand: encoding a token_response masks the tokens, by design.
            boost::json::object o;
            o["access_token"] = access;
            o["refresh_token"] = refresh;
            o["token_type"] = "bearer";
            o["expires_in"] = opts.announced_lifetime.value_or(opts.token_lifetime).count();
            return json(rq, o);
        }

        // ---- paging ---------------------------------------------------------------
        struct page_window {
            std::size_t offset = 0;
            std::size_t limit = 50;
        };

        std::string cursor_for(request_ctx const& rq, cursor_style style, std::size_t offset) const {
            if (style == cursor_style::numeric) return std::to_string(offset);
            std::uint32_t check = detail::fnv1a(rq.path + "#" + std::to_string(offset));
            return "pg_" + detail::to_hex(offset * 7919u + 104729u) + "." + detail::to_hex(check);
        }

        std::optional<std::size_t> read_cursor(request_ctx const& rq, cursor_style style, std::string const& c) const {
            auto digits = [](std::string_view s, int base) -> std::optional<std::uint64_t> {
                if (s.empty() || s.size() > 15) return std::nullopt;
                std::uint64_t v = 0;
                for (char ch : s) {
                    int d = (ch >= '0' && ch <= '9') ? ch - '0' : (base == 16 && ch >= 'a' && ch <= 'f') ? ch - 'a' + 10 : -1;
                    if (d < 0) return std::nullopt;
                    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
                }
                return v;
            };
            if (style == cursor_style::numeric) {
                auto v = digits(c, 10);
                if (!v) return std::nullopt;
                return static_cast<std::size_t>(*v);
            }
            if (!c.starts_with("pg_")) return std::nullopt;
            auto dot = c.find('.');
            if (dot == std::string::npos) return std::nullopt;
            auto scrambled = digits(std::string_view(c).substr(3, dot - 3), 16);
            if (!scrambled || *scrambled < 104729u || (*scrambled - 104729u) % 7919u != 0) return std::nullopt;
            std::size_t offset = static_cast<std::size_t>((*scrambled - 104729u) / 7919u);
            if (c.substr(dot + 1) != detail::to_hex(detail::fnv1a(rq.path + "#" + std::to_string(offset))))
                return std::nullopt; // a cursor of another listing
            return offset;
        }

        // Reads limit/page (style A) or pageSize/pageToken (style B); an error answer when they are wrong.
        std::variant<page_window, http_response> window(request_ctx const& rq, cursor_style style,
                                                        std::string_view size_key, std::string_view cursor_key) {
            page_window w;
            w.limit = opts.default_limit;
            if (auto l = rq.param(size_key)) {
                std::size_t v = 0;
                bool ok = !l->empty() && l->size() < 10;
                for (char c : *l) {
                    if (c < '0' || c > '9') ok = false;
                    else v = v * 10 + static_cast<std::size_t>(c - '0');
                }
                if (!ok || v == 0)
                    return error(rq, 400, "bad_request", std::string(size_key) + " must be a positive integer");
                if (v > opts.max_limit)
                    return error(rq, 400, "bad_request",
                                 std::string(size_key) + " must be at most " + std::to_string(opts.max_limit));
                w.limit = v;
            }
            if (auto c = rq.param(cursor_key)) {
                auto off = read_cursor(rq, style, *c);
                if (!off) return error(rq, 400, "bad_request", "Invalid " + std::string(cursor_key));
                w.offset = *off;
            }
            return w;
        }

        // Style A over `all`; `enc(x)` gives an entry's JSON.
        template <class T, class Enc>
        http_response page_a(request_ctx const& rq, std::vector<T const*> const& all, cursor_style style, Enc enc,
                             bool wrong_total = false, bool string_has_more = false) {
            auto w = window(rq, style, "limit", "page");
            if (auto* e = std::get_if<http_response>(&w)) return std::move(*e);
            auto [offset, limit] = std::get<page_window>(w);
            api::page_a<boost::json::value> p;
            for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i) p.entries.push_back(enc(*all[i]));
            bool more = offset + limit < all.size();
            if (more) p.nextPage = cursor_for(rq, style, offset + limit);
            p.total = static_cast<std::int64_t>(wrong_total ? p.entries.size() : all.size());
            if (string_has_more && opts.quirks && more)
                p.hasMore = boost::json::value("true");
            else
                p.hasMore = boost::json::value(more);
            boost::json::value v = sigma::json::encode_value(p);
            if (!p.nextPage) v.as_object()["nextPage"] = nullptr; // sent as null, not left out
            return json(rq, v);
        }

        template <class T, class Enc>
        http_response page_b(request_ctx const& rq, std::vector<T const*> const& all, Enc enc) {
            auto w = window(rq, cursor_style::opaque, "pageSize", "pageToken");
            if (auto* e = std::get_if<http_response>(&w)) return std::move(*e);
            auto [offset, limit] = std::get<page_window>(w);
            api::page_b<boost::json::value> p;
            for (std::size_t i = offset; i < all.size() && i < offset + limit; ++i) p.entries.push_back(enc(*all[i]));
            if (offset + limit < all.size()) p.nextPageToken = cursor_for(rq, cursor_style::opaque, offset + limit);
            return json(rq, sigma::json::encode_value(p));
        }

        template <class T>
        static std::vector<T const*> pointers(std::vector<T> const& v) {
            std::vector<T const*> out;
            out.reserve(v.size());
            for (auto const& x : v) out.push_back(&x);
            return out;
        }

        static boost::json::value plain(auto const& x) { return sigma::json::encode_value(x); }
        struct plain_encoder {
            template <class T>
            boost::json::value operator()(T const& x) const {
                return sigma::json::encode_value(x);
            }
        };
        static plain_encoder plain_enc() { return {}; }

        // ---- encoders with quirks ------------------------------------------------
        boost::json::value workbook_json(api::workbook const& w, bool exclude_tags) const {
            api::workbook copy = w;
            if (exclude_tags) copy.tags.reset();
            boost::json::value v = sigma::json::encode_value(copy);
            if (opts.quirks) v.as_object()["isExploration"] = false; // a key the models do not know
            return v;
        }

        boost::json::value element_json(api::workbook_element const& e) const {
            boost::json::value v = sigma::json::encode_value(e);
            if (opts.quirks && e.type && *e.type == "visualization")
                v.as_object()["layout"] = boost::json::object{{"x", 0}, {"y", 0}, {"w", 12}, {"h", 8}};
            return v;
        }

        // Data-model lineage spells custom SQL `customSql` and data models `dataModel`.
        boost::json::value data_model_lineage_json(api::lineage_entry const& e) const {
            boost::json::value v = sigma::json::encode_value(e);
            if (opts.quirks) {
                auto& o = v.as_object();
                if (std::holds_alternative<api::lineage_custom_sql_entry>(e)) o["type"] = "customSql";
                if (std::holds_alternative<api::lineage_data_model_entry>(e)) o["type"] = "dataModel";
            }
            return v;
        }

        boost::json::value data_model_source_json(api::data_model_source const& s) const {
            boost::json::value v = sigma::json::encode_value(s);
            if (opts.quirks && std::holds_alternative<api::source_custom_sql>(s)) v.as_object()["type"] = "customSql";
            return v;
        }

        // ---- routes ---------------------------------------------------------------
        http_response get(request_ctx const& rq) {
            auto const& s = rq.segs;
            std::size_t n = s.size();
            if (n == 0) return not_found(rq, "Route");
            std::string const& head = s[0];
            if (head == "whoami" && n == 1) return json(rq, plain(api::whoami{org.userId, org.organizationId}));
            if (head == "workbooks") return workbooks(rq);
            if (head == "files") return files(rq);
            if (head == "members") return members(rq);
            if (head == "workspaces") return workspaces(rq);
            if (head == "dataModels") return data_models(rq);
            if (head == "connections") return connections(rq);
            if (head == "tags" && n == 1) return page_a(rq, pointers(org.tags), cursor_style::opaque, plain_enc());
            if (head == "datasets") return datasets(rq);
            return not_found(rq, "Route");
        }


        http_response workbooks(request_ctx const& rq) {
            auto const& s = rq.segs;
            std::size_t n = s.size();
            if (n == 1) {
                bool archived = rq.flag("isArchived");
                bool no_tags = rq.flag("excludeTags");
                std::vector<api::workbook const*> list;
                for (auto const& w : org.workbooks)
                    if (w.workbook.isArchived.value_or(false) == archived) list.push_back(&w.workbook);
                return page_a(rq, list, cursor_style::numeric,
                              [&](api::workbook const& w) { return workbook_json(w, no_tags); });
            }
            auto const* w = at(workbook_index, org.workbooks, s[1]);
            if (w == nullptr) return not_found(rq, "Workbook");
            if (n == 2) return json(rq, workbook_json(w->workbook, false));
            std::string const& what = s[2];
            if (what == "pages" && n == 3) return page_a(rq, pointers(w->pages), cursor_style::opaque, plain_enc());
            if (what == "pages" && n == 5 && s[4] == "elements") {
                bool found = false;
                for (auto const& p : w->pages) found = found || p.pageId == s[3];
                if (!found) return not_found(rq, "Page");
                std::vector<api::workbook_element const*> list;
                for (auto const& e : w->elements)
                    if (e.pageId == s[3]) list.push_back(&e.element);
                return page_a(rq, list, cursor_style::opaque,
                              [&](api::workbook_element const& e) { return element_json(e); });
            }
            if (what == "elements" && n == 3) {
                std::vector<api::workbook_element const*> list;
                for (auto const& e : w->elements) list.push_back(&e.element);
                return page_a(rq, list, cursor_style::opaque,
                              [&](api::workbook_element const& e) { return element_json(e); });
            }
            if (what == "elements" && n == 5) {
                auto const* e = w->find_element(s[3]);
                if (e == nullptr) return not_found(rq, "Element");
                if (s[4] == "query") {
                    if (!e->query) return error(rq, 404, "not_found", "No query found for this element");
                    return json(rq, plain(*e->query));
                }
                if (s[4] == "columns") {
                    std::vector<api::element_column> cols;
                    for (auto const& c : w->columns)
                        if (c.elementId == e->element.elementId)
                            cols.push_back(api::element_column{c.columnId, std::string(c.display_name()), c.formula, c.type});
                    return page_a(rq, pointers(cols), cursor_style::opaque, plain_enc());
                }
                return not_found(rq, "Route");
            }
            if (what == "lineage" && n == 3) {
                if (w->lineage_status != 200) return lineage_refusal(rq, w->lineage_status);
                return page_a(rq, pointers(w->lineage), cursor_style::opaque, plain_enc());
            }
            if (what == "lineage" && n == 5 && s[3] == "elements") {
                auto const* e = w->find_element(s[4]);
                if (e == nullptr) return not_found(rq, "Element");
                if (e->lineage_status != 200) return lineage_refusal(rq, e->lineage_status);
                return json(rq, plain(e->lineage));
            }
            if (what == "queries" && n == 3) {
                std::vector<api::element_query const*> list;
                for (auto const& e : w->elements)
                    if (e.query) list.push_back(&*e.query);
                return page_a(rq, list, cursor_style::opaque, plain_enc());
            }
            if (what == "columns" && n == 3) return page_a(rq, pointers(w->columns), cursor_style::opaque, plain_enc());
            if (what == "sources" && n == 3) {
                boost::json::array a;
                for (auto const& src : w->sources) a.push_back(sigma::json::encode_value(src));
                return json(rq, a);
            }
            if (what == "tags" && n == 3) {
                std::vector<api::workbook_tag> none;
                return page_a(rq, pointers(w->workbook.tags ? *w->workbook.tags : none), cursor_style::opaque,
                              plain_enc());
            }
            return not_found(rq, "Route");
        }

        static http_response lineage_refusal(request_ctx const& rq, unsigned status) {
            switch (status) {
            case 400: return error(rq, 400, "bad_request", "Lineage is not available for this element type");
            case 403: return error(rq, 403, "forbidden", "You do not have access to this lineage");
            case 404: return error(rq, 404, "not_found", "No lineage found");
            case 409: return error(rq, 409, "conflict", "Unable to compute lineage for this element");
            case 500: return error(rq, 500, "internal_error", "lineage metadata not present");
            default: return error(rq, status, status_code_name(status), "Lineage unavailable");
            }
        }

        http_response files(request_ctx const& rq) {
            auto const& s = rq.segs;
            if (s.size() == 2) {
                auto const* f = at(file_index, org.files, s[1]);
                if (f == nullptr) return not_found(rq, "File");
                return json(rq, plain(*f));
            }
            if (s.size() != 1) return not_found(rq, "Route");
            std::vector<std::string> types, perms;
            auto split = [](std::string const& v, std::vector<std::string>& out) {
                std::size_t start = 0;
                for (;;) {
                    auto comma = v.find(',', start);
                    out.push_back(v.substr(start, comma - start));
                    if (comma == std::string::npos) break;
                    start = comma + 1;
                }
            };
            if (auto t = rq.param("typeFilters")) split(*t, types);
            if (auto p = rq.param("permissionFilter")) split(*p, perms);
            auto parent = rq.param("parentId");
            auto spelled = [](auto v) { return sigma::json::encode_value(v).as_string(); };
            std::vector<api::file const*> list;
            for (auto const& f : org.files) {
                if (parent && f.parentId != *parent) {
                    auto const* p = at(file_index, org.files, *parent);
                    if (p == nullptr || f.parentId != p->id) continue;
                }
                if (!types.empty()) {
                    bool ok = false;
                    for (auto const& t : types)
                        ok = ok || spelled(f.type) == t ||
                             (api::is_data_model(f.type) && (t == "data-model" || t == "dataModel"));
                    if (!ok) continue;
                }
                if (!perms.empty()) {
                    bool ok = false;
                    for (auto const& p : perms) ok = ok || spelled(f.permission) == p;
                    if (!ok) continue;
                }
                list.push_back(&f);
            }
            return page_a(rq, list, cursor_style::opaque, plain_enc(), false, /*string hasMore*/ true);
        }

        http_response members(request_ctx const& rq) {
            auto const& s = rq.segs;
            if (s.size() == 2) {
                auto const* m = at(member_index, org.members, s[1]);
                if (m == nullptr) return not_found(rq, "Member");
                return json(rq, plain(*m));
            }
            if (s.size() != 1) return not_found(rq, "Route");
            bool archived = rq.flag("includeArchived"), inactive = rq.flag("includeInactive");
            std::vector<api::member const*> list;
            for (auto const& m : org.members) {
                if (m.isArchived.value_or(false) && !archived) continue;
                if (m.isInactive.value_or(false) && !inactive) continue;
                list.push_back(&m);
            }
            if (rq.version == "v2" && !rq.param("limit") && !rq.param("page")) return bare(rq, list);
            return page_a(rq, list, cursor_style::opaque, plain_enc());
        }

        template <class T>
        static http_response bare(request_ctx const& rq, std::vector<T const*> const& list) {
            boost::json::array a;
            for (auto const* x : list) a.push_back(sigma::json::encode_value(*x));
            return json(rq, a);
        }

        http_response workspaces(request_ctx const& rq) {
            auto const& s = rq.segs;
            if (s.size() == 2) {
                auto const* w = at(workspace_index, org.workspaces, s[1]);
                if (w == nullptr) return not_found(rq, "Workspace");
                if (!w->readable)
                    return error(rq, 403, "forbidden", "You do not have permission to access this workspace");
                return json(rq, plain(w->workspace));
            }
            if (s.size() != 1) return not_found(rq, "Route");
            std::vector<api::workspace const*> list;
            for (auto const& w : org.workspaces)
                if (w.readable) list.push_back(&w.workspace);
            if (rq.version == "v2" && !rq.param("limit") && !rq.param("page")) return bare(rq, list);
            return page_a(rq, list, cursor_style::opaque, plain_enc());
        }

        http_response data_models(request_ctx const& rq) {
            auto const& s = rq.segs;
            std::size_t n = s.size();
            if (n == 1) {
                bool no_tags = rq.flag("excludeTags");
                std::vector<api::data_model const*> list;
                for (auto const& d : org.data_models) list.push_back(&d.data_model);
                return page_a(rq, list, cursor_style::opaque, [&](api::data_model const& d) {
                    if (!no_tags) return sigma::json::encode_value(d);
                    api::data_model copy = d;
                    copy.tags.reset();
                    return sigma::json::encode_value(copy);
                });
            }
            auto const* d = at(data_model_index, org.data_models, s[1]);
            if (d == nullptr) return not_found(rq, "Data model");
            if (n == 2) return json(rq, plain(d->data_model));
            if (n != 3) return not_found(rq, "Route");
            if (s[2] == "elements")
                return page_a(rq, pointers(d->elements), cursor_style::opaque,
                              [&](api::workbook_element const& e) { return element_json(e); });
            if (s[2] == "columns") return page_a(rq, pointers(d->columns), cursor_style::opaque, plain_enc());
            if (s[2] == "lineage") {
                if (d->lineage_status != 200) return lineage_refusal(rq, d->lineage_status);
                return page_a(rq, pointers(d->lineage), cursor_style::opaque,
                              [&](api::lineage_entry const& e) { return data_model_lineage_json(e); });
            }
            if (s[2] == "sources")
                return page_b(rq, pointers(d->sources),
                              [&](api::data_model_source const& x) { return data_model_source_json(x); });
            return not_found(rq, "Route");
        }

        http_response connections(request_ctx const& rq) {
            auto const& s = rq.segs;
            std::size_t n = s.size();
            if (n == 1) {
                bool archived = rq.flag("includeArchived");
                std::vector<api::connection const*> list;
                for (auto const& c : org.connections)
                    if (archived || !c.isArchived.value_or(false)) list.push_back(&c);
                return page_a(rq, list, cursor_style::opaque, plain_enc());
            }
            if (s[1] == "paths") {
                if (n == 2) {
                    auto only = rq.param("connectionId");
                    std::vector<api::connection_path> paths;
                    for (auto const& t : org.tables)
                        if (!only || *only == t.connectionId)
                            paths.push_back(api::connection_path{t.connectionId, t.path, t.urlId});
                    // `total` is the page's size here, as on the real API.
                    return page_a(rq, pointers(paths), cursor_style::opaque, plain_enc(), /*wrong_total=*/true);
                }
                if (n != 3) return not_found(rq, "Route");
                if (auto const* t = org.find_table(s[2]))
                    return json(rq, plain(api::connection_path{t->connectionId, t->path, std::nullopt}));
                if (at(file_index, org.files, s[2]) != nullptr)
                    return error(rq, 400, "bad_request", "The inode is not a table");
                return not_found(rq, "Table");
            }
            if (n != 2) return not_found(rq, "Route");
            auto const* c = at(connection_index, org.connections, s[1]);
            if (c == nullptr) return not_found(rq, "Connection");
            return json(rq, plain(*c));
        }

        // The dataset API was retired: every call answers 404, 409 or 410.
        http_response datasets(request_ctx const& rq) {
            if (rq.segs.size() == 1) return error(rq, 410, "gone", "The dataset API has been retired; use data models");
            auto const* d = org.find_dataset(rq.segs[1]);
            if (d == nullptr) return not_found(rq, "Dataset");
            switch (d->status) {
            case 409: return error(rq, 409, "conflict", "Dataset has been migrated to a data model");
            case 410: return error(rq, 410, "gone", "The dataset API has been retired; use data models");
            default: return not_found(rq, "Dataset");
            }
        }
    };

    std::shared_ptr<state> st_;
};

} // namespace sigma::testing

#endif
// ---- end <sigma/testing/fake_sigma.hpp> ----
// ---- begin <sigma/testing/http_server.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::testing::http_server: a real HTTP/1.1 server on 127.0.0.1 for tests,
// serving any handler, over HTTPS with a certificate made at start-up (trust
// ca_pem()) or plain HTTP. It can add latency, rate-limit with 429s and inject
// faults by rule (dropped connections, truncated or stalled bodies, bad JSON,
// proxy error pages, wrong Content-Length), and counts what it did.
#ifndef SIGMA_TESTING_HTTP_SERVER_HPP
#define SIGMA_TESTING_HTTP_SERVER_HPP

// ---- begin <sigma/testing/detail/cert_authority.hpp> ----
// SPDX-License-Identifier: MIT
// A throw-away certificate authority for loopback TLS tests: an ECDSA P-256 CA
// and a server certificate it signs, made in memory with OpenSSL 3 at start-up
// so that no key or certificate file ever exists on disk.
#ifndef SIGMA_TESTING_DETAIL_CERT_AUTHORITY_HPP
#define SIGMA_TESTING_DETAIL_CERT_AUTHORITY_HPP


#include <boost/asio/ip/address.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sigma::testing::detail {

struct pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct ext_free { void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); } };
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

[[noreturn]] inline void openssl_failure(char const* what) {
    throw std::runtime_error(std::string("sigma::testing certificate authority: ") + what + " failed");
}

inline pkey_ptr make_p256_key() {
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) openssl_failure("EC P-256 key generation");
    return key;
}

inline std::string pem_of(X509* cert) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) openssl_failure("PEM encoding of a certificate");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline std::string pem_of(EVP_PKEY* key) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        openssl_failure("PEM encoding of a private key");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline void add_extension(X509* cert, X509* issuer, int nid, char const* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ext_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) openssl_failure("adding a certificate extension");
}

inline x509_ptr make_certificate(EVP_PKEY* key, std::string const& common_name, X509* issuer) {
    x509_ptr cert(X509_new());
    if (!cert) openssl_failure("X509_new");
    X509_set_version(cert.get(), 2); // v3
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) openssl_failure("serial number generation");
    serial_bytes[0] &= 0x7f; // positive
    BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()))) {
        BN_free(bn);
        openssl_failure("serial number encoding");
    }
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("sigma-cpp tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509* const signer = issuer ? issuer : cert.get();
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    return cert;
}

inline void sign(X509* cert, EVP_PKEY* key) {
    if (X509_sign(cert, key, EVP_sha256()) == 0) openssl_failure("certificate signing");
}

inline bool is_ip_literal(std::string const& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    return !ec;
}

// The CA and one server certificate. `hosts` are the server certificate's
// subjectAltName entries; IP literals become IP entries, the rest DNS entries.
class cert_authority {
public:
    explicit cert_authority(std::vector<std::string> const& hosts = {"127.0.0.1", "localhost"}) {
        if (hosts.empty()) throw std::invalid_argument("sigma::testing::cert_authority: no host names");
        pkey_ptr ca_key = make_p256_key();
        x509_ptr ca = make_certificate(ca_key.get(), "sigma-cpp test CA", nullptr);
        add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
        sign(ca.get(), ca_key.get());

        pkey_ptr key = make_p256_key();
        x509_ptr cert = make_certificate(key.get(), hosts.front(), ca.get());
        std::string san;
        for (auto const& h : hosts) {
            if (!san.empty()) san += ',';
            san += (is_ip_literal(h) ? "IP:" : "DNS:") + h;
        }
        add_extension(cert.get(), ca.get(), NID_subject_alt_name, san.c_str());
        add_extension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
        sign(cert.get(), ca_key.get());

        ca_pem_ = pem_of(ca.get());
        cert_pem_ = pem_of(cert.get());
        key_pem_ = pem_of(key.get());
    }

    // The CA certificate: what a client must trust.
    [[nodiscard]] std::string const& ca_pem() const noexcept { return ca_pem_; }
    // The server's certificate and its private key.
    [[nodiscard]] std::string const& certificate_pem() const noexcept { return cert_pem_; }
    [[nodiscard]] std::string const& private_key_pem() const noexcept { return key_pem_; }

private:
    std::string ca_pem_;
    std::string cert_pem_;
    std::string key_pem_;
};

} // namespace sigma::testing::detail

#endif
// ---- end <sigma/testing/detail/cert_authority.hpp> ----
// ---- begin <sigma/testing/detail/loopback.hpp> ----
// SPDX-License-Identifier: MIT
// What the loopback test servers share: an io_context run by their own
// threads, and a listening socket on 127.0.0.1.
#ifndef SIGMA_TESTING_DETAIL_LOOPBACK_HPP
#define SIGMA_TESTING_DETAIL_LOOPBACK_HPP


#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

namespace sigma::testing::detail {

class loopback_runner {
public:
    explicit loopback_runner(std::uint16_t port)
        : ioc_(std::make_unique<boost::asio::io_context>()), acceptor_(std::in_place, *ioc_) {
        using tcp = boost::asio::ip::tcp;
        tcp::endpoint const ep(boost::asio::ip::make_address_v4("127.0.0.1"), port);
        acceptor_->open(ep.protocol());
        acceptor_->set_option(tcp::acceptor::reuse_address(true));
        acceptor_->bind(ep);
        acceptor_->listen();
        port_ = acceptor_->local_endpoint().port();
    }

    loopback_runner(loopback_runner const&) = delete;
    loopback_runner& operator=(loopback_runner const&) = delete;
    ~loopback_runner() { stop(); }

    boost::asio::io_context& context() { return *ioc_; }
    boost::asio::ip::tcp::acceptor& acceptor() { return *acceptor_; }
    [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

    void start(std::size_t threads) {
        if (threads == 0) threads = 1;
        for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { ioc_->run(); });
    }

    // Stops the threads, then destroys every pending operation (and the
    // coroutine frames and sockets they own) while the owner is still alive.
    void stop() {
        if (!ioc_) return;
        ioc_->stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
        acceptor_.reset();
        ioc_.reset();
    }

private:
    std::unique_ptr<boost::asio::io_context> ioc_;
    std::optional<boost::asio::ip::tcp::acceptor> acceptor_;
    std::vector<std::thread> threads_;
    std::uint16_t port_ = 0;
};

} // namespace sigma::testing::detail

#endif
// ---- end <sigma/testing/detail/loopback.hpp> ----

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::testing {

enum class fault_kind {
    close_before_answer,  // read the request, close the connection without a byte of answer
    close_mid_body,       // chunked answer, half the body, then close
    truncated_body,       // Content-Length larger than the body sent, then close
    malformed_json,       // 200 with the handler's body cut in half (still valid framing)
    html_error_page,      // 502 text/html page, as an intermediate proxy would send
    stall,                // headers and half the body, then silence with the connection open
    wrong_content_length, // Content-Length smaller than the body sent
};

// When a fault fires: on requests whose path (target without the query)
// matches `path`, either on the nth such request or with a probability drawn
// from the server's seeded generator.
struct fault_rule {
    fault_kind kind = fault_kind::close_before_answer;
    std::string path = "*";     // glob ('*' any run, '?' one character), or ECMAScript regex if path_is_regex
    bool path_is_regex = false;
    std::uint64_t nth = 0;      // 1-based; 0: use probability
    double probability = 1.0;
};

// A token bucket: `burst` requests at once, refilled at requests_per_second.
struct rate_limit_options {
    double requests_per_second = 0; // 0: no limit
    double burst = 1;
    double share_without_retry_after = 0; // of the 429s, the share sent without Retry-After (seeded)
};

struct http_server_options {
    bool tls = true;
    std::uint16_t port = 0; // 0: an ephemeral port
    // The subjectAltNames of the server certificate. Name another host to
    // test that clients check the name.
    std::vector<std::string> certificate_hosts = {"127.0.0.1", "localhost"};
    std::chrono::milliseconds latency{0}; // before each answer
    std::chrono::milliseconds jitter{0};  // plus a uniform draw in [0, jitter]
    std::uint64_t seed = 42;
    rate_limit_options rate_limit;
    std::vector<fault_rule> faults;       // the first rule that fires wins
    // After this many requests on one connection, close it after the answer
    // without announcing it (no Connection: close), as servers with an idle
    // timeout do. 0: never.
    std::size_t keep_alive_max = 0;
    std::size_t threads = 1;              // more than one: the handler must be thread-safe
    std::function<std::chrono::steady_clock::time_point()> clock; // for the rate limiter; default steady_clock
};

struct http_server_stats {
    std::uint64_t requests = 0;             // requests read, whatever the answer
    std::uint64_t connections_accepted = 0;
    std::uint64_t rate_limited = 0;         // 429s served
    std::uint64_t faults_injected = 0;
};

namespace detail {

inline bool glob_match(std::string_view pattern, std::string_view text) {
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

inline std::optional<http_method> method_of(boost::beast::http::verb v) {
    using boost::beast::http::verb;
    switch (v) {
    case verb::get: return http_method::get;
    case verb::post: return http_method::post;
    case verb::put: return http_method::put;
    case verb::patch: return http_method::patch;
    case verb::delete_: return http_method::delete_;
    default: return std::nullopt;
    }
}

} // namespace detail

class http_server {
public:
    using handler_type = std::function<http_response(http_request const&)>;

    explicit http_server(handler_type handler, http_server_options options = {})
        : handler_(std::move(handler)), options_(std::move(options)), runner_(options_.port), rng_(options_.seed) {
        if (!handler_) throw std::invalid_argument("sigma::testing::http_server: no handler");
        for (auto const& r : options_.faults) {
            rules_.push_back({r, r.path_is_regex ? std::optional<std::regex>(std::regex(r.path)) : std::nullopt, 0});
        }
        if (!options_.clock) options_.clock = [] { return std::chrono::steady_clock::now(); };
        tokens_ = options_.rate_limit.burst;
        last_refill_ = options_.clock();
        if (options_.tls) {
            ca_.emplace(options_.certificate_hosts);
            tls_.emplace(boost::asio::ssl::context::tls_server);
            SSL_CTX_set_min_proto_version(tls_->native_handle(), TLS1_2_VERSION);
            tls_->use_certificate_chain(boost::asio::buffer(ca_->certificate_pem()));
            tls_->use_private_key(boost::asio::buffer(ca_->private_key_pem()), boost::asio::ssl::context::pem);
        }
        boost::asio::co_spawn(runner_.context(), accept_loop(), boost::asio::detached);
        runner_.start(options_.threads);
    }

    http_server(http_server const&) = delete;
    http_server& operator=(http_server const&) = delete;
    ~http_server() { runner_.stop(); }

    // "https://127.0.0.1:PORT" (or http://): a request origin.
    [[nodiscard]] std::string base_url() const {
        return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(runner_.port());
    }
    [[nodiscard]] std::uint16_t port() const noexcept { return runner_.port(); }
    // The CA that signed the server certificate (empty for plain HTTP).
    [[nodiscard]] std::string ca_pem() const { return ca_ ? ca_->ca_pem() : std::string(); }

    [[nodiscard]] http_server_stats stats() const noexcept {
        return {requests_.load(), connections_.load(), rate_limited_.load(), faults_.load()};
    }

    // Stops serving; pending connections are dropped. The destructor calls it.
    void stop() { runner_.stop(); }

private:
    struct rule_state {
        fault_rule rule;
        std::optional<std::regex> regex;
        std::uint64_t matched;
    };

    boost::asio::awaitable<void> accept_loop() {
        auto& acceptor = runner_.acceptor();
        for (;;) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket sock(boost::asio::make_strand(runner_.context()));
            co_await acceptor.async_accept(sock, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec == boost::asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            ++connections_;
            auto ex = sock.get_executor();
            boost::asio::co_spawn(ex, session(std::move(sock)), boost::asio::detached);
        }
    }

    boost::asio::awaitable<void> session(boost::asio::ip::tcp::socket sock) {
        boost::beast::tcp_stream plain(std::move(sock));
        if (!tls_) {
            co_await serve(plain);
            co_return;
        }
        boost::beast::ssl_stream<boost::beast::tcp_stream> stream(std::move(plain), *tls_);
        boost::system::error_code ec;
        co_await stream.async_handshake(boost::asio::ssl::stream_base::server,
                                        boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        co_await serve(stream);
    }

    std::optional<fault_kind> pick_fault(std::string_view path) {
        std::lock_guard lock(mutex_);
        for (auto& r : rules_) {
            bool const matches = r.regex ? std::regex_match(path.begin(), path.end(), *r.regex)
                                         : detail::glob_match(r.rule.path, path);
            if (!matches) continue;
            ++r.matched;
            bool fire = false;
            if (r.rule.nth != 0) fire = r.matched == r.rule.nth;
            else fire = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < r.rule.probability;
            if (fire) return r.rule.kind;
        }
        return std::nullopt;
    }

    // nullopt: admitted; else whether the 429 carries Retry-After, and its value.
    std::optional<std::optional<long>> rate_limited() {
        auto const& rl = options_.rate_limit;
        if (rl.requests_per_second <= 0) return std::nullopt;
        std::lock_guard lock(mutex_);
        auto const now = options_.clock();
        double const elapsed = std::chrono::duration<double>(now - last_refill_).count();
        last_refill_ = now;
        tokens_ = std::min(rl.burst, tokens_ + std::max(0.0, elapsed) * rl.requests_per_second);
        if (tokens_ >= 1.0) {
            tokens_ -= 1.0;
            return std::nullopt;
        }
        if (std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rl.share_without_retry_after)
            return std::optional<long>();
        return std::optional<long>(static_cast<long>(std::ceil((1.0 - tokens_) / rl.requests_per_second)));
    }

    std::chrono::milliseconds draw_latency() {
        if (options_.jitter.count() <= 0) return options_.latency;
        std::lock_guard lock(mutex_);
        auto const extra = std::uniform_int_distribution<long long>(0, options_.jitter.count())(rng_);
        return options_.latency + std::chrono::milliseconds(extra);
    }

    static std::string head(unsigned status, std::vector<http_header> const& headers, std::string const& framing) {
        namespace http = boost::beast::http;
        std::string h = "HTTP/1.1 " + std::to_string(status) + " " +
                        std::string(http::obsolete_reason(http::int_to_status(status))) + "\r\n";
        bool has_type = false;
        for (auto const& f : headers) {
            if (sigma::detail::iequals(f.name, "Content-Length") || sigma::detail::iequals(f.name, "Transfer-Encoding") ||
                sigma::detail::iequals(f.name, "Connection"))
                continue;
            has_type = has_type || sigma::detail::iequals(f.name, "Content-Type");
            h += f.name + ": " + f.value + "\r\n";
        }
        if (!has_type) h += "Content-Type: application/json\r\n";
        return h + framing + "\r\n";
    }

    template <class Stream>
    static void drop(Stream& s) {
        boost::system::error_code ec;
        auto& sock = boost::beast::get_lowest_layer(s).socket();
        sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        sock.close(ec);
    }

    template <class Stream>
    static boost::asio::awaitable<bool> put(Stream& s, std::string const& data) {
        boost::system::error_code ec;
        co_await boost::asio::async_write(s, boost::asio::buffer(data), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        co_return !ec;
    }

    template <class Stream>
    boost::asio::awaitable<void> serve(Stream& s) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (std::size_t served = 1;; ++served) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(std::uint64_t{256} << 20);
            boost::system::error_code ec;
            co_await http::async_read(s, buffer, parser, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) co_return;
            ++requests_;
            auto& req = parser.get();
            bool close = !req.keep_alive();
            bool const silent_close = options_.keep_alive_max != 0 && served >= options_.keep_alive_max;

            if (auto delay = draw_latency(); delay.count() > 0) {
                boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor, delay);
                co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }

            auto const method = detail::method_of(req.method());
            std::string const target(req.target());
            std::string_view const path = std::string_view(target).substr(0, target.find('?'));
            std::optional<fault_kind> fault;
            http_response res;
            if (auto limited = rate_limited()) {
                ++rate_limited_;
                res.status = 429;
                if (*limited) res.headers.push_back({"Retry-After", std::to_string(**limited)});
                res.body = R"({"code":"too_many_requests","message":"Rate limit exceeded"})";
            } else if (!method) {
                res.status = 405;
                res.body = R"({"code":"method_not_allowed","message":"Method not allowed"})";
            } else {
                fault = pick_fault(path);
                if (fault) ++faults_;
                if (fault == fault_kind::close_before_answer) {
                    drop(s);
                    co_return;
                }
                if (fault == fault_kind::html_error_page) {
                    res.status = 502;
                    res.headers.push_back({"Content-Type", "text/html"});
                    res.body = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
                               "<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
                } else {
                    http_request in;
                    in.method = *method;
                    in.origin = base_url();
                    in.target = target;
                    for (auto const& f : req) in.headers.push_back({std::string(f.name_string()), std::string(f.value())});
                    in.body = std::move(req.body());
                    bool drop = false;
                    try {
                        res = handler_(in);
                    } catch (sigma::error const& e) {
                        // A handler's transport failure (fake_sigma's scripted
                        // fault): drop the connection without an answer.
                        drop = e.code() == errc::transport || e.code() == errc::timeout;
                        res = http_response{500, {}, std::string(R"({"code":"internal","message":"handler threw"})")};
                    } catch (...) {
                        res = http_response{500, {}, std::string(R"({"code":"internal","message":"handler threw"})")};
                    }
                    if (drop) co_return;
                }
            }

            std::string body = std::move(res.body);
            if (fault && body.size() < 2 &&
                (*fault == fault_kind::close_mid_body || *fault == fault_kind::truncated_body ||
                 *fault == fault_kind::malformed_json || *fault == fault_kind::stall ||
                 *fault == fault_kind::wrong_content_length))
                body = R"({"entries":[{"id":"a"},{"id":"b"}],"hasMore":false})";
            std::size_t const half = body.size() / 2;
            if (fault == fault_kind::close_mid_body) {
                char size_hex[32];
                std::snprintf(size_hex, sizeof size_hex, "%zx", half);
                (void)co_await put(s, head(res.status, res.headers, "Transfer-Encoding: chunked\r\n") + size_hex + "\r\n" +
                                          body.substr(0, half) + "\r\n");
                drop(s);
                co_return;
            }
            if (fault == fault_kind::truncated_body) {
                (void)co_await put(s, head(res.status, res.headers, "Content-Length: " + std::to_string(body.size() + 100) + "\r\n") + body);
                drop(s);
                co_return;
            }
            if (fault == fault_kind::stall) {
                if (!co_await put(s, head(res.status, res.headers, "Content-Length: " + std::to_string(body.size()) + "\r\n") +
                                         body.substr(0, half)))
                    co_return;
                // Silence: wait until the client gives up and closes.
                char sink[512];
                for (;;) {
                    co_await s.async_read_some(boost::asio::buffer(sink), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                    if (ec) co_return;
                }
            }
            if (fault == fault_kind::malformed_json) body.resize(half);
            std::size_t const announced = fault == fault_kind::wrong_content_length ? half : body.size();
            std::string framing = "Content-Length: " + std::to_string(announced) + "\r\n";
            if (close) framing += "Connection: close\r\n";
            if (!co_await put(s, head(res.status, res.headers, framing) + body)) co_return;
            if (close || silent_close) {
                drop(s);
                co_return;
            }
        }
    }

    handler_type handler_;
    http_server_options options_;
    std::optional<detail::cert_authority> ca_;
    std::optional<boost::asio::ssl::context> tls_;
    std::vector<rule_state> rules_;
    std::mutex mutex_; // rules_, rng_, token bucket
    detail::loopback_runner runner_;
    std::mt19937_64 rng_;
    double tokens_ = 0;
    std::chrono::steady_clock::time_point last_refill_;
    std::atomic<std::uint64_t> requests_{0}, connections_{0}, rate_limited_{0}, faults_{0};
};

} // namespace sigma::testing

#endif
// ---- end <sigma/testing/http_server.hpp> ----
// ---- begin <sigma/testing/connect_proxy.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::testing::connect_proxy: a tiny HTTP CONNECT proxy on 127.0.0.1 for
// tests. It opens tunnels (optionally demanding a Proxy-Authorization value,
// optionally mapping the requested authority to another one so tests can name
// hosts that have no DNS entry), relays bytes both ways, and counts tunnels.
#ifndef SIGMA_TESTING_CONNECT_PROXY_HPP
#define SIGMA_TESTING_CONNECT_PROXY_HPP


#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace sigma::testing {

struct connect_proxy_options {
    std::uint16_t port = 0;             // 0: an ephemeral port
    std::string required_authorization; // the exact Proxy-Authorization value wanted; empty: none
    // Requested authority ("api.example.test:443") -> where to connect ("127.0.0.1:8443").
    std::map<std::string, std::string> remap;
};

struct connect_proxy_stats {
    std::uint64_t connections_accepted = 0;
    std::uint64_t tunnels = 0; // CONNECTs answered 200
    std::uint64_t refused = 0; // answered 4xx/5xx
};

class connect_proxy {
public:
    explicit connect_proxy(connect_proxy_options options = {}) : options_(std::move(options)), runner_(options_.port) {
        boost::asio::co_spawn(runner_.context(), accept_loop(), boost::asio::detached);
        runner_.start(1);
    }
    connect_proxy(connect_proxy const&) = delete;
    connect_proxy& operator=(connect_proxy const&) = delete;
    ~connect_proxy() { runner_.stop(); }

    // "http://127.0.0.1:PORT": what https_proxy or beast_transport_options::proxy takes.
    [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(runner_.port()); }
    [[nodiscard]] std::uint16_t port() const noexcept { return runner_.port(); }
    [[nodiscard]] connect_proxy_stats stats() const noexcept { return {accepted_.load(), tunnels_.load(), refused_.load()}; }
    // The authorities clients asked tunnels to, in order.
    [[nodiscard]] std::vector<std::string> targets() const {
        std::lock_guard lock(mutex_);
        return targets_;
    }

private:
    using tcp = boost::asio::ip::tcp;

    boost::asio::awaitable<void> accept_loop() {
        auto& acceptor = runner_.acceptor();
        for (;;) {
            boost::system::error_code ec;
            tcp::socket sock(boost::asio::make_strand(runner_.context()));
            co_await acceptor.async_accept(sock, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec == boost::asio::error::operation_aborted || !acceptor.is_open()) co_return;
            if (ec) continue;
            ++accepted_;
            auto ex = sock.get_executor();
            boost::asio::co_spawn(ex, session(std::move(sock)), boost::asio::detached);
        }
    }

    static boost::asio::awaitable<void> answer(tcp::socket& s, std::string const& text) {
        boost::system::error_code ec;
        co_await boost::asio::async_write(s, boost::asio::buffer(text), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        s.shutdown(tcp::socket::shutdown_both, ec);
        s.close(ec);
    }

    static boost::asio::awaitable<void> relay(tcp::socket& from, tcp::socket& to) {
        char buf[16384];
        boost::system::error_code ec;
        for (;;) {
            std::size_t const n =
                co_await from.async_read_some(boost::asio::buffer(buf), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) break;
            co_await boost::asio::async_write(to, boost::asio::buffer(buf, n), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) break;
        }
        to.shutdown(tcp::socket::shutdown_send, ec);
    }

    boost::asio::awaitable<void> session(tcp::socket client) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        http::request_parser<http::empty_body> parser;
        boost::system::error_code ec;
        co_await http::async_read_header(client, buffer, parser, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        auto const& req = parser.get();
        if (req.method() != http::verb::connect) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        if (!options_.required_authorization.empty() &&
            req[http::field::proxy_authorization] != options_.required_authorization) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test\"\r\n"
                                    "Content-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        std::string const asked(req.target());
        {
            std::lock_guard lock(mutex_);
            targets_.push_back(asked);
        }
        std::string authority = asked;
        if (auto it = options_.remap.find(asked); it != options_.remap.end()) authority = it->second;
        auto const colon = authority.rfind(':');
        tcp::socket upstream(client.get_executor());
        if (colon != std::string::npos) {
            tcp::resolver resolver(client.get_executor());
            std::string host = authority.substr(0, colon);
            if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
            auto eps = co_await resolver.async_resolve(host, authority.substr(colon + 1),
                                                       boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (!ec) co_await boost::asio::async_connect(upstream, eps, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        if (colon == std::string::npos || ec) {
            ++refused_;
            co_await answer(client, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            co_return;
        }
        std::string const ok = "HTTP/1.1 200 Connection Established\r\n\r\n";
        co_await boost::asio::async_write(client, boost::asio::buffer(ok), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        if (ec) co_return;
        ++tunnels_;
        if (buffer.size() != 0) {
            co_await boost::asio::async_write(upstream, buffer.data(), boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            if (ec) co_return;
        }
        using namespace boost::asio::experimental::awaitable_operators;
        co_await (relay(client, upstream) && relay(upstream, client));
    }

    connect_proxy_options options_;
    mutable std::mutex mutex_;
    std::vector<std::string> targets_;
    detail::loopback_runner runner_;
    std::atomic<std::uint64_t> accepted_{0}, tunnels_{0}, refused_{0};
};

} // namespace sigma::testing

#endif
// ---- end <sigma/testing/connect_proxy.hpp> ----
// ---- begin <sigma/testing/fake_openmetadata.hpp> ----
// SPDX-License-Identifier: MIT
// sigma::testing::fake_openmetadata: the part of OpenMetadata's REST API that
// a dashboard connector writes to, in memory, as a handler (request in,
// response out) for memory_transport or the loopback http_server:
//
//   PUT  /api/v1/services/dashboardServices, /classifications, /tags, /charts,
//        /dashboard/datamodels, /dashboards   create or update by FQN, answer
//                                             the entity with `id` (a UUID) and
//                                             `fullyQualifiedName` (201 new, 200 updated)
//   PUT  /api/v1/lineage                      store the edge; both ends must be
//                                             ids of that type (404 otherwise)
//   GET  /api/v1/{tables,charts,dashboards,dashboard/datamodels,users}/name/{fqn}
//   GET  /api/v1/search/query?q=email.keyword:<email>&index=user_search_index
//   GET  /api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=<fqn with *>&index=table_search_index
//
// It checks what OpenMetadata checks for these bodies: `Authorization:
// Bearer <jwt>` (401), the service, tags, charts and data models a body names
// exist (404), every owner is an EntityReference with a known id (400 / 404).
// Errors are OpenMetadata's {"code": <status>, "message": "..."}. Users and
// tables are the server's, so tests seed them. Scripted failures answer a
// status for the nth request on a path. Copies share one state; the handler
// is thread-safe.
#ifndef SIGMA_TESTING_FAKE_OPENMETADATA_HPP
#define SIGMA_TESTING_FAKE_OPENMETADATA_HPP


#include <boost/asio/any_io_executor.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::testing {

// A status to answer instead of serving: on the nth request (1-based) whose
// path equals `path` (or, ending in '*', starts with what precedes it), and
// the `count` - 1 matching requests after it.
struct openmetadata_fault {
    std::string path;
    unsigned status = 503;
    std::size_t nth = 1;
    std::size_t count = 1;
    std::optional<http_method> method;
    std::optional<std::string> retry_after;
    std::string message = "Scripted failure";
};

// One lineage edge as stored.
struct openmetadata_edge {
    std::string fromType, fromId, toType, toId;
    boost::json::value lineageDetails; // null when absent
};

class fake_openmetadata {
public:
    // `jwt`: the token accepted in `Authorization: Bearer`.
    explicit fake_openmetadata(std::string jwt) : st_(std::make_shared<state>()) { st_->jwt = std::move(jwt); }

    http_response operator()(http_request const& req) const {
        std::lock_guard lock(st_->m);
        return st_->serve(req);
    }

    // A memory_transport answered by this fake (state shared).
    memory_transport transport(boost::asio::any_io_executor ex) const {
        auto st = st_;
        return memory_transport(std::move(ex), [st](http_request const& r) -> result<http_response> {
            std::lock_guard lock(st->m);
            return st->serve(r);
        });
    }

    // ---- seeding ----------------------------------------------------------------

    // A user (found by email and by name); returns its id.
    std::string add_user(std::string const& name, std::string const& email) {
        std::lock_guard lock(st_->m);
        boost::json::object u;
        u["name"] = name;
        u["email"] = email;
        return st_->store("user", name, std::move(u)).first;
    }
    // A table with that FQN (service.database.schema.table); returns its id.
    std::string add_table(std::string const& fqn) {
        std::lock_guard lock(st_->m);
        auto parts = openmetadata::split_fqn(fqn);
        boost::json::object t;
        t["name"] = parts.empty() ? fqn : parts.back();
        return st_->store("table", fqn, std::move(t)).first;
    }

    void script(openmetadata_fault f) {
        std::lock_guard lock(st_->m);
        st_->faults.push_back({std::move(f), 0});
    }

    // ---- what the server holds ---------------------------------------------------

    // The stored entity of that type ("chart", "dashboard", "dashboardDataModel",
    // "dashboardService", "classification", "tag", "table", "user") and FQN.
    [[nodiscard]] std::optional<boost::json::object> entity(std::string const& type, std::string const& fqn) const {
        std::lock_guard lock(st_->m);
        auto it = st_->by_fqn.find(state::key(type, fqn));
        if (it == st_->by_fqn.end()) return std::nullopt;
        return st_->entities.at(it->second);
    }
    // Every stored entity of a type.
    [[nodiscard]] std::vector<boost::json::object> entities(std::string const& type) const {
        std::lock_guard lock(st_->m);
        std::vector<boost::json::object> out;
        for (auto const& [id, e] : st_->entities)
            if (e.at("entityType").as_string() == type) out.push_back(e);
        return out;
    }
    [[nodiscard]] std::vector<openmetadata_edge> edges() const {
        std::lock_guard lock(st_->m);
        std::vector<openmetadata_edge> out;
        for (auto const& [k, e] : st_->edges) out.push_back(e);
        return out;
    }
    // The FQN of an id, or empty.
    [[nodiscard]] std::string fqn_of(std::string const& id) const {
        std::lock_guard lock(st_->m);
        auto it = st_->entities.find(id);
        return it == st_->entities.end() ? std::string() : std::string(it->second.at("fullyQualifiedName").as_string());
    }
    // "METHOD target -> status" of every request, in order.
    [[nodiscard]] std::vector<std::string> log() const {
        std::lock_guard lock(st_->m);
        return st_->log;
    }
    // Every Authorization header value received (to check what was sent).
    [[nodiscard]] std::vector<std::string> authorizations() const {
        std::lock_guard lock(st_->m);
        return st_->auths;
    }

private:
    struct scripted {
        openmetadata_fault f;
        std::size_t seen;
    };

    struct state {
        std::mutex m;
        std::string jwt;
        std::map<std::string, boost::json::object> entities; // id -> entity (with entityType)
        std::map<std::string, std::string> by_fqn;           // "type\nfqn" -> id
        std::map<std::string, openmetadata_edge> edges;      // "from\nto" -> edge
        std::vector<scripted> faults;
        std::vector<std::string> log;
        std::vector<std::string> auths;
        std::uint64_t counter = 0;

        static std::string key(std::string_view type, std::string_view fqn) {
            return std::string(type) + "\n" + std::string(fqn);
        }

        std::string next_uuid() {
            // Deterministic UUID-shaped ids (version 4 layout).
            static constexpr char hex[] = "0123456789abcdef";
            std::uint64_t v = 0x5ca1ab1e00000000ull + ++counter;
            std::string s = "00000000-0000-4000-8000-000000000000";
            for (std::size_t i = s.size(); i-- > 0 && v != 0;) {
                if (s[i] == '-') continue;
                s[i] = hex[v & 15];
                v >>= 4;
            }
            return s;
        }

        // Creates or updates; returns the id and whether it was new.
        std::pair<std::string, bool> store(std::string const& type, std::string const& fqn, boost::json::object body) {
            auto [it, fresh] = by_fqn.try_emplace(key(type, fqn));
            if (fresh) it->second = next_uuid();
            auto const& id = it->second;
            double version = 0.1;
            if (!fresh) version = entities[id].at("version").as_double() + 0.1;
            body["id"] = id;
            body["fullyQualifiedName"] = fqn;
            body["entityType"] = type;
            body["version"] = version;
            entities[id] = std::move(body);
            return {id, fresh};
        }

        std::optional<std::string> id_of(std::string const& type, std::string const& fqn) const {
            auto it = by_fqn.find(key(type, fqn));
            if (it == by_fqn.end()) return std::nullopt;
            return it->second;
        }

        static http_response json(unsigned status, boost::json::value const& v) {
            return json_response(status, boost::json::serialize(v));
        }
        static http_response fail(unsigned status, std::string const& message) {
            boost::json::object o;
            o["code"] = status;
            o["message"] = message;
            return json(status, o);
        }

        http_response serve(http_request const& req) {
            http_response r = route(req);
            log.push_back(std::string(to_string(req.method)) + " " + req.target + " -> " + std::to_string(r.status));
            return r;
        }

        static bool path_matches(std::string const& pattern, std::string_view path) {
            if (!pattern.empty() && pattern.back() == '*')
                return path.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1);
            return pattern == path;
        }

        http_response route(http_request const& req) {
            auto url = boost::urls::parse_origin_form(req.target);
            if (!url) return fail(400, "Malformed request target");
            std::vector<std::string> segs;
            for (auto s : url->segments()) segs.push_back(std::string(s));
            std::string const path(url->encoded_path());

            auths.push_back(std::string(req.header("Authorization")));
            if (req.header("Authorization") != "Bearer " + jwt)
                return fail(401, "Not Authorized! Token verification failed");

            for (auto& s : faults) {
                if (s.f.method && *s.f.method != req.method) continue;
                if (!path_matches(s.f.path, path)) continue;
                ++s.seen;
                if (s.seen >= s.f.nth && (s.f.count == 0 || s.seen < s.f.nth + s.f.count)) {
                    auto r = fail(s.f.status, s.f.message);
                    if (s.f.retry_after) r.headers.push_back({"Retry-After", *s.f.retry_after});
                    return r;
                }
            }

            if (segs.size() < 3 || segs[0] != "api" || segs[1] != "v1") return fail(404, "Unknown path " + path);
            std::vector<std::string> rest(segs.begin() + 2, segs.end());

            if (req.method == http_method::get) return get(rest, *url);
            if (req.method == http_method::delete_) return remove(rest, *url);
            if (req.method != http_method::put) return fail(405, "Method not allowed");

            boost::system::error_code ec;
            auto body = boost::json::parse(req.body, ec);
            if (ec || !body.is_object()) return fail(400, "Unable to process JSON: the body is not a JSON object");
            auto& o = body.get_object();
            std::string const joined = [&] {
                std::string j;
                for (auto const& s : rest) j += (j.empty() ? "" : "/") + s;
                return j;
            }();
            if (joined == "lineage") return put_lineage(o);

            auto const* name_v = o.if_contains("name");
            if (name_v == nullptr || !name_v->is_string() || name_v->get_string().empty())
                return fail(400, "[query param name must not be null]");
            std::string const name(name_v->get_string());
            std::string type, fqn;
            if (joined == "services/dashboardServices") {
                type = "dashboardService";
                fqn = openmetadata::build_fqn({name});
            } else if (joined == "classifications") {
                type = "classification";
                fqn = openmetadata::build_fqn({name});
            } else if (joined == "tags") {
                type = "tag";
                std::string cls = string_at(o, "classification");
                if (!id_of("classification", cls)) return fail(404, "classification instance for " + cls + " not found");
                fqn = openmetadata::build_fqn({cls, name});
            } else if (joined == "charts" || joined == "dashboards" || joined == "dashboard/datamodels") {
                type = joined == "charts" ? "chart" : joined == "dashboards" ? "dashboard" : "dashboardDataModel";
                std::string svc = string_at(o, "service");
                if (!id_of("dashboardService", svc)) return fail(404, "dashboardService instance for " + svc + " not found");
                fqn = type == "dashboardDataModel" ? openmetadata::data_model_fqn(svc, name)
                                                   : openmetadata::build_fqn({svc, name});
                if (auto problem = check_refs(o)) return *problem;
            } else {
                return fail(404, "Unknown path " + path);
            }
            auto [id, fresh] = store(type, fqn, o);
            return json(fresh ? 201 : 200, entities[id]);
        }

        static std::string string_at(boost::json::object const& o, std::string_view k) {
            auto const* v = o.if_contains(k);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        }

        // owners, tags, charts, dataModels must name what exists.
        std::optional<http_response> check_refs(boost::json::object const& o) const {
            if (auto const* owners = o.if_contains("owners")) {
                if (!owners->is_array()) return fail(400, "owners must be an array");
                for (std::size_t i = 0; i < owners->get_array().size(); ++i) {
                    auto const* ref = owners->get_array()[i].if_object();
                    std::string const at = "owners[" + std::to_string(i) + "]";
                    if (ref == nullptr) return fail(400, at + " must be an object");
                    for (auto const& kv : *ref)
                        if (kv.key() != "id" && kv.key() != "type" && kv.key() != "name" &&
                            kv.key() != "fullyQualifiedName" && kv.key() != "displayName")
                            return fail(400, "Unrecognized field \"" + std::string(kv.key()) + "\" in " + at);
                    std::string id = string_at(*ref, "id");
                    if (id.empty()) return fail(400, at + ".id must not be null");
                    auto it = entities.find(id);
                    if (it == entities.end() || it->second.at("entityType").as_string() != string_at(*ref, "type"))
                        return fail(404, string_at(*ref, "type") + " instance for " + id + " not found");
                }
            }
            auto names = [&](std::string_view k, std::string const& type) -> std::optional<http_response> {
                auto const* a = o.if_contains(k);
                if (a == nullptr) return std::nullopt;
                if (!a->is_array()) return fail(400, std::string(k) + " must be an array");
                for (auto const& v : a->get_array()) {
                    std::string fqn = v.is_string() ? std::string(v.get_string())
                                      : v.is_object() ? string_at(v.get_object(), "tagFQN")
                                                      : std::string();
                    if (!id_of(type, fqn)) return fail(404, type + " instance for " + fqn + " not found");
                }
                return std::nullopt;
            };
            if (auto p = names("tags", "tag")) return p;
            if (auto p = names("charts", "chart")) return p;
            if (auto p = names("dataModels", "dashboardDataModel")) return p;
            return std::nullopt;
        }

        http_response put_lineage(boost::json::object const& o) {
            auto const* edge = o.if_contains("edge");
            if (edge == nullptr || !edge->is_object()) return fail(400, "edge must not be null");
            auto const& e = edge->get_object();
            openmetadata_edge out;
            for (auto end : {"fromEntity", "toEntity"}) {
                auto const* ref = e.if_contains(end);
                if (ref == nullptr || !ref->is_object()) return fail(400, std::string("edge.") + end + " must not be null");
                std::string id = string_at(ref->get_object(), "id");
                std::string type = string_at(ref->get_object(), "type");
                if (id.empty()) return fail(400, std::string("edge.") + end + ".id must not be null");
                auto it = entities.find(id);
                if (it == entities.end() || it->second.at("entityType").as_string() != type)
                    return fail(404, type + " instance for " + id + " not found");
                (std::string_view(end) == "fromEntity" ? out.fromId : out.toId) = id;
                (std::string_view(end) == "fromEntity" ? out.fromType : out.toType) = type;
            }
            if (auto const* d = e.if_contains("lineageDetails")) out.lineageDetails = *d;
            edges[out.fromId + "\n" + out.toId] = std::move(out);
            return json_response(200, "");
        }

        static bool fqn_glob(std::string_view pat, std::string_view s) {
            if (pat.empty()) return s.empty();
            if (pat.front() == '*') {
                for (std::size_t i = 0; i <= s.size(); ++i)
                    if (fqn_glob(pat.substr(1), s.substr(i))) return true;
                return false;
            }
            return !s.empty() && pat.front() == s.front() && fqn_glob(pat.substr(1), s.substr(1));
        }

        static std::string param(boost::urls::url_view const& u, std::string_view k) {
            for (auto const& p : u.params())
                if (p.key == k) return std::string(p.value);
            return {};
        }

        static boost::json::object hits(std::vector<boost::json::object> const& found) {
            boost::json::array a;
            for (auto const& e : found) {
                boost::json::object h;
                h["_index"] = "index";
                h["_id"] = e.at("id");
                h["_source"] = e;
                a.push_back(std::move(h));
            }
            boost::json::object total;
            total["value"] = found.size();
            total["relation"] = "eq";
            boost::json::object inner;
            inner["total"] = std::move(total);
            inner["hits"] = std::move(a);
            boost::json::object out;
            out["hits"] = std::move(inner);
            return out;
        }

        http_response get(std::vector<std::string> const& rest, boost::urls::url_view const& u) {
            // .../name/{fqn}
            static constexpr std::pair<std::string_view, std::string_view> by_name[] = {
                {"tables", "table"}, {"charts", "chart"}, {"dashboards", "dashboard"}, {"users", "user"}};
            for (auto const& [coll, type] : by_name)
                if (rest.size() == 3 && rest[0] == coll && rest[1] == "name") return named(std::string(type), rest[2]);
            if (rest.size() == 4 && rest[0] == "dashboard" && rest[1] == "datamodels" && rest[2] == "name")
                return named("dashboardDataModel", rest[3]);
            if (rest.size() == 2 && rest[0] == "search" && rest[1] == "query") {
                if (param(u, "index") != "user_search_index") return fail(400, "this fake searches users only");
                std::string q = param(u, "q");
                std::string_view const prefix = "email.keyword:";
                if (q.rfind(prefix, 0) != 0) return fail(400, "this fake answers q=email.keyword:<email> only");
                std::string email;
                for (std::size_t i = prefix.size(); i < q.size(); ++i) {
                    if (q[i] == '\\' && i + 1 < q.size()) ++i;
                    email += q[i];
                }
                std::vector<boost::json::object> found;
                for (auto const& [id, e] : entities)
                    if (e.at("entityType").as_string() == "user" && string_at(e, "email") == email) found.push_back(e);
                return json(200, hits(found));
            }
            if (rest.size() == 2 && rest[0] == "search" && rest[1] == "fieldQuery") {
                if (param(u, "index") != "table_search_index" || param(u, "fieldName") != "fullyQualifiedName")
                    return fail(400, "this fake searches tables by fullyQualifiedName only");
                std::string pattern = param(u, "fieldValue");
                std::vector<boost::json::object> found;
                for (auto const& [id, e] : entities)
                    if (e.at("entityType").as_string() == "table" &&
                        fqn_glob(pattern, std::string_view(e.at("fullyQualifiedName").as_string())))
                        found.push_back(e);
                return json(200, hits(found));
            }
            return fail(404, "Unknown path");
        }

        // DELETE .../name/{fqn}?hardDelete=false: a soft delete marks the
        // entity `deleted` (as OpenMetadata does); hardDelete=true removes it.
        http_response remove(std::vector<std::string> const& rest, boost::urls::url_view const& u) {
            std::string type, fqn;
            if (rest.size() == 3 && rest[1] == "name" && (rest[0] == "charts" || rest[0] == "dashboards")) {
                type = rest[0] == "charts" ? "chart" : "dashboard";
                fqn = rest[2];
            } else if (rest.size() == 4 && rest[0] == "dashboard" && rest[1] == "datamodels" && rest[2] == "name") {
                type = "dashboardDataModel";
                fqn = rest[3];
            } else {
                return fail(405, "Method not allowed");
            }
            auto id = id_of(type, fqn);
            if (!id) return fail(404, type + " instance for " + fqn + " not found");
            if (param(u, "hardDelete") == "true") {
                auto e = entities[*id];
                by_fqn.erase(key(type, fqn));
                entities.erase(*id);
                return json(200, e);
            }
            entities[*id]["deleted"] = true;
            return json(200, entities[*id]);
        }

        http_response named(std::string const& type, std::string const& fqn) {
            auto id = id_of(type, fqn);
            if (!id) return fail(404, type + " instance for " + fqn + " not found");
            return json(200, entities[*id]);
        }
    };

    std::shared_ptr<state> st_;
};

} // namespace sigma::testing

#endif
// ---- end <sigma/testing/fake_openmetadata.hpp> ----

#endif
// ---- end <sigma/testing.hpp> ----
