// SPDX-License-Identifier: MIT
// The state of incremental runs: what the last complete run saw of each
// workbook and data model (its updatedAt and latestVersion, and everything
// that run read about it), so that the next run re-reads only what changed
// and still hands the sink exactly what a full run would.
//
// The file is JSON, versioned ("sigmaState": 1), written atomically (a
// temporary file in the same directory, flushed, then renamed over the old
// one) and checked when read: a file that is not JSON, is cut short, comes
// from a newer sigma-cpp, names another organisation, or whose entries do
// not match their digests is refused with an error naming the file and what
// is wrong. It is never silently discarded: a full run (`--full`) is the way
// to start again.
#ifndef SIGMA_EXTRACT_STATE_HPP
#define SIGMA_EXTRACT_STATE_HPP

#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/options.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/result.hpp>
#include <sigma/version.hpp>

#include <boost/describe/class.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#endif

namespace sigma::extract {

// The format this library writes and the newest it reads.
inline constexpr int state_format = 1;

// Lineage names a data model by its urlId; the extraction writes the id the
// data model listing gives for it. The state keeps the pair, so that a later
// run can write what its own listing says (the model may be gone, or back).
struct data_model_alias {
    std::string urlId;
    std::string dataModelId;
    bool operator==(data_model_alias const&) const = default;
};
BOOST_DESCRIBE_STRUCT(data_model_alias, (), (urlId, dataModelId))

// What a run read about one workbook, beyond its listing entry. The parts
// that come from organisation-wide listings (owner, workspace, badge, tags,
// names, URLs) are not kept: each run takes them from its own listings.
struct state_workbook {
    std::string workbookId;
    std::string name;
    std::string updatedAt;
    std::int64_t latestVersion = 0;
    // Read without a failure and every table resolved exactly: may be
    // re-emitted as it is while the workbook is unchanged. An entry that is
    // not reusable still names the elements (for deletions) and is re-read.
    bool reusable = true;
    std::string digest; // of pages, dataModelIds and dataModelAliases, checked when the file is read
    std::vector<page_info> pages;
    std::vector<std::string> dataModelIds;
    std::vector<std::string> warnings;   // what the read noted (e.g. a retired dataset source)
    std::vector<filtered> filteredOut;   // its elements the chart filter left out
    std::vector<data_model_alias> dataModelAliases; // the data model sources' ids, as this run wrote them
    bool operator==(state_workbook const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state_workbook, (),
                      (workbookId, name, updatedAt, latestVersion, reusable, digest, pages, dataModelIds, warnings,
                       filteredOut, dataModelAliases))

struct state_data_model {
    std::string dataModelId;
    std::string name;
    std::optional<std::string> updatedAt; // absent in the listing: never reused
    std::int64_t latestVersion = 0;
    bool reusable = true;
    std::string digest; // of elements
    std::vector<data_model_element_info> elements;
    bool operator==(state_data_model const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state_data_model, (),
                      (dataModelId, name, updatedAt, latestVersion, reusable, digest, elements))

struct state {
    int sigmaState = state_format;
    std::string writtenBy;     // "sigma-cpp 0.3.0"
    std::string hostPort;      // the organisation it describes: the same host
    std::string clientId;      // and credential must read it back
    std::string optionsDigest; // the options that shape what is read; another set: nothing is reused
    std::vector<state_workbook> workbooks;   // by id
    std::vector<state_data_model> dataModels; // by id
    bool operator==(state const&) const = default;
};
BOOST_DESCRIBE_STRUCT(state, (), (sigmaState, writtenBy, hostPort, clientId, optionsDigest, workbooks, dataModels))

// A run's incremental side: the state it starts from and the one it leaves.
struct incremental {
    // What the last complete run saw; nullopt for a first or a full run (the
    // run then reads everything, and deletes nothing).
    std::optional<state> previous;
    // What this run saw, for the next one. Save it only when `advance`: an
    // incomplete run (an organisation-wide listing failed) leaves it unset.
    state next;
    bool advance = false;
};

namespace detail {

// FNV-1a, 64 bits: a fixed function, so digests are the same on every
// platform and build (std::hash is not).
constexpr std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ULL) noexcept {
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

inline std::string hex64(std::uint64_t v) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string s(16, '0');
    for (int i = 15; i >= 0; --i, v >>= 4) s[static_cast<std::size_t>(i)] = digits[v & 0xf];
    return s;
}

// The options that change what a workbook's or data model's read gives.
struct options_fingerprint {
    filter_pattern chartFilterPattern;
    bool includeColumns = true;
    bool includeQueries = true;
    bool includeLineage = true;
    bool includeDataModels = true;
    std::string apiVersion;
};
BOOST_DESCRIBE_STRUCT(options_fingerprint, (),
                      (chartFilterPattern, includeColumns, includeQueries, includeLineage, includeDataModels,
                       apiVersion))

struct state_header {
    std::optional<int> sigmaState;
};
BOOST_DESCRIBE_STRUCT(state_header, (), (sigmaState))

struct workbook_digest_view {
    std::vector<page_info> const* pages;
    std::vector<std::string> const* dataModelIds;
};

} // namespace detail

[[nodiscard]] inline std::string options_digest(options const& o, std::string_view api_version) {
    detail::options_fingerprint f{o.chartFilterPattern, o.includeColumns, o.includeQueries, o.includeLineage,
                                  o.includeDataModels, std::string(api_version)};
    return detail::hex64(detail::fnv1a(json::encode(f)));
}

[[nodiscard]] inline std::string digest_of(state_workbook const& w) {
    auto h = detail::fnv1a(json::encode(w.pages));
    h = detail::fnv1a(json::encode(w.dataModelIds), h);
    return detail::hex64(detail::fnv1a(json::encode(w.dataModelAliases), h));
}

[[nodiscard]] inline std::string digest_of(state_data_model const& m) {
    return detail::hex64(detail::fnv1a(json::encode(m.elements)));
}

namespace detail {
// One organisation, as far as a state file can tell: the same API host and
// credential. A loopback host (a simulated organisation, a test server) is
// the same whatever its port, which such servers pick afresh on each start.
inline bool same_origin(std::string_view a, std::string_view b) {
    if (a == b) return true;
    auto without_port = [](std::string_view u) -> std::string_view {
        for (std::string_view host : {"://127.0.0.1:", "://localhost:", "://[::1]:"}) {
            auto at = u.find(host);
            if (at != std::string_view::npos) return u.substr(0, at + host.size() - 1);
        }
        return {};
    };
    auto pa = without_port(a), pb = without_port(b);
    return !pa.empty() && pa == pb;
}
} // namespace detail

// Checks that `s` may be read back by a run against `connection`; the error
// reads after "the state ".
[[nodiscard]] inline result<void> check_state(state const& s, sigma::config const& connection) {
    if (!detail::same_origin(s.hostPort, connection.hostPort) || s.clientId != connection.clientId)
        return sigma::error(errc::config, "was written for hostPort " + s.hostPort + " and clientId " + s.clientId +
                                              ", not for this run's (" + connection.hostPort + ", " +
                                              connection.clientId +
                                              "): give another state file, or run in full to replace it");
    return {};
}

// Reads a state file's text. `name` (the file) starts every error.
[[nodiscard]] inline result<state> parse_state(std::string_view text, std::string_view name) {
    std::string const where(name);
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return sigma::error(errc::json_syntax, where + ": empty (cut short?); not a sigma-cpp state file");
    auto header = json::decode<detail::state_header>(text);
    if (!header) return sigma::error(header.error().code(), where + ": " + header.error().message());
    if (!header->sigmaState)
        return sigma::error(errc::json_missing_key, where + ": no \"sigmaState\": not a sigma-cpp state file");
    if (*header->sigmaState > state_format || *header->sigmaState < 1)
        return sigma::error(errc::config, where + ": format " + std::to_string(*header->sigmaState) +
                                              " (this sigma-cpp reads format " + std::to_string(state_format) +
                                              "; it was written by a newer one)");
    json::decode_options strict;
    strict.unknown_keys = json::key_policy::reject; // a key we do not know means we would lose it on rewrite
    auto s = json::decode<state>(text, strict);
    if (!s) return sigma::error(s.error().code(), where + ": " + s.error().message(), s.error().json_pointer());
    std::set<std::string_view> seen;
    for (std::size_t i = 0; i < s->workbooks.size(); ++i) {
        auto const& w = s->workbooks[i];
        std::string at = where + ": /workbooks/" + std::to_string(i);
        if (!seen.insert(w.workbookId).second) return sigma::error(errc::json_invalid, at + ": workbook " + w.workbookId + " twice");
        if (digest_of(w) != w.digest)
            return sigma::error(errc::json_invalid, at + ": the digest does not match workbook " + w.workbookId +
                                                        " (the file was edited or damaged)");
    }
    seen.clear();
    for (std::size_t i = 0; i < s->dataModels.size(); ++i) {
        auto const& m = s->dataModels[i];
        std::string at = where + ": /dataModels/" + std::to_string(i);
        if (!seen.insert(m.dataModelId).second)
            return sigma::error(errc::json_invalid, at + ": data model " + m.dataModelId + " twice");
        if (digest_of(m) != m.digest)
            return sigma::error(errc::json_invalid, at + ": the digest does not match data model " + m.dataModelId +
                                                        " (the file was edited or damaged)");
    }
    return std::move(*s);
}

// Reads the state file at `path`: nullopt when there is none yet (a first
// run); an error when it exists but cannot be read or used.
[[nodiscard]] inline result<std::optional<state>> load_state(std::string const& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f == nullptr) {
        if (errno == ENOENT) return std::optional<state>();
        return sigma::error(errc::config, path + ": cannot be read (" + std::strerror(errno) + ")");
    }
    std::string text;
    char buf[65536];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool const failed = std::ferror(f) != 0;
    int const err = errno;
    std::fclose(f);
    if (failed) return sigma::error(errc::config, path + ": cannot be read (" + std::strerror(err) + ")");
    auto s = parse_state(text, path);
    if (!s) return std::move(s).error();
    return std::optional<state>(std::move(*s));
}

// Writes `s` to `path` atomically: a reader sees the old file or the new
// one, never a part of either.
[[nodiscard]] inline result<void> save_state(state const& s, std::string const& path) {
    std::string const tmp = path + ".tmp";
    std::string const text = json::encode(s) + "\n";
    auto fail = [&](char const* what) {
        int const err = errno;
        std::remove(tmp.c_str());
        return sigma::error(errc::config, path + ": cannot " + what + " the state (" + std::strerror(err) + ")");
    };
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (f == nullptr) return fail("write");
    bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size() && std::fflush(f) == 0;
#if defined(__unix__) || defined(__APPLE__)
    ok = ok && ::fsync(::fileno(f)) == 0; // the data is on disk before the rename makes it the state
#endif
    if (std::fclose(f) != 0) ok = false;
    if (!ok) return fail("write");
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return fail("replace");
    return {};
}

} // namespace sigma::extract

#endif
