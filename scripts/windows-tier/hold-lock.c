/* hold-lock.exe FILE READY RELEASE
 *
 * Opens FILE the way an editor's save or a virus scanner can: with no
 * sharing at all, so every other open of it fails with a sharing violation
 * (Node.js reports EBUSY). Then creates READY, and keeps the file open until
 * RELEASE exists (or 120 s pass). The Windows tier uses it to check that
 * dsync survives a locked file and sends it once the lock is gone. */
#include <windows.h>
#include <stdio.h>

int wmain(int argc, wchar_t **argv) {
  if (argc != 4) {
    fwprintf(stderr, L"usage: hold-lock.exe FILE READY RELEASE\n");
    return 2;
  }
  HANDLE locked = CreateFileW(argv[1], GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, NULL);
  if (locked == INVALID_HANDLE_VALUE) {
    fwprintf(stderr, L"hold-lock: cannot open %ls (error %lu)\n", argv[1], GetLastError());
    return 1;
  }
  HANDLE ready = CreateFileW(argv[2], GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, NULL);
  if (ready != INVALID_HANDLE_VALUE) CloseHandle(ready);
  for (int waited = 0; waited < 120000; waited += 20) {
    if (GetFileAttributesW(argv[3]) != INVALID_FILE_ATTRIBUTES) break;
    Sleep(20);
  }
  CloseHandle(locked);
  return 0;
}
