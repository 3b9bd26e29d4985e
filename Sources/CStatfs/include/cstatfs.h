#ifndef CSTATFS_H
#define CSTATFS_H

/// The filesystem type (statfs(2) f_type, e.g. 0x6969 for NFS) of the filesystem holding
/// `path`, or -1 with errno set. Swift's Glibc module does not export <sys/vfs.h>.
long cstatfs_type(const char *path);

#endif
