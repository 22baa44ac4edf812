/* spectral_norm: the Benchmarks Game spectral-norm, n = 500 by default.
   Measures float arithmetic in nested loops over float arrays (reads, writes, int-to-float conversion). */
#include <math.h>
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

static double eval_a(long long i, long long j) {
    return 1.0 / (double)((i + j) * (i + j + 1) / 2 + i + 1);
}

static void mul_av(long long n, const double *v, double *av) {
    long long i, j;
    for (i = 0; i < n; i++) {
        double sum = 0.0;
        for (j = 0; j < n; j++) sum += eval_a(i, j) * v[j];
        av[i] = sum;
    }
}

static void mul_atv(long long n, const double *v, double *atv) {
    long long i, j;
    for (i = 0; i < n; i++) {
        double sum = 0.0;
        for (j = 0; j < n; j++) sum += eval_a(j, i) * v[j];
        atv[i] = sum;
    }
}

static void mul_atav(long long n, const double *v, double *out, double *tmp) {
    mul_av(n, v, tmp);
    mul_atv(n, tmp, out);
}

int main(int argc, char **argv) {
    long long n = size_arg(argc, argv, 500);
    size_t bytes = sizeof(double) * (size_t)(n > 0 ? n : 1);
    double *u = malloc(bytes), *v = malloc(bytes), *tmp = malloc(bytes);
    double vbv = 0.0, vv = 0.0;
    long long i;
    if (u == NULL || v == NULL || tmp == NULL) return 1;
    for (i = 0; i < n; i++) {
        u[i] = 1.0;
        v[i] = 0.0;
        tmp[i] = 0.0;
    }
    for (i = 0; i < 10; i++) {
        mul_atav(n, u, v, tmp);
        mul_atav(n, v, u, tmp);
    }
    for (i = 0; i < n; i++) {
        vbv += u[i] * v[i];
        vv += v[i] * v[i];
    }
    printf("%.9f\n", sqrt(vbv / vv));
    free(u);
    free(v);
    free(tmp);
    return 0;
}
