// SPDX-License-Identifier: MIT
// sigma::replay_transport: serves a snapshot (snapshot.hpp), written by
// sigma::recording_transport, with no network: a recorded run replays with
// the same answers, so it gives the same output, in a test or when a user's
// problem is reproduced from the snapshot they sent.
//
// Matching. A request is answered by the recorded exchanges with its method
// and target, first in, first out: a target recorded as 503 then 200 replays
// as 503 then 200, so the client's retries replay too. Concurrency changes the
// order across targets, never within one. The token endpoint is matched by
// method and path only (its recorded body has the secret masked), and answers
// what was recorded, whose tokens are placeholders that work here; a snapshot
// with no token exchange at all gets a working token made up.
//
// When a target's answers are used up, the last one is repeated: a run that
// asks more often than the recorded one (another retry policy, a token that
// expired sooner) still gets the recorded outcome. A request the snapshot does
// not hold at all fails with errc::transport, "METHOD target: not in the
// snapshot FILE", so the run reports that entity as failed and goes on (the
// client retries it first, as any transport error; give the client a
// manual_clock-like clock to replay without waiting).
#ifndef SIGMA_TRANSPORT_REPLAY_HPP
#define SIGMA_TRANSPORT_REPLAY_HPP

#include <sigma/error.hpp>
#include <sigma/result.hpp>
#include <sigma/transport/recording.hpp>
#include <sigma/transport/snapshot.hpp>
#include <sigma/transport/transport.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>
#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma {

class replay_transport {
public:
    // `name` (the file name) is named in the errors of requests the snapshot lacks.
    replay_transport(boost::asio::any_io_executor ex, snapshot s, std::string name = "the snapshot")
        : ex_(std::move(ex)), st_(std::make_shared<state>()) {
        st_->name = std::move(name);
        st_->header = std::move(s.header);
        for (auto& x : s.exchanges) {
            auto& q = st_->answers[key(x.method, x.target)];
            q.answers.push_back(snapshot_response(x));
            ++st_->recorded;
        }
    }

    // Loads the snapshot file; the error names the file, the line and the problem.
    [[nodiscard]] static result<replay_transport> open(boost::asio::any_io_executor ex, std::string const& path) {
        auto s = load_snapshot(path);
        if (!s) return std::move(s).error();
        return replay_transport(std::move(ex), std::move(*s), path);
    }

    boost::asio::any_io_executor get_executor() const { return ex_; }

    boost::asio::awaitable<result<http_response>> async_send(http_request req) {
        // Yield once, as a real transport would, so that concurrent callers interleave.
        co_await boost::asio::post(ex_, boost::asio::use_awaitable);
        auto st = st_;
        std::string const method(to_string(req.method));
        std::lock_guard lock(st->m);
        auto it = st->answers.find(key(method, req.target));
        if (it == st->answers.end()) {
            if (detail::is_token_target(req.target)) co_return made_up_token();
            st->missed.push_back(method + " " + req.target);
            co_return sigma::error(errc::transport,
                                   method + " " + req.target + ": not in the snapshot " + st->name +
                                       " (recorded with other settings or another version of sigma-cpp?)");
        }
        auto& q = it->second;
        ++st->served;
        if (q.next < q.answers.size()) co_return q.answers[q.next++];
        ++st->repeated;
        co_return q.answers.back();
    }

    [[nodiscard]] snapshot_header const& header() const noexcept { return st_->header; }

    // Recorded exchanges never served: a replay that asked less than the recording.
    [[nodiscard]] std::size_t unused() const {
        std::lock_guard lock(st_->m);
        std::size_t n = 0;
        for (auto const& [k, q] : st_->answers) n += q.answers.size() - q.next;
        return n;
    }
    // Answers given again because their target's recorded ones were used up.
    [[nodiscard]] std::size_t repeated() const {
        std::lock_guard lock(st_->m);
        return st_->repeated;
    }
    // "METHOD target" of every request the snapshot did not hold, in order.
    [[nodiscard]] std::vector<std::string> missed() const {
        std::lock_guard lock(st_->m);
        return st_->missed;
    }

private:
    struct queue {
        std::vector<result<http_response>> answers;
        std::size_t next = 0;
    };
    struct state {
        mutable std::mutex m;
        std::string name;
        snapshot_header header;
        std::map<std::string, queue> answers;
        std::size_t recorded = 0, served = 0, repeated = 0;
        std::vector<std::string> missed;
    };

    // The token endpoint by path: its body (and a refresh grant's token) differ between runs.
    static std::string key(std::string const& method, std::string const& target) {
        if (detail::is_token_target(target)) return method + " " + std::string(detail::target_path(target));
        return method + " " + target;
    }

    static http_response made_up_token() {
        http_response r;
        r.status = 200;
        r.headers.push_back({"Content-Type", "application/json"});
        r.body = R"({"access_token":"replay-access-token","token_type":"bearer","expires_in":3599})";
        return r;
    }

    boost::asio::any_io_executor ex_;
    std::shared_ptr<state> st_;
};

static_assert(transport<replay_transport>);

} // namespace sigma

SIGMA_COROUTINES_END

#endif
