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
#include <sigma/extract/detail/listings.hpp>
#include <sigma/extract/detail/ordered_tasks.hpp>
#include <sigma/extract/inventory.hpp>
#include <sigma/extract/lineage_walk.hpp>
#include <sigma/extract/options.hpp>
#include <sigma/extract/service_types.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/extract/state.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>

#include <map>
#include <optional>
#include <set>
#include <variant>
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
    constexpr std::string_view node = ":nodeId=", full = "&:fullScreen=true";
    std::string out; // sized once: one allocation per element, not one per `+`
    out.reserve(workbook_url.size() + 1 + node.size() + element_id.size() + full.size());
    out += workbook_url;
    out += sep;
    out += node;
    out += element_id;
    out += full;
    return out;
}

inline std::string strip_inode(std::string const& id) { return id.rfind("inode-", 0) == 0 ? id.substr(6) : id; }

inline std::string first_path_part(std::string const& path) {
    auto slash = path.find('/');
    return slash == std::string::npos ? path : path.substr(0, slash);
}

// `path` is `scope` or a folder under it ("Sales" holds "Sales/Q1", not "Salesforce").
inline bool path_within(std::string_view path, std::string_view scope) {
    while (!scope.empty() && scope.back() == '/') scope.remove_suffix(1);
    if (scope.empty()) return true;
    return path.substr(0, scope.size()) == scope && (path.size() == scope.size() || path[scope.size()] == '/');
}

// A workbook's elements by id, the last of equal ids winning (as a map
// assigned in order would). One open-addressed table of positions, not a
// node per element; and since the listings come in element order, the
// element after the last hit is tried first when ids are unique.
class element_index {
public:
    void reserve(std::size_t n) { order_.reserve(n); }
    void add(element_info& el) { order_.push_back(&el); }
    void seal() {
        std::size_t cap = 8;
        while (cap < 2 * order_.size()) cap *= 2;
        slots_.assign(cap, empty);
        for (std::size_t pos = 0; pos < order_.size(); ++pos) {
            std::string_view const id = order_[pos]->elementId;
            for (std::size_t h = hash(id) & (cap - 1);; h = (h + 1) & (cap - 1)) {
                if (slots_[h] == empty) {
                    slots_[h] = pos;
                    break;
                }
                if (order_[slots_[h]]->elementId == id) {
                    slots_[h] = pos; // the later one wins
                    unique_ = false;
                    break;
                }
            }
        }
    }
    element_info* find(std::string_view id) {
        if (last_ < order_.size()) {
            if (order_[last_]->elementId == id) return order_[last_];
            if (unique_ && last_ + 1 < order_.size() && order_[last_ + 1]->elementId == id) return order_[++last_];
        }
        std::size_t const mask = slots_.size() - 1;
        for (std::size_t h = hash(id) & mask; slots_[h] != empty; h = (h + 1) & mask)
            if (order_[slots_[h]]->elementId == id) {
                last_ = slots_[h];
                return order_[last_];
            }
        return nullptr;
    }

private:
    static constexpr std::size_t empty = static_cast<std::size_t>(-1);
    static std::size_t hash(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
    std::vector<element_info*> order_;
    std::vector<std::size_t> slots_;
    std::size_t last_ = empty;
    bool unique_ = true;
};

} // namespace detail

template <class Client>
class extractor {
    static_assert(detail::is_basic_client<Client>::value,
                  "sigma::extract: the client must be a sigma::basic_client<Transport>");

public:
    extractor(Client& c, options o, compiled_filters f) : client_(c), opts_(std::move(o)), filters_(std::move(f)) {}

    // Up to the client's max_concurrency requests run at once; the sink still
    // receives entities in the order of a sequential walk (listing order), and
    // the report's lists are in that order too, so runs are reproducible.
    // With `inc`, an incremental run: unchanged workbooks and data models come
    // from inc->previous without asking the API, and inc->next is what this
    // run saw (see sigma/extract/state.hpp).
    template <sink S>
    boost::asio::awaitable<report> run(S& out, incremental* inc = nullptr) {
        auto const start = client_.stats();
        rep_ = report{};
        rep_.complete = true;
        width_ = std::max<std::size_t>(1, client_.options().max_concurrency);
        start_state(inc);

        // The organisation-wide listings do not depend on each other.
        notes n_members, n_files, n_workspaces, n_connections, n_models, n_workbooks;
        std::vector<api::list_workspaces::response_type> listed_workspaces;
        std::vector<api::connection> connections;
        std::vector<api::data_model> models;
        bool models_ok = false;
        workbook_feed workbooks(*this, n_workbooks);
        auto listing = [&](std::size_t i) -> boost::asio::awaitable<void> {
            switch (i) {
            case 0:
                if (opts_.includeOwners) co_await load_members(n_members);
                break;
            case 1: co_await load_files(n_files); break;
            case 2: co_await list_all(api::list_workspaces{}, "workspaces", n_workspaces, listed_workspaces); break;
            case 3: co_await list_all(api::list_connections{}, "connections", n_connections, connections); break;
            case 4:
                // Listed also when scoped to workbook ids alone (which reads
                // none of them): lineage names data models by urlId.
                if (opts_.includeDataModels)
                    models_ok = co_await list_all(api::list_data_models{}, "data models", n_models, models);
                break;
            default: co_await workbooks.prefetch(); break; // the first page, while the rest is listed
            }
        };
        co_await detail::run_all(6, width_, listing, workers());
        merge(std::move(n_members));
        merge(std::move(n_files));
        merge(std::move(n_workspaces));

        co_await load_workspaces(std::move(listed_workspaces), out);
        merge(std::move(n_connections));
        for (auto& c : connections) {
            out.on_connection(c);
            connections_.emplace(c.connectionId, std::move(c));
        }
        merge(std::move(n_models));
        if (!models_ok) models.clear();
        co_await extract_entities(std::move(models), workbooks, out);
        merge(std::move(n_workbooks));

        // Tables are shared by many entities; their notes come last, by id.
        for (auto& [id, t] : table_notes_) merge(std::move(t));
        finish_state();

        auto const& end = client_.stats();
        rep_.requests = end.requests - start.requests;
        rep_.retries = end.retries - start.retries;
        rep_.rateLimited = end.rate_limited - start.rate_limited;
        out.on_finish(rep_);
        co_return rep_;
    }

private:
    // An answer not asked for yet (a switched-off part) is nullopt.
    template <class E>
    using listing = std::optional<result<std::vector<typename E::response_type>>>;
    template <class E>
    using answer = std::optional<result<typename E::response_type>>;

    // What one part of the run found wrong, merged into the report in a fixed
    // order whatever order the parts finished in.
    struct notes {
        bool incomplete = false;
        std::string incompleteReason;
        std::vector<std::string> warnings;
        std::vector<failure> failures;
        std::vector<filtered> filteredOut;
        std::uint64_t lineageEdges = 0, columnEdges = 0, columnNameFallbacks = 0;

        void fail(std::string entity, std::string endpoint, sigma::error const& e) {
            failures.push_back({std::move(entity), std::move(endpoint), e.message()});
        }
        void filter_out(std::string kind, std::string name, std::string why) {
            filteredOut.push_back({std::move(kind), std::move(name), std::move(why)});
        }
    };

    void merge(notes&& n) {
        if (n.incomplete) {
            rep_.complete = false;
            if (rep_.incompleteReason.empty()) rep_.incompleteReason = std::move(n.incompleteReason);
        }
        for (auto& w : n.warnings) rep_.warnings.push_back(std::move(w));
        for (auto& f : n.failures) rep_.failures.push_back(std::move(f));
        for (auto& f : n.filteredOut) rep_.filteredOut.push_back(std::move(f));
        rep_.lineageEdges += n.lineageEdges;
        rep_.columnEdges += n.columnEdges;
        rep_.columnNameFallbacks += n.columnNameFallbacks;
    }

    // ---- helpers -------------------------------------------------------------

    template <class E>
    std::string describe(E const& e) const {
        auto t = api::build_target(e, client_.settings().settings.apiVersion);
        return std::string(to_string(E::method)) + " " + (t ? *t : std::string(E::path_template));
    }

    static void listing_failed(notes& n, std::string const& what, std::string endpoint, sigma::error const& e) {
        if (!n.incomplete) n.incompleteReason = "listing " + what + " failed: " + e.message();
        n.incomplete = true;
        n.fail("organisation: " + what, std::move(endpoint), e);
    }

    std::optional<std::string> email_of(std::optional<std::string> const& member_id) const {
        if (!opts_.includeOwners || !member_id) return std::nullopt;
        auto it = member_email_.find(*member_id);
        if (it == member_email_.end() || it->second.empty()) return std::nullopt;
        return it->second;
    }

    // Every entry of an organisation-wide listing; false (and the run
    // incomplete) when it fails.
    template <class E, class T>
    boost::asio::awaitable<bool> list_all(E e, std::string const& what, notes& n, std::vector<T>& into) {
        auto r = co_await client_.async_list_all(e);
        if (!r) {
            listing_failed(n, what, describe(e), r.error());
            co_return false;
        }
        into = std::move(*r);
        co_return true;
    }

    // ---- organisation-wide listings ---------------------------------------

    boost::asio::awaitable<void> load_members(notes& n) {
        std::vector<api::list_members::response_type> all;
        if (!co_await list_all(api::list_members{}, "members", n, all)) co_return;
        for (auto& m : all) {
            member_email_[m.memberId] = m.email;
            if (m.homeFolderId && !m.homeFolderId->empty()) home_folder_owner_[*m.homeFolderId] = m.memberId;
        }
    }

    // Only what the walk needs of each file, page by page: an organisation's
    // /files listing is its largest.
    boost::asio::awaitable<void> load_files(notes& n) {
        detail::list_files e;
        auto pages = client_.pages(e);
        for (;;) {
            auto r = co_await pages.next();
            if (!r) {
                files_.clear(); // half a tree would misplace workbooks
                listing_failed(n, "files", describe(e), r.error());
                co_return;
            }
            if (!*r) break;
            for (auto& f : **r) {
                file_node node;
                node.parentId = std::move(f.parentId);
                node.type = f.type;
                if (f.type == api::file_type::workspace) node.name = std::move(f.name);
                if (f.badge && !f.badge->empty()) node.badge = std::move(f.badge);
                files_.insert_or_assign(std::move(f.id), std::move(node));
            }
        }
    }

    // The workbooks, listed page by page as the crawl asks for them (the
    // listing is never held whole): the live ones, then with includeArchived
    // the archived ones not already seen.
    class workbook_feed {
    public:
        workbook_feed(extractor& x, notes& n) : x_(x), n_(n), pager_(x.client_.pages(api::list_workbooks{})) {}

        // Reads the first page ahead, alongside the other listings.
        boost::asio::awaitable<void> prefetch() { co_await fill(); }

        boost::asio::awaitable<std::optional<api::workbook>> next() {
            for (;;) {
                if (pos_ < buffer_.size()) {
                    auto w = std::move(buffer_[pos_++]);
                    if (x_.opts_.includeArchived && !seen_.insert(w.workbookId).second) continue;
                    co_return std::optional<api::workbook>(std::move(w));
                }
                if (done_) co_return std::optional<api::workbook>();
                co_await fill();
            }
        }

    private:
        boost::asio::awaitable<void> fill() {
            buffer_.clear();
            pos_ = 0;
            if (done_) co_return;
            auto r = co_await pager_.next();
            if (!r) {
                api::list_workbooks e;
                if (archived_) e.isArchived = true;
                listing_failed(n_, archived_ ? "archived workbooks" : "workbooks", x_.describe(e), r.error());
                done_ = true;
                co_return;
            }
            if (*r) {
                buffer_ = std::move(**r);
                co_return;
            }
            if (!archived_ && x_.opts_.includeArchived) {
                archived_ = true;
                api::list_workbooks e;
                e.isArchived = true;
                pager_ = x_.client_.pages(std::move(e));
                co_return;
            }
            done_ = true;
        }

        extractor& x_;
        notes& n_;
        typename Client::template async_pager<api::list_workbooks> pager_;
        std::vector<api::workbook> buffer_;
        std::size_t pos_ = 0;
        bool archived_ = false;
        bool done_ = false;
        std::set<std::string> seen_; // only with includeArchived: the two listings overlap
    };

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
    boost::asio::awaitable<void> load_workspaces(std::vector<api::list_workspaces::response_type> listed, S& out) {
        for (auto& w : listed) workspaces_[w.workspaceId] = workspace_info{w.workspaceId, w.name, true, false, {}};
        // Workspaces seen only through /files: ask for each once; 403 means the
        // credential cannot read it, and its folder name stands in.
        std::vector<std::pair<std::string const, file_node> const*> unseen;
        for (auto const& entry : files_)
            if (entry.second.type == api::file_type::workspace && !workspaces_.count(entry.first)) unseen.push_back(&entry);
        struct found {
            workspace_info info;
            notes n;
        };
        auto ask = [&](std::size_t i) -> boost::asio::awaitable<found> {
            auto const& [id, f] = *unseen[i];
            found r;
            api::get_workspace g;
            g.workspaceId = id;
            auto w = co_await client_.async_get(g);
            if (w) {
                r.info = workspace_info{w->workspaceId, w->name, true, false, {}};
            } else {
                r.info = workspace_info{id, f.name, false, false, {}};
                if (w.error().http().status != 403) r.n.fail("workspace " + id + " (" + f.name + ")", describe(g), w.error());
            }
            co_return r;
        };
        co_await detail::run_ordered(unseen.size(), width_, ask, [&](std::size_t i, found&& r) {
            workspaces_[unseen[i]->first] = std::move(r.info);
            merge(std::move(r.n));
        });
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
                rep_.filteredOut.push_back({"workspace", w.name, *why});
                continue;
            }
            ++rep_.workspaces;
            out.on_workspace(w);
        }
    }

    // ---- tables ------------------------------------------------------------

    // Resolves a table source exactly through /connections/paths, else through
    // the /files path (`Connection Root/DB/SCHEMA` + the table's name). Each
    // table is asked for once per run: callers arriving while it is being
    // resolved wait for that answer.
    struct table_slot {
        bool ready = false;
        table_ref value;
        std::unique_ptr<boost::asio::steady_timer> done;
    };

    boost::asio::awaitable<table_ref> resolve_table(std::string const& inode_id, std::optional<std::string> name,
                                                    std::optional<std::string> connection_id) {
        if (auto it = tables_.find(inode_id); it != tables_.end()) {
            auto slot = it->second;
            while (!slot->ready) {
                boost::system::error_code ec;
                co_await slot->done->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }
            co_return slot->value;
        }
        auto slot = std::make_shared<table_slot>();
        slot->done = std::make_unique<boost::asio::steady_timer>(co_await boost::asio::this_coro::executor,
                                                                 boost::asio::steady_timer::time_point::max());
        tables_.emplace(inode_id, slot);
        notes& n = table_notes_[inode_id];

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
            n.warnings.push_back("table " + inode_id + ": " + describe(p) + " failed (" + r.error().message() +
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
                n.fail("table " + inode_id, describe(f), file.error());
            }
        }
        if (t.connectionId) {
            if (auto c = connections_.find(*t.connectionId); c != connections_.end()) {
                t.connectionName = c->second.name;
                t.connectionType = c->second.type;
                t.serviceType = service_type_for(c->second.type);
            }
        }
        slot->value = t;
        slot->ready = true;
        slot->done->cancel();
        co_return t;
    }

    // Names the data models among `sources` by id and fills in the tables
    // resolved already; returns the indices of the tables still to resolve.
    std::vector<std::size_t> prepare_sources(std::vector<lineage_source>& sources) const {
        for (auto& s : sources)
            if (s.kind == source_kind::data_model) {
                // Lineage names data models by urlId; the output wants the id.
                if (auto it = data_model_by_url_id_.find(s.id); it != data_model_by_url_id_.end()) s.id = it->second;
            }
        std::vector<std::size_t> pending;
        for (std::size_t i = 0; i < sources.size(); ++i) {
            auto& s = sources[i];
            if (s.kind != source_kind::table) continue;
            auto it = tables_.find(s.id);
            if (it == tables_.end() || !it->second->ready) {
                pending.push_back(i);
                continue;
            }
            s.table = it->second->value;
            if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
        }
        return pending;
    }

    // Resolves the tables prepare_sources() left, all at once: a task (a
    // coroutine and its spawn) only for those, not for every source.
    boost::asio::awaitable<void> resolve_pending(std::vector<lineage_source>& sources,
                                                 std::vector<std::size_t> const& pending) {
        auto one = [&](std::size_t k) -> boost::asio::awaitable<void> {
            auto& s = sources[pending[k]];
            s.table = co_await resolve_table(s.id, s.name, std::nullopt);
            if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
        };
        co_await detail::run_all(pending.size(), width_, one, workers());
    }

    // ---- data models ---------------------------------------------------------

    // One data model or workbook, read in full, or why not.
    struct entity_outcome {
        std::optional<data_model_info> model;
        std::optional<workbook_info> workbook;
        notes n;
        // Incremental runs: what the state keeps of it (when emitted), or why not.
        std::string id;
        bool is_model = false;
        std::optional<state_workbook> workbook_entry;
        std::optional<state_data_model> model_entry;
        bool reused = false;
        bool keep_previous = false; // failed, or outside the scope: its last state stands
        std::optional<std::string> dropped; // filtered out: why (a deletion's reason)
    };

    // Data models, then workbooks, as one stream of tasks: no barrier between
    // the two, while the sink still hears every data model before any workbook.
    template <sink S>
    boost::asio::awaitable<void> extract_entities(std::vector<api::data_model> models, workbook_feed& workbooks,
                                                  S& out) {
        for (auto const& dm : models) {
            data_model_by_url_id_[dm.dataModelUrlId] = dm.dataModelId;
            data_model_url_id_of_[dm.dataModelId] = dm.dataModelUrlId;
        }
        using item = std::variant<api::data_model, api::workbook>;
        std::size_t next_model = 0;
        auto next = [&]() -> boost::asio::awaitable<std::optional<item>> {
            if (next_model < models.size()) co_return std::optional<item>(std::move(models[next_model++]));
            auto w = co_await workbooks.next();
            if (!w) co_return std::optional<item>();
            co_return std::optional<item>(std::move(*w));
        };
        // Built in place: an outcome is large, and moving it from task to
        // queue to sink cost more than its reading.
        auto one = [&](item&& it, entity_outcome& r) {
            return counted(it.index() == 0 ? extract_data_model(std::get<0>(std::move(it)), r)
                                           : extract_workbook(std::get<1>(std::move(it)), r));
        };
        co_await detail::run_ordered_feed_in_place<entity_outcome>(width_, next, one, [&](entity_outcome&& r) {
            keep_state(r);
            merge(std::move(r.n));
            if (r.model) {
                ++rep_.dataModels;
                out.on_data_model(std::move(*r.model));
            } else if (r.workbook) {
                ++rep_.workbooks;
                rep_.pages += r.workbook->pages.size();
                for (auto const& p : r.workbook->pages) rep_.elements += p.elements.size();
                out.on_workbook(std::move(*r.workbook));
            }
        });
    }

    boost::asio::awaitable<void> extract_data_model(api::data_model dm, entity_outcome& r) {
        notes& n = r.n;
        r.id = dm.dataModelId;
        r.is_model = true;
        if (!in_scope(dm.path, nullptr)) {
            r.keep_previous = true;
            ++rep_.outOfScope;
            co_return;
        }
        bool archived = dm.isArchived.value_or(false);
        if (archived && !opts_.includeArchived) {
            drop(r, "data model", dm.name, "archived (includeArchived is off)");
            co_return;
        }
        if (auto why = filters_.data_models.rejects(dm.name)) {
            drop(r, "data model", dm.name, *why);
            co_return;
        }
        data_model_info info;
        info.archived = archived;
        info.ownerEmail = email_of(dm.ownerId);
        if (auto sp = space_of(dm.dataModelId)) {
            if (filtered_projects_.count(sp->id)) {
                drop(r, "data model", dm.name, "projectFilterPattern (its workspace)");
                co_return;
            }
            info.workspaceName = workspaces_.count(sp->id) ? workspaces_[sp->id].name : std::string{};
        }
        if (opts_.includeTags && dm.tags)
            for (auto const& t : *dm.tags) info.tags.push_back(t.tagName);
        // Named only when something fails: most entities never need it.
        auto entity = [&] { return "data model " + dm.dataModelId + " (" + dm.name + ")"; };

        if (auto const* old = reusable(dm)) {
            info.elements = old->elements;
            for (auto& el : info.elements) {
                refresh_tables(el.sources);
                n.lineageEdges += el.sources.size();
            }
            r.model_entry = *old;
            r.model_entry->name = dm.name;
            r.reused = true;
            info.dataModel = std::move(dm);
            r.model = std::move(info);
            co_return;
        }

        // Elements, columns and lineage are independent listings.
        listing<detail::list_data_model_elements> elements;
        listing<detail::list_data_model_columns> cols;
        listing<api::list_data_model_lineage> lin;
        detail::list_data_model_elements le;
        le.dataModelId = dm.dataModelId;
        detail::list_data_model_columns lc;
        lc.dataModelId = dm.dataModelId;
        api::list_data_model_lineage ll;
        ll.dataModelId = dm.dataModelId;
        auto fetch = [&](std::size_t i) -> boost::asio::awaitable<void> {
            if (i == 0) elements = co_await client_.async_list_all(le);
            if (i == 1 && opts_.includeColumns) cols = co_await client_.async_list_all(lc);
            if (i == 2 && opts_.includeLineage) lin = co_await client_.async_list_all(ll);
        };
        co_await detail::run_all(3, width_, fetch, workers());
        if (!*elements) {
            n.fail(entity(), describe(le), elements->error());
            r.keep_previous = true;
            co_return;
        }
        std::map<std::string, std::vector<column_info>> columns;
        if (cols) {
            if (!*cols)
                n.fail(entity(), describe(lc), cols->error());
            else
                for (auto const& c : **cols)
                    columns[c.elementId].push_back({c.columnId, c.name ? *c.name : c.label.value_or(std::string()), c.formula});
        }
        std::map<std::string, std::vector<lineage_source>> sources;
        std::vector<std::string> custom_sql;
        if (lin) {
            if (!*lin) {
                n.fail(entity(), describe(ll), lin->error());
            } else {
                std::map<std::string, api::lineage_table_entry> tables;
                for (auto const& entry : **lin) {
                    if (auto const* t = std::get_if<api::lineage_table_entry>(&entry)) tables[t->inodeId] = *t;
                    if (auto const* q = std::get_if<api::lineage_custom_sql_entry>(&entry))
                        custom_sql.push_back(q->definition);
                }
                // Collect the edges first, then resolve every table at once.
                std::vector<std::pair<std::string, lineage_source>> edges;
                for (auto const& entry : **lin) {
                    auto const* el = std::get_if<api::lineage_element_entry>(&entry);
                    if (el == nullptr || !el->sourceIds) continue;
                    for (auto const& sid : *el->sourceIds) {
                        lineage_source s;
                        s.id = sid;
                        s.kind = sid.rfind("inode-", 0) == 0 ? source_kind::table : source_kind::element;
                        edges.emplace_back(el->elementId, std::move(s));
                    }
                }
                auto one = [&](std::size_t i) -> boost::asio::awaitable<void> {
                    auto& s = edges[i].second;
                    if (s.kind != source_kind::table) co_return;
                    if (auto t = tables.find(s.id); t != tables.end()) {
                        s.name = t->second.name;
                        s.table = co_await resolve_table(s.id, t->second.name, t->second.connectionId);
                    } else {
                        s.table = co_await resolve_table(s.id, std::nullopt, std::nullopt);
                    }
                    if (!s.name && !s.table->path.empty()) s.name = s.table->path.back();
                };
                co_await detail::run_all(edges.size(), width_, one, workers());
                for (auto& [element_id, s] : edges) {
                    sources[element_id].push_back(std::move(s));
                    ++n.lineageEdges;
                }
            }
        }
        for (auto& el : **elements) {
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
        if (inc_) {
            state_data_model e;
            e.dataModelId = dm.dataModelId;
            e.name = dm.name;
            e.updatedAt = dm.updatedAt;
            e.latestVersion = dm.latestVersion;
            e.elements = info.elements;
            e.reusable = n.failures.empty();
            for (auto const& el : e.elements) e.reusable = e.reusable && tables_exact(el.sources);
            e.digest = digest_of(e);
            r.model_entry = std::move(e);
        }
        info.dataModel = std::move(dm);
        r.model = std::move(info);
        co_return;
    }

    // ---- workbooks -----------------------------------------------------------

    boost::asio::awaitable<void> extract_workbook(api::workbook wb, entity_outcome& r) {
        notes& n = r.n;
        r.id = wb.workbookId;
        if (!in_scope(wb.path, &wb.workbookId)) {
            r.keep_previous = true;
            ++rep_.outOfScope;
            co_return;
        }
        bool archived = wb.isArchived.value_or(false);
        if (archived && !opts_.includeArchived) {
            drop(r, "workbook", wb.name, "archived (includeArchived is off)");
            co_return;
        }
        if (auto why = filters_.dashboards.rejects(wb.name)) {
            drop(r, "workbook", wb.name, *why);
            co_return;
        }
        workbook_info info;
        info.archived = archived;
        info.ownerEmail = email_of(wb.ownerId);
        if (auto sp = space_of(wb.workbookId)) {
            if (filtered_projects_.count(sp->id)) {
                drop(r, "workbook", wb.name, "projectFilterPattern (its workspace)");
                co_return;
            }
            info.workspaceId = sp->id;
            info.personal = sp->personal;
            if (auto w = workspaces_.find(sp->id); w != workspaces_.end()) info.workspaceName = w->second.name;
        } else if (!wb.path.empty()) {
            // Not visible through /files (non-admin credentials): the path stands in.
            info.workspaceName = detail::first_path_part(wb.path);
            if (auto why = filters_.projects.rejects(*info.workspaceName)) {
                drop(r, "workbook", wb.name, *why + " (its workspace)");
                co_return;
            }
        }
        if (auto f = files_.find(wb.workbookId); f != files_.end() && f->second.badge) info.badge = f->second.badge;
        if (opts_.includeTags) {
            if (info.badge) info.tags.push_back(*info.badge);
            if (wb.tags)
                for (auto const& t : *wb.tags) info.tags.push_back(t.name);
        }
        // Named only when something fails: most workbooks never need it.
        auto entity = [&] { return "workbook " + wb.workbookId + " (" + wb.name + ")"; };

        if (auto const* old = reusable(wb)) {
            info.pages = old->pages;
            info.dataModelIds = old->dataModelIds;
            auto ids = data_model_ids_now(*old);
            for (auto& p : info.pages)
                for (auto& el : p.elements) {
                    el.workbookId = wb.workbookId;
                    el.url = detail::element_url(wb.url, el.elementId);
                    refresh_tables(el.sources);
                    for (auto& s : el.sources)
                        if (auto it = ids.find(s.id); s.kind == source_kind::data_model && it != ids.end()) s.id = it->second;
                    for (auto& c : el.columnLineage)
                        if (auto it = ids.find(c.fromSource); it != ids.end()) c.fromSource = it->second;
                    n.lineageEdges += el.sources.size();
                    n.columnEdges += el.columnLineage.size();
                    for (auto const& c : el.columnLineage) n.columnNameFallbacks += c.how == column_match::name;
                }
            n.warnings = old->warnings;
            n.filteredOut = old->filteredOut;
            r.workbook_entry = *old;
            r.workbook_entry->name = wb.name;
            if (!ids.empty()) {
                r.workbook_entry->pages = info.pages;
                r.workbook_entry->dataModelAliases = aliases_of(info.pages);
                r.workbook_entry->digest = digest_of(*r.workbook_entry);
            }
            r.reused = true;
            info.workbook = std::move(wb);
            r.workbook = std::move(info);
            co_return;
        }

        // Pages, then each page's elements: a workbook whose structure cannot
        // be read is not emitted at all, so a catalogue never loses its charts
        // to a half-read workbook.
        api::list_workbook_pages lp;
        lp.workbookId = wb.workbookId;
        auto pages = co_await client_.async_list_all(lp);
        if (!pages) {
            n.fail(entity(), describe(lp), pages.error());
            r.keep_previous = true;
            co_return;
        }
        std::vector<listing<detail::list_page_elements>> page_elements(pages->size());
        info.pages.reserve(pages->size());
        auto list_page = [&](std::size_t i) -> boost::asio::awaitable<void> {
            detail::list_page_elements le;
            le.workbookId = wb.workbookId;
            le.pageId = (*pages)[i].pageId;
            page_elements[i] = co_await client_.async_list_all(le);
        };
        co_await detail::run_all(pages->size(), width_, list_page, workers());
        for (std::size_t i = 0; i < pages->size(); ++i) {
            auto& p = (*pages)[i];
            auto& els = *page_elements[i];
            if (!els) {
                detail::list_page_elements le;
                le.workbookId = wb.workbookId;
                le.pageId = p.pageId;
                n.fail(entity(), describe(le), els.error());
                r.keep_previous = true;
                co_return;
            }
            page_info& pi = info.pages.emplace_back(); // built in place: no moves
            pi.pageId = std::move(p.pageId); // the listing is not read again
            pi.name = std::move(p.name);
            pi.hidden = p.hidden;
            pi.elements.reserve(els->size());
            for (auto& el : *els) {
                if (auto why = filters_.charts.rejects(el.name ? std::string_view(*el.name) : std::string_view())) {
                    n.filter_out("element", el.name.value_or(el.elementId), *why);
                    continue;
                }
                // The listing is read once: its strings move into the output.
                element_info& ei = pi.elements.emplace_back();
                ei.dataElement = el.type && is_data_element_type(*el.type);
                ei.url = detail::element_url(wb.url, el.elementId);
                ei.elementId = std::move(el.elementId);
                ei.workbookId = wb.workbookId;
                ei.pageId = pi.pageId;
                ei.name = std::move(el.name);
                ei.type = std::move(el.type);
                ei.vizualizationType = std::move(el.vizualizationType);
            }
        }

        // Keys view the elements' ids: info.pages no longer changes shape.
        detail::element_index by_id;
        std::vector<element_info*> data_elements;
        {
            std::size_t count = 0;
            for (auto const& p : info.pages) count += p.elements.size();
            by_id.reserve(count);
            data_elements.reserve(count);
        }
        for (auto& p : info.pages)
            for (auto& el : p.elements) {
                by_id.add(el);
                if (el.dataElement) data_elements.push_back(&el); // layout elements have no lineage: never asked
            }
        by_id.seal();

        // Columns, queries, sources and every data element's lineage, at once.
        listing<detail::list_workbook_columns> cols;
        listing<detail::list_workbook_queries> queries;
        listing<api::list_workbook_sources> srcs;
        std::vector<answer<api::get_element_lineage>> graphs(data_elements.size());
        detail::list_workbook_columns lc;
        lc.workbookId = wb.workbookId;
        detail::list_workbook_queries lq;
        lq.workbookId = wb.workbookId;
        api::list_workbook_sources ls;
        ls.workbookId = wb.workbookId;
        auto element_lineage = [&](std::size_t i) {
            api::get_element_lineage gl;
            gl.workbookId = wb.workbookId;
            gl.elementId = data_elements[i]->elementId;
            return gl;
        };
        auto fetch = [&](std::size_t i) -> boost::asio::awaitable<void> {
            if (i == 0) {
                if (opts_.includeColumns) cols = co_await client_.async_list_all(lc);
            } else if (i == 1) {
                if (opts_.includeQueries) queries = co_await client_.async_list_all(lq);
            } else if (i == 2) {
                if (opts_.includeDataModels || opts_.includeLineage) srcs = co_await client_.async_list_all(ls);
            } else if (opts_.includeLineage) {
                graphs[i - 3] = co_await client_.async_get(element_lineage(i - 3));
            }
        };
        co_await detail::run_all(3 + data_elements.size(), width_, fetch, workers());

        if (cols) {
            if (!*cols)
                n.fail(entity(), describe(lc), cols->error());
            else
                // Read once: the strings move. The listing comes grouped by
                // element, so each run of one element's columns is sized once.
                for (std::size_t i = 0, end = (*cols)->size(); i < end;) {
                    auto& first = (**cols)[i];
                    std::size_t run = i + 1;
                    while (run < end && (**cols)[run].elementId == first.elementId) ++run;
                    if (auto* el = by_id.find(first.elementId)) {
                        auto& to = el->columns;
                        if (to.capacity() < to.size() + (run - i))
                            to.reserve(std::max(to.size() + (run - i), 2 * to.capacity()));
                        for (std::size_t k = i; k < run; ++k) {
                            auto& c = (**cols)[k];
                            // display_name(), moved rather than copied
                            std::string name = c.name    ? std::move(*c.name)
                                               : c.label ? std::move(*c.label)
                                                         : std::string();
                            // Braces: clang 14 has no parenthesised aggregate initialisation.
                            to.push_back({std::move(c.columnId), std::move(name), std::move(c.formula)});
                        }
                    }
                    i = run;
                }
        }
        if (queries) {
            if (!*queries)
                n.fail(entity(), describe(lq), queries->error());
            else
                for (auto& q : **queries)
                    if (auto* el = by_id.find(q.elementId); el != nullptr && q.sql) el->sql = std::move(q.sql);
        }
        if (srcs) {
            if (*srcs) {
                for (auto const& s : **srcs)
                    if (auto const* dm = std::get_if<api::source_data_model>(&s)) info.dataModelIds.push_back(dm->dataModelId);
            } else if (auto st = srcs->error().http().status; st == 404 || st == 409 || st == 410) {
                // The dataset API was retired (2026-09-15): its sources are gone, not failing.
                n.warnings.push_back(entity() + ": " + describe(ls) + " answered " + std::to_string(st) +
                                     " (retired dataset source); skipped");
            } else {
                n.fail(entity(), describe(ls), srcs->error());
            }
        }
        if (opts_.includeLineage) {
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                auto& g = graphs[i];
                if (g && !*g) n.fail(entity() + " element " + data_elements[i]->elementId, describe(element_lineage(i)), g->error());
                else if (g) data_elements[i]->sources = walk_sources(std::move(**g), data_elements[i]->elementId); // read once
            }
            // Tables known already are filled in now; tasks only for elements
            // with tables still to ask for.
            std::vector<std::vector<std::size_t>> pending(data_elements.size());
            std::vector<std::size_t> to_resolve;
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                if (!graphs[i] || !*graphs[i]) continue;
                pending[i] = prepare_sources(data_elements[i]->sources);
                if (!pending[i].empty()) to_resolve.push_back(i);
            }
            auto resolve = [&](std::size_t k) -> boost::asio::awaitable<void> {
                std::size_t const i = to_resolve[k];
                co_await resolve_pending(data_elements[i]->sources, pending[i]);
            };
            if (!to_resolve.empty())
                co_await detail::run_all(to_resolve.size(), width_, resolve, workers());
            for (std::size_t i = 0; i < data_elements.size(); ++i) {
                if (!graphs[i] || !*graphs[i]) continue;
                element_info* el = data_elements[i];
                n.lineageEdges += el->sources.size();
                auto cl = column_edges(el->columns, el->sources);
                n.columnEdges += cl.edges.size();
                n.columnNameFallbacks += cl.name_fallbacks;
                el->columnLineage = std::move(cl.edges);
            }
        }

        if (inc_) {
            state_workbook e;
            e.workbookId = wb.workbookId;
            e.name = wb.name;
            e.updatedAt = wb.updatedAt;
            e.latestVersion = wb.latestVersion;
            e.pages = info.pages;
            e.dataModelIds = info.dataModelIds;
            e.warnings = n.warnings;
            e.filteredOut = n.filteredOut;
            e.dataModelAliases = aliases_of(e.pages);
            e.reusable = n.failures.empty();
            for (auto const& p : e.pages)
                for (auto const& el : p.elements) e.reusable = e.reusable && tables_exact(el.sources);
            e.digest = digest_of(e);
            r.workbook_entry = std::move(e);
        }
        info.workbook = std::move(wb);
        r.workbook = std::move(info);
        co_return;
    }

    // ---- incremental runs and scope --------------------------------------------

    void drop(entity_outcome& r, std::string kind, std::string const& name, std::string why) {
        r.dropped = kind + " filtered out: " + why;
        r.n.filter_out(std::move(kind), name, std::move(why));
    }

    // Scope: `id` null for data models (which only paths can name).
    bool in_scope(std::string const& path, std::string const* id) const {
        if (!opts_.scoped()) return true;
        if (id != nullptr && std::find(opts_.workbookIds.begin(), opts_.workbookIds.end(), *id) != opts_.workbookIds.end())
            return true;
        for (auto const& p : opts_.paths)
            if (detail::path_within(path, p)) return true;
        return false;
    }

    // A table found through the /files fallback (or not at all) is asked
    // for again next time rather than kept.
    static bool tables_exact(std::vector<lineage_source> const& sources) {
        for (auto const& s : sources)
            if (s.kind == source_kind::table && (!s.table || s.table->resolvedBy != "connection-path")) return false;
        return true;
    }

    // A kept table names its connection by id; the name and type are this run's.
    void refresh_tables(std::vector<lineage_source>& sources) const {
        for (auto& s : sources) {
            if (!s.table || !s.table->connectionId) continue;
            if (auto c = connections_.find(*s.table->connectionId); c != connections_.end()) {
                s.table->connectionName = c->second.name;
                s.table->connectionType = c->second.type;
                s.table->serviceType = service_type_for(c->second.type);
            }
        }
    }

    // The data model sources that carry a listed data model's id.
    std::vector<data_model_alias> aliases_of(std::vector<page_info> const& pages) const {
        std::vector<data_model_alias> out;
        std::set<std::string> seen;
        for (auto const& p : pages)
            for (auto const& el : p.elements)
                for (auto const& s : el.sources)
                    if (s.kind == source_kind::data_model && seen.insert(s.id).second)
                        if (auto it = data_model_url_id_of_.find(s.id); it != data_model_url_id_of_.end())
                            out.push_back({it->second, s.id});
        return out;
    }

    // A kept workbook's data model sources as this run's listing names them:
    // the state's id -> this run's, for those that differ.
    std::unordered_map<std::string, std::string> data_model_ids_now(state_workbook const& old) const {
        std::unordered_map<std::string, std::string> now;
        std::set<std::string> aliased;
        for (auto const& a : old.dataModelAliases) {
            aliased.insert(a.dataModelId);
            auto it = data_model_by_url_id_.find(a.urlId);
            std::string const id = it != data_model_by_url_id_.end() ? it->second : a.urlId;
            if (id != a.dataModelId) now.emplace(a.dataModelId, id);
        }
        // A urlId the last run could not name (its model was not listed) that this run can.
        for (auto const& p : old.pages)
            for (auto const& el : p.elements)
                for (auto const& s : el.sources)
                    if (s.kind == source_kind::data_model && !aliased.count(s.id))
                        if (auto it = data_model_by_url_id_.find(s.id); it != data_model_by_url_id_.end())
                            now.emplace(s.id, it->second);
        return now;
    }

    state_workbook const* reusable(api::workbook const& wb) const {
        if (!reuse_) return nullptr;
        auto it = previous_workbooks_.find(wb.workbookId);
        if (it == previous_workbooks_.end()) return nullptr;
        auto const* e = it->second;
        return e->reusable && e->updatedAt == wb.updatedAt && e->latestVersion == wb.latestVersion ? e : nullptr;
    }

    state_data_model const* reusable(api::data_model const& dm) const {
        if (!reuse_ || !dm.updatedAt) return nullptr;
        auto it = previous_models_.find(dm.dataModelId);
        if (it == previous_models_.end()) return nullptr;
        auto const* e = it->second;
        return e->reusable && e->updatedAt == dm.updatedAt && e->latestVersion == dm.latestVersion ? e : nullptr;
    }

    void start_state(incremental* inc) {
        inc_ = inc;
        reuse_ = false;
        if (inc_ == nullptr) return;
        inc_->next = state{};
        inc_->advance = false;
        auto const& cfg = client_.settings().settings;
        inc_->next.writtenBy = std::string("sigma-cpp ") + sigma::version_string;
        inc_->next.hostPort = cfg.hostPort;
        inc_->next.clientId = cfg.clientId;
        inc_->next.optionsDigest = options_digest(opts_, cfg.apiVersion);
        if (!inc_->previous) return;
        for (auto const& w : inc_->previous->workbooks) previous_workbooks_.emplace(w.workbookId, &w);
        for (auto const& m : inc_->previous->dataModels) previous_models_.emplace(m.dataModelId, &m);
        reuse_ = inc_->previous->optionsDigest == inc_->next.optionsDigest;
    }

    // An entity's outcome, in listing order: what the next state keeps.
    void keep_state(entity_outcome& r) {
        if (r.reused) ++rep_.reused;
        if (inc_ == nullptr) return;
        auto& next = inc_->next;
        if (r.workbook_entry) {
            next.workbooks.push_back(std::move(*r.workbook_entry));
        } else if (r.model_entry) {
            next.dataModels.push_back(std::move(*r.model_entry));
        } else if (r.keep_previous) {
            if (!r.is_model) {
                if (auto w = previous_workbooks_.find(r.id); w != previous_workbooks_.end())
                    next.workbooks.push_back(*w->second);
            } else if (auto m = previous_models_.find(r.id); m != previous_models_.end()) {
                next.dataModels.push_back(*m->second);
            }
        } else if (r.dropped) {
            dropped_.emplace(r.id, *r.dropped);
        }
    }

    // After the walk: deletions and the next state, or why neither.
    void finish_state() {
        if (inc_ == nullptr) return;
        auto& next = inc_->next;
        if (!rep_.complete) {
            next = state{};
            rep_.stateNote = "the run is incomplete (" + rep_.incompleteReason +
                             "): nothing is deleted and the state is not advanced";
            return;
        }
        auto const* prev = inc_->previous ? &*inc_->previous : nullptr;
        if (prev != nullptr && opts_.scoped()) {
            // Everything outside the scope stands as the last run saw it.
            auto carry = [](auto const& from, auto& into, auto id) {
                std::set<std::string> have;
                for (auto const& e : into) have.insert(id(e));
                for (auto const& e : from)
                    if (!have.count(id(e))) into.push_back(e);
            };
            carry(prev->workbooks, next.workbooks, [](state_workbook const& e) { return e.workbookId; });
            carry(prev->dataModels, next.dataModels, [](state_data_model const& e) { return e.dataModelId; });
        }
        std::sort(next.workbooks.begin(), next.workbooks.end(),
                  [](auto const& a, auto const& b) { return a.workbookId < b.workbookId; });
        std::sort(next.dataModels.begin(), next.dataModels.end(),
                  [](auto const& a, auto const& b) { return a.dataModelId < b.dataModelId; });
        auto counts = [&] {
            return std::to_string(next.workbooks.size()) + " workbooks and " + std::to_string(next.dataModels.size()) +
                   " data models";
        };
        if (prev == nullptr) {
            rep_.stateNote = "no previous state: everything was read; the state now holds " + counts();
        } else if (opts_.scoped()) {
            rep_.stateNote = "a scoped run: nothing is deleted; " + std::to_string(rep_.reused) +
                             " reused from the state; the state now holds " + counts();
        } else {
            find_deletions(*prev);
            rep_.stateNote = std::string(reuse_ ? "" : "the options differ from the state's, so everything was read; ") +
                             std::to_string(rep_.reused) + " reused from the state, " +
                             std::to_string(rep_.deletions.size()) + " deleted; the state now holds " + counts();
        }
        inc_->advance = true;
    }

    void find_deletions(state const& prev) {
        std::unordered_map<std::string_view, state_workbook const*> now;
        for (auto const& w : inc_->next.workbooks) now.emplace(w.workbookId, &w);
        auto element_gone = [&](element_info const& el, std::string const& workbook_id, std::string reason) {
            rep_.deletions.push_back({entity_kind::element, el.elementId, el.name.value_or(el.elementId), workbook_id,
                                      el.dataElement, std::move(reason)});
        };
        for (auto const& old : prev.workbooks) {
            auto it = now.find(old.workbookId);
            if (it == now.end()) {
                auto d = dropped_.find(old.workbookId);
                std::string why = d != dropped_.end() ? d->second : "not in the workbook listing";
                for (auto const& p : old.pages)
                    for (auto const& el : p.elements) element_gone(el, old.workbookId, "its workbook is gone (" + why + ")");
                rep_.deletions.push_back({entity_kind::workbook, old.workbookId, old.name, {}, false, why});
                continue;
            }
            std::set<std::string_view> kept;
            for (auto const& p : it->second->pages)
                for (auto const& el : p.elements) kept.insert(el.elementId);
            for (auto const& p : old.pages)
                for (auto const& el : p.elements)
                    if (!kept.count(el.elementId)) element_gone(el, old.workbookId, "no longer in its workbook (or filtered out)");
        }
        std::set<std::string_view> models;
        for (auto const& m : inc_->next.dataModels) models.insert(m.dataModelId);
        for (auto const& old : prev.dataModels) {
            if (models.count(old.dataModelId)) continue;
            auto d = dropped_.find(old.dataModelId);
            std::string why = d != dropped_.end() ? d->second
                              : opts_.includeDataModels ? "not in the data model listing"
                                                        : "data models are not read (includeDataModels is off)";
            rep_.deletions.push_back({entity_kind::data_model, old.dataModelId, old.name, {}, false, why});
        }
    }

    // Workers that may send requests at once, over every pool: the
    // extraction's own coroutine (the feed of workbooks asks on it), each
    // entity being extracted, and each worker a pool adds past its first
    // (which is its caller's). width_ bounds them: a pool adds workers only
    // when entities are too few to fill the client's window (at the start,
    // at the end), never requests to queue at its admission.
    struct worker_budget {
        std::size_t* busy;
        std::size_t width;
        bool take() const noexcept {
            if (*busy >= width) return false;
            ++*busy;
            return true;
        }
        void give() const noexcept { --*busy; }
    };
    worker_budget workers() noexcept { return {&busy_, width_}; }
    // An entity's extraction, counted among the workers while it runs. Not
    // by a destructor: frames destroyed with an io_context may outlive the
    // extractor.
    boost::asio::awaitable<void> counted(boost::asio::awaitable<void> task) {
        ++busy_;
        try {
            co_await std::move(task);
        } catch (...) {
            --busy_;
            throw;
        }
        --busy_;
    }

    Client& client_;
    options opts_;
    compiled_filters filters_;
    report rep_;
    std::size_t width_ = 1;
    std::size_t busy_ = 1; // see worker_budget: the extraction's own coroutine

    std::unordered_map<std::string, std::string> member_email_;
    std::unordered_map<std::string, std::string> home_folder_owner_; // homeFolderId -> memberId
    struct file_node {
        std::string parentId;
        api::file_type type = api::file_type::unknown;
        std::string name;                 // workspaces only
        std::optional<std::string> badge; // non-empty badges only
    };
    std::map<std::string, file_node> files_;
    std::map<std::string, workspace_info> workspaces_;
    std::set<std::string> filtered_projects_;
    std::unordered_map<std::string, api::connection> connections_;
    std::unordered_map<std::string, std::string> data_model_by_url_id_;
    std::unordered_map<std::string, std::string> data_model_url_id_of_;
    std::unordered_map<std::string, std::shared_ptr<table_slot>> tables_;
    std::map<std::string, notes> table_notes_;

    incremental* inc_ = nullptr;
    bool reuse_ = false; // a previous state taken with the same options
    std::unordered_map<std::string_view, state_workbook const*> previous_workbooks_;
    std::unordered_map<std::string_view, state_data_model const*> previous_models_;
    std::unordered_map<std::string, std::string> dropped_; // filtered out this run: why
};

namespace detail {

template <class Client, sink S>
boost::asio::awaitable<result<report>> run_extraction(Client& client, options const& opts, S& out, incremental* inc) {
    if (inc != nullptr && inc->previous) {
        if (auto ok = check_state(*inc->previous, client.settings().settings); !ok)
            co_return sigma::error(errc::config, "the state " + ok.error().message());
    }
    auto filters = compiled_filters::compile(opts);
    if (!filters) co_return std::move(filters).error();
    extractor<Client> x(client, opts, std::move(*filters));
    co_return co_await x.run(out, inc);
}

#ifdef SIGMA_SEPARATE_COMPILATION
// The extraction for sigma::client, into any sink: compiled once, by the
// file that includes <sigma/src.hpp> (extract/impl/compiled.ipp).
boost::asio::awaitable<result<report>> compiled_extraction(basic_client<beast_transport>& client, options const& opts,
                                                           sink_ref out, incremental* inc);
result<report> compiled_extract(basic_client<beast_transport>& client, options const& opts, sink_ref out,
                                incremental* inc);
template <class Client>
inline constexpr bool is_compiled_client = std::same_as<Client, basic_client<beast_transport>>;
#endif

} // namespace detail

// Walks the organisation into `out`. Fails only for invalid options (a bad
// regex) or a state that belongs to another organisation; everything that
// goes wrong during the run is in the report.
//
// With `inc`, an incremental run: unchanged workbooks and data models come
// from `inc->previous` (when set) without asking the API, deletions are found
// against it, and `inc->next` is what to save for the next run when
// `inc->advance` (see sigma/extract/state.hpp).
template <class Client, sink S>
boost::asio::awaitable<result<report>> async_extract(Client& client, options const& opts, S& out,
                                                     incremental* inc = nullptr) {
#ifdef SIGMA_SEPARATE_COMPILATION
    if constexpr (detail::is_compiled_client<Client>) return detail::compiled_extraction(client, opts, out, inc);
    else
#endif
        return detail::run_extraction(client, opts, out, inc);
}

template <class Client, sink S>
result<report> extract(Client& client, options const& opts, S& out, incremental* inc = nullptr) {
#ifdef SIGMA_SEPARATE_COMPILATION
    if constexpr (detail::is_compiled_client<Client>) return detail::compiled_extract(client, opts, out, inc);
    else
#endif
        return client.run(detail::run_extraction(client, opts, out, inc));
}

template <class Client, sink S>
result<report> extract(Client& client, options const& opts, S& out, incremental& inc) {
    return extract(client, opts, out, &inc);
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

#if defined(SIGMA_SEPARATE_COMPILATION) && defined(SIGMA_SOURCE)
#include <sigma/extract/impl/compiled.ipp>
#endif

#endif
