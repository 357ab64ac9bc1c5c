/* Lazily loaded libarchive.so.13: the trampolines of symbols/archive.def (regenerate with scripts/gen-lazy-symbols). */
#define LAZY_LIBRARY archive
#define LAZY_LIBRARY_TOKEN archive
#define LAZY_NAME "archive"
#define LAZY_FILE "libarchive.so.13"
#define LAZY_SYMBOLS "symbols/archive.def"
#include "library.inc"
