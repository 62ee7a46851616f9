// SPDX-License-Identifier: MIT
// The snapshot format shared by sigma::recording_transport (which writes it),
// sigma::replay_transport (which serves it) and sigma::anonymise_snapshot:
// JSON Lines, one object a line, so that an interrupted recording still leaves
// every completed exchange readable and a snapshot diffs and greps well.
//
//     {"sigmaSnapshot":1,"hostPort":"https://aws-api.sigmacomputing.com","apiVersion":"v2",
//      "clientId":"…","recordedBy":"sigma-cpp 0.1.0"}
//     {"method":"POST","target":"/v2/auth/token","requestBody":"grant_type=…&client_secret=***",
//      "status":200,"headers":[{"name":"Content-Type","value":"application/json"}],
//      "json":{"access_token":"redacted-access-token-1",…}}
//     {"method":"GET","target":"/v2/workbooks?limit=1000","status":503,"headers":[…],"json":{…}}
//     {"method":"GET","target":"/v2/files?limit=1000","error":{"code":"timeout","message":"…"}}
//
// The first line is the header; each further line is one exchange: the
// request (method, origin-form target, body) and either the answer (status,
// the response headers worth keeping, the body) or the transport error that
// took its place. A body is kept as `json` when it is JSON that serialises back
// to the same bytes (readable, and the anonymiser can walk it), else as `body`
// (text) or `bodyBase64` (bytes that are not UTF-8). Nothing in a snapshot is
// secret: the recorder leaves out the Authorization header and replaces the
// client secret and every token (see recording.hpp).
#ifndef SIGMA_TRANSPORT_SNAPSHOT_HPP
#define SIGMA_TRANSPORT_SNAPSHOT_HPP

#include <sigma/error.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/http.hpp>
#include <sigma/version.hpp>

#include <boost/describe/class.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <istream>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma {

// The format this library writes, and the newest it reads.
inline constexpr std::int64_t snapshot_format_version = 1;

// The first line. Connection settings (never the secret), so that a replay
// needs no configuration of its own.
struct snapshot_header {
    std::int64_t sigmaSnapshot = snapshot_format_version;
    std::string hostPort;
    std::string apiVersion = "v2";
    std::string clientId;
    std::string recordedBy = std::string("sigma-cpp ") + SIGMA_VERSION_STRING;
    // What the recording program wants back on replay (sigma-extract: the
    // OpenMetadata service name, which its output names).
    std::optional<std::string> serviceName;
    // Set by anonymise_snapshot.
    std::optional<bool> anonymised;
    bool operator==(snapshot_header const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_header, (),
                      (sigmaSnapshot, hostPort, apiVersion, clientId, recordedBy, serviceName, anonymised))

struct snapshot_field {
    std::string name;
    std::string value;
    bool operator==(snapshot_field const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_field, (), (name, value))

// A transport failure in place of an answer: the errc's name and the message.
struct snapshot_error {
    std::string code;
    std::string message;
    bool operator==(snapshot_error const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_error, (), (code, message))

struct snapshot_exchange {
    std::string method; // GET, POST, ...
    std::string target; // origin-form, as sent: "/v2/workbooks?limit=1000"
    std::optional<std::string> requestBody;
    std::optional<unsigned> status; // absent: no answer, see `error`
    std::optional<std::vector<snapshot_field>> headers;
    std::optional<boost::json::value> json;
    std::optional<std::string> body;
    std::optional<std::string> bodyBase64;
    std::optional<snapshot_error> error;
    bool operator==(snapshot_exchange const&) const = default;
};
BOOST_DESCRIBE_STRUCT(snapshot_exchange, (),
                      (method, target, requestBody, status, headers, json, body, bodyBase64, error))

struct snapshot {
    snapshot_header header;
    std::vector<snapshot_exchange> exchanges;
    bool operator==(snapshot const&) const = default;
};

// The response headers a snapshot keeps: what the client reads. Others (cookies,
// tracing, a CDN's) are left out.
inline bool snapshot_keeps_header(std::string_view name) noexcept {
    return detail::iequals(name, "Content-Type") || detail::iequals(name, "Retry-After") ||
           detail::iequals(name, "X-Request-Id");
}

namespace detail {

inline bool valid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (s.size() - i <= n) return false;
        for (std::size_t k = 1; k <= n; ++k) {
            auto const b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0u) != 0x80u) return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (n == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return false;
        if (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) return false;
        i += n + 1;
    }
    return true;
}

inline std::string base64_encode(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        std::uint32_t v = (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16) |
                          (static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8) |
                          static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
        out += alphabet[v & 63];
    }
    if (i < in.size()) {
        std::uint32_t v = static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])) << 16;
        if (i + 1 < in.size()) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[i + 1])) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += i + 1 < in.size() ? alphabet[(v >> 6) & 63] : '=';
        out += '=';
    }
    return out;
}

inline std::optional<std::string> base64_decode_strict(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    std::uint32_t buf = 0;
    int bits = 0;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] == '=') {
            for (std::size_t k = i; k < in.size(); ++k)
                if (in[k] != '=') return std::nullopt;
            break;
        }
        int v = val(in[i]);
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

inline std::optional<http_method> method_from_string(std::string_view s) noexcept {
    for (auto m : {http_method::get, http_method::post, http_method::put, http_method::patch, http_method::delete_})
        if (to_string(m) == s) return m;
    return std::nullopt;
}

inline std::optional<errc> errc_from_string(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(errc::invalid_argument); ++i)
        if (to_string(static_cast<errc>(i)) == s) return static_cast<errc>(i);
    return std::nullopt;
}

inline sigma::error snapshot_error_at(std::string_view file, std::size_t line, std::string_view problem,
                                      errc code = errc::invalid_argument) {
    std::string m(file);
    m += ':';
    m += std::to_string(line);
    m += ": ";
    m += problem;
    return sigma::error(code, m);
}

} // namespace detail

// Stores a body the most readable way that gives back the same bytes.
inline void set_snapshot_body(snapshot_exchange& ex, std::string_view body) {
    ex.json.reset();
    ex.body.reset();
    ex.bodyBase64.reset();
    if (body.empty()) return;
    if (!detail::valid_utf8(body)) {
        ex.bodyBase64 = detail::base64_encode(body);
        return;
    }
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    // null would read back as an absent member; anything that does not
    // serialise to the same bytes is kept as text.
    if (!ec && !v.is_null() && boost::json::serialize(v) == body)
        ex.json = std::move(v);
    else
        ex.body = std::string(body);
}

// The body's bytes, whichever way they are stored.
[[nodiscard]] inline std::string snapshot_body(snapshot_exchange const& ex) {
    if (ex.json) return boost::json::serialize(*ex.json);
    if (ex.body) return *ex.body;
    if (ex.bodyBase64) return detail::base64_decode_strict(*ex.bodyBase64).value_or(std::string());
    return {};
}

// The answer an exchange records, or the transport error in its place.
[[nodiscard]] inline result<http_response> snapshot_response(snapshot_exchange const& ex) {
    if (ex.error) {
        errc code = detail::errc_from_string(ex.error->code).value_or(errc::transport);
        return sigma::error(code, ex.error->message);
    }
    http_response r;
    r.status = ex.status.value_or(0);
    if (ex.headers)
        for (auto const& h : *ex.headers) r.headers.push_back({h.name, h.value});
    r.body = snapshot_body(ex);
    return r;
}

// One line of the file, without its newline.
[[nodiscard]] inline std::string snapshot_line(snapshot_header const& h) { return sigma::json::encode(h); }
[[nodiscard]] inline std::string snapshot_line(snapshot_exchange const& ex) { return sigma::json::encode(ex); }

// Reads a snapshot. `name` (the file name) starts every error message, with
// the line number and what is wrong: not a snapshot, a newer format, a line
// that is not JSON or lacks a member, an exchange with neither answer nor
// error, a line cut short.
[[nodiscard]] inline result<snapshot> read_snapshot(std::istream& in, std::string_view name) {
    snapshot s;
    std::string line;
    std::size_t number = 0;
    bool have_header = false;
    while (std::getline(in, line)) {
        ++number;
        bool const cut = in.eof(); // the last line had no newline
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.find_first_not_of(" \t") == std::string::npos) continue; // blank lines are allowed
        boost::system::error_code ec;
        boost::json::parse_options po;
        po.max_depth = 128; // a body nested as deep as Boost.JSON's default allows, plus the line's own levels
        boost::json::value v = boost::json::parse(line, ec, {}, po);
        if (ec) {
            std::string why = "not JSON (" + ec.message() + ")";
            if (cut) why += "; the line is cut short: was the recording interrupted? Delete the last line to use the rest";
            return detail::snapshot_error_at(name, number, why, errc::json_syntax);
        }
        if (!v.is_object()) return detail::snapshot_error_at(name, number, "expected a JSON object", errc::json_type);
        if (!have_header) {
            auto const* ver = v.as_object().if_contains("sigmaSnapshot");
            if (ver == nullptr)
                return detail::snapshot_error_at(name, number,
                                                 "not a sigma-cpp snapshot: the first line has no \"sigmaSnapshot\"");
            if (!ver->is_int64() && !ver->is_uint64())
                return detail::snapshot_error_at(name, number, "sigmaSnapshot: expected an integer format version",
                                                 errc::json_type);
            auto const version = ver->is_int64() ? ver->get_int64() : static_cast<std::int64_t>(ver->get_uint64());
            if (ver->is_uint64() || version > snapshot_format_version)
                return detail::snapshot_error_at(
                    name, number,
                    "sigmaSnapshot " + (ver->is_uint64() ? std::to_string(ver->get_uint64()) : std::to_string(version)) +
                        ": a newer snapshot format than this sigma-cpp reads (" +
                        std::to_string(snapshot_format_version) + "); upgrade sigma-cpp");
            if (version < 1)
                return detail::snapshot_error_at(name, number,
                                                 "sigmaSnapshot " + std::to_string(version) + ": no such format version");
            auto h = sigma::json::decode<snapshot_header>(v);
            if (!h) return detail::snapshot_error_at(name, number, "header: " + h.error().message(), h.error().code());
            s.header = std::move(*h);
            have_header = true;
            continue;
        }
        auto ex = sigma::json::decode<snapshot_exchange>(v);
        if (!ex) return detail::snapshot_error_at(name, number, ex.error().message(), ex.error().code());
        if (!detail::method_from_string(ex->method))
            return detail::snapshot_error_at(name, number, "/method: unknown HTTP method \"" + ex->method + "\"");
        if (ex->target.empty() || ex->target.front() != '/')
            return detail::snapshot_error_at(name, number, "/target: expected an origin-form target starting with /");
        if (ex->status.has_value() == ex->error.has_value())
            return detail::snapshot_error_at(name, number, "an exchange needs either \"status\" or \"error\"",
                                             errc::json_missing_key);
        if (ex->status && (*ex->status < 100 || *ex->status > 599))
            return detail::snapshot_error_at(name, number, "/status: " + std::to_string(*ex->status) +
                                                               " is not an HTTP status");
        if (ex->error && !detail::errc_from_string(ex->error->code))
            return detail::snapshot_error_at(name, number, "/error/code: unknown error code \"" + ex->error->code + "\"");
        if (ex->bodyBase64 && !detail::base64_decode_strict(*ex->bodyBase64))
            return detail::snapshot_error_at(name, number, "/bodyBase64: not base64");
        if (int(ex->json.has_value()) + int(ex->body.has_value()) + int(ex->bodyBase64.has_value()) > 1)
            return detail::snapshot_error_at(name, number, "give one of \"json\", \"body\" and \"bodyBase64\"");
        s.exchanges.push_back(std::move(*ex));
    }
    if (in.bad()) return detail::snapshot_error_at(name, number + 1, "read error");
    if (!have_header)
        return detail::snapshot_error_at(name, number + 1, "empty: no snapshot header (is this a sigma-cpp snapshot?)");
    return s;
}

[[nodiscard]] inline result<snapshot> load_snapshot(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int const e = errno;
        return sigma::error(errc::invalid_argument,
                            path + ": cannot open the snapshot (" + (e != 0 ? std::strerror(e) : "unreadable") + ")");
    }
    return read_snapshot(in, path);
}

// Writes a whole snapshot (the anonymiser's output); false when the stream failed.
inline bool write_snapshot(std::ostream& os, snapshot const& s) {
    os << snapshot_line(s.header) << '\n';
    for (auto const& ex : s.exchanges) os << snapshot_line(ex) << '\n';
    os.flush();
    return static_cast<bool>(os);
}

[[nodiscard]] inline result<void> save_snapshot(std::string const& path, snapshot const& s) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        int const e = errno;
        return sigma::error(errc::invalid_argument,
                            path + ": cannot write the snapshot (" + (e != 0 ? std::strerror(e) : "unwritable") + ")");
    }
    if (!write_snapshot(out, s)) return sigma::error(errc::invalid_argument, path + ": writing the snapshot failed");
    return result<void>{};
}

} // namespace sigma

#endif
