// SPDX-License-Identifier: MIT
// A throw-away certificate authority for loopback TLS tests: an ECDSA P-256 CA
// and a server certificate it signs, made in memory with OpenSSL 3 at start-up
// so that no key or certificate file ever exists on disk.
#ifndef SIGMA_TESTING_DETAIL_CERT_AUTHORITY_HPP
#define SIGMA_TESTING_DETAIL_CERT_AUTHORITY_HPP

#include <sigma/detail/prelude.hpp>

#include <boost/asio/ip/address.hpp>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace sigma::testing::detail {

struct pkey_free { void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); } };
struct x509_free { void operator()(X509* p) const noexcept { X509_free(p); } };
struct bio_free { void operator()(BIO* p) const noexcept { BIO_free(p); } };
struct ext_free { void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); } };
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;
using x509_ptr = std::unique_ptr<X509, x509_free>;

[[noreturn]] inline void openssl_failure(char const* what) {
    throw std::runtime_error(std::string("sigma::testing certificate authority: ") + what + " failed");
}

inline pkey_ptr make_p256_key() {
    pkey_ptr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    if (!key) openssl_failure("EC P-256 key generation");
    return key;
}

inline std::string pem_of(X509* cert) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) openssl_failure("PEM encoding of a certificate");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline std::string pem_of(EVP_PKEY* key) {
    std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
        openssl_failure("PEM encoding of a private key");
    char* data = nullptr;
    long const n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline void add_extension(X509* cert, X509* issuer, int nid, char const* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    std::unique_ptr<X509_EXTENSION, ext_free> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) openssl_failure("adding a certificate extension");
}

inline x509_ptr make_certificate(EVP_PKEY* key, std::string const& common_name, X509* issuer) {
    x509_ptr cert(X509_new());
    if (!cert) openssl_failure("X509_new");
    X509_set_version(cert.get(), 2); // v3
    unsigned char serial_bytes[16];
    if (RAND_bytes(serial_bytes, sizeof serial_bytes) != 1) openssl_failure("serial number generation");
    serial_bytes[0] &= 0x7f; // positive
    BIGNUM* bn = BN_bin2bn(serial_bytes, sizeof serial_bytes, nullptr);
    if (!bn || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()))) {
        BN_free(bn);
        openssl_failure("serial number encoding");
    }
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<unsigned char const*>("sigma-cpp tests"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>(common_name.c_str()),
                               -1, -1, 0);
    X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
    X509* const signer = issuer ? issuer : cert.get();
    add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    if (issuer) add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid:always");
    return cert;
}

inline void sign(X509* cert, EVP_PKEY* key) {
    if (X509_sign(cert, key, EVP_sha256()) == 0) openssl_failure("certificate signing");
}

inline bool is_ip_literal(std::string const& host) {
    boost::system::error_code ec;
    (void)boost::asio::ip::make_address(host, ec);
    return !ec;
}

// The CA and one server certificate. `hosts` are the server certificate's
// subjectAltName entries; IP literals become IP entries, the rest DNS entries.
class cert_authority {
public:
    explicit cert_authority(std::vector<std::string> const& hosts = {"127.0.0.1", "localhost"}) {
        if (hosts.empty()) throw std::invalid_argument("sigma::testing::cert_authority: no host names");
        pkey_ptr ca_key = make_p256_key();
        x509_ptr ca = make_certificate(ca_key.get(), "sigma-cpp test CA", nullptr);
        add_extension(ca.get(), ca.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_extension(ca.get(), ca.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
        sign(ca.get(), ca_key.get());

        pkey_ptr key = make_p256_key();
        x509_ptr cert = make_certificate(key.get(), hosts.front(), ca.get());
        std::string san;
        for (auto const& h : hosts) {
            if (!san.empty()) san += ',';
            san += (is_ip_literal(h) ? "IP:" : "DNS:") + h;
        }
        add_extension(cert.get(), ca.get(), NID_subject_alt_name, san.c_str());
        add_extension(cert.get(), ca.get(), NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), ca.get(), NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), ca.get(), NID_ext_key_usage, "serverAuth");
        sign(cert.get(), ca_key.get());

        ca_pem_ = pem_of(ca.get());
        cert_pem_ = pem_of(cert.get());
        key_pem_ = pem_of(key.get());
    }

    // The CA certificate: what a client must trust.
    [[nodiscard]] std::string const& ca_pem() const noexcept { return ca_pem_; }
    // The server's certificate and its private key.
    [[nodiscard]] std::string const& certificate_pem() const noexcept { return cert_pem_; }
    [[nodiscard]] std::string const& private_key_pem() const noexcept { return key_pem_; }

private:
    std::string ca_pem_;
    std::string cert_pem_;
    std::string key_pem_;
};

} // namespace sigma::testing::detail

#endif
