import FileScan

/// The standard descriptors made safe to rely on. A shell's `>&-` starts us with descriptor 1
/// closed: the next file we open (the database socket, a report) would become "standard
/// output" and receive the report. Each closed one is filled with /dev/null, standard output
/// read-only so that writing the report still fails (EBADF) and is reported.
enum StandardStreams {
  static func secure() {
    for fd: Int32 in 0...2 where PlainFile.accessMode(fd) == nil {
      PlainFile.fillWithDevNull(fd, forWriting: fd == 2)
    }
  }
}

enum Output {
  /// Messages on stderr; a failure to write them has nowhere to be told.
  static func standardError(_ text: String) {
    var text = text
    text.withUTF8 { bytes in
      do throws(SystemError) {
        try PlainFile.writeAll(2, UnsafeRawBufferPointer(bytes))
      } catch {}
    }
  }
}
