// SPDX-License-Identifier: MIT
// The connector's four settings, named and defaulted as in OpenMetadata's
// Sigma connection (serviceConnection.config), and their validation.
#ifndef SIGMA_CONFIG_HPP
#define SIGMA_CONFIG_HPP

#include <sigma/error.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <concepts>
#include <string>
#include <string_view>
#include <vector>

namespace sigma {

// Sigma's API hosts by cloud and region. A token minted on one host is refused
// by all others, so a wrong host shows up as 401. Used for help texts and
// warnings only: proxies and new regions exist, so other hosts are accepted.
inline constexpr std::array<std::string_view, 13> known_api_hosts{
    "api.sigmacomputing.com",          // GCP US
    "api.sa.gcp.sigmacomputing.com",   // GCP KSA
    "aws-api.sigmacomputing.com",      // AWS US West
    "api.us-a.aws.sigmacomputing.com", // AWS US East
    "api.ca.aws.sigmacomputing.com",   "api.eu.aws.sigmacomputing.com", "api.au.aws.sigmacomputing.com",
    "api.uk.aws.sigmacomputing.com",   "api.us.azure.sigmacomputing.com", "api.eu.azure.sigmacomputing.com",
    "api.ca.azure.sigmacomputing.com", "api.uk.azure.sigmacomputing.com", "api.au.azure.sigmacomputing.com",
};

inline constexpr std::string_view default_host_port = "https://api.sigmacomputing.com";
inline constexpr std::string_view default_api_version = "v2";

struct config {
    std::string hostPort{default_host_port};
    std::string clientId;
    secret clientSecret;
    std::string apiVersion{default_api_version};
    // Not an OpenMetadata setting: lets hostPort be http:// (loopback tests, the demo).
    bool allow_insecure_http = false;
};

// A configuration after validation: the origin to connect to, the version
// prefix, and advice that is not an error.
struct validated_config {
    config settings;
    std::string origin;                 // scheme://host[:port], no trailing slash
    std::vector<std::string> warnings;  // e.g. an unknown Sigma host
};

namespace detail {

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diag = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t up = row[j];
            bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (same ? 0 : 1)});
            diag = up;
        }
    }
    return row[b.size()];
}

inline bool valid_api_version(std::string_view v) {
    // v2, v2.1, v10
    if (v.size() < 2 || v[0] != 'v') return false;
    std::size_t i = 1, digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
    if (digits == 0) return false;
    if (i == v.size()) return true;
    if (v[i] != '.') return false;
    ++i;
    digits = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i, ++digits;
    return digits > 0 && i == v.size();
}

// `text` with control characters shown as \xNN. Messages echo keys and values,
// and an error's message is a C string (std::runtime_error::what()): a NUL in
// a key (a JSON escape) cut it short, to nothing at all (found by fuzz_config).
inline std::string printable(std::string_view text) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto const c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c == 0x7F) {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0xF];
        } else {
            out += ch;
        }
    }
    return out;
}

inline sigma::error config_error(std::string_view key, std::string_view problem) {
    std::string msg = printable(key);
    msg += ": ";
    msg += printable(problem);
    return sigma::error(errc::config, msg);
}

} // namespace detail

// The closest of `candidates` to `key`, when close enough to be a likely typo.
template <class Range>
std::string closest_key(std::string_view key, Range const& candidates) {
    std::string best;
    std::size_t best_d = key.size() / 2 + 2;
    for (std::string_view c : candidates) {
        std::size_t d = detail::edit_distance(key, c);
        if (d < best_d) {
            best_d = d;
            best = std::string(c);
        }
    }
    return best;
}

// Checks a configuration and normalises hostPort (a trailing `/` or a version
// suffix such as `/v2` is dropped, so it is never doubled).
inline result<validated_config> validate(config c) {
    validated_config out;
    auto parsed = boost::urls::parse_absolute_uri(c.hostPort);
    if (!parsed)
        return detail::config_error("hostPort", "\"" + c.hostPort +
                                                    "\" is not an absolute URL; expected e.g. "
                                                    "https://aws-api.sigmacomputing.com");
    boost::urls::url u(*parsed);
    std::string scheme(u.scheme());
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (scheme == "http") {
        if (!c.allow_insecure_http)
            return detail::config_error("hostPort", "\"" + c.hostPort +
                                                        "\" uses http://; Sigma's API is served over https:// "
                                                        "(plain http is allowed only for loopback testing, with "
                                                        "allow_insecure_http)");
    } else if (scheme != "https") {
        return detail::config_error("hostPort", "\"" + c.hostPort + "\" must be an https:// URL");
    }
    if (u.encoded_host().empty()) return detail::config_error("hostPort", "\"" + c.hostPort + "\" has no host");
    if (u.has_userinfo())
        return detail::config_error("hostPort", "must not contain user information; use clientId and clientSecret");
    if (u.has_query() || u.has_fragment())
        return detail::config_error("hostPort", "\"" + c.hostPort + "\" must not have a query or a fragment");
    std::string path(u.encoded_path());
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!path.empty()) {
        std::string_view last = std::string_view(path).substr(1);
        if (path.find('/', 1) != std::string::npos || !detail::valid_api_version(last))
            return detail::config_error("hostPort", "\"" + c.hostPort +
                                                        "\" has a path; give the API's base URL only, e.g. "
                                                        "https://aws-api.sigmacomputing.com");
        // A pasted ".../v2" is accepted; apiVersion decides the prefix.
    }
    if (c.clientId.empty()) return detail::config_error("clientId", "must not be empty");
    if (c.clientSecret.empty()) return detail::config_error("clientSecret", "must not be empty");
    if (!detail::valid_api_version(c.apiVersion))
        return detail::config_error("apiVersion", "\"" + c.apiVersion + "\" is not a version such as v2 or v2.1");

    std::string host(u.encoded_host());
    std::transform(host.begin(), host.end(), host.begin(), [](unsigned char ch) { return std::tolower(ch); });
    out.origin = scheme + "://" + std::string(u.encoded_host_and_port());
    c.hostPort = out.origin;
    bool known = std::find(known_api_hosts.begin(), known_api_hosts.end(), host) != known_api_hosts.end();
    bool loopback = host == "127.0.0.1" || host == "localhost" || host == "[::1]";
    if (!known && !loopback)
        out.warnings.push_back("hostPort: " + host +
                               " is not one of Sigma's known API hosts; fine for a proxy, otherwise check the "
                               "region (Administration > Developer Access shows the API URL)");
    out.settings = std::move(c);
    return out;
}

// Reads a JSON object shaped like OpenMetadata's serviceConnection.config:
// {"type": "Sigma", "hostPort": ..., "clientId": ..., "clientSecret": ..., "apiVersion": ...}.
// Unknown keys are errors (OpenMetadata's schema forbids them) with a suggestion.
// Only reads; call validate() to check the values.
template <class V>
    requires std::same_as<V, boost::json::value>
result<config> config_from_json(V const& v) {
    static constexpr std::array<std::string_view, 5> keys{"type", "hostPort", "clientId", "clientSecret",
                                                          "apiVersion"};
    auto const* obj = v.if_object();
    if (obj == nullptr)
        return sigma::error(errc::config, std::string("expected an object, got ") +
                                              std::string(json::detail::kind_name(v.kind())));
    config c;
    for (auto const& kv : *obj) {
        std::string_view key = kv.key();
        if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
            std::string msg = "unknown key";
            if (auto best = closest_key(key, keys); !best.empty()) msg += "; did you mean \"" + best + "\"?";
            else {
                msg += "; expected one of: type, hostPort, clientId, clientSecret, apiVersion";
            }
            return detail::config_error(key, msg);
        }
        auto const* s = kv.value().if_string();
        if (s == nullptr)
            return detail::config_error(key, std::string("expected string, got ") +
                                                 std::string(json::detail::kind_name(kv.value().kind())));
        std::string_view val = *s;
        if (key == "type") {
            if (val != "Sigma") return detail::config_error(key, "must be \"Sigma\", got \"" + std::string(val) + "\"");
        } else if (key == "hostPort") {
            c.hostPort = val;
        } else if (key == "clientId") {
            c.clientId = val;
        } else if (key == "clientSecret") {
            c.clientSecret = secret(val);
        } else if (key == "apiVersion") {
            c.apiVersion = val;
        }
    }
    return c;
}

inline result<config> config_from_json(std::string_view text) {
    boost::system::error_code ec;
    auto v = boost::json::parse(text, ec);
    if (ec) return sigma::error(errc::config, "configuration is not valid JSON: " + ec.message());
    return config_from_json<boost::json::value>(v);
}

} // namespace sigma

#endif
