// SPDX-License-Identifier: MIT
// The connector's walk of an organisation: listings once, then each data
// model and each workbook in full, handed to a sink as soon as it is complete.
// Failures of one entity are recorded and the walk goes on; failures of an
// organisation-wide listing make the run incomplete.
#ifndef SIGMA_EXTRACT_EXTRACTOR_HPP
#define SIGMA_EXTRACT_EXTRACTOR_HPP

#include <sigma/api/endpoints.hpp>
#include <sigma/client/client.hpp>
#include <sigma/detail/coroutine_warnings.hpp>
#include <sigma/extract/column_lineage.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/lineage_walk.hpp>
#include <sigma/extract/options.hpp>
#include <sigma/extract/service_types.hpp>
#include <sigma/extract/sink.hpp>

#include <boost/asio/awaitable.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract {

namespace detail {

template <class>
struct is_basic_client : std::false_type {};
template <class T>
struct is_basic_client<basic_client<T>> : std::true_type {};

inline std::string element_url(std::string const& workbook_url, std::string const& element_id) {
    if (workbook_url.empty()) return {};
    char sep = workbook_url.find('?') == std::string::npos ? '?' : '&';
    return workbook_url + sep + ":nodeId=" + element_id + "&:fullScreen=true";
}

inline std::string strip_inode(std::string const& id) { return id.rfind("inode-", 0) == 0 ? id.substr(6) : id; }

inline std::string first_path_part(std::string const& path) {
    auto slash = path.find('/');
    return slash == std::string::npos ? path : path.substr(0, slash);
}

} // namespace detail

template <class Client>
class extractor {
    static_assert(detail::is_basic_client<Client>::value,
                  "sigma::extract: the client must be a sigma::basic_client<Transport>");

public:
    extractor(Client& c, options o, compiled_filters f) : client_(c), opts_(std::move(o)), filters_(std::move(f)) {}

    template <sink S>
    boost::asio::awaitable<report> run(S& out) {
        auto const start_requests = client_.stats().requests;
        auto const start_retries = client_.stats().retries;
        auto const start_429 = client_.stats().rate_limited;
        rep_ = report{};
        rep_.complete = true;

        if (opts_.includeOwners) co_await load_members();
        co_await load_files();
        co_await load_workspaces(out);
        co_await load_connections(out);
        if (opts_.includeDataModels) co_await extract_data_models(out);
        co_await extract_workbooks(out);

        rep_.requests = client_.stats().requests - start_requests;
        rep_.retries = client_.stats().retries - start_retries;
        rep_.rateLimited = client_.stats().rate_limited - start_429;
        out.on_finish(rep_);
        co_return rep_;
    }

private:
    // ---- helpers -------------------------------------------------------------

    template <class E>
    std::string describe(E const& e) const {
        auto t = api::build_target(e, client_.settings().settings.apiVersion);
        return std::string(to_string(E::method)) + " " + (t ? *t : std::string(E::path_template));
    }

    void fail(std::string entity, std::string endpoint, sigma::error const& e) {
        rep_.failures.push_back({std::move(entity), std::move(endpoint), e.message()});
    }

    void listing_failed(std::string const& what, std::string endpoint, sigma::error const& e) {
        rep_.complete = false;
        if (rep_.incompleteReason.empty()) rep_.incompleteReason = "listing " + what + " failed: " + e.message();
        fail("organisation: " + what, std::move(endpoint), e);
    }

    void filter_out(std::string kind, std::string name, std::string why) {
        rep_.filteredOut.push_back({std::move(kind), std::move(name), std::move(why)});
    }

    std::optional<std::string> email_of(std::optional<std::string> const& member_id) const {
        if (!opts_.includeOwners || !member_id) return std::nullopt;
        auto it = member_email_.find(*member_id);
        if (it == member_email_.end() || it->second.empty()) return std::nullopt;
        return it->second;
    }

    // ---- organisation-wide listings ---------------------------------------

    boost::asio::awaitable<void> load_members() {
        api::list_members e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("members", describe(e), r.error());
            co_return;
        }
        for (auto& m : *r) {
            member_email_[m.memberId] = m.email;
            if (m.homeFolderId && !m.homeFolderId->empty()) home_folder_owner_[*m.homeFolderId] = m.memberId;
        }
    }

    boost::asio::awaitable<void> load_files() {
        api::list_files e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("files", describe(e), r.error());
            co_return;
        }
        for (auto& f : *r) {
            files_.emplace(f.id, std::move(f));
        }
    }

    // The workspace (or personal space) a file lives in: walk its parents.
    struct space {
        std::string id;
        bool personal = false;
    };
    std::optional<space> space_of(std::string const& file_id) const {
        std::string cur = file_id;
        for (int depth = 0; depth < 64 && !cur.empty(); ++depth) {
            if (home_folder_owner_.count(cur)) return space{cur, true};
            auto it = files_.find(cur);
            if (it == files_.end()) return std::nullopt;
            if (it->second.type == api::file_type::workspace) return space{cur, false};
            cur = it->second.parentId;
        }
        return std::nullopt;
    }

    template <sink S>
    boost::asio::awaitable<void> load_workspaces(S& out) {
        api::list_workspaces e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("workspaces", describe(e), r.error());
        } else {
            for (auto& w : *r) workspaces_[w.workspaceId] = workspace_info{w.workspaceId, w.name, true, false, {}};
        }
        // Workspaces seen only through /files: ask for each once; 403 means the
        // credential cannot read it, and its folder name stands in.
        for (auto const& [id, f] : files_) {
            if (f.type != api::file_type::workspace || workspaces_.count(id)) continue;
            api::get_workspace g;
            g.workspaceId = id;
            auto w = co_await client_.async_get(g);
            if (w)
                workspaces_[id] = workspace_info{w->workspaceId, w->name, true, false, {}};
            else if (w.error().http().status == 403)
                workspaces_[id] = workspace_info{id, f.name, false, false, {}};
            else {
                workspaces_[id] = workspace_info{id, f.name, false, false, {}};
                fail("workspace " + id + " (" + f.name + ")", describe(g), w.error());
            }
        }
        // Personal spaces that hold something.
        std::set<std::string> used;
        for (auto const& [id, f] : files_)
            if (home_folder_owner_.count(f.parentId)) used.insert(f.parentId);
        for (auto const& home : used) {
            auto email = email_of(home_folder_owner_.at(home));
            workspace_info w{home, "My Documents", true, true, email};
            if (email) w.name = "My Documents (" + *email + ")";
            workspaces_[home] = w;
        }
        for (auto const& [id, w] : workspaces_) {
            if (auto why = filters_.projects.rejects(w.personal ? std::string("My Documents") : w.name)) {
                filtered_projects_.insert(id);
                filter_out("workspace", w.name, *why);
                continue;
            }
            ++rep_.workspaces;
            out.on_workspace(w);
        }
    }

    template <sink S>
    boost::asio::awaitable<void> load_connections(S& out) {
        api::list_connections e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("connections", describe(e), r.error());
            co_return;
        }
        for (auto& c : *r) {
            out.on_connection(c);
            connections_.emplace(c.connectionId, std::move(c));
        }
    }

    // ---- tables ------------------------------------------------------------

    // Resolves a table source exactly through /connections/paths, else through
    // the /files path (`Connection Root/DB/SCHEMA` + the table's name). Cached:
    // each table is asked for once per run.
    boost::asio::awaitable<table_ref> resolve_table(std::string const& inode_id, std::optional<std::string> name,
                                                    std::optional<std::string> connection_id) {
        if (auto it = tables_.find(inode_id); it != tables_.end()) co_return it->second;
        table_ref t;
        t.inodeId = inode_id;
        t.connectionId = std::move(connection_id);
        std::string const bare = detail::strip_inode(inode_id);
        api::get_connection_path p;
        p.inodeId = bare;
        auto r = co_await client_.async_get(p);
        if (r) {
            t.connectionId = r->connectionId;
            t.path = r->path;
            t.resolvedBy = "connection-path";
        } else {
            rep_.warnings.push_back("table " + inode_id + ": " + describe(p) + " failed (" + r.error().message() +
                                    "); using the /files path");
            api::get_file f;
            f.inodeId = bare;
            auto file = co_await client_.async_get(f);
            if (file) {
                // "Connection Root/DB/SCHEMA": drop the root, append the table.
                std::vector<std::string> parts;
                std::string_view path = file->path;
                while (!path.empty()) {
                    auto slash = path.find('/');
                    parts.emplace_back(path.substr(0, slash));
                    path = slash == std::string_view::npos ? std::string_view{} : path.substr(slash + 1);
                }
                if (!parts.empty()) parts.erase(parts.begin());
                parts.push_back(file->name);
                t.path = std::move(parts);
                t.resolvedBy = "files";
                if (!name) name = file->name;
            } else {
                fail("table " + inode_id, describe(f), file.error());
            }
        }
        if (t.connectionId) {
            if (auto c = connections_.find(*t.connectionId); c != connections_.end()) {
                t.connectionName = c->second.name;
                t.connectionType = c->second.type;
                t.serviceType = service_type_for(c->second.type);
            }
        }
        tables_.emplace(inode_id, t);
        co_return t;
    }

    boost::asio::awaitable<void> resolve_sources(std::vector<lineage_source>& sources) {
        for (auto& s : sources) {
            if (s.kind == source_kind::table) {
                s.table = co_await resolve_table(s.id, s.name, std::nullopt);
                if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
            } else if (s.kind == source_kind::data_model) {
                // Lineage names data models by urlId; the output wants the id.
                if (auto it = data_model_by_url_id_.find(s.id); it != data_model_by_url_id_.end()) s.id = it->second;
            }
        }
    }

    // ---- data models ---------------------------------------------------------

    template <sink S>
    boost::asio::awaitable<void> extract_data_models(S& out) {
        api::list_data_models e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("data models", describe(e), r.error());
            co_return;
        }
        for (auto const& dm : *r) data_model_by_url_id_[dm.dataModelUrlId] = dm.dataModelId;
        for (auto& dm : *r) {
            bool archived = dm.isArchived.value_or(false);
            if (archived && !opts_.includeArchived) {
                filter_out("data model", dm.name, "archived (includeArchived is off)");
                continue;
            }
            if (auto why = filters_.data_models.rejects(dm.name)) {
                filter_out("data model", dm.name, *why);
                continue;
            }
            data_model_info info;
            info.archived = archived;
            info.ownerEmail = email_of(dm.ownerId);
            if (auto sp = space_of(dm.dataModelId)) {
                if (filtered_projects_.count(sp->id)) {
                    filter_out("data model", dm.name, "projectFilterPattern (its workspace)");
                    continue;
                }
                info.workspaceName = workspaces_.count(sp->id) ? workspaces_[sp->id].name : std::string{};
            }
            if (opts_.includeTags && dm.tags)
                for (auto const& t : *dm.tags) info.tags.push_back(t.tagName);
            std::string entity = "data model " + dm.dataModelId + " (" + dm.name + ")";

            api::list_data_model_elements le;
            le.dataModelId = dm.dataModelId;
            auto elements = co_await client_.async_list_all(le);
            if (!elements) {
                fail(entity, describe(le), elements.error());
                continue;
            }
            std::map<std::string, std::vector<column_info>> columns;
            if (opts_.includeColumns) {
                api::list_data_model_columns lc;
                lc.dataModelId = dm.dataModelId;
                auto cols = co_await client_.async_list_all(lc);
                if (!cols)
                    fail(entity, describe(lc), cols.error());
                else
                    for (auto const& c : *cols)
                        columns[c.elementId].push_back({c.columnId, std::string(c.display_name()), c.formula});
            }
            std::map<std::string, std::vector<lineage_source>> sources;
            std::vector<std::string> custom_sql;
            if (opts_.includeLineage) {
                api::list_data_model_lineage ll;
                ll.dataModelId = dm.dataModelId;
                auto lin = co_await client_.async_list_all(ll);
                if (!lin) {
                    fail(entity, describe(ll), lin.error());
                } else {
                    std::map<std::string, api::lineage_table_entry> tables;
                    for (auto const& entry : *lin) {
                        if (auto const* t = std::get_if<api::lineage_table_entry>(&entry)) tables[t->inodeId] = *t;
                        if (auto const* q = std::get_if<api::lineage_custom_sql_entry>(&entry))
                            custom_sql.push_back(q->definition);
                    }
                    for (auto const& entry : *lin) {
                        auto const* el = std::get_if<api::lineage_element_entry>(&entry);
                        if (el == nullptr || !el->sourceIds) continue;
                        for (auto const& sid : *el->sourceIds) {
                            lineage_source s;
                            s.id = sid;
                            if (sid.rfind("inode-", 0) == 0) {
                                s.kind = source_kind::table;
                                if (auto t = tables.find(sid); t != tables.end()) {
                                    s.name = t->second.name;
                                    s.table = co_await resolve_table(sid, t->second.name, t->second.connectionId);
                                } else {
                                    s.table = co_await resolve_table(sid, std::nullopt, std::nullopt);
                                }
                                if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
                            } else {
                                s.kind = source_kind::element;
                            }
                            sources[el->elementId].push_back(std::move(s));
                            ++rep_.lineageEdges;
                        }
                    }
                }
            }
            for (auto& el : *elements) {
                data_model_element_info ei;
                ei.elementId = el.elementId;
                ei.name = el.name;
                ei.type = el.type;
                if (auto c = columns.find(el.elementId); c != columns.end()) ei.columns = std::move(c->second);
                if (auto s = sources.find(el.elementId); s != sources.end()) ei.sources = std::move(s->second);
                info.elements.push_back(std::move(ei));
            }
            // Custom SQL belongs to the model's SQL elements; with one such element it is unambiguous.
            if (!custom_sql.empty()) {
                std::vector<data_model_element_info*> sql_elements;
                for (auto& ei : info.elements)
                    if (ei.type && ei.type->find("sql") != std::string::npos) sql_elements.push_back(&ei);
                if (sql_elements.size() == custom_sql.size())
                    for (std::size_t i = 0; i < sql_elements.size(); ++i) sql_elements[i]->sql = custom_sql[i];
                else if (info.elements.size() == 1)
                    info.elements.front().sql = custom_sql.front();
            }
            info.dataModel = std::move(dm);
            ++rep_.dataModels;
            out.on_data_model(std::move(info));
        }
    }

    // ---- workbooks -----------------------------------------------------------

    template <sink S>
    boost::asio::awaitable<void> extract_workbooks(S& out) {
        std::vector<api::workbook> all;
        api::list_workbooks e;
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed("workbooks", describe(e), r.error());
            co_return;
        }
        all = std::move(*r);
        if (opts_.includeArchived) {
            api::list_workbooks ea;
            ea.isArchived = true;
            auto ra = co_await client_.async_list_all(ea);
            if (!ra) {
                listing_failed("archived workbooks", describe(ea), ra.error());
            } else {
                std::set<std::string> have;
                for (auto const& w : all) have.insert(w.workbookId);
                for (auto& w : *ra)
                    if (have.insert(w.workbookId).second) all.push_back(std::move(w));
            }
        }
        for (auto& wb : all) co_await extract_workbook(std::move(wb), out);
    }

    template <sink S>
    boost::asio::awaitable<void> extract_workbook(api::workbook wb, S& out) {
        bool archived = wb.isArchived.value_or(false);
        if (archived && !opts_.includeArchived) {
            filter_out("workbook", wb.name, "archived (includeArchived is off)");
            co_return;
        }
        if (auto why = filters_.dashboards.rejects(wb.name)) {
            filter_out("workbook", wb.name, *why);
            co_return;
        }
        workbook_info info;
        info.archived = archived;
        info.ownerEmail = email_of(wb.ownerId);
        if (auto sp = space_of(wb.workbookId)) {
            if (filtered_projects_.count(sp->id)) {
                filter_out("workbook", wb.name, "projectFilterPattern (its workspace)");
                co_return;
            }
            info.workspaceId = sp->id;
            info.personal = sp->personal;
            if (auto w = workspaces_.find(sp->id); w != workspaces_.end()) info.workspaceName = w->second.name;
        } else if (!wb.path.empty()) {
            // Not visible through /files (non-admin credentials): the path stands in.
            info.workspaceName = detail::first_path_part(wb.path);
            if (auto why = filters_.projects.rejects(*info.workspaceName)) {
                filter_out("workbook", wb.name, *why + " (its workspace)");
                co_return;
            }
        }
        if (auto f = files_.find(wb.workbookId); f != files_.end() && f->second.badge && !f->second.badge->empty())
            info.badge = f->second.badge;
        if (opts_.includeTags) {
            if (info.badge) info.tags.push_back(*info.badge);
            if (wb.tags)
                for (auto const& t : *wb.tags) info.tags.push_back(t.name);
        }
        std::string const entity = "workbook " + wb.workbookId + " (" + wb.name + ")";

        // Pages, then each page's elements: a workbook whose structure cannot
        // be read is not emitted at all, so a catalogue never loses its charts
        // to a half-read workbook.
        api::list_workbook_pages lp;
        lp.workbookId = wb.workbookId;
        auto pages = co_await client_.async_list_all(lp);
        if (!pages) {
            fail(entity, describe(lp), pages.error());
            co_return;
        }
        for (auto& p : *pages) {
            api::list_page_elements le;
            le.workbookId = wb.workbookId;
            le.pageId = p.pageId;
            auto els = co_await client_.async_list_all(le);
            if (!els) {
                fail(entity, describe(le), els.error());
                co_return;
            }
            page_info pi;
            pi.pageId = p.pageId;
            pi.name = p.name;
            pi.hidden = p.hidden;
            for (auto& el : *els) {
                if (auto why = filters_.charts.rejects(el.name.value_or(""))) {
                    filter_out("element", el.name.value_or(el.elementId), *why);
                    continue;
                }
                element_info ei;
                ei.elementId = el.elementId;
                ei.workbookId = wb.workbookId;
                ei.pageId = p.pageId;
                ei.name = el.name;
                ei.type = el.type;
                ei.vizualizationType = el.vizualizationType;
                ei.dataElement = el.type && is_data_element_type(*el.type);
                ei.url = detail::element_url(wb.url, el.elementId);
                pi.elements.push_back(std::move(ei));
            }
            info.pages.push_back(std::move(pi));
        }

        std::unordered_map<std::string, element_info*> by_id;
        for (auto& p : info.pages)
            for (auto& el : p.elements) by_id[el.elementId] = &el;

        if (opts_.includeColumns) {
            api::list_workbook_columns lc;
            lc.workbookId = wb.workbookId;
            auto cols = co_await client_.async_list_all(lc);
            if (!cols)
                fail(entity, describe(lc), cols.error());
            else
                for (auto const& c : *cols)
                    if (auto it = by_id.find(c.elementId); it != by_id.end())
                        it->second->columns.push_back({c.columnId, std::string(c.display_name()), c.formula});
        }
        if (opts_.includeQueries) {
            api::list_workbook_queries lq;
            lq.workbookId = wb.workbookId;
            auto qs = co_await client_.async_list_all(lq);
            if (!qs)
                fail(entity, describe(lq), qs.error());
            else
                for (auto const& q : *qs)
                    if (auto it = by_id.find(q.elementId); it != by_id.end() && q.sql) it->second->sql = q.sql;
        }
        if (opts_.includeDataModels || opts_.includeLineage) {
            api::list_workbook_sources ls;
            ls.workbookId = wb.workbookId;
            auto srcs = co_await client_.async_list_all(ls);
            if (srcs) {
                for (auto const& s : *srcs)
                    if (auto const* dm = std::get_if<api::source_data_model>(&s)) info.dataModelIds.push_back(dm->dataModelId);
            } else if (auto st = srcs.error().http().status; st == 404 || st == 409 || st == 410) {
                // The dataset API was retired (2026-09-15): its sources are gone, not failing.
                rep_.warnings.push_back(entity + ": " + describe(ls) + " answered " + std::to_string(st) +
                                        " (retired dataset source); skipped");
            } else {
                fail(entity, describe(ls), srcs.error());
            }
        }
        if (opts_.includeLineage) {
            for (auto& p : info.pages) {
                for (auto& element : p.elements) {
                    element_info* el = &element;
                    if (!el->dataElement) continue; // layout elements have no lineage: never asked
                    api::get_element_lineage gl;
                    gl.workbookId = wb.workbookId;
                    gl.elementId = el->elementId;
                    auto g = co_await client_.async_get(gl);
                    if (!g) {
                        fail(entity + " element " + el->elementId, describe(gl), g.error());
                        continue;
                    }
                    el->sources = walk_sources(*g, el->elementId);
                    co_await resolve_sources(el->sources);
                    rep_.lineageEdges += el->sources.size();
                    auto cl = column_edges(el->columns, el->sources);
                    rep_.columnEdges += cl.edges.size();
                    rep_.columnNameFallbacks += cl.name_fallbacks;
                    el->columnLineage = std::move(cl.edges);
                }
            }
        }

        ++rep_.workbooks;
        rep_.pages += info.pages.size();
        rep_.elements += by_id.size();
        info.workbook = std::move(wb);
        out.on_workbook(std::move(info));
    }

    Client& client_;
    options opts_;
    compiled_filters filters_;
    report rep_;

    std::unordered_map<std::string, std::string> member_email_;
    std::unordered_map<std::string, std::string> home_folder_owner_; // homeFolderId -> memberId
    std::map<std::string, api::file> files_;
    std::map<std::string, workspace_info> workspaces_;
    std::set<std::string> filtered_projects_;
    std::unordered_map<std::string, api::connection> connections_;
    std::unordered_map<std::string, std::string> data_model_by_url_id_;
    std::unordered_map<std::string, table_ref> tables_;
};

// Walks the organisation into `out`. Fails only for invalid options (a bad
// regex); everything that goes wrong during the run is in the report.
template <class Client, sink S>
boost::asio::awaitable<result<report>> async_extract(Client& client, options const& opts, S& out) {
    auto filters = compiled_filters::compile(opts);
    if (!filters) co_return std::move(filters).error();
    extractor<Client> x(client, opts, std::move(*filters));
    co_return co_await x.run(out);
}

template <class Client, sink S>
result<report> extract(Client& client, options const& opts, S& out) {
    return client.run(async_extract(client, opts, out));
}

// Everything into an inventory.
template <class Client>
result<inventory> collect(Client& client, options const& opts = {}) {
    collecting_sink s;
    auto r = extract(client, opts, s);
    if (!r) return std::move(r).error();
    return std::move(s.inv);
}

} // namespace sigma::extract

SIGMA_COROUTINES_END

#endif
