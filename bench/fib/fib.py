# fib: naive doubly recursive Fibonacci, fib(32) by default.
# Measures function call and return overhead (integer arguments, small frames).
import sys


def size_arg(fallback):
    if len(sys.argv) < 2:
        return fallback
    n = int(sys.argv[1])
    if n < 0:
        raise SystemExit("size must not be negative: " + sys.argv[1])
    return n


def fib(n):
    if n < 2:
        return n
    return fib(n - 1) + fib(n - 2)


def main():
    n = size_arg(32)
    print(fib(n))


main()
