// SPDX-License-Identifier: MIT
// sigma::anonymise_snapshot: a snapshot (snapshot.hpp) a user can attach to a
// bug report. Names, emails, URLs, SQL, formulas' literals and any other text
// in the recorded bodies become stable pseudonyms; ids, enums, timestamps,
// cursors, numbers, booleans, nulls, keys and the shape of every answer stay,
// so the anonymised snapshot still replays (sigma::replay_transport) to an
// extraction with the same workbooks, pages, elements, data models and
// lineage.
//
// Deny by default: a string is kept only under a key known to hold an id, a
// type or enum, a timestamp, a version or a cursor (see detail::anonymise_key),
// or when it is "", "true" or "false". Every other string, under any key this
// library does not know, is replaced:
//
//     names (name, label, columns, warehouse paths, ...)   name-<hex>    (case-insensitive: "Orders" = "orders")
//     folder paths                                          each component as a name: name-<hex>/name-<hex>
//     emails                                                user-<hex>@example.invalid
//     URLs                                                  https://example.invalid/<hex>
//     SQL (sql, definition)                                 SELECT * FROM t_<hex>
//     formulas                                              [Source/Column] references as names, string
//                                                           literals as text, the rest (functions, operators) kept
//     warehouse column ids inode-<urlId>/<COLUMN>           the column as a name
//     anything else                                         text-<hex>
//
// One name map serves the whole snapshot, so whatever the connector matches
// by name (a formula's `[Source/Column]` against lineage node names, a
// workbook's path against its workspace, a table's /files path) still
// matches. Bodies that are not JSON (a proxy's HTML page) are replaced by a
// short non-JSON placeholder; transport error messages by a pseudonym; the
// header's hostPort, clientId and serviceName too. Request targets are kept:
// the API's path parameters are ids and its query parameters ids, flags,
// type filters, page sizes and cursors, never names.
//
// Pseudonyms come from a fixed 64-bit hash (FNV-1a, then a mixing step), the
// same on every platform, so anonymising one snapshot twice gives identical
// files. Without a salt, anyone can confirm a guess ("is name-… Finance?") by
// hashing it; give anonymise_options::salt, kept private, to prevent that.
#ifndef SIGMA_TRANSPORT_ANONYMISE_HPP
#define SIGMA_TRANSPORT_ANONYMISE_HPP

#include <sigma/detail/formula.hpp>
#include <sigma/transport/recording.hpp>
#include <sigma/transport/snapshot.hpp>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

struct anonymise_options {
    // Mixed into every pseudonym; the same salt gives the same output.
    std::string salt;
};

namespace detail {

// FNV-1a over the bytes, then splitmix64's finaliser so that similar inputs
// ("Page 1", "Page 2") share no prefix. Fixed-width arithmetic only: the same
// value everywhere (std::hash is not).
inline std::uint64_t stable_hash(std::string_view s) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ull;
    for (char c : s) {
        h ^= static_cast<unsigned char>(c);
        h *= 0x100000001b3ull;
    }
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return h;
}

enum class anonymise_as { keep, name, path, email, url, sql, formula, column_id, text };

// What a string under `key` is. Unknown keys are text: replaced.
inline anonymise_as anonymise_key(std::string_view key) noexcept {
    static constexpr std::string_view keep[] = {
        // ids
        "id", "urlId", "organizationId", "userId", "memberId", "workbookId", "workbookUrlId", "dataModelId",
        "dataModelUrlId", "elementId", "elementIds", "pageId", "connectionId", "workspaceId", "workspaceUrlId",
        "parentId", "parentUrlId", "parentSourceUrlId", "ownerId", "createdBy", "updatedBy", "homeFolderId",
        "versionTagId", "taggedWorkbookId", "taggedSourceUrlId", "inodeId", "nodeId", "source", "target",
        "sourceIds", "dataSourceIds", "tableId", "datasetId", "customSqlId", "requestId",
        // the recorder's token placeholders
        "access_token", "refresh_token",
        // types and enums
        "type", "memberType", "userKind", "vizualizationType", "permission", "badge", "color", "code",
        "token_type", "grant_type",
        // timestamps
        "createdAt", "updatedAt", "lastActiveAt", "taggedAt", "workbookTaggedAt",
        // paging
        "nextPage", "nextPageToken", "hasMore"};
    for (auto k : keep)
        if (key == k) return anonymise_as::keep;
    if (key == "name" || key == "label" || key == "firstName" || key == "lastName" || key == "tagName" ||
        key == "columns" || key == "semanticViewTable" || key == "displayName" || key == "title" ||
        key == "account" || key == "host" || key == "warehouse" || key == "user" || key == "role")
        return anonymise_as::name;
    if (key == "path") return anonymise_as::path;
    if (key == "email") return anonymise_as::email;
    if (key == "url" || key == "profileImgUrl") return anonymise_as::url;
    if (key == "sql" || key == "definition") return anonymise_as::sql;
    if (key == "formula") return anonymise_as::formula;
    if (key == "columnId") return anonymise_as::column_id;
    return anonymise_as::text;
}

class anonymiser {
public:
    explicit anonymiser(std::string salt) : salt_(std::move(salt)) {}

    [[nodiscard]] std::string hex(std::string_view kind, std::string_view s) const {
        std::string in = salt_;
        in += '\0';
        in += kind;
        in += '\0';
        in += s;
        std::uint64_t h = stable_hash(in);
        static constexpr char digits[] = "0123456789abcdef";
        std::string out(12, '0');
        for (int i = 11; i >= 0; --i, h >>= 4) out[static_cast<std::size_t>(i)] = digits[h & 15];
        return out;
    }

    [[nodiscard]] std::string name(std::string_view s) const {
        if (s.empty()) return {};
        std::string lower(s);
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return "name-" + hex("name", lower);
    }

    [[nodiscard]] std::string path(std::string_view s) const {
        std::string out;
        for (;;) {
            auto slash = s.find('/');
            out += name(s.substr(0, slash));
            if (slash == std::string_view::npos) break;
            out += '/';
            s.remove_prefix(slash + 1);
        }
        return out;
    }

    [[nodiscard]] std::string email(std::string_view s) const {
        std::string lower(s);
        for (auto& c : lower)
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        return "user-" + hex("email", lower) + "@example.invalid";
    }
    [[nodiscard]] std::string url(std::string_view s) const { return "https://example.invalid/" + hex("url", s); }
    [[nodiscard]] std::string sql(std::string_view s) const { return "SELECT * FROM t_" + hex("sql", s); }
    [[nodiscard]] std::string text(std::string_view s) const { return "text-" + hex("text", s); }

    // `[Source/Column]` and `[Column]` references through the name map, string
    // literals as text; functions, operators and numbers stay.
    [[nodiscard]] std::string formula(std::string_view f) const {
        std::string out;
        for (std::size_t i = 0; i < f.size(); ++i) {
            char c = f[i];
            if (c == '"' || c == '\'') {
                auto end = f.find(c, i + 1);
                std::string_view lit = f.substr(i + 1, end == std::string_view::npos ? std::string_view::npos : end - i - 1);
                out += c;
                out += text(lit);
                out += c;
                if (end == std::string_view::npos) break;
                i = end;
                continue;
            }
            if (c != '[') {
                out += c;
                continue;
            }
            auto const [ref, j] = sigma::detail::read_formula_reference(f, i);
            auto slash = ref.find('/');
            out += '[';
            if (slash == std::string::npos) {
                out += name(ref);
            } else {
                out += name(std::string_view(ref).substr(0, slash));
                out += '/';
                out += name(std::string_view(ref).substr(slash + 1));
            }
            if (j < f.size()) out += ']';
            i = j;
        }
        return out;
    }

    [[nodiscard]] std::string column_id(std::string_view id) const {
        if (id.starts_with("inode-")) {
            auto slash = id.find('/');
            if (slash != std::string_view::npos && slash + 1 < id.size())
                return std::string(id.substr(0, slash + 1)) + name(id.substr(slash + 1));
        }
        return std::string(id);
    }

    [[nodiscard]] std::string replace(std::string_view s, anonymise_as how) const {
        if (s.empty() || s == "true" || s == "false") return std::string(s);
        switch (how) {
        case anonymise_as::keep: return std::string(s);
        case anonymise_as::name: return name(s);
        case anonymise_as::path: return path(s);
        case anonymise_as::email: return email(s);
        case anonymise_as::url: return url(s);
        case anonymise_as::sql: return sql(s);
        case anonymise_as::formula: return formula(s);
        case anonymise_as::column_id: return column_id(s);
        case anonymise_as::text: break;
        }
        // Unknown keys: keep the shape of what looks like an email or a URL.
        if (s.find('@') != std::string_view::npos && s.find(' ') == std::string_view::npos) return email(s);
        if (s.starts_with("http://") || s.starts_with("https://")) return url(s);
        return text(s);
    }

    // Walks a JSON value; `how` is what its key says (array elements inherit it).
    void walk(boost::json::value& v, anonymise_as how) const {
        switch (v.kind()) {
        case boost::json::kind::string: v = boost::json::string(replace(v.get_string(), how)); break;
        case boost::json::kind::array:
            for (auto& e : v.get_array()) walk(e, how);
            break;
        case boost::json::kind::object:
            for (auto& kv : v.get_object()) walk(kv.value(), anonymise_key(kv.key()));
            break;
        default: break; // numbers, booleans, null
        }
    }

    // A body: JSON walked; anything else replaced by a placeholder that is
    // not JSON either, so the client reacts to it as to the original.
    void body(snapshot_exchange& ex) const {
        if (ex.json) {
            walk(*ex.json, anonymise_as::text);
            return;
        }
        std::string const raw = snapshot_body(ex);
        if (raw.empty()) return;
        boost::system::error_code ec;
        auto v = boost::json::parse(raw, ec);
        if (!ec && !v.is_null()) {
            walk(v, anonymise_as::text);
            ex.body.reset();
            ex.bodyBase64.reset();
            ex.json = std::move(v);
            return;
        }
        set_snapshot_body(ex, "<anonymised: " + std::to_string(raw.size()) + " bytes that are not JSON>");
    }

    // The token request's form: the client id becomes its pseudonym (the
    // secret and tokens were masked when recording).
    [[nodiscard]] std::string form(std::string_view body) const {
        std::string out;
        for (;;) {
            auto amp = body.find('&');
            std::string_view field = body.substr(0, amp);
            auto eq = field.find('=');
            std::string_view key = field.substr(0, eq);
            if (eq != std::string_view::npos && key == "client_id")
                out += "client_id=" + client_id(field.substr(eq + 1));
            else if (eq != std::string_view::npos && key != "grant_type" && key != "client_secret" &&
                     key != "refresh_token")
                out += std::string(key) + "=" + text(field.substr(eq + 1));
            else
                out += field;
            if (amp == std::string_view::npos) break;
            out += '&';
            body.remove_prefix(amp + 1);
        }
        return out;
    }

    [[nodiscard]] std::string client_id(std::string_view id) const {
        return id.empty() ? std::string() : "client-" + hex("client", id);
    }

private:
    std::string salt_;
};

} // namespace detail

// The anonymised copy of `in` (see the top of this file).
[[nodiscard]] inline snapshot anonymise_snapshot(snapshot const& in, anonymise_options const& options = {}) {
    detail::anonymiser a(options.salt);
    snapshot out;
    out.header = in.header;
    if (!out.header.hostPort.empty()) out.header.hostPort = "https://" + a.hex("host", out.header.hostPort) + ".example.invalid";
    out.header.clientId = a.client_id(in.header.clientId);
    if (out.header.serviceName) out.header.serviceName = a.name(*out.header.serviceName);
    out.header.anonymised = true;
    out.exchanges.reserve(in.exchanges.size());
    for (auto ex : in.exchanges) {
        if (ex.requestBody) {
            if (detail::is_token_target(ex.target)) {
                ex.requestBody = a.form(*ex.requestBody);
            } else {
                boost::system::error_code ec;
                auto v = boost::json::parse(*ex.requestBody, ec);
                if (!ec) {
                    a.walk(v, detail::anonymise_as::text);
                    ex.requestBody = boost::json::serialize(v);
                } else {
                    ex.requestBody = a.text(*ex.requestBody);
                }
            }
        }
        if (ex.headers) {
            std::vector<snapshot_field> kept;
            for (auto& h : *ex.headers)
                if (snapshot_keeps_header(h.name)) kept.push_back(std::move(h));
            ex.headers = std::move(kept);
        }
        a.body(ex);
        if (ex.error) ex.error->message = "anonymised " + ex.error->code + " error " + a.text(ex.error->message);
        out.exchanges.push_back(std::move(ex));
    }
    return out;
}

} // namespace sigma

#endif
