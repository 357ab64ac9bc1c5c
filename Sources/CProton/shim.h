#ifndef COLLECTOR_CPROTON_SHIM_H
#define COLLECTOR_CPROTON_SHIM_H

/* qpid-proton 0.37 (Debian's libqpid-proton11-dev). No pkg-config: Debian's .pc file starts with a C
   comment SwiftPM cannot parse; the modulemap links "qpid-proton". */
#include <proton/condition.h>
#include <proton/connection.h>
#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/error.h>
#include <proton/event.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/ssl.h>
#include <proton/terminus.h>
#include <proton/transport.h>
#include <proton/types.h>
#include <proton/codec.h>

#include <stddef.h>
#include <stdint.h>

/* pn_atom_t is a tagged union Swift cannot build conveniently: set a string message-id. */
static inline int cproton_message_set_string_id(pn_message_t *message, const char *text, size_t length) {
    pn_atom_t atom;
    atom.type = PN_STRING;
    atom.u.as_bytes = pn_bytes(length, text);
    return pn_message_set_id(message, atom);
}

/* Sets the body to one AMQP data section (binary), the form JMS brokers map to a text/bytes message
   by content type. */
static inline int cproton_message_set_binary_body(pn_message_t *message, const char *bytes, size_t length) {
    pn_data_t *body = pn_message_body(message);
    pn_data_clear(body);
    pn_message_set_inferred(message, true);
    return pn_data_put_binary(body, pn_bytes(length, bytes));
}

/* A delivery tag from a 64-bit counter. */
static inline pn_delivery_t *cproton_delivery(pn_link_t *link, uint64_t tag) {
    return pn_delivery(link, pn_dtag((const char *)&tag, sizeof tag));
}

static inline uint64_t cproton_accepted(void) { return PN_ACCEPTED; }
static inline uint64_t cproton_rejected(void) { return PN_REJECTED; }
static inline uint64_t cproton_released(void) { return PN_RELEASED; }
static inline uint64_t cproton_modified(void) { return PN_MODIFIED; }

#endif
