// SPDX-License-Identifier: MIT
// OpenMetadata REST API request bodies, as described structs whose members
// carry OpenMetadata's field names, so that sigma::json::encode writes them as
// the server reads them. Only the fields the Sigma connector fills are here;
// absent optionals are omitted. The field names follow OpenMetadata's current
// JSON schemas (openmetadata-spec: api/data/create*.json,
// api/services/createDashboardService.json, api/lineage/addLineage.json,
// type/entityLineage.json, type/tagLabel.json, entity/data/table.json#column):
// `owners` is a list of references and charts have `sourceUrl`.
#ifndef SIGMA_OPENMETADATA_REQUESTS_HPP
#define SIGMA_OPENMETADATA_REQUESTS_HPP

#include <sigma/detail/prelude.hpp>
#include <sigma/json/encode.hpp>
#include <sigma/secret.hpp>

#include <boost/describe/class.hpp>
#include <boost/describe/enum.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigma::openmetadata {

// entity/data/chart.json#/definitions/chartType.
enum class chart_type {
    Line, Table, Bar, Area, Pie, Histogram, Scatter, Text, BoxPlot, SanKey, Gauge, Map, Graph, Heatmap, Timeline, Other
};
BOOST_DESCRIBE_ENUM(chart_type, Line, Table, Bar, Area, Pie, Histogram, Scatter, Text, BoxPlot, SanKey, Gauge, Map,
                    Graph, Heatmap, Timeline, Other)

// entity/data/dashboardDataModel.json#/definitions/dataModelType: the one value
// a Sigma service writes.
enum class data_model_type { SigmaDataModel };
BOOST_DESCRIBE_ENUM(data_model_type, SigmaDataModel)

// type/tagLabel.json: source, labelType, state.
enum class tag_source { Classification, Glossary };
BOOST_DESCRIBE_ENUM(tag_source, Classification, Glossary)
enum class label_type { Manual, Propagated, Automated, Derived };
BOOST_DESCRIBE_ENUM(label_type, Manual, Propagated, Automated, Derived)
enum class label_state { Suggested, Confirmed };
BOOST_DESCRIBE_ENUM(label_state, Suggested, Confirmed)

// type/entityLineage.json#/definitions/lineageDetails/source (the values used here).
enum class lineage_source { Manual, DashboardLineage, QueryLineage, ChildAssets };
BOOST_DESCRIBE_ENUM(lineage_source, Manual, DashboardLineage, QueryLineage, ChildAssets)

// The OpenMetadata service type of everything this connector writes
// (entity/services/dashboardService.json#/definitions/dashboardServiceType).
inline constexpr std::string_view service_type = "Sigma";

// An EntityReference before its id is known. OpenMetadata's EntityReference
// needs `id` and `type`; a record cannot know server-side ids, so it names the
// entity instead and whoever sends it resolves the name to an id:
//
//     {"type": "table", "fullyQualifiedName": "snowflake_prod.SALES.PUBLIC.ORDERS"}
//     {"type": "dashboardDataModel", "fullyQualifiedName": "my_sigma.model.3f0c..."}
//     {"type": "user", "email": "ana@example.com"}
//
// `email` is not an EntityReference field: users are found by email (as
// OpenMetadata's own connector does) and the resolver replaces it by `id`.
// A resolver sets `id` and may drop `email`; the other fields are
// EntityReference's own.
struct entity_ref {
    std::optional<std::string> id;
    std::string type;
    std::optional<std::string> fullyQualifiedName;
    std::optional<std::string> email;
    bool operator==(entity_ref const&) const = default;
};
BOOST_DESCRIBE_STRUCT(entity_ref, (), (id, type, fullyQualifiedName, email))

// type/tagLabel.json.
struct tag_label {
    std::string tagFQN;
    tag_source source = tag_source::Classification;
    label_type labelType = label_type::Automated;
    label_state state = label_state::Confirmed;
    bool operator==(tag_label const&) const = default;
};
BOOST_DESCRIBE_STRUCT(tag_label, (), (tagFQN, source, labelType, state))

// entity/data/table.json#/definitions/column (name: 1..256 characters, no "::").
struct column {
    std::string name;
    std::optional<std::string> displayName;
    std::string dataType = "UNKNOWN";   // ColumnDataType; Sigma does not tell the warehouse type
    std::optional<std::string> dataTypeDisplay;
    std::optional<std::string> description;
    std::optional<int> ordinalPosition;
    bool operator==(column const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column, (), (name, displayName, dataType, dataTypeDisplay, description, ordinalPosition))

// entity/services/connections/dashboard/sigmaConnection.json. The secret is a
// sigma::secret, which encodes as "***" whatever it holds: a record never
// carries the client secret.
struct sigma_connection {
    std::string type{service_type};
    std::string hostPort;
    std::string clientId;
    secret clientSecret{std::string(secret::mask)};
    std::string apiVersion;
};
BOOST_DESCRIBE_STRUCT(sigma_connection, (), (type, hostPort, clientId, clientSecret, apiVersion))

// entity/services/dashboardService.json#/definitions/dashboardConnection.
struct dashboard_connection {
    sigma_connection config;
};
BOOST_DESCRIBE_STRUCT(dashboard_connection, (), (config))

// api/services/createDashboardService.json (required: name, serviceType).
struct create_dashboard_service_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::string serviceType{service_type};
    std::optional<dashboard_connection> connection;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_service_request, (), (name, displayName, description, serviceType, connection))

// api/classification/createClassification.json (required: name, description).
struct create_classification_request {
    std::string name;
    std::string description;
    std::optional<bool> mutuallyExclusive;
    bool operator==(create_classification_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_classification_request, (), (name, description, mutuallyExclusive))

// api/classification/createTag.json (required: name, description).
struct create_tag_request {
    std::string name;
    std::string description;
    std::string classification;
    bool operator==(create_tag_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_tag_request, (), (name, description, classification))

// api/data/createChart.json (required: name, service).
struct create_chart_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<chart_type> chartType;
    std::optional<std::string> sourceUrl;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    bool operator==(create_chart_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_chart_request, (),
                      (name, displayName, description, chartType, sourceUrl, tags, owners, service))

// api/data/createDashboard.json (required: name, service). `charts` and
// `dataModels` are fully qualified names.
struct create_dashboard_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<std::string> sourceUrl;
    std::optional<std::string> project;
    std::optional<std::vector<std::string>> charts;
    std::optional<std::vector<std::string>> dataModels;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    bool operator==(create_dashboard_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_request, (),
                      (name, displayName, description, sourceUrl, project, charts, dataModels, tags, owners, service))

// api/data/createDashboardDataModel.json (required: name, service,
// dataModelType, columns).
struct create_dashboard_data_model_request {
    std::string name;
    std::optional<std::string> displayName;
    std::optional<std::string> description;
    std::optional<std::vector<tag_label>> tags;
    std::optional<std::vector<entity_ref>> owners;
    std::string service;
    std::optional<std::string> serviceType{std::string(service_type)};
    data_model_type dataModelType = data_model_type::SigmaDataModel;
    std::optional<std::string> sql;
    std::vector<column> columns;
    std::optional<std::string> project;
    bool operator==(create_dashboard_data_model_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(create_dashboard_data_model_request, (),
                      (name, displayName, description, tags, owners, service, serviceType, dataModelType, sql, columns,
                       project))

// type/entityLineage.json#/definitions/columnLineage: fully qualified column names.
struct column_lineage {
    std::vector<std::string> fromColumns;
    std::string toColumn;
    std::optional<std::string> function;
    bool operator==(column_lineage const&) const = default;
};
BOOST_DESCRIBE_STRUCT(column_lineage, (), (fromColumns, toColumn, function))

// type/entityLineage.json#/definitions/lineageDetails.
struct lineage_details {
    std::optional<std::string> sqlQuery;
    std::optional<std::vector<column_lineage>> columnsLineage;
    std::optional<std::string> description;
    std::optional<lineage_source> source;
    bool operator==(lineage_details const&) const = default;
};
BOOST_DESCRIBE_STRUCT(lineage_details, (), (sqlQuery, columnsLineage, description, source))

// type/entityLineage.json#/definitions/entitiesEdge.
struct entities_edge {
    entity_ref fromEntity;
    entity_ref toEntity;
    std::optional<std::string> description;
    std::optional<lineage_details> lineageDetails;
    bool operator==(entities_edge const&) const = default;
};
BOOST_DESCRIBE_STRUCT(entities_edge, (), (fromEntity, toEntity, description, lineageDetails))

// api/lineage/addLineage.json (required: edge).
struct add_lineage_request {
    entities_edge edge;
    bool operator==(add_lineage_request const&) const = default;
};
BOOST_DESCRIBE_STRUCT(add_lineage_request, (), (edge))

// One request to replay: `{"method": "PUT", "path": "/api/v1/charts", "body": {...}}`.
// PUT is OpenMetadata's create-or-update, so replaying a file twice is harmless.
struct record {
    std::string method = "PUT";
    std::string path;
    boost::json::value body;
    bool operator==(record const&) const = default;
};
BOOST_DESCRIBE_STRUCT(record, (), (method, path, body))

// The endpoint of each request body (paths under OpenMetadata's `/api`).
namespace paths {
inline constexpr std::string_view dashboard_services = "/api/v1/services/dashboardServices";
inline constexpr std::string_view classifications = "/api/v1/classifications";
inline constexpr std::string_view tags = "/api/v1/tags";
inline constexpr std::string_view data_models = "/api/v1/dashboard/datamodels";
inline constexpr std::string_view charts = "/api/v1/charts";
inline constexpr std::string_view dashboards = "/api/v1/dashboards";
inline constexpr std::string_view lineage = "/api/v1/lineage";
} // namespace paths

template <class Body>
record make_record(std::string_view path, Body const& body) {
    return record{"PUT", std::string(path), sigma::json::encode_value(body)};
}

} // namespace sigma::openmetadata

#endif
