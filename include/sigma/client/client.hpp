// SPDX-License-Identifier: MIT
// sigma::basic_client<Transport>: authentication, retries, soft statuses,
// decoding and paging over any Transport. Asynchronous (Asio coroutines) at
// heart, with synchronous calls on top for clients that own their io_context.
#ifndef SIGMA_CLIENT_CLIENT_HPP
#define SIGMA_CLIENT_CLIENT_HPP

#include <sigma/api/endpoint.hpp>
#include <sigma/api/models/auth.hpp>
#include <sigma/api/paging.hpp>
#include <sigma/client/errors.hpp>
#include <sigma/client/rate_control.hpp>
#include <sigma/client/retry.hpp>
#include <sigma/clock.hpp>
#include <sigma/config.hpp>
#include <sigma/error.hpp>
#include <sigma/json/decode.hpp>
#include <sigma/log.hpp>
#include <sigma/result.hpp>
#include <sigma/secret.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/config.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma {

class beast_transport; // the default Transport, <sigma/transport/beast.hpp>

namespace detail {
template <class T>
concept complete_type = requires { sizeof(T); };

// The decoding step of an endpoint call, type-erased so that one request
// loop serves every endpoint: reads a 2xx body into the caller's object, or
// says why it could not (the object is then left as it was).
class body_decoder {
public:
    body_decoder() = default;

    template <class T>
    static body_decoder into(T& out) {
        return body_decoder(&out, [](void* to, std::string_view body, json::decode_options const& opts) {
            auto r = json::decode<T>(body, opts);
            if (!r) return result<void>(std::move(r).error());
            *static_cast<T*>(to) = std::move(*r);
            return result<void>();
        });
    }

    using decode_fn = result<void> (*)(void*, std::string_view, json::decode_options const&);
    body_decoder(void* to, decode_fn f) : to_(to), decode_(f) {}

    // Reads a page of P's style into an api::page<P::response_type>.
    template <class P>
    static result<void> read_page(void* to, std::string_view body, json::decode_options const& opts) {
        auto r = api::decode_page<P>(body, opts);
        if (!r) return result<void>(std::move(r).error());
        *static_cast<api::page<typename P::response_type>*>(to) = std::move(*r);
        return result<void>();
    }

    explicit operator bool() const noexcept { return decode_ != nullptr; }
    result<void> operator()(std::string_view body, json::decode_options const& opts) const {
        return decode_(to_, body, opts);
    }

private:
    void* to_ = nullptr;
    decode_fn decode_ = nullptr;
};

// An endpoint's paging without the endpoint: a page's decoding and its
// parameters depend on these alone, so endpoints that agree share that code.
template <class Entry, api::paging Style, bool Partial, std::size_t MaxPageSize>
struct paging_traits {
    using response_type = Entry;
    static constexpr api::paging paging_style = Style;
    static constexpr bool partial_entries = Partial;
    static constexpr std::size_t max_page_size = MaxPageSize;
};
template <class E>
using page_decoding_of = paging_traits<typename E::response_type, E::paging_style, api::partial_entries<E>, 0>;
template <class E>
using page_parameters_of = paging_traits<void, E::paging_style, false, E::max_page_size>;
static_assert(api::partial_entries<paging_traits<int, api::paging::a, true, 0>> &&
              !api::partial_entries<paging_traits<int, api::paging::a, false, 0>>);

// The typed steps of a listing, as plain functions of the entry type.
template <class Entry>
struct page_entries {
    static std::optional<std::string>& next(void* page) { return static_cast<api::page<Entry>*>(page)->next; }
    // Moves a page's entries to the end of `all` (a std::vector<Entry>) and
    // empties the page for the next one.
    static void append(void* all, void* page) {
        auto& to = *static_cast<std::vector<Entry>*>(all);
        auto& p = *static_cast<api::page<Entry>*>(page);
        if (to.empty())
            to = std::move(p.entries);
        else
            to.insert(to.end(), std::make_move_iterator(p.entries.begin()), std::make_move_iterator(p.entries.end()));
        p = api::page<Entry>{};
    }
};

// Where a listing stands, and the checks around each of its pages, the same
// for every endpoint (`path_template` names the listing in errors).
class listing_state {
public:
    explicit listing_state(std::string_view path_template) : path_template_(path_template) {}

    // Before a page: nullopt when it is to be asked for; else the listing
    // stops here, at its end (a value) or with the error of one page too many.
    std::optional<result<void>> before_page(std::size_t max_pages) {
        if (done_) return result<void>();
        if (pages_ >= max_pages) {
            done_ = true;
            return result<void>(too_many_pages());
        }
        return std::nullopt;
    }

    // After a page's request: its error (numbered), or success with the
    // page's cursor taken as the next one (the entries are the caller's).
    BOOST_NOINLINE result<void> after_page(result<http_response> r, std::optional<std::string>& next) {
        ++pages_;
        if (!r) {
            done_ = true;
            return sigma::error(r.error().code(), "page " + std::to_string(pages_) + ": " + r.error().message(),
                                r.error().http());
        }
        if (!next) {
            done_ = true;
        } else if (!seen_.insert(*next).second) {
            done_ = true;
            return sigma::error(errc::paging, "paging: the server repeated the cursor \"" + excerpt(*next, 64) +
                                                  "\" after page " + std::to_string(pages_) + " of " +
                                                  std::string(path_template_));
        }
        cursor_ = std::move(next);
        return {};
    }

    [[nodiscard]] std::optional<std::string> const& cursor() const noexcept { return cursor_; }
    [[nodiscard]] std::size_t pages() const noexcept { return pages_; }

private:
    BOOST_NOINLINE sigma::error too_many_pages() const {
        return sigma::error(errc::paging, "paging: gave up after " + std::to_string(pages_) + " pages of " +
                                              std::string(path_template_) + " (client_options::max_pages)");
    }

    std::string_view path_template_;
    std::optional<std::string> cursor_;
    std::set<std::string> seen_;
    std::size_t pages_ = 0;
    bool done_ = false;
};
} // namespace detail

struct client_options {
    // Entries asked per page (`limit` / `pageSize`), clamped to each endpoint's maximum.
    std::size_t page_size = 1000;
    // A listing longer than this many pages is an error (a server that never ends).
    std::size_t max_pages = 100'000;
    // The token is renewed this long before `expires_in` runs out.
    std::chrono::seconds token_margin{120};
    // Sigma limits minting to about one per second.
    std::chrono::milliseconds min_mint_interval{1'000};
    // Requests in flight at most (the extraction's concurrency). Lowered while
    // the server answers 429; at most the transport's pool size when it has one.
    std::size_t max_concurrency = 8;
    rate_control_options rate_control{};
    retry_policy retry{};
    json::decode_options decoding{};
    log_sink log{};
    // Empty members are filled from clock_source::system().
    clock_source clock{};
};

// Counters for reports and tests.
struct client_stats {
    std::uint64_t requests = 0;       // HTTP exchanges attempted, token mints included
    std::uint64_t retries = 0;
    std::uint64_t rate_limited = 0;   // 429 answers seen
    std::uint64_t tokens_minted = 0;
    std::uint64_t soft_statuses = 0;  // answers read as "nothing here"
    std::chrono::milliseconds waited{0};  // retry waits and client-wide pauses, summed
    std::uint64_t pauses = 0;             // client-wide pauses after a 429 (congestion events)
    std::chrono::milliseconds paused{0};  // time the whole client stood still for 429s
    std::size_t peak_in_flight = 0;
    std::size_t concurrency_min = 0;      // the lowest window reached (max_concurrency if never lowered)
    // The window and pace each time they changed, from the first request on.
    struct sample {
        std::chrono::milliseconds at{0};
        std::size_t window = 0;
        double pace = 0; // requests/s; 0: not paced
    };
    std::vector<sample> concurrency_history;
};

template <class Transport = beast_transport>
class basic_client {
    static_assert(detail::complete_type<Transport>,
                  "sigma::basic_client<>: the default transport is sigma::beast_transport; include "
                  "<sigma/transport/beast.hpp> (or <sigma/sigma.hpp>) to use it");
    static_assert(transport<Transport>,
                  "sigma::basic_client<Transport>: Transport does not satisfy sigma::transport. It needs "
                  "get_executor() and `boost::asio::awaitable<sigma::result<sigma::http_response>> "
                  "async_send(sigma::http_request)`; see <sigma/transport/transport.hpp>");

public:
    using transport_type = Transport;

    // Validates the configuration: throws sigma::error (errc::config) when it is wrong.
    basic_client(config cfg, Transport t, client_options opts = {})
        : settings_(validate(std::move(cfg)).value()), transport_(std::move(t)), opts_(std::move(opts)) {
        clock_source sys;
        if (!opts_.clock.now || !opts_.clock.wall_now || !opts_.clock.sleep || !opts_.clock.random)
            sys = clock_source::system();
        if (!opts_.clock.now) opts_.clock.now = sys.now;
        if (!opts_.clock.wall_now) opts_.clock.wall_now = sys.wall_now;
        if (!opts_.clock.sleep) opts_.clock.sleep = sys.sleep;
        if (!opts_.clock.random) opts_.clock.random = sys.random;
        for (auto const& w : settings_.warnings) log(log_level::warn, w);
        if (opts_.max_concurrency == 0) opts_.max_concurrency = 1;
        if constexpr (requires(Transport const& t) {
                          { t.max_in_flight() } -> std::convertible_to<std::size_t>;
                      }) {
            std::size_t const pool = transport_.max_in_flight();
            if (pool > 0 && opts_.max_concurrency > pool) {
                log(log_level::warn, "max_concurrency " + std::to_string(opts_.max_concurrency) +
                                         " is more than the transport's " + std::to_string(pool) +
                                         " connections; using " + std::to_string(pool));
                opts_.max_concurrency = pool;
            }
        }
        ctl_ = rate_controller(opts_.max_concurrency, opts_.rate_control);
        stats_.concurrency_min = opts_.max_concurrency;
    }

    basic_client(basic_client const&) = delete;
    basic_client& operator=(basic_client const&) = delete;

    Transport& transport() noexcept { return transport_; }
    validated_config const& settings() const noexcept { return settings_; }
    client_options const& options() const noexcept { return opts_; }
    client_stats const& stats() const noexcept { return stats_; }
    auto get_executor() { return transport_.get_executor(); }

    // ---- asynchronous API -------------------------------------------------

    // Mints a token now unless a valid one is cached.
    boost::asio::awaitable<result<void>> async_authenticate() {
        auto t = co_await token();
        if (!t) co_return std::move(t).error();
        co_return result<void>{};
    }

    // One call of an endpoint without paging. A soft status yields an empty response.
    template <class E>
    boost::asio::awaitable<result<typename E::response_type>> async_get(E const& e) {
        static_assert(api::check_endpoint<E>());
        static_assert(!api::is_paged<E>, "sigma::basic_client::get: this endpoint pages; use list() or list_all()");
        typename E::response_type out{}; // stays empty for a soft status
        auto r = co_await get_into(e, out);
        if (!r) co_return std::move(r).error();
        co_return std::move(out);
    }

    // One page of a paged endpoint; `cursor` is the previous page's `next`.
    template <class E>
    boost::asio::awaitable<result<api::page<typename E::response_type>>> async_page(
        E const& e, std::optional<std::string> const& cursor = std::nullopt) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::page: this endpoint does not page; use get()");
        api::page<typename E::response_type> out; // stays empty for a soft status
        auto r = co_await page_into(e, cursor, out);
        if (!r) co_return std::move(r).error();
        co_return std::move(out);
    }

    // Pages of a listing, fetched on demand: `co_await p.next()` gives the
    // next page's entries, nullopt after the last one.
    template <class E>
    class async_pager {
    public:
        using entry_type = typename E::response_type;

        async_pager(basic_client& c, E e) : client_(&c), endpoint_(std::move(e)), state_(E::path_template) {}

        boost::asio::awaitable<result<std::optional<std::vector<entry_type>>>> next() {
            if (auto stop = state_.before_page(client_->opts_.max_pages)) {
                if (!*stop) co_return stop->error();
                co_return std::optional<std::vector<entry_type>>();
            }
            api::page<entry_type> page;
            page_source const src = page_source_of(endpoint_);
            auto got = co_await client_->request_page(src, state_.cursor(), &page);
            auto r = state_.after_page(std::move(got), page.next);
            if (!r) co_return r.error();
            co_return std::optional<std::vector<entry_type>>(std::move(page.entries));
        }

        [[nodiscard]] std::size_t pages_fetched() const noexcept { return state_.pages(); }

    private:
        basic_client* client_;
        E endpoint_;
        detail::listing_state state_;
    };

    template <class E>
    async_pager<E> pages(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::pages: this endpoint does not page; use get()");
        return async_pager<E>(*this, std::move(e));
    }

    // Every entry of a listing. The loop is list_pages(), one coroutine for
    // every endpoint; only the entries' vector is typed here.
    template <class E>
    boost::asio::awaitable<result<std::vector<typename E::response_type>>> async_list_all(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::list_all: this endpoint does not page; use get()");
        using entry = typename E::response_type;
        std::vector<entry> all;
        api::page<entry> page;
        page_source const src = page_source_of(e);
        auto r = co_await list_pages(src, &page, &all, &detail::page_entries<entry>::append);
        if (!r) co_return r.error();
        co_return all;
    }

    // ---- synchronous API --------------------------------------------------
    // These run the transport's io_context on the calling thread until the
    // call completes, so the client must own that context (nothing else may
    // run it at the same time). Errors are thrown as sigma::error.

    result<void> authenticate() { return run(async_authenticate()); }

    template <class E>
    result<typename E::response_type> get(E const& e) {
        return run(async_get(e));
    }

    template <class E>
    result<std::vector<typename E::response_type>> list_all(E e) {
        return run(async_list_all(std::move(e)));
    }

    // A lazy input range over a listing: pages are fetched as iteration
    // reaches them. A failure throws sigma::error from operator++ / begin().
    template <class E>
    class sync_range {
    public:
        using entry_type = typename E::response_type;

        class iterator {
        public:
            using iterator_category = std::input_iterator_tag;
            using value_type = entry_type;
            using difference_type = std::ptrdiff_t;
            using pointer = entry_type const*;
            using reference = entry_type const&;

            iterator() = default;
            reference operator*() const { return range_->buffer_[index_]; }
            pointer operator->() const { return &range_->buffer_[index_]; }
            iterator& operator++() {
                if (++index_ >= range_->buffer_.size()) {
                    index_ = 0;
                    if (!range_->fill()) range_ = nullptr;
                }
                return *this;
            }
            void operator++(int) { ++*this; }
            friend bool operator==(iterator const& a, iterator const& b) noexcept {
                return a.range_ == b.range_ && (a.range_ == nullptr || a.index_ == b.index_);
            }

        private:
            friend class sync_range;
            explicit iterator(sync_range* r) : range_(r) {}
            sync_range* range_ = nullptr;
            std::size_t index_ = 0;
        };

        sync_range(basic_client& c, E e) : client_(&c), pager_(c, std::move(e)) {}
        sync_range(sync_range&&) = default;

        iterator begin() {
            if (started_) throw sigma::error(errc::invalid_argument, "a sigma list range can be iterated once");
            started_ = true;
            return fill() ? iterator(this) : iterator();
        }
        iterator end() { return iterator(); }

    private:
        // Loads the next non-empty page; false at the end.
        bool fill() {
            for (;;) {
                auto r = client_->run(pager_.next());
                if (!r) throw r.error();
                if (!*r) return false;
                buffer_ = std::move(**r);
                if (!buffer_.empty()) return true;
            }
        }

        basic_client* client_;
        async_pager<E> pager_;
        std::vector<entry_type> buffer_;
        bool started_ = false;
    };

    template <class E>
    sync_range<E> list(E e) {
        static_assert(api::check_endpoint<E>());
        static_assert(api::is_paged<E>, "sigma::basic_client::list: this endpoint does not page; use get()");
        return sync_range<E>(*this, std::move(e));
    }

    // Runs an operation of this client to completion on the calling thread.
    template <class T>
    T run(boost::asio::awaitable<T> op) {
        boost::asio::any_io_executor ex = transport_.get_executor();
        auto const* iox = ex.target<boost::asio::io_context::executor_type>();
        if (iox == nullptr)
            throw sigma::error(errc::invalid_argument,
                               "synchronous sigma calls need a transport on a boost::asio::io_context; use the "
                               "async_ calls with other executors");
        boost::asio::io_context* ioc = &iox->context();
        if (iox->running_in_this_thread())
            throw sigma::error(errc::invalid_argument,
                               "a synchronous sigma call was made from inside the io_context it needs to run; "
                               "co_await the async_ call instead");
        std::optional<T> out;
        std::exception_ptr failure;
        boost::asio::co_spawn(ex, std::move(op), [&](std::exception_ptr e, T v) {
            failure = e;
            if (!e) out.emplace(std::move(v));
        });
        ioc->restart();
        while (!out && !failure && ioc->run_one() > 0) {
        }
        if (failure) std::rethrow_exception(failure);
        if (!out) throw sigma::error(errc::cancelled, "the io_context stopped before the sigma call completed");
        return std::move(*out);
    }

    // ---- lower level ------------------------------------------------------

    // Sends one request to this client's host (target = origin-form, with the
    // version prefix), with authentication, 401 renewal and retries. Any HTTP
    // status is returned; only transport failures and exhausted retries are errors.
    // Transport failures and 502/503/504 are retried for GET, PUT and DELETE,
    // and for any method when `repeatable` says the request is safe to repeat.
    boost::asio::awaitable<result<http_response>> send(http_method method, std::string const& target,
                                                        bool authorized, std::string body = {},
                                                        std::string content_type = {}, bool repeatable_request = false) {
        request_options o;
        o.authorized = authorized;
        o.repeatable = repeatable_request;
        if (!body.empty() || !content_type.empty())
            o.payload = std::make_unique<request_payload const>(request_payload{std::move(body), std::move(content_type)});
        return perform(method, target, std::move(o));
    }

private:
    // How perform() builds an endpoint call's target again, after it went
    // with a request: from the endpoint and the page cursor, which outlive the
    // call. Null for send(), whose target perform() copies instead.
    struct target_source {
        void const* endpoint = nullptr;
        std::optional<std::string> const* cursor = nullptr;
        result<std::string> (*build)(basic_client const&, void const*, std::optional<std::string> const*) = nullptr;
        result<std::string> operator()(basic_client const& c) const { return build(c, endpoint, cursor); }
    };

    // What perform() needs besides the method and target. Endpoint calls set
    // `decode`; send() leaves it null and gets the response as it is.
    // A body is for send() alone: endpoint calls carry a null pointer, not
    // two empty strings, in perform()'s frame.
    struct request_payload {
        std::string body;
        std::string content_type;
    };
    struct request_options {
        bool authorized = true;
        bool repeatable = false; // safe to repeat whatever the method
        std::unique_ptr<request_payload const> payload;
        api::soft_statuses const* soft = nullptr; // the endpoint's own (E::soft); null: none
        bool log_soft = false; // async_get's debug line for a soft status
        [[nodiscard]] bool is_soft(unsigned status) const noexcept { return soft && soft->contains(status); }
        detail::body_decoder decode{};
        target_source rebuild{};
    };

    // The request of one call of E (not paged), decoded into `out`. Only the
    // target and the decoding depend on E; the loop is perform()'s.
    template <class E>
    boost::asio::awaitable<result<http_response>> get_into(E const& e, typename E::response_type& out) {
        request_options o;
        o.soft = &E::soft;
        o.log_soft = true;
        o.decode = detail::body_decoder::into(out);
        o.rebuild = {&e, nullptr, [](basic_client const& c, void const* ep, std::optional<std::string> const*) {
                         return api::detail::build_target_with(*static_cast<E const*>(ep),
                                                               c.settings_.settings.apiVersion, {});
                     }};
        auto target = o.rebuild(*this);
        return perform(E::method, std::move(target), std::move(o));
    }

    // What a page request needs of its endpoint, type-erased: made per
    // endpoint type by page_source_of(), used by code shared by all of them.
    struct page_source {
        void const* endpoint = nullptr;
        std::string_view path_template;
        http_method method = http_method::get;
        api::soft_statuses const* soft = nullptr;
        decltype(target_source::build) build = nullptr;
        detail::body_decoder::decode_fn decode = nullptr;          // a body into an api::page of the entries
        std::optional<std::string>& (*next)(void* page) = nullptr; // that page's cursor
    };

    // The target of one page of E after `cursor`. The page parameters are
    // views (into `digits` and the cursor): no vector of strings per page.
    template <class E>
    static result<std::string> page_target(basic_client const& c, void const* ep,
                                           std::optional<std::string> const* cursor) {
        std::array<char, 20> digits{};
        auto const params =
            api::detail::page_parameters_in<detail::page_parameters_of<E>>(c.opts_.page_size, *cursor, digits);
        return api::detail::build_target_with(*static_cast<E const*>(ep), c.settings_.settings.apiVersion,
                                              api::detail::param_views(params.items.data(), params.count));
    }

    template <class E>
    static page_source page_source_of(E const& e) {
        static_assert(api::check_endpoint<E>());
        using entry = typename E::response_type;
        return {&e,
                E::path_template,
                E::method,
                &E::soft,
                &page_target<E>,
                &detail::body_decoder::read_page<detail::page_decoding_of<E>>,
                &detail::page_entries<entry>::next};
    }

    // The request of one page after `cursor`, decoded into `page` (an
    // api::page of the source's entries, left as it is for a soft status).
    boost::asio::awaitable<result<http_response>> request_page(page_source const& src,
                                                               std::optional<std::string> const& cursor, void* page) {
        request_options o;
        o.soft = src.soft;
        o.decode = detail::body_decoder(page, src.decode);
        o.rebuild = {src.endpoint, &cursor, src.build};
        auto target = o.rebuild(*this);
        return perform(src.method, std::move(target), std::move(o));
    }

    // The request of one page of E after `cursor`, decoded into `out`.
    template <class E>
    boost::asio::awaitable<result<http_response>> page_into(E const& e, std::optional<std::string> const& cursor,
                                                            api::page<typename E::response_type>& out) {
        return request_page(page_source_of(e), cursor, &out);
    }

    // Every page of a listing, each handed to append(all, page) (which
    // empties the page): the paging loop of every endpoint's async_list_all.
    // request_page() is a plain function: no coroutine frame of its own per page.
    boost::asio::awaitable<result<void>> list_pages(page_source src, void* page, void* all,
                                                    void (*append)(void*, void*)) {
        detail::listing_state state(src.path_template);
        for (;;) {
            if (auto stop = state.before_page(opts_.max_pages)) co_return std::move(*stop);
            auto got = co_await request_page(src, state.cursor(), page);
            auto r = state.after_page(std::move(got), src.next(page));
            if (!r) co_return r;
            append(all, page);
        }
    }

    // The one request loop of the client, shared by every endpoint and by
    // send(): authentication, admission, the transport, 401 renewal, retries;
    // with a decoder also soft statuses, status errors and the retry of a
    // garbled body (each a new request with its own attempts and renewal).
    // An invalid target is returned as the error, before any request.
    boost::asio::awaitable<result<http_response>> perform(http_method method, result<std::string> built,
                                                           request_options o) {
        if (!built) co_return std::move(built).error();
        std::string& target = *built;
        // An endpoint call's target goes into the request itself, and is
        // built again only on the paths that name it afterwards (a log line,
        // an error, a retry): a 2xx answer decoded as expected never does.
        bool const lent = o.rebuild.build != nullptr;
        bool const idempotent = o.repeatable || repeatable(method);
        bool renewed = false;
        unsigned attempt = 0; // transport failures, 502/503/504 and 429s of this request
        unsigned garbled = 0; // bodies that were not JSON
        // The one outcome of every rare path (an error, or a wait and why):
        // GCC gives each local of a coroutine its own place in the frame, and
        // a frame over 1020 bytes is never recycled by Asio, so it is kept small.
        next_step s;
        for (;;) {
            // One reading of the clock serves the token's expiry, admission
            // and the start: nothing waits between them on the usual path.
            auto now = opts_.clock.now();
            secret const* tok = nullptr;
            std::optional<secret> fresh; // a token minted for this request
            if (o.authorized) {
                // A valid cached token is used as it is: token() would cost a
                // coroutine frame and a copy of the secret on every request.
                tok = cached_token(now);
                if (!tok) {
                    auto r = co_await token();
                    if (!r) co_return std::move(r).error();
                    tok = &fresh.emplace(std::move(*r));
                    now = opts_.clock.now();
                }
            }
            // Most requests are admitted at once: the coroutine only for a
            // wait. The request is built once admitted (a waiting frame holds
            // no copy of it), with the token looked up again after a wait: a
            // renewal may have replaced the cached one meanwhile.
            std::uint64_t epoch = 0;
            if (auto a = admit_now(now); a.what == admission::none) {
                epoch = ctl_.epoch();
            } else {
                epoch = co_await admit(a);
                now = opts_.clock.now();
                if (tok && !fresh && !(tok = cached_token(now))) {
                    release(); // it expired or was refused while this one waited: mint, then queue again
                    continue;
                }
            }
            ++stats_.requests;
            auto const started = now;
            auto resp = co_await send_attempt(method, target, lent, tok, o);
            release();
            now = opts_.clock.now(); // the answer's time, for the log and the controller
            if (lent && names_target(resp, o) && !restore_target(o, target, s)) co_return std::move(*s.error);

            if (!resp) {
                after_transport_failure(method, target, resp.error(), idempotent, attempt, s);
                if (s.error) co_return std::move(*s.error);
                co_await pause(s.wait, s.why);
                ++attempt;
                continue;
            }
            if (opts_.log) log_answer(method, target, resp->status, now - started);
            if (resp->status != 429) {
                ctl_.on_answer(now, epoch);
                note_limits();
                wake_waiters(); // the window may have grown
            }

            if (resp->status == 401 && o.authorized) {
                if (!renewed) {
                    renewed = true;
                    token_.reset(); // the token was refused: mint a new one, once
                    log_renewal(method, target);
                    continue;
                }
                co_return status_error(method, target, *resp, errc::auth,
                                       "the API refused a freshly minted token; check that hostPort is your "
                                       "organisation's API host (a token is valid only on the host that minted it) "
                                       "and that the API credentials are still active");
            }
            if (is_retryable_status(resp->status)) {
                after_retryable_status(method, target, *resp, epoch, idempotent, attempt, s);
                if (s.error) co_return std::move(*s.error);
                if (s.sleep) co_await pause(s.wait, s.why);
                ++attempt;
                continue;
            }
            if (!o.decode) co_return std::move(*resp); // send(): any status is the caller's
            if (o.is_soft(resp->status)) {
                ++stats_.soft_statuses;
                if (o.log_soft && opts_.log) log_soft(method, target, resp->status);
                co_return http_response{};
            }
            if (resp->status < 200 || resp->status >= 300)
                co_return status_error(method, target, *resp,
                                       resp->status == 404 ? errc::not_found : errc::http_status);
            auto r = o.decode(resp->body, opts_.decoding);
            if (r) co_return http_response{};
            if (lent && !opts_.log && !restore_target(o, target, s)) co_return std::move(*s.error);
            if (retry_garbled(repeatable(method), r.error(), garbled)) {
                s.why = garbled_reason(method, target, r.error());
                co_await pause(backoff(opts_.retry, garbled, opts_.clock.random()), s.why);
                ++garbled;
                renewed = false; // asked again as a new request
                attempt = 0;
                continue;
            }
            co_return decode_error(method, target, r.error());
        }
    }

    // The request of one attempt. The Authorization value is a copy of the
    // cached "Bearer <token>": no concatenation per request.
    http_request new_request(http_method method, std::string target, secret const* tok,
                             request_options const& o) const {
        http_request req;
        req.method = method;
        req.origin = settings_.origin;
        req.target = std::move(target);
        bool const typed = o.payload && !o.payload->content_type.empty();
        req.headers.reserve(static_cast<std::size_t>(tok != nullptr) + static_cast<std::size_t>(typed));
        if (tok != nullptr) {
            if (token_ && tok == &*token_)
                req.headers.push_back(http_header{"Authorization", bearer_.reveal()});
            else
                req.headers.push_back(http_header{"Authorization", "Bearer " + tok->reveal()});
        }
        if (typed) req.headers.push_back(http_header{"Content-Type", o.payload->content_type});
        if (o.payload) req.body = o.payload->body;
        return req;
    }

    // The transport's operation for one attempt. A plain function: the
    // request is built on its stack and moved into the transport's coroutine,
    // so perform()'s frame holds no copy of it.
    boost::asio::awaitable<result<http_response>> send_attempt(http_method method, std::string& target, bool lent,
                                                               secret const* tok, request_options const& o) {
        return transport_.async_send(new_request(method, lent ? std::move(target) : std::string(target), tok, o));
    }

    // Whether what follows an answer names the target: a log line, an error
    // or a retry does; a 2xx answer (until its decoding fails) and a soft
    // status do not.
    bool names_target(result<http_response> const& resp, request_options const& o) const noexcept {
        if (!resp || opts_.log) return true;
        unsigned const s = resp->status;
        if ((s == 401 && o.authorized) || is_retryable_status(s)) return true;
        return (s < 200 || s >= 300) && !o.is_soft(s);
    }

    // What perform() does after a failed attempt: give up with `error`, or
    // retry, after pause(wait, why) when `sleep` (a 429 waits in admit()).
    // Out of line, like the other rare paths, to keep perform()'s hot code small.
    struct next_step {
        std::optional<sigma::error> error;
        bool sleep = true;
        std::chrono::milliseconds wait{0};
        std::string why;
    };

    // The target of an endpoint call again, as it was built the first time
    // (the same endpoint, cursor, version and page size).
    // False, with the error in `s`, when it cannot be built.
    BOOST_NOINLINE bool restore_target(request_options const& o, std::string& target, next_step& s) const {
        auto again = o.rebuild(*this);
        if (!again) {
            s.error.emplace(std::move(again).error());
            return false;
        }
        target = std::move(*again);
        return true;
    }

    BOOST_NOINLINE void after_transport_failure(http_method method, std::string const& target, sigma::error const& e,
                                                bool idempotent, unsigned attempt, next_step& s) {
        s = next_step{};
        if (opts_.log)
            log(log_level::debug, std::string(to_string(method)) + " " + target + ": " + redact(e.message()));
        if (idempotent && attempt + 1 < opts_.retry.max_attempts && budget_left()) {
            s.wait = backoff(opts_.retry, attempt, opts_.clock.random());
            s.why = std::string(to_string(method)) + " " + target + " failed (" + redact(e.message()) + ")";
            return;
        }
        s.error.emplace(e.code(), redact(with_request(method, target, e.message())),
                        http_details{0, std::string(to_string(method)), target, {}, {}});
    }

    BOOST_NOINLINE void after_retryable_status(http_method method, std::string const& target,
                                               http_response const& resp, std::uint64_t epoch, bool idempotent,
                                               unsigned attempt, next_step& s) {
        s = next_step{};
        if (resp.status == 429) ++stats_.rate_limited;
        std::optional<std::chrono::milliseconds> ra;
        if (auto h = resp.header("Retry-After"); !h.empty()) ra = parse_retry_after(h, opts_.clock.wall_now());
        auto wait = retry_delay(opts_.retry, resp.status, ra, attempt, opts_.clock.random());
        if (resp.status == 429) {
            // The limit is the client's, not this request's: everything
            // waits, and the window and pace come down (once per event).
            auto const wait_for = wait.value_or(opts_.retry.min_wait_after_429);
            pause_client(epoch, wait_for, std::string(to_string(method)) + " " + target + ": HTTP 429");
        }
        if (wait && (idempotent || resp.status == 429) && attempt + 1 < opts_.retry.max_attempts && budget_left()) {
            if (resp.status == 429) {
                ++stats_.retries; // the wait happens in admit(), with everyone else's
                s.sleep = false;
            } else {
                s.wait = *wait;
                s.why = std::string(to_string(method)) + " " + target + ": HTTP " + std::to_string(resp.status);
            }
            return;
        }
        errc code = resp.status == 429 ? errc::rate_limited : errc::http_status;
        s.error.emplace(
            status_error(method, target, resp, code, "gave up after " + std::to_string(attempt + 1) + " attempts"));
    }

    BOOST_NOINLINE void log_answer(http_method method, std::string const& target, unsigned status,
                                   std::chrono::steady_clock::duration d) const {
        auto const took = std::chrono::duration_cast<std::chrono::milliseconds>(d);
        log(log_level::debug, std::string(to_string(method)) + " " + target + " -> " + std::to_string(status) + " (" +
                                  std::to_string(took.count()) + " ms)");
    }

    BOOST_NOINLINE void log_renewal(http_method method, std::string const& target) const {
        log(log_level::info,
            std::string(to_string(method)) + " " + target + ": 401, renewing the token and retrying once");
    }

    BOOST_NOINLINE void log_soft(http_method method, std::string const& target, unsigned status) const {
        log(log_level::debug, std::string(to_string(method)) + " " + target + ": HTTP " + std::to_string(status) +
                                  " read as empty");
    }

    bool budget_left() const noexcept { return stats_.retries < opts_.retry.budget; }

    static constexpr bool repeatable(http_method m) noexcept {
        return m == http_method::get || m == http_method::put || m == http_method::delete_;
    }

    // A 2xx answer whose body is not JSON at all was damaged on the way (cut
    // short by a proxy, or framing that looked right over a truncated body):
    // asked again like a transport failure when the request may be repeated,
    // within max_attempts and the budget. Other decoding failures (a wrong
    // type, a missing key) would come back the same: they are not retried.
    bool retry_garbled(bool may_repeat, sigma::error const& e, unsigned attempt) const noexcept {
        return may_repeat && e.code() == errc::json_syntax && attempt + 1 < opts_.retry.max_attempts && budget_left();
    }

    static std::string garbled_reason(http_method m, std::string const& target, sigma::error const& e) {
        return with_request(m, target, "the answer is not JSON (" + e.message() + ")");
    }

    // Admission: no client-wide pause, a free place in the window and its
    // turn in the pace. A request that started then carries the controller's
    // epoch, so that a 429 can tell whether it belongs to an event already
    // handled.
    struct admission {
        enum kind { none, paused, full, paced } what = none; // none: admitted
        std::chrono::milliseconds sleep{0};                // paused, paced: how long
    };

    // One pass of admission, without waiting: admitted (and counted in
    // flight), or what admit() must wait for. A newcomer queues behind the
    // waiters already queued; `woken` is the pass of a waiter whose turn came.
    admission admit_now(std::chrono::steady_clock::time_point now, bool woken = false) {
        if (!first_request_) {
            first_request_ = now;
            note_limits();
        }
        if (auto until = ctl_.paused_until(); now < until) return {admission::paused, ceil_ms(until - now)};
        if (in_flight_ + waking_ >= ctl_.window() || (!woken && !waiters_.empty())) return {admission::full, {}};
        ++in_flight_; // held while waiting for the pace, so the window stays exact
        auto at = ctl_.reserve(now);
        if (at > now) return {admission::paced, ceil_ms(at - now)};
        stats_.peak_in_flight = std::max(stats_.peak_in_flight, in_flight_);
        return {};
    }

    // Waits for what admit_now() reported, and passes again until admitted.
    // Returns the epoch at the start.
    boost::asio::awaitable<std::uint64_t> admit(admission a) {
        bool woken = false; // this request's turn in the queue came
        for (;;) {
            switch (a.what) {
            case admission::none: co_return ctl_.epoch();
            case admission::paused: co_await opts_.clock.sleep(a.sleep); break;
            case admission::full: {
                // First come, first served: a waiter whose place was taken
                // again (the window shrank) keeps its turn at the front. The
                // timer lives in this frame: no allocation of its own.
                boost::asio::steady_timer timer(transport_.get_executor(), boost::asio::steady_timer::time_point::max());
                queued_waiter q(*this, &timer);
                if (woken)
                    waiters_.push_front(&timer);
                else
                    waiters_.push_back(&timer);
                boost::system::error_code ec;
                co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
                q.resumed = true;
                --waking_; // the promised place is this pass's to take
                woken = true;
                break;
            }
            case admission::paced:
                co_await opts_.clock.sleep(a.sleep);
                if (opts_.clock.now() < ctl_.paused_until()) { // a 429 came in meanwhile
                    release();
                    break;
                }
                stats_.peak_in_flight = std::max(stats_.peak_in_flight, in_flight_);
                co_return ctl_.epoch();
            }
            a = admit_now(opts_.clock.now(), woken);
        }
    }

    // A waiter's place in the queue, for a wait that ends without its wake
    // (its frame destroyed with the io_context): the queue forgets it.
    struct queued_waiter {
        basic_client& c;
        boost::asio::steady_timer* timer;
        bool resumed = false;
        queued_waiter(basic_client& client, boost::asio::steady_timer* t) : c(client), timer(t) {}
        queued_waiter(queued_waiter const&) = delete;
        queued_waiter& operator=(queued_waiter const&) = delete;
        ~queued_waiter() {
            if (resumed) return;
            if (auto it = std::find(c.waiters_.begin(), c.waiters_.end(), timer); it != c.waiters_.end())
                c.waiters_.erase(it);
            else
                --c.waking_; // woken, never resumed
        }
    };

    void release() {
        --in_flight_;
        wake_waiters();
    }

    // Wakes as many waiters, in order, as there are places nobody was
    // promised yet: each woken waiter counts in waking_ until it runs, so a
    // second call (after release(), then after an answer) wakes nobody twice.
    void wake_waiters() {
        std::size_t const taken = in_flight_ + waking_;
        for (std::size_t free = ctl_.window() > taken ? ctl_.window() - taken : 0; free > 0 && !waiters_.empty();
             --free) {
            waiters_.front()->cancel();
            waiters_.pop_front();
            ++waking_;
        }
    }

    void pause_client(std::uint64_t epoch, std::chrono::milliseconds wait, std::string const& why) {
        auto const now = opts_.clock.now();
        auto const before = std::max(now, ctl_.paused_until());
        bool const was_paused = now < ctl_.paused_until();
        bool const lowered = ctl_.on_rate_limited(epoch, now, now + wait);
        auto const after = ctl_.paused_until();
        if (after > before) {
            auto const added = std::chrono::duration_cast<std::chrono::milliseconds>(after - before);
            stats_.paused += added;
            stats_.waited += added;
        }
        if (!was_paused && after > now) ++stats_.pauses;
        if (lowered) {
            auto const pace = ctl_.pace();
            log(log_level::warn, why + "; pausing all requests for " + std::to_string(wait.count()) +
                                     " ms, window " + std::to_string(ctl_.window()) +
                                     (pace ? ", pace " + std::to_string(static_cast<long>(*pace)) + "/s" : std::string()));
        }
        note_limits();
    }

    // Records the window and pace when they changed.
    void note_limits() {
        if (!first_request_) return;
        std::size_t const w = ctl_.window();
        double const p = ctl_.pace().value_or(0.0);
        stats_.concurrency_min = std::min(stats_.concurrency_min, w);
        auto& h = stats_.concurrency_history;
        if (!h.empty() && h.back().window == w && h.back().pace == p) return;
        if (h.size() >= 100'000) return; // bounded: a day-long crawl stays small
        auto const now = opts_.clock.now();
        h.push_back({std::chrono::duration_cast<std::chrono::milliseconds>(now - *first_request_), w, p});
    }

    static std::chrono::milliseconds ceil_ms(std::chrono::steady_clock::duration d) {
        return std::chrono::ceil<std::chrono::milliseconds>(d);
    }

    boost::asio::awaitable<void> pause(std::chrono::milliseconds wait, std::string const& why) {
        ++stats_.retries;
        stats_.waited += wait;
        log(log_level::warn, why + "; retrying in " + std::to_string(wait.count()) + " ms");
        co_await opts_.clock.sleep(wait);
    }

    // The token, while it is valid at `now`; null when it must be minted.
    secret const* cached_token(std::chrono::steady_clock::time_point now) const {
        return token_ && now < token_expiry_ ? &*token_ : nullptr;
    }

    // The cached token, renewed when it is within the margin of expiry. One
    // renewal at a time: callers arriving during one wait for its outcome.
    boost::asio::awaitable<result<secret>> token() {
        if (auto const* t = cached_token(opts_.clock.now())) co_return *t;
        if (renewing_) {
            // Armed once: re-arming would cancel the other waiters, which
            // would re-arm in turn, and so on, a busy loop.
            if (!renewal_done_)
                renewal_done_ = std::make_unique<boost::asio::steady_timer>(transport_.get_executor(),
                                                                            boost::asio::steady_timer::time_point::max());
            while (renewing_) {
                boost::system::error_code ec;
                co_await renewal_done_->async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
            }
            if (token_) co_return *token_;
            co_return last_auth_error_ ? *last_auth_error_
                                       : sigma::error(errc::auth, "authentication failed");
        }
        renewing_ = true;
        auto r = co_await mint();
        renewing_ = false;
        if (renewal_done_) renewal_done_->cancel();
        if (!r) {
            last_auth_error_ = r.error();
            co_return std::move(r).error();
        }
        last_auth_error_.reset();
        co_return *token_;
    }

    boost::asio::awaitable<result<void>> mint() {
        if (last_mint_) {
            auto since = opts_.clock.now() - *last_mint_;
            if (since < opts_.min_mint_interval) {
                auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(opts_.min_mint_interval - since);
                stats_.waited += wait;
                co_await opts_.clock.sleep(wait);
            }
        }
        last_mint_ = opts_.clock.now();
        std::string target = "/" + settings_.settings.apiVersion + "/auth/token";
        std::string body = "grant_type=client_credentials&client_id=" + form_encode(settings_.settings.clientId) +
                           "&client_secret=" + form_encode(settings_.settings.clientSecret.reveal());
        // Minting again is harmless (a lost answer costs one unused token), so
        // the POST is retried like a GET: a blip on the token endpoint must
        // not fail a whole run.
        std::optional<api::token_response> tok;
        for (unsigned attempt = 0; !tok; ++attempt) {
            ++stats_.tokens_minted;
            auto resp = co_await send(http_method::post, target, false, body, "application/x-www-form-urlencoded",
                                      /*repeatable_request=*/true);
            if (!resp) co_return std::move(resp).error();
            if (resp->status == 400 || resp->status == 401 || resp->status == 403)
                co_return status_error(http_method::post, target, *resp, errc::auth,
                                       "authentication failed: check clientId and clientSecret, and that hostPort is "
                                       "your organisation's API host");
            if (resp->status < 200 || resp->status >= 300)
                co_return status_error(http_method::post, target, *resp, errc::http_status);
            auto decoded = json::decode<api::token_response>(resp->body);
            if (decoded) {
                tok = std::move(*decoded);
            } else if (retry_garbled(true, decoded.error(), attempt)) {
                std::string const why = garbled_reason(http_method::post, target, decoded.error());
                co_await pause(backoff(opts_.retry, attempt, opts_.clock.random()), why);
            } else {
                co_return decode_error(http_method::post, target, decoded.error());
            }
        }
        if (tok->access_token.empty())
            co_return sigma::error(errc::auth, "POST " + target + ": the token answer has an empty access_token");
        token_ = tok->access_token;
        bearer_ = secret("Bearer " + token_->reveal());
        secrets_.push_back(tok->access_token);
        if (tok->refresh_token) secrets_.push_back(*tok->refresh_token);
        auto life = std::chrono::seconds(tok->expires_in);
        auto margin = opts_.token_margin;
        if (life <= margin) margin = life / 2; // a short-lived token is still used for half its life
        token_expiry_ = *last_mint_ + (life - margin);
        log(log_level::info, "minted an API token valid for " + std::to_string(tok->expires_in) + " s");
        co_return result<void>{};
    }

    static std::string form_encode(std::string_view s) {
        return boost::urls::encode(s, boost::urls::unreserved_chars);
    }

    // Removes every secret this client knows from a text bound for a log or an error.
    std::string redact(std::string text) const {
        auto scrub = [&](std::string const& s) {
            if (s.size() < 4) return; // too short to tell apart from ordinary text
            for (std::size_t pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
                text.replace(pos, s.size(), secret::mask);
        };
        scrub(settings_.settings.clientSecret.reveal());
        for (auto const& s : secrets_) scrub(s.reveal());
        return text;
    }

    static std::string with_request(http_method m, std::string const& target, std::string_view what) {
        std::string s(to_string(m));
        s += ' ';
        s += target;
        s += ": ";
        s += what;
        return s;
    }

    BOOST_NOINLINE sigma::error status_error(http_method m, std::string const& target, http_response const& r,
                                             errc code, std::string_view advice = {}) const {
        auto info = detail::read_error_body(r);
        http_details d{r.status, std::string(to_string(m)), target, info.code, info.request_id};
        std::string msg = with_request(m, target, "HTTP " + std::to_string(r.status));
        if (!info.code.empty()) msg += " " + info.code;
        if (!info.message.empty()) msg += ": " + info.message;
        if (!info.request_id.empty()) msg += " (requestId " + info.request_id + ")";
        if (!advice.empty()) {
            msg += "; ";
            msg += advice;
        }
        return sigma::error(code, redact(std::move(msg)), std::move(d));
    }

    BOOST_NOINLINE sigma::error decode_error(http_method m, std::string const& target, sigma::error const& e) const {
        // Keep the pointer; prefix the request so the failing call is known.
        return sigma::error(e.code(), redact(with_request(m, target, e.message())), e.json_pointer());
    }

    void log(log_level l, std::string const& msg) const {
        if (opts_.log) opts_.log(l, redact(msg));
    }

    validated_config settings_;
    Transport transport_;
    client_options opts_;
    client_stats stats_{};
    rate_controller ctl_{1, {}};
    std::size_t in_flight_ = 0;
    std::deque<boost::asio::steady_timer*> waiters_; // in admit()'s frames, first come first
    std::size_t waking_ = 0;                          // woken waiters not yet run: places promised
    std::optional<std::chrono::steady_clock::time_point> first_request_;

    std::optional<secret> token_;
    secret bearer_; // "Bearer <token_>", the Authorization value, built once per token
    std::chrono::steady_clock::time_point token_expiry_{};
    std::optional<std::chrono::steady_clock::time_point> last_mint_;
    bool renewing_ = false;
    std::unique_ptr<boost::asio::steady_timer> renewal_done_;
    std::optional<sigma::error> last_auth_error_;
    std::vector<secret> secrets_; // every token issued to this client, for redaction
};

// The client over the default HTTPS transport (<sigma/transport/beast.hpp>).
using client = basic_client<>;

} // namespace sigma

SIGMA_COROUTINES_END

#endif
