// SPDX-License-Identifier: MIT
// The extraction for sigma::client, compiled once under
// SIGMA_SEPARATE_COMPILATION: only <sigma/src.hpp> includes this file (through
// <sigma/extract/extractor.hpp>). Every other file calls it through the
// declarations in extractor.hpp, with its sink behind a sink_ref, and so
// compiles none of the extraction itself.
#ifndef SIGMA_EXTRACT_IMPL_COMPILED_IPP
#define SIGMA_EXTRACT_IMPL_COMPILED_IPP

#include <sigma/client/client.hpp>
#include <sigma/extract/extractor.hpp>
#include <sigma/extract/sink.hpp>
#include <sigma/transport/beast.hpp>

#include <boost/asio/awaitable.hpp>

#include <sigma/detail/coroutine_warnings.hpp>

SIGMA_COROUTINES_BEGIN

namespace sigma::extract::detail {

// A coroutine, not a forwarding call: `out` must live in this frame while
// the extraction refers to it.
boost::asio::awaitable<result<report>> compiled_extraction(basic_client<beast_transport>& client, options const& opts,
                                                           sink_ref out, incremental* inc) {
    co_return co_await run_extraction(client, opts, out, inc);
}

result<report> compiled_extract(basic_client<beast_transport>& client, options const& opts, sink_ref out,
                                incremental* inc) {
    return client.run(compiled_extraction(client, opts, out, inc));
}

} // namespace sigma::extract::detail

SIGMA_COROUTINES_END

#endif
