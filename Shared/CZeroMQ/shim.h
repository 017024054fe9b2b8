#ifndef MLOPS_CZEROMQ_SHIM_H
#define MLOPS_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/epoll.h>
#include <stdint.h>

/* Names the calling thread (visible in top/gdb); Glibc's overlay lacks pthread_setname_np. */
static inline void mlops_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}

/* epoll without Swift touching the packed struct epoll_event. Level-triggered. */
static inline int mlops_epoll_add(int epfd, int fd, uint64_t tag) {
    struct epoll_event event = {.events = EPOLLIN, .data = {.u64 = tag}};
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &event);
}

static inline int mlops_epoll_remove(int epfd, int fd) {
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, NULL);
}

/* Waits like epoll_wait and writes the ready tags (at most 64) to `tags`. */
static inline int mlops_epoll_wait(int epfd, uint64_t *tags, int capacity, int timeout_ms) {
    struct epoll_event events[64];
    if (capacity > 64) capacity = 64;
    int n = epoll_wait(epfd, events, capacity, timeout_ms);
    for (int i = 0; i < n; i++) tags[i] = events[i].data.u64;
    return n;
}
#endif
