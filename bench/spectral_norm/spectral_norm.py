# spectral_norm: the Benchmarks Game spectral-norm, n = 500 by default.
# Measures float arithmetic in nested loops over float lists (reads, writes, int-to-float conversion).
import sys
from math import sqrt


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 1:
        raise SystemExit("size must be at least 1: " + sys.argv[1])
    return n


def eval_a(i, j):
    return 1.0 / float((i + j) * (i + j + 1) // 2 + i + 1)


def mul_av(n, v, av):
    for i in range(n):
        total = 0.0
        for j in range(n):
            total += eval_a(i, j) * v[j]
        av[i] = total


def mul_atv(n, v, atv):
    for i in range(n):
        total = 0.0
        for j in range(n):
            total += eval_a(j, i) * v[j]
        atv[i] = total


def mul_atav(n, v, out, tmp):
    mul_av(n, v, tmp)
    mul_atv(n, tmp, out)


def main():
    n = size_arg(500)
    u = [1.0] * n
    v = [0.0] * n
    tmp = [0.0] * n
    for _ in range(10):
        mul_atav(n, u, v, tmp)
        mul_atav(n, v, u, tmp)
    vbv = 0.0
    vv = 0.0
    for i in range(n):
        vbv += u[i] * v[i]
        vv += v[i] * v[i]
    print("%.9f" % sqrt(vbv / vv))


main()
