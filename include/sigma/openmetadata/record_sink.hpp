// SPDX-License-Identifier: MIT
// A sink (sigma::extract::sink) that turns the extraction's stream into
// OpenMetadata records in an order the server accepts, and hands each to a
// callable: the JSON Lines writer and a push-to-server sink are this plus
// where the records go.
//
// The order, stable for a given extraction:
//   1. the dashboard service (before anything else, also for an empty run);
//   2. the tag classification and each tag, once, just before the first
//      entity that uses it;
//   3. each Sigma data model, as it arrives (the extraction hands all data
//      models over before any workbook);
//   4. per workbook, as it arrives: its element data models (elementDataModels),
//      its charts in page order, then its dashboard;
//   5. at on_finish, every lineage record, in the order the entities came;
//   6. then the soft deletes of what an incremental run found gone (the
//      report's deletions, in its order), unless mapping_options turn them off.
// So every entity of the dashboard service that a record names is written
// before it; warehouse tables and users are the server's, found by the resolver.
//
// Memory: an entity's records are handed on as soon as it arrives; only the
// lineage records wait for the end (an edge may point at an entity that comes
// later, or a warehouse table), plus the names of the tags and the ids of the
// data models already written (a dashboard names only data models that were
// written). buffered_lineage() says how many records are waiting.
#ifndef SIGMA_OPENMETADATA_RECORD_SINK_HPP
#define SIGMA_OPENMETADATA_RECORD_SINK_HPP

#include <sigma/config.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/openmetadata/mapping.hpp>
#include <sigma/openmetadata/requests.hpp>

#include <concepts>
#include <cstddef>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace sigma::openmetadata {

template <class Emit>
class record_sink {
    static_assert(std::invocable<Emit&, record const&>,
                  "sigma::openmetadata::record_sink<Emit>: Emit must be callable as emit(record const&)");

public:
    // `connection` (optional) fills the service's connection settings; its
    // secret is never read.
    record_sink(Emit emit, mapping m, std::optional<sigma::config> connection = std::nullopt)
        : emit_(std::move(emit)), map_(std::move(m)) {
        if (connection) {
            connection->clientSecret = secret{}; // not kept: nothing here needs it
            connection_ = std::move(connection);
        }
    }

    void on_workspace(extract::workspace_info const&) {} // workspaces become each entity's `project`
    void on_connection(api::connection const&) {}        // table_ref already names its connection

    void on_data_model(extract::data_model_info&& dm) {
        write(map_.data_model(dm));
        data_models_.insert(dm.dataModel.dataModelId);
    }
    void on_workbook(extract::workbook_info&& wb) { write(map_.workbook(wb, &data_models_)); }

    void on_finish(extract::report const& rep) {
        start();
        for (auto const& r : lineage_) put(r);
        lineage_.clear();
        lineage_.shrink_to_fit();
        for (auto const& d : rep.deletions)
            for (auto const& r : map_.deletion(d)) put(r);
    }

    [[nodiscard]] std::size_t buffered_lineage() const noexcept { return lineage_.size(); }
    [[nodiscard]] std::size_t records_written() const noexcept { return written_; }
    [[nodiscard]] mapping const& get_mapping() const noexcept { return map_; }
    [[nodiscard]] Emit& emitter() noexcept { return emit_; }

private:
    void start() {
        if (started_) return;
        started_ = true;
        put(connection_ ? map_.service(*connection_) : map_.service());
    }

    void write(entity_records&& rs) {
        start();
        for (auto const& t : rs.tags) {
            if (!classification_written_) {
                put(map_.classification());
                classification_written_ = true;
            }
            if (tags_written_.insert(t).second) put(map_.tag(t));
        }
        for (auto const& r : rs.entities) put(r);
        for (auto& r : rs.lineage) lineage_.push_back(std::move(r));
    }

    void put(record const& r) {
        emit_(r);
        ++written_;
    }

    Emit emit_;
    mapping map_;
    std::optional<sigma::config> connection_;
    bool started_ = false;
    bool classification_written_ = false;
    std::set<std::string> tags_written_;
    std::set<std::string> data_models_; // ids of the Sigma data models written
    std::vector<record> lineage_;
    std::size_t written_ = 0;
};

namespace detail {
struct record_collector {
    std::vector<record>* out;
    void operator()(record const& r) const { out->push_back(r); }
};
} // namespace detail

// Every record of an inventory, in the sink's order (for tests and small
// organisations; a large one streams through a sink instead).
inline std::vector<record> to_records(extract::inventory const& inv, mapping const& m,
                                      std::optional<sigma::config> connection = std::nullopt) {
    std::vector<record> out;
    record_sink<detail::record_collector> s(detail::record_collector{&out}, m, std::move(connection));
    for (auto const& w : inv.workspaces) s.on_workspace(w);
    for (auto const& c : inv.connections) s.on_connection(c);
    for (auto dm : inv.dataModels) s.on_data_model(std::move(dm));
    for (auto wb : inv.workbooks) s.on_workbook(std::move(wb));
    s.on_finish(inv.status);
    return out;
}

static_assert(extract::sink<record_sink<detail::record_collector>>);

} // namespace sigma::openmetadata

#endif
