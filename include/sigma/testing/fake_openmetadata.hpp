// SPDX-License-Identifier: MIT
// sigma::testing::fake_openmetadata: the part of OpenMetadata's REST API that
// a dashboard connector writes to, in memory, as a handler (request in,
// response out) for memory_transport or the loopback http_server:
//
//   PUT  /api/v1/services/dashboardServices, /classifications, /tags, /charts,
//        /dashboard/datamodels, /dashboards   create or update by FQN, answer
//                                             the entity with `id` (a UUID) and
//                                             `fullyQualifiedName` (201 new, 200 updated)
//   PUT  /api/v1/lineage                      store the edge; both ends must be
//                                             ids of that type (404 otherwise)
//   GET  /api/v1/{tables,charts,dashboards,dashboard/datamodels,users}/name/{fqn}
//   GET  /api/v1/search/query?q=email.keyword:<email>&index=user_search_index
//   GET  /api/v1/search/fieldQuery?fieldName=fullyQualifiedName&fieldValue=<fqn with *>&index=table_search_index
//
// It checks what OpenMetadata checks for these bodies: `Authorization:
// Bearer <jwt>` (401), the service, tags, charts and data models a body names
// exist (404), every owner is an EntityReference with a known id (400 / 404).
// Errors are OpenMetadata's {"code": <status>, "message": "..."}. Users and
// tables are the server's, so tests seed them. Scripted failures answer a
// status for the nth request on a path. Copies share one state; the handler
// is thread-safe.
#ifndef SIGMA_TESTING_FAKE_OPENMETADATA_HPP
#define SIGMA_TESTING_FAKE_OPENMETADATA_HPP

#include <sigma/openmetadata/fqn.hpp>
#include <sigma/result.hpp>
#include <sigma/testing/memory_transport.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sigma::testing {

// A status to answer instead of serving: on the nth request (1-based) whose
// path equals `path` (or, ending in '*', starts with what precedes it), and
// the `count` - 1 matching requests after it.
struct openmetadata_fault {
    std::string path;
    unsigned status = 503;
    std::size_t nth = 1;
    std::size_t count = 1;
    std::optional<http_method> method;
    std::optional<std::string> retry_after;
    std::string message = "Scripted failure";
};

// One lineage edge as stored.
struct openmetadata_edge {
    std::string fromType, fromId, toType, toId;
    boost::json::value lineageDetails; // null when absent
};

class fake_openmetadata {
public:
    // `jwt`: the token accepted in `Authorization: Bearer`.
    explicit fake_openmetadata(std::string jwt) : st_(std::make_shared<state>()) { st_->jwt = std::move(jwt); }

    http_response operator()(http_request const& req) const {
        std::lock_guard lock(st_->m);
        return st_->serve(req);
    }

    // A memory_transport answered by this fake (state shared).
    memory_transport transport(boost::asio::any_io_executor ex) const {
        auto st = st_;
        return memory_transport(std::move(ex), [st](http_request const& r) -> result<http_response> {
            std::lock_guard lock(st->m);
            return st->serve(r);
        });
    }

    // ---- seeding ----------------------------------------------------------------

    // A user (found by email and by name); returns its id.
    std::string add_user(std::string const& name, std::string const& email) {
        std::lock_guard lock(st_->m);
        boost::json::object u;
        u["name"] = name;
        u["email"] = email;
        return st_->store("user", name, std::move(u)).first;
    }
    // A table with that FQN (service.database.schema.table); returns its id.
    std::string add_table(std::string const& fqn) {
        std::lock_guard lock(st_->m);
        auto parts = openmetadata::split_fqn(fqn);
        boost::json::object t;
        t["name"] = parts.empty() ? fqn : parts.back();
        return st_->store("table", fqn, std::move(t)).first;
    }

    void script(openmetadata_fault f) {
        std::lock_guard lock(st_->m);
        st_->faults.push_back({std::move(f), 0});
    }

    // ---- what the server holds ---------------------------------------------------

    // The stored entity of that type ("chart", "dashboard", "dashboardDataModel",
    // "dashboardService", "classification", "tag", "table", "user") and FQN.
    [[nodiscard]] std::optional<boost::json::object> entity(std::string const& type, std::string const& fqn) const {
        std::lock_guard lock(st_->m);
        auto it = st_->by_fqn.find(state::key(type, fqn));
        if (it == st_->by_fqn.end()) return std::nullopt;
        return st_->entities.at(it->second);
    }
    // Every stored entity of a type.
    [[nodiscard]] std::vector<boost::json::object> entities(std::string const& type) const {
        std::lock_guard lock(st_->m);
        std::vector<boost::json::object> out;
        for (auto const& [id, e] : st_->entities)
            if (e.at("entityType").as_string() == type) out.push_back(e);
        return out;
    }
    [[nodiscard]] std::vector<openmetadata_edge> edges() const {
        std::lock_guard lock(st_->m);
        std::vector<openmetadata_edge> out;
        for (auto const& [k, e] : st_->edges) out.push_back(e);
        return out;
    }
    // The FQN of an id, or empty.
    [[nodiscard]] std::string fqn_of(std::string const& id) const {
        std::lock_guard lock(st_->m);
        auto it = st_->entities.find(id);
        return it == st_->entities.end() ? std::string() : std::string(it->second.at("fullyQualifiedName").as_string());
    }
    // "METHOD target -> status" of every request, in order.
    [[nodiscard]] std::vector<std::string> log() const {
        std::lock_guard lock(st_->m);
        return st_->log;
    }
    // Every Authorization header value received (to check what was sent).
    [[nodiscard]] std::vector<std::string> authorizations() const {
        std::lock_guard lock(st_->m);
        return st_->auths;
    }

private:
    struct scripted {
        openmetadata_fault f;
        std::size_t seen;
    };

    struct state {
        std::mutex m;
        std::string jwt;
        std::map<std::string, boost::json::object> entities; // id -> entity (with entityType)
        std::map<std::string, std::string> by_fqn;           // "type\nfqn" -> id
        std::map<std::string, openmetadata_edge> edges;      // "from\nto" -> edge
        std::vector<scripted> faults;
        std::vector<std::string> log;
        std::vector<std::string> auths;
        std::uint64_t counter = 0;

        static std::string key(std::string_view type, std::string_view fqn) {
            return std::string(type) + "\n" + std::string(fqn);
        }

        std::string next_uuid() {
            // Deterministic UUID-shaped ids (version 4 layout).
            static constexpr char hex[] = "0123456789abcdef";
            std::uint64_t v = 0x5ca1ab1e00000000ull + ++counter;
            std::string s = "00000000-0000-4000-8000-000000000000";
            for (std::size_t i = s.size(); i-- > 0 && v != 0;) {
                if (s[i] == '-') continue;
                s[i] = hex[v & 15];
                v >>= 4;
            }
            return s;
        }

        // Creates or updates; returns the id and whether it was new.
        std::pair<std::string, bool> store(std::string const& type, std::string const& fqn, boost::json::object body) {
            auto [it, fresh] = by_fqn.try_emplace(key(type, fqn));
            if (fresh) it->second = next_uuid();
            auto const& id = it->second;
            double version = 0.1;
            if (!fresh) version = entities[id].at("version").as_double() + 0.1;
            body["id"] = id;
            body["fullyQualifiedName"] = fqn;
            body["entityType"] = type;
            body["version"] = version;
            entities[id] = std::move(body);
            return {id, fresh};
        }

        std::optional<std::string> id_of(std::string const& type, std::string const& fqn) const {
            auto it = by_fqn.find(key(type, fqn));
            if (it == by_fqn.end()) return std::nullopt;
            return it->second;
        }

        static http_response json(unsigned status, boost::json::value const& v) {
            return json_response(status, boost::json::serialize(v));
        }
        static http_response fail(unsigned status, std::string const& message) {
            boost::json::object o;
            o["code"] = status;
            o["message"] = message;
            return json(status, o);
        }

        http_response serve(http_request const& req) {
            http_response r = route(req);
            log.push_back(std::string(to_string(req.method)) + " " + req.target + " -> " + std::to_string(r.status));
            return r;
        }

        static bool path_matches(std::string const& pattern, std::string_view path) {
            if (!pattern.empty() && pattern.back() == '*')
                return path.substr(0, pattern.size() - 1) == std::string_view(pattern).substr(0, pattern.size() - 1);
            return pattern == path;
        }

        http_response route(http_request const& req) {
            auto url = boost::urls::parse_origin_form(req.target);
            if (!url) return fail(400, "Malformed request target");
            std::vector<std::string> segs;
            for (auto s : url->segments()) segs.push_back(std::string(s));
            std::string const path(url->encoded_path());

            auths.push_back(std::string(req.header("Authorization")));
            if (req.header("Authorization") != "Bearer " + jwt)
                return fail(401, "Not Authorized! Token verification failed");

            for (auto& s : faults) {
                if (s.f.method && *s.f.method != req.method) continue;
                if (!path_matches(s.f.path, path)) continue;
                ++s.seen;
                if (s.seen >= s.f.nth && (s.f.count == 0 || s.seen < s.f.nth + s.f.count)) {
                    auto r = fail(s.f.status, s.f.message);
                    if (s.f.retry_after) r.headers.push_back({"Retry-After", *s.f.retry_after});
                    return r;
                }
            }

            if (segs.size() < 3 || segs[0] != "api" || segs[1] != "v1") return fail(404, "Unknown path " + path);
            std::vector<std::string> rest(segs.begin() + 2, segs.end());

            if (req.method == http_method::get) return get(rest, *url);
            if (req.method == http_method::delete_) return remove(rest, *url);
            if (req.method != http_method::put) return fail(405, "Method not allowed");

            boost::system::error_code ec;
            auto body = boost::json::parse(req.body, ec);
            if (ec || !body.is_object()) return fail(400, "Unable to process JSON: the body is not a JSON object");
            auto& o = body.get_object();
            std::string const joined = [&] {
                std::string j;
                for (auto const& s : rest) j += (j.empty() ? "" : "/") + s;
                return j;
            }();
            if (joined == "lineage") return put_lineage(o);

            auto const* name_v = o.if_contains("name");
            if (name_v == nullptr || !name_v->is_string() || name_v->get_string().empty())
                return fail(400, "[query param name must not be null]");
            std::string const name(name_v->get_string());
            std::string type, fqn;
            if (joined == "services/dashboardServices") {
                type = "dashboardService";
                fqn = openmetadata::build_fqn({name});
            } else if (joined == "classifications") {
                type = "classification";
                fqn = openmetadata::build_fqn({name});
            } else if (joined == "tags") {
                type = "tag";
                std::string cls = string_at(o, "classification");
                if (!id_of("classification", cls)) return fail(404, "classification instance for " + cls + " not found");
                fqn = openmetadata::build_fqn({cls, name});
            } else if (joined == "charts" || joined == "dashboards" || joined == "dashboard/datamodels") {
                type = joined == "charts" ? "chart" : joined == "dashboards" ? "dashboard" : "dashboardDataModel";
                std::string svc = string_at(o, "service");
                if (!id_of("dashboardService", svc)) return fail(404, "dashboardService instance for " + svc + " not found");
                fqn = type == "dashboardDataModel" ? openmetadata::data_model_fqn(svc, name)
                                                   : openmetadata::build_fqn({svc, name});
                if (auto problem = check_refs(o)) return *problem;
            } else {
                return fail(404, "Unknown path " + path);
            }
            auto [id, fresh] = store(type, fqn, o);
            return json(fresh ? 201 : 200, entities[id]);
        }

        static std::string string_at(boost::json::object const& o, std::string_view k) {
            auto const* v = o.if_contains(k);
            return v && v->is_string() ? std::string(v->get_string()) : std::string();
        }

        // owners, tags, charts, dataModels must name what exists.
        std::optional<http_response> check_refs(boost::json::object const& o) const {
            if (auto const* owners = o.if_contains("owners")) {
                if (!owners->is_array()) return fail(400, "owners must be an array");
                for (std::size_t i = 0; i < owners->get_array().size(); ++i) {
                    auto const* ref = owners->get_array()[i].if_object();
                    std::string const at = "owners[" + std::to_string(i) + "]";
                    if (ref == nullptr) return fail(400, at + " must be an object");
                    for (auto const& kv : *ref)
                        if (kv.key() != "id" && kv.key() != "type" && kv.key() != "name" &&
                            kv.key() != "fullyQualifiedName" && kv.key() != "displayName")
                            return fail(400, "Unrecognized field \"" + std::string(kv.key()) + "\" in " + at);
                    std::string id = string_at(*ref, "id");
                    if (id.empty()) return fail(400, at + ".id must not be null");
                    auto it = entities.find(id);
                    if (it == entities.end() || it->second.at("entityType").as_string() != string_at(*ref, "type"))
                        return fail(404, string_at(*ref, "type") + " instance for " + id + " not found");
                }
            }
            auto names = [&](std::string_view k, std::string const& type) -> std::optional<http_response> {
                auto const* a = o.if_contains(k);
                if (a == nullptr) return std::nullopt;
                if (!a->is_array()) return fail(400, std::string(k) + " must be an array");
                for (auto const& v : a->get_array()) {
                    std::string fqn = v.is_string() ? std::string(v.get_string())
                                      : v.is_object() ? string_at(v.get_object(), "tagFQN")
                                                      : std::string();
                    if (!id_of(type, fqn)) return fail(404, type + " instance for " + fqn + " not found");
                }
                return std::nullopt;
            };
            if (auto p = names("tags", "tag")) return p;
            if (auto p = names("charts", "chart")) return p;
            if (auto p = names("dataModels", "dashboardDataModel")) return p;
            return std::nullopt;
        }

        http_response put_lineage(boost::json::object const& o) {
            auto const* edge = o.if_contains("edge");
            if (edge == nullptr || !edge->is_object()) return fail(400, "edge must not be null");
            auto const& e = edge->get_object();
            openmetadata_edge out;
            for (auto end : {"fromEntity", "toEntity"}) {
                auto const* ref = e.if_contains(end);
                if (ref == nullptr || !ref->is_object()) return fail(400, std::string("edge.") + end + " must not be null");
                std::string id = string_at(ref->get_object(), "id");
                std::string type = string_at(ref->get_object(), "type");
                if (id.empty()) return fail(400, std::string("edge.") + end + ".id must not be null");
                auto it = entities.find(id);
                if (it == entities.end() || it->second.at("entityType").as_string() != type)
                    return fail(404, type + " instance for " + id + " not found");
                (std::string_view(end) == "fromEntity" ? out.fromId : out.toId) = id;
                (std::string_view(end) == "fromEntity" ? out.fromType : out.toType) = type;
            }
            if (auto const* d = e.if_contains("lineageDetails")) out.lineageDetails = *d;
            edges[out.fromId + "\n" + out.toId] = std::move(out);
            return json_response(200, "");
        }

        static bool fqn_glob(std::string_view pat, std::string_view s) {
            if (pat.empty()) return s.empty();
            if (pat.front() == '*') {
                for (std::size_t i = 0; i <= s.size(); ++i)
                    if (fqn_glob(pat.substr(1), s.substr(i))) return true;
                return false;
            }
            return !s.empty() && pat.front() == s.front() && fqn_glob(pat.substr(1), s.substr(1));
        }

        static std::string param(boost::urls::url_view const& u, std::string_view k) {
            for (auto const& p : u.params())
                if (p.key == k) return std::string(p.value);
            return {};
        }

        static boost::json::object hits(std::vector<boost::json::object> const& found) {
            boost::json::array a;
            for (auto const& e : found) {
                boost::json::object h;
                h["_index"] = "index";
                h["_id"] = e.at("id");
                h["_source"] = e;
                a.push_back(std::move(h));
            }
            boost::json::object total;
            total["value"] = found.size();
            total["relation"] = "eq";
            boost::json::object inner;
            inner["total"] = std::move(total);
            inner["hits"] = std::move(a);
            boost::json::object out;
            out["hits"] = std::move(inner);
            return out;
        }

        http_response get(std::vector<std::string> const& rest, boost::urls::url_view const& u) {
            // .../name/{fqn}
            static constexpr std::pair<std::string_view, std::string_view> by_name[] = {
                {"tables", "table"}, {"charts", "chart"}, {"dashboards", "dashboard"}, {"users", "user"}};
            for (auto const& [coll, type] : by_name)
                if (rest.size() == 3 && rest[0] == coll && rest[1] == "name") return named(std::string(type), rest[2]);
            if (rest.size() == 4 && rest[0] == "dashboard" && rest[1] == "datamodels" && rest[2] == "name")
                return named("dashboardDataModel", rest[3]);
            if (rest.size() == 2 && rest[0] == "search" && rest[1] == "query") {
                if (param(u, "index") != "user_search_index") return fail(400, "this fake searches users only");
                std::string q = param(u, "q");
                std::string_view const prefix = "email.keyword:";
                if (q.rfind(prefix, 0) != 0) return fail(400, "this fake answers q=email.keyword:<email> only");
                std::string email;
                for (std::size_t i = prefix.size(); i < q.size(); ++i) {
                    if (q[i] == '\\' && i + 1 < q.size()) ++i;
                    email += q[i];
                }
                std::vector<boost::json::object> found;
                for (auto const& [id, e] : entities)
                    if (e.at("entityType").as_string() == "user" && string_at(e, "email") == email) found.push_back(e);
                return json(200, hits(found));
            }
            if (rest.size() == 2 && rest[0] == "search" && rest[1] == "fieldQuery") {
                if (param(u, "index") != "table_search_index" || param(u, "fieldName") != "fullyQualifiedName")
                    return fail(400, "this fake searches tables by fullyQualifiedName only");
                std::string pattern = param(u, "fieldValue");
                std::vector<boost::json::object> found;
                for (auto const& [id, e] : entities)
                    if (e.at("entityType").as_string() == "table" &&
                        fqn_glob(pattern, std::string_view(e.at("fullyQualifiedName").as_string())))
                        found.push_back(e);
                return json(200, hits(found));
            }
            return fail(404, "Unknown path");
        }

        // DELETE .../name/{fqn}?hardDelete=false: a soft delete marks the
        // entity `deleted` (as OpenMetadata does); hardDelete=true removes it.
        http_response remove(std::vector<std::string> const& rest, boost::urls::url_view const& u) {
            std::string type, fqn;
            if (rest.size() == 3 && rest[1] == "name" && (rest[0] == "charts" || rest[0] == "dashboards")) {
                type = rest[0] == "charts" ? "chart" : "dashboard";
                fqn = rest[2];
            } else if (rest.size() == 4 && rest[0] == "dashboard" && rest[1] == "datamodels" && rest[2] == "name") {
                type = "dashboardDataModel";
                fqn = rest[3];
            } else {
                return fail(405, "Method not allowed");
            }
            auto id = id_of(type, fqn);
            if (!id) return fail(404, type + " instance for " + fqn + " not found");
            if (param(u, "hardDelete") == "true") {
                auto e = entities[*id];
                by_fqn.erase(key(type, fqn));
                entities.erase(*id);
                return json(200, e);
            }
            entities[*id]["deleted"] = true;
            return json(200, entities[*id]);
        }

        http_response named(std::string const& type, std::string const& fqn) {
            auto id = id_of(type, fqn);
            if (!id) return fail(404, type + " instance for " + fqn + " not found");
            return json(200, entities[*id]);
        }
    };

    std::shared_ptr<state> st_;
};

} // namespace sigma::testing

#endif
