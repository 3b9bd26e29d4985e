#!/usr/bin/env python3
"""A FUSE filesystem for immich-audit's tests: a synthetic, read-only tree that answers slowly.

    slowfs.py MOUNTPOINT STATS --dirs D --files F [--size S] [--delay-ms MS] [--serial] [--read-delay-ms MS]
              [--hang PATH]

Holds D folders (d0000 …) of F files each (f00000.jpg …, S bytes), every getattr and readdir
delayed by MS milliseconds. It records the largest number of getattr/readdir calls in flight at
once and writes it, with the call count, to STATS whenever it changes (JSON). --read-delay-ms MS
delays every read by MS milliseconds and records the reads in flight apart (maxReadsInFlight).
A file's bytes are its path and a newline, repeated to S bytes (so each file has its own
SHA-1). --serial makes
the delays of all calls take turns (a server that answers one call at a time, however many are
in flight: more threads cannot complete more). --hang PATH makes
every getattr of PATH (and below it) never return, like a dead NFS server. Runs in the
foreground, multi-threaded; unmount with `fusermount -u MOUNTPOINT`. --vanish-odd makes every
odd-numbered file listed by readdir answer getattr with ENOENT, as a file deleted between the
listing and the stat. --vanish-odd-dirs makes every odd-numbered folder listed by the root's
readdir (as a folder, d_type set) answer with ENOENT, as a folder deleted between the listing
and its opening. --appear makes things appear during the walk: the first listing of a d-folder
creates a folder `late` (F files) and a file `late.jpg` in the root, which was listed before,
and every d-folder listed after that first one holds one file more, `new.jpg`.
"""
import argparse, errno, json, os, stat, threading, time
from fuse import FUSE, FuseOSError, Operations


class SlowFS(Operations):
    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0
        self.calls = 0
        self.now = time.time()
        # --appear: set by the first listing of a d-folder.
        self.appeared = False
        self.serial = threading.Lock()
        self.reads_in_flight = 0
        self.max_reads_in_flight = 0

    def _enter(self):
        with self.lock:
            self.in_flight += 1
            self.calls += 1
            if self.in_flight > self.max_in_flight:
                self.max_in_flight = self.in_flight
                self._save()

    def _leave(self):
        with self.lock:
            self.in_flight -= 1

    def _save(self):
        tmp = self.args.stats + ".tmp"
        with open(tmp, "w") as f:
            json.dump({"maxInFlight": self.max_in_flight, "calls": self.calls, "maxReadsInFlight": self.max_reads_in_flight}, f)
        os.replace(tmp, self.args.stats)

    def _kind(self, path):
        parts = [p for p in path.split("/") if p]
        if not parts:
            return "dir"
        if self.args.appear and self.appeared:
            if parts == ["late"]:
                return "dir"
            if parts == ["late.jpg"] or (len(parts) == 2 and parts[1] == "new.jpg" and self._kind("/" + parts[0]) == "dir"):
                return "file"
            if len(parts) == 2 and parts[0] == "late" and self._kind("/d0000/" + parts[1]) == "file":
                return "file"
        if self.args.vanish_odd_dirs and parts[0].startswith("d") and parts[0][1:].isdigit() and int(parts[0][1:]) % 2 == 1:
            return None
        if len(parts) == 1 and parts[0].startswith("d") and int(parts[0][1:]) < self.args.dirs:
            return "dir"
        if len(parts) == 2 and parts[1].startswith("f") and parts[1].endswith(".jpg") and int(parts[1][1:-4]) < self.args.files:
            if self.args.vanish_odd and int(parts[1][1:-4]) % 2 == 1:
                return None
            return "file"
        return None

    def _delay(self, path):
        if self.args.hang and (path == self.args.hang or path.startswith(self.args.hang + "/")):
            threading.Event().wait()
        if self.args.serial:
            with self.serial:
                time.sleep(self.args.delay_ms / 1000.0)
        else:
            time.sleep(self.args.delay_ms / 1000.0)

    def getattr(self, path, fh=None):
        self._enter()
        try:
            self._delay(path)
            kind = self._kind(path)
            if kind == "dir":
                return dict(st_mode=stat.S_IFDIR | 0o755, st_nlink=2, st_mtime=self.now, st_atime=self.now, st_ctime=self.now)
            if kind == "file":
                return dict(st_mode=stat.S_IFREG | 0o644, st_nlink=1, st_size=self.args.size, st_mtime=self.now, st_atime=self.now, st_ctime=self.now)
            raise FuseOSError(errno.ENOENT)
        finally:
            self._leave()

    def readdir(self, path, fh):
        self._enter()
        try:
            self._delay(path)
            parts = [p for p in path.split("/") if p]
            files = ["f%05d.jpg" % i for i in range(self.args.files)]
            if not parts:
                # With the mode, so the kernel hands out d_type DT_DIR (no stat before opening).
                folders = ["d%04d" % i for i in range(self.args.dirs)] + (["late"] if self.appeared else [])
                return [".", ".."] + [(name, dict(st_mode=stat.S_IFDIR | 0o755), 0) for name in folders] + (["late.jpg"] if self.appeared else [])
            if self.args.appear and parts[0] != "late":
                with self.lock:
                    first = not self.appeared
                    self.appeared = True
                if not first:
                    files.append("new.jpg")
            return [".", ".."] + files
        finally:
            self._leave()

    def read(self, path, size, offset, fh):
        with self.lock:
            self.reads_in_flight += 1
            if self.reads_in_flight > self.max_reads_in_flight:
                self.max_reads_in_flight = self.reads_in_flight
                self._save()
        try:
            time.sleep(self.args.read_delay_ms / 1000.0)
            line = (path + "\n").encode()
            content = line * (self.args.size // len(line) + 1)
            return content[offset:min(offset + size, self.args.size)]
        finally:
            with self.lock:
                self.reads_in_flight -= 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mountpoint")
    parser.add_argument("stats")
    parser.add_argument("--dirs", type=int, default=20)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--size", type=int, default=10)
    parser.add_argument("--delay-ms", type=float, default=1.0)
    parser.add_argument("--serial", action="store_true")
    parser.add_argument("--read-delay-ms", type=float, default=0.0)
    parser.add_argument("--hang", default=None)
    parser.add_argument("--vanish-odd", action="store_true")
    parser.add_argument("--vanish-odd-dirs", action="store_true")
    parser.add_argument("--appear", action="store_true")
    args = parser.parse_args()
    fs = SlowFS(args)
    fs._save()
    FUSE(fs, args.mountpoint, foreground=True, nothreads=False, ro=True, allow_other=True)
