#ifndef MLOPS_CZEROMQ_SHIM_H
#define MLOPS_CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>

/* Names the calling thread (visible in top/gdb); Glibc's overlay lacks pthread_setname_np. */
static inline void mlops_set_thread_name(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
#endif
