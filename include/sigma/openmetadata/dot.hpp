// SPDX-License-Identifier: MIT
// The lineage graph as a Graphviz digraph: warehouse tables (cylinders), data
// models (components), workbook elements (boxes) and workbooks (folders),
// lineage as solid edges (labelled with the number of column edges), an
// element's membership of its workbook as a dashed edge. A sink, so it
// streams: only the ids of tables and data models already drawn are kept.
//
//     dot -Tsvg lineage.dot > lineage.svg
#ifndef SIGMA_OPENMETADATA_DOT_HPP
#define SIGMA_OPENMETADATA_DOT_HPP

#include <sigma/extract/inventory.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/openmetadata/graph.hpp>
#include <sigma/openmetadata/mapping.hpp>

#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <string_view>

namespace sigma::openmetadata {

// A DOT quoted string (an id or a label): quotes and backslashes escaped,
// line breaks as \n, other control characters as spaces, so no name can end
// the string or inject attributes.
inline std::string dot_quote(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '"';
    for (char c : s) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': break;
        default:
            if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                out += ' ';
            else
                out += c;
        }
    }
    out += '"';
    return out;
}

class dot_sink {
public:
    // The stream must outlive the sink.
    explicit dot_sink(std::ostream& os) : os_(&os) {}

    void on_workspace(extract::workspace_info const&) {}
    void on_connection(api::connection const&) {}

    void on_data_model(extract::data_model_info&& dm) {
        start();
        model_node(dm.dataModel.dataModelId, dm.dataModel.name);
        for (auto const& e : lineage_edges(dm)) edge(e, {});
    }

    void on_workbook(extract::workbook_info&& wb) {
        start();
        std::string const wb_id = "workbook:" + wb.workbook.workbookId;
        *os_ << "  " << dot_quote(wb_id) << " [shape=folder, label=" << dot_quote(wb.workbook.name) << "];\n";
        for (auto const& p : wb.pages)
            for (auto const& el : p.elements) {
                std::string id = element_id(wb.workbook.workbookId, el.elementId);
                *os_ << "  " << dot_quote(id) << " [shape=box, label=" << dot_quote(element_display_name(el, p.name))
                     << "];\n";
                *os_ << "  " << dot_quote(id) << " -> " << dot_quote(wb_id) << " [style=dashed, arrowhead=none];\n";
            }
        for (auto const& e : lineage_edges(wb)) edge(e, wb.workbook.workbookId);
    }

    void on_finish(extract::report const&) {
        start();
        *os_ << "}\n";
        os_->flush();
    }

private:
    static std::string element_id(std::string const& workbook, std::string const& element) {
        return "element:" + workbook + "/" + element;
    }

    void start() {
        if (started_) return;
        started_ = true;
        *os_ << "digraph sigma_lineage {\n  rankdir=LR;\n  node [fontname=\"Helvetica\"];\n";
    }

    void model_node(std::string const& id, std::optional<std::string> const& name) {
        if (!models_.insert(id).second) return;
        *os_ << "  " << dot_quote("model:" + id) << " [shape=component, label=" << dot_quote(name ? *name : id)
             << "];\n";
    }

    std::string node_id(graph_node const& n, std::string const& workbook) {
        switch (n.kind) {
        case node_kind::table: {
            std::string id = "table:" + n.id;
            if (tables_.insert(n.id).second) {
                std::string label;
                if (n.table) {
                    if (n.table->connectionName) label = *n.table->connectionName + "\n";
                    std::string path;
                    for (auto const& part : n.table->path) path += (path.empty() ? "" : ".") + part;
                    label += path.empty() ? n.name.value_or(n.id) : path;
                } else {
                    label = n.name.value_or(n.id);
                }
                *os_ << "  " << dot_quote(id) << " [shape=cylinder, label=" << dot_quote(label) << "];\n";
            }
            return id;
        }
        case node_kind::data_model: model_node(n.id, n.name); return "model:" + n.id;
        case node_kind::element: return element_id(workbook, n.id);
        case node_kind::workbook: return "workbook:" + n.id;
        }
        return n.id;
    }

    void edge(graph_edge const& e, std::string const& workbook) {
        std::string from = node_id(e.from, workbook);
        std::string to = node_id(e.to, workbook);
        *os_ << "  " << dot_quote(from) << " -> " << dot_quote(to);
        if (!e.columns.empty())
            *os_ << " [label=" << dot_quote(std::to_string(e.columns.size()) +
                                            (e.columns.size() == 1 ? " column" : " columns"))
                 << "]";
        *os_ << ";\n";
    }

    std::ostream* os_;
    bool started_ = false;
    std::set<std::string> tables_;
    std::set<std::string> models_;
};

static_assert(extract::sink<dot_sink>);

// The whole inventory as one digraph.
inline void write_dot(std::ostream& os, extract::inventory const& inv) {
    dot_sink s(os);
    for (auto dm : inv.dataModels) s.on_data_model(std::move(dm));
    for (auto wb : inv.workbooks) s.on_workbook(std::move(wb));
    s.on_finish(inv.status);
}

} // namespace sigma::openmetadata

#endif
