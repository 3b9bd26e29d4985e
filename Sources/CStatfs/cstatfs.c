#include "cstatfs.h"

#include <sys/vfs.h>

long cstatfs_type(const char *path) {
  struct statfs info;
  if (statfs(path, &info) != 0) return -1;
  return (long)info.f_type;
}
