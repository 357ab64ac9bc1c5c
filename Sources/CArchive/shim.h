#ifndef COLLECTOR_CARCHIVE_SHIM_H
#define COLLECTOR_CARCHIVE_SHIM_H

#include <archive.h>
#include <archive_entry.h>

/* File type bits of archive_entry_filetype(), as functions (the macros do not import). */
static inline unsigned int carchive_ae_ifreg(void) { return AE_IFREG; }
static inline unsigned int carchive_ae_ifdir(void) { return AE_IFDIR; }
static inline unsigned int carchive_ae_iflnk(void) { return AE_IFLNK; }

#endif
