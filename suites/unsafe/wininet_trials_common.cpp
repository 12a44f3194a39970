#include "wininet_trials.h"

namespace hc::unsafe {

HINTERNET OpenWiSession() {
  HINTERNET s = InternetOpenA("hinternet-conformance-unsafe", INTERNET_OPEN_TYPE_DIRECT, nullptr, nullptr, 0);
  if (s != nullptr) {
    DWORD ms = 2000;
    InternetSetOptionA(s, INTERNET_OPTION_CONNECT_TIMEOUT, &ms, sizeof(ms));
    InternetSetOptionA(s, INTERNET_OPTION_SEND_TIMEOUT, &ms, sizeof(ms));
    InternetSetOptionA(s, INTERNET_OPTION_RECEIVE_TIMEOUT, &ms, sizeof(ms));
  }
  return s;
}

HINTERNET ConnectWi(HINTERNET session, int port) {
  return InternetConnectA(session, "127.0.0.1", static_cast<INTERNET_PORT>(port), nullptr, nullptr,
                          INTERNET_SERVICE_HTTP, 0, 0);
}

HINTERNET OpenWiRequest(HINTERNET connect, const std::string& path, DWORD flags, DWORD_PTR context) {
  return HttpOpenRequestA(connect, "GET", path.c_str(), nullptr, nullptr, nullptr,
                          flags | INTERNET_FLAG_KEEP_CONNECTION, context);
}

std::string WiStreamPath(std::uint64_t seed, std::size_t size, std::size_t chunk, int chunk_delay_ms) {
  return "/stream-bytes/" + std::to_string(size) + "?seed=" + std::to_string(seed & 0xFFFFFFFFull) +
         "&chunk_size=" + std::to_string(chunk) + "&chunk_delay_ms=" + std::to_string(chunk_delay_ms);
}

std::string WiStatusName(DWORD status) {
  switch (status) {
    case INTERNET_STATUS_RESOLVING_NAME:
      return "RESOLVING_NAME";
    case INTERNET_STATUS_NAME_RESOLVED:
      return "NAME_RESOLVED";
    case INTERNET_STATUS_CONNECTING_TO_SERVER:
      return "CONNECTING_TO_SERVER";
    case INTERNET_STATUS_CONNECTED_TO_SERVER:
      return "CONNECTED_TO_SERVER";
    case INTERNET_STATUS_SENDING_REQUEST:
      return "SENDING_REQUEST";
    case INTERNET_STATUS_REQUEST_SENT:
      return "REQUEST_SENT";
    case INTERNET_STATUS_RECEIVING_RESPONSE:
      return "RECEIVING_RESPONSE";
    case INTERNET_STATUS_RESPONSE_RECEIVED:
      return "RESPONSE_RECEIVED";
    case INTERNET_STATUS_CTL_RESPONSE_RECEIVED:
      return "CTL_RESPONSE_RECEIVED";
    case INTERNET_STATUS_PREFETCH:
      return "PREFETCH";
    case INTERNET_STATUS_CLOSING_CONNECTION:
      return "CLOSING_CONNECTION";
    case INTERNET_STATUS_CONNECTION_CLOSED:
      return "CONNECTION_CLOSED";
    case INTERNET_STATUS_HANDLE_CREATED:
      return "HANDLE_CREATED";
    case INTERNET_STATUS_HANDLE_CLOSING:
      return "HANDLE_CLOSING";
    case INTERNET_STATUS_DETECTING_PROXY:
      return "DETECTING_PROXY";
    case INTERNET_STATUS_REQUEST_COMPLETE:
      return "REQUEST_COMPLETE";
    case INTERNET_STATUS_REDIRECT:
      return "REDIRECT";
    case INTERNET_STATUS_INTERMEDIATE_RESPONSE:
      return "INTERMEDIATE_RESPONSE";
    case INTERNET_STATUS_USER_INPUT_REQUIRED:
      return "USER_INPUT_REQUIRED";
    case INTERNET_STATUS_STATE_CHANGE:
      return "STATE_CHANGE";
    case INTERNET_STATUS_COOKIE_SENT:
      return "COOKIE_SENT";
    case INTERNET_STATUS_COOKIE_RECEIVED:
      return "COOKIE_RECEIVED";
    case INTERNET_STATUS_PRIVACY_IMPACTED:
      return "PRIVACY_IMPACTED";
    case INTERNET_STATUS_P3P_HEADER:
      return "P3P_HEADER";
    case INTERNET_STATUS_P3P_POLICYREF:
      return "P3P_POLICYREF";
    case INTERNET_STATUS_COOKIE_HISTORY:
      return "COOKIE_HISTORY";
    default:
      return std::to_string(status);
  }
}

}  // namespace hc::unsafe
