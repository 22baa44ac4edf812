/* loop: a tight integer loop of 30M iterations by default.
   Measures the interpreter's dispatch of arithmetic, comparison and loop jumps.
   Every intermediate value stays below 2^53 so that LuaJIT (doubles) agrees. */
#include <stdio.h>
#include <stdlib.h>

static long long size_arg(int argc, char **argv, long long fallback) {
    long long n;
    if (argc < 2) return fallback;
    n = atoll(argv[1]);
    if (n < 0) {
        fprintf(stderr, "size must not be negative: %s\n", argv[1]);
        exit(1);
    }
    return n;
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 30000000);
    long long acc = 0;
    long long odd = 0;
    long long i;
    for (i = 0; i < n; i++) {
        acc = (acc * 31 + i * 7 + i % 13) % 1000000007;
        if (acc % 2 == 1) {
            odd += 1;
        }
    }
    printf("%lld\n", acc);
    printf("%lld\n", odd);
    return 0;
}
