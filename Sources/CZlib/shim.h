// zlib's public header; pkg-config (zlib) supplies the include directory.
#include <zlib.h>
