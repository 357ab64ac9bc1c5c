/* Lazily loaded librdkafka.so.1: the trampolines of symbols/rdkafka.def (regenerate with scripts/gen-lazy-symbols). */
#define LAZY_LIBRARY rdkafka
#define LAZY_LIBRARY_TOKEN rdkafka
#define LAZY_NAME "rdkafka"
#define LAZY_FILE "librdkafka.so.1"
#define LAZY_SYMBOLS "symbols/rdkafka.def"
#include "library.inc"
