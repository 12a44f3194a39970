#include "winhttp_trials.h"

namespace hc::unsafe {

HINTERNET OpenWhSession(bool async) {
  HINTERNET s = WinHttpOpen(L"hinternet-conformance-unsafe", WINHTTP_ACCESS_TYPE_NO_PROXY,
                            WINHTTP_NO_PROXY_NAME, WINHTTP_NO_PROXY_BYPASS, async ? WINHTTP_FLAG_ASYNC : 0);
  if (s != nullptr)
    WinHttpSetTimeouts(s, 2000, 2000, 2000, 2000);
  return s;
}

HINTERNET ConnectWh(HINTERNET session, int port) {
  return WinHttpConnect(session, L"127.0.0.1", static_cast<INTERNET_PORT>(port), 0);
}

std::wstring WidenAscii(const std::string& s) {
  return std::wstring(s.begin(), s.end());
}

std::string StreamPath(std::uint64_t seed, std::size_t size, std::size_t chunk, int chunk_delay_ms) {
  return "/stream-bytes/" + std::to_string(size) + "?seed=" + std::to_string(seed & 0xFFFFFFFFull) +
         "&chunk_size=" + std::to_string(chunk) + "&chunk_delay_ms=" + std::to_string(chunk_delay_ms);
}

std::string WhStatusName(DWORD status) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_RESOLVING_NAME:
      return "RESOLVING_NAME";
    case WINHTTP_CALLBACK_STATUS_NAME_RESOLVED:
      return "NAME_RESOLVED";
    case WINHTTP_CALLBACK_STATUS_CONNECTING_TO_SERVER:
      return "CONNECTING_TO_SERVER";
    case WINHTTP_CALLBACK_STATUS_CONNECTED_TO_SERVER:
      return "CONNECTED_TO_SERVER";
    case WINHTTP_CALLBACK_STATUS_SENDING_REQUEST:
      return "SENDING_REQUEST";
    case WINHTTP_CALLBACK_STATUS_REQUEST_SENT:
      return "REQUEST_SENT";
    case WINHTTP_CALLBACK_STATUS_RECEIVING_RESPONSE:
      return "RECEIVING_RESPONSE";
    case WINHTTP_CALLBACK_STATUS_RESPONSE_RECEIVED:
      return "RESPONSE_RECEIVED";
    case WINHTTP_CALLBACK_STATUS_CLOSING_CONNECTION:
      return "CLOSING_CONNECTION";
    case WINHTTP_CALLBACK_STATUS_CONNECTION_CLOSED:
      return "CONNECTION_CLOSED";
    case WINHTTP_CALLBACK_STATUS_HANDLE_CREATED:
      return "HANDLE_CREATED";
    case WINHTTP_CALLBACK_STATUS_HANDLE_CLOSING:
      return "HANDLE_CLOSING";
    case WINHTTP_CALLBACK_STATUS_DETECTING_PROXY:
      return "DETECTING_PROXY";
    case WINHTTP_CALLBACK_STATUS_REDIRECT:
      return "REDIRECT";
    case WINHTTP_CALLBACK_STATUS_INTERMEDIATE_RESPONSE:
      return "INTERMEDIATE_RESPONSE";
    case WINHTTP_CALLBACK_STATUS_SECURE_FAILURE:
      return "SECURE_FAILURE";
    case WINHTTP_CALLBACK_STATUS_HEADERS_AVAILABLE:
      return "HEADERS_AVAILABLE";
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
      return "DATA_AVAILABLE";
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      return "READ_COMPLETE";
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      return "WRITE_COMPLETE";
    case WINHTTP_CALLBACK_STATUS_REQUEST_ERROR:
      return "REQUEST_ERROR";
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
      return "SENDREQUEST_COMPLETE";
    case WINHTTP_CALLBACK_STATUS_GETPROXYFORURL_COMPLETE:
      return "GETPROXYFORURL_COMPLETE";
    case WINHTTP_CALLBACK_STATUS_CLOSE_COMPLETE:
      return "CLOSE_COMPLETE";
    case WINHTTP_CALLBACK_STATUS_SHUTDOWN_COMPLETE:
      return "SHUTDOWN_COMPLETE";
    default:
      return std::to_string(status);
  }
}

}  // namespace hc::unsafe
