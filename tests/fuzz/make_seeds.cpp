// Writes the fuzz targets' seed corpora from the test fixtures: every answer
// the fake Sigma gives during an extraction of the demo organisation and of a
// small generated one (for fuzz_decode and fuzz_pager), prefixed with the byte
// that selects the endpoint. Run from the repository root after changing the
// models or the simulated organisation:
//   g++ -std=c++20 -O1 -Iinclude tests/fuzz/make_seeds.cpp -o /tmp/make_seeds \
//       -lboost_json -lboost_url -lssl -lcrypto -pthread && /tmp/make_seeds tests/fuzz/corpus
// (the config and endpoint seeds are small hand-written files beside them).
#include <sigma/extract/extractor.hpp>
#include <sigma/testing/fake_sigma.hpp>
#include <sigma/testing/manual_clock.hpp>

#include <boost/asio/io_context.hpp>
#include <boost/mp11/algorithm.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>

namespace api = sigma::api;
// The same list, in the same order, as fuzz_decode.cpp.
using endpoints = boost::mp11::mp_list<
    api::get_whoami, api::list_workbooks, api::get_workbook, api::list_workbook_pages, api::list_page_elements,
    api::list_workbook_elements, api::get_element_lineage, api::list_workbook_lineage, api::get_element_query,
    api::list_workbook_queries, api::list_workbook_columns, api::list_workbook_sources, api::list_files,
    api::get_file, api::list_members, api::get_member, api::list_workspaces, api::get_workspace,
    api::list_data_models, api::get_data_model, api::list_data_model_elements, api::list_data_model_columns,
    api::list_data_model_lineage, api::list_data_model_sources, api::list_connections, api::get_connection,
    api::get_connection_path, api::list_tags>;
constexpr std::size_t n_endpoints = boost::mp11::mp_size<endpoints>::value;

// "/v2/workbooks/abc/pages?limit=1000" against "/workbooks/{workbookId}/pages".
bool matches(std::string_view tmpl, std::string target) {
    target = target.substr(0, target.find('?'));
    auto second = target.find('/', 1);
    if (second == std::string::npos) return false;
    std::string_view path = std::string_view(target).substr(second);
    while (!tmpl.empty() && !path.empty()) {
        auto ts = tmpl.find('/', 1), ps = path.find('/', 1);
        auto t = tmpl.substr(0, ts), p = path.substr(0, ps);
        if (t.size() < 2 || t[1] != '{') {
            if (t != p) return false;
        }
        tmpl = ts == std::string_view::npos ? std::string_view{} : tmpl.substr(ts);
        path = ps == std::string_view::npos ? std::string_view{} : path.substr(ps);
    }
    return tmpl.empty() && path.empty();
}

int selector(std::string const& target) {
    int found = -1;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<n_endpoints>>([&](auto i) {
        using E = boost::mp11::mp_at_c<endpoints, decltype(i)::value>;
        if (found < 0 && matches(E::path_template, target)) found = static_cast<int>(i);
    });
    if (target.find("/auth/token") != std::string::npos) found = static_cast<int>(n_endpoints);
    return found;
}

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: make_seeds CORPUS_DIR\n";
        return 2;
    }
    std::filesystem::path root = argv[1];
    std::filesystem::create_directories(root / "fuzz_decode");
    std::filesystem::create_directories(root / "fuzz_pager");
    std::map<std::string, int> written;
    auto orgs = {sigma::testing::simulated_org::demo(), [] {
                     sigma::testing::generator_options g;
                     g.workbooks = 6;
                     g.dangling_references = true;
                     return sigma::testing::simulated_org::generate(g);
                 }()};
    for (auto const& org : orgs) {
        boost::asio::io_context ioc;
        sigma::testing::fake_sigma fake(org);
        std::vector<std::pair<std::string, std::string>> seen;
        sigma::testing::memory_transport rec(ioc.get_executor(), [&](sigma::http_request const& r) -> sigma::result<sigma::http_response> {
            auto a = fake(r);
            seen.emplace_back(r.target, a.body);
            return a;
        });
        sigma::testing::manual_clock clock;
        sigma::client_options o;
        o.clock = clock.source();
        o.page_size = 3; // several pages per listing, for the pager's seeds
        sigma::basic_client<sigma::testing::memory_transport> client(fake.config(), rec, o);
        sigma::extract::discarding_sink sink;
        (void)sigma::extract::extract(client, {}, sink);
        std::map<int, std::string> pages; // the pager's seed: one listing's pages, NUL-separated
        for (auto const& [target, body] : seen) {
            int sel = selector(target);
            if (sel < 0) continue;
            std::string name = "s" + std::to_string(sel) + "-" + std::to_string(written[std::to_string(sel)]++);
            if (written[std::to_string(sel)] > 12) continue; // a dozen per endpoint is plenty
            std::ofstream(root / "fuzz_decode" / name, std::ios::binary) << static_cast<char>(sel) << body;
            auto& p = pages[sel];
            if (!p.empty()) p += '\0';
            p += body;
        }
        // fuzz_pager selectors: 0 list_workbooks, 1 data model sources, 2 workbook sources, 3 members.
        std::map<int, int> pager_kind = {{1, 0}, {23, 1}, {11, 2}, {14, 3}};
        for (auto const& [sel, kind] : pager_kind) {
            auto it = pages.find(sel);
            if (it == pages.end()) continue;
            std::ofstream(root / "fuzz_pager" / ("k" + std::to_string(kind) + "-" + std::to_string(written["pager"]++)),
                          std::ios::binary)
                << static_cast<char>(kind) << it->second;
        }
    }
    std::cout << "seeds written under " << root << '\n';
}
