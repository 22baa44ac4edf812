/* fannkuch: the Benchmarks Game fannkuch-redux, n = 10 by default.
   Measures small int array reads, writes and swaps in tight loops (permutations and prefix flips). */
#include <stdio.h>
#include <stdlib.h>

static long long size_arg(int argc, char **argv, long long fallback) {
    long long n;
    if (argc < 2) return fallback;
    n = atoll(argv[1]);
    if (n < 1) {
        fprintf(stderr, "size must be at least 1: %s\n", argv[1]);
        exit(1);
    }
    return n;
}

/* Prints the checksum and the maximum number of flips over all permutations of 0..n-1. */
static void fannkuch(long long n) {
    long long *perm1 = malloc(sizeof(long long) * (size_t)n);
    long long *perm = malloc(sizeof(long long) * (size_t)n);
    long long *count = malloc(sizeof(long long) * (size_t)n);
    long long max_flips = 0, checksum = 0, perm_count = 0, r = n, i;
    if (perm1 == NULL || perm == NULL || count == NULL) exit(1);
    for (i = 0; i < n; i++) {
        perm1[i] = i;
        perm[i] = 0;
        count[i] = 0;
    }
    for (;;) {
        long long flips = 0, k;
        while (r > 1) {
            count[r - 1] = r;
            r -= 1;
        }
        for (i = 0; i < n; i++) perm[i] = perm1[i];
        k = perm[0];
        while (k != 0) {
            long long a = 0, b = k;
            while (a < b) {
                long long t = perm[a];
                perm[a] = perm[b];
                perm[b] = t;
                a += 1;
                b -= 1;
            }
            flips += 1;
            k = perm[0];
        }
        if (flips > max_flips) max_flips = flips;
        if (perm_count % 2 == 0) {
            checksum += flips;
        } else {
            checksum -= flips;
        }
        /* Next permutation: rotate the first r + 1 elements until a counter is left. */
        for (;;) {
            long long perm0;
            if (r >= n) {
                printf("%lld\n", checksum);
                printf("Pfannkuchen(%lld) = %lld\n", n, max_flips);
                free(perm1);
                free(perm);
                free(count);
                return;
            }
            perm0 = perm1[0];
            for (i = 0; i < r; i++) perm1[i] = perm1[i + 1];
            perm1[r] = perm0;
            count[r] -= 1;
            if (count[r] > 0) break;
            r += 1;
        }
        perm_count += 1;
    }
}

int main(int argc, char **argv) {
    fannkuch(size_arg(argc, argv, 10));
    return 0;
}
