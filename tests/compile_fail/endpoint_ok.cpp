// expect-ok
// The control for the endpoint snippets: every endpoint of the library, and
// one with several placeholders, pass the compile-time path checks. Built with
// the configuration's sanitizer flags too, where GCC's constant evaluation of
// the path template is stricter under -fsanitize=undefined.
#include <sigma/api/endpoint.hpp>
#include <sigma/api/endpoints.hpp>

#include <string>

namespace endpoint_ok {
struct two_ids : sigma::api::endpoint<"/a/{first}/b/{second}/c", sigma::api::workbook, sigma::api::paging::a> {
    std::string second;
    std::string first;
    bool flag = false;
};
BOOST_DESCRIBE_STRUCT(two_ids, (), (second, first, flag))

template <class... E>
constexpr bool all_ok() {
    return (sigma::api::check_endpoint<E>() && ...);
}
} // namespace endpoint_ok

namespace api = sigma::api;
static_assert(endpoint_ok::all_ok<
              api::get_whoami, api::list_workbooks, api::get_workbook, api::list_workbook_pages,
              api::list_page_elements, api::list_workbook_elements, api::get_element_lineage,
              api::list_workbook_lineage, api::get_element_query, api::list_workbook_queries,
              api::list_workbook_columns, api::list_workbook_sources, api::list_files, api::get_file,
              api::list_members, api::get_member, api::list_workspaces, api::get_workspace, api::list_data_models,
              api::get_data_model, api::list_data_model_elements, api::list_data_model_columns,
              api::list_data_model_lineage, api::list_data_model_sources, api::list_connections,
              api::get_connection, api::get_connection_path, api::list_tags, endpoint_ok::two_ids>());
static_assert(api::detail::placeholder_count(endpoint_ok::two_ids::path_template) == 2);
static_assert(api::detail::placeholder(endpoint_ok::two_ids::path_template, 1) == "second");
static_assert(api::detail::is_path_parameter<endpoint_ok::two_ids>("first"));
static_assert(api::detail::is_path_parameter<endpoint_ok::two_ids>("second"));
static_assert(!api::detail::is_path_parameter<endpoint_ok::two_ids>("flag"));
static_assert(!api::detail::is_path_parameter<endpoint_ok::two_ids>("firs"));
static_assert(!api::detail::well_formed_template("/a/{b"));
static_assert(!api::detail::well_formed_template("a/b"));

int main() {
    auto t = api::build_target(endpoint_ok::two_ids{{}, "2", "1", true}, "v2");
    return t.has_value() && *t == "/v2/a/1/b/2/c?flag=true" ? 0 : 1;
}
