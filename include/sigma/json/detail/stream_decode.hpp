// SPDX-License-Identifier: MIT
// Decoding straight from the parser's events into described types, without a
// boost::json::value in between: the fast path behind sigma::json::decode.
//
// The handler keeps a stack of frames, one per open array or object that is
// being decoded into a C++ container or struct; each frame's operations are
// generated per type from the Boost.Describe descriptions. What needs a whole
// value (a tagged union whose tag is not its first key, a boost::json::value,
// a codec) is built as a boost::json::value by Boost's value_stack and handed
// to the DOM decoder (dom_decode.hpp) with its path, so each rule lives once.
//
// Results and errors equal the DOM path's (parse, then decode_value):
// - syntax errors win over schema errors: after the first schema error the
//   parser still reads to the end, decoding nothing;
// - schema errors are found in document order, absent keys at an object's end,
//   as the DOM decoder walks;
// - a repeated key keeps its last value in a DOM (at its first position), which
//   a stream cannot know in advance. The stream overwrites, which gives the
//   same value; when a repetition could change which error is reported (a key
//   repeated after an error in an object still open, a second tag key), the
//   outcome is `ambiguous` and the caller asks the DOM path.
#ifndef SIGMA_JSON_DETAIL_STREAM_DECODE_HPP
#define SIGMA_JSON_DETAIL_STREAM_DECODE_HPP

#include <sigma/error.hpp>
#include <sigma/json/detail/dom_decode.hpp>
#include <sigma/json/detail/parse.hpp>
#include <sigma/json/options.hpp>
#include <sigma/json/pointer.hpp>
#include <sigma/json/traits.hpp>

#include <boost/config.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/mp11/algorithm.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace sigma::json::detail {

// One event of the parser that starts or continues a value.
enum class token_kind : unsigned char { null, boolean, int64, uint64, double_, string, object, array };

struct token {
    token_kind kind = token_kind::null;
    bool first = true; // string: the first piece of its text
    bool last = true;  // string: the last piece
    union {            // the member `kind` names
        bool b;
        std::int64_t i;
        std::uint64_t u = 0;
        double d;
    };
    std::string_view s{};
};

// A scalar token as the DOM decoder sees it. Strings, arrays and objects come
// out empty: only their kind is read, to name it in a type error.
inline boost::json::value token_value(token const& t) {
    switch (t.kind) {
    case token_kind::null: break;
    case token_kind::boolean: return boost::json::value(t.b);
    case token_kind::int64: return boost::json::value(t.i);
    case token_kind::uint64: return boost::json::value(t.u);
    case token_kind::double_: return boost::json::value(t.d);
    case token_kind::string: return boost::json::value(boost::json::string_kind);
    case token_kind::object: return boost::json::value(boost::json::object_kind);
    case token_kind::array: return boost::json::value(boost::json::array_kind);
    }
    return boost::json::value(nullptr);
}

// A bool, an integer in range or a finite double: what decode_value would
// store, without building a boost::json::value. Anything else (every error,
// 3.0 read as an integer, floats) is decode_value's.
template <class T>
bool plain_scalar(token const& t, T& out) noexcept {
    if constexpr (std::is_same_v<T, bool>) {
        if (t.kind != token_kind::boolean) return false;
        out = t.b;
        return true;
    } else if constexpr (json_integer<T>) {
        if (t.kind == token_kind::int64 && std::in_range<T>(t.i)) {
            out = static_cast<T>(t.i);
            return true;
        }
        if (t.kind == token_kind::uint64 && std::in_range<T>(t.u)) {
            out = static_cast<T>(t.u);
            return true;
        }
        return false;
    } else if constexpr (std::is_same_v<T, double>) {
        switch (t.kind) {
        case token_kind::double_:
            if (!std::isfinite(t.d)) return false;
            out = t.d;
            return true;
        case token_kind::int64: out = static_cast<double>(t.i); return true;
        case token_kind::uint64: out = static_cast<double>(t.u); return true;
        default: return false;
        }
    } else {
        return false;
    }
}

class stream_decoder;

// Decodes one token into the value at `target`.
using value_fn = void (*)(stream_decoder&, void* target, token const&);
// Takes a subtree built by the value_stack.
using complete_fn = void (*)(stream_decoder&, void* target, boost::json::value&&);

struct stream_frame;

struct frame_ops {
    void (*key)(stream_decoder&, std::string_view);                               // objects: sets the slot
    void (*element)(stream_decoder&, token const&);                               // arrays: a new element
    void (*end)(stream_decoder&);                                                 // checks, then pops
    bool (*has_key)(stream_decoder const&, stream_frame const&, std::string_view); // met already?
};

struct stream_frame {
    frame_ops const* ops = nullptr;
    void* target = nullptr;
    path_frame pf{};            // where the child being decoded is; its parent is the previous frame's
    std::uint64_t seen = 0;     // struct: members met; above 64 members, an offset into wide_seen
    std::size_t hint = 0;       // struct: the member expected next
    std::string_view tag_key{}; // struct chosen by its tag: that key, met already
    bool tagged = false;
    bool estimated = false;     // array: its room was reserved from an estimate of its length
    char const* mark = nullptr; // array: about where its first element began in the text
};

template <class T>
void on_value(stream_decoder& d, void* target, token const& t);

class stream_decoder {
public:
    static constexpr std::size_t max_object_size = value_builder::max_object_size;
    static constexpr std::size_t max_array_size = value_builder::max_array_size;
    static constexpr std::size_t max_key_size = value_builder::max_key_size;
    static constexpr std::size_t max_string_size = value_builder::max_string_size;

    using error_code = boost::json::error_code;
    using string_view = boost::json::string_view;

    stream_decoder(decode_context& c, value_fn root, void* target) : ctx(c), slot_fn_(root), slot_target_(target) {}
    // frames_ points into the object itself.
    stream_decoder(stream_decoder const&) = delete;
    stream_decoder& operator=(stream_decoder const&) = delete;

    decode_context& ctx;

    // Whether a repeated key leaves the outcome to the DOM path.
    [[nodiscard]] bool ambiguous() const noexcept { return ambiguous_; }

    // ---- parser events --------------------------------------------------------

    bool on_document_begin(error_code&) { return true; }
    bool on_document_end(error_code&) { return true; }

    bool on_object_begin(error_code&) {
        container_begin(token_kind::object);
        return true;
    }
    bool on_array_begin(error_code&) {
        container_begin(token_kind::array);
        return true;
    }
    bool on_object_end(std::size_t n, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_object(n);
            if (--sub_depth_ == 0) finish_sub();
        } else {
            container_end();
        }
        return true;
    }
    bool on_array_end(std::size_t n, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_array(n);
            if (--sub_depth_ == 0) finish_sub();
        } else {
            container_end();
        }
        return true;
    }

    bool on_key_part(string_view s, std::size_t, error_code&) {
        if (mode_ == mode::sub) {
            st_.push_chars(s);
            return true;
        }
        if (!key_open_) {
            key_.clear();
            key_open_ = true;
        }
        key_.append(s.data(), s.size());
        return true;
    }
    bool on_key(string_view s, std::size_t, error_code&) {
        last_ = s.data() + s.size();
        if (mode_ == mode::sub) {
            st_.push_key(s);
            return true;
        }
        std::string_view k(s.data(), s.size());
        if (key_open_) {
            key_.append(s.data(), s.size());
            k = key_;
            key_open_ = false;
        }
        if (mode_ == mode::normal) {
            top().ops->key(*this, k);
        } else if (failed_ && skip_depth_ == 0 && !ambiguous_) {
            // A key of an object that was open at the error: met before, it
            // may move the error or replace the failing value.
            stream_frame const& f = top();
            if (f.ops->has_key(*this, f, k)) ambiguous_ = true;
        }
        return true;
    }

    bool on_string_part(string_view s, std::size_t, error_code&) {
        bool const first = !string_open_;
        string_open_ = true;
        if (mode_ == mode::sub) {
            st_.push_chars(s);
        } else if (mode_ == mode::normal) {
            token t;
            t.kind = token_kind::string;
            t.first = first;
            t.last = false;
            t.s = std::string_view(s.data(), s.size());
            if (first)
                begin_value(t);
            else
                slot_fn_(*this, slot_target_, t);
        }
        return true;
    }
    bool on_string(string_view s, std::size_t, error_code&) {
        last_ = s.data() + s.size();
        bool const first = !string_open_;
        string_open_ = false;
        if (mode_ == mode::sub) {
            st_.push_string(s);
            if (sub_depth_ == 0) finish_sub();
        } else if (mode_ == mode::normal) {
            token t;
            t.kind = token_kind::string;
            t.first = first;
            t.s = std::string_view(s.data(), s.size());
            if (first)
                begin_value(t);
            else
                slot_fn_(*this, slot_target_, t);
        }
        return true;
    }

    bool on_number_part(string_view s, error_code&) {
        // Only when a number straddles two write_some calls (see value_builder).
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, string_view, error_code&) {
        number_.clear();
        token t;
        t.kind = token_kind::int64;
        t.i = i;
        scalar(t);
        return true;
    }
    bool on_uint64(std::uint64_t u, string_view, error_code&) {
        number_.clear();
        token t;
        t.kind = token_kind::uint64;
        t.u = u;
        scalar(t);
        return true;
    }
    bool on_double(double d, string_view s, error_code&) {
        token t;
        t.kind = token_kind::double_;
        t.d = exact_double(d, s, number_);
        scalar(t);
        return true;
    }
    bool on_bool(bool b, error_code&) {
        token t;
        t.kind = token_kind::boolean;
        t.b = b;
        scalar(t);
        return true;
    }
    bool on_null(error_code&) {
        scalar(token{});
        return true;
    }
    bool on_comment_part(string_view, error_code&) { return true; }
    bool on_comment(string_view, error_code&) { return true; }

    // ---- for the operations of the types ---------------------------------------

    stream_frame& top() noexcept { return frames_[depth_ - 1]; }
    std::size_t depth() const noexcept { return depth_; }

    // The whole text, parsed in one piece: positions in it measure arrays.
    void set_text(std::string_view text) noexcept {
        text_first_ = text.data();
        text_last_ = text.data() + text.size();
        last_ = text_first_;
    }
    // About where the parser is: the end of the last key or string read.
    char const* position() const noexcept { return last_; }
    // How many elements of `size` bytes an array will have once `done` of them
    // took the text from `mark` to here, if the rest of the text is more of
    // the same (with an eighth for luck); 0 when positions say nothing (an
    // escaped string's text is the parser's copy, not in the text) or when
    // that room would take more than four times the text it stands for.
    std::size_t expected_elements(char const* mark, std::size_t done, std::size_t size) const noexcept {
        auto const first = reinterpret_cast<std::uintptr_t>(text_first_);
        auto const last = reinterpret_cast<std::uintptr_t>(text_last_);
        auto const from = reinterpret_cast<std::uintptr_t>(mark);
        auto const here = reinterpret_cast<std::uintptr_t>(last_);
        if (done == 0 || from < first || here > last || here <= from) return 0;
        std::size_t const each = (here - from) / done;
        if (each == 0 || size > 4 * each) return 0;
        std::size_t const more = (last - here) / each;
        return done + more + more / 8 + 1;
    }

    void push(frame_ops const* ops, void* target, bool is_array) {
        if (depth_ == capacity_) grow();
        stream_frame& f = frames_[depth_];
        f.pf.parent = depth_ == 0 ? nullptr : &frames_[depth_ - 1].pf;
        ++depth_;
        reset(f, ops, target, is_array);
    }
    void pop() noexcept { --depth_; }
    // The top frame becomes another container's (a tagged union's alternative).
    void replace_top(frame_ops const* ops, void* target) noexcept { reset(top(), ops, target, false); }

    void set_slot(value_fn fn, void* target) noexcept {
        slot_fn_ = fn;
        slot_target_ = target;
    }
    void dispatch(token const& t) { slot_fn_(*this, slot_target_, t); }

    // The path of the value being decoded (that of the slot): null at the root.
    path_frame const* path() const noexcept { return depth_ == 0 ? nullptr : &frames_[depth_ - 1].pf; }

    // After an error (already in ctx): the rest of the document is only read.
    void failed() noexcept {
        failed_ = true;
        mode_ = mode::skip;
    }
    void fail(errc code, std::string_view what) {
        ctx.fail(code, path(), what);
        failed();
    }
    // A repeated key decides the outcome: the DOM path will.
    void give_up() noexcept {
        ambiguous_ = true;
        failed();
    }

    // Decodes a scalar (or names a container's kind) with the DOM rules. Out
    // of line: mostly an error's path, which would otherwise cost the hot
    // callers (on_value) a stack frame on every call.
    template <class T>
    BOOST_NOINLINE void decode_token(token const& t, T& out) {
        if (!decode_value(token_value(t), out, ctx, path())) failed();
    }
    // The same, with the common valid cases taken without building a value.
    template <class T>
    void decode_scalar(token const& t, T& out) {
        if (!plain_scalar(t, out)) decode_token(t, out);
    }
    template <class T>
    bool decode_token_ok(token const& t, T& out) {
        if (decode_value(token_value(t), out, ctx, path())) return true;
        failed();
        return false;
    }

    // The value of the slot is not decoded (an unknown key): a container's
    // contents are skipped.
    static void ignore(stream_decoder&, void*, token const&) noexcept {}

    // Builds the value starting at `t` with the value_stack, then `complete`.
    // `owned`: the value is kept (default storage), not only read.
    void begin_sub(token const& t, complete_fn complete, void* target, bool owned) {
        start_sub(complete, target, owned);
        forward(t);
    }
    // The same for an object of which `key` is the first key, already read.
    void begin_sub_object(std::string_view key, complete_fn complete, void* target) {
        start_sub(complete, target, false);
        st_.push_key(key);
        sub_depth_ = 1;
    }
    // One token into the subtree; a complete value ends it.
    void forward(token const& t) {
        switch (t.kind) {
        case token_kind::null: st_.push_null(); break;
        case token_kind::boolean: st_.push_bool(t.b); break;
        case token_kind::int64: st_.push_int64(t.i); break;
        case token_kind::uint64: st_.push_uint64(t.u); break;
        case token_kind::double_: st_.push_double(t.d); break;
        case token_kind::string:
            if (!t.last) {
                st_.push_chars(t.s);
                return;
            }
            st_.push_string(t.s);
            break;
        case token_kind::object:
        case token_kind::array: ++sub_depth_; return;
        }
        if (sub_depth_ == 0) finish_sub();
    }

    // Text of a string that arrives in pieces and is needed whole (enums, tags).
    std::string text;

    // Seen bits of structs with more than 64 members.
    std::vector<std::uint64_t> wide_seen;

private:
    enum class mode : unsigned char {
        normal, // decoding
        sub,    // building a subtree in st_
        skip,   // skipping skip_depth_ levels (an unknown key's value), or everything after an error
    };

    void begin_value(token const& t) {
        if (depth_ != 0) {
            if (auto element = top().ops->element) return element(*this, t);
        }
        slot_fn_(*this, slot_target_, t);
    }

    void scalar(token const& t) {
        if (mode_ == mode::normal) {
            begin_value(t);
        } else if (mode_ == mode::sub) {
            forward(t);
        }
    }

    void container_begin(token_kind k) {
        if (mode_ == mode::sub) {
            ++sub_depth_;
            return;
        }
        if (mode_ == mode::skip) {
            ++skip_depth_;
            return;
        }
        std::size_t const depth = depth_;
        token t;
        t.kind = k;
        begin_value(t);
        // Neither a frame nor a subtree took it (an unknown key's value, or a
        // type error): skip its contents.
        if (mode_ != mode::sub && depth_ == depth) {
            mode_ = mode::skip;
            skip_depth_ = 1;
        }
    }

    void container_end() {
        if (mode_ == mode::normal) {
            top().ops->end(*this);
            return;
        }
        if (skip_depth_ > 0) {
            if (--skip_depth_ == 0 && !failed_) mode_ = mode::normal;
            return;
        }
        pop(); // after an error: an object or array open at the error closes
    }

    // Deeper than the inline frames: on the heap, twice as many.
    void grow() {
        auto more = std::make_unique<stream_frame[]>(2 * capacity_);
        std::copy(frames_, frames_ + depth_, more.get());
        // The frames' paths point at their parents: link them again after the move.
        for (std::size_t i = 1; i < depth_; ++i) more[i].pf.parent = &more[i - 1].pf;
        heap_frames_ = std::move(more);
        frames_ = heap_frames_.get();
        capacity_ *= 2;
    }

    void start_sub(complete_fn complete, void* target, bool owned) {
        if (owned) {
            st_.reset();
        } else {
            if (!scratch_) scratch_.emplace();
            st_.reset(boost::json::storage_ptr(&*scratch_));
        }
        mode_ = mode::sub;
        sub_depth_ = 0;
        sub_complete_ = complete;
        sub_target_ = target;
    }

    void finish_sub() {
        mode_ = mode::normal;
        boost::json::value v = st_.release();
        sub_complete_(*this, sub_target_, std::move(v));
    }

    // Only what a frame's operations read is set: the key or index of its
    // path when a child starts, the rest here.
    static void reset(stream_frame& f, frame_ops const* ops, void* target, bool is_array) noexcept {
        f.ops = ops;
        f.target = target;
        f.pf.is_index = is_array;
        f.seen = 0;
        f.hint = 0;
        f.tagged = false;
        f.estimated = false;
    }

    // [0, depth_) are open; the rest is room. Most documents nest less than
    // eight containers deep: no allocation per decode for the stack.
    std::array<stream_frame, 8> inline_frames_{};
    std::unique_ptr<stream_frame[]> heap_frames_;
    stream_frame* frames_ = inline_frames_.data();
    std::size_t capacity_ = inline_frames_.size();
    std::size_t depth_ = 0;
    value_fn slot_fn_;
    void* slot_target_;
    mode mode_ = mode::normal;
    bool failed_ = false;
    bool ambiguous_ = false;
    bool string_open_ = false;
    bool key_open_ = false;
    std::size_t skip_depth_ = 0;
    std::size_t sub_depth_ = 0;
    char const* text_first_ = nullptr;
    char const* text_last_ = nullptr;
    char const* last_ = nullptr;
    std::string key_;
    std::string number_;

    // Subtrees: where values that are only read live (declared first: the
    // stack may hold some when the parser stops half-way), the stack, and what
    // to do next.
    std::optional<boost::json::monotonic_resource> scratch_;
    // The stack's first 16 values live here rather than in a malloc per decode.
    alignas(boost::json::value) unsigned char st_room_[16 * sizeof(boost::json::value)];
    boost::json::value_stack st_{boost::json::storage_ptr(), st_room_, sizeof(st_room_)};
    complete_fn sub_complete_ = nullptr;
    void* sub_target_ = nullptr;
};

// ---------------------------------------------------------------------------
// Subtrees handed to the DOM decoder.

template <class T>
void complete_dom(stream_decoder& d, void* target, boost::json::value&& v) {
    if (!decode_value(v, *static_cast<T*>(target), d.ctx, d.path())) d.failed();
}

inline void complete_json_value(stream_decoder&, void* target, boost::json::value&& v) {
    // Both in the default storage: a swap is the move, without the checks of
    // a move-assignment's temporary.
    static_cast<boost::json::value*>(target)->swap(v);
}

// ---------------------------------------------------------------------------
// Structs.

template <class T, class D>
void* member_address(void* p) noexcept {
    return &(static_cast<T*>(p)->*D::pointer);
}

template <class T, class D>
using member_type = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;

template <described_struct T>
inline constexpr bool many_members = member_count<T> > 64;

template <described_struct T>
std::uint64_t* seen_of(stream_decoder& d, stream_frame& f) noexcept {
    if constexpr (many_members<T>)
        return d.wide_seen.data() + f.seen;
    else
        return &f.seen;
}
template <described_struct T>
std::uint64_t const* seen_of(stream_decoder const& d, stream_frame const& f) noexcept {
    if constexpr (many_members<T>)
        return d.wide_seen.data() + f.seen;
    else
        return &f.seen;
}

// member_index with each key a constant, so that every comparison is a length
// check and a few inlined word compares instead of a call to memcmp.
template <described_struct T, std::size_t I>
bool is_key(std::string_view k) noexcept {
    constexpr std::string_view key = member_keys<T>[I];
    // memcmp, not ==: GCC leaves string_view's == out of line, and with it the
    // call to memcmp; with a constant length it compares inline.
    return k.size() == key.size() && (key.empty() || std::memcmp(k.data(), key.data(), key.size()) == 0);
}

template <described_struct T>
std::size_t find_member(std::string_view k) noexcept {
    std::size_t found = no_member;
    boost::mp11::mp_for_each<boost::mp11::mp_iota_c<member_count<T>>>([&](auto I) {
        if (found == no_member && is_key<T, I>(k)) found = I;
    });
    return found;
}

// The key of member I was read: its value comes next. With I a constant, the
// slot's function and address are too (no table, no indirect call).
template <described_struct T, std::size_t I>
void take_member(stream_decoder& d, stream_frame& f) noexcept {
    using D = boost::mp11::mp_at_c<members_of<T>, I>;
    f.hint = I + 1;
    set_seen_bit(seen_of<T>(d, f), I);
    f.pf.key = member_keys<T>[I];
    d.set_slot(&on_value<member_type<T, D>>, member_address<T, D>(f.target));
}

template <described_struct T>
void struct_key(stream_decoder& d, std::string_view k) {
    stream_frame& f = d.top();
    if (f.tagged && k == f.tag_key) return d.give_up(); // a second tag: the last one selects, in a DOM
    constexpr std::size_t n = member_count<T>;
    if constexpr (n > 0) {
        // The member after the previous one, most often (see member_index).
        if (f.hint < n && boost::mp11::mp_with_index<n>(f.hint, [&](auto I) {
                if (!is_key<T, I>(k)) return false;
                take_member<T, I>(d, f);
                return true;
            }))
            return;
        if (std::size_t const i = find_member<T>(k); i != no_member)
            return boost::mp11::mp_with_index<n>(i, [&](auto I) { take_member<T, I>(d, f); });
    }
    if (d.ctx.options.unknown_keys == key_policy::reject) {
        f.pf.key = k;
        return d.fail(errc::json_unknown_key, "unknown key");
    }
    d.set_slot(&stream_decoder::ignore, nullptr);
}

template <described_struct T>
void struct_end(stream_decoder& d) {
    // Only what finish_members reads, not a copy of the whole frame.
    stream_frame const& f = d.top();
    T& out = *static_cast<T*>(f.target);
    std::uint64_t const seen = f.seen;
    d.pop();
    if constexpr (many_members<T>) {
        if (!finish_members(out, d.wide_seen.data() + seen, d.ctx, d.path())) d.failed();
        d.wide_seen.resize(seen);
    } else {
        if (!finish_members(out, &seen, d.ctx, d.path())) d.failed();
    }
}

template <described_struct T>
bool struct_has_key(stream_decoder const& d, stream_frame const& f, std::string_view k) {
    if (f.tagged && k == f.tag_key) return true;
    std::size_t const i = member_index<T>(k);
    return i != no_member && seen_bit(seen_of<T>(d, f), i);
}

template <described_struct T>
inline constexpr frame_ops struct_ops{&struct_key<T>, nullptr, &struct_end<T>, &struct_has_key<T>};

// `in_place`: the top frame (a tagged union's) becomes the struct's.
template <described_struct T>
void push_struct(stream_decoder& d, T& out, bool in_place = false) {
    check_struct<T>();
    if (in_place)
        d.replace_top(&struct_ops<T>, &out);
    else
        d.push(&struct_ops<T>, &out, false);
    if constexpr (many_members<T>) {
        stream_frame& f = d.top();
        f.seen = d.wide_seen.size();
        d.wide_seen.resize(d.wide_seen.size() + seen_words(member_count<T>));
    }
}

// ---------------------------------------------------------------------------
// Tagged unions: when the tag is the first key, its alternative is decoded as
// a struct from the stream; otherwise the object is built and decoded as a DOM.

template <class V>
void variant_tag(stream_decoder& d, void* target, token const& t);

template <class V>
void variant_key(stream_decoder& d, std::string_view k) {
    constexpr std::string_view tag_key = variant_traits<V>::tag_key;
    stream_frame& f = d.top();
    if (k == tag_key) {
        f.pf.key = tag_key;
        return d.set_slot(&variant_tag<V>, f.target);
    }
    void* target = f.target;
    d.pop();
    d.begin_sub_object(k, &complete_dom<V>, target);
}

template <class V>
void variant_end(stream_decoder& d) {
    // {}: the DOM decoder names the missing tag.
    void* target = d.top().target;
    d.pop();
    complete_dom<V>(d, target, boost::json::value(boost::json::object_kind));
}

template <class V>
bool variant_has_key(stream_decoder const&, stream_frame const&, std::string_view k) {
    return k == variant_traits<V>::tag_key;
}

template <class V>
inline constexpr frame_ops variant_ops{&variant_key<V>, nullptr, &variant_end<V>, &variant_has_key<V>};

template <class V>
void variant_tag(stream_decoder& d, void* target, token const& t) {
    constexpr std::string_view tag_key = variant_traits<V>::tag_key;
    if (t.kind != token_kind::string) {
        // Not a string: the DOM decoder says so, from the whole object.
        d.pop();
        d.begin_sub_object(tag_key, &complete_dom<V>, target);
        d.forward(t);
        return;
    }
    std::string_view s = t.s;
    if (!(t.first && t.last)) {
        if (t.first)
            d.text.assign(t.s);
        else
            d.text.append(t.s);
        if (!t.last) return;
        s = d.text;
    }
    V& out = *static_cast<V*>(target);
    std::size_t const index = alternative_for(s, &out);
    if (index == no_alternative) return d.fail(errc::json_discriminator, unknown_tag_text(s, &out));
    boost::mp11::mp_with_index<std::variant_size_v<V>>(index, [&](auto I) {
        using alt = std::variant_alternative_t<decltype(I)::value, V>;
        push_struct(d, out.template emplace<decltype(I)::value>(), true);
        stream_frame& f = d.top();
        if constexpr (is_member_key<alt>(tag_key)) {
            // The tag is also a member (a fallback that keeps it): decode it there.
            struct_key<alt>(d, tag_key);
            token whole;
            whole.kind = token_kind::string;
            whole.s = s;
            d.dispatch(whole);
        }
        f.tagged = true;
        f.tag_key = tag_key;
    });
}

// ---------------------------------------------------------------------------
// Arrays and maps.

template <class V>
void push_bool(stream_decoder& d, void* target, token const& t) {
    bool b = false; // std::vector<bool> hands out proxies, not bool&
    if (plain_scalar(t, b) || d.decode_token_ok(t, b)) static_cast<V*>(target)->push_back(b);
}

// A value starts in an array: a new element, and the slot of the string
// pieces that may follow.
template <class V>
void vector_element(stream_decoder& d, token const& t) {
    stream_frame& f = d.top();
    V& out = *static_cast<V*>(f.target);
    using E = typename V::value_type;
    std::size_t const n = out.size();
    f.pf.index = n;
    if (n == 0) {
        // Most arrays of an answer are short: room for four at the first
        // element saves the reallocations of 1, 2, 4 (an empty array
        // allocates nothing).
        if (out.capacity() == 0) out.reserve(4);
        f.mark = d.position();
    } else if (n == 4 && out.capacity() == 4 && d.depth() <= 2) {
        // A page's entries (the root array, or one in the root object), when
        // four did not suffice: room for as many as the rest of the text
        // holds at the size of the first four, rather than doubling (each
        // step moves every element, and big blocks cost malloc more).
        if (std::size_t const expected = d.expected_elements(f.mark, n, sizeof(E)); expected > 2 * n) {
            out.reserve(expected);
            f.estimated = true;
        }
    }
    if constexpr (std::is_same_v<E, bool>) {
        d.set_slot(&push_bool<V>, &out);
        push_bool<V>(d, &out, t);
    } else {
        E& e = out.emplace_back();
        d.set_slot(&on_value<E>, &e);
        on_value<E>(d, &e, t);
    }
}

inline void pop_end(stream_decoder& d) { d.pop(); }

template <class V>
void vector_end(stream_decoder& d) {
    stream_frame const& f = d.top();
    if (f.estimated) {
        // The estimate was far off (an array followed by more text of
        // another kind): give back what it reserved in vain.
        V& out = *static_cast<V*>(f.target);
        if (out.capacity() / 2 > out.size()) out.shrink_to_fit();
    }
    d.pop();
}

inline bool no_keys(stream_decoder const&, stream_frame const&, std::string_view) { return false; }

template <class V>
inline constexpr frame_ops vector_ops{nullptr, &vector_element<V>, &vector_end<V>, &no_keys};

template <class M>
void map_key(stream_decoder& d, std::string_view k) {
    stream_frame& f = d.top();
    M& out = *static_cast<M*>(f.target);
    auto [it, inserted] = out.try_emplace(std::string(k));
    if (!inserted) it->second = typename M::mapped_type{}; // a repeated key: its last value, from scratch
    f.pf.key = it->first;
    d.set_slot(&on_value<typename M::mapped_type>, &it->second);
}

template <class M>
bool map_has_key(stream_decoder const&, stream_frame const& f, std::string_view k) {
    M const& out = *static_cast<M const*>(f.target);
    return out.find(std::string(k)) != out.end();
}

template <class M>
inline constexpr frame_ops map_ops{&map_key<M>, nullptr, &pop_end, &map_has_key<M>};

// ---------------------------------------------------------------------------
// One token into a T, the rules in the same order as decode_value's.

template <class T>
void on_value(stream_decoder& d, void* target, token const& t) {
    T& out = *static_cast<T*>(target);
    if constexpr (has_codec<T>) {
        d.begin_sub(t, &complete_dom<T>, target, false);
    } else if constexpr (std::is_same_v<T, boost::json::value>) {
        switch (t.kind) { // a number, bool or null needs no stack
        case token_kind::null: out = nullptr; return;
        case token_kind::boolean: out = t.b; return;
        case token_kind::int64: out = t.i; return;
        case token_kind::uint64: out = t.u; return;
        case token_kind::double_: out = t.d; return;
        default: break;
        }
        d.begin_sub(t, &complete_json_value, target, true);
    } else if constexpr (std::is_same_v<T, bool> || json_integer<T> || std::is_floating_point_v<T>) {
        d.decode_scalar(t, out);
    } else if constexpr (std::is_same_v<T, std::string>) {
        if (t.kind != token_kind::string) return d.decode_token(t, out);
        if (t.first && !out.empty()) out.clear();
        // Into an empty string (the usual case) append is assign without its
        // aliasing checks. A whole string longer than the room gets its exact
        // room first: cheaper than append's regrowth (_M_mutate).
        if (t.first && t.last && t.s.size() > out.capacity()) out.reserve(t.s.size());
        out.append(t.s);
    } else if constexpr (is_optional<T>::value) {
        if (t.kind == token_kind::null) return out.reset();
        if (t.kind != token_kind::string || t.first) out.emplace();
        on_value<typename T::value_type>(d, &*out, t);
    } else if constexpr (is_vector<T>::value) {
        if (t.kind != token_kind::array) return d.decode_token(t, out);
        out.clear();
        d.push(&vector_ops<T>, target, true);
    } else if constexpr (is_string_map<T>::value) {
        if (t.kind != token_kind::object) return d.decode_token(t, out);
        out.clear();
        d.push(&map_ops<T>, target, false);
    } else if constexpr (described_enum<T>) {
        if (t.kind != token_kind::string) return d.decode_token(t, out);
        if (t.first && t.last) {
            if (!decode_enum(t.s, out, d.ctx, d.path())) d.failed();
            return;
        }
        if (t.first)
            d.text.assign(t.s);
        else
            d.text.append(t.s);
        if (t.last && !decode_enum(std::string_view(d.text), out, d.ctx, d.path())) d.failed();
    } else if constexpr (tagged_union<T>) {
        (void)variant_traits<T>::tag_key; // the checks of the union
        if (t.kind != token_kind::object) return d.begin_sub(t, &complete_dom<T>, target, false);
        d.push(&variant_ops<T>, target, false);
    } else if constexpr (described_struct<T>) {
        if (t.kind != token_kind::object) {
            check_struct<T>();
            return d.decode_token(t, out);
        }
        push_struct(d, out);
    } else {
        static_assert(unsupported_member_type<T>::value);
    }
}

// ---------------------------------------------------------------------------

struct stream_outcome {
    boost::json::error_code ec;
    std::size_t offset = 0; // bytes consumed; the position of the error when ec is set
    bool ambiguous = false; // only the DOM path can tell the outcome (see the top of this file)
};

// Parses `text` into `out`; schema errors go to `c`.
template <class T>
stream_outcome stream_decode(std::string_view text, T& out, decode_context& c) {
    boost::json::parse_options po;
    po.max_depth = c.options.max_depth;
    boost::json::basic_parser<stream_decoder> p(po, c, &on_value<T>, &out);
    p.handler().set_text(text);
    stream_outcome r;
    r.offset = p.write_some(false, text.data(), text.size(), r.ec);
    if (!r.ec && r.offset < text.size()) r.ec = boost::json::error::extra_data;
    r.ambiguous = p.handler().ambiguous();
    return r;
}

} // namespace sigma::json::detail

#endif
