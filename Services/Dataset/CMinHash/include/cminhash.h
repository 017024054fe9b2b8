#ifndef CMINHASH_H
#define CMINHASH_H
#include <stddef.h>
#include <stdint.h>

/// For each permutation pair p: hmin[p] = min over j of (a[p]*x[j] + b[p]) mod 2^64,
/// lmin[p] = min over j of the low 32 bits of the same value. The hot loop of
/// MinHash; compiled for AVX-512, AVX2 and baseline x86-64 and picked at load
/// time by the CPU (function multiversioning), so one binary runs everywhere.
void mlops_minhash_minimize(const uint64_t *x, size_t n, const uint64_t *a, const uint64_t *b, size_t pairs,
                            uint64_t *hmin, uint32_t *lmin);

#endif
