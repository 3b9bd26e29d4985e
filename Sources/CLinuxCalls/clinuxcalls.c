#define _GNU_SOURCE
#include "clinuxcalls.h"

#include <dirent.h>
#include <string.h>
#include <sys/vfs.h>

long cstatfs_type(const char *path) {
  struct statfs info;
  if (statfs(path, &info) != 0) return -1;
  return (long)info.f_type;
}

long clinux_getdents64(int fd, void *buffer, size_t size) {
  return (long)getdents64(fd, buffer, size);
}

size_t clinux_name_start(const void *path, size_t length) {
  const char *slash = memrchr(path, '/', length);
  return slash ? (size_t)(slash - (const char *)path) + 1 : 0;
}
