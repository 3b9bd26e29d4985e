// libpq's public header; pkg-config (libpq) supplies the include directory.
#include <libpq-fe.h>
