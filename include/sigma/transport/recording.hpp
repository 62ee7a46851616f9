// SPDX-License-Identifier: MIT
// sigma::recording_transport<Inner>: a transport decorator that sends every
// request through Inner and writes the exchange to a snapshot (see
// snapshot.hpp), for sigma::replay_transport to serve later with no network,
// in a test or on a developer's machine reproducing a user's run.
//
//     sigma::recording_transport rec(sigma::beast_transport(ex), sigma::recording_options_for(cfg, "run.snapshot"));
//     sigma::basic_client<sigma::recording_transport<sigma::beast_transport>> client(cfg, std::move(rec));
//
// Each exchange is written as one line when it completes, and flushed, so an
// interrupted run still leaves a readable snapshot; any number of requests may
// be in flight (the lines are then in completion order, which replay does not
// need). Nothing secret is written: request headers (Authorization among
// them) are not recorded at all, and the client secret and every token the
// token endpoint hands out (learnt from its answers) are replaced wherever
// they occur, as such, percent-encoded or JSON-escaped: the secret by `***`,
// tokens by `redacted-access-token-<n>` / `redacted-refresh-token-<n>`. Ids,
// names and everything else are kept as they are (anonymise.hpp removes names).
#ifndef SIGMA_TRANSPORT_RECORDING_HPP
#define SIGMA_TRANSPORT_RECORDING_HPP

#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>
#include <sigma/transport/snapshot.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cerrno>
#include <concepts>
#include <cstddef>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma {

struct recording_options {
    // The snapshot file (created, or truncated) ...
    std::string path;
    // ... or, when set, a stream the caller keeps alive; `path` then only names it.
    std::ostream* stream = nullptr;
    // The first line: hostPort, apiVersion and clientId of the recorded client
    // (sigmaSnapshot and recordedBy are filled in already).
    snapshot_header header;
    // Replaced by `***` wherever it appears.
    secret client_secret;
    // Any other value to keep out of the snapshot (a proxy password, ...).
    std::vector<secret> redact;
};

// The options for recording a client configured with `cfg` into `path`.
[[nodiscard]] inline recording_options recording_options_for(config const& cfg, std::string path) {
    recording_options o;
    o.path = std::move(path);
    o.header.hostPort = cfg.hostPort;
    o.header.apiVersion = cfg.apiVersion;
    o.header.clientId = cfg.clientId;
    o.client_secret = cfg.clientSecret;
    return o;
}

namespace detail {

template <class T>
concept has_max_in_flight = requires(T const& t) {
    { t.max_in_flight() } -> std::convertible_to<std::size_t>;
};

inline std::string_view target_path(std::string_view target) noexcept { return target.substr(0, target.find('?')); }

// The token endpoint, whatever the version prefix: /v2/auth/token.
inline bool is_token_target(std::string_view target) noexcept { return target_path(target).ends_with("/auth/token"); }

// Replaces known secret values in text bound for a snapshot.
class snapshot_redactor {
public:
    // Values shorter than this are not replaced: they cannot be told apart
    // from ordinary text (the client's own log redaction does the same).
    static constexpr std::size_t min_length = 4;

    void add(std::string const& value, std::string placeholder) {
        if (value.size() < min_length) return;
        for (auto const& r : rules_)
            if (r.first == value) return;
        auto add_form = [&](std::string v) {
            if (v.size() < min_length) return;
            for (auto const& r : rules_)
                if (r.first == v) return;
            rules_.emplace_back(std::move(v), placeholder);
        };
        add_form(value);
        // As sent in a form body, and as it appears inside a JSON string.
        add_form(boost::urls::encode(value, boost::urls::unreserved_chars));
        std::string quoted = boost::json::serialize(boost::json::value(boost::json::string(value)));
        add_form(quoted.substr(1, quoted.size() - 2));
        // Longest first, so that a value containing another is replaced whole.
        std::stable_sort(rules_.begin(), rules_.end(),
                         [](auto const& a, auto const& b) { return a.first.size() > b.first.size(); });
    }

    [[nodiscard]] bool knows(std::string const& value) const {
        for (auto const& r : rules_)
            if (r.first == value) return true;
        return false;
    }

    [[nodiscard]] std::string scrub(std::string text) const {
        for (auto const& [value, placeholder] : rules_)
            for (std::size_t pos = text.find(value); pos != std::string::npos; pos = text.find(value, pos)) {
                text.replace(pos, value.size(), placeholder);
                pos += placeholder.size();
            }
        return text;
    }

private:
    std::vector<std::pair<std::string, std::string>> rules_;
};

} // namespace detail

template <transport Inner>
class recording_transport {
public:
    using inner_type = Inner;

    // Writes the header line at once. Throws sigma::error (errc::invalid_argument)
    // when the file cannot be written.
    recording_transport(Inner inner, recording_options options)
        : inner_(std::move(inner)), st_(std::make_shared<state>()) {
        st_->name = options.path.empty() ? std::string("the snapshot stream") : options.path;
        if (options.stream != nullptr) {
            st_->os = options.stream;
        } else {
            st_->file = std::make_unique<std::ofstream>(options.path, std::ios::binary | std::ios::trunc);
            if (!*st_->file) {
                int const e = errno;
                throw sigma::error(errc::invalid_argument, options.path + ": cannot write the snapshot (" +
                                                               (e != 0 ? std::strerror(e) : "unwritable") + ")");
            }
            st_->os = st_->file.get();
        }
        st_->redactor.add(options.client_secret.reveal(), std::string(secret::mask));
        for (auto const& s : options.redact) st_->redactor.add(s.reveal(), std::string(secret::mask));
        auto h = std::move(options.header);
        h.sigmaSnapshot = snapshot_format_version;
        st_->write(st_->redactor.scrub(snapshot_line(h)));
    }

    // As the constructor, with the failure as a value.
    [[nodiscard]] static result<recording_transport> create(Inner inner, recording_options options) {
        try {
            return recording_transport(std::move(inner), std::move(options));
        } catch (sigma::error const& e) {
            return e;
        }
    }

    auto get_executor() { return inner_.get_executor(); }

    // The inner transport's limit, when it has one (the client caps its
    // concurrency at it).
    [[nodiscard]] std::size_t max_in_flight() const
        requires detail::has_max_in_flight<Inner>
    {
        return inner_.max_in_flight();
    }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        auto st = st_;
        snapshot_exchange ex;
        ex.method = std::string(to_string(req.method));
        ex.target = req.target;
        std::string request_body = req.body;
        auto r = co_await inner_.async_send(std::move(req));
        st->record(std::move(ex), request_body, r);
        co_return r;
    }

    Inner& inner() noexcept { return inner_; }

    // Exchanges written so far (the header not counted).
    [[nodiscard]] std::size_t exchanges() const {
        std::lock_guard lock(st_->m);
        return st_->written;
    }
    // False once a line could not be written (disk full): the snapshot is incomplete.
    [[nodiscard]] bool good() const {
        std::lock_guard lock(st_->m);
        return !st_->failed;
    }

private:
    struct state {
        mutable std::mutex m;
        std::string name;
        std::unique_ptr<std::ofstream> file;
        std::ostream* os = nullptr;
        detail::snapshot_redactor redactor;
        std::size_t access_tokens = 0, refresh_tokens = 0;
        std::size_t written = 0;
        bool failed = false;

        void write(std::string const& line) {
            *os << line << '\n';
            os->flush();
            if (!*os) failed = true;
        }

        // Tokens in a token answer become known secrets before anything is
        // written. False when the answer is not a JSON object (cut short, say):
        // it may still hold a token that cannot be told apart, so it is not kept.
        bool learn_tokens(std::string const& body) {
            boost::system::error_code ec;
            auto v = boost::json::parse(body, ec);
            if (ec || !v.is_object()) return false;
            auto learn = [&](char const* key, char const* kind, std::size_t& counter) {
                auto const* t = v.as_object().if_contains(key);
                if (t == nullptr || !t->is_string()) return;
                std::string value(t->as_string());
                if (value.empty() || redactor.knows(value)) return;
                redactor.add(value, std::string("redacted-") + kind + "-" + std::to_string(++counter));
            };
            learn("access_token", "access-token", access_tokens);
            learn("refresh_token", "refresh-token", refresh_tokens);
            return true;
        }

        // The token request's form: credentials out whatever their spelling.
        std::string redact_form(std::string const& body) const {
            std::string out;
            std::size_t start = 0;
            for (;;) {
                auto amp = body.find('&', start);
                std::string field = body.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
                auto eq = field.find('=');
                std::string key = field.substr(0, eq);
                if (eq != std::string::npos &&
                    (key == "client_secret" || key == "password" || key == "assertion" || key == "refresh_token")) {
                    std::string value = field.substr(eq + 1);
                    std::string scrubbed = redactor.scrub(value);
                    // A refresh token this recording saw issued keeps its
                    // placeholder (which request used which token); any other
                    // credential is masked.
                    field = key + "=" + (scrubbed != value && key == "refresh_token" ? scrubbed : std::string(secret::mask));
                }
                out += field;
                if (amp == std::string::npos) break;
                out += '&';
                start = amp + 1;
            }
            return out;
        }

        void record(snapshot_exchange ex, std::string const& request_body, result<http_response> const& r) {
            std::lock_guard lock(m);
            bool const token = detail::is_token_target(ex.target);
            bool const unreadable_token_answer = token && r && !r->body.empty() && !learn_tokens(r->body);
            if (!request_body.empty()) ex.requestBody = redactor.scrub(token ? redact_form(request_body) : request_body);
            if (r) {
                ex.status = r->status;
                std::vector<snapshot_field> kept;
                for (auto const& h : r->headers)
                    if (snapshot_keeps_header(h.name)) kept.push_back({h.name, redactor.scrub(h.value)});
                if (!kept.empty()) ex.headers = std::move(kept);
                if (unreadable_token_answer)
                    set_snapshot_body(ex, "<a token answer that is not JSON, " + std::to_string(r->body.size()) +
                                              " bytes, left out: it may hold a token>");
                else
                    set_snapshot_body(ex, redactor.scrub(r->body));
            } else {
                ex.error = snapshot_error{std::string(to_string(r.error().code())), redactor.scrub(r.error().message())};
            }
            write(snapshot_line(ex));
            ++written;
        }
    };

    Inner inner_;
    std::shared_ptr<state> st_;
};

} // namespace sigma

SIGMA_COROUTINES_END

#endif
