// expect-error: endpoint parameters must be std::string, bool, an integer or a described enum
#include <sigma/api/endpoint.hpp>
#include <sigma/api/models/workbook.hpp>

#include <vector>

struct list_filtered : sigma::api::endpoint<"/workbooks", sigma::api::workbook, sigma::api::paging::a> {
    std::vector<std::string> names; // a list is not a query parameter
};
BOOST_DESCRIBE_STRUCT(list_filtered, (), (names))

int main() { return sigma::api::build_target(list_filtered{}, "v2").has_value() ? 0 : 1; }
