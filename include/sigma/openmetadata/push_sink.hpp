// SPDX-License-Identifier: MIT
// sigma::openmetadata::push_sink<Transport>: a sink (sigma::extract::sink)
// that sends the records straight to an OpenMetadata server instead of
// writing them down. The records and their order are record_sink's; this
// adds where they go:
//
//   - every reference a record names is resolved to an id with the server's
//     API: users by email (the search API, as OpenMetadata's own connector
//     does), tables by FQN (GET /v1/tables/name/{fqn}, or the search API when
//     a part is `*`), charts, dashboards and data models by FQN (the ids the
//     PUTs answered, else GET .../name/{fqn}). Every lookup is cached, found
//     or not. An owner that cannot be resolved is reported and the record is
//     sent without it; a lineage edge with an end that cannot be resolved is
//     reported and skipped.
//   - requests are retried on 429/502/503/504 and on transport failures
//     (every request is a PUT or a GET, so idempotent), with the client's
//     back-off (sigma::retry_policy, Retry-After honoured), on an injectable
//     clock;
//   - a 401 stops the push: the JWT was refused and every other request
//     would be too. Other failures are recorded per record and the push goes on.
//
// Threading and memory. The extraction calls the sink synchronously on the
// thread that runs the client. Records go to a queue; a coroutine on a strand
// of the transport's executor sends them, one at a time and in order (each
// record may name the ones before it). With `stream` on (the default) the
// sender starts with the first record, so when the transport shares the
// client's io_context (the usual set-up) records are sent while the crawl
// runs and the queue holds only what the server has not caught up with;
// with `stream` off, or a transport on an executor nobody runs during the
// crawl, the whole output waits in memory for flush(). Lineage records wait
// in record_sink until on_finish either way (an edge may name an entity that
// comes later). flush() / async_flush() sends what is left and returns the
// report; call it after the extraction (which calls on_finish).
//
// The JWT is held as a sigma::secret, sent only in the Authorization header,
// and removed from any text the server answers before it reaches a report
// or a log.
#ifndef SIGMA_OPENMETADATA_PUSH_SINK_HPP
#define SIGMA_OPENMETADATA_PUSH_SINK_HPP

#include <sigma/client/retry.hpp>
#include <sigma/clock.hpp>
#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/log.hpp>
#include <sigma/openmetadata/fqn.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/openmetadata/record_sink.hpp>
#include <sigma/openmetadata/requests.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url_view.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma::openmetadata {

struct push_options {
    // The OpenMetadata API, as in workflowConfig.openMetadataServerConfig.hostPort:
    // "http://localhost:8585/api". Record paths (/api/v1/...) are sent under
    // the path before its final /api.
    std::string hostPort;
    // Sent as `Authorization: Bearer <jwt>`; empty: no Authorization header.
    secret jwt;
    // Attempts per request and back-off; the budget bounds retries over the whole push.
    retry_policy retry{};
    // Sleeps, wall time for Retry-After dates, jitter. Tests inject one that never sleeps.
    clock_source clock = clock_source::system();
    // Send records as they come (see the header comment); off: all at flush().
    bool stream = true;
    // Warnings (unresolved references, retries) and errors; never holds the JWT.
    log_sink log;
    // At most this many failures and unresolved references are kept in the
    // report with their details; the counters count them all.
    std::size_t max_reported = 1000;
};

// A record the server did not accept.
struct push_failure {
    std::string path;    // /api/v1/charts
    std::string name;    // the entity's name, or "from -> to" for lineage
    unsigned status = 0; // 0: no answer (transport failure)
    std::string message; // the server's `message`, or what went wrong
};
BOOST_DESCRIBE_STRUCT(push_failure, (), (path, name, status, message))

// A reference that could not be resolved to an id.
struct unresolved_reference {
    std::string entity;    // the record that named it: "/api/v1/dashboards wb-1"
    std::string reference; // "user ana@example.com", "table svc.db.schema.orders"
    std::string reason;
};
BOOST_DESCRIBE_STRUCT(unresolved_reference, (), (entity, reference, reason))

struct push_report {
    std::size_t records = 0;             // records the sink was given
    std::size_t sent = 0;                // accepted by the server (2xx; a delete also 404)
    std::size_t deleted = 0;             // of those, soft deletes
    std::size_t failed = 0;              // answered with an error, or no answer after the retries
    std::size_t lineageSkipped = 0;      // lineage edges not sent: an end could not be resolved
    std::size_t notSent = 0;             // never tried: the push was aborted first
    std::size_t referencesResolved = 0;  // references replaced by an id (each occurrence)
    std::size_t referencesUnresolved = 0;
    std::size_t lookups = 0;             // look-up requests made (the cache answers the rest)
    std::size_t requests = 0;            // HTTP requests, retries included
    std::size_t retries = 0;
    std::vector<push_failure> failures;
    std::vector<unresolved_reference> unresolved;
    std::string aborted;                 // non-empty: why the push stopped (e.g. the JWT was refused)

    // Every record was sent (unresolved owners allowed, skipped lineage not).
    [[nodiscard]] bool clean() const noexcept { return failed == 0 && notSent == 0 && lineageSkipped == 0 && aborted.empty(); }
};
BOOST_DESCRIBE_STRUCT(push_report, (),
                      (records, sent, deleted, failed, lineageSkipped, notSent, referencesResolved, referencesUnresolved, lookups,
                       requests, retries, failures, unresolved, aborted))

namespace detail {

// scheme://host[:port] and the path prefix put before record paths.
struct push_base {
    std::string origin;
    std::string prefix; // "" for http://host:8585/api, "/om" for http://host/om/api
};

inline result<push_base> parse_push_host(std::string_view host_port) {
    auto bad = [&](std::string const& why) {
        return sigma::error(errc::config, "OpenMetadata hostPort \"" + std::string(host_port) + "\": " + why);
    };
    if (host_port.empty()) return bad("empty; expected e.g. http://localhost:8585/api");
    auto u = boost::urls::parse_uri(host_port);
    if (!u) return bad("not an absolute URL; expected e.g. http://localhost:8585/api");
    if (u->scheme() != "http" && u->scheme() != "https") return bad("the scheme must be http:// or https://");
    if (u->has_userinfo()) return bad("must not carry user information (the JWT is given separately)");
    if (u->has_query() || u->has_fragment()) return bad("must not have a query or fragment");
    if (u->encoded_host().empty()) return bad("has no host");
    push_base b;
    b.origin = std::string(u->scheme()) + "://" + std::string(u->encoded_host_and_port());
    std::string path(u->encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (path.size() >= 4 && path.compare(path.size() - 4, 4, "/api") == 0) path.resize(path.size() - 4);
    b.prefix = std::move(path);
    return b;
}

inline std::string push_encode(std::string_view s) { return boost::urls::encode(s, boost::urls::unreserved_chars); }

// Lucene query syntax: backslash before every reserved character.
inline std::string lucene_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::string_view("+-=&|><!(){}[]^\"~*?:\\/ ").find(c) != std::string_view::npos) out += '\\';
        out += c;
    }
    return out;
}

// The entity type an OpenMetadata path creates, for caching the ids PUTs answer.
inline std::string_view push_entity_type(std::string_view path) {
    if (path == paths::charts) return "chart";
    if (path == paths::dashboards) return "dashboard";
    if (path == paths::data_models) return "dashboardDataModel";
    if (path == paths::dashboard_services) return "dashboardService";
    return {};
}

// Where an entity of that type is found by FQN.
inline std::string_view push_by_name_path(std::string_view type) {
    if (type == "table") return "/api/v1/tables/name/";
    if (type == "chart") return "/api/v1/charts/name/";
    if (type == "dashboard") return "/api/v1/dashboards/name/";
    if (type == "dashboardDataModel") return "/api/v1/dashboard/datamodels/name/";
    if (type == "user") return "/api/v1/users/name/";
    return {};
}

inline std::string json_string_at(boost::json::value const& v, std::string_view key) {
    if (auto const* o = v.if_object())
        if (auto const* s = o->if_contains(key); s && s->is_string()) return std::string(s->get_string());
    return {};
}

// What a record is about, for reports: its name, or "from -> to" for lineage.
inline std::string push_record_name(record const& r) {
    if (r.method == "DELETE") { // .../name/<fqn>?hardDelete=false
        auto at = r.path.rfind("/name/");
        auto end = r.path.find('?');
        return at == std::string::npos ? r.path : r.path.substr(at + 6, end == std::string::npos ? end : end - at - 6);
    }
    if (r.path == paths::lineage) {
        auto const* o = r.body.if_object();
        auto const* e = o ? o->if_contains("edge") : nullptr;
        if (e == nullptr) return {};
        auto end = [&](std::string_view k) {
            auto const* eo = e->if_object();
            auto const* x = eo ? eo->if_contains(k) : nullptr;
            return x ? json_string_at(*x, "fullyQualifiedName") : std::string();
        };
        return end("fromEntity") + " -> " + end("toEntity");
    }
    return json_string_at(r.body, "name");
}

// Printable, bounded, without the secret.
inline std::string push_clean(std::string text, secret const& jwt, std::size_t limit = 500) {
    if (!jwt.empty())
        for (std::size_t p; (p = text.find(jwt.reveal())) != std::string::npos;)
            text.replace(p, jwt.reveal().size(), secret::mask);
    for (auto& c : text)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
    if (text.size() > limit) text = text.substr(0, limit) + "...";
    return text;
}

// OpenMetadata's error body is {"code": 404, "message": "..."}; anything else
// (an HTML page from a proxy) is shown cut short.
inline std::string push_server_message(http_response const& r, secret const& jwt) {
    boost::system::error_code ec;
    auto v = boost::json::parse(r.body, ec);
    if (!ec) {
        auto m = json_string_at(v, "message");
        if (!m.empty()) return push_clean(std::move(m), jwt);
    }
    if (r.body.empty()) return "(empty body)";
    return push_clean(r.body, jwt, 200);
}

// A resolved reference or why not.
struct push_lookup {
    std::optional<std::string> id;
    std::string reason;
};

template <class Transport>
struct push_state : std::enable_shared_from_this<push_state<Transport>> {
    using strand_type = boost::asio::strand<boost::asio::any_io_executor>;

    push_state(Transport t, push_options o, push_base b)
        : transport(std::move(t)), opts(std::move(o)), base(std::move(b)),
          strand(boost::asio::make_strand(boost::asio::any_io_executor(transport.get_executor()))), idle(strand) {}

    Transport transport;
    push_options opts;
    push_base base;
    strand_type strand;
    boost::asio::steady_timer idle; // cancelled whenever the sender stops

    std::mutex queue_mutex; // the queue and `sending`: the extraction's thread and the strand
    std::deque<record> queue;
    bool sending = false;

    // Everything below: the strand only.
    std::map<std::string, push_lookup> cache; // "type\nname" -> id or reason
    push_report report;

    void log(log_level l, std::string const& m) const {
        if (opts.log) opts.log(l, m);
    }

    // Called by the record sink's emitter on the extraction's thread.
    void enqueue(record const& r) {
        bool start = false;
        {
            std::lock_guard lock(queue_mutex);
            queue.push_back(r);
            ++report.records; // only written here (the strand reads it after the queue is drained)
            if (opts.stream && !sending) start = sending = true;
        }
        if (start) spawn_sender();
    }

    void spawn_sender() {
        auto self = this->shared_from_this();
        boost::asio::co_spawn(strand, self->drain(), [self](std::exception_ptr e) {
            if (e) {
                // A bug or std::bad_alloc: count what is left as not sent, never lose track.
                std::lock_guard lock(self->queue_mutex);
                self->report.notSent += self->queue.size();
                self->queue.clear();
                self->sending = false;
                if (self->report.aborted.empty()) self->report.aborted = "internal failure while sending";
                self->idle.cancel();
            }
        });
    }

    boost::asio::awaitable<void> drain() {
        for (;;) {
            std::optional<record> next;
            {
                std::lock_guard lock(queue_mutex);
                if (queue.empty()) {
                    sending = false;
                    idle.cancel();
                    co_return;
                }
                next.emplace(std::move(queue.front()));
                queue.pop_front();
            }
            if (!report.aborted.empty()) {
                ++report.notSent;
                continue;
            }
            co_await push_one(std::move(*next));
        }
    }

    // Until the queue is empty and no sender runs; runs on the strand.
    boost::asio::awaitable<push_report> flush() {
        for (;;) {
            bool start = false;
            {
                std::lock_guard lock(queue_mutex);
                if (queue.empty() && !sending) break;
                if (!sending) start = sending = true;
            }
            if (start) {
                co_await drain();
                continue;
            }
            idle.expires_at(boost::asio::steady_timer::time_point::max());
            boost::system::error_code ec;
            co_await idle.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
        }
        co_return report;
    }

    void fail(record const& r, std::string name, unsigned status, std::string message) {
        ++report.failed;
        log(log_level::error, "OpenMetadata: " + r.method + " " + r.path + " " + name +
                                  ": " + (status ? "HTTP " + std::to_string(status) + ": " : std::string()) + message);
        if (report.failures.size() < opts.max_reported)
            report.failures.push_back(push_failure{r.path, std::move(name), status, std::move(message)});
    }

    void unresolved(std::string entity, std::string reference, std::string reason) {
        ++report.referencesUnresolved;
        log(log_level::warn, "OpenMetadata: " + entity + ": cannot resolve " + reference + ": " + reason);
        if (report.unresolved.size() < opts.max_reported)
            report.unresolved.push_back(unresolved_reference{std::move(entity), std::move(reference), std::move(reason)});
    }

    void abort_on_401(http_response const& r) {
        if (report.aborted.empty())
            report.aborted = "OpenMetadata refused the JWT (HTTP 401: " + push_server_message(r, opts.jwt) +
                             "); check workflowConfig.openMetadataServerConfig.securityConfig.jwtToken "
                             "(a bot's token, not expired)";
        log(log_level::error, report.aborted);
    }

    // One request with retries. Any final status is a response; only a
    // transport failure after the retries is an error.
    boost::asio::awaitable<result<http_response>> send(http_method method, std::string const& target,
                                                       std::string const* body) {
        std::string const what = std::string(to_string(method)) + " " + target;
        for (unsigned attempt = 0;; ++attempt) {
            http_request req;
            req.method = method;
            req.origin = base.origin;
            req.target = target;
            if (!opts.jwt.empty()) req.headers.push_back({"Authorization", "Bearer " + opts.jwt.reveal()});
            req.headers.push_back({"Accept", "application/json"});
            if (body) {
                req.headers.push_back({"Content-Type", "application/json"});
                req.body = *body;
            }
            ++report.requests;
            auto resp = co_await transport.async_send(std::move(req));
            bool const can_retry = attempt + 1 < opts.retry.max_attempts && report.retries < opts.retry.budget;
            if (!resp) {
                std::string why = push_clean(resp.error().message(), opts.jwt);
                if (!can_retry) co_return sigma::error(resp.error().code(), why);
                co_await pause(backoff(opts.retry, attempt, opts.clock.random()), what + " failed (" + why + ")");
                continue;
            }
            if (is_retryable_status(resp->status) && can_retry) {
                std::optional<std::chrono::milliseconds> ra;
                if (auto h = resp->header("Retry-After"); !h.empty()) ra = parse_retry_after(h, opts.clock.wall_now());
                auto wait = retry_delay(opts.retry, resp->status, ra, attempt, opts.clock.random());
                if (wait) {
                    co_await pause(*wait, what + ": HTTP " + std::to_string(resp->status));
                    continue;
                }
            }
            co_return std::move(*resp);
        }
    }

    boost::asio::awaitable<void> pause(std::chrono::milliseconds wait, std::string const& why) {
        ++report.retries;
        log(log_level::warn, "OpenMetadata: " + why + "; retrying in " + std::to_string(wait.count()) + " ms");
        co_await opts.clock.sleep(wait);
    }

    // ---- references ------------------------------------------------------

    static std::string cache_key(std::string_view type, std::string_view name) {
        std::string k(type);
        k += '\n';
        k += name;
        return k;
    }

    // A failed look-up: the reason, with the server's answer.
    std::string lookup_failure(result<http_response> const& r) {
        if (!r) return "look-up failed: " + r.error().message();
        if (r->status == 401) abort_on_401(*r);
        return "look-up answered HTTP " + std::to_string(r->status) + ": " + push_server_message(*r, opts.jwt);
    }

    // GET that answers an entity; its `id`.
    boost::asio::awaitable<push_lookup> get_id(std::string const& target, std::string const& not_found) {
        ++report.lookups;
        auto r = co_await send(http_method::get, target, nullptr);
        if (r && r->status == 404) co_return push_lookup{std::nullopt, not_found};
        if (!r || r->status < 200 || r->status > 299) co_return push_lookup{std::nullopt, lookup_failure(r)};
        boost::system::error_code ec;
        auto v = boost::json::parse(r->body, ec);
        auto id = ec ? std::string() : json_string_at(v, "id");
        if (id.empty()) co_return push_lookup{std::nullopt, "the server's answer has no id"};
        co_return push_lookup{id, {}};
    }

    // A search (…/search/query or …/search/fieldQuery) answering Elasticsearch
    // hits; exactly one hit resolves.
    boost::asio::awaitable<push_lookup> search_one(std::string const& target, std::string_view type,
                                                   std::string const& none) {
        ++report.lookups;
        auto r = co_await send(http_method::get, target, nullptr);
        if (!r || r->status < 200 || r->status > 299) co_return push_lookup{std::nullopt, lookup_failure(r)};
        boost::system::error_code ec;
        auto v = boost::json::parse(r->body, ec);
        boost::json::array const* hits = nullptr;
        if (!ec)
            if (auto const* o = v.if_object())
                if (auto const* h = o->if_contains("hits"); h && h->is_object())
                    if (auto const* a = h->get_object().if_contains("hits"); a && a->is_array()) hits = &a->get_array();
        if (hits == nullptr) co_return push_lookup{std::nullopt, "the search answer has no hits.hits"};
        if (hits->empty()) co_return push_lookup{std::nullopt, none};
        if (hits->size() > 1)
            co_return push_lookup{std::nullopt, std::to_string(hits->size()) +
                                                    " entities match; name it fully (dbServicePrefix) to choose one"};
        auto const* hit = (*hits)[0].if_object();
        auto const* source = hit ? hit->if_contains("_source") : nullptr;
        if (source == nullptr) co_return push_lookup{std::nullopt, "the search hit has no _source"};
        if (auto id = json_string_at(*source, "id"); !id.empty()) co_return push_lookup{id, {}};
        auto fqn = json_string_at(*source, "fullyQualifiedName");
        if (fqn.empty()) co_return push_lookup{std::nullopt, "the search hit has neither id nor fullyQualifiedName"};
        co_return co_await get_id(base.prefix + std::string(push_by_name_path(type)) + push_encode(fqn),
                                  "found by search but not by name");
    }

    boost::asio::awaitable<push_lookup> lookup(std::string const& type, std::string const& name, bool by_email) {
        std::string key = cache_key(by_email ? "email" : type, name);
        if (auto it = cache.find(key); it != cache.end()) co_return it->second;
        push_lookup found;
        if (by_email) {
            // OpenMetadata's connector finds owners the same way: the user index, by email.
            found = co_await search_one(base.prefix + "/api/v1/search/query?q=" +
                                            push_encode("email.keyword:" + lucene_escape(name)) +
                                            "&from=0&size=2&index=user_search_index",
                                        "user", "no OpenMetadata user has this email");
        } else if (type == "table" && name.find('*') != std::string::npos) {
            // A part neither Sigma nor dbServicePrefix knows: any service/database/schema.
            found = co_await search_one(base.prefix + "/api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=" +
                                            push_encode(name) + "&from=0&size=2&index=table_search_index&deleted=false",
                                        type, "no table matches (set dbServicePrefix to name its service)");
        } else {
            auto path = push_by_name_path(type);
            if (path.empty()) found.reason = "cannot look up an entity of type " + type;
            else found = co_await get_id(base.prefix + std::string(path) + push_encode(name),
                                         "no " + type + " with this fully qualified name in OpenMetadata");
        }
        cache.emplace(std::move(key), found);
        co_return found;
    }

    // Replaces a placeholder by {id, type[, fullyQualifiedName]}; false when unresolved.
    boost::asio::awaitable<bool> resolve_ref(boost::json::value& ref, std::string const& entity) {
        auto* o = ref.if_object();
        if (o == nullptr) co_return false;
        if (auto id = json_string_at(ref, "id"); !id.empty()) co_return true; // already an EntityReference
        std::string type = json_string_at(ref, "type");
        std::string email = json_string_at(ref, "email");
        std::string fqn = json_string_at(ref, "fullyQualifiedName");
        bool const by_email = !email.empty();
        std::string const& name = by_email ? email : fqn;
        std::string const shown = type + " " + name;
        if (name.empty()) {
            unresolved(entity, type, "the reference names neither an email nor a fully qualified name");
            co_return false;
        }
        auto found = co_await lookup(type, name, by_email);
        if (!found.id) {
            unresolved(entity, shown, found.reason);
            co_return false;
        }
        ++report.referencesResolved;
        (*o)["id"] = *found.id;
        o->erase("email"); // not an EntityReference field
        co_return true;
    }

    // ---- one record ------------------------------------------------------

    boost::asio::awaitable<void> push_one(record r) {
        std::string name = push_record_name(r);
        std::string const entity = r.path + " " + name;
        if (auto* body = r.body.if_object()) {
            if (r.path == paths::lineage) {
                auto* edge = body->if_contains("edge");
                bool ok = edge != nullptr && edge->is_object();
                for (auto end : {"fromEntity", "toEntity"}) {
                    if (!ok) break;
                    auto* ref = edge->get_object().if_contains(end);
                    if (ref == nullptr) ok = false;
                    else ok = co_await resolve_ref(*ref, entity);
                }
                if (!ok) {
                    ++report.lineageSkipped;
                    co_return;
                }
            } else if (auto* owners = body->if_contains("owners"); owners && owners->is_array()) {
                boost::json::array kept;
                for (auto& ref : owners->get_array())
                    if (co_await resolve_ref(ref, entity)) kept.push_back(std::move(ref));
                if (kept.empty()) body->erase("owners");
                else *owners = std::move(kept);
            }
        }
        if (!report.aborted.empty()) { // a look-up met a 401
            ++report.notSent;
            co_return;
        }
        if (r.method == "DELETE") {
            // A soft delete of what is already gone (404) has done its job.
            auto resp = co_await send(http_method::delete_, base.prefix + r.path, nullptr);
            if (!resp) {
                fail(r, std::move(name), 0, resp.error().message());
            } else if (resp->status == 404 || (resp->status >= 200 && resp->status <= 299)) {
                ++report.sent;
                ++report.deleted;
            } else {
                if (resp->status == 401) abort_on_401(*resp);
                fail(r, std::move(name), resp->status, push_server_message(*resp, opts.jwt));
            }
            co_return;
        }
        http_method method = r.method == "POST" ? http_method::post : http_method::put;
        std::string const payload = boost::json::serialize(r.body);
        auto resp = co_await send(method, base.prefix + r.path, &payload);
        if (!resp) {
            fail(r, std::move(name), 0, resp.error().message());
            co_return;
        }
        if (resp->status < 200 || resp->status > 299) {
            if (resp->status == 401) abort_on_401(*resp);
            fail(r, std::move(name), resp->status, push_server_message(*resp, opts.jwt));
            co_return;
        }
        ++report.sent;
        // The ids of what this push created: lineage needs no look-up for them.
        if (auto type = push_entity_type(r.path); !type.empty()) {
            boost::system::error_code ec;
            auto v = boost::json::parse(resp->body, ec);
            if (!ec) {
                auto id = json_string_at(v, "id");
                auto fqn = json_string_at(v, "fullyQualifiedName");
                if (!id.empty() && !fqn.empty()) cache.insert_or_assign(cache_key(type, fqn), push_lookup{id, {}});
            }
        }
    }
};

template <class Transport>
struct push_emitter {
    std::shared_ptr<push_state<Transport>> st;
    void operator()(record const& r) const { st->enqueue(r); }
};

} // namespace detail

template <class Transport>
class push_sink {
    static_assert(sigma::transport<Transport>,
                  "sigma::openmetadata::push_sink<Transport>: Transport must satisfy sigma::transport "
                  "(get_executor() and async_send(http_request) -> awaitable<result<http_response>>), e.g. "
                  "sigma::beast_transport or sigma::testing::memory_transport");

    using state = detail::push_state<Transport>;
    using inner_sink = record_sink<detail::push_emitter<Transport>>;

public:
    // Checks hostPort; the transport must be able to reach it (an http://
    // server needs beast_transport_options::allow_insecure_http).
    static result<push_sink> create(Transport transport, push_options options, mapping m,
                                    std::optional<sigma::config> connection = std::nullopt) {
        auto base = detail::parse_push_host(options.hostPort);
        if (!base) return std::move(base).error();
        if (!options.clock.sleep || !options.clock.random || !options.clock.wall_now)
            return sigma::error(errc::config, "push_options::clock: sleep, random and wall_now must all be set");
        if (options.retry.max_attempts == 0)
            return sigma::error(errc::config, "push_options::retry.max_attempts must be at least 1");
        auto st = std::make_shared<state>(std::move(transport), std::move(options), std::move(*base));
        return push_sink(st, inner_sink(detail::push_emitter<Transport>{st}, std::move(m), std::move(connection)));
    }

    void on_workspace(extract::workspace_info const& w) { inner_.on_workspace(w); }
    void on_connection(api::connection const& c) { inner_.on_connection(c); }
    void on_data_model(extract::data_model_info&& dm) { inner_.on_data_model(std::move(dm)); }
    void on_workbook(extract::workbook_info&& wb) { inner_.on_workbook(std::move(wb)); }
    void on_finish(extract::report const& r) { inner_.on_finish(r); }

    // Sends every record still queued, waits for the one being sent, and
    // answers the report. Runs on a strand of the transport's executor.
    boost::asio::awaitable<push_report> async_flush() {
        auto st = st_;
        co_return co_await boost::asio::co_spawn(st->strand, st->flush(), boost::asio::use_awaitable);
    }

    // The same, running the transport's io_context on this thread until done
    // (as basic_client's synchronous calls do): the tool's way, after extract().
    push_report flush() {
        boost::asio::any_io_executor ex = st_->transport.get_executor();
        auto const* iox = ex.target<boost::asio::io_context::executor_type>();
        if (iox == nullptr)
            throw sigma::error(errc::invalid_argument,
                               "push_sink::flush() needs a transport on a boost::asio::io_context; co_await "
                               "async_flush() with other executors");
        if (iox->running_in_this_thread())
            throw sigma::error(errc::invalid_argument,
                               "push_sink::flush() was called from inside the io_context it needs to run; co_await "
                               "async_flush() instead");
        boost::asio::io_context& ioc = iox->context();
        std::optional<push_report> out;
        std::exception_ptr failure;
        boost::asio::co_spawn(st_->strand, st_->flush(), [&](std::exception_ptr e, push_report r) {
            failure = e;
            if (!e) out.emplace(std::move(r));
        });
        ioc.restart();
        while (!out && !failure && ioc.run_one() > 0) {
        }
        if (failure) std::rethrow_exception(failure);
        if (!out) throw sigma::error(errc::cancelled, "the io_context stopped before the push completed");
        return std::move(*out);
    }

    // Records handed to the sender so far, and lineage records waiting for on_finish.
    [[nodiscard]] std::size_t records_written() const noexcept { return inner_.records_written(); }
    [[nodiscard]] std::size_t buffered_lineage() const noexcept { return inner_.buffered_lineage(); }
    [[nodiscard]] mapping const& get_mapping() const noexcept { return inner_.get_mapping(); }

private:
    push_sink(std::shared_ptr<state> st, inner_sink inner) : st_(std::move(st)), inner_(std::move(inner)) {}

    std::shared_ptr<state> st_;
    inner_sink inner_;
};

} // namespace sigma::openmetadata

SIGMA_COROUTINES_END

#endif
