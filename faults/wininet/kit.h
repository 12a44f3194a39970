#pragma once
// The fault kit (forwarder/kit_common.h) for WinINet: wininet/kit.cpp forwards InternetOpenA/W,
// InternetConnectA/W, HttpOpenRequestA/W, InternetCloseHandle and InternetSetStatusCallback(A/W)
// through it. A fault defines `void hc::fault::Install(Hooks&)`.
#include <windows.h>
#include <wininet.h>

#include "kit_common.h"
