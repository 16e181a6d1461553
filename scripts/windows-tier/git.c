/* git.exe: Linux git for Windows programs running under Wine.
 *
 * dsync runs `git ls-files -s -z` to learn exec bits and symlinks that a
 * Windows checkout cannot show. Under Wine there is no Windows git, and a
 * Linux program cannot be spawned from node.exe directly: libuv aborts
 * ("AssignProcessToJobObject: (6) Invalid handle"), and Wine gives the Unix
 * child no exit code and no way to write into node.exe's pipes.
 *
 * So this small Windows program starts
 *     /bin/sh -c 'GIT "$@" </dev/null >OUT 2>ERR; echo $? >RC.tmp && mv RC.tmp RC' git ARGS
 * waits for RC to appear, copies OUT and ERR to its own standard output and
 * error, and exits with git's exit code. Standard input is not passed on
 * (dsync never writes to git). Windows paths in ARGS are passed unchanged.
 * DSYNC_WINE_GIT names the Linux git (default /usr/bin/git). */
#include <windows.h>
#include <stdio.h>
#include <wchar.h>

#define PATH_CHARS 512

/* The command line without the program name (Windows quoting rules). */
static const wchar_t *arguments(const wchar_t *line) {
  int quoted = 0;
  while (*line && (quoted || (*line != L' ' && *line != L'\t'))) {
    if (*line == L'"') quoted = !quoted;
    line++;
  }
  while (*line == L' ' || *line == L'\t') line++;
  return line;
}

/* A Linux path as Wine sees it: Z: is the Linux root. */
static void wine_path(wchar_t *out, const wchar_t *linux_path, const wchar_t *suffix) {
  swprintf(out, PATH_CHARS, L"Z:%ls%ls", linux_path, suffix);
  for (wchar_t *c = out; *c; c++)
    if (*c == L'/') *c = L'\\';
}

static void copy_to(const wchar_t *path, DWORD which) {
  HANDLE in = CreateFileW(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
  if (in == INVALID_HANDLE_VALUE) return;
  HANDLE out = GetStdHandle(which);
  char buffer[65536];
  DWORD got = 0, put = 0;
  while (ReadFile(in, buffer, sizeof buffer, &got, NULL) && got > 0) {
    for (DWORD done = 0; done < got; done += put)
      if (!WriteFile(out, buffer + done, got - done, &put, NULL) || put == 0) goto finished;
  }
finished:
  CloseHandle(in);
  DeleteFileW(path);
}

int wmain(void) {
  wchar_t git[PATH_CHARS];
  DWORD n = GetEnvironmentVariableW(L"DSYNC_WINE_GIT", git, PATH_CHARS);
  if (n == 0 || n >= PATH_CHARS) wcscpy(git, L"/usr/bin/git");

  wchar_t base[128], rc[PATH_CHARS], out[PATH_CHARS], err[PATH_CHARS];
  swprintf(base, 128, L"/tmp/.dsync-wine-git-%lu-%lu", GetCurrentProcessId(), GetTickCount());
  wine_path(rc, base, L".rc");
  wine_path(out, base, L".out");
  wine_path(err, base, L".err");

  const wchar_t *args = arguments(GetCommandLineW());
  size_t size = wcslen(git) + 5 * wcslen(base) + wcslen(args) + 200;
  wchar_t *command = HeapAlloc(GetProcessHeap(), 0, size * sizeof(wchar_t));
  if (!command) return 127;
  /* The script is one argument in Windows quoting, so its own quotes are \". */
  swprintf(command, size,
           L"\"Z:\\bin\\sh\" -c \"'%ls' \\\"$@\\\" </dev/null >%ls.out 2>%ls.err; echo $? >%ls.rc.tmp && mv %ls.rc.tmp %ls.rc\" git %ls",
           git, base, base, base, base, base, args);

  STARTUPINFOW startup;
  PROCESS_INFORMATION process;
  ZeroMemory(&startup, sizeof startup);
  ZeroMemory(&process, sizeof process);
  startup.cb = sizeof startup;
  if (!CreateProcessW(L"Z:\\bin\\sh", command, NULL, NULL, FALSE, CREATE_NO_WINDOW, NULL, NULL, &startup, &process)) {
    fwprintf(stderr, L"git.exe (dsync's Wine stand-in): cannot start /bin/sh (error %lu)\n", GetLastError());
    return 127;
  }
  /* No process handle to wait on: the exit code file is the signal. */
  for (DWORD waited = 0; GetFileAttributesW(rc) == INVALID_FILE_ATTRIBUTES; waited += 2) {
    if (waited > 600000) {
      fwprintf(stderr, L"git.exe (dsync's Wine stand-in): git gave no exit code in 600 s\n");
      return 124;
    }
    Sleep(2);
  }
  int code = 1;
  FILE *f = _wfopen(rc, L"r");
  if (f) {
    if (fscanf(f, "%d", &code) != 1) code = 1;
    fclose(f);
  }
  DeleteFileW(rc);
  copy_to(out, STD_OUTPUT_HANDLE);
  copy_to(err, STD_ERROR_HANDLE);
  return code;
}
