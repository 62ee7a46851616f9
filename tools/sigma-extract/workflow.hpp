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
};

inline sigma::error config_error(std::string_view file, std::string_view key, std::string_view problem) {
    std::string m(file);
    if (!key.empty()) {
        m += ": ";
        m += key;
    }
    m += ": ";
    m += problem;
    return sigma::error(sigma::errc::config, m);
}

namespace detail {

// YAML to JSON: quoted scalars stay strings; plain scalars become null, bools
// and numbers where YAML 1.2's core schema says so.
struct too_deep {};
inline constexpr int max_depth = 64; // as the JSON reader's limit

inline boost::json::value to_json(YAML::Node const& n, int depth = 0) {
    if (depth > max_depth) throw too_deep{};
    switch (n.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined: return nullptr;
    case YAML::NodeType::Sequence: {
        boost::json::array a;
        for (auto const& e : n) a.push_back(to_json(e, depth + 1));
        return a;
    }
    case YAML::NodeType::Map: {
        boost::json::object o;
        for (auto const& kv : n) o[kv.first.as<std::string>()] = to_json(kv.second, depth + 1);
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

inline std::string join_key(std::string_view a, std::string_view b) {
    std::string s(a);
    if (!s.empty()) s += '.';
    s += b;
    return s;
}

inline sigma::result<bool> read_bool(std::string_view file, std::string const& key, boost::json::value const& v) {
    if (auto const* b = v.if_bool()) return *b;
    return config_error(file, key, std::string("expected true or false, got ") + std::string(
        sigma::json::detail::kind_name(v.kind())));
}

inline sigma::result<sigma::extract::filter_pattern> read_filter(std::string_view file, std::string const& key,
                                                                 boost::json::value const& v) {
    sigma::extract::filter_pattern p;
    auto const* o = v.if_object();
    if (o == nullptr) return config_error(file, key, "expected an object with includes and excludes");
    for (auto const& kv : *o) {
        std::string k = join_key(key, kv.key());
        std::vector<std::string>* dst = nullptr;
        if (kv.key() == "includes") dst = &p.includes;
        else if (kv.key() == "excludes") dst = &p.excludes;
        else return config_error(file, k, "unknown key; expected includes or excludes");
        if (kv.value().is_null()) continue;
        auto const* a = kv.value().if_array();
        if (a == nullptr) return config_error(file, k, "expected a list of regular expressions");
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto const* s = (*a)[i].if_string();
            if (s == nullptr)
                return config_error(file, k + "[" + std::to_string(i) + "]", "expected a string (a regular expression)");
            dst->emplace_back(*s);
        }
    }
    return p;
}

} // namespace detail

// Parses a workflow document: YAML, or JSON when `json` (for exact error
// positions). `name` is the file name errors give.
inline sigma::result<boost::json::value> parse_document(std::string_view text, std::string const& name, bool json) {
    if (json) {
        boost::json::parse_options po;
        po.max_depth = detail::max_depth;
        boost::json::parser p({}, po);
        boost::system::error_code ec;
        std::size_t used = p.write(text.data(), text.size(), ec);
        if (ec) {
            std::size_t line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(std::min(used, text.size())), '\n'));
            return config_error(name, "", "not valid JSON at line " + std::to_string(line) + ": " + ec.message());
        }
        return p.release();
    }
    try {
        return detail::to_json(YAML::Load(std::string(text)));
    } catch (YAML::Exception const& e) {
        return config_error(name, "", "not valid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                                          std::to_string(e.mark.column + 1) + ": " + e.msg);
    } catch (detail::too_deep const&) {
        return config_error(name, "", "nested deeper than " + std::to_string(detail::max_depth) + " levels");
    }
}

// Reads the file as YAML (JSON is read as YAML's subset too, but a .json file
// goes through the JSON parser for exact error positions).
inline sigma::result<boost::json::value> load_document(std::string const& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return config_error(path, "", "cannot be read");
    std::ostringstream ss;
    ss << in.rdbuf();
    bool const json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
    return parse_document(ss.str(), path, json);
}

inline sigma::result<workflow> read_workflow(boost::json::value const& doc, std::string const& file) {
    workflow w;
    auto const* root = doc.if_object();
    if (root == nullptr) return config_error(file, "", "expected a mapping with a `source` section");
    auto const* source = root->if_contains("source");
    if (source == nullptr || !source->is_object()) return config_error(file, "source", "missing (an object)");
    auto const& src = source->get_object();
    if (auto const* n = src.if_contains("serviceName")) {
        if (!n->is_string() || n->get_string().empty())
            return config_error(file, "source.serviceName", "expected a non-empty string");
        w.service_name = std::string(n->get_string());
    }
    if (auto const* t = src.if_contains("type"); t && t->is_string()) {
        std::string type(t->get_string());
        std::transform(type.begin(), type.end(), type.begin(), [](unsigned char c) { return std::tolower(c); });
        if (type != "sigma") return config_error(file, "source.type", "must be sigma, got \"" + std::string(t->get_string()) + "\"");
    }
    auto const* sc = src.if_contains("serviceConnection");
    auto const* cfg = sc && sc->is_object() ? sc->get_object().if_contains("config") : nullptr;
    if (cfg == nullptr) return config_error(file, "source.serviceConnection.config", "missing (an object)");
    auto conn = sigma::config_from_json(*cfg);
    if (!conn) return config_error(file, "source.serviceConnection.config", conn.error().message());
    w.connection = std::move(*conn);
    if (auto const* o = cfg->if_object()) {
        for (auto key : {"clientId", "clientSecret"})
            if (!o->contains(key))
                return config_error(file, std::string("source.serviceConnection.config.") + key, "missing (required)");
    }

    if (auto const* scfg = src.if_contains("sourceConfig")) {
        auto const* c = scfg->is_object() ? scfg->get_object().if_contains("config") : nullptr;
        if (c != nullptr && !c->is_null()) {
            if (!c->is_object()) return config_error(file, "source.sourceConfig.config", "expected an object");
            // OpenMetadata's DashboardMetadata settings that do not apply here.
            static constexpr std::array<std::string_view, 8> ignored{
                "type", "lineageInformation", "markDeletedDashboards", "markDeletedDataModels", "includeDraftDashboard",
                "overrideMetadata", "overrideLineage", "dbServicePrefixes"};
            static constexpr std::array<std::string_view, 14> known{
                "dashboardFilterPattern", "chartFilterPattern", "dataModelFilterPattern", "projectFilterPattern",
                "includeOwners", "includeDataModels", "includeTags", "dbServicePrefix", "includeLineage",
                "includeArchived", "includeColumns", "includeQueries", "type", "lineageInformation"};
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
                else if (k == "dbServicePrefix") {
                    if (!v.is_string()) return config_error(file, key, "expected a string like service.db.schema.table");
                    s.dbServicePrefix = std::string(v.get_string());
                } else if (std::find(ignored.begin(), ignored.end(), k) == ignored.end()) {
                    std::string msg = "unknown key";
                    if (auto best = sigma::closest_key(k, known); !best.empty()) msg += "; did you mean \"" + best + "\"?";
                    return config_error(file, key, msg);
                }
                if (e) return std::move(*e);
            }
            // A bad regex is a configuration error too: find it now, not mid-run.
            auto compiled = sigma::extract::compiled_filters::compile(w.source);
            if (!compiled) return config_error(file, "source.sourceConfig.config", compiled.error().message());
        }
    }

    if (auto const* wc = root->if_contains("workflowConfig"); wc && wc->is_object()) {
        if (auto const* om = wc->get_object().if_contains("openMetadataServerConfig"); om && om->is_object()) {
            auto const& o = om->get_object();
            if (auto const* h = o.if_contains("hostPort"); h && h->is_string()) w.openmetadata_host = std::string(h->get_string());
            if (auto const* sec = o.if_contains("securityConfig"); sec && sec->is_object())
                if (auto const* j = sec->get_object().if_contains("jwtToken"); j && j->is_string())
                    w.openmetadata_jwt = sigma::secret(std::string_view(j->get_string()));
        }
    }
    return w;
}

} // namespace sigma_tool

#endif
