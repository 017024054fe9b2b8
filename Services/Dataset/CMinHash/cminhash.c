#include "cminhash.h"

#if defined(__x86_64__) && defined(__linux__)
#define MULTIVERSION __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MULTIVERSION
#endif

MULTIVERSION
void mlops_minhash_minimize(const uint64_t *x, size_t n, const uint64_t *a, const uint64_t *b, size_t pairs,
                            uint64_t *hmin, uint32_t *lmin) {
    for (size_t p = 0; p < pairs; p++) {
        const uint64_t ap = a[p], bp = b[p];
        uint64_t h = UINT64_MAX;
        uint32_t l = UINT32_MAX;
        for (size_t j = 0; j < n; j++) {
            const uint64_t v = ap * x[j] + bp;
            h = v < h ? v : h;
            const uint32_t lo = (uint32_t)v;
            l = lo < l ? lo : l;
        }
        hmin[p] = h;
        lmin[p] = l;
    }
}
