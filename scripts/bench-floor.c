// The machine's floor for check's filesystem side, for BENCHMARKS.md: the least a walk of the
// benchmark tree can cost in the kernel. Lists every folder below the given roots with
// openat(O_DIRECTORY|O_NOATIME) relative to its parent, getdents64 into a 32 KiB buffer (as check) and
// d_type, and fstatat()s the regular files below the roots given with --stat (check reads
// the size of every original). No matching, no memory kept: only the system calls. Like
// check's walk it fstat()s each folder (check's walked-once record) and, on ext4, reads a
// folder of one block with one getdents64 (check leaves out the call that would only say the
// folder ended: ParallelWalker.listsInOneRead); other folders are read until getdents64
// returns 0.
//
//   bench-floor THREADS [--stat] ROOT [[--stat] ROOT ...]
//
// The folders two levels below each root (Immich's <owner>/<xx>) are handed out to THREADS
// threads; each walks its folders depth-first.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

struct unit { char *path; int stat; };
static struct unit *units;
static int unit_count, unit_capacity;
static atomic_int next_unit;
static atomic_long folders, files, stats;
// The first root is on ext4 (the benchmark's roots share one filesystem).
static int ext4;

static void add_unit(const char *path, int stat_files) {
  if (unit_count == unit_capacity) {
    unit_capacity = unit_capacity ? unit_capacity * 2 : 1024;
    units = realloc(units, sizeof *units * unit_capacity);
  }
  units[unit_count].path = strdup(path);
  units[unit_count].stat = stat_files;
  unit_count++;
}

static void walk(int parent, const char *name, int stat_files) {
  int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOATIME);
  if (fd < 0) return;
  atomic_fetch_add(&folders, 1);
  struct stat folder;
  int one_read = fstat(fd, &folder) == 0 && ext4 && folder.st_size <= folder.st_blksize &&
                 2 * (long)folder.st_blksize <= 32768;
  char buffer[32768];
  long length;
  while ((length = getdents64(fd, buffer, sizeof buffer)) > 0) {
    for (long offset = 0; offset < length;) {
      struct dirent64 *entry = (struct dirent64 *)(buffer + offset);
      offset += entry->d_reclen;
      const char *n = entry->d_name;
      if (n[0] == '.' && (!n[1] || (n[1] == '.' && !n[2]))) continue;
      if (entry->d_type == DT_DIR) {
        walk(fd, n, stat_files);
      } else {
        atomic_fetch_add(&files, 1);
        if (stat_files) {
          struct stat s;
          fstatat(fd, n, &s, AT_SYMLINK_NOFOLLOW);
          atomic_fetch_add(&stats, 1);
        }
      }
    }
    if (one_read) break;
  }
  close(fd);
}

static void *worker(void *unused) {
  (void)unused;
  int index;
  while ((index = atomic_fetch_add(&next_unit, 1)) < unit_count) walk(AT_FDCWD, units[index].path, units[index].stat);
  return NULL;
}

// Files directly in `root` and its children are counted here; deeper folders become units.
static void split(const char *root, int stat_files, int depth) {
  DIR *dir = opendir(root);
  if (!dir) return;
  atomic_fetch_add(&folders, 1);
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_name[0] == '.' && (!entry->d_name[1] || (entry->d_name[1] == '.' && !entry->d_name[2]))) continue;
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", root, entry->d_name);
    if (entry->d_type == DT_DIR) {
      if (depth == 1) add_unit(path, stat_files); else split(path, stat_files, depth + 1);
    } else {
      atomic_fetch_add(&files, 1);
    }
  }
  closedir(dir);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: bench-floor THREADS [--stat] ROOT [[--stat] ROOT ...]\n");
    return 64;
  }
  int threads = atoi(argv[1]);
  struct statfs filesystem;
  const char *first = strcmp(argv[2], "--stat") == 0 && argc > 3 ? argv[3] : argv[2];
  ext4 = statfs(first, &filesystem) == 0 && filesystem.f_type == 0xEF53;
  int stat_next = 0;
  for (int i = 2; i < argc; i++) {
    if (strcmp(argv[i], "--stat") == 0) { stat_next = 1; continue; }
    split(argv[i], stat_next, 0);
    stat_next = 0;
  }
  pthread_t ids[256];
  if (threads < 1 || threads > 256) threads = 1;
  for (int i = 0; i < threads; i++) pthread_create(&ids[i], NULL, worker, NULL);
  for (int i = 0; i < threads; i++) pthread_join(ids[i], NULL);
  printf("%ld folders, %ld files, %ld stat calls\n", (long)folders, (long)files, (long)stats);
  return 0;
}
