// wh-parent-close-cancels-children: closing a session or connection cancels the asynchronous
// operations of its requests: after the parent's close, a request's next completion is delivered
// as REQUEST_ERROR with ERROR_WINHTTP_OPERATION_CANCELLED instead.
#include "kit.h"
#include "proxy.h"

namespace {

DWORD_PTR ApiOf(DWORD status) {
  switch (status) {
    case WINHTTP_CALLBACK_STATUS_SENDREQUEST_COMPLETE:
      return API_SEND_REQUEST;
    case WINHTTP_CALLBACK_STATUS_DATA_AVAILABLE:
      return API_QUERY_DATA_AVAILABLE;
    case WINHTTP_CALLBACK_STATUS_READ_COMPLETE:
      return API_READ_DATA;
    case WINHTTP_CALLBACK_STATUS_WRITE_COMPLETE:
      return API_WRITE_DATA;
    default:
      return API_RECEIVE_RESPONSE;
  }
}

thread_local WINHTTP_ASYNC_RESULT t_cancelled{};

}  // namespace

void hc::fault::Install(Hooks& hooks) {
  hooks.notify = [](Notification& n, const Deliver&) {
    if (!IsCompletion(n.status) || n.status == WINHTTP_CALLBACK_STATUS_REQUEST_ERROR)
      return true;
    const HandleInfo request = Info(n.handle);
    if (request.kind != Kind::request)
      return true;
    const HandleInfo connect = Info(request.parent);
    if (!connect.closed && !Info(connect.parent).closed)
      return true;
    t_cancelled = WINHTTP_ASYNC_RESULT{ApiOf(n.status), ERROR_WINHTTP_OPERATION_CANCELLED};
    n.status = WINHTTP_CALLBACK_STATUS_REQUEST_ERROR;
    n.info = &t_cancelled;
    n.length = sizeof(t_cancelled);
    Fired();
    return true;
  };
}
