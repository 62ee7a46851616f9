// SPDX-License-Identifier: MIT
// HTTP proxies for beast_transport: the proxy URL (from the options or from
// https_proxy / HTTPS_PROXY), the no_proxy / NO_PROXY bypass list, and the
// CONNECT request that opens a tunnel. Credentials in a proxy URL become a
// Proxy-Authorization header and never appear in a message.
#ifndef SIGMA_TRANSPORT_DETAIL_PROXY_HPP
#define SIGMA_TRANSPORT_DETAIL_PROXY_HPP

#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::detail {

struct proxy_endpoint {
    std::string host;          // connect here (IPv6 without brackets)
    std::string port;          // service, e.g. "3128"
    std::string authorization; // "Basic ..." or empty; a secret
    std::string display;       // host:port, safe to print
};

inline std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

inline std::string base64(std::string_view in) {
    std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
    int const n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<unsigned char const*>(in.data()), static_cast<int>(in.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// `source` names where the URL came from, for messages; the URL itself is
// never repeated (it may hold a password).
inline result<proxy_endpoint> parse_proxy_url(std::string_view text, std::string_view source) {
    std::string s(text);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
    if (s.find("://") == std::string::npos) s = "http://" + s; // "host:port", as curl accepts
    auto parsed = boost::urls::parse_uri(s);
    std::string const where = "the proxy URL from " + std::string(source);
    if (!parsed) return error(errc::config, where + " is not a URL");
    auto const& u = *parsed;
    if (ascii_lower(std::string(u.scheme().data(), u.scheme().size())) != "http")
        return error(errc::config, where + " must use the http:// scheme (a CONNECT proxy); got " +
                                       std::string(u.scheme().data(), u.scheme().size()) + "://");
    if (u.encoded_host().empty()) return error(errc::config, where + " has no host");
    proxy_endpoint p;
    p.host = u.host_address();
    p.port = u.has_port() ? std::string(u.port().data(), u.port().size()) : std::string("1080");
    if (p.port.empty()) p.port = "1080";
    p.display = std::string(u.encoded_host().data(), u.encoded_host().size()) + ":" + p.port;
    if (u.has_userinfo()) p.authorization = "Basic " + base64(u.user() + ":" + u.password());
    return p;
}

// One no_proxy entry: "*", a host or domain ("example.com" and
// ".example.com" both match example.com and its subdomains), an IP address
// or CIDR block ("10.0.0.0/8"), each optionally with ":port".
struct no_proxy_entry {
    std::string name;                             // lower case, no leading dot
    std::optional<boost::asio::ip::address> net;  // for IP entries
    unsigned prefix = 0;
    std::string port;                             // empty: any
    bool any = false;
};

inline std::vector<no_proxy_entry> parse_no_proxy(std::string_view list) {
    std::vector<no_proxy_entry> out;
    std::size_t i = 0;
    while (i < list.size()) {
        std::size_t j = list.find_first_of(", \t", i);
        if (j == std::string_view::npos) j = list.size();
        std::string item = ascii_lower(list.substr(i, j - i));
        i = j + 1;
        if (item.empty()) continue;
        no_proxy_entry e;
        if (item == "*") {
            e.any = true;
            out.push_back(std::move(e));
            continue;
        }
        // Split off a port: "[v6]:p", "host:p"; a bare IPv6 address has several colons.
        if (item.front() == '[') {
            auto close = item.find(']');
            if (close == std::string::npos) continue;
            if (close + 1 < item.size() && item[close + 1] == ':') e.port = item.substr(close + 2);
            item = item.substr(1, close - 1);
        } else if (std::count(item.begin(), item.end(), ':') == 1) {
            auto colon = item.find(':');
            e.port = item.substr(colon + 1);
            item.resize(colon);
        }
        std::string addr = item;
        unsigned prefix = 0;
        bool has_prefix = false;
        if (auto slash = item.find('/'); slash != std::string::npos) {
            addr = item.substr(0, slash);
            prefix = static_cast<unsigned>(std::strtoul(item.c_str() + slash + 1, nullptr, 10));
            has_prefix = true;
        }
        boost::system::error_code ec;
        auto ip = boost::asio::ip::make_address(addr, ec);
        if (!ec) {
            e.net = ip;
            unsigned const bits = ip.is_v4() ? 32u : 128u;
            e.prefix = has_prefix ? std::min(prefix, bits) : bits;
        } else {
            while (!item.empty() && (item.front() == '.' || item.front() == '*')) item.erase(item.begin());
            while (!item.empty() && item.back() == '.') item.pop_back();
            if (item.empty()) continue;
            e.name = std::move(item);
        }
        out.push_back(std::move(e));
    }
    return out;
}

inline bool ip_in_network(boost::asio::ip::address const& a, boost::asio::ip::address const& net, unsigned prefix) {
    if (a.is_v4() != net.is_v4()) return false;
    auto match = [prefix](auto const& x, auto const& y) {
        for (unsigned bit = 0; bit < prefix; ++bit) {
            unsigned const byte = bit / 8, mask = 0x80u >> (bit % 8);
            if ((x[byte] & mask) != (y[byte] & mask)) return false;
        }
        return true;
    };
    return a.is_v4() ? match(a.to_v4().to_bytes(), net.to_v4().to_bytes())
                     : match(a.to_v6().to_bytes(), net.to_v6().to_bytes());
}

// Whether a request to host:port goes direct.
inline bool bypasses_proxy(std::vector<no_proxy_entry> const& list, std::string_view host_in, std::string_view port) {
    std::string host = ascii_lower(host_in);
    while (!host.empty() && host.back() == '.') host.pop_back();
    boost::system::error_code ec;
    auto const ip = boost::asio::ip::make_address(host, ec);
    for (auto const& e : list) {
        if (e.any) return true;
        if (!e.port.empty() && e.port != port) continue;
        if (e.net) {
            if (!ec && ip_in_network(ip, *e.net, e.prefix)) return true;
            continue;
        }
        if (host == e.name) return true;
        if (host.size() > e.name.size() && host.ends_with(e.name) && host[host.size() - e.name.size() - 1] == '.')
            return true;
    }
    return false;
}

inline std::optional<std::string> env_value(char const* lower, char const* upper) {
    if (char const* v = std::getenv(lower); v && *v) return std::string(v);
    if (char const* v = std::getenv(upper); v && *v) return std::string(v);
    return std::nullopt;
}

// The CONNECT request for a tunnel to authority (host:port).
inline std::string connect_request(std::string const& authority, proxy_endpoint const& proxy) {
    std::string r = "CONNECT " + authority + " HTTP/1.1\r\nHost: " + authority + "\r\n";
    if (!proxy.authorization.empty()) r += "Proxy-Authorization: " + proxy.authorization + "\r\n";
    r += "\r\n";
    return r;
}

} // namespace sigma::detail

#endif
