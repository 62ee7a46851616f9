// SPDX-License-Identifier: MIT
// RFC 6901 JSON pointers, built only when an error is reported: while decoding,
// the path is a chain of frames on the C++ stack and costs no allocation.
#ifndef SIGMA_JSON_POINTER_HPP
#define SIGMA_JSON_POINTER_HPP

#include <cstddef>
#include <string>
#include <string_view>

namespace sigma::json {

// Appends one reference token, escaping `~` as `~0` and `/` as `~1`.
inline void append_pointer_token(std::string& out, std::string_view token) {
    out += '/';
    for (char c : token) {
        if (c == '~')
            out += "~0";
        else if (c == '/')
            out += "~1";
        else
            out += c;
    }
}

namespace detail {

struct path_frame {
    path_frame const* parent = nullptr;
    std::string_view key{};
    std::size_t index = 0;
    bool is_index = false;

    static path_frame member(path_frame const* parent, std::string_view key) noexcept { return {parent, key, 0, false}; }
    static path_frame element(path_frame const* parent, std::size_t i) noexcept { return {parent, {}, i, true}; }
};

inline void append_path(std::string& out, path_frame const* f) {
    if (f == nullptr) return;
    append_path(out, f->parent);
    if (f->is_index) {
        out += '/';
        out += std::to_string(f->index);
    } else {
        append_pointer_token(out, f->key);
    }
}

inline std::string to_pointer(path_frame const* f) {
    std::string s;
    append_path(s, f);
    return s;
}

} // namespace detail
} // namespace sigma::json

#endif
