// The tool's configuration: an OpenMetadata workflow file (YAML or JSON) of
// which source.serviceName, source.serviceConnection.config,
// source.sourceConfig.config and workflowConfig.openMetadataServerConfig are
// read. Errors name the file, the key and the problem.
#ifndef SIGMA_TOOL_WORKFLOW_HPP
#define SIGMA_TOOL_WORKFLOW_HPP

#include <sigma/config.hpp>
#include <sigma/extract/options.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>

#include <boost/json.hpp>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace sigma_tool {

struct workflow {
    std::string service_name = "sigma";
    sigma::config connection;
    sigma::extract::options source;
    std::optional<std::string> openmetadata_host;
    std::optional<sigma::secret> openmetadata_jwt;
    // sourceConfig's markDeletedDashboards / markDeletedDataModels: whether an
    // incremental run's deletions are written as soft deletes.
    bool mark_deleted_dashboards = true;
    bool mark_deleted_data_models = true;
};

// "file: key: problem". Keys and values are echoed, so control characters (a
// terminal escape, a NUL given as a JSON escape) are shown as \xNN.
inline sigma::error config_error(std::string_view file, std::string_view key, std::string_view problem) {
    std::string m(file);
    if (!key.empty()) {
        m += ": ";
        m += key;
    }
    m += ": ";
    m += problem;
    return sigma::error(sigma::errc::config, sigma::detail::printable(m));
}

namespace detail {

struct too_deep {};
struct too_big {};
inline constexpr int max_depth = 64; // as the JSON reader's limit
// A workflow has a few dozen values; YAML aliases can make a small file
// expand to billions ("billion laughs").
inline constexpr std::size_t max_nodes = 100000;

// YAML to JSON: quoted scalars stay strings; plain scalars become null, bools
// and numbers where YAML 1.2's core schema says so. Each value spends one of `budget`.
inline boost::json::value to_json(YAML::Node const& n, std::size_t& budget, int depth = 0) {
    if (depth > max_depth) throw too_deep{};
    if (budget == 0) throw too_big{};
    --budget;
    switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
        boost::json::array a;
        for (auto const& e : n) a.push_back(to_json(e, budget, depth + 1));
        return a;
    }
    case YAML::NodeType::Map: {
        boost::json::object o;
        for (auto const& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second, budget, depth + 1);
        return o;
    }
    case YAML::NodeType::Scalar: {
        std::string const& s = n.Scalar();
        if (n.Tag() == "!") return boost::json::string(s); // quoted
        if (s == "null" || s == "~" || s == "Null" || s == "NULL") return nullptr;
        if (s == "true" || s == "True" || s == "TRUE") return true;
        if (s == "false" || s == "False" || s == "FALSE") return false;
        boost::system::error_code ec;
        auto v = boost::json::parse(s, ec);
        if (!ec && v.is_number()) return v;
        return boost::json::string(s);
    }
    }
    return nullptr;
}

// "line L, column C" (1-based; columns count characters) of byte `at` of `text`.
inline std::string position(std::string_view text, std::size_t at) {
    at = std::min(at, text.size());
    std::size_t line = 1, column = 1;
    for (std::size_t i = 0; i < at; ++i) {
        auto const c = static_cast<unsigned char>(text[i]);
        if (c == '\n') {
            ++line;
            column = 1;
        } else if ((c & 0xC0) != 0x80) {
            ++column;
        }
    }
    return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The offset of the first byte that does not belong to well-formed UTF-8
// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), or npos.
inline std::size_t invalid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        auto const c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t n = 0;
        unsigned char lo = 0x80, hi = 0xBF; // the range of the second byte
        if (c >= 0xC2 && c <= 0xDF) n = 1;
        else if (c == 0xE0) n = 2, lo = 0xA0;
        else if (c == 0xED) n = 2, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF) n = 2;
        else if (c == 0xF0) n = 3, lo = 0x90;
        else if (c >= 0xF1 && c <= 0xF3) n = 3;
        else if (c == 0xF4) n = 3, hi = 0x8F;
        else return i;
        for (std::size_t k = 1; k <= n; ++k) {
            if (i + k >= s.size()) return i;
            auto const d = static_cast<unsigned char>(s[i + k]);
            if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF)) return i;
        }
        i += n + 1;
    }
    return std::string_view::npos;
}

inline constexpr std::string_view utf8_bom = "\xEF\xBB\xBF";

// A workflow file is UTF-8 text with something in it. `text` has no BOM.
inline std::optional<sigma::error> check_text(std::string_view text, std::string_view name) {
    if (text.starts_with("\xFF\xFE") || text.starts_with("\xFE\xFF"))
        return config_error(name, "", "is UTF-16 text (it starts with a UTF-16 byte order mark); save it as UTF-8");
    if (auto nul = text.find('\0'); nul != std::string_view::npos)
        return config_error(name, "", "has a NUL byte at " + position(text, nul) +
                                          "; a workflow file is UTF-8 text (is it UTF-16, or not a text file?)");
    if (auto bad = invalid_utf8(text); bad != std::string_view::npos) {
        char byte[8];
        std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
        return config_error(name, "", std::string("is not UTF-8 text: byte ") + byte + " at " + position(text, bad) +
                                          " does not belong to a UTF-8 character (save the file as UTF-8)");
    }
    if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return config_error(name, "", "is empty; expected an OpenMetadata workflow with a `source` section");
    return std::nullopt;
}

inline std::string kind_of(boost::json::value const& v) { return std::string(sigma::json::detail::kind_name(v.kind())); }

// "unknown key" and the closest known key, or the list of them.
template <std::size_t N>
sigma::error unknown_key(std::string_view file, std::string const& key, std::string_view name,
                         std::array<std::string_view, N> const& known) {
    std::string msg = "unknown key";
    if (auto best = sigma::closest_key(name, known); !best.empty()) {
        msg += "; did you mean \"" + best + "\"?";
    } else {
        msg += "; expected one of:";
        for (std::size_t i = 0; i < N; ++i) msg += (i == 0 ? " " : ", ") + std::string(known[i]);
    }
    return config_error(file, key, msg);
}

// The error of sigma::config_from_json for `obj` at `where`: its "key: problem"
// becomes "where.key: problem" when the key is one of the object's.
inline sigma::error connection_error(std::string_view file, std::string const& where, boost::json::value const& obj,
                                     std::string const& message) {
    if (auto const* o = obj.if_object()) {
        for (auto const& kv : *o) {
            std::string const k = sigma::detail::printable(std::string_view(kv.key())); // as the message shows it
            if (message.size() > k.size() + 2 && message.compare(0, k.size(), k) == 0 &&
                message.compare(k.size(), 2, ": ") == 0)
                return config_error(file, where + "." + k, std::string_view(message).substr(k.size() + 2));
        }
    }
    return config_error(file, where, message);
}

inline std::string join_key(std::string_view a, std::string_view b) {
    std::string s(a);
    if (!s.empty()) s += '.';
    s += b;
    return s;
}

inline sigma::result<bool> read_bool(std::string_view file, std::string const& key, boost::json::value const& v) {
    if (auto const* b = v.if_bool()) return *b;
    return config_error(file, key, "expected true or false, got " + kind_of(v));
}

inline sigma::result<sigma::extract::filter_pattern> read_filter(std::string_view file, std::string const& key,
                                                                 boost::json::value const& v) {
    sigma::extract::filter_pattern p;
    auto const* o = v.if_object();
    if (o == nullptr) return config_error(file, key, "expected an object with includes and excludes, got " + kind_of(v));
    for (auto const& kv : *o) {
        std::string k = join_key(key, kv.key());
        std::vector<std::string>* dst = nullptr;
        if (kv.key() == "includes") dst = &p.includes;
        else if (kv.key() == "excludes") dst = &p.excludes;
        else return config_error(file, k, "unknown key; expected includes or excludes");
        if (kv.value().is_null()) continue;
        auto const* a = kv.value().if_array();
        if (a == nullptr) return config_error(file, k, "expected a list of regular expressions, got " + kind_of(kv.value()));
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto const* s = (*a)[i].if_string();
            if (s == nullptr)
                return config_error(file, k + "[" + std::to_string(i) + "]",
                                    "expected a string (a regular expression), got " + kind_of((*a)[i]));
            dst->emplace_back(*s);
        }
    }
    // A bad regex is a configuration error too: find it now, not mid-run.
    if (auto c = sigma::extract::compiled_filter::compile(key, p); !c)
        return config_error(file, "", c.error().message()); // "<key>.includes[i]: invalid regular expression ..."
    return p;
}

} // namespace detail

// Parses a workflow document: YAML, or JSON when `json` (for exact error
// positions). `name` is the file name errors give. The text must be UTF-8
// (a leading BOM is skipped) without NUL bytes, and not empty.
inline sigma::result<boost::json::value> parse_document(std::string_view text, std::string const& name, bool json) {
    if (text.starts_with(detail::utf8_bom)) text.remove_prefix(detail::utf8_bom.size());
    if (auto e = detail::check_text(text, name)) return std::move(*e);
    if (json) {
        boost::json::parse_options po;
        po.max_depth = detail::max_depth;
        boost::json::parser p({}, po);
        boost::system::error_code ec;
        std::size_t used = p.write(text.data(), text.size(), ec);
        if (ec)
            return config_error(name, "", "not valid JSON at " + detail::position(text, used) + ": " + ec.message());
        return p.release();
    }
    try {
        std::size_t budget = detail::max_nodes;
        return detail::to_json(YAML::Load(std::string(text)), budget);
    } catch (YAML::Exception const& e) {
        std::string where = e.mark.is_null() ? std::string()
                                             : " at line " + std::to_string(e.mark.line + 1) + ", column " +
                                                   std::to_string(e.mark.column + 1);
        return config_error(name, "", "not valid YAML" + where + ": " + e.msg);
    } catch (detail::too_deep const&) {
        return config_error(name, "", "nested deeper than " + std::to_string(detail::max_depth) + " levels");
    } catch (detail::too_big const&) {
        return config_error(name, "", "has more than " + std::to_string(detail::max_nodes) +
                                          " values once YAML aliases are expanded; not a workflow file");
    }
}

// Workflow files are small; this stops `--config /dev/zero` and the like.
inline constexpr std::size_t max_workflow_size = 4 << 20;

// Reads the file as YAML (JSON is read as YAML's subset too, but a .json file
// goes through the JSON parser for exact error positions).
inline sigma::result<boost::json::value> load_document(std::string const& path) {
    namespace fs = std::filesystem;
    std::error_code fec;
    auto const st = fs::status(path, fec);
    if (fec) return config_error(path, "", "cannot be read: " + fec.message());
    if (fs::is_directory(st)) return config_error(path, "", "cannot be read: is a directory, not a workflow file");
    errno = 0;
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        int const err = errno;
        return config_error(path, "", std::string("cannot be read") + (err != 0 ? std::string(": ") + std::strerror(err) : ""));
    }
    std::string text;
    char buf[16384];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > max_workflow_size)
            return config_error(path, "", "is larger than " + std::to_string(max_workflow_size >> 20) +
                                              " MiB; not a workflow file");
    }
    if (in.bad()) return config_error(path, "", "cannot be read: input/output error");
    bool const json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return parse_document(text, path, json);
}

inline sigma::result<workflow> read_workflow(boost::json::value const& doc, std::string const& file) {
    using detail::kind_of;
    workflow w;
    if (doc.is_null())
        return config_error(file, "", "is empty (no YAML content); expected an OpenMetadata workflow with a `source` section");
    auto const* root = doc.if_object();
    if (root == nullptr) return config_error(file, "", "expected a mapping with a `source` section, got " + kind_of(doc));
    // OpenMetadata's workflow schema (additionalProperties: false at these levels).
    static constexpr std::array<std::string_view, 8> top_keys{
        "source", "processor", "stage", "sink", "bulkSink", "workflowConfig", "ingestionPipelineFQN", "pipelineRunId"};
    static constexpr std::array<std::string_view, 4> source_keys{"type", "serviceName", "serviceConnection", "sourceConfig"};
    static constexpr std::array<std::string_view, 1> config_only{"config"};
    for (auto const& kv : *root)
        if (std::find(top_keys.begin(), top_keys.end(), std::string_view(kv.key())) == top_keys.end())
            return detail::unknown_key(file, std::string(kv.key()), kv.key(), top_keys);
    auto const* source = root->if_contains("source");
    if (source == nullptr) return config_error(file, "source", "missing (an object)");
    if (!source->is_object()) return config_error(file, "source", "expected an object, got " + kind_of(*source));
    auto const& src = source->get_object();
    for (auto const& kv : src)
        if (std::find(source_keys.begin(), source_keys.end(), std::string_view(kv.key())) == source_keys.end())
            return detail::unknown_key(file, "source." + std::string(kv.key()), kv.key(), source_keys);
    if (auto const* n = src.if_contains("serviceName")) {
        if (!n->is_string() || n->get_string().empty())
            return config_error(file, "source.serviceName", "expected a non-empty string, got " +
                                                                (n->is_string() ? std::string("\"\"") : kind_of(*n)));
        w.service_name = std::string(n->get_string());
    }
    if (auto const* t = src.if_contains("type"); t && !t->is_null()) {
        if (!t->is_string()) return config_error(file, "source.type", "expected a string (sigma), got " + kind_of(*t));
        std::string type(t->get_string());
        std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
        if (type != "sigma") return config_error(file, "source.type", "must be sigma, got \"" + std::string(t->get_string()) + "\"");
    }
    auto const* sc = src.if_contains("serviceConnection");
    if (sc != nullptr && !sc->is_object())
        return config_error(file, "source.serviceConnection", "expected an object with `config`, got " + kind_of(*sc));
    if (sc != nullptr)
        for (auto const& kv : sc->get_object())
            if (kv.key() != "config")
                return detail::unknown_key(file, "source.serviceConnection." + std::string(kv.key()), kv.key(), config_only);
    auto const* cfg = sc != nullptr ? sc->get_object().if_contains("config") : nullptr;
    if (cfg == nullptr) return config_error(file, "source.serviceConnection.config", "missing (an object)");
    auto conn = sigma::config_from_json(*cfg);
    if (!conn) return detail::connection_error(file, "source.serviceConnection.config", *cfg, conn.error().message());
    w.connection = std::move(*conn);
    if (auto const* o = cfg->if_object()) {
        for (auto key : {"clientId", "clientSecret"})
            if (!o->contains(key))
                return config_error(file, std::string("source.serviceConnection.config.") + key, "missing (required)");
    }

    if (auto const* scfg = src.if_contains("sourceConfig"); scfg != nullptr && !scfg->is_null()) {
        if (!scfg->is_object())
            return config_error(file, "source.sourceConfig", "expected an object with `config`, got " + kind_of(*scfg));
        for (auto const& kv : scfg->get_object())
            if (kv.key() != "config")
                return detail::unknown_key(file, "source.sourceConfig." + std::string(kv.key()), kv.key(), config_only);
        auto const* c = scfg->get_object().if_contains("config");
        if (c != nullptr && !c->is_null()) {
            if (!c->is_object())
                return config_error(file, "source.sourceConfig.config", "expected an object, got " + kind_of(*c));
            // OpenMetadata's DashboardMetadata settings that do not apply here.
            static constexpr std::array<std::string_view, 6> ignored{
                "type", "lineageInformation", "includeDraftDashboard", "overrideMetadata", "overrideLineage",
                "dbServicePrefixes"};
            static constexpr std::array<std::string_view, 16> known{
                "dashboardFilterPattern", "chartFilterPattern", "dataModelFilterPattern", "projectFilterPattern",
                "includeOwners", "includeDataModels", "includeTags", "dbServicePrefix", "includeLineage",
                "includeArchived", "includeColumns", "includeQueries", "type", "lineageInformation",
                "markDeletedDashboards", "markDeletedDataModels"};
            for (auto const& kv : c->get_object()) {
                std::string key = "source.sourceConfig.config." + std::string(kv.key());
                std::string_view k = kv.key();
                auto const& v = kv.value();
                auto set_bool = [&](bool& dst) -> std::optional<sigma::error> {
                    auto b = detail::read_bool(file, key, v);
                    if (!b) return b.error();
                    dst = *b;
                    return std::nullopt;
                };
                auto set_filter = [&](sigma::extract::filter_pattern& dst) -> std::optional<sigma::error> {
                    auto f = detail::read_filter(file, key, v);
                    if (!f) return f.error();
                    dst = std::move(*f);
                    return std::nullopt;
                };
                std::optional<sigma::error> e;
                auto& s = w.source;
                if (k == "dashboardFilterPattern") e = set_filter(s.dashboardFilterPattern);
                else if (k == "chartFilterPattern") e = set_filter(s.chartFilterPattern);
                else if (k == "dataModelFilterPattern") e = set_filter(s.dataModelFilterPattern);
                else if (k == "projectFilterPattern") e = set_filter(s.projectFilterPattern);
                else if (k == "includeOwners") e = set_bool(s.includeOwners);
                else if (k == "includeDataModels") e = set_bool(s.includeDataModels);
                else if (k == "includeTags") e = set_bool(s.includeTags);
                else if (k == "includeLineage") e = set_bool(s.includeLineage);
                else if (k == "includeArchived") e = set_bool(s.includeArchived);
                else if (k == "includeColumns") e = set_bool(s.includeColumns);
                else if (k == "includeQueries") e = set_bool(s.includeQueries);
                else if (k == "markDeletedDashboards") e = set_bool(w.mark_deleted_dashboards);
                else if (k == "markDeletedDataModels") e = set_bool(w.mark_deleted_data_models);
                else if (k == "dbServicePrefix") {
                    if (!v.is_string())
                        return config_error(file, key, "expected a string like service.db.schema.table, got " + kind_of(v));
                    s.dbServicePrefix = std::string(v.get_string());
                } else if (std::find(ignored.begin(), ignored.end(), k) == ignored.end()) {
                    std::string msg = "unknown key";
                    if (auto best = sigma::closest_key(k, known); !best.empty()) msg += "; did you mean \"" + best + "\"?";
                    return config_error(file, key, msg);
                }
                if (e) return std::move(*e);
            }
            // (read_filter has compiled each pattern: a bad regex is reported with its full key.)
        }
    }

    // Only what --push reads is checked here; the rest of workflowConfig is OpenMetadata's.
    if (auto const* wc = root->if_contains("workflowConfig"); wc && !wc->is_null()) {
        std::string const base = "workflowConfig";
        if (!wc->is_object()) return config_error(file, base, "expected an object, got " + kind_of(*wc));
        if (auto const* om = wc->get_object().if_contains("openMetadataServerConfig"); om && !om->is_null()) {
            std::string const omk = base + ".openMetadataServerConfig";
            if (!om->is_object()) return config_error(file, omk, "expected an object, got " + kind_of(*om));
            auto const& o = om->get_object();
            if (auto const* h = o.if_contains("hostPort"); h && !h->is_null()) {
                if (!h->is_string())
                    return config_error(file, omk + ".hostPort",
                                        "expected a string such as http://localhost:8585/api, got " + kind_of(*h));
                w.openmetadata_host = std::string(h->get_string());
            }
            if (auto const* sec = o.if_contains("securityConfig"); sec && !sec->is_null()) {
                if (!sec->is_object())
                    return config_error(file, omk + ".securityConfig", "expected an object, got " + kind_of(*sec));
                if (auto const* j = sec->get_object().if_contains("jwtToken"); j && !j->is_null()) {
                    if (!j->is_string())
                        return config_error(file, omk + ".securityConfig.jwtToken", "expected a string, got " + kind_of(*j));
                    w.openmetadata_jwt = sigma::secret(std::string_view(j->get_string()));
                }
            }
        }
    }
    return w;
}

} // namespace sigma_tool

#endif
