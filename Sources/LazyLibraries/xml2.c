/* Lazily loaded libxml2.so.2: the trampolines of symbols/xml2.def (regenerate with scripts/gen-lazy-symbols). */
#define LAZY_LIBRARY xml2
#define LAZY_LIBRARY_TOKEN xml2
#define LAZY_NAME "xml2"
#define LAZY_FILE "libxml2.so.2"
#define LAZY_SYMBOLS "symbols/xml2.def"
#include "library.inc"
