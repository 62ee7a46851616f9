// Fuzz target: decoding every response the client reads, through the
// streaming decoder and the DOM reference, which must agree exactly: both
// succeed with the same value (compared through the encoder) or both fail
// with the same code, message and JSON pointer. The first byte picks the
// endpoint (and with it the response type and paging style); the rest is the body.
#include <sigma/api/endpoints.hpp>
#include <sigma/api/models/auth.hpp>
#include <sigma/api/paging.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/json/encode.hpp>

#include <boost/mp11/algorithm.hpp>
#include <boost/mp11/list.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace {

void check(bool ok, char const* what, std::string_view detail = {}) {
    if (!ok) {
        std::fprintf(stderr, "fuzz_decode: %s: %.*s\n", what, static_cast<int>(detail.size()), detail.data());
        std::abort();
    }
}

template <class A, class B>
void same(A const& a, B const& b) {
    if (a.has_value() != b.has_value())
        check(false, "one decoder failed, the other did not", a ? b.error().message() : a.error().message());
    if (!a) {
        check(a.error().code() == b.error().code(), "different error codes", a.error().message());
        check(a.error().message() == b.error().message(), "different messages", a.error().message() + " | " + b.error().message());
        check(a.error().json_pointer() == b.error().json_pointer(), "different pointers", a.error().message());
    }
}

template <class E>
void page(std::string_view body, sigma::json::decode_options const& o) {
    auto a = sigma::api::decode_page<E>(body, o);
    auto b = sigma::api::decode_page_dom<E>(body, o);
    same(a, b);
    if (a) {
        check(sigma::json::encode(a->entries) == sigma::json::encode(b->entries), "different entries");
        check(a->next == b->next, "different cursors");
    }
}

template <class T>
void whole(std::string_view body, sigma::json::decode_options const& o) {
    auto a = sigma::json::decode<T>(body, o);
    auto b = sigma::json::decode_dom<T>(body, o);
    same(a, b);
    if (a) check(sigma::json::encode(*a) == sigma::json::encode(*b), "different values");
}

template <class E>
void endpoint(std::string_view body, sigma::json::decode_options const& o) {
    if constexpr (sigma::api::is_paged<E>)
        page<E>(body, o);
    else
        whole<typename E::response_type>(body, o);
}

namespace api = sigma::api;
using endpoints = boost::mp11::mp_list<
    api::get_whoami, api::list_workbooks, api::get_workbook, api::list_workbook_pages, api::list_page_elements,
    api::list_workbook_elements, api::get_element_lineage, api::list_workbook_lineage, api::get_element_query,
    api::list_workbook_queries, api::list_workbook_columns, api::list_workbook_sources, api::list_files,
    api::get_file, api::list_members, api::get_member, api::list_workspaces, api::get_workspace,
    api::list_data_models, api::get_data_model, api::list_data_model_elements, api::list_data_model_columns,
    api::list_data_model_lineage, api::list_data_model_sources, api::list_connections, api::get_connection,
    api::get_connection_path, api::list_tags>;
constexpr std::size_t n_endpoints = boost::mp11::mp_size<endpoints>::value;

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    if (size == 0) return 0;
    std::string_view body(reinterpret_cast<char const*>(data) + 1, size - 1);
    sigma::json::decode_options o;
    if (data[0] & 0x80) o.unknown_keys = sigma::json::key_policy::reject;
    std::size_t const pick = data[0] & 0x7f;
    if (pick == n_endpoints) {
        whole<sigma::api::token_response>(body, o);
        return 0;
    }
    boost::mp11::mp_with_index<n_endpoints>(pick % n_endpoints, [&](auto i) {
        endpoint<boost::mp11::mp_at_c<endpoints, decltype(i)::value>>(body, o);
    });
    return 0;
}
