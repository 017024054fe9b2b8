/*
 * raw_zmq: the libzmq baseline for `scripts/bench bus`.
 *
 * Written against the libzmq C API only; nothing of ours is in the path, so
 * the figures it produces are what plain ZeroMQ does on this machine with the
 * same topology as our bus (client -> ROUTER broker -> workers).
 *
 *   raw_zmq broker FRONTEND BACKEND
 *       ROUTER bound on FRONTEND, DEALER bound on BACKEND, zmq_proxy between.
 *   raw_zmq worker BACKEND THREADS
 *       THREADS threads, each owning a REP socket connected to BACKEND,
 *       echoing every request body.
 *   raw_zmq bench ENDPOINT SIZE INFLIGHT REQUESTS WARMUP
 *       DEALER client (empty delimiter frame + body, as REQ would send) that
 *       keeps INFLIGHT requests outstanding. WARMUP requests are sent first
 *       and not measured; then REQUESTS measured requests follow (WARMUP +
 *       REQUESTS are sent in all). Each body carries its sequence number in
 *       its first 8 bytes, so each round trip is timed on its own
 *       (CLOCK_MONOTONIC). Prints one JSON line:
 *       {"impl":"raw","size":S,"inflight":I,"requests":N,
 *        "p50_us":x,"p99_us":y,"rps":z}
 *       p50/p99: nearest rank over the sorted latencies of the measured
 *       requests. rps: measured replies / wall time from the moment the
 *       last warm-up reply arrived (the WARMUP-th reply) to the last reply.
 *       A reply that does not come within RAW_ZMQ_TIMEOUT_MS (default
 *       10000) ms fails the run (exit 1).
 *
 * Build: cc -O2 -o .build-bench/raw_zmq bench/raw_zmq.c -lzmq -lpthread
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

static void die(const char *what) {
    fprintf(stderr, "raw_zmq: %s: %s\n", what, zmq_strerror(zmq_errno()));
    exit(1);
}

static void usage(void) {
    fprintf(stderr,
            "usage: raw_zmq broker FRONTEND BACKEND\n"
            "       raw_zmq worker BACKEND THREADS\n"
            "       raw_zmq bench ENDPOINT SIZE INFLIGHT REQUESTS WARMUP\n");
    exit(2);
}

static long parse_long(const char *s, const char *name, long min) {
    char *end = NULL;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0' || v < min) {
        fprintf(stderr, "raw_zmq: bad %s '%s' (want an integer >= %ld)\n", name, s, min);
        exit(2);
    }
    return v;
}

static uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---------------------------------------------------------------- broker */

static int run_broker(const char *frontend, const char *backend) {
    void *ctx = zmq_ctx_new();
    if (!ctx) die("zmq_ctx_new");
    void *front = zmq_socket(ctx, ZMQ_ROUTER);
    void *back = zmq_socket(ctx, ZMQ_DEALER);
    if (!front || !back) die("zmq_socket");
    if (zmq_bind(front, frontend) != 0) die("bind frontend");
    if (zmq_bind(back, backend) != 0) die("bind backend");
    /* Runs until the process is signalled (SIGTERM's default action). */
    zmq_proxy(front, back, NULL);
    die("zmq_proxy");
    return 1;
}

/* ---------------------------------------------------------------- worker */

struct worker_arg {
    void *ctx;
    const char *endpoint;
};

static void *worker_thread(void *p) {
    struct worker_arg *arg = p;
    void *sock = zmq_socket(arg->ctx, ZMQ_REP);
    if (!sock) die("zmq_socket REP");
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    if (zmq_connect(sock, arg->endpoint) != 0) die("connect REP");
    for (;;) {
        /* Echo every frame of the request (normally just the body) back, as
         * is, without copying: zmq_msg_send takes ownership of the frame. */
        int more;
        do {
            zmq_msg_t msg;
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, sock, 0) < 0) {
                if (zmq_errno() == EINTR) { zmq_msg_close(&msg); continue; }
                die("worker recv");
            }
            more = zmq_msg_more(&msg);
            if (zmq_msg_send(&msg, sock, more ? ZMQ_SNDMORE : 0) < 0) die("worker send");
        } while (more);
    }
    return NULL;
}

static int run_worker(const char *backend, long threads) {
    void *ctx = zmq_ctx_new();
    if (!ctx) die("zmq_ctx_new");
    struct worker_arg arg = {ctx, backend};
    pthread_t *tids = calloc((size_t)threads, sizeof *tids);
    if (!tids) { perror("calloc"); return 1; }
    for (long i = 0; i < threads; i++) {
        if (pthread_create(&tids[i], NULL, worker_thread, &arg) != 0) {
            perror("pthread_create");
            return 1;
        }
    }
    /* Runs until signalled (SIGTERM's default action). */
    for (long i = 0; i < threads; i++) pthread_join(tids[i], NULL);
    return 0;
}

/* ----------------------------------------------------------------- bench */

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static uint64_t percentile(const uint64_t *sorted, size_t n, double p) {
    size_t rank = (size_t)(p * (double)n + 0.999999999);
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

static int send_request(void *sock, unsigned char *body, size_t size, uint64_t seq) {
    memcpy(body, &seq, sizeof seq);
    if (zmq_send(sock, "", 0, ZMQ_SNDMORE) < 0) return -1;
    if (zmq_send(sock, body, size, 0) < 0) return -1;
    return 0;
}

static int run_bench(const char *endpoint, long size, long inflight, long requests, long warmup) {
    const uint64_t total = (uint64_t)requests + (uint64_t)warmup;
    int timeout_ms = 10000;
    const char *t = getenv("RAW_ZMQ_TIMEOUT_MS");
    if (t && *t) timeout_ms = (int)parse_long(t, "RAW_ZMQ_TIMEOUT_MS", 1);

    uint64_t *sent_at = calloc(total, sizeof *sent_at);
    unsigned char *received = calloc(total, 1);
    uint64_t *lat = calloc((size_t)requests, sizeof *lat);
    unsigned char *body = malloc((size_t)size);
    unsigned char *reply = malloc((size_t)size + 1);
    if (!sent_at || !received || !lat || !body || !reply) { perror("alloc"); return 1; }
    for (long i = 0; i < size; i++) body[i] = (unsigned char)('a' + i % 26);

    void *ctx = zmq_ctx_new();
    if (!ctx) die("zmq_ctx_new");
    void *sock = zmq_socket(ctx, ZMQ_DEALER);
    if (!sock) die("zmq_socket DEALER");
    int linger = 0;
    zmq_setsockopt(sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof timeout_ms);
    zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof timeout_ms);
    if (zmq_connect(sock, endpoint) != 0) die("connect DEALER");

    uint64_t next = 0, done = 0, measured = 0;
    uint64_t t_start = now_ns(), t_end = 0; /* t_start stays here when WARMUP is 0 */

    while (done < total) {
        while (next < total && next - done < (uint64_t)inflight) {
            sent_at[next] = now_ns();
            if (send_request(sock, body, (size_t)size, next) != 0) die("send");
            next++;
        }
        /* Reply: empty delimiter frame, then the echoed body. */
        int n = zmq_recv(sock, reply, (size_t)size + 1, 0);
        if (n < 0) {
            if (zmq_errno() == EINTR) continue;
            if (zmq_errno() == EAGAIN) {
                fprintf(stderr, "raw_zmq: no reply within %d ms (%llu of %llu done)\n",
                        timeout_ms, (unsigned long long)done, (unsigned long long)total);
                return 1;
            }
            die("recv delimiter");
        }
        int more = 0;
        size_t more_len = sizeof more;
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
        if (n != 0 || !more) {
            fprintf(stderr, "raw_zmq: malformed reply (no empty delimiter frame)\n");
            return 1;
        }
        n = zmq_recv(sock, reply, (size_t)size + 1, 0);
        uint64_t now = now_ns();
        if (n < 0) die("recv body");
        zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &more_len);
        if (n != size || more) {
            fprintf(stderr, "raw_zmq: reply body of %d bytes (want %ld)%s\n", n, size,
                    more ? " with extra frames" : "");
            return 1;
        }
        uint64_t seq;
        memcpy(&seq, reply, sizeof seq);
        if (seq >= next || received[seq]) {
            fprintf(stderr, "raw_zmq: unexpected reply sequence %llu\n", (unsigned long long)seq);
            return 1;
        }
        received[seq] = 1;
        if (seq >= (uint64_t)warmup) lat[measured++] = now - sent_at[seq];
        done++;
        if (done == (uint64_t)warmup) t_start = now;
        if (done == total) t_end = now;
    }

    qsort(lat, measured, sizeof *lat, cmp_u64);
    double elapsed_s = (double)(t_end - t_start) / 1e9;
    double rps = elapsed_s > 0 ? (double)requests / elapsed_s : 0.0;
    printf("{\"impl\":\"raw\",\"size\":%ld,\"inflight\":%ld,\"requests\":%ld,"
           "\"p50_us\":%.1f,\"p99_us\":%.1f,\"rps\":%.0f}\n",
           size, inflight, requests,
           (double)percentile(lat, measured, 0.50) / 1e3,
           (double)percentile(lat, measured, 0.99) / 1e3, rps);
    fflush(stdout);

    zmq_close(sock);
    zmq_ctx_term(ctx);
    return 0;
}

int main(int argc, char **argv) {
    if (argc < 2) usage();
    const char *mode = argv[1];
    if (strcmp(mode, "broker") == 0 && argc == 4) return run_broker(argv[2], argv[3]);
    if (strcmp(mode, "worker") == 0 && argc == 4)
        return run_worker(argv[2], parse_long(argv[3], "THREADS", 1));
    if (strcmp(mode, "bench") == 0 && argc == 7) {
        long size = parse_long(argv[3], "SIZE", 8); /* room for the sequence number */
        long inflight = parse_long(argv[4], "INFLIGHT", 1);
        long requests = parse_long(argv[5], "REQUESTS", 1);
        long warmup = parse_long(argv[6], "WARMUP", 0);
        return run_bench(argv[2], size, inflight, requests, warmup);
    }
    usage();
    return 2;
}
