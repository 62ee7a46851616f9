// SPDX-License-Identifier: MIT
// Text -> boost::json::value with correctly rounded doubles.
//
// Boost.JSON before 1.83 rounds some decimal numbers to a neighbouring double
// (about one number in ten written with 17 digits comes back one ulp off), which
// breaks decode(encode(x)) == x. This parser is Boost's own grammar
// (basic_parser) feeding Boost's own value_stack, except that every number with
// a fraction or exponent is converted again from its text with std::from_chars,
// which rounds correctly.
#ifndef SIGMA_JSON_DETAIL_PARSE_HPP
#define SIGMA_JSON_DETAIL_PARSE_HPP

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <system_error>

namespace sigma::json::detail {

// Whether Boost's reading of the number [first, last) is already correctly
// rounded: it computes double(m) * 10^e (or / 10^-e) with an exact power of ten,
// one IEEE operation, which is exact when the digits fit m (15 significant
// digits) and |e| <= 22 (Clinger's fast path). Most numbers qualify, and
// std::from_chars is the slow part of reading them.
inline bool boost_reads_exactly(char const* first, char const* last) noexcept {
    char const* p = first;
    if (p != last && *p == '-') ++p;
    int digits = 0;   // significant digits (after leading zeros)
    int fraction = 0; // digits after the point
    bool point = false;
    for (; p != last; ++p) {
        char c = *p;
        if (c >= '0' && c <= '9') {
            if ((digits > 0 || c != '0') && ++digits > 15) return false;
            if (point) ++fraction;
        } else if (c == '.') {
            point = true;
        } else {
            break;
        }
    }
    int exponent = 0;
    if (p != last) { // e or E
        ++p;
        bool negative = false;
        if (p != last && (*p == '+' || *p == '-')) negative = *p++ == '-';
        if (last - p > 3) return false;
        for (; p != last; ++p) exponent = exponent * 10 + (*p - '0');
        if (negative) exponent = -exponent;
    }
    int const e = exponent - fraction;
    return e >= -22 && e <= 22;
}

// The correctly rounded value of the number whose text ends with `s` and that
// Boost read as `d`. `pending` holds the text of earlier parts (a number that
// straddles two write_some calls, see on_number_part) and is left empty.
inline double exact_double(double d, boost::json::string_view s, std::string& pending) {
    char const* first = s.data();
    char const* last = s.data() + s.size();
    if (!pending.empty()) {
        pending.append(s.data(), s.size());
        first = pending.data();
        last = pending.data() + pending.size();
    }
    if (boost_reads_exactly(first, last)) {
        pending.clear();
        return d;
    }
    double exact = 0;
    auto [ptr, ec] = std::from_chars(first, last, exact);
    // Out of range (1e400, 1e-400): keep Boost's infinity or zero, so that a
    // value nobody decodes as a double does not fail the whole document.
    if (ec == std::errc{} && ptr == last) d = exact;
    pending.clear();
    return d;
}

class value_builder {
public:
    static constexpr std::size_t max_object_size = boost::json::object::max_size();
    static constexpr std::size_t max_array_size = boost::json::array::max_size();
    static constexpr std::size_t max_key_size = boost::json::string::max_size();
    static constexpr std::size_t max_string_size = boost::json::string::max_size();

    using error_code = boost::json::error_code;
    using string_view = boost::json::string_view;

    explicit value_builder(boost::json::storage_ptr sp) : sp_(std::move(sp)) {}

    boost::json::value release() { return st_.release(); }

    bool on_document_begin(error_code&) {
        st_.reset(sp_);
        return true;
    }
    bool on_document_end(error_code&) { return true; }
    bool on_array_begin(error_code&) { return true; }
    bool on_array_end(std::size_t n, error_code&) {
        st_.push_array(n);
        return true;
    }
    bool on_object_begin(error_code&) { return true; }
    bool on_object_end(std::size_t n, error_code&) {
        st_.push_object(n);
        return true;
    }
    bool on_string_part(string_view s, std::size_t, error_code&) {
        st_.push_chars(s);
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
        st_.push_string(s);
        return true;
    }
    bool on_key_part(string_view s, std::size_t, error_code&) {
        st_.push_chars(s);
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        st_.push_key(s);
        return true;
    }
    bool on_number_part(string_view s, error_code&) {
        // Only when a number straddles two write_some calls; decode() passes the
        // whole text at once, so this stays cold.
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        number_.clear();
        st_.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        number_.clear();
        st_.push_uint64(u);
        return true;
    }
    bool on_double(double d, string_view s, error_code&) {
        st_.push_double(exact_double(d, s, number_));
        return true;
    }
    bool on_bool(bool b, error_code&) {
        st_.push_bool(b);
        return true;
    }
    bool on_null(error_code&) {
        st_.push_null();
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

private:
    boost::json::storage_ptr sp_;
    boost::json::value_stack st_;
    std::string number_;
};

struct parsed {
    boost::json::value value;
    boost::json::error_code ec;
    std::size_t offset = 0; // bytes consumed; the position of the error when ec is set
};

// Parses one complete JSON text; white space may follow it, nothing else.
inline parsed parse_text(char const* data, std::size_t size, boost::json::storage_ptr sp,
                         boost::json::parse_options const& options) {
    boost::json::basic_parser<value_builder> p(options, sp);
    // Same storage as the result, so that assigning it below moves instead of
    // copying the tree.
    parsed r{boost::json::value(sp), {}, 0};
    r.offset = p.write_some(false, data, size, r.ec);
    if (!r.ec && r.offset < size) r.ec = boost::json::error::extra_data;
    if (!r.ec) r.value = p.handler().release();
    return r;
}

} // namespace sigma::json::detail

#endif
