/* A tiny LD_PRELOAD library for the crash-safety tests.
 *
 * It counts the calls that change what is on disk (write, pwrite, fsync, fdatasync, rename,
 * unlink, ftruncate), whether Python or SQLite's own C code makes them, and once armed with
 * crashpoint_arm(N) it kills the process with SIGKILL just before the Nth such call. So "kill
 * it after the 37th disk operation" is exact and repeatable, which timed kills are not.
 * Disarmed (the default) it only passes calls through.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <sys/types.h>
#include <unistd.h>

static long armed_at = -1;
static long seen = 0;

void crashpoint_arm(long n) { armed_at = n; seen = 0; }
long crashpoint_seen(void) { return seen; }

static void tick(void) {
    if (armed_at < 0) return;
    seen++;
    if (seen == armed_at) kill(getpid(), SIGKILL);
}

#define REAL(name) static __typeof__(name) *real_##name; \
    if (!real_##name) real_##name = (__typeof__(name) *)dlsym(RTLD_NEXT, #name)

ssize_t write(int fd, const void *buf, size_t n) { REAL(write); tick(); return real_write(fd, buf, n); }
ssize_t pwrite(int fd, const void *buf, size_t n, off_t off) { REAL(pwrite); tick(); return real_pwrite(fd, buf, n, off); }
ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off) { REAL(pwrite64); tick(); return real_pwrite64(fd, buf, n, off); }
int fsync(int fd) { REAL(fsync); tick(); return real_fsync(fd); }
int fdatasync(int fd) { REAL(fdatasync); tick(); return real_fdatasync(fd); }
int rename(const char *a, const char *b) { REAL(rename); tick(); return real_rename(a, b); }
int renameat(int da, const char *a, int db, const char *b) { REAL(renameat); tick(); return real_renameat(da, a, db, b); }
int unlink(const char *p) { REAL(unlink); tick(); return real_unlink(p); }
int unlinkat(int d, const char *p, int f) { REAL(unlinkat); tick(); return real_unlinkat(d, p, f); }
int ftruncate(int fd, off_t len) { REAL(ftruncate); tick(); return real_ftruncate(fd, len); }
int ftruncate64(int fd, off_t len) { REAL(ftruncate64); tick(); return real_ftruncate64(fd, len); }
