// expect-error: must name the same tag key
#include <sigma/json.hpp>

#include <boost/describe.hpp>

#include <variant>

struct by_type {
    static constexpr sigma::json::tag json_tag{"type", "a"};
    int x = 0;
};
BOOST_DESCRIBE_STRUCT(by_type, (), (x))
struct by_kind {
    static constexpr sigma::json::tag json_tag{"kind", "b"};
    int y = 0;
};
BOOST_DESCRIBE_STRUCT(by_kind, (), (y))

int main() { return sigma::json::decode<std::variant<by_type, by_kind>>("{}").has_value() ? 0 : 1; }
