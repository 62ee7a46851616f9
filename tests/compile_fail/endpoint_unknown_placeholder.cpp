// expect-error: a {placeholder} in the path template names no described member
// expect-note: workbokId
#include <sigma/api/endpoint.hpp>
#include <sigma/api/models/workbook.hpp>

// The placeholder is misspelt: no member is called workbokId.
struct list_my_pages : sigma::api::endpoint<"/workbooks/{workbokId}/pages", sigma::api::workbook_page,
                                            sigma::api::paging::a> {
    std::string workbookId;
};
BOOST_DESCRIBE_STRUCT(list_my_pages, (), (workbookId))

int main() { return sigma::api::build_target(list_my_pages{{}, "wb"}, "v2").has_value() ? 0 : 1; }
