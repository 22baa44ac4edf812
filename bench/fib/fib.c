/* fib: naive doubly recursive Fibonacci, fib(32) by default.
   Measures function call and return overhead (integer arguments, small frames). */
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

static long long fib(long long n) {
    if (n < 2) return n;
    return fib(n - 1) + fib(n - 2);
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 32);
    printf("%lld\n", fib(n));
    return 0;
}
