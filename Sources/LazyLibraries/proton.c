/* Lazily loaded libqpid-proton.so.11: the trampolines of symbols/proton.def (regenerate with scripts/gen-lazy-symbols). */
#define LAZY_LIBRARY proton
#define LAZY_LIBRARY_TOKEN proton
#define LAZY_NAME "proton"
#define LAZY_FILE "libqpid-proton.so.11"
#define LAZY_SYMBOLS "symbols/proton.def"
#include "library.inc"
