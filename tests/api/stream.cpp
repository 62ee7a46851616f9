// The two decoders on the API's models: sigma::json::decode and
// sigma::api::decode_page (straight from the text) against decode_dom and
// decode_page_dom (the reference), on every answer the simulated organisation
// serves (the demo and a generated one, every endpoint, page by page), on
// every string literal of the api tests, and on random models with mutations.
#include "../json/stream_support.hpp"

#include <sigma/api/endpoints.hpp>
#include <sigma/api/models.hpp>
#include <sigma/api/paging.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/simulated_org.hpp>

#include <doctest/doctest.h>

#include <boost/json/parse.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace test_api_stream {

namespace api = sigma::api;
namespace json = sigma::json;
using namespace stream_support;
using sigma::http_method;
using sigma::http_request;
using sigma::testing::fake_sigma;
using sigma::testing::simulated_org;

template <class... T>
std::vector<compare_fn> comparisons() {
    return {&compare<T, true>...};
}

// Every model, the envelopes of its listing, and the bare arrays.
inline std::vector<compare_fn> const& every_model() {
    using namespace sigma::api; // NOLINT: local to this list
    static const std::vector<compare_fn> all = comparisons<
        whoami, token_response, error_body, workbook, workbook_tag, workbook_page, workbook_element, element_lineage,
        lineage_node, lineage_entry, workbook_source, data_model_source, element_query, workbook_column,
        element_column, file, member, workspace, data_model, connection, connection_path, version_tag,
        page_a<workbook>, page_a<workbook_page>, page_a<workbook_element>, page_a<workbook_lineage_entry>,
        page_a<workbook_query>, page_a<workbook_column>, page_a<element_column>, page_a<file>, page_a<member>,
        page_a<workspace>, page_a<data_model>, page_a<connection>, page_a<connection_path>, page_a<version_tag>,
        page_b<data_model_source>, std::vector<workbook_source>, std::vector<member>, std::vector<workspace>,
        std::optional<element_query>>();
    return all;
}

// Both page decoders on one body.
template <class E>
void compare_page(std::string_view body, json::decode_options const& o, tally& t) {
    ++t.cases;
    auto s = api::decode_page<E>(body, o);
    auto d = api::decode_page_dom<E>(body, o);
    std::string diff;
    if (s.has_value() != d.has_value()) {
        diff = "one decoded, the other did not";
    } else if (!s) {
        if (s.error().code() != d.error().code() || s.error().message() != d.error().message() ||
            s.error().json_pointer() != d.error().json_pointer())
            diff = "stream: " + s.error().message() + " / dom: " + d.error().message();
        else if (s.error().code() == sigma::errc::json_syntax)
            ++t.syntax_errors;
        else
            ++t.schema_errors;
    } else if (!(s->entries == d->entries) || s->next != d->next) {
        diff = "different pages";
    } else {
        ++t.values;
    }
    if (!diff.empty() && t.differences.size() < 20)
        t.differences.push_back(std::string(E::path_template) + " (" + options_text(o) + "): " + diff + "\n  " +
                                printable(body));
}

// Walks every endpoint of the API over an organisation, page by page, and
// compares the decoders on each answer.
class walker {
public:
    walker(simulated_org org, std::size_t page_size, tally& t) : fake_(std::move(org)), page_size_(page_size), t_(t) {
        http_request r;
        r.method = http_method::post;
        r.target = "/v2/auth/token";
        r.body = "grant_type=client_credentials&client_id=" + fake_.org().clientId +
                 "&client_secret=" + fake_.org().clientSecret;
        auto a = fake_(r);
        REQUIRE(a.status == 200);
        compare<api::token_response, true>(a.body, {}, t_);
        token_ = std::string(boost::json::parse(a.body).at("access_token").as_string());
    }

    void every_endpoint() {
        simulated_org const& o = fake_.org();
        call(api::get_whoami{});
        call(api::list_workbooks{});
        api::list_workbooks archived;
        archived.isArchived = true;
        call(archived);
        for (auto const& w : o.workbooks) {
            std::string const& id = w.workbook.workbookId;
            call(api::get_workbook{{}, id});
            call(api::list_workbook_pages{{}, id});
            call(api::list_workbook_elements{{}, id});
            for (auto const& p : w.pages) call(api::list_page_elements{{}, id, p.pageId});
            for (auto const& e : w.elements) {
                call(api::get_element_lineage{{}, id, e.element.elementId});
                call(api::get_element_query{{}, id, e.element.elementId});
            }
            call(api::list_workbook_lineage{{}, id});
            call(api::list_workbook_queries{{}, id});
            call(api::list_workbook_columns{{}, id});
            call(api::list_workbook_sources{{}, id});
        }
        call(api::list_files{});
        for (auto const& f : o.files) call(api::get_file{{}, f.id});
        call(api::list_members{});
        api::list_members everyone;
        everyone.includeArchived = true;
        everyone.includeInactive = true;
        call(everyone);
        for (auto const& m : o.members) call(api::get_member{{}, m.memberId});
        call(api::list_workspaces{});
        for (auto const& w : o.workspaces) call(api::get_workspace{{}, w.workspace.workspaceId});
        call(api::list_data_models{});
        for (auto const& d : o.data_models) {
            std::string const& id = d.data_model.dataModelId;
            call(api::get_data_model{{}, id});
            call(api::list_data_model_elements{{}, id});
            call(api::list_data_model_columns{{}, id});
            call(api::list_data_model_lineage{{}, id});
            call(api::list_data_model_sources{{}, id});
        }
        call(api::list_connections{});
        for (auto const& c : o.connections) call(api::get_connection{{}, c.connectionId});
        for (auto const& tb : o.tables) call(api::get_connection_path{{}, tb.inodeId});
        call(api::list_tags{});

        // Answers no endpoint asks for: the legacy bare arrays, the paths listing, errors.
        body_as<api::list_members>(get("/v2/members"));
        body_as<api::list_workspaces>(get("/v2/workspaces"));
        auto paths = get("/v2/connections/paths");
        every_way<api::page_a<api::connection_path>>(paths.body);
        every_way<api::error_body>(get("/v2/no-such-route").body);
        every_way<api::error_body>(get("/v2/datasets").body);
    }

    [[nodiscard]] std::size_t answers() const noexcept { return answers_; }

private:
    sigma::http_response get(std::string target) {
        http_request r;
        r.target = std::move(target);
        r.headers.push_back({"Authorization", "Bearer " + token_});
        auto a = fake_(r);
        ++answers_;
        every_way<boost::json::value>(a.body);
        if (a.status < 200 || a.status >= 300) every_way<api::error_body>(a.body);
        return a;
    }

    template <class T>
    void every_way(std::string_view body) {
        for (auto const& o : option_sets()) compare<T, true>(body, o, t_);
    }

    template <class E>
    void body_as(sigma::http_response const& a) {
        if (a.status != 200) return;
        for (auto const& o : option_sets()) compare_page<E>(a.body, o, t_);
    }

    template <class E>
    void call(E const& e) {
        if constexpr (api::is_paged<E>) {
            std::optional<std::string> cursor;
            for (std::size_t n = 0; n < 10000; ++n) {
                auto a = get(api::build_target(e, "v2", api::page_parameters<E>(page_size_, cursor)).value());
                if (a.status != 200) return;
                body_as<E>(a);
                if constexpr (E::paging_style == api::paging::b)
                    every_way<api::page_b<typename E::response_type>>(a.body);
                else if constexpr (E::paging_style == api::paging::bare_array)
                    every_way<std::vector<typename E::response_type>>(a.body);
                else
                    every_way<api::page_a<typename E::response_type>>(a.body);
                auto p = api::decode_page<E>(a.body);
                REQUIRE(p.has_value());
                if (!p->next) return;
                cursor = p->next;
            }
            FAIL("more than 10000 pages");
        } else {
            auto a = get(api::build_target(e, "v2").value());
            if (a.status == 200) every_way<typename E::response_type>(a.body);
        }
    }

    fake_sigma fake_;
    std::size_t page_size_;
    tally& t_;
    std::string token_;
    std::size_t answers_ = 0;
};

void report(tally const& t) {
    MESSAGE(t.summary());
    for (auto const& d : t.differences) FAIL_CHECK(d);
    CHECK(t.differences.empty());
}

} // namespace test_api_stream

TEST_CASE("api stream: every answer of the simulated organisations, both decoders") {
    using namespace test_api_stream;
    tally t;
    std::size_t answers = 0;
    for (std::size_t page_size : {3, 1000}) {
        walker demo(simulated_org::demo(), page_size, t);
        demo.every_endpoint();
        walker generated(simulated_org::generate(sigma::testing::generator_options{}), page_size, t);
        generated.every_endpoint();
        answers += demo.answers() + generated.answers();
    }
    MESSAGE(answers << " answers");
    report(t);
    CHECK(answers > 1000);
    CHECK(t.values > 10000);
}

TEST_CASE("api stream: every string literal of the api and json tests, as every model") {
    using namespace test_api_stream;
    auto texts = fixture_texts({"tests/api/models.cpp", "tests/api/stream.cpp", "tests/json/decode.cpp",
                                "tests/json/options.cpp", "tests/json/pointer.cpp", "tests/json/stream.cpp"});
    if (texts.empty()) MESSAGE("SIGMA_SOURCE_ROOT is not set: nothing to compare");
    tally t;
    auto const options = option_sets();
    for (auto const& text : texts)
        for (auto fn : every_model())
            for (auto const& o : options) fn(text, o, t);
    report(t);
    if (!texts.empty()) CHECK(t.values > 100);
}

TEST_CASE("api stream: random models, mutated") {
    using namespace test_api_stream;
    using namespace sigma::api; // NOLINT: local to this test
    rng r{7};
    tally t;
    auto const& others = every_model();
    fuzz<page_a<workbook>, true>(r, 30, 10, others, t);
    fuzz<page_a<workbook_element>, true>(r, 30, 10, others, t);
    fuzz<page_a<workbook_lineage_entry>, true>(r, 60, 10, others, t);
    fuzz<std::vector<workbook_source>, true>(r, 60, 10, others, t);
    fuzz<page_b<data_model_source>, true>(r, 60, 10, others, t);
    fuzz<element_lineage, true>(r, 40, 10, others, t);
    fuzz<page_a<workbook_column>, true>(r, 30, 10, others, t);
    fuzz<page_a<file>, true>(r, 30, 10, others, t);
    fuzz<page_a<member>, true>(r, 20, 10, others, t);
    fuzz<page_a<data_model>, true>(r, 20, 10, others, t);
    fuzz<page_a<connection>, true>(r, 20, 10, others, t);
    fuzz<page_a<version_tag>, true>(r, 20, 10, others, t);
    fuzz<token_response, true>(r, 20, 10, others, t);
    fuzz<error_body, true>(r, 30, 10, others, t);
    report(t);
    CHECK(t.cases > 5000);
}
