#include "tests/handshake/rfc8448_messages.h"

#include <stdexcept>

#include "tests/harness/vectors.h"

namespace volley::test {
namespace {

const FileTestCase& section(const std::vector<FileTestCase>& blocks, const char* name) {
  for (const FileTestCase& b : blocks) {
    if (b.has_flag(name)) return b;
  }
  throw std::runtime_error(std::string("transcripts.vec has no section ") + name);
}

// unwrap_record takes the single handshake message out of a plaintext handshake record.
std::vector<uint8_t> unwrap_record(const std::vector<uint8_t>& record) {
  constexpr size_t kRecordHeader = 5, kMessageHeader = 4;
  if (record.size() < kRecordHeader + kMessageHeader || record[0] != 22 ||
      (size_t{record[3]} << 8 | record[4]) != record.size() - kRecordHeader ||
      (size_t{record[6]} << 16 | size_t{record[7]} << 8 | record[8]) !=
          record.size() - kRecordHeader - kMessageHeader) {
    throw std::runtime_error("transcripts.vec: not one handshake message in one record");
  }
  return std::vector<uint8_t>(record.begin() + kRecordHeader, record.end());
}

// new_session_ticket_1rtt rebuilds RFC 8448 §3's NewSessionTicket: lifetime 30 s, age_add
// 0xfad6aac5, nonce 0x0000, the ticket of transcripts.vec, early_data of 1024 bytes.
std::vector<uint8_t> new_session_ticket_1rtt(const std::vector<uint8_t>& ticket) {
  // The header (type 4, u24 length) first, its length filled in at the end.
  std::vector<uint8_t> message = hex("04000000" "0000001e" "fad6aac5" "020000");
  message.push_back(static_cast<uint8_t>(ticket.size() >> 8));
  message.push_back(static_cast<uint8_t>(ticket.size()));
  message.insert(message.end(), ticket.begin(), ticket.end());
  const std::vector<uint8_t> extensions = hex("0008" "002a" "0004" "00000400");
  message.insert(message.end(), extensions.begin(), extensions.end());
  const size_t body = message.size() - 4;
  message[2] = static_cast<uint8_t>(body >> 8);
  message[3] = static_cast<uint8_t>(body);
  return message;
}

}  // namespace

Rfc8448Messages load_rfc8448_messages() {
  const auto blocks = read_file_test_file(vector_path("rfc8448/transcripts.vec"));
  Rfc8448Messages m;
  const FileTestCase& simple = section(blocks, "[Simple_1RTT_Handshake]");
  m.client_hello = unwrap_record(simple.bytes("Record_ClientHello_1"));
  m.server_hello = simple.bytes("Message_ServerHello");
  m.encrypted_extensions = simple.bytes("Message_EncryptedExtensions");
  m.certificate = simple.bytes("Message_Server_Certificate");
  m.certificate_verify = simple.bytes("Message_Server_CertificateVerify");
  m.server_finished = simple.bytes("Message_Server_Finished");
  m.new_session_ticket = new_session_ticket_1rtt(simple.bytes("SessionTicket"));
  const FileTestCase& resumed = section(blocks, "[Resumed_0RTT_Handshake]");
  m.resumed_client_hello = unwrap_record(resumed.bytes("Record_ClientHello_1"));
  m.resumed_server_hello = resumed.bytes("Message_ServerHello");
  m.resumed_encrypted_extensions = resumed.bytes("Message_EncryptedExtensions");
  const FileTestCase& hrr = section(blocks, "[HelloRetryRequest_Handshake]");
  m.hello_retry_request = unwrap_record(hrr.bytes("Record_HelloRetryRequest"));
  m.client_hello_2 = unwrap_record(hrr.bytes("Record_ClientHello_2"));
  const FileTestCase& client_auth = section(blocks, "[Client_Authentication_Handshake]");
  m.certificate_request = client_auth.bytes("Message_CertificateRequest");
  return m;
}

Rfc8448Trace load_rfc8448_trace(const std::string& name) {
  const auto blocks = read_file_test_file(vector_path("rfc8448/transcripts.vec"));
  const FileTestCase& c = section(blocks, name.c_str());
  auto optional = [&c](const char* key) {
    return c.has(key) ? c.bytes(key) : std::vector<uint8_t>();
  };
  Rfc8448Trace t;
  t.client_rng_pool = c.bytes("Client_RNG_Pool");
  t.server_rng_pool = c.bytes("Server_RNG_Pool");
  t.timestamp_ms = std::stoll(c.attributes.at("CurrentTimestamp"));
  t.client_hello_1 = c.bytes("Record_ClientHello_1");
  t.hello_retry_request = optional("Record_HelloRetryRequest");
  t.client_hello_2 = optional("Record_ClientHello_2");
  t.server_hello = c.bytes("Record_ServerHello");
  t.server_handshake = c.bytes("Record_ServerHandshakeMessages");
  t.client_finished = c.bytes("Record_ClientFinished");
  t.new_session_ticket = optional("Record_NewSessionTicket");
  t.client_app_data = optional("Client_AppData");
  t.client_app_data_record = optional("Record_Client_AppData");
  t.server_app_data = optional("Server_AppData");
  t.server_app_data_record = optional("Record_Server_AppData");
  t.client_close_notify = c.bytes("Record_Client_CloseNotify");
  t.server_close_notify = c.bytes("Record_Server_CloseNotify");
  t.server_message_to_sign = c.bytes("Server_MessageToSign");
  t.server_message_signature = c.bytes("Server_MessageSignature");
  t.encrypted_extensions = c.bytes("Message_EncryptedExtensions");
  t.certificate_request = optional("Message_CertificateRequest");
  t.client_message_to_sign = optional("Client_MessageToSign");
  t.client_message_signature = optional("Client_MessageSignature");
  if (c.has("SessionTicket")) {
    t.new_session_ticket_message = new_session_ticket_1rtt(c.bytes("SessionTicket"));
  }
  return t;
}

std::vector<Rfc8448Message> Rfc8448Messages::all() const {
  return {
      {"1rtt_client_hello", client_hello},
      {"1rtt_server_hello", server_hello},
      {"1rtt_encrypted_extensions", encrypted_extensions},
      {"1rtt_certificate", certificate},
      {"1rtt_certificate_verify", certificate_verify},
      {"1rtt_server_finished", server_finished},
      {"1rtt_new_session_ticket", new_session_ticket},
      {"resumed_client_hello", resumed_client_hello},
      {"resumed_server_hello", resumed_server_hello},
      {"resumed_encrypted_extensions", resumed_encrypted_extensions},
      {"hrr_hello_retry_request", hello_retry_request},
      {"hrr_client_hello_2", client_hello_2},
      {"client_auth_certificate_request", certificate_request},
  };
}

std::vector<uint8_t> Rfc8448Messages::server_flight() const {
  std::vector<uint8_t> flight;
  for (const auto* m : {&server_hello, &encrypted_extensions, &certificate, &certificate_verify,
                        &server_finished}) {
    flight.insert(flight.end(), m->begin(), m->end());
  }
  return flight;
}

}  // namespace volley::test
