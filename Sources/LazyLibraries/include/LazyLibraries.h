#ifndef COLLECTOR_LAZY_LIBRARIES_H
#define COLLECTOR_LAZY_LIBRARIES_H

#include <stddef.h>

/* The C libraries behind the amq sink (qpid-proton), the kafka sink (librdkafka) and the KNIME
   enrichers and XML event (libxml2, libarchive) are loaded with dlopen on first use instead of at
   start, so a pipeline that does not use them does not map them (about 4 MiB of resident memory).
   Every function the wrappers call has a trampoline of the same name (symbols/<library>.def).

   Loads `library` ("proton", "rdkafka", "xml2" or "archive") now. Returns 0, or -1 with a message
   naming the library file in `error`. Components call it when they are created, so a missing
   library is a clear error at start; a trampoline that still cannot load its library aborts with
   that message. */
int collector_lazy_load(const char *library, char *error, size_t capacity);

#endif
