#ifndef COLLECTOR_CRDKAFKA_SHIM_H
#define COLLECTOR_CRDKAFKA_SHIM_H

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

/* rd_kafka_vu_t holds an anonymous union Swift cannot fill comfortably: these set one entry each,
   for rd_kafka_produceva (rd_kafka_producev is variadic and cannot be called from Swift). */

static inline void collector_rdk_vu_topic(rd_kafka_vu_t *vu, const char *topic) {
    vu->vtype = RD_KAFKA_VTYPE_TOPIC;
    vu->u.cstr = topic;
}

static inline void collector_rdk_vu_value(rd_kafka_vu_t *vu, void *pointer, size_t size) {
    vu->vtype = RD_KAFKA_VTYPE_VALUE;
    vu->u.mem.ptr = pointer;
    vu->u.mem.size = size;
}

static inline void collector_rdk_vu_key(rd_kafka_vu_t *vu, void *pointer, size_t size) {
    vu->vtype = RD_KAFKA_VTYPE_KEY;
    vu->u.mem.ptr = pointer;
    vu->u.mem.size = size;
}

static inline void collector_rdk_vu_opaque(rd_kafka_vu_t *vu, void *opaque) {
    vu->vtype = RD_KAFKA_VTYPE_OPAQUE;
    vu->u.ptr = opaque;
}

static inline void collector_rdk_vu_msgflags(rd_kafka_vu_t *vu, int flags) {
    vu->vtype = RD_KAFKA_VTYPE_MSGFLAGS;
    vu->u.i = flags;
}

static inline void collector_rdk_vu_headers(rd_kafka_vu_t *vu, rd_kafka_headers_t *headers) {
    vu->vtype = RD_KAFKA_VTYPE_HEADERS;
    vu->u.headers = headers;
}

static inline void collector_rdk_vu_partition(rd_kafka_vu_t *vu, int32_t partition) {
    vu->vtype = RD_KAFKA_VTYPE_PARTITION;
    vu->u.i32 = partition;
}

/* RD_KAFKA_MSG_F_COPY and RD_KAFKA_PARTITION_UA as values. */
static inline int collector_rdk_msg_f_copy(void) { return RD_KAFKA_MSG_F_COPY; }
static inline int32_t collector_rdk_partition_ua(void) { return RD_KAFKA_PARTITION_UA; }

#endif
