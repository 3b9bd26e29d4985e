#define _GNU_SOURCE
#include "clinuxcalls.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>

const int clinux_o_noatime = O_NOATIME;

int clinux_open_tmpfile(const char *folder) { return open(folder, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600); }

long clinux_statfs_type(const char *path) {
  struct statfs info;
  if (statfs(path, &info) != 0) return -1;
  return (long)info.f_type;
}

long clinux_fstatfs_type(int fd) {
  struct statfs info;
  if (fstatfs(fd, &info) != 0) return -1;
  return (long)info.f_type;
}

int clinux_mutex_init_adaptive(pthread_mutex_t *mutex) {
  pthread_mutexattr_t attributes;
  int result = pthread_mutexattr_init(&attributes);
  if (result != 0) return result;
  result = pthread_mutexattr_settype(&attributes, PTHREAD_MUTEX_ADAPTIVE_NP);
  if (result == 0) result = pthread_mutex_init(mutex, &attributes);
  pthread_mutexattr_destroy(&attributes);
  return result;
}

long clinux_getdents64(int fd, void *buffer, size_t size) {
  return (long)getdents64(fd, buffer, size);
}

int clinux_contains(const void *haystack, size_t haystack_length, const void *needle, size_t needle_length) {
  return memmem(haystack, haystack_length, needle, needle_length) != NULL;
}

size_t clinux_name_start(const void *path, size_t length) {
  const char *slash = memrchr(path, '/', length);
  return slash ? (size_t)(slash - (const char *)path) + 1 : 0;
}

// One buffer per thread for clinux_dirent_buffer, freed when the thread ends.
static pthread_key_t dirent_buffer_key;
static pthread_once_t dirent_buffer_once = PTHREAD_ONCE_INIT;

static void make_dirent_buffer_key(void) { pthread_key_create(&dirent_buffer_key, free); }

void *clinux_dirent_buffer(void) {
  pthread_once(&dirent_buffer_once, make_dirent_buffer_key);
  void *buffer = pthread_getspecific(dirent_buffer_key);
  if (buffer == NULL) {
    buffer = malloc(CLINUX_DIRENT_BUFFER_SIZE);
    if (buffer != NULL && pthread_setspecific(dirent_buffer_key, buffer) != 0) {
      free(buffer);
      buffer = NULL;
    }
  }
  return buffer;
}
