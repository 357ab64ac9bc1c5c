/*
 * The C peer for scripts/bench-amq: qpid-proton's `send` example (libqpid-proton11-dev-examples,
 * /usr/share/proton/examples/c/send.c) extended only as far as the comparison needs:
 *   - SASL PLAIN with a user and password (RabbitMQ refuses ANONYMOUS),
 *   - the exact message bodies the Swift sink sent, read from a file (4-byte big-endian length + bytes),
 *   - durable messages, string message-id, content type application/xml, body as one data section,
 *   - at most WINDOW unsettled deliveries (the sink's window), every message must be ACCEPTED.
 *
 *   COLLECTOR_TEST_AMQP_PASSWORD=… bench_send HOST PORT ADDRESS USER BODIES_FILE WINDOW
 */
#include <proton/connection.h>
#include <proton/condition.h>
#include <proton/delivery.h>
#include <proton/link.h>
#include <proton/message.h>
#include <proton/proactor.h>
#include <proton/sasl.h>
#include <proton/session.h>
#include <proton/transport.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

typedef struct { char *bytes; size_t length; } body_t;

static body_t *bodies;
static int body_count, sent, accepted, window, exit_code;
static pn_message_t *message;
static pn_rwbytes_t buffer;
static const char *address;

static double now(void) {
  struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void fail(pn_event_t *e, pn_condition_t *cond) {
  if (pn_condition_is_set(cond)) {
    fprintf(stderr, "%s: %s: %s\n", pn_event_type_name(pn_event_type(e)), pn_condition_get_name(cond),
            pn_condition_get_description(cond));
    pn_connection_close(pn_event_connection(e));
    exit_code = 1;
  }
}

static void send_one(pn_link_t *sender) {
  char id[32];
  body_t *b = &bodies[sent];
  snprintf(id, sizeof id, "bench-%d", sent);
  ++sent;
  pn_delivery(sender, pn_dtag((const char *)&sent, sizeof sent));
  pn_message_clear(message);
  pn_message_set_id(message, (pn_atom_t){.type = PN_STRING, .u.as_bytes = pn_bytes(strlen(id), id)});
  pn_message_set_durable(message, true);
  pn_message_set_content_type(message, "application/xml");
  pn_message_set_inferred(message, true);
  pn_data_put_binary(pn_message_body(message), pn_bytes(b->length, b->bytes));
  if (pn_message_send(message, sender, &buffer) < 0) {
    fprintf(stderr, "send: %s\n", pn_error_text(pn_message_error(message)));
    exit(1);
  }
}

static void pump(pn_link_t *sender) {
  while (pn_link_credit(sender) > 0 && sent < body_count && sent - accepted < window) send_one(sender);
}

int main(int argc, char **argv) {
  const char *password = getenv("COLLECTOR_TEST_AMQP_PASSWORD"); /* not in argv: ps would show it */
  if (argc < 7 || !password) {
    fprintf(stderr, "usage: COLLECTOR_TEST_AMQP_PASSWORD=... %s HOST PORT ADDRESS USER BODIES_FILE WINDOW\n", argv[0]);
    return 64;
  }
  address = argv[3];
  window = atoi(argv[6]);
  FILE *f = fopen(argv[5], "rb");
  if (!f) { perror(argv[5]); return 66; }
  int capacity = 1024;
  bodies = malloc(capacity * sizeof *bodies);
  unsigned char header[4];
  while (fread(header, 1, 4, f) == 4) {
    size_t length = ((size_t)header[0] << 24) | (header[1] << 16) | (header[2] << 8) | header[3];
    if (body_count == capacity) bodies = realloc(bodies, (capacity *= 2) * sizeof *bodies);
    bodies[body_count].bytes = malloc(length);
    bodies[body_count].length = length;
    if (fread(bodies[body_count].bytes, 1, length, f) != length) { fprintf(stderr, "short file\n"); return 65; }
    body_count++;
  }
  fclose(f);

  message = pn_message();
  pn_proactor_t *proactor = pn_proactor();
  pn_connection_t *connection = pn_connection();
  pn_transport_t *transport = pn_transport();
  pn_connection_set_container(connection, "bench-send-c");
  pn_connection_set_user(connection, argv[4]);
  pn_connection_set_password(connection, password);
  pn_sasl_t *sasl = pn_sasl(transport);
  pn_sasl_allowed_mechs(sasl, "PLAIN");
  pn_sasl_set_allow_insecure_mechs(sasl, true);
  pn_session_t *session = pn_session(connection);
  pn_link_t *link = pn_sender(session, "bench");
  pn_terminus_set_address(pn_link_target(link), address);
  pn_connection_open(connection);
  pn_session_open(session);
  pn_link_open(link);
  char addr[PN_MAX_ADDR];
  pn_proactor_addr(addr, sizeof addr, argv[1], argv[2]);
  double started = 0, finished = 0;
  pn_proactor_connect2(proactor, connection, transport, addr);

  for (int running = 1; running;) {
    pn_event_batch_t *events = pn_proactor_wait(proactor);
    for (pn_event_t *e = pn_event_batch_next(events); e; e = pn_event_batch_next(events)) {
      switch (pn_event_type(e)) {
      case PN_LINK_REMOTE_OPEN:
        if (started == 0) started = now();
        break;
      case PN_LINK_FLOW:
        pump(pn_event_link(e));
        break;
      case PN_DELIVERY: {
        pn_delivery_t *d = pn_event_delivery(e);
        if (pn_delivery_remote_state(d) == PN_ACCEPTED) {
          pn_delivery_settle(d);
          if (++accepted == body_count) {
            finished = now();
            pn_connection_close(pn_event_connection(e));
          } else {
            pump(pn_event_link(e));
          }
        } else {
          fprintf(stderr, "unexpected delivery state %d\n", (int)pn_delivery_remote_state(d));
          exit_code = 1;
          pn_connection_close(pn_event_connection(e));
        }
        break;
      }
      case PN_TRANSPORT_CLOSED: fail(e, pn_transport_condition(pn_event_transport(e))); break;
      case PN_CONNECTION_REMOTE_CLOSE:
        fail(e, pn_connection_remote_condition(pn_event_connection(e)));
        pn_connection_close(pn_event_connection(e));
        break;
      case PN_LINK_REMOTE_CLOSE:
        fail(e, pn_link_remote_condition(pn_event_link(e)));
        pn_connection_close(pn_event_connection(e));
        break;
      case PN_PROACTOR_INACTIVE: running = 0; break;
      default: break;
      }
    }
    pn_proactor_done(proactor, events);
  }
  pn_proactor_free(proactor);
  pn_message_free(message);
  free(buffer.start);
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  if (exit_code == 0) {
    double seconds = finished - started;
    printf("C proton sender: %d messages accepted in %.3f s = %.0f msg/s (bodies pre-encoded), peak RSS %.1f MiB, CPU %.2f s\n",
           accepted, seconds, accepted / seconds, usage.ru_maxrss / 1024.0,
           usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
  }
  return exit_code;
}
