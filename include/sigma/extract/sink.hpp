// SPDX-License-Identifier: MIT
// Where extracted entities go, as soon as each is known. A sink is any type
// with these member functions; the extraction calls them on the thread that
// runs the client, in this order: workspaces and connections first, then data
// models, then workbooks (each complete: pages, elements, lineage), then
// on_finish with the run's report.
#ifndef SIGMA_EXTRACT_SINK_HPP
#define SIGMA_EXTRACT_SINK_HPP

#include <sigma/extract/inventory.hpp>

#include <concepts>
#include <utility>

namespace sigma::extract {

template <class S>
concept sink = requires(S& s, workspace_info const& w, api::connection const& c, data_model_info&& dm,
                        workbook_info&& wb, report const& r) {
    s.on_workspace(w);
    s.on_connection(c);
    s.on_data_model(std::move(dm));
    s.on_workbook(std::move(wb));
    s.on_finish(r);
};

// Collects everything into an inventory.
struct collecting_sink {
    inventory inv;
    void on_workspace(workspace_info const& w) { inv.workspaces.push_back(w); }
    void on_connection(api::connection const& c) { inv.connections.push_back(c); }
    void on_data_model(data_model_info&& dm) { inv.dataModels.push_back(std::move(dm)); }
    void on_workbook(workbook_info&& wb) { inv.workbooks.push_back(std::move(wb)); }
    void on_finish(report const& r) { inv.status = r; }
};

// Keeps nothing (benchmarks, request counting).
struct discarding_sink {
    void on_workspace(workspace_info const&) {}
    void on_connection(api::connection const&) {}
    void on_data_model(data_model_info&&) {}
    void on_workbook(workbook_info&&) {}
    void on_finish(report const&) {}
};

static_assert(sink<collecting_sink>);
static_assert(sink<discarding_sink>);

} // namespace sigma::extract

#endif
