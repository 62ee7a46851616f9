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

#include <sigma/api/models.hpp>
#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>
#include <sigma/testing/memory_transport.hpp>
#include <sigma/testing/simulated_org.hpp>
#include <sigma/transport/transport.hpp>

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
