// certificate_names (volley/pki.h): the subject and subjectAltNames of a DER certificate, through
// libcrypto, for an application that wants to know who the verified peer is.
#include <arpa/inet.h>
#include <openssl/bio.h>
#include <openssl/x509v3.h>

#include <new>
#include <string>

#include "handshake/pki/openssl_common.h"

namespace volley::tls {
namespace {

struct FreeNames {
  void operator()(GENERAL_NAMES* p) const noexcept { GENERAL_NAMES_free(p); }
};

std::string text_of(const ASN1_STRING* s) {
  const unsigned char* data = ASN1_STRING_get0_data(s);
  const int len = ASN1_STRING_length(s);
  if (data == nullptr || len <= 0) return {};
  return std::string(reinterpret_cast<const char*>(data), static_cast<size_t>(len));
}

// ip_text is an iPAddress entry (4 or 16 bytes) in text form; empty for any other length (a
// name constraint's address and mask, which has no place in a leaf's subjectAltName).
std::string ip_text(const ASN1_OCTET_STRING* s) {
  const unsigned char* data = ASN1_STRING_get0_data(s);
  const int len = ASN1_STRING_length(s);
  char buf[INET6_ADDRSTRLEN] = {};
  if (len == 4 && inet_ntop(AF_INET, data, buf, sizeof(buf)) != nullptr) return buf;
  if (len == 16 && inet_ntop(AF_INET6, data, buf, sizeof(buf)) != nullptr) return buf;
  return {};
}

// subject_text prints the subject in RFC 2253 form (XN_FLAG_RFC2253: most specific RDN first,
// escaped, UTF-8) through a memory BIO.
bool subject_text(const X509* cert, std::string* out) {
  const ossl::BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr) return false;
  if (X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253) < 0) {
    return false;
  }
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  out->assign(data != nullptr && len > 0 ? data : "", len > 0 ? static_cast<size_t>(len) : 0);
  return true;
}

}  // namespace

TlsError certificate_names(CertificateNames* out, Bytes der) {
  const ossl::ErrorQueueScope clear_errors;
  const ossl::X509Ptr cert = ossl::parse_certificate(der);
  if (cert == nullptr) {
    return tls_fail(AlertDescription::kBadCertificate, "certificate: does not parse");
  }
  try {
    CertificateNames names;
    if (!subject_text(cert.get(), &names.subject)) {
      return tls_fail(AlertDescription::kInternalError, "certificate: cannot print the subject");
    }
    int critical = 0;
    const std::unique_ptr<GENERAL_NAMES, FreeNames> sans(static_cast<GENERAL_NAMES*>(
        X509_get_ext_d2i(cert.get(), NID_subject_alt_name, &critical, nullptr)));
    // critical is -1 when there is no subjectAltName, -2 when there are several (then null).
    if (sans == nullptr && critical == -2) {
      return tls_fail(AlertDescription::kBadCertificate, "certificate: two subjectAltNames");
    }
    for (int i = 0; sans != nullptr && i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans.get(), i);
      switch (name->type) {
        case GEN_DNS: names.dns.push_back(text_of(name->d.dNSName)); break;
        case GEN_EMAIL: names.email.push_back(text_of(name->d.rfc822Name)); break;
        case GEN_IPADD: {
          std::string ip = ip_text(name->d.iPAddress);
          if (!ip.empty()) names.ip.push_back(std::move(ip));
          break;
        }
        default: break;  // URIs, directory names, otherName: not reported
      }
    }
    *out = std::move(names);
    return kTlsOk;
  } catch (const std::bad_alloc&) {
    return tls_fail(AlertDescription::kInternalError, "out of memory");
  }
}

}  // namespace volley::tls
