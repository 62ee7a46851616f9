// Tests for include/sigma/json/traits.hpp: what the engine accepts, as concepts.
#include <sigma/json/traits.hpp>

#include <boost/describe.hpp>
#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace test_traits {

namespace json = sigma::json;

struct plain {
    int a = 0;
};

struct described {
    int a = 0;
    std::string b;
};
BOOST_DESCRIBE_STRUCT(described, (), (a, b))

struct derived : described {
    bool c = false;
};
BOOST_DESCRIBE_STRUCT(derived, (described), (c))

enum class described_e { x, y };
BOOST_DESCRIBE_ENUM(described_e, x, y)
enum class plain_e { x };

struct alt_a {
    static constexpr json::tag json_tag{"type", "a"};
    int v = 0;
};
BOOST_DESCRIBE_STRUCT(alt_a, (), (v))

struct alt_b {
    static constexpr json::tag json_tag{"type", "b", "bee", "B"};
};
BOOST_DESCRIBE_STRUCT(alt_b, (), ())

struct alt_rest {
    static constexpr json::tag json_tag{"type"};
    std::string type;
};
BOOST_DESCRIBE_STRUCT(alt_rest, (), (type))

struct with_codec {};

struct with_rename {
    int default_ = 0;
    int other = 0;
    static constexpr json::rename json_rename[]{{"default_", "default"}};
};
BOOST_DESCRIBE_STRUCT(with_rename, (), (default_, other))

struct derived_rename : with_rename {
    int public_ = 0;
    static constexpr json::rename json_rename[]{{"public_", "public"}};
};
BOOST_DESCRIBE_STRUCT(derived_rename, (with_rename), (public_))

struct bad_rename {
    int x = 0;
    static constexpr json::rename json_rename[]{{"y", "z"}};
};
BOOST_DESCRIBE_STRUCT(bad_rename, (), (x))

template <class T>
std::vector<std::string_view> keys_of() {
    std::vector<std::string_view> out;
    boost::mp11::mp_for_each<json::members_of<T>>(
        [&](auto D) { out.push_back(json::detail::json_key_of<decltype(D)>()); });
    return out;
}

} // namespace test_traits

template <>
struct sigma::json::codec<test_traits::with_codec> {
    static std::optional<std::string> from_json(boost::json::value const&, test_traits::with_codec&) {
        return std::nullopt;
    }
    static boost::json::value to_json(test_traits::with_codec const&) { return nullptr; }
};

TEST_CASE("traits: concepts classify types") {
    using namespace test_traits;
    static_assert(json::described_struct<described>);
    static_assert(json::described_struct<derived>);
    static_assert(!json::described_struct<plain>);
    static_assert(!json::described_struct<int>);
    static_assert(json::described_enum<described_e>);
    static_assert(!json::described_enum<plain_e>);
    static_assert(!json::described_enum<int>);

    static_assert(json::json_integer<std::int8_t>);
    static_assert(json::json_integer<std::uint64_t>);
    static_assert(json::json_integer<long long>);
    static_assert(json::json_integer<unsigned char>);
    static_assert(!json::json_integer<bool>);
    static_assert(!json::json_integer<char>);
    static_assert(!json::json_integer<char8_t>);
    static_assert(!json::json_integer<wchar_t>);
    static_assert(!json::json_integer<double>);

    static_assert(json::has_codec<with_codec>);
    static_assert(!json::has_codec<plain>);
    static_assert(!json::has_codec<int>);

    static_assert(json::tagged_alternative<alt_a>);
    static_assert(json::tagged_alternative<alt_rest>);
    static_assert(!json::tagged_alternative<described>);
    static_assert(json::tagged_union<std::variant<alt_a, alt_b>>);
    static_assert(!json::tagged_union<alt_a>);
    CHECK(json::detail::check_tagged_union(static_cast<std::variant<alt_a, alt_b, alt_rest> const*>(nullptr)));

    static_assert(json::detail::is_optional<std::optional<int>>::value);
    static_assert(!json::detail::is_optional<int>::value);
    static_assert(json::detail::is_vector<std::vector<bool>>::value);
    static_assert(json::detail::is_string_map<std::map<std::string, int>>::value);
    static_assert(json::detail::is_string_map<std::unordered_map<std::string, int>>::value);
    static_assert(!json::detail::is_string_map<std::map<int, int>>::value);
}

TEST_CASE("traits: tags") {
    using namespace test_traits;
    static_assert(alt_a::json_tag.key == "type");
    static_assert(alt_a::json_tag.values.size() == 1);
    static_assert(alt_b::json_tag.values.size() == 3);
    static_assert(alt_rest::json_tag.values.size() == 0);
    CHECK(alt_b::json_tag.matches("b"));
    CHECK(alt_b::json_tag.matches("bee"));
    CHECK(alt_b::json_tag.matches("B"));
    CHECK_FALSE(alt_b::json_tag.matches("Bee"));
    CHECK_FALSE(alt_b::json_tag.matches(""));
    CHECK_FALSE(alt_rest::json_tag.matches("anything"));
    CHECK_FALSE(json::detail::is_fallback<alt_a>());
    CHECK(json::detail::is_fallback<alt_rest>());
}

TEST_CASE("traits: members_of lists bases first, and json_rename maps keys") {
    using namespace test_traits;
    CHECK(keys_of<derived>() == std::vector<std::string_view>{"a", "b", "c"});
    CHECK(keys_of<with_rename>() == std::vector<std::string_view>{"default", "other"});
    // each class renames its own members; the base's renames still apply
    CHECK(keys_of<derived_rename>() == std::vector<std::string_view>{"default", "other", "public"});
    static_assert(json::detail::json_rename_valid<with_rename>());
    static_assert(json::detail::json_rename_valid<derived_rename>());
    static_assert(json::detail::json_rename_valid<described>());
    static_assert(!json::detail::json_rename_valid<bad_rename>());
}
