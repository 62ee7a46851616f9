// The models against the vendor's OpenAPI description: every described member
// of every model must be a property of the matching operation's 200 answer,
// with a compatible JSON type. The walk over the models is generated at
// compile time from their Boost.Describe descriptions; the spec is read at run
// time from ../shared (absent in a user's clone: the test then says so and skips).
#include <sigma/api/models.hpp>

#include <doctest/doctest.h>

#include <boost/describe/enumerators.hpp>
#include <boost/describe/members.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace test_contract {

namespace fs = std::filesystem;

// Fields the models keep on purpose although the spec does not list them (or
// lists them otherwise): real answers carry them (see sigma-api.md). Each is
// printed when used, and an entry no longer needed fails the test so that the
// list stays true.
struct known_exception {
    std::string_view model; // label used in the operation table below, or "*" for every model
    std::string_view field; // path inside the entry, e.g. "host" or "tags[].name"; "/hasMore" = envelope
    std::string_view reason;
};
// Audit fields the connector never reads: optional, so that an answer without
// one (older deployments, reduced permissions) still decodes.
constexpr std::string_view audit_reason =
    "an audit field the connector does not use; optional so that an answer without it still decodes "
    "(sigma-api.md does not list it)";

constexpr known_exception known_exceptions[] = {
    {"member", "organizationId", audit_reason},
    {"member", "createdBy", audit_reason},
    {"member", "updatedBy", audit_reason},
    {"member", "createdAt", audit_reason},
    {"member", "updatedAt", audit_reason},
    {"member", "homeFolderId", audit_reason},
    {"connection", "organizationId", audit_reason},
    {"connection", "isSample", audit_reason},
    {"connection", "isAuditLog", audit_reason},
    {"connection", "lastActiveAt", audit_reason},
    {"connection", "useOauth", audit_reason},
    {"connection", "createdBy", audit_reason},
    {"connection", "updatedBy", audit_reason},
    {"connection", "createdAt", audit_reason},
    {"connection", "updatedAt", audit_reason},
    {"file", "createdBy", audit_reason},
    {"file", "updatedBy", audit_reason},
    {"file", "createdAt", audit_reason},
    {"file", "updatedAt", audit_reason},
    {"data_model", "createdBy", audit_reason},
    {"data_model", "updatedBy", audit_reason},
    {"data_model", "createdAt", audit_reason},
    {"data_model", "updatedAt", audit_reason},
    {"version_tag", "ownerId", audit_reason},
    {"version_tag", "createdBy", audit_reason},
    {"version_tag", "updatedBy", audit_reason},
    {"version_tag", "createdAt", audit_reason},
    {"version_tag", "updatedAt", audit_reason},
    {"*", "/hasMore",
     "paging A answers carry the deprecated hasMore (sigma-api.md), also where the spec omits it; kept raw, "
     "never relied on"},
    {"workbook_column", "name", "named by `name` or by `label` (sigma-api.md), so neither is required"},
    {"data_model_column", "name", "same shape as the workbook's columns: `name` or `label`"},
    {"workbook_source", "<custom-sql>.customSqlId",
     "sigma-api.md gives custom-sql sources as {connectionId, definition}; customSqlId kept when sent"},
    {"data_model_source", "<custom-sql>.customSqlId", "as for workbook sources"},
    {"workspace", "workspaceUrlId", "sigma-api.md: workspaceUrlId? (real answers can omit it)"},
    {"connection_path", "urlId",
     "one model for GET /connections/paths/{inodeId} and the entries of GET /connections/paths; only the "
     "list sends urlId, so it is optional"},
    {"connection", "host", "sent for host-based warehouses (postgres, redshift, ...); sigma-api.md lists host?"},
    {"workbook_column", "label",
     "/workbooks/{id}/columns names a column by `name` or `label` (sigma-api.md); the spec lists only name"},
    {"data_model_column", "label", "same shape as the workbook's columns: `name` or `label`"},
    {"data_model", "description", "sigma-api.md lists description? on data models; the spec does not"},
};

// Resolved views of a schema: one per alternative of oneOf/anyOf (allOf parts
// are merged into one view). A view is an object schema node; an empty view
// stands for "anything".
struct spec_reader {
    boost::json::value doc;
    std::deque<boost::json::object> synthetic; // merged allOf views, stable addresses
    boost::json::object any_view;

    boost::json::value const* resolve(boost::json::value const* v) const {
        for (int hops = 0; v && hops < 64; ++hops) {
            auto const* o = v->if_object();
            if (!o) return v;
            auto it = o->find("$ref");
            if (it == o->end() || !it->value().is_string()) return v;
            std::string_view ref = it->value().get_string();
            if (ref.substr(0, 2) != "#/") return nullptr;
            boost::json::value const* cur = &doc;
            std::string_view rest = ref.substr(2);
            while (cur && !rest.empty()) {
                auto slash = rest.find('/');
                std::string token(rest.substr(0, slash));
                rest = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
                auto const* co = cur->if_object();
                cur = co && co->contains(token) ? &co->at(token) : nullptr;
            }
            v = cur;
        }
        return v;
    }

    void expand(boost::json::value const* v, std::vector<boost::json::object const*>& out) {
        v = resolve(v);
        if (!v || !v->is_object()) {
            out.push_back(&any_view); // `true`, `{}` or unresolvable: anything
            return;
        }
        auto const& o = v->get_object();
        for (auto key : {"oneOf", "anyOf"}) {
            if (auto const* alts = o.if_contains(key); alts && alts->is_array()) {
                for (auto const& a : alts->get_array()) expand(&a, out);
                return;
            }
        }
        if (auto const* parts = o.if_contains("allOf"); parts && parts->is_array()) {
            boost::json::object merged = o;
            merged.erase("allOf");
            boost::json::object props;
            boost::json::array required;
            for (auto const& p : parts->get_array()) {
                std::vector<boost::json::object const*> sub;
                expand(&p, sub);
                for (auto const* s : sub) {
                    if (auto const* pp = s->if_contains("properties"); pp && pp->is_object())
                        for (auto const& kv : pp->get_object()) props[kv.key()] = kv.value();
                    if (auto const* rr = s->if_contains("required"); rr && rr->is_array())
                        for (auto const& r : rr->get_array()) required.push_back(r);
                    if (auto const* t = s->if_contains("type")) merged["type"] = *t;
                }
            }
            merged["properties"] = std::move(props);
            merged["required"] = std::move(required);
            synthetic.push_back(std::move(merged));
            out.push_back(&synthetic.back());
            return;
        }
        out.push_back(&o);
    }

    std::vector<boost::json::object const*> views(std::vector<boost::json::value const*> const& set) {
        std::vector<boost::json::object const*> out;
        for (auto const* v : set) expand(v, out);
        return out;
    }
};

// The JSON types a view admits; empty = any.
inline std::set<std::string> view_types(boost::json::object const& v) {
    std::set<std::string> out;
    if (auto const* t = v.if_contains("type")) {
        if (t->is_string()) out.insert(std::string(t->get_string()));
        if (t->is_array())
            for (auto const& x : t->get_array())
                if (x.is_string()) out.insert(std::string(x.get_string()));
    } else if (auto const* e = v.if_contains("enum"); e && e->is_array()) {
        for (auto const& x : e->get_array()) out.insert(x.is_string() ? "string" : x.is_null() ? "null" : "number");
    } else if (v.contains("properties") || v.contains("additionalProperties")) {
        out.insert("object");
    } else if (v.contains("items")) {
        out.insert("array");
    }
    if (v.if_contains("nullable") && v.at("nullable") == true) out.insert("null");
    return out;
}

inline std::string join(std::set<std::string> const& s) {
    std::string out;
    for (auto const& x : s) out += (out.empty() ? "" : "|") + x;
    return out;
}

struct checker {
    spec_reader& spec;
    std::string label; // model label, for exceptions and messages
    std::string operation;
    std::vector<std::string> mismatches;
    std::vector<std::string> notes;              // texts without the operation
    std::set<std::string> integer_fields;        // typed `number` by the spec, integers here
    std::set<std::string> used_exceptions;

    using schema_set = std::vector<boost::json::value const*>;

    checker(spec_reader& s, std::string l, std::string op)
        : spec(s), label(std::move(l)), operation(std::move(op)) {}

    std::string where(std::string const& field) const { return label + "." + field + " (" + operation + ")"; }
    // For notes: the same text whether the entry came paged, bare or alone.
    std::string what(std::string const& field) const { return label + "." + entry_path(field); }

    // The field's path inside one entry: without the paging envelope or a bare array's brackets.
    static std::string entry_path(std::string const& field) {
        std::string_view f = field;
        for (std::string_view prefix : {"entries[]", "[]"}) {
            if (f.substr(0, prefix.size()) == prefix) {
                f.remove_prefix(prefix.size());
                if (!f.empty() && f.front() == '.') f.remove_prefix(1);
                break;
            }
        }
        return std::string(f);
    }

    known_exception const* exception_for(std::string const& field) const {
        for (auto const& e : known_exceptions) {
            if (e.model != label && e.model != "*") continue;
            if (e.field.front() == '/' ? e.field.substr(1) == field : e.field == entry_path(field)) return &e;
        }
        return nullptr;
    }

    void mismatch(std::string const& field, std::string const& what) {
        if (auto const* e = exception_for(field)) {
            used_exceptions.insert(std::string(e->model) + "." + std::string(e->field));
            notes.push_back("known exception " + this->what(field) + ": " + what + " -- " + std::string(e->reason));
            return;
        }
        mismatches.push_back(where(field) + ": " + what);
    }

    // Types admitted by a set of schemas; empty = any (if any alternative admits anything).
    std::set<std::string> types_of(schema_set const& set) {
        std::set<std::string> out;
        for (auto const* v : spec.views(set)) {
            auto t = view_types(*v);
            if (t.empty()) return {};
            out.insert(t.begin(), t.end());
        }
        return out;
    }

    schema_set children(schema_set const& set, std::string_view key) {
        schema_set out;
        for (auto const* v : spec.views(set)) {
            if (auto const* c = v->if_contains(key); c && !c->is_bool()) out.push_back(c);
            else if (c && c->is_bool() && c->get_bool()) out.push_back(nullptr); // any
        }
        return out;
    }

    // The expected JSON types of a C++ member type, checked against the spec,
    // then recursion into arrays, maps, objects and tagged unions.
    template <class T>
    void check_value(schema_set const& set, std::string const& field, bool nullable_ok) {
        using namespace sigma::json;
        if constexpr (detail::is_optional<T>::value) {
            check_value<typename T::value_type>(set, field, true);
        } else {
            std::set<std::string> spec_types = types_of(set);
            if (spec_types.count("null") && !nullable_ok)
                mismatch(field, "the spec allows null but the member is not std::optional");
            spec_types.erase("null");
            std::set<std::string> expected = expected_types<T>();
            if (!spec_types.empty() && !expected.empty()) {
                bool overlap = false;
                for (auto const& e : expected) overlap = overlap || spec_types.count(e) > 0;
                if (!overlap)
                    mismatch(field, "JSON type: spec says " + join(spec_types) + ", model expects " + join(expected));
                else if (spec_types.count("number") && !spec_types.count("integer") && json_integer<T>)
                    integer_fields.insert(entry_path(field));
            }
            if constexpr (detail::is_vector<T>::value) {
                check_value<typename T::value_type>(children(set, "items"), field + "[]", false);
            } else if constexpr (detail::is_string_map<T>::value) {
                check_value<typename T::mapped_type>(children(set, "additionalProperties"), field + "{}", false);
            } else if constexpr (described_enum<T>) {
                check_enum<T>(set, field);
            } else if constexpr (tagged_union<T>) {
                check_variant(set, field, static_cast<T const*>(nullptr));
            } else if constexpr (described_struct<T> && !has_codec<T>) {
                check_struct<T>(spec.views(set), field);
            }
        }
    }

    template <class T>
    static std::set<std::string> expected_types() {
        using namespace sigma::json;
        if constexpr (has_codec<T>) {
            // A codec's own JSON form tells its type.
            auto k = codec<T>::to_json(T{}).kind();
            return {k == boost::json::kind::string ? "string"
                    : k == boost::json::kind::bool_ ? "boolean"
                    : k == boost::json::kind::object ? "object"
                    : k == boost::json::kind::array ? "array"
                                                    : "number"};
        } else if constexpr (std::is_same_v<T, boost::json::value>) {
            return {};
        } else if constexpr (std::is_same_v<T, bool>) {
            return {"boolean"};
        } else if constexpr (json_integer<T>) {
            return {"integer", "number"};
        } else if constexpr (std::is_floating_point_v<T>) {
            return {"number", "integer"};
        } else if constexpr (std::is_same_v<T, std::string> || described_enum<T>) {
            return {"string"};
        } else if constexpr (detail::is_vector<T>::value) {
            return {"array"};
        } else {
            return {"object"};
        }
    }

    template <class E>
    void check_enum(schema_set const& set, std::string const& field) {
        std::set<std::string> spec_values;
        for (auto const* v : spec.views(set))
            if (auto const* e = v->if_contains("enum"); e && e->is_array())
                for (auto const& x : e->get_array())
                    if (x.is_string()) spec_values.insert(std::string(x.get_string()));
        if (spec_values.empty()) return;
        std::set<std::string> ours;
        boost::mp11::mp_for_each<boost::describe::describe_enumerators<E>>([&](auto D) {
            if (std::string_view(D.name) != "unknown")
                ours.insert(std::string(sigma::json::detail::enumerator_spelling<E>(D.value, D.name)));
        });
        for (auto const& s : spec_values)
            if (!ours.count(s)) notes.push_back("enum " + what(field) + ": spec value \"" + s + "\" decodes as unknown");
        for (auto const& s : ours)
            if (!spec_values.count(s))
                notes.push_back("enum " + what(field) + ": model spelling \"" + s + "\" is not in the spec (kept: "
                                "real answers use it)");
    }

    template <class T>
    void check_struct(std::vector<boost::json::object const*> const& views, std::string const& prefix) {
        boost::mp11::mp_for_each<sigma::json::members_of<T>>([&](auto D) {
            using M = std::remove_cvref_t<decltype(std::declval<T&>().*D.pointer)>;
            std::string field = prefix.empty() ? std::string(D.name) : prefix + "." + D.name;
            schema_set prop;
            bool everywhere_required = !views.empty();
            for (auto const* v : views) {
                auto const* props = v->if_contains("properties");
                auto const* p = props && props->is_object() ? props->get_object().if_contains(D.name) : nullptr;
                if (p) prop.push_back(p);
                bool req = false;
                if (auto const* r = v->if_contains("required"); r && r->is_array())
                    for (auto const& x : r->get_array()) req = req || (x.is_string() && x.get_string() == D.name);
                everywhere_required = everywhere_required && req;
            }
            if (prop.empty()) {
                mismatch(field, "not a property of the spec's schema");
                return;
            }
            constexpr bool model_required = !sigma::json::detail::is_optional<M>::value;
            if (model_required && !everywhere_required)
                mismatch(field, "required by the model but optional in the spec");
            bool nullable = types_of(prop).count("null") > 0;
            if (!model_required && everywhere_required && !nullable)
                mismatch(field, "optional in the model but required by the spec");
            check_value<M>(prop, field, false);
        });
    }

    // Each alternative is checked against the spec alternative that matches
    // its tag and shares most of its member names.
    template <class... A>
    void check_variant(schema_set const& set, std::string const& field, std::variant<A...> const*) {
        auto views = spec.views(set);
        (check_alternative<A>(views, field), ...);
    }

    template <class A>
    void check_alternative(std::vector<boost::json::object const*> const& views, std::string const& field) {
        std::string_view key = A::json_tag.key;
        std::string alt_field = field + "<" + (A::json_tag.values.size() ? std::string(A::json_tag.values[0])
                                                                         : std::string("fallback")) + ">";
        auto tag_values_of = [&](boost::json::object const* v) {
            std::set<std::string> out;
            auto const* props = v->if_contains("properties");
            auto const* t = props && props->is_object() ? props->get_object().if_contains(key) : nullptr;
            if (t) {
                auto const* tv = spec.resolve(t);
                if (tv && tv->is_object()) {
                    if (auto const* e = tv->get_object().if_contains("enum"); e && e->is_array())
                        for (auto const& x : e->get_array())
                            if (x.is_string()) out.insert(std::string(x.get_string()));
                    if (auto const* c = tv->get_object().if_contains("const"); c && c->is_string())
                        out.insert(std::string(c->get_string()));
                }
            }
            return out;
        };
        std::set<std::string> all_spec_tags;
        for (auto const* v : views) {
            auto t = tag_values_of(v);
            all_spec_tags.insert(t.begin(), t.end());
        }
        for (auto s : A::json_tag.values)
            if (!all_spec_tags.empty() && !all_spec_tags.count(std::string(s)))
                notes.push_back("tag " + what(alt_field) + ": spelling \"" + std::string(s) +
                                "\" is not in the spec (kept: real answers use it)");
        if constexpr (A::json_tag.values.size() == 0) {
            check_struct<A>(views, alt_field); // the fallback may meet any alternative
        } else {
            boost::json::object const* best = nullptr;
            int best_score = -1;
            for (auto const* v : views) {
                auto t = tag_values_of(v);
                bool tag_ok = t.empty();
                for (auto s : A::json_tag.values) tag_ok = tag_ok || t.count(std::string(s)) > 0;
                int score = tag_ok ? 1000 : 0;
                auto const* props = v->if_contains("properties");
                boost::mp11::mp_for_each<sigma::json::members_of<A>>([&](auto D) {
                    if (props && props->is_object() && props->get_object().contains(D.name)) ++score;
                });
                if (score > best_score) {
                    best = v;
                    best_score = score;
                }
            }
            if (!best) {
                mismatch(alt_field, "the spec has no alternative for this tag");
                return;
            }
            check_struct<A>({best}, alt_field);
        }
    }
};

inline std::optional<fs::path> find_spec() {
    std::vector<fs::path> candidates;
    if (char const* d = std::getenv("SIGMA_SHARED_DIR"); d && *d) candidates.emplace_back(d);
    if (char const* r = std::getenv("SIGMA_SOURCE_ROOT"); r && *r) candidates.push_back(fs::path(r) / ".." / "shared");
    // Run by hand: the source root is three levels above this file.
    fs::path here(__FILE__);
    if (here.is_absolute()) candidates.push_back(here.parent_path().parent_path().parent_path() / ".." / "shared");
    for (auto const& c : candidates) {
        fs::path p = c / "reference" / "sigma-rest-api.openapi.json";
        std::error_code ec;
        if (fs::is_regular_file(p, ec)) return p;
    }
    return std::nullopt;
}

struct contract_run {
    spec_reader spec;
    std::vector<std::string> mismatches;
    std::map<std::string, std::set<std::string>> notes; // text -> operations
    std::set<std::string> integer_fields;
    std::set<std::string> used; // "model.field" of the known exceptions met
    int operations = 0;

    template <class T>
    void check(std::string const& label, std::string const& method, std::string const& path) {
        ++operations;
        checker c{spec, label, method + " " + path};
        boost::json::value const* schema = nullptr;
        if (auto const* paths = spec.doc.as_object().if_contains("paths"); paths && paths->is_object()) {
            auto const* op = paths->get_object().if_contains(path);
            auto const* m = op && op->is_object() ? op->get_object().if_contains(method) : nullptr;
            auto const* responses = m && m->is_object() ? m->get_object().if_contains("responses") : nullptr;
            auto const* ok = responses && responses->is_object() ? responses->get_object().if_contains("200") : nullptr;
            ok = spec.resolve(ok);
            auto const* content = ok && ok->is_object() ? ok->get_object().if_contains("content") : nullptr;
            auto const* json = content && content->is_object() ? content->get_object().if_contains("application/json")
                                                               : nullptr;
            schema = json && json->is_object() ? json->get_object().if_contains("schema") : nullptr;
        }
        if (!schema) {
            mismatches.push_back(c.operation + ": no 200 application/json answer in the spec for " + label);
            return;
        }
        c.check_value<T>({schema}, "", false);
        mismatches.insert(mismatches.end(), c.mismatches.begin(), c.mismatches.end());
        for (auto const& n : c.notes) notes[n].insert(c.operation);
        integer_fields.insert(c.integer_fields.begin(), c.integer_fields.end());
        used.insert(c.used_exceptions.begin(), c.used_exceptions.end());
    }
};

} // namespace test_contract

TEST_CASE("contract: every model field is in the vendor's OpenAPI description, with a compatible type") {
    auto where = test_contract::find_spec();
    if (!where) {
        MESSAGE("SKIPPED: ../shared/reference/sigma-rest-api.openapi.json not found (set SIGMA_SHARED_DIR); "
                "the contract test needs the vendor's spec, which is not part of the repository");
        return;
    }
    std::ifstream in(*where, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    boost::system::error_code ec;
    test_contract::contract_run run;
    run.spec.doc = boost::json::parse(text.str(), ec);
    REQUIRE_MESSAGE(!ec, "cannot parse " << where->string() << ": " << ec.message());
    REQUIRE(run.spec.doc.is_object());

    namespace api = sigma::api;
    // model label, operation; the envelope is part of the model, so paging fields are checked too.
    run.check<api::token_response>("token_response", "post", "/v2/auth/token");
    run.check<api::whoami>("whoami", "get", "/v2/whoami");
    run.check<api::page_a<api::workbook>>("workbook", "get", "/v2/workbooks");
    run.check<api::workbook>("workbook", "get", "/v2/workbooks/{workbookId}");
    run.check<api::page_a<api::workbook_tag>>("workbook_tag", "get", "/v2/workbooks/{workbookId}/tags");
    run.check<api::page_a<api::workbook_page>>("workbook_page", "get", "/v2/workbooks/{workbookId}/pages");
    run.check<api::page_a<api::workbook_element>>("workbook_element", "get",
                                                  "/v2/workbooks/{workbookId}/pages/{pageId}/elements");
    run.check<api::page_a<api::workbook_element>>("workbook_element", "get", "/v2/workbooks/{workbookId}/elements");
    run.check<api::element_lineage>("element_lineage", "get", "/v2/workbooks/{workbookId}/lineage/elements/{elementId}");
    run.check<api::page_a<api::workbook_lineage_entry>>("workbook_lineage_entry", "get",
                                                        "/v2/workbooks/{workbookId}/lineage");
    run.check<api::element_query>("element_query", "get", "/v2/workbooks/{workbookId}/elements/{elementId}/query");
    run.check<api::page_a<api::workbook_query>>("workbook_query", "get", "/v2/workbooks/{workbookId}/queries");
    run.check<api::page_a<api::workbook_column>>("workbook_column", "get", "/v2/workbooks/{workbookId}/columns");
    run.check<api::page_a<api::element_column>>("element_column", "get",
                                                "/v2/workbooks/{workbookId}/elements/{elementId}/columns");
    run.check<std::vector<api::workbook_source>>("workbook_source", "get", "/v2/workbooks/{workbookId}/sources");
    run.check<api::page_a<api::file>>("file", "get", "/v2/files");
    run.check<api::file>("file", "get", "/v2/files/{inodeId}");
    run.check<api::page_a<api::member>>("member", "get", "/v2.1/members");
    run.check<std::vector<api::member>>("member", "get", "/v2/members");
    run.check<api::member>("member", "get", "/v2/members/{memberId}");
    run.check<api::page_a<api::workspace>>("workspace", "get", "/v2.1/workspaces");
    run.check<std::vector<api::workspace>>("workspace", "get", "/v2/workspaces");
    run.check<api::workspace>("workspace", "get", "/v2/workspaces/{workspaceId}");
    run.check<api::page_a<api::data_model>>("data_model", "get", "/v2/dataModels");
    run.check<api::data_model>("data_model", "get", "/v2/dataModels/{dataModelId}");
    run.check<api::page_a<api::data_model_element>>("data_model_element", "get", "/v2/dataModels/{dataModelId}/elements");
    run.check<api::page_a<api::data_model_column>>("data_model_column", "get", "/v2/dataModels/{dataModelId}/columns");
    run.check<api::page_a<api::data_model_lineage_entry>>("data_model_lineage_entry", "get",
                                                          "/v2/dataModels/{dataModelId}/lineage");
    run.check<api::page_b<api::data_model_source>>("data_model_source", "get", "/v2/dataModels/{dataModelId}/sources");
    run.check<api::page_a<api::connection>>("connection", "get", "/v2/connections");
    run.check<api::connection>("connection", "get", "/v2/connections/{connectionId}");
    run.check<api::connection_path>("connection_path", "get", "/v2/connections/paths/{inodeId}");
    run.check<api::page_a<api::connection_path>>("connection_path", "get", "/v2/connections/paths");
    run.check<api::page_a<api::version_tag>>("version_tag", "get", "/v2/tags");

    MESSAGE("contract: " << run.operations << " operations checked against " << where->string());
    MESSAGE("not checked: error_body (the spec describes no error answers)");
    for (auto const& [text, ops] : run.notes) {
        std::string in;
        for (auto const& op : ops) in += (in.empty() ? "" : "; ") + op;
        MESSAGE(text << "  [" << in << "]");
    }
    std::string ints;
    for (auto const& f : run.integer_fields) ints += (ints.empty() ? "" : ", ") + f;
    MESSAGE("typed `number` by the spec, decoded as integers (3.0 accepted, 3.5 refused): " << ints);
    for (auto const& m : run.mismatches) FAIL_CHECK("spec mismatch: " << m);
    for (auto const& e : test_contract::known_exceptions) {
        std::string key = std::string(e.model) + "." + std::string(e.field);
        CHECK_MESSAGE(run.used.count(key) == 1, "known exception no longer needed: " << key);
    }
}

TEST_CASE("contract: the checker itself finds what differs") {
    // A tiny spec and a model that disagrees with it in each way the checker knows.
    test_contract::contract_run run;
    run.spec.doc = boost::json::parse(R"({"paths": {"/x": {"get": {"responses": {"200": {"content": {
        "application/json": {"schema": {"$ref": "#/components/schemas/X"}}}}}}}},
      "components": {"schemas": {"X": {"type": "object", "required": ["workbookId", "description"], "properties": {
        "workbookId": {"type": "integer"}, "workbookUrlId": {"type": ["string", "null"]},
        "name": {"type": "string"}, "url": {"type": "string"}, "path": {"type": "string"},
        "latestVersion": {"type": "number"}, "ownerId": {"type": "string"}, "createdBy": {"type": "string"},
        "updatedBy": {"type": "string"}, "createdAt": {"type": "string"}, "updatedAt": {"type": "string"},
        "isArchived": {"type": "boolean"}, "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "object", "properties": {"versionTagId": {"type": "string"}}}}
      }}}}})");
    run.check<sigma::api::workbook>("probe", "get", "/x");
    auto has = [&](std::string_view text) {
        for (auto const& m : run.mismatches)
            if (m.find(text) != std::string::npos) return true;
        return false;
    };
    CHECK(has("probe.workbookId (get /x): JSON type: spec says integer, model expects string"));
    CHECK(has("probe.workbookUrlId (get /x): the spec allows null but the member is not std::optional"));
    CHECK(has("probe.name (get /x): required by the model but optional in the spec"));
    CHECK(has("probe.taggedSourceUrlId (get /x): not a property of the spec's schema"));
    CHECK(has("probe.tags[].name (get /x): not a property of the spec's schema"));
    CHECK(has("probe.description (get /x): optional in the model but required by the spec"));
    CHECK_FALSE(has("probe.isArchived"));
    CHECK_FALSE(has("probe.latestVersion:"));
    run.check<sigma::api::workbook>("probe", "get", "/missing");
    CHECK(has("get /missing: no 200 application/json answer"));
}
