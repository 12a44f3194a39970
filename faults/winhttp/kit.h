#pragma once
// The fault kit (forwarder/kit_common.h) for WinHTTP: winhttp/kit.cpp forwards WinHttpOpen,
// WinHttpConnect, WinHttpOpenRequest, WinHttpWebSocketCompleteUpgrade, WinHttpCloseHandle and
// WinHttpSetStatusCallback through it. A fault defines `void hc::fault::Install(Hooks&)`.
#include <windows.h>
#include <winhttp.h>

#include "kit_common.h"
