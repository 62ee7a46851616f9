// expect-error: every alternative of a std::variant must be a described struct with
#include <sigma/json.hpp>

#include <boost/describe.hpp>

#include <variant>

struct tagged {
    static constexpr sigma::json::tag json_tag{"type", "tagged"};
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(tagged, (), (x))
struct untagged { // described, but no json_tag
    int y = 0;
};
BOOST_DESCRIBE_STRUCT(untagged, (), (y))

int main() { return sigma::json::decode<std::variant<tagged, untagged>>("{}").has_value() ? 0 : 1; }
