#include "tls_authority.hpp"

#include <hc_protocol/tls.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace ls {

namespace tls_detail {
struct KeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
  void operator()(X509* x) const { X509_free(x); }
};
}  // namespace tls_detail
using Key = std::unique_ptr<EVP_PKEY, tls_detail::KeyFree>;
using Cert = std::unique_ptr<X509, tls_detail::CertFree>;

namespace {

[[noreturn]] void fail(const std::string& step) {
  char buf[256] = {};
  ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
  throw std::runtime_error("TLS test CA: " + step + " failed: " + buf);
}

void check(int ok, const char* step) {
  if (ok != 1) {
    fail(step);
  }
}

Key new_key() {
  Key k(EVP_EC_gen("P-256"));
  if (!k) {
    fail("EC key generation");
  }
  return k;
}

std::uint64_t random_serial() {
  std::uint64_t v = 0;
  check(RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v), "RAND_bytes");
  return (v >> 1) | 1;  // positive and non-zero
}

void add_ext(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, ctx, nid, value);
  if (!ext) {
    fail(std::string("extension ") + OBJ_nid2sn(nid));
  }
  int ok = X509_add_ext(x, ext, -1);
  X509_EXTENSION_free(ext);
  check(ok, "X509_add_ext");
}

struct CertRequest {
  std::string common_name;
  std::string san;  // empty for the CA
  long not_before_s = 0;
  long not_after_s = 0;  // relative to now
  bool ca = false;
};

// Signs a certificate for `key`: by issuer/issuer_key, or self-signed when issuer is null.
Cert make_cert(const CertRequest& r, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  Cert x(X509_new());
  if (!x) {
    fail("X509_new");
  }
  check(X509_set_version(x.get(), 2), "X509_set_version");
  check(ASN1_INTEGER_set_uint64(X509_get_serialNumber(x.get()), random_serial()), "serial");
  if (!X509_gmtime_adj(X509_getm_notBefore(x.get()), r.not_before_s) ||
      !X509_gmtime_adj(X509_getm_notAfter(x.get()), r.not_after_s)) {
    fail("validity");
  }
  check(X509_set_pubkey(x.get(), key), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(x.get());
  auto add_name = [&](const char* field, const std::string& v) {
    check(X509_NAME_add_entry_by_txt(name, field, MBSTRING_ASC,
                                     reinterpret_cast<const unsigned char*>(v.c_str()), -1, -1, 0),
          "subject name");
  };
  add_name("O", "hinternet-conformance localserver");
  add_name("CN", r.common_name);
  check(X509_set_issuer_name(x.get(), issuer ? X509_get_subject_name(issuer) : name), "issuer name");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer ? issuer : x.get(), x.get(), nullptr, nullptr, 0);
  add_ext(x.get(), &ctx, NID_basic_constraints, r.ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE");
  add_ext(x.get(), &ctx, NID_key_usage, r.ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
  add_ext(x.get(), &ctx, NID_subject_key_identifier, "hash");
  if (issuer) {
    add_ext(x.get(), &ctx, NID_authority_key_identifier, "keyid:always");
  }
  if (!r.ca) {
    add_ext(x.get(), &ctx, NID_ext_key_usage, "serverAuth");
    add_ext(x.get(), &ctx, NID_subject_alt_name, r.san.c_str());
  }
  if (X509_sign(x.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
    fail("X509_sign");
  }
  return x;
}

constexpr long kDay = 24 * 3600;
constexpr const char* kRightNames = "DNS:localhost,IP:127.0.0.1,IP:::1";

}  // namespace

struct TlsAuthority::Impl {
  Key ca_key;
  Cert ca;
  std::string ca_pem;
  std::string ca_der;
  struct Leaf {
    Key key;
    Cert cert;
  };
  std::map<CertKind, Leaf> leaves;
};

TlsAuthority::TlsAuthority() : impl_(std::make_unique<Impl>()) {
  ERR_clear_error();
  // A CA name of its own per run, so a CA left in a certificate store by an earlier run is told apart.
  char tag[17] = {};
  std::snprintf(tag, sizeof tag, "%016llx", static_cast<unsigned long long>(random_serial()));
  impl_->ca_key = new_key();
  impl_->ca = make_cert({std::string("localserver test CA ") + tag, "", -kDay, 30 * kDay, true},
                        impl_->ca_key.get(), nullptr, nullptr);

  auto leaf = [&](CertKind kind, CertRequest r, bool self_signed) {
    Impl::Leaf l;
    l.key = new_key();
    l.cert = self_signed ? make_cert(r, l.key.get(), nullptr, nullptr)
                         : make_cert(r, l.key.get(), impl_->ca.get(), impl_->ca_key.get());
    impl_->leaves[kind] = std::move(l);
  };
  leaf(CertKind::valid, {"localhost", kRightNames, -3600, 30 * kDay, false}, false);
  leaf(CertKind::wrong_host,
       {hc_protocol::tls::kWrongHostName, std::string("DNS:") + hc_protocol::tls::kWrongHostName, -3600,
        30 * kDay, false},
       false);
  leaf(CertKind::expired, {"localhost", kRightNames, -30 * kDay, -kDay, false}, false);
  leaf(CertKind::self_signed, {"localhost", kRightNames, -3600, 30 * kDay, false}, true);

  BIO* mem = BIO_new(BIO_s_mem());
  if (!mem || PEM_write_bio_X509(mem, impl_->ca.get()) != 1) {
    BIO_free(mem);
    fail("PEM encoding");
  }
  char* data = nullptr;
  long n = BIO_get_mem_data(mem, &data);
  impl_->ca_pem.assign(data, static_cast<std::size_t>(n));
  BIO_free(mem);
  unsigned char* der = nullptr;
  int dn = i2d_X509(impl_->ca.get(), &der);
  if (dn <= 0) {
    fail("DER encoding");
  }
  impl_->ca_der.assign(reinterpret_cast<const char*>(der), static_cast<std::size_t>(dn));
  OPENSSL_free(der);
}

TlsAuthority::~TlsAuthority() = default;

const std::string& TlsAuthority::ca_pem() const {
  return impl_->ca_pem;
}
const std::string& TlsAuthority::ca_der() const {
  return impl_->ca_der;
}

std::shared_ptr<ssl_ctx_st> TlsAuthority::server_context(CertKind kind,
                                                         const std::string& session_context) const {
  ERR_clear_error();
  std::shared_ptr<SSL_CTX> ctx(SSL_CTX_new(TLS_server_method()), SSL_CTX_free);
  if (!ctx) {
    fail("SSL_CTX_new");
  }
  const Impl::Leaf& l = impl_->leaves.at(kind);
  check(SSL_CTX_use_certificate(ctx.get(), l.cert.get()), "SSL_CTX_use_certificate");
  check(SSL_CTX_use_PrivateKey(ctx.get(), l.key.get()), "SSL_CTX_use_PrivateKey");
  check(SSL_CTX_check_private_key(ctx.get()), "SSL_CTX_check_private_key");
  check(SSL_CTX_set_min_proto_version(ctx.get(), TLS1_2_VERSION), "SSL_CTX_set_min_proto_version");
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_SERVER);
  std::string sid = session_context.substr(0, SSL_MAX_SID_CTX_LENGTH);
  check(SSL_CTX_set_session_id_context(ctx.get(), reinterpret_cast<const unsigned char*>(sid.data()),
                                       static_cast<unsigned>(sid.size())),
        "SSL_CTX_set_session_id_context");
  return ctx;
}

}  // namespace ls
