/* A stand-in for bcryptprimitives.dll, which Wine 8.0 lacks.
 *
 * Rust's standard library (rolldown, the bundler inside vitest 4) and Go
 * programs get their random bytes from ProcessPrng in this DLL on Windows 10
 * and later; without it their native modules fail to load under Wine. This
 * DLL exports just that function, on top of RtlGenRandom (advapi32's
 * SystemFunction036), which Wine has. */
#include <windows.h>
#include <ntsecapi.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE out, SIZE_T size) {
  while (size > 0) {
    ULONG chunk = size > 0x10000000 ? 0x10000000 : (ULONG)size;
    if (!RtlGenRandom(out, chunk)) return FALSE;
    out += chunk;
    size -= chunk;
  }
  return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved) {
  (void)instance; (void)reason; (void)reserved;
  return TRUE;
}
