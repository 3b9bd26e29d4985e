#ifndef CLINUXCALLS_H
#define CLINUXCALLS_H

#include <pthread.h>
#include <stddef.h>

/// The filesystem type (statfs(2) f_type, e.g. 0x6969 for NFS) of the filesystem holding
/// `path`, or -1 with errno set. Swift's Glibc module does not export <sys/vfs.h>.
long clinux_statfs_type(const char *path);

/// The same for an open descriptor (fstatfs(2)).
long clinux_fstatfs_type(int fd);

/// open(2)'s O_NOATIME, which Glibc declares only under _GNU_SOURCE (Swift's Glibc module does
/// not define it): read without moving the file's atime.
extern const int clinux_o_noatime;

/// A file without a name in `folder`, open for reading and writing (O_TMPFILE, which Swift's
/// Glibc module does not export): gone when closed, however the process ends. -1 with errno set.
int clinux_open_tmpfile(const char *folder);

/// pthread_mutex_init(3) with PTHREAD_MUTEX_ADAPTIVE_NP, which Glibc declares only under
/// _GNU_SOURCE: a thread that finds the mutex held spins a little before it sleeps in the
/// kernel. A work queue's lock is held for a few instructions at a time; without the spin, two
/// walk threads meeting at it each paid a futex wait and a wake.
int clinux_mutex_init_adaptive(pthread_mutex_t *mutex);

/// getdents64(2): directory entries of `fd` into `buffer` as `struct linux_dirent64` records;
/// bytes read, 0 at the end, -1 with errno set. Glibc declares it only under _GNU_SOURCE,
/// which Swift's Glibc module does not define; readdir(3) would cost a DIR (a 32 KiB buffer,
/// an fstat and an fcntl) per folder.
long clinux_getdents64(int fd, void *buffer, size_t size);

/// The size of `clinux_dirent_buffer`'s buffer: one getdents64 call lists a folder of
/// several hundred names.
#define CLINUX_DIRENT_BUFFER_SIZE (32 * 1024)

/// This thread's buffer for getdents64 (CLINUX_DIRENT_BUFFER_SIZE bytes, freed when the thread
/// ends), or NULL if there is no memory. Reused for every folder the thread lists: a 32 KiB
/// malloc and free per folder cost about 650 instructions (too large for malloc's caches).
void *clinux_dirent_buffer(void);

/// Where a path's last component starts: just after its last "/" (0 if it has none).
/// memrchr(3), which Glibc declares only under _GNU_SOURCE, looks at 32 bytes at a time; a
/// Swift loop looked at one (every database row's path goes through here).
size_t clinux_name_start(const void *path, size_t length);

/// Whether `needle` occurs in `haystack`: memmem(3), which Glibc declares only under
/// _GNU_SOURCE (a glob's literal runs are looked for in every external asset's path).
int clinux_contains(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length);

/// A hint to load the cache line holding `address` (nothing else happens; any address will do).
/// Swift has no prefetch of its own: the index issues the loads of a batch of lookups before
/// it needs them, so that their cache misses overlap instead of following one another.
static inline void clinux_prefetch(const void *address) { __builtin_prefetch(address); }

#endif
