// SPDX-License-Identifier: MIT
// The client side of TLS for beast_transport: one OpenSSL context per
// transport (TLS >= 1.2, peer verification on unless explicitly turned off)
// and the per-connection settings (SNI, host name or IP address check).
#ifndef SIGMA_TRANSPORT_DETAIL_TLS_HPP
#define SIGMA_TRANSPORT_DETAIL_TLS_HPP

#include <sigma/error.hpp>
#include <sigma/result.hpp>

#include <boost/asio/ssl/context.hpp>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>

namespace sigma::detail {

struct tls_client_settings {
    std::string ca_file;       // PEM file of trusted CAs; empty: none
    std::string ca_pem;        // PEM text of trusted CAs; empty: none
    bool skip_verify = false;  // only ever from beast_transport_options::insecure_skip_tls_verify
};

inline std::string openssl_last_error() {
    unsigned long const e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "unknown OpenSSL error";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// Adds every certificate of a PEM text to the context's trust store.
inline result<void> add_trusted_pem(SSL_CTX* ctx, std::string const& pem) {
    struct bio_free { void operator()(BIO* b) const noexcept { BIO_free(b); } };
    std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    if (!bio) return error(errc::config, "ca_pem: cannot read the PEM text: " + openssl_last_error());
    X509_STORE* store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        int const ok = X509_STORE_add_cert(store, cert);
        X509_free(cert);
        if (ok != 1) return error(errc::config, "ca_pem: cannot add a certificate to the trust store: " + openssl_last_error());
        ++count;
    }
    ERR_clear_error(); // PEM_read_bio_X509 leaves "no start line" at the end of the text
    if (count == 0) return error(errc::config, "ca_pem holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    return {};
}

inline result<std::shared_ptr<boost::asio::ssl::context>> make_tls_client_context(tls_client_settings const& s) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1)
        return error(errc::config, "cannot require TLS 1.2: " + openssl_last_error());
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    if (s.skip_verify) {
        ctx->set_verify_mode(ssl::verify_none);
        return ctx;
    }
    ctx->set_verify_mode(ssl::verify_peer);
    if (!s.ca_file.empty()) {
        boost::system::error_code ec;
        ctx->load_verify_file(s.ca_file, ec);
        if (ec) return error(errc::config, "cannot load the CA file '" + s.ca_file + "': " + ec.message());
    }
    if (!s.ca_pem.empty()) {
        if (auto r = add_trusted_pem(native, s.ca_pem); !r) return r.error();
    }
    if (s.ca_file.empty() && s.ca_pem.empty()) {
        boost::system::error_code ec;
        ctx->set_default_verify_paths(ec);
        if (ec) return error(errc::config, "cannot load the system CA store: " + ec.message());
    }
    return ctx;
}

// Before the handshake: SNI for names (never for IP literals, RFC 6066), and
// the identity the peer's certificate must carry.
inline result<void> configure_tls_connection(SSL* ssl, std::string const& host, bool host_is_ip, bool verify) {
    if (!host_is_ip && SSL_set_tlsext_host_name(ssl, const_cast<char*>(host.c_str())) != 1)
        return error(errc::transport, "cannot set TLS SNI for " + host + ": " + openssl_last_error());
    if (!verify) return {};
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    int ok = 0;
    if (host_is_ip) {
        ok = X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        ok = X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    if (ok != 1) return error(errc::transport, "cannot set the expected TLS identity " + host + ": " + openssl_last_error());
    return {};
}

// Why a handshake failed, in words: the certificate check's verdict when
// there is one ("hostname mismatch", "self-signed certificate in certificate
// chain"), else the TLS error.
inline std::string tls_failure_reason(SSL* ssl, boost::system::error_code const& ec) {
    long const v = SSL_get_verify_result(ssl);
    std::string reason = ec.message();
    if (v != X509_V_OK) reason = std::string("certificate verify failed: ") + X509_verify_cert_error_string(v);
    return reason;
}

} // namespace sigma::detail

#endif
