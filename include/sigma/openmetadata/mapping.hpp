// SPDX-License-Identifier: MIT
// Extracted Sigma entities -> OpenMetadata request records. Pure functions of
// their input (no I/O, no server): a JSON Lines writer and a push-to-server
// sink share them.
//
// What becomes what:
// - the service: CreateDashboardServiceRequest, name = the workflow's
//   serviceName, serviceType "Sigma", connection without the secret;
// - a Sigma data model: CreateDashboardDataModelRequest `<service>.model.<dataModelId>`,
//   columns = its elements' columns;
// - a workbook element: CreateChartRequest `<service>.<elementId>`; with
//   elementDataModels, a data element is also a data model
//   `<service>.model.<elementId>` with its columns (what OpenMetadata's
//   connector does when includeDataModels is on);
// - a workbook: CreateDashboardRequest `<service>.<workbookId>` naming its
//   charts and data models;
// - badges and version tags: tags of the classification `tagClassification`
//   (CreateClassificationRequest and CreateTagRequest records, which must
//   precede the entities using them);
// - lineage: AddLineageRequest per edge: table -> data model, data model ->
//   chart or dashboard, element -> element, with column lineage where the
//   downstream end has columns (a data model) and the extraction matched them;
// - what an incremental run found deleted (extract::report::deletions): a
//   soft delete, `DELETE <entity path>/name/<fqn>?hardDelete=false` with no
//   body, as OpenMetadata's markDeletedDashboards / markDeletedDataModels do.
#ifndef SIGMA_OPENMETADATA_MAPPING_HPP
#define SIGMA_OPENMETADATA_MAPPING_HPP

#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/openmetadata/chart_types.hpp>
#include <sigma/openmetadata/fqn.hpp>
#include <sigma/openmetadata/graph.hpp>
#include <sigma/openmetadata/requests.hpp>
#include <sigma/result.hpp>

#include <boost/describe/class.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

struct mapping_options {
    // The OpenMetadata dashboard service (the workflow's `serviceName`).
    std::string serviceName;
    // OpenMetadata's `dbServicePrefix`; see db_service_prefix for the rule.
    std::string dbServicePrefix;
    // Also write every data element as a data model with its columns, as
    // OpenMetadata's connector does; lineage then runs through those models
    // and carries column lineage.
    bool elementDataModels = false;
    // Write the service's connection (hostPort, clientId, apiVersion; the
    // secret as "***"). Off: the service record has no connection, so replaying
    // it never touches a connection configured in OpenMetadata.
    bool serviceConnection = true;
    // The classification holding Sigma's badges and version tags; empty: no tags.
    std::string tagClassification = "SigmaTags";
    // OpenMetadata's column name limit (entity/data/table.json#/definitions/columnName:
    // 256; older servers had 128). Longer names are cut, the full name kept as displayName.
    std::size_t columnNameMaxLength = 256;
    // OpenMetadata's sourceConfig switches: write a soft delete for each
    // workbook and chart (resp. data model) an incremental run found gone.
    bool markDeletedDashboards = true;
    bool markDeletedDataModels = true;
};
BOOST_DESCRIBE_STRUCT(mapping_options, (),
                      (serviceName, dbServicePrefix, elementDataModels, serviceConnection, tagClassification,
                       columnNameMaxLength, markDeletedDashboards, markDeletedDataModels))

// The records of one extracted entity.
struct entity_records {
    std::vector<std::string> tags;   // tag names its records use: their tag records must come first
    std::vector<record> entities;    // in an order OpenMetadata accepts (data models, charts, dashboard)
    std::vector<record> lineage;     // AddLineageRequest records (after every entity they name exists)
};

namespace detail {

// UTF-16 code units of a UTF-8 string's prefix, as Java's String.length()
// counts them (OpenMetadata validates lengths in Java).
inline std::size_t utf8_sequence_length(unsigned char lead) noexcept {
    if (lead < 0x80) return 1;
    if ((lead & 0xE0) == 0xC0) return 2;
    if ((lead & 0xF0) == 0xE0) return 3;
    if ((lead & 0xF8) == 0xF0) return 4;
    return 1; // a stray byte counts as one unit
}

inline std::size_t utf16_length(std::string_view s) noexcept {
    std::size_t units = 0;
    for (std::size_t i = 0; i < s.size();) {
        std::size_t n = utf8_sequence_length(static_cast<unsigned char>(s[i]));
        units += n == 4 ? 2 : 1;
        i += n;
    }
    return units;
}

// The longest prefix of at most `max_units` UTF-16 units, never splitting a character.
inline std::string utf8_prefix(std::string_view s, std::size_t max_units) {
    std::size_t units = 0, i = 0;
    while (i < s.size()) {
        std::size_t n = utf8_sequence_length(static_cast<unsigned char>(s[i]));
        std::size_t u = n == 4 ? 2 : 1;
        if (units + u > max_units || i + n > s.size()) break;
        units += u;
        i += n;
    }
    return std::string(s.substr(0, i));
}

inline std::string capitalised(std::string s) {
    if (!s.empty()) s[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(s[0])));
    return s;
}

inline bool has_text(std::optional<std::string> const& s) {
    if (!s) return false;
    for (char c : *s)
        if (!std::isspace(static_cast<unsigned char>(c))) return true;
    return false;
}

} // namespace detail

// The display name of an element: its own name, else what it is and where:
// "Bar chart on Overview", or "Untitled bar chart (el-42)" on an unnamed page.
inline std::string element_display_name(extract::element_info const& el, std::optional<std::string> const& page_name) {
    if (detail::has_text(el.name)) return *el.name;
    std::string kind = element_kind_words(el.vizualizationType, el.type);
    if (detail::has_text(page_name)) return detail::capitalised(kind) + " on " + *page_name;
    return "Untitled " + kind + " (" + el.elementId + ")";
}

// An OpenMetadata column name for a Sigma column name: "::" (reserved in
// OpenMetadata names) becomes ":", and the result is cut to `max_units`.
inline std::string column_name(std::string_view full, std::size_t max_units) {
    std::string name;
    name.reserve(full.size());
    for (std::size_t i = 0; i < full.size(); ++i) {
        if (full[i] == ':' && !name.empty() && name.back() == ':') continue;
        name += full[i];
    }
    if (name.empty()) name = "-"; // OpenMetadata's name for an unnamed column
    if (detail::utf16_length(name) > max_units) name = detail::utf8_prefix(name, max_units);
    return name;
}

// Sigma columns -> OpenMetadata columns with unique names; `names` receives
// full name -> column name, for column lineage.
inline std::vector<column> columns_for(std::vector<extract::column_info> const& in, std::size_t max_units,
                                       std::map<std::string, std::string>* names = nullptr) {
    std::vector<column> out;
    std::set<std::string> used;
    std::map<std::string, std::string> local;
    auto& map = names ? *names : local;
    for (auto const& c : in) {
        if (map.count(c.name)) continue; // the same column twice (several elements of a model)
        std::string name = column_name(c.name, max_units);
        // Two long names sharing a prefix would collide once cut: number them.
        for (int n = 2; used.count(name); ++n) {
            std::string suffix = "~" + std::to_string(n);
            name = detail::utf8_prefix(column_name(c.name, max_units), max_units - suffix.size()) + suffix;
        }
        used.insert(name);
        map.emplace(c.name, name);
        column col;
        col.name = name;
        if (name != c.name) col.displayName = c.name;
        col.dataTypeDisplay = "Sigma column";
        if (c.formula && !c.formula->empty()) col.description = "Sigma formula: `" + *c.formula + "`";
        col.ordinalPosition = static_cast<int>(out.size()) + 1;
        out.push_back(std::move(col));
    }
    return out;
}

// Options checked once; every mapping function is const and pure.
class mapping {
public:
    static result<mapping> create(mapping_options o) {
        if (o.serviceName.empty())
            return sigma::error(errc::config, "serviceName: must not be empty (the OpenMetadata dashboard service)");
        if (o.columnNameMaxLength < 16)
            return sigma::error(errc::config, "columnNameMaxLength: " + std::to_string(o.columnNameMaxLength) +
                                                  " is too small (OpenMetadata allows 256)");
        auto prefix = db_service_prefix::parse(o.dbServicePrefix);
        if (!prefix) return std::move(prefix).error();
        mapping m;
        m.opts_ = std::move(o);
        m.prefix_ = std::move(*prefix);
        return m;
    }

    [[nodiscard]] mapping_options const& options() const noexcept { return opts_; }
    [[nodiscard]] db_service_prefix const& prefix() const noexcept { return prefix_; }

    // The service, without a connection.
    [[nodiscard]] record service() const { return make_record(paths::dashboard_services, service_request(nullptr)); }
    // The service with its connection settings (never the secret).
    [[nodiscard]] record service(sigma::config const& c) const {
        return make_record(paths::dashboard_services, service_request(&c));
    }

    [[nodiscard]] record classification() const {
        create_classification_request r{opts_.tagClassification,
                                        "Sigma badges (Endorsed, Deprecated, Warning) and version tags.", false};
        return make_record(paths::classifications, r);
    }

    [[nodiscard]] record tag(std::string const& name) const {
        create_tag_request r{name, "Sigma badge or version tag \"" + name + "\".", opts_.tagClassification};
        return make_record(paths::tags, r);
    }

    [[nodiscard]] std::string table_fqn(extract::table_ref const& t) const { return openmetadata::table_fqn(t, prefix_); }

    // The soft deletes of one deletion (none when its switch is off): a chart
    // that was also an element data model goes as both.
    [[nodiscard]] std::vector<record> deletion(extract::deletion const& d) const {
        std::vector<record> out;
        auto del = [&](std::string_view path, std::string const& fqn) {
            out.push_back(record{"DELETE",
                                 std::string(path) + "/name/" +
                                     boost::urls::encode(fqn, boost::urls::unreserved_chars) + "?hardDelete=false",
                                 boost::json::value()});
        };
        switch (d.kind) {
        case extract::entity_kind::workbook:
            if (opts_.markDeletedDashboards) del(paths::dashboards, dashboard_fqn(opts_.serviceName, d.id));
            break;
        case extract::entity_kind::element:
            if (opts_.markDeletedDashboards) del(paths::charts, chart_fqn(opts_.serviceName, d.id));
            if (opts_.markDeletedDataModels && opts_.elementDataModels && d.dataElement)
                del(paths::data_models, data_model_fqn(opts_.serviceName, d.id));
            break;
        case extract::entity_kind::data_model:
            if (opts_.markDeletedDataModels) del(paths::data_models, data_model_fqn(opts_.serviceName, d.id));
            break;
        }
        return out;
    }

    // A Sigma data model and its lineage from warehouse tables.
    [[nodiscard]] entity_records data_model(extract::data_model_info const& dm) const {
        entity_records out;
        create_dashboard_data_model_request r;
        r.name = dm.dataModel.dataModelId;
        r.displayName = dm.dataModel.name;
        if (detail::has_text(dm.dataModel.description)) r.description = dm.dataModel.description;
        r.service = opts_.serviceName;
        r.project = dm.workspaceName;
        r.owners = owners(dm.ownerEmail);
        r.tags = tags(dm.tags, out.tags);
        std::vector<extract::column_info> all;
        std::optional<std::string> sql;
        int with_sql = 0;
        for (auto const& el : dm.elements) {
            all.insert(all.end(), el.columns.begin(), el.columns.end());
            if (el.sql && !el.sql->empty()) {
                ++with_sql;
                sql = el.sql;
            }
        }
        if (with_sql == 1) r.sql = sql; // several SQL elements: no one query is "the" model's
        r.columns = columns_for(all, opts_.columnNameMaxLength);
        out.entities.push_back(make_record(paths::data_models, r));
        for (auto const& e : lineage_edges(dm)) out.lineage.push_back(lineage_record(e, nullptr));
        return out;
    }

    // A workbook: its element data models (when asked), its charts, the
    // dashboard, and its lineage. `known_data_models`, when given, holds the
    // Sigma data models written so far: the dashboard and the lineage name
    // only those (OpenMetadata refuses a dashboard naming a data model it does
    // not have, e.g. when data models were not extracted).
    [[nodiscard]] entity_records workbook(extract::workbook_info const& wb,
                                          std::set<std::string> const* known_data_models = nullptr) const {
        auto known = [&](std::string const& id) { return !known_data_models || known_data_models->count(id) > 0; };
        entity_records out;
        context ctx;
        std::vector<std::string> charts, models;
        std::vector<std::string> tag_names;
        auto dashboard_tags = tags(wb.tags, tag_names);
        auto dashboard_owners = owners(wb.ownerEmail);

        for (auto const& p : wb.pages) {
            for (auto const& el : p.elements) {
                ctx.elements.emplace(el.elementId, &el);
                std::string display = element_display_name(el, p.name);
                if (is_model(el)) {
                    create_dashboard_data_model_request m;
                    m.name = el.elementId;
                    m.displayName = display;
                    m.service = opts_.serviceName;
                    m.project = wb.workspaceName;
                    m.owners = dashboard_owners;
                    if (el.sql && !el.sql->empty()) m.sql = el.sql;
                    m.columns = columns_for(el.columns, opts_.columnNameMaxLength, &ctx.column_names[el.elementId]);
                    out.entities.push_back(make_record(paths::data_models, m));
                    models.push_back(data_model_fqn(opts_.serviceName, el.elementId));
                }
                create_chart_request c;
                c.name = el.elementId;
                c.displayName = display;
                // Elements have no description of their own in Sigma's API; the
                // workbook's is never copied onto its charts.
                c.chartType = chart_type_for(el.vizualizationType, el.type);
                if (!el.url.empty()) c.sourceUrl = el.url;
                c.service = opts_.serviceName;
                out.entities.push_back(make_record(paths::charts, c));
                charts.push_back(chart_fqn(opts_.serviceName, el.elementId));
            }
        }
        // Move element data models before every chart: a chart's lineage may
        // name any model, and models never depend on charts.
        std::stable_partition(out.entities.begin(), out.entities.end(),
                              [](record const& r) { return r.path == paths::data_models; });

        std::set<std::string> seen;
        std::vector<std::string> dm_fqns;
        for (auto const& id : wb.dataModelIds)
            if (known(id) && seen.insert(id).second) dm_fqns.push_back(data_model_fqn(opts_.serviceName, id));
        dm_fqns.insert(dm_fqns.end(), models.begin(), models.end());

        create_dashboard_request d;
        d.name = wb.workbook.workbookId;
        d.displayName = wb.workbook.name;
        if (detail::has_text(wb.workbook.description)) d.description = wb.workbook.description;
        if (!wb.workbook.url.empty()) d.sourceUrl = wb.workbook.url;
        d.project = wb.workspaceName;
        d.charts = std::move(charts);
        d.dataModels = std::move(dm_fqns);
        d.tags = std::move(dashboard_tags);
        d.owners = std::move(dashboard_owners);
        d.service = opts_.serviceName;
        out.entities.push_back(make_record(paths::dashboards, d));
        out.tags = std::move(tag_names);

        for (auto const& e : lineage_edges(wb))
            if (e.from.kind != node_kind::data_model || known(e.from.id)) out.lineage.push_back(lineage_record(e, &ctx));
        // An element's own data model feeds its chart.
        for (auto const& [id, el] : ctx.elements)
            if (is_model(*el)) {
                add_lineage_request r;
                r.edge.fromEntity = entity_ref{{}, "dashboardDataModel", data_model_fqn(opts_.serviceName, id), {}};
                r.edge.toEntity = entity_ref{{}, "chart", chart_fqn(opts_.serviceName, id), {}};
                r.edge.lineageDetails = lineage_details{{}, {}, {}, lineage_source::DashboardLineage};
                out.lineage.push_back(make_record(paths::lineage, r));
            }
        return out;
    }

private:
    struct context {
        std::map<std::string, extract::element_info const*> elements;
        std::map<std::string, std::map<std::string, std::string>> column_names; // element -> full -> OM name
    };

    [[nodiscard]] bool is_model(extract::element_info const& el) const { return opts_.elementDataModels && el.dataElement; }

    create_dashboard_service_request service_request(sigma::config const* c) const {
        create_dashboard_service_request r;
        r.name = opts_.serviceName;
        r.description = "Sigma Computing, written by sigma-cpp.";
        if (c && opts_.serviceConnection) {
            sigma_connection conn;
            conn.hostPort = c->hostPort;
            conn.clientId = c->clientId;
            conn.apiVersion = c->apiVersion;
            // conn.clientSecret stays the mask: the secret is never copied.
            r.connection = dashboard_connection{std::move(conn)};
        }
        return r;
    }

    static std::optional<std::vector<entity_ref>> owners(std::optional<std::string> const& email) {
        if (!email || email->empty()) return std::nullopt;
        return std::vector<entity_ref>{entity_ref{{}, "user", {}, *email}};
    }

    std::optional<std::vector<tag_label>> tags(std::vector<std::string> const& names,
                                               std::vector<std::string>& used) const {
        if (opts_.tagClassification.empty() || names.empty()) return std::nullopt;
        std::vector<tag_label> out;
        for (auto const& n : names) {
            if (n.empty()) continue;
            std::string fqn = build_fqn({opts_.tagClassification, n});
            bool dup = false;
            for (auto const& t : out) dup = dup || t.tagFQN == fqn;
            if (dup) continue;
            out.push_back(tag_label{fqn});
            used.push_back(n);
        }
        if (out.empty()) return std::nullopt;
        return out;
    }

    // An end of an edge, named the OpenMetadata way, and the FQN prefix of its
    // columns when it has columns in OpenMetadata.
    struct end {
        entity_ref ref;
        std::optional<std::string> columns_of;
        std::map<std::string, std::string> const* names = nullptr; // full -> OM column name
    };

    end end_of(graph_node const& n, context const* ctx) const {
        std::string const& svc = opts_.serviceName;
        switch (n.kind) {
        case node_kind::table: {
            std::string fqn = n.table ? table_fqn(*n.table) : build_fqn({any_part, any_part, any_part, n.id});
            return end{entity_ref{{}, "table", fqn, {}}, fqn, nullptr};
        }
        case node_kind::data_model: {
            std::string fqn = data_model_fqn(svc, n.id);
            return end{entity_ref{{}, "dashboardDataModel", fqn, {}}, fqn, nullptr};
        }
        case node_kind::element: {
            if (ctx) {
                auto it = ctx->elements.find(n.id);
                if (it != ctx->elements.end() && is_model(*it->second)) {
                    std::string fqn = data_model_fqn(svc, n.id);
                    auto names = ctx->column_names.find(n.id);
                    return end{entity_ref{{}, "dashboardDataModel", fqn, {}}, fqn,
                               names == ctx->column_names.end() ? nullptr : &names->second};
                }
            }
            return end{entity_ref{{}, "chart", chart_fqn(svc, n.id), {}}, std::nullopt, nullptr};
        }
        case node_kind::workbook: return end{entity_ref{{}, "dashboard", dashboard_fqn(svc, n.id), {}}, std::nullopt, nullptr};
        }
        return {};
    }

    std::string om_column(end const& e, std::string const& full) const {
        if (e.names) {
            auto it = e.names->find(full);
            if (it != e.names->end()) return column_fqn(*e.columns_of, it->second);
        }
        // Tables keep their own names; other models' names are cut the same way.
        return column_fqn(*e.columns_of, e.ref.type == "table" ? full : column_name(full, opts_.columnNameMaxLength));
    }

    record lineage_record(graph_edge const& e, context const* ctx) const {
        end from = end_of(e.from, ctx);
        end to = end_of(e.to, ctx);
        add_lineage_request r;
        r.edge.fromEntity = from.ref;
        r.edge.toEntity = to.ref;
        lineage_details details;
        details.source = lineage_source::DashboardLineage;
        if (from.columns_of && to.columns_of && !e.columns.empty()) {
            // One entry per downstream column, with all its upstream columns.
            std::map<std::string, std::vector<std::string>> by_target;
            std::vector<std::string> order;
            for (auto const& c : e.columns) {
                std::string target = om_column(to, c.to);
                auto [it, fresh] = by_target.try_emplace(target);
                if (fresh) order.push_back(target);
                std::string source = om_column(from, c.from);
                bool dup = false;
                for (auto const& s : it->second) dup = dup || s == source;
                if (!dup) it->second.push_back(std::move(source));
            }
            std::vector<column_lineage> cols;
            for (auto const& target : order) cols.push_back(column_lineage{by_target[target], target, {}});
            details.columnsLineage = std::move(cols);
        }
        // The element's own query, for edges from the tables it reads.
        if (ctx && e.from.kind == node_kind::table && e.to.kind == node_kind::element) {
            auto it = ctx->elements.find(e.to.id);
            if (it != ctx->elements.end() && it->second->sql && !it->second->sql->empty())
                details.sqlQuery = it->second->sql;
        }
        r.edge.lineageDetails = std::move(details);
        return make_record(paths::lineage, r);
    }

    mapping_options opts_;
    db_service_prefix prefix_;
};

} // namespace sigma::openmetadata

#endif
