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
#include <memory>
#include <type_traits>
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

// Any sink, by reference, behind one type: what the separately compiled
// extraction (SIGMA_SEPARATE_COMPILATION) is compiled for. The referenced
// sink must outlive the sink_ref.
class sink_ref {
public:
    template <class S>
        requires(!std::same_as<std::remove_cv_t<S>, sink_ref> && sink<S>)
    sink_ref(S& s) noexcept // NOLINT(google-explicit-constructor): a reference converts
        : obj_(const_cast<void*>(static_cast<void const*>(std::addressof(s)))), calls_(&calls_for<S>) {}

    void on_workspace(workspace_info const& w) { calls_->workspace(obj_, w); }
    void on_connection(api::connection const& c) { calls_->connection(obj_, c); }
    void on_data_model(data_model_info&& dm) { calls_->data_model(obj_, std::move(dm)); }
    void on_workbook(workbook_info&& wb) { calls_->workbook(obj_, std::move(wb)); }
    void on_finish(report const& r) { calls_->finish(obj_, r); }

private:
    struct calls {
        void (*workspace)(void*, workspace_info const&);
        void (*connection)(void*, api::connection const&);
        void (*data_model)(void*, data_model_info&&);
        void (*workbook)(void*, workbook_info&&);
        void (*finish)(void*, report const&);
    };
    template <class S>
    static constexpr calls calls_for{
        [](void* o, workspace_info const& w) { static_cast<S*>(o)->on_workspace(w); },
        [](void* o, api::connection const& c) { static_cast<S*>(o)->on_connection(c); },
        [](void* o, data_model_info&& dm) { static_cast<S*>(o)->on_data_model(std::move(dm)); },
        [](void* o, workbook_info&& wb) { static_cast<S*>(o)->on_workbook(std::move(wb)); },
        [](void* o, report const& r) { static_cast<S*>(o)->on_finish(r); },
    };

    void* obj_;
    calls const* calls_;
};

static_assert(sink<collecting_sink>);
static_assert(sink<discarding_sink>);
static_assert(sink<sink_ref>);

} // namespace sigma::extract

#endif
