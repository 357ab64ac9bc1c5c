#ifndef COLLECTOR_CLIBXML2_SHIM_H
#define COLLECTOR_CLIBXML2_SHIM_H

/* libxml2 2.9.14 (Debian's libxml2-dev, pkg-config "libxml-2.0").
   Debian's headers pull in the system ICU, which clashes with Foundation's own ICU module
   ("'UErrorCode' has different definitions in different modules"): turn it off before anything else. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlwriter.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlsave.h>
#include <libxml/xpath.h>

#endif
